//! pjsip_auth_clt_sess as C sees it. The C struct lives in caller (or regc
//! pool) memory; the Rust session behind it is found through a registry
//! keyed by the struct's address, filled by pjsip_auth_clt_init.

use super::cobj;
use super::guard::guard_status;
use super::regc::{credentials, pref, OsRandom};
use super::types::*;
use crate::auth::{AuthHeader, ClientSession};
use crate::nonnull;
use crate::reg::OutHeader;
use crate::status::*;
use core::ffi::{c_int, c_void};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

/// A Rust digest session shared between C session structs.
pub type SessionRef = Arc<Mutex<ClientSession>>;

static SESSIONS: LazyLock<Mutex<HashMap<usize, SessionRef>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The Rust session behind a C `pjsip_auth_clt_sess`.
pub fn session_for(sess: *const pjsip_auth_clt_sess) -> Option<SessionRef> {
    SESSIONS.lock().get(&(sess as usize)).cloned()
}

/// Forgets the C session `sess` (deinit, or its regc freed).
pub fn forget(sess: *mut pjsip_auth_clt_sess) {
    SESSIONS.lock().remove(&(sess as usize));
}

/// The regc's embedded session struct, allocated in its pool.
pub unsafe fn embedded(pool: *mut pj_pool_t, endpt: *mut pjsip_endpoint) -> *mut pjsip_auth_clt_sess {
    let p = super::pjlib::pj_pool_calloc(pool, 1, core::mem::size_of::<pjsip_auth_clt_sess>()) as *mut pjsip_auth_clt_sess;
    if !p.is_null() {
        init_c(p, endpt, pool);
    }
    p
}

/// Makes the C struct `sess` a view of `session`.
pub fn bind_embedded(sess: *mut pjsip_auth_clt_sess, session: SessionRef) {
    if !sess.is_null() {
        SESSIONS.lock().insert(sess as usize, session);
    }
}

unsafe fn init_c(sess: *mut pjsip_auth_clt_sess, endpt: *mut pjsip_endpoint, pool: *mut pj_pool_t) {
    core::ptr::write_bytes(sess, 0, 1);
    (*sess).pool = pool;
    (*sess).endpt = endpt;
    let head = core::ptr::addr_of_mut!((*sess).cached_auth);
    (*head).prev = head;
    (*head).next = head;
}

/// Keeps the C struct's credential fields readable by C code: a deep copy
/// in the session's pool.
pub unsafe fn mirror_credentials(sess: *mut pjsip_auth_clt_sess, count: c_int, cred: *const pjsip_cred_info) {
    if sess.is_null() || (*sess).pool.is_null() || count <= 0 || cred.is_null() {
        return;
    }
    let pool = (*sess).pool;
    let arr = super::pjlib::pj_pool_calloc(pool, count as usize, core::mem::size_of::<pjsip_cred_info>()) as *mut pjsip_cred_info;
    if arr.is_null() {
        return;
    }
    for i in 0..count as usize {
        super::auth_util::pjsip_cred_info_dup(pool, arr.add(i), cred.add(i));
    }
    (*sess).cred_cnt = count as u32;
    (*sess).cred_info = arr;
}

/// Initialises a client auth session in caller memory.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_init(
    sess: *mut pjsip_auth_clt_sess,
    endpt: *mut pjsip_endpoint,
    pool: *mut pj_pool_t,
    options: core::ffi::c_uint,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess, endpt, pool)?;
        if options != 0 {
            return Err(PJ_EINVAL);
        }
        init_c(sess, endpt, pool);
        SESSIONS.lock().insert(sess as usize, Arc::new(Mutex::new(ClientSession::new())));
        Ok(())
    })
}

/// Releases what `pjsip_auth_clt_init` set up for `sess`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_deinit(sess: *mut pjsip_auth_clt_sess) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess)?;
        forget(sess);
        (*sess).parent = core::ptr::null_mut();
        Ok(())
    })
}

/// The session that does the work: the parent's when one is set.
unsafe fn effective(sess: *mut pjsip_auth_clt_sess) -> Result<SessionRef, Status> {
    nonnull!(sess)?;
    let target = if (*sess).parent.is_null() { sess } else { (*sess).parent };
    session_for(target).ok_or(PJ_EINVALIDOP)
}

/// Sets the credentials `sess` (or its parent) answers challenges with.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_set_credentials(
    sess: *mut pjsip_auth_clt_sess,
    cred_cnt: c_int,
    c: *const pjsip_cred_info,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(c)?;
        let creds = credentials(cred_cnt, c)?;
        effective(sess)?.lock().set_credentials(&creds)?;
        let target = if (*sess).parent.is_null() { sess } else { (*sess).parent };
        mirror_credentials(target, cred_cnt, c);
        Ok(())
    })
}

/// Sets the preferences of `sess` (or of its parent).
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_set_prefs(sess: *mut pjsip_auth_clt_sess, p: *const pjsip_auth_clt_pref) -> pj_status_t {
    guard_status(|| {
        let pr = pref(p)?;
        effective(sess)?.lock().set_prefs(&pr);
        let target = if (*sess).parent.is_null() { sess } else { (*sess).parent };
        (*target).pref.initial_auth = (*p).initial_auth;
        (*target).pref.algorithm = super::util::pj_bytes(&(*p).algorithm)
            .map_or(super::util::empty_str(), |b| super::pjlib::pool_strdup((*target).pool, b));
        Ok(())
    })
}

/// Reads the preferences of `sess` (or of its parent).
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_get_prefs(sess: *mut pjsip_auth_clt_sess, p: *mut pjsip_auth_clt_pref) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess, p)?;
        let target = if (*sess).parent.is_null() { sess } else { (*sess).parent };
        *p = (*target).pref;
        Ok(())
    })
}

/// Makes `p` the session whose credentials and preferences `sess` uses.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_set_parent(sess: *mut pjsip_auth_clt_sess, p: *const pjsip_auth_clt_sess) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess)?;
        if !p.is_null() && session_for(p).is_none() {
            return Err(PJ_EINVAL);
        }
        (*sess).parent = p as *mut pjsip_auth_clt_sess;
        Ok(())
    })
}

/// The method, Request-URI (as the digest `uri`) and body of a request.
unsafe fn request_parts(td: *mut pjsip_tx_data) -> Result<(String, String, Vec<u8>), Status> {
    let msg = (*td).msg;
    nonnull!(msg)?;
    if (*msg).r#type != cobj::PJSIP_REQUEST_MSG {
        return Err(PJSIP_ENOTREQUESTMSG);
    }
    let line = (*msg).line.req;
    let uri = cobj::uri_from_c(line.uri as *const pjsip_uri).ok_or(PJSIP_EINVALIDREQURI)?;
    let method = super::util::pj_string(&line.method.name).unwrap_or_default();
    let body = match (*msg).body.as_ref() {
        Some(b) if !b.data.is_null() && b.len > 0 => core::slice::from_raw_parts(b.data as *const u8, b.len as usize).to_vec(),
        _ => Vec::new(),
    };
    Ok((method, crate::sip::uri_to_string(&uri, crate::sip::UriContext::ReqUri), body))
}

/// The headers of `msg` whose type is one of `types`, with their text.
unsafe fn headers_of(msg: *mut pjsip_msg, types: &[u32]) -> Vec<(*mut pjsip_hdr, u32, String)> {
    let mut out = Vec::new();
    let head = core::ptr::addr_of_mut!((*msg).hdr);
    let mut h = (*head).next;
    while !h.is_null() && h != head && out.len() < 4096 {
        if types.contains(&(*h).r#type) {
            if let Some((_, value)) = cobj::hdr_to_text(h) {
                out.push((h, (*h).r#type, value));
            }
        }
        h = (*h).next;
    }
    out
}

/// Appends an authorization header to the request (its printed form is
/// then stale).
unsafe fn add_auth_header(td: *mut pjsip_tx_data, h: &AuthHeader) -> Result<(), Status> {
    let c = cobj::header_to_c((*td).pool, h.name(), &h.value);
    nonnull!(c)?;
    super::pjlib::pj_list_insert_before(core::ptr::addr_of_mut!((*(*td).msg).hdr) as *mut c_void, c as *mut c_void);
    super::tdata::pjsip_tx_data_invalidate_msg(td);
    Ok(())
}

/// Adds what a new request carries before any challenge: with
/// `initial_auth`, an empty Digest answer per credential.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_init_req(sess: *mut pjsip_auth_clt_sess, tdata: *mut pjsip_tx_data) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess, tdata)?;
        let session = effective(sess)?;
        let (method, uri, _) = request_parts(tdata)?;
        let headers = session.lock().init_req(&method, &uri)?;
        headers.iter().try_for_each(|h| add_auth_header(tdata, h))
    })
}

/// Answers the challenges of a 401/407 in `old_request` itself: stale or
/// answered authorization headers replaced, new ones appended, the Via
/// branch cleared for a new transaction; `*new_request` is `old_request`
/// with one more reference.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_reinit_req(
    sess: *mut pjsip_auth_clt_sess,
    rdata: *const pjsip_rx_data,
    old_request: *mut pjsip_tx_data,
    new_request: *mut *mut pjsip_tx_data,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(sess, rdata, old_request, new_request)?;
        let resp = (*rdata).msg_info.msg;
        nonnull!(resp)?;
        if (*resp).r#type != cobj::PJSIP_RESPONSE_MSG {
            return Err(PJSIP_ENOTRESPONSEMSG);
        }
        let (method, uri, body) = request_parts(old_request)?;
        let code = (*resp).line.status.code;
        if code != 401 && code != 407 {
            return Err(PJSIP_EINVALIDSTATUS);
        }
        let session = effective(sess)?;
        let challenges: Vec<(bool, String)> = headers_of(resp, &[cobj::PJSIP_H_WWW_AUTHENTICATE, cobj::PJSIP_H_PROXY_AUTHENTICATE])
            .into_iter()
            .map(|(_, t, v)| (t == cobj::PJSIP_H_PROXY_AUTHENTICATE, v))
            .collect();
        let present = headers_of((*old_request).msg, &[cobj::PJSIP_H_AUTHORIZATION, cobj::PJSIP_H_PROXY_AUTHORIZATION]);
        let existing: Vec<AuthHeader> = present
            .iter()
            .filter_map(|(_, t, v)| match super::tdata::auth_header(*t == cobj::PJSIP_H_PROXY_AUTHORIZATION, v.clone()) {
                Some(OutHeader::Auth(a)) => Some(a),
                _ => None,
            })
            .collect();
        if existing.len() != present.len() {
            return Err(PJSIP_EINVALIDHDR);
        }
        let chal: Vec<(bool, &str)> = challenges.iter().map(|(p, v)| (*p, v.as_str())).collect();
        let result = session.lock().reinit(&method, &uri, &body, &existing, &chal, &mut OsRandom)?;
        for i in result.remove {
            if let Some((h, _, _)) = present.get(i) {
                super::pjlib::list_erase(*h as *mut c_void);
            }
        }
        result.append.iter().try_for_each(|h| add_auth_header(old_request, h))?;
        if let Some((via, _, _)) = headers_of((*old_request).msg, &[cobj::PJSIP_H_VIA]).first() {
            (*(*via as *mut pjsip_via_hdr)).branch_param = super::util::empty_str();
        }
        super::tdata::pjsip_tx_data_invalidate_msg(old_request);
        (*old_request).auth_retry = 1;
        super::tdata::pjsip_tx_data_add_ref(old_request);
        *new_request = old_request;
        Ok(())
    })
}

/// Makes `sess` a copy of `rhs` in `pool`: credentials and what `rhs`
/// learnt from earlier challenges (nonce counts, cnonces). As in pjproject,
/// the preferences are not copied: the copy starts with none.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_clone(
    pool: *mut pj_pool_t,
    sess: *mut pjsip_auth_clt_sess,
    rhs: *const pjsip_auth_clt_sess,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(pool, sess, rhs)?;
        let mut copy = session_for(rhs).ok_or(PJ_EINVALIDOP)?.lock().clone();
        copy.set_prefs(&Default::default());
        init_c(sess, (*rhs).endpt, pool);
        mirror_credentials(sess, (*rhs).cred_cnt as c_int, (*rhs).cred_info);
        SESSIONS.lock().insert(sess as usize, Arc::new(Mutex::new(copy)));
        Ok(())
    })
}
