//! Messages (`pjsip_msg`), methods, message bodies and status texts: the
//! exported functions, and the conversions between a whole `sip::Message`
//! and its C objects.

use super::hdr::{self, print_hdr, print_media_type, raw_header_to_c, shape, Shape};
use super::names::*;
use super::uri::{self, print_uri_c, uri_clone};
use super::util::*;
use crate::ffi::cfg::pjsip_sip_cfg_var;
use crate::ffi::guard::guard;
use crate::ffi::types::*;
use crate::sip::{self, HdrKind, Message, RawHeader, StartLine, Uri};
use core::ffi::{c_char, c_int, c_uint, c_void};
use core::ptr::{self, addr_of, addr_of_mut, null, null_mut};
use std::sync::OnceLock;

/// `pjsip_method_e` values.
pub const PJSIP_INVITE_METHOD: pjsip_method_e = 0;
/// `pjsip_method_e` of CANCEL.
pub const PJSIP_CANCEL_METHOD: pjsip_method_e = 1;
/// `pjsip_method_e` of ACK.
pub const PJSIP_ACK_METHOD: pjsip_method_e = 2;
/// `pjsip_method_e` of BYE.
pub const PJSIP_BYE_METHOD: pjsip_method_e = 3;
/// `pjsip_method_e` of REGISTER.
pub const PJSIP_REGISTER_METHOD: pjsip_method_e = 4;
/// `pjsip_method_e` of OPTIONS.
pub const PJSIP_OPTIONS_METHOD: pjsip_method_e = 5;
/// `pjsip_method_e` of any other method.
pub const PJSIP_OTHER_METHOD: pjsip_method_e = 6;

/// `pjsip_msg_type_e` values.
pub const PJSIP_REQUEST_MSG: pjsip_msg_type_e = 0;
/// `pjsip_msg_type_e` of a response.
pub const PJSIP_RESPONSE_MSG: pjsip_msg_type_e = 1;

// SAFETY: the method constants point at 'static text that is never written.
unsafe impl Sync for pjsip_method {}

/// pjsip's constant for the INVITE method.
#[no_mangle]
pub static pjsip_invite_method: pjsip_method = pjsip_method {
    id: PJSIP_INVITE_METHOD,
    name: pj_str_t {
        ptr: c"INVITE".as_ptr() as *mut c_char,
        slen: 6,
    },
};

/// pjsip's constant for the CANCEL method.
#[no_mangle]
pub static pjsip_cancel_method: pjsip_method = pjsip_method {
    id: PJSIP_CANCEL_METHOD,
    name: pj_str_t {
        ptr: c"CANCEL".as_ptr() as *mut c_char,
        slen: 6,
    },
};

/// pjsip's constant for the ACK method.
#[no_mangle]
pub static pjsip_ack_method: pjsip_method = pjsip_method {
    id: PJSIP_ACK_METHOD,
    name: pj_str_t {
        ptr: c"ACK".as_ptr() as *mut c_char,
        slen: 3,
    },
};

/// pjsip's constant for the BYE method.
#[no_mangle]
pub static pjsip_bye_method: pjsip_method = pjsip_method {
    id: PJSIP_BYE_METHOD,
    name: pj_str_t {
        ptr: c"BYE".as_ptr() as *mut c_char,
        slen: 3,
    },
};

/// pjsip's constant for the REGISTER method.
#[no_mangle]
pub static pjsip_register_method: pjsip_method = pjsip_method {
    id: PJSIP_REGISTER_METHOD,
    name: pj_str_t {
        ptr: c"REGISTER".as_ptr() as *mut c_char,
        slen: 8,
    },
};

/// pjsip's constant for the OPTIONS method.
#[no_mangle]
pub static pjsip_options_method: pjsip_method = pjsip_method {
    id: PJSIP_OPTIONS_METHOD,
    name: pj_str_t {
        ptr: c"OPTIONS".as_ptr() as *mut c_char,
        slen: 7,
    },
};

fn known_methods() -> [&'static pjsip_method; 6] {
    [
        &pjsip_invite_method,
        &pjsip_cancel_method,
        &pjsip_ack_method,
        &pjsip_bye_method,
        &pjsip_register_method,
        &pjsip_options_method,
    ]
}

/// pjsip's `pjsip_method_init_np`: a known method (matched without regard
/// to case) takes the constant's id and name, others keep `name` as given.
unsafe fn method_init_np(m: *mut pjsip_method, name: pj_str_t) {
    for k in known_methods() {
        if bytes(&name).eq_ignore_ascii_case(bytes(&k.name)) {
            *m = *k;
            return;
        }
    }
    (*m).id = PJSIP_OTHER_METHOD;
    (*m).name = name;
}

/// Fills `m` from a method name (unknown names copied into the pool).
pub(crate) unsafe fn method_from_name(pool: *mut pj_pool_t, name: &str, m: *mut pjsip_method) -> Option<()> {
    for k in known_methods() {
        if name.as_bytes().eq_ignore_ascii_case(bytes(&k.name)) {
            *m = *k;
            return Some(());
        }
    }
    (*m).id = PJSIP_OTHER_METHOD;
    (*m).name = dup_str(pool, name)?;
    Some(())
}

/// `pjsip_method_copy`: known methods share the constant name.
pub(crate) unsafe fn method_copy(pool: *mut pj_pool_t, m: *mut pjsip_method, rhs: &pjsip_method) -> Option<()> {
    (*m).id = rhs.id;
    (*m).name = if rhs.id != PJSIP_OTHER_METHOD {
        rhs.name
    } else {
        dup_pj(pool, &rhs.name)?
    };
    Some(())
}

/// Sets a known method (`me` below PJSIP_OTHER_METHOD; others are ignored).
#[no_mangle]
pub unsafe extern "C" fn pjsip_method_set(m: *mut pjsip_method, me: pjsip_method_e) {
    guard((), || {
        if !m.is_null() && me < PJSIP_OTHER_METHOD {
            *m = *known_methods()[me as usize];
        }
    })
}

/// Sets a method from a name without copying it.
#[no_mangle]
pub unsafe extern "C" fn pjsip_method_init_np(m: *mut pjsip_method, str_: *mut pj_str_t) {
    guard((), || {
        if !m.is_null() && !str_.is_null() {
            method_init_np(m, *str_);
        }
    })
}

/// Sets a method from a name, copying an unknown name into the pool.
#[no_mangle]
pub unsafe extern "C" fn pjsip_method_init(m: *mut pjsip_method, pool: *mut pj_pool_t, str_: *const pj_str_t) {
    guard((), || {
        if m.is_null() || pool.is_null() || str_.is_null() {
            return;
        }
        if let Some(d) = dup_pj(pool, &*str_) {
            method_init_np(m, d);
        }
    })
}

/// Copies a method (an unknown name is duplicated into the pool).
#[no_mangle]
pub unsafe extern "C" fn pjsip_method_copy(pool: *mut pj_pool_t, method: *mut pjsip_method, rhs: *const pjsip_method) {
    guard((), || {
        if !pool.is_null() && !method.is_null() && !rhs.is_null() {
            let _ = method_copy(pool, method, &*rhs);
        }
    })
}

/// 0 when equal: same id, and for unknown methods the same name
/// (case-sensitive); else the order of ids or names.
#[no_mangle]
pub unsafe extern "C" fn pjsip_method_cmp(m1: *const pjsip_method, m2: *const pjsip_method) -> c_int {
    guard(-1, || {
        let (Some(a), Some(b)) = (m1.as_ref(), m2.as_ref()) else {
            return -1;
        };
        if a.id == b.id {
            if a.id != PJSIP_OTHER_METHOD {
                return 0;
            }
            return match bytes(&a.name).cmp(bytes(&b.name)) {
                core::cmp::Ordering::Less => -1,
                core::cmp::Ordering::Equal => 0,
                core::cmp::Ordering::Greater => 1,
            };
        }
        if a.id < b.id {
            -1
        } else {
            1
        }
    })
}

/// Address of the INVITE method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_invite_method() -> *const pjsip_method {
    &pjsip_invite_method
}

/// Address of the CANCEL method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_cancel_method() -> *const pjsip_method {
    &pjsip_cancel_method
}

/// Address of the ACK method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_ack_method() -> *const pjsip_method {
    &pjsip_ack_method
}

/// Address of the BYE method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_bye_method() -> *const pjsip_method {
    &pjsip_bye_method
}

/// Address of the REGISTER method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_register_method() -> *const pjsip_method {
    &pjsip_register_method
}

/// Address of the OPTIONS method constant.
#[no_mangle]
pub extern "C" fn pjsip_get_options_method() -> *const pjsip_method {
    &pjsip_options_method
}

// ---------------------------------------------------------------------------
// Status texts.

static STATUS_TEXTS: OnceLock<Vec<StaticStr>> = OnceLock::new();

/// The reason phrase pjsip uses for `status_code`, in static storage
/// (NUL-terminated). Codes outside 100..709, or without a phrase, give
/// "Default status message".
#[no_mangle]
pub extern "C" fn pjsip_get_status_text(status_code: c_int) -> *const pj_str_t {
    guard(null(), || {
        let table = STATUS_TEXTS.get_or_init(|| {
            (0..710)
                .map(|code| {
                    let text = crate::status::sip_reason(if code < 100 { 0 } else { code });
                    let stored: &'static str = Box::leak(format!("{text}\0").into_boxed_str());
                    StaticStr(pj_str_t {
                        ptr: stored.as_ptr() as *mut c_char,
                        slen: text.len() as pj_ssize_t,
                    })
                })
                .collect()
        });
        let i = if (100..710).contains(&status_code) {
            status_code as usize
        } else {
            0
        };
        &table[i].0 as *const pj_str_t
    })
}

// ---------------------------------------------------------------------------
// Message bodies.

/// Prints a text body: its bytes, or -1 when `size` is too small.
#[no_mangle]
pub unsafe extern "C" fn pjsip_print_text_body(
    msg_body: *mut pjsip_msg_body,
    buf: *mut c_char,
    size: pj_size_t,
) -> c_int {
    guard(-1, || {
        let Some(b) = msg_body.as_ref() else { return -1 };
        let len = b.len as usize;
        if buf.is_null() || size < len || len > c_int::MAX as usize {
            return -1;
        }
        if len > 0 && !b.data.is_null() {
            ptr::copy_nonoverlapping(b.data as *const u8, buf as *mut u8, len);
        }
        len as c_int
    })
}

/// Copies `len` bytes of body data into the pool ("" for none).
#[no_mangle]
pub unsafe extern "C" fn pjsip_clone_text_data(pool: *mut pj_pool_t, data: *const c_void, len: c_uint) -> *mut c_void {
    guard(null_mut(), || {
        if len == 0 || data.is_null() {
            return c"".as_ptr() as *mut c_void;
        }
        let p = crate::ffi::pjlib::pool_alloc(pool, len as usize);
        if p.is_null() {
            return null_mut();
        }
        ptr::copy_nonoverlapping(data as *const u8, p, len as usize);
        p as *mut c_void
    })
}

unsafe fn body_new(pool: *mut pj_pool_t, ty: &[u8], sub: &[u8], data: &[u8]) -> Option<*mut pjsip_msg_body> {
    let b = alloc::<pjsip_msg_body>(pool)?;
    (*b).content_type.r#type = dup(pool, ty)?;
    (*b).content_type.subtype = dup(pool, sub)?;
    list_init(addr_of_mut!((*b).content_type.param));
    if !data.is_empty() {
        let p = crate::ffi::pjlib::pool_alloc(pool, data.len());
        if p.is_null() {
            return None;
        }
        ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
        (*b).data = p as *mut c_void;
    }
    (*b).len = data.len() as c_uint;
    (*b).print_body = Some(pjsip_print_text_body);
    (*b).clone_data = Some(pjsip_clone_text_data);
    Some(b)
}

/// A text body of `type/subtype` holding a copy of `text`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_body_create(
    pool: *mut pj_pool_t,
    r#type: *const pj_str_t,
    subtype: *const pj_str_t,
    text: *const pj_str_t,
) -> *mut pjsip_msg_body {
    guard(null_mut(), || {
        let (Some(t), Some(s), Some(x)) = (r#type.as_ref(), subtype.as_ref(), text.as_ref()) else {
            return null_mut();
        };
        body_new(pool, bytes(t), bytes(s), bytes(x)).unwrap_or(null_mut())
    })
}

unsafe fn body_clone(pool: *mut pj_pool_t, src: *const pjsip_msg_body) -> Option<*mut pjsip_msg_body> {
    let s = &*src;
    let clone_data = s.clone_data?;
    let b = alloc::<pjsip_msg_body>(pool)?;
    (*b).content_type.r#type = dup_pj(pool, &s.content_type.r#type)?;
    (*b).content_type.subtype = dup_pj(pool, &s.content_type.subtype)?;
    params_clone(pool, addr_of_mut!((*b).content_type.param), &s.content_type.param)?;
    (*b).data = clone_data(pool, s.data, s.len);
    (*b).len = s.len;
    (*b).print_body = s.print_body;
    (*b).clone_data = s.clone_data;
    Some(b)
}

/// Deep copy of a body (NULL when it has no `clone_data` function).
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_body_clone(
    pool: *mut pj_pool_t,
    body: *const pjsip_msg_body,
) -> *mut pjsip_msg_body {
    guard(null_mut(), || {
        if pool.is_null() || body.is_null() {
            return null_mut();
        }
        body_clone(pool, body).unwrap_or(null_mut())
    })
}

/// The bytes of a body as its `print_body` prints them.
unsafe fn body_bytes(b: *const pjsip_msg_body) -> Option<Vec<u8>> {
    let f = (*b).print_body?;
    let b = b as *mut pjsip_msg_body;
    let need = ((*b).len as usize).max(1);
    let mut buf = vec![0u8; need];
    let n = f(b, buf.as_mut_ptr() as *mut c_char, need);
    if n >= 0 && (n as usize) <= need {
        buf.truncate(n as usize);
        return Some(buf);
    }
    // A custom printer may need more room than `len`.
    print_growing(|p, size| f(b, p, size) as i64)
}

// ---------------------------------------------------------------------------
// Messages.

unsafe fn msg_new(pool: *mut pj_pool_t, t: pjsip_msg_type_e) -> Option<*mut pjsip_msg> {
    let m = alloc::<pjsip_msg>(pool)?;
    (*m).r#type = t;
    list_init(addr_of_mut!((*m).hdr));
    (*m).body = null_mut();
    Some(m)
}

/// An empty request message with its request line (`method`, `uri`).
/// NULL when out of memory or the URI cannot be built.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn request_msg_new(pool: *mut pj_pool_t, method: &str, uri: &Uri) -> *mut pjsip_msg {
    if pool.is_null() {
        return null_mut();
    }
    (|| {
        let msg = msg_new(pool, PJSIP_REQUEST_MSG)?;
        method_from_name(pool, method, addr_of_mut!((*msg).line.req.method))?;
        (*msg).line.req.uri = uri::uri_to_c_opt(pool, uri)?;
        Some(msg)
    })()
    .unwrap_or(null_mut())
}

/// An empty message of `type` (a request or a response).
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_create(pool: *mut pj_pool_t, r#type: pjsip_msg_type_e) -> *mut pjsip_msg {
    guard(null_mut(), || msg_new(pool, r#type).unwrap_or(null_mut()))
}

unsafe fn msg_clone(pool: *mut pj_pool_t, src: *const pjsip_msg) -> Option<*mut pjsip_msg> {
    let s = &*src;
    let d = msg_new(pool, s.r#type)?;
    if s.r#type == PJSIP_REQUEST_MSG {
        method_copy(pool, addr_of_mut!((*d).line.req.method), &s.line.req.method)?;
        (*d).line.req.uri = uri_clone(pool, s.line.req.uri as *const c_void) as *mut pjsip_uri;
    } else {
        (*d).line.status.code = s.line.status.code;
        (*d).line.status.reason = dup_pj(pool, &s.line.status.reason)?;
    }
    for h in list_nodes(addr_of!(s.hdr)) {
        let v = (*h).vptr;
        if let Some(f) = v.as_ref().and_then(|v| v.clone) {
            let c = f(pool, h as *const c_void) as *mut pjsip_hdr;
            if !c.is_null() {
                list_insert_before(addr_of_mut!((*d).hdr), c);
            }
        }
    }
    if !s.body.is_null() {
        (*d).body = body_clone(pool, s.body).unwrap_or(null_mut());
    }
    Some(d)
}

/// Deep copy of a message: start line, every header through its vtable,
/// and the body.
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_clone(pool: *mut pj_pool_t, src: *const pjsip_msg) -> *mut pjsip_msg {
    guard(null_mut(), || {
        if pool.is_null() || src.is_null() {
            return null_mut();
        }
        msg_clone(pool, src).unwrap_or(null_mut())
    })
}

fn compact_form() -> bool {
    // SAFETY: a plain read of a static that C code may change.
    unsafe { ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.use_compact_form)) != 0 }
}

/// The whole message as pjsip prints it: start line, each header and CRLF,
/// then Content-Type and Content-Length taken from the body (Content-Length
/// right-aligned in 4 columns), or "Content-Length:  0" without a body,
/// then the blank line and the body. Err carries what `pjsip_msg_print`
/// returns on failure.
///
/// # Safety
/// `msg` must be NULL or a message.
pub unsafe fn msg_print(msg: *const pjsip_msg) -> Result<Vec<u8>, pj_ssize_t> {
    let m = msg.as_ref().ok_or(-1)?;
    let mut out = Vec::with_capacity(1024);
    if m.r#type == PJSIP_REQUEST_MSG {
        out.extend_from_slice(bytes(&m.line.req.method.name));
        out.push(b' ');
        let uri = print_uri_c(uri::PJSIP_URI_IN_REQ_URI, m.line.req.uri as *const c_void).ok_or(-1)?;
        if uri.is_empty() {
            return Err(-1);
        }
        out.extend_from_slice(&uri);
        out.extend_from_slice(b" SIP/2.0\r\n");
    } else {
        out.extend_from_slice(b"SIP/2.0 ");
        out.extend_from_slice((m.line.status.code as i64 as u64).to_string().as_bytes());
        out.push(b' ');
        out.extend_from_slice(bytes(&m.line.status.reason));
        out.extend_from_slice(b"\r\n");
    }
    for h in list_nodes(addr_of!(m.hdr)) {
        let text = print_hdr(h).map_err(|e| e as pj_ssize_t)?;
        if !text.is_empty() {
            out.extend_from_slice(&text);
            out.extend_from_slice(b"\r\n");
        }
    }
    let compact = compact_form();
    let clen_name: &[u8] = if compact { b"l: " } else { b"Content-Length: " };
    if let Some(body) = m.body.as_ref() {
        let data = body_bytes(body).ok_or(-1)?;
        if body.content_type.r#type.slen > 0 {
            out.extend_from_slice(if compact { b"c: " } else { b"Content-Type: " });
            print_media_type(&mut out, &body.content_type);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(clen_name);
            // pjsip reserves as many columns as PJSIP_MAX_PKT_LEN (4000) has
            // digits and right-aligns the length in them.
            let n = data.len().to_string();
            if n.len() > 4 {
                return Err(-1);
            }
            out.extend(core::iter::repeat_n(b' ', 4 - n.len()));
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&data);
    } else {
        out.extend_from_slice(clen_name);
        out.extend_from_slice(b" 0\r\n\r\n");
    }
    Ok(out)
}

/// Prints the whole message into `buf` (NUL-terminated); the length, or
/// -1 when it does not fit (or `size` is below 256, as pjsip).
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_print(msg: *const pjsip_msg, buf: *mut c_char, size: pj_size_t) -> pj_ssize_t {
    guard(-1, || {
        if msg.is_null() || buf.is_null() || size < 256 {
            return -1;
        }
        match msg_print(msg) {
            Ok(text) => emit(&text, buf, size) as pj_ssize_t,
            Err(e) => e,
        }
    })
}

/// First header of `type` in the message, from `start` (inclusive).
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_find_hdr(
    msg: *const pjsip_msg,
    r#type: pjsip_hdr_e,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        if msg.is_null() {
            return null_mut();
        }
        hdr::pjsip_hdr_find(addr_of!((*msg).hdr) as *const c_void, r#type, start)
    })
}

/// First header named `name` (case-insensitive) in the message.
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_find_hdr_by_name(
    msg: *const pjsip_msg,
    name: *const pj_str_t,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        if msg.is_null() {
            return null_mut();
        }
        hdr::pjsip_hdr_find_by_name(addr_of!((*msg).hdr) as *const c_void, name, start)
    })
}

/// First header named `name` or `sname` (case-insensitive) in the message.
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_find_hdr_by_names(
    msg: *const pjsip_msg,
    name: *const pj_str_t,
    sname: *const pj_str_t,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        if msg.is_null() {
            return null_mut();
        }
        hdr::pjsip_hdr_find_by_names(addr_of!((*msg).hdr) as *const c_void, name, sname, start)
    })
}

/// Finds the first header of `type` (from `start`) and unlinks it from the
/// message; returns it, or NULL.
#[no_mangle]
pub unsafe extern "C" fn pjsip_msg_find_remove_hdr(
    msg: *mut pjsip_msg,
    r#type: pjsip_hdr_e,
    start: *mut c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        let h = pjsip_msg_find_hdr(msg, r#type, start);
        if !h.is_null() {
            list_erase(h as *mut pjsip_hdr);
        }
        h
    })
}

// ---------------------------------------------------------------------------
// Whole messages: Rust model <-> C.

unsafe fn msg_to_c_opt(pool: *mut pj_pool_t, m: &Message, fold_lists: bool) -> Option<*mut pjsip_msg> {
    let msg = match &m.start {
        StartLine::Request { method, uri } => Some(request_msg_new(pool, method, uri)).filter(|m| !m.is_null())?,
        StartLine::Response { code, reason } => {
            let msg = msg_new(pool, PJSIP_RESPONSE_MSG)?;
            (*msg).line.status.code = (*code).into();
            (*msg).line.status.reason = dup_str(pool, reason)?;
            msg
        }
    };
    let head = addr_of_mut!((*msg).hdr);
    // pjsip's parser folds every Require (and every Supported) line of a
    // received message into the first header of that name.
    let mut require: *mut pjsip_generic_array_hdr = null_mut();
    let mut supported: *mut pjsip_generic_array_hdr = null_mut();
    let mut ctype: *mut pjsip_ctype_hdr = null_mut();
    for rh in &m.headers {
        let first = raw_header_to_c(pool, rh);
        if first.is_null() {
            return None;
        }
        let merge_into = match ((*first).r#type, shape(first as *const c_void)) {
            (PJSIP_H_REQUIRE, Shape::GenericArray) if fold_lists => Some(&mut require),
            (PJSIP_H_SUPPORTED, Shape::GenericArray) if fold_lists => Some(&mut supported),
            _ => None,
        };
        if let Some(slot) = merge_into {
            let a = first as *mut pjsip_generic_array_hdr;
            if slot.is_null() {
                *slot = a;
            } else {
                let dst = *slot;
                let n = ((*a).count as usize).min(hdr::GENERIC_ARRAY_MAX_COUNT);
                for i in 0..n {
                    if (*dst).count as usize >= hdr::GENERIC_ARRAY_MAX_COUNT {
                        break;
                    }
                    (*dst).values[(*dst).count as usize] = (*a).values[i];
                    (*dst).count += 1;
                }
                continue;
            }
        }
        if (*first).r#type == PJSIP_H_CONTENT_TYPE && shape(first as *const c_void) == Shape::Ctype && ctype.is_null() {
            ctype = first as *mut pjsip_ctype_hdr;
        }
        list_insert_nodes_before(head, first);
    }
    // As pjsip, a body is attached only when there is a Content-Type.
    if !ctype.is_null() && !m.body.is_empty() {
        let c = &(*ctype).media;
        let b = body_new(pool, bytes(&c.r#type), bytes(&c.subtype), &m.body)?;
        params_clone(pool, addr_of_mut!((*b).content_type.param), &c.param)?;
        (*msg).body = b;
    }
    Some(msg)
}

/// Builds the C objects of a whole message: start line, then for each
/// header of `m`, in order, the typed object(s) pjsip's parser would make
/// for it (a value that does not parse as its type becomes a generic
/// string header), and a text body when there is a Content-Type. Use it
/// for `tdata->msg`: the list holds exactly the headers given. NULL when
/// out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn msg_to_c(pool: *mut pj_pool_t, m: &Message) -> *mut pjsip_msg {
    if pool.is_null() {
        return null_mut();
    }
    msg_to_c_opt(pool, m, false).unwrap_or(null_mut())
}

/// As [`msg_to_c`], for a received message (`rdata->msg_info.msg`): like
/// pjsip's parser, every Require line and every Supported line is folded
/// into the first header of that name.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn rx_msg_to_c(pool: *mut pj_pool_t, m: &Message) -> *mut pjsip_msg {
    if pool.is_null() {
        return null_mut();
    }
    msg_to_c_opt(pool, m, true).unwrap_or(null_mut())
}

/// Points the `msg_info` shortcuts of an rx_data at the first headers of
/// `msg` (Call-ID, From, To, Via, CSeq, Max-Forwards, Route, Record-Route,
/// Content-Type, Content-Length, Require, Supported) and sets `msg`;
/// `parse_err` becomes an empty list.
///
/// # Safety
/// `info` must point to a msg_info struct and `msg` be NULL or a message.
pub unsafe fn fill_rdata_msg_info(info: *mut pjsip_rx_data_msg_info, msg: *mut pjsip_msg) {
    if info.is_null() {
        return;
    }
    let i = &mut *info;
    i.msg = msg;
    let first = |t: pjsip_hdr_e| -> *mut c_void {
        if msg.is_null() {
            null_mut()
        } else {
            pjsip_msg_find_hdr(msg, t, null())
        }
    };
    i.cid = first(PJSIP_H_CALL_ID) as _;
    i.from = first(PJSIP_H_FROM) as _;
    i.to = first(PJSIP_H_TO) as _;
    i.via = first(PJSIP_H_VIA) as _;
    i.cseq = first(PJSIP_H_CSEQ) as _;
    i.max_fwd = first(PJSIP_H_MAX_FORWARDS) as _;
    i.route = first(PJSIP_H_ROUTE) as _;
    i.record_route = first(PJSIP_H_RECORD_ROUTE) as _;
    i.ctype = first(PJSIP_H_CONTENT_TYPE) as _;
    i.clen = first(PJSIP_H_CONTENT_LENGTH) as _;
    i.require = first(PJSIP_H_REQUIRE) as _;
    i.supported = first(PJSIP_H_SUPPORTED) as _;
    list_init(addr_of_mut!(i.parse_err));
}

/// Reads a C message back as a `sip::Message`: the start line, then every
/// header as `name: value` the way it prints (in list order, so headers C
/// code added, removed or edited are seen as they are now; a Route with
/// `hide` is left out as pjsip leaves it out), and the body bytes. When the
/// body has a content type, a Content-Type header is appended, as
/// `pjsip_msg_print` prints one; Content-Length is not added. A header's
/// kind comes from its type, or from its name for PJSIP_H_OTHER. None when
/// the start line or a header cannot be printed.
///
/// # Safety
/// `msg` must be NULL or a message.
pub unsafe fn msg_from_c(msg: *const pjsip_msg) -> Option<Message> {
    let m = msg.as_ref()?;
    let start = if m.r#type == PJSIP_REQUEST_MSG {
        StartLine::Request {
            method: string(&m.line.req.method.name),
            uri: uri::uri_from_c(m.line.req.uri)?,
        }
    } else {
        StartLine::Response {
            code: u16::try_from(m.line.status.code).ok()?,
            reason: string(&m.line.status.reason),
        }
    };
    let mut headers = Vec::new();
    for h in list_nodes(addr_of!(m.hdr)) {
        let text = print_hdr(h).ok()?;
        if text.is_empty() {
            continue;
        }
        let (name, value) = hdr::hdr_to_text(h)?;
        let t = (*h).r#type;
        let kind = if t == PJSIP_H_OTHER || kind_of_type(t) == HdrKind::Other {
            sip::hdr_kind(&name)
        } else {
            kind_of_type(t)
        };
        headers.push(RawHeader::new(name, kind, value));
    }
    let mut body = Vec::new();
    if let Some(b) = m.body.as_ref() {
        body = body_bytes(b)?;
        if b.content_type.r#type.slen > 0 {
            let mut v = Vec::new();
            print_media_type(&mut v, &b.content_type);
            let name = if compact_form() { "c" } else { "Content-Type" };
            headers.push(RawHeader::new(
                name.to_string(),
                HdrKind::ContentType,
                String::from_utf8_lossy(&v).into_owned(),
            ));
        }
    }
    Some(Message { start, headers, body })
}
