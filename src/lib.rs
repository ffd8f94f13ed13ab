//! A memory-safe, standalone implementation of pjproject's SIP client
//! registration API (`pjsip_regc_*`) with pjproject's C ABI.

pub mod ffi;
pub mod status;
pub mod timer;
pub mod tsx;
pub mod auth;
pub mod reg;
pub mod endpoint;
pub mod sip;
pub mod transport;
