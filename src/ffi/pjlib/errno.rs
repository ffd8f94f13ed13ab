//! Error texts: `pj_strerror` and `pj_register_strerror`.
//!
//! The texts of pjlib, OS (errno), pjsip and pjlib-util codes come from
//! [`crate::status::text`]. Unlike pjproject, the pjsip texts are available
//! before any endpoint exists (pjproject answers "Unknown error 171001"
//! until `pjsip_endpt_create` registers them).
//!
//! Applications may register their own handler for a range at or above
//! PJ_ERRNO_START_USER (170000) that does not overlap the pjsip
//! (170000..220000) or pjlib-util (320000..370000) ranges.

use crate::ffi::guard::guard;
use crate::ffi::types::{pj_size_t, pj_ssize_t, pj_status_t, pj_str_t};
use crate::status::{self, PJ_EEXISTS, PJ_EINVAL, PJ_ETOOMANY};
use core::ffi::c_char;
use core::ptr;
use parking_lot::Mutex;

type ErrorFn = unsafe extern "C" fn(pj_status_t, *mut c_char, pj_size_t) -> pj_str_t;

const ERRNO_START_USER: pj_status_t = 170_000;
/// Ranges whose texts are built in (pjsip, pjlib-util).
const BUILTIN: [(pj_status_t, pj_status_t); 2] = [(170_000, 220_000), (320_000, 370_000)];
/// pjproject has 10 handler slots; pjsip and pjlib-util take two of them.
const MAX_USER_HANDLERS: usize = 8;

struct Handler {
    begin: pj_status_t,
    end: pj_status_t,
    f: ErrorFn,
}

static HANDLERS: Mutex<Vec<Handler>> = Mutex::new(Vec::new());

/// Forgets every registered handler (the last `pj_shutdown` does this).
pub(crate) fn clear_handlers() {
    HANDLERS.lock().clear();
}

/// The text `pj_strerror` gives for a code without a registered handler.
pub fn strerror_text(code: pj_status_t) -> String {
    status::text(code)
}

fn in_range(v: pj_status_t, begin: pj_status_t, end: pj_status_t) -> bool {
    v >= begin && v < end
}

/// Registers `f` as the text source for codes `start .. start + space`.
/// Registering the very same range and handler again is accepted.
#[no_mangle]
pub unsafe extern "C" fn pj_register_strerror(
    start: pj_status_t,
    space: pj_status_t,
    f: Option<unsafe extern "C" fn(e: pj_status_t, msg: *mut c_char, max: pj_size_t) -> pj_str_t>,
) -> pj_status_t {
    guard(status::PJ_EBUG, || {
        let Some(f) = f else { return PJ_EINVAL };
        if start == 0 || space <= 0 {
            return PJ_EINVAL;
        }
        if start < ERRNO_START_USER {
            return PJ_EEXISTS;
        }
        let Some(end) = start.checked_add(space) else {
            return PJ_EINVAL;
        };
        if BUILTIN
            .iter()
            .any(|&(b, e)| in_range(start, b, e) || in_range(end - 1, b, e))
        {
            return PJ_EEXISTS;
        }
        let mut handlers = HANDLERS.lock();
        for h in handlers.iter() {
            if in_range(start, h.begin, h.end) || in_range(end - 1, h.begin, h.end) {
                if h.begin == start && h.end == end && h.f as usize == f as usize {
                    return 0;
                }
                return PJ_EEXISTS;
            }
        }
        if handlers.len() >= MAX_USER_HANDLERS {
            return PJ_ETOOMANY;
        }
        handlers.push(Handler {
            begin: start,
            end,
            f,
        });
        0
    })
}

/// Writes the text of `statcode` into `buf` (NUL-terminated, cut to
/// `bufsize - 1` characters) and returns `{buf, length}`.
#[no_mangle]
pub unsafe extern "C" fn pj_strerror(
    statcode: pj_status_t,
    buf: *mut c_char,
    bufsize: pj_size_t,
) -> pj_str_t {
    let empty = pj_str_t { ptr: buf, slen: 0 };
    guard(empty, || {
        if buf.is_null() || bufsize == 0 {
            return empty;
        }
        if statcode >= ERRNO_START_USER && !BUILTIN.iter().any(|&(b, e)| in_range(statcode, b, e)) {
            let handler = HANDLERS
                .lock()
                .iter()
                .find(|h| in_range(statcode, h.begin, h.end))
                .map(|h| h.f);
            if let Some(f) = handler {
                return f(statcode, buf, bufsize);
            }
        }
        let text = strerror_text(statcode);
        let n = text.len().min(bufsize - 1);
        ptr::copy_nonoverlapping(text.as_ptr(), buf as *mut u8, n);
        *buf.add(n) = 0;
        pj_str_t {
            ptr: buf,
            slen: n as pj_ssize_t,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: pj_status_t, size: usize) -> String {
        let mut buf = vec![0 as c_char; size.max(1)];
        let s = unsafe { pj_strerror(code, buf.as_mut_ptr(), size) };
        let bytes: Vec<u8> = buf[..s.slen as usize].iter().map(|&c| c as u8).collect();
        assert_eq!(buf[s.slen as usize], 0);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn texts() {
        assert_eq!(err(0, 80), "Success");
        assert_eq!(err(70004, 80), "Invalid value or argument (PJ_EINVAL)");
        assert_eq!(err(70004, 8), "Invalid");
        assert_eq!(err(171001, 80), "Object is busy (PJSIP_EBUSY)");
        assert_eq!(err(170408, 80), "Request Timeout");
        assert_eq!(err(120111, 80), "Connection refused");
        assert_eq!(err(1219999, 80), "Unknown error 1219999");
        assert_eq!(err(5, 80), "Unknown error 5");
        assert_eq!(err(70999, 80), "Unknown pjlib error 70999");
    }

    unsafe extern "C" fn mine(e: pj_status_t, msg: *mut c_char, max: pj_size_t) -> pj_str_t {
        let t = format!("mine {e}\0");
        let n = (t.len() - 1).min(max - 1);
        ptr::copy_nonoverlapping(t.as_ptr(), msg as *mut u8, n);
        *msg.add(n) = 0;
        pj_str_t {
            ptr: msg,
            slen: n as pj_ssize_t,
        }
    }

    #[test]
    fn user_handlers() {
        unsafe {
            assert_eq!(pj_register_strerror(900_000, 100, Some(mine)), 0);
            assert_eq!(pj_register_strerror(900_000, 100, Some(mine)), 0);
            assert_eq!(pj_register_strerror(900_050, 100, Some(mine)), PJ_EEXISTS);
            assert_eq!(pj_register_strerror(171_000, 100, Some(mine)), PJ_EEXISTS);
            assert_eq!(pj_register_strerror(60_000, 100, Some(mine)), PJ_EEXISTS);
            assert_eq!(pj_register_strerror(900_000, 100, None), PJ_EINVAL);
        }
        assert_eq!(err(900_042, 80), "mine 900042");
    }
}
