//! Stream connections inside the endpoint: choosing or opening one for a
//! request, turning socket readiness into responses and failures, and the
//! per-connection timers (start-up failure check, idle close, keep-alive,
//! TLS handshake deadline).

use super::*;
use crate::transport::framing::Frame;
use crate::transport::tls::server_name;
use crate::transport::ConnEvent;

impl Inner {
    /// Picks the transport for a request to `target`, opening a connection
    /// when none can be reused.
    pub(super) fn choose(
        &mut self,
        target: &Target,
        sel: Selection,
        now: u64,
        cfg: &RuntimeConfig,
    ) -> Result<TransportId, SendFailure> {
        let v6 = target.addr.is_ipv6();
        match sel.selector {
            Selector::Transport(id) => match self.slots.get(&id) {
                Some(Slot::Udp(u)) if target.kind == Kind::Udp && u.is_ipv6() == v6 => Ok(id),
                Some(Slot::Conn(c)) if c.kind == target.kind => match c.stream.state() {
                    ConnState::Closed(_) => Err(SendFailure::from_status(PJSIP_ETPNOTAVAIL)),
                    _ => Ok(id),
                },
                Some(_) => Err(SendFailure::from_status(PJSIP_ETPNOTSUITABLE)),
                None => Err(SendFailure::from_status(PJSIP_ETPNOTAVAIL)),
            },
            Selector::Listener(lid) => {
                let ok = matches!(self.slots.get(&lid),
                    Some(Slot::Listener(l)) if l.kind == target.kind && l.sock.local_addr().is_ipv6() == v6);
                if !ok {
                    return Err(SendFailure::from_status(PJSIP_ETPNOTSUITABLE));
                }
                if !sel.no_reuse {
                    if let Some(id) = self.reusable(target, Some(lid)) {
                        return Ok(id);
                    }
                }
                self.connect(lid, target, now, cfg)
            }
            Selector::Any | Selector::IpVersion(_) => {
                if target.kind == Kind::Udp {
                    return self
                        .slots
                        .iter()
                        .find(|(_, s)| matches!(s, Slot::Udp(u) if u.is_ipv6() == v6))
                        .map(|(id, _)| *id)
                        .ok_or_else(resolve::unsupported);
                }
                if !sel.no_reuse {
                    if let Some(id) = self.reusable(target, None) {
                        return Ok(id);
                    }
                }
                let lid = self
                    .slots
                    .iter()
                    .find(|(_, s)| matches!(s, Slot::Listener(l) if l.kind == target.kind && l.sock.local_addr().is_ipv6() == v6))
                    .map(|(id, _)| *id)
                    .ok_or_else(resolve::unsupported)?;
                self.connect(lid, target, now, cfg)
            }
        }
    }

    /// An open (or opening) connection to the target, through `listener`
    /// when given.
    fn reusable(&self, target: &Target, listener: Option<TransportId>) -> Option<TransportId> {
        let id = *self.by_dest.get(&(target.kind, target.addr))?;
        match self.slots.get(&id) {
            Some(Slot::Conn(c)) if listener.is_none_or(|l| l == c.listener) && !matches!(c.stream.state(), ConnState::Closed(_)) => {
                Some(id)
            }
            _ => None,
        }
    }

    /// Opens a connection to `target` through listener `lid`. The connect
    /// (and TLS handshake) completes in the event loop; requests sent
    /// meanwhile are queued.
    fn connect(&mut self, lid: TransportId, target: &Target, now: u64, _cfg: &RuntimeConfig) -> Result<TransportId, SendFailure> {
        let Some(Slot::Listener(l)) = self.slots.get(&lid) else {
            return Err(SendFailure::from_status(PJSIP_ETPNOTAVAIL));
        };
        let bound = l.sock.local_addr();
        // As pjsip, connect from the listener's address when it is a
        // specific one.
        let bind = (!bound.ip().is_unspecified()).then(|| SocketAddr::new(bound.ip(), 0));
        let tls = match (target.kind, &l.tls) {
            (Kind::Tls, Some(client)) => {
                let name = server_name(&target.host).ok_or_else(|| SendFailure::from_status(PJSIP_TLS_ECONNECT))?;
                Some((client.clone(), name))
            }
            (Kind::Tls, None) => return Err(SendFailure::from_status(PJSIP_TLS_ECTX)),
            _ => None,
        };
        let stream = StreamConn::connect(target.addr, bind, tls.as_ref().map(|(c, n)| (&**c, n.clone())))
            .map_err(SendFailure::from_status)?;
        let local = stream.local_addr();
        let sent_by = if l.has_addr_name { l.published.clone() } else { (local.ip().to_string(), local.port()) };
        let has_addr_name = l.has_addr_name;
        let kind = l.kind;
        let hs_deadline = tls.as_ref().map(|(c, _)| c.timeout_ms).filter(|ms| *ms > 0);
        let early = stream.has_early_error();
        let id = self.next_id;
        self.next_id += 1;
        let mut conn = Conn {
            kind,
            listener: lid,
            stream,
            holds: 0,
            sent_by,
            has_addr_name,
            last_activity: now,
            idle_timer: None,
            ka_timer: None,
            hs_timer: None,
        };
        if early {
            self.timers.schedule(now, TimerKey::Conn(id, ConnTimer::Check));
        }
        if let Some(ms) = hs_deadline {
            conn.hs_timer = Some(self.timers.schedule(now + ms, TimerKey::Conn(id, ConnTimer::Handshake)));
        }
        conn.idle_timer = Some(self.timers.schedule(now + IDLE_CLOSE_MS, TimerKey::Conn(id, ConnTimer::Idle)));
        if log::at(&self.log, LEVEL_TRANSPORT).is_some() {
            // Kept until send_request queues its lines, so that they come
            // after the transaction's first ones, as in pjsip.
            let name = log::transport_name(kind, true, false, id, 0, false);
            self.conn_lines.push((name.clone(), format!("{} client transport created", kind.name())));
            self.conn_lines.push((name, format!("{} transport {local} is connecting to {}...", kind.name(), target.addr)));
        }
        self.slots.insert(id, Slot::Conn(conn));
        self.by_dest.entry((target.kind, target.addr)).or_insert(id);
        Ok(id)
    }

    /// Readiness on a listener or connection.
    pub(super) fn stream_ready(
        &mut self,
        id: TransportId,
        revents: i16,
        now: u64,
        cfg: &RuntimeConfig,
        me: &Weak<Endpoint>,
        deliveries: &mut Deliveries,
    ) -> Vec<Slot> {
        let mut events = Vec::new();
        match self.slots.get_mut(&id) {
            Some(Slot::Listener(l)) => {
                l.sock.refuse_pending();
                return Vec::new();
            }
            Some(Slot::Conn(c)) => c.stream.on_ready(revents, &mut events),
            _ => return Vec::new(),
        }
        self.conn_events(id, events, now, cfg, me, deliveries)
    }

    fn conn_events(
        &mut self,
        id: TransportId,
        events: Vec<ConnEvent>,
        now: u64,
        cfg: &RuntimeConfig,
        me: &Weak<Endpoint>,
        deliveries: &mut Deliveries,
    ) -> Vec<Slot> {
        let mut removed = Vec::new();
        for ev in events {
            let Some(Slot::Conn(c)) = self.slots.get_mut(&id) else { break };
            match ev {
                ConnEvent::Open => {
                    c.last_activity = now;
                    note!(self.log, deliveries, LEVEL_TRANSPORT, 0, log::transport_name(c.kind, true, false, id, 0, false),
                        "{} transport {} is connected to {}", c.kind.name(), c.stream.local_addr(), c.stream.remote_addr());
                    for entry in self.tsx.values_mut().filter(|e| e.transport == id) {
                        entry.fallback = None;
                    }
                    let Some(Slot::Conn(c)) = self.slots.get_mut(&id) else { break };
                    let hs = c.hs_timer.take();
                    let interval = keepalive_ms(c.kind, cfg);
                    if let Some(t) = hs {
                        self.timers.cancel(t);
                    }
                    if let Some(ms) = interval {
                        let t = self.timers.schedule(now + ms, TimerKey::Conn(id, ConnTimer::KeepAlive));
                        if let Some(Slot::Conn(c)) = self.slots.get_mut(&id) {
                            c.ka_timer = Some(t);
                        }
                    }
                }
                ConnEvent::Frame(Frame::Message(m)) => {
                    c.last_activity = now;
                    let remote = c.stream.remote_addr();
                    self.dispatch(&m, remote, id, Some(me), now, deliveries);
                }
                ConnEvent::Frame(_) => c.last_activity = now,
                ConnEvent::Closed(status) => {
                    if (PJSIP_EINVALIDMSG..PJSIP_EUNSUPTRANSPORT).contains(&status) {
                        self.bad_streams += 1;
                    }
                    removed.extend(self.conn_closed(id, status, now, deliveries));
                }
            }
        }
        removed
    }

    /// A connection ended: it is no longer offered for reuse, and the
    /// transactions waiting on it end with a transport error (503). The
    /// object goes once nobody holds it.
    fn conn_closed(&mut self, id: TransportId, status: Status, now: u64, deliveries: &mut Deliveries) -> Option<Slot> {
        let (key, timers, holds) = match self.slots.get_mut(&id) {
            Some(Slot::Conn(c)) => {
                c.stream.close(status);
                note!(self.log, deliveries, LEVEL_TRANSPORT, 0, log::transport_name(c.kind, true, false, id, 0, false),
                    "{} connection {} to {} closed: {}", c.kind.name(), c.stream.local_addr(), c.stream.remote_addr(),
                    crate::status::text(status));
                let Some(Slot::Conn(c)) = self.slots.get_mut(&id) else { return None };
                let timers = [c.ka_timer.take(), c.hs_timer.take(), c.idle_timer.take()];
                ((c.kind, c.stream.remote_addr()), timers, c.holds)
            }
            _ => return None,
        };
        for t in timers.into_iter().flatten() {
            self.timers.cancel(t);
        }
        if self.by_dest.get(&key) == Some(&id) {
            self.by_dest.remove(&key);
        }
        let waiting: Vec<String> = self.tsx.iter().filter(|(_, e)| e.transport == id).map(|(b, _)| b.clone()).collect();
        for branch in waiting {
            let Some(mut entry) = self.tsx.remove(&branch) else { continue };
            if let Some(t) = entry.timer.take() {
                self.timers.cancel(t);
            }
            let prev = entry.tsx.state();
            if let Some(events) = self.next_target(&mut entry, &branch, now) {
                if self.run_events(&mut entry, events, now, (None, "TX_MSG"), deliveries).is_none() {
                    self.arm_timer(&mut entry, &branch);
                    self.tsx.insert(branch, entry);
                }
                continue;
            }
            let (events, cause) = match entry.fallback.take() {
                // A large request whose TCP connection never opened: over
                // UDP after all, as a fresh (retransmitting) transaction.
                Some(udp) => {
                    let (tsx, events) = ClientTsx::with_first_interval(false, udp.timers, udp.first_retransmit, now);
                    entry.tsx = tsx;
                    entry.transport = udp.transport;
                    entry.bytes = udp.bytes;
                    (events, (None, "TX_MSG"))
                }
                None => (entry.tsx.on_transport_error(status, now), (Some(prev), "TRANSPORT_ERROR")),
            };
            if self.run_events(&mut entry, events, now, cause, deliveries).is_none() {
                self.arm_timer(&mut entry, &branch);
                self.tsx.insert(branch, entry);
            }
        }
        if holds == 0 {
            self.slots.remove(&id)
        } else {
            None
        }
    }

    /// Moves a transaction whose connection failed before any response to
    /// the next address its destination resolved to, as a fresh
    /// transaction on a transport chosen for it. None when there is no
    /// next address (or no transport for any): the failure stands.
    fn next_target(&mut self, entry: &mut TsxEntry, branch: &str, now: u64) -> Option<Vec<crate::tsx::Event>> {
        if entry.tsx.state() != crate::tsx::State::Trying {
            return None;
        }
        let next = entry.next_targets.as_mut()?;
        while !next.addrs.is_empty() {
            let addr = next.addrs.remove(0);
            let target = Target { addr, kind: next.kind, host: next.host.clone() };
            let Ok(id) = self.choose(&target, next.selection, now, &next.cfg) else { continue };
            let (kind, bytes) = self.encode(&PrintedRequest::new(&next.req), id, &next.via_sent_by, branch, &next.cfg);
            let (tsx, events) = ClientTsx::with_first_interval(kind.reliable(), next.timers, next.first_retransmit, now);
            entry.tsx = tsx;
            entry.transport = id;
            entry.dest = addr;
            entry.bytes = bytes;
            entry.fallback = None;
            return Some(events);
        }
        None
    }

    /// Closes connections whose socket failed while sending.
    pub(super) fn close_broken(&mut self, now: u64, deliveries: &mut Deliveries) -> Vec<Slot> {
        let broken = std::mem::take(&mut self.broken);
        broken.into_iter().filter_map(|(id, status)| self.conn_closed(id, status, now, deliveries)).collect()
    }

    pub(super) fn release_hold(&mut self, id: TransportId, now: u64) -> Option<Slot> {
        let Some(Slot::Conn(c)) = self.slots.get_mut(&id) else { return None };
        c.holds = c.holds.saturating_sub(1);
        if c.holds > 0 {
            return None;
        }
        if matches!(c.stream.state(), ConnState::Closed(_)) {
            return self.slots.remove(&id);
        }
        if c.idle_timer.is_none() {
            let t = self.timers.schedule(now + IDLE_CLOSE_MS, TimerKey::Conn(id, ConnTimer::Idle));
            if let Some(Slot::Conn(c)) = self.slots.get_mut(&id) {
                c.idle_timer = Some(t);
            }
        }
        None
    }

    pub(super) fn conn_timer(
        &mut self,
        id: TransportId,
        what: ConnTimer,
        timer: TimerId,
        now: u64,
        cfg: &RuntimeConfig,
        me: &Weak<Endpoint>,
        deliveries: &mut Deliveries,
    ) -> Vec<Slot> {
        let pending_tsx = self.tsx.values().any(|e| e.transport == id);
        let Some(Slot::Conn(c)) = self.slots.get_mut(&id) else { return Vec::new() };
        match what {
            ConnTimer::Check => {
                let mut events = Vec::new();
                c.stream.on_ready(0, &mut events);
                self.conn_events(id, events, now, cfg, me, deliveries)
            }
            ConnTimer::Idle => {
                if c.idle_timer != Some(timer) {
                    return Vec::new();
                }
                c.idle_timer = None;
                if c.holds > 0 {
                    return Vec::new();
                }
                if pending_tsx {
                    c.idle_timer = Some(self.timers.schedule(now + IDLE_CLOSE_MS, TimerKey::Conn(id, ConnTimer::Idle)));
                    return Vec::new();
                }
                self.conn_closed(id, PJ_SUCCESS, now, deliveries).into_iter().collect()
            }
            ConnTimer::KeepAlive => {
                if c.ka_timer != Some(timer) {
                    return Vec::new();
                }
                c.ka_timer = None;
                let Some(interval) = keepalive_ms(c.kind, cfg) else { return Vec::new() };
                if c.stream.state() != ConnState::Open {
                    return Vec::new();
                }
                if now >= c.last_activity + interval {
                    if let Err(status) = c.stream.send_ping() {
                        self.broken.push((id, status));
                        return Vec::new();
                    }
                    c.last_activity = now;
                }
                let at = c.last_activity + interval;
                let t = self.timers.schedule(at, TimerKey::Conn(id, ConnTimer::KeepAlive));
                if let Some(Slot::Conn(c)) = self.slots.get_mut(&id) {
                    c.ka_timer = Some(t);
                }
                Vec::new()
            }
            ConnTimer::Handshake => {
                if c.hs_timer != Some(timer) {
                    return Vec::new();
                }
                c.hs_timer = None;
                if matches!(c.stream.state(), ConnState::Open | ConnState::Closed(_)) {
                    return Vec::new();
                }
                self.conn_closed(id, PJSIP_TLS_ETIMEDOUT, now, deliveries).into_iter().collect()
            }
        }
    }
}

fn keepalive_ms(kind: Kind, cfg: &RuntimeConfig) -> Option<u64> {
    let s = if kind == Kind::Tls { cfg.tls_keepalive_s } else { cfg.tcp_keepalive_s };
    (s > 0).then(|| (s as u64).saturating_mul(1000))
}
