//! Serialising a REGISTER for the wire, in pjsip's format.

use super::request::{OutHeader, Request};
use crate::sip::print::push_u32;
use crate::sip::{print_contact, print_fromto, print_route, print_uri, print_via, HdrKind, UriContext, Via};
use std::fmt::Write;

/// Name and kind of one header.
pub fn header_name(h: &OutHeader) -> (&str, HdrKind) {
    match h {
        OutHeader::Route(_) => ("Route", HdrKind::Route),
        OutHeader::MaxForwards(_) => ("Max-Forwards", HdrKind::MaxForwards),
        OutHeader::From(_) => ("From", HdrKind::From),
        OutHeader::To(_) => ("To", HdrKind::To),
        OutHeader::CallId(_) => ("Call-ID", HdrKind::CallId),
        OutHeader::CSeq(_) => ("CSeq", HdrKind::CSeq),
        OutHeader::Contact(_) => ("Contact", HdrKind::Contact),
        OutHeader::Expires(_) => ("Expires", HdrKind::Expires),
        OutHeader::Allow(_) => ("Allow", HdrKind::Allow),
        OutHeader::Auth(a) => (a.name(), if a.is_proxy { HdrKind::ProxyAuthorization } else { HdrKind::Authorization }),
        OutHeader::Other { name, .. } => (name, crate::sip::hdr_kind(name)),
    }
}

/// Appends the value of one header to `out`.
pub fn print_header_value(h: &OutHeader, out: &mut String) {
    match h {
        OutHeader::Route(r) => print_route(r, out),
        OutHeader::MaxForwards(n) | OutHeader::Expires(n) => push_u32(out, *n),
        OutHeader::From(f) | OutHeader::To(f) => print_fromto(f, out),
        OutHeader::CallId(id) => out.push_str(id),
        OutHeader::CSeq(c) => {
            push_u32(out, c.seq);
            out.push(' ');
            out.push_str(&c.method);
        }
        OutHeader::Contact(c) => print_contact(c, out),
        OutHeader::Allow(methods) => {
            for (i, m) in methods.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(m);
            }
        }
        OutHeader::Auth(a) => out.push_str(&a.value),
        OutHeader::Other { value, .. } => out.push_str(value),
    }
}

/// "Name: value" of one header.
pub fn print_header(h: &OutHeader, out: &mut String) {
    let name = match h {
        OutHeader::Other { name, .. } => name.as_str(),
        _ => header_name(h).0,
    };
    out.push_str(name);
    out.push_str(": ");
    print_header_value(h, out);
}

/// The whole request with `via` first and Content-Length last.
pub fn print_request(req: &Request, via: &Via) -> Vec<u8> {
    PrintedRequest::new(req).with_via(via)
}

/// A request printed once but for its Via value, which the transport it
/// leaves by decides.
pub struct PrintedRequest {
    bytes: Vec<u8>,
    /// Where the Via value goes.
    via_at: usize,
}

impl PrintedRequest {
    /// Prints `req`, leaving the Via value out.
    pub fn new(req: &Request) -> Self {
        let mut out = String::with_capacity(512);
        out.push_str(&req.method);
        out.push(' ');
        print_uri(&req.uri, UriContext::ReqUri, &mut out);
        out.push_str(" SIP/2.0\r\nVia: ");
        let via_at = out.len();
        out.push_str("\r\n");
        for h in &req.headers {
            print_header(h, &mut out);
            out.push_str("\r\n");
        }
        let bytes = if req.body.is_empty() {
            out.push_str("Content-Length:  0\r\n\r\n");
            out.into_bytes()
        } else {
            let _ = write!(out, "Content-Length: {:>4}\r\n\r\n", req.body.len());
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&req.body);
            bytes
        };
        PrintedRequest { bytes, via_at }
    }

    /// Its size with `via`.
    pub fn len_with(&self, via: &Via) -> usize {
        let mut v = String::with_capacity(128);
        print_via(via, &mut v);
        self.bytes.len() + v.len()
    }

    /// The request as sent with `via`.
    pub fn with_via(&self, via: &Via) -> Vec<u8> {
        let mut v = String::with_capacity(128);
        print_via(via, &mut v);
        let mut out = Vec::with_capacity(self.bytes.len() + v.len());
        out.extend_from_slice(&self.bytes[..self.via_at]);
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(&self.bytes[self.via_at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_the_formatter_would() {
        for n in [0, 7, 10, 99, 100, 3600, 4_294_967_295] {
            let mut s = String::from("x");
            push_u32(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }
}
