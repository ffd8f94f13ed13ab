//! Reading the atomic counters we hand out (`pj/atomic.h`).
//!
//! The only `pj_atomic_t` objects a program can reach here are the
//! `ref_cnt` of a `pjsip_transport` or a `pjsip_tx_data`, both 32-bit
//! atomics of ours; a program reads them with pj_atomic_get, as with
//! pjproject, e.g. to check that nothing still holds a connection.

use crate::ffi::guard::guard;
use crate::ffi::types::{pj_atomic_t, pj_atomic_value_t};
use std::sync::atomic::{AtomicI32, Ordering};

/// The counter's current value; 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn pj_atomic_get(atomic_var: *mut pj_atomic_t) -> pj_atomic_value_t {
    guard(0, || {
        if atomic_var.is_null() {
            return 0;
        }
        // SAFETY: every pj_atomic_t we give out is an AtomicI32 that lives
        // as long as the object holding the pointer.
        pj_atomic_value_t::from(unsafe { (*(atomic_var as *const AtomicI32)).load(Ordering::Acquire) })
    })
}
