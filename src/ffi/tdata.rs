//! pjsip_tx_data for the requests regc builds: a pool, a reference count
//! and a pjproject-layout `msg` that C code may read and edit before send.

use super::endpt::EndptShared;
use super::guard::guard;
use super::types::*;
use crate::auth::{parse_challenge, AuthHeader};
use crate::nonnull;
use crate::reg::print::header_parts;
use crate::reg::{OutHeader, Request};
use crate::sip::{
    hdr_kind, parse_contact_list, parse_cseq, parse_fromto, parse_generic_array, parse_route_list,
    parse_uint, HdrKind, Message, RawHeader, StartLine,
};
use crate::status::*;
use core::ffi::c_char;
use std::sync::atomic::{AtomicI32, Ordering};

/// A request's headers as the generic message model (for the C view).
fn request_message(req: &Request) -> Message {
    let headers = req
        .headers
        .iter()
        .map(|h| {
            let (name, kind, value) = header_parts(h);
            RawHeader { name, kind, value }
        })
        .collect();
    Message {
        start: StartLine::Request { method: req.method.clone(), uri: req.uri.clone() },
        headers,
        body: req.body.clone(),
    }
}

/// A new tx_data holding `req`, with one reference.
pub unsafe fn create(shared: &EndptShared, req: &Request) -> Result<*mut pjsip_tx_data, Status> {
    with_msg(shared, &request_message(req))
}

/// A tx_data for a request as it left through `transport` to `dest`: its
/// message parsed back from `bytes`, which are also its printed buffer
/// (what pjsip's modules find in `on_tx_request`). One reference.
pub unsafe fn sent(
    shared: &EndptShared,
    bytes: &[u8],
    transport: *mut pjsip_transport,
    dest: std::net::SocketAddr,
) -> Result<*mut pjsip_tx_data, Status> {
    let msg = crate::sip::parse_message(bytes).map_err(|_| PJSIP_EINVALIDMSG)?;
    let td = with_msg(shared, &msg)?;
    let buf = super::pjlib::pj_pool_alloc((*td).pool, bytes.len() + 1) as *mut c_char;
    if buf.is_null() {
        pjsip_tx_data_dec_ref(td);
        return Err(PJ_ENOMEM);
    }
    core::ptr::copy_nonoverlapping(bytes.as_ptr(), buf as *mut u8, bytes.len());
    *buf.add(bytes.len()) = 0;
    (*td).buf = pjsip_buffer { start: buf, cur: buf.add(bytes.len()), end: buf.add(bytes.len()) };
    let tp = &mut (*td).tp_info;
    tp.transport = transport;
    tp.dst_addr = super::endpt::to_pj_sockaddr(dest);
    tp.dst_addr_len = if dest.is_ipv6() { 28 } else { 16 };
    for (i, b) in dest.ip().to_string().bytes().take(tp.dst_name.len() - 1).enumerate() {
        tp.dst_name[i] = b as c_char;
    }
    tp.dst_port = i32::from(dest.port());
    Ok(td)
}

/// A new tx_data whose `msg` is `m`, with one reference.
unsafe fn with_msg(shared: &EndptShared, m: &Message) -> Result<*mut pjsip_tx_data, Status> {
    let pool = shared.create_pool("tdta%p", 4000, 4000);
    if pool.is_null() {
        return Err(PJ_ENOMEM);
    }
    let td = super::pjlib::pj_pool_calloc(pool, 1, core::mem::size_of::<pjsip_tx_data>()) as *mut pjsip_tx_data;
    let refs = super::pjlib::pj_pool_calloc(pool, 1, core::mem::size_of::<AtomicI32>()) as *mut AtomicI32;
    let msg = if td.is_null() || refs.is_null() { core::ptr::null_mut() } else { super::cobj::msg_to_c(pool, m) };
    if msg.is_null() {
        // SAFETY: the pool made above, not handed out.
        unsafe { shared.release_pool(pool) };
        return Err(PJ_ENOMEM);
    }
    refs.write(AtomicI32::new(1));
    (*td).pool = pool;
    let name = format!("tdta{:p}", td);
    for (i, b) in name.bytes().take(31).enumerate() {
        (*td).obj_name[i] = b as c_char;
    }
    (*td).ref_cnt = refs as *mut pj_atomic_t;
    (*td).msg = msg;
    (*td).prev = td;
    (*td).next = td;
    Ok(td)
}

pub(super) fn auth_header(is_proxy: bool, value: String) -> Option<OutHeader> {
    let ch = parse_challenge(&value).ok()?;
    let unquote = |s: &str| s.trim_matches('"').to_string();
    let response = ch.other_params.iter().find(|(k, _)| k.eq_ignore_ascii_case("response")).map(|(_, v)| unquote(v));
    Some(OutHeader::Auth(AuthHeader {
        is_proxy,
        scheme: ch.scheme,
        realm: ch.realm,
        nonce: ch.nonce,
        response: response.unwrap_or_default(),
        value,
    }))
}

/// Typed request headers from one printed header; text when it does not
/// parse, so that nothing the application put in is lost.
fn out_headers(name: String, value: String) -> Vec<OutHeader> {
    let typed: Option<Vec<OutHeader>> = match hdr_kind(&name) {
        HdrKind::Via | HdrKind::ContentLength => Some(vec![]),
        HdrKind::Route => parse_route_list(&value).ok().map(|v| v.into_iter().map(OutHeader::Route).collect()),
        HdrKind::MaxForwards => parse_uint(&value).ok().map(|n| vec![OutHeader::MaxForwards(n)]),
        HdrKind::From => parse_fromto(&value).ok().map(|f| vec![OutHeader::From(f)]),
        HdrKind::To => parse_fromto(&value).ok().map(|t| vec![OutHeader::To(t)]),
        HdrKind::CallId => Some(vec![OutHeader::CallId(value.clone())]),
        HdrKind::CSeq => parse_cseq(&value).ok().map(|c| vec![OutHeader::CSeq(c)]),
        HdrKind::Contact => parse_contact_list(&value).ok().map(|v| v.into_iter().map(OutHeader::Contact).collect()),
        HdrKind::Expires => parse_uint(&value).ok().map(|n| vec![OutHeader::Expires(n)]),
        HdrKind::Allow => parse_generic_array(&value)
            .ok()
            .map(|v| vec![OutHeader::Allow(v.into_iter().map(str::to_string).collect())]),
        HdrKind::Authorization => auth_header(false, value.clone()).map(|h| vec![h]),
        HdrKind::ProxyAuthorization => auth_header(true, value.clone()).map(|h| vec![h]),
        _ => None,
    };
    typed.unwrap_or_else(|| vec![OutHeader::Other { name, value }])
}

/// One header of a C header list as a request-model header.
pub unsafe fn out_header(h: *const pjsip_hdr) -> Option<Vec<OutHeader>> {
    let (name, value) = super::cobj::hdr_to_text(h)?;
    Some(out_headers(name, value))
}

/// The request as `tdata->msg` describes it now.
pub unsafe fn to_request(td: *mut pjsip_tx_data) -> Result<Request, Status> {
    let msg = (*td).msg;
    nonnull!(msg)?;
    if (*msg).r#type != 0 {
        return Err(PJSIP_ENOTREQUESTMSG);
    }
    let line = (*msg).line.req;
    let uri = super::cobj::uri_from_c(line.uri as *const pjsip_uri).ok_or(PJSIP_EINVALIDREQURI)?;
    let method = super::util::pj_string(&line.method.name).filter(|m| !m.is_empty()).unwrap_or_else(|| "REGISTER".into());
    let mut headers = Vec::new();
    let head = core::ptr::addr_of!((*msg).hdr);
    let mut h = (*head).next as *const pjsip_hdr;
    let mut guard_count = 0usize;
    while !h.is_null() && h != head && guard_count < 4096 {
        headers.extend(out_header(h).ok_or(PJSIP_EINVALIDHDR)?);
        h = (*h).next;
        guard_count += 1;
    }
    Ok(Request { method, uri, headers, body: Vec::new() })
}

#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_add_ref(tdata: *mut pjsip_tx_data) {
    guard((), || {
        if !tdata.is_null() && !(*tdata).ref_cnt.is_null() {
            (*((*tdata).ref_cnt as *mut AtomicI32)).fetch_add(1, Ordering::AcqRel);
        }
    })
}

/// Drops a reference; the last one frees the buffer and its pool.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_dec_ref(tdata: *mut pjsip_tx_data) -> pj_status_t {
    guard(PJ_EBUG, || {
        if tdata.is_null() || (*tdata).ref_cnt.is_null() {
            return PJ_EINVAL;
        }
        let refs = &*((*tdata).ref_cnt as *mut AtomicI32);
        if refs.fetch_sub(1, Ordering::AcqRel) == 1 {
            let pool = (*tdata).pool;
            super::pjlib::pj_pool_release(pool);
            return PJSIP_EBUFDESTROYED;
        }
        PJ_SUCCESS
    })
}

/// Invalidates the printed buffer; ours is printed at send time.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_invalidate_msg(tdata: *mut pjsip_tx_data) {
    guard((), || {
        if !tdata.is_null() {
            (*tdata).buf = pjsip_buffer { start: core::ptr::null_mut(), cur: core::ptr::null_mut(), end: core::ptr::null_mut() };
        }
    })
}
