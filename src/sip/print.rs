//! Printing, byte for byte as pjsip 2.17 prints.
//!
//! pjsip rules reproduced here (sip_uri.c, sip_msg.c, sip_tel_uri.c):
//! - SIP URI: `scheme:` `user[:password]@` host (`[]` added when it holds a
//!   `:`), `:port` when non-zero and not in From/To, then `;user=` (always),
//!   `;method=` (only [`UriContext::Other`]), `;transport=` (not From/To),
//!   `;ttl=` (not From/To nor Route), `;maddr=` (not From/To), `;lr` (not
//!   From/To nor Contact), the other parameters in order, and `?hdr=v&...`
//!   (only Contact and Other);
//! - the user and password are decoded and re-escaped, as pjsip prints the
//!   unescaped values it stores; parameters are printed as pjsip
//!   prints the unescaped values it stores: decoded, then bytes outside the
//!   parameter character class re-escaped as lower-case `%xx`. Departure:
//!   a decoded `%` is printed `%25` (pjsip prints it bare, so `%2541`
//!   turns into `A` after a print and a parse);
//! - a name-addr always prints `<...>`, preceded by `"display" ` when the
//!   display name is not empty; in the Request-URI context only the URI.
//!   Departure: a display name that cannot be quoted as it is (an unquoted
//!   `a"b`, which pjsip prints as the unparsable `"a"b"`) is printed bare,
//!   as it was received;
//! - Contact: `;q=` (when `q1000` is not 0: integer part, then `.` and the
//!   thousandths with trailing zeros dropped — pjsip's own quirk makes 50
//!   print as `0.5`, reproduced), `;expires=`, then other parameters;
//! - From/To: `;tag=` then other parameters; Via: `SIP/2.0/` upper-cased
//!   transport, SP, host, `:port` when non-zero, `;ttl=`, `;rport[=n]`,
//!   `;maddr=`, `;received=`, `;branch=`, other parameters (the comment is
//!   not printed);
//! - header parameters are printed with token escaping; quoted values as is.

use super::chars::{self, escape_into, reescape_into, CharSet};
use super::types::{
    CSeq, Contact, FromTo, NameAddr, Param, Route, SipUri, TelUri, Uri, UriContext, Via,
};

/// Appends `uri` as pjsip prints it in `ctx`.
pub fn print_uri(uri: &Uri, ctx: UriContext, out: &mut String) {
    match uri {
        Uri::Sip(u) => print_sip_uri(u, ctx, out),
        Uri::Tel(t) => print_tel_uri(t, out),
        Uri::Other { scheme, content } => {
            out.push_str(scheme);
            out.push(':');
            out.push_str(content);
        }
    }
}

/// Appends `na`: `"display" <uri>`, `<uri>`, or only the URI in the
/// Request-URI context.
pub fn print_name_addr(na: &NameAddr, ctx: UriContext, out: &mut String) {
    if ctx == UriContext::ReqUri {
        print_uri(&na.uri, ctx, out);
        return;
    }
    if display_is_bare(na.display.as_bytes()) {
        out.push_str(&na.display);
        out.push(' ');
    } else if !na.display.is_empty() {
        out.push('"');
        out.push_str(&na.display);
        out.push_str("\" ");
    }
    out.push('<');
    print_uri(&na.uri, ctx, out);
    out.push('>');
}

/// Whether a display name is printed without quotes: only one that is not
/// the content of a quoted string (an unescaped `"`, a line break, a
/// trailing lone backslash) but parses back to itself unquoted. The
/// parser only gives such names from an unquoted display name.
pub(crate) fn display_is_bare(d: &[u8]) -> bool {
    let mut i = 0;
    let mut quotable = true;
    while i < d.len() {
        match d[i] {
            b'\\' if i + 1 < d.len() => i += 2,
            b'\\' | b'"' | b'\r' | b'\n' => {
                quotable = false;
                break;
            }
            _ => i += 1,
        }
    }
    let space = |b: &u8| b" \t\x0b\x0c".contains(b);
    !quotable
        && d.first().is_some_and(|b| *b != b'"' && !space(b))
        && d.last().is_some_and(|b| !space(b))
        && !d.iter().any(|b| b":<\r\n".contains(b))
}

/// A host in brackets when it came from them: an IPv6 address, or anything
/// else the brackets allowed that a bare host cannot hold (a `%`), so that
/// the printed URI parses back to the same host.
fn print_host(host: &str, out: &mut String) {
    if (host.contains(':') || host.contains('%')) && !host.starts_with('[') {
        out.push('[');
        out.push_str(host);
        out.push(']');
    } else {
        out.push_str(host);
    }
}

fn print_sip_uri(u: &SipUri, ctx: UriContext, out: &mut String) {
    use UriContext::*;
    out.push_str(if u.secure { "sips:" } else { "sip:" });
    if let Some(user) = u.user.as_deref().filter(|s| !s.is_empty()) {
        // pjsip stores user and password unescaped and escapes them again
        // when printing (without PJSIP_URI_USE_ORIG_USERPASS, the default).
        chars::reescape_into(out, user, &chars::USER);
        if let Some(pw) = u.password.as_deref().filter(|s| !s.is_empty()) {
            out.push(':');
            chars::reescape_into(out, pw, &chars::PASSWD);
        }
        out.push('@');
    }
    print_host(&u.host, out);
    if u.port != 0 && ctx != FromTo {
        out.push(':');
        push_u32(out, u32::from(u.port));
    }
    uri_pair(out, ";user=", u.user_param.as_deref());
    if ctx == Other {
        uri_pair(out, ";method=", u.method_param.as_deref());
    }
    if ctx != FromTo {
        uri_pair(out, ";transport=", u.transport_param.as_deref());
    }
    if u.ttl_param >= 0 && ctx != FromTo && ctx != Routing {
        out.push_str(";ttl=");
        push_u32(out, u.ttl_param.unsigned_abs());
    }
    if ctx != FromTo {
        if let Some(m) = u.maddr_param.as_deref().filter(|s| !s.is_empty()) {
            out.push_str(";maddr=");
            // An IPv6 address gets its brackets (a quoted value is no
            // address, whether its quote is written or %22: it prints
            // escaped, and must not gain brackets when read back).
            let decoded = chars::unescape(m);
            let bracket = decoded.contains(&b':') && !decoded.starts_with(b"[") && !decoded.starts_with(b"\"");
            if bracket {
                out.push('[');
            }
            reescape_into(out, m, &chars::PARAM_CHAR);
            if bracket {
                out.push(']');
            }
        }
    }
    if u.lr_param && ctx != FromTo && ctx != Contact {
        out.push_str(";lr");
    }
    print_params(
        out,
        &u.other_params,
        ';',
        &chars::PARAM_CHAR,
        &chars::PARAM_CHAR,
        true,
    );
    if ctx == Contact || ctx == Other {
        print_params(
            out,
            &u.headers,
            '?',
            &chars::HDR_CHAR,
            &chars::HDR_CHAR,
            true,
        );
    }
}

/// `;name=value` for a known URI parameter, value re-escaped.
fn uri_pair(out: &mut String, prefix: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|s| !s.is_empty()) {
        out.push_str(prefix);
        reescape_into(out, v, &chars::PARAM_CHAR);
    }
}

/// pjsip's `pjsip_param_print_on`: `sep` before the first parameter (`?`
/// turns into `&` after it). `decode`: the values were unescaped by pjsip's
/// parser (URI parameters), so decode before re-escaping.
fn print_params(
    out: &mut String,
    params: &[Param],
    mut sep: char,
    name_set: &CharSet,
    value_set: &CharSet,
    decode: bool,
) {
    for p in params {
        out.push(sep);
        if sep == '?' {
            sep = '&';
        }
        if decode {
            reescape_into(out, &p.name, name_set);
        } else {
            escape_into(out, p.name.as_bytes(), name_set);
        }
        if let Some(v) = p.value.as_deref().filter(|s| !s.is_empty()) {
            out.push('=');
            if v.starts_with('"') {
                out.push_str(v);
            } else if decode {
                reescape_into(out, v, value_set);
            } else {
                escape_into(out, v.as_bytes(), value_set);
            }
        }
    }
}

fn header_params(out: &mut String, params: &[Param]) {
    print_params(out, params, ';', &chars::TOKEN, &chars::TOKEN, false);
}

fn print_tel_uri(t: &TelUri, out: &mut String) {
    out.push_str("tel:");
    reescape_into(out, &t.number, &chars::TEL_NUMBER);
    tel_pair(out, ";ext=", t.ext_param.as_deref(), &chars::TEL_EXT_VALUE);
    tel_pair(out, ";isub=", t.isub_param.as_deref(), &chars::TEL_URIC);
    tel_pair(
        out,
        ";phone-context=",
        t.context.as_deref(),
        &chars::TEL_PHONE_CONTEXT,
    );
    // pjsip does not unescape tel parameter names, so it prints the `%` of
    // an escape as `%25`, a different name on the next parse; decoded and
    // re-escaped, a name prints the same every time.
    for p in &t.other_params {
        out.push(';');
        reescape_into(out, &p.name, &chars::TEL_PNAME);
        if let Some(v) = p.value.as_deref().filter(|s| !s.is_empty()) {
            out.push('=');
            if v.starts_with('"') {
                out.push_str(v);
            } else {
                reescape_into(out, v, &chars::TEL_PVALUE);
            }
        }
    }
}

fn tel_pair(out: &mut String, prefix: &str, value: Option<&str>, set: &CharSet) {
    if let Some(v) = value.filter(|s| !s.is_empty()) {
        out.push_str(prefix);
        reescape_into(out, v, set);
    }
}

/// pjsip's q-value printing (see the module notes for its quirk).
pub(crate) fn print_q(q1000: i32, out: &mut String) {
    if q1000 <= 0 {
        return;
    }
    out.push_str(";q=");
    push_u32(out, (q1000 / 1000).unsigned_abs());
    let mut frac = q1000 % 1000;
    if frac != 0 {
        out.push('.');
        if frac % 100 == 0 {
            frac /= 100;
        }
        if frac % 10 == 0 {
            frac /= 10;
        }
        push_u32(out, frac.unsigned_abs());
    }
}

/// Appends a Contact value (without `Contact: `), e.g.
/// `"A" <sip:a@1.2.3.4:5060>;q=0.5;expires=60;x=y`, or `*`.
/// A non-positive `q1000` is not printed.
pub fn print_contact(c: &Contact, out: &mut String) {
    if c.star {
        out.push('*');
        return;
    }
    if let Some(na) = &c.uri {
        print_name_addr(na, UriContext::Contact, out);
    }
    print_q(c.q1000, out);
    if let Some(e) = c.expires {
        out.push_str(";expires=");
        push_u32(out, e);
    }
    header_params(out, &c.other_params);
}

/// Appends a From/To value: name-addr in the From/To context (no port, no
/// transport/maddr/ttl/lr/headers), `;tag=`, other parameters.
pub fn print_fromto(f: &FromTo, out: &mut String) {
    print_name_addr(&f.uri, UriContext::FromTo, out);
    if let Some(tag) = f.tag.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(";tag=");
        escape_into(out, tag.as_bytes(), &chars::TOKEN);
    }
    header_params(out, &f.other_params);
}

/// Appends a Route/Record-Route value (Routing context: no `ttl`).
/// pjsip skips a whole Route header whose URI has a `hide` parameter; that
/// is left to the caller.
pub fn print_route(r: &Route, out: &mut String) {
    print_name_addr(&r.uri, UriContext::Routing, out);
    header_params(out, &r.other_params);
}

/// Appends a Via value, e.g. `SIP/2.0/UDP 1.2.3.4:5060;rport;branch=z9hG4bK..`.
pub fn print_via(v: &Via, out: &mut String) {
    out.push_str("SIP/2.0/");
    out.extend(v.transport.chars().map(|c| c.to_ascii_uppercase()));
    out.push(' ');
    print_host(&v.host, out);
    if v.port != 0 {
        out.push(':');
        push_u32(out, u32::from(v.port));
    }
    if v.ttl >= 0 {
        out.push_str(";ttl=");
        push_u32(out, v.ttl.unsigned_abs());
    }
    if v.rport >= 0 {
        out.push_str(";rport");
        if v.rport > 0 {
            out.push('=');
            push_u32(out, v.rport.unsigned_abs());
        }
    }
    if let Some(m) = v.maddr.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(";maddr=");
        print_host(m, out);
    }
    if let Some(r) = v.received.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(";received=");
        out.push_str(r);
    }
    if let Some(b) = v.branch.as_deref().filter(|s| !s.is_empty()) {
        out.push_str(";branch=");
        escape_into(out, b.as_bytes(), &chars::TOKEN);
    }
    header_params(out, &v.other_params);
}

/// Appends `n` in decimal (without the formatter: it runs for every
/// message).
pub(crate) fn push_u32(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or("0"));
}

/// Appends a CSeq value: `seq METHOD`.
pub fn print_cseq(c: &CSeq, out: &mut String) {
    push_u32(out, c.seq);
    out.push(' ');
    out.push_str(&c.method);
}

/// Convenience: `print_uri` into a new string.
pub fn uri_to_string(uri: &Uri, ctx: UriContext) -> String {
    let mut s = String::new();
    print_uri(uri, ctx, &mut s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::header::*;
    use crate::sip::uri::*;
    use UriContext::*;

    fn p(s: &str, ctx: UriContext) -> String {
        uri_to_string(&parse_uri(s).unwrap(), ctx)
    }

    #[test]
    fn sip_uri_param_order_and_contexts() {
        let s = "sip:u:pw@h:5070;x=1;lr;maddr=10.0.0.1;ttl=5;transport=tcp;method=INVITE;user=phone?a=b&c";
        assert_eq!(
            p(s, Other),
            "sip:u:pw@h:5070;user=phone;method=INVITE;transport=tcp;ttl=5;maddr=10.0.0.1;lr;x=1?a=b&c"
        );
        assert_eq!(
            p(s, ReqUri),
            "sip:u:pw@h:5070;user=phone;transport=tcp;ttl=5;maddr=10.0.0.1;lr;x=1"
        );
        assert_eq!(
            p(s, Contact),
            "sip:u:pw@h:5070;user=phone;transport=tcp;ttl=5;maddr=10.0.0.1;x=1?a=b&c"
        );
        assert_eq!(
            p(s, Routing),
            "sip:u:pw@h:5070;user=phone;transport=tcp;maddr=10.0.0.1;lr;x=1"
        );
        assert_eq!(p(s, FromTo), "sip:u:pw@h;user=phone;x=1");
    }

    #[test]
    fn round_trips() {
        for s in [
            "sip:alice@example.com",
            "sips:alice@example.com:5061;transport=tls",
            "sip:[2001:db8::1]:5060;lr",
            "sip:h;maddr=[::1]",
            "sip:h;a=\"q;v\"",
            "tel:+1-201-555-0123;ext=22;isub=x;phone-context=example.com;foo=bar",
            "mailto:someone@example.com",
        ] {
            assert_eq!(p(s, Other), s);
        }
    }

    #[test]
    fn escaping_like_pjsip() {
        // User, password and parameters: decoded, then re-escaped (checked
        // against pjproject: %61lice prints as alice, '#' as %23).
        assert_eq!(
            p(
                "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
                Other
            ),
            "sip:caller@host5.example.net;lr;name=value%2541"
        );
        assert_eq!(p("sip:%61lice:se%63ret@h", Other), "sip:alice:secret@h");
        assert_eq!(p("sip:*21#@h", Other), "sip:*21%23@h");
        assert_eq!(p("sip:h;x=%3b", Other), "sip:h;x=%3b");
        assert_eq!(
            p("sip:h?subject=project%20x", Other),
            "sip:h?subject=project%20x"
        );
        // The tel number class has no '%': pjsip cannot read escapes there.
        assert!(parse_uri("tel:%2B1234").is_err());
    }

    #[test]
    fn name_addr_printing() {
        let na = parse_name_addr("Alice  Smith <sip:a@h:5060;transport=udp>").unwrap();
        let mut s = String::new();
        print_name_addr(&na, FromTo, &mut s);
        assert_eq!(s, "\"Alice  Smith\" <sip:a@h>");
        let mut s = String::new();
        print_name_addr(&na, ReqUri, &mut s);
        assert_eq!(s, "sip:a@h:5060;transport=udp");
        let na = parse_name_addr("sip:a@h").unwrap();
        let mut s = String::new();
        print_name_addr(&na, Contact, &mut s);
        assert_eq!(s, "<sip:a@h>");
    }

    /// print(parse(x)) parses to what x parsed to.
    #[test]
    fn printed_uris_parse_back_the_same() {
        let na = |s: &str| {
            let mut out = String::new();
            print_name_addr(&parse_name_addr(s).unwrap(), FromTo, &mut out);
            out
        };
        // pjsip printed "\"a\"b\" <sip:h>", which does not parse.
        assert_eq!(na("a\"b <sip:h>"), "a\"b <sip:h>");
        assert_eq!(parse_name_addr(&na("a\"b <sip:h>")).unwrap(), parse_name_addr("a\"b <sip:h>").unwrap());
        assert_eq!(na("a\\ <sip:h>"), "a\\ <sip:h>");
        // Names that quote as they are still print as pjsip prints them.
        assert_eq!(na("a\\b <sip:h>"), "\"a\\b\" <sip:h>");
        assert_eq!(na("\"a\\\"b\" <sip:h>"), "\"a\\\"b\" <sip:h>");
        // A decoded '%' stays escaped (pjsip printed "p=%41", read as "A").
        for s in ["sip:h;p=%2541", "sip:u%2541@h", "sip:h;transport=%2541", "sip:h?x=%2541"] {
            let printed = p(s, Other);
            assert!(printed.contains("%2541"), "{s} printed as {printed}");
            assert_eq!(parse_uri(&printed).unwrap(), parse_uri(s).unwrap());
        }
        // A maddr that decodes to an IPv6-looking value keeps the same
        // print on a second round.
        assert_eq!(p("sip:h;maddr=%3a", Other), "sip:h;maddr=[:]");
        assert_eq!(p("sip:h;maddr=[:]", Other), "sip:h;maddr=[:]");
        // An escaped tel parameter name prints the same on a second round
        // (fuzz/corpus/uri/crash-7a921d...).
        assert_eq!(p("tel:1;is.com", Other), "tel:1;is%2ecom");
        assert_eq!(p("tel:1;is%2ecom", Other), "tel:1;is%2ecom");
    }

    #[test]
    fn contact_printing() {
        let pc = |v: &str| {
            let mut s = String::new();
            for (i, c) in parse_contact_list(v).unwrap().iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                print_contact(c, &mut s);
            }
            s
        };
        assert_eq!(
            pc("sip:alice@1.2.3.4:5060;x=y;q=0.5;expires=60"),
            "<sip:alice@1.2.3.4:5060>;q=0.5;expires=60;x=y"
        );
        assert_eq!(pc("*"), "*");
        assert_eq!(
            pc("<sip:a@h;lr;transport=tcp>;q=1"),
            "<sip:a@h;transport=tcp>;q=1"
        );
        assert_eq!(pc("<sip:a@h>;q=0.123"), "<sip:a@h>;q=0.123");
        assert_eq!(pc("<sip:a@h>;q=0"), "<sip:a@h>");
        assert_eq!(pc("<sip:a@h>;q=1.5"), "<sip:a@h>;q=1.5");
        assert_eq!(pc("<sip:a@h>;q=0.25"), "<sip:a@h>;q=0.25");
        // pjsip's quirk: 50 thousandths lose their leading zero.
        assert_eq!(pc("<sip:a@h>;q=0.05"), "<sip:a@h>;q=0.5");
        assert_eq!(
            pc("\"A\" <sip:a@h>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"),
            "\"A\" <sip:a@h>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"
        );
    }

    /// What pjsip_regc puts on the wire for the strings given to
    /// pjsip_regc_init: server URL as Request-URI, From/To parsed as
    /// name-addr, each contact parsed as a Contact header.
    #[test]
    fn regc_style_headers() {
        assert_eq!(
            p("sip:example.com;transport=tcp", ReqUri),
            "sip:example.com;transport=tcp"
        );
        let from = |s: &str| {
            let f = super::FromTo {
                uri: parse_name_addr(s).unwrap(),
                tag: Some("Kx1".into()),
                other_params: vec![],
            };
            let mut out = String::new();
            print_fromto(&f, &mut out);
            out
        };
        assert_eq!(
            from("sip:alice@example.com"),
            "<sip:alice@example.com>;tag=Kx1"
        );
        assert_eq!(
            from("\"Alice\" <sip:alice@example.com:5060;transport=tcp>"),
            "\"Alice\" <sip:alice@example.com>;tag=Kx1"
        );
        // A bare From URL keeps its parameters as URI parameters, but those
        // pjsip omits in From/To are not printed.
        assert_eq!(
            from("sip:alice@example.com;transport=tcp;foo=bar"),
            "<sip:alice@example.com;foo=bar>;tag=Kx1"
        );
        let contact = |s: &str| {
            let mut out = String::new();
            print_contact(&parse_contact_list(s).unwrap()[0], &mut out);
            out
        };
        assert_eq!(
            contact("<sip:alice@192.168.0.2:5060;ob>"),
            "<sip:alice@192.168.0.2:5060;ob>"
        );
        // Bare contact string: ";ob" is a Contact header parameter.
        assert_eq!(
            contact("sip:alice@192.168.0.2:5060;ob"),
            "<sip:alice@192.168.0.2:5060>;ob"
        );
        assert_eq!(
            contact("\"Alice\" <sip:alice@[::1]:5060;transport=TCP>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\""),
            "\"Alice\" <sip:alice@[::1]:5060;transport=TCP>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\""
        );
        let mut c = parse_contact_list("<sip:alice@h>").unwrap().remove(0);
        c.expires = Some(0);
        let mut out = String::new();
        print_contact(&c, &mut out);
        assert_eq!(out, "<sip:alice@h>;expires=0");
    }

    #[test]
    fn fromto_route_via_cseq_printing() {
        let mut s = String::new();
        print_fromto(
            &parse_fromto("\"A\" <sip:a@h:5060;transport=tcp>;tag=x1;foo").unwrap(),
            &mut s,
        );
        assert_eq!(s, "\"A\" <sip:a@h>;tag=x1;foo");
        let mut s = String::new();
        print_route(
            &parse_route_list("<sip:p;lr;ttl=3>;x=1").unwrap()[0],
            &mut s,
        );
        assert_eq!(s, "<sip:p;lr>;x=1");
        let mut s = String::new();
        let v = parse_via_list("SIP/2.0/udp [::1]:5060;branch=z9hG4bKx;received=1.2.3.4;rport=7;ttl=1;maddr=::2;foo=a:b (c)")
            .unwrap();
        print_via(&v[0], &mut s);
        assert_eq!(
            s,
            "SIP/2.0/UDP [::1]:5060;ttl=1;rport=7;maddr=[::2];received=1.2.3.4;branch=z9hG4bKx;foo=a%3ab"
        );
        let mut s = String::new();
        print_via(&Via::new("UDP", "1.2.3.4", 5060), &mut s);
        assert_eq!(s, "SIP/2.0/UDP 1.2.3.4:5060");
        let mut v = Via::new("TCP", "h", 0);
        v.rport = 0;
        v.branch = Some("z9hG4bKabc".into());
        let mut s = String::new();
        print_via(&v, &mut s);
        assert_eq!(s, "SIP/2.0/TCP h;rport;branch=z9hG4bKabc");
        let mut s = String::new();
        print_cseq(&parse_cseq("7 REGISTER").unwrap(), &mut s);
        assert_eq!(s, "7 REGISTER");
    }
}
