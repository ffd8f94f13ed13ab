//! pjproject-layout C objects for SIP messages, headers and URIs: the
//! objects C code reads and edits (`tdata->msg` between
//! `pjsip_regc_register` and `pjsip_regc_send`, `rdata->msg_info.msg` and
//! `param->contact[i]` in callbacks), pjsip's parse/print/clone functions
//! over them, and conversions to and from the Rust model in `crate::sip`.
//!
//! Every object lives in a `pj_pool_t` and carries pjsip's vtable layout,
//! because pjsip's inline helpers (`pjsip_uri_print`, `pjsip_uri_cmp`,
//! `PJSIP_URI_SCHEME_IS_SIP`, ...) call through it. Printing follows
//! pjsip byte for byte: URIs go through the `sip` printer, headers are
//! composed here the way pjsip composes them.
//!
//! Rust-side API for the other layers:
//! - Rust model -> C: [`uri_to_c`], [`name_addr_to_c`], [`contact_to_c`],
//!   [`fromto_to_c`], [`route_to_c`], [`via_to_c`], [`cid_to_c`],
//!   [`cseq_to_c`], [`int_hdr_to_c`], [`array_hdr_to_c`], [`clen_to_c`],
//!   [`ctype_to_c`], [`retry_after_to_c`], [`auth_hdr_to_c`],
//!   [`generic_string_to_c`], [`header_to_c`], [`raw_header_to_c`],
//!   [`msg_to_c`], [`request_msg_new`], [`rx_msg_to_c`], [`fill_rdata_msg_info`];
//! - C -> Rust model: [`uri_from_c`], [`name_addr_from_c`],
//!   [`contact_from_c`], [`fromto_from_c`], [`route_from_c`],
//!   [`via_from_c`], [`cseq_from_c`], [`cid_from_c`], [`int_hdr_from_c`]
//!   ([`expires_from_c`]), [`array_hdr_from_c`], [`hdr_to_text`],
//!   [`hdr_from_c`], [`msg_from_c`];
//! - printing: [`print_uri_c`], [`msg_print`].

mod auth;
mod hdr;
mod msg;
mod names;
mod parse;
mod uri;
mod util;

#[cfg(test)]
mod tests;

pub use hdr::{
    array_hdr_from_c, array_hdr_to_c, cid_from_c, cid_to_c, clen_to_c, contact_from_c, contact_to_c, cseq_from_c,
    cseq_to_c, ctype_to_c, expires_from_c, fromto_from_c, fromto_to_c, generic_string_to_c, hdr_from_c, hdr_to_text,
    header_to_c, int_hdr_from_c, int_hdr_to_c, raw_header_to_c, retry_after_to_c, route_from_c, route_to_c, via_from_c,
    via_to_c, CHeader, EXPIRES_NOT_SPECIFIED, GENERIC_ARRAY_MAX_COUNT,
};
pub use hdr::{
    pjsip_accept_hdr, pjsip_allow_hdr, pjsip_expires_hdr, pjsip_from_hdr, pjsip_max_fwd_hdr, pjsip_min_expires_hdr,
    pjsip_require_hdr, pjsip_route_hdr, pjsip_rr_hdr, pjsip_supported_hdr, pjsip_to_hdr, pjsip_unsupported_hdr,
};
pub use hdr::{pjsip_hdr_clone, pjsip_hdr_print_on, pjsip_via_hdr_create};
pub use parse::pjsip_parse_hdr;
pub use msg::{
    fill_rdata_msg_info, msg_from_c, msg_print, msg_to_c, pjsip_msg_find_hdr, pjsip_msg_print, request_msg_new, rx_msg_to_c,
};
pub use msg::{
    PJSIP_ACK_METHOD, PJSIP_BYE_METHOD, PJSIP_CANCEL_METHOD, PJSIP_INVITE_METHOD, PJSIP_OPTIONS_METHOD,
    PJSIP_OTHER_METHOD, PJSIP_REGISTER_METHOD, PJSIP_REQUEST_MSG, PJSIP_RESPONSE_MSG,
};
pub use names::*;
pub use uri::{
    name_addr_from_c, name_addr_to_c, pjsip_parse_uri, print_uri_c, uri_clone, uri_cmp_c, uri_from_c, uri_to_c,
    PJSIP_PARSE_URI_AS_NAMEADDR, PJSIP_PARSE_URI_IN_FROM_TO_HDR, PJSIP_URI_IN_CONTACT_HDR, PJSIP_URI_IN_FROMTO_HDR,
    PJSIP_URI_IN_OTHER, PJSIP_URI_IN_REQ_URI, PJSIP_URI_IN_ROUTING_HDR,
};

use crate::ffi::types::{pj_pool_t, pjsip_hdr};
use crate::sip::HdrKind;

/// An Authorization, Proxy-Authorization, WWW-Authenticate or
/// Proxy-Authenticate header from its value (`Digest name=value, ...`):
/// scheme and digest fields filled, quotes removed as pjsip's parser
/// stores them. NULL for another scheme, a syntax error or out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn auth_hdr_to_c(pool: *mut pj_pool_t, kind: HdrKind, value: &str) -> *mut pjsip_hdr {
    auth::auth_hdr_to_c_opt(pool, kind, value).unwrap_or(core::ptr::null_mut())
}
