//! Whole-message parsing (a datagram, or one message cut out of a stream
//! with [`message_len`]), header names, and [`Message`] accessors.
//!
//! Like pjsip, parsing is tolerant of layout (leading blank lines, folding
//! with CRLF or LF, blanks around `:` and between elements, header names in
//! any case, compact names) but a header that pjsip parses into a typed
//! header must be valid, or the message is rejected (pjsip drops a message
//! with any header parse error). Headers pjsip does not type are kept whole.
//!
//! Contact, Via, Route and Record-Route lines holding several values are
//! split into one [`RawHeader`] per value, as pjsip does. Accept, Allow,
//! Supported, Require and Unsupported are pjsip "generic array" headers:
//! each line stays one `RawHeader` (checked: no empty element, at most 32);
//! [`parse_generic_array`](super::parse_generic_array) splits the value.
//!
//! Choices beyond pjsip (which takes the rest of a datagram as the body):
//! the body is `Content-Length` bytes when that header is present (bytes
//! after it are ignored, RFC 3261 18.3); a `Content-Length` larger than the
//! data gives `PJSIP_EPARTIALMSG`; several Content-Length headers with
//! different values give `PJSIP_EINVALIDMSG`. White space after a
//! Request-URI of any scheme is accepted (pjsip only accepts it after
//! sip/sips URIs). Authorization/authenticate headers are not checked here.

use std::borrow::Cow;

use super::chars::{self, is_ws};
use super::header::{self, sip_version};
use super::print::print_uri;
use super::scanner::Scanner;
use super::types::{
    CSeq, Contact, FromTo, HdrKind, Message, RawHeader, Route, StartLine, Typed, Uri, UriContext, Via,
};
use super::uri::{bounded_number, uri_at};
use crate::status::{self, Status};

/// Largest message [`parse_message`] and [`message_len`] accept.
pub const MAX_MSG_SIZE: usize = 64 * 1024;
/// Most headers in a message (after splitting lists into single values).
pub const MAX_HEADERS: usize = 256;

/// (full name, compact form, kind) of the headers pjsip types.
const TYPED: &[(&str, Option<&str>, HdrKind)] = &[
    ("Accept", None, HdrKind::Accept),
    ("Allow", None, HdrKind::Allow),
    ("Authorization", None, HdrKind::Authorization),
    ("Call-ID", Some("i"), HdrKind::CallId),
    ("Contact", Some("m"), HdrKind::Contact),
    ("Content-Length", Some("l"), HdrKind::ContentLength),
    ("Content-Type", Some("c"), HdrKind::ContentType),
    ("CSeq", None, HdrKind::CSeq),
    ("Expires", None, HdrKind::Expires),
    ("From", Some("f"), HdrKind::From),
    ("Max-Forwards", None, HdrKind::MaxForwards),
    ("Min-Expires", None, HdrKind::MinExpires),
    ("Proxy-Authenticate", None, HdrKind::ProxyAuthenticate),
    ("Proxy-Authorization", None, HdrKind::ProxyAuthorization),
    ("Record-Route", None, HdrKind::RecordRoute),
    ("Require", None, HdrKind::Require),
    ("Retry-After", None, HdrKind::RetryAfter),
    ("Route", None, HdrKind::Route),
    ("Supported", Some("k"), HdrKind::Supported),
    ("To", Some("t"), HdrKind::To),
    ("Unsupported", None, HdrKind::Unsupported),
    ("Via", Some("v"), HdrKind::Via),
    ("WWW-Authenticate", None, HdrKind::WwwAuthenticate),
];

/// Compact forms of headers kept as [`HdrKind::Other`].
const OTHER_COMPACT: &[(&str, &str)] = &[
    ("a", "Accept-Contact"),
    ("b", "Referred-By"),
    ("d", "Request-Disposition"),
    ("e", "Content-Encoding"),
    ("j", "Reject-Contact"),
    ("o", "Event"),
    ("r", "Refer-To"),
    ("s", "Subject"),
    ("u", "Allow-Events"),
    ("x", "Session-Expires"),
];

/// The kind of a header name, full or compact, in any case.
pub fn hdr_kind(name: &str) -> HdrKind {
    // Runs for every header received and sent: the length and first letter
    // leave at most two names of TYPED to compare.
    use HdrKind::*;
    let b = name.as_bytes();
    let Some(first) = b.first().map(u8::to_ascii_lowercase) else { return Other };
    let candidates: &[(&str, HdrKind)] = match (b.len(), first) {
        (1, b'i') => return CallId,
        (1, b'm') => return Contact,
        (1, b'l') => return ContentLength,
        (1, b'c') => return ContentType,
        (1, b'f') => return From,
        (1, b'k') => return Supported,
        (1, b't') => return To,
        (1, b'v') => return Via,
        (2, b't') => &[("To", To)],
        (3, b'v') => &[("Via", Via)],
        (4, b'c') => &[("CSeq", CSeq)],
        (4, b'f') => &[("From", From)],
        (5, b'a') => &[("Allow", Allow)],
        (5, b'r') => &[("Route", Route)],
        (6, b'a') => &[("Accept", Accept)],
        (7, b'c') => &[("Call-ID", CallId), ("Contact", Contact)],
        (7, b'e') => &[("Expires", Expires)],
        (7, b'r') => &[("Require", Require)],
        (9, b's') => &[("Supported", Supported)],
        (11, b'm') => &[("Min-Expires", MinExpires)],
        (11, b'r') => &[("Retry-After", RetryAfter)],
        (11, b'u') => &[("Unsupported", Unsupported)],
        (12, b'c') => &[("Content-Type", ContentType)],
        (12, b'm') => &[("Max-Forwards", MaxForwards)],
        (12, b'r') => &[("Record-Route", RecordRoute)],
        (13, b'a') => &[("Authorization", Authorization)],
        (14, b'c') => &[("Content-Length", ContentLength)],
        (16, b'w') => &[("WWW-Authenticate", WwwAuthenticate)],
        (18, b'p') => &[("Proxy-Authenticate", ProxyAuthenticate)],
        (19, b'p') => &[("Proxy-Authorization", ProxyAuthorization)],
        _ => return Other,
    };
    candidates.iter().find(|c| c.0.eq_ignore_ascii_case(name)).map_or(Other, |c| c.1)
}

/// The name pjsip prints for a typed header kind (`None` for `Other`).
pub fn canonical_name(kind: HdrKind) -> Option<&'static str> {
    TYPED.iter().find(|t| t.2 == kind).map(|t| t.0)
}

/// The compact form of a typed header kind, if it has one.
pub fn compact_name(kind: HdrKind) -> Option<&'static str> {
    TYPED.iter().find(|t| t.2 == kind).and_then(|t| t.1)
}

/// Expands a compact header name (`v` -> `Via`, `s` -> `Subject`...);
/// other names are returned unchanged.
pub fn full_header_name(name: &str) -> &str {
    if name.len() != 1 {
        return name;
    }
    if let Some(t) = TYPED
        .iter()
        .find(|t| t.1.is_some_and(|s| s.eq_ignore_ascii_case(name)))
    {
        return t.0;
    }
    OTHER_COMPACT
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(name))
        .map_or(name, |t| t.1)
}

/// Whether two header names designate the same header (case, compact
/// forms).
pub fn same_header_name(a: &str, b: &str) -> bool {
    full_header_name(a).eq_ignore_ascii_case(full_header_name(b))
}

/// Number of CR/LF bytes at the start of `buf` (keep-alives, or blank lines
/// before a message, which pjsip skips).
pub fn leading_crlf_len(buf: &[u8]) -> usize {
    buf.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

/// Physical lines; terminators are CRLF, LF or a lone CR.
struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        match memchr::memchr2(b'\r', b'\n', rest) {
            None => {
                self.pos = self.buf.len();
                Some(rest)
            }
            Some(i) => {
                let skip = if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                self.pos += i + skip;
                Some(&rest[..i])
            }
        }
    }
}

/// One header with its continuation lines.
struct Logical<'a> {
    first: &'a [u8],
    more: Vec<&'a [u8]>,
}

impl<'a> Logical<'a> {
    /// The line with folding undone: each continuation joins with one SP.
    fn text(&self) -> Cow<'a, str> {
        if self.more.is_empty() {
            return chars::lossy(self.first);
        }
        let mut v = self.first.to_vec();
        for m in &self.more {
            v.push(b' ');
            let start = m.iter().position(|&b| !is_ws(b)).unwrap_or(m.len());
            v.extend_from_slice(&m[start..]);
        }
        Cow::Owned(chars::lossy_owned(v))
    }
}

/// Splits the header section: returns the start line, the headers and the
/// offset of the body (the end of `buf` when there is no blank line).
fn split_headers(buf: &[u8], start: usize) -> Result<(&[u8], Vec<Logical<'_>>, usize), Status> {
    let mut lines = Lines { buf, pos: start };
    let first = lines.next().ok_or(status::PJSIP_EINVALIDMSG)?;
    let mut headers: Vec<Logical<'_>> = Vec::with_capacity(16);
    let body_start = loop {
        match lines.next() {
            None => break buf.len(),
            Some([]) => break lines.pos,
            Some(l) if is_ws(l[0]) => match headers.last_mut() {
                Some(h) => h.more.push(l),
                None => return Err(status::PJSIP_EINVALIDMSG),
            },
            Some(l) => {
                if headers.len() >= MAX_HEADERS {
                    return Err(status::PJSIP_EMSGTOOLONG);
                }
                headers.push(Logical {
                    first: l,
                    more: Vec::new(),
                });
            }
        }
    };
    Ok((first, headers, body_start))
}

/// Splits `Name : value` into a trimmed name (token characters) and a
/// value without its leading blanks (trailing ones are dropped later for
/// the headers pjsip parses into typed fields).
fn split_name_value(line: &str) -> Result<(&str, &str), Status> {
    let colon = line.find(':').ok_or(status::PJSIP_EINVALIDMSG)?;
    let name = line[..colon].trim_end_matches([' ', '\t']);
    if name.is_empty() || !name.bytes().all(|b| chars::TOKEN.has(b)) {
        return Err(status::PJSIP_EINVALIDMSG);
    }
    let value = line[colon + 1..].trim_start_matches([' ', '\t']);
    Ok((name, value))
}

/// Parses one complete SIP message (a UDP datagram, or a stream message
/// whose length [`message_len`] gave).
///
/// Errors: `PJSIP_EMSGTOOLONG` (over [`MAX_MSG_SIZE`] or [`MAX_HEADERS`]),
/// `PJSIP_EINVALIDMSG` (empty, bad start line, header without name),
/// `PJSIP_EINVALIDHDR` (a typed header with a bad value),
/// `PJSIP_EPARTIALMSG` (Content-Length past the end of the data).
pub fn parse_message(buf: &[u8]) -> Result<Message, Status> {
    if buf.len() > MAX_MSG_SIZE {
        return Err(status::PJSIP_EMSGTOOLONG);
    }
    let start = leading_crlf_len(buf);
    if start == buf.len() {
        return Err(status::PJSIP_EINVALIDMSG);
    }
    let (first, logical, body_start) = split_headers(buf, start)?;
    let start_line = parse_start_line(&chars::lossy(first))?;

    let mut headers: Vec<RawHeader> = Vec::with_capacity(logical.len());
    let mut content_length: Option<u32> = None;
    for l in &logical {
        let text = l.text();
        let (name, value) = split_name_value(&text)?;
        let kind = hdr_kind(name);
        if kind == HdrKind::ContentLength {
            let n = header::parse_uint(value)?;
            if content_length.is_some_and(|c| c != n) {
                return Err(status::PJSIP_EINVALIDMSG);
            }
            content_length = Some(n);
        }
        push_header(&mut headers, name, kind, value)?;
    }

    let rest = buf.get(body_start..).unwrap_or(&[]);
    let body = match content_length {
        Some(n) => rest
            .get(..n as usize)
            .ok_or(status::PJSIP_EPARTIALMSG)?
            .to_vec(),
        None => rest.to_vec(),
    };
    Ok(Message {
        start: start_line,
        headers,
        body,
    })
}

/// Checks a header value the way pjsip's typed parser would and appends it,
/// split into one header per value for list headers, with its typed value
/// kept (the message is parsed once).
fn push_header(
    out: &mut Vec<RawHeader>,
    name: &str,
    kind: HdrKind,
    value: &str,
) -> Result<(), Status> {
    use HdrKind::*;
    let mut push = |v: &str, typed: Typed| -> Result<(), Status> {
        if out.len() >= MAX_HEADERS {
            return Err(status::PJSIP_EMSGTOOLONG);
        }
        // pjsip keeps the trailing blanks of the values it stores as text
        // (Call-ID, unknown headers); its typed parsers skip them.
        let v = match kind {
            CallId | Other => v.trim_start_matches([' ', '\t']),
            _ => v.trim_matches([' ', '\t']),
        };
        let name = match canonical_name(kind) {
            Some(known) if known == name => Cow::Borrowed(known),
            _ => Cow::Owned(name.to_string()),
        };
        out.push(RawHeader::parsed(name, kind, v.to_string(), typed));
        Ok(())
    };
    let slice = |a: usize, b: usize| value.get(a..b).unwrap_or("");
    let typed = match kind {
        Contact => {
            for (c, a, b) in header::contact_spans(value)? {
                push(slice(a, b), Typed::Contacts(vec![c]))?;
            }
            return Ok(());
        }
        Via => {
            for (v, a, b) in header::via_spans(value)? {
                push(slice(a, b), Typed::Vias(vec![v]))?;
            }
            return Ok(());
        }
        Route | RecordRoute => {
            for (r, a, b) in header::route_spans(value)? {
                push(slice(a, b), Typed::Routes(vec![r]))?;
            }
            return Ok(());
        }
        From | To => Typed::FromTo(Box::new(header::parse_fromto(value)?)),
        CSeq => Typed::CSeq(header::parse_cseq(value)?),
        ContentLength | Expires | MinExpires | MaxForwards => Typed::Uint(header::parse_uint(value)?),
        CallId => {
            header::parse_call_id(value)?;
            Typed::Untyped
        }
        Accept | Allow | Supported | Require | Unsupported => {
            header::parse_generic_array(value)?;
            Typed::Untyped
        }
        ContentType => {
            header::parse_content_type(value)?;
            Typed::Untyped
        }
        RetryAfter => {
            header::parse_retry_after(value)?;
            Typed::Untyped
        }
        Authorization | ProxyAuthenticate | ProxyAuthorization | WwwAuthenticate | Other => Typed::Untyped,
    };
    push(value, typed)
}

fn parse_start_line(line: &str) -> Result<StartLine, Status> {
    let bad = status::PJSIP_EINVALIDMSG;
    let mut sc = Scanner::new(line, bad);
    // "SIP" followed by '/' or a blank starts a status line (pjsip's test).
    let alpha_end = sc.find_from(|b| !b.is_ascii_alphabetic());
    let is_response = sc.slice(0, alpha_end).eq_ignore_ascii_case("SIP")
        && matches!(sc.slice(alpha_end, alpha_end + 1), "/" | " " | "\t");
    if is_response {
        sip_version(&mut sc).map_err(|_| bad)?;
        sc.skip_ws();
        let digits = sc.take_while1(&chars::DIGIT)?;
        let code = bounded_number(digits.as_bytes(), 999)
            .filter(|&c| c >= 100)
            .ok_or(bad)? as u16;
        sc.skip_ws();
        return Ok(StartLine::Response {
            code,
            reason: sc.rest().to_string(),
        });
    }
    let method = sc.take_while1(&chars::TOKEN)?;
    sc.skip_ws();
    let uri = uri_at(&mut sc, true, false).map_err(|_| bad)?;
    sc.skip_ws();
    sip_version(&mut sc).map_err(|_| bad)?;
    sc.skip_ws();
    if !sc.is_eof() {
        return Err(bad);
    }
    Ok(StartLine::Request {
        method: method.to_string(),
        uri,
    })
}

/// Finds where the message at the start of a stream buffer ends: `None`
/// while more bytes are needed, `Some(Ok(n))` when the first `n` bytes
/// (leading CR/LF included) hold a whole message.
///
/// As pjsip's `pjsip_find_msg`, Content-Length (or `l`) is required on a
/// stream: `Some(Err(PJSIP_EMISSINGHDR))` without it,
/// `Some(Err(PJSIP_EINVALIDHDR))` when unreadable, and
/// `Some(Err(PJSIP_EMSGTOOLONG))` past [`MAX_MSG_SIZE`]. A buffer holding
/// only CR/LF gives `None`: drop [`leading_crlf_len`] bytes first.
///
/// This rescans `buf` on every call; a reader fed a stream piece by piece
/// resumes the search with [`find_header_end`] and [`framed_len`] instead
/// (see `transport::framing`).
pub fn message_len(buf: &[u8]) -> Option<Result<usize, Status>> {
    let start = leading_crlf_len(buf);
    let window = &buf[start..buf.len().min(start + MAX_MSG_SIZE)];
    let hdr_end = match find_header_end(window, 0) {
        Some(e) => start + e,
        None if window.len() >= MAX_MSG_SIZE => return Some(Err(status::PJSIP_EMSGTOOLONG)),
        None => return None,
    };
    match framed_len(buf, start, hdr_end) {
        Ok(total) if total > buf.len() => None,
        r => Some(r),
    }
}

/// The length of the message starting at `start` (after any leading
/// CR/LF) whose header section ends at `hdr_end` (from
/// [`find_header_end`]): `hdr_end` plus its Content-Length, which may be
/// more than the bytes at hand. Errors as [`message_len`].
pub fn framed_len(buf: &[u8], start: usize, hdr_end: usize) -> Result<usize, Status> {
    let head = buf.get(..hdr_end).ok_or(status::PJSIP_EINVALIDMSG)?;
    let (_, logical, _) = split_headers(head, start)?;
    let mut clen: Option<u32> = None;
    for l in &logical {
        let text = l.text();
        let Some((name, value)) = text.split_once(':') else {
            continue;
        };
        if hdr_kind(name.trim_end_matches([' ', '\t'])) == HdrKind::ContentLength {
            clen = Some(header::parse_uint(value)?);
        }
    }
    let clen = clen.ok_or(status::PJSIP_EMISSINGHDR)?;
    let total = hdr_end.saturating_add(clen as usize);
    if total - start > MAX_MSG_SIZE {
        Err(status::PJSIP_EMSGTOOLONG)
    } else {
        Ok(total)
    }
}

/// Offset just past the blank line ending the header section, looking at
/// line breaks from offset `from` on. A reader that already searched the
/// first `n` bytes in vain resumes at `n - 2`: a terminator (LF LF or
/// LF CR LF) may straddle the old end.
pub fn find_header_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        if b[i] == b'\n' {
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(b'\n'), _) => return Some(i + 2),
                (Some(b'\r'), Some(b'\n')) => return Some(i + 3),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

impl Message {
    /// The first header of `kind`.
    pub fn header(&self, kind: HdrKind) -> Option<&RawHeader> {
        self.headers.iter().find(|h| h.kind == kind)
    }

    /// All headers of `kind`, in order.
    pub fn headers_of(&self, kind: HdrKind) -> impl Iterator<Item = &RawHeader> + '_ {
        self.headers.iter().filter(move |h| h.kind == kind)
    }

    /// All headers named `name` (any case, compact or full form).
    pub fn headers_by_name<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a RawHeader> + 'a {
        self.headers
            .iter()
            .filter(move |h| same_header_name(&h.name, name))
    }

    /// Every Contact value of every Contact header, in order.
    pub fn contacts(&self) -> Result<Vec<Contact>, Status> {
        let mut out = Vec::new();
        for h in self.headers_of(HdrKind::Contact) {
            if let Typed::Contacts(v) = h.typed()? {
                out.extend(v.iter().cloned());
            }
        }
        Ok(out)
    }

    /// Every Via value, topmost first.
    pub fn vias(&self) -> Result<Vec<Via>, Status> {
        let mut out = Vec::new();
        for h in self.headers_of(HdrKind::Via) {
            if let Typed::Vias(v) = h.typed()? {
                out.extend(v.iter().cloned());
            }
        }
        Ok(out)
    }

    /// Every Record-Route value, in order.
    pub fn record_routes(&self) -> Result<Vec<Route>, Status> {
        let mut out = Vec::new();
        for h in self.headers_of(HdrKind::RecordRoute) {
            if let Typed::Routes(v) = h.typed()? {
                out.extend(v.iter().cloned());
            }
        }
        Ok(out)
    }

    /// The first header of `kind`, typed (None when absent or unreadable).
    fn typed_of(&self, kind: HdrKind) -> Option<&Typed> {
        self.header(kind).and_then(|h| h.typed().ok())
    }

    fn uint_of(&self, kind: HdrKind) -> Option<u32> {
        match self.typed_of(kind)? {
            Typed::Uint(n) => Some(*n),
            _ => None,
        }
    }

    /// The first Expires header's value (None when absent or unreadable).
    pub fn expires(&self) -> Option<u32> {
        self.uint_of(HdrKind::Expires)
    }

    /// The first Min-Expires header's value.
    pub fn min_expires(&self) -> Option<u32> {
        self.uint_of(HdrKind::MinExpires)
    }

    /// The Content-Length header's value.
    pub fn content_length(&self) -> Option<u32> {
        self.uint_of(HdrKind::ContentLength)
    }

    /// The first CSeq header.
    pub fn cseq(&self) -> Option<&CSeq> {
        match self.typed_of(HdrKind::CSeq)? {
            Typed::CSeq(c) => Some(c),
            _ => None,
        }
    }

    /// The first Call-ID value.
    pub fn call_id(&self) -> Option<&str> {
        self.header(HdrKind::CallId)
            .and_then(|h| header::parse_call_id(&h.value).ok())
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Option<&Via> {
        match self.typed_of(HdrKind::Via)? {
            Typed::Vias(v) => v.first(),
            _ => None,
        }
    }

    fn fromto_of(&self, kind: HdrKind) -> Option<&FromTo> {
        match self.typed_of(kind)? {
            Typed::FromTo(f) => Some(f),
            _ => None,
        }
    }

    /// The first From header.
    pub fn from(&self) -> Option<&FromTo> {
        self.fromto_of(HdrKind::From)
    }

    /// The first To header.
    pub fn to(&self) -> Option<&FromTo> {
        self.fromto_of(HdrKind::To)
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The request method.
    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The Request-URI.
    pub fn request_uri(&self) -> Option<&Uri> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// The response status code.
    pub fn status_code(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    /// The response reason phrase (possibly empty).
    pub fn reason(&self) -> Option<&str> {
        match &self.start {
            StartLine::Response { reason, .. } => Some(reason),
            StartLine::Request { .. } => None,
        }
    }

    /// pjsip's check on every received message before it is processed:
    /// Call-ID (not empty), From, To, Via and CSeq must be present, else
    /// `PJSIP_EMISSINGHDR`.
    /// Parses every header pjsip parses into a typed struct (authentication
    /// headers excepted: their grammar belongs to the digest module). pjsip
    /// drops a whole message when one of them does not parse, so a caller
    /// that wants its behaviour drops the message on `Err`.
    pub fn check_typed_headers(&self) -> Result<(), Status> {
        use super::header::*;
        for h in &self.headers {
            let v = h.value.as_str();
            let ok = match h.kind {
                HdrKind::CallId => parse_call_id(v).is_ok(),
                HdrKind::ContentType => parse_content_type(v).is_ok(),
                HdrKind::RetryAfter => parse_retry_after(v).is_ok(),
                HdrKind::Accept | HdrKind::Allow | HdrKind::Require | HdrKind::Supported | HdrKind::Unsupported => {
                    parse_generic_array(v).is_ok()
                }
                _ => h.typed().is_ok(),
            };
            if !ok {
                return Err(status::PJSIP_EINVALIDHDR);
            }
        }
        Ok(())
    }

    /// Whether Call-ID, CSeq, From, To and Via are all there (pjsip drops a
    /// message without them).
    pub fn check_required_headers(&self) -> Result<(), Status> {
        let ok = self.call_id().is_some()
            && [HdrKind::From, HdrKind::To, HdrKind::Via, HdrKind::CSeq]
                .iter()
                .all(|&k| self.header(k).is_some());
        if ok {
            Ok(())
        } else {
            Err(status::PJSIP_EMISSINGHDR)
        }
    }
}

/// Prints `msg` as held: start line (Request-URI in the Request-URI
/// context), `Name: value` lines, a blank line and the body. Nothing is
/// added (no Content-Length).
pub fn print_message(msg: &Message, out: &mut Vec<u8>) {
    let mut s = String::new();
    match &msg.start {
        StartLine::Request { method, uri } => {
            s.push_str(method);
            s.push(' ');
            print_uri(uri, UriContext::ReqUri, &mut s);
            s.push_str(" SIP/2.0\r\n");
        }
        StartLine::Response { code, reason } => {
            s.push_str("SIP/2.0 ");
            s.push_str(&code.to_string());
            s.push(' ');
            s.push_str(reason);
            s.push_str("\r\n");
        }
    }
    for h in &msg.headers {
        s.push_str(&h.name);
        s.push_str(": ");
        s.push_str(&h.value);
        s.push_str("\r\n");
    }
    s.push_str("\r\n");
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(&msg.body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::types::SipUri;
    use crate::status::*;

    const REG_200: &str = "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.168.0.2:5060;rport=5060;received=1.2.3.4;branch=z9hG4bKPj1\r\n\
Call-ID: abc@host\r\n\
From: <sip:alice@example.com>;tag=f1\r\n\
To: <sip:alice@example.com>;tag=t1\r\n\
CSeq: 2 REGISTER\r\n\
Contact: <sip:alice@192.168.0.2:5060>;expires=300, <sip:alice@10.0.0.1>;expires=60\r\n\
m: <sip:alice@10.0.0.2>;q=0.5\r\n\
Expires: 300\r\n\
Content-Length: 0\r\n\r\n";

    #[test]
    fn header_kinds_full_compact_any_case() {
        for (full, short, kind) in TYPED {
            assert_eq!(hdr_kind(full), *kind);
            assert_eq!(hdr_kind(&full.to_ascii_uppercase()), *kind);
            assert_eq!(hdr_kind(&full.to_ascii_lowercase()), *kind);
            if let Some(s) = short {
                assert_eq!(hdr_kind(&s.to_ascii_uppercase()), *kind);
            }
        }
        for other in ["", "X", "Subject", "s", "Contacts", "Via ", "Cal-ID", "WWW-Authenticatf", "Call-IE", "Contacu"] {
            assert_eq!(hdr_kind(other), HdrKind::Other, "{other}");
        }
    }

    #[test]
    fn response_basics() {
        let m = parse_message(REG_200.as_bytes()).unwrap();
        assert_eq!(m.status_code(), Some(200));
        assert_eq!(m.reason(), Some("OK"));
        assert!(!m.is_request());
        assert_eq!(m.call_id(), Some("abc@host"));
        assert_eq!(
            m.cseq().cloned(),
            Some(CSeq {
                seq: 2,
                method: "REGISTER".into()
            })
        );
        assert_eq!(m.expires(), Some(300));
        assert_eq!(m.min_expires(), None);
        assert_eq!(m.from().unwrap().tag.as_deref(), Some("f1"));
        assert_eq!(m.to().unwrap().tag.as_deref(), Some("t1"));
        let v = m.top_via().unwrap();
        assert_eq!((v.rport, v.received.as_deref()), (5060, Some("1.2.3.4")));
        let c = m.contacts().unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].expires, Some(300));
        assert_eq!(c[1].expires, Some(60));
        assert_eq!(c[2].q1000, 500);
        // The list line was split; the compact line kept its name.
        let names: Vec<_> = m
            .headers_of(HdrKind::Contact)
            .map(|h| (&*h.name, h.value.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Contact", "<sip:alice@192.168.0.2:5060>;expires=300"),
                ("Contact", "<sip:alice@10.0.0.1>;expires=60"),
                ("m", "<sip:alice@10.0.0.2>;q=0.5"),
            ]
        );
        assert_eq!(m.headers_by_name("contact").count(), 3);
        assert_eq!(m.headers_by_name("M").count(), 3);
        assert!(m.body.is_empty());
        assert_eq!(m.check_required_headers(), Ok(()));
    }

    #[test]
    fn request_line_and_print() {
        let raw = "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nContent-Length: 4\r\n\r\nbody";
        let m = parse_message(raw.as_bytes()).unwrap();
        assert_eq!(m.method(), Some("REGISTER"));
        assert_eq!(m.request_uri(), Some(&Uri::Sip(SipUri::new("example.com"))));
        assert_eq!(m.body, b"body");
        let mut out = Vec::new();
        print_message(&m, &mut out);
        assert_eq!(out, raw.as_bytes());
    }

    #[test]
    fn folding_spacing_compact_and_case() {
        let raw = "\r\n\r\nSIP/2.0 423 Interval Too Brief\n\
via :  SIP/2.0/UDP h\n\t;branch=z9hG4bK1\n\
I:x\n\
F\t: <sip:a@b>\n  ;tag=1\n\
t: sip:a@b\n\
cseq:1\n REGISTER\n\
MIN-EXPIRES  :   3600\n\
X-Custom:  a,\r\n  b  \n\
s:\n\
L: 0\n\n";
        let m = parse_message(raw.as_bytes()).unwrap();
        assert_eq!(m.status_code(), Some(423));
        assert_eq!(m.min_expires(), Some(3600));
        assert_eq!(m.call_id(), Some("x"));
        assert_eq!(m.from().unwrap().tag.as_deref(), Some("1"));
        assert_eq!(m.cseq().unwrap().method, "REGISTER");
        let x = m.headers_by_name("x-custom").next().unwrap();
        // Trailing blanks of a text value are kept, as pjsip keeps them.
        assert_eq!((x.kind, x.value.as_str()), (HdrKind::Other, "a, b  "));
        let s = m.headers_by_name("Subject").next().unwrap();
        assert_eq!((&*s.name, s.value.as_str()), ("s", ""));
        assert_eq!(
            m.header(HdrKind::Via).unwrap().value,
            "SIP/2.0/UDP h ;branch=z9hG4bK1"
        );
        assert_eq!(m.check_required_headers(), Ok(()));
    }

    #[test]
    fn generic_arrays_stay_one_line() {
        let raw =
            "SIP/2.0 200 OK\r\nAllow: INVITE, ACK,BYE\r\nSupported:\r\nk: path, outbound\r\n\r\n";
        let m = parse_message(raw.as_bytes()).unwrap();
        assert_eq!(m.header(HdrKind::Allow).unwrap().value, "INVITE, ACK,BYE");
        assert_eq!(m.headers_of(HdrKind::Supported).count(), 2);
        assert!(parse_message(b"SIP/2.0 200 OK\r\nAllow: INVITE,,ACK\r\n\r\n").is_err());
    }

    #[test]
    fn body_rules() {
        // No Content-Length: rest of the datagram.
        let m = parse_message(b"SIP/2.0 200 OK\r\nX: y\r\n\r\nabc").unwrap();
        assert_eq!(m.body, b"abc");
        // Extra bytes after Content-Length are ignored.
        let m = parse_message(b"SIP/2.0 200 OK\r\nl: 2\r\n\r\nabc").unwrap();
        assert_eq!(m.body, b"ab");
        assert_eq!(
            parse_message(b"SIP/2.0 200 OK\r\nl: 4\r\n\r\nabc"),
            Err(PJSIP_EPARTIALMSG)
        );
        // No blank line at all: headers end with the data.
        let m = parse_message(b"SIP/2.0 200 OK\r\nX: y").unwrap();
        assert_eq!(m.headers.len(), 1);
        assert_eq!(
            parse_message(b"SIP/2.0 200 OK\r\nl: 1\r\nContent-Length: 2\r\n\r\nab"),
            Err(PJSIP_EINVALIDMSG)
        );
        assert!(parse_message(b"SIP/2.0 200 OK\r\nl: 2\r\nContent-Length: 2\r\n\r\nab").is_ok());
    }

    #[test]
    fn start_line_errors() {
        for bad in [
            &b""[..],
            b"\r\n\r\n",
            b"SIP/2.0 99 Low\r\n\r\n",
            b"SIP/2.0 1000 High\r\n\r\n",
            b"SIP/2.0 4294967301 x\r\n\r\n",
            b"SIP/3.0 200 OK\r\n\r\n",
            b"SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b SIP/7.0\r\n\r\n",
            b"INVITE sip:a@b\r\n\r\n",
            b"INVITE <sip:a@b> SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b; lr SIP/2.0\r\n\r\n",
            b"INVITE sip:a@b SIP/2.0 x\r\n\r\n",
            b" INVITE sip:a@b SIP/2.0\r\n\r\n",
        ] {
            assert!(
                parse_message(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let m = parse_message(b"SIP/2.0 100\r\n\r\n").unwrap();
        assert_eq!(m.reason(), Some(""));
        let m = parse_message(b"sip / 2.0  180   Ringing \r\n\r\n").unwrap();
        assert_eq!(m.reason(), Some("Ringing "));
    }

    #[test]
    fn header_errors() {
        let base = "SIP/2.0 200 OK\r\n";
        for (h, code) in [
            ("NoColon\r\n", PJSIP_EINVALIDMSG),
            (": empty name\r\n", PJSIP_EINVALIDMSG),
            ("Bad Name: x\r\n", PJSIP_EINVALIDMSG),
            ("Via: nonsense\r\n", PJSIP_EINVALIDHDR),
            ("CSeq: x REGISTER\r\n", PJSIP_EINVALIDHDR),
            ("Call-ID:\r\n", PJSIP_EINVALIDHDR),
            ("Content-Length: -1\r\n", PJSIP_EINVALIDHDR),
            ("Expires: soon\r\n", PJSIP_EINVALIDHDR),
            ("Contact: <sip:a@b\r\n", PJSIP_EINVALIDHDR),
            ("To: \"x <sip:a@b>\r\n", PJSIP_EINVALIDHDR),
            ("Retry-After: x\r\n", PJSIP_EINVALIDHDR),
            ("Content-Type: text\r\n", PJSIP_EINVALIDHDR),
        ] {
            let raw = format!("{base}{h}\r\n");
            assert_eq!(parse_message(raw.as_bytes()), Err(code), "{h:?}");
        }
        // A continuation line before any header.
        assert_eq!(
            parse_message(b"SIP/2.0 200 OK\r\n x\r\n\r\n"),
            Err(PJSIP_EINVALIDMSG)
        );
        // Unknown headers are not checked.
        assert!(
            parse_message(b"SIP/2.0 200 OK\r\nX: ;;,,;;,;\r\nWWW-Authenticate: ???\r\n\r\n")
                .is_ok()
        );
    }

    #[test]
    fn limits() {
        let mut big = b"SIP/2.0 200 OK\r\n".to_vec();
        big.resize(MAX_MSG_SIZE + 1, b'x');
        assert_eq!(parse_message(&big), Err(PJSIP_EMSGTOOLONG));
        let mut many = String::from("SIP/2.0 200 OK\r\n");
        for _ in 0..=MAX_HEADERS {
            many.push_str("X: y\r\n");
        }
        assert_eq!(parse_message(many.as_bytes()), Err(PJSIP_EMSGTOOLONG));
        let mut split = String::from("SIP/2.0 200 OK\r\nContact: <sip:a@b>");
        for _ in 0..MAX_HEADERS {
            split.push_str(", <sip:a@b>");
        }
        split.push_str("\r\n\r\n");
        assert_eq!(parse_message(split.as_bytes()), Err(PJSIP_EMSGTOOLONG));
    }

    #[test]
    fn required_headers() {
        let m = parse_message(b"SIP/2.0 200 OK\r\nCall-ID: a\r\nFrom: <sip:a@b>\r\nTo: <sip:a@b>\r\nCSeq: 1 X\r\n\r\n").unwrap();
        assert_eq!(m.check_required_headers(), Err(PJSIP_EMISSINGHDR));
    }

    #[test]
    fn header_names() {
        assert_eq!(hdr_kind("call-id"), HdrKind::CallId);
        assert_eq!(hdr_kind("I"), HdrKind::CallId);
        assert_eq!(hdr_kind("WWW-AUTHENTICATE"), HdrKind::WwwAuthenticate);
        assert_eq!(hdr_kind("C%6Fntact"), HdrKind::Other);
        assert_eq!(hdr_kind("s"), HdrKind::Other);
        assert_eq!(full_header_name("s"), "Subject");
        assert_eq!(full_header_name("V"), "Via");
        assert_eq!(full_header_name("X-Foo"), "X-Foo");
        assert_eq!(canonical_name(HdrKind::CallId), Some("Call-ID"));
        assert_eq!(compact_name(HdrKind::Contact), Some("m"));
        assert_eq!(canonical_name(HdrKind::Other), None);
        assert!(same_header_name("o", "EVENT"));
        assert_eq!(HdrKind::WwwAuthenticate as u32, 43);
    }

    #[test]
    fn stream_framing() {
        let msg = REG_200.as_bytes();
        assert_eq!(message_len(msg), Some(Ok(msg.len())));
        for cut in 0..msg.len() {
            assert_eq!(message_len(&msg[..cut]), None, "cut at {cut}");
        }
        let mut two = b"\r\n\r\n".to_vec();
        two.extend_from_slice(b"SIP/2.0 200 OK\nl : 3\n\nabcSIP/2.0 ");
        assert_eq!(message_len(&two), Some(Ok(4 + 25)));
        assert_eq!(message_len(b"\r\n\r\n"), None);
        assert_eq!(leading_crlf_len(b"\r\n\r\nX"), 4);
        assert_eq!(
            message_len(b"SIP/2.0 200 OK\r\nX: y\r\n\r\n"),
            Some(Err(PJSIP_EMISSINGHDR))
        );
        assert_eq!(
            message_len(b"SIP/2.0 200 OK\r\nContent-Length: x\r\n\r\n"),
            Some(Err(PJSIP_EINVALIDHDR))
        );
        assert_eq!(
            message_len(b"SIP/2.0 200 OK\r\nContent-Length: 70000\r\n\r\n"),
            Some(Err(PJSIP_EMSGTOOLONG))
        );
        let mut endless = b"SIP/2.0 200 OK\r\nX: ".to_vec();
        endless.resize(MAX_MSG_SIZE + 10, b'a');
        assert_eq!(message_len(&endless), Some(Err(PJSIP_EMSGTOOLONG)));
        // Folded Content-Length.
        assert_eq!(
            message_len(b"SIP/2.0 200 OK\r\nContent-Length:\r\n 1\r\n\r\nz"),
            Some(Ok(40))
        );
    }
}
