//! Memory pools (`pj_pool_*`) and the caching pool factory.
//!
//! A pool is a real `pj_pool_t` with pjproject's layout: the pool header
//! and its first block share the first allocation, and further blocks are
//! chained in `block_list` (newest first). Allocation is a bump pointer
//! aligned to `pool->alignment`; memory is only given back when the pool is
//! reset or released. Block memory comes from the factory's policy
//! (`block_alloc`/`block_free`), malloc/free by default.
//!
//! The caching pool keeps released pools in 16 size classes as long as the
//! total stays under `max_capacity`, exactly like pjproject, and frees every
//! pool it knows (cached or still in use) on destroy. Its mutex lives in the
//! struct's `pool_buf` and `lock` points at it.

use super::list::{list_erase, list_init, list_insert_after, list_insert_before};
use super::log::log;
use crate::ffi::guard::guard;
use crate::ffi::types::{
    pj_bool_t, pj_caching_pool, pj_list, pj_lock_t, pj_pool_block, pj_pool_callback_fn,
    pj_pool_factory, pj_pool_factory_policy, pj_pool_t, pj_size_t, pj_str_t,
};
use core::ffi::{c_char, c_int, c_void, CStr};
use core::mem::size_of;
use core::ptr::{self, addr_of_mut, null_mut};
use parking_lot::lock_api::RawMutex as _;
use parking_lot::RawMutex;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default allocation alignment of a pool (PJ_POOL_ALIGNMENT).
pub const PJ_POOL_ALIGNMENT: usize = 8;
const POOL_HDR: usize = size_of::<pj_pool_t>();
const BLOCK_HDR: usize = size_of::<pj_pool_block>();
const CACHE_CLASSES: usize = 16;
/// Size classes of the caching pool's free lists.
const POOL_SIZES: [usize; CACHE_CLASSES] = [
    256, 512, 1024, 2048, 4096, 8192, 12288, 16384, 20480, 24576, 28672, 32768, 40960, 49152,
    57344, 65536,
];
/// Index where the size-class search starts (8192 bytes).
const START_SIZE: usize = 5;

// ---------------------------------------------------------------------------
// Default policy and the out-of-memory "exception".

/// Exception id raised by the default out-of-memory callback; pj_init sets it.
#[no_mangle]
pub static mut PJ_NO_MEMORY_EXCEPTION: c_int = 0;

/// Returns the id of the out-of-memory exception.
#[no_mangle]
pub extern "C" fn pj_NO_MEMORY_EXCEPTION() -> c_int {
    // SAFETY: plain int read; written only by pj_init.
    guard(0, || unsafe {
        ptr::read_volatile(ptr::addr_of!(PJ_NO_MEMORY_EXCEPTION))
    })
}

unsafe extern "C" fn default_block_alloc(
    factory: *mut pj_pool_factory,
    size: pj_size_t,
) -> *mut c_void {
    guard(null_mut(), || {
        if !factory.is_null() {
            if let Some(hook) = (*factory).on_block_alloc {
                if hook(factory, size) == 0 {
                    return null_mut();
                }
            }
        }
        let p = libc::malloc(size.max(1));
        if p.is_null() && !factory.is_null() {
            if let Some(hook) = (*factory).on_block_free {
                hook(factory, size);
            }
        }
        p
    })
}

unsafe extern "C" fn default_block_free(
    factory: *mut pj_pool_factory,
    mem: *mut c_void,
    size: pj_size_t,
) {
    guard((), || {
        if !factory.is_null() {
            if let Some(hook) = (*factory).on_block_free {
                hook(factory, size);
            }
        }
        libc::free(mem);
    })
}

/// pjproject's default callback throws PJ_NO_MEMORY_EXCEPTION; with no
/// handler installed (we have no exception frames) that ends the process.
unsafe extern "C" fn default_pool_callback(pool: *mut pj_pool_t, size: pj_size_t) {
    let name = pool_name(pool);
    log(
        1,
        "except.c",
        &format!("!!!FATAL: unhandled exception PJLIB/No memory! ({name}, {size} bytes)"),
    );
    std::process::abort();
}

/// The policy used when `pj_caching_pool_init` gets NULL: malloc/free
/// blocks and a fatal out-of-memory callback. Writable, as in pjproject.
#[no_mangle]
pub static mut pj_pool_factory_default_policy: pj_pool_factory_policy = pj_pool_factory_policy {
    block_alloc: Some(default_block_alloc),
    block_free: Some(default_block_free),
    callback: Some(default_pool_callback),
    flags: 0,
};

// ---------------------------------------------------------------------------
// Pool internals (all callers pass a valid pool).

fn align_ptr(p: *mut u8, alignment: usize) -> *mut u8 {
    p.wrapping_add(p.addr().wrapping_neg() & (alignment - 1))
}

fn is_pow2(v: usize) -> bool {
    v != 0 && v & (v - 1) == 0
}

unsafe fn sentinel(pool: *mut pj_pool_t) -> *mut pj_pool_block {
    addr_of_mut!((*pool).block_list)
}

unsafe fn call_callback(pool: *mut pj_pool_t, size: usize) {
    if let Some(cb) = (*pool).callback {
        cb(pool, size);
    }
}

unsafe fn pool_name(pool: *const pj_pool_t) -> String {
    if pool.is_null() {
        return String::new();
    }
    let name = &(*pool).obj_name;
    let bytes: Vec<u8> = name
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Writes the pool's name: a name ending in "%p" gets the pool's address
/// (as printf's %p prints it) in place of the "%p"; any other name is
/// copied, cut to 31 characters. NULL gives "".
unsafe fn set_pool_name(pool: *mut pj_pool_t, name: *const c_char) {
    let dst = &mut (*pool).obj_name;
    dst.fill(0);
    if name.is_null() {
        return;
    }
    let bytes = CStr::from_ptr(name).to_bytes();
    let mut out = ObjName { buf: dst, len: 0 };
    if let Some(prefix) = bytes.strip_suffix(b"%p") {
        out.push(prefix);
        out.push_pointer(pool as usize);
    } else {
        out.push(bytes);
    }
}

/// Writes an object name into a fixed buffer, truncated to leave its NUL
/// (pools are made for every message: no allocation, no formatter).
pub(crate) struct ObjName<'a> {
    buf: &'a mut [c_char],
    len: usize,
}

impl<'a> ObjName<'a> {
    /// Writes into `buf`, which must be zeroed.
    pub(crate) fn new(buf: &'a mut [c_char]) -> ObjName<'a> {
        ObjName { buf, len: 0 }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.len + 1 >= self.buf.len() {
                return;
            }
            self.buf[self.len] = b as c_char;
            self.len += 1;
        }
    }

    /// An address as `%p` prints it on Linux: `0x` and lowercase hex.
    pub(crate) fn push_pointer(&mut self, addr: usize) {
        self.push(b"0x");
        let digits = (usize::BITS - addr.leading_zeros()).div_ceil(4).max(1);
        for i in (0..digits).rev() {
            self.push(&[b"0123456789abcdef"[(addr >> (i * 4)) & 0xf]]);
        }
    }
}

unsafe fn pool_init_int(
    pool: *mut pj_pool_t,
    name: *const c_char,
    increment_size: usize,
    alignment: usize,
    callback: pj_pool_callback_fn,
) {
    (*pool).increment_size = increment_size;
    (*pool).callback = callback;
    (*pool).alignment = if alignment == 0 {
        PJ_POOL_ALIGNMENT
    } else {
        alignment
    };
    set_pool_name(pool, name);
}

/// Creates a pool whose header and first block live in one allocation of
/// `initial_size` bytes obtained from the factory's policy.
unsafe fn pool_create_int(
    f: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: usize,
    increment_size: usize,
    alignment: usize,
    callback: pj_pool_callback_fn,
) -> *mut pj_pool_t {
    if initial_size < POOL_HDR + BLOCK_HDR || (alignment != 0 && !is_pow2(alignment)) {
        return null_mut();
    }
    let callback = if callback.is_some() {
        callback
    } else {
        (*f).policy.callback
    };
    let Some(block_alloc) = (*f).policy.block_alloc else {
        return null_mut();
    };
    let buffer = block_alloc(f, initial_size) as *mut u8;
    if buffer.is_null() {
        return null_mut();
    }
    let pool = buffer as *mut pj_pool_t;
    ptr::write_bytes(buffer, 0, POOL_HDR);
    list_init(sentinel(pool) as *mut c_void);
    (*pool).factory = f;

    let block = buffer.add(POOL_HDR) as *mut pj_pool_block;
    (*block).buf = (block as *mut u8).add(BLOCK_HDR);
    (*block).end = buffer.add(initial_size);
    let align = if alignment == 0 {
        PJ_POOL_ALIGNMENT
    } else {
        alignment
    };
    (*block).cur = align_ptr((*block).buf, align);
    list_insert_after(sentinel(pool) as *mut c_void, block as *mut c_void);

    pool_init_int(pool, name, increment_size, alignment, callback);
    (*pool).capacity = initial_size;
    pool
}

/// Frees every block but the first (which holds the pool header) and
/// rewinds the first one.
unsafe fn reset_pool(pool: *mut pj_pool_t) {
    let head = sentinel(pool);
    let first = (*head).prev;
    if first == head {
        return;
    }
    let f = (*pool).factory;
    let mut block = (*first).prev;
    while block != head {
        let prev = (*block).prev;
        list_erase(block as *mut c_void);
        let size = ((*block).end as usize).wrapping_sub(block as usize);
        if !f.is_null() {
            if let Some(free) = (*f).policy.block_free {
                free(f, block as *mut c_void, size);
            }
        }
        block = prev;
    }
    let first = (*head).next;
    (*first).cur = align_ptr((*first).buf, (*pool).alignment.max(1));
    (*pool).capacity = ((*first).end as usize).wrapping_sub(pool as usize);
}

/// Frees all memory of the pool, header included.
unsafe fn pool_destroy_int(pool: *mut pj_pool_t) {
    reset_pool(pool);
    let head = sentinel(pool);
    let first = (*head).next;
    let initial = if first == head {
        POOL_HDR
    } else {
        ((*first).end as usize).wrapping_sub(pool as usize)
    };
    let f = (*pool).factory;
    if !f.is_null() {
        if let Some(free) = (*f).policy.block_free {
            free(f, pool as *mut c_void, initial);
        }
    }
}

/// The pool's block and its bump pointer, when the pool has exactly one
/// block (its first, which lives as long as the pool).
///
/// # Safety
/// `pool` must be a live pool.
pub(crate) unsafe fn sole_block(pool: *mut pj_pool_t) -> Option<(*mut pj_pool_block, *mut u8)> {
    let head = sentinel(pool);
    let first = (*head).next;
    (!first.is_null() && first != head && (*first).next == head).then(|| (first, (*first).cur))
}

/// The bytes the pool handed out since it stood at `from` in `first`, its
/// only block then: the rest of `first`, and the used part of each block
/// added since. Blocks stay where they are until the pool is reset or
/// released. Empty when `first` is no longer the pool's first block.
///
/// # Safety
/// `pool` must be a live pool, and `first` and `from` what
/// [`sole_block`] returned for it.
pub(crate) unsafe fn used_since<'a>(pool: *mut pj_pool_t, first: *mut pj_pool_block, from: *mut u8) -> Vec<(*mut pj_pool_block, &'a [u8])> {
    let head = sentinel(pool);
    let mut out = Vec::new();
    if (*head).prev != first {
        return out;
    }
    let mut b = (*head).next;
    let mut count = 0;
    while b != head && !b.is_null() && count < 64 {
        let start = if b == first { from } else { (*b).buf };
        let len = ((*b).cur as usize).saturating_sub(start as usize);
        out.push((b, core::slice::from_raw_parts(start, len)));
        b = (*b).next;
        count += 1;
    }
    out
}

/// Takes `size` bytes (already a multiple of `alignment`) from one block.
unsafe fn alloc_from_block(block: *mut pj_pool_block, alignment: usize, size: usize) -> *mut u8 {
    let ptr = align_ptr((*block).cur, alignment);
    let end = (*block).end;
    if ptr.addr() >= (*block).cur.addr()
        && ptr.addr() <= end.addr()
        && size <= end.addr() - ptr.addr()
    {
        (*block).cur = ptr.wrapping_add(size);
        return ptr;
    }
    null_mut()
}

unsafe fn create_block(pool: *mut pj_pool_t, size: usize) -> *mut pj_pool_block {
    let f = (*pool).factory;
    let mem = match (*f).policy.block_alloc {
        Some(alloc) => alloc(f, size) as *mut u8,
        None => null_mut(),
    };
    if mem.is_null() {
        call_callback(pool, size);
        return null_mut();
    }
    (*pool).capacity = (*pool).capacity.wrapping_add(size);
    let block = mem as *mut pj_pool_block;
    (*block).buf = mem.add(BLOCK_HDR);
    (*block).end = mem.add(size);
    (*block).cur = align_ptr((*block).buf, (*pool).alignment.max(1));
    list_insert_after(sentinel(pool) as *mut c_void, block as *mut c_void);
    block
}

unsafe fn allocate_find(pool: *mut pj_pool_t, alignment: usize, size: usize) -> *mut u8 {
    let head = sentinel(pool);
    let mut block = (*head).next;
    while block != head {
        let p = alloc_from_block(block, alignment, size);
        if !p.is_null() {
            return p;
        }
        block = (*block).next;
    }
    let inc = (*pool).increment_size;
    if inc == 0 || (*pool).factory.is_null() {
        call_callback(pool, size);
        return null_mut();
    }
    // Room for the request, the block header and the alignment slack.
    let Some(need) = size
        .checked_add(BLOCK_HDR)
        .and_then(|n| n.checked_add(alignment))
    else {
        call_callback(pool, size);
        return null_mut();
    };
    let block_size = if inc < need {
        match need
            .checked_add(inc)
            .map(|n| n / inc)
            .and_then(|count| count.checked_mul(inc))
        {
            Some(s) => s,
            None => {
                call_callback(pool, size);
                return null_mut();
            }
        }
    } else {
        inc
    };
    let block = create_block(pool, block_size);
    if block.is_null() {
        return null_mut();
    }
    alloc_from_block(block, alignment, size)
}

unsafe fn aligned_alloc(pool: *mut pj_pool_t, alignment: usize, size: usize) -> *mut u8 {
    if alignment != 0 && !is_pow2(alignment) {
        return null_mut();
    }
    let alignment = alignment.max((*pool).alignment).max(1);
    let size = if size & (alignment - 1) != 0 {
        match size.checked_add(alignment) {
            Some(s) => s & !(alignment - 1),
            None => {
                call_callback(pool, size);
                return null_mut();
            }
        }
    } else {
        size
    };
    let head = sentinel(pool);
    let first = (*head).next;
    if first != head {
        let p = alloc_from_block(first, alignment, size);
        if !p.is_null() {
            return p;
        }
    }
    allocate_find(pool, alignment, size)
}

// ---------------------------------------------------------------------------
// Exported pool functions.

// Keep a function taking `pj_pool_t *`/`pj_pool_factory *` ahead of any
// item that names `pj_pool_factory_policy` first: cbindgen emits structs in
// the order it first reaches them, and reaching the policy first would put
// `pj_pool_factory` (which embeds it) before it in the header.

/// Creates a pool through `factory->create_pool` (8-byte alignment).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_create(
    factory: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: pj_size_t,
    increment_size: pj_size_t,
    callback: pj_pool_callback_fn,
) -> *mut pj_pool_t {
    pj_pool_aligned_create(factory, name, initial_size, increment_size, 0, callback)
}

/// Creates a pool through `factory->create_pool` with the given alignment
/// (0 means 8; otherwise a power of two).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_aligned_create(
    factory: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: pj_size_t,
    increment_size: pj_size_t,
    alignment: pj_size_t,
    callback: pj_pool_callback_fn,
) -> *mut pj_pool_t {
    guard(null_mut(), || {
        if factory.is_null() {
            return null_mut();
        }
        match (*factory).create_pool {
            Some(create) => create(
                factory,
                name,
                initial_size,
                increment_size,
                alignment,
                callback,
            ),
            None => null_mut(),
        }
    })
}

/// Gives the pool back to its factory (`factory->release_pool`).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_release(pool: *mut pj_pool_t) {
    guard((), || release_pool(pool))
}

/// Sets `*ppool` to NULL, then releases the pool it held (if any).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_safe_release(ppool: *mut *mut pj_pool_t) {
    guard((), || {
        if ppool.is_null() {
            return;
        }
        let pool = *ppool;
        *ppool = null_mut();
        release_pool(pool);
    })
}

/// Like `pj_pool_safe_release`, but wipes every block's memory first.
#[no_mangle]
pub unsafe extern "C" fn pj_pool_secure_release(ppool: *mut *mut pj_pool_t) {
    guard((), || {
        if ppool.is_null() {
            return;
        }
        let pool = *ppool;
        *ppool = null_mut();
        if pool.is_null() {
            return;
        }
        let head = sentinel(pool);
        let mut b = (*head).next;
        while b != head {
            let mut p = (*b).buf;
            while p < (*b).end {
                ptr::write_volatile(p, 0);
                p = p.add(1);
            }
            b = (*b).next;
        }
        release_pool(pool);
    })
}

/// Allocates `size` bytes aligned to the pool's alignment.
#[no_mangle]
pub unsafe extern "C" fn pj_pool_alloc(pool: *mut pj_pool_t, size: pj_size_t) -> *mut c_void {
    guard(null_mut(), || pool_alloc(pool, size) as *mut c_void)
}

/// Allocates `size` bytes aligned to `alignment` (0 or below the pool's
/// own alignment means the pool's alignment; must be a power of two).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_aligned_alloc(
    pool: *mut pj_pool_t,
    alignment: pj_size_t,
    size: pj_size_t,
) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() {
            return null_mut();
        }
        aligned_alloc(pool, alignment, size) as *mut c_void
    })
}

/// Allocates `count * elem` zeroed bytes; an overflowing product calls
/// the pool's callback with `(pj_size_t)-1` and returns NULL.
#[no_mangle]
pub unsafe extern "C" fn pj_pool_calloc(
    pool: *mut pj_pool_t,
    count: pj_size_t,
    elem: pj_size_t,
) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() {
            return null_mut();
        }
        match count.checked_mul(elem) {
            Some(total) => pool_zalloc(pool, total) as *mut c_void,
            None => {
                call_callback(pool, usize::MAX);
                null_mut()
            }
        }
    })
}

/// Frees every block but the first and makes all memory available again.
#[no_mangle]
pub unsafe extern "C" fn pj_pool_reset(pool: *mut pj_pool_t) {
    guard((), || {
        if !pool.is_null() {
            reset_pool(pool);
        }
    })
}

/// Total bytes of all blocks of the pool (header included).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_get_capacity(pool: *mut pj_pool_t) -> pj_size_t {
    guard(0, || if pool.is_null() { 0 } else { (*pool).capacity })
}

/// The header size plus, per block, the block header and its used bytes.
#[no_mangle]
pub unsafe extern "C" fn pj_pool_get_used_size(pool: *mut pj_pool_t) -> pj_size_t {
    guard(0, || {
        if pool.is_null() {
            return 0;
        }
        let head = sentinel(pool);
        let mut used = POOL_HDR;
        let mut b = (*head).next;
        while b != head {
            used += BLOCK_HDR + ((*b).cur as usize).wrapping_sub((*b).buf as usize);
            b = (*b).next;
        }
        used
    })
}

/// The pool's name (stored in the pool itself).
#[no_mangle]
pub unsafe extern "C" fn pj_pool_getobjname(pool: *const pj_pool_t) -> *const c_char {
    guard(c"".as_ptr(), || {
        if pool.is_null() {
            c"".as_ptr()
        } else {
            (*pool).obj_name.as_ptr()
        }
    })
}

/// Returns the address of `pj_pool_factory_default_policy`.
#[no_mangle]
pub extern "C" fn pj_pool_factory_get_default_policy() -> *const pj_pool_factory_policy {
    ptr::addr_of!(pj_pool_factory_default_policy)
}

// ---------------------------------------------------------------------------
// Caching pool.

unsafe fn cp_mutex(cp: *mut pj_caching_pool) -> *const RawMutex {
    addr_of_mut!((*cp).pool_buf) as *const RawMutex
}

struct CpLock(*const RawMutex);
impl CpLock {
    unsafe fn new(cp: *mut pj_caching_pool) -> Self {
        let m = cp_mutex(cp);
        (*m).lock();
        CpLock(m)
    }
}
impl Drop for CpLock {
    fn drop(&mut self) {
        // SAFETY: locked in `new` by this same guard.
        unsafe { (*self.0).unlock() }
    }
}

fn size_class(initial_size: usize) -> usize {
    if initial_size <= POOL_SIZES[START_SIZE] {
        let mut idx = START_SIZE as isize - 1;
        while idx >= 0 && POOL_SIZES[idx as usize] >= initial_size {
            idx -= 1;
        }
        (idx + 1) as usize
    } else {
        let mut idx = START_SIZE + 1;
        while idx < CACHE_CLASSES && POOL_SIZES[idx] < initial_size {
            idx += 1;
        }
        idx
    }
}

unsafe fn list_empty(node: *mut pj_list) -> bool {
    (*node).next == node as *mut c_void
}

/// Marks, in `factory_data`, a pool handed out by a caching pool and not
/// yet released, so a release can be checked in O(1) even with many
/// thousands of pools in use (one per registration).
const IN_USE: usize = 1 << (usize::BITS - 1);

unsafe extern "C" fn cpool_create_pool(
    pf: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: pj_size_t,
    increment_size: pj_size_t,
    alignment: pj_size_t,
    callback: pj_pool_callback_fn,
) -> *mut pj_pool_t {
    guard(null_mut(), || {
        if pf.is_null() || (alignment != 0 && !is_pow2(alignment)) {
            return null_mut();
        }
        let cp = pf as *mut pj_caching_pool;
        let _lock = CpLock::new(cp);
        let callback = if callback.is_some() {
            callback
        } else {
            (*pf).policy.callback
        };
        let idx = size_class(initial_size);
        let pool;
        if idx == CACHE_CLASSES || list_empty(addr_of_mut!((*cp).free_list[idx])) {
            let size = if idx < CACHE_CLASSES {
                POOL_SIZES[idx]
            } else {
                initial_size
            };
            pool = pool_create_int(pf, name, size, increment_size, alignment, callback);
            if pool.is_null() {
                return null_mut();
            }
        } else {
            pool = (*cp).free_list[idx].next as *mut pj_pool_t;
            list_erase(pool as *mut c_void);
            pool_init_int(pool, name, increment_size, alignment, callback);
            (*cp).capacity = (*cp).capacity.saturating_sub((*pool).capacity);
        }
        list_insert_before(
            addr_of_mut!((*cp).used_list) as *mut c_void,
            pool as *mut c_void,
        );
        (*pool).factory_data = (idx | IN_USE) as *mut c_void;
        (*cp).used_count += 1;
        pool
    })
}

unsafe extern "C" fn cpool_release_pool(pf: *mut pj_pool_factory, pool: *mut pj_pool_t) {
    guard((), || {
        if pf.is_null() || pool.is_null() {
            return;
        }
        if !cpool_take_back(pf as *mut pj_caching_pool, pool) {
            log(
                2,
                "cachingpool",
                "Attempt to release a pool that is not in use in this caching pool",
            );
        }
    })
}

/// Takes a released pool back: caches it (reset) when it fits under
/// `max_capacity`, else frees it. Returns false, touching nothing, for a
/// pool that is not in use in this caching pool (double release, or a
/// pool of another factory), since freeing it again would corrupt memory.
unsafe fn cpool_take_back(cp: *mut pj_caching_pool, pool: *mut pj_pool_t) -> bool {
    let _lock = CpLock::new(cp);
    let mark = (*pool).factory_data as usize;
    if (*pool).factory != cp as *mut pj_pool_factory || mark & IN_USE == 0 {
        return false;
    }
    let idx = mark & !IN_USE;
    (*pool).factory_data = idx as *mut c_void;
    list_erase(pool as *mut c_void);
    (*cp).used_count = (*cp).used_count.saturating_sub(1);
    let capacity = (*pool).capacity;
    if capacity > POOL_SIZES[CACHE_CLASSES - 1]
        || (*cp).capacity.saturating_add(capacity) > (*cp).max_capacity
        || idx >= CACHE_CLASSES
    {
        pool_destroy_int(pool);
        return true;
    }
    reset_pool(pool);
    list_insert_after(
        addr_of_mut!((*cp).free_list[idx]) as *mut c_void,
        pool as *mut c_void,
    );
    (*cp).capacity += (*pool).capacity;
    true
}

unsafe extern "C" fn cpool_dump_status(pf: *mut pj_pool_factory, detail: pj_bool_t) {
    guard((), || {
        if pf.is_null() {
            return;
        }
        // Collect the lines under the lock, log them after it (a log writer
        // may well use this caching pool).
        let mut lines = vec![" Dumping caching pool:".to_string()];
        {
            let cp = pf as *mut pj_caching_pool;
            let _lock = CpLock::new(cp);
            lines.push(format!(
                "   Capacity={}, max_capacity={}, used_cnt={}",
                (*cp).capacity,
                (*cp).max_capacity,
                (*cp).used_count
            ));
            if detail != 0 {
                let head = addr_of_mut!((*cp).used_list) as *mut c_void;
                let (mut total_used, mut total_cap) = (0usize, 0usize);
                lines.push("  Dumping all active pools:".to_string());
                let mut p = (*cp).used_list.next;
                while p != head {
                    let pool = p as *mut pj_pool_t;
                    let used = pj_pool_get_used_size(pool);
                    let cap = (*pool).capacity.max(1);
                    lines.push(format!(
                        "   {:>16}: {:8} of {:8} ({}%) used",
                        pool_name(pool),
                        used,
                        cap,
                        used * 100 / cap
                    ));
                    total_used += used;
                    total_cap += cap;
                    p = (*pool).next as *mut c_void;
                }
                if total_cap > 0 {
                    lines.push(format!(
                        "  Total {:9} of {:9} ({} %) used!",
                        total_used,
                        total_cap,
                        total_used * 100 / total_cap
                    ));
                }
            }
        }
        for line in &lines {
            log(3, "cachpool", line);
        }
    })
}

/// Initialises a caching pool: zeroes it, copies `policy` (NULL means the
/// default policy) and installs the create/release/dump functions.
/// `max_capacity` is how many bytes of released pools are kept for reuse.
#[no_mangle]
pub unsafe extern "C" fn pj_caching_pool_init(
    cp: *mut pj_caching_pool,
    policy: *const pj_pool_factory_policy,
    max_capacity: pj_size_t,
) {
    guard((), || {
        if cp.is_null() {
            return;
        }
        ptr::write_bytes(cp as *mut u8, 0, size_of::<pj_caching_pool>());
        (*cp).max_capacity = max_capacity;
        list_init(addr_of_mut!((*cp).used_list) as *mut c_void);
        for i in 0..CACHE_CLASSES {
            list_init(addr_of_mut!((*cp).free_list[i]) as *mut c_void);
        }
        let policy = if policy.is_null() {
            ptr::addr_of!(pj_pool_factory_default_policy)
        } else {
            policy
        };
        (*cp).factory.policy = ptr::read(policy);
        (*cp).factory.create_pool = Some(cpool_create_pool);
        (*cp).factory.release_pool = Some(cpool_release_pool);
        (*cp).factory.dump_status = Some(cpool_dump_status);
        (*cp).factory.on_block_alloc = None;
        (*cp).factory.on_block_free = None;
        let m = cp_mutex(cp) as *mut RawMutex;
        ptr::write(m, RawMutex::INIT);
        (*cp).lock = m as *mut pj_lock_t;
    })
}

/// Frees every pool of the caching pool, the cached ones and those the
/// application never released (logged at level 4, as pjproject does).
#[no_mangle]
pub unsafe extern "C" fn pj_caching_pool_destroy(cp: *mut pj_caching_pool) {
    guard((), || {
        if cp.is_null() || (*cp).lock.is_null() {
            return;
        }
        let mut cached = Vec::new();
        let mut in_use = Vec::new();
        {
            let _lock = CpLock::new(cp);
            for i in 0..CACHE_CLASSES {
                let head = addr_of_mut!((*cp).free_list[i]) as *mut c_void;
                let mut p = (*cp).free_list[i].next;
                while p != head {
                    let next = (*(p as *mut pj_list)).next;
                    list_erase(p);
                    cached.push(p as *mut pj_pool_t);
                    p = next;
                }
            }
            let head = addr_of_mut!((*cp).used_list) as *mut c_void;
            let mut p = (*cp).used_list.next;
            while p != head {
                let next = (*(p as *mut pj_list)).next;
                list_erase(p);
                in_use.push(p as *mut pj_pool_t);
                p = next;
            }
            (*cp).capacity = 0;
        }
        for pool in cached {
            pool_destroy_int(pool);
        }
        for pool in in_use {
            log(
                4,
                &pool_name(pool),
                "Pool is not released by application, releasing now",
            );
            pool_destroy_int(pool);
        }
    })
}

// ---------------------------------------------------------------------------
// Standalone factory for the library's own objects.

struct FactoryCell(UnsafeCell<pj_pool_factory>);
// SAFETY: the factory is never written after construction; its functions
// only use thread-safe allocation and an atomic counter.
unsafe impl Sync for FactoryCell {}

static STANDALONE_POOLS: AtomicUsize = AtomicUsize::new(0);

/// Out-of-memory callback that does nothing, so the allocation returns NULL.
pub unsafe extern "C" fn null_pool_callback(_pool: *mut pj_pool_t, _size: pj_size_t) {}

unsafe extern "C" fn standalone_create(
    f: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: pj_size_t,
    increment_size: pj_size_t,
    alignment: pj_size_t,
    callback: pj_pool_callback_fn,
) -> *mut pj_pool_t {
    guard(null_mut(), || {
        let pool = pool_create_int(f, name, initial_size, increment_size, alignment, callback);
        if !pool.is_null() {
            STANDALONE_POOLS.fetch_add(1, Ordering::Relaxed);
        }
        pool
    })
}

unsafe extern "C" fn standalone_release(_f: *mut pj_pool_factory, pool: *mut pj_pool_t) {
    guard((), || {
        if !pool.is_null() {
            pool_destroy_int(pool);
            STANDALONE_POOLS.fetch_sub(1, Ordering::Relaxed);
        }
    })
}

unsafe extern "C" fn standalone_dump(_f: *mut pj_pool_factory, _detail: pj_bool_t) {
    guard((), || {
        log(
            3,
            "pjregc-pool",
            &format!(
                " Standalone pools in use: {}",
                STANDALONE_POOLS.load(Ordering::Relaxed)
            ),
        );
    })
}

static STANDALONE: FactoryCell = FactoryCell(UnsafeCell::new(pj_pool_factory {
    policy: pj_pool_factory_policy {
        block_alloc: Some(default_block_alloc),
        block_free: Some(default_block_free),
        callback: Some(null_pool_callback),
        flags: 0,
    },
    create_pool: Some(standalone_create),
    release_pool: Some(standalone_release),
    dump_status: Some(standalone_dump),
    on_block_alloc: None,
    on_block_free: None,
}));

// ---------------------------------------------------------------------------
// Rust-side API.

/// A process-wide factory not tied to any caching pool: pools are malloc'd
/// on create and freed on release, and running out of memory makes the
/// allocation return NULL (no abort).
pub fn standalone_factory() -> *mut pj_pool_factory {
    STANDALONE.0.get()
}

/// Number of standalone pools currently alive (for leak checks in tests).
pub fn standalone_pool_count() -> usize {
    STANDALONE_POOLS.load(Ordering::Relaxed)
}

/// Creates a pool through `factory->create_pool`, as pjsip does with the
/// endpoint's factory. Out of memory returns NULL instead of aborting
/// (the pool's callback does nothing). NULL factory or no create function
/// gives NULL.
///
/// # Safety
/// `factory` must be NULL or a valid factory; `name` NULL or a C string.
pub unsafe fn create_pool_from_factory(
    factory: *mut pj_pool_factory,
    name: *const c_char,
    initial_size: usize,
    increment_size: usize,
) -> *mut pj_pool_t {
    if factory.is_null() {
        return null_mut();
    }
    match (*factory).create_pool {
        Some(create) => create(
            factory,
            name,
            initial_size,
            increment_size,
            0,
            Some(null_pool_callback),
        ),
        None => null_mut(),
    }
}

/// Creates a pool from the standalone factory (see [`standalone_factory`]).
pub fn create_standalone_pool(
    name: &CStr,
    initial_size: usize,
    increment_size: usize,
) -> *mut pj_pool_t {
    // SAFETY: the standalone factory is valid for the whole process.
    unsafe {
        create_pool_from_factory(
            standalone_factory(),
            name.as_ptr(),
            initial_size,
            increment_size,
        )
    }
}

/// Gives a pool back to its factory; NULL is ignored.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn release_pool(pool: *mut pj_pool_t) {
    if pool.is_null() {
        return;
    }
    let f = (*pool).factory;
    if f.is_null() {
        return;
    }
    if let Some(release) = (*f).release_pool {
        release(f, pool);
    }
}

/// Allocates `size` bytes from the pool (NULL on failure or NULL pool).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn pool_alloc(pool: *mut pj_pool_t, size: usize) -> *mut u8 {
    if pool.is_null() {
        return null_mut();
    }
    aligned_alloc(pool, 0, size)
}

/// Allocates `size` zeroed bytes from the pool.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn pool_zalloc(pool: *mut pj_pool_t, size: usize) -> *mut u8 {
    let p = pool_alloc(pool, size);
    if !p.is_null() {
        ptr::write_bytes(p, 0, size);
    }
    p
}

/// Allocates a zeroed `T` from the pool (its alignment is honoured).
///
/// # Safety
/// `pool` must be NULL or a live pool, and all-zero bytes must be a valid
/// `T` before the caller initialises it.
pub unsafe fn pool_alloc_obj<T>(pool: *mut pj_pool_t) -> *mut T {
    if pool.is_null() {
        return null_mut();
    }
    let p = aligned_alloc(pool, core::mem::align_of::<T>(), size_of::<T>());
    if !p.is_null() {
        ptr::write_bytes(p, 0, size_of::<T>());
    }
    p as *mut T
}

/// Copies `bytes` into the pool and returns them as a `pj_str_t` (with a
/// NUL after the last byte, not counted in `slen`). Empty input, a NULL
/// pool or running out of memory give `{NULL, 0}`.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn pool_strdup(pool: *mut pj_pool_t, bytes: &[u8]) -> pj_str_t {
    let empty = pj_str_t {
        ptr: null_mut(),
        slen: 0,
    };
    if bytes.is_empty() {
        return empty;
    }
    let Some(size) = bytes.len().checked_add(1) else {
        return empty;
    };
    let p = pool_alloc(pool, size);
    if p.is_null() {
        return empty;
    }
    ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
    *p.add(bytes.len()) = 0;
    pj_str_t {
        ptr: p as *mut c_char,
        slen: bytes.len() as _,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn count_cb(pool: *mut pj_pool_t, _size: pj_size_t) {
        // Record the call in the pool's factory_data-independent way: bump
        // the first byte of the name.
        (*pool).obj_name[0] = b'!' as c_char;
    }

    #[test]
    fn alloc_alignment_and_growth() {
        unsafe {
            let pool = create_standalone_pool(c"t%p", 512, 256);
            assert!(!pool.is_null());
            let name = CStr::from_ptr(pj_pool_getobjname(pool))
                .to_str()
                .unwrap()
                .to_owned();
            assert!(name.starts_with("t0x"), "{name}");
            assert_eq!(pj_pool_get_capacity(pool), 512);
            assert_eq!(pj_pool_get_used_size(pool), POOL_HDR + BLOCK_HDR);
            let a = pool_alloc(pool, 1);
            let b = pool_alloc(pool, 3);
            assert_eq!(a.addr() % 8, 0);
            assert_eq!(b.addr(), a.addr() + 8);
            let c = pj_pool_aligned_alloc(pool, 64, 10) as *mut u8;
            assert_eq!(c.addr() % 64, 0);
            assert!(pj_pool_aligned_alloc(pool, 3, 10).is_null());
            // Force a new block bigger than the increment.
            let big = pool_alloc(pool, 1000);
            assert!(!big.is_null());
            assert!(pj_pool_get_capacity(pool) >= 512 + 1000);
            pj_pool_reset(pool);
            assert_eq!(pj_pool_get_capacity(pool), 512);
            assert_eq!(pj_pool_get_used_size(pool), POOL_HDR + BLOCK_HDR);
            let before = standalone_pool_count();
            release_pool(pool);
            assert_eq!(standalone_pool_count(), before - 1);
        }
    }

    #[test]
    fn no_increment_calls_callback() {
        unsafe {
            let pool = pj_pool_create(
                standalone_factory(),
                c"fixed".as_ptr(),
                256,
                0,
                Some(count_cb),
            );
            assert!(!pool.is_null());
            assert!(pool_alloc(pool, 1000).is_null());
            assert_eq!((*pool).obj_name[0], b'!' as c_char);
            assert!(pj_pool_calloc(pool, usize::MAX, 2).is_null());
            release_pool(pool);
        }
    }

    #[test]
    fn strdup_into_pool() {
        unsafe {
            let pool = create_standalone_pool(c"s", 256, 256);
            let s = pool_strdup(pool, b"hello");
            assert_eq!(s.slen, 5);
            assert_eq!(CStr::from_ptr(s.ptr).to_bytes(), b"hello");
            assert!(pool_strdup(pool, b"").ptr.is_null());
            assert!(pool_strdup(null_mut(), b"x").ptr.is_null());
            let obj: *mut [u64; 4] = pool_alloc_obj(pool);
            assert!(!obj.is_null() && (*obj) == [0; 4]);
            release_pool(pool);
        }
    }

    #[test]
    fn long_names_are_cut() {
        unsafe {
            let pool = create_standalone_pool(c"0123456789012345678901234567890123456789", 256, 0);
            let name = CStr::from_ptr(pj_pool_getobjname(pool)).to_bytes().len();
            assert_eq!(name, 31);
            release_pool(pool);
        }
    }

    #[test]
    fn caching_pool_reuses_and_destroys() {
        unsafe {
            let mut cp: pj_caching_pool = core::mem::zeroed();
            pj_caching_pool_init(&mut cp, core::ptr::null(), 1024 * 1024);
            let f = &mut cp.factory as *mut pj_pool_factory;
            let p1 = pj_pool_create(f, c"a".as_ptr(), 1000, 1000, None);
            assert_eq!(pj_pool_get_capacity(p1), 1024);
            assert_eq!(cp.used_count, 1);
            pj_pool_release(p1);
            assert_eq!(cp.used_count, 0);
            assert_eq!(cp.capacity, 1024);
            let p2 = pj_pool_create(f, c"b".as_ptr(), 1000, 1000, None);
            assert_eq!(p2, p1, "the cached pool is reused");
            assert_eq!(cp.capacity, 0);
            // Double release is refused.
            pj_pool_release(p2);
            pj_pool_release(p2);
            assert_eq!(cp.used_count, 0);
            let _leak = pj_pool_create(f, c"c".as_ptr(), 100_000, 1000, None);
            pj_caching_pool_destroy(&mut cp);
        }
    }
}
