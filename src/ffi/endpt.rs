//! pjsip_endpoint and the transport objects as C sees them: UDP
//! transports, TCP/TLS listeners (`pjsip_tpfactory`) and one
//! `pjsip_transport` per TCP/TLS connection.
//!
//! The endpoint owns the sockets; this module owns the C structs that
//! describe them. A connection's C struct is made the first time C can see
//! it (get_info, rdata, a callback) and freed once the endpoint has
//! dropped the connection and no C reference count remains.

use super::guard::{guard, guard_status};
use super::types::*;
use super::util::*;
use super::pjlib::log::{log, log_enabled};
use crate::endpoint::log::transport_name;
use crate::endpoint::{Endpoint, IpPref, Kind, RuntimeConfig, Selection, Selector, TransportId, TransportInfo};
use crate::nonnull;
use crate::status::*;
use crate::transport::tls::{client_config, Password, Pem, TlsSettings, VerifyHook, VerifyInfo};
use crate::transport::{StreamListener, UdpTransport};
use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// A transport as C sees it: pjproject's struct first, so a
/// `pjsip_transport*` points at it, then our bookkeeping.
#[repr(C)]
pub struct CTransport {
    /// What C reads.
    pub tp: pjsip_transport,
    /// References taken by `pjsip_transport_add_ref`.
    pub refs: AtomicI32,
    /// The endpoint's id of the transport.
    pub id: TransportId,
    ep: Weak<Endpoint>,
    /// NUL-terminated strings the C struct points into.
    _strings: Vec<Box<[u8]>>,
}

/// A TCP or TLS listener as C sees it (`pjsip_tpfactory*`).
#[repr(C)]
pub struct CFactory {
    /// What C reads.
    pub fac: pjsip_tpfactory,
    /// The endpoint's id of the listener.
    pub id: TransportId,
    _strings: Vec<Box<[u8]>>,
}

/// What every regc of an endpoint shares with it.
pub struct EndptShared {
    /// The Rust endpoint.
    pub ep: Arc<Endpoint>,
    /// The pool factory given to `pjsip_endpt_create`.
    pub factory: *mut pj_pool_factory,
    /// The endpoint's name.
    pub name: String,
    transports: Mutex<HashMap<TransportId, *mut CTransport>>,
    factories: Mutex<HashMap<TransportId, *mut CFactory>>,
    /// The `pjsip_endpoint*` handed to C, for the structs that point back.
    handle: AtomicUsize,
    pool: *mut pj_pool_t,
    /// List head of the headers every new request gets (Max-Forwards, and
    /// whatever the application appends through
    /// pjsip_endpt_get_request_headers).
    req_hdrs: *mut pjsip_hdr,
    /// Capability headers (Allow, Accept, Supported, ...) by type and name.
    caps: Mutex<Vec<(c_int, String, *mut pjsip_generic_array_hdr)>>,
    /// The application's modules.
    pub modules: super::modules::Modules,
    /// The application's timers (`pjsip_endpt_schedule_timer`).
    pub timers: Arc<super::timers::CTimers>,
    /// The regcs created on this endpoint. Those the application has not
    /// destroyed go with it, as pjproject's go with their pools.
    children: Mutex<Vec<Weak<dyn EndpointChild>>>,
    /// The `pj_dns_resolver*` set with pjsip_endpt_set_resolver (0: none).
    pub resolver: Mutex<usize>,
}

/// An object freed with its endpoint if the application did not free it.
pub trait EndpointChild: Send + Sync {
    /// The endpoint is being destroyed: free everything.
    fn endpoint_destroyed(&self);
}

// SAFETY: the raw pointers are the caller's pool factory (pjsip requires it
// to be thread-safe, as the caching pool is) and our own boxed transports,
// only mutated under the mutex.
unsafe impl Send for EndptShared {}
unsafe impl Sync for EndptShared {}

impl EndptShared {
    /// Remembers an object to free with the endpoint.
    pub fn adopt(&self, child: Weak<dyn EndpointChild>) {
        let mut children = self.children.lock();
        // Forget the freed ones once the list has doubled since the last
        // sweep, so a long-lived endpoint's list stays proportional to the
        // live objects.
        if children.len() == children.capacity() {
            children.retain(|c| c.strong_count() > 0);
        }
        children.push(child);
    }

    /// The C struct of a transport or connection (made on first use), or
    /// NULL when the id names nothing (any more).
    pub fn transport_ptr(&self, id: TransportId) -> *mut pjsip_transport {
        let mut map = self.transports.lock();
        if let Some(p) = map.get(&id) {
            return *p as *mut pjsip_transport;
        }
        let Some(info) = self.ep.transport_info(id) else { return core::ptr::null_mut() };
        if info.is_listener {
            return core::ptr::null_mut();
        }
        let factory = info
            .listener
            .and_then(|l| self.factories.lock().get(&l).copied())
            .map_or(core::ptr::null_mut(), |f| f as *mut pjsip_tpfactory);
        let endpt = self.handle.load(Ordering::Acquire) as *mut pjsip_endpoint;
        let raw = Box::into_raw(new_ctransport(id, &info, endpt, factory, 0, Arc::downgrade(&self.ep)));
        map.insert(id, raw);
        raw as *mut pjsip_transport
    }

    /// The id of a transport handed out by this endpoint, if it is ours.
    pub fn transport_id(&self, tp: *const pjsip_transport) -> Option<TransportId> {
        self.transports.lock().iter().find(|(_, p)| **p as *const pjsip_transport == tp).map(|(id, _)| *id)
    }

    /// The id of a listener handed out by this endpoint, if it is ours.
    pub fn factory_id(&self, f: *const pjsip_tpfactory) -> Option<TransportId> {
        self.factories.lock().iter().find(|(_, p)| **p as *const pjsip_tpfactory == f).map(|(id, _)| *id)
    }

    /// A `pjsip_tpselector` as the endpoint's [`Selection`]. A selector
    /// naming an object of another endpoint selects nothing in particular.
    pub fn selection(&self, sel: &pjsip_tpselector) -> Selection {
        let no_reuse = sel.disable_connection_reuse != 0;
        // SAFETY: the union member read matches the selector type.
        let selector = unsafe {
            match sel.r#type {
                1 => self.transport_id(sel.u.transport).map_or(Selector::Any, Selector::Transport),
                2 => self.factory_id(sel.u.listener).map_or(Selector::Any, Selector::Listener),
                3 => Selector::IpVersion(match sel.u.ip_ver {
                    0 => IpPref::V4Only,
                    2 => IpPref::PreferV4,
                    3 => IpPref::PreferV6,
                    4 => IpPref::V6Only,
                    _ => IpPref::Any,
                }),
                _ => Selector::Any,
            }
        };
        Selection { selector, no_reuse }
    }

    /// pjsip_transport_add_ref on a transport known by id (a regc keeping
    /// its last transport).
    pub fn transport_add_ref(&self, id: TransportId) {
        let p = self.transport_ptr(id);
        if !p.is_null() {
            // SAFETY: a live CTransport of this endpoint.
            unsafe { ctransport_add_ref(p as *mut CTransport) };
        }
    }

    /// The matching pjsip_transport_dec_ref.
    pub fn transport_dec_ref(&self, id: TransportId) {
        let p = self.transports.lock().get(&id).copied();
        if let Some(p) = p {
            // SAFETY: a CTransport still in our map.
            unsafe { ctransport_dec_ref(p) };
        }
    }

    /// Frees the C structs of connections the endpoint has dropped and C
    /// no longer counts.
    pub fn sweep_transports(&self) {
        let mut map = self.transports.lock();
        let dead: Vec<TransportId> = map
            .iter()
            // SAFETY: every pointer in the map is a live CTransport.
            .filter(|(id, p)| unsafe { (***p).refs.load(Ordering::Acquire) } <= 0 && !self.ep.transport_alive(**id))
            .map(|(id, _)| *id)
            .collect();
        for id in dead {
            if let Some(p) = map.remove(&id) {
                // SAFETY: made by Box::into_raw and now out of the map.
                unsafe { drop(Box::from_raw(p)) };
            }
        }
    }

    /// A pool from the endpoint's factory (pjsip_endpt_create_pool).
    pub fn create_pool(&self, name: &str, initial: usize, increment: usize) -> *mut pj_pool_t {
        let name = std::ffi::CString::new(name).unwrap_or_default();
        // SAFETY: the factory pointer was given at endpoint creation and
        // must outlive the endpoint, as in pjsip.
        unsafe { super::pjlib::pj_pool_create(self.factory, name.as_ptr(), initial, increment, None) }
    }

    /// The endpoint's request headers in the request model, read anew for
    /// every request so that the application's additions take effect.
    pub fn request_headers(&self) -> Vec<crate::reg::OutHeader> {
        let mut out = Vec::new();
        if self.req_hdrs.is_null() {
            return out;
        }
        // SAFETY: the list head lives in the endpoint's pool; its nodes are
        // headers the application or we linked in.
        unsafe {
            let head = self.req_hdrs;
            let mut h = (*head).next;
            let mut n = 0;
            while !h.is_null() && h != head && n < 256 {
                if let Some(v) = super::tdata::out_header(h) {
                    out.extend(v);
                }
                h = (*h).next;
                n += 1;
            }
        }
        out
    }

    /// Gives a pool back (NULL is ignored).
    ///
    /// # Safety
    /// `pool` is NULL or a pool from this endpoint not yet released.
    pub unsafe fn release_pool(&self, pool: *mut pj_pool_t) {
        if !pool.is_null() {
            super::pjlib::pj_pool_release(pool)
        }
    }
}

/// The endpoint's lines go to pj_log, under its level and decoration.
struct PjLog;

impl crate::endpoint::log::LogSink for PjLog {
    fn enabled(&self, level: i32) -> bool {
        log_enabled(level)
    }

    fn write(&self, level: i32, sender: &str, indent: usize, msg: &str) {
        super::pjlib::log::log_indented(level, sender, indent, msg);
    }
}

/// `pjsip_endpoint*` is a leaked `Arc<EndptShared>`.
pub unsafe fn shared<'a>(endpt: *mut pjsip_endpoint) -> &'a Arc<EndptShared> {
    &*(endpt as *const Arc<EndptShared>)
}

/// Sender of the endpoint's own lines, as pjsip's.
const SENDER: &str = "sip_endpoint.c";

/// Creates an endpoint named `name` that allocates from `pf`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_create(
    pf: *mut pj_pool_factory,
    name: *const c_char,
    endpt: *mut *mut pjsip_endpoint,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(pf, endpt)?;
        log(5, SENDER, "Creating endpoint instance...");
        let name = c_string(name).unwrap_or_else(hostname);
        let mut s = EndptShared {
            ep: Endpoint::new().map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EMFILE)))?,
            factory: pf,
            name,
            transports: Mutex::new(HashMap::new()),
            factories: Mutex::new(HashMap::new()),
            handle: AtomicUsize::new(0),
            pool: core::ptr::null_mut(),
            req_hdrs: core::ptr::null_mut(),
            caps: Mutex::new(Vec::new()),
            modules: Default::default(),
            timers: Default::default(),
            children: Mutex::new(Vec::new()),
            resolver: Mutex::new(0),
        };
        s.pool = s.create_pool("pept%p", 4000, 4000);
        if s.pool.is_null() {
            return Err(PJ_ENOMEM);
        }
        let head = super::pjlib::pj_pool_calloc(s.pool, 1, core::mem::size_of::<pjsip_hdr>()) as *mut pjsip_hdr;
        if head.is_null() {
            s.release_pool(s.pool);
            return Err(PJ_ENOMEM);
        }
        (*head).prev = head;
        (*head).next = head;
        let mf = super::cobj::int_hdr_to_c(s.pool, crate::sip::HdrKind::MaxForwards, 70) as *mut pjsip_hdr;
        if !mf.is_null() {
            super::pjlib::pj_list_insert_before(head as *mut c_void, mf as *mut c_void);
        }
        s.req_hdrs = head;
        s.ep.set_log(Some(Arc::new(PjLog)));
        log(5, "sip_transport.c", "Transport manager created.");
        s.ep.set_config_source(|| RuntimeConfig {
            rport: !super::cfg::disable_rport(),
            via_alias: super::cfg::req_has_via_alias(),
            tcp_keepalive_s: super::cfg::tcp_keep_alive_interval(),
            tls_keepalive_s: super::cfg::tls_keep_alive_interval(),
            tcp_switch: !super::cfg::disable_tcp_switch(),
        });
        let shared_arc = Arc::new(s);
        let handle = &shared_arc.handle as *const AtomicUsize;
        let raw = Box::into_raw(Box::new(shared_arc));
        // SAFETY: the Arc behind `raw` keeps `handle` alive.
        (*handle).store(raw as usize, Ordering::Release);
        *endpt = raw as *mut pjsip_endpoint;
        Ok(())
    })
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut c_char, buf.len()) };
    if rc != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Destroys the endpoint; transactions still in flight end without a
/// callback.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_destroy(endpt: *mut pjsip_endpoint) {
    guard((), || {
        if endpt.is_null() {
            return;
        }
        let boxed = Box::from_raw(endpt as *mut Arc<EndptShared>);
        log(5, SENDER, "Destroying endpoint instance..");
        boxed.modules.shut_down();
        boxed.ep.set_observer(None);
        log(4, "sip_transaction.c", "Stopping transaction layer module");
        boxed.ep.shutdown();
        log(4, "sip_transaction.c", "Stopped transaction layer module");
        let children = std::mem::take(&mut *boxed.children.lock());
        for child in children.iter().filter_map(Weak::upgrade) {
            child.endpoint_destroyed();
        }
        super::layers::endpoint_destroyed(endpt);
        super::resolver::endpoint_destroyed(&boxed);
        log(5, "sip_transport.c", "Destroying transport manager");
        let transports = std::mem::take(&mut *boxed.transports.lock());
        for (_, t) in transports {
            let t = Box::from_raw(t);
            if t.tp.dir != PJSIP_TP_DIR_OUTGOING && log_enabled(4) {
                log(4, &obj_name(&t.tp.obj_name), "SIP UDP transport destroyed");
            }
            drop(t);
        }
        let factories = std::mem::take(&mut *boxed.factories.lock());
        for (_, f) in factories {
            let f = Box::from_raw(f);
            if log_enabled(4) {
                let kind = CStr::from_ptr(f.fac.type_name).to_string_lossy();
                log(4, &obj_name(&f.fac.obj_name), &format!("SIP {kind} listener destroyed"));
            }
            drop(f);
        }
        if log_enabled(3) {
            // pjsip dumps its timer heap here; ours is empty by now too.
            log(3, "timer.c", "Dumping timer heap:");
            log(3, "timer.c", &format!("  Cur size: {} entries", boxed.ep.timer_count()));
        }
        boxed.release_pool(boxed.pool);
        if log_enabled(4) {
            log(4, SENDER, &format!("Endpoint {endpt:p} destroyed"));
        }
    })
}

/// Maps C's optional max timeout to the loop's wait.
unsafe fn max_wait(t: *const pj_time_val) -> Option<Duration> {
    if t.is_null() {
        return None;
    }
    let ms = (*t).sec.saturating_mul(1000).saturating_add((*t).msec);
    Some(Duration::from_millis(ms.max(0) as u64))
}

/// Runs the endpoint once: waits up to `max_timeout` for packets and
/// timers and handles them, calling callbacks on this thread.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_handle_events(endpt: *mut pjsip_endpoint, max_timeout: *const pj_time_val) -> pj_status_t {
    pjsip_endpt_handle_events2(endpt, max_timeout, core::ptr::null_mut())
}

/// `pjsip_endpt_handle_events`, also counting the events handled.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_handle_events2(
    endpt: *mut pjsip_endpoint,
    max_timeout: *const pj_time_val,
    count: *mut c_uint,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        let s = shared(endpt).clone();
        let n = s.ep.handle_events(max_wait(max_timeout));
        s.sweep_transports();
        if !count.is_null() {
            *count = n as c_uint;
        }
        Ok(())
    })
}

/// The transaction layer is always present; initialising it registers its
/// module object (PJ_EINVALIDOP if it already is, as in pjsip) and takes
/// the snapshot of Timer K and Timer F that pjsip takes at this point.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tsx_layer_init_module(endpt: *mut pjsip_endpoint) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        super::layers::register(super::layers::Layer::Tsx, endpt, &shared(endpt).modules)?;
        super::cfg::cache_tsx_timers();
        Ok(())
    })
}

/// The UA layer has nothing to do for registration; initialising it
/// registers its module object (PJ_EINVALIDOP if it already is).
#[no_mangle]
pub unsafe extern "C" fn pjsip_ua_init_module(endpt: *mut pjsip_endpoint, _prm: *const pjsip_ua_init_param) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        super::layers::register(super::layers::Layer::Ua, endpt, &shared(endpt).modules)
    })
}

/// A pool from the endpoint's factory.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_create_pool(
    endpt: *mut pjsip_endpoint,
    pool_name: *const c_char,
    initial: pj_size_t,
    increment: pj_size_t,
) -> *mut pj_pool_t {
    guard(core::ptr::null_mut(), || {
        if endpt.is_null() {
            return core::ptr::null_mut();
        }
        let s = shared(endpt);
        super::pjlib::pj_pool_create(s.factory, pool_name, initial, increment, None)
    })
}

/// Gives back a pool from `pjsip_endpt_create_pool`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_release_pool(endpt: *mut pjsip_endpoint, pool: *mut pj_pool_t) {
    guard((), || {
        if !endpt.is_null() {
            // SAFETY: the caller gives back a pool of this endpoint.
            shared(endpt).release_pool(pool);
        }
    })
}

/// The endpoint's name, as given to `pjsip_endpt_create`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_name(endpt: *mut pjsip_endpoint) -> *const pj_str_t {
    guard(core::ptr::null(), || {
        if endpt.is_null() {
            return core::ptr::null();
        }
        let s = shared(endpt);
        let name = super::pjlib::pool_strdup(s.pool, s.name.as_bytes());
        let out = super::pjlib::pj_pool_alloc(s.pool, core::mem::size_of::<pj_str_t>()) as *mut pj_str_t;
        if out.is_null() {
            return core::ptr::null();
        }
        out.write(name);
        out as *const pj_str_t
    })
}

/// The list of headers every new request starts with (Max-Forwards);
/// headers the application appends go into every REGISTER too.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_get_request_headers(endpt: *mut pjsip_endpoint) -> *const pjsip_hdr {
    guard(core::ptr::null(), || {
        if endpt.is_null() {
            return core::ptr::null();
        }
        shared(endpt).req_hdrs
    })
}

/// pjsip_hdr_e of the headers pjsip calls by name (PJSIP_H_OTHER).
const H_OTHER: c_int = 44;

unsafe fn find_capability(s: &EndptShared, htype: c_int, hname: *const pj_str_t) -> Option<*mut pjsip_generic_array_hdr> {
    let name = if htype == H_OTHER { pj_string_ptr(hname)? } else { String::new() };
    s.caps
        .lock()
        .iter()
        .find(|(t, n, _)| *t == htype && n.eq_ignore_ascii_case(&name))
        .map(|(_, _, h)| *h)
}

/// Adds tags to a capability header, creating it on first use. Allow
/// feeds the REGISTER's Allow header.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_add_capability(
    endpt: *mut pjsip_endpoint,
    _module: *mut pjsip_module,
    htype: c_int,
    hname: *const pj_str_t,
    count: c_uint,
    tags: *const pj_str_t,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        if count == 0 || tags.is_null() || (htype == H_OTHER && hname.is_null()) {
            return Err(PJ_EINVAL);
        }
        let mut values = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            values.push(pj_string(&*tags.add(i)).ok_or(PJ_EINVAL)?);
        }
        let s = shared(endpt);
        let hdr = match find_capability(s, htype, hname) {
            Some(h) => h,
            None => {
                let kind = match htype {
                    0 => crate::sip::HdrKind::Accept,
                    4 => crate::sip::HdrKind::Allow,
                    31 => crate::sip::HdrKind::Require,
                    36 => crate::sip::HdrKind::Supported,
                    39 => crate::sip::HdrKind::Unsupported,
                    _ => return Err(PJ_EINVAL),
                };
                let h = super::cobj::array_hdr_to_c(s.pool, kind, &[] as &[&str]);
                if h.is_null() {
                    return Err(PJ_ENOMEM);
                }
                s.caps.lock().push((htype, String::new(), h));
                h
            }
        };
        let hdr = &mut *hdr;
        for v in &values {
            let n = hdr.count as usize;
            if n >= hdr.values.len() {
                return Err(PJ_ETOOMANY);
            }
            hdr.values[n] = super::pjlib::pool_strdup(s.pool, v.as_bytes());
            hdr.count += 1;
        }
        if htype == 4 {
            s.ep.add_allow(&values);
        }
        Ok(())
    })
}

/// The capability header of that type (name for PJSIP_H_OTHER), or NULL.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_get_capability(
    endpt: *mut pjsip_endpoint,
    htype: c_int,
    hname: *const pj_str_t,
) -> *const pjsip_hdr {
    guard(core::ptr::null(), || {
        if endpt.is_null() {
            return core::ptr::null();
        }
        find_capability(shared(endpt), htype, hname).map_or(core::ptr::null(), |h| h as *const pjsip_hdr)
    })
}

/// Whether the capability header holds `token` (case-insensitive).
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_has_capability(
    endpt: *mut pjsip_endpoint,
    htype: c_int,
    hname: *const pj_str_t,
    token: *const pj_str_t,
) -> pj_bool_t {
    guard(0, || {
        if endpt.is_null() || token.is_null() {
            return 0;
        }
        let Some(h) = find_capability(shared(endpt), htype, hname) else { return 0 };
        let Some(token) = pj_string(&*token) else { return 0 };
        let hdr = &*h;
        let n = (hdr.count as usize).min(hdr.values.len());
        c_int::from(hdr.values[..n].iter().any(|v| pj_string(v).is_some_and(|v| v.eq_ignore_ascii_case(&token))))
    })
}

// ---- transports ----

fn sockaddr_v4(a: &pj_sockaddr_in) -> SocketAddr {
    let ip = Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr));
    SocketAddr::V4(SocketAddrV4::new(ip, u16::from_be(a.sin_port)))
}

fn sockaddr_v6(a: &pj_sockaddr_in6) -> SocketAddr {
    let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
    SocketAddr::V6(SocketAddrV6::new(ip, u16::from_be(a.sin6_port), a.sin6_flowinfo, a.sin6_scope_id))
}

/// A pj_sockaddr by its family; a zero family gives the wildcard of `af`.
unsafe fn sockaddr_any(a: &pj_sockaddr, af: c_int) -> Result<SocketAddr, Status> {
    match c_int::from(a.addr.sa_family) {
        libc::AF_INET => Ok(sockaddr_v4(&a.ipv4)),
        libc::AF_INET6 => Ok(sockaddr_v6(&a.ipv6)),
        0 if af == libc::AF_INET6 => Ok(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))),
        0 if af == libc::AF_INET || af == 0 => Ok(SocketAddr::from(([0, 0, 0, 0], 0))),
        _ => Err(PJ_EAFNOTSUP),
    }
}

/// A Rust socket address as a `pj_sockaddr`.
pub fn to_pj_sockaddr(a: SocketAddr) -> pj_sockaddr {
    match a {
        SocketAddr::V4(v4) => pj_sockaddr {
            ipv4: pj_sockaddr_in {
                sin_family: libc::AF_INET as u16,
                sin_port: v4.port().to_be(),
                sin_addr: pj_in_addr { s_addr: u32::from(*v4.ip()).to_be() },
                sin_zero_pad: [0; 8],
            },
        },
        SocketAddr::V6(v6) => pj_sockaddr {
            ipv6: pj_sockaddr_in6 {
                sin6_family: libc::AF_INET6 as u16,
                sin6_port: v6.port().to_be(),
                sin6_flowinfo: v6.flowinfo(),
                sin6_addr: pj_in6_addr { s6_addr: v6.ip().octets() },
                sin6_scope_id: v6.scope_id(),
            },
        },
    }
}

fn cstr_box(s: &str) -> Box<[u8]> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v.into_boxed_slice()
}

/// An `obj_name` as text, for a log sender.
fn obj_name(name: &[c_char]) -> String {
    let bytes: Vec<u8> = name.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn set_obj_name(dst: &mut [c_char; 32], name: &str) {
    for (i, b) in name.bytes().take(31).enumerate() {
        dst[i] = b as c_char;
    }
}

/// pjsip_transport_type_e of a kind and family.
fn type_code(kind: Kind, v6: bool) -> c_uint {
    let base = match kind {
        Kind::Udp => 1,
        Kind::Tcp => 2,
        Kind::Tls => 3,
    };
    base + if v6 { 128 } else { 0 }
}

fn type_name(kind: Kind, v6: bool) -> String {
    format!("{}{}", kind.name(), if v6 { "6" } else { "" })
}

/// pjsip_transport_flags_e of a kind.
fn flags(kind: Kind) -> c_uint {
    match kind {
        Kind::Udp => 4,
        Kind::Tcp => 1,
        Kind::Tls => 3,
    }
}

fn host_port(s: &[u8], port: u16) -> pjsip_host_port {
    pjsip_host_port {
        host: pj_str_t { ptr: s.as_ptr() as *mut c_char, slen: (s.len() - 1) as pj_ssize_t },
        port: c_int::from(port),
    }
}

/// The C struct of a UDP transport or an outgoing connection.
fn new_ctransport(
    id: TransportId,
    info: &TransportInfo,
    endpt: *mut pjsip_endpoint,
    factory: *mut pjsip_tpfactory,
    refs: i32,
    ep: Weak<Endpoint>,
) -> Box<CTransport> {
    let v6 = info.local.is_ipv6();
    let name = type_name(info.kind, v6);
    let obj = transport_name(info.kind, info.remote.is_some(), false, id, 0, info.local.is_ipv6());
    let desc = match info.remote {
        Some(r) => format!("{} to {}", name, r),
        None => format!("{} {}", name, info.local),
    };
    let remote_host = info.remote.map(|r| r.ip().to_string()).unwrap_or_default();
    let strings = vec![cstr_box(&name), cstr_box(&desc), cstr_box(&info.published.0), cstr_box(&remote_host)];
    // SAFETY: pjsip_transport is plain data for which all-zero is valid.
    let mut tp: pjsip_transport = unsafe { core::mem::zeroed() };
    set_obj_name(&mut tp.obj_name, &obj);
    tp.key.r#type = type_code(info.kind, v6) as core::ffi::c_long;
    if let Some(r) = info.remote {
        tp.key.rem_addr = to_pj_sockaddr(r);
    }
    tp.type_name = strings[0].as_ptr() as *mut c_char;
    tp.flag = flags(info.kind);
    tp.info = strings[1].as_ptr() as *mut c_char;
    tp.addr_len = if v6 { 28 } else { 16 };
    tp.local_addr = to_pj_sockaddr(info.local);
    tp.has_addr_name = c_int::from(info.has_addr_name);
    tp.local_name = host_port(&strings[2], info.published.1);
    if let Some(r) = info.remote {
        tp.remote_name = host_port(&strings[3], r.port());
        tp.dir = PJSIP_TP_DIR_OUTGOING;
    }
    tp.endpt = endpt;
    tp.factory = factory;
    let mut boxed = Box::new(CTransport { tp, refs: AtomicI32::new(refs), id, ep, _strings: strings });
    boxed.tp.ref_cnt = (&boxed.refs as *const AtomicI32) as *mut pj_atomic_t;
    boxed.tp.data = core::ptr::null_mut::<c_void>();
    boxed
}

/// The published name from an `a_name` argument: None when absent or
/// empty. As pjsip 2.17, an IP address there must be a usable one; a host
/// name is taken as is.
unsafe fn published_name(a_name: *const pjsip_host_port) -> Result<Option<(String, u16)>, Status> {
    if a_name.is_null() {
        return Ok(None);
    }
    let host = pj_string(&(*a_name).host).ok_or(PJ_EINVAL)?;
    if host.is_empty() {
        return Ok(None);
    }
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        if ip.is_unspecified() || ip == IpAddr::V4(Ipv4Addr::BROADCAST) {
            return Err(PJ_EINVAL);
        }
    }
    Ok(Some((host, u16::try_from((*a_name).port).map_err(|_| PJ_EINVAL)?)))
}

unsafe fn start_udp(
    endpt: *mut pjsip_endpoint,
    bind: SocketAddr,
    a_name: *const pjsip_host_port,
    p_transport: *mut *mut pjsip_transport,
) -> Result<(), Status> {
    nonnull!(endpt)?;
    let s = shared(endpt);
    let published = if a_name.is_null() {
        None
    } else {
        let host = pj_string(&(*a_name).host).ok_or(PJ_EINVAL)?;
        if host.is_empty() {
            None
        } else {
            Some((host, u16::try_from((*a_name).port).map_err(|_| PJ_EINVAL)?))
        }
    };
    // An empty name publishes the bound address, as no name does.
    let has_addr_name = published.is_some();
    let udp = UdpTransport::bind(bind, published).map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EINVAL)))?;
    let id = s.ep.add_transport(udp);
    let mut info = s.ep.transport_info(id).ok_or(PJ_EBUG)?;
    info.has_addr_name = has_addr_name;
    let raw = Box::into_raw(new_ctransport(id, &info, endpt, core::ptr::null_mut(), 1, Arc::downgrade(&s.ep)));
    s.transports.lock().insert(id, raw);
    if log_enabled(4) {
        let (h, p) = &info.published;
        let desc = crate::endpoint::log::type_desc(crate::endpoint::Kind::Udp, info.local.is_ipv6());
        log(4, &obj_name(&(*raw).tp.obj_name), &format!("SIP {desc} started, published address is {h}:{p}"));
    }
    if !p_transport.is_null() {
        *p_transport = raw as *mut pjsip_transport;
    }
    Ok(())
}

/// Starts a UDP transport bound to `local` (any address and port when
/// NULL), announcing `a_name` when given; `async_cnt` is ignored.
#[no_mangle]
pub unsafe extern "C" fn pjsip_udp_transport_start(
    endpt: *mut pjsip_endpoint,
    local: *const pj_sockaddr_in,
    a_name: *const pjsip_host_port,
    _async_cnt: c_uint,
    p_transport: *mut *mut pjsip_transport,
) -> pj_status_t {
    guard_status(|| {
        let bind = if local.is_null() { SocketAddr::from(([0, 0, 0, 0], 0)) } else { sockaddr_v4(&*local) };
        start_udp(endpt, bind, a_name, p_transport)
    })
}

/// `pjsip_udp_transport_start` over IPv6.
#[no_mangle]
pub unsafe extern "C" fn pjsip_udp_transport_start6(
    endpt: *mut pjsip_endpoint,
    local: *const pj_sockaddr_in6,
    a_name: *const pjsip_host_port,
    _async_cnt: c_uint,
    p_transport: *mut *mut pjsip_transport,
) -> pj_status_t {
    guard_status(|| {
        let bind = if local.is_null() { SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)) } else { sockaddr_v6(&*local) };
        start_udp(endpt, bind, a_name, p_transport)
    })
}

/// Defaults for `pjsip_udp_transport_start2`: the wildcard address of `af`
/// (left unset for another family, as pjproject's release build does),
/// port 0, one read operation.
#[no_mangle]
pub unsafe extern "C" fn pjsip_udp_transport_cfg_default(cfg: *mut pjsip_udp_transport_cfg, af: c_int) {
    guard((), || {
        if cfg.is_null() {
            return;
        }
        core::ptr::write_bytes(cfg, 0, 1);
        (*cfg).af = af;
        if af == libc::AF_INET || af == libc::AF_INET6 {
            (*cfg).bind_addr.addr.sa_family = af as u16;
        }
        (*cfg).async_cnt = 1;
    })
}

/// Starts a UDP transport from a configuration. As in pjproject the
/// family comes from `bind_addr` (IPv4 when it says AF_INET, IPv6
/// otherwise; `af` is not read), and an empty `addr_name` publishes the
/// bound address.
#[no_mangle]
pub unsafe extern "C" fn pjsip_udp_transport_start2(
    endpt: *mut pjsip_endpoint,
    cfg: *const pjsip_udp_transport_cfg,
    p_transport: *mut *mut pjsip_transport,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt, cfg)?;
        let cfg = &*cfg;
        if cfg.async_cnt == 0 {
            return Err(PJ_EINVAL);
        }
        let bind = match c_int::from(cfg.bind_addr.addr.sa_family) {
            libc::AF_INET => sockaddr_v4(&cfg.bind_addr.ipv4),
            libc::AF_INET6 => sockaddr_v6(&cfg.bind_addr.ipv6),
            // pjproject binds an IPv6 socket to it, which the kernel refuses.
            _ => return Err(from_os(libc::EAFNOSUPPORT)),
        };
        start_udp(endpt, bind, &cfg.addr_name, p_transport)
    })
}

/// Binds a TCP or TLS listener and hands out its `pjsip_tpfactory`.
unsafe fn start_stream(
    endpt: *mut pjsip_endpoint,
    kind: Kind,
    bind: SocketAddr,
    a_name: *const pjsip_host_port,
    reuse_addr: bool,
    tls: Option<TlsSettings>,
    p_factory: *mut *mut pjsip_tpfactory,
) -> Result<(), Status> {
    nonnull!(endpt)?;
    let s = shared(endpt);
    let published = published_name(a_name)?;
    let tls = match tls {
        Some(settings) => Some(client_config(&settings)?),
        None => None,
    };
    let sock = StreamListener::bind(bind, reuse_addr).map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EINVAL)))?;
    let id = s.ep.add_listener(kind, sock, published, tls);
    let info = s.ep.transport_info(id).ok_or(PJ_EBUG)?;
    let v6 = info.local.is_ipv6();
    let name = type_name(kind, v6);
    let strings = vec![cstr_box(&name), cstr_box(&format!("{} listener {}", name, info.local)), cstr_box(&info.published.0)];
    // SAFETY: pjsip_tpfactory is plain data for which all-zero is valid.
    let mut fac: pjsip_tpfactory = core::mem::zeroed();
    set_obj_name(&mut fac.obj_name, &transport_name(kind, false, true, id, info.published.1, false));
    if log_enabled(4) {
        let (h, p) = &info.published;
        let line = format!("SIP {} listener ready for incoming connections at {h}:{p}", kind.name());
        log(4, &transport_name(kind, false, true, id, info.published.1, false), &line);
    }
    fac.r#type = type_code(kind, v6);
    fac.type_name = strings[0].as_ptr() as *mut c_char;
    fac.flag = flags(kind);
    fac.info = strings[1].as_ptr() as *mut c_char;
    fac.local_addr = to_pj_sockaddr(info.local);
    fac.has_addr_name = c_int::from(info.has_addr_name);
    fac.addr_name = host_port(&strings[2], info.published.1);
    let raw = Box::into_raw(Box::new(CFactory { fac, id, _strings: strings }));
    s.factories.lock().insert(id, raw);
    if !p_factory.is_null() {
        *p_factory = raw as *mut pjsip_tpfactory;
    }
    Ok(())
}

/// Starts a TCP listener on `local` (NULL: any address, any port).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tcp_transport_start(
    endpt: *mut pjsip_endpoint,
    local: *const pj_sockaddr_in,
    async_cnt: c_uint,
    p_factory: *mut *mut pjsip_tpfactory,
) -> pj_status_t {
    pjsip_tcp_transport_start2(endpt, local, core::ptr::null(), async_cnt, p_factory)
}

/// Starts a TCP listener publishing `a_name` (NULL: the bound address).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tcp_transport_start2(
    endpt: *mut pjsip_endpoint,
    local: *const pj_sockaddr_in,
    a_name: *const pjsip_host_port,
    async_cnt: c_uint,
    p_factory: *mut *mut pjsip_tpfactory,
) -> pj_status_t {
    guard_status(|| {
        if async_cnt == 0 {
            return Err(PJ_EINVAL);
        }
        let bind = if local.is_null() { SocketAddr::from(([0, 0, 0, 0], 0)) } else { sockaddr_v4(&*local) };
        start_stream(endpt, Kind::Tcp, bind, a_name, true, None, p_factory)
    })
}

/// Starts a TCP listener from a configuration (IPv4 or IPv6 by `af`).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tcp_transport_start3(
    endpt: *mut pjsip_endpoint,
    cfg: *const pjsip_tcp_transport_cfg,
    p_factory: *mut *mut pjsip_tpfactory,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(cfg)?;
        let cfg = &*cfg;
        if cfg.async_cnt == 0 {
            return Err(PJ_EINVAL);
        }
        let bind = sockaddr_any(&cfg.bind_addr, cfg.af)?;
        start_stream(endpt, Kind::Tcp, bind, &cfg.addr_name, cfg.reuse_addr != 0, None, p_factory)
    })
}

/// Defaults for `pjsip_tcp_transport_start3`: any address of `af`, port 0,
/// one accept operation, address reuse on.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tcp_transport_cfg_default(cfg: *mut pjsip_tcp_transport_cfg, af: c_int) {
    guard((), || {
        if cfg.is_null() {
            return;
        }
        core::ptr::write_bytes(cfg, 0, 1);
        (*cfg).af = af;
        (*cfg).bind_addr.addr.sa_family = af as u16;
        (*cfg).async_cnt = 1;
        (*cfg).reuse_addr = 1;
    })
}

/// `pjsip_transport_dir` of a connection this side opened.
const PJSIP_TP_DIR_OUTGOING: pjsip_transport_dir = 1;

/// The entries of a C array of IANA numbers (cipher suites, groups) that
/// fit in 16 bits; NULL or empty: none.
unsafe fn iana_list<T: Copy + TryInto<u16>>(items: *const T, count: c_uint) -> Vec<u16> {
    if items.is_null() || count == 0 {
        return Vec::new();
    }
    // SAFETY: the caller's array of `count` entries, as pjsip reads it.
    std::slice::from_raw_parts(items, count as usize).iter().filter_map(|v| (*v).try_into().ok()).collect()
}

/// Wraps the application's `on_verify_cb`. It gets the two addresses and
/// the direction; certificate details are NULL (`pj_ssl_cert_info` is
/// opaque here). It runs inside the event loop: it must not call back
/// into this endpoint.
fn verify_hook(cb: unsafe extern "C" fn(*const pjsip_tls_on_verify_param) -> pj_bool_t) -> VerifyHook {
    VerifyHook(Arc::new(move |info: &VerifyInfo| {
        let local = to_pj_sockaddr(info.local);
        let remote = to_pj_sockaddr(info.remote);
        let param = pjsip_tls_on_verify_param {
            local_addr: &local as *const pj_sockaddr as *const c_void,
            remote_addr: &remote as *const pj_sockaddr as *const c_void,
            server_addr: core::ptr::null(),
            tp_dir: PJSIP_TP_DIR_OUTGOING,
            local_cert_info: core::ptr::null_mut(),
            remote_cert_info: core::ptr::null_mut(),
            ssock: core::ptr::null_mut(),
        };
        // SAFETY: the application's callback, given a parameter that
        // outlives the call.
        unsafe { cb(&param) != 0 }
    }))
}

/// `pjsip_tls_setting` as plain settings; NULL gives pjsip's defaults.
unsafe fn tls_settings(opt: *const pjsip_tls_setting) -> Result<TlsSettings, Status> {
    let mut s = TlsSettings { proto: 4 | 8 | 16, ..Default::default() };
    if opt.is_null() {
        return Ok(s);
    }
    let o = &*opt;
    let text = |p: &pj_str_t| -> Result<Option<String>, Status> {
        let v = pj_string(p).ok_or(PJ_EINVAL)?;
        Ok((!v.is_empty()).then_some(v))
    };
    let bytes = |p: &pj_str_t| -> Result<Option<Vec<u8>>, Status> {
        let v = pj_bytes(p).ok_or(PJ_EINVAL)?;
        Ok((!v.is_empty()).then(|| v.to_vec()))
    };
    s.ca = Vec::new();
    if let Some(f) = text(&o.ca_list_file)? {
        s.ca.push(Pem::File(f));
    }
    if let Some(b) = bytes(&o.ca_buf)? {
        s.ca.push(Pem::Buffer(b));
    }
    s.ca_dir = text(&o.ca_list_path)?;
    s.cert = match (text(&o.cert_file)?, bytes(&o.cert_buf)?) {
        (Some(f), _) => Pem::File(f),
        (None, Some(b)) => Pem::Buffer(b),
        _ => Pem::None,
    };
    s.key = match (text(&o.privkey_file)?, bytes(&o.privkey_buf)?) {
        (Some(f), _) => Pem::File(f),
        (None, Some(b)) => Pem::Buffer(b),
        _ => Pem::None,
    };
    let password = pj_bytes(&o.password).ok_or(PJ_EINVAL)?;
    s.password = (!password.is_empty()).then(|| Password::new(password));
    s.method = o.method;
    s.proto = o.proto;
    s.verify_server = o.verify_server != 0;
    let ms = o.timeout.sec.saturating_mul(1000).saturating_add(o.timeout.msec);
    s.timeout_ms = ms.max(0) as u64;
    s.ciphers = iana_list(o.ciphers, o.ciphers_num);
    s.curves = iana_list(o.curves, o.curves_num);
    s.on_verify = o.on_verify_cb.map(verify_hook);
    Ok(s)
}

/// Starts a TLS listener on an IPv4 address (NULL: any, port 0).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tls_transport_start(
    endpt: *mut pjsip_endpoint,
    opt: *const pjsip_tls_setting,
    local: *const pj_sockaddr_in,
    a_name: *const pjsip_host_port,
    async_cnt: c_uint,
    p_factory: *mut *mut pjsip_tpfactory,
) -> pj_status_t {
    guard_status(|| {
        if async_cnt == 0 {
            return Err(PJ_EINVAL);
        }
        let bind = if local.is_null() { SocketAddr::from(([0, 0, 0, 0], 0)) } else { sockaddr_v4(&*local) };
        let reuse = opt.is_null() || (*opt).reuse_addr != 0;
        start_stream(endpt, Kind::Tls, bind, a_name, reuse, Some(tls_settings(opt)?), p_factory)
    })
}

/// Starts a TLS listener on an IPv4 or IPv6 address.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tls_transport_start2(
    endpt: *mut pjsip_endpoint,
    opt: *const pjsip_tls_setting,
    local: *const pj_sockaddr,
    a_name: *const pjsip_host_port,
    async_cnt: c_uint,
    p_factory: *mut *mut pjsip_tpfactory,
) -> pj_status_t {
    guard_status(|| {
        if async_cnt == 0 {
            return Err(PJ_EINVAL);
        }
        let bind = if local.is_null() { SocketAddr::from(([0, 0, 0, 0], 0)) } else { sockaddr_any(&*local, 0)? };
        let reuse = opt.is_null() || (*opt).reuse_addr != 0;
        start_stream(endpt, Kind::Tls, bind, a_name, reuse, Some(tls_settings(opt)?), p_factory)
    })
}

unsafe fn ctransport_add_ref(t: *mut CTransport) {
    (*t).refs.fetch_add(1, Ordering::AcqRel);
    if let Some(ep) = (*t).ep.upgrade() {
        ep.hold((*t).id);
    }
}

unsafe fn ctransport_dec_ref(t: *mut CTransport) {
    let was = (*t).refs.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| (v > 0).then(|| v - 1));
    if was.is_ok() {
        if let Some(ep) = (*t).ep.upgrade() {
            ep.release((*t).id);
        }
    }
}

/// +1 on the transport's count. A connection stays open while counted.
#[no_mangle]
pub unsafe extern "C" fn pjsip_transport_add_ref(tp: *mut pjsip_transport) -> pj_status_t {
    guard_status(|| {
        nonnull!(tp)?;
        ctransport_add_ref(tp as *mut CTransport);
        Ok(())
    })
}

/// -1 on the transport's count. A connection nobody counts closes after
/// the idle time (at once if it already failed); UDP transports live as
/// long as their endpoint.
#[no_mangle]
pub unsafe extern "C" fn pjsip_transport_dec_ref(tp: *mut pjsip_transport) -> pj_status_t {
    guard_status(|| {
        nonnull!(tp)?;
        ctransport_dec_ref(tp as *mut CTransport);
        Ok(())
    })
}

/// Takes a reference on the transport or listener `sel` names.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tpselector_add_ref(sel: *mut pjsip_tpselector) {
    guard((), || {
        if !sel.is_null() && (*sel).r#type == 1 && !(*sel).u.transport.is_null() {
            pjsip_transport_add_ref((*sel).u.transport);
        }
    })
}

/// Gives back the reference `pjsip_tpselector_add_ref` took.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tpselector_dec_ref(sel: *mut pjsip_tpselector) {
    guard((), || {
        if !sel.is_null() && (*sel).r#type == 1 && !(*sel).u.transport.is_null() {
            pjsip_transport_dec_ref((*sel).u.transport);
        }
    })
}
