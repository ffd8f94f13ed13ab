//! Serialising a REGISTER for the wire, in pjsip's format.

use super::request::{OutHeader, Request};
use crate::sip::{print_contact, print_fromto, print_route, print_uri, print_via, UriContext, Via};
use std::fmt::Write;

/// "Name: value" of one header.
pub fn print_header(h: &OutHeader, out: &mut String) {
    match h {
        OutHeader::Route(r) => {
            out.push_str("Route: ");
            print_route(r, out);
        }
        OutHeader::MaxForwards(v) => {
            let _ = write!(out, "Max-Forwards: {v}");
        }
        OutHeader::From(f) => {
            out.push_str("From: ");
            print_fromto(f, out);
        }
        OutHeader::To(t) => {
            out.push_str("To: ");
            print_fromto(t, out);
        }
        OutHeader::CallId(id) => {
            let _ = write!(out, "Call-ID: {id}");
        }
        OutHeader::CSeq(c) => {
            let _ = write!(out, "CSeq: {} {}", c.seq, c.method);
        }
        OutHeader::Contact(c) => {
            out.push_str("Contact: ");
            print_contact(c, out);
        }
        OutHeader::Expires(v) => {
            let _ = write!(out, "Expires: {v}");
        }
        OutHeader::Allow(methods) => {
            out.push_str("Allow: ");
            out.push_str(&methods.join(", "));
        }
        OutHeader::Auth(a) => {
            out.push_str(a.name());
            out.push_str(": ");
            out.push_str(&a.value);
        }
        OutHeader::Other { name, value } => {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
        }
    }
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
