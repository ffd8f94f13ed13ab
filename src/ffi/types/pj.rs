//! pjlib types with pjproject 2.17's x86_64 layout.

use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

pub type pj_status_t = c_int;
pub type pj_bool_t = c_int;
pub type pj_size_t = usize;
pub type pj_ssize_t = c_long;
pub type pj_atomic_value_t = c_long;
pub type pj_uint32_t = c_uint;
pub type pj_int32_t = c_int;
pub type pj_uint16_t = u16;
pub type pj_uint8_t = u8;
pub type pj_qos_type = c_uint;
pub type pj_qos_wmm_prio = c_uint;

/// Opaque pjlib objects reached only through pointers.
pub struct pj_lock_t {
    _opaque: [u8; 0],
}
pub struct pj_grp_lock_t {
    _opaque: [u8; 0],
}
pub struct pj_atomic_t {
    _opaque: [u8; 0],
}
pub struct pj_thread_t {
    _opaque: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pj_str_t {
    pub ptr: *mut c_char,
    pub slen: pj_ssize_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_time_val {
    pub sec: c_long,
    pub msec: c_long,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_in_addr {
    pub s_addr: pj_uint32_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_in6_addr {
    pub s6_addr: [u8; 16],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_addr_hdr {
    pub sa_family: pj_uint16_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_sockaddr_in {
    pub sin_family: pj_uint16_t,
    pub sin_port: pj_uint16_t,
    pub sin_addr: pj_in_addr,
    pub sin_zero_pad: [c_char; 8],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_sockaddr_in6 {
    pub sin6_family: pj_uint16_t,
    pub sin6_port: pj_uint16_t,
    pub sin6_flowinfo: pj_uint32_t,
    pub sin6_addr: pj_in6_addr,
    pub sin6_scope_id: pj_uint32_t,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union pj_sockaddr {
    pub addr: pj_addr_hdr,
    pub ipv4: pj_sockaddr_in,
    pub ipv6: pj_sockaddr_in6,
}

/// List node header; every pjlib list element starts with these two links.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pj_list {
    pub prev: *mut c_void,
    pub next: *mut c_void,
}

#[repr(C)]
pub struct pj_pool_block {
    pub prev: *mut pj_pool_block,
    pub next: *mut pj_pool_block,
    pub buf: *mut u8,
    pub cur: *mut u8,
    pub end: *mut u8,
}

pub type pj_pool_callback_fn = Option<unsafe extern "C" fn(pool: *mut pj_pool_t, size: pj_size_t)>;

#[repr(C)]
pub struct pj_pool_t {
    pub prev: *mut pj_pool_t,
    pub next: *mut pj_pool_t,
    pub obj_name: [c_char; 32],
    pub factory: *mut pj_pool_factory,
    pub factory_data: *mut c_void,
    pub capacity: pj_size_t,
    pub increment_size: pj_size_t,
    pub block_list: pj_pool_block,
    pub callback: pj_pool_callback_fn,
    pub alignment: pj_size_t,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pj_pool_factory_policy {
    pub block_alloc:
        Option<unsafe extern "C" fn(factory: *mut pj_pool_factory, size: pj_size_t) -> *mut c_void>,
    pub block_free: Option<
        unsafe extern "C" fn(factory: *mut pj_pool_factory, mem: *mut c_void, size: pj_size_t),
    >,
    pub callback: pj_pool_callback_fn,
    pub flags: c_uint,
}

#[repr(C)]
pub struct pj_pool_factory {
    pub policy: pj_pool_factory_policy,
    pub create_pool: Option<
        unsafe extern "C" fn(
            factory: *mut pj_pool_factory,
            name: *const c_char,
            initial_size: pj_size_t,
            increment_size: pj_size_t,
            alignment: pj_size_t,
            callback: pj_pool_callback_fn,
        ) -> *mut pj_pool_t,
    >,
    pub release_pool: Option<unsafe extern "C" fn(factory: *mut pj_pool_factory, pool: *mut pj_pool_t)>,
    pub dump_status: Option<unsafe extern "C" fn(factory: *mut pj_pool_factory, detail: pj_bool_t)>,
    pub on_block_alloc:
        Option<unsafe extern "C" fn(factory: *mut pj_pool_factory, size: pj_size_t) -> pj_bool_t>,
    pub on_block_free: Option<unsafe extern "C" fn(factory: *mut pj_pool_factory, size: pj_size_t)>,
}

#[repr(C)]
pub struct pj_caching_pool {
    pub factory: pj_pool_factory,
    pub capacity: pj_size_t,
    pub max_capacity: pj_size_t,
    pub used_count: pj_size_t,
    pub used_size: pj_size_t,
    pub peak_used_size: pj_size_t,
    pub free_list: [pj_list; 16],
    pub used_list: pj_list,
    pub pool_buf: [c_char; 512],
    pub lock: *mut pj_lock_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_qos_params {
    pub flags: pj_uint8_t,
    pub dscp_val: pj_uint8_t,
    pub so_prio: pj_uint8_t,
    pub wmm_prio: pj_qos_wmm_prio,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pj_sockopt_param {
    pub level: c_int,
    pub optname: c_int,
    pub optval: *mut c_void,
    pub optlen: c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pj_sockopt_params {
    pub cnt: c_uint,
    pub options: [pj_sockopt_param; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_timestamp_u32 {
    pub lo: pj_uint32_t,
    pub hi: pj_uint32_t,
}

/// A 64-bit high-resolution timestamp, also readable as two halves.
#[repr(C)]
#[derive(Clone, Copy)]
pub union pj_timestamp {
    pub u32: pj_timestamp_u32,
    pub u64: u64,
}

/// Opaque: the timer heap a timer callback is called from.
pub struct pj_timer_heap_t {
    _opaque: [u8; 0],
}

/// pjlib's timer entry (`pjsip_endpt_schedule_timer`); also embedded in
/// some pjsip structs. `_timer_id` is positive while it is scheduled.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pj_timer_entry {
    pub user_data: *mut c_void,
    pub id: c_int,
    pub cb: Option<unsafe extern "C" fn(timer_heap: *mut pj_timer_heap_t, entry: *mut pj_timer_entry)>,
    pub _timer_id: c_int,
}

/// Opaque: a DNS resolver (`pjsip_endpt_create_resolver`).
pub struct pj_dns_resolver {
    _opaque: [u8; 0],
}

/// pjlib-util's resolver settings (`pj_dns_resolver_set_settings`).
/// Only the retransmission fields take effect: there is no cache and one
/// nameserver list.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct pj_dns_settings {
    /// Option flags (PJ_DNS_NO_RETRANSMIT and others): kept, unused.
    pub options: c_uint,
    /// Delay between transmissions of a query, in ms.
    pub qretr_delay: c_uint,
    /// Transmissions of a query (the first included) before it times out.
    pub qretr_count: c_uint,
    /// Longest time a response is cached, in s: kept, unused (no cache).
    pub cache_max_ttl: c_uint,
    /// How long a good nameserver stays good, in s: kept, unused.
    pub good_ns_ttl: c_uint,
    /// How long a bad nameserver stays bad, in s: kept, unused.
    pub bad_ns_ttl: c_uint,
}
