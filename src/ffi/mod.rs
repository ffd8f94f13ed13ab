//! The C boundary: the only code that handles raw pointers.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

pub mod cfg;
pub mod guard;
pub mod types;
pub mod util;
