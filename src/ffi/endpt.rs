//! pjsip_endpoint and the UDP transport objects as C sees them.

use super::guard::{guard, guard_status};
use super::types::*;
use super::util::*;
use crate::endpoint::{Endpoint, TransportId};
use crate::nonnull;
use crate::status::*;
use crate::transport::UdpTransport;
use core::ffi::{c_char, c_int, c_uint, c_void};
use parking_lot::Mutex;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A transport as C sees it: pjproject's struct first, so a
/// `pjsip_transport*` points at it, then our bookkeeping.
#[repr(C)]
pub struct CTransport {
    pub tp: pjsip_transport,
    pub refs: AtomicI32,
    pub id: TransportId,
    /// NUL-terminated strings the C struct points into.
    _strings: Vec<Box<[u8]>>,
}

/// What every regc of an endpoint shares with it.
pub struct EndptShared {
    pub ep: Arc<Endpoint>,
    pub factory: *mut pj_pool_factory,
    pub name: String,
    transports: Mutex<Vec<*mut CTransport>>,
    pool: *mut pj_pool_t,
    /// List head of the headers every new request gets (Max-Forwards, and
    /// whatever the application appends through
    /// pjsip_endpt_get_request_headers).
    req_hdrs: *mut pjsip_hdr,
    /// Capability headers (Allow, Accept, Supported, ...) by type and name.
    caps: Mutex<Vec<(c_int, String, *mut pjsip_generic_array_hdr)>>,
}

// SAFETY: the raw pointers are the caller's pool factory (pjsip requires it
// to be thread-safe, as the caching pool is) and our own boxed transports,
// only mutated under the mutex.
unsafe impl Send for EndptShared {}
unsafe impl Sync for EndptShared {}

impl EndptShared {
    pub fn transport_ptr(&self, id: TransportId) -> *mut pjsip_transport {
        self.transports.lock().get(id).map_or(core::ptr::null_mut(), |p| *p as *mut pjsip_transport)
    }

    /// The id of a transport handed out by this endpoint, if it is ours.
    pub fn transport_id(&self, tp: *const pjsip_transport) -> Option<TransportId> {
        self.transports.lock().iter().position(|p| *p as *const pjsip_transport == tp)
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

    pub fn release_pool(&self, pool: *mut pj_pool_t) {
        if !pool.is_null() {
            // SAFETY: a pool created by create_pool and not yet released.
            unsafe { super::pjlib::pj_pool_release(pool) }
        }
    }
}

/// `pjsip_endpoint*` is a leaked `Arc<EndptShared>`.
pub unsafe fn shared<'a>(endpt: *mut pjsip_endpoint) -> &'a Arc<EndptShared> {
    &*(endpt as *const Arc<EndptShared>)
}

#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_create(
    pf: *mut pj_pool_factory,
    name: *const c_char,
    endpt: *mut *mut pjsip_endpoint,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(pf, endpt)?;
        let name = c_string(name).unwrap_or_else(hostname);
        let mut s = EndptShared {
            ep: Endpoint::new().map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EMFILE)))?,
            factory: pf,
            name,
            transports: Mutex::new(Vec::new()),
            pool: core::ptr::null_mut(),
            req_hdrs: core::ptr::null_mut(),
            caps: Mutex::new(Vec::new()),
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
        let boxed = Box::new(Arc::new(s));
        *endpt = Box::into_raw(boxed) as *mut pjsip_endpoint;
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

#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_destroy(endpt: *mut pjsip_endpoint) {
    guard((), || {
        if endpt.is_null() {
            return;
        }
        let boxed = Box::from_raw(endpt as *mut Arc<EndptShared>);
        let transports: Vec<*mut CTransport> = std::mem::take(&mut *boxed.transports.lock());
        for t in transports {
            drop(Box::from_raw(t));
        }
        boxed.ep.shutdown();
        boxed.release_pool(boxed.pool);
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

#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_handle_events(endpt: *mut pjsip_endpoint, max_timeout: *const pj_time_val) -> pj_status_t {
    pjsip_endpt_handle_events2(endpt, max_timeout, core::ptr::null_mut())
}

#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_handle_events2(
    endpt: *mut pjsip_endpoint,
    max_timeout: *const pj_time_val,
    count: *mut c_uint,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        let ep = shared(endpt).ep.clone();
        let n = ep.handle_events(max_wait(max_timeout));
        if !count.is_null() {
            *count = n as c_uint;
        }
        Ok(())
    })
}

/// The transaction layer is always present; initialising it takes the
/// snapshot of Timer K and Timer F that pjsip takes at this point.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tsx_layer_init_module(endpt: *mut pjsip_endpoint) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        super::cfg::cache_tsx_timers();
        Ok(())
    })
}

/// The UA layer has nothing to do for registration; accepted for source
/// compatibility with programs that initialise it.
#[no_mangle]
pub unsafe extern "C" fn pjsip_ua_init_module(endpt: *mut pjsip_endpoint, _prm: *const pjsip_ua_init_param) -> pj_status_t {
    guard_status(|| nonnull!(endpt))
}

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

#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_release_pool(endpt: *mut pjsip_endpoint, pool: *mut pj_pool_t) {
    guard((), || {
        if !endpt.is_null() {
            shared(endpt).release_pool(pool);
        }
    })
}

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
    let udp = UdpTransport::bind(bind, published).map_err(|e| from_os(e.raw_os_error().unwrap_or(libc::EINVAL)))?;
    let local = udp.local_addr();
    let (host, port) = {
        let (h, p) = udp.published();
        (h.to_string(), p)
    };
    let id = s.ep.add_transport(udp);
    let v6 = local.is_ipv6();
    let mut strings = vec![
        cstr_box(if v6 { "UDP6" } else { "UDP" }),
        cstr_box(&format!("{} {}", if v6 { "UDP6" } else { "UDP" }, local)),
        cstr_box(&host),
    ];
    let mut tp: pjsip_transport = core::mem::zeroed();
    let obj_name = format!("udp{:x}", id);
    for (i, b) in obj_name.bytes().take(31).enumerate() {
        tp.obj_name[i] = b as c_char;
    }
    tp.key.r#type = if v6 { 129 } else { 1 };
    tp.type_name = strings[0].as_mut_ptr() as *mut c_char;
    tp.flag = 4; // PJSIP_TRANSPORT_DATAGRAM
    tp.info = strings[1].as_mut_ptr() as *mut c_char;
    tp.addr_len = if v6 { 28 } else { 16 };
    tp.local_addr = to_pj_sockaddr(local);
    tp.has_addr_name = c_int::from(!a_name.is_null());
    tp.local_name = pjsip_host_port {
        host: pj_str_t { ptr: strings[2].as_mut_ptr() as *mut c_char, slen: host.len() as pj_ssize_t },
        port: c_int::from(port),
    };
    tp.dir = 0;
    tp.endpt = endpt;
    let mut boxed = Box::new(CTransport { tp, refs: AtomicI32::new(1), id, _strings: core::mem::take(&mut strings) });
    boxed.tp.ref_cnt = (&boxed.refs as *const AtomicI32) as *mut pj_atomic_t;
    boxed.tp.data = core::ptr::null_mut::<c_void>();
    let raw = Box::into_raw(boxed);
    s.transports.lock().push(raw);
    if !p_transport.is_null() {
        *p_transport = raw as *mut pjsip_transport;
    }
    Ok(())
}

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

#[no_mangle]
pub unsafe extern "C" fn pjsip_transport_add_ref(tp: *mut pjsip_transport) -> pj_status_t {
    guard_status(|| {
        nonnull!(tp)?;
        (*(tp as *mut CTransport)).refs.fetch_add(1, Ordering::AcqRel);
        Ok(())
    })
}

/// Transports live as long as their endpoint; the count is kept for
/// callers that inspect it.
#[no_mangle]
pub unsafe extern "C" fn pjsip_transport_dec_ref(tp: *mut pjsip_transport) -> pj_status_t {
    guard_status(|| {
        nonnull!(tp)?;
        let refs = &(*(tp as *mut CTransport)).refs;
        let _ = refs.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| (v > 0).then(|| v - 1));
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn pjsip_tpselector_add_ref(sel: *mut pjsip_tpselector) {
    guard((), || {
        if !sel.is_null() && (*sel).r#type == 1 && !(*sel).u.transport.is_null() {
            pjsip_transport_add_ref((*sel).u.transport);
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn pjsip_tpselector_dec_ref(sel: *mut pjsip_tpselector) {
    guard((), || {
        if !sel.is_null() && (*sel).r#type == 1 && !(*sel).u.transport.is_null() {
            pjsip_transport_dec_ref((*sel).u.transport);
        }
    })
}
