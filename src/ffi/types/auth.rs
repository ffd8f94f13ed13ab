//! Digest authentication types with pjproject 2.17's layout.

use super::msg::*;
use super::pj::*;
use core::ffi::{c_char, c_int, c_uint, c_void};

pub type pjsip_auth_algorithm_type = c_uint;
pub type pjsip_auth_qop_type = c_uint;

/// Opaque: an endpoint as seen from C.
pub struct pjsip_endpoint {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pjsip_digest_challenge {
    pub realm: pj_str_t,
    pub other_param: pjsip_param,
    pub domain: pj_str_t,
    pub nonce: pj_str_t,
    pub opaque: pj_str_t,
    pub stale: c_int,
    pub algorithm: pj_str_t,
    pub qop: pj_str_t,
}

#[repr(C)]
pub struct pjsip_digest_credential {
    pub realm: pj_str_t,
    pub other_param: pjsip_param,
    pub username: pj_str_t,
    pub nonce: pj_str_t,
    pub uri: pj_str_t,
    pub response: pj_str_t,
    pub algorithm: pj_str_t,
    pub cnonce: pj_str_t,
    pub opaque: pj_str_t,
    pub qop: pj_str_t,
    pub nc: pj_str_t,
}

#[repr(C)]
pub struct pjsip_common_credential {
    pub realm: pj_str_t,
    pub other_param: pjsip_param,
}

#[repr(C)]
pub union pjsip_auth_credential_u {
    pub common: core::mem::ManuallyDrop<pjsip_common_credential>,
    pub digest: core::mem::ManuallyDrop<pjsip_digest_credential>,
}

#[repr(C)]
pub union pjsip_auth_challenge_u {
    pub common: core::mem::ManuallyDrop<pjsip_common_credential>,
    pub digest: core::mem::ManuallyDrop<pjsip_digest_challenge>,
}

/// Authorization and Proxy-Authorization.
#[repr(C)]
pub struct pjsip_authorization_hdr {
    pub prev: *mut pjsip_authorization_hdr,
    pub next: *mut pjsip_authorization_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub scheme: pj_str_t,
    pub credential: pjsip_auth_credential_u,
}

/// WWW-Authenticate and Proxy-Authenticate.
#[repr(C)]
pub struct pjsip_www_authenticate_hdr {
    pub prev: *mut pjsip_www_authenticate_hdr,
    pub next: *mut pjsip_www_authenticate_hdr,
    pub r#type: pjsip_hdr_e,
    pub name: pj_str_t,
    pub sname: pj_str_t,
    pub vptr: *mut pjsip_hdr_vptr,
    pub scheme: pj_str_t,
    pub challenge: pjsip_auth_challenge_u,
}

pub type pjsip_cred_cb = Option<
    unsafe extern "C" fn(
        pool: *mut pj_pool_t,
        chal: *const pjsip_digest_challenge,
        cred: *const pjsip_cred_info,
        method: *const pj_str_t,
        auth: *mut pjsip_digest_credential,
    ) -> pj_status_t,
>;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_cred_info_aka {
    pub k: pj_str_t,
    pub op: pj_str_t,
    pub amf: pj_str_t,
    pub cb: pjsip_cred_cb,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union pjsip_cred_info_ext {
    pub aka: pjsip_cred_info_aka,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_cred_info {
    pub realm: pj_str_t,
    pub scheme: pj_str_t,
    pub username: pj_str_t,
    pub data_type: c_int,
    pub data: pj_str_t,
    pub algorithm_type: pjsip_auth_algorithm_type,
    pub ext: pjsip_cred_info_ext,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_auth_clt_pref {
    pub initial_auth: pj_bool_t,
    pub algorithm: pj_str_t,
}

#[repr(C)]
pub struct pjsip_cached_auth {
    pub prev: *mut pjsip_cached_auth,
    pub next: *mut pjsip_cached_auth,
    pub pool: *mut pj_pool_t,
    pub realm: pj_str_t,
    pub is_proxy: pj_bool_t,
    pub qop_value: pjsip_auth_qop_type,
    pub stale_cnt: c_uint,
    pub nc: pj_uint32_t,
    pub cnonce: pj_str_t,
    pub last_chal: *mut pjsip_www_authenticate_hdr,
    pub challenge_algorithm_type: pjsip_auth_algorithm_type,
}

#[repr(C)]
pub struct pjsip_auth_clt_async_setting {
    pub cb: *mut c_void,
    pub user_data: *mut c_void,
}

#[repr(C)]
pub struct pjsip_auth_clt_sess {
    pub pool: *mut pj_pool_t,
    pub endpt: *mut pjsip_endpoint,
    pub pref: pjsip_auth_clt_pref,
    pub cred_cnt: c_uint,
    pub cred_info: *mut pjsip_cred_info,
    pub cached_auth: pjsip_cached_auth,
    pub lock: *mut pj_lock_t,
    pub parent: *mut pjsip_auth_clt_sess,
    pub async_opt: *mut pjsip_auth_clt_async_setting,
}

#[repr(C)]
pub struct pjsip_auth_algorithm {
    pub algorithm_type: pjsip_auth_algorithm_type,
    pub iana_name: pj_str_t,
    pub openssl_name: *const c_char,
    pub digest_length: c_uint,
    pub digest_str_length: c_uint,
}
