//! The registration client's public structs, pjproject 2.17 layout.

use super::msg::*;
use super::pj::*;
use super::transport::*;
use core::ffi::{c_int, c_uint, c_void};

/// Opaque registration client handle.
pub struct pjsip_regc {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pjsip_regc_info {
    pub server_uri: pj_str_t,
    pub client_uri: pj_str_t,
    pub is_busy: pj_bool_t,
    pub auto_reg: pj_bool_t,
    pub interval: c_uint,
    pub next_reg: c_uint,
    pub transport: *mut pjsip_transport,
}

#[repr(C)]
pub struct pjsip_regc_cbparam {
    pub regc: *mut pjsip_regc,
    pub token: *mut c_void,
    pub status: pj_status_t,
    pub code: c_int,
    pub reason: pj_str_t,
    pub rdata: *mut pjsip_rx_data,
    pub expiration: c_uint,
    pub contact_cnt: c_int,
    pub contact: [*mut pjsip_contact_hdr; 10],
    pub is_unreg: pj_bool_t,
}

#[repr(C)]
pub struct pjsip_regc_tsx_cb_param {
    pub cbparam: pjsip_regc_cbparam,
    pub contact_cnt: c_int,
    pub contact: [pj_str_t; 10],
}

pub type pjsip_regc_cb_fn = Option<unsafe extern "C" fn(param: *mut pjsip_regc_cbparam)>;
pub type pjsip_regc_tsx_cb_fn = Option<unsafe extern "C" fn(param: *mut pjsip_regc_tsx_cb_param)>;
