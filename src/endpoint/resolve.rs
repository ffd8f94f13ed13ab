//! Where a request goes: the first Route, else the Request-URI; A/AAAA by
//! getaddrinfo, as pjsip does without a DNS resolver configured.

use super::SendFailure;
use crate::reg::Request;
use crate::sip::Uri;
use crate::status::*;
use std::net::{SocketAddr, ToSocketAddrs};

pub struct Target {
    pub addr: SocketAddr,
}

pub fn resolve_target(req: &Request) -> Result<Target, SendFailure> {
    let uri = req.first_route().map(|r| &r.uri.uri).unwrap_or(&req.uri);
    let Uri::Sip(sip) = uri else {
        return Err(unsupported());
    };
    let transport = sip.transport_param.as_deref().unwrap_or(if sip.secure { "tls" } else { "udp" });
    if !transport.eq_ignore_ascii_case("udp") {
        return Err(unsupported());
    }
    let port = if sip.port != 0 { sip.port } else { 5060 };
    let host = sip.maddr_param.as_deref().unwrap_or(&sip.host);
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut it| it.next())
        .ok_or_else(|| SendFailure { status: PJ_ERESOLVE, code: 502, reason: crate::status::text(PJ_ERESOLVE) })?;
    Ok(Target { addr })
}

fn unsupported() -> SendFailure {
    SendFailure { status: PJSIP_EUNSUPTRANSPORT, code: 503, reason: crate::status::text(PJSIP_EUNSUPTRANSPORT) }
}
