//! The one way a C handle becomes the object behind it. A handle is an
//! `Arc::into_raw` pointer; a call borrows one strong reference for its
//! duration, so the object outlives the call even if the call destroys it.

use super::types::{pj_status_t, pj_str_t};
use crate::status::{Status, PJ_EINVAL};
use core::ffi::c_int;
use std::sync::Arc;

/// The object behind `p`, borrowed for the call.
///
/// # Safety
/// `p` came from `Arc::into_raw` of an `Arc<T>` whose handle reference the
/// caller has not released (pjsip's contract for handles).
pub unsafe fn borrow<H, T>(p: *mut H) -> Arc<T> {
    let ptr = p as *const T;
    Arc::increment_strong_count(ptr);
    Arc::from_raw(ptr)
}

/// Runs `f` on the object behind a non-NULL handle, through the guard.
///
/// # Safety
/// As for [`borrow`] when `p` is not NULL.
pub unsafe fn with_handle<H, T>(p: *mut H, f: impl FnOnce(&Arc<T>) -> Result<(), Status>) -> pj_status_t {
    super::guard::guard_status(|| {
        crate::nonnull!(p)?;
        // SAFETY: the caller's contract.
        let r = unsafe { borrow::<H, T>(p) };
        f(&r)
    })
}

/// The `contact[0..ccnt]` strings of init and update_contact.
///
/// # Safety
/// `contact` points to `ccnt` pj_str_t when `ccnt > 0`.
pub unsafe fn contact_strings(ccnt: c_int, contact: *const pj_str_t) -> Result<Vec<String>, Status> {
    if ccnt < 0 || (ccnt > 0 && contact.is_null()) {
        return Err(PJ_EINVAL);
    }
    (0..ccnt as usize).map(|i| super::util::pj_string(&*contact.add(i)).ok_or(PJ_EINVAL)).collect()
}
