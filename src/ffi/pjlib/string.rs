//! `pj_str_t` functions (`pj_str*`).
//!
//! A `pj_str_t` is `{ptr, slen}` without a terminating NUL. Lengths of 0 or
//! less count as the empty string. Comparisons return what libc's `memcmp`
//! (case-sensitive) or `strncasecmp` (case-insensitive) return on the common
//! prefix, so results match pjproject bit for bit. NULL `pj_str_t` pointers
//! are treated as empty strings and NULL destinations make the call a no-op,
//! where pjproject would crash.

use super::pool::pool_alloc;
use crate::ffi::guard::guard;
use crate::ffi::types::{pj_pool_t, pj_size_t, pj_ssize_t, pj_str_t};
use core::ffi::{c_char, c_int, c_long, c_ulong, CStr};
use core::ptr::{self, null_mut};

const EMPTY: pj_str_t = pj_str_t {
    ptr: null_mut(),
    slen: 0,
};

/// The bytes of a `pj_str_t` (empty for NULL, a NULL buffer or slen <= 0).
///
/// # Safety
/// `s` must be NULL or point to a `pj_str_t` whose buffer holds `slen`
/// bytes valid for `'a`.
pub unsafe fn str_bytes<'a>(s: *const pj_str_t) -> &'a [u8] {
    if s.is_null() || (*s).ptr.is_null() || (*s).slen <= 0 {
        return &[];
    }
    core::slice::from_raw_parts((*s).ptr as *const u8, (*s).slen as usize)
}

unsafe fn cstr_len(s: *const c_char) -> usize {
    if s.is_null() {
        0
    } else {
        CStr::from_ptr(s).to_bytes().len()
    }
}

unsafe fn load(s: *const pj_str_t) -> pj_str_t {
    if s.is_null() {
        EMPTY
    } else {
        *s
    }
}

fn from_cstr(s: *const c_char) -> pj_str_t {
    // SAFETY: callers pass NULL or a C string.
    pj_str_t {
        ptr: s as *mut c_char,
        slen: unsafe { cstr_len(s) } as pj_ssize_t,
    }
}

/// Shared body of the comparisons: empty sorts first, then `cmp` on the
/// common prefix, then the shorter string first.
unsafe fn compare(
    a: pj_str_t,
    b: pj_str_t,
    cmp: unsafe fn(*const c_char, *const c_char, usize) -> c_int,
) -> c_int {
    let (la, lb) = (a.slen, b.slen);
    if la <= 0 || a.ptr.is_null() {
        return if lb <= 0 || b.ptr.is_null() { 0 } else { -1 };
    }
    if lb <= 0 || b.ptr.is_null() {
        return 1;
    }
    let min = la.min(lb) as usize;
    let res = cmp(a.ptr, b.ptr, min);
    if res != 0 {
        return res;
    }
    match la.cmp(&lb) {
        core::cmp::Ordering::Less => -1,
        core::cmp::Ordering::Equal => 0,
        core::cmp::Ordering::Greater => 1,
    }
}

unsafe fn bytes_cmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
    libc::memcmp(a as *const _, b as *const _, n)
}

unsafe fn bytes_icmp(a: *const c_char, b: *const c_char, n: usize) -> c_int {
    libc::strncasecmp(a, b, n)
}

fn truncated(s: pj_str_t, len: usize) -> pj_str_t {
    if s.slen > 0 && len < s.slen as usize {
        pj_str_t {
            ptr: s.ptr,
            slen: len as pj_ssize_t,
        }
    } else {
        s
    }
}

/// Wraps a C string without copying: `{str, strlen(str)}`, `{NULL, 0}` for
/// NULL. Returned by value.
#[no_mangle]
pub unsafe extern "C" fn pj_str(str: *mut c_char) -> pj_str_t {
    guard(EMPTY, || from_cstr(str))
}

/// Copies `src` into the pool (no NUL). `dst == src` does nothing; an
/// empty source gives `slen = 0` and leaves `dst->ptr` untouched.
#[no_mangle]
pub unsafe extern "C" fn pj_strdup(
    pool: *mut pj_pool_t,
    dst: *mut pj_str_t,
    src: *const pj_str_t,
) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() || ptr::eq(dst, src) {
            return dst;
        }
        let bytes = str_bytes(src);
        if !bytes.is_empty() {
            let p = pool_alloc(pool, bytes.len());
            if p.is_null() {
                *dst = EMPTY;
                return dst;
            }
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            (*dst).ptr = p as *mut c_char;
        }
        (*dst).slen = bytes.len() as pj_ssize_t;
        dst
    })
}

unsafe fn dup_with_null(pool: *mut pj_pool_t, dst: *mut pj_str_t, bytes: &[u8]) -> *mut pj_str_t {
    let p = pool_alloc(pool, bytes.len() + 1);
    if p.is_null() {
        *dst = EMPTY;
        return dst;
    }
    ptr::copy(bytes.as_ptr(), p, bytes.len());
    *p.add(bytes.len()) = 0;
    (*dst).ptr = p as *mut c_char;
    (*dst).slen = bytes.len() as pj_ssize_t;
    dst
}

/// Copies `src` into the pool with a terminating NUL (always allocates
/// `slen + 1` bytes; `slen` does not count the NUL).
#[no_mangle]
pub unsafe extern "C" fn pj_strdup_with_null(
    pool: *mut pj_pool_t,
    dst: *mut pj_str_t,
    src: *const pj_str_t,
) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() {
            return dst;
        }
        dup_with_null(pool, dst, str_bytes(src))
    })
}

/// Copies a C string into the pool without its NUL; NULL or "" gives
/// `{NULL, 0}`.
#[no_mangle]
pub unsafe extern "C" fn pj_strdup2(
    pool: *mut pj_pool_t,
    dst: *mut pj_str_t,
    src: *const c_char,
) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() {
            return dst;
        }
        let len = cstr_len(src);
        if len == 0 {
            *dst = EMPTY;
            return dst;
        }
        let p = pool_alloc(pool, len);
        if p.is_null() {
            *dst = EMPTY;
            return dst;
        }
        ptr::copy_nonoverlapping(src as *const u8, p, len);
        (*dst).ptr = p as *mut c_char;
        (*dst).slen = len as pj_ssize_t;
        dst
    })
}

/// Copies a C string into the pool with its NUL (NULL gives an empty,
/// NUL-terminated string).
#[no_mangle]
pub unsafe extern "C" fn pj_strdup2_with_null(
    pool: *mut pj_pool_t,
    dst: *mut pj_str_t,
    src: *const c_char,
) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() {
            return dst;
        }
        let len = cstr_len(src);
        let bytes: &[u8] = if len == 0 {
            &[]
        } else {
            core::slice::from_raw_parts(src as *const u8, len)
        };
        dup_with_null(pool, dst, bytes)
    })
}

/// `pj_strdup2` returning the result by value.
#[no_mangle]
pub unsafe extern "C" fn pj_strdup3(pool: *mut pj_pool_t, src: *const c_char) -> pj_str_t {
    guard(EMPTY, || {
        let mut out = EMPTY;
        pj_strdup2(pool, &mut out, src);
        out
    })
}

/// Makes `dst` refer to the same buffer as `src` (no copy).
#[no_mangle]
pub unsafe extern "C" fn pj_strassign(dst: *mut pj_str_t, src: *mut pj_str_t) -> *mut pj_str_t {
    guard(dst, || {
        if !dst.is_null() {
            *dst = load(src);
        }
        dst
    })
}

/// Copies the characters of `src` into `dst->ptr` (which must be large
/// enough) and sets `dst->slen`.
#[no_mangle]
pub unsafe extern "C" fn pj_strcpy(dst: *mut pj_str_t, src: *const pj_str_t) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() {
            return dst;
        }
        let bytes = str_bytes(src);
        if !bytes.is_empty() && !(*dst).ptr.is_null() {
            ptr::copy(bytes.as_ptr(), (*dst).ptr as *mut u8, bytes.len());
        }
        (*dst).slen = bytes.len() as pj_ssize_t;
        dst
    })
}

/// Copies a C string (without NUL) into `dst->ptr` and sets `dst->slen`.
#[no_mangle]
pub unsafe extern "C" fn pj_strcpy2(dst: *mut pj_str_t, src: *const c_char) -> *mut pj_str_t {
    guard(dst, || {
        if dst.is_null() {
            return dst;
        }
        let len = cstr_len(src);
        if len > 0 && !(*dst).ptr.is_null() {
            ptr::copy(src as *const u8, (*dst).ptr as *mut u8, len);
        }
        (*dst).slen = len as pj_ssize_t;
        dst
    })
}

/// Appends `src` at `dst->ptr + dst->slen` (the buffer must have room).
#[no_mangle]
pub unsafe extern "C" fn pj_strcat(dst: *mut pj_str_t, src: *const pj_str_t) {
    guard((), || {
        if dst.is_null() || (*dst).slen < 0 || (*dst).ptr.is_null() {
            return;
        }
        let bytes = str_bytes(src);
        if !bytes.is_empty() {
            ptr::copy(
                bytes.as_ptr(),
                ((*dst).ptr as *mut u8).add((*dst).slen as usize),
                bytes.len(),
            );
            (*dst).slen += bytes.len() as pj_ssize_t;
        }
    })
}

/// Appends a C string at `dst->ptr + dst->slen` (the buffer must have room).
#[no_mangle]
pub unsafe extern "C" fn pj_strcat2(dst: *mut pj_str_t, str: *const c_char) {
    guard((), || {
        let tmp = from_cstr(str);
        pj_strcat(dst, &tmp);
    })
}

/// Compares two strings (see the module notes for the ordering).
#[no_mangle]
pub unsafe extern "C" fn pj_strcmp(str1: *const pj_str_t, str2: *const pj_str_t) -> c_int {
    guard(0, || compare(load(str1), load(str2), bytes_cmp))
}

/// `pj_strcmp` against a C string (NULL is the empty string).
#[no_mangle]
pub unsafe extern "C" fn pj_strcmp2(str1: *const pj_str_t, str2: *const c_char) -> c_int {
    guard(0, || compare(load(str1), from_cstr(str2), bytes_cmp))
}

/// Compares at most the first `len` characters of each string.
#[no_mangle]
pub unsafe extern "C" fn pj_strncmp(
    str1: *const pj_str_t,
    str2: *const pj_str_t,
    len: pj_size_t,
) -> c_int {
    guard(0, || {
        compare(
            truncated(load(str1), len),
            truncated(load(str2), len),
            bytes_cmp,
        )
    })
}

/// `pj_strncmp` against a C string.
#[no_mangle]
pub unsafe extern "C" fn pj_strncmp2(
    str1: *const pj_str_t,
    str2: *const c_char,
    len: pj_size_t,
) -> c_int {
    guard(0, || {
        compare(
            truncated(load(str1), len),
            truncated(from_cstr(str2), len),
            bytes_cmp,
        )
    })
}

/// Case-insensitive (ASCII) `pj_strcmp`.
#[no_mangle]
pub unsafe extern "C" fn pj_stricmp(str1: *const pj_str_t, str2: *const pj_str_t) -> c_int {
    guard(0, || compare(load(str1), load(str2), bytes_icmp))
}

/// Case-insensitive comparison against a C string.
#[no_mangle]
pub unsafe extern "C" fn pj_stricmp2(str1: *const pj_str_t, str2: *const c_char) -> c_int {
    guard(0, || compare(load(str1), from_cstr(str2), bytes_icmp))
}

/// Case-insensitive `pj_strncmp`.
#[no_mangle]
pub unsafe extern "C" fn pj_strnicmp(
    str1: *const pj_str_t,
    str2: *const pj_str_t,
    len: pj_size_t,
) -> c_int {
    guard(0, || {
        compare(
            truncated(load(str1), len),
            truncated(load(str2), len),
            bytes_icmp,
        )
    })
}

/// Case-insensitive `pj_strncmp2`.
#[no_mangle]
pub unsafe extern "C" fn pj_strnicmp2(
    str1: *const pj_str_t,
    str2: *const c_char,
    len: pj_size_t,
) -> c_int {
    guard(0, || {
        compare(
            truncated(load(str1), len),
            truncated(from_cstr(str2), len),
            bytes_icmp,
        )
    })
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Removes leading white space (moves `ptr`, shrinks `slen`).
#[no_mangle]
pub unsafe extern "C" fn pj_strltrim(str: *mut pj_str_t) -> *mut pj_str_t {
    guard(str, || {
        let n = str_bytes(str).iter().take_while(|&&c| is_space(c)).count();
        if n > 0 {
            (*str).ptr = (*str).ptr.add(n);
            (*str).slen -= n as pj_ssize_t;
        }
        str
    })
}

/// Removes trailing white space (shrinks `slen`).
#[no_mangle]
pub unsafe extern "C" fn pj_strrtrim(str: *mut pj_str_t) -> *mut pj_str_t {
    guard(str, || {
        let n = str_bytes(str)
            .iter()
            .rev()
            .take_while(|&&c| is_space(c))
            .count();
        if n > 0 {
            (*str).slen -= n as pj_ssize_t;
        }
        str
    })
}

/// Removes leading and trailing white space.
#[no_mangle]
pub unsafe extern "C" fn pj_strtrim(str: *mut pj_str_t) -> *mut pj_str_t {
    guard(str, || {
        pj_strltrim(str);
        pj_strrtrim(str)
    })
}

/// Decimal value of the leading digits (stops at the first non-digit;
/// overflow wraps like unsigned arithmetic in C).
#[no_mangle]
pub unsafe extern "C" fn pj_strtoul(str: *const pj_str_t) -> c_ulong {
    guard(0, || {
        let mut value: c_ulong = 0;
        for &c in str_bytes(str).iter().take_while(|c| c.is_ascii_digit()) {
            value = value.wrapping_mul(10).wrapping_add((c - b'0') as c_ulong);
        }
        value
    })
}

/// Like `pj_strtoul` with an optional leading '+' or '-'.
#[no_mangle]
pub unsafe extern "C" fn pj_strtol(str: *const pj_str_t) -> c_long {
    guard(0, || {
        let bytes = str_bytes(str);
        match bytes.first() {
            Some(&sign @ (b'+' | b'-')) => {
                let rest = pj_str_t {
                    ptr: (*str).ptr.add(1),
                    slen: (*str).slen - 1,
                };
                let v = pj_strtoul(&rest) as c_long;
                if sign == b'-' {
                    v.wrapping_neg()
                } else {
                    v
                }
            }
            _ => pj_strtoul(str) as c_long,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> pj_str_t {
        pj_str_t {
            ptr: v.as_ptr() as *mut c_char,
            slen: v.len() as pj_ssize_t,
        }
    }

    #[test]
    fn comparisons() {
        unsafe {
            assert_eq!(pj_strcmp(&s("abc"), &s("abc")), 0);
            assert!(pj_strcmp(&s("abc"), &s("abd")) < 0);
            assert!(pj_strcmp(&s("ab"), &s("abc")) < 0);
            assert_eq!(pj_strcmp(&s("abc"), &s("ab")), 1);
            assert_eq!(pj_strcmp(&s(""), &EMPTY), 0);
            assert_eq!(pj_strcmp(&EMPTY, &s("a")), -1);
            assert_eq!(pj_stricmp(&s("SIP"), &s("sip")), 0);
            assert_eq!(pj_stricmp2(&s("Sip"), c"sip".as_ptr()), 0);
            assert_eq!(pj_stricmp2(&EMPTY, core::ptr::null()), 0);
            assert_eq!(pj_strcmp2(&s("x"), core::ptr::null()), 1);
            assert_eq!(pj_strncmp(&s("abcX"), &s("abcY"), 3), 0);
            assert_eq!(pj_strnicmp2(&s("ABCx"), c"abcy".as_ptr(), 3), 0);
            assert!(pj_strncmp2(&s("ab"), c"abc".as_ptr(), 3) < 0);
        }
    }

    #[test]
    fn numbers_and_trim() {
        unsafe {
            assert_eq!(pj_strtoul(&s("123abc")), 123);
            assert_eq!(pj_strtol(&s("-42")), -42);
            assert_eq!(pj_strtol(&s("+7")), 7);
            assert_eq!(pj_strtoul(&s("x1")), 0);
            let mut t = s(" \t hi there \r\n");
            pj_strtrim(&mut t);
            assert_eq!(str_bytes(&t), b"hi there");
            let mut blank = s("   ");
            pj_strtrim(&mut blank);
            assert_eq!(blank.slen, 0);
        }
    }
}
