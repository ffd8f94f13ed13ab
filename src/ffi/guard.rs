//! The one wrapper every `extern "C"` function goes through: a panic never
//! crosses into C (it becomes PJ_EBUG, or the given fallback value).

use crate::status::{Status, PJ_EBUG};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `on_panic`.
pub fn guard<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => on_panic,
    }
}

/// `guard` for functions returning a pj_status_t.
pub fn guard_status(f: impl FnOnce() -> Result<(), Status>) -> Status {
    guard(PJ_EBUG, || match f() {
        Ok(()) => 0,
        Err(e) => e,
    })
}

/// Rejects NULL pointers with PJ_EINVAL: `nonnull!(a, b)?`.
#[macro_export]
macro_rules! nonnull {
    ($($p:expr),+) => {
        if false $(|| $p.is_null())+ {
            Err($crate::status::PJ_EINVAL)
        } else {
            Ok(())
        }
    };
}
