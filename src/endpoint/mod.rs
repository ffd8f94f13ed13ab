//! The event loop: polls the transports, runs timers, matches responses to
//! client transactions and hands final outcomes to their owners. Owners are
//! called with no endpoint lock held, so they may call back into it.
//!
//! Transports are UDP sockets, stream listeners (TCP or TLS) and the
//! outgoing connections made through those listeners. Every one has a
//! [`TransportId`], never reused, so that a stale id simply finds nothing.
//! A connection is reused for every request to the same destination
//! (protocol and address); it stays up while someone holds it (a pending
//! transaction, a registration's last transport, an application reference)
//! and closes [`IDLE_CLOSE_MS`] after the last hold goes, as in pjsip.

pub mod dns;
pub mod log;
mod resolve;
mod streams;

use log::{note, say, LogSink, LEVEL_MSG, LEVEL_TRANSPORT, LEVEL_TSX, SENDER_ENDPOINT, SENDER_RESOLVE};

pub use resolve::{dns_target, resolve_target, resolve_target_with, IpPref, Kind, Target};

use crate::reg::print::PrintedRequest;
use crate::reg::Request;
use crate::sip::{parse_message, Message, Param, StartLine, Via};
use crate::status::*;
use crate::timer::{TimerHeap, TimerId};
use crate::transport::tls::TlsClient;
use crate::transport::{ConnState, StreamConn, StreamListener, UdpTransport};
use crate::tsx::{ClientTsx, Event, Outcome, Timers};
use parking_lot::Mutex;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Identity of a transport in its endpoint.
pub type TransportId = usize;

/// Largest datagram accepted.
const MAX_DATAGRAM: usize = 65_535;
/// Datagrams read per socket per loop round, so that timers keep running
/// under a flood.
const MAX_READS_PER_ROUND: usize = 1024;
/// How long an outgoing connection nobody holds stays open
/// (pjsip's `PJSIP_TRANSPORT_IDLE_TIME`, 33 s).
pub const IDLE_CLOSE_MS: u64 = 33_000;

thread_local! {
    /// The buffer datagrams are read into, kept between rounds.
    static DATAGRAM_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A request this long or longer, bound for UDP, goes over TCP when it can
/// (RFC 3261 18.1.1; pjsip's `PJSIP_UDP_SIZE_THRESHOLD`).
pub const UDP_SIZE_THRESHOLD: usize = 1300;

/// A response as received. For a connection it keeps the connection
/// object alive until dropped, so that the transport it names stays valid
/// while the owner looks at it.
pub struct Received {
    /// The parsed message.
    pub msg: Message,
    /// The bytes as received.
    pub raw: Vec<u8>,
    /// The sender's address.
    pub src: SocketAddr,
    /// The transport it arrived on.
    pub transport: TransportId,
    _hold: Option<Hold>,
}

/// A counted hold on a connection, released on drop.
struct Hold {
    ep: Weak<Endpoint>,
    id: TransportId,
}

impl Drop for Hold {
    fn drop(&mut self) {
        if let Some(ep) = self.ep.upgrade() {
            ep.release(self.id);
        }
    }
}

/// How a transaction ended.
pub struct TsxFinal {
    /// The final status code: the response's, or 408, 502 or 503 without one.
    pub code: u16,
    /// The response's reason phrase or the failure's text.
    pub reason: String,
    /// The final response, if one came.
    pub response: Option<Received>,
    /// The transport the request went through, if it got that far.
    pub transport: Option<TransportId>,
}

/// Whoever sent a request or owns a timer.
pub trait Owner: Send + Sync {
    /// The transaction this owner started is over.
    fn on_tsx_final(self: Arc<Self>, ep: &Arc<Endpoint>, fin: TsxFinal);
    /// A timer this owner scheduled with `token` is due.
    fn on_timer(self: Arc<Self>, ep: &Arc<Endpoint>, token: u64);
    /// The endpoint is going away with this owner's transaction pending:
    /// no final outcome will come.
    fn on_shutdown(self: Arc<Self>);
}

/// Why a request could not leave at all; the transaction ends with `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// The error that stopped the request.
    pub status: Status,
    /// The status code the transaction ends with (502 or 503).
    pub code: u16,
    /// The text reported with it.
    pub reason: String,
}

impl SendFailure {
    fn from_status(status: Status) -> Self {
        SendFailure { status, code: 503, reason: crate::status::text(status) }
    }
}

/// Which transport a request must use (pjsip_tpselector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Selector {
    /// Any suitable transport, reusing a connection to the destination.
    #[default]
    Any,
    /// Exactly this transport (a UDP transport or one connection).
    Transport(TransportId),
    /// A connection made through this listener.
    Listener(TransportId),
    /// Any transport, choosing the destination's address family so.
    IpVersion(IpPref),
}

/// A selector plus pjsip's `disable_connection_reuse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Selection {
    /// Which transport.
    pub selector: Selector,
    /// Never reuse an existing connection: open a new one.
    pub no_reuse: bool,
}

impl From<Option<TransportId>> for Selection {
    fn from(id: Option<TransportId>) -> Self {
        Selection { selector: id.map_or(Selector::Any, Selector::Transport), no_reuse: false }
    }
}

/// Settings read each time they take effect (from `pjsip_cfg()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// `;rport` in Via (pjsip's `disable_rport` off).
    pub rport: bool,
    /// `;alias` in Via of requests over connections (`req_has_via_alias`).
    pub via_alias: bool,
    /// Keep-alive intervals in seconds; 0 or less: none.
    pub tcp_keepalive_s: i64,
    /// (TLS connections, as `tcp_keepalive_s` for TCP.)
    pub tls_keepalive_s: i64,
    /// Large requests for UDP go over TCP (`disable_tcp_switch` off).
    pub tcp_switch: bool,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig { rport: true, via_alias: true, tcp_keepalive_s: 90, tls_keepalive_s: 90, tcp_switch: true }
    }
}

type ConfigSource = Box<dyn Fn() -> RuntimeConfig + Send + Sync>;

/// What a transport is, for the C objects that describe it.
#[derive(Clone, Debug)]
pub struct TransportInfo {
    /// UDP, TCP or TLS.
    pub kind: Kind,
    /// The bound address.
    pub local: SocketAddr,
    /// The peer of a connection.
    pub remote: Option<SocketAddr>,
    /// Published host and port: Via sent-by for requests through it.
    pub published: (String, u16),
    /// Whether the published address was given rather than derived.
    pub has_addr_name: bool,
    /// The listener a connection was made through.
    pub listener: Option<TransportId>,
    /// A TCP or TLS listener rather than a UDP socket or connection.
    pub is_listener: bool,
}

enum TimerKey {
    Tsx(String),
    /// Retransmission or timeout of the DNS query with this id.
    Dns(u16),
    User(Weak<dyn Owner>, u64),
    Conn(TransportId, ConnTimer),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnTimer {
    /// Report a failure seen while starting the connection.
    Check,
    /// Nobody held the connection for IDLE_CLOSE_MS.
    Idle,
    /// Time to see whether a keep-alive is due.
    KeepAlive,
    /// The TLS handshake deadline.
    Handshake,
}

struct TsxEntry {
    tsx: ClientTsx,
    /// Names the transaction in the log (`tsx<id>`).
    id: u64,
    /// "Request msg REGISTER/cseq=N (obj)", made only when logging.
    info: Option<Arc<str>>,
    /// None once the outcome is delivered: a completed transaction only
    /// absorbs retransmitted responses until Timer K, so it lets its
    /// owner and its request go.
    owner: Option<Arc<dyn Owner>>,
    bytes: Vec<u8>,
    dest: SocketAddr,
    transport: TransportId,
    timer: Option<TimerId>,
    /// For a large request switched to a TCP connection still being set
    /// up: how to send it over UDP instead if that connection fails.
    fallback: Option<UdpFallback>,
    /// For a request whose destination came from DNS with more than one
    /// address: how to send it to the next one when the connection to
    /// this one fails (as pjsip tries its resolved addresses in turn).
    next_targets: Option<Box<NextTargets>>,
}

/// What re-sending a request to its next resolved address needs.
struct NextTargets {
    req: Request,
    selection: Selection,
    via_sent_by: Option<(String, u16, Option<TransportId>)>,
    timers: Timers,
    first_retransmit: u64,
    cfg: RuntimeConfig,
    kind: Kind,
    host: String,
    /// The addresses not tried yet, in order.
    addrs: Vec<SocketAddr>,
}

/// A request waiting for its destination's DNS lookup; sent (or failed)
/// when the lookup ends.
struct DeferredSend {
    owner: Arc<dyn Owner>,
    req: Request,
    timers: Timers,
    first_retransmit: u64,
    selection: Selection,
    via_sent_by: Option<(String, u16, Option<TransportId>)>,
    branch: String,
    obj: Option<String>,
    kind: Kind,
    host: String,
}

/// A DNS lookup in flight, by the id of its current query.
struct PendingLookup {
    lookup: dns::Lookup,
    question: dns::Question,
    settings: dns::Settings,
    /// Transmissions of the current query so far.
    sent: u32,
    timer: Option<TimerId>,
    send: DeferredSend,
}

struct UdpFallback {
    transport: TransportId,
    bytes: Vec<u8>,
    timers: Timers,
    first_retransmit: u64,
}

struct Listener {
    kind: Kind,
    sock: StreamListener,
    published: (String, u16),
    has_addr_name: bool,
    tls: Option<Arc<TlsClient>>,
}

struct Conn {
    kind: Kind,
    listener: TransportId,
    stream: StreamConn,
    /// Holds other than pending transactions.
    holds: usize,
    /// The Via sent-by of requests through it.
    sent_by: (String, u16),
    has_addr_name: bool,
    last_activity: u64,
    idle_timer: Option<TimerId>,
    ka_timer: Option<TimerId>,
    hs_timer: Option<TimerId>,
}

enum Slot {
    Udp(Arc<UdpTransport>),
    Listener(Listener),
    Conn(Conn),
}

#[derive(Default)]
struct Inner {
    next_id: TransportId,
    /// Ordered by creation, so "the first suitable transport" is stable.
    slots: BTreeMap<TransportId, Slot>,
    /// Open connections by destination, for reuse.
    by_dest: HashMap<(Kind, SocketAddr), TransportId>,
    timers: TimerHeap<TimerKey>,
    tsx: HashMap<String, TsxEntry>,
    /// Connections whose socket failed while sending; closed at the end of
    /// the locked section.
    broken: Vec<(TransportId, Status)>,
    /// Response datagrams that matched no transaction or did not parse.
    dropped: u64,
    /// Stream connections that broke framing.
    bad_streams: u64,
    observer: Option<Arc<dyn MessageObserver>>,
    log: Option<Arc<dyn LogSink>>,
    /// Lines about a connection opened for a request not yet logged.
    conn_lines: Vec<(String, String)>,
    /// The sockets DNS queries leave from (IPv4, IPv6), made on first use.
    dns_socks: [Option<Arc<std::net::UdpSocket>>; 2],
    /// DNS lookups in flight by query id.
    lookups: HashMap<u16, PendingLookup>,
    /// Transactions and received messages so far, to name them in the log.
    tsx_count: u64,
    rx_count: u64,
}

/// The event loop: transports, transactions and timers, polled by
/// `handle_events` from any thread.
pub struct Endpoint {
    inner: Mutex<Inner>,
    epoch: Instant,
    allow: Mutex<Vec<String>>,
    config: Mutex<Option<ConfigSource>>,
    /// eventfd that ends the loop's wait when another thread adds work.
    wake_fd: std::os::fd::OwnedFd,
    /// Threads inside handle_events' poll (or about to enter it): only
    /// they need the eventfd written; a lone thread adding work between
    /// its own polls does not pay a syscall for it.
    polling: std::sync::atomic::AtomicUsize,
    /// The DNS resolver targets are looked up with (pjsip_endpt_set_resolver);
    /// None: getaddrinfo.
    resolver: Mutex<Option<Arc<dns::Resolver>>>,
    me: Weak<Endpoint>,
}

/// Whether pjsip's parser would accept the message: every typed header
/// parses, the mandatory ones are present, and authentication challenges
/// are Digest (pjsip's parser knows no other scheme and drops the message).
fn acceptable(msg: &Message) -> bool {
    msg.check_typed_headers().is_ok()
        && msg.check_required_headers().is_ok()
        && msg.headers.iter().all(|h| match h.kind {
            crate::sip::HdrKind::WwwAuthenticate | crate::sip::HdrKind::ProxyAuthenticate => {
                crate::auth::parse_challenge(&h.value).is_ok_and(|c| c.is_digest())
            }
            _ => true,
        })
}

/// Work collected under the lock and done after releasing it.
type Deliveries = Vec<Box<dyn FnOnce(&Arc<Endpoint>)>>;

/// A request as it was handed to a transport.
pub struct Sent {
    /// The request as printed.
    pub bytes: Vec<u8>,
    /// The transport it went through.
    pub transport: TransportId,
    /// Where it was sent.
    pub dest: SocketAddr,
}

/// Told of the messages going out and coming in (pjsip's modules see them
/// through `on_tx_request` and `on_rx_response`). Called from the event
/// loop after the endpoint's lock is released, in the order things happened:
/// a response is reported before its transaction's outcome.
pub trait MessageObserver: Send + Sync {
    /// Every transmission of a request, retransmissions included.
    fn on_tx(&self, ep: &Arc<Endpoint>, sent: &Sent);
    /// Every response that parsed; `matched`: a transaction took it.
    fn on_rx_response(&self, ep: &Arc<Endpoint>, response: &Received, matched: bool);
}

impl Endpoint {
    /// A new endpoint; fails only when the kernel refuses an eventfd.
    pub fn new() -> std::io::Result<Arc<Self>> {
        use std::os::fd::FromRawFd;
        // SAFETY: eventfd returns a new descriptor or -1.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor that nothing else owns.
        let wake_fd = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
        Ok(Arc::new_cyclic(|me| Endpoint {
            inner: Mutex::new(Inner::default()),
            epoch: Instant::now(),
            allow: Mutex::new(Vec::new()),
            config: Mutex::new(None),
            wake_fd,
            polling: std::sync::atomic::AtomicUsize::new(0),
            resolver: Mutex::new(None),
            me: me.clone(),
        }))
    }

    /// Installs (or, with None, removes) where the log lines go.
    pub fn set_log(&self, sink: Option<Arc<dyn LogSink>>) {
        self.inner.lock().log = sink;
    }

    /// Installs (or, with None, removes) the message observer.
    pub fn set_observer(&self, observer: Option<Arc<dyn MessageObserver>>) {
        self.inner.lock().observer = observer;
    }

    /// Looks targets up with `resolver` from now on (None: getaddrinfo).
    pub fn set_resolver(&self, resolver: Option<Arc<dns::Resolver>>) {
        *self.resolver.lock() = resolver;
    }

    /// The resolver set with [`set_resolver`](Self::set_resolver).
    pub fn resolver(&self) -> Option<Arc<dns::Resolver>> {
        self.resolver.lock().clone()
    }

    /// Where the endpoint reads the settings that may change while it
    /// runs (`pjsip_cfg()` in the C build).
    pub fn set_config_source(&self, f: impl Fn() -> RuntimeConfig + Send + Sync + 'static) {
        *self.config.lock() = Some(Box::new(f));
    }

    fn config(&self) -> RuntimeConfig {
        self.config.lock().as_ref().map_or_else(RuntimeConfig::default, |f| f())
    }

    /// Ends a wait in progress in `handle_events` on another thread.
    pub fn wake(&self) {
        use std::os::fd::AsRawFd;
        // Paired with handle_events: it counts itself in before it reads
        // the state under the lock, and work is added under the lock before
        // this load, so either the poller sees the work or we see it.
        if self.polling.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            return;
        }
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our eventfd.
        unsafe { libc::write(self.wake_fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    fn drain_wake(&self) {
        use std::os::fd::AsRawFd;
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into a valid u64; non-blocking.
        unsafe { libc::read(self.wake_fd.as_raw_fd(), (&mut v as *mut u64).cast(), 8) };
    }

    /// Drops every transaction, timer and connection (endpoint
    /// destruction), telling the owners of pending transactions, outside
    /// the lock. UDP transports and listeners stay until drop.
    pub fn shutdown(&self) {
        let (owners, conns, sink): (Vec<Arc<dyn Owner>>, Vec<(TransportId, Slot)>, _) = {
            let mut inner = self.inner.lock();
            inner.timers.clear();
            inner.by_dest.clear();
            let sink = log::at(&inner.log, LEVEL_TSX).cloned();
            let owners = inner
                .tsx
                .drain()
                .filter_map(|(_, e)| {
                    if let Some(s) = &sink {
                        let name = e.name();
                        s.write(LEVEL_TSX, &name, 0, "Request to terminate transaction");
                        let from = log::state_name(Some(e.tsx.state()));
                        s.write(LEVEL_TSX, &name, 1, &format!("State changed from {from} to Terminated, event=USER"));
                        s.write(LEVEL_TSX, &name, 0, "Transaction destroyed!");
                    }
                    e.owner
                })
                .collect::<Vec<_>>();
            let owners: Vec<Arc<dyn Owner>> =
                owners.into_iter().chain(inner.lookups.drain().map(|(_, p)| p.send.owner)).collect();
            let ids: Vec<TransportId> =
                inner.slots.iter().filter(|(_, s)| matches!(s, Slot::Conn(_))).map(|(id, _)| *id).collect();
            let sink = inner.log.clone();
            (owners, ids.into_iter().filter_map(|id| inner.slots.remove(&id).map(|s| (id, s))).collect::<Vec<_>>(), sink)
        };
        for (id, slot) in conns {
            if let Slot::Conn(mut c) = slot {
                c.stream.close(PJSIP_ESHUTDOWN);
                say!(sink, LEVEL_TRANSPORT, 0, log::transport_name(c.kind, true, false, id, 0, false), "{} connection closed: endpoint shutting down", c.kind.name());
            }
        }
        for o in owners {
            o.on_shutdown();
        }
    }

    /// Milliseconds on the endpoint's monotonic clock.
    pub fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn add_slot(&self, slot: Slot) -> TransportId {
        let mut inner = self.inner.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.slots.insert(id, slot);
        drop(inner);
        self.wake();
        id
    }

    /// Adds a bound UDP socket and returns its id.
    pub fn add_transport(&self, t: UdpTransport) -> TransportId {
        self.add_slot(Slot::Udp(Arc::new(t)))
    }

    /// Registers a TCP or TLS listener. `published` overrides the address
    /// it announces (a port of 0 there means the bound port); by default
    /// it is the bound address, or the default interface's for a wildcard.
    pub fn add_listener(
        &self,
        kind: Kind,
        sock: StreamListener,
        published: Option<(String, u16)>,
        tls: Option<TlsClient>,
    ) -> TransportId {
        let local = sock.local_addr();
        let has_addr_name = published.is_some();
        let published = match published {
            Some((h, p)) => (h, if p == 0 { local.port() } else { p }),
            None => (crate::transport::default_host(local.ip()).to_string(), local.port()),
        };
        self.add_slot(Slot::Listener(Listener { kind, sock, published, has_addr_name, tls: tls.map(Arc::new) }))
    }

    /// The UDP transport `id`, if it is one.
    pub fn transport(&self, id: TransportId) -> Option<Arc<UdpTransport>> {
        match self.inner.lock().slots.get(&id) {
            Some(Slot::Udp(u)) => Some(u.clone()),
            _ => None,
        }
    }

    /// Describes a transport, listener or connection; None once it is gone.
    pub fn transport_info(&self, id: TransportId) -> Option<TransportInfo> {
        let inner = self.inner.lock();
        Some(match inner.slots.get(&id)? {
            Slot::Udp(u) => {
                let (h, p) = u.published();
                TransportInfo {
                    kind: Kind::Udp,
                    local: u.local_addr(),
                    remote: None,
                    published: (h.to_string(), p),
                    has_addr_name: false,
                    listener: None,
                    is_listener: false,
                }
            }
            Slot::Listener(l) => TransportInfo {
                kind: l.kind,
                local: l.sock.local_addr(),
                remote: None,
                published: l.published.clone(),
                has_addr_name: l.has_addr_name,
                listener: None,
                is_listener: true,
            },
            Slot::Conn(c) => TransportInfo {
                kind: c.kind,
                local: c.stream.local_addr(),
                remote: Some(c.stream.remote_addr()),
                published: c.sent_by.clone(),
                has_addr_name: c.has_addr_name,
                listener: Some(c.listener),
                is_listener: false,
            },
        })
    }

    /// Whether `id` still names a transport.
    pub fn transport_alive(&self, id: TransportId) -> bool {
        self.inner.lock().slots.contains_key(&id)
    }

    /// Adds a hold on a connection (no effect on other transports).
    pub fn hold(&self, id: TransportId) {
        let mut inner = self.inner.lock();
        let mut idle = None;
        if let Some(Slot::Conn(c)) = inner.slots.get_mut(&id) {
            c.holds += 1;
            idle = c.idle_timer.take();
        }
        if let Some(t) = idle {
            inner.timers.cancel(t);
        }
    }

    /// Releases a hold taken with [`hold`](Self::hold). A connection nobody
    /// holds closes after [`IDLE_CLOSE_MS`], or at once if already closed.
    pub fn release(&self, id: TransportId) {
        let now = self.now();
        let removed = {
            let mut inner = self.inner.lock();
            inner.release_hold(id, now)
        };
        drop(removed);
        self.wake();
    }

    /// Open and closed connections still known (for tests and stats).
    pub fn connection_count(&self) -> usize {
        self.inner.lock().slots.values().filter(|s| matches!(s, Slot::Conn(_))).count()
    }

    /// Adds methods to the Allow capability every REGISTER carries.
    pub fn add_allow(&self, methods: &[String]) {
        let mut allow = self.allow.lock();
        for m in methods {
            if !allow.iter().any(|a| a == m) {
                allow.push(m.clone());
            }
        }
    }

    /// The Allow capability's methods.
    pub fn allow(&self) -> Vec<String> {
        self.allow.lock().clone()
    }

    /// Datagrams that could not be parsed or matched, since the start.
    pub fn dropped_datagrams(&self) -> u64 {
        self.inner.lock().dropped
    }

    /// Connections closed because their byte stream could not be framed.
    pub fn broken_streams(&self) -> u64 {
        self.inner.lock().bad_streams
    }

    /// Timers scheduled (transactions', connections' and owners').
    pub fn timer_count(&self) -> usize {
        self.inner.lock().timers.len()
    }

    /// Transactions still in flight.
    pub fn pending_transactions(&self) -> usize {
        self.inner.lock().tsx.len()
    }

    // ---- timers for owners ----

    /// Calls `owner.on_timer(token)` at `at` ms of the endpoint's clock.
    pub fn schedule(&self, at: u64, owner: Weak<dyn Owner>, token: u64) -> TimerId {
        let id = self.inner.lock().timers.schedule(at, TimerKey::User(owner, token));
        self.wake();
        id
    }

    /// Cancels a timer; false when it already fired or was cancelled.
    pub fn cancel(&self, id: TimerId) -> bool {
        self.inner.lock().timers.cancel(id)
    }

    // ---- sending ----

    /// Sends `req` in a new client transaction. `via_sent_by` overrides the
    /// transport's published address (only on its transport, when one is
    /// given); `selected` constrains the transport. When the request cannot
    /// leave at all, the owner's `on_tsx_final` runs before this returns the
    /// error, as pjsip ends the transaction inside the send call. A
    /// connection that fails later (refused, handshake) ends the
    /// transaction from the event loop. With a DNS resolver set and a
    /// name to look up, the request leaves when the lookup ends (or the
    /// transaction ends with its error then) and this returns Ok(None).
    pub fn send_request(
        self: &Arc<Self>,
        owner: Arc<dyn Owner>,
        req: &Request,
        timers: Timers,
        first_retransmit: u64,
        selected: impl Into<Selection>,
        via_sent_by: Option<(String, u16, Option<TransportId>)>,
        branch: String,
    ) -> Result<Option<TransportId>, Status> {
        self.send_request_as(owner, req, timers, first_retransmit, selected, via_sent_by, branch, None)
    }

    /// [`send_request`](Self::send_request) for a request the log names
    /// after `obj` (the C tx_data it came from), as pjsip names requests
    /// after their tx_data.
    #[allow(clippy::too_many_arguments)]
    pub fn send_request_as(
        self: &Arc<Self>,
        owner: Arc<dyn Owner>,
        req: &Request,
        timers: Timers,
        first_retransmit: u64,
        selected: impl Into<Selection>,
        via_sent_by: Option<(String, u16, Option<TransportId>)>,
        branch: String,
        obj: Option<&str>,
    ) -> Result<Option<TransportId>, Status> {
        let selection = selected.into();
        let pref = match selection.selector {
            Selector::IpVersion(p) => p,
            _ => IpPref::Any,
        };
        if let Some(resolver) = self.resolver() {
            match dns_target(req) {
                Err(f) => {
                    owner.on_tsx_final(self, TsxFinal { code: f.code, reason: f.reason, response: None, transport: None });
                    return Err(f.status);
                }
                Ok(Some((kind, port, host))) => {
                    let v6 = matches!(pref, IpPref::V6Only | IpPref::PreferV6);
                    let send = DeferredSend {
                        owner,
                        req: req.clone(),
                        timers,
                        first_retransmit,
                        selection,
                        via_sent_by,
                        branch,
                        obj: obj.map(str::to_string),
                        kind,
                        host: host.clone(),
                    };
                    return self.start_lookup(&resolver, dns::Lookup::start(kind, &host, port, v6), send).map(|()| None);
                }
                Ok(None) => {}
            }
        }
        let target = resolve_target_with(req, pref);
        self.send_to(owner, req, target, timers, first_retransmit, selection, via_sent_by, branch, obj, Vec::new()).map(Some)
    }

    /// Sends `req` to `target` (or fails the transaction with its error).
    #[allow(clippy::too_many_arguments)]
    fn send_to(
        self: &Arc<Self>,
        owner: Arc<dyn Owner>,
        req: &Request,
        target: Result<Target, SendFailure>,
        timers: Timers,
        first_retransmit: u64,
        selection: Selection,
        via_sent_by: Option<(String, u16, Option<TransportId>)>,
        branch: String,
        obj: Option<&str>,
        alternates: Vec<SocketAddr>,
    ) -> Result<TransportId, Status> {
        let cfg = self.config();
        let now = self.now();
        let mut deliveries: Deliveries = Vec::new();
        let result = match target {
            Err(f) => Err(f),
            Ok(target) => {
                let mut inner = self.inner.lock();
                let printed = PrintedRequest::new(req);
                let switched = if self.switches_to_tcp(&printed, &target, &branch, &cfg) {
                    let tcp = Target { kind: Kind::Tcp, addr: target.addr, host: target.host.clone() };
                    inner.choose(&tcp, selection, now, &cfg).ok()
                } else {
                    None
                };
                let chosen = match switched {
                    Some(id) => Ok(id),
                    None => inner.choose(&target, selection, now, &cfg),
                };
                match chosen {
                    Err(f) => Err(f),
                    Ok(transport_id) => {
                        let (kind, bytes) = inner.encode(&printed, transport_id, &via_sent_by, &branch, &cfg);
                        // Should the connection fail before it opens, the
                        // request goes over UDP as first intended.
                        let fallback = match switched {
                            Some(id) if inner.conn_pending(id) => inner
                                .choose(&target, selection, now, &cfg)
                                .ok()
                                .map(|udp| UdpFallback {
                                    transport: udp,
                                    bytes: inner.encode(&printed, udp, &via_sent_by, &branch, &cfg).1,
                                    timers,
                                    first_retransmit,
                                }),
                            _ => None,
                        };
                        let (tsx, events) =
                            ClientTsx::with_first_interval(kind.reliable(), timers, first_retransmit, now);
                        inner.tsx_count += 1;
                        let info = log::at(&inner.log, LEVEL_TSX).map(|_| request_info(req, obj));
                        let mut entry = TsxEntry {
                            tsx,
                            id: inner.tsx_count,
                            info,
                            owner: Some(owner.clone()),
                            bytes,
                            dest: target.addr,
                            transport: transport_id,
                            timer: None,
                            fallback,
                            next_targets: (!alternates.is_empty()).then(|| {
                                Box::new(NextTargets {
                                    req: req.clone(),
                                    selection,
                                    via_sent_by: via_sent_by.clone(),
                                    timers,
                                    first_retransmit,
                                    cfg,
                                    kind: target.kind,
                                    host: target.host.clone(),
                                    addrs: alternates,
                                })
                            }),
                        };
                        if let Some(s) = log::at(&inner.log, LEVEL_TSX).cloned() {
                            let d = &mut deliveries;
                            let (name, info) = (entry.name(), entry.info());
                            log::queue(d, &s, LEVEL_TSX, name.clone(), 1, format!("Transaction created for {info}"));
                            log::queue(d, &s, LEVEL_TSX, name, 0, format!("Sending {info} in state Null"));
                            let desc = log::type_desc(kind, target.addr.is_ipv6());
                            let kind = kind.name();
                            let line = format!(
                                "Target '{}:{}' type={} resolved to '{}' type={kind} ({desc})",
                                target.host,
                                target.addr.port(),
                                target.kind.name(),
                                target.addr
                            );
                            log::queue(d, &s, LEVEL_TSX, SENDER_RESOLVE.into(), 1, line);
                        }
                        for (name, line) in std::mem::take(&mut inner.conn_lines) {
                            note!(inner.log, &mut deliveries, LEVEL_TRANSPORT, 1, name, "{line}");
                        }
                        let failed = inner.run_events(&mut entry, events, now, (None, "TX_MSG"), &mut deliveries);
                        if failed.is_none() {
                            inner.arm_timer(&mut entry, &branch);
                            inner.tsx.insert(branch, entry);
                        }
                        let removed = inner.close_broken(now, &mut deliveries);
                        drop(inner);
                        drop(removed);
                        match failed {
                            Some(status) => Ok(Err(status)),
                            None => Ok(Ok(transport_id)),
                        }
                    }
                }
            }
        };
        self.wake();
        match result {
            Err(f) => {
                owner.on_tsx_final(self, TsxFinal { code: f.code, reason: f.reason, response: None, transport: None });
                Err(f.status)
            }
            Ok(r) => {
                for d in deliveries {
                    d(self);
                }
                r
            }
        }
    }

    // ---- DNS ----

    /// Starts a lookup for `send` with the resolver's current settings.
    /// Fails at once (the owner told, as for any send that cannot leave)
    /// when the resolver has no nameserver or no query can be sent.
    fn start_lookup(
        self: &Arc<Self>,
        resolver: &dns::Resolver,
        (lookup, question): (dns::Lookup, dns::Question),
        send: DeferredSend,
    ) -> Result<(), Status> {
        let settings = resolver.settings.lock().clone();
        let (status, send) = if settings.servers.is_empty() {
            (PJLIB_UTIL_EDNSNONS, send)
        } else {
            let now = self.now();
            let pending = PendingLookup { lookup, question, settings, sent: 0, timer: None, send };
            let asked = self.inner.lock().dns_ask(pending, now);
            self.wake();
            match asked {
                Ok(()) => return Ok(()),
                Err((status, p)) => (status, p.send),
            }
        };
        let f = SendFailure { status, code: dns::failure_code(status), reason: crate::status::text(status) };
        send.owner.on_tsx_final(self, TsxFinal { code: f.code, reason: f.reason, response: None, transport: None });
        Err(status)
    }

    /// A datagram on a DNS socket.
    fn on_dns(self: &Arc<Self>, data: &[u8]) {
        let Some(id) = data.get(..2).map(|b| u16::from_be_bytes([b[0], b[1]])) else { return };
        let done = {
            let mut inner = self.inner.lock();
            let Some(p) = inner.lookups.get(&id) else { return };
            let Some(result) = dns::decode_response(data, id, &p.question) else { return };
            let Some(mut p) = inner.lookups.remove(&id) else { return };
            if let Some(t) = p.timer.take() {
                inner.timers.cancel(t);
            }
            let now = self.now();
            inner.dns_advance(p, result, now)
        };
        if let Some(done) = done {
            self.finish_lookup(done);
        }
    }

    /// A lookup is over: send its request, or end its transaction.
    fn finish_lookup(self: &Arc<Self>, (send, result): (DeferredSend, Result<Vec<SocketAddr>, Status>)) {
        let mut alternates = Vec::new();
        let target = match result {
            Ok(mut addrs) if !addrs.is_empty() => {
                alternates = addrs.split_off(1);
                Ok(Target { addr: addrs[0], kind: send.kind, host: send.host.clone() })
            }
            Ok(_) => Err(PJLIB_UTIL_EDNSNOANSWERREC),
            Err(e) => Err(e),
        };
        let target = target.map_err(|status| SendFailure { status, code: dns::failure_code(status), reason: crate::status::text(status) });
        let DeferredSend { owner, req, timers, first_retransmit, selection, via_sent_by, branch, obj, .. } = send;
        // A failure has been reported to the owner by send_to.
        let _ = self.send_to(owner, &req, target, timers, first_retransmit, selection, via_sent_by, branch, obj.as_deref(), alternates);
    }

    /// Whether pjsip would try TCP first: an IPv4 UDP destination and a
    /// request that, encoded before its Via gets a transport and sent-by,
    /// reaches the threshold.
    fn switches_to_tcp(&self, req: &PrintedRequest, target: &Target, branch: &str, cfg: &RuntimeConfig) -> bool {
        if !cfg.tcp_switch || target.kind != Kind::Udp || !target.addr.is_ipv4() {
            return false;
        }
        let bare = Via { rport: if cfg.rport { 0 } else { -1 }, ttl: -1, branch: Some(branch.into()), ..Default::default() };
        req.len_with(&bare) >= UDP_SIZE_THRESHOLD
    }

    // ---- the loop ----

    /// One round: due timers, then wait for packets up to `max_wait` (or the
    /// next timer), read them, then due timers again. Returns events handled.
    pub fn handle_events(self: &Arc<Self>, max_wait: Option<Duration>) -> usize {
        let mut handled = self.run_timers();
        let now = self.now();
        self.polling.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (mut fds, sources, udps, dns_socks, next) = {
            use std::os::fd::AsRawFd;
            let inner = self.inner.lock();
            let mut fds = Vec::new();
            let mut sources = Vec::new();
            let mut udps = Vec::new();
            for (id, slot) in &inner.slots {
                let (fd, events) = match slot {
                    Slot::Udp(u) => {
                        udps.push(u.clone());
                        (u.raw_fd(), libc::POLLIN)
                    }
                    Slot::Listener(l) => (l.sock.raw_fd(), libc::POLLIN),
                    Slot::Conn(c) => (c.stream.raw_fd(), c.stream.interest()),
                };
                if events != 0 {
                    fds.push(libc::pollfd { fd, events, revents: 0 });
                    sources.push(*id);
                }
            }
            let dns_socks: Vec<Arc<std::net::UdpSocket>> = inner.dns_socks.iter().flatten().cloned().collect();
            for d in &dns_socks {
                fds.push(libc::pollfd { fd: d.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            }
            fds.push(libc::pollfd { fd: self.wake_fd.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            (fds, sources, udps, dns_socks, inner.timers.next_deadline())
        };
        let mut wait = max_wait.map(|d| d.as_millis() as u64);
        if let Some(at) = next {
            let until = at.saturating_sub(now);
            wait = Some(wait.map_or(until, |w| w.min(until)));
        }
        if handled > 0 {
            wait = Some(0);
        }
        let timeout: libc::c_int = match wait {
            Some(ms) => ms.min(i32::MAX as u64) as libc::c_int,
            None => -1,
        };
        // SAFETY: fds is a valid array of pollfd for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        self.polling.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        if ready > 0 {
            if fds.last().is_some_and(|f| f.revents & libc::POLLIN != 0) {
                self.drain_wake();
            }
            // Datagrams are read without the lock, one socket at a time, into
            // this thread's buffer (taken, so that a nested call from a
            // callback gets a fresh one).
            let mut buf = DATAGRAM_BUF.with(|b| b.take());
            buf.resize(MAX_DATAGRAM, 0);
            let mut streams = Vec::new();
            for (pfd, id) in fds.iter().zip(sources.iter()) {
                if pfd.revents == 0 {
                    continue;
                }
                match udps.iter().find(|u| u.raw_fd() == pfd.fd) {
                    Some(u) => {
                        for _ in 0..MAX_READS_PER_ROUND {
                            match u.recv_from(&mut buf) {
                                Ok((n, src)) => {
                                    handled += 1;
                                    self.on_datagram(&buf[..n], src, *id);
                                }
                                Err(_) => break,
                            }
                        }
                    }
                    None => streams.push((*id, pfd.revents)),
                }
            }
            let dns_fds = &fds[sources.len()..sources.len() + dns_socks.len()];
            for (pfd, sock) in dns_fds.iter().zip(dns_socks.iter()) {
                if pfd.revents == 0 {
                    continue;
                }
                for _ in 0..MAX_READS_PER_ROUND {
                    match sock.recv_from(&mut buf) {
                        Ok((n, _)) => {
                            handled += 1;
                            self.on_dns(&buf[..n]);
                        }
                        Err(_) => break,
                    }
                }
            }
            DATAGRAM_BUF.with(|b| b.replace(buf));
            if !streams.is_empty() {
                handled += streams.len();
                self.on_stream_ready(&streams);
            }
        }
        handled + self.run_timers()
    }

    fn on_datagram(self: &Arc<Self>, data: &[u8], src: SocketAddr, transport: TransportId) {
        let mut deliveries: Deliveries = Vec::new();
        {
            let mut inner = self.inner.lock();
            let now = self.now();
            inner.dispatch(data, src, transport, None, now, &mut deliveries);
        }
        for d in deliveries {
            d(self);
        }
    }

    fn on_stream_ready(self: &Arc<Self>, ready: &[(TransportId, i16)]) {
        let mut deliveries: Deliveries = Vec::new();
        let removed = {
            let mut inner = self.inner.lock();
            let now = self.now();
            let cfg = self.config();
            let mut removed = Vec::new();
            for &(id, revents) in ready {
                removed.extend(inner.stream_ready(id, revents, now, &cfg, &self.me, &mut deliveries));
            }
            removed.extend(inner.close_broken(now, &mut deliveries));
            removed
        };
        drop(removed);
        for d in deliveries {
            d(self);
        }
    }

    /// Fires every due timer (no cap per round). Returns how many fired.
    pub fn run_timers(self: &Arc<Self>) -> usize {
        let mut fired = 0;
        loop {
            let mut deliveries: Deliveries = Vec::new();
            let removed = {
                let mut inner = self.inner.lock();
                let now = self.now();
                let due = inner.timers.drain_due(now);
                if due.is_empty() {
                    return fired;
                }
                let cfg = self.config();
                let mut removed = Vec::new();
                for (id, key) in due {
                    fired += 1;
                    match key {
                        TimerKey::User(owner, token) => {
                            if let Some(o) = owner.upgrade() {
                                deliveries.push(Box::new(move |ep| o.on_timer(ep, token)));
                            }
                        }
                        TimerKey::Tsx(branch) => {
                            let Some(mut entry) = inner.tsx.remove(&branch) else { continue };
                            entry.timer = None;
                            let prev = entry.tsx.state();
                            let events = entry.tsx.poll(now);
                            let retransmit = events.contains(&Event::Transmit);
                            note!(inner.log, &mut deliveries, LEVEL_TSX, 0, entry.name(), "{} timer event",
                                if retransmit { "Retransmit" } else { "Timeout" });
                            let ended = inner.run_events(&mut entry, events, now, (Some(prev), "TIMER"), &mut deliveries);
                            if ended.is_none() {
                                inner.arm_timer(&mut entry, &branch);
                                inner.tsx.insert(branch, entry);
                            }
                        }
                        TimerKey::Conn(conn, what) => {
                            removed.extend(inner.conn_timer(conn, what, id, now, &cfg, &self.me, &mut deliveries));
                        }
                        TimerKey::Dns(qid) => {
                            if let Some(done) = inner.dns_timer(qid, now) {
                                deliveries.push(Box::new(move |ep| ep.finish_lookup(done)));
                            }
                        }
                    }
                }
                removed.extend(inner.close_broken(now, &mut deliveries));
                removed
            };
            drop(removed);
            for d in deliveries {
                d(self);
            }
        }
    }
}

type LookupDone = (DeferredSend, Result<Vec<SocketAddr>, Status>);

impl Inner {
    /// Sends the current query of `p` (a new id; the next nameserver on
    /// each retransmission) and arms its retransmission timer.
    fn dns_ask(&mut self, mut p: PendingLookup, now: u64) -> Result<(), (Status, PendingLookup)> {
        let mut id = 0;
        for _ in 0..8 {
            id = getrandom::u32().map_or(0, |r| r as u16);
            if !self.lookups.contains_key(&id) {
                break;
            }
        }
        if self.lookups.contains_key(&id) {
            return Err((PJ_EBUSY, p));
        }
        p.sent = 0;
        match self.dns_transmit(&mut p, id, now) {
            Ok(()) => {
                self.lookups.insert(id, p);
                Ok(())
            }
            Err(st) => Err((st, p)),
        }
    }

    /// One transmission of `p`'s query `id`, and its timer.
    fn dns_transmit(&mut self, p: &mut PendingLookup, id: u16, now: u64) -> Result<(), Status> {
        let bytes = dns::encode_query(id, &p.question)?;
        let servers = &p.settings.servers;
        let server = servers[p.sent as usize % servers.len()];
        let family = usize::from(server.is_ipv6());
        if self.dns_socks[family].is_none() {
            let bind: SocketAddr = if server.is_ipv6() { "[::]:0" } else { "0.0.0.0:0" }.parse().map_err(|_| PJ_EINVAL)?;
            let sock = std::net::UdpSocket::bind(bind).map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EIO)))?;
            sock.set_nonblocking(true).map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EIO)))?;
            self.dns_socks[family] = Some(Arc::new(sock));
        }
        if let Some(sock) = &self.dns_socks[family] {
            // A lost or refused datagram is retransmitted like an unanswered one.
            let _ = sock.send_to(&bytes, server);
        }
        p.sent += 1;
        p.timer = Some(self.timers.schedule(now + u64::from(p.settings.retransmit_ms.max(1)), TimerKey::Dns(id)));
        Ok(())
    }

    /// The retransmission timer of query `id`: send again, or give up
    /// with PJ_ETIMEDOUT.
    fn dns_timer(&mut self, id: u16, now: u64) -> Option<LookupDone> {
        let mut p = self.lookups.remove(&id)?;
        p.timer = None;
        if p.sent < p.settings.retransmit_count {
            match self.dns_transmit(&mut p, id, now) {
                Ok(()) => {
                    self.lookups.insert(id, p);
                    return None;
                }
                Err(st) => return self.dns_advance(p, Err(st), now),
            }
        }
        self.dns_advance(p, Err(PJ_ETIMEDOUT), now)
    }

    /// Feeds the outcome of the current query to the lookup: asks the next
    /// question, or returns the finished lookup.
    fn dns_advance(
        &mut self,
        mut p: PendingLookup,
        result: Result<dns::Answer, Status>,
        now: u64,
    ) -> Option<LookupDone> {
        let mut random = || getrandom::u32().unwrap_or(0);
        match p.lookup.on_answer(result, &mut random) {
            dns::Next::Done(r) => Some((p.send, r)),
            dns::Next::Ask(q) => {
                p.question = q;
                match self.dns_ask(p, now) {
                    Ok(()) => None,
                    Err((st, p)) => Some((p.send, Err(st))),
                }
            }
        }
    }

    /// The request as it leaves through `transport_id`: its Via names the
    /// transport and the sent-by (the override applies only to its own
    /// transport, when it names one).
    fn encode(
        &self,
        req: &PrintedRequest,
        transport_id: TransportId,
        via_sent_by: &Option<(String, u16, Option<TransportId>)>,
        branch: &str,
        cfg: &RuntimeConfig,
    ) -> (Kind, Vec<u8>) {
        let (kind, published) = self.sent_by(transport_id);
        let (host, port) = match via_sent_by {
            Some((h, p, tp)) if tp.is_none() || *tp == Some(transport_id) => (h.clone(), *p),
            _ => published,
        };
        let mut via = Via {
            transport: kind.name().into(),
            host,
            port,
            rport: if cfg.rport { 0 } else { -1 },
            ttl: -1,
            branch: Some(branch.to_string()),
            ..Default::default()
        };
        if kind.reliable() && cfg.via_alias {
            via.other_params.push(Param { name: "alias".into(), value: None });
        }
        (kind, req.with_via(&via))
    }

    /// Whether `id` is a connection not yet open (connecting, handshaking).
    fn conn_pending(&self, id: TransportId) -> bool {
        matches!(self.slots.get(&id),
            Some(Slot::Conn(c)) if matches!(c.stream.state(), ConnState::Connecting | ConnState::Handshaking))
    }

    /// Applies tsx events: transmit, and queue the final for delivery.
    /// Returns Some(status) when the transaction ended: the transport error
    /// that ended it, or PJ_SUCCESS.
    /// `cause`: the state before these events (None for a new
    /// transaction) and pjsip's name of what led to them, for the log.
    fn run_events(
        &mut self,
        entry: &mut TsxEntry,
        events: Vec<Event>,
        now: u64,
        cause: (Option<crate::tsx::State>, &'static str),
        deliveries: &mut Deliveries,
    ) -> Option<Status> {
        let (mut logged_state, mut event_name) = cause;
        let mut ended = None;
        let mut error = PJ_SUCCESS;
        let mut pending = events;
        while !pending.is_empty() {
            let mut more = Vec::new();
            for ev in pending {
                match ev {
                    Event::Transmit => {
                        if let Some(o) = &self.observer {
                            let o = o.clone();
                            let sent = Sent { bytes: entry.bytes.clone(), transport: entry.transport, dest: entry.dest };
                            deliveries.push(Box::new(move |ep| o.on_tx(ep, &sent)));
                        }
                        let count = entry.tsx.retransmit_count();
                        if count > 0 {
                            note!(self.log, deliveries, LEVEL_TSX, 1, entry.name(), "Retransmitting {}, count={}", entry.info(), count - 1);
                        }
                        match self.transmit(entry.transport, &entry.bytes, entry.dest, now) {
                            Ok(()) => self.note_sent(entry, deliveries),
                            Err(status) => {
                                note!(self.log, deliveries, LEVEL_TRANSPORT, 1, entry.name(),
                                    "Failed to send {}: {}", entry.info(), crate::status::text(status));
                                error = status;
                                // The request went nowhere: pjsip's
                                // transaction enters Calling, then ends.
                                self.note_states(entry, &mut logged_state, Some(crate::tsx::State::Trying), (event_name, 1), deliveries);
                                event_name = "TRANSPORT_ERROR";
                                more.extend(entry.tsx.on_transport_error(status, now));
                            }
                        }
                    }
                    Event::Final(outcome) => {
                        let now_state = Some(entry.tsx.state());
                        self.note_states(entry, &mut logged_state, now_state, (event_name, 1), deliveries);
                        let transport = entry.transport;
                        let (code, reason) = match outcome {
                            Outcome::Response { code } => (code, String::new()),
                            Outcome::Timeout => (408, crate::tsx::TIMEOUT_REASON.to_string()),
                            Outcome::TransportError { status } => (503, crate::status::text(status)),
                        };
                        // A response's outcome went with it (dispatch).
                        let owner = entry.owner.take();
                        if let (false, Some(owner)) = (matches!(outcome, Outcome::Response { .. }), owner) {
                            deliveries.push(Box::new(move |ep| {
                                owner.on_tsx_final(ep, TsxFinal { code, reason, response: None, transport: Some(transport) })
                            }));
                        }
                    }
                    Event::Terminated => {
                        self.note_states(entry, &mut logged_state, Some(crate::tsx::State::Terminated), (event_name, 1), deliveries);
                        note!(self.log, deliveries, LEVEL_TSX, 0, entry.name(), "Transaction destroyed!");
                        ended = Some(error);
                    }
                }
            }
            pending = more;
        }
        let now_state = Some(entry.tsx.state());
        self.note_states(entry, &mut logged_state, now_state, (event_name, 1), deliveries);
        ended
    }

    /// Logs the state change from `*from` to `to` (nothing when equal).
    fn note_states(
        &self,
        entry: &TsxEntry,
        from: &mut Option<crate::tsx::State>,
        to: Option<crate::tsx::State>,
        (event, indent): (&str, usize),
        deliveries: &mut Deliveries,
    ) {
        if *from == to {
            return;
        }
        note!(self.log, deliveries, LEVEL_TSX, indent, entry.name(),
            "State changed from {} to {}, event={event}", log::state_name(*from), log::state_name(to));
        *from = to;
    }

    /// Logs a request handed to its transport (and, at level 6, the
    /// request itself).
    fn note_sent(&self, entry: &TsxEntry, deliveries: &mut Deliveries) {
        if log::at(&self.log, LEVEL_TSX).is_none() {
            return;
        }
        let tp = self.transport_name(entry.transport);
        note!(self.log, deliveries, LEVEL_TSX, 1, tp.clone(), "{} sent successfully", entry.info());
        let (kind, _) = self.sent_by(entry.transport);
        note!(self.log, deliveries, LEVEL_MSG, 0, tp, "TX {} bytes {} to {} {}:\n{}\n--end msg--",
            entry.bytes.len(), entry.info(), kind.name(), entry.dest, log::msg_text(&entry.bytes));
    }

    /// The log's name of a transport (its C struct's `obj_name`).
    fn transport_name(&self, id: TransportId) -> String {
        match self.slots.get(&id) {
            Some(Slot::Udp(u)) => log::transport_name(Kind::Udp, false, false, id, 0, u.local_addr().is_ipv6()),
            None => log::transport_name(Kind::Udp, false, false, id, 0, false),
            Some(Slot::Conn(c)) => log::transport_name(c.kind, true, false, id, 0, false),
            Some(Slot::Listener(l)) => log::transport_name(l.kind, false, true, id, l.published.1, false),
        }
    }

    /// Hands bytes to a transport.
    fn transmit(&mut self, id: TransportId, bytes: &[u8], dest: SocketAddr, now: u64) -> Result<(), Status> {
        match self.slots.get_mut(&id) {
            Some(Slot::Udp(u)) => u
                .send_to(bytes, dest)
                .map(|_| ())
                .map_err(|e| crate::status::from_os(e.raw_os_error().unwrap_or(libc::EIO))),
            Some(Slot::Conn(c)) => {
                c.last_activity = now;
                let r = c.stream.send(bytes);
                if let Err(status) = r {
                    self.broken.push((id, status));
                }
                r
            }
            _ => Err(PJSIP_ETPNOTAVAIL),
        }
    }

    fn arm_timer(&mut self, entry: &mut TsxEntry, branch: &str) {
        if let Some(id) = entry.timer.take() {
            self.timers.cancel(id);
        }
        if let Some(at) = entry.tsx.next_deadline() {
            entry.timer = Some(self.timers.schedule(at, TimerKey::Tsx(branch.to_string())));
        }
    }

    /// Matches a received message to its transaction. `hold` is set for
    /// messages from a connection (the endpoint to release the hold with).
    fn dispatch(
        &mut self,
        data: &[u8],
        src: SocketAddr,
        transport: TransportId,
        hold: Option<&Weak<Endpoint>>,
        now: u64,
        deliveries: &mut Deliveries,
    ) {
        self.rx_count += 1;
        let Some(msg) = parse_message(data).ok().filter(acceptable) else {
            self.dropped += 1;
            note!(self.log, deliveries, LEVEL_TRANSPORT, 0, self.transport_name(transport),
                "Dropping {} bytes from {}: not a SIP message pjsip would accept", data.len(), src);
            return;
        };
        let StartLine::Response { code, ref reason } = msg.start else {
            // Requests are not served by a registration client.
            self.dropped += 1;
            note!(self.log, deliveries, LEVEL_TSX, 0, SENDER_ENDPOINT.into(),
                "Dropping a request from {src}: a registration client serves none");
            return;
        };
        let reason = reason.clone();
        let branch = msg.top_via().and_then(|v| v.branch.clone());
        let method_ok = msg.cseq().is_some_and(|c| c.method.eq_ignore_ascii_case("REGISTER"));
        let info = log::at(&self.log, LEVEL_TSX).map(|_| {
            let (method, n) = msg.cseq().map_or((String::new(), 0), |c| (c.method.clone(), c.seq));
            format!("Response msg {code}/{method}/cseq={n} (rdata{:x})", self.rx_count)
        });
        if let Some(info) = &info {
            let (kind, _) = self.sent_by(transport);
            note!(self.log, deliveries, LEVEL_MSG, 0, self.transport_name(transport),
                "RX {} bytes {info} from {} {src}:\n{}\n--end msg--", data.len(), kind.name(), log::msg_text(data));
            note!(self.log, deliveries, LEVEL_TSX, 0, SENDER_ENDPOINT.into(), "Processing incoming message: {info}");
        }
        if let Some(o) = &self.observer {
            let o = o.clone();
            let matched = method_ok && branch.as_ref().is_some_and(|b| self.tsx.contains_key(b));
            let seen = Received { msg: msg.clone(), raw: data.to_vec(), src, transport, _hold: None };
            deliveries.push(Box::new(move |ep| o.on_rx_response(ep, &seen, matched)));
        }
        let unmatched = |inner: &mut Inner, deliveries: &mut Deliveries| {
            inner.dropped += 1;
            note!(inner.log, deliveries, LEVEL_TRANSPORT, 0, SENDER_ENDPOINT.into(),
                "{} from {src} matches no transaction: dropped", info.as_deref().unwrap_or_default());
        };
        let (Some(branch), true) = (branch, method_ok) else {
            unmatched(self, deliveries);
            return;
        };
        let Some(mut entry) = self.tsx.remove(&branch) else {
            unmatched(self, deliveries);
            return;
        };
        let prev = entry.tsx.state();
        note!(self.log, deliveries, LEVEL_TSX, 1, entry.name(), "Incoming {} in state {}",
            info.as_deref().unwrap_or_default(), log::state_name(Some(prev)));
        let events = entry.tsx.on_response(code, now);
        // Logged before the outcome is delivered, as pjsip logs the change
        // before its callback runs. Over a stream Timer K is zero and the
        // transaction passes through Completed at once.
        let mut logged = Some(prev);
        let after = entry.tsx.state();
        if after == crate::tsx::State::Terminated && prev != crate::tsx::State::Completed {
            self.note_states(&entry, &mut logged, Some(crate::tsx::State::Completed), ("RX_MSG", 2), deliveries);
            self.note_states(&entry, &mut logged, Some(after), ("TIMER", 2), deliveries);
        } else {
            self.note_states(&entry, &mut logged, Some(after), ("RX_MSG", 2), deliveries);
        }
        let is_final = events.iter().any(|e| matches!(e, Event::Final(_)));
        if let Some(owner) = if is_final { entry.owner.take() } else { None } {
            entry.release_request();
            let tp = entry.transport;
            let hold = hold.map(|ep| {
                if let Some(Slot::Conn(c)) = self.slots.get_mut(&transport) {
                    c.holds += 1;
                }
                Hold { ep: ep.clone(), id: transport }
            });
            let received = Received { msg, raw: data.to_vec(), src, transport, _hold: hold };
            deliveries.push(Box::new(move |ep| {
                owner.on_tsx_final(ep, TsxFinal { code, reason, response: Some(received), transport: Some(tp) })
            }));
        }
        let ended = self.run_events(&mut entry, events, now, (logged, "RX_MSG"), deliveries);
        if ended.is_none() {
            self.arm_timer(&mut entry, &branch);
            self.tsx.insert(branch, entry);
        } else if let Some(id) = entry.timer.take() {
            self.timers.cancel(id);
        }
    }

    /// The transport kind and Via sent-by of a transport.
    fn sent_by(&self, id: TransportId) -> (Kind, (String, u16)) {
        match self.slots.get(&id) {
            Some(Slot::Udp(u)) => {
                let (h, p) = u.published();
                (Kind::Udp, (h.to_string(), p))
            }
            Some(Slot::Conn(c)) => (c.kind, c.sent_by.clone()),
            Some(Slot::Listener(l)) => (l.kind, l.published.clone()),
            None => (Kind::Udp, (String::new(), 0)),
        }
    }
}

impl TsxEntry {
    /// What only a transaction still sending needs.
    fn release_request(&mut self) {
        self.bytes = Vec::new();
        self.fallback = None;
        self.next_targets = None;
    }

    fn name(&self) -> String {
        format!("tsx{:x}", self.id)
    }

    fn info(&self) -> &str {
        self.info.as_deref().unwrap_or("Request msg")
    }
}

/// pjsip's description of a request, named after `obj` when given.
fn request_info(req: &Request, obj: Option<&str>) -> Arc<str> {
    let cseq = req.headers.iter().find_map(|h| match h {
        crate::reg::OutHeader::CSeq(c) => Some(c.seq),
        _ => None,
    });
    let obj = obj.map(|o| format!(" ({o})")).unwrap_or_default();
    format!("Request msg {}/cseq={}{obj}", req.method, cseq.unwrap_or(0)).into()
}

#[cfg(test)]
mod tests;
