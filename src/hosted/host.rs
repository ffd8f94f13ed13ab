//! The host's pjlib/pjsip functions, found at run time.
//!
//! The shared build never links against pjproject: a preloaded library is
//! loaded before the host, and a Python wheel loads pjsip without
//! RTLD_GLOBAL, where an ordinary undefined reference could never resolve.
//! So every host function is looked up with dlsym: in the global scope
//! when the host's pjsip is there, otherwise in the loaded object that
//! defines the host's own regc (its dependencies included). The static
//! build is linked into the program with pjproject's archives, so there the
//! same table is filled from link-time references (weak ones for the names
//! that depend on the host's version or build options).

use crate::ffi::types::{pj_str_t, pj_time_val, pjsip_tpselector};
use core::ffi::{c_char, c_int, c_uint, c_void, CStr};

/// A host object we only pass around or read at known offsets.
pub type HostPtr = *mut c_void;

/// pjsip's transaction callback, as `pjsip_endpt_send_request` takes it.
pub type TsxCallback = unsafe extern "C" fn(token: *mut c_void, event: *mut c_void);
/// pj_timer_heap's callback.
pub type TimerCallback = unsafe extern "C" fn(heap: *mut c_void, entry: *mut c_void);
/// `pj_log_N(sender, format, ...)`.
pub type LogFn = unsafe extern "C" fn(sender: *const c_char, format: *const c_char, ...);

// pjsip enum values used with the host (unchanged 2.13-2.17).
/// `pjsip_hdr_e` of Allow.
pub const PJSIP_H_ALLOW: c_uint = 4;
/// `pjsip_hdr_e` of Contact.
pub const PJSIP_H_CONTACT: c_uint = 9;
/// `pjsip_hdr_e` of CSeq.
pub const PJSIP_H_CSEQ: c_uint = 15;
/// `pjsip_hdr_e` of Expires.
pub const PJSIP_H_EXPIRES: c_uint = 18;
/// `pjsip_hdr_e` of Min-Expires.
pub const PJSIP_H_MIN_EXPIRES: c_uint = 23;
/// `pjsip_hdr_e` of Via.
pub const PJSIP_H_VIA: c_uint = 41;
/// `pjsip_parse_uri` option: name-addr.
pub const PJSIP_PARSE_URI_AS_NAMEADDR: c_uint = 1;
/// `pjsip_tpselector_type` of a listener.
pub const PJSIP_TPSELECTOR_LISTENER: c_uint = 2;
/// `pjsip_event_id_e` of a received message.
pub const PJSIP_EVENT_RX_MSG: c_uint = 3;
/// `pjsip_event_id_e` of a transaction state change.
pub const PJSIP_EVENT_TSX_STATE: c_uint = 5;
/// `pjsip_msg_type_e` of a response.
pub const PJSIP_RESPONSE_MSG: c_uint = 1;

macro_rules! host_api {
    (
        required { $( $r:ident : fn( $($ra:ty),* ) $( -> $rr:ty )? ; )* }
        optional { $( $o:ident : fn( $($oa:ty),* ) $( -> $or:ty )? ; )* }
    ) => {
        /// The host functions the hosted regc calls.
        #[allow(non_snake_case)]
        pub struct HostApi {
            $( #[doc = concat!("The host's `", stringify!($r), "`.")]
            pub $r: unsafe extern "C" fn( $($ra),* ) $( -> $rr )?, )*
            $( #[doc = concat!("The host's `", stringify!($o), "`, when it has one.")]
            pub $o: Option<unsafe extern "C" fn( $($oa),* ) $( -> $or )?>, )*
            /// `pj_log_1` .. `pj_log_5`: only up to the host's PJ_LOG_MAX_LEVEL.
            pub log: [Option<LogFn>; 6],
            /// `pjsip_sip_cfg_var`, the data behind `pjsip_cfg()`.
            pub sip_cfg: *const u8,
        }

        impl HostApi {
            /// Fills the table from `lookup`; names the first required
            /// function the host lacks.
            pub fn resolve(lookup: &dyn Fn(&CStr) -> *mut c_void) -> Result<HostApi, &'static str> {
                const LOG_NAMES: [&CStr; 6] = [c"pj_log_0", c"pj_log_1", c"pj_log_2", c"pj_log_3", c"pj_log_4", c"pj_log_5"];
                let mut log: [Option<LogFn>; 6] = [None; 6];
                for (slot, name) in log.iter_mut().zip(LOG_NAMES).skip(1) {
                    let p = lookup(name);
                    // SAFETY: pj_log_N has this signature in every version.
                    *slot = (!p.is_null()).then(|| unsafe { core::mem::transmute::<*mut c_void, LogFn>(p) });
                }
                Ok(HostApi {
                    $( $r: {
                        let p = lookup(to_cstr(concat!(stringify!($r), "\0")));
                        if p.is_null() {
                            return Err(stringify!($r));
                        }
                        // SAFETY: the host's function of that name has the
                        // prototype pjproject declares (hosted-regc.md §1).
                        unsafe { core::mem::transmute::<*mut c_void, unsafe extern "C" fn( $($ra),* ) $( -> $rr )?>(p) }
                    }, )*
                    $( $o: {
                        let p = lookup(to_cstr(concat!(stringify!($o), "\0")));
                        // SAFETY: as above.
                        (!p.is_null()).then(|| unsafe {
                            core::mem::transmute::<*mut c_void, unsafe extern "C" fn( $($oa),* ) $( -> $or )?>(p)
                        })
                    }, )*
                    log,
                    sip_cfg: lookup(c"pjsip_sip_cfg_var") as *const u8,
                })
            }
        }

        /// Link-time addresses for the static build: strong references for
        /// what every version has, weak ones for the rest.
        #[cfg(feature = "hosted-static")]
        pub mod linked {
            use core::ffi::{c_void, CStr};
            mod strong {
                extern "C" {
                    $( pub fn $r(); )*
                }
            }
            core::arch::global_asm!(
                ".pushsection .data.rel.ro.pjregc_hosted_weak,\"aw\",@progbits",
                ".balign 8",
                ".globl pjregc_hosted_weak",
                ".hidden pjregc_hosted_weak",
                "pjregc_hosted_weak:",
                $( concat!(".weak ", stringify!($o)), concat!(".quad ", stringify!($o)), )*
                ".weak pj_log_1", ".quad pj_log_1",
                ".weak pj_log_2", ".quad pj_log_2",
                ".weak pj_log_3", ".quad pj_log_3",
                ".weak pj_log_4", ".quad pj_log_4",
                ".weak pj_log_5", ".quad pj_log_5",
                ".weak pjsip_sip_cfg_var", ".quad pjsip_sip_cfg_var",
                ".popsection",
            );
            extern "C" {
                static pjregc_hosted_weak: [usize; 0];
            }
            const WEAK: &[&str] = &[ $( stringify!($o), )* "pj_log_1", "pj_log_2", "pj_log_3", "pj_log_4", "pj_log_5", "pjsip_sip_cfg_var" ];

            /// The address the linker gave `name` (NULL for a missing weak one).
            pub fn lookup(name: &CStr) -> *mut c_void {
                let Ok(name) = name.to_str() else { return core::ptr::null_mut() };
                $( if name == stringify!($r) { return strong::$r as *mut c_void; } )*
                match WEAK.iter().position(|w| *w == name) {
                    // SAFETY: the table has one word per WEAK entry.
                    Some(i) => unsafe { *core::ptr::addr_of!(pjregc_hosted_weak).cast::<usize>().add(i) as *mut c_void },
                    None => core::ptr::null_mut(),
                }
            }
        }
    };
}

/// A NUL-terminated literal as a CStr.
pub const fn to_cstr(s: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(s.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("names are NUL-terminated"),
    }
}

host_api! {
    required {
        pj_get_version: fn() -> *const c_char;
        pj_log_get_level: fn() -> c_int;
        pj_strerror: fn(c_int, *mut c_char, usize) -> pj_str_t;
        pj_pool_calloc: fn(HostPtr, usize, usize) -> *mut c_void;
        pj_create_unique_string: fn(HostPtr, *mut pj_str_t) -> *mut pj_str_t;
        pj_timer_entry_init: fn(HostPtr, c_int, *mut c_void, TimerCallback) -> HostPtr;
        pj_timer_heap_cancel_if_active: fn(HostPtr, HostPtr, c_int) -> c_int;
        pjsip_endpt_get_timer_heap: fn(HostPtr) -> HostPtr;
        pjsip_endpt_create_pool: fn(HostPtr, *const c_char, usize, usize) -> HostPtr;
        pjsip_endpt_release_pool: fn(HostPtr, HostPtr);
        pjsip_endpt_create_request: fn(HostPtr, HostPtr, *const pj_str_t, *const pj_str_t, *const pj_str_t,
            *const pj_str_t, *const pj_str_t, c_int, *const pj_str_t, *mut HostPtr) -> c_int;
        pjsip_endpt_create_request_from_hdr: fn(HostPtr, HostPtr, HostPtr, HostPtr, HostPtr, HostPtr, HostPtr,
            c_int, *const pj_str_t, *mut HostPtr) -> c_int;
        pjsip_endpt_get_capability: fn(HostPtr, c_int, *const pj_str_t) -> HostPtr;
        pjsip_endpt_send_request: fn(HostPtr, HostPtr, c_int, *mut c_void, TsxCallback) -> c_int;
        pjsip_get_register_method: fn() -> HostPtr;
        pjsip_from_hdr_create: fn(HostPtr) -> HostPtr;
        pjsip_to_hdr_create: fn(HostPtr) -> HostPtr;
        pjsip_cid_hdr_create: fn(HostPtr) -> HostPtr;
        pjsip_contact_hdr_create: fn(HostPtr) -> HostPtr;
        pjsip_expires_hdr_create: fn(HostPtr, c_uint) -> HostPtr;
        pjsip_hdr_clone: fn(HostPtr, HostPtr) -> HostPtr;
        pjsip_hdr_print_on: fn(HostPtr, *mut c_char, usize) -> c_int;
        pjsip_msg_find_hdr: fn(HostPtr, c_uint, HostPtr) -> HostPtr;
        pjsip_parse_hdr: fn(HostPtr, *const pj_str_t, *mut c_char, usize, *mut c_int) -> HostPtr;
        pjsip_parse_uri: fn(HostPtr, *mut c_char, usize, c_uint) -> HostPtr;
        pjsip_tx_data_add_ref: fn(HostPtr);
        pjsip_tx_data_dec_ref: fn(HostPtr) -> c_int;
        pjsip_tx_data_invalidate_msg: fn(HostPtr);
        pjsip_tx_data_encode: fn(HostPtr) -> c_int;
        pjsip_tx_data_set_transport: fn(HostPtr, *const pjsip_tpselector) -> c_int;
        pjsip_transport_add_ref: fn(HostPtr) -> c_int;
        pjsip_transport_dec_ref: fn(HostPtr) -> c_int;
        pjsip_tpselector_add_ref: fn(*mut pjsip_tpselector);
        pjsip_tpselector_dec_ref: fn(*mut pjsip_tpselector);
        pjsip_auth_clt_init: fn(HostPtr, HostPtr, HostPtr, c_uint) -> c_int;
        pjsip_auth_clt_deinit: fn(HostPtr) -> c_int;
        pjsip_auth_clt_set_credentials: fn(HostPtr, c_int, *const c_void) -> c_int;
        pjsip_auth_clt_set_prefs: fn(HostPtr, *const c_void) -> c_int;
        pjsip_auth_clt_init_req: fn(HostPtr, HostPtr) -> c_int;
        pjsip_auth_clt_reinit_req: fn(HostPtr, HostPtr, HostPtr, *mut HostPtr) -> c_int;
    }
    optional {
        pjsip_endpt_schedule_timer_dbg: fn(HostPtr, HostPtr, *const pj_time_val, *const c_char, c_int) -> c_int;
        pjsip_endpt_schedule_timer: fn(HostPtr, HostPtr, *const pj_time_val) -> c_int;
        pjsip_auth_clt_set_parent: fn(HostPtr, HostPtr) -> c_int;
    }
}

// SAFETY: the table holds function pointers and the address of a host
// global; the host functions themselves are thread-safe as pjsip documents.
unsafe impl Send for HostApi {}
unsafe impl Sync for HostApi {}

impl HostApi {
    /// pjsip_endpt_schedule_timer under whichever name the host exports.
    ///
    /// # Safety
    /// `endpt` and `entry` are live host objects.
    pub unsafe fn schedule_timer(&self, endpt: HostPtr, entry: HostPtr, delay: &pj_time_val) -> c_int {
        if let Some(f) = self.pjsip_endpt_schedule_timer_dbg {
            f(endpt, entry, delay, c"sip_reg.c".as_ptr(), 0)
        } else if let Some(f) = self.pjsip_endpt_schedule_timer {
            f(endpt, entry, delay)
        } else {
            crate::status::PJ_ENOTSUP
        }
    }

    /// `pjsip_cfg()->regc.check_contact` (default on).
    pub fn check_contact(&self) -> bool {
        self.cfg_flag(72, true)
    }

    /// `pjsip_cfg()->regc.add_xuid_param` (default off).
    pub fn add_xuid_param(&self) -> bool {
        self.cfg_flag(76, false)
    }

    fn cfg_flag(&self, offset: usize, default: bool) -> bool {
        if self.sip_cfg.is_null() {
            return default;
        }
        // SAFETY: pjsip_sip_cfg_var is a pjsip_cfg_t (96 bytes), whose regc
        // flags sit at 72 and 76 in every supported version.
        unsafe { core::ptr::read_unaligned(self.sip_cfg.add(offset).cast::<c_int>()) != 0 }
    }

    /// The host's text for a status, as pj_strerror gives it.
    pub fn strerror(&self, status: c_int) -> String {
        let mut buf = [0 as c_char; 80];
        // SAFETY: the buffer and its length.
        let s = unsafe { (self.pj_strerror)(status, buf.as_mut_ptr(), buf.len()) };
        // SAFETY: pj_strerror returns a string within `buf`.
        unsafe { crate::ffi::util::pj_string(&s) }.unwrap_or_default()
    }
}
