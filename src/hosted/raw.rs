//! Reading and writing host objects at known offsets, and the inline
//! pjlib list operations (pjsip's headers are `pj_list` nodes: `prev` at 0,
//! `next` at 8).

use super::host::{HostApi, HostPtr};
use crate::ffi::types::pj_str_t;

/// The value at `base + off`.
///
/// # Safety
/// `base + off` holds a `T` of the host's object.
pub unsafe fn read<T: Copy>(base: *const core::ffi::c_void, off: usize) -> T {
    core::ptr::read_unaligned(base.cast::<u8>().add(off).cast::<T>())
}

/// Writes `value` at `base + off`.
///
/// # Safety
/// `base + off` holds a `T` of the host's object, which may be written.
pub unsafe fn write<T: Copy>(base: HostPtr, off: usize, value: T) {
    core::ptr::write_unaligned(base.cast::<u8>().add(off).cast::<T>(), value)
}

/// A NUL-terminated name in a fixed array (an `obj_name`), at most `max`.
///
/// # Safety
/// `base + off` holds `max` readable bytes.
pub unsafe fn read_str(base: *const core::ffi::c_void, off: usize, max: usize) -> String {
    let bytes = core::slice::from_raw_parts(base.cast::<u8>().add(off), max);
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(max);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `prev` / `next` of a list node.
pub unsafe fn next(node: HostPtr) -> HostPtr {
    read(node, 8)
}

/// Inserts `node` before `pos` (at the end when `pos` is the list head).
///
/// # Safety
/// Both are nodes of the same live list, `node` not linked.
pub unsafe fn insert_before(pos: HostPtr, node: HostPtr) {
    let prev: HostPtr = read(pos, 0);
    write(node, 0, prev);
    write(node, 8, pos);
    write(prev, 8, node);
    write(pos, 0, node);
}

/// Inserts `node` after `pos`.
///
/// # Safety
/// As for [`insert_before`].
pub unsafe fn insert_after(pos: HostPtr, node: HostPtr) {
    insert_before(next(pos), node)
}

/// Unlinks `node` from its list.
///
/// # Safety
/// `node` is linked in a live list.
pub unsafe fn erase(node: HostPtr) {
    let prev: HostPtr = read(node, 0);
    let nxt: HostPtr = read(node, 8);
    write(prev, 8, nxt);
    write(nxt, 0, prev);
    write(node, 0, node);
    write(node, 8, node);
}

/// `bytes` copied into the host pool, NUL-terminated (pjsip's parsers need
/// it), as a pj_str_t without the NUL.
///
/// # Safety
/// `pool` is a live host pool.
pub unsafe fn pool_str(h: &HostApi, pool: HostPtr, bytes: &[u8]) -> Option<pj_str_t> {
    let p = (h.pj_pool_calloc)(pool, 1, bytes.len() + 1).cast::<u8>();
    if p.is_null() {
        return None;
    }
    core::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
    Some(pj_str_t { ptr: p.cast(), slen: bytes.len() as _ })
}

/// A Rust view of a host pj_str_t ("" when malformed).
///
/// # Safety
/// As for `crate::ffi::util::pj_bytes`.
pub unsafe fn str_bytes<'a>(s: &pj_str_t) -> &'a [u8] {
    crate::ffi::util::pj_bytes(s).unwrap_or(&[])
}
