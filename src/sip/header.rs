//! Parsers for header values (the text after `Name:`), following pjsip's
//! header parsers. Line folding must already be undone; blanks (SP, HT) are
//! allowed between elements, as pjsip's header scanner skips them.
//!
//! All return `PJSIP_EINVALIDHDR` on a syntax error. (pjsip's
//! `pjsip_regc_init` reports an unparsable Contact as `PJSIP_EINVALIDURI`:
//! that mapping belongs to the caller.)

use super::chars;
use super::scanner::{PResult, Scanner};
use super::types::{CSeq, Contact, FromTo, HdrKind, NameAddr, Param, Route, Typed, Via};
use super::uri::{self, bounded_number, MAX_PARAMS};
use crate::status::{self, Status};

/// pjsip's `PJSIP_EXPIRES_NOT_SPECIFIED`: an `expires` parameter with this
/// value is taken as one less, so it stays distinguishable from "absent".
pub const EXPIRES_NOT_SPECIFIED: u32 = u32::MAX;
/// pjsip's `PJSIP_GENERIC_ARRAY_MAX_COUNT`: most elements in one
/// Allow/Supported/Require/Unsupported/Accept header line.
pub const GENERIC_ARRAY_MAX_COUNT: usize = 32;
/// pjsip's `PJSIP_MAX_CSEQ` (and Retry-After, Content-Length bounds).
pub const MAX_INT32: u64 = i32::MAX as u64;

const ERR: Status = status::PJSIP_EINVALIDHDR;

impl Via {
    /// A Via for `transport` and `host` with every parameter absent
    /// (`rport` and `ttl` = -1, which `Default` does not give).
    pub fn new(transport: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        Via {
            transport: transport.into(),
            host: host.into(),
            port,
            rport: -1,
            ttl: -1,
            ..Default::default()
        }
    }
}

fn scanner(s: &str) -> Scanner<'_> {
    Scanner::new(s, ERR)
}

/// After the last element only blanks may remain.
fn end(sc: &mut Scanner<'_>) -> PResult<()> {
    sc.skip_ws();
    if sc.is_eof() {
        Ok(())
    } else {
        Err(ERR)
    }
}

/// One `;name[=value]` header parameter; the cursor is on `;`.
/// `set` is the class for name and unquoted value (token, or token plus
/// `[:]` for Via). Quoted values keep their quotes, as pjsip stores them.
fn header_param<'a>(sc: &mut Scanner<'a>, set: &chars::CharSet) -> PResult<(&'a str, &'a str)> {
    sc.expect(b';')?;
    sc.skip_ws();
    let name = sc.take_while1(set)?;
    sc.skip_ws();
    let mut value = "";
    if sc.eat(b'=') {
        sc.skip_ws();
        if sc.at(b'"') {
            value = sc.quoted(b'"', b'"')?;
        } else {
            value = sc.take_while(set);
        }
        sc.skip_ws();
    }
    Ok((name, value))
}

fn param(name: &str, value: &str) -> Param {
    Param {
        name: name.to_string(),
        value: if value.is_empty() {
            None
        } else {
            Some(value.to_string())
        },
    }
}

/// Counts parameters so that a hostile value cannot make us allocate
/// without bound.
struct Budget(usize);

impl Budget {
    fn take(&mut self) -> PResult<()> {
        self.0 += 1;
        if self.0 > MAX_PARAMS {
            Err(ERR)
        } else {
            Ok(())
        }
    }
}

// ----------------------------------------------------------------------
// Contact

/// Parses `value` as a header of `kind` for the kinds kept typed
/// ([`Typed`]); the other kinds give [`Typed::Untyped`].
pub fn parse_typed(kind: HdrKind, value: &str) -> Result<Typed, Status> {
    Ok(match kind {
        HdrKind::Contact => Typed::Contacts(parse_contact_list(value)?),
        HdrKind::Via => Typed::Vias(parse_via_list(value)?),
        HdrKind::Route | HdrKind::RecordRoute => Typed::Routes(parse_route_list(value)?),
        HdrKind::From | HdrKind::To => Typed::FromTo(Box::new(parse_fromto(value)?)),
        HdrKind::CSeq => Typed::CSeq(parse_cseq(value)?),
        HdrKind::Expires | HdrKind::MinExpires | HdrKind::MaxForwards | HdrKind::ContentLength => {
            Typed::Uint(parse_uint(value)?)
        }
        _ => Typed::Untyped,
    })
}

/// Parses a Contact header value: `*` or a comma-separated list of
/// contacts (RFC 3261 20.10).
///
/// An addr-spec not enclosed in `<>` takes no URI parameters: what follows
/// it are header parameters. `q` fills `q1000` (pjsip's rules: integer part
/// times 1000 plus at most three fraction digits, "0.5" -> 500), `expires`
/// fills `expires` (digits up to the first non-digit, saturating; a value
/// of 2^32-1 becomes 2^32-2 as in pjsip); both only when they have a value.
pub fn parse_contact_list(s: &str) -> Result<Vec<Contact>, Status> {
    Ok(contact_spans(s)?.into_iter().map(|(c, _, _)| c).collect())
}

/// Contacts with the byte range of each value in `s` (for splitting a
/// header line into one header per value).
pub(crate) fn contact_spans(s: &str) -> PResult<Vec<(Contact, usize, usize)>> {
    let mut sc = scanner(s);
    // Mostly one value: room for four of these is past malloc's fast sizes.
    let mut out = Vec::with_capacity(1);
    loop {
        sc.skip_ws();
        let start = sc.pos();
        let contact = if sc.eat(b'*') {
            Contact {
                star: true,
                uri: None,
                q1000: 0,
                expires: None,
                other_params: Vec::new(),
            }
        } else {
            let (na, _) = uri::uri_or_name_addr(&mut sc, true, true).map_err(|_| ERR)?;
            contact_params(&mut sc, na)?
        };
        let stop = sc.pos();
        out.push((contact, start, stop));
        sc.skip_ws();
        if !sc.eat(b',') {
            break;
        }
    }
    end(&mut sc)?;
    Ok(out)
}

fn contact_params(sc: &mut Scanner<'_>, na: NameAddr) -> PResult<Contact> {
    let mut c = Contact {
        star: false,
        uri: Some(na),
        q1000: 0,
        expires: None,
        other_params: Vec::new(),
    };
    let mut budget = Budget(0);
    sc.skip_ws();
    while sc.at(b';') {
        budget.take()?;
        let (name, value) = header_param(sc, &chars::TOKEN)?;
        if !value.is_empty() && name.eq_ignore_ascii_case("q") {
            c.q1000 = parse_q(value)?;
        } else if !value.is_empty() && name.eq_ignore_ascii_case("expires") {
            c.expires = Some(parse_expires_param(value));
        } else {
            c.other_params.push(param(name, value));
        }
    }
    Ok(c)
}

/// pjsip's q-value reading: "1" -> 1000, "0.5" -> 500, "0.123456" -> 123.
/// The integer part is not limited to 0..1 (pjsip accepts "q=2").
pub(crate) fn parse_q(v: &str) -> PResult<i32> {
    let (int, frac) = match v.find('.') {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let int = bounded_number(int.as_bytes(), MAX_INT32 / 1000).ok_or(ERR)?;
    let mut q = int * 1000;
    if let Some(frac) = frac {
        let digits = frac.as_bytes();
        let digits = &digits[..digits.len().min(3)];
        let mut f: u64 = 0;
        for i in 0..3 {
            f *= 10;
            match digits.get(i) {
                Some(d) if d.is_ascii_digit() => f += u64::from(d - b'0'),
                Some(_) => return Err(ERR),
                None => {}
            }
        }
        if frac.bytes().skip(3).any(|d| !d.is_ascii_digit()) {
            return Err(ERR);
        }
        q += f;
    }
    i32::try_from(q).map_err(|_| ERR)
}

/// pjsip reads the value with `strtoul` (leading digits, 0 if none); we
/// saturate instead of wrapping on overflow.
fn parse_expires_param(v: &str) -> u32 {
    let mut n: u64 = 0;
    for d in v.bytes().take_while(u8::is_ascii_digit) {
        n = (n * 10 + u64::from(d - b'0')).min(u64::from(u32::MAX));
    }
    let n = n as u32;
    if n == EXPIRES_NOT_SPECIFIED {
        n - 1
    } else {
        n
    }
}

// ----------------------------------------------------------------------
// From / To

/// Parses a From or To value. `tag` is extracted (an empty tag counts as
/// absent, as in pjsip); a bare addr-spec takes no URI parameters.
pub fn parse_fromto(s: &str) -> Result<FromTo, Status> {
    let mut sc = scanner(s);
    let (na, _) = uri::uri_or_name_addr(&mut sc, true, true).map_err(|_| ERR)?;
    let mut f = FromTo {
        uri: na,
        tag: None,
        other_params: Vec::new(),
    };
    let mut budget = Budget(0);
    sc.skip_ws();
    while sc.at(b';') {
        budget.take()?;
        let (name, value) = header_param(&mut sc, &chars::TOKEN)?;
        if name.eq_ignore_ascii_case("tag") {
            f.tag = if value.is_empty() {
                None
            } else {
                Some(value.to_string())
            };
        } else {
            f.other_params.push(param(name, value));
        }
    }
    end(&mut sc)?;
    Ok(f)
}

// ----------------------------------------------------------------------
// Route / Record-Route

/// Parses a Route or Record-Route value: comma-separated name-addrs with
/// header parameters. Like pjsip, a bare URI is accepted and keeps its URI
/// parameters.
pub fn parse_route_list(s: &str) -> Result<Vec<Route>, Status> {
    Ok(route_spans(s)?.into_iter().map(|(r, _, _)| r).collect())
}

pub(crate) fn route_spans(s: &str) -> PResult<Vec<(Route, usize, usize)>> {
    let mut sc = scanner(s);
    let mut out = Vec::new();
    loop {
        sc.skip_ws();
        let start = sc.pos();
        let na = uri::name_addr(&mut sc, true).map_err(|_| ERR)?;
        let mut r = Route {
            uri: na,
            other_params: Vec::new(),
        };
        let mut budget = Budget(0);
        sc.skip_ws();
        while sc.at(b';') {
            budget.take()?;
            let (name, value) = header_param(&mut sc, &chars::TOKEN)?;
            r.other_params.push(param(name, value));
        }
        out.push((r, start, sc.pos()));
        sc.skip_ws();
        if !sc.eat(b',') {
            break;
        }
    }
    end(&mut sc)?;
    Ok(out)
}

// ----------------------------------------------------------------------
// Via

/// Parses a Via value: comma-separated `SIP/2.0/transport host[:port]`
/// with parameters and an optional `(comment)`. `branch`, `ttl`, `maddr`
/// and `received` fill their fields when they have a value; `rport` without
/// a value gives 0.
pub fn parse_via_list(s: &str) -> Result<Vec<Via>, Status> {
    Ok(via_spans(s)?.into_iter().map(|(v, _, _)| v).collect())
}

/// `SIP / 2.0` with optional blanks, as pjsip's scanner allows.
pub(crate) fn sip_version(sc: &mut Scanner<'_>) -> PResult<()> {
    let name = sc.take_while1(&chars::ALPHA)?;
    if !name.eq_ignore_ascii_case("SIP") {
        return Err(sc.err());
    }
    sc.skip_ws();
    sc.expect(b'/')?;
    sc.skip_ws();
    if !sc.eat_ci("2.0") {
        return Err(sc.err());
    }
    Ok(())
}

pub(crate) fn via_spans(s: &str) -> PResult<Vec<(Via, usize, usize)>> {
    let mut sc = scanner(s);
    // Mostly one value (see contact_spans).
    let mut out = Vec::with_capacity(1);
    loop {
        sc.skip_ws();
        let start = sc.pos();
        sip_version(&mut sc)?;
        sc.skip_ws();
        sc.expect(b'/')?;
        sc.skip_ws();
        let transport = sc.take_while1(&chars::TOKEN)?;
        sc.skip_ws();
        let host = uri::host(&mut sc)?;
        let mut v = Via::new(transport, host, 0);
        sc.skip_ws();
        if sc.eat(b':') {
            sc.skip_ws();
            v.port = uri::port(&mut sc)?;
            sc.skip_ws();
        }
        let mut budget = Budget(0);
        while sc.at(b';') {
            budget.take()?;
            let (name, value) = header_param(&mut sc, &chars::VIA_PARAM)?;
            via_param(&mut v, name, value)?;
        }
        if sc.eat(b'(') {
            v.comment = Some(sc.take_until(|b| b == b')').to_string());
            sc.expect(b')')?;
        }
        out.push((v, start, sc.pos()));
        sc.skip_ws();
        if !sc.eat(b',') {
            break;
        }
    }
    end(&mut sc)?;
    Ok(out)
}

fn via_param(v: &mut Via, name: &str, value: &str) -> PResult<()> {
    let has_value = !value.is_empty();
    if has_value && name.eq_ignore_ascii_case("branch") {
        v.branch = Some(value.to_string());
    } else if has_value && name.eq_ignore_ascii_case("ttl") {
        v.ttl = bounded_number(value.as_bytes(), 255).ok_or(ERR)? as i32;
    } else if has_value && name.eq_ignore_ascii_case("maddr") {
        v.maddr = Some(value.to_string());
    } else if has_value && name.eq_ignore_ascii_case("received") {
        v.received = Some(value.to_string());
    } else if name.eq_ignore_ascii_case("rport") {
        v.rport = if has_value {
            bounded_number(value.as_bytes(), 65535).ok_or(ERR)? as i32
        } else {
            0
        };
    } else {
        v.other_params.push(param(name, value));
    }
    Ok(())
}

// ----------------------------------------------------------------------
// Simple headers

/// Parses a CSeq value: a number (at most 2^31-1, as pjsip) and a method.
pub fn parse_cseq(s: &str) -> Result<CSeq, Status> {
    let mut sc = scanner(s);
    sc.skip_ws();
    let digits = sc.take_while1(&chars::DIGIT)?;
    let seq = bounded_number(digits.as_bytes(), MAX_INT32).ok_or(ERR)? as u32;
    sc.skip_ws();
    let method = sc.take_while1(&chars::TOKEN)?;
    end(&mut sc)?;
    Ok(CSeq {
        seq,
        method: method.to_string(),
    })
}

/// Parses the value of Expires, Min-Expires, Max-Forwards or
/// Content-Length: decimal digits only. A value above 2^32-1 is taken as
/// 2^32-1 (RFC 3261 20.19); pjsip would wrap it.
pub fn parse_uint(s: &str) -> Result<u32, Status> {
    let t = s.trim_matches(|c| c == ' ' || c == '\t');
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ERR);
    }
    let mut n: u64 = 0;
    for d in t.bytes() {
        n = (n * 10 + u64::from(d - b'0')).min(u64::from(u32::MAX));
    }
    Ok(n as u32)
}

/// Parses a Call-ID value: anything, but not empty.
pub fn parse_call_id(s: &str) -> Result<&str, Status> {
    let t = s.trim_matches(|c| c == ' ' || c == '\t');
    if t.is_empty() {
        Err(ERR)
    } else {
        Ok(t)
    }
}

/// Splits an Allow, Supported, Require, Unsupported or Accept value the
/// way pjsip's generic array header does: an empty value is allowed, an
/// empty element is not, at most [`GENERIC_ARRAY_MAX_COUNT`] elements.
/// Elements are trimmed.
pub fn parse_generic_array(s: &str) -> Result<Vec<&str>, Status> {
    let t = s.trim_matches(|c| c == ' ' || c == '\t');
    if t.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for elem in t.split(',') {
        let e = elem.trim_matches(|c| c == ' ' || c == '\t');
        if e.is_empty() || out.len() >= GENERIC_ARRAY_MAX_COUNT {
            return Err(ERR);
        }
        out.push(e);
    }
    Ok(out)
}

/// Checks a Content-Type value: `type/subtype` and token parameters.
/// (pjsip accepts any single character between type and subtype.)
pub fn parse_content_type(s: &str) -> Result<(&str, &str), Status> {
    let mut sc = scanner(s);
    sc.skip_ws();
    let ty = sc.take_while1(&chars::TOKEN)?;
    sc.skip_ws();
    if sc.is_eof() {
        return Err(ERR);
    }
    sc.bump();
    sc.skip_ws();
    let sub = sc.take_while1(&chars::TOKEN)?;
    sc.skip_ws();
    let mut budget = Budget(0);
    while sc.at(b';') {
        budget.take()?;
        header_param(&mut sc, &chars::TOKEN)?;
    }
    end(&mut sc)?;
    Ok((ty, sub))
}

/// Parses a Retry-After value: seconds (at most 2^31-1), then comments and
/// parameters.
pub fn parse_retry_after(s: &str) -> Result<u32, Status> {
    let mut sc = scanner(s);
    sc.skip_ws();
    let digits = sc.take_while1(&chars::DIGIT)?;
    let v = bounded_number(digits.as_bytes(), MAX_INT32).ok_or(ERR)? as u32;
    let mut budget = Budget(0);
    loop {
        sc.skip_ws();
        match sc.peek() {
            None => break,
            Some(b'(') => {
                sc.quoted(b'(', b')')?;
            }
            Some(b';') => {
                budget.take()?;
                header_param(&mut sc, &chars::TOKEN)?;
            }
            Some(_) => return Err(ERR),
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::types::{SipUri, Uri};
    use crate::status::*;

    fn sip_of(na: &NameAddr) -> &SipUri {
        match &na.uri {
            Uri::Sip(u) => u,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rfc3261_20_10_params_after_bare_uri_belong_to_header() {
        let c = parse_contact_list("sip:alice@1.2.3.4;transport=tcp;expires=60;q=0.5;x=y").unwrap();
        assert_eq!(c.len(), 1);
        let u = sip_of(c[0].uri.as_ref().unwrap());
        assert_eq!(u.transport_param, None);
        assert!(u.other_params.is_empty());
        assert_eq!(c[0].expires, Some(60));
        assert_eq!(c[0].q1000, 500);
        assert_eq!(
            c[0].other_params,
            vec![
                Param {
                    name: "transport".into(),
                    value: Some("tcp".into())
                },
                Param {
                    name: "x".into(),
                    value: Some("y".into())
                },
            ]
        );
        // Inside <> they are URI parameters.
        let c = parse_contact_list("<sip:alice@1.2.3.4;transport=tcp;expires=60>;q=1").unwrap();
        let u = sip_of(c[0].uri.as_ref().unwrap());
        assert_eq!(u.transport_param.as_deref(), Some("tcp"));
        assert_eq!(u.other_params[0].name, "expires");
        assert_eq!(c[0].expires, None);
        assert_eq!(c[0].q1000, 1000);
    }

    #[test]
    fn rfc4475_cparam01_and_cparam02() {
        let c = parse_contact_list("sip:+19725552222@gw1.example.net;unknownparam").unwrap();
        assert!(sip_of(c[0].uri.as_ref().unwrap()).other_params.is_empty());
        assert_eq!(c[0].other_params[0].name, "unknownparam");
        let c = parse_contact_list("<sip:+19725552222@gw1.example.net;unknownparam>").unwrap();
        assert_eq!(
            sip_of(c[0].uri.as_ref().unwrap()).other_params[0].name,
            "unknownparam"
        );
        assert!(c[0].other_params.is_empty());
    }

    #[test]
    fn contact_lists() {
        let c = parse_contact_list(
            r#""Bob, Jr." <sip:bob@h>;expires=0 , <sip:x@y>,sip:z@w ;q=0.123456, Carol <tel:+123>"#,
        )
        .unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(c[0].uri.as_ref().unwrap().display, "Bob, Jr.");
        assert_eq!(c[0].expires, Some(0));
        assert_eq!(c[2].q1000, 123);
        assert_eq!(c[3].uri.as_ref().unwrap().display, "Carol");
        let c = parse_contact_list("*").unwrap();
        assert!(c[0].star && c[0].uri.is_none());
        assert_eq!(parse_contact_list(" * , <sip:a@b>").unwrap().len(), 2);
    }

    #[test]
    fn contact_errors() {
        for bad in [
            "",
            "<sip:a@b>,",
            "<sip:a@b>;",
            "<sip:a@b>;;",
            "<sip:a@b>;q=x",
            "<sip:a@b>;q=.5",
            "<sip:a@b>;q=0.5x",
            "<sip:a@b>;q=99999999",
            "*;expires=0",
            "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
            "<sip:a@b> junk",
            "\"Joe\" <sip:joe@example.org>;;;;",
        ] {
            assert_eq!(parse_contact_list(bad), Err(PJSIP_EINVALIDHDR), "{bad:?}");
        }
    }

    #[test]
    fn q_values() {
        assert_eq!(parse_q("0.5"), Ok(500));
        assert_eq!(parse_q("1"), Ok(1000));
        assert_eq!(parse_q("0.123"), Ok(123));
        assert_eq!(parse_q("0.05"), Ok(50));
        assert_eq!(parse_q("0."), Ok(0));
        assert_eq!(parse_q("1.0"), Ok(1000));
        assert_eq!(parse_q("2"), Ok(2000));
        assert!(parse_q("2147484").is_err());
        assert_eq!(parse_q("2147483.647"), Ok(i32::MAX));
        assert!(parse_q("2147483.648").is_err());
    }

    #[test]
    fn expires_param_rules() {
        let e = |v: &str| parse_contact_list(&format!("<sip:a@b>;expires={v}")).unwrap()[0].expires;
        assert_eq!(e("3600"), Some(3600));
        assert_eq!(e("12abc"), Some(12));
        assert_eq!(e("abc"), Some(0));
        assert_eq!(e("4294967295"), Some(4294967294));
        assert_eq!(e("280297596632815"), Some(4294967294));
        // Without a value it is an ordinary parameter.
        let c = parse_contact_list("<sip:a@b>;expires").unwrap();
        assert_eq!(c[0].expires, None);
        assert_eq!(c[0].other_params[0].name, "expires");
    }

    #[test]
    fn odd_spacing_in_contact() {
        let c = parse_contact_list(
            "\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =  newvalue ;  secondparam ; q = 0.33",
        )
        .unwrap();
        assert_eq!(c[0].q1000, 330);
        assert_eq!(
            c[0].other_params[0],
            Param {
                name: "newparam".into(),
                value: Some("newvalue".into())
            }
        );
        assert_eq!(
            c[0].other_params[1],
            Param {
                name: "secondparam".into(),
                value: None
            }
        );
        // Blanks inside <> are tolerated in headers (pjsip; RFC 4475 badaspec).
        assert!(parse_contact_list("< sip:a@b >").is_ok());
    }

    #[test]
    fn fromto() {
        let f = parse_fromto("\"A\" <sip:a@b:5060;transport=udp>;tag=abc;foo").unwrap();
        assert_eq!(f.tag.as_deref(), Some("abc"));
        assert_eq!(
            f.other_params,
            vec![Param {
                name: "foo".into(),
                value: None
            }]
        );
        let f = parse_fromto("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n").unwrap();
        assert_eq!(f.tag.as_deref(), Some("1918181833n"));
        let f = parse_fromto("sip:a@b;tag=").unwrap();
        assert_eq!(f.tag, None);
        // RFC 4475 baddn: pjsip takes an unquoted display with a comma.
        let f = parse_fromto("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").unwrap();
        assert_eq!(f.uri.display, "Bell, Alexander");
        assert!(parse_fromto("\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(parse_fromto("<sip:a@b>, <sip:c@d>").is_err());
    }

    #[test]
    fn routes() {
        let r = parse_route_list("<sip:p1;lr>, <sip:p2;lr>;x=1,sip:p3;lr").unwrap();
        assert_eq!(r.len(), 3);
        assert!(sip_of(&r[2].uri).lr_param);
        assert_eq!(r[1].other_params[0].name, "x");
        let r = parse_route_list(
            "\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>".trim(),
        )
        .unwrap();
        assert_eq!(sip_of(&r[0].uri).other_params.len(), 2);
        assert!(parse_route_list("").is_err());
    }

    #[test]
    fn vias() {
        let v = parse_via_list("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK1;received=1.2.3.4")
            .unwrap();
        assert_eq!(v[0].transport, "UDP");
        assert_eq!(v[0].host, "10.0.0.1");
        assert_eq!(v[0].port, 5060);
        assert_eq!(v[0].rport, 0);
        assert_eq!(v[0].ttl, -1);
        assert_eq!(v[0].branch.as_deref(), Some("z9hG4bK1"));
        assert_eq!(v[0].received.as_deref(), Some("1.2.3.4"));
        let v = parse_via_list(
            "SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , SIP  /    2.0   / UDP  192.168.255.111   ; branch= z9hG4bK30239",
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].branch.as_deref(), Some("z9hG4bK30239"));
        let v = parse_via_list("SIP/2.0/tls [2001:db8::9]:5061;rport=1234;ttl=3;maddr=[::1];received=[::2] (a comment)").unwrap();
        assert_eq!(v[0].host, "2001:db8::9");
        assert_eq!(v[0].rport, 1234);
        assert_eq!(v[0].ttl, 3);
        assert_eq!(v[0].maddr.as_deref(), Some("[::1]"));
        assert_eq!(v[0].received.as_deref(), Some("[::2]"));
        assert_eq!(v[0].comment.as_deref(), Some("a comment"));
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;,;,,",
            "SIP/7.0/UDP h",
            "SIP/2.0 UDP h",
            "SIP/2.0/UDP",
            "SIP/2.0/UDP h:99999",
            "SIP/2.0/UDP h;rport=x",
            "SIP/2.0/UDP h (x",
            "SIP/2.0/UDP h,",
        ] {
            assert!(parse_via_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn simple_values() {
        assert_eq!(
            parse_cseq(" 0009 INVITE ").unwrap(),
            CSeq {
                seq: 9,
                method: "INVITE".into()
            }
        );
        assert!(parse_cseq("2147483648 INVITE").is_err());
        assert!(parse_cseq("36893488147419103232 REGISTER").is_err());
        assert!(parse_cseq("1").is_err());
        assert!(parse_cseq("1 A B").is_err());
        assert_eq!(parse_uint("0068"), Ok(68));
        assert_eq!(parse_uint("99999999999999999999"), Ok(u32::MAX));
        assert!(parse_uint("-999").is_err());
        assert!(parse_uint("").is_err());
        assert!(parse_uint("1 2").is_err());
        assert_eq!(parse_call_id(" a@b "), Ok("a@b"));
        assert!(parse_call_id("  ").is_err());
        assert_eq!(parse_generic_array(""), Ok(vec![]));
        assert_eq!(
            parse_generic_array("INVITE , ACK,BYE"),
            Ok(vec!["INVITE", "ACK", "BYE"])
        );
        assert!(parse_generic_array("a,,b").is_err());
        assert!(parse_generic_array("a,").is_err());
        let many = vec!["x"; 33].join(",");
        assert!(parse_generic_array(&many).is_err());
        assert_eq!(
            parse_content_type("application/sdp ; charset=utf-8"),
            Ok(("application", "sdp"))
        );
        assert!(parse_content_type("application").is_err());
        assert_eq!(
            parse_retry_after("120 (I'm in a meeting);duration=60"),
            Ok(120)
        );
        assert!(parse_retry_after("949302838503028349304023988").is_err());
        assert!(parse_retry_after("12 x").is_err());
    }
}
