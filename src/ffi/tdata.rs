//! pjsip_tx_data for the requests regc builds: a pool, a reference count
//! and a pjproject-layout `msg` that C code may read and edit before send.

use super::endpt::EndptShared;
use super::guard::{guard, guard_status};
use super::types::*;
use crate::auth::{parse_challenge, AuthHeader};
use crate::nonnull;
use crate::reg::print::{header_name, print_header_value};
use crate::reg::{OutHeader, Request};
use crate::sip::{hdr_kind, parse_call_id, parse_contact_list, parse_cseq, parse_route_list, parse_uint, HdrKind, RawHeader};
use crate::status::*;
use core::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

/// The C header(s) for one request header, built from its typed value
/// (no text round trip); the header kinds regc prints as text go through
/// the header parser, as `pjsip_parse_hdr` would read them.
unsafe fn out_header_to_c(pool: *mut pj_pool_t, h: &OutHeader) -> *mut pjsip_hdr {
    use super::cobj::*;
    match h {
        OutHeader::Route(r) => route_to_c(pool, false, r) as *mut pjsip_hdr,
        OutHeader::MaxForwards(n) => int_hdr_to_c(pool, HdrKind::MaxForwards, *n) as *mut pjsip_hdr,
        OutHeader::From(f) => fromto_to_c(pool, false, f) as *mut pjsip_hdr,
        OutHeader::To(t) => fromto_to_c(pool, true, t) as *mut pjsip_hdr,
        OutHeader::CallId(id) if parse_call_id(id).is_ok() => cid_to_c(pool, id) as *mut pjsip_hdr,
        OutHeader::CSeq(c) => cseq_to_c(pool, c) as *mut pjsip_hdr,
        OutHeader::Contact(c) => contact_to_c(pool, c) as *mut pjsip_hdr,
        OutHeader::Expires(n) => int_hdr_to_c(pool, HdrKind::Expires, *n) as *mut pjsip_hdr,
        OutHeader::Allow(methods) => array_hdr_to_c(pool, HdrKind::Allow, methods) as *mut pjsip_hdr,
        _ => {
            let (name, kind) = header_name(h);
            let mut value = String::new();
            print_header_value(h, &mut value);
            raw_header_to_c(pool, &RawHeader::new(name.to_string(), kind, value))
        }
    }
}

/// `req` as a C message: request line, then its headers in order.
unsafe fn request_to_c(pool: *mut pj_pool_t, req: &Request) -> *mut pjsip_msg {
    let msg = super::cobj::request_msg_new(pool, &req.method, &req.uri);
    if msg.is_null() {
        return msg;
    }
    let head = core::ptr::addr_of_mut!((*msg).hdr) as *mut c_void;
    for h in &req.headers {
        let first = out_header_to_c(pool, h);
        if first.is_null() {
            return core::ptr::null_mut();
        }
        super::pjlib::pj_list_insert_nodes_before(head, first as *mut c_void);
    }
    msg
}

/// A new tx_data holding `req`, with one reference, and what lets
/// `pjsip_regc_send` send `req` itself when `msg` is left as built.
pub unsafe fn create(shared: &EndptShared, req: Request) -> Result<(*mut pjsip_tx_data, Option<Built>), Status> {
    let mut start = None;
    let td = with_msg(shared, |pool| {
        start = super::pjlib::sole_block(pool);
        request_to_c(pool, &req)
    })?;
    if !add_blank_via((*td).pool, (*td).msg) {
        pjsip_tx_data_dec_ref(td);
        return Err(PJ_ENOMEM);
    }
    let built = start.map(|(first, from)| {
        let used = super::pjlib::used_since((*td).pool, first, from);
        Built {
            tdata: td as usize,
            msg: (*td).msg as usize,
            first: first as usize,
            from: from as usize,
            blocks: used.iter().map(|(b, bytes)| (*b as usize, bytes.len())).collect(),
            copy: used.iter().map(|(_, bytes)| *bytes).collect::<Vec<&[u8]>>().concat(),
            req,
        }
    });
    Ok((td, built))
}

/// A request as [`create`] put it in `tdata->msg`, with a copy of the
/// pool bytes its C objects fill. Every C object reachable from that `msg`
/// lies in those bytes, and its strings too (the rest is static text), so
/// any edit of the message, by a field write, a `pjsip_msg_*` call or a
/// header linked in or out, changes them. While they are unchanged the
/// request can be sent from `req` without reading the C message back.
pub struct Built {
    tdata: usize,
    msg: usize,
    /// Where the pool stood before the message was built.
    first: usize,
    from: usize,
    /// The blocks the message was built in, with the bytes used in each.
    blocks: Vec<(usize, usize)>,
    copy: Vec<u8>,
    req: Request,
}

impl Built {
    /// The request, when `tdata` is the one built and its message is as
    /// built.
    ///
    /// # Safety
    /// `tdata` must be a live tx_data.
    pub unsafe fn take_if_untouched(self, tdata: *mut pjsip_tx_data) -> Option<Request> {
        if tdata as usize != self.tdata || (*tdata).msg as usize != self.msg {
            return None;
        }
        // Blocks added since hold only later allocations: the message's
        // bytes are the same length at the same places, or it changed.
        let used = super::pjlib::used_since((*tdata).pool, self.first as *mut pj_pool_block, self.from as *mut u8);
        let mut rest = &self.copy[..];
        for (block, len) in &self.blocks {
            let (_, now) = used.iter().find(|(b, _)| *b as usize == *block)?;
            let (was, tail) = rest.split_at_checked(*len)?;
            if now.get(..*len) != Some(was) {
                return None;
            }
            rest = tail;
        }
        Some(self.req)
    }
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
    let td = with_msg(shared, |pool| super::cobj::msg_to_c(pool, &msg))?;
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

/// A new tx_data whose `msg` is the one `build` makes in its pool, with
/// one reference.
unsafe fn with_msg(
    shared: &EndptShared,
    build: impl FnOnce(*mut pj_pool_t) -> *mut pjsip_msg,
) -> Result<*mut pjsip_tx_data, Status> {
    let pool = shared.create_pool("tdta%p", 4000, 4000);
    if pool.is_null() {
        return Err(PJ_ENOMEM);
    }
    let td = super::pjlib::pj_pool_calloc(pool, 1, core::mem::size_of::<pjsip_tx_data>()) as *mut pjsip_tx_data;
    let refs = super::pjlib::pj_pool_calloc(pool, 1, core::mem::size_of::<AtomicI32>()) as *mut AtomicI32;
    let msg = if td.is_null() || refs.is_null() { core::ptr::null_mut() } else { build(pool) };
    if msg.is_null() {
        // SAFETY: the pool made above, not handed out.
        unsafe { shared.release_pool(pool) };
        return Err(PJ_ENOMEM);
    }
    refs.write(AtomicI32::new(1));
    (*td).pool = pool;
    let mut name = super::pjlib::ObjName::new(&mut (*td).obj_name);
    name.push(b"tdta");
    name.push_pointer(td as usize);
    (*td).ref_cnt = refs as *mut pj_atomic_t;
    (*td).msg = msg;
    (*td).prev = td;
    (*td).next = td;
    Ok(td)
}

/// Puts the empty Via pjsip gives every new request at the top of `msg`;
/// the transport fills in its transport and sent-by when it is sent.
unsafe fn add_blank_via(pool: *mut pj_pool_t, msg: *mut pjsip_msg) -> bool {
    let via = super::cobj::pjsip_via_hdr_create(pool);
    if via.is_null() {
        return false;
    }
    (*via).rport_param = if super::cfg::disable_rport() { -1 } else { 0 };
    super::pjlib::pj_list_insert_after(core::ptr::addr_of_mut!((*msg).hdr) as *mut c_void, via as *mut c_void);
    true
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

/// Request-model headers from one printed header. Only the kinds the
/// registration logic reads or rewrites (next hop, CSeq, Expires, contacts,
/// credentials) are parsed; the others, and any value that does not parse,
/// stay the text C printed, which is also what goes on the wire.
fn out_headers(name: String, value: String) -> Vec<OutHeader> {
    let typed: Option<Vec<OutHeader>> = match hdr_kind(&name) {
        HdrKind::Via | HdrKind::ContentLength => Some(vec![]),
        HdrKind::Route => parse_route_list(&value).ok().map(|v| v.into_iter().map(OutHeader::Route).collect()),
        HdrKind::CSeq => parse_cseq(&value).ok().map(|c| vec![OutHeader::CSeq(c)]),
        HdrKind::Contact => parse_contact_list(&value).ok().map(|v| v.into_iter().map(OutHeader::Contact).collect()),
        HdrKind::Expires => parse_uint(&value).ok().map(|n| vec![OutHeader::Expires(n)]),
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

/// Takes a reference on `tdata`.
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
            if super::pjlib::log::log_enabled(5) {
                let name = obj_name(&*tdata);
                super::pjlib::log::log(5, &String::from_utf8_lossy(&name), &format!("Destroying txdata {}", info_for_log(tdata)));
            }
            super::endpt::pjsip_tpselector_dec_ref(&mut (*tdata).tp_sel);
            let pool = (*tdata).pool;
            super::pjlib::pj_pool_release(pool);
            return PJSIP_EBUFDESTROYED;
        }
        PJ_SUCCESS
    })
}

/// Marks the printed buffer stale (kept for the next encode) and forgets
/// the cached description, so both follow later edits of `msg`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_invalidate_msg(tdata: *mut pjsip_tx_data) {
    guard((), || {
        if !tdata.is_null() {
            (*tdata).buf.cur = (*tdata).buf.start;
            (*tdata).info = core::ptr::null_mut();
        }
    })
}

/// PJSIP_MAX_PKT_LEN: the size of the buffer a message is printed into.
const MAX_PKT_LEN: usize = 4000;

/// Prints `msg` into `buf` (allocated from the tdata's pool on first use)
/// unless the buffer still holds a print; PJSIP_EMSGTOOLONG when the
/// message does not fit. Our own send path prints from the request model,
/// so this only serves C code that reads the buffer.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_encode(tdata: *mut pjsip_tx_data) -> pj_status_t {
    guard_status(|| {
        nonnull!(tdata)?;
        let td = &mut *tdata;
        nonnull!(td.msg)?;
        if td.buf.start.is_null() {
            let start = super::pjlib::pj_pool_alloc(td.pool, MAX_PKT_LEN) as *mut c_char;
            if start.is_null() {
                return Err(PJ_ENOMEM);
            }
            td.buf = pjsip_buffer { start, cur: start, end: start.add(MAX_PKT_LEN) };
        }
        if td.buf.cur == td.buf.start {
            let room = (td.buf.end as usize).saturating_sub(td.buf.start as usize);
            let size = super::cobj::pjsip_msg_print(td.msg, td.buf.start, room);
            if size < 0 {
                return Err(PJSIP_EMSGTOOLONG);
            }
            td.buf.cur = td.buf.start.add(size as usize);
        }
        Ok(())
    })
}

/// Makes `sel` the tdata's transport selector, moving the transport
/// reference a selector holds from the old one to the new one.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_set_transport(tdata: *mut pjsip_tx_data, sel: *const pjsip_tpselector) -> pj_status_t {
    guard_status(|| {
        nonnull!(tdata, sel)?;
        let sel = *sel;
        let td = &mut *tdata;
        super::endpt::pjsip_tpselector_dec_ref(&mut td.tp_sel);
        td.tp_sel = sel;
        super::endpt::pjsip_tpselector_add_ref(&mut td.tp_sel);
        Ok(())
    })
}

// ---- one-line descriptions (pjsip_tx_data_get_info, pjsip_rx_data_get_info) ----

/// pjsip_hdr_e of CSeq.
const H_CSEQ: pjsip_hdr_e = 15;

/// What pjsip returns for a NULL object or message, and for a message
/// without CSeq.
pub(crate) const NULL_TEXT: &[u8] = b"NULL\0";
pub(crate) const INVALID_MSG: &[u8] = b"INVALID MSG\0";

pub(crate) fn static_text(t: &'static [u8]) -> *mut c_char {
    t.as_ptr() as *mut c_char
}

/// pjsip's description of a message: "Request msg REGISTER/cseq=N (obj)"
/// or "Response msg 200/REGISTER/cseq=N (obj)", the method taken from the
/// request line or from CSeq. None when it would not fit pjsip's 128-byte
/// buffer (pjsip then describes the object by its name alone).
pub(crate) fn info_text(response_code: Option<i32>, method: &[u8], cseq: i32, obj_name: &[u8]) -> Option<Vec<u8>> {
    // pjsip prints both through %s, which stops at a NUL.
    let cut = |b: &[u8]| b.split(|c| *c == 0).next().unwrap_or_default().to_vec();
    let mut out = match response_code {
        None => b"Request msg ".to_vec(),
        Some(code) => format!("Response msg {code}/").into_bytes(),
    };
    out.extend(cut(method));
    out.extend(format!("/cseq={cseq} (").bytes());
    out.extend(cut(obj_name));
    out.push(b')');
    (out.len() < 128).then_some(out)
}

pub(crate) enum Info {
    Text(Vec<u8>),
    NoCseq,
    TooLong,
}

/// The description of `msg` for an object named `obj_name`.
pub(crate) unsafe fn describe(msg: *const pjsip_msg, obj_name: &[u8]) -> Info {
    let cseq = super::cobj::pjsip_msg_find_hdr(msg, H_CSEQ, core::ptr::null()) as *const pjsip_cseq_hdr;
    let Some(cseq) = cseq.as_ref() else { return Info::NoCseq };
    let m = &*msg;
    let text = if m.r#type == super::cobj::PJSIP_REQUEST_MSG {
        info_text(None, super::util::pj_bytes(&m.line.req.method.name).unwrap_or_default(), cseq.cseq, obj_name)
    } else {
        let method = super::util::pj_bytes(&cseq.method.name).unwrap_or_default();
        info_text(Some(m.line.status.code), method, cseq.cseq, obj_name)
    };
    text.map_or(Info::TooLong, Info::Text)
}

fn obj_name(td: &pjsip_tx_data) -> Vec<u8> {
    td.obj_name.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect()
}

/// The tdata's description for a log line, without caching it.
pub(crate) unsafe fn info_for_log(tdata: *const pjsip_tx_data) -> String {
    let name = obj_name(&*tdata);
    let text = if (*tdata).msg.is_null() {
        None
    } else {
        match describe((*tdata).msg, &name) {
            Info::Text(t) => Some(t),
            Info::NoCseq => Some(INVALID_MSG[..INVALID_MSG.len() - 1].to_vec()),
            Info::TooLong => None,
        }
    };
    String::from_utf8_lossy(&text.unwrap_or(name)).into_owned()
}

/// The tdata's description, built into its pool on first use and kept in
/// `info` until the message is invalidated (an `info` the application set
/// is returned as it is).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tx_data_get_info(tdata: *mut pjsip_tx_data) -> *mut c_char {
    guard(static_text(NULL_TEXT), || {
        let Some(td) = tdata.as_mut() else { return static_text(NULL_TEXT) };
        if !td.info.is_null() {
            return td.info;
        }
        if td.msg.is_null() {
            return static_text(NULL_TEXT);
        }
        let name = obj_name(td);
        td.info = match describe(td.msg, &name) {
            Info::Text(t) => {
                let p = super::pjlib::pool_strdup(td.pool, &t).ptr;
                if p.is_null() {
                    td.obj_name.as_mut_ptr()
                } else {
                    p
                }
            }
            Info::NoCseq => static_text(INVALID_MSG),
            Info::TooLong => td.obj_name.as_mut_ptr(),
        };
        td.info
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::endpt::*;
    use crate::ffi::pjlib::{pj_caching_pool_destroy, pj_caching_pool_init};
    use crate::ffi::regc::*;
    use core::ptr::{null, null_mut};

    unsafe extern "C" fn no_cb(_: *mut pjsip_regc_cbparam) {}

    fn pjs(s: &'static str) -> pj_str_t {
        pj_str_t { ptr: s.as_ptr() as *mut c_char, slen: s.len() as pj_ssize_t }
    }

    /// set_transport moves the transport reference from the old selector
    /// to the new one, the tdata's destruction drops it, and
    /// pjsip_regc_send replaces the tdata's selector with the regc's.
    #[test]
    fn tdata_selector() {
        unsafe {
            let mut cp: pj_caching_pool = core::mem::zeroed();
            pj_caching_pool_init(&mut cp, null(), 0);
            let mut endpt = null_mut();
            assert_eq!(pjsip_endpt_create(&mut cp.factory, c"sel".as_ptr(), &mut endpt), PJ_SUCCESS);
            let local = pj_sockaddr_in {
                sin_family: libc::AF_INET as u16,
                sin_port: 0,
                sin_addr: pj_in_addr { s_addr: u32::from(std::net::Ipv4Addr::LOCALHOST).to_be() },
                sin_zero_pad: [0; 8],
            };
            let mut tp = null_mut();
            assert_eq!(pjsip_udp_transport_start(endpt, &local, null(), 1, &mut tp), PJ_SUCCESS);
            let refs = || (*(tp as *mut CTransport)).refs.load(Ordering::Acquire);
            let base = refs();

            let mut regc = null_mut();
            assert_eq!(pjsip_regc_create(endpt, null_mut(), Some(no_cb), &mut regc), PJ_SUCCESS);
            let (srv, aor, contact) = (pjs("sip:127.0.0.1:9"), pjs("<sip:a@example.com>"), pjs("<sip:a@127.0.0.1>"));
            assert_eq!(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 60), PJ_SUCCESS);
            let mut td = null_mut();
            assert_eq!(pjsip_regc_register(regc, 0, &mut td), PJ_SUCCESS);

            let mut sel: pjsip_tpselector = core::mem::zeroed();
            sel.r#type = 1;
            sel.u.transport = tp;
            assert_eq!(pjsip_tx_data_set_transport(td, &sel), PJ_SUCCESS);
            assert_eq!((*td).tp_sel.r#type, 1);
            assert_eq!((*td).tp_sel.u.transport, tp);
            assert_eq!(refs(), base + 1);
            assert_eq!(pjsip_tx_data_set_transport(td, &sel), PJ_SUCCESS);
            assert_eq!(refs(), base + 1);

            // The regc's selector is none: the tdata's goes, with its reference.
            pjsip_tx_data_add_ref(td);
            assert_eq!(pjsip_regc_send(regc, td), PJ_SUCCESS);
            assert_eq!((*td).tp_sel.r#type, 0);
            assert!((*td).tp_sel.u.transport.is_null());
            assert_eq!(refs(), base);

            assert_eq!(pjsip_tx_data_set_transport(td, &sel), PJ_SUCCESS);
            assert_eq!(refs(), base + 1);
            assert_eq!(pjsip_tx_data_dec_ref(td), PJSIP_EBUFDESTROYED);
            assert_eq!(refs(), base);

            pjsip_regc_destroy(regc);
            pjsip_endpt_destroy(endpt);
            pj_caching_pool_destroy(&mut cp);
        }
    }

    #[test]
    fn info_texts_as_pjsip_formats_them() {
        assert_eq!(info_text(None, b"REGISTER", 12345, b"tdta0x1").unwrap(), b"Request msg REGISTER/cseq=12345 (tdta0x1)");
        assert_eq!(
            info_text(Some(200), b"REGISTER", -1, b"rdata0x2").unwrap(),
            b"Response msg 200/REGISTER/cseq=-1 (rdata0x2)"
        );
        assert_eq!(info_text(None, b"REG\0ISTER", 1, b"t\0x").unwrap(), b"Request msg REG/cseq=1 (t)");
    }

    #[test]
    fn too_long_for_pjsips_buffer() {
        // "Request msg " + method + "/cseq=1 (" + "t" + ")" = 23 + method.
        assert_eq!(info_text(None, &[b'M'; 104], 1, b"t").map(|t| t.len()), Some(127));
        assert_eq!(info_text(None, &[b'M'; 105], 1, b"t"), None);
    }
}
