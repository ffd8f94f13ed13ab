//! pjsip message, header and URI objects with pjproject 2.17's layout.
//!
//! These are the objects C code reads and edits: `tdata->msg`,
//! `rdata->msg_info.msg`, `param->contact[i]`. Every header and URI carries a
//! vtable pointer because pjsip's inline helpers dispatch through it.

use super::pj::*;
use core::ffi::{c_char, c_int, c_uint, c_void};

pub type pjsip_hdr_e = c_uint;
pub type pjsip_method_e = c_uint;
pub type pjsip_msg_type_e = c_uint;
pub type pjsip_uri_context_e = c_uint;

#[repr(C)]
pub struct pjsip_param {
    pub prev: *mut pjsip_param,
    pub next: *mut pjsip_param,
    pub name: pj_str_t,
    pub value: pj_str_t,
}

#[repr(C)]
pub struct pjsip_uri_vptr {
    pub p_get_scheme: Option<unsafe extern "C" fn(uri: *const c_void) -> *const pj_str_t>,
    pub p_get_uri: Option<unsafe extern "C" fn(uri: *mut c_void) -> *mut c_void>,
    pub p_print: Option<
        unsafe extern "C" fn(
            context: pjsip_uri_context_e,
            uri: *const c_void,
            buf: *mut c_char,
            size: pj_size_t,
        ) -> pj_ssize_t,
    >,
    pub p_compare: Option<
        unsafe extern "C" fn(
            context: pjsip_uri_context_e,
            uri1: *const c_void,
            uri2: *const c_void,
        ) -> pj_status_t,
    >,
    pub p_clone: Option<unsafe extern "C" fn(pool: *mut pj_pool_t, uri: *const c_void) -> *mut c_void>,
}

/// Abstract URI: every concrete URI object starts with this vtable pointer.
#[repr(C)]
pub struct pjsip_uri {
    pub vptr: *mut pjsip_uri_vptr,
}

#[repr(C)]
pub struct pjsip_sip_uri {
    pub vptr: *mut pjsip_uri_vptr,
    pub user: pj_str_t,
    pub passwd: pj_str_t,
    pub host: pj_str_t,
    pub port: c_int,
    pub user_param: pj_str_t,
    pub method_param: pj_str_t,
    pub transport_param: pj_str_t,
    pub ttl_param: c_int,
    pub lr_param: c_int,
    pub maddr_param: pj_str_t,
    pub other_param: pjsip_param,
    pub header_param: pjsip_param,
}

#[repr(C)]
pub struct pjsip_name_addr {
    pub vptr: *mut pjsip_uri_vptr,
    pub display: pj_str_t,
    pub uri: *mut pjsip_uri,
}

#[repr(C)]
pub struct pjsip_other_uri {
    pub vptr: *mut pjsip_uri_vptr,
    pub scheme: pj_str_t,
    pub content: pj_str_t,
}

#[repr(C)]
pub struct pjsip_tel_uri {
    pub vptr: *mut pjsip_uri_vptr,
    pub number: pj_str_t,
    pub context: pj_str_t,
    pub ext_param: pj_str_t,
    pub isub_param: pj_str_t,
    pub other_param: pjsip_param,
}

#[repr(C)]
pub struct pjsip_hdr_vptr {
    pub clone: Option<unsafe extern "C" fn(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void>,
    pub shallow_clone:
        Option<unsafe extern "C" fn(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void>,
    pub print_on: Option<unsafe extern "C" fn(hdr: *mut c_void, buf: *mut c_char, len: pj_size_t) -> c_int>,
}

/// The part every header starts with.
#[repr(C)]
pub struct pjsip_hdr {
    pub prev: *mut pjsip_hdr,
    pub next: *mut pjsip_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
}

#[repr(C)]
pub struct pjsip_generic_string_hdr {
    pub prev: *mut pjsip_generic_string_hdr,
    pub next: *mut pjsip_generic_string_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub hvalue: pj_str_t,
}

/// Expires, Min-Expires and Max-Forwards are this shape in pjsip.
#[repr(C)]
pub struct pjsip_generic_int_hdr {
    pub prev: *mut pjsip_generic_int_hdr,
    pub next: *mut pjsip_generic_int_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub ivalue: pj_uint32_t,
}

/// Allow, Supported, Require, Accept, Unsupported.
#[repr(C)]
pub struct pjsip_generic_array_hdr {
    pub prev: *mut pjsip_generic_array_hdr,
    pub next: *mut pjsip_generic_array_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub count: c_uint,
    pub values: [pj_str_t; 32],
}

#[repr(C)]
pub struct pjsip_clen_hdr {
    pub prev: *mut pjsip_clen_hdr,
    pub next: *mut pjsip_clen_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub len: c_int,
}

#[repr(C)]
pub struct pjsip_media_type {
    pub r#type: pj_str_t,
    pub subtype: pj_str_t,
    pub param: pjsip_param,
}

#[repr(C)]
pub struct pjsip_ctype_hdr {
    pub prev: *mut pjsip_ctype_hdr,
    pub next: *mut pjsip_ctype_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub media: pjsip_media_type,
}

#[repr(C)]
pub struct pjsip_cid_hdr {
    pub prev: *mut pjsip_cid_hdr,
    pub next: *mut pjsip_cid_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub id: pj_str_t,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_method {
    pub id: pjsip_method_e,
    pub name: pj_str_t,
}

#[repr(C)]
pub struct pjsip_cseq_hdr {
    pub prev: *mut pjsip_cseq_hdr,
    pub next: *mut pjsip_cseq_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub cseq: pj_int32_t,
    pub method: pjsip_method,
}

#[repr(C)]
pub struct pjsip_contact_hdr {
    pub prev: *mut pjsip_contact_hdr,
    pub next: *mut pjsip_contact_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub star: c_int,
    pub uri: *mut pjsip_uri,
    pub q1000: c_int,
    pub expires: pj_uint32_t,
    pub other_param: pjsip_param,
}

/// From and To.
#[repr(C)]
pub struct pjsip_fromto_hdr {
    pub prev: *mut pjsip_fromto_hdr,
    pub next: *mut pjsip_fromto_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub uri: *mut pjsip_uri,
    pub tag: pj_str_t,
    pub other_param: pjsip_param,
}

/// Route and Record-Route.
#[repr(C)]
pub struct pjsip_routing_hdr {
    pub prev: *mut pjsip_routing_hdr,
    pub next: *mut pjsip_routing_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub name_addr: pjsip_name_addr,
    pub other_param: pjsip_param,
}

#[repr(C)]
pub struct pjsip_host_port {
    pub host: pj_str_t,
    pub port: c_int,
}

#[repr(C)]
pub struct pjsip_via_hdr {
    pub prev: *mut pjsip_via_hdr,
    pub next: *mut pjsip_via_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub transport: pj_str_t,
    pub sent_by: pjsip_host_port,
    pub ttl_param: c_int,
    pub rport_param: c_int,
    pub maddr_param: pj_str_t,
    pub recvd_param: pj_str_t,
    pub branch_param: pj_str_t,
    pub other_param: pjsip_param,
    pub comment: pj_str_t,
}

#[repr(C)]
pub struct pjsip_retry_after_hdr {
    pub prev: *mut pjsip_retry_after_hdr,
    pub next: *mut pjsip_retry_after_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub ivalue: pj_int32_t,
    pub param: pjsip_param,
    pub comment: pj_str_t,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_request_line {
    pub method: pjsip_method,
    pub uri: *mut pjsip_uri,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_status_line {
    pub code: c_int,
    pub reason: pj_str_t,
}

#[repr(C)]
pub union pjsip_msg_line {
    pub req: pjsip_request_line,
    pub status: pjsip_status_line,
}

#[repr(C)]
pub struct pjsip_msg_body {
    pub content_type: pjsip_media_type,
    pub data: *mut c_void,
    pub len: c_uint,
    pub print_body:
        Option<unsafe extern "C" fn(msg_body: *mut pjsip_msg_body, buf: *mut c_char, size: pj_size_t) -> c_int>,
    pub clone_data:
        Option<unsafe extern "C" fn(pool: *mut pj_pool_t, data: *const c_void, len: c_uint) -> *mut c_void>,
}

#[repr(C)]
pub struct pjsip_msg {
    pub r#type: pjsip_msg_type_e,
    pub line: pjsip_msg_line,
    pub hdr: pjsip_hdr,
    pub body: *mut pjsip_msg_body,
}
