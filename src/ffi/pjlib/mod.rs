//! The pjlib subset a `pjsip_regc_*` program calls: init, pools and the
//! caching pool, strings, lists, error texts, logging, threads and time,
//! random numbers, socket addresses and atomic counter reads, with pjproject 2.17's C ABI.
//!
//! Besides the exported C functions, this module offers a small Rust-side
//! API the rest of the library uses (pool allocation, pools created through
//! a factory or standalone, logging from Rust, thread registration).
//!
//! Safety of the C entry points: callers pass what pjproject's API
//! documents (valid pools, list nodes, buffers of the stated size); NULL
//! where pjproject would crash is answered with PJ_EINVAL or a no-op.
#![allow(clippy::missing_safety_doc)]

pub mod atomic;
pub mod errno;
pub mod init;
pub mod list;
pub mod log;
pub mod os;
pub mod pool;
pub mod sock;
pub mod string;

// Everything is reachable as `crate::ffi::pjlib::NAME` (C entry points
// such as `pj_pool_calloc` as well as the Rust-side helpers).
pub use atomic::*;
pub use errno::*;
pub use init::*;
pub use list::*;
pub use log::*;
pub use os::*;
pub use pool::*;
pub use sock::*;
pub use string::*;

#[cfg(test)]
mod tests {
    /// The names the rest of the crate calls through `ffi::pjlib::`.
    #[test]
    fn reexports() {
        unsafe {
            let pool = super::create_standalone_pool(c"re", 512, 512);
            let p = super::pj_pool_calloc(pool, 2, 8);
            assert!(!p.is_null());
            assert!(!super::pj_pool_alloc(pool, 4).is_null());
            let s = super::pool_strdup(pool, b"abc");
            assert_eq!(super::str_bytes(&s), b"abc");
            let mut tv = crate::ffi::types::pj_time_val::default();
            assert_eq!(super::pj_gettimeofday(&mut tv), 0);
            super::pj_pool_release(pool);
            let f = super::standalone_factory();
            let pool = super::pj_pool_create(f, c"x".as_ptr(), 512, 512, None);
            super::release_pool(pool);
        }
    }
}
