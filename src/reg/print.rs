//! Serialising a REGISTER for the wire, in pjsip's format.

use super::request::{OutHeader, Request};
use crate::sip::{print_contact, print_fromto, print_route, print_uri, print_via, HdrKind, UriContext, Via};
use std::fmt::Write;

/// Name, kind and printed value of one header.
pub fn header_parts(h: &OutHeader) -> (String, HdrKind, String) {
    let mut v = String::new();
    let (name, kind) = match h {
        OutHeader::Route(r) => {
            print_route(r, &mut v);
            ("Route", HdrKind::Route)
        }
        OutHeader::MaxForwards(n) => {
            let _ = write!(v, "{n}");
            ("Max-Forwards", HdrKind::MaxForwards)
        }
        OutHeader::From(f) => {
            print_fromto(f, &mut v);
            ("From", HdrKind::From)
        }
        OutHeader::To(t) => {
            print_fromto(t, &mut v);
            ("To", HdrKind::To)
        }
        OutHeader::CallId(id) => {
            v.push_str(id);
            ("Call-ID", HdrKind::CallId)
        }
        OutHeader::CSeq(c) => {
            let _ = write!(v, "{} {}", c.seq, c.method);
            ("CSeq", HdrKind::CSeq)
        }
        OutHeader::Contact(c) => {
            print_contact(c, &mut v);
            ("Contact", HdrKind::Contact)
        }
        OutHeader::Expires(n) => {
            let _ = write!(v, "{n}");
            ("Expires", HdrKind::Expires)
        }
        OutHeader::Allow(methods) => {
            v.push_str(&methods.join(", "));
            ("Allow", HdrKind::Allow)
        }
        OutHeader::Auth(a) => {
            v.push_str(&a.value);
            let kind = if a.is_proxy { HdrKind::ProxyAuthorization } else { HdrKind::Authorization };
            (a.name(), kind)
        }
        OutHeader::Other { name, value } => {
            v.push_str(value);
            return (name.clone(), crate::sip::hdr_kind(name), v);
        }
    };
    (name.to_string(), kind, v)
}

/// "Name: value" of one header.
pub fn print_header(h: &OutHeader, out: &mut String) {
    let (name, _, value) = header_parts(h);
    out.push_str(&name);
    out.push_str(": ");
    out.push_str(&value);
}

/// The whole request with `via` first and Content-Length last.
pub fn print_request(req: &Request, via: &Via) -> Vec<u8> {
    let mut out = String::with_capacity(512);
    out.push_str(&req.method);
    out.push(' ');
    print_uri(&req.uri, UriContext::ReqUri, &mut out);
    out.push_str(" SIP/2.0\r\nVia: ");
    print_via(via, &mut out);
    out.push_str("\r\n");
    for h in &req.headers {
        print_header(h, &mut out);
        out.push_str("\r\n");
    }
    if req.body.is_empty() {
        out.push_str("Content-Length:  0\r\n\r\n");
        out.into_bytes()
    } else {
        let _ = write!(out, "Content-Length: {:>4}\r\n\r\n", req.body.len());
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&req.body);
        bytes
    }
}
