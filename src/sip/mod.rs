//! The SIP message model and its sans-IO codec: parsing, printing and
//! RFC 3261 URI comparison, reproducing pjsip 2.17's behaviour.
//!
//! - [`uri`]: `parse_uri`, `parse_name_addr`;
//! - [`header`]: header value parsers (Contact, From/To, Route, Via, ...);
//! - [`msg`]: `parse_message`, stream framing, header names, `Message`
//!   accessors;
//! - [`print`](mod@print): byte-exact printing as pjsip;
//! - [`compare`]: `uri_cmp`, `name_addr_cmp`.
//!
//! Strings in the model are kept as written on the wire (`%`-escapes
//! included, quoted values with their quotes, display names without their
//! quotes but with their backslash escapes).

pub(crate) mod chars;
pub mod compare;
pub mod header;
pub mod msg;
pub mod print;
mod scanner;
pub mod types;
pub mod uri;

#[cfg(test)]
mod torture_tests;

pub use compare::{name_addr_cmp, uri_cmp, CMP_MISMATCH};
pub use header::{
    parse_call_id, parse_contact_list, parse_content_type, parse_cseq, parse_fromto,
    parse_generic_array, parse_retry_after, parse_route_list, parse_typed, parse_uint, parse_via_list,
    EXPIRES_NOT_SPECIFIED, GENERIC_ARRAY_MAX_COUNT,
};
pub use msg::{
    canonical_name, compact_name, find_header_end, framed_len, full_header_name, hdr_kind,
    leading_crlf_len, message_len,
    parse_message, print_message, same_header_name, MAX_HEADERS, MAX_MSG_SIZE,
};
pub use print::{
    print_contact, print_cseq, print_fromto, print_name_addr, print_route, print_uri, print_via,
    uri_to_string,
};
pub use types::*;
pub use uri::{parse_name_addr, parse_uri, MAX_PARAMS, MAX_URI_LEN};
