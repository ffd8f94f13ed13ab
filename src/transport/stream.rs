//! Outgoing stream connections (TCP, and TLS over TCP) and the listening
//! sockets they belong to. Everything is non-blocking and driven by the
//! endpoint's poll loop: a connection reports the poll events it waits
//! for, and turns readiness into [`ConnEvent`]s. No thread per connection.

use super::framing::{Deframer, Frame, PING, PONG};
use super::tls::{error_status, TlsClient, VerifyHook, VerifyInfo};
use crate::status::{self, Status};
use rustls::pki_types::ServerName;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};

/// Bytes read from one connection per readiness event, so that one busy
/// peer cannot starve the others.
const READ_BUDGET: usize = 256 * 1024;
const READ_CHUNK: usize = 16 * 1024;

fn os_status(e: &io::Error) -> Status {
    status::from_os(e.raw_os_error().unwrap_or(libc::EIO))
}

fn would_block(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

/// A listening TCP socket. A registration client never serves requests,
/// so connections that arrive are accepted and closed at once; the socket
/// exists so that the listener's address and port are real, as in pjsip.
pub struct StreamListener {
    sock: Socket,
    local: SocketAddr,
}

impl StreamListener {
    /// Binds a TCP listener to `addr` (port 0 picks one).
    pub fn bind(addr: SocketAddr, reuse_addr: bool) -> io::Result<Self> {
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        if addr.is_ipv6() {
            let _ = sock.set_only_v6(true);
        }
        sock.set_reuse_address(reuse_addr)?;
        sock.bind(&SockAddr::from(addr))?;
        sock.listen(16)?;
        sock.set_nonblocking(true)?;
        let local = sock.local_addr()?.as_socket().ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(StreamListener { sock, local })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The socket, for polling.
    pub fn raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }

    /// Accepts and closes every pending incoming connection; returns how
    /// many there were.
    pub fn refuse_pending(&self) -> usize {
        let mut n = 0;
        while let Ok((s, _)) = self.sock.accept() {
            drop(s);
            n += 1;
        }
        n
    }
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// TCP connect in progress.
    Connecting,
    /// TCP up, TLS handshake in progress.
    Handshaking,
    /// Ready to carry SIP messages.
    Open,
    /// Closed for good, with the reason.
    Closed(Status),
}

/// What a connection has to report after readiness.
#[derive(Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// The connection (and handshake, for TLS) completed.
    Open,
    /// A message or a keep-alive arrived (a ping was already answered).
    Frame(Frame),
    /// The connection ended: refused, reset, closed by the peer, broken
    /// framing, or a failed handshake.
    Closed(Status),
}

/// `Write` adapter that never raises SIGPIPE on a closed peer.
struct NoSigPipe<'a>(&'a Socket);

impl Write for NoSigPipe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send_with_flags(buf, libc::MSG_NOSIGNAL)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct SockRead<'a>(&'a Socket);

impl Read for SockRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut s = self.0;
        s.read(buf)
    }
}

/// One outgoing stream connection.
pub struct StreamConn {
    sock: Socket,
    remote: SocketAddr,
    local: SocketAddr,
    state: ConnState,
    tls: Option<rustls::ClientConnection>,
    /// TCP: bytes not yet taken by the socket. TLS: plaintext queued until
    /// the handshake completes.
    out: Vec<u8>,
    deframer: Deframer,
    /// A connect error seen at once, reported on the next readiness check
    /// so that callers always learn of failures from the event loop.
    early_error: Option<Status>,
    /// Asked once the TLS handshake is done, before any request leaves.
    on_verify: Option<VerifyHook>,
}

impl StreamConn {
    /// Starts a non-blocking connect to `remote`, from `bind` when given
    /// (port 0 picks one). With `tls`, a handshake follows, checking the
    /// server against `name`.
    pub fn connect(
        remote: SocketAddr,
        bind: Option<SocketAddr>,
        tls: Option<(&TlsClient, ServerName<'static>)>,
    ) -> Result<Self, Status> {
        let sock = Socket::new(Domain::for_address(remote), Type::STREAM, Some(Protocol::TCP)).map_err(|e| os_status(&e))?;
        sock.set_nonblocking(true).map_err(|e| os_status(&e))?;
        let _ = sock.set_tcp_nodelay(true);
        if let Some(b) = bind {
            sock.bind(&SockAddr::from(b)).map_err(|e| os_status(&e))?;
        }
        let on_verify = tls.as_ref().and_then(|(client, _)| client.on_verify.clone());
        let tls = match tls {
            Some((client, name)) => {
                Some(rustls::ClientConnection::new(client.config.clone(), name).map_err(|_| status::PJSIP_TLS_ESSLCONN)?)
            }
            None => None,
        };
        let mut early_error = None;
        match sock.connect(&SockAddr::from(remote)) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) || would_block(&e) => {}
            Err(e) => early_error = Some(os_status(&e)),
        }
        let local = sock
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .unwrap_or_else(|| bind.unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0))));
        Ok(StreamConn {
            sock,
            remote,
            local,
            state: ConnState::Connecting,
            tls,
            out: Vec::new(),
            deframer: Deframer::default(),
            early_error,
            on_verify,
        })
    }

    /// The socket, for polling.
    pub fn raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }

    /// The peer.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }

    /// The local address; the port is known as soon as connect started.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Connecting, up or closed.
    pub fn state(&self) -> ConnState {
        self.state
    }

    /// TLS rather than plain TCP.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Whether a failure is waiting to be reported by [`on_ready`](Self::on_ready).
    pub fn has_early_error(&self) -> bool {
        self.early_error.is_some()
    }

    /// The poll(2) events this connection waits for (0 once closed).
    pub fn interest(&self) -> i16 {
        match self.state {
            ConnState::Closed(_) => 0,
            ConnState::Connecting => libc::POLLOUT,
            ConnState::Handshaking | ConnState::Open => {
                let wants_write = match &self.tls {
                    Some(t) => t.wants_write(),
                    None => !self.out.is_empty(),
                };
                libc::POLLIN | if wants_write { libc::POLLOUT } else { 0 }
            }
        }
    }

    /// Queues `data` for the peer: written now when the connection is
    /// open (what the socket does not take waits for POLLOUT), held until
    /// then otherwise. Fails only once the connection is closed.
    pub fn send(&mut self, data: &[u8]) -> Result<(), Status> {
        match self.state {
            ConnState::Closed(s) => Err(s),
            ConnState::Connecting | ConnState::Handshaking => {
                self.out.extend_from_slice(data);
                Ok(())
            }
            ConnState::Open => {
                let r = match &mut self.tls {
                    Some(t) => t.writer().write_all(data).map_err(|_| status::PJSIP_TLS_ESEND),
                    None => {
                        self.out.extend_from_slice(data);
                        Ok(())
                    }
                };
                // A socket that refuses data is finished: close it so that
                // the caller sees the failure once, here.
                if let Err(e) = r.and_then(|()| self.flush()) {
                    self.close(e);
                    return Err(e);
                }
                Ok(())
            }
        }
    }

    /// Ends the connection now with `reason`.
    pub fn close(&mut self, reason: Status) {
        if matches!(self.state, ConnState::Closed(_)) {
            return;
        }
        if let Some(t) = &mut self.tls {
            if self.state == ConnState::Open {
                t.send_close_notify();
                let _ = t.write_tls(&mut NoSigPipe(&self.sock));
            }
        }
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
        self.state = ConnState::Closed(reason);
        self.out = Vec::new();
    }

    /// Handles poll readiness (`revents`; 0 just checks for an early
    /// error) and appends what happened to `events`.
    pub fn on_ready(&mut self, revents: i16, events: &mut Vec<ConnEvent>) {
        if let Some(e) = self.early_error.take() {
            self.fail(e, events);
            return;
        }
        if matches!(self.state, ConnState::Closed(_)) || revents == 0 {
            return;
        }
        if self.state == ConnState::Connecting {
            if revents & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) == 0 {
                return;
            }
            match self.sock.take_error() {
                Ok(None) => {}
                Ok(Some(e)) | Err(e) => {
                    self.fail(os_status(&e), events);
                    return;
                }
            }
            if revents & libc::POLLHUP != 0 && revents & libc::POLLOUT == 0 {
                self.fail(status::from_os(libc::ECONNREFUSED), events);
                return;
            }
            if let Some(local) = self.sock.local_addr().ok().and_then(|a| a.as_socket()) {
                self.local = local;
            }
            if self.tls.is_some() {
                self.state = ConnState::Handshaking;
            } else {
                self.state = ConnState::Open;
                events.push(ConnEvent::Open);
            }
            if let Err(e) = self.flush() {
                self.fail(e, events);
                return;
            }
            if self.tls.is_none() {
                return;
            }
        }
        if revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
            self.read_some(events);
        }
        if !matches!(self.state, ConnState::Closed(_)) {
            if let Err(e) = self.flush() {
                self.fail(e, events);
            }
        }
    }

    fn fail(&mut self, reason: Status, events: &mut Vec<ConnEvent>) {
        if matches!(self.state, ConnState::Closed(_)) {
            return;
        }
        self.close(reason);
        events.push(ConnEvent::Closed(reason));
    }

    /// Writes what is pending as far as the socket takes it.
    fn flush(&mut self) -> Result<(), Status> {
        match self.state {
            ConnState::Closed(s) => return Err(s),
            ConnState::Connecting => return Ok(()),
            _ => {}
        }
        if let Some(t) = &mut self.tls {
            while t.wants_write() {
                match t.write_tls(&mut NoSigPipe(&self.sock)) {
                    Ok(_) => {}
                    Err(e) if would_block(&e) => break,
                    Err(e) => return Err(os_status(&e)),
                }
            }
            return Ok(());
        }
        while !self.out.is_empty() {
            match self.sock.send_with_flags(&self.out, libc::MSG_NOSIGNAL) {
                Ok(0) => break,
                Ok(n) => {
                    self.out.drain(..n);
                }
                Err(e) if would_block(&e) => break,
                Err(e) => return Err(os_status(&e)),
            }
        }
        Ok(())
    }

    fn read_some(&mut self, events: &mut Vec<ConnEvent>) {
        let mut budget = READ_BUDGET;
        let mut eof = None;
        if self.tls.is_some() {
            eof = self.read_tls(events, &mut budget);
        } else {
            let mut buf = [MaybeUninit::<u8>::uninit(); READ_CHUNK];
            while budget > 0 {
                match self.sock.recv(&mut buf) {
                    Ok(0) => {
                        eof = Some(status::PJ_EEOF);
                        break;
                    }
                    Ok(n) => {
                        budget = budget.saturating_sub(n);
                        // SAFETY: recv initialised the first n bytes.
                        let bytes = unsafe { std::slice::from_raw_parts(buf.as_ptr() as *const u8, n) };
                        self.deframer.push(bytes);
                    }
                    Err(e) if would_block(&e) => break,
                    Err(e) => {
                        eof = Some(os_status(&e));
                        break;
                    }
                }
            }
        }
        if matches!(self.state, ConnState::Closed(_)) {
            return;
        }
        self.drain_frames(events);
        if let Some(reason) = eof {
            self.fail(reason, events);
        }
    }

    /// Reads TLS records, drives the handshake and moves plaintext into
    /// the deframer. Returns the reason when the stream ended.
    fn read_tls(&mut self, events: &mut Vec<ConnEvent>, budget: &mut usize) -> Option<Status> {
        let handshaking = self.state == ConnState::Handshaking;
        let mut ended = None;
        let mut failed = None;
        if let Some(t) = self.tls.as_mut() {
            while *budget > 0 {
                match t.read_tls(&mut SockRead(&self.sock)) {
                    Ok(0) => {
                        ended = Some(if handshaking { status::PJSIP_TLS_ECONNECT } else { status::PJ_EEOF });
                        break;
                    }
                    Ok(n) => *budget = budget.saturating_sub(n),
                    Err(e) if would_block(&e) => break,
                    Err(e) => {
                        ended = Some(if handshaking { status::PJSIP_TLS_ECONNECT } else { os_status(&e) });
                        break;
                    }
                }
                match t.process_new_packets() {
                    Ok(io_state) => {
                        let n = io_state.plaintext_bytes_to_read();
                        if n > 0 {
                            let mut plain = vec![0u8; n];
                            if t.reader().read_exact(&mut plain).is_ok() {
                                self.deframer.push(&plain);
                            }
                        }
                        if io_state.peer_has_closed() {
                            ended = Some(status::PJ_EEOF);
                            break;
                        }
                    }
                    Err(e) => {
                        // Let the peer know why, then give up.
                        let _ = t.write_tls(&mut NoSigPipe(&self.sock));
                        failed = Some(error_status(&e));
                        break;
                    }
                }
            }
            if failed.is_none() && handshaking && !t.is_handshaking() {
                let info = VerifyInfo { local: self.local, remote: self.remote };
                if self.on_verify.as_ref().is_some_and(|hook| !(hook.0)(&info)) {
                    failed = Some(status::PJSIP_TLS_ECERTVERIF);
                } else {
                    self.state = ConnState::Open;
                    events.push(ConnEvent::Open);
                    let queued = std::mem::take(&mut self.out);
                    if !queued.is_empty() && t.writer().write_all(&queued).is_err() {
                        failed = Some(status::PJSIP_TLS_ESEND);
                    }
                }
            }
        }
        if let Some(f) = failed {
            self.fail(f, events);
            return None;
        }
        ended
    }

    fn drain_frames(&mut self, events: &mut Vec<ConnEvent>) {
        while let Some(f) = self.deframer.next_frame() {
            match f {
                Ok(Frame::Ping) => {
                    events.push(ConnEvent::Frame(Frame::Ping));
                    if let Err(e) = self.send(PONG) {
                        events.push(ConnEvent::Closed(e));
                        return;
                    }
                }
                Ok(frame) => events.push(ConnEvent::Frame(frame)),
                Err(e) => {
                    self.fail(e, events);
                    return;
                }
            }
        }
    }

    /// Sends a keep-alive (CRLF CRLF) when the connection is open.
    pub fn send_ping(&mut self) -> Result<(), Status> {
        if self.state != ConnState::Open {
            return Ok(());
        }
        self.send(PING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    fn pump(conn: &mut StreamConn, until: impl Fn(&[ConnEvent]) -> bool) -> Vec<ConnEvent> {
        let mut events = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        conn.on_ready(0, &mut events);
        while !until(&events) && Instant::now() < deadline {
            let mut pfd = libc::pollfd { fd: conn.raw_fd(), events: conn.interest(), revents: 0 };
            // SAFETY: one valid pollfd.
            unsafe { libc::poll(&mut pfd, 1, 50) };
            conn.on_ready(pfd.revents, &mut events);
        }
        events
    }

    #[test]
    fn connect_refused_is_reported_from_readiness() {
        // A port with nothing listening: bind, read the port, close.
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let mut c = StreamConn::connect(SocketAddr::from(([127, 0, 0, 1], port)), None, None).expect("socket");
        c.send(b"queued").expect("queued while connecting");
        let ev = pump(&mut c, |e| !e.is_empty());
        assert_eq!(ev, vec![ConnEvent::Closed(status::from_os(libc::ECONNREFUSED))]);
        assert_eq!(c.interest(), 0);
        assert!(c.send(b"x").is_err());
    }

    #[test]
    fn queued_data_flows_and_messages_come_back() {
        let server = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = server.local_addr().expect("addr");
        let mut c = StreamConn::connect(addr, None, None).expect("socket");
        c.send(b"REGISTER-ish").expect("queue");
        let (mut peer, _) = server.accept().expect("accept");
        let ev = pump(&mut c, |e| e.contains(&ConnEvent::Open));
        assert_eq!(ev, vec![ConnEvent::Open]);
        let mut got = [0u8; 12];
        peer.read_exact(&mut got).expect("read");
        assert_eq!(&got, b"REGISTER-ish");
        peer.write_all(b"\r\n\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n").expect("write");
        let ev = pump(&mut c, |e| e.len() >= 2);
        assert_eq!(ev[0], ConnEvent::Frame(Frame::Ping));
        assert!(matches!(&ev[1], ConnEvent::Frame(Frame::Message(m)) if m.starts_with(b"SIP/2.0 200")));
        // The ping was answered with a single CRLF.
        let mut pong = [0u8; 2];
        peer.read_exact(&mut pong).expect("pong");
        assert_eq!(&pong, b"\r\n");
        drop(peer);
        let ev = pump(&mut c, |e| !e.is_empty());
        assert_eq!(ev, vec![ConnEvent::Closed(status::PJ_EEOF)]);
    }

    #[test]
    fn garbage_closes_the_connection() {
        let server = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut c = StreamConn::connect(server.local_addr().expect("addr"), None, None).expect("socket");
        let (mut peer, _) = server.accept().expect("accept");
        pump(&mut c, |e| e.contains(&ConnEvent::Open));
        peer.write_all(b"SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n\r\n").expect("write");
        let ev = pump(&mut c, |e| !e.is_empty());
        assert_eq!(ev, vec![ConnEvent::Closed(status::PJSIP_EMISSINGHDR)]);
    }
}
