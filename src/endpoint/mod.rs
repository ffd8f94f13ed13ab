//! The event loop: polls the transports, runs timers, matches responses to
//! client transactions and hands final outcomes to their owners. Owners are
//! called with no endpoint lock held, so they may call back into it.

mod resolve;

pub use resolve::{resolve_target, Target};

use crate::reg::print::print_request;
use crate::reg::Request;
use crate::sip::{parse_message, Message, StartLine, Via};
use crate::status::*;
use crate::timer::{TimerHeap, TimerId};
use crate::transport::UdpTransport;
use crate::tsx::{ClientTsx, Event, Outcome, Timers};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// Index of a transport in its endpoint.
pub type TransportId = usize;

/// Largest datagram accepted.
const MAX_DATAGRAM: usize = 65_535;
/// Datagrams read per socket per loop round, so that timers keep running
/// under a flood.
const MAX_READS_PER_ROUND: usize = 1024;

/// A response as received.
pub struct Received {
    pub msg: Message,
    pub raw: Vec<u8>,
    pub src: SocketAddr,
    pub transport: TransportId,
}

/// How a transaction ended.
pub struct TsxFinal {
    pub code: u16,
    pub reason: String,
    pub response: Option<Received>,
    /// The transport the request went through, if it got that far.
    pub transport: Option<TransportId>,
}

/// Whoever sent a request or owns a timer.
pub trait Owner: Send + Sync {
    fn on_tsx_final(self: Arc<Self>, ep: &Arc<Endpoint>, fin: TsxFinal);
    fn on_timer(self: Arc<Self>, ep: &Arc<Endpoint>, token: u64);
    /// The endpoint is going away with this owner's transaction pending:
    /// no final outcome will come.
    fn on_shutdown(self: Arc<Self>);
}

/// Why a request could not leave at all; the transaction ends with `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    pub status: Status,
    pub code: u16,
    pub reason: String,
}

enum TimerKey {
    Tsx(String),
    User(Weak<dyn Owner>, u64),
}

struct TsxEntry {
    tsx: ClientTsx,
    owner: Arc<dyn Owner>,
    bytes: Vec<u8>,
    dest: SocketAddr,
    transport: TransportId,
    timer: Option<TimerId>,
}

#[derive(Default)]
struct Inner {
    transports: Vec<Arc<UdpTransport>>,
    timers: TimerHeap<TimerKey>,
    tsx: HashMap<String, TsxEntry>,
    /// Response datagrams that matched no transaction or did not parse.
    dropped: u64,
}

pub struct Endpoint {
    inner: Mutex<Inner>,
    epoch: Instant,
    allow: Mutex<Vec<String>>,
    /// eventfd that ends the loop's wait when another thread adds work.
    wake_fd: std::os::fd::OwnedFd,
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
        Ok(Arc::new(Endpoint {
            inner: Mutex::new(Inner::default()),
            epoch: Instant::now(),
            allow: Mutex::new(Vec::new()),
            wake_fd,
        }))
    }

    /// Ends a wait in progress in `handle_events` on another thread.
    pub fn wake(&self) {
        use std::os::fd::AsRawFd;
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

    /// Drops every transaction and timer (endpoint destruction), telling
    /// the owners of pending transactions, outside the lock.
    pub fn shutdown(&self) {
        let owners: Vec<Arc<dyn Owner>> = {
            let mut inner = self.inner.lock();
            inner.timers.clear();
            inner.tsx.drain().map(|(_, e)| e.owner).collect()
        };
        for o in owners {
            o.on_shutdown();
        }
    }

    /// Milliseconds on the endpoint's monotonic clock.
    pub fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    pub fn add_transport(&self, t: UdpTransport) -> TransportId {
        let mut inner = self.inner.lock();
        inner.transports.push(Arc::new(t));
        inner.transports.len() - 1
    }

    pub fn transport(&self, id: TransportId) -> Option<Arc<UdpTransport>> {
        self.inner.lock().transports.get(id).cloned()
    }

    pub fn add_allow(&self, methods: &[String]) {
        let mut allow = self.allow.lock();
        for m in methods {
            if !allow.iter().any(|a| a == m) {
                allow.push(m.clone());
            }
        }
    }

    pub fn allow(&self) -> Vec<String> {
        self.allow.lock().clone()
    }

    pub fn dropped_datagrams(&self) -> u64 {
        self.inner.lock().dropped
    }

    pub fn pending_transactions(&self) -> usize {
        self.inner.lock().tsx.len()
    }

    // ---- timers for owners ----

    pub fn schedule(&self, at: u64, owner: Weak<dyn Owner>, token: u64) -> TimerId {
        let id = self.inner.lock().timers.schedule(at, TimerKey::User(owner, token));
        self.wake();
        id
    }

    pub fn cancel(&self, id: TimerId) -> bool {
        self.inner.lock().timers.cancel(id)
    }

    // ---- sending ----

    /// Sends `req` in a new client transaction. `via_sent_by` overrides the
    /// transport's published address (only on its transport, when one is
    /// given); `selected` forces a transport. When the request cannot leave
    /// at all, the owner's `on_tsx_final` runs before this returns the error,
    /// as pjsip ends the transaction inside the send call.
    pub fn send_request(
        self: &Arc<Self>,
        owner: Arc<dyn Owner>,
        req: &Request,
        timers: Timers,
        first_retransmit: u64,
        selected: Option<TransportId>,
        via_sent_by: Option<(String, u16, Option<TransportId>)>,
        branch: String,
    ) -> Result<TransportId, Status> {
        let chosen = resolve_target(req).and_then(|target| {
            let inner = self.inner.lock();
            let chosen = match selected {
                Some(id) => inner.transports.get(id).map(|t| (id, t.clone())),
                None => inner
                    .transports
                    .iter()
                    .enumerate()
                    .find(|(_, t)| t.is_ipv6() == target.addr.is_ipv6())
                    .map(|(i, t)| (i, t.clone())),
            };
            chosen.map(|(id, t)| (target, id, t)).ok_or_else(|| SendFailure {
                status: PJSIP_EUNSUPTRANSPORT,
                code: 503,
                reason: crate::status::text(PJSIP_EUNSUPTRANSPORT),
            })
        });
        let (target, transport_id, transport) = match chosen {
            Ok(c) => c,
            Err(f) => {
                owner.on_tsx_final(self, TsxFinal { code: f.code, reason: f.reason, response: None, transport: None });
                return Err(f.status);
            }
        };
        let (host, port) = match &via_sent_by {
            Some((h, p, tp)) if tp.is_none() || *tp == Some(transport_id) => (h.clone(), *p),
            _ => {
                let (h, p) = transport.published();
                (h.to_string(), p)
            }
        };
        let via = Via {
            transport: "UDP".into(),
            host,
            port,
            rport: 0,
            ttl: -1,
            branch: Some(branch.clone()),
            ..Default::default()
        };
        let bytes = print_request(req, &via);
        let now = self.now();
        let (tsx, events) = ClientTsx::with_first_interval(false, timers, first_retransmit, now);
        let mut entry = TsxEntry { tsx, owner, bytes, dest: target.addr, transport: transport_id, timer: None };
        let mut deliveries: Deliveries = Vec::new();
        let failed = {
            let mut inner = self.inner.lock();
            let failed = Self::run_events(&mut entry, events, &transport, &mut deliveries);
            if failed.is_none() {
                Self::arm_timer(&mut inner, &mut entry, &branch);
                inner.tsx.insert(branch, entry);
            }
            failed
        };
        self.wake();
        for d in deliveries {
            d(self);
        }
        match failed {
            Some(status) => Err(status),
            None => Ok(transport_id),
        }
    }

    /// Applies tsx events: transmit, and queue the final for delivery.
    /// Returns Some(status) when the transaction ended: the transport error
    /// that ended it, or PJ_SUCCESS.
    fn run_events(
        entry: &mut TsxEntry,
        events: Vec<Event>,
        transport: &UdpTransport,
        deliveries: &mut Deliveries,
    ) -> Option<Status> {
        let mut ended = None;
        let mut error = PJ_SUCCESS;
        let mut pending = events;
        while !pending.is_empty() {
            let mut more = Vec::new();
            for ev in pending {
                match ev {
                    Event::Transmit => {
                        if let Err(e) = transport.send_to(&entry.bytes, entry.dest) {
                            let status = crate::status::from_os(e.raw_os_error().unwrap_or(libc::EIO));
                            error = status;
                            more.extend(entry.tsx.on_transport_error(status, 0));
                        }
                    }
                    Event::Final(outcome) => {
                        let owner = entry.owner.clone();
                        let transport = entry.transport;
                        let (code, reason) = match outcome {
                            Outcome::Response { code } => (code, String::new()),
                            Outcome::Timeout => (408, crate::tsx::TIMEOUT_REASON.to_string()),
                            Outcome::TransportError { status } => (503, crate::status::text(status)),
                        };
                        if !matches!(outcome, Outcome::Response { .. }) {
                            deliveries.push(Box::new(move |ep| {
                                owner.on_tsx_final(ep, TsxFinal { code, reason, response: None, transport: Some(transport) })
                            }));
                        }
                    }
                    Event::Terminated => ended = Some(error),
                }
            }
            pending = more;
        }
        ended
    }

    fn arm_timer(inner: &mut Inner, entry: &mut TsxEntry, branch: &str) {
        if let Some(id) = entry.timer.take() {
            inner.timers.cancel(id);
        }
        if let Some(at) = entry.tsx.next_deadline() {
            entry.timer = Some(inner.timers.schedule(at, TimerKey::Tsx(branch.to_string())));
        }
    }

    // ---- the loop ----

    /// One round: due timers, then wait for packets up to `max_wait` (or the
    /// next timer), read them, then due timers again. Returns events handled.
    pub fn handle_events(self: &Arc<Self>, max_wait: Option<Duration>) -> usize {
        let mut handled = self.run_timers();
        let now = self.now();
        let (fds, transports, next) = {
            use std::os::fd::AsRawFd;
            let inner = self.inner.lock();
            let fds: Vec<libc::pollfd> = inner
                .transports
                .iter()
                .map(|t| libc::pollfd { fd: t.raw_fd(), events: libc::POLLIN, revents: 0 })
                .chain(std::iter::once(libc::pollfd { fd: self.wake_fd.as_raw_fd(), events: libc::POLLIN, revents: 0 }))
                .collect();
            (fds, inner.transports.clone(), inner.timers.next_deadline())
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
        let mut fds = fds;
        // SAFETY: fds is a valid array of pollfd for the duration of the call.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if ready > 0 {
            if fds.last().is_some_and(|f| f.revents & libc::POLLIN != 0) {
                self.drain_wake();
            }
            let mut buf = vec![0u8; MAX_DATAGRAM];
            for (id, (pfd, t)) in fds.iter().zip(transports.iter()).enumerate() {
                if pfd.revents & libc::POLLIN == 0 {
                    continue;
                }
                for _ in 0..MAX_READS_PER_ROUND {
                    match t.recv_from(&mut buf) {
                        Ok((n, src)) => {
                            handled += 1;
                            self.on_datagram(&buf[..n], src, id);
                        }
                        Err(_) => break,
                    }
                }
            }
        }
        handled + self.run_timers()
    }

    fn on_datagram(self: &Arc<Self>, data: &[u8], src: SocketAddr, transport: TransportId) {
        let Some(msg) = parse_message(data).ok().filter(acceptable) else {
            self.inner.lock().dropped += 1;
            return;
        };
        let StartLine::Response { code, ref reason } = msg.start else {
            // Requests are not served by a registration client.
            self.inner.lock().dropped += 1;
            return;
        };
        let reason = reason.clone();
        let branch = msg.top_via().and_then(|v| v.branch.clone());
        let method_ok = msg.cseq().is_some_and(|c| c.method.eq_ignore_ascii_case("REGISTER"));
        let (Some(branch), true) = (branch, method_ok) else {
            self.inner.lock().dropped += 1;
            return;
        };
        let mut deliveries: Deliveries = Vec::new();
        {
            let mut inner = self.inner.lock();
            let now = self.now();
            let Some(mut entry) = inner.tsx.remove(&branch) else {
                inner.dropped += 1;
                return;
            };
            let transport_arc = inner.transports.get(entry.transport).cloned();
            let events = entry.tsx.on_response(code, now);
            let is_final = events.iter().any(|e| matches!(e, Event::Final(_)));
            if is_final {
                let owner = entry.owner.clone();
                let tp = entry.transport;
                let received = Received { msg, raw: data.to_vec(), src, transport };
                deliveries.push(Box::new(move |ep| {
                    owner.on_tsx_final(ep, TsxFinal { code, reason, response: Some(received), transport: Some(tp) })
                }));
            }
            let ended = match &transport_arc {
                Some(t) => Self::run_events(&mut entry, events, t, &mut deliveries),
                None => None,
            };
            if ended.is_none() {
                Self::arm_timer(&mut inner, &mut entry, &branch);
                inner.tsx.insert(branch, entry);
            } else if let Some(id) = entry.timer.take() {
                inner.timers.cancel(id);
            }
        }
        for d in deliveries {
            d(self);
        }
    }

    /// Fires every due timer (no cap per round). Returns how many fired.
    pub fn run_timers(self: &Arc<Self>) -> usize {
        let mut fired = 0;
        loop {
            let mut deliveries: Deliveries = Vec::new();
            {
                let mut inner = self.inner.lock();
                let now = self.now();
                let due = inner.timers.drain_due(now);
                if due.is_empty() {
                    return fired;
                }
                for (_, key) in due {
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
                            let events = entry.tsx.poll(now);
                            let ended = match inner.transports.get(entry.transport).cloned() {
                                Some(t) => Self::run_events(&mut entry, events, &t, &mut deliveries),
                                None => Some(PJ_SUCCESS),
                            };
                            if ended.is_none() {
                                Self::arm_timer(&mut inner, &mut entry, &branch);
                                inner.tsx.insert(branch, entry);
                            }
                        }
                    }
                }
            }
            for d in deliveries {
                d(self);
            }
        }
    }
}
