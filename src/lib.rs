//! A memory-safe, standalone implementation of pjproject's SIP client
//! registration API (`pjsip_regc_*`) with pjproject's C ABI.

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
