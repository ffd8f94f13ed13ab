//! Where a request goes: the first Route, else the Request-URI; which
//! transport (`;transport=` parameter, `sips:` meaning TLS, UDP otherwise),
//! which port (5060, or 5061 for TLS) and which address (A/AAAA by
//! getaddrinfo, as pjsip does without a DNS resolver configured; with one,
//! [`dns_target`] says what the endpoint must look up).

use super::SendFailure;
use crate::reg::Request;
use crate::sip::Uri;
use crate::status::*;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// The transport protocols a request can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Datagrams.
    Udp,
    /// TCP connections.
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl Kind {
    /// The name in a Via header and in `pjsip_transport.type_name`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Udp => "UDP",
            Kind::Tcp => "TCP",
            Kind::Tls => "TLS",
        }
    }

    /// Stream transports deliver in order and retransmit themselves.
    pub fn reliable(self) -> bool {
        self != Kind::Udp
    }

    /// From a `;transport=` value, case-insensitively.
    pub fn from_param(p: &str) -> Option<Kind> {
        if p.eq_ignore_ascii_case("udp") {
            Some(Kind::Udp)
        } else if p.eq_ignore_ascii_case("tcp") {
            Some(Kind::Tcp)
        } else if p.eq_ignore_ascii_case("tls") {
            Some(Kind::Tls)
        } else {
            None
        }
    }

    /// 5061 for TLS, 5060 otherwise (RFC 3261 19.1.2).
    pub fn default_port(self) -> u16 {
        if self == Kind::Tls {
            5061
        } else {
            5060
        }
    }
}

/// Which address family to prefer when a name has both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IpPref {
    /// Whatever the name resolves to first.
    #[default]
    Any,
    /// IPv4 addresses only.
    V4Only,
    /// IPv4 first, IPv6 when there is none.
    PreferV4,
    /// IPv6 first, IPv4 when there is none.
    PreferV6,
    /// IPv6 addresses only.
    V6Only,
}

/// Where and how a request goes.
pub struct Target {
    /// The resolved destination.
    pub addr: SocketAddr,
    /// The transport protocol to use.
    pub kind: Kind,
    /// The host as written in the URI (the name a TLS server must prove).
    pub host: String,
}

/// The destination of `req` (its first Route, else its Request-URI),
/// as RFC 3263 would choose it without DNS SRV/NAPTR.
pub fn resolve_target(req: &Request) -> Result<Target, SendFailure> {
    resolve_target_with(req, IpPref::Any)
}

/// The transport, explicit port (0 when none) and host (brackets
/// removed) of `req`'s destination.
fn destination(req: &Request) -> Result<(Kind, u16, String), SendFailure> {
    let uri = req.first_route().map(|r| &r.uri.uri).unwrap_or(&req.uri);
    let Uri::Sip(sip) = uri else {
        return Err(unsupported());
    };
    let kind = if sip.secure {
        Kind::Tls
    } else {
        match sip.transport_param.as_deref() {
            None => Kind::Udp,
            Some(p) => Kind::from_param(p).ok_or_else(unsupported)?,
        }
    };
    let host = sip.maddr_param.as_deref().unwrap_or(&sip.host);
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    Ok((kind, sip.port, bare.to_string()))
}

/// What a DNS resolver must look up for `req`: Ok(None) when its host is
/// an IP address; else the transport, the URI's port (if any) and the name.
pub fn dns_target(req: &Request) -> Result<Option<(Kind, Option<u16>, String)>, SendFailure> {
    let (kind, port, host) = destination(req)?;
    if host.parse::<IpAddr>().is_ok() {
        return Ok(None);
    }
    Ok(Some((kind, (port != 0).then_some(port), host)))
}

/// `resolve_target` with an address family preference.
pub fn resolve_target_with(req: &Request, pref: IpPref) -> Result<Target, SendFailure> {
    let (kind, port, bare) = destination(req)?;
    let port = if port != 0 { port } else { kind.default_port() };
    let addrs: Vec<SocketAddr> = (bare.as_str(), port).to_socket_addrs().map(|it| it.collect()).unwrap_or_default();
    let pick = |v6: bool| addrs.iter().find(|a| a.is_ipv6() == v6).copied();
    let addr = match pref {
        IpPref::Any => addrs.first().copied(),
        IpPref::V4Only => pick(false),
        IpPref::V6Only => pick(true),
        IpPref::PreferV4 => pick(false).or_else(|| pick(true)),
        IpPref::PreferV6 => pick(true).or_else(|| pick(false)),
    };
    let addr = addr.ok_or_else(|| SendFailure { status: PJ_ERESOLVE, code: 502, reason: crate::status::text(PJ_ERESOLVE) })?;
    Ok(Target { addr, kind, host: bare })
}

pub fn unsupported() -> SendFailure {
    SendFailure { status: PJSIP_EUNSUPTRANSPORT, code: 503, reason: crate::status::text(PJSIP_EUNSUPTRANSPORT) }
}
