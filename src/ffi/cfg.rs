//! `pjsip_sip_cfg_var`, the global behind pjproject's inline `pjsip_cfg()`,
//! read where pjsip reads it so that C code changing it takes effect.

use super::guard::guard;
use super::types::*;
use crate::tsx::Timers;
use core::ffi::c_uint;
use core::ptr::{addr_of, addr_of_mut};

/// pjsip's runtime configuration with its default values.
#[no_mangle]
pub static mut pjsip_sip_cfg_var: pjsip_cfg_t = pjsip_cfg_t {
    endpt: pjsip_cfg_endpt {
        allow_port_in_fromto_hdr: 0,
        accept_replace_in_early_state: 0,
        allow_tx_hash_in_uri: 0,
        disable_rport: 0,
        disable_tcp_switch: 0,
        disable_tls_switch: 0,
        follow_early_media_fork: 1,
        req_has_via_alias: 1,
        resolve_hostname_to_get_interface: 0,
        disable_secure_dlg_check: 0,
        use_compact_form: 0,
        accept_multiple_sdp_answers: 1,
        keep_inv_after_tsx_timeout: 0,
    },
    tsx: pjsip_cfg_tsx { max_count: 1023, t1: 500, t2: 4000, t4: 5000, td: 32000 },
    regc: pjsip_cfg_regc { check_contact: 1, add_xuid_param: 0 },
    tcp: pjsip_cfg_keep_alive { keep_alive_interval: 90 },
    tls: pjsip_cfg_keep_alive { keep_alive_interval: 90 },
};

/// T1 (first retransmission only), Timer K (T4) and Timer F (TD) as pjsip
/// caches them: copied from
/// `pjsip_cfg()->tsx` when the transaction layer is initialised and by
/// `pjsip_tsx_set_timers`, so a later direct write to the config does not
/// change them (T1 and T2, by contrast, are read at every retransmission).
static CACHED_T1_T4_TD: parking_lot::Mutex<(u64, u64, u64)> = parking_lot::Mutex::new((500, 5000, 32000));

fn read_cfg(field: *const core::ffi::c_uint) -> u64 {
    // SAFETY: a field of the static; volatile because C may write it
    // between calls.
    u64::from(unsafe { core::ptr::read_volatile(field) })
}

/// Snapshot T1, T4 and TD from the config (pjsip_tsx_layer_init_module).
pub fn cache_tsx_timers() {
    // SAFETY: addresses of fields of the static, read only.
    let cached = unsafe {
        let t = addr_of!(pjsip_sip_cfg_var.tsx);
        (read_cfg(addr_of!((*t).t1)), read_cfg(addr_of!((*t).t4)), read_cfg(addr_of!((*t).td)))
    };
    *CACHED_T1_T4_TD.lock() = cached;
}

/// The first retransmission interval: the cached T1.
pub fn first_retransmit_interval() -> u64 {
    CACHED_T1_T4_TD.lock().0
}

/// The transaction timers a new transaction uses.
pub fn tsx_timers() -> Timers {
    let (_, t4, td) = *CACHED_T1_T4_TD.lock();
    // SAFETY: addresses of fields of the static, read only.
    let (t1, t2) = unsafe {
        let t = addr_of!(pjsip_sip_cfg_var.tsx);
        (read_cfg(addr_of!((*t).t1)), read_cfg(addr_of!((*t).t2)))
    };
    Timers { t1, t2, t4, td }
}

/// `pjsip_cfg()->regc.check_contact`, read now.
pub fn check_contact() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.regc.check_contact)) != 0 }
}

/// `pjsip_cfg()->regc.add_xuid_param`, read now.
pub fn add_xuid_param() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.regc.add_xuid_param)) != 0 }
}

/// `pjsip_cfg()->endpt.disable_tcp_switch`, read now.
pub fn disable_tcp_switch() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.disable_tcp_switch)) != 0 }
}

/// `pjsip_cfg()->endpt.disable_rport`, read now.
pub fn disable_rport() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.disable_rport)) != 0 }
}

/// Sets the transaction timers in milliseconds; 0 leaves a value unchanged.
/// Unlike a direct write to `pjsip_cfg()->tsx`, this also changes Timer K
/// and Timer F of later transactions.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tsx_set_timers(t1: c_uint, t2: c_uint, t4: c_uint, td: c_uint) {
    guard((), || {
        let t = addr_of_mut!(pjsip_sip_cfg_var.tsx);
        for (field, value) in [
            (addr_of_mut!((*t).t1), t1),
            (addr_of_mut!((*t).t2), t2),
            (addr_of_mut!((*t).t4), t4),
            (addr_of_mut!((*t).td), td),
        ] {
            if value != 0 {
                core::ptr::write_volatile(field, value);
            }
        }
        cache_tsx_timers();
    })
}

/// `pjsip_cfg()->endpt.req_has_via_alias`, read now.
pub fn req_has_via_alias() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.req_has_via_alias)) != 0 }
}

/// `pjsip_cfg()->tcp.keep_alive_interval`, seconds.
pub fn tcp_keep_alive_interval() -> i64 {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.tcp.keep_alive_interval)) as i64 }
}

/// `pjsip_cfg()->tls.keep_alive_interval`, seconds.
pub fn tls_keep_alive_interval() -> i64 {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.tls.keep_alive_interval)) as i64 }
}
