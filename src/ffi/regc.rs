//! The 26 `pjsip_regc_*` functions: C handles over the sans-IO state
//! machine in `crate::reg`, driven by the endpoint. Callbacks run with no
//! lock held; a regc marked for deletion is freed by whichever comes last,
//! its transaction's end or the dec_ref that brings `busy` to zero.

use super::auth_sess::{session_for, SessionRef};
use super::endpt::{shared, EndptShared};
use super::guard::{guard, guard_status};
use super::handle::{borrow, contact_strings, with_handle};
use super::rdata::Rdata;
use super::types::*;
use super::util::*;
use crate::auth::{Credential, Pref, Random};
use crate::endpoint::{Endpoint, Owner, Selection, TransportId, TsxFinal};
use crate::nonnull;
use crate::reg::busy::{Busy, Lifetime};
use crate::reg::template::Target;
use crate::reg::{uuid, Callback, Next, OutHeader, Outcome, Registration, Request, ResponseInfo, RustOutbox, Template};
use crate::sip::HdrKind;
use crate::status::*;
use crate::timer::TimerId;
use super::pjlib::log::{log, log_enabled};
use core::ffi::{c_int, c_void};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// Randomness from the OS, for tags, branches, Call-IDs and cnonces,
/// drawn from a per-thread pool refilled a few kilobytes at a time (one
/// system call for many registrations instead of three for each).
pub struct OsRandom;

const RANDOM_POOL: usize = 4096;

thread_local! {
    /// The bytes, how many are used, and the fork generation they were
    /// drawn in.
    static POOL: std::cell::RefCell<(Vec<u8>, usize, u64)> = const { std::cell::RefCell::new((Vec::new(), 0, 0)) };
}

/// Bumped in the child of every fork(). The child inherits the forking
/// thread's pool; without this it would hand out the very Call-IDs,
/// branches and cnonces the parent does.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static WATCH_FORKS: std::sync::Once = std::sync::Once::new();

extern "C" fn forked_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Fills `buf` from the thread's pool; false when the OS has no entropy.
fn from_pool(buf: &mut [u8]) -> bool {
    if buf.len() > RANDOM_POOL {
        return getrandom::fill(buf).is_ok();
    }
    // SAFETY: registers a handler that only touches an atomic, which is
    // async-signal-safe as a fork child handler must be.
    WATCH_FORKS.call_once(|| unsafe {
        libc::pthread_atfork(None, None, Some(forked_child));
    });
    let generation = FORK_GENERATION.load(Ordering::Relaxed);
    POOL.with(|p| {
        let (bytes, used, drawn_in) = &mut *p.borrow_mut();
        if bytes.len() - *used < buf.len() || *drawn_in != generation {
            bytes.resize(RANDOM_POOL, 0);
            if getrandom::fill(bytes).is_err() {
                bytes.clear();
                *used = 0;
                return false;
            }
            *used = 0;
            *drawn_in = generation;
        }
        buf.copy_from_slice(&bytes[*used..*used + buf.len()]);
        // Used bytes are not kept around.
        bytes[*used..*used + buf.len()].fill(0);
        *used += buf.len();
        true
    })
}

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        if !from_pool(buf) {
            // No OS entropy: fall back to a clock-seeded xorshift, unique
            // enough for SIP identifiers.
            let mut x = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
                | 1;
            for b in buf {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
        }
    }
}

struct State {
    reg: Registration,
    tpl: Template,
    timer: Option<(TimerId, u64)>,
    tp_sel: pjsip_tpselector,
    last_transport: Option<TransportId>,
    inflight_transport: Option<TransportId>,
    via: Option<(String, u16, Option<TransportId>)>,
    srv_c: pj_str_t,
    from_c: pj_str_t,
    destroyed: bool,
    /// Name of the tx_data last sent, which names this client's requests
    /// in the log (its refreshes and retries included, as pjsip reuses
    /// the tx_data for a retry).
    req_obj: String,
    /// The request last built into a tx_data, until it is sent.
    built: Option<super::tdata::Built>,
}

/// A registration client: what a `pjsip_regc*` points at.
pub struct Regc {
    shared: Arc<EndptShared>,
    state: Mutex<State>,
    busy: Busy,
    cb: Mutex<pjsip_regc_cb_fn>,
    tsx_cb: Mutex<pjsip_regc_tsx_cb_fn>,
    token: usize,
    pool: usize,
    auth_c: usize,
    me: Weak<Regc>,
}

// SAFETY: the raw values kept as usize (token, pool, the C auth session)
// are only handed back to C; the C strings in State point into the regc's
// pool and are guarded by the mutex.
unsafe impl Send for State {}

/// The outbox of one operation, over the regc's template.
fn outbox<'a>(
    tpl: &'a mut Template,
    rnd: &'a mut OsRandom,
    allow: &'a [String],
    request_headers: &'a dyn Fn() -> Vec<OutHeader>,
    challenges: &'a [(bool, String)],
) -> RustOutbox<'a> {
    RustOutbox {
        tpl,
        request_headers,
        allow: (!allow.is_empty()).then_some(allow),
        rnd,
        check_contact: super::cfg::check_contact(),
        challenges,
    }
}

impl Regc {
    fn handle(&self) -> *mut pjsip_regc {
        self as *const Regc as *mut pjsip_regc
    }

    fn pool(&self) -> *mut pj_pool_t {
        self.pool as *mut pj_pool_t
    }

    /// Keep the endpoint's refresh timer equal to what the state wants.
    fn sync_timer(&self, st: &mut State) {
        let want = st.reg.refresh_deadline();
        if st.timer.map(|(_, at)| at) == want {
            return;
        }
        if let Some((id, _)) = st.timer.take() {
            self.shared.ep.cancel(id);
        }
        if let Some(at) = want {
            let weak: Weak<dyn Owner> = self.me.clone();
            st.timer = Some((self.shared.ep.schedule(at, weak, 0), at));
        }
    }

    /// pjsip_regc_send's work, for the API and for internal retries.
    fn send(self: &Arc<Self>, mut req: Request) -> Status {
        self.busy.add();
        let prepared = {
            let mut guard = self.state.lock();
            let st = &mut *guard;
            let mut rnd = OsRandom;
            let mut out = outbox(&mut st.tpl, &mut rnd, &[], &Vec::new, &[]);
            st.reg.prepare_send(&mut req, &mut out).map(|()| {
                let req = Arc::new(req);
                st.tpl.set_inflight(req.clone());
                let selected = st_selected(st, &self.shared);
                (req, selected, st.via.clone())
            })
        };
        let status = match prepared {
            Err(e) => {
                if e == PJSIP_EBUSY {
                    log(4, SENDER, "Unable to send request, regc has another transaction pending");
                }
                e
            }
            Ok((req, selected, via)) => {
                let branch = ["z9hG4bKPj", &uuid(&mut OsRandom)].concat();
                let owner: Arc<dyn Owner> = self.clone();
                let first = super::cfg::first_retransmit_interval();
                let obj = log_enabled(5).then(|| self.state.lock().req_obj.clone());
                let timers = super::cfg::tsx_timers();
                match self.shared.ep.send_request_as(owner, &req, timers, first, selected, via, branch, obj.as_deref()) {
                    Ok(tp) => {
                        let mut st = self.state.lock();
                        if st.reg.has_tsx() {
                            st.inflight_transport = tp;
                        }
                        PJ_SUCCESS
                    }
                    Err(status) => {
                        if log_enabled(4) {
                            log(4, SENDER, &format!("Error sending request: {}", crate::status::text(status)));
                        }
                        status
                    }
                }
            }
        };
        self.release_busy();
        status
    }

    /// Makes `tp` the last transport, moving the transport reference the
    /// regc keeps on it (as pjsip does, so that a connection stays up while
    /// registered).
    fn set_last_transport(&self, tp: Option<TransportId>) {
        let old = std::mem::replace(&mut self.state.lock().last_transport, tp);
        if old != tp {
            if let Some(new) = tp {
                self.shared.transport_add_ref(new);
            }
            if let Some(old) = old {
                self.shared.transport_dec_ref(old);
            }
        }
    }

}

impl super::endpt::EndpointChild for Regc {
    /// A regc the application never destroyed goes with its endpoint;
    /// its handle must not be used afterwards (as with pjproject, whose
    /// regc lives in a pool of the endpoint's).
    fn endpoint_destroyed(&self) {
        self.destroy_now();
    }
}

impl Lifetime for Regc {
    fn busy(&self) -> &Busy {
        &self.busy
    }

    fn pending_deletion(&self) -> (bool, bool) {
        let st = self.state.lock();
        (st.reg.is_deleting(), st.reg.has_tsx())
    }

    /// Frees the regc: the C handle's reference goes; pending closures that
    /// still hold the Arc see a destroyed regc and do nothing.
    fn destroy_now(&self) {
        let mut st = self.state.lock();
        if st.destroyed {
            return;
        }
        st.destroyed = true;
        if let Some((id, _)) = st.timer.take() {
            self.shared.ep.cancel(id);
        }
        // SAFETY: tp_sel holds a reference taken in set_transport.
        unsafe { super::endpt::pjsip_tpselector_dec_ref(&mut st.tp_sel) };
        drop(st);
        self.set_last_transport(None);
        super::auth_sess::forget(self.auth_c as *mut pjsip_auth_clt_sess);
        // SAFETY: the regc's own pool, released once, here.
        unsafe { self.shared.release_pool(self.pool()) };
        // SAFETY: the handle was made by Arc::into_raw in create and this
        // runs once (guarded by `destroyed`).
        unsafe { drop(Arc::from_raw(self as *const Regc)) };
    }

}

impl Regc {
    fn call_callback(&self, cb: &Callback, rdata: Option<&Rdata>) {
        let Some(f) = *self.cb.lock() else { return };
        let reason = callback_reason(cb, rdata);
        let mut param: pjsip_regc_cbparam = unsafe { core::mem::zeroed() };
        param.regc = self.handle();
        param.token = self.token as *mut c_void;
        param.status = cb.status;
        param.code = c_int::from(cb.code);
        param.reason = pj_str_t { ptr: reason.as_ptr() as *mut _, slen: reason.len() as pj_ssize_t };
        param.rdata = rdata.map_or(core::ptr::null_mut(), |r| r.ptr());
        param.expiration = cb.expiration;
        let contacts = rdata.map(|r| r.contacts()).unwrap_or_default();
        let n = cb.contact_count.min(contacts.len());
        param.contact_cnt = n as c_int;
        param.contact[..n].copy_from_slice(&contacts[..n]);
        param.is_unreg = c_int::from(cb.is_unreg);
        // SAFETY: a callback the application registered; no lock is held.
        unsafe { f(&mut param) };
    }
}

/// The reason a callback shows: the response's own text when there is one.
fn callback_reason(cb: &Callback, rdata: Option<&Rdata>) -> Vec<u8> {
    let text = match rdata {
        Some(r) if cb.status == PJ_SUCCESS || cb.code == 401 || cb.code == 407 || cb.code == 423 => r.reason(),
        _ => cb.reason.clone(),
    };
    // pjsip formats its own texts into 80-byte buffers.
    let mut bytes = text.into_bytes();
    if rdata.is_none() {
        bytes.truncate(79);
    }
    bytes
}

fn st_selected(st: &State, shared: &EndptShared) -> Selection {
    shared.selection(&st.tp_sel)
}

/// The outcome of a transaction and the challenges of its response.
fn response_info(fin: &TsxFinal) -> (Outcome, Vec<(bool, String)>) {
    let Some(r) = &fin.response else {
        return (Outcome::NoResponse { code: fin.code, reason: fin.reason.clone() }, Vec::new());
    };
    let msg = &r.msg;
    let challenges = msg
        .headers
        .iter()
        .filter_map(|h| match h.kind {
            HdrKind::WwwAuthenticate => Some((false, h.value.clone())),
            HdrKind::ProxyAuthenticate => Some((true, h.value.clone())),
            _ => None,
        })
        .collect();
    let outcome = Outcome::Response(ResponseInfo {
        code: fin.code,
        reason: msg.reason().unwrap_or_default().to_string(),
        contacts: msg.contacts().unwrap_or_default(),
        expires: msg.expires(),
        min_expires: msg.min_expires(),
    });
    (outcome, challenges)
}

impl Owner for Regc {
    fn on_tsx_final(self: Arc<Self>, ep: &Arc<Endpoint>, fin: TsxFinal) {
        self.busy.add();
        let rdata = fin.response.as_ref().and_then(|r| Rdata::build(&self.shared, r));
        // As pjsip, the transaction's transport replaces the last one even
        // when it had none (a send that failed before reaching one).
        self.set_last_transport(fin.transport);
        let call_tsx_cb = {
            let mut st = self.state.lock();
            st.inflight_transport = None;
            st.reg.tsx_ended()
        };
        let (outcome, challenges) = response_info(&fin);
        let tsx_cb = *self.tsx_cb.lock();
        if let (true, Some(f)) = (call_tsx_cb, tsx_cb) {
            let requested = self.state.lock().reg.requested();
            let mut param: pjsip_regc_tsx_cb_param = unsafe { core::mem::zeroed() };
            let reason = callback_reason(
                &Callback { status: 0, code: fin.code, reason: fin.reason.clone(), expiration: 0, contact_count: 0, is_unreg: false },
                rdata.as_ref(),
            );
            param.cbparam.regc = self.handle();
            param.cbparam.token = self.token as *mut c_void;
            param.cbparam.code = c_int::from(fin.code);
            param.cbparam.reason = pj_str_t { ptr: reason.as_ptr() as *mut _, slen: reason.len() as pj_ssize_t };
            param.cbparam.rdata = rdata.as_ref().map_or(core::ptr::null_mut(), |r| r.ptr());
            param.cbparam.expiration = requested;
            param.contact_cnt = -1;
            // SAFETY: the application's callback, called with no lock held.
            unsafe { f(&mut param) };
            if param.contact_cnt >= 0 {
                let n = (param.contact_cnt as usize).min(10);
                // SAFETY: the application filled contact[0..n].
                let values: Vec<String> = param.contact[..n].iter().filter_map(|s| unsafe { pj_string(s) }).collect();
                let refs: Vec<&str> = values.iter().map(String::as_str).collect();
                let mut st = self.state.lock();
                let _ = st.reg.apply_tsx_cb_contacts(fin.code, &refs, &mut OsRandom);
            }
        }
        let allow = ep.allow();
        let req_hdrs = || self.shared.request_headers();
        let next = {
            let mut guard = self.state.lock();
            let st = &mut *guard;
            let mut rnd = OsRandom;
            let mut out = outbox(&mut st.tpl, &mut rnd, &allow, &req_hdrs, &challenges);
            let next = st.reg.finish(&outcome, ep.now(), &mut out);
            st.tpl.end_inflight();
            if let Some(e) = st.reg.take_zero_overruled().filter(|_| log_enabled(4)) {
                log(4, SENDER, &format!("Modify response's expiration from 0 to {e}"));
            }
            self.sync_timer(st);
            next
        };
        if let (Outcome::Response(r), Next::Callback(_)) = (&outcome, &next) {
            if r.code == 423 && r.min_expires.is_none() {
                log(4, SENDER, "Registration failed: 423 response without Min-Expires header is invalid");
            }
        }
        match next {
            Next::Nothing => {}
            Next::Callback(cb) => self.call_callback(&cb, rdata.as_ref()),
            Next::Resend { request, on_failure } => {
                let status = self.send(request);
                if status != PJ_SUCCESS {
                    if let Some(mut cb) = on_failure {
                        cb.status = status;
                        self.call_callback(&cb, rdata.as_ref());
                    }
                }
            }
        }
        drop(rdata);
        self.release_busy();
    }

    fn on_shutdown(self: Arc<Self>) {
        let deleting = {
            let mut st = self.state.lock();
            st.reg.tsx_ended();
            st.reg.is_deleting()
        };
        if deleting && !self.busy.is_busy() {
            self.destroy_now();
        }
    }

    fn on_timer(self: Arc<Self>, ep: &Arc<Endpoint>, _token: u64) {
        let allow = ep.allow();
        let req_hdrs = || self.shared.request_headers();
        // As pjsip, the refresh holds a busy reference while it runs, so a
        // destroy from its callback is deferred until it is done.
        self.busy.add();
        let built = {
            let mut guard = self.state.lock();
            if guard.destroyed {
                drop(guard);
                self.release_busy();
                return;
            }
            let st = &mut *guard;
            st.timer = None;
            let mut rnd = OsRandom;
            let mut out = outbox(&mut st.tpl, &mut rnd, &allow, &req_hdrs, &[]);
            let r = st.reg.on_refresh_timer(&mut out);
            self.sync_timer(st);
            r
        };
        let status = match built {
            Ok(req) => self.send(req),
            Err(e) => e,
        };
        if status != PJ_SUCCESS {
            let cb = self.state.lock().reg.refresh_failed(status);
            self.call_callback(&cb, None);
        }
        self.release_busy();
    }
}

// ---- handle plumbing ----

fn with_regc(p: *mut pjsip_regc, f: impl FnOnce(&Arc<Regc>) -> Result<(), Status>) -> pj_status_t {
    // SAFETY: a handle from pjsip_regc_create that the caller has not
    // destroyed (pjsip's contract), or NULL.
    unsafe { with_handle(p, f) }
}

unsafe fn regc_arc(p: *mut pjsip_regc) -> Arc<Regc> {
    borrow(p)
}

/// Sender of the client's own log lines, as pjsip's.
const SENDER: &str = "sip_reg.c";

static mut REGC_MODULE: pjsip_module = super::layers::module(b"mod-regc\0", 32);

/// Returns the registration client's module descriptor, named "mod-regc".
/// Applications never need to register it: every regc works without it.
/// pjproject declares this function but does not define it (a program
/// calling it fails to link there); it is defined here.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_get_module() -> *mut pjsip_module {
    guard(core::ptr::null_mut(), || core::ptr::addr_of_mut!(REGC_MODULE))
}

/// Creates a registration client on `endpt` and stores it in `*p_regc`.
/// `cb` is called with the outcome of every REGISTER transaction and
/// `token` is handed back to it in `pjsip_regc_cbparam::token`. Nothing is
/// sent until `pjsip_regc_init`, `pjsip_regc_register` and
/// `pjsip_regc_send` have been called.
///
/// Returns `PJ_EINVAL` when `endpt`, `cb` or `p_regc` is NULL and
/// `PJ_ENOMEM` when no pool can be had.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_create(
    endpt: *mut pjsip_endpoint,
    token: *mut c_void,
    cb: pjsip_regc_cb_fn,
    p_regc: *mut *mut pjsip_regc,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt, p_regc)?;
        let cb = cb.ok_or(PJ_EINVAL)?;
        let shared = shared(endpt).clone();
        let pool = shared.create_pool("regc%p", 1024, 1024);
        if pool.is_null() {
            return Err(PJ_ENOMEM);
        }
        let auth_c = super::auth_sess::embedded(pool, endpt);
        let regc = Arc::new_cyclic(|me| Regc {
            shared,
            state: Mutex::new(State {
                reg: Registration::new(super::cfg::add_xuid_param()),
                tpl: Template::default(),
                timer: None,
                tp_sel: core::mem::zeroed(),
                last_transport: None,
                inflight_transport: None,
                via: None,
                srv_c: empty_str(),
                from_c: empty_str(),
                destroyed: false,
                req_obj: String::new(),
                built: None,
            }),
            busy: Busy::default(),
            cb: Mutex::new(Some(cb)),
            tsx_cb: Mutex::new(None),
            token: token as usize,
            pool: pool as usize,
            auth_c: auth_c as usize,
            me: me.clone(),
        });
        super::auth_sess::bind_embedded(auth_c, regc.state.lock().tpl.own_auth());
        let child: Arc<dyn super::endpt::EndpointChild> = regc.clone();
        regc.shared.adopt(Arc::downgrade(&child));
        *p_regc = Arc::into_raw(regc) as *mut pjsip_regc;
        Ok(())
    })
}

/// Destroys the client; the same as `pjsip_regc_destroy2(regc, PJ_TRUE)`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_destroy(regc: *mut pjsip_regc) -> pj_status_t {
    pjsip_regc_destroy2(regc, 1)
}

/// Destroys the client. With `force` false and a REGISTER in flight it
/// returns `PJ_EBUSY` and changes nothing. Otherwise, when a REGISTER is in
/// flight or `pjsip_regc_add_ref` references are held, the client is only
/// marked for deletion: its callback is never called again and its memory
/// goes when the transaction ends or the last reference is dropped,
/// whichever comes last. An idle, unreferenced client is freed at once
/// (refresh timer cancelled, transport references released). Calling it
/// from inside the client's own callback is allowed: the client lives until
/// the callback returns. Nothing is unregistered: send
/// `pjsip_regc_unregister` first for that.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_destroy2(regc: *mut pjsip_regc, force: pj_bool_t) -> pj_status_t {
    with_regc(regc, |r| {
        let mut st = r.state.lock();
        if force == 0 && st.reg.has_tsx() {
            return Err(PJ_EBUSY);
        }
        if st.reg.has_tsx() || r.busy.is_busy() {
            st.reg.mark_deleting();
            *r.cb.lock() = None;
            return Ok(());
        }
        drop(st);
        r.destroy_now();
        Ok(())
    })
}

/// Fills `*info` with the client's current state; see `pjsip_regc_info`.
/// Inside a callback `is_busy` reads true, since the client holds a
/// reference on itself while it calls the application.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_get_info(regc: *mut pjsip_regc, info: *mut pjsip_regc_info) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(info)?;
        let st = r.state.lock();
        let now = r.shared.ep.now();
        let transport = st.inflight_transport.or(st.last_transport);
        *info = pjsip_regc_info {
            server_uri: st.srv_c,
            client_uri: st.from_c,
            is_busy: c_int::from(r.busy.is_busy() || st.reg.has_tsx()),
            auto_reg: c_int::from(st.reg.autoreg()),
            interval: st.reg.granted(),
            next_reg: st.reg.next_reg(now),
            transport: transport.map_or(core::ptr::null_mut(), |t| r.shared.transport_ptr(t)),
        };
        Ok(())
    })
}

/// The memory pool the client allocates from; it lives as long as the
/// client. NULL for a NULL `regc`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_get_pool(regc: *mut pjsip_regc) -> *mut pj_pool_t {
    guard(core::ptr::null_mut(), || {
        if regc.is_null() {
            return core::ptr::null_mut();
        }
        regc_arc(regc).pool()
    })
}

/// Sets up what the client registers: `srv_url` is the registrar's URI (the
/// Request-URI), `from_url` and `to_url` are the From and To values
/// (usually both the address of record; display names and angle brackets
/// allowed), `contact` holds `ccnt` Contact values to bind, and `expires`
/// the binding time in seconds to ask for
/// (`PJSIP_REGC_EXPIRATION_NOT_SPECIFIED` for no Expires header). A new
/// Call-ID is made, kept for every later REGISTER of this client, and the
/// delay before a refresh goes back to 5 seconds. Calling it again
/// restarts with the new values.
///
/// Returns `PJ_EINVAL` for a NULL argument or an `expires` of 0 (a
/// pjproject debug build asserts instead) and `PJSIP_EINVALIDURI` when a
/// URI or Contact does not parse or a Contact is `*` (2.15.1 crashes on
/// `*`; 2.17 refuses it as here).
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_init(
    regc: *mut pjsip_regc,
    srv_url: *const pj_str_t,
    from_url: *const pj_str_t,
    to_url: *const pj_str_t,
    ccnt: c_int,
    contact: *const pj_str_t,
    expires: pj_uint32_t,
) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(srv_url, from_url, to_url)?;
        if expires == 0 {
            return Err(PJ_EINVAL);
        }
        let srv = pj_string(&*srv_url).ok_or(PJ_EINVAL)?;
        let from = pj_string(&*from_url).ok_or(PJ_EINVAL)?;
        let to = pj_string(&*to_url).ok_or(PJ_EINVAL)?;
        let contacts = contact_strings(ccnt, contact)?;
        let refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
        let cseq_base = (libc::rand() % 0xFFFF) as u32;
        let target = Target::parse(&srv, &from, &to)?;
        let mut st = r.state.lock();
        let call_id = uuid(&mut OsRandom);
        st.reg.init(&refs, expires, cseq_base, call_id, &mut OsRandom)?;
        st.tpl.target = Some(target);
        st.srv_c = super::pjlib::pool_strdup(r.pool(), srv.as_bytes());
        st.from_c = super::pjlib::pool_strdup(r.pool(), from.as_bytes());
        Ok(())
    })
}

/// Takes a temporary reference that keeps the client's memory alive across
/// a `pjsip_regc_destroy` made meanwhile; give it back with
/// `pjsip_regc_dec_ref`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_add_ref(regc: *mut pjsip_regc) {
    guard((), || {
        if !regc.is_null() {
            regc_arc(regc).busy.add();
        }
    })
}

/// Gives back a reference taken with `pjsip_regc_add_ref`. Returns
/// `PJ_EGONE` when this was the last one and the client, marked for
/// deletion meanwhile, has now been freed; `PJ_SUCCESS` otherwise.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_dec_ref(regc: *mut pjsip_regc) -> pj_status_t {
    guard(PJ_EBUG, || {
        if regc.is_null() {
            return PJ_EINVAL;
        }
        regc_arc(regc).dec_ref()
    })
}

/// Sets (or, with NULL, clears) a second callback, called before the main
/// one for every final response to a REGISTER that registers (401, 407 and
/// 423 included) while the client is not being destroyed. It may replace
/// the Contacts before the client acts on the response (a retry after a
/// challenge then carries the new ones): see `pjsip_regc_tsx_cb_param`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_reg_tsx_cb(regc: *mut pjsip_regc, tsx_cb: pjsip_regc_tsx_cb_fn) -> pj_status_t {
    with_regc(regc, |r| {
        *r.tsx_cb.lock() = tsx_cb;
        Ok(())
    })
}

/// Makes requests sent over `via_tp` carry `via_addr` as the Via sent-by
/// (for instance an address learnt from a NAT), instead of the transport's
/// published address. A NULL `via_addr`, or an empty host, goes back to the
/// transport's address.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_via_sent_by(
    regc: *mut pjsip_regc,
    via_addr: *mut pjsip_host_port,
    via_tp: *mut pjsip_transport,
) -> pj_status_t {
    with_regc(regc, |r| {
        let mut st = r.state.lock();
        if via_addr.is_null() {
            st.via = None;
            return Ok(());
        }
        let host = pj_string(&(*via_addr).host).ok_or(PJ_EINVAL)?;
        if host.is_empty() {
            st.via = None;
            return Ok(());
        }
        let port = u16::try_from((*via_addr).port).map_err(|_| PJ_EINVAL)?;
        let tp = if via_tp.is_null() { None } else { Some(r.shared.transport_id(via_tp).unwrap_or(usize::MAX)) };
        st.via = Some((host, port, tp));
        Ok(())
    })
}

/// How many seconds before a binding ends its refresh is sent (5 by
/// default; `pjsip_regc_init` resets it). Returns `PJ_ETOOBIG` when `delay`
/// exceeds the binding time the registrar granted. A refresh already
/// scheduled is moved to match.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_delay_before_refresh(regc: *mut pjsip_regc, delay: pj_uint32_t) -> pj_status_t {
    with_regc(regc, |r| {
        let mut st = r.state.lock();
        let now = r.shared.ep.now();
        st.reg.set_delay_before_refresh(delay, now)?;
        r.sync_timer(&mut st);
        Ok(())
    })
}

/// pjsip_cred_info array to owned credentials.
pub unsafe fn credentials(count: c_int, cred: *const pjsip_cred_info) -> Result<Vec<Credential>, Status> {
    if count < 0 || (count > 0 && cred.is_null()) {
        return Err(PJ_EINVAL);
    }
    (0..count as usize)
        .map(|i| {
            let c = &*cred.add(i);
            Ok(Credential {
                realm: pj_string(&c.realm).ok_or(PJ_EINVAL)?,
                scheme: pj_string(&c.scheme).ok_or(PJ_EINVAL)?,
                username: pj_string(&c.username).ok_or(PJ_EINVAL)?,
                data_type: c.data_type,
                data: pj_string(&c.data).ok_or(PJ_EINVAL)?,
                algorithm_type: c.algorithm_type,
            })
        })
        .collect()
}

/// Sets the credentials used to answer 401 and 407 challenges, copying
/// `count` entries from `cred` (the caller's buffers may go right after).
/// A realm of `*` answers a challenge from any realm; `data_type` says
/// whether `data` is a plain password or a precomputed digest (HA1).
/// Returns `PJ_EINVAL` when `count` is not positive or `cred` is NULL.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_credentials(regc: *mut pjsip_regc, count: c_int, cred: *const pjsip_cred_info) -> pj_status_t {
    with_regc(regc, |r| {
        if count <= 0 {
            return Err(PJ_EINVAL);
        }
        let creds = credentials(count, cred)?;
        let mut st = r.state.lock();
        st.tpl.with_auth(|a| a.set_credentials(&creds))?;
        super::auth_sess::mirror_credentials(r.auth_c as *mut pjsip_auth_clt_sess, count, cred);
        Ok(())
    })
}

/// A C `pjsip_auth_clt_pref` as Rust preferences.
pub unsafe fn pref(p: *const pjsip_auth_clt_pref) -> Result<Pref, Status> {
    nonnull!(p)?;
    Ok(Pref { initial_auth: (*p).initial_auth != 0, algorithm: pj_string(&(*p).algorithm).ok_or(PJ_EINVAL)? })
}

/// Sets the client authentication preferences. With `initial_auth` the
/// first REGISTER already carries an Authorization header with an empty
/// response, using `algorithm`. Returns `PJ_EINVAL` for a NULL `pref`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_prefs(regc: *mut pjsip_regc, p: *const pjsip_auth_clt_pref) -> pj_status_t {
    with_regc(regc, |r| {
        let pref = pref(p)?;
        r.state.lock().tpl.with_auth(|a| a.set_prefs(&pref));
        Ok(())
    })
}

/// Replaces the route set with copies of the Route headers in the list
/// `route_set` (a list head, as pjsip's lists are); every later REGISTER
/// carries them right after its Via header. Returns `PJ_EINVAL` for a NULL
/// list and `PJSIP_EINVALIDHDR` when an entry is not a usable Route
/// header.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_route_set(regc: *mut pjsip_regc, route_set: *const super::cobj::pjsip_route_hdr) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(route_set)?;
        let mut routes = Vec::new();
        let head = route_set;
        let mut h = (*head).next as *const pjsip_routing_hdr;
        while !h.is_null() && h != head {
            routes.push(super::cobj::route_from_c(h).ok_or(PJSIP_EINVALIDHDR)?);
            h = (*h).next;
        }
        r.state.lock().tpl.set_route_set(routes);
        Ok(())
    })
}

/// Binds every later request to the transport or listener that `sel`
/// names, taking a reference on it (and dropping the one on the previous
/// selector). The Contacts are not changed. `PJ_EINVAL` for a NULL `sel`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_transport(regc: *mut pjsip_regc, sel: *const pjsip_tpselector) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(sel)?;
        let mut st = r.state.lock();
        super::endpt::pjsip_tpselector_dec_ref(&mut st.tp_sel);
        st.tp_sel = *sel;
        super::endpt::pjsip_tpselector_add_ref(&mut st.tp_sel);
        Ok(())
    })
}

/// Drops the client's reference on the transport its last request used,
/// so that a broken connection can be closed and freed. The next request
/// picks a transport again.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_release_transport(regc: *mut pjsip_regc) -> pj_status_t {
    with_regc(regc, |r| {
        r.set_last_transport(None);
        Ok(())
    })
}

/// Adds copies of the headers in the list `hdr_list` to every later
/// REGISTER, after CSeq and before the Contacts. Calling it again adds more:
/// earlier headers are kept. Returns `PJ_EINVAL` for a NULL list and
/// `PJSIP_EINVALIDHDR` for a header that cannot be copied.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_add_headers(regc: *mut pjsip_regc, hdr_list: *const pjsip_hdr) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(hdr_list)?;
        let mut headers = Vec::new();
        let mut h = (*hdr_list).next as *const pjsip_hdr;
        while !h.is_null() && h != hdr_list {
            headers.extend(super::tdata::out_header(h).ok_or(PJSIP_EINVALIDHDR)?);
            h = (*h).next;
        }
        r.state.lock().tpl.add_headers(headers);
        Ok(())
    })
}

unsafe fn build(
    regc: *mut pjsip_regc,
    p_tdata: *mut *mut pjsip_tx_data,
    f: impl FnOnce(&mut Registration, &mut RustOutbox) -> Result<Request, Status>,
) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(p_tdata)?;
        let allow = r.shared.ep.allow();
        let req_hdrs = || r.shared.request_headers();
        let req = {
            let mut guard = r.state.lock();
            let st = &mut *guard;
            let mut rnd = OsRandom;
            let mut out = outbox(&mut st.tpl, &mut rnd, &allow, &req_hdrs, &[]);
            let req = f(&mut st.reg, &mut out)?;
            r.sync_timer(st);
            req
        };
        let (tdata, built) = super::tdata::create(&r.shared, req)?;
        r.state.lock().built = built;
        *p_tdata = tdata;
        if log_enabled(5) {
            log(5, "sip_util.c", &format!("{} created.", super::tdata::info_for_log(*p_tdata)));
        }
        Ok(())
    })
}

/// Builds a REGISTER that binds the Contacts (and asks to remove those
/// dropped by `pjsip_regc_update_contact`, with `expires=0`) and stores it
/// in `*p_tdata`; nothing is sent yet. With `autoreg` the client refreshes
/// the binding on its own before it ends. A refresh already scheduled is
/// cancelled. The caller may add to or edit the request, then passes it to
/// `pjsip_regc_send` (or drops it with `pjsip_tx_data_dec_ref`).
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_register(regc: *mut pjsip_regc, autoreg: pj_bool_t, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t {
    build(regc, p_tdata, |reg, env| reg.build_register(autoreg != 0, env))
}

/// Builds a REGISTER that removes this client's Contacts (Expires: 0) and
/// stores it in `*p_tdata`, for `pjsip_regc_send`. A scheduled refresh is
/// cancelled.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_unregister(regc: *mut pjsip_regc, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t {
    build(regc, p_tdata, |reg, env| reg.build_unregister(env))
}

/// Builds a REGISTER that removes every binding of the address of record,
/// including other devices' (`Contact: *`, Expires: 0), and stores it in
/// `*p_tdata`, for `pjsip_regc_send`. A scheduled refresh is cancelled.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_unregister_all(regc: *mut pjsip_regc, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t {
    build(regc, p_tdata, |reg, env| reg.build_unregister_all(env))
}

/// Replaces the Contacts to bind with `ccnt` values from `contact`. The next
/// REGISTER carries the new ones and asks (with `expires=0`) to remove old
/// ones that are not among them; URIs are compared by RFC 3261's rules.
/// When one value does not parse, or is `*`, it returns
/// `PJSIP_EINVALIDURI` and keeps the current Contacts.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_update_contact(regc: *mut pjsip_regc, ccnt: c_int, contact: *const pj_str_t) -> pj_status_t {
    with_regc(regc, |r| {
        let contacts = contact_strings(ccnt, contact)?;
        let refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
        r.state.lock().reg.update_contact(&refs, &mut OsRandom)
    })
}

/// Sets the binding time, in seconds, the next REGISTER asks for. As in
/// pjsip, when the value equals the time the registrar last granted the
/// request carries no Expires header at all.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_update_expires(regc: *mut pjsip_regc, expires: pj_uint32_t) -> pj_status_t {
    with_regc(regc, |r| {
        r.state.lock().reg.update_expires(expires);
        Ok(())
    })
}

/// Sends a request built by `pjsip_regc_register`, `pjsip_regc_unregister`
/// or `pjsip_regc_unregister_all` in a client transaction, and takes over
/// the caller's reference on `tdata` whatever the outcome. The CSeq goes up
/// by one for each request sent. The callback reports the final response,
/// or 408 on timeout, 503 when the transport fails and 502 when the
/// registrar's host does not resolve (status `PJ_SUCCESS` in all three); a
/// challenge (401/407) is answered with the credentials and the request
/// sent again without a callback in between.
///
/// Returns `PJSIP_EBUSY` when a REGISTER of this client is still in
/// flight. When the request cannot leave at all the callback has already
/// run, inside this call, and the error is returned too.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_send(regc: *mut pjsip_regc, tdata: *mut pjsip_tx_data) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(tdata)?;
        {
            // As pjsip: a send that is not refused as busy invalidates the
            // print and binds the request to the regc's own selector,
            // replacing any the application set on the tdata.
            let st = r.state.lock();
            if !st.reg.has_tsx() {
                super::tdata::pjsip_tx_data_invalidate_msg(tdata);
                super::tdata::pjsip_tx_data_set_transport(tdata, &st.tp_sel);
            }
        }
        let built = r.state.lock().built.take();
        let req = match built.and_then(|b| b.take_if_untouched(tdata)) {
            Some(req) => {
                #[cfg(debug_assertions)]
                same_on_the_wire(&req, super::tdata::to_request(tdata));
                Ok(req)
            }
            None => super::tdata::to_request(tdata),
        };
        if log_enabled(5) {
            let name = (*tdata).obj_name.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect::<Vec<u8>>();
            r.state.lock().req_obj = String::from_utf8_lossy(&name).into_owned();
        }
        // The request's reference passes to the send, as in pjsip.
        super::tdata::pjsip_tx_data_dec_ref(tdata);
        let status = r.send(req?);
        if status == PJ_SUCCESS {
            Ok(())
        } else {
            Err(status)
        }
    })
}

/// Debug builds check that a request sent as built prints as reading
/// its C message back would have made it print.
#[cfg(debug_assertions)]
fn same_on_the_wire(req: &Request, read_back: Result<Request, Status>) {
    let via = crate::sip::Via::default();
    let printed = read_back.map(|r| crate::reg::print::print_request(&r, &via));
    debug_assert_eq!(printed.as_deref().map(String::from_utf8_lossy), Ok(String::from_utf8_lossy(&crate::reg::print::print_request(req, &via))));
}

/// Makes the client authenticate with `session`, a client authentication
/// session the application may share between several clients, instead of
/// its own: its credentials, preferences and cached challenges answer this
/// client's challenges, and `pjsip_regc_set_credentials` and
/// `pjsip_regc_set_prefs` then change that session. NULL goes back to the
/// client's own. `PJ_EINVAL` when `session` was not set up with
/// `pjsip_auth_clt_init`. (pjproject 2.17 API.)
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_set_auth_sess(regc: *mut pjsip_regc, session: *mut pjsip_auth_clt_sess) -> pj_status_t {
    with_regc(regc, |r| {
        let parent: Option<SessionRef> = if session.is_null() { None } else { Some(session_for(session).ok_or(PJ_EINVAL)?) };
        r.state.lock().tpl.set_auth_parent(parent);
        Ok(())
    })
}

/// The client's own authentication session (holding the credentials given
/// to `pjsip_regc_set_credentials`), for pjsip's `pjsip_auth_clt_*`
/// functions. NULL for a NULL `regc`. (pjproject 2.17 API.)
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_get_auth_sess(regc: *mut pjsip_regc) -> *mut pjsip_auth_clt_sess {
    guard(core::ptr::null_mut(), || {
        if regc.is_null() {
            return core::ptr::null_mut();
        }
        regc_arc(regc).auth_c as *mut pjsip_auth_clt_sess
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_pool_gives_fresh_bytes_across_refills() {
        let mut seen = std::collections::HashSet::new();
        // Past several refills of the per-thread pool.
        for _ in 0..(3 * RANDOM_POOL / 16) {
            let mut b = [0u8; 16];
            OsRandom.fill(&mut b);
            assert!(seen.insert(b), "a 16-byte value came twice");
        }
        // Larger than the pool: straight from the OS.
        let mut big = vec![0u8; RANDOM_POOL + 1];
        OsRandom.fill(&mut big);
        assert!(big.iter().any(|b| *b != 0));
    }

    /// A forked child must not repeat what its parent draws next from the
    /// pool both inherited.
    #[test]
    fn forked_child_draws_other_bytes_than_its_parent() {
        let mut warm = [0u8; 16];
        OsRandom.fill(&mut warm);
        let mut fds = [0; 2];
        // SAFETY: plain pipe/fork/read/write/waitpid; the child only draws
        // random bytes, writes them and _exits.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0);
            if pid == 0 {
                let mut b = [0u8; 16];
                OsRandom.fill(&mut b);
                libc::write(fds[1], b.as_ptr().cast(), b.len());
                libc::_exit(0);
            }
            let mut parent = [0u8; 16];
            OsRandom.fill(&mut parent);
            let mut child = [0u8; 16];
            assert_eq!(libc::read(fds[0], child.as_mut_ptr().cast(), child.len()), 16);
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
            libc::close(fds[0]);
            libc::close(fds[1]);
            assert_ne!(parent, child);
        }
    }
}
