//! Transport, transmit/receive buffer, module, event and configuration
//! types with pjproject 2.17's layout. Fields pjsip keeps private are
//! reserved byte ranges so that sizes and public offsets match.

use super::msg::*;
use super::pj::*;
use super::auth::pjsip_endpoint;
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

pub type pjsip_transport_type_e = c_uint;
pub type pjsip_transport_dir = c_uint;
pub type pjsip_tpselector_type = c_uint;
pub type pjsip_event_id_e = c_uint;
pub type pjsip_tsx_state_e = c_uint;

pub struct pjsip_tpmgr {
    _opaque: [u8; 0],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_transport_key {
    pub r#type: c_long,
    pub rem_addr: pj_sockaddr,
}

#[repr(C)]
pub struct pjsip_transport {
    pub obj_name: [c_char; 32],
    pub pool: *mut pj_pool_t,
    pub ref_cnt: *mut pj_atomic_t,
    pub lock: *mut pj_lock_t,
    pub grp_lock: *mut pj_grp_lock_t,
    pub _private1: [u64; 2],
    pub key: pjsip_transport_key,
    pub type_name: *mut c_char,
    pub flag: c_uint,
    pub info: *mut c_char,
    pub addr_len: c_int,
    pub local_addr: pj_sockaddr,
    pub has_addr_name: pj_bool_t,
    pub local_name: pjsip_host_port,
    pub remote_name: pjsip_host_port,
    pub dir: pjsip_transport_dir,
    pub endpt: *mut pjsip_endpoint,
    pub tpmgr: *mut pjsip_tpmgr,
    pub factory: *mut pjsip_tpfactory,
    pub _private2: [u64; 6],
    pub data: *mut c_void,
    pub _private3: [u64; 4],
}

#[repr(C)]
pub struct pjsip_tpfactory {
    pub prev: *mut pjsip_tpfactory,
    pub next: *mut pjsip_tpfactory,
    pub obj_name: [c_char; 32],
    pub pool: *mut pj_pool_t,
    pub lock: *mut pj_lock_t,
    pub r#type: pjsip_transport_type_e,
    pub type_name: *mut c_char,
    pub flag: c_uint,
    pub info: *mut c_char,
    pub local_addr: pj_sockaddr,
    pub has_addr_name: pj_bool_t,
    pub addr_name: pjsip_host_port,
    pub create_transport: *mut c_void,
    pub create_transport2: *mut c_void,
    pub destroy: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union pjsip_tpselector_u {
    pub transport: *mut pjsip_transport,
    pub listener: *mut pjsip_tpfactory,
    pub ip_ver: c_uint,
    pub ptr: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_tpselector {
    pub r#type: pjsip_tpselector_type,
    pub disable_connection_reuse: pj_bool_t,
    pub u: pjsip_tpselector_u,
}

#[repr(C)]
pub struct pjsip_buffer {
    pub start: *mut c_char,
    pub cur: *mut c_char,
    pub end: *mut c_char,
}

#[repr(C)]
pub struct pjsip_tx_data_tp_info {
    pub transport: *mut pjsip_transport,
    pub dst_addr: pj_sockaddr,
    pub dst_addr_len: c_int,
    pub dst_name: [c_char; 46],
    pub dst_port: c_int,
}

#[repr(C)]
pub struct pjsip_tx_data {
    pub prev: *mut pjsip_tx_data,
    pub next: *mut pjsip_tx_data,
    pub pool: *mut pj_pool_t,
    pub obj_name: [c_char; 32],
    pub info: *mut c_char,
    pub rx_timestamp: pj_time_val,
    pub mgr: *mut pjsip_tpmgr,
    pub _op_key: [u64; 37],
    pub lock: *mut pj_lock_t,
    pub msg: *mut pjsip_msg,
    pub saved_strict_route: *mut pjsip_routing_hdr,
    pub buf: pjsip_buffer,
    pub ref_cnt: *mut pj_atomic_t,
    pub is_pending: c_int,
    pub token: *mut c_void,
    pub cb: *mut c_void,
    /// Resolved destinations; pjsip's own use, kept for layout.
    pub dest_info: [u64; 132],
    pub tp_info: pjsip_tx_data_tp_info,
    pub tp_sel: pjsip_tpselector,
    pub auth_retry: pj_bool_t,
    pub mod_data: [*mut c_void; 32],
    pub via_addr: pjsip_host_port,
    pub via_tp: *const c_void,
}

#[repr(C)]
pub struct pjsip_rx_data_tp_info {
    pub pool: *mut pj_pool_t,
    pub transport: *mut pjsip_transport,
    pub tp_data: *mut c_void,
    pub _op_key: [u64; 35],
}

#[repr(C)]
pub struct pjsip_rx_data_pkt_info {
    pub timestamp: pj_time_val,
    pub packet: [c_char; 4000],
    pub zero: pj_uint32_t,
    pub len: pj_ssize_t,
    pub src_addr: pj_sockaddr,
    pub src_addr_len: c_int,
    pub src_name: [c_char; 46],
    pub src_port: c_int,
}

#[repr(C)]
pub struct pjsip_parser_err_report {
    pub prev: *mut pjsip_parser_err_report,
    pub next: *mut pjsip_parser_err_report,
    pub except_code: c_int,
    pub line: c_int,
    pub col: c_int,
    pub hname: pj_str_t,
}

#[repr(C)]
pub struct pjsip_rx_data_msg_info {
    pub msg_buf: *mut c_char,
    pub len: c_int,
    pub msg: *mut pjsip_msg,
    pub info: *mut c_char,
    pub cid: *mut pjsip_cid_hdr,
    pub from: *mut pjsip_fromto_hdr,
    pub to: *mut pjsip_fromto_hdr,
    pub via: *mut pjsip_via_hdr,
    pub cseq: *mut pjsip_cseq_hdr,
    pub max_fwd: *mut pjsip_generic_int_hdr,
    pub route: *mut pjsip_routing_hdr,
    pub record_route: *mut pjsip_routing_hdr,
    pub ctype: *mut pjsip_ctype_hdr,
    pub clen: *mut pjsip_clen_hdr,
    pub require: *mut pjsip_generic_array_hdr,
    pub supported: *mut pjsip_generic_array_hdr,
    pub parse_err: pjsip_parser_err_report,
}

#[repr(C)]
pub struct pjsip_rx_data_endpt_info {
    pub mod_data: [*mut c_void; 32],
}

#[repr(C)]
pub struct pjsip_rx_data {
    pub tp_info: pjsip_rx_data_tp_info,
    pub pkt_info: pjsip_rx_data_pkt_info,
    pub msg_info: pjsip_rx_data_msg_info,
    pub endpt_info: pjsip_rx_data_endpt_info,
}

#[repr(C)]
pub struct pjsip_module {
    pub prev: *mut pjsip_module,
    pub next: *mut pjsip_module,
    pub name: pj_str_t,
    pub id: c_int,
    pub priority: c_int,
    pub load: Option<unsafe extern "C" fn(endpt: *mut pjsip_endpoint) -> pj_status_t>,
    pub start: Option<unsafe extern "C" fn() -> pj_status_t>,
    pub stop: Option<unsafe extern "C" fn() -> pj_status_t>,
    pub unload: Option<unsafe extern "C" fn() -> pj_status_t>,
    pub on_rx_request: Option<unsafe extern "C" fn(rdata: *mut pjsip_rx_data) -> pj_bool_t>,
    pub on_rx_response: Option<unsafe extern "C" fn(rdata: *mut pjsip_rx_data) -> pj_bool_t>,
    pub on_tx_request: Option<unsafe extern "C" fn(tdata: *mut pjsip_tx_data) -> pj_status_t>,
    pub on_tx_response: Option<unsafe extern "C" fn(tdata: *mut pjsip_tx_data) -> pj_status_t>,
    pub on_tsx_state:
        Option<unsafe extern "C" fn(tsx: *mut pjsip_transaction, event: *mut pjsip_event)>,
}

#[repr(C)]
pub struct pjsip_transaction {
    pub pool: *mut pj_pool_t,
    pub _private1: [u64; 3],
    pub grp_lock: *mut pj_grp_lock_t,
    pub _private2: [u64; 7],
    pub method: pjsip_method,
    pub _private3: [u64; 6],
    pub branch: pj_str_t,
    pub status_code: c_int,
    pub status_text: pj_str_t,
    pub state: pjsip_tsx_state_e,
    pub _private4: [u32; 5],
    pub transport: *mut pjsip_transport,
    pub _private5: [u32; 29],
    pub transport_err: pj_status_t,
    pub _private6: [u64; 4],
    pub last_tx: *mut pjsip_tx_data,
    pub _private7: [u64; 13],
    pub mod_data: [*mut c_void; 32],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_event_tsx_state {
    pub src: *mut c_void,
    pub tsx: *mut pjsip_transaction,
    pub prev_state: c_int,
    pub r#type: pjsip_event_id_e,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_event_tx_msg {
    pub tdata: *mut pjsip_tx_data,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_event_tx_error {
    pub tdata: *mut pjsip_tx_data,
    pub tsx: *mut pjsip_transaction,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_event_rx_msg {
    pub rdata: *mut pjsip_rx_data,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct pjsip_event_user {
    pub user1: *mut c_void,
    pub user2: *mut c_void,
    pub user3: *mut c_void,
    pub user4: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union pjsip_event_body {
    pub tsx_state: pjsip_event_tsx_state,
    pub tx_msg: pjsip_event_tx_msg,
    pub tx_error: pjsip_event_tx_error,
    pub rx_msg: pjsip_event_rx_msg,
    pub user: pjsip_event_user,
}

#[repr(C)]
pub struct pjsip_event {
    pub prev: *mut pjsip_event,
    pub next: *mut pjsip_event,
    pub r#type: pjsip_event_id_e,
    pub body: pjsip_event_body,
}

#[repr(C)]
pub struct pjsip_cfg_endpt {
    pub allow_port_in_fromto_hdr: pj_bool_t,
    pub accept_replace_in_early_state: pj_bool_t,
    pub allow_tx_hash_in_uri: pj_bool_t,
    pub disable_rport: pj_bool_t,
    pub disable_tcp_switch: pj_bool_t,
    pub disable_tls_switch: pj_bool_t,
    pub follow_early_media_fork: pj_bool_t,
    pub req_has_via_alias: pj_bool_t,
    pub resolve_hostname_to_get_interface: pj_bool_t,
    pub disable_secure_dlg_check: pj_bool_t,
    pub use_compact_form: pj_bool_t,
    pub accept_multiple_sdp_answers: pj_bool_t,
    pub keep_inv_after_tsx_timeout: pj_bool_t,
}

#[repr(C)]
pub struct pjsip_cfg_tsx {
    pub max_count: c_uint,
    pub t1: c_uint,
    pub t2: c_uint,
    pub t4: c_uint,
    pub td: c_uint,
}

#[repr(C)]
pub struct pjsip_cfg_regc {
    pub check_contact: pj_bool_t,
    pub add_xuid_param: pj_bool_t,
}

#[repr(C)]
pub struct pjsip_cfg_keep_alive {
    pub keep_alive_interval: c_long,
}

#[repr(C)]
pub struct pjsip_cfg_t {
    pub endpt: pjsip_cfg_endpt,
    pub tsx: pjsip_cfg_tsx,
    pub regc: pjsip_cfg_regc,
    pub tcp: pjsip_cfg_keep_alive,
    pub tls: pjsip_cfg_keep_alive,
}

#[repr(C)]
pub struct pjsip_udp_transport_cfg {
    pub af: c_int,
    pub bind_addr: pj_sockaddr,
    pub addr_name: pjsip_host_port,
    pub async_cnt: c_uint,
    pub qos_type: pj_qos_type,
    pub qos_params: pj_qos_params,
    pub sockopt_params: pj_sockopt_params,
}

pub struct pjsip_dialog {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pjsip_ua_init_param {
    pub on_dlg_forked:
        Option<unsafe extern "C" fn(first_set: *mut pjsip_dialog, res: *mut pjsip_rx_data) -> *mut pjsip_dialog>,
}

/// TCP listener configuration (`pjsip_tcp_transport_start3`).
#[repr(C)]
pub struct pjsip_tcp_transport_cfg {
    pub af: c_int,
    pub bind_addr: pj_sockaddr,
    pub reuse_addr: pj_bool_t,
    pub addr_name: pjsip_host_port,
    pub async_cnt: c_uint,
    pub qos_type: pj_qos_type,
    pub qos_params: pj_qos_params,
    pub sockopt_params: pj_sockopt_params,
    pub initial_timeout: c_uint,
}

pub type pjsip_ssl_method = c_uint;
pub type pj_ssl_entropy_t = c_uint;
pub type pj_ssl_cert_lookup_type = c_uint;
pub type pj_ssl_cipher = c_int;
pub type pj_ssl_curve = c_uint;
pub type pj_ssl_cert_buffer = pj_str_t;

/// How to find a certificate in an OS store (not used by this library).
#[repr(C)]
pub struct pj_ssl_cert_lookup_criteria {
    pub r#type: pj_ssl_cert_lookup_type,
    pub keyword: pj_str_t,
}

/// Backend-native certificate and key objects (not used by this library).
#[repr(C)]
pub struct pj_ssl_cert_direct {
    pub r#type: c_uint,
    pub privkey: *mut c_void,
    pub cert: *mut c_void,
}

pub struct pj_ssl_sock_t {
    _opaque: [u8; 0],
}

pub struct pj_ssl_cert_info {
    _opaque: [u8; 0],
}

pub struct pjsip_server_addresses {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct pjsip_tls_on_accept_fail_param {
    pub local_addr: *const c_void,
    pub remote_addr: *const c_void,
    pub status: pj_status_t,
    pub last_native_err: pj_status_t,
}

#[repr(C)]
pub struct pjsip_tls_on_verify_param {
    pub local_addr: *const c_void,
    pub remote_addr: *const c_void,
    pub server_addr: *const pjsip_server_addresses,
    pub tp_dir: pjsip_transport_dir,
    pub local_cert_info: *mut pj_ssl_cert_info,
    pub remote_cert_info: *mut pj_ssl_cert_info,
    pub ssock: *mut pj_ssl_sock_t,
}

/// TLS settings of `pjsip_tls_transport_start*`, pjproject 2.17 layout.
/// This library reads the CA (file, buffer, directory), the client
/// certificate and key (files or buffers, `password` for an encrypted
/// key), `method`/`proto`, `ciphers`, `curves`, `verify_server`, `timeout`
/// and `on_verify_cb`; the rest is accepted and ignored.
#[repr(C)]
pub struct pjsip_tls_setting {
    pub ca_list_file: pj_str_t,
    pub ca_list_path: pj_str_t,
    pub cert_file: pj_str_t,
    pub privkey_file: pj_str_t,
    pub ca_buf: pj_ssl_cert_buffer,
    pub cert_buf: pj_ssl_cert_buffer,
    pub privkey_buf: pj_ssl_cert_buffer,
    pub cert_lookup: pj_ssl_cert_lookup_criteria,
    pub cert_direct: pj_ssl_cert_direct,
    pub password: pj_str_t,
    pub method: pjsip_ssl_method,
    pub proto: pj_uint32_t,
    pub ciphers_num: c_uint,
    pub ciphers: *mut pj_ssl_cipher,
    pub curves_num: c_uint,
    pub curves: *mut pj_ssl_curve,
    pub sigalgs: pj_str_t,
    pub entropy_type: pj_ssl_entropy_t,
    pub entropy_path: pj_str_t,
    pub verify_server: pj_bool_t,
    pub verify_client: pj_bool_t,
    pub require_client_cert: pj_bool_t,
    pub timeout: pj_time_val,
    pub initial_timeout: c_uint,
    pub reuse_addr: pj_bool_t,
    pub qos_type: pj_qos_type,
    pub qos_params: pj_qos_params,
    pub qos_ignore_error: pj_bool_t,
    pub sockopt_params: pj_sockopt_params,
    pub sockopt_ignore_error: pj_bool_t,
    pub enable_renegotiation: pj_bool_t,
    pub on_accept_fail_cb: Option<unsafe extern "C" fn(param: *const pjsip_tls_on_accept_fail_param)>,
    pub on_verify_cb: Option<unsafe extern "C" fn(param: *const pjsip_tls_on_verify_param) -> pj_bool_t>,
}
