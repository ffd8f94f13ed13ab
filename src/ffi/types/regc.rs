//! The registration client's public structs, pjproject 2.17 layout.

use super::msg::*;
use super::pj::*;
use super::transport::*;
use core::ffi::{c_int, c_uint, c_void};

/// A registration client, created by `pjsip_regc_create`. Opaque: C code
/// only holds pointers to it.
pub struct pjsip_regc {
    _opaque: [u8; 0],
}

/// A client's state, filled in by `pjsip_regc_get_info`.
#[repr(C)]
pub struct pjsip_regc_info {
    /// The registrar URI given to `pjsip_regc_init`, in the client's pool.
    pub server_uri: pj_str_t,
    /// The From URI given to `pjsip_regc_init`, in the client's pool.
    pub client_uri: pj_str_t,
    /// True while a REGISTER is in flight or `pjsip_regc_add_ref`
    /// references are held (so always inside the client's callbacks).
    pub is_busy: pj_bool_t,
    /// True when the last REGISTER asked for automatic refreshes.
    pub auto_reg: pj_bool_t,
    /// The binding time in seconds the registrar last granted;
    /// `PJSIP_REGC_EXPIRATION_NOT_SPECIFIED` before the first success and
    /// after a failure.
    pub interval: c_uint,
    /// Seconds until the next automatic refresh: 0 while a REGISTER is in
    /// flight, without automatic refresh or once the moment has passed, and
    /// `PJSIP_REGC_EXPIRATION_NOT_SPECIFIED` when nothing was granted. As in
    /// pjsip, after an unregistration it goes on counting down to the
    /// refresh that was cancelled.
    pub next_reg: c_uint,
    /// The transport of the REGISTER in flight, else of the last one
    /// (NULL before any, or after `pjsip_regc_release_transport`).
    pub transport: *mut pjsip_transport,
}

/// What the client's callback is told when a REGISTER transaction is over.
#[repr(C)]
pub struct pjsip_regc_cbparam {
    /// The client.
    pub regc: *mut pjsip_regc,
    /// The `token` given to `pjsip_regc_create`.
    pub token: *mut c_void,
    /// `PJ_SUCCESS` when the transaction ended, whatever its status code
    /// (timeouts and transport failures included); an error when the
    /// client could not go on, e.g. no credential matched a challenge or a
    /// retry could not be sent.
    pub status: pj_status_t,
    /// The final status code: the registrar's, or 408 for a timeout, 503
    /// for a transport failure, 502 for a host that does not resolve.
    pub code: c_int,
    /// The response's reason phrase, or the library's text for the code.
    pub reason: pj_str_t,
    /// The response as received; NULL when there was none (timeout,
    /// transport failure). Valid only during the callback.
    pub rdata: *mut pjsip_rx_data,
    /// The binding time in seconds: what the registrar granted for this
    /// client's Contacts after a 2xx (0 after an unregistration), else what
    /// the request asked for.
    pub expiration: c_uint,
    /// How many entries of `contact` are set.
    pub contact_cnt: c_int,
    /// The Contact headers of the response (every binding the registrar
    /// holds for the address of record, up to `PJSIP_REGC_MAX_CONTACT`).
    /// Valid only during the callback.
    pub contact: [*mut pjsip_contact_hdr; 10],
    /// True when the request was an unregistration (Expires 0).
    pub is_unreg: pj_bool_t,
}

/// What the transaction callback (`pjsip_regc_set_reg_tsx_cb`) is told,
/// and may answer, for a final response to a REGISTER.
#[repr(C)]
pub struct pjsip_regc_tsx_cb_param {
    /// The same fields the main callback gets.
    pub cbparam: pjsip_regc_cbparam,
    /// -1 on entry. Set it to 0 or more, with `contact` filled in, to
    /// replace the client's Contacts as `pjsip_regc_update_contact` does;
    /// after a failure, Contacts that were never bound are dropped first.
    pub contact_cnt: c_int,
    /// The new Contact values when `contact_cnt` is 0 or more; read before
    /// the callback returns.
    pub contact: [pj_str_t; 10],
}

/// The main callback: one call per REGISTER transaction outcome.
pub type pjsip_regc_cb_fn = Option<unsafe extern "C" fn(param: *mut pjsip_regc_cbparam)>;
/// The transaction callback set with `pjsip_regc_set_reg_tsx_cb`.
pub type pjsip_regc_tsx_cb_fn = Option<unsafe extern "C" fn(param: *mut pjsip_regc_tsx_cb_param)>;
