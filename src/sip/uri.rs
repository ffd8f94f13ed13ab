//! URI and name-addr parsing, following pjsip's parser.
//!
//! Strings are stored as written on the wire (still `%`-escaped); the
//! printer and the comparer unescape where pjsip works on unescaped values.
//!
//! pjsip rules reproduced here:
//! - scheme `sip`/`sips`/`tel` is matched case-insensitively, any other
//!   scheme becomes [`Uri::Other`] with its text kept whole;
//! - `user@` is recognised by looking ahead for `@` before any of
//!   SP, LF or `>`; the user part may then contain `;`, `?`, `=`...;
//! - a URI parameter whose (unescaped) name is `user`, `method`,
//!   `transport`, `ttl` or `maddr` fills its field only when it has a value,
//!   otherwise it is kept with the other parameters; `lr` sets `lr_param`
//!   whatever its value; `ttl` must be 0..=255 and a port 0..=65535;
//! - in a header, an addr-spec not enclosed in `<>` takes no parameters:
//!   what follows belongs to the header (RFC 3261 20.10);
//! - an unquoted display name runs up to `<` and is trimmed; a display name
//!   without `<uri>` is an error.

use super::chars::{self, CharSet};
use super::scanner::{PResult, Scanner};
use super::types::{NameAddr, Param, SipUri, TelUri, Uri};
use crate::status::{self, Status};

/// Longest URI or name-addr string accepted by [`parse_uri`] and
/// [`parse_name_addr`].
pub const MAX_URI_LEN: usize = 4096;
/// Most parameters (URI parameters plus URI headers) in one URI, and most
/// header parameters in one header value.
pub const MAX_PARAMS: usize = 64;

impl SipUri {
    /// A `sip:` URI for `host` with every optional part absent (notably
    /// `ttl_param` = -1, which `Default` does not give).
    pub fn new(host: impl Into<String>) -> Self {
        SipUri {
            host: host.into(),
            ttl_param: -1,
            ..Default::default()
        }
    }
}

/// Parses a URI as pjsip's `pjsip_parse_uri(..., 0)` does (a Request-URI or
/// a server URL): parameters after a bare URI belong to the URI.
///
/// Like pjsip, a name-addr (`"Bob" <sip:b@h>`) is accepted too; its URI is
/// returned. Leading and trailing white space and a trailing line break are
/// ignored. Errors: `PJSIP_EURITOOLONG` past [`MAX_URI_LEN`], else
/// `PJSIP_EINVALIDURI`.
pub fn parse_uri(s: &str) -> Result<Uri, Status> {
    parse_name_addr(s).map(|na| na.uri)
}

/// Parses a URL given to `pjsip_regc_init` as From/To, as
/// `pjsip_parse_uri(..., PJSIP_PARSE_URI_AS_NAMEADDR)` does: accepts
/// `"Display" <uri>`, `Display Name <uri>`, `<uri>` or a bare URI. Without
/// `PJSIP_PARSE_URI_IN_FROM_TO_HDR`, parameters after a bare URI stay URI
/// parameters. Errors as [`parse_uri`].
pub fn parse_name_addr(s: &str) -> Result<NameAddr, Status> {
    if s.len() > MAX_URI_LEN {
        return Err(status::PJSIP_EURITOOLONG);
    }
    let mut sc = Scanner::new(s, status::PJSIP_EINVALIDURI);
    let (na, _) = uri_or_name_addr(&mut sc, false, false)?;
    // pjsip tolerates a trailing newline; trailing blanks are harmless too.
    sc.take_while(&TRAILER);
    if sc.is_eof() {
        Ok(na)
    } else {
        Err(status::PJSIP_EINVALIDURI)
    }
}

const TRAILER: CharSet = CharSet::empty().with(b" \t\r\n");

/// Parses a URI or a name-addr at the cursor, the way pjsip parses the
/// value of From, To and Contact (and `pjsip_parse_uri`).
///
/// `in_fromto`: a bare addr-spec takes no parameters (header context).
/// `lenient`: white space is allowed around the URI inside `<>`, as pjsip's
/// header scanner skips it.
/// Returns the name-addr and whether it was written as one.
pub(crate) fn uri_or_name_addr(
    sc: &mut Scanner<'_>,
    in_fromto: bool,
    lenient: bool,
) -> PResult<(NameAddr, bool)> {
    sc.skip_ws();
    match sc.peek() {
        Some(b'"') | Some(b'<') => return Ok((name_addr(sc, lenient)?, true)),
        _ => {}
    }
    // A run of display-name characters followed by ':' is a scheme.
    let end = sc.find_from(|b| matches!(b, b':' | b'\r' | b'\n' | b'<'));
    if sc.slice(end, end + 1) == ":" {
        let uri = uri_at(sc, !in_fromto, lenient)?;
        Ok((
            NameAddr {
                display: String::new(),
                uri,
            },
            false,
        ))
    } else {
        Ok((name_addr(sc, lenient)?, true))
    }
}

/// `[display] <uri>` or a bare URI (with its parameters), as pjsip's
/// name-addr parser; used directly for Route and Record-Route.
pub(crate) fn name_addr(sc: &mut Scanner<'_>, lenient: bool) -> PResult<NameAddr> {
    let mut display = "";
    if sc.at(b'"') {
        let q = sc.quoted(b'"', b'"')?;
        display = q.get(1..q.len().saturating_sub(1)).unwrap_or("");
    } else if !sc.at(b'<') {
        let end = sc.find_from(|b| matches!(b, b':' | b'\r' | b'\n' | b'<'));
        if sc.slice(end, end + 1) == "<" {
            display = sc.take_until(|b| b == b'<').trim_matches(is_space);
            // A quote after a form feed or vertical tab: neither a quoted
            // string nor a name that could be printed back.
            if display.starts_with('"') {
                return Err(sc.err());
            }
        }
    }
    sc.skip_ws();
    let bracket = sc.eat(b'<');
    if !bracket && !display.is_empty() {
        // A display name must be followed by <uri>.
        return Err(sc.err());
    }
    if bracket && lenient {
        sc.skip_ws();
    }
    let uri = uri_at(sc, true, lenient)?;
    if bracket {
        if lenient {
            sc.skip_ws();
        }
        sc.expect(b'>')?;
    }
    Ok(NameAddr {
        display: display.to_string(),
        uri,
    })
}

/// pjsip's trim: C `isspace`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0b' | '\x0c')
}

/// A URI (never a name-addr) at the cursor. `params`: parse URI parameters
/// and headers (false for a bare addr-spec in From/To/Contact).
pub(crate) fn uri_at(sc: &mut Scanner<'_>, params: bool, lenient: bool) -> PResult<Uri> {
    let start = sc.pos();
    let scheme = sc.take_while1(&chars::TOKEN)?;
    sc.expect(b':')?;
    let uri = if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
        Uri::Sip(sip_uri(sc, scheme.len() == 4, params)?)
    } else if scheme.eq_ignore_ascii_case("tel") {
        Uri::Tel(tel_uri(sc, params)?)
    } else {
        let content = sc.take_while1(&chars::OTHER_URI)?;
        Uri::Other {
            scheme: scheme.to_string(),
            content: content.to_string(),
        }
    };
    if sc.pos() - start > MAX_URI_LEN {
        return Err(status::PJSIP_EURITOOLONG);
    }
    if lenient {
        sc.skip_ws();
    }
    Ok(uri)
}

fn opt(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

/// The part of a `sip:`/`sips:` URI after the colon.
fn sip_uri(sc: &mut Scanner<'_>, secure: bool, params: bool) -> PResult<SipUri> {
    let mut u = SipUri::new(String::new());
    u.secure = secure;

    // userinfo is present when an '@' comes before SP, LF or '>'.
    let probe = sc.find_from(|b| matches!(b, b'@' | b' ' | b'\n' | b'>'));
    if sc.slice(probe, probe + 1) == "@" {
        u.user = Some(sc.take_while1(&chars::USER_LENIENT)?.to_string());
        if sc.eat(b':') {
            u.password = Some(sc.take_while1(&chars::PASSWD)?.to_string());
        }
        sc.expect(b'@')?;
    }

    u.host = host(sc)?.to_string();
    if sc.eat(b':') {
        u.port = port(sc)?;
    }

    if params {
        let mut count = 0usize;
        while sc.eat(b';') {
            count += 1;
            if count > MAX_PARAMS {
                return Err(sc.err());
            }
            let name = sc.take_while1(&chars::PARAM_CHAR)?;
            let mut value = "";
            if sc.eat(b'=') {
                if sc.at(b'"') {
                    value = sc.quoted(b'"', b'"')?;
                } else {
                    value = sc.take_while(&chars::PARAM_CHAR);
                }
            }
            classify_uri_param(&mut u, name, value, sc.err())?;
        }
        if sc.at(b'?') {
            while sc.eat(b'?') || sc.eat(b'&') {
                count += 1;
                if count > MAX_PARAMS {
                    return Err(sc.err());
                }
                let name = sc.take_while1(&chars::HDR_CHAR)?;
                let value = if sc.eat(b'=') {
                    sc.take_while(&chars::HDR_CHAR)
                } else {
                    ""
                };
                u.headers.push(Param {
                    name: name.to_string(),
                    value: opt(value),
                });
            }
        }
    }
    // pjsip's SIP URI parser always eats white space after the URI.
    sc.skip_ws();
    Ok(u)
}

fn classify_uri_param(u: &mut SipUri, name: &str, value: &str, err: Status) -> PResult<()> {
    let has_value = !value.is_empty();
    if has_value && chars::name_is(name, "user") {
        u.user_param = opt(value);
    } else if has_value && chars::name_is(name, "method") {
        u.method_param = opt(value);
    } else if has_value && chars::name_is(name, "transport") {
        u.transport_param = opt(value);
    } else if has_value && chars::name_is(name, "ttl") {
        u.ttl_param = bounded_number(&chars::unescape(value), 255).ok_or(err)? as i32;
    } else if has_value && chars::name_is(name, "maddr") {
        u.maddr_param = opt(value);
    } else if chars::name_is(name, "lr") {
        u.lr_param = true;
    } else {
        u.other_params.push(Param {
            name: name.to_string(),
            value: opt(value),
        });
    }
    Ok(())
}

/// Decimal digits only, at most `max`.
pub(crate) fn bounded_number(digits: &[u8], max: u64) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        if v > max {
            return None;
        }
    }
    Some(v)
}

/// `hostname / IPv4address / IPv6reference`; brackets are removed.
pub(crate) fn host<'a>(sc: &mut Scanner<'a>) -> PResult<&'a str> {
    if sc.eat(b'[') {
        let h = sc.take_while1(&IPV6_CHARS)?;
        sc.expect(b']')?;
        Ok(h)
    } else {
        sc.take_while1(&chars::HOST)
    }
}

/// pjsip takes anything up to `]`; we still refuse what cannot be part of
/// an address (blanks, quotes, angle brackets...).
const IPV6_CHARS: CharSet = chars::HOST.with(b":%");

pub(crate) fn port(sc: &mut Scanner<'_>) -> PResult<u16> {
    let digits = sc.take_while1(&chars::DIGIT)?;
    bounded_number(digits.as_bytes(), 65535)
        .map(|p| p as u16)
        .ok_or(sc.err())
}

/// The part of a `tel:` URI after the colon (RFC 3966, as pjsip parses it).
fn tel_uri(sc: &mut Scanner<'_>, params: bool) -> PResult<TelUri> {
    let mut t = TelUri {
        number: sc.take_while1(&chars::TEL_NUMBER)?.to_string(),
        ..Default::default()
    };
    if params {
        let mut count = 0usize;
        while sc.eat(b';') {
            count += 1;
            if count > MAX_PARAMS {
                return Err(sc.err());
            }
            let name = sc.take_while1(&chars::PARAM_CHAR)?;
            let value = if sc.eat(b'=') {
                Some(sc.take_while1(&chars::TEL_PARSING_PVALUE)?.to_string())
            } else {
                None
            };
            if name.eq_ignore_ascii_case("isub") {
                t.isub_param = value;
            } else if name.eq_ignore_ascii_case("ext") {
                t.ext_param = value;
            } else if name.eq_ignore_ascii_case("phone-context") {
                t.context = value;
            } else {
                t.other_params.push(Param {
                    name: name.to_string(),
                    value,
                });
            }
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;

    fn sip(s: &str) -> SipUri {
        match parse_uri(s) {
            Ok(Uri::Sip(u)) => u,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn basic_sip_uri() {
        let u = sip("sip:alice:secret@example.com:5070;transport=TCP;lr;x=y;z?h=v&k");
        assert!(!u.secure);
        assert_eq!(u.user.as_deref(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("secret"));
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, 5070);
        assert_eq!(u.transport_param.as_deref(), Some("TCP"));
        assert!(u.lr_param);
        assert_eq!(u.ttl_param, -1);
        assert_eq!(
            u.other_params,
            vec![
                Param {
                    name: "x".into(),
                    value: Some("y".into())
                },
                Param {
                    name: "z".into(),
                    value: None
                },
            ]
        );
        assert_eq!(
            u.headers,
            vec![
                Param {
                    name: "h".into(),
                    value: Some("v".into())
                },
                Param {
                    name: "k".into(),
                    value: None
                },
            ]
        );
    }

    #[test]
    fn scheme_case_and_sips() {
        assert!(sip("SIPS:host").secure);
        assert!(!sip("SiP:host").secure);
        assert_eq!(sip("sip:host").port, 0);
    }

    #[test]
    fn known_params_need_a_value_except_lr() {
        let u = sip("sip:h;transport=;user;maddr=;lr=whatever;ttl=7;method=REGISTER;user=phone");
        assert_eq!(u.transport_param, None);
        assert_eq!(u.maddr_param, None);
        assert!(u.lr_param);
        assert_eq!(u.ttl_param, 7);
        assert_eq!(u.method_param.as_deref(), Some("REGISTER"));
        assert_eq!(u.user_param.as_deref(), Some("phone"));
        let names: Vec<_> = u.other_params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["transport", "user", "maddr"]);
        // Escaped names are recognised, as pjsip unescapes them first.
        assert!(sip("sip:h;%6C%72").lr_param);
    }

    #[test]
    fn bounds() {
        assert!(parse_uri("sip:h;ttl=256").is_err());
        assert!(parse_uri("sip:h;ttl=x").is_err());
        assert!(parse_uri("sip:h:65536").is_err());
        assert_eq!(sip("sip:h:65535").port, 65535);
        assert!(parse_uri("sip:h:").is_err());
        let long = format!("sip:{}@h", "a".repeat(MAX_URI_LEN));
        assert_eq!(parse_uri(&long), Err(PJSIP_EURITOOLONG));
        let many = format!("sip:h{}", ";p".repeat(MAX_PARAMS + 1));
        assert_eq!(parse_uri(&many), Err(PJSIP_EINVALIDURI));
    }

    #[test]
    fn ipv6() {
        let u = sip("sip:[2001:db8::1]:5060;maddr=[::1]");
        assert_eq!(u.host, "2001:db8::1");
        assert_eq!(u.port, 5060);
        assert_eq!(u.maddr_param.as_deref(), Some("[::1]"));
        assert!(parse_uri("sip:[::1").is_err());
        assert!(parse_uri("sip:[]").is_err());
        assert!(parse_uri("sip:[:: 1]").is_err());
    }

    #[test]
    fn user_part_lookahead() {
        // RFC 4475 semiuri: ';' belongs to the user part.
        let u = sip("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user.as_deref(), Some("user;par=u%40example.net"));
        assert_eq!(u.host, "example.com");
        assert!(u.other_params.is_empty());
        // Empty user or password is an error.
        assert!(parse_uri("sip:@h").is_err());
        assert!(parse_uri("sip:u:@h").is_err());
        // '#' is accepted in the user part (pjsip's lenient spec).
        assert_eq!(sip("sip:*21#@h").user.as_deref(), Some("*21#"));
    }

    #[test]
    fn tel_and_other() {
        match parse_uri("tel:+1-201-555-0123;ext=22;phone-context=example.com;isub=1;foo=bar")
            .unwrap()
        {
            Uri::Tel(t) => {
                assert_eq!(t.number, "+1-201-555-0123");
                assert_eq!(t.ext_param.as_deref(), Some("22"));
                assert_eq!(t.context.as_deref(), Some("example.com"));
                assert_eq!(t.isub_param.as_deref(), Some("1"));
                assert_eq!(t.other_params.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_uri("soap.beep://192.0.2.103:3002").unwrap(),
            Uri::Other {
                scheme: "soap.beep".into(),
                content: "//192.0.2.103:3002".into()
            }
        );
        assert!(parse_uri("mailto:").is_err());
        assert!(parse_uri("tel:").is_err());
    }

    #[test]
    fn name_addr_forms() {
        let na = parse_name_addr("\"Alice Smith\" <sip:alice@h;transport=tcp>").unwrap();
        assert_eq!(na.display, "Alice Smith");
        let na = parse_name_addr("  Alice  Smith   <sip:alice@h>").unwrap();
        assert_eq!(na.display, "Alice  Smith");
        let na = parse_name_addr("<sip:alice@h>").unwrap();
        assert_eq!(na.display, "");
        // Bare: parameters stay URI parameters (no IN_FROM_TO_HDR option).
        let na = parse_name_addr("sip:alice@h;tag=1;transport=udp").unwrap();
        match na.uri {
            Uri::Sip(u) => {
                assert_eq!(u.transport_param.as_deref(), Some("udp"));
                assert_eq!(u.other_params[0].name, "tag");
            }
            _ => panic!(),
        }
        // Quoted display keeps escapes verbatim.
        let na = parse_name_addr(r#""a \"b\" , c" <sip:h>"#).unwrap();
        assert_eq!(na.display, r#"a \"b\" , c"#);
        // Trailing newline tolerated.
        assert!(parse_name_addr("<sip:h>\r\n").is_ok());
    }

    #[test]
    fn name_addr_errors() {
        for bad in [
            "",
            "   ",
            "Alice",
            "\"Alice\" sip:h",
            "Alice sip:h",
            "<sip:h",
            "< sip:h>",
            "<sip:h> x",
            "\"unterminated <sip:h>",
            "\x0c\"a\" <sip:h>",
            "sip:h x",
            "<>",
            "<h>",
            "sip:",
            "sip:h;",
            "sip:h;=x",
            "sip:h?",
        ] {
            assert_eq!(parse_name_addr(bad), Err(PJSIP_EINVALIDURI), "{bad:?}");
        }
    }

    #[test]
    fn parse_uri_accepts_name_addr_like_pjsip() {
        assert_eq!(
            parse_uri("\"x\" <sip:h>").unwrap(),
            parse_uri("sip:h").unwrap()
        );
        assert_eq!(
            parse_uri(" sip:h \r\n").unwrap(),
            parse_uri("sip:h").unwrap()
        );
    }
}
