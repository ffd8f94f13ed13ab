//! Small unsafe helpers shared by the C object layer: pool allocation,
//! `pj_str_t` access, intrusive lists, parameter lists and output buffers.
//!
//! Everything here tolerates the states C code can leave objects in: NULL
//! or negative-length strings read as empty, a list whose `next` is NULL
//! (a zero-filled head) reads as empty, and list walks stop after a fixed
//! number of nodes so that a corrupted ring cannot hang us.

use crate::ffi::pjlib::{pool_alloc, pool_alloc_obj};
use crate::ffi::types::*;
use crate::sip::Param;
use core::ffi::{c_char, c_int, c_void};
use core::ptr::{self, null_mut};

/// Most nodes any list walk visits (headers in a message, parameters).
pub(crate) const LIST_LIMIT: usize = 4096;

/// A `pj_str_t` pointing at static text, usable in a `static`.
#[repr(transparent)]
pub(crate) struct StaticStr(pub(crate) pj_str_t);
// SAFETY: the pointed-to bytes are 'static and never written.
unsafe impl Sync for StaticStr {}
// SAFETY: as above; the value is a pointer to immutable static bytes.
unsafe impl Send for StaticStr {}

pub(crate) const EMPTY: pj_str_t = pj_str_t {
    ptr: null_mut(),
    slen: 0,
};

/// A zero-filled `T` from the pool; None when the pool is NULL or full.
pub(crate) unsafe fn alloc<T>(pool: *mut pj_pool_t) -> Option<*mut T> {
    let p = pool_alloc_obj::<T>(pool);
    if p.is_null() {
        None
    } else {
        Some(p)
    }
}

/// Copies bytes into the pool (NUL-terminated, not counted). Empty input
/// gives `{NULL, 0}` without allocating.
pub(crate) unsafe fn dup(pool: *mut pj_pool_t, bytes: &[u8]) -> Option<pj_str_t> {
    if bytes.is_empty() {
        return Some(EMPTY);
    }
    let p = pool_alloc(pool, bytes.len().checked_add(1)?);
    if p.is_null() {
        return None;
    }
    ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
    *p.add(bytes.len()) = 0;
    Some(pj_str_t {
        ptr: p as *mut c_char,
        slen: bytes.len() as pj_ssize_t,
    })
}

pub(crate) unsafe fn dup_str(pool: *mut pj_pool_t, s: &str) -> Option<pj_str_t> {
    dup(pool, s.as_bytes())
}

pub(crate) unsafe fn dup_opt(pool: *mut pj_pool_t, s: Option<&str>) -> Option<pj_str_t> {
    dup(pool, s.unwrap_or("").as_bytes())
}

/// Deep copy of a `pj_str_t` into the pool (pjsip's `pj_strdup`).
pub(crate) unsafe fn dup_pj(pool: *mut pj_pool_t, s: &pj_str_t) -> Option<pj_str_t> {
    dup(pool, bytes(s))
}

/// The bytes of a `pj_str_t`; NULL or a non-positive length is empty.
pub(crate) unsafe fn bytes<'a>(s: &pj_str_t) -> &'a [u8] {
    if s.ptr.is_null() || s.slen <= 0 {
        &[]
    } else {
        core::slice::from_raw_parts(s.ptr as *const u8, s.slen as usize)
    }
}

pub(crate) unsafe fn string(s: &pj_str_t) -> String {
    crate::sip::chars::lossy(bytes(s)).into_owned()
}

/// `None` for an empty string, as the Rust model has absent fields.
pub(crate) unsafe fn opt_string(s: &pj_str_t) -> Option<String> {
    let b = bytes(s);
    if b.is_empty() {
        None
    } else {
        Some(crate::sip::chars::lossy(b).into_owned())
    }
}

/// A static text as a `pj_str_t` (for names and method strings that pjsip
/// also points at constant storage).
pub(crate) fn static_pj(s: &'static str) -> pj_str_t {
    pj_str_t {
        ptr: s.as_ptr() as *mut c_char,
        slen: s.len() as pj_ssize_t,
    }
}

pub(crate) unsafe fn eq_ci(a: &pj_str_t, b: &pj_str_t) -> bool {
    bytes(a).eq_ignore_ascii_case(bytes(b))
}

// ---------------------------------------------------------------------------
// Intrusive lists (every node starts with `prev`, `next`).

#[repr(C)]
struct Links {
    prev: *mut c_void,
    next: *mut c_void,
}

pub(crate) unsafe fn list_init<T>(node: *mut T) {
    let l = node as *mut Links;
    (*l).prev = node as *mut c_void;
    (*l).next = node as *mut c_void;
}

/// Inserts `node` before `pos` (at the end when `pos` is a list head).
pub(crate) unsafe fn list_insert_before<T, U>(pos: *mut T, node: *mut U) {
    let pos = pos as *mut Links;
    let node_l = node as *mut Links;
    let prev = (*pos).prev as *mut Links;
    (*node_l).prev = prev as *mut c_void;
    (*node_l).next = pos as *mut c_void;
    (*prev).next = node as *mut c_void;
    (*pos).prev = node as *mut c_void;
}

/// Inserts the ring that `first` belongs to (a list without a separate
/// head, as pjsip's header parsers return) before `pos`.
pub(crate) unsafe fn list_insert_nodes_before<T, U>(pos: *mut T, first: *mut U) {
    let pos = pos as *mut Links;
    let first_l = first as *mut Links;
    let last = (*first_l).prev as *mut Links;
    let prev = (*pos).prev as *mut Links;
    (*last).next = pos as *mut c_void;
    (*pos).prev = last as *mut c_void;
    (*prev).next = first as *mut c_void;
    (*first_l).prev = prev as *mut c_void;
}

/// Unlinks `node` and makes it a list of its own (as `pj_list_erase`).
pub(crate) unsafe fn list_erase<T>(node: *mut T) {
    let l = node as *mut Links;
    let prev = (*l).prev as *mut Links;
    let next = (*l).next as *mut Links;
    if !prev.is_null() {
        (*prev).next = next as *mut c_void;
    }
    if !next.is_null() {
        (*next).prev = prev as *mut c_void;
    }
    list_init(node);
}

/// The nodes after `head` up to `head` again (not including it). A NULL
/// link ends the walk; at most [`LIST_LIMIT`] nodes are returned.
pub(crate) unsafe fn list_nodes<T>(head: *const T) -> Vec<*mut T> {
    let mut out = Vec::new();
    if head.is_null() {
        return out;
    }
    let mut p = (*(head as *const Links)).next as *mut T;
    while !p.is_null() && !core::ptr::eq(p, head) && out.len() < LIST_LIMIT {
        out.push(p);
        p = (*(p as *const Links)).next as *mut T;
    }
    out
}

/// The nodes of a ring starting at `first` (used for what pjsip's header
/// parsers return: the first header with the others linked after it).
#[cfg(test)]
pub(crate) unsafe fn ring_nodes<T>(first: *mut T) -> Vec<*mut T> {
    let mut out = Vec::new();
    if first.is_null() {
        return out;
    }
    out.push(first);
    let mut p = (*(first as *const Links)).next as *mut T;
    while !p.is_null() && p != first && out.len() < LIST_LIMIT {
        out.push(p);
        p = (*(p as *const Links)).next as *mut T;
    }
    out
}

// ---------------------------------------------------------------------------
// Parameter lists.

pub(crate) unsafe fn params_to_c(pool: *mut pj_pool_t, head: *mut pjsip_param, params: &[Param]) -> Option<()> {
    list_init(head);
    for p in params {
        let node = alloc::<pjsip_param>(pool)?;
        (*node).name = dup_str(pool, &p.name)?;
        (*node).value = dup_opt(pool, p.value.as_deref())?;
        list_insert_before(head, node);
    }
    Some(())
}

pub(crate) unsafe fn params_from_c(head: *const pjsip_param) -> Vec<Param> {
    list_nodes(head)
        .into_iter()
        .map(|p| Param {
            name: string(&(*p).name),
            value: opt_string(&(*p).value),
        })
        .collect()
}

/// Deep copy of a parameter list (`pjsip_param_clone`).
pub(crate) unsafe fn params_clone(pool: *mut pj_pool_t, dst: *mut pjsip_param, src: *const pjsip_param) -> Option<()> {
    list_init(dst);
    for p in list_nodes(src) {
        let node = alloc::<pjsip_param>(pool)?;
        (*node).name = dup_pj(pool, &(*p).name)?;
        (*node).value = dup_pj(pool, &(*p).value)?;
        list_insert_before(dst, node);
    }
    Some(())
}

/// New list nodes sharing the strings (`pjsip_param_shallow_clone`).
pub(crate) unsafe fn params_shallow_clone(
    pool: *mut pj_pool_t,
    dst: *mut pjsip_param,
    src: *const pjsip_param,
) -> Option<()> {
    list_init(dst);
    for p in list_nodes(src) {
        let node = alloc::<pjsip_param>(pool)?;
        (*node).name = (*p).name;
        (*node).value = (*p).value;
        list_insert_before(dst, node);
    }
    Some(())
}

/// SIP `token` characters as pjsip's scanner defines them.
pub(crate) fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_`'~+".contains(&b)
}

/// Appends `bytes`, writing bytes outside `keep` as lower-case `%xx`.
pub(crate) fn escape_into(out: &mut Vec<u8>, bytes: &[u8], keep: fn(u8) -> bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        if keep(b) {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        }
    }
}

/// pjsip's `pjsip_param_print_on` for header parameters (token escaping):
/// `sep` before each, `name[=value]`, a quoted value as is.
pub(crate) unsafe fn print_params(out: &mut Vec<u8>, head: *const pjsip_param, sep: u8) {
    for p in list_nodes(head) {
        out.push(sep);
        escape_into(out, bytes(&(*p).name), is_token);
        let v = bytes(&(*p).value);
        if !v.is_empty() {
            out.push(b'=');
            if v[0] == b'"' {
                out.extend_from_slice(v);
            } else {
                escape_into(out, v, is_token);
            }
        }
    }
}

/// Decodes well-formed `%XX` escapes (pjsip's `pj_str_unescape`).
pub(crate) fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    if !b.contains(&b'%') {
        return s.to_string();
    }
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------
// Output.

/// Copies `text` to a C buffer of `size` bytes with a NUL after it.
/// Returns the length, or -1 when it does not fit (pjsip's printers fail
/// the same way rather than truncate).
pub(crate) unsafe fn emit(text: &[u8], buf: *mut c_char, size: pj_size_t) -> c_int {
    if buf.is_null() || text.len() >= size || text.len() > c_int::MAX as usize {
        return -1;
    }
    ptr::copy_nonoverlapping(text.as_ptr(), buf as *mut u8, text.len());
    *buf.add(text.len()) = 0;
    text.len() as c_int
}

/// Calls a C print function with growing buffers until the text fits.
/// Returns None if it still fails at 64 KiB.
pub(crate) fn print_growing(mut f: impl FnMut(*mut c_char, usize) -> i64) -> Option<Vec<u8>> {
    let mut size = 512usize;
    while size <= 65536 {
        let mut buf = vec![0u8; size];
        let n = f(buf.as_mut_ptr() as *mut c_char, size);
        if n >= 0 && (n as usize) < size {
            buf.truncate(n as usize);
            return Some(buf);
        }
        size *= 4;
    }
    None
}
