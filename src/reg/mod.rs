//! The registration client's state machine (pjsip_regc semantics), sans-IO.
//!
//! It builds REGISTER requests and decides what a final response means.
//! Time (milliseconds, any epoch) and randomness come in as arguments; the
//! driver (the endpoint) sends requests, runs the refresh timer found in
//! `refresh_deadline()`, and calls the application's callbacks.

pub mod expiration;
pub mod refresh;
pub mod print;
pub mod request;

#[cfg(test)]
mod tests;

pub use request::{OutHeader, Request};

use crate::auth::{ClientSession, Random};
use crate::sip::{
    name_addr_cmp, parse_contact_list, parse_name_addr, parse_uri, CSeq, Contact, FromTo, NameAddr,
    Param, Route, Uri, UriContext,
};
use crate::status::*;
use parking_lot::Mutex;
use std::sync::Arc;

/// PJSIP_REGC_EXPIRATION_NOT_SPECIFIED.
pub const NOEXP: u32 = u32::MAX;
/// PJSIP_REGISTER_CLIENT_DELAY_BEFORE_REFRESH.
pub const DEFAULT_DELAY_BEFORE_REFRESH: u32 = 5;
/// Min-Expires guessed when a 423 carries none.
const GUESSED_MIN_EXPIRES: u32 = 3601;
/// PJSIP_REGC_MAX_CONTACT: contacts reported to the callback.
pub const MAX_REPORTED_CONTACTS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Idle,
    Registering,
    Unregistering,
}

/// What building a request needs from the endpoint.
pub struct BuildEnv<'a> {
    /// The endpoint's request headers (Max-Forwards and whatever the
    /// application added), copied into every new request right after Via
    /// and the route set, as pjsip does.
    pub request_headers: &'a [OutHeader],
    /// The endpoint's Allow capability, if it has one.
    pub allow: Option<&'a [String]>,
    pub rnd: &'a mut dyn Random,
    /// pjsip_cfg()->regc.check_contact, read when a response arrives.
    pub check_contact: bool,
}

/// A final outcome of a REGISTER transaction.
#[derive(Clone, Debug)]
pub enum Outcome {
    Response(ResponseInfo),
    /// No response: Timer F (408), transport failure (503), resolution (502).
    NoResponse { code: u16, reason: String },
}

impl Outcome {
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

/// The parts of a final response regc looks at.
#[derive(Clone, Debug, Default)]
pub struct ResponseInfo {
    pub code: u16,
    pub reason: String,
    pub contacts: Vec<Contact>,
    pub expires: Option<u32>,
    pub min_expires: Option<u32>,
    /// (is_proxy, header value) of every WWW-/Proxy-Authenticate, in order.
    pub challenges: Vec<(bool, String)>,
}

/// A callback for the application, with the fields of pjsip_regc_cbparam.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub status: Status,
    pub code: u16,
    pub reason: String,
    /// Already resolved: the computed expiration, or requested when none.
    pub expiration: u32,
    /// How many of the response's Contact headers to report (at most 10).
    pub contact_count: usize,
    pub is_unreg: bool,
}

/// What the driver does after a transaction ended.
#[derive(Clone, Debug)]
pub enum Next {
    /// Nothing to report (the regc is being deleted).
    Nothing,
    Callback(Callback),
    /// Send this request (an auth retry or a 423 retry); if sending fails
    /// at once, report `on_failure` with the error as status.
    Resend { request: Request, on_failure: Option<Callback> },
}

/// A registration client's whole state.
pub struct Registration {
    srv_uri: Option<Uri>,
    srv_text: String,
    from_text: String,
    from: Option<NameAddr>,
    to: Option<NameAddr>,
    call_id: String,
    cseq: u32,
    contacts: Vec<Contact>,
    removed: Vec<Contact>,
    expires_hdr: Option<u32>,
    granted: u32,
    requested: u32,
    delay_before_refresh: u32,
    route_set: Vec<Route>,
    extra_headers: Vec<OutHeader>,
    auth: Arc<Mutex<ClientSession>>,
    auth_parent: Option<Arc<Mutex<ClientSession>>>,
    add_xuid: bool,
    autoreg: bool,
    op: Op,
    has_tsx: bool,
    deleting: bool,
    inflight: Option<Request>,
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
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

impl Registration {
    pub fn new(add_xuid: bool) -> Self {
        Registration {
            srv_uri: None,
            srv_text: String::new(),
            from_text: String::new(),
            from: None,
            to: None,
            call_id: String::new(),
            cseq: 0,
            contacts: Vec::new(),
            removed: Vec::new(),
            expires_hdr: None,
            granted: NOEXP,
            requested: 0,
            delay_before_refresh: DEFAULT_DELAY_BEFORE_REFRESH,
            route_set: Vec::new(),
            extra_headers: Vec::new(),
            auth: Arc::new(Mutex::new(ClientSession::new())),
            auth_parent: None,
            add_xuid,
            autoreg: false,
            op: Op::Idle,
            has_tsx: false,
            deleting: false,
            inflight: None,
            tsx_cb_updated: false,
            refresh_at: None,
            next_reg_at: None,
        }
    }

    // ---- configuration ----

    /// pjsip_regc_init. `cseq_base` is the caller's pj_rand() % 0xFFFF.
    #[allow(clippy::too_many_arguments)]
    pub fn init(
        &mut self,
        srv_url: &str,
        from_url: &str,
        to_url: &str,
        contacts: &[&str],
        expires: u32,
        cseq_base: u32,
        rnd: &mut dyn Random,
    ) -> Result<(), Status> {
        if expires == 0 {
            return Err(PJ_EINVAL);
        }
        let srv = parse_uri(srv_url).map_err(|_| PJSIP_EINVALIDURI)?;
        let from = parse_name_addr(from_url).map_err(|_| PJSIP_EINVALIDURI)?;
        let to = parse_name_addr(to_url).map_err(|_| PJSIP_EINVALIDURI)?;
        self.set_contacts(contacts, rnd)?;
        self.srv_uri = Some(srv);
        self.srv_text = srv_url.to_string();
        self.from_text = from_url.to_string();
        self.from = Some(from);
        self.to = Some(to);
        self.update_expires(expires);
        self.delay_before_refresh = DEFAULT_DELAY_BEFORE_REFRESH;
        self.call_id = uuid(rnd);
        self.cseq = cseq_base;
        Ok(())
    }

    /// pjsip_regc_update_contact.
    pub fn update_contact(&mut self, contacts: &[&str], rnd: &mut dyn Random) -> Result<(), Status> {
        self.set_contacts(contacts, rnd)
    }

    fn set_contacts(&mut self, values: &[&str], rnd: &mut dyn Random) -> Result<(), Status> {
        let mut parsed = Vec::with_capacity(values.len());
        for v in values {
            let mut list = parse_contact_list(v).map_err(|_| PJSIP_EINVALIDURI)?;
            if list.len() != 1 || list[0].star || list[0].uri.is_none() {
                return Err(PJSIP_EINVALIDURI);
            }
            parsed.push(list.remove(0));
        }
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

    pub fn set_route_set(&mut self, routes: Vec<Route>) {
        self.route_set = routes;
    }

    pub fn add_headers(&mut self, mut headers: Vec<OutHeader>) {
        self.extra_headers.append(&mut headers);
    }

    /// The auth session used for requests: the parent's when one is set.
    pub fn with_auth<R>(&mut self, f: impl FnOnce(&mut ClientSession) -> R) -> R {
        let session = self.auth_parent.as_ref().unwrap_or(&self.auth);
        let mut guard = session.lock();
        f(&mut guard)
    }

    /// The regc's own session (pjsip_regc_get_auth_sess).
    pub fn own_auth(&self) -> Arc<Mutex<ClientSession>> {
        self.auth.clone()
    }

    pub fn set_auth_parent(&mut self, parent: Option<Arc<Mutex<ClientSession>>>) {
        self.auth_parent = parent;
    }

    // ---- building requests ----

    fn create_request(&mut self, env: &mut BuildEnv) -> Result<Request, Status> {
        let (Some(uri), Some(from), Some(to)) = (self.srv_uri.clone(), self.from.clone(), self.to.clone())
        else {
            return Err(PJ_EINVALIDOP);
        };
        let mut headers: Vec<OutHeader> = self.route_set.iter().cloned().map(OutHeader::Route).collect();
        headers.extend(env.request_headers.iter().cloned());
        headers.push(OutHeader::From(FromTo { uri: from, tag: Some(uuid(env.rnd)), other_params: vec![] }));
        headers.push(OutHeader::To(FromTo { uri: to, tag: None, other_params: vec![] }));
        headers.push(OutHeader::CallId(self.call_id.clone()));
        headers.push(OutHeader::CSeq(CSeq { seq: self.cseq, method: "REGISTER".into() }));
        let req_uri = crate::sip::uri_to_string(&uri, UriContext::ReqUri);
        let initial = self.with_auth(|a| a.init_req("REGISTER", &req_uri))?;
        headers.extend(initial.into_iter().map(OutHeader::Auth));
        headers.extend(self.extra_headers.iter().cloned());
        Ok(Request { method: "REGISTER".into(), uri, headers, body: Vec::new() })
    }

    fn push_contacts(&mut self, req: &mut Request) {
        req.headers.extend(self.contacts.iter().cloned().map(OutHeader::Contact));
        req.headers.extend(self.removed.drain(..).map(OutHeader::Contact));
    }

    /// pjsip_regc_register.
    pub fn build_register(&mut self, autoreg: bool, env: &mut BuildEnv) -> Result<Request, Status> {
        self.requested = 1;
        let mut req = self.create_request(env)?;
        self.push_contacts(&mut req);
        if let Some(e) = self.expires_hdr {
            req.headers.push(OutHeader::Expires(e));
        }
        self.refresh_at = None;
        if let Some(allow) = env.allow {
            req.headers.push(OutHeader::Allow(allow.to_vec()));
        }
        self.autoreg = autoreg;
        Ok(req)
    }

    /// pjsip_regc_unregister.
    pub fn build_unregister(&mut self, env: &mut BuildEnv) -> Result<Request, Status> {
        self.refresh_at = None;
        self.requested = 0;
        let mut req = self.create_request(env)?;
        self.push_contacts(&mut req);
        req.headers.push(OutHeader::Expires(0));
        Ok(req)
    }

    /// pjsip_regc_unregister_all.
    pub fn build_unregister_all(&mut self, env: &mut BuildEnv) -> Result<Request, Status> {
        self.refresh_at = None;
        let mut req = self.create_request(env)?;
        self.removed.clear();
        req.headers.push(OutHeader::Contact(Contact {
            star: true,
            uri: None,
            q1000: 0,
            expires: None,
            other_params: vec![],
        }));
        req.headers.push(OutHeader::Expires(0));
        Ok(req)
    }

    // ---- sending ----

    /// The bookkeeping of pjsip_regc_send before the request leaves: fails
    /// with PJSIP_EBUSY while a transaction is pending.
    pub fn prepare_send(&mut self, req: &mut Request) -> Result<(), Status> {
        if self.has_tsx {
            return Err(PJSIP_EBUSY);
        }
        self.cseq = self.cseq.wrapping_add(1);
        if let Some(c) = req.cseq_mut() {
            c.seq = self.cseq;
        }
        let expires = req.expires();
        self.op = if expires == Some(0) { Op::Unregistering } else { Op::Registering };
        if let Some(e) = expires.filter(|e| *e != 0) {
            self.requested = e;
        }
        self.has_tsx = true;
        self.inflight = Some(req.clone());
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
    pub fn finish(&mut self, outcome: &Outcome, now: u64, env: &mut BuildEnv) -> Next {
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
            match self.auth_retry(resp, env) {
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
                if let Some(next) = self.interval_too_brief(resp, env) {
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
                    expiration::registration_expiration(&expiration::Grant {
                        response_contacts: &resp.contacts[..contact_count],
                        response_expires: resp.expires,
                        ours: &self.contacts,
                        configured_expires: self.expires_hdr,
                        check_contact: env.check_contact,
                        match_xuid: self.add_xuid,
                    })
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

    fn auth_retry(&mut self, resp: &ResponseInfo, env: &mut BuildEnv) -> Result<Request, Status> {
        let mut req = self.inflight.clone().ok_or(PJ_EINVALIDOP)?;
        if self.tsx_cb_updated {
            // The retry carries the contacts the tsx callback chose.
            req.headers.retain(|h| !matches!(h, OutHeader::Contact(c) if c.expires != Some(0)));
            let pos = req
                .headers
                .iter()
                .position(|h| matches!(h, OutHeader::Expires(_)))
                .unwrap_or(req.headers.len());
            let mut fresh: Vec<OutHeader> = self.contacts.iter().cloned().map(OutHeader::Contact).collect();
            fresh.extend(self.removed.drain(..).map(OutHeader::Contact));
            req.headers.splice(pos..pos, fresh);
        }
        let req_uri = crate::sip::uri_to_string(&req.uri, UriContext::ReqUri);
        let existing = req.auth_headers();
        let challenges: Vec<(bool, &str)> = resp.challenges.iter().map(|(p, v)| (*p, v.as_str())).collect();
        let body = req.body.clone();
        let rnd = &mut *env.rnd;
        let result = self.with_auth(|a| a.reinit("REGISTER", &req_uri, &body, &existing, &challenges, rnd))?;
        let mut index = 0usize;
        req.headers.retain(|h| {
            if matches!(h, OutHeader::Auth(_)) {
                let keep = !result.remove.contains(&index);
                index += 1;
                keep
            } else {
                true
            }
        });
        req.headers.extend(result.append.into_iter().map(OutHeader::Auth));
        Ok(req)
    }

    fn interval_too_brief(&mut self, resp: &ResponseInfo, env: &mut BuildEnv) -> Option<Next> {
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
        match self.build_register(self.autoreg, env) {
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
    pub fn on_refresh_timer(&mut self, env: &mut BuildEnv) -> Result<Request, Status> {
        self.refresh_at = None;
        self.build_register(true, env)
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

    pub fn is_deleting(&self) -> bool {
        self.deleting
    }

    // ---- inspection ----

    pub fn has_tsx(&self) -> bool {
        self.has_tsx
    }
    pub fn granted(&self) -> u32 {
        self.granted
    }
    pub fn requested(&self) -> u32 {
        self.requested
    }
    pub fn autoreg(&self) -> bool {
        self.autoreg
    }
    pub fn op(&self) -> Op {
        self.op
    }
    pub fn server_uri_text(&self) -> &str {
        &self.srv_text
    }
    pub fn client_uri_text(&self) -> &str {
        &self.from_text
    }
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }
    pub fn removed_contacts(&self) -> &[Contact] {
        &self.removed
    }
    pub fn expires_header(&self) -> Option<u32> {
        self.expires_hdr
    }
    pub fn call_id(&self) -> &str {
        &self.call_id
    }
    pub fn cseq(&self) -> u32 {
        self.cseq
    }
    pub fn inflight(&self) -> Option<&Request> {
        self.inflight.as_ref()
    }
    pub fn delay_before_refresh(&self) -> u32 {
        self.delay_before_refresh
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
