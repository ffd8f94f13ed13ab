//! `#[repr(C)]` mirrors of every pjlib/pjsip struct that crosses the API,
//! with compile-time checks of pjproject 2.17's sizes and offsets.
//!
//! Each item has the name, fields and layout of pjproject's item of the
//! same name and means what it means there; pjproject's documentation of
//! that item is its reference, and a comment here says only what this
//! library adds, leaves out or treats differently. The registration
//! client's own types (`regc`) are this library's API and are documented
//! field by field; they become the comments of the C header.
#![allow(non_camel_case_types)]

// Mirrors of pjproject's structs: see above for why their items carry no
// documentation of their own.
#[allow(missing_docs)]
pub mod auth;
#[allow(missing_docs)]
pub mod msg;
#[allow(missing_docs)]
pub mod pj;
pub mod regc;
#[allow(missing_docs)]
pub mod transport;

pub use auth::*;
pub use msg::*;
pub use pj::*;
pub use regc::*;
pub use transport::*;

use core::mem::{offset_of, size_of};

macro_rules! layout {
    ($t:ty, $size:expr $(, $field:ident $(. $sub:ident)* @ $off:expr)* $(,)?) => {
        const _: () = assert!(size_of::<$t>() == $size);
        $(const _: () = assert!(offset_of!($t, $field $(. $sub)*) == $off);)*
    };
}

layout!(pj_str_t, 16, ptr @ 0, slen @ 8);
layout!(pj_time_val, 16, sec @ 0, msec @ 8);
layout!(pj_sockaddr_in, 16, sin_family @ 0, sin_port @ 2, sin_addr @ 4, sin_zero_pad @ 8);
layout!(pj_sockaddr_in6, 28, sin6_addr @ 8, sin6_scope_id @ 24);
layout!(pj_sockaddr, 28);
layout!(pj_pool_factory_policy, 32, block_alloc @ 0, block_free @ 8, callback @ 16, flags @ 24);
layout!(pj_pool_factory, 72, create_pool @ 32, release_pool @ 40, dump_status @ 48, on_block_alloc @ 56, on_block_free @ 64);
layout!(pj_pool_block, 40);
layout!(pj_pool_t, 136, obj_name @ 16, factory @ 48, factory_data @ 56, capacity @ 64, increment_size @ 72, block_list @ 80, callback @ 120, alignment @ 128);
layout!(pj_caching_pool, 904, capacity @ 72, max_capacity @ 80, free_list @ 112, used_list @ 368, pool_buf @ 384, lock @ 896);
layout!(pj_qos_params, 8, wmm_prio @ 4);
layout!(pj_sockopt_params, 104, options @ 8);
layout!(pj_timer_entry, 32);
layout!(pj_dns_settings, 24, qretr_delay @ 4, qretr_count @ 8, bad_ns_ttl @ 20);

layout!(pjsip_host_port, 24, host @ 0, port @ 16);
layout!(pjsip_cred_info, 136, realm @ 0, scheme @ 16, username @ 32, data_type @ 48, data @ 56, algorithm_type @ 72, ext @ 80);
layout!(pjsip_cred_info_aka, 56, k @ 0, op @ 16, amf @ 32, cb @ 48);
layout!(pjsip_auth_clt_pref, 24, initial_auth @ 0, algorithm @ 8);
layout!(pjsip_cached_auth, 88, realm @ 24, is_proxy @ 40, qop_value @ 44, stale_cnt @ 48, nc @ 52, cnonce @ 56, last_chal @ 72, challenge_algorithm_type @ 80);
layout!(pjsip_auth_clt_sess, 168, pool @ 0, endpt @ 8, pref @ 16, cred_cnt @ 40, cred_info @ 48, cached_auth @ 56, lock @ 144, parent @ 152, async_opt @ 160);
layout!(pjsip_auth_clt_async_setting, 16);
layout!(pjsip_auth_algorithm, 40, iana_name @ 8, openssl_name @ 24, digest_length @ 32, digest_str_length @ 36);
layout!(pjsip_digest_challenge, 152, other_param @ 16, domain @ 64, nonce @ 80, opaque @ 96, stale @ 112, algorithm @ 120, qop @ 136);
layout!(pjsip_digest_credential, 208, username @ 64, nonce @ 80, uri @ 96, response @ 112, algorithm @ 128, cnonce @ 144, opaque @ 160, qop @ 176, nc @ 192);
layout!(pjsip_authorization_hdr, 288, scheme @ 64, credential @ 80);
layout!(pjsip_www_authenticate_hdr, 232, scheme @ 64, challenge @ 80);

layout!(pjsip_tpselector, 16, r#type @ 0, disable_connection_reuse @ 4, u @ 8);
layout!(pjsip_regc_info, 56, server_uri @ 0, client_uri @ 16, is_busy @ 32, auto_reg @ 36, interval @ 40, next_reg @ 44, transport @ 48);
layout!(pjsip_regc_cbparam, 144, regc @ 0, token @ 8, status @ 16, code @ 20, reason @ 24, rdata @ 40, expiration @ 48, contact_cnt @ 52, contact @ 56, is_unreg @ 136);
layout!(pjsip_regc_tsx_cb_param, 312, cbparam @ 0, contact_cnt @ 144, contact @ 152);

layout!(pjsip_hdr, 64, prev @ 0, next @ 8, r#type @ 16, name @ 24, sname @ 40, vptr @ 56);
layout!(pjsip_hdr_vptr, 24);
layout!(pjsip_param, 48, name @ 16, value @ 32);
layout!(pjsip_name_addr, 32, display @ 8, uri @ 24);
layout!(pjsip_method, 24, id @ 0, name @ 8);
layout!(pjsip_uri_vptr, 40);
layout!(pjsip_sip_uri, 232, user @ 8, passwd @ 24, host @ 40, port @ 56, user_param @ 64, method_param @ 80, transport_param @ 96, ttl_param @ 112, lr_param @ 116, maddr_param @ 120, other_param @ 136, header_param @ 184);
layout!(pjsip_other_uri, 40, scheme @ 8, content @ 24);
layout!(pjsip_tel_uri, 120, other_param @ 72);
layout!(pjsip_generic_string_hdr, 80, r#type @ 16, name @ 24, vptr @ 56, hvalue @ 64);
layout!(pjsip_generic_int_hdr, 72, vptr @ 56, ivalue @ 64);
layout!(pjsip_generic_array_hdr, 584, count @ 64, values @ 72);
layout!(pjsip_clen_hdr, 72, len @ 64);
layout!(pjsip_media_type, 80, subtype @ 16, param @ 32);
layout!(pjsip_ctype_hdr, 144, media @ 64);
layout!(pjsip_cid_hdr, 80, id @ 64);
layout!(pjsip_cseq_hdr, 96, cseq @ 64, method @ 72);
layout!(pjsip_contact_hdr, 136, vptr @ 56, star @ 64, uri @ 72, q1000 @ 80, expires @ 84, other_param @ 88);
layout!(pjsip_fromto_hdr, 136, vptr @ 56, uri @ 64, tag @ 72, other_param @ 88);
layout!(pjsip_routing_hdr, 144, vptr @ 56, name_addr @ 64, name_addr.display @ 72, name_addr.uri @ 88, other_param @ 96);
layout!(pjsip_via_hdr, 224, transport @ 64, sent_by @ 80, ttl_param @ 104, rport_param @ 108, maddr_param @ 112, recvd_param @ 128, branch_param @ 144, other_param @ 160, comment @ 208);
layout!(pjsip_retry_after_hdr, 136, ivalue @ 64, param @ 72, comment @ 120);
layout!(pjsip_request_line, 32, method @ 0, uri @ 24);
layout!(pjsip_status_line, 24, code @ 0, reason @ 8);
layout!(pjsip_msg_body, 112, data @ 80, len @ 88, print_body @ 96, clone_data @ 104);
layout!(pjsip_msg, 112, r#type @ 0, line @ 8, hdr @ 40, body @ 104);

layout!(pjsip_tx_data, 1928, pool @ 16, obj_name @ 24, info @ 56, rx_timestamp @ 64, mgr @ 80, lock @ 384, msg @ 392, buf @ 408, ref_cnt @ 432, dest_info @ 464, tp_info @ 1520, tp_info.transport @ 1520, tp_info.dst_addr @ 1528, tp_info.dst_port @ 1608, tp_sel @ 1616, auth_retry @ 1632, mod_data @ 1640, via_addr @ 1896, via_tp @ 1920);
layout!(pjsip_rx_data, 4856, tp_info.pool @ 0, tp_info.transport @ 8, pkt_info @ 304, pkt_info.timestamp @ 304, pkt_info.packet @ 320, pkt_info.len @ 4328, pkt_info.src_addr @ 4336, pkt_info.src_name @ 4368, pkt_info.src_port @ 4416, msg_info @ 4424, msg_info.msg_buf @ 4424, msg_info.len @ 4432, msg_info.msg @ 4440, msg_info.info @ 4448, msg_info.cid @ 4456, msg_info.from @ 4464, msg_info.to @ 4472, msg_info.via @ 4480, msg_info.cseq @ 4488, msg_info.route @ 4504, msg_info.parse_err @ 4552, endpt_info @ 4600);
layout!(pjsip_module, 112, name @ 16, id @ 32, priority @ 36, load @ 40, start @ 48, stop @ 56, unload @ 64, on_rx_request @ 72, on_rx_response @ 80, on_tx_request @ 88, on_tx_response @ 96, on_tsx_state @ 104);
layout!(pjsip_event, 56, r#type @ 16, body @ 24);
layout!(pjsip_transport_key, 40, rem_addr @ 8);
layout!(pjsip_transport, 352, obj_name @ 0, pool @ 32, ref_cnt @ 40, lock @ 48, grp_lock @ 56, key @ 80, type_name @ 120, flag @ 128, info @ 136, addr_len @ 144, local_addr @ 148, local_name @ 184, remote_name @ 208, dir @ 232, endpt @ 240, factory @ 256, data @ 312);
layout!(pjsip_tpfactory, 176, obj_name @ 16, r#type @ 64, type_name @ 72, flag @ 80, addr_name @ 128);
layout!(pjsip_transaction, 760, pool @ 0, grp_lock @ 32, method @ 96, branch @ 168, status_code @ 184, status_text @ 192, state @ 208, transport @ 232, transport_err @ 356, last_tx @ 392, mod_data @ 504);
layout!(pjsip_cfg_t, 96, tsx @ 52, tsx.t1 @ 56, tsx.td @ 68, regc @ 72, regc.add_xuid_param @ 76, tcp @ 80, tls @ 88);
layout!(pjsip_udp_transport_cfg, 176, af @ 0, bind_addr @ 4, addr_name @ 32, async_cnt @ 56, qos_type @ 60, qos_params @ 64, sockopt_params @ 72);
layout!(pjsip_ua_init_param, 8);
layout!(pjsip_tcp_transport_cfg, 192, af @ 0, bind_addr @ 4, reuse_addr @ 32, addr_name @ 40, async_cnt @ 64, qos_type @ 68, qos_params @ 72, sockopt_params @ 80, initial_timeout @ 184);
layout!(pj_ssl_cert_lookup_criteria, 24, keyword @ 8);
layout!(pj_ssl_cert_direct, 24, privkey @ 8, cert @ 16);
layout!(pjsip_tls_on_accept_fail_param, 24, status @ 16, last_native_err @ 20);
layout!(pjsip_tls_on_verify_param, 56, server_addr @ 16, tp_dir @ 24, local_cert_info @ 32, remote_cert_info @ 40, ssock @ 48);
layout!(pjsip_tls_setting, 440, ca_list_file @ 0, ca_list_path @ 16, cert_file @ 32, privkey_file @ 48, ca_buf @ 64, cert_buf @ 80, privkey_buf @ 96, cert_lookup @ 112, cert_direct @ 136, password @ 160, method @ 176, proto @ 180, ciphers_num @ 184, ciphers @ 192, curves_num @ 200, curves @ 208, sigalgs @ 216, entropy_type @ 232, entropy_path @ 240, verify_server @ 256, verify_client @ 260, require_client_cert @ 264, timeout @ 272, initial_timeout @ 288, reuse_addr @ 292, qos_type @ 296, qos_params @ 300, qos_ignore_error @ 308, sockopt_params @ 312, sockopt_ignore_error @ 416, enable_renegotiation @ 420, on_accept_fail_cb @ 424, on_verify_cb @ 432);
