//! The registration client's state machine (pjsip_regc semantics), sans-IO.
//!
//! It decides what goes into a REGISTER and what a final response means.
//! Time (milliseconds, any epoch) and randomness come in as arguments. The
//! request itself is materialised through an [`Outbox`]: the standalone
//! build writes the Rust model of `template`, the hosted build a tdata of
//! the host's pjsip. The driver sends requests, runs the refresh timer
//! found in `refresh_deadline()`, and calls the application's callbacks.

pub mod busy;
pub mod expiration;
pub mod refresh;
pub mod print;
pub mod request;
pub mod template;

#[cfg(test)]
mod tests;

pub use request::{OutHeader, Request};
pub use template::{RustOutbox, Template};

use crate::auth::Random;
use crate::sip::{name_addr_cmp, parse_contact_list, Contact, NameAddr, Param, Uri, UriContext};
use crate::status::*;

/// PJSIP_REGC_EXPIRATION_NOT_SPECIFIED.
pub const NOEXP: u32 = u32::MAX;
/// PJSIP_REGISTER_CLIENT_DELAY_BEFORE_REFRESH.
pub const DEFAULT_DELAY_BEFORE_REFRESH: u32 = 5;
/// Min-Expires guessed when a 423 carries none.
const GUESSED_MIN_EXPIRES: u32 = 3601;
/// PJSIP_REGC_MAX_CONTACT: contacts reported to the callback.
pub const MAX_REPORTED_CONTACTS: usize = 10;

/// The operation of the REGISTER in flight, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// No REGISTER in flight.
    Idle,
    /// Registering or refreshing.
    Registering,
    /// Unregistering (Expires 0).
    Unregistering,
}

/// How a build turns the state machine's decisions into a request. The
/// state machine says what goes in and in which order; the outbox writes
/// it in its own representation and answers challenges with its own
/// digest client.
pub trait Outbox {
    /// The build's request: the Rust model, or a host `pjsip_tx_data`.
    type Req;
    /// A new REGISTER with everything that precedes the Contact headers:
    /// Via, the route set, the endpoint's request headers, From with a new
    /// tag, To, Call-ID, CSeq, the initial Authorization when preferred
    /// and the application's added headers.
    fn begin(&mut self, call_id: &str, cseq: u32) -> Result<Self::Req, Status>;
    /// Appends one Contact header.
    fn add_contact(&mut self, req: &mut Self::Req, contact: &Contact) -> Result<(), Status>;
    /// `Contact: *`.
    fn add_star_contact(&mut self, req: &mut Self::Req) -> Result<(), Status>;
    /// Appends the Expires header.
    fn add_expires(&mut self, req: &mut Self::Req, expires: u32) -> Result<(), Status>;
    /// The endpoint's Allow header, when the endpoint has one.
    fn add_allow(&mut self, req: &mut Self::Req) -> Result<(), Status>;
    /// Writes the CSeq of a request about to be sent and returns the value
    /// of its Expires header, if it has one.
    fn stamp(&mut self, req: &mut Self::Req, cseq: u32) -> Option<u32>;
    /// The retry of the request in flight that answers the challenge of the
    /// response being handled. `contacts` (current, then to-remove) is set
    /// when the tsx callback replaced the contacts: they replace the
    /// request's Contact headers.
    fn answer_challenge(&mut self, contacts: Option<(&[Contact], &[Contact])>) -> Result<Self::Req, Status>;
    /// pjsip_cfg()->regc.check_contact, read when a response arrives.
    fn check_contact(&self) -> bool;
}

/// A final outcome of a REGISTER transaction.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// A final response.
    Response(ResponseInfo),
    /// No response: Timer F (408), transport failure (503), resolution (502).
    NoResponse {
        /// 408, 503 or 502.
        code: u16,
        /// The text reported with it.
        reason: String,
    },
}

impl Outcome {
    /// The status code reported.
    pub fn code(&self) -> u16 {
        match self {
            Outcome::Response(r) => r.code,
            Outcome::NoResponse { code, .. } => *code,
        }
    }
    fn reason(&self) -> &str {
        match self {
            Outcome::Response(r) => &r.reason,
            Outcome::NoResponse { reason, .. } => reason,
        }
    }
}

/// The parts of a final response regc looks at (the challenges are the
/// outbox's business).
#[derive(Clone, Debug, Default)]
pub struct ResponseInfo {
    /// Status code.
    pub code: u16,
    /// Reason phrase.
    pub reason: String,
    /// The Contact headers.
    pub contacts: Vec<Contact>,
    /// The Expires header.
    pub expires: Option<u32>,
    /// The Min-Expires header.
    pub min_expires: Option<u32>,
}

/// A callback for the application, with the fields of pjsip_regc_cbparam.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// `PJ_SUCCESS`, or why the client could not go on.
    pub status: Status,
    /// Status code.
    pub code: u16,
    /// Reason phrase.
    pub reason: String,
    /// Already resolved: the computed expiration, or requested when none.
    pub expiration: u32,
    /// How many of the response's Contact headers to report (at most 10).
    pub contact_count: usize,
    /// An unregistration.
    pub is_unreg: bool,
}

/// What the driver does after a transaction ended.
#[derive(Clone, Debug)]
pub enum Next<R> {
    /// Nothing to report (the regc is being deleted).
    Nothing,
    /// Report this to the application.
    Callback(Callback),
    /// Send this request (an auth retry or a 423 retry); if sending fails
    /// at once, report `on_failure` with the error as status.
    Resend {
        /// The request to send.
        request: R,
        /// What to report when it cannot be sent.
        on_failure: Option<Callback>,
    },
}

/// A registration client's state (what the request is built from, route
/// set, headers and credentials, lives in the build's outbox).
pub struct Registration {
    initialised: bool,
    call_id: String,
    cseq: u32,
    contacts: Vec<Contact>,
    removed: Vec<Contact>,
    expires_hdr: Option<u32>,
    granted: u32,
    requested: u32,
    delay_before_refresh: u32,
    add_xuid: bool,
    autoreg: bool,
    op: Op,
    has_tsx: bool,
    deleting: bool,
    /// The registrar granted 0 to the last registration and this was used
    /// instead (pjsip logs it).
    zero_overruled: Option<u32>,
    /// Contacts were replaced from the tsx callback during this final.
    tsx_cb_updated: bool,
    refresh_at: Option<u64>,
    next_reg_at: Option<u64>,
}

/// A 36-character lowercase UUID (version 4 layout), as libuuid prints it.
pub fn uuid(rnd: &mut dyn Random) -> String {
    let mut b = [0u8; 16];
    rnd.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::auth::to_hex(&b);
    let mut out = String::with_capacity(36);
    for (i, part) in [&hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]].iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

impl Registration {
    /// A client with no contacts yet; `add_xuid` adds `x-uid` to Contacts.
    pub fn new(add_xuid: bool) -> Self {
        Registration {
            initialised: false,
            call_id: String::new(),
            cseq: 0,
            contacts: Vec::new(),
            removed: Vec::new(),
            expires_hdr: None,
            granted: NOEXP,
            requested: 0,
            delay_before_refresh: DEFAULT_DELAY_BEFORE_REFRESH,
            add_xuid,
            autoreg: false,
            op: Op::Idle,
            has_tsx: false,
            deleting: false,
            zero_overruled: None,
            tsx_cb_updated: false,
            refresh_at: None,
            next_reg_at: None,
        }
    }

    // ---- configuration ----

    /// pjsip_regc_init, after the build has parsed the server, From and To
    /// URIs. `cseq_base` is the caller's pj_rand() % 0xFFFF and `call_id`
    /// a unique string. Fails without changing anything.
    pub fn init(
        &mut self,
        contacts: &[&str],
        expires: u32,
        cseq_base: u32,
        call_id: String,
        rnd: &mut dyn Random,
    ) -> Result<(), Status> {
        if expires == 0 {
            return Err(PJ_EINVAL);
        }
        self.set_contacts(contacts, rnd)?;
        self.update_expires(expires);
        self.delay_before_refresh = DEFAULT_DELAY_BEFORE_REFRESH;
        self.call_id = call_id;
        self.cseq = cseq_base;
        self.initialised = true;
        Ok(())
    }

    /// Parses contact values as init and update_contact do, without
    /// changing anything.
    pub fn parse_contacts(values: &[&str]) -> Result<Vec<Contact>, Status> {
        let mut parsed = Vec::with_capacity(values.len());
        for v in values {
            let mut list = parse_contact_list(v).map_err(|_| PJSIP_EINVALIDURI)?;
            if list.len() != 1 || list[0].star || list[0].uri.is_none() {
                return Err(PJSIP_EINVALIDURI);
            }
            parsed.push(list.remove(0));
        }
        Ok(parsed)
    }

    /// pjsip_regc_update_contact.
    pub fn update_contact(&mut self, contacts: &[&str], rnd: &mut dyn Random) -> Result<(), Status> {
        self.set_contacts(contacts, rnd)
    }

    fn set_contacts(&mut self, values: &[&str], rnd: &mut dyn Random) -> Result<(), Status> {
        let parsed = Self::parse_contacts(values)?;
        let mut old = std::mem::take(&mut self.contacts);
        for c in &mut old {
            c.expires = Some(0);
        }
        self.removed.append(&mut old);
        for mut c in parsed {
            if let Some(pos) = self.removed.iter().position(|r| same_contact(r, &c)) {
                self.removed.remove(pos);
            }
            if self.add_xuid {
                add_xuid_param(&mut c, rnd);
            }
            self.contacts.push(c);
        }
        Ok(())
    }

    /// pjsip_regc_update_expires: the next request carries `Expires` only
    /// when the value differs from what was last granted (pjsip's quirk).
    pub fn update_expires(&mut self, expires: u32) {
        self.expires_hdr = (expires != self.granted).then_some(expires);
    }

    /// pjsip_regc_set_delay_before_refresh.
    pub fn set_delay_before_refresh(&mut self, delay: u32, now: u64) -> Result<(), Status> {
        if delay > self.granted {
            return Err(PJ_ETOOBIG);
        }
        if self.delay_before_refresh != delay {
            self.delay_before_refresh = delay;
            if self.refresh_at.is_some() {
                self.refresh_at = None;
                self.schedule_refresh(self.granted, now);
            }
        }
        Ok(())
    }

    // ---- building requests ----

    fn create_request<O: Outbox>(&mut self, out: &mut O) -> Result<O::Req, Status> {
        if !self.initialised {
            return Err(PJ_EINVALIDOP);
        }
        out.begin(&self.call_id, self.cseq)
    }

    fn push_contacts<O: Outbox>(&mut self, req: &mut O::Req, out: &mut O) -> Result<(), Status> {
        for c in &self.contacts {
            out.add_contact(req, c)?;
        }
        for c in self.removed.drain(..) {
            out.add_contact(req, &c)?;
        }
        Ok(())
    }

    /// pjsip_regc_register.
    pub fn build_register<O: Outbox>(&mut self, autoreg: bool, out: &mut O) -> Result<O::Req, Status> {
        self.requested = 1;
        let mut req = self.create_request(out)?;
        self.push_contacts(&mut req, out)?;
        if let Some(e) = self.expires_hdr {
            out.add_expires(&mut req, e)?;
        }
        self.refresh_at = None;
        out.add_allow(&mut req)?;
        self.autoreg = autoreg;
        Ok(req)
    }

    /// pjsip_regc_unregister.
    pub fn build_unregister<O: Outbox>(&mut self, out: &mut O) -> Result<O::Req, Status> {
        self.refresh_at = None;
        self.requested = 0;
        let mut req = self.create_request(out)?;
        self.push_contacts(&mut req, out)?;
        out.add_expires(&mut req, 0)?;
        Ok(req)
    }

    /// pjsip_regc_unregister_all.
    pub fn build_unregister_all<O: Outbox>(&mut self, out: &mut O) -> Result<O::Req, Status> {
        self.refresh_at = None;
        let mut req = self.create_request(out)?;
        self.removed.clear();
        out.add_star_contact(&mut req)?;
        out.add_expires(&mut req, 0)?;
        Ok(req)
    }

    // ---- sending ----

    /// The bookkeeping of pjsip_regc_send before the request leaves: fails
    /// with PJSIP_EBUSY while a transaction is pending.
    pub fn prepare_send<O: Outbox>(&mut self, req: &mut O::Req, out: &mut O) -> Result<(), Status> {
        if self.has_tsx {
            return Err(PJSIP_EBUSY);
        }
        self.cseq = self.cseq.wrapping_add(1);
        let expires = out.stamp(req, self.cseq);
        self.op = if expires == Some(0) { Op::Unregistering } else { Op::Registering };
        if let Some(e) = expires.filter(|e| *e != 0) {
            self.requested = e;
        }
        self.has_tsx = true;
        Ok(())
    }

    /// The transaction of the in-flight request has ended. Returns whether
    /// the application's tsx callback is due (before `finish`).
    pub fn tsx_ended(&mut self) -> bool {
        self.has_tsx = false;
        self.tsx_cb_updated = false;
        !self.deleting && self.op == Op::Registering
    }

    /// The tsx callback set `contact_cnt >= 0`: replace the contacts.
    pub fn apply_tsx_cb_contacts(
        &mut self,
        code: u16,
        contacts: &[&str],
        rnd: &mut dyn Random,
    ) -> Result<(), Status> {
        if code / 100 != 2 {
            // Never bound, so they must not be sent again with expires=0.
            self.contacts.retain(|c| c.expires.is_some());
        }
        self.tsx_cb_updated = true;
        self.set_contacts(contacts, rnd)
    }

    /// Decide what a final outcome means (after the tsx callback).
    pub fn finish<O: Outbox>(&mut self, outcome: &Outcome, now: u64, out: &mut O) -> Next<O::Req> {
        let code = outcome.code();
        let is_unreg = self.op == Op::Unregistering;
        if code == 401 || code == 407 {
            self.op = Op::Idle;
            let Outcome::Response(resp) = outcome else {
                return Next::Nothing;
            };
            let fail = |reg: &Self, status| Callback {
                status,
                code,
                reason: resp.reason.clone(),
                expiration: reg.requested,
                contact_count: 0,
                is_unreg: false,
            };
            match self.auth_retry(out) {
                Ok(request) => {
                    let on_failure = (!self.deleting).then(|| fail(self, PJ_SUCCESS));
                    return Next::Resend { request, on_failure };
                }
                Err(status) => {
                    if self.deleting {
                        return Next::Nothing;
                    }
                    return Next::Callback(fail(self, status));
                }
            }
        }
        if self.deleting {
            self.op = Op::Idle;
            return Next::Nothing;
        }
        if code == 423 && self.op == Op::Registering {
            if let Outcome::Response(resp) = outcome {
                if let Some(next) = self.interval_too_brief(resp, out) {
                    return next;
                }
            }
        }
        let mut expiration = NOEXP;
        let mut contact_count = 0;
        if code / 100 == 2 {
            if let Outcome::Response(resp) = outcome {
                contact_count = resp.contacts.len().min(MAX_REPORTED_CONTACTS);
                expiration = if self.op == Op::Registering {
                    let grant = expiration::Grant {
                        response_contacts: &resp.contacts[..contact_count],
                        response_expires: resp.expires,
                        ours: &self.contacts,
                        configured_expires: self.expires_hdr,
                        check_contact: out.check_contact(),
                        match_xuid: self.add_xuid,
                    };
                    let granted = expiration::granted_expiration(&grant);
                    let expiration = expiration::overrule_zero(&grant, granted);
                    self.zero_overruled = (granted != expiration).then_some(expiration);
                    expiration
                } else {
                    0
                };
                self.schedule_refresh(expiration, now);
            }
        }
        self.granted = expiration;
        self.op = Op::Idle;
        Next::Callback(Callback {
            status: PJ_SUCCESS,
            code,
            reason: outcome.reason().to_string(),
            expiration: if expiration == NOEXP { self.requested } else { expiration },
            contact_count,
            is_unreg,
        })
    }

    fn auth_retry<O: Outbox>(&mut self, out: &mut O) -> Result<O::Req, Status> {
        if self.tsx_cb_updated {
            let removed = std::mem::take(&mut self.removed);
            out.answer_challenge(Some((&self.contacts, &removed)))
        } else {
            out.answer_challenge(None)
        }
    }

    fn interval_too_brief<O: Outbox>(&mut self, resp: &ResponseInfo, out: &mut O) -> Option<Next<O::Req>> {
        let min = match resp.min_expires {
            Some(m) => m,
            None if self.requested != GUESSED_MIN_EXPIRES => GUESSED_MIN_EXPIRES,
            None => return None,
        };
        if self.requested >= min {
            return None;
        }
        self.op = Op::Idle;
        self.update_expires(min);
        let on_failure = Some(Callback {
            status: PJ_SUCCESS,
            code: resp.code,
            reason: resp.reason.clone(),
            expiration: min,
            contact_count: 0,
            is_unreg: false,
        });
        match self.build_register(self.autoreg, out) {
            Ok(request) => Some(Next::Resend { request, on_failure }),
            Err(status) => on_failure.map(|mut cb| {
                cb.status = status;
                cb.expiration = self.requested;
                Next::Callback(cb)
            }),
        }
    }

    fn schedule_refresh(&mut self, expiration: u32, now: u64) {
        if !self.autoreg || expiration == 0 || expiration == NOEXP {
            return;
        }
        let delay = refresh::refresh_delay_ms(expiration, self.delay_before_refresh, self.granted);
        self.refresh_at = Some(now + delay);
        self.next_reg_at = Some(now + delay);
    }

    /// The refresh timer fired: the REGISTER to send (autoreg stays on).
    /// On error the driver reports it with code 400 (see `refresh_failed`).
    pub fn on_refresh_timer<O: Outbox>(&mut self, out: &mut O) -> Result<O::Req, Status> {
        self.refresh_at = None;
        self.build_register(true, out)
    }

    /// The callback for a refresh that could not be built or sent.
    pub fn refresh_failed(&self, status: Status) -> Callback {
        Callback {
            status,
            code: 400,
            reason: crate::status::text(status),
            expiration: self.requested,
            contact_count: 0,
            is_unreg: false,
        }
    }

    // ---- lifetime ----

    /// Mark for deletion: no callback will be produced any more.
    pub fn mark_deleting(&mut self) {
        self.deleting = true;
    }

    /// Marked for deletion.
    pub fn is_deleting(&self) -> bool {
        self.deleting
    }

    // ---- inspection ----

    /// A REGISTER is in flight.
    pub fn has_tsx(&self) -> bool {
        self.has_tsx
    }
    /// The expiration last granted (NOEXP when none).
    pub fn granted(&self) -> u32 {
        self.granted
    }
    /// The Expires of the request in flight.
    pub fn requested(&self) -> u32 {
        self.requested
    }
    /// Refreshes on its own.
    pub fn autoreg(&self) -> bool {
        self.autoreg
    }
    /// The current operation.
    pub fn op(&self) -> Op {
        self.op
    }
    /// The Contacts to bind.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }
    /// Contacts to remove with the next request.
    pub fn removed_contacts(&self) -> &[Contact] {
        &self.removed
    }
    /// The Expires header the next REGISTER carries.
    pub fn expires_header(&self) -> Option<u32> {
        self.expires_hdr
    }
    /// The Call-ID of every REGISTER.
    pub fn call_id(&self) -> &str {
        &self.call_id
    }
    /// The last CSeq sent.
    pub fn cseq(&self) -> u32 {
        self.cseq
    }
    /// Seconds before the end of a binding a refresh goes out.
    pub fn delay_before_refresh(&self) -> u32 {
        self.delay_before_refresh
    }
    /// The expiration used instead of a 0 the registrar granted to the
    /// registration just finished, once.
    pub fn take_zero_overruled(&mut self) -> Option<u32> {
        self.zero_overruled.take()
    }

    /// When the refresh timer should fire, if it is scheduled.
    pub fn refresh_deadline(&self) -> Option<u64> {
        self.refresh_at
    }

    /// `next_reg` of pjsip_regc_info, in seconds.
    pub fn next_reg(&self, now: u64) -> u32 {
        if self.has_tsx || !self.autoreg {
            0
        } else if self.granted == NOEXP {
            NOEXP
        } else {
            match self.next_reg_at {
                Some(at) if at > now => ((at - now) / 1000) as u32,
                _ => 0,
            }
        }
    }
}

fn same_contact(a: &Contact, b: &Contact) -> bool {
    match (&a.uri, &b.uri) {
        (Some(x), Some(y)) => name_addr_cmp(UriContext::Contact, x, y).is_ok(),
        _ => false,
    }
}

fn add_xuid_param(c: &mut Contact, rnd: &mut dyn Random) {
    if let Some(NameAddr { uri: Uri::Sip(s), .. }) = c.uri.as_mut() {
        if !s.other_params.iter().any(|p| p.name.eq_ignore_ascii_case("x-uid")) {
            s.other_params.push(Param { name: "x-uid".into(), value: Some(uuid(rnd)) });
        }
    }
}
