//! The C boundary: the only code that handles raw pointers.
//!
//! - `types`: `#[repr(C)]` mirrors of pjproject's structs, layout-checked;
//! - `pjlib`: the pjlib subset (pools, strings, lists, errors, logging);
//! - `cobj`: pjsip's message, header and URI objects and functions;
//! - `endpt`, `cfg`: the endpoint, UDP/TCP/TLS transports and `pjsip_cfg()`;
//! - `resolver`: the DNS resolver the endpoint can look targets up with;
//! - `modules`, `timers`: application modules and timers on the endpoint;
//! - `layers`: the transaction and UA layers' module objects;
//! - `regc`, `tdata`, `rdata`, `auth_sess`, `auth_util`: the registration
//!   client API and pjsip's digest client API.
//!
//! - `guard`, `handle`, `util`: the panic guard, handles, pj_str_t.
//!
//! The hosted build (`crate::hosted`) keeps only `types`, `guard`, `handle`
//! and `util`.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
// The exported functions' contract is pjproject's C API (the header and
// its documentation), not a Rust `# Safety` section per function.
#![allow(clippy::missing_safety_doc)]

// The standalone build's modules (cbindgen reads these declarations, so
// they are written out): the hosted one would export symbols the host has.
#[cfg(not(feature = "hosted"))]
pub mod auth_sess;
#[cfg(not(feature = "hosted"))]
pub mod auth_util;
#[cfg(not(feature = "hosted"))]
pub mod cfg;
#[cfg(not(feature = "hosted"))]
pub mod cobj;
#[cfg(not(feature = "hosted"))]
pub mod endpt;
#[cfg(not(feature = "hosted"))]
pub mod layers;
#[cfg(not(feature = "hosted"))]
pub mod modules;
#[cfg(not(feature = "hosted"))]
pub mod pjlib;
#[cfg(not(feature = "hosted"))]
pub mod rdata;
#[cfg(not(feature = "hosted"))]
pub mod resolver;
#[cfg(not(feature = "hosted"))]
pub mod regc;
#[cfg(not(feature = "hosted"))]
pub mod tdata;
#[cfg(not(feature = "hosted"))]
pub mod timers;
pub mod guard;
pub mod handle;
pub mod types;
pub mod util;
