//! pjsip_auth_clt_sess as C sees it. The C struct lives in caller (or regc
//! pool) memory; the Rust session behind it is found through a registry
//! keyed by the struct's address, filled by pjsip_auth_clt_init.

use super::guard::guard_status;
use super::regc::{credentials, pref};
use super::types::*;
use crate::auth::ClientSession;
use crate::nonnull;
use crate::status::*;
use core::ffi::c_int;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

pub type SessionRef = Arc<Mutex<ClientSession>>;

static SESSIONS: LazyLock<Mutex<HashMap<usize, SessionRef>>> = LazyLock::new(|| Mutex::new(HashMap::new()));

pub fn session_for(sess: *const pjsip_auth_clt_sess) -> Option<SessionRef> {
    SESSIONS.lock().get(&(sess as usize)).cloned()
}

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
        let src = &*cred.add(i);
        let dst = &mut *arr.add(i);
        *dst = *src;
        for (d, s) in [
            (&mut dst.realm, &src.realm),
            (&mut dst.scheme, &src.scheme),
            (&mut dst.username, &src.username),
            (&mut dst.data, &src.data),
        ] {
            *d = super::util::pj_bytes(s).map_or(super::util::empty_str(), |b| super::pjlib::pool_strdup(pool, b));
        }
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
