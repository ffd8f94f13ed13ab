//! Parsing of WWW-Authenticate / Proxy-Authenticate values.
//!
//! The grammar follows what pjsip's header scanner accepts, because the
//! values we keep (realm, nonce, opaque ...) are hashed and echoed back, and
//! any difference in how they are cut out of the header would change the
//! response:
//!
//! - whitespace (and header folding) is allowed around every token, `=` and `,`;
//! - a quoted value keeps its backslash escapes verbatim (pjsip never
//!   unescapes them, so neither do we: `realm="a\"b"` has realm `a\"b`);
//! - an unquoted token value is kept as written: `%XX` is not decoded
//!   (pjsip echoes `nonce=a%41` back as `nonce="a%41"`);
//! - `[...]` values lose their brackets;
//! - a parameter without `=` has an empty value;
//! - a repeated parameter overwrites the earlier one;
//! - `stale` is true only for `true` / `"true"` in any case;
//! - anything left over after the last parameter is a syntax error.
//!
//! One deliberate difference: realm, nonce, opaque and the other values we
//! echo are printed back inside quotes in our Authorization, so a quoted or
//! bracketed value that could not stand there verbatim (a control character
//! such as CR, LF or NUL, a bare `"`, a `\` not followed by a character to
//! protect) makes the header invalid. The message carrying it is then
//! dropped like any other message pjsip cannot parse, instead of letting a
//! peer write header lines or parameters into our request (pjsip echoes a
//! raw CR).

use crate::status::{PJSIP_EINVALIDHDR, Status};

/// Longest header value we look at. pjsip cannot receive a message larger
/// than PJSIP_MAX_PKT_LEN (4000 bytes), so nothing longer can be a header
/// it would have answered.
pub const MAX_CHALLENGE_LEN: usize = 4000;

/// A parsed challenge.
///
/// Only Digest challenges carry parameters. For any other scheme just the
/// scheme is kept: pjsip's parser refuses such headers outright, and the
/// client answers a non-Digest challenge object with
/// PJSIP_EINVALIDAUTHSCHEME without looking further.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme as written (quotes removed if it was quoted).
    pub scheme: String,
    /// The protection space the credentials must belong to.
    pub realm: String,
    /// The `domain` parameter: URIs sharing the protection space.
    pub domain: String,
    /// The server nonce to hash into the answer.
    pub nonce: String,
    /// The `opaque` value to echo back unchanged.
    pub opaque: String,
    /// `stale=true`: the nonce expired but the credentials were right.
    pub stale: bool,
    /// As written, e.g. `SHA-256`; empty when absent.
    pub algorithm: String,
    /// The qop offer with outer quotes removed, e.g. `auth,auth-int`.
    pub qop: String,
    /// Parameters we do not interpret, value as written (quotes kept).
    pub other_params: Vec<(String, String)>,
}

impl Challenge {
    /// True for the Digest scheme (case-insensitive).
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }
}

/// SIP `token` characters (RFC 3261: alphanum and `-.!%*_+`'~`).
fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&c)
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(s: &'a str) -> Self {
        Scanner { s, b: s.as_bytes(), pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    /// Skips blanks, and line breaks only where they fold onto a
    /// continuation line (a CRLF that is not followed by a blank ends the
    /// header, so it is left in place).
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ') | Some(b'\t') => self.pos += 1,
                Some(b'\r') | Some(b'\n') => {
                    let mut p = self.pos;
                    if self.b.get(p) == Some(&b'\r') {
                        p += 1;
                    }
                    if self.b.get(p) == Some(&b'\n') {
                        p += 1;
                    }
                    match self.b.get(p) {
                        Some(b' ') | Some(b'\t') => self.pos = p,
                        _ => return,
                    }
                }
                _ => return,
            }
        }
    }

    /// One or more token characters, then blanks.
    fn token(&mut self) -> Result<&'a str, Status> {
        let start = self.pos;
        while self.peek().is_some_and(is_token_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(PJSIP_EINVALIDHDR);
        }
        let t = &self.s[start..self.pos];
        self.skip_ws();
        Ok(t)
    }

    /// A quoted string starting at the current `"`, returned with its
    /// quotes. A backslash protects the next character; a control
    /// character (even escaped) or the end of input before the closing
    /// quote is an error.
    fn quoted(&mut self) -> Result<&'a str, Status> {
        let start = self.pos;
        let mut i = self.pos + 1;
        loop {
            match self.b.get(i) {
                None => return Err(PJSIP_EINVALIDHDR),
                Some(&c) if is_control(c) => return Err(PJSIP_EINVALIDHDR),
                Some(b'\\') => match self.b.get(i + 1) {
                    None => return Err(PJSIP_EINVALIDHDR),
                    Some(&c) if is_control(c) => return Err(PJSIP_EINVALIDHDR),
                    Some(_) => i += 2,
                },
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        let q = &self.s[start..self.pos];
        self.skip_ws();
        Ok(q)
    }

    /// `[...]`, returned without the brackets.
    fn bracketed(&mut self) -> Result<&'a str, Status> {
        let start = self.pos + 1;
        let rel = self.b[start..]
            .iter()
            .position(|&c| c == b']')
            .ok_or(PJSIP_EINVALIDHDR)?;
        let v = &self.s[start..start + rel];
        self.pos = start + rel + 1;
        self.skip_ws();
        Ok(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            self.skip_ws();
            true
        } else {
            false
        }
    }
}

/// Bytes that may not appear in a header value we print: every C0
/// control but the horizontal tab, and DEL.
fn is_control(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

/// Whether `v` can be printed between double quotes as it is and still be
/// one quoted string holding exactly `v`: no control character, every `"`
/// protected by a backslash, every backslash protecting a character.
fn fits_in_quotes(v: &str) -> bool {
    let mut b = v.bytes();
    while let Some(c) = b.next() {
        match c {
            b'"' => return false,
            b'\\' => match b.next() {
                Some(p) if !is_control(p) => {}
                _ => return false,
            },
            c if is_control(c) => return false,
            _ => {}
        }
    }
    true
}

/// Drops the first and last character of a value that starts with a quote,
/// as pjsip does for every Digest challenge parameter it stores (it does not
/// check the last one; only a bracketed value can end otherwise).
fn unquote(v: &str) -> String {
    let b = v.as_bytes();
    if b.first() != Some(&b'"') {
        return v.to_owned();
    }
    if b.len() < 2 {
        return String::new();
    }
    String::from_utf8_lossy(&b[1..b.len() - 1]).into_owned()
}

/// Parses a WWW-Authenticate or Proxy-Authenticate header value (without
/// the header name). PJSIP_EINVALIDHDR for anything pjsip's parser would
/// reject, or a value longer than [`MAX_CHALLENGE_LEN`].
pub fn parse_challenge(value: &str) -> Result<Challenge, Status> {
    if value.len() > MAX_CHALLENGE_LEN {
        return Err(PJSIP_EINVALIDHDR);
    }
    let mut sc = Scanner::new(value);
    sc.skip_ws();

    let scheme = if sc.peek() == Some(b'"') {
        unquote(sc.quoted()?)
    } else {
        sc.token()?.to_owned()
    };
    let mut ch = Challenge { scheme, ..Challenge::default() };
    if !ch.is_digest() {
        return Ok(ch);
    }

    loop {
        let name = sc.token()?.to_owned();
        let mut raw = String::new();
        if sc.eat(b'=') && !sc.eof() {
            raw = match sc.peek() {
                Some(b'"') => sc.quoted()?.to_owned(),
                Some(b'[') => sc.bracketed()?.to_owned(),
                Some(c) if is_token_char(c) => sc.token()?.to_owned(),
                _ => String::new(),
            };
        }
        let val = unquote(&raw);
        if !fits_in_quotes(&val) || name.bytes().any(is_control) {
            return Err(PJSIP_EINVALIDHDR);
        }
        let n = name.to_ascii_lowercase();
        match n.as_str() {
            "realm" => ch.realm = val,
            "domain" => ch.domain = val,
            "nonce" => ch.nonce = val,
            "opaque" => ch.opaque = val,
            "stale" => {
                // Compared against the raw value, so `"true"` counts but
                // `" true"` does not; a later stale=false does not undo it.
                if raw.eq_ignore_ascii_case("true") || raw.eq_ignore_ascii_case("\"true\"") {
                    ch.stale = true;
                }
            }
            "algorithm" => ch.algorithm = val,
            "qop" => ch.qop = val,
            _ => ch.other_params.push((name, raw)),
        }
        if !sc.eat(b',') {
            break;
        }
    }

    // Only a line end may follow the last parameter.
    while matches!(sc.peek(), Some(b'\r') | Some(b'\n')) {
        sc.pos += 1;
    }
    if !sc.eof() {
        return Err(PJSIP_EINVALIDHDR);
    }
    // These are echoed in our Authorization, quoted or bare: a NUL, a line
    // break or a stray quote (from a quoted value or a decoded %XX) would
    // change its structure, so such a challenge is refused.
    if [&ch.realm, &ch.nonce, &ch.opaque, &ch.qop, &ch.algorithm].iter().any(|v| !echo_safe(v)) {
        return Err(PJSIP_EINVALIDHDR);
    }
    Ok(ch)
}

/// Whether a value can go between quotes as it is: no NUL, CR or LF, and
/// no quote or final backslash left unprotected by a backslash.
fn echo_safe(v: &str) -> bool {
    let mut escaped = false;
    for c in v.bytes() {
        match c {
            0 | b'\r' | b'\n' => return false,
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return false,
            _ => {}
        }
    }
    !escaped
}
