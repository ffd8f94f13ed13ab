//! Library init and shutdown, exit handlers and the version string.
//!
//! `pj_init` is counted: the first call registers the calling thread as
//! the main thread, sets up the out-of-memory exception id and logs
//! "pjlib 2.17-dev for POSIX initialized" at level 4 (as pjproject does);
//! later calls only count. The matching last `pj_shutdown` runs the
//! `pj_atexit` handlers (most recent first) and forgets registered error
//! handlers.

use super::{errno, log::log, os};
use crate::ffi::guard::{guard, guard_status};
use crate::ffi::types::pj_status_t;
use crate::status::{PJ_EINVAL, PJ_ETOOMANY};
use core::ffi::c_char;
use parking_lot::Mutex;

/// Version text of the pjproject release this library stands in for.
#[no_mangle]
pub static mut PJ_VERSION: *const c_char = c"2.17-dev".as_ptr();

const MAX_EXIT_FUNCS: usize = 32;

struct InitState {
    count: u32,
    exit_funcs: Vec<unsafe extern "C" fn()>,
}

static STATE: Mutex<InitState> = Mutex::new(InitState {
    count: 0,
    exit_funcs: Vec::new(),
});

/// Initialises the library (counted; only the first call does the work).
#[no_mangle]
pub extern "C" fn pj_init() -> pj_status_t {
    guard_status(|| {
        let first = {
            let mut st = STATE.lock();
            st.count += 1;
            st.count == 1
        };
        if first {
            // SAFETY: plain int store; pjproject allocates id 1 here.
            unsafe {
                core::ptr::write_volatile(
                    core::ptr::addr_of_mut!(super::pool::PJ_NO_MEMORY_EXCEPTION),
                    1,
                );
            }
            os::register_main_thread();
            log(4, "os_core_unix.c", "pjlib 2.17-dev for POSIX initialized");
        }
        Ok(())
    })
}

/// Counts one shutdown; returns the exit handlers when it was the last.
fn last_shutdown() -> Option<Vec<unsafe extern "C" fn()>> {
    let mut st = STATE.lock();
    match st.count {
        0 => None,
        1 => {
            st.count = 0;
            Some(core::mem::take(&mut st.exit_funcs))
        }
        _ => {
            st.count -= 1;
            None
        }
    }
}

/// Undoes one `pj_init`; the last one runs the exit handlers.
#[no_mangle]
pub extern "C" fn pj_shutdown() {
    guard((), || {
        let Some(funcs) = last_shutdown() else { return };
        for f in funcs.iter().rev() {
            // SAFETY: registered by the application through pj_atexit.
            unsafe { f() }
        }
        errno::clear_handlers();
        // SAFETY: plain int store.
        unsafe {
            core::ptr::write_volatile(
                core::ptr::addr_of_mut!(super::pool::PJ_NO_MEMORY_EXCEPTION),
                0,
            )
        }
    })
}

/// Registers a function the last `pj_shutdown` calls (at most 32).
#[no_mangle]
pub extern "C" fn pj_atexit(func: Option<unsafe extern "C" fn()>) -> pj_status_t {
    guard_status(|| {
        let f = func.ok_or(PJ_EINVAL)?;
        let mut st = STATE.lock();
        if st.exit_funcs.len() >= MAX_EXIT_FUNCS {
            return Err(PJ_ETOOMANY);
        }
        st.exit_funcs.push(f);
        Ok(())
    })
}

/// Initialises pjlib-util; its error texts are always available here.
#[no_mangle]
pub extern "C" fn pjlib_util_init() -> pj_status_t {
    0
}

/// The version text, "2.17-dev".
#[no_mangle]
pub extern "C" fn pj_get_version() -> *const c_char {
    // SAFETY: reads the (application-writable) pointer variable.
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(PJ_VERSION)) }
}
