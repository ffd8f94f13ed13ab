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

/// The transaction timers in force now.
pub fn tsx_timers() -> Timers {
    // SAFETY: plain reads of a static that C may write between calls; the
    // volatile reads keep the compiler from caching them.
    unsafe {
        let t = addr_of!(pjsip_sip_cfg_var.tsx);
        Timers {
            t1: u64::from(core::ptr::read_volatile(addr_of!((*t).t1))),
            t2: u64::from(core::ptr::read_volatile(addr_of!((*t).t2))),
            t4: u64::from(core::ptr::read_volatile(addr_of!((*t).t4))),
            td: u64::from(core::ptr::read_volatile(addr_of!((*t).td))),
        }
    }
}

pub fn check_contact() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.regc.check_contact)) != 0 }
}

pub fn add_xuid_param() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.regc.add_xuid_param)) != 0 }
}

pub fn disable_rport() -> bool {
    // SAFETY: as in tsx_timers.
    unsafe { core::ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.disable_rport)) != 0 }
}

/// Sets the transaction timers in milliseconds; 0 leaves a value unchanged.
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
    })
}

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
