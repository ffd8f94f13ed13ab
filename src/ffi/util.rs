//! Conversions between pj_str_t / C strings and Rust strings.

use super::types::pj_str_t;
use core::ffi::c_char;

/// The bytes of a pj_str_t; None when it is malformed (negative length,
/// or NULL with a length).
///
/// # Safety
/// `s.ptr` must point to at least `s.slen` readable bytes when non-NULL.
pub unsafe fn pj_bytes<'a>(s: &pj_str_t) -> Option<&'a [u8]> {
    if s.slen < 0 {
        return None;
    }
    if s.slen == 0 {
        return Some(&[]);
    }
    if s.ptr.is_null() {
        return None;
    }
    Some(core::slice::from_raw_parts(s.ptr as *const u8, s.slen as usize))
}

/// A pj_str_t as UTF-8 (lossy), None when malformed.
///
/// # Safety
/// As for [`pj_bytes`].
pub unsafe fn pj_string(s: &pj_str_t) -> Option<String> {
    pj_bytes(s).map(|b| crate::sip::chars::lossy(b).into_owned())
}

/// A pj_str_t pointer as a String; NULL gives None.
///
/// # Safety
/// `p` is NULL or points to a valid pj_str_t.
pub unsafe fn pj_string_ptr(p: *const pj_str_t) -> Option<String> {
    if p.is_null() {
        None
    } else {
        pj_string(&*p)
    }
}

/// A NUL-terminated C string as a String; NULL gives None.
///
/// # Safety
/// `p` is NULL or a valid NUL-terminated string.
pub unsafe fn c_string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(core::ffi::CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}

/// A `pj_str_t` of length 0.
pub const fn empty_str() -> pj_str_t {
    pj_str_t { ptr: core::ptr::null_mut(), slen: 0 }
}
