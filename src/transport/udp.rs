//! One non-blocking UDP socket per transport, shared by every registration.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, RawFd};

/// Receive buffer asked of the kernel, so that responses to hundreds of
/// registrations in flight are not dropped while the loop is busy.
const RECV_BUFFER_BYTES: libc::c_int = 4 * 1024 * 1024;

/// A bound UDP socket.
pub struct UdpTransport {
    socket: UdpSocket,
    local: SocketAddr,
    /// The host and port written in Via sent-by and offered to Contacts.
    published_host: String,
    published_port: u16,
}

impl UdpTransport {
    /// Binds `addr` (port 0 picks one). `published` overrides the address
    /// announced in Via; by default it is the bound address, or the
    /// address of the default interface when bound to the wildcard.
    pub fn bind(addr: SocketAddr, published: Option<(String, u16)>) -> io::Result<Self> {
        let socket = UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        set_recv_buffer(&socket);
        let local = socket.local_addr()?;
        let (published_host, published_port) = match published {
            Some((h, p)) => (h, if p == 0 { local.port() } else { p }),
            None => (default_host(local.ip()).to_string(), local.port()),
        };
        Ok(UdpTransport { socket, local, published_host, published_port })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Host and port announced in Via and Contacts.
    pub fn published(&self) -> (&str, u16) {
        (&self.published_host, self.published_port)
    }

    /// Bound to an IPv6 address.
    pub fn is_ipv6(&self) -> bool {
        self.local.is_ipv6()
    }

    /// Sends one datagram.
    pub fn send_to(&self, buf: &[u8], dest: SocketAddr) -> io::Result<usize> {
        self.socket.send_to(buf, dest)
    }

    /// Receives one datagram, if one is waiting.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.recv_from(buf)
    }

    /// The socket, for polling.
    pub fn raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

fn set_recv_buffer(socket: &UdpSocket) {
    let size = RECV_BUFFER_BYTES;
    // Best effort: the kernel caps it at rmem_max, which is fine.
    // SAFETY: a valid socket fd and a pointer to a c_int of the stated size.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// The address to publish for a socket bound to `ip`: `ip` itself, or for
/// the wildcard the address of the interface that routes to the outside.
pub fn default_host(ip: IpAddr) -> IpAddr {
    if !ip.is_unspecified() {
        return ip;
    }
    // Connecting a UDP socket sends nothing; it only asks the kernel which
    // local address routes to a public one.
    let probe = |bind: SocketAddr, to: SocketAddr| -> Option<IpAddr> {
        let s = UdpSocket::bind(bind).ok()?;
        s.connect(to).ok()?;
        s.local_addr().ok().map(|a| a.ip())
    };
    match ip {
        IpAddr::V4(_) => probe(SocketAddr::from(([0, 0, 0, 0], 0)), SocketAddr::from(([192, 0, 2, 1], 5060)))
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        IpAddr::V6(_) => probe(SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0)), SocketAddr::from((std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 5060)))
            .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_round_trip() {
        let a = UdpTransport::bind("127.0.0.1:0".parse().expect("addr"), None).expect("bind");
        let b = UdpTransport::bind("127.0.0.1:0".parse().expect("addr"), Some(("example.org".into(), 0))).expect("bind");
        assert_eq!(a.published(), ("127.0.0.1", a.local_addr().port()));
        assert_eq!(b.published(), ("example.org", b.local_addr().port()));
        a.send_to(b"ping", b.local_addr()).expect("send");
        let mut buf = [0u8; 16];
        let mut got = None;
        for _ in 0..100 {
            match b.recv_from(&mut buf) {
                Ok(r) => {
                    got = Some(r);
                    break;
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        }
        let (n, from) = got.expect("datagram arrives");
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from, a.local_addr());
    }
}
