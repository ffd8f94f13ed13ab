//! Round trips Rust model -> C objects -> Rust model, and C printing
//! against the `sip` printer and pjsip's known output.

use super::hdr::*;
use super::msg::*;
use super::names::*;
use super::parse::*;
use super::uri::*;
use super::util::*;
use super::*;
use crate::ffi::pjlib::{create_standalone_pool, release_pool};
use crate::ffi::types::*;
use crate::sip::{self, HdrKind, Message, UriContext};
use core::ffi::{c_char, c_int, c_void};
use core::ptr::{addr_of, addr_of_mut, null, null_mut};

struct Pool(*mut pj_pool_t);

impl Pool {
    fn new() -> Self {
        let p = create_standalone_pool(c"cobj-test", 4000, 4000);
        assert!(!p.is_null());
        Pool(p)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        unsafe { release_pool(self.0) }
    }
}

fn pj(s: &str) -> pj_str_t {
    pj_str_t {
        ptr: s.as_ptr() as *mut c_char,
        slen: s.len() as _,
    }
}

unsafe fn print_uri_vt(ctx: u32, u: *const c_void) -> String {
    let v = (*(u as *const pjsip_uri)).vptr;
    let mut buf = [0 as c_char; 512];
    let n = ((*v).p_print.unwrap())(ctx, u, buf.as_mut_ptr(), buf.len());
    assert!(n > 0, "print failed");
    String::from_utf8(core::slice::from_raw_parts(buf.as_ptr() as *const u8, n as usize).to_vec()).unwrap()
}

unsafe fn print_hdr_vt(h: *const c_void) -> String {
    let mut buf = vec![0 as c_char; 2048];
    let n = pjsip_hdr_print_on(h as *mut c_void, buf.as_mut_ptr(), buf.len());
    assert!(n >= 0, "print_on failed: {n}");
    String::from_utf8(core::slice::from_raw_parts(buf.as_ptr() as *const u8, n as usize).to_vec()).unwrap()
}

const URIS: &[&str] = &[
    "sip:alice@example.com",
    "sips:bob:secret@[::1]:5061;transport=tcp;lr;maddr=10.0.0.1;ttl=5;user=phone;method=INVITE;foo=bar;x?Subject=hi&Priority=urgent",
    "sip:carol@chicago.com;newparam=5",
    "sip:%61lice@atlanta.com;transport=TCP",
    "tel:+358-555-1234567;postd=pp22;phone-context=example.com;ext=22;isub=abc",
    "urn:service:sos",
    "mailto:someone@example.org",
];

#[test]
fn uri_round_trip_and_print_in_every_context() {
    let pool = Pool::new();
    unsafe {
        for text in URIS {
            let u = sip::parse_uri(text).unwrap();
            let c = uri_to_c(pool.0, &u);
            assert!(!c.is_null());
            assert_eq!(uri_from_c(c).as_ref(), Some(&u), "{text}");
            for (ctx, rctx) in [
                (PJSIP_URI_IN_REQ_URI, UriContext::ReqUri),
                (PJSIP_URI_IN_FROMTO_HDR, UriContext::FromTo),
                (PJSIP_URI_IN_CONTACT_HDR, UriContext::Contact),
                (PJSIP_URI_IN_ROUTING_HDR, UriContext::Routing),
                (PJSIP_URI_IN_OTHER, UriContext::Other),
            ] {
                assert_eq!(
                    print_uri_vt(ctx, c as *const c_void),
                    sip::uri_to_string(&u, rctx),
                    "{text} ctx {ctx}"
                );
            }
            // Clone through the vtable gives an equal, independent object.
            let cl = ((*(*c).vptr).p_clone.unwrap())(pool.0, c as *const c_void) as *mut pjsip_uri;
            assert_ne!(cl, c);
            assert_eq!(uri_from_c(cl).as_ref(), Some(&u));
            assert_eq!(
                ((*(*c).vptr).p_compare.unwrap())(PJSIP_URI_IN_OTHER, c as *const c_void, cl as *const c_void),
                0
            );
        }
    }
}

#[test]
fn scheme_and_get_uri() {
    let pool = Pool::new();
    unsafe {
        let na = sip::parse_name_addr("\"Bob\" <sips:bob@biloxi.com>").unwrap();
        let c = name_addr_to_c(pool.0, &na) as *mut pjsip_uri;
        let v = (*c).vptr;
        let scheme = ((*v).p_get_scheme.unwrap())(c as *const c_void);
        assert_eq!(bytes(&*scheme), b"sips");
        let inner = ((*v).p_get_uri.unwrap())(c as *mut c_void);
        assert_eq!(inner, (*(c as *mut pjsip_name_addr)).uri as *mut c_void);
        assert_eq!(
            print_uri_vt(PJSIP_URI_IN_FROMTO_HDR, c as *const c_void),
            "\"Bob\" <sips:bob@biloxi.com>"
        );
        assert_eq!(
            print_uri_vt(PJSIP_URI_IN_REQ_URI, c as *const c_void),
            "sips:bob@biloxi.com"
        );
        let tel = uri_to_c(pool.0, &sip::parse_uri("tel:+1234").unwrap());
        assert_eq!(
            bytes(&*((*(*tel).vptr).p_get_scheme.unwrap())(tel as *const c_void)),
            b"tel"
        );
        let other = uri_to_c(pool.0, &sip::parse_uri("urn:x:y").unwrap());
        assert_eq!(
            bytes(&*((*(*other).vptr).p_get_scheme.unwrap())(other as *const c_void)),
            b"urn"
        );
    }
}

#[test]
fn rfc3261_uri_comparisons() {
    let pool = Pool::new();
    let equal = [
        (
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp",
        ),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
        (
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ),
        (
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ),
    ];
    let different = [
        (
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP",
        ),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
    ];
    unsafe {
        let c = |s: &str| {
            let mut t = s.to_string();
            pjsip_parse_uri(pool.0, t.as_mut_ptr() as *mut c_char, t.len(), 0) as *const c_void
        };
        for (a, b) in equal {
            let (x, y) = (c(a), c(b));
            assert!(!x.is_null() && !y.is_null());
            assert_eq!(uri_cmp_c(PJSIP_URI_IN_REQ_URI, x, y), 0, "{a} vs {b}");
        }
        for (a, b) in different {
            let (x, y) = (c(a), c(b));
            assert!(!x.is_null() && !y.is_null(), "{a} / {b}");
            assert_ne!(uri_cmp_c(PJSIP_URI_IN_REQ_URI, x, y), 0, "{a} vs {b}");
        }
        // Different kinds: sip vs sips is a scheme mismatch, a name-addr
        // against a bare URI is -1.
        assert_eq!(
            uri_cmp_c(PJSIP_URI_IN_OTHER, c("sip:a@b"), c("sips:a@b")),
            crate::status::PJSIP_ECMPSCHEME
        );
        assert_eq!(
            uri_cmp_c(PJSIP_URI_IN_OTHER, c("sip:a@b"), c("tel:+1")),
            crate::status::PJSIP_ECMPSCHEME
        );
        assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, c("<sip:a@b>"), c("sip:a@b")), -1);
        assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, c("<sip:a@b>"), c("<sip:a@b>")), 0);
        assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, c("\"A\" <sip:a@b>"), c("<sip:a@b>")), -1);
    }
}

/// A URI parsed, printed and parsed again is the same URI, and equals
/// itself and its clone (repeated parameters made pjsip_uri_cmp differ
/// from itself; an unquoted display with a quote printed unparsable; a
/// `%25` was decoded twice).
#[test]
fn print_parse_and_compare_are_consistent() {
    let pool = Pool::new();
    unsafe {
        let c = |s: &str| {
            let mut t = s.to_string();
            pjsip_parse_uri(pool.0, t.as_mut_ptr() as *mut c_char, t.len(), 0) as *const c_void
        };
        for s in ["sip:h;a=1;a=2", "sip:h?x=1&x=2", "a\"b <sip:h>", "sip:h;p=%2541", "tel:1;a=1;a=2"] {
            let u = c(s);
            assert!(!u.is_null(), "{s}");
            assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, u, u), 0, "{s}");
            let clone = uri_clone(pool.0, u);
            assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, u, clone), 0, "{s}");
            let printed = String::from_utf8(print_uri_c(PJSIP_URI_IN_OTHER, u).unwrap()).unwrap();
            let again = c(&printed);
            assert!(!again.is_null(), "{s} printed as {printed}");
            assert_eq!(uri_cmp_c(PJSIP_URI_IN_OTHER, u, again), 0, "{s} printed as {printed}");
        }
    }
}

#[test]
fn parse_uri_options() {
    let pool = Pool::new();
    unsafe {
        let p = |s: &str, o| {
            let mut t = s.to_string();
            pjsip_parse_uri(pool.0, t.as_mut_ptr() as *mut c_char, t.len(), o)
        };
        assert_eq!(uri_kind(p("sip:a@b", 0) as *const c_void), UriKind::Sip);
        assert_eq!(uri_kind(p("sips:a@b", 0) as *const c_void), UriKind::Sips);
        assert_eq!(uri_kind(p("<sip:a@b>", 0) as *const c_void), UriKind::NameAddr);
        assert_eq!(uri_kind(p("Alice <sip:a@b>", 0) as *const c_void), UriKind::NameAddr);
        assert_eq!(
            uri_kind(p("sip:a@b", PJSIP_PARSE_URI_AS_NAMEADDR) as *const c_void),
            UriKind::NameAddr
        );
        assert_eq!(uri_kind(p("tel:+1", 0) as *const c_void), UriKind::Tel);
        assert_eq!(uri_kind(p("x-foo:bar", 0) as *const c_void), UriKind::Other);
        assert!(p("sip:a@b;lr", PJSIP_PARSE_URI_IN_FROM_TO_HDR).is_null());
        assert!(!p("sip:a@b", PJSIP_PARSE_URI_IN_FROM_TO_HDR).is_null());
        assert!(!p("<sip:a@b;lr>", PJSIP_PARSE_URI_IN_FROM_TO_HDR).is_null());
        assert!(p("sip:a@b junk", 0).is_null());
        assert!(p("", 0).is_null());
        assert!(pjsip_parse_uri(null_mut(), c"sip:a".as_ptr() as *mut c_char, 5, 0).is_null());
        assert!(pjsip_parse_uri(pool.0, null_mut(), 5, 0).is_null());
        let u = p("sip:a@b;lr", 0) as *const pjsip_sip_uri;
        assert_eq!((*u).lr_param, 1);
        assert_eq!((*u).ttl_param, -1);
    }
}

#[test]
fn contact_round_trip_and_print() {
    let pool = Pool::new();
    let values = [
        "<sip:alice@192.168.0.2:5060;transport=udp;ob>;expires=300;q=0.5;+sip.instance=\"<urn:uuid:1>\"",
        "\"Alice Smith\" <sip:alice@10.0.0.1>",
        "<sip:a@b>;q=1",
        "<sip:a@b>;q=0.05",
        "*",
    ];
    unsafe {
        for v in values {
            let c = sip::parse_contact_list(v).unwrap().remove(0);
            let h = contact_to_c(pool.0, &c);
            assert!(!h.is_null());
            let mut expect = String::from("Contact: ");
            sip::print_contact(&c, &mut expect);
            assert_eq!(print_hdr_vt(h as *const c_void), expect, "{v}");
            assert_eq!(contact_from_c(h), Some(c.clone()));
            assert_eq!((*h).r#type, PJSIP_H_CONTACT);
            assert_eq!(bytes(&(*h).sname), b"m");
        }
        // A bare URI in a Contact object prints without brackets, as pjsip.
        let h = pjsip_contact_hdr_create(pool.0);
        assert_eq!((*h).expires, EXPIRES_NOT_SPECIFIED);
        (*h).uri = uri_to_c(pool.0, &sip::parse_uri("sip:x@y;transport=tcp").unwrap());
        (*h).q1000 = 700;
        (*h).expires = 60;
        assert_eq!(
            print_hdr_vt(h as *const c_void),
            "Contact: sip:x@y;transport=tcp;q=0.7;expires=60"
        );
    }
}

#[test]
fn fromto_route_via_cseq_cid() {
    let pool = Pool::new();
    unsafe {
        let f = sip::parse_fromto("\"A\" <sip:alice@example.com:5070;transport=tcp>;tag=abc;x=1").unwrap();
        let h = fromto_to_c(pool.0, false, &f);
        let mut e = String::from("From: ");
        sip::print_fromto(&f, &mut e);
        assert_eq!(print_hdr_vt(h as *const c_void), e);
        assert_eq!(
            print_hdr_vt(h as *const c_void),
            "From: \"A\" <sip:alice@example.com>;tag=abc;x=1"
        );
        assert_eq!(fromto_from_c(h), Some(f.clone()));
        let t = fromto_to_c(pool.0, true, &f);
        assert!(print_hdr_vt(t as *const c_void).starts_with("To: "));

        let r = sip::parse_route_list("<sip:proxy.example.com;lr;ttl=3>;foo=bar")
            .unwrap()
            .remove(0);
        let h = route_to_c(pool.0, false, &r);
        let mut e = String::from("Route: ");
        sip::print_route(&r, &mut e);
        assert_eq!(print_hdr_vt(h as *const c_void), e);
        assert_eq!(route_from_c(h), Some(r.clone()));

        let v = sip::parse_via_list("SIP/2.0/udp 10.0.0.1:5060;rport;branch=z9hG4bK1;received=1.2.3.4;x (comment)")
            .unwrap()
            .remove(0);
        let h = via_to_c(pool.0, &v);
        let mut e = String::from("Via: ");
        sip::print_via(&v, &mut e);
        assert_eq!(print_hdr_vt(h as *const c_void), e);
        assert_eq!(via_from_c(h), Some(v.clone()));

        let c = sip::parse_cseq("7 register").unwrap();
        let h = cseq_to_c(pool.0, &c);
        assert_eq!((*h).method.id, PJSIP_REGISTER_METHOD);
        assert_eq!(print_hdr_vt(h as *const c_void), "CSeq: 7 REGISTER");
        let c2 = sip::parse_cseq("8 FOO").unwrap();
        let h2 = cseq_to_c(pool.0, &c2);
        assert_eq!((*h2).method.id, PJSIP_OTHER_METHOD);
        assert_eq!(cseq_from_c(h2), Some(c2));

        let h = cid_to_c(pool.0, "abc@host");
        assert_eq!(print_hdr_vt(h as *const c_void), "Call-ID: abc@host");
        assert_eq!(cid_from_c(h).as_deref(), Some("abc@host"));
    }
}

#[test]
fn simple_headers() {
    let pool = Pool::new();
    unsafe {
        let e = int_hdr_to_c(pool.0, HdrKind::Expires, 300);
        assert_eq!(print_hdr_vt(e as *const c_void), "Expires: 300");
        (*e).ivalue = 60;
        assert_eq!(expires_from_c(e), Some(60));
        let m = pjsip_max_fwd_hdr_create(pool.0, 70);
        assert_eq!(print_hdr_vt(m as *const c_void), "Max-Forwards: 70");
        let a = array_hdr_to_c(pool.0, HdrKind::Allow, &["INVITE", "ACK", "REGISTER"]);
        assert_eq!(print_hdr_vt(a as *const c_void), "Allow: INVITE, ACK, REGISTER");
        assert_eq!(
            array_hdr_from_c(a),
            Some(vec!["INVITE".into(), "ACK".into(), "REGISTER".into()])
        );
        let c = clen_to_c(pool.0, 12);
        assert_eq!(print_hdr_vt(c as *const c_void), "Content-Length: 12");
        let ct = ctype_to_c(pool.0, "application/sdp;charset=utf-8");
        assert_eq!(
            print_hdr_vt(ct as *const c_void),
            "Content-Type: application/sdp;charset=utf-8"
        );
        let ra = retry_after_to_c(pool.0, "120 (I'm in a meeting);duration=60");
        assert_eq!(
            print_hdr_vt(ra as *const c_void),
            "Retry-After: 120(I'm in a meeting) ;duration=60"
        );
        let g = generic_string_to_c(pool.0, "User-Agent", "pjregc/1.0");
        assert_eq!(print_hdr_vt(g as *const c_void), "User-Agent: pjregc/1.0");
        assert_eq!((*g).r#type, PJSIP_H_OTHER);
        assert_eq!(bytes(&(*g).sname), b"User-Agent");
    }
}

#[test]
fn auth_headers_print_as_pjsip() {
    let pool = Pool::new();
    unsafe {
        let v = "Digest username=\"alice\", realm=\"biloxi.com\", nonce=\"dcd98b\", uri=\"sip:biloxi.com\", \
                 response=\"6629fae4\", algorithm=MD5, cnonce=\"0a4f113b\", opaque=\"5ccc\", qop=auth, nc=00000001";
        let h = auth_hdr_to_c(pool.0, HdrKind::Authorization, v);
        assert!(!h.is_null());
        assert_eq!(print_hdr_vt(h as *const c_void), format!("Authorization: {v}"));
        let c = &*(addr_of!((*(h as *const pjsip_authorization_hdr)).credential) as *const pjsip_digest_credential);
        assert_eq!(bytes(&c.username), b"alice");
        assert_eq!(bytes(&c.nc), b"00000001");
        // initial_auth style: empty nonce and response still print quoted.
        let h = auth_hdr_to_c(
            pool.0,
            HdrKind::ProxyAuthorization,
            "Digest username=\"a\", realm=\"r\", uri=\"sip:x\"",
        );
        assert_eq!(
            print_hdr_vt(h as *const c_void),
            "Proxy-Authorization: Digest username=\"a\", realm=\"r\", nonce=\"\", uri=\"sip:x\", response=\"\""
        );
        let w = auth_hdr_to_c(
            pool.0,
            HdrKind::WwwAuthenticate,
            "Digest realm=\"atlanta.com\", domain=\"sip:boxesbybob.com\", qop=\"auth\", nonce=\"f84f1cec\", opaque=\"\", stale=FALSE, algorithm=MD5",
        );
        assert_eq!(
            print_hdr_vt(w as *const c_void),
            "WWW-Authenticate: Digest realm=\"atlanta.com\",domain=\"sip:boxesbybob.com\",nonce=\"f84f1cec\",algorithm=MD5,qop=\"auth\""
        );
        assert!(auth_hdr_to_c(pool.0, HdrKind::Authorization, "Basic abc").is_null());
        let cl = pjsip_hdr_clone(pool.0, w as *const c_void);
        assert_eq!(print_hdr_vt(cl), print_hdr_vt(w as *const c_void));
    }
}

#[test]
fn clones_print_the_same() {
    let pool = Pool::new();
    let dst = Pool::new();
    let lines = [
        ("Contact", "\"x\" <sip:a@b:5060>;q=0.2;expires=30;foo"),
        ("From", "<sip:a@b>;tag=1"),
        ("Route", "<sip:p1;lr>"),
        ("Record-Route", "<sip:p2;lr>"),
        ("Via", "SIP/2.0/TCP h:1;rport=5;branch=z9hG4bKx"),
        ("CSeq", "1 INVITE"),
        ("Call-ID", "xyz"),
        ("Max-Forwards", "70"),
        ("Allow", "A, B"),
        ("Content-Type", "text/plain"),
        ("Content-Length", "0"),
        ("Retry-After", "5"),
        ("X-Foo", "bar baz"),
        (
            "Authorization",
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"r\"",
        ),
    ];
    unsafe {
        for (n, v) in lines {
            let h = header_to_c(pool.0, n, v);
            assert!(!h.is_null(), "{n}");
            let text = print_hdr_vt(h as *const c_void);
            assert_eq!(text, format!("{n}: {v}"), "{n}");
            let c = pjsip_hdr_clone(dst.0, h as *const c_void);
            assert_eq!(print_hdr_vt(c), text, "{n}");
            let s = pjsip_hdr_shallow_clone(dst.0, h as *const c_void);
            assert_eq!(print_hdr_vt(s), text, "{n}");
        }
        // A cloned integer header keeps its type.
        let e = pjsip_expires_hdr_create(pool.0, 5);
        let c = pjsip_hdr_clone(pool.0, e as *const c_void) as *mut pjsip_hdr;
        assert_eq!((*c).r#type, PJSIP_H_EXPIRES);
        assert_eq!(print_hdr_vt(c as *const c_void), "Expires: 5");
    }
}

#[test]
fn parse_hdr_lists_and_names() {
    let pool = Pool::new();
    unsafe {
        let ph = |name: &str, value: &str| {
            let mut v = value.to_string();
            let n = pj(name);
            let mut used = 0;
            let h = pjsip_parse_hdr(pool.0, &n, v.as_mut_ptr() as *mut c_char, v.len(), &mut used);
            (h as *mut pjsip_hdr, used)
        };
        let (h, used) = ph("m", "<sip:a@b>;expires=10, <sip:c@d>, sip:e@f\r\nVia: x");
        assert!(!h.is_null());
        assert_eq!(used, "<sip:a@b>;expires=10, <sip:c@d>, sip:e@f\r\n".len() as c_int);
        let ring = ring_nodes(h);
        assert_eq!(ring.len(), 3);
        assert_eq!((*h).r#type, PJSIP_H_CONTACT);
        assert_eq!(bytes(&(*h).name), b"Contact");
        assert_eq!(print_hdr_vt(ring[2] as *const c_void), "Contact: <sip:e@f>");
        let (h, _) = ph("CONTACT", "*");
        assert_eq!((*(h as *mut pjsip_contact_hdr)).star, 1);
        let (h, _) = ph("X-Custom", "  hello world");
        assert_eq!((*h).r#type, PJSIP_H_OTHER);
        assert_eq!(print_hdr_vt(h as *const c_void), "X-Custom: hello world");
        let (h, _) = ph("Expires", "abc");
        assert!(h.is_null());
        let (h, _) = ph("v", "SIP/2.0/UDP a;branch=1,\r\n SIP/2.0/TCP b");
        assert_eq!(ring_nodes(h).len(), 2);
        let (h, _) = ph("t", "<sip:bob@b>;tag=9");
        assert_eq!((*h).r#type, PJSIP_H_TO);
        let (h, _) = ph("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n\"");
        assert_eq!((*h).r#type, PJSIP_H_WWW_AUTHENTICATE);

        // pjsip_parse_headers appends every header (and skips bad ones).
        let list = alloc::<pjsip_hdr>(pool.0).unwrap();
        list_init(list);
        let mut text = "Route: <sip:a;lr>, <sip:b;lr>\r\nExpires: x\r\nSubject: hi\r\n\r\nignored: yes".to_string();
        let st = pjsip_parse_headers(pool.0, text.as_mut_ptr() as *mut c_char, text.len(), list, 0);
        assert_eq!(st, 0);
        let names: Vec<String> = list_nodes(list)
            .into_iter()
            .map(|h| hdr_to_text(h).unwrap().0)
            .collect();
        assert_eq!(names, ["Route", "Route", "Subject"]);
        let st = pjsip_parse_headers(pool.0, text.as_mut_ptr() as *mut c_char, text.len(), list, 1);
        assert_eq!(st, crate::status::PJSIP_EINVALIDHDR);
    }
}

const REG_200: &str = "SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.168.0.2:5060;rport=5060;received=1.2.3.4;branch=z9hG4bKPj1\r\n\
Call-ID: abc@host\r\n\
From: <sip:alice@example.com>;tag=f1\r\n\
To: <sip:alice@example.com>;tag=t1\r\n\
CSeq: 2 REGISTER\r\n\
Contact: <sip:alice@192.168.0.2:5060>;expires=300, <sip:alice@10.0.0.1>;expires=60\r\n\
Supported: a\r\n\
Supported: b, c\r\n\
Expires: 300\r\n\
Content-Type: text/plain\r\n\
Content-Length: 5\r\n\r\nhello";

#[test]
fn message_to_c_and_back() {
    let pool = Pool::new();
    unsafe {
        let m = sip::parse_message(REG_200.as_bytes()).unwrap();
        // Sent as given: the two Supported lines stay two headers.
        let tx = msg_to_c(pool.0, &m);
        let s1 = pjsip_msg_find_hdr(tx, PJSIP_H_SUPPORTED, null()) as *mut pjsip_hdr;
        assert!(!pjsip_msg_find_hdr(tx, PJSIP_H_SUPPORTED, (*s1).next as *const c_void).is_null());
        let c = rx_msg_to_c(pool.0, &m);
        assert!(!c.is_null());
        assert_eq!((*c).r#type, PJSIP_RESPONSE_MSG);
        assert_eq!((*c).line.status.code, 200);
        // Contacts are one header each; the two Supported lines are one.
        let first = pjsip_msg_find_hdr(c, PJSIP_H_CONTACT, null()) as *mut pjsip_contact_hdr;
        assert_eq!((*first).expires, 300);
        let second = pjsip_msg_find_hdr(c, PJSIP_H_CONTACT, (*first).next as *const c_void) as *mut pjsip_contact_hdr;
        assert_eq!((*second).expires, 60);
        let sup = pjsip_msg_find_hdr(c, PJSIP_H_SUPPORTED, null()) as *mut pjsip_generic_array_hdr;
        assert_eq!((*sup).count, 3);
        assert!(pjsip_msg_find_hdr(c, PJSIP_H_SUPPORTED, (*sup).next as *const c_void).is_null());
        assert!(!(*c).body.is_null());
        assert_eq!((*(*c).body).len, 5);

        let mut info: pjsip_rx_data_msg_info = core::mem::zeroed();
        fill_rdata_msg_info(&mut info, c);
        assert_eq!(cid_from_c(info.cid).as_deref(), Some("abc@host"));
        assert_eq!(cseq_from_c(info.cseq).map(|c| c.seq), Some(2));

        let printed = msg_print(c).unwrap();
        let text = String::from_utf8(printed).unwrap();
        assert!(text.starts_with(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.168.0.2:5060;rport=5060;received=1.2.3.4;branch=z9hG4bKPj1\r\n"
        ));
        assert!(text.contains(
            "Contact: <sip:alice@192.168.0.2:5060>;expires=300\r\nContact: <sip:alice@10.0.0.1>;expires=60\r\n"
        ));
        assert!(text.contains("Supported: a, b, c\r\n"));
        // pjsip prints the Content-Length header it holds and adds its own.
        assert!(text.ends_with("Content-Length: 5\r\nContent-Type: text/plain\r\nContent-Length:    5\r\n\r\nhello"));

        let back = msg_from_c(c).unwrap();
        assert_eq!(back.start, m.start);
        assert_eq!(back.body, b"hello");
        assert_eq!(back.contacts().unwrap(), m.contacts().unwrap());
        assert_eq!(back.expires(), Some(300));

        let mut buf = vec![0 as c_char; 100];
        assert_eq!(pjsip_msg_print(c, buf.as_mut_ptr(), buf.len()), -1);
    }
}

#[test]
fn edited_request_round_trips() {
    let pool = Pool::new();
    unsafe {
        let req = "REGISTER sip:example.com SIP/2.0\r\n\
Max-Forwards: 70\r\n\
From: <sip:alice@example.com>;tag=1\r\n\
To: <sip:alice@example.com>\r\n\
Call-ID: c1\r\n\
CSeq: 1 REGISTER\r\n\
Contact: <sip:alice@10.0.0.1:5060>\r\n\
Expires: 300\r\n\
Content-Length: 0\r\n\r\n";
        let m = sip::parse_message(req.as_bytes()).unwrap();
        // A tdata's message has no Content-Length object: pjsip prints it.
        let mut m2 = m.clone();
        m2.headers.retain(|h| h.kind != HdrKind::ContentLength);
        let c = msg_to_c(pool.0, &m2);
        assert_eq!(
            String::from_utf8(msg_print(c).unwrap()).unwrap(),
            req.replace("Content-Length: 0", "Content-Length:  0")
        );

        // C code edits: change Expires, drop Max-Forwards, add a header.
        let e = pjsip_msg_find_hdr(c, PJSIP_H_EXPIRES, null()) as *mut pjsip_generic_int_hdr;
        (*e).ivalue = 60;
        let mf = pjsip_msg_find_remove_hdr(c, PJSIP_H_MAX_FORWARDS, null_mut()) as *mut pjsip_hdr;
        assert_eq!((*mf).next, mf);
        let (n, v) = (pj("X-Test"), pj("1"));
        let g = pjsip_generic_string_hdr_create(pool.0, &n, &v);
        list_insert_before(addr_of_mut!((*c).hdr), g);
        let back = msg_from_c(c).unwrap();
        let names: Vec<&str> = back.headers.iter().map(|h| &*h.name).collect();
        assert_eq!(names, ["From", "To", "Call-ID", "CSeq", "Contact", "Expires", "X-Test"]);
        assert_eq!(back.expires(), Some(60));
        let typed: Vec<CHeader> = list_nodes(addr_of!((*c).hdr))
            .into_iter()
            .filter_map(|h| hdr_from_c(h))
            .collect();
        assert!(typed.contains(&CHeader::Expires(60)));
        assert!(typed.contains(&CHeader::Other {
            name: "X-Test".into(),
            value: "1".into()
        }));
        assert!(typed.contains(&CHeader::CallId("c1".into())));

        // A Route with pjsip's `hide` parameter is not printed.
        let r = header_to_c(pool.0, "Route", "<sip:p;lr;hide>");
        list_insert_before(addr_of_mut!((*c).hdr), r);
        assert!(hdr_from_c(r).is_none());
        assert!(!String::from_utf8(msg_print(c).unwrap()).unwrap().contains("Route"));

        // Whole message clone prints the same.
        let cl = pjsip_msg_clone(pool.0, c);
        assert_eq!(msg_print(cl).unwrap(), msg_print(c).unwrap());
    }
}

// A header type made by C code, with its own vtable.
#[repr(C)]
struct CustomHdr {
    base: pjsip_hdr,
    n: c_int,
}

unsafe extern "C" fn custom_print(h: *mut c_void, buf: *mut c_char, len: usize) -> c_int {
    let text = format!("X-Count: {}", (*(h as *mut CustomHdr)).n);
    emit(text.as_bytes(), buf, len)
}

static CUSTOM_VPTR: pjsip_hdr_vptr = pjsip_hdr_vptr {
    clone: None,
    shallow_clone: None,
    print_on: Some(custom_print),
};

#[test]
fn foreign_header_and_foreign_uri() {
    let pool = Pool::new();
    unsafe {
        let h = alloc::<CustomHdr>(pool.0).unwrap();
        list_init(h);
        (*h).base.r#type = PJSIP_H_OTHER;
        (*h).base.name = pj("X-Count");
        (*h).base.vptr = &CUSTOM_VPTR as *const _ as *mut _;
        (*h).n = 42;
        assert_eq!(
            hdr_to_text(h as *const pjsip_hdr),
            Some(("X-Count".into(), "42".into()))
        );
        assert_eq!(
            hdr_from_c(h as *const pjsip_hdr),
            Some(CHeader::Other {
                name: "X-Count".into(),
                value: "42".into()
            })
        );
        assert!(pjsip_hdr_clone(pool.0, h as *const c_void).is_null());
        let mut none: pjsip_hdr = core::mem::zeroed();
        assert_eq!(
            pjsip_hdr_print_on(&mut none as *mut _ as *mut c_void, null_mut(), 0),
            -2
        );
    }
}

#[test]
fn status_texts_and_methods() {
    unsafe {
        assert_eq!(bytes(&*pjsip_get_status_text(200)), b"OK");
        assert_eq!(bytes(&*pjsip_get_status_text(423)), b"Interval Too Brief");
        assert_eq!(bytes(&*pjsip_get_status_text(99)), b"Default status message");
        assert_eq!(bytes(&*pjsip_get_status_text(710)), b"Default status message");
        assert_eq!(bytes(&*pjsip_get_status_text(299)), b"Default status message");
        assert_eq!(*(*pjsip_get_status_text(200)).ptr.add(2), 0);
        let r = &*pjsip_get_register_method();
        assert_eq!(r.id, PJSIP_REGISTER_METHOD);
        assert_eq!(bytes(&r.name), b"REGISTER");
        let mut m: pjsip_method = core::mem::zeroed();
        pjsip_method_set(&mut m, PJSIP_BYE_METHOD);
        assert_eq!(bytes(&m.name), b"BYE");
        let mut s = pj("options");
        pjsip_method_init_np(&mut m, &mut s);
        assert_eq!(m.id, PJSIP_OPTIONS_METHOD);
        let mut s = pj("PUBLISH");
        pjsip_method_init_np(&mut m, &mut s);
        assert_eq!(m.id, PJSIP_OTHER_METHOD);
        assert_eq!(pjsip_method_cmp(&m, &pjsip_invite_method), 1);
    }
}

#[test]
fn null_arguments() {
    unsafe {
        assert!(pjsip_hdr_clone(null_mut(), null()).is_null());
        assert_eq!(pjsip_hdr_print_on(null_mut(), null_mut(), 0), -1);
        assert!(pjsip_msg_find_hdr(null(), PJSIP_H_VIA, null()).is_null());
        assert!(pjsip_parse_hdr(null_mut(), null(), null_mut(), 0, null_mut()).is_null());
        assert_eq!(
            pjsip_parse_headers(null_mut(), null_mut(), 0, null_mut(), 0),
            crate::status::PJ_EINVAL
        );
        assert_eq!(pjsip_msg_print(null(), null_mut(), 0), -1);
        assert!(pjsip_contact_hdr_create(null_mut()).is_null());
        assert!(pjsip_param_find(null(), null()).is_null());
        assert!(uri_from_c(null()).is_none());
        assert!(hdr_from_c(null()).is_none());
        assert!(msg_from_c(null()).is_none());
    }
}

#[test]
fn zero_filled_lists_read_as_empty() {
    let pool = Pool::new();
    unsafe {
        // C code may build a header with calloc-like memory and no list init.
        let h = alloc::<pjsip_contact_hdr>(pool.0).unwrap();
        init_hdr(h, PJSIP_H_CONTACT, &CONTACT_VPTR);
        (*h).uri = uri_to_c(pool.0, &sip::parse_uri("sip:a@b").unwrap());
        (*h).expires = EXPIRES_NOT_SPECIFIED;
        assert_eq!(print_hdr_vt(h as *const c_void), "Contact: sip:a@b");
        let _ = Message::clone;
    }
}
