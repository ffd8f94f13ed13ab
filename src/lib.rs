//! A memory-safe, standalone implementation of pjproject's SIP client
//! registration API (`pjsip_regc_*`) with pjproject's C ABI.
//!
//! The C API is the product; the Rust items are public so that their
//! documentation (`cargo doc`, and through cbindgen the C header) covers
//! every layer. `make doc` fails on a missing or broken doc comment.
#![warn(missing_docs)]

pub mod ffi;
pub mod status;
pub mod auth;
pub mod reg;
pub mod sip;
#[cfg(not(feature = "hosted"))]
pub mod timer;
#[cfg(not(feature = "hosted"))]
pub mod tsx;
#[cfg(not(feature = "hosted"))]
pub mod endpoint;
#[cfg(not(feature = "hosted"))]
pub mod transport;
#[cfg(feature = "hosted")]
pub mod hosted;
#[cfg(all(any(test, feature = "fuzzing"), not(feature = "hosted")))]
#[doc(hidden)]
pub mod fuzz_targets;
