//! URI comparison (RFC 3261 19.1.4) as pjsip implements it.
//!
//! SIP/SIPS (pjsip's `pjsip_url_compare`), checked in this order:
//! scheme (`sip` vs `sips`: `PJSIP_ECMPSCHEME`), user and password
//! (case-sensitive, after unescaping), host (case-insensitive, as written),
//! then by context: port and `transport` (not From/To), `ttl` (not From/To
//! nor Route), `user` param (always), `method` (only Other), `maddr` (not
//! From/To). A known parameter present on one side only differs. Other
//! parameters present on both sides must match case-insensitively (after
//! unescaping); present on one side only they are ignored; `lr` is ignored.
//! URI headers must be present on both sides with case-insensitively equal
//! values. (pjsip only checks the headers of its first argument; we check
//! both ways so that RFC 3261's `sip:carol@chicago.com` vs
//! `sip:carol@chicago.com?Subject=next%20meeting` differs in either order.)
//!
//! tel (pjsip's `tel_uri_cmp`): numbers equal ignoring visual separators
//! `-.()` and case; `phone-context` compared as a number when it starts
//! with `+`, else case-insensitively; `ext` as a number, `isub`
//! case-insensitively, other parameters must be the same set with
//! case-insensitively equal values. (pjsip only checks `ext`/`isub` when
//! its first argument has them, and takes `phone-context` as a number when
//! its first argument's does; we check both ways, and compare contexts as
//! numbers when both are global numbers.)
//!
//! Other schemes: scheme and content compared case-insensitively.
//! Mismatches pjsip reports with a bare -1 (name-addr display, tel, other
//! URIs, different URI kinds) give [`CMP_MISMATCH`].

use super::chars::{self, unescape};
use super::types::{NameAddr, Param, SipUri, TelUri, Uri, UriContext};
use crate::status::{self, Status};

/// The value pjsip's comparers return for a mismatch that has no
/// `PJSIP_ECMP*` code.
pub const CMP_MISMATCH: Status = -1;

fn check(cond: bool, code: Status) -> Result<(), Status> {
    if cond {
        Ok(())
    } else {
        Err(code)
    }
}

fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

/// Compares two URIs in `ctx`; `Ok(())` when equivalent, else the pjsip
/// status naming the first difference found.
pub fn uri_cmp(ctx: UriContext, a: &Uri, b: &Uri) -> Result<(), Status> {
    match (a, b) {
        (Uri::Sip(x), Uri::Sip(y)) => sip_cmp(ctx, x, y),
        (Uri::Sip(_), _) => Err(status::PJSIP_ECMPSCHEME),
        (Uri::Tel(x), Uri::Tel(y)) => check(tel_eq(x, y), CMP_MISMATCH),
        (
            Uri::Other {
                scheme: s1,
                content: c1,
            },
            Uri::Other {
                scheme: s2,
                content: c2,
            },
        ) => {
            check(s1.eq_ignore_ascii_case(s2), status::PJSIP_ECMPSCHEME)?;
            check(c1.eq_ignore_ascii_case(c2), CMP_MISMATCH)
        }
        _ => Err(CMP_MISMATCH),
    }
}

/// Compares two name-addrs: display names must be identical
/// (case-sensitive, as pjsip), then the URIs as [`uri_cmp`]. A bare URI
/// parsed as a name-addr has an empty display name, so `sip:x` equals
/// `<sip:x>`.
pub fn name_addr_cmp(ctx: UriContext, a: &NameAddr, b: &NameAddr) -> Result<(), Status> {
    check(a.display == b.display, CMP_MISMATCH)?;
    uri_cmp(ctx, &a.uri, &b.uri)
}

fn sip_cmp(ctx: UriContext, a: &SipUri, b: &SipUri) -> Result<(), Status> {
    use status::*;
    use UriContext::*;
    check(a.secure == b.secure, PJSIP_ECMPSCHEME)?;
    check(chars::eq_unescaped(s(&a.user), s(&b.user)), PJSIP_ECMPUSER)?;
    check(
        chars::eq_unescaped(s(&a.password), s(&b.password)),
        PJSIP_ECMPPASSWD,
    )?;
    check(a.host.eq_ignore_ascii_case(&b.host), PJSIP_ECMPHOST)?;
    if ctx != FromTo {
        check(a.port == b.port, PJSIP_ECMPPORT)?;
        check(
            chars::eq_unescaped_ci(s(&a.transport_param), s(&b.transport_param)),
            PJSIP_ECMPTRANSPORTPRM,
        )?;
    }
    if ctx != FromTo && ctx != Routing {
        check(a.ttl_param == b.ttl_param, PJSIP_ECMPTTLPARAM)?;
    }
    check(
        chars::eq_unescaped_ci(s(&a.user_param), s(&b.user_param)),
        PJSIP_ECMPUSERPARAM,
    )?;
    if ctx == Other {
        check(
            chars::eq_unescaped_ci(s(&a.method_param), s(&b.method_param)),
            PJSIP_ECMPMETHODPARAM,
        )?;
    }
    if ctx != FromTo {
        check(
            maddr(&a.maddr_param).eq_ignore_ascii_case(&maddr(&b.maddr_param)),
            PJSIP_ECMPMADDRPARAM,
        )?;
    }
    check(
        same_values(&a.other_params, &b.other_params, false),
        PJSIP_ECMPOTHERPARAM,
    )?;
    check(
        same_values(&a.headers, &b.headers, true),
        PJSIP_ECMPHEADERPARAM,
    )
}

/// A maddr unescaped, without the brackets of an IPv6 reference (the
/// printer adds them to a bare IPv6 address).
fn maddr(m: &Option<String>) -> Vec<u8> {
    let v = unescape(s(m)).into_owned();
    match v.strip_prefix(b"[").and_then(|x| x.strip_suffix(b"]")) {
        Some(inner) => inner.to_vec(),
        None => v,
    }
}

/// Whether every name present in both lists has the same set of values in
/// each. `required`: a name present on one side only differs (URI
/// headers) instead of being ignored (URI parameters).
fn same_values(a: &[Param], b: &[Param], required: bool) -> bool {
    let covered = |x: &[Param], y: &[Param]| {
        x.iter().all(|p| {
            let mut same_name = y.iter().filter(|q| same_name(p, q)).peekable();
            if same_name.peek().is_none() {
                return !required;
            }
            same_name.any(|q| param_value_eq(p, q))
        })
    };
    covered(a, b) && covered(b, a)
}

/// Parameter names equal once unescaped, ignoring case.
fn same_name(a: &Param, b: &Param) -> bool {
    unescape(&a.name).eq_ignore_ascii_case(&unescape(&b.name))
}

/// Values compared case-insensitively; quoted values as written (pjsip
/// does not unescape them), others unescaped.
fn param_value_eq(a: &Param, b: &Param) -> bool {
    let (x, y) = (s(&a.value), s(&b.value));
    if x.starts_with('"') || y.starts_with('"') {
        x.eq_ignore_ascii_case(y)
    } else {
        chars::eq_unescaped_ci(x, y)
    }
}

/// RFC 3966 number equality as pjsip's `pjsip_tel_nb_cmp`.
fn tel_number_eq(a: &str, b: &str) -> bool {
    fn digits(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
        s.iter()
            .filter(|c| !chars::TEL_VISUAL_SEP.has(**c))
            .map(u8::to_ascii_lowercase)
    }
    let (x, y) = (unescape(a), unescape(b));
    digits(&x).eq(digits(&y))
}

fn tel_eq(a: &TelUri, b: &TelUri) -> bool {
    if !tel_number_eq(&a.number, &b.number) {
        return false;
    }
    let (ca, cb) = (s(&a.context), s(&b.context));
    let global = |c: &str| unescape(c).starts_with(b"+");
    let ctx_eq = if global(ca) && global(cb) {
        tel_number_eq(ca, cb)
    } else {
        chars::eq_unescaped_ci(ca, cb)
    };
    if !ctx_eq
        || !tel_number_eq(s(&a.ext_param), s(&b.ext_param))
        || !chars::eq_unescaped_ci(s(&a.isub_param), s(&b.isub_param))
        || a.other_params.len() != b.other_params.len()
    {
        return false;
    }
    same_values(&a.other_params, &b.other_params, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::uri::{parse_name_addr, parse_uri};
    use crate::status::*;
    use UriContext::*;

    fn cmp(ctx: UriContext, a: &str, b: &str) -> Result<(), Status> {
        uri_cmp(ctx, &parse_uri(a).unwrap(), &parse_uri(b).unwrap())
    }

    fn both(ctx: UriContext, a: &str, b: &str) -> Result<(), Status> {
        let r = cmp(ctx, a, b);
        assert_eq!(r.is_ok(), cmp(ctx, b, a).is_ok(), "asymmetric: {a} / {b}");
        r
    }

    #[test]
    fn rfc3261_19_1_4_equivalent() {
        for ctx in [ReqUri, Contact, Other] {
            assert_eq!(
                both(
                    ctx,
                    "sip:%61lice@atlanta.com;transport=TCP",
                    "sip:alice@AtLanTa.CoM;Transport=tcp"
                ),
                Ok(())
            );
            assert_eq!(
                both(
                    ctx,
                    "sip:carol@chicago.com",
                    "sip:carol@chicago.com;newparam=5"
                ),
                Ok(())
            );
            assert_eq!(
                both(
                    ctx,
                    "sip:carol@chicago.com",
                    "sip:carol@chicago.com;security=on"
                ),
                Ok(())
            );
            assert_eq!(
                both(
                    ctx,
                    "sip:carol@chicago.com;newparam=5",
                    "sip:carol@chicago.com;security=on"
                ),
                Ok(())
            );
            assert_eq!(
                both(
                    ctx,
                    "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                    "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"
                ),
                Ok(())
            );
            assert_eq!(
                both(
                    ctx,
                    "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                    "sip:alice@atlanta.com?priority=urgent&subject=project%20x"
                ),
                Ok(())
            );
        }
    }

    #[test]
    fn rfc3261_19_1_4_not_equivalent() {
        assert_eq!(
            both(
                Other,
                "SIP:ALICE@AtLanTa.CoM;Transport=udp",
                "sip:alice@AtLanTa.CoM;Transport=UDP"
            ),
            Err(PJSIP_ECMPUSER)
        );
        assert_eq!(
            both(Other, "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
            Err(PJSIP_ECMPPORT)
        );
        assert_eq!(
            both(
                Other,
                "sip:bob@biloxi.com",
                "sip:bob@biloxi.com;transport=udp"
            ),
            Err(PJSIP_ECMPTRANSPORTPRM)
        );
        assert_eq!(
            both(
                Other,
                "sip:bob@biloxi.com",
                "sip:bob@biloxi.com:6000;transport=tcp"
            ),
            Err(PJSIP_ECMPPORT)
        );
        assert_eq!(
            both(
                Other,
                "sip:carol@chicago.com",
                "sip:carol@chicago.com?Subject=next%20meeting"
            ),
            Err(PJSIP_ECMPHEADERPARAM)
        );
        assert_eq!(
            both(Other, "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
            Err(PJSIP_ECMPHOST)
        );
        assert_eq!(
            both(
                Other,
                "sip:carol@chicago.com;security=on",
                "sip:carol@chicago.com;security=off"
            ),
            Err(PJSIP_ECMPOTHERPARAM)
        );
    }

    #[test]
    fn each_code() {
        assert_eq!(both(Other, "sip:a@h", "sips:a@h"), Err(PJSIP_ECMPSCHEME));
        assert_eq!(both(Other, "sip:a:x@h", "sip:a:y@h"), Err(PJSIP_ECMPPASSWD));
        assert_eq!(both(Other, "sip:a:x@h", "sip:a@h"), Err(PJSIP_ECMPPASSWD));
        assert_eq!(both(Other, "sip:h;ttl=1", "sip:h"), Err(PJSIP_ECMPTTLPARAM));
        assert_eq!(
            both(Other, "sip:h;user=phone", "sip:h"),
            Err(PJSIP_ECMPUSERPARAM)
        );
        assert_eq!(
            both(Other, "sip:h;method=INVITE", "sip:h"),
            Err(PJSIP_ECMPMETHODPARAM)
        );
        assert_eq!(
            both(Other, "sip:h;maddr=1.2.3.4", "sip:h"),
            Err(PJSIP_ECMPMADDRPARAM)
        );
        assert_eq!(
            both(Other, "sip:h?a=1", "sip:h?a=2"),
            Err(PJSIP_ECMPHEADERPARAM)
        );
        assert_eq!(both(Other, "sip:h;lr", "sip:h"), Ok(()));
        assert_eq!(both(Other, "sip:h;x=%41", "sip:h;X=a"), Ok(()));
        // User is case-sensitive, escapes compared decoded.
        assert_eq!(
            both(Other, "sip:Alice@h", "sip:alice@h"),
            Err(PJSIP_ECMPUSER)
        );
        assert_eq!(both(Other, "sip:%41lice@h", "sip:Alice@h"), Ok(()));
    }

    /// Repeated parameters and headers compare as sets of values, so that
    /// a URI equals itself and comparison is symmetric.
    #[test]
    fn repeated_names_are_reflexive_and_symmetric() {
        for s in ["sip:h;a=1;a=2", "sip:h?x=1&x=2", "sip:h;a;a=1", "tel:1;a=1;a=2"] {
            assert_eq!(cmp(Other, s, s), Ok(()), "{s}");
        }
        assert_eq!(both(Other, "sip:h;a=1;a=2", "sip:h;a=2;a=1"), Ok(()));
        assert_eq!(both(Other, "sip:h;a=1;a=2", "sip:h;a=1"), Err(PJSIP_ECMPOTHERPARAM));
        assert_eq!(both(Other, "sip:h?x=1&x=2", "sip:h?x=2&x=1"), Ok(()));
        assert_eq!(both(Other, "sip:h?x=1&x=2", "sip:h?x=1"), Err(PJSIP_ECMPHEADERPARAM));
        // pjsip took the contexts as numbers when its first argument's
        // began with a written '+', whatever the other's was.
        assert_eq!(
            both(Other, "tel:1;phone-context=+1-2", "tel:1;phone-context=%2B12"),
            Ok(())
        );
        // A bare IPv6 maddr equals the bracketed one the printer writes.
        assert_eq!(both(Other, "sip:h;maddr=::1", "sip:h;maddr=[::1]"), Ok(()));
    }

    #[test]
    fn contexts_skip_components() {
        // From/To: port, transport, ttl, maddr ignored.
        assert_eq!(
            both(
                FromTo,
                "sip:a@h:5060;transport=tcp;ttl=1;maddr=x",
                "sip:a@h"
            ),
            Ok(())
        );
        // Routing: ttl ignored, port not.
        assert_eq!(both(Routing, "sip:h;ttl=1", "sip:h"), Ok(()));
        assert_eq!(both(Routing, "sip:h:1", "sip:h"), Err(PJSIP_ECMPPORT));
        // method only compared in Other.
        assert_eq!(both(ReqUri, "sip:h;method=INVITE", "sip:h"), Ok(()));
        assert_eq!(both(Contact, "sip:h;method=INVITE", "sip:h"), Ok(()));
    }

    #[test]
    fn kinds_and_name_addr() {
        assert_eq!(cmp(Other, "sip:h", "tel:123"), Err(PJSIP_ECMPSCHEME));
        assert_eq!(cmp(Other, "tel:123", "sip:h"), Err(CMP_MISMATCH));
        assert_eq!(cmp(Other, "mailto:a@b", "MAILTO:A@B"), Ok(()));
        assert_eq!(cmp(Other, "mailto:a@b", "im:a@b"), Err(PJSIP_ECMPSCHEME));
        assert_eq!(cmp(Other, "mailto:a@b", "mailto:a@c"), Err(CMP_MISMATCH));
        let na = |s: &str| parse_name_addr(s).unwrap();
        assert_eq!(
            name_addr_cmp(Contact, &na("sip:x@h"), &na("<sip:x@h>")),
            Ok(())
        );
        assert_eq!(
            name_addr_cmp(Contact, &na("\"A\" <sip:x@h>"), &na("A <sip:x@h>")),
            Ok(())
        );
        assert_eq!(
            name_addr_cmp(Contact, &na("\"A\" <sip:x@h>"), &na("\"a\" <sip:x@h>")),
            Err(CMP_MISMATCH)
        );
        assert_eq!(
            name_addr_cmp(Contact, &na("<sip:x@h>"), &na("<sip:y@h>")),
            Err(PJSIP_ECMPUSER)
        );
    }

    #[test]
    fn tel_rules() {
        assert_eq!(
            both(Other, "tel:+1-201-555-0123", "tel:+1(201)5550123"),
            Ok(())
        );
        assert_eq!(
            both(
                Other,
                "tel:7042;phone-context=Example.com",
                "tel:7042;phone-context=example.COM"
            ),
            Ok(())
        );
        assert_eq!(
            both(
                Other,
                "tel:7042;phone-context=+1-201",
                "tel:7042;phone-context=+1201"
            ),
            Ok(())
        );
        assert_eq!(
            both(Other, "tel:7042", "tel:7042;phone-context=example.com"),
            Err(CMP_MISMATCH)
        );
        assert_eq!(both(Other, "tel:123", "tel:1234"), Err(CMP_MISMATCH));
        assert_eq!(both(Other, "tel:123;ext=1", "tel:123"), Err(CMP_MISMATCH));
        assert_eq!(both(Other, "tel:123;a=1;b=2", "tel:123;B=2;A=1"), Ok(()));
        assert_eq!(
            both(Other, "tel:123;a=1", "tel:123;a=1;b=2"),
            Err(CMP_MISMATCH)
        );
        assert_eq!(both(Other, "tel:12ab", "tel:12AB"), Ok(()));
    }
}
