//! The hosted registration client: the shared state machine of
//! `crate::reg` driving the host's endpoint. Requests are host tx_data sent
//! with `pjsip_endpt_send_request`, the refresh timer is a host timer, and
//! callbacks run on the host's threads with no lock of ours held. A regc
//! marked for deletion is freed by whichever comes last: its transaction's
//! end, its refresh timer's run, or the dec_ref that brings `busy` to zero.

use super::host::{HostApi, HostPtr, TsxCallback};
use super::layout::Layout;
use super::outbox::{parse_target, Challenge, HostOutbox, HostTemplate};
use super::raw::{pool_str, read, write};
use super::response::Finished;
use super::Host;
use crate::ffi::types::*;
use crate::reg::busy::{Busy, Lifetime};
use crate::reg::{Callback, Next, Outcome, Registration};
use crate::status::*;
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

/// Room for the host's pjsip_auth_clt_sess (136-216 bytes across versions
/// and options) and pj_timer_entry (32, or 72 without PJ_TIMER_USE_COPY).
const AUTH_SESS_BYTES: usize = 512;
const TIMER_ENTRY_BYTES: usize = 128;

/// Zeroed, 8-aligned memory that only the host interprets.
struct HostBlock(Box<[u64]>);

impl HostBlock {
    fn new(bytes: usize) -> Self {
        HostBlock(vec![0u64; bytes / 8].into_boxed_slice())
    }
    fn ptr(&self) -> HostPtr {
        self.0.as_ptr() as HostPtr
    }
}

struct State {
    reg: Registration,
    tpl: HostTemplate,
    tp_sel: pjsip_tpselector,
    last_transport: HostPtr,
    /// The transport of the transaction in flight, once its request left,
    /// and which send that was (a late write for an ended one is dropped).
    inflight_transport: HostPtr,
    sends: u64,
    /// Via sent-by for requests over `via_tp` (set_via_sent_by).
    via: Option<(Vec<u8>, c_int, HostPtr)>,
    srv_c: pj_str_t,
    from_c: pj_str_t,
    /// The armed refresh timer: its entry and the moment it is due.
    timer: Option<(TimerEntry, u64)>,
    destroyed: bool,
}

// SAFETY: host pointers used under the regc's lock.
unsafe impl Send for State {}
// SAFETY: the entry is handed between threads only through the host's
// timer heap, which serialises it.
unsafe impl Send for TimerEntry {}

/// A hosted registration client: what a `pjsip_regc*` points at.
pub struct Regc {
    host: &'static Host,
    endpt: HostPtr,
    pool: HostPtr,
    auth: HostBlock,
    state: Mutex<State>,
    busy: Busy,
    cb: Mutex<pjsip_regc_cb_fn>,
    tsx_cb: Mutex<pjsip_regc_tsx_cb_fn>,
    token: usize,
    me: Weak<Regc>,
}

// SAFETY: the host objects (endpoint, pool, auth session, timer entry) are
// thread-safe in pjsip or used under the regc's lock; token is only handed
// back to the application.
unsafe impl Send for Regc {}
unsafe impl Sync for Regc {}

/// Milliseconds on a monotonic clock, for the state machine's deadlines.
fn now_ms() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// One pjsip_endpt_send_request in flight: its callback owns this.
struct SendToken {
    regc: Arc<Regc>,
    called: Arc<AtomicBool>,
}

impl Regc {
    fn h(&self) -> &'static HostApi {
        &self.host.api
    }

    fn layout(&self) -> &'static Layout {
        &self.host.layout
    }

    pub(super) fn handle(&self) -> *mut pjsip_regc {
        self as *const Regc as *mut pjsip_regc
    }

    fn outbox<'a>(&'a self, tpl: &'a mut HostTemplate, challenge: Option<Challenge>) -> HostOutbox<'a> {
        HostOutbox { h: self.h(), pool: self.pool, layout: self.layout(), endpt: self.endpt, tpl, challenge }
    }

    /// pjsip_regc_create.
    ///
    /// # Safety
    /// `endpt` is the host's live endpoint.
    pub(super) unsafe fn create(host: &'static Host, endpt: HostPtr, token: *mut c_void, cb: pjsip_regc_cb_fn) -> Result<Arc<Regc>, Status> {
        let h = &host.api;
        let pool = (h.pjsip_endpt_create_pool)(endpt, c"regc%p".as_ptr(), 1024, 1024);
        if pool.is_null() {
            return Err(PJ_ENOMEM);
        }
        let auth = HostBlock::new(AUTH_SESS_BYTES);
        let st = (h.pjsip_auth_clt_init)(auth.ptr(), endpt, pool, 0);
        if st != 0 {
            (h.pjsip_endpt_release_pool)(endpt, pool);
            return Err(st);
        }
        let cid = (h.pjsip_cid_hdr_create)(pool);
        if cid.is_null() {
            (h.pjsip_auth_clt_deinit)(auth.ptr());
            (h.pjsip_endpt_release_pool)(endpt, pool);
            return Err(PJ_ENOMEM);
        }
        let mut tpl = HostTemplate::new(auth.ptr());
        tpl.cid = cid;
        Ok(Arc::new_cyclic(|me| Regc {
            host,
            endpt,
            pool,
            auth,
            state: Mutex::new(State {
                reg: Registration::new(h.add_xuid_param()),
                tpl,
                tp_sel: core::mem::zeroed(),
                last_transport: null_mut(),
                inflight_transport: null_mut(),
                sends: 0,
                via: None,
                srv_c: pj_str_t { ptr: null_mut(), slen: 0 },
                from_c: pj_str_t { ptr: null_mut(), slen: 0 },
                timer: None,
                destroyed: false,
            }),
            busy: Busy::default(),
            cb: Mutex::new(cb),
            tsx_cb: Mutex::new(None),
            token: token as usize,
            me: me.clone(),
        }))
    }

    pub(super) fn pool(&self) -> HostPtr {
        self.pool
    }

    pub(super) fn auth_sess(&self) -> HostPtr {
        self.auth.ptr()
    }

    // ---- timer ----

    /// Keeps the host's refresh timer equal to what the state wants.
    fn sync_timer(&self, st: &mut State) {
        let want = st.reg.refresh_deadline();
        if st.timer.as_ref().map(|(_, at)| *at) == want {
            return;
        }
        if let Some((entry, _)) = st.timer.take() {
            self.cancel_timer(entry);
        }
        if let Some(at) = want {
            let h = self.h();
            let delay_ms = at.saturating_sub(now_ms());
            let delay = pj_time_val { sec: (delay_ms / 1000) as _, msec: (delay_ms % 1000) as _ };
            let regc = self.me.upgrade().expect("a regc in use is alive");
            let entry = TimerEntry::new(regc);
            // SAFETY: an entry of our own that lives until its run or its
            // cancellation, whichever comes.
            let status = unsafe {
                (h.pj_timer_entry_init)(entry.ptr(), 1, entry.user_data(), refresh_timer_cb);
                h.schedule_timer(self.endpt, entry.ptr(), &delay)
            };
            if status == 0 {
                st.timer = Some((entry, at));
            } else {
                // SAFETY: never handed to the host.
                unsafe { entry.free() };
                super::log::error(h, "Error scheduling registration refresh", status);
            }
        }
    }

    /// Cancels an armed timer; one already running frees its own entry.
    fn cancel_timer(&self, entry: TimerEntry) {
        let h = self.h();
        // SAFETY: our entry on the host's timer heap.
        let cancelled = unsafe {
            let heap = (h.pjsip_endpt_get_timer_heap)(self.endpt);
            (h.pj_timer_heap_cancel_if_active)(heap, entry.ptr(), 0)
        };
        if cancelled > 0 {
            // SAFETY: the heap no longer knows the entry.
            unsafe { entry.free() };
        }
    }

    // ---- sending ----

    /// pjsip_regc_send's work, for the API and for internal retries. The
    /// tx_data's reference passes to the send in every outcome.
    pub(super) fn send(self: &Arc<Self>, tdata: HostPtr) -> Status {
        let h = self.h();
        self.busy.add();
        let prepared = {
            let mut guard = self.state.lock();
            let st = &mut *guard;
            let mut tdata_mut = tdata;
            let mut out = self.outbox(&mut st.tpl, None);
            st.reg.prepare_send(&mut tdata_mut, &mut out).map(|()| {
                st.sends += 1;
                let send = st.sends;
                // SAFETY: the application's (or our) live tx_data; the
                // selector reference is the tdata's own from here on.
                unsafe { (h.pjsip_tx_data_set_transport)(tdata, &st.tp_sel) };
                if let Some((host, port, tp)) = &st.via {
                    // SAFETY: as above; the sent-by text goes into the
                    // tdata's own pool so it lives as long as the request.
                    unsafe { self.apply_via(tdata, host, *port, *tp) };
                }
                send
            })
        };
        let status = match prepared {
            Err(PJSIP_EBUSY) => {
                super::log::regc(h, "Unable to send request, regc has another transaction pending");
                // SAFETY: the reference the caller passed to send.
                unsafe { (h.pjsip_tx_data_dec_ref)(tdata) };
                PJSIP_EBUSY
            }
            Err(e) => {
                // SAFETY: the reference the caller passed to send.
                unsafe { (h.pjsip_tx_data_dec_ref)(tdata) };
                e
            }
            Ok(send) => {
                let called = Arc::new(AtomicBool::new(false));
                let token = Box::into_raw(Box::new(SendToken { regc: self.clone(), called: called.clone() }));
                // SAFETY: the host sends the request in a transaction owned by
                // its mod-stateful-util and calls back once at the end; our
                // own reference keeps the tdata readable after it returns.
                let st = unsafe {
                    (h.pjsip_tx_data_add_ref)(tdata);
                    (h.pjsip_endpt_send_request)(self.endpt, tdata, -1, token.cast(), tsx_callback as TsxCallback)
                };
                if st == 0 {
                    // SAFETY: the tdata we hold; tp_info.transport sits 96
                    // bytes before tp_sel in every supported layout.
                    let tp: HostPtr = unsafe { read(tdata, self.layout().tdata_tp_sel - 96) };
                    let mut guard = self.state.lock();
                    if guard.sends == send && guard.reg.has_tsx() {
                        guard.inflight_transport = tp;
                    }
                }
                // SAFETY: the reference taken above.
                unsafe { (h.pjsip_tx_data_dec_ref)(tdata) };
                if st != 0 {
                    super::log::error(h, "Error sending request", st);
                    if !called.load(Ordering::Acquire) {
                        // No transaction ever ran: the callback will not come.
                        // SAFETY: the token the host did not take.
                        drop(unsafe { Box::from_raw(token) });
                        self.state.lock().reg.tsx_ended();
                    }
                }
                st
            }
        };
        self.release_busy();
        status
    }

    unsafe fn apply_via(&self, tdata: HostPtr, host: &[u8], port: c_int, tp: HostPtr) {
        let l = self.layout();
        let pool: HostPtr = read(tdata, super::layout::TDATA_POOL);
        if let Some(s) = pool_str(self.h(), pool, host) {
            write(tdata, l.tdata_via_addr, s);
            write(tdata, l.tdata_via_addr + 16, port);
            write(tdata, l.tdata_via_tp, tp);
        }
    }

    /// Makes `tp` the last transport, moving the transport reference the
    /// regc keeps on it.
    fn set_last_transport(&self, tp: HostPtr) {
        let h = self.h();
        let old = std::mem::replace(&mut self.state.lock().last_transport, tp);
        if old != tp {
            // SAFETY: live host transports; the reference counts are theirs.
            unsafe {
                if !tp.is_null() {
                    (h.pjsip_transport_add_ref)(tp);
                }
                if !old.is_null() {
                    (h.pjsip_transport_dec_ref)(old);
                }
            }
        }
    }

    pub(super) fn release_transport(&self) {
        self.set_last_transport(null_mut());
    }

    pub(super) fn add_ref(&self) {
        self.busy.add();
    }

    /// pjsip_regc_destroy2.
    pub(super) fn destroy(&self, force: bool) -> Status {
        let mut st = self.state.lock();
        if !force && st.reg.has_tsx() {
            return PJ_EBUSY;
        }
        if st.reg.has_tsx() || self.busy.is_busy() {
            st.reg.mark_deleting();
            *self.cb.lock() = None;
            return PJ_SUCCESS;
        }
        drop(st);
        self.destroy_now();
        PJ_SUCCESS
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

    /// Frees the regc's host resources and drops the handle's reference;
    /// callbacks still holding the Arc see a destroyed regc.
    fn destroy_now(&self) {
        let h = self.h();
        let mut st = self.state.lock();
        if st.destroyed {
            return;
        }
        st.destroyed = true;
        if let Some((entry, _)) = st.timer.take() {
            self.cancel_timer(entry);
        }
        // SAFETY: the selector reference taken in set_transport.
        unsafe { (h.pjsip_tpselector_dec_ref)(&mut st.tp_sel) };
        drop(st);
        self.set_last_transport(null_mut());
        // SAFETY: the regc's own session and pool, released once, here.
        unsafe {
            (h.pjsip_auth_clt_deinit)(self.auth.ptr());
            (h.pjsip_endpt_release_pool)(self.endpt, self.pool);
        }
        // SAFETY: the handle was made by Arc::into_raw in create and this
        // runs once (guarded by `destroyed`).
        unsafe { drop(Arc::from_raw(self as *const Regc)) };
    }

}

impl Regc {
    // ---- callbacks ----

    fn call_callback(&self, cb: &Callback, fin: Option<&Finished>, contacts: &[HostPtr]) {
        let Some(f) = *self.cb.lock() else { return };
        let own_text;
        let reason = match fin {
            Some(fin) if !fin.msg.is_null() && (cb.status == PJ_SUCCESS || matches!(cb.code, 401 | 407 | 423)) => fin.reason(),
            Some(fin) if cb.status == PJ_SUCCESS => fin.status_text,
            _ => {
                own_text = cb.reason.clone().into_bytes();
                pj_str_t { ptr: own_text.as_ptr() as *mut _, slen: own_text.len().min(79) as _ }
            }
        };
        // SAFETY: a plain C struct, all-zero is valid.
        let mut param: pjsip_regc_cbparam = unsafe { core::mem::zeroed() };
        param.regc = self.handle();
        param.token = self.token as *mut c_void;
        param.status = cb.status;
        param.code = c_int::from(cb.code);
        param.reason = reason;
        param.rdata = fin.map_or(null_mut(), |f| f.rdata.cast());
        param.expiration = cb.expiration;
        let n = cb.contact_count.min(contacts.len());
        param.contact_cnt = n as c_int;
        for (slot, c) in param.contact.iter_mut().zip(&contacts[..n]) {
            *slot = c.cast();
        }
        param.is_unreg = c_int::from(cb.is_unreg);
        // SAFETY: the application's callback; no lock of ours is held.
        unsafe { f(&mut param) };
    }

    fn call_tsx_callback(&self, fin: &Finished) {
        let Some(f) = *self.tsx_cb.lock() else { return };
        let requested = self.state.lock().reg.requested();
        // SAFETY: a plain C struct, all-zero is valid.
        let mut param: pjsip_regc_tsx_cb_param = unsafe { core::mem::zeroed() };
        param.cbparam.regc = self.handle();
        param.cbparam.token = self.token as *mut c_void;
        param.cbparam.code = c_int::from(fin.code);
        param.cbparam.reason = fin.reason();
        param.cbparam.rdata = fin.rdata.cast();
        param.cbparam.expiration = requested;
        param.contact_cnt = -1;
        // SAFETY: the application's callback; no lock of ours is held.
        unsafe { f(&mut param) };
        if param.contact_cnt >= 0 {
            let n = (param.contact_cnt as usize).min(param.contact.len());
            // SAFETY: the application filled contact[0..n].
            let values: Vec<String> =
                param.contact[..n].iter().filter_map(|s| unsafe { crate::ffi::util::pj_string(s) }).collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let mut st = self.state.lock();
            let _ = st.reg.apply_tsx_cb_contacts(fin.code, &refs, &mut super::HostRandom);
        }
    }

    /// The host ended the transaction of our request.
    fn on_tsx_final(self: Arc<Self>, fin: Finished) {
        self.busy.add();
        {
            let mut st = self.state.lock();
            st.sends += 1;
            st.inflight_transport = null_mut();
        }
        // As pjsip, the transaction's transport replaces the last one even
        // when it had none (a send that failed before reaching one).
        self.set_last_transport(fin.transport);
        let call_tsx_cb = self.state.lock().reg.tsx_ended();
        if call_tsx_cb {
            self.call_tsx_callback(&fin);
        }
        let contacts = fin.contact_hdrs(self.h());
        let outcome = fin.outcome(self.h(), &contacts);
        let challenge = (!fin.rdata.is_null()).then_some(Challenge { rdata: fin.rdata, last_tx: fin.last_tx });
        let next = {
            let mut guard = self.state.lock();
            let st = &mut *guard;
            let mut out = self.outbox(&mut st.tpl, challenge);
            let next = st.reg.finish(&outcome, now_ms(), &mut out);
            if let Some(e) = st.reg.take_zero_overruled() {
                super::log::regc(self.h(), &format!("Modify response's expiration from 0 to {e}"));
            }
            self.sync_timer(st);
            next
        };
        if let (Outcome::Response(r), Next::Callback(_)) = (&outcome, &next) {
            if r.code == 423 && r.min_expires.is_none() {
                super::log::regc(self.h(), "Registration failed: 423 response without Min-Expires header is invalid");
            }
        }
        match next {
            Next::Nothing => {}
            Next::Callback(cb) => self.call_callback(&cb, Some(&fin), &contacts),
            Next::Resend { request, on_failure } => {
                let status = self.send(request);
                if status != PJ_SUCCESS {
                    if let Some(mut cb) = on_failure {
                        cb.status = status;
                        self.call_callback(&cb, Some(&fin), &contacts);
                    }
                }
            }
        }
        self.release_busy();
    }

    fn on_refresh_timer(self: Arc<Self>, entry: HostPtr) {
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
            if st.timer.as_ref().is_some_and(|(armed, _)| armed.ptr() == entry) {
                st.timer = None;
            }
            let mut out = self.outbox(&mut st.tpl, None);
            let r = st.reg.on_refresh_timer(&mut out);
            self.sync_timer(st);
            r
        };
        let status = match built {
            Ok(tdata) => self.send(tdata),
            Err(e) => e,
        };
        if status != PJ_SUCCESS {
            let mut cb = self.state.lock().reg.refresh_failed(status);
            cb.reason = self.h().strerror(status);
            self.call_callback(&cb, None, &[]);
        }
        self.release_busy();
    }

    // ---- configuration ----

    /// pjsip_regc_init.
    pub(super) fn init(&self, srv: &[u8], from: &[u8], to: &[u8], contacts: &[&str], expires: u32) -> Result<(), Status> {
        if expires == 0 {
            return Err(PJ_EINVAL);
        }
        let h = self.h();
        let mut guard = self.state.lock();
        let st = &mut *guard;
        // SAFETY: the regc's pool; what is parsed into it lives with it.
        unsafe {
            let target = parse_target(h, self.pool, srv, from, to)?;
            // pjsip checks contacts with its own parser too.
            for c in contacts {
                self.host_parses_contact(c)?;
            }
            let mut call_id = pj_str_t { ptr: null_mut(), slen: 0 };
            (h.pj_create_unique_string)(self.pool, &mut call_id);
            let call_id = String::from_utf8_lossy(super::raw::str_bytes(&call_id)).into_owned();
            let cseq_base = (libc::rand() % 0xFFFF) as u32;
            st.reg.init(contacts, expires, cseq_base, call_id, &mut super::HostRandom)?;
            st.tpl.target = Some(target);
            st.srv_c = pool_str(h, self.pool, srv).ok_or(PJ_ENOMEM)?;
            st.from_c = pool_str(h, self.pool, from).ok_or(PJ_ENOMEM)?;
        }
        Ok(())
    }

    unsafe fn host_parses_contact(&self, value: &str) -> Result<(), Status> {
        let h = self.h();
        let buf = pool_str(h, self.pool, value.as_bytes()).ok_or(PJ_ENOMEM)?;
        let name = pj_str_t { ptr: c"Contact".as_ptr() as *mut _, slen: 7 };
        let mut parsed: c_int = 0;
        if (h.pjsip_parse_hdr)(self.pool, &name, buf.ptr, buf.slen as usize, &mut parsed).is_null() {
            super::log::regc(h, &format!("Invalid Contact: \"{value}\""));
            return Err(PJSIP_EINVALIDURI);
        }
        Ok(())
    }

    pub(super) fn update_contact(&self, contacts: &[&str]) -> Result<(), Status> {
        // SAFETY: the regc's pool.
        unsafe {
            for c in contacts {
                self.host_parses_contact(c)?;
            }
        }
        self.state.lock().reg.update_contact(contacts, &mut super::HostRandom)
    }

    pub(super) fn update_expires(&self, expires: u32) {
        self.state.lock().reg.update_expires(expires);
    }

    pub(super) fn set_credentials(&self, count: c_int, cred: *const c_void) -> Result<(), Status> {
        let sess = self.state.lock().tpl.auth;
        // SAFETY: the caller's array, copied by the host.
        status(unsafe { (self.h().pjsip_auth_clt_set_credentials)(sess, count, cred) })
    }

    pub(super) fn set_prefs(&self, pref: *const c_void) -> Result<(), Status> {
        let sess = self.state.lock().tpl.auth;
        // SAFETY: the caller's preferences, copied by the host.
        status(unsafe { (self.h().pjsip_auth_clt_set_prefs)(sess, pref) })
    }

    /// pjsip_regc_set_auth_sess: the parent answers this regc's challenges.
    pub(super) fn set_auth_sess(&self, parent: HostPtr) -> Result<(), Status> {
        let h = self.h();
        let mut st = self.state.lock();
        if let Some(set_parent) = h.pjsip_auth_clt_set_parent {
            // SAFETY: the regc's own session and the application's.
            status(unsafe { set_parent(self.auth.ptr(), parent) })?;
            st.tpl.auth = self.auth.ptr();
        } else {
            st.tpl.auth = if parent.is_null() { self.auth.ptr() } else { parent };
        }
        Ok(())
    }

    /// Deep copies of a header list (route set or added headers), in the
    /// regc's pool.
    unsafe fn clone_list(&self, head: HostPtr) -> Vec<HostPtr> {
        let h = self.h();
        let mut out = Vec::new();
        let mut node = super::raw::next(head);
        while !node.is_null() && node != head {
            let copy = (h.pjsip_hdr_clone)(self.pool, node);
            if !copy.is_null() {
                out.push(copy);
            }
            node = super::raw::next(node);
        }
        out
    }

    pub(super) unsafe fn set_route_set(&self, head: HostPtr) {
        let routes = self.clone_list(head);
        self.state.lock().tpl.route_set = routes;
    }

    pub(super) unsafe fn add_headers(&self, head: HostPtr) {
        let mut hdrs = self.clone_list(head);
        self.state.lock().tpl.extra.append(&mut hdrs);
    }

    pub(super) unsafe fn set_transport(&self, sel: &pjsip_tpselector) {
        let h = self.h();
        let mut st = self.state.lock();
        (h.pjsip_tpselector_dec_ref)(&mut st.tp_sel);
        st.tp_sel = core::ptr::read(sel);
        (h.pjsip_tpselector_add_ref)(&mut st.tp_sel);
    }

    pub(super) unsafe fn set_via_sent_by(&self, via_addr: *const pjsip_host_port, via_tp: HostPtr) {
        let mut st = self.state.lock();
        st.via = if via_addr.is_null() || (*via_addr).host.slen <= 0 {
            None
        } else {
            Some((super::raw::str_bytes(&(*via_addr).host).to_vec(), (*via_addr).port, via_tp))
        };
    }

    pub(super) fn set_delay_before_refresh(&self, delay: u32) -> Result<(), Status> {
        let mut st = self.state.lock();
        st.reg.set_delay_before_refresh(delay, now_ms())?;
        self.sync_timer(&mut st);
        Ok(())
    }

    pub(super) fn set_tsx_cb(&self, tsx_cb: pjsip_regc_tsx_cb_fn) {
        *self.tsx_cb.lock() = tsx_cb;
    }

    /// register / unregister / unregister_all: builds the request.
    pub(super) fn build(
        &self,
        f: impl FnOnce(&mut Registration, &mut HostOutbox) -> Result<HostPtr, Status>,
    ) -> Result<HostPtr, Status> {
        let mut guard = self.state.lock();
        let st = &mut *guard;
        let mut out = self.outbox(&mut st.tpl, None);
        let tdata = f(&mut st.reg, &mut out)?;
        self.sync_timer(st);
        Ok(tdata)
    }

    pub(super) fn info(&self) -> pjsip_regc_info {
        let st = self.state.lock();
        pjsip_regc_info {
            server_uri: st.srv_c,
            client_uri: st.from_c,
            is_busy: c_int::from(self.busy.is_busy() || st.reg.has_tsx()),
            auto_reg: c_int::from(st.reg.autoreg()),
            interval: st.reg.granted(),
            next_reg: st.reg.next_reg(now_ms()),
            transport: if st.reg.has_tsx() && !st.inflight_transport.is_null() {
                st.inflight_transport.cast()
            } else {
                st.last_transport.cast()
            },
        }
    }
}

fn status(st: c_int) -> Result<(), Status> {
    if st == 0 {
        Ok(())
    } else {
        Err(st)
    }
}

/// The end of one of our transactions, from the host's mod-stateful-util.
unsafe extern "C" fn tsx_callback(token: *mut c_void, event: *mut c_void) {
    crate::ffi::guard::guard((), || {
        if token.is_null() {
            return;
        }
        // SAFETY: the token made in send; the host calls back once.
        let token = unsafe { Box::from_raw(token.cast::<SendToken>()) };
        token.called.store(true, Ordering::Release);
        let regc = token.regc.clone();
        drop(token);
        // SAFETY: the host's event for our transaction.
        match unsafe { Finished::from_event(regc.layout(), event) } {
            Some(fin) => regc.on_tsx_final(fin),
            None => {
                regc.state.lock().reg.tsx_ended();
            }
        }
    })
}

/// A pj_timer_entry of one scheduling of the refresh timer. Its user data
/// is a strong reference to the regc, so that the regc outlives it; the
/// entry and the reference go together, when the timer runs or when a
/// cancel finds it still armed. A new scheduling gets a new entry, so a run
/// that races with a rescheduling never reads another scheduling's data.
struct TimerEntry(*mut u64);

impl TimerEntry {
    /// Room for pj_timer_entry: 32 bytes, or 72 without PJ_TIMER_USE_COPY.
    const WORDS: usize = TIMER_ENTRY_BYTES / 8;

    fn new(regc: Arc<Regc>) -> TimerEntry {
        let mut words = vec![0u64; Self::WORDS].into_boxed_slice();
        words[0] = Arc::into_raw(regc) as u64;
        TimerEntry(Box::into_raw(words).cast::<u64>())
    }

    fn ptr(&self) -> HostPtr {
        self.0.cast()
    }

    fn user_data(&self) -> *mut c_void {
        // SAFETY: our allocation; word 0 is user_data until pj_timer_entry_init.
        unsafe { *self.0 as *mut c_void }
    }

    /// Another reference to the regc the entry keeps alive.
    ///
    /// # Safety
    /// The entry is live.
    unsafe fn regc(&self) -> Arc<Regc> {
        let p = read::<*const Regc>(self.ptr(), 0);
        Arc::increment_strong_count(p);
        Arc::from_raw(p)
    }

    /// Takes back the regc reference and the memory.
    ///
    /// # Safety
    /// The host no longer holds the entry.
    unsafe fn free(self) {
        // pj_timer_entry keeps user_data at offset 0.
        drop(Arc::from_raw(read::<*const Regc>(self.ptr(), 0)));
        drop(Box::from_raw(core::ptr::slice_from_raw_parts_mut(self.0, Self::WORDS)));
    }
}

/// The host's timer heap fired one of our refresh timers.
unsafe extern "C" fn refresh_timer_cb(_heap: *mut c_void, entry: *mut c_void) {
    crate::ffi::guard::guard((), || {
        if entry.is_null() {
            return;
        }
        // SAFETY: our entry, which the heap has let go of: this run owns it,
        // and frees it only afterwards (so that its address, which the run
        // compares with the armed one, is not reused meanwhile).
        let entry = TimerEntry(entry.cast());
        unsafe { entry.regc() }.on_refresh_timer(entry.ptr());
        unsafe { entry.free() };
    })
}
