//! The C boundary: the only code that handles raw pointers.
//!
//! - `types`: `#[repr(C)]` mirrors of pjproject's structs, layout-checked;
//! - `pjlib`: the pjlib subset (pools, strings, lists, errors, logging);
//! - `cobj`: pjsip's message, header and URI objects and functions;
//! - `endpt`, `cfg`: the endpoint, UDP/TCP/TLS transports and `pjsip_cfg()`;
//! - `modules`, `timers`: application modules and timers on the endpoint;
//! - `layers`: the transaction and UA layers' module objects;
//! - `regc`, `tdata`, `rdata`, `auth_sess`, `auth_util`: the registration
//!   client API and pjsip's digest client API.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
// The exported functions' contract is pjproject's C API (the header and
// its documentation), not a Rust `# Safety` section per function.
#![allow(clippy::missing_safety_doc)]

pub mod auth_sess;
pub mod auth_util;
pub mod cfg;
pub mod cobj;
pub mod endpt;
pub mod guard;
pub mod layers;
pub mod modules;
pub mod pjlib;
pub mod rdata;
pub mod regc;
pub mod tdata;
pub mod timers;
pub mod types;
pub mod util;
