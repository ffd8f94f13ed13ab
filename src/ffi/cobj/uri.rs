//! URI objects: `pjsip_sip_uri` (sip: and sips:), `pjsip_tel_uri`,
//! `pjsip_other_uri` and `pjsip_name_addr`, each with a vtable the inline
//! helpers of our header (`pjsip_uri_print`, `pjsip_uri_cmp`, ...) call.
//!
//! The vtable functions work on the Rust model: an object is converted
//! (a field-by-field copy) and printed or compared with the `sip` module,
//! which implements pjsip's rules. A name-addr is handled natively so that
//! its inner URI may be any object, even one with a vtable of C's own.

use super::util::*;
use crate::ffi::guard::guard;
use crate::ffi::types::*;
use crate::sip::{self, NameAddr, SipUri, TelUri, Uri, UriContext};
use crate::status::{PJSIP_ECMPSCHEME, PJSIP_EINVALIDURI};
use core::ffi::{c_char, c_uint, c_void};
use core::ptr::{addr_of, addr_of_mut, null, null_mut};

/// `pjsip_uri_context_e` values.
pub const PJSIP_URI_IN_REQ_URI: c_uint = 0;
/// URI context: From or To.
pub const PJSIP_URI_IN_FROMTO_HDR: c_uint = 1;
/// URI context: Contact.
pub const PJSIP_URI_IN_CONTACT_HDR: c_uint = 2;
/// URI context: Route or Record-Route.
pub const PJSIP_URI_IN_ROUTING_HDR: c_uint = 3;
/// URI context: any other header.
pub const PJSIP_URI_IN_OTHER: c_uint = 4;

/// `pjsip_parse_uri` options.
pub const PJSIP_PARSE_URI_AS_NAMEADDR: c_uint = 1;
/// `pjsip_parse_uri` option: parse as in a From or To header.
pub const PJSIP_PARSE_URI_IN_FROM_TO_HDR: c_uint = 2;

/// How deep name-addrs may nest (pjsip never builds nested ones; C code
/// could, and a cycle must not overflow the stack).
const MAX_DEPTH: u32 = 8;

/// Scheme names returned by `p_get_scheme` (NUL-terminated for C callers
/// that print them with `%s`; the NUL is not counted).
static SCHEMES: [StaticStr; 4] = [
    StaticStr(pj_str_t {
        ptr: c"sip".as_ptr() as *mut c_char,
        slen: 3,
    }),
    StaticStr(pj_str_t {
        ptr: c"sips".as_ptr() as *mut c_char,
        slen: 4,
    }),
    StaticStr(pj_str_t {
        ptr: c"tel".as_ptr() as *mut c_char,
        slen: 3,
    }),
    StaticStr(pj_str_t {
        ptr: c"".as_ptr() as *mut c_char,
        slen: 0,
    }),
];
const SCHEME_SIP: usize = 0;
const SCHEME_SIPS: usize = 1;
const SCHEME_TEL: usize = 2;
const SCHEME_NONE: usize = 3;

fn scheme_ptr(i: usize) -> *const pj_str_t {
    &SCHEMES[i].0
}

pub(crate) static SIP_URI_VPTR: pjsip_uri_vptr = pjsip_uri_vptr {
    p_get_scheme: Some(plain_get_scheme),
    p_get_uri: Some(self_get_uri),
    p_print: Some(plain_print),
    p_compare: Some(plain_compare),
    p_clone: Some(plain_clone),
};
pub(crate) static SIPS_URI_VPTR: pjsip_uri_vptr = pjsip_uri_vptr {
    p_get_scheme: Some(plain_get_scheme),
    p_get_uri: Some(self_get_uri),
    p_print: Some(plain_print),
    p_compare: Some(plain_compare),
    p_clone: Some(plain_clone),
};
pub(crate) static TEL_URI_VPTR: pjsip_uri_vptr = pjsip_uri_vptr {
    p_get_scheme: Some(plain_get_scheme),
    p_get_uri: Some(self_get_uri),
    p_print: Some(plain_print),
    p_compare: Some(plain_compare),
    p_clone: Some(plain_clone),
};
pub(crate) static OTHER_URI_VPTR: pjsip_uri_vptr = pjsip_uri_vptr {
    p_get_scheme: Some(plain_get_scheme),
    p_get_uri: Some(self_get_uri),
    p_print: Some(plain_print),
    p_compare: Some(plain_compare),
    p_clone: Some(plain_clone),
};
pub(crate) static NAME_ADDR_VPTR: pjsip_uri_vptr = pjsip_uri_vptr {
    p_get_scheme: Some(name_addr_get_scheme),
    p_get_uri: Some(name_addr_get_uri),
    p_print: Some(name_addr_print),
    p_compare: Some(name_addr_compare),
    p_clone: Some(name_addr_clone),
};

fn vp(v: &'static pjsip_uri_vptr) -> *mut pjsip_uri_vptr {
    v as *const pjsip_uri_vptr as *mut pjsip_uri_vptr
}

/// What a URI object is, told by its vtable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum UriKind {
    Null,
    Sip,
    Sips,
    Tel,
    Other,
    NameAddr,
    /// A vtable we did not make: only reachable through its functions.
    Foreign,
}

pub(crate) unsafe fn uri_kind(p: *const c_void) -> UriKind {
    if p.is_null() {
        return UriKind::Null;
    }
    let v = (*(p as *const pjsip_uri)).vptr as *const pjsip_uri_vptr;
    if v.is_null() {
        UriKind::Null
    } else if v == &SIP_URI_VPTR {
        UriKind::Sip
    } else if v == &SIPS_URI_VPTR {
        UriKind::Sips
    } else if v == &TEL_URI_VPTR {
        UriKind::Tel
    } else if v == &OTHER_URI_VPTR {
        UriKind::Other
    } else if v == &NAME_ADDR_VPTR {
        UriKind::NameAddr
    } else {
        UriKind::Foreign
    }
}

pub(crate) fn context_of(ctx: c_uint) -> UriContext {
    match ctx {
        PJSIP_URI_IN_REQ_URI => UriContext::ReqUri,
        PJSIP_URI_IN_FROMTO_HDR => UriContext::FromTo,
        PJSIP_URI_IN_CONTACT_HDR => UriContext::Contact,
        PJSIP_URI_IN_ROUTING_HDR => UriContext::Routing,
        _ => UriContext::Other,
    }
}

// ---------------------------------------------------------------------------
// Initialisers (pjsip's *_init / *_create).

pub(crate) unsafe fn sip_uri_init(u: *mut pjsip_sip_uri, secure: bool) {
    core::ptr::write_bytes(u, 0, 1);
    (*u).vptr = vp(if secure { &SIPS_URI_VPTR } else { &SIP_URI_VPTR });
    (*u).ttl_param = -1;
    list_init(addr_of_mut!((*u).other_param));
    list_init(addr_of_mut!((*u).header_param));
}

pub(crate) unsafe fn name_addr_init(n: *mut pjsip_name_addr) {
    (*n).vptr = vp(&NAME_ADDR_VPTR);
    (*n).display = EMPTY;
    (*n).uri = null_mut();
}

unsafe fn tel_uri_new(pool: *mut pj_pool_t) -> Option<*mut pjsip_tel_uri> {
    let t = alloc::<pjsip_tel_uri>(pool)?;
    (*t).vptr = vp(&TEL_URI_VPTR);
    list_init(addr_of_mut!((*t).other_param));
    Some(t)
}

unsafe fn other_uri_new(pool: *mut pj_pool_t) -> Option<*mut pjsip_other_uri> {
    let o = alloc::<pjsip_other_uri>(pool)?;
    (*o).vptr = vp(&OTHER_URI_VPTR);
    Some(o)
}

// ---------------------------------------------------------------------------
// Rust model -> C objects.

unsafe fn sip_uri_to_c(pool: *mut pj_pool_t, s: &SipUri) -> Option<*mut pjsip_sip_uri> {
    let u = alloc::<pjsip_sip_uri>(pool)?;
    sip_uri_init(u, s.secure);
    (*u).user = dup_opt(pool, s.user.as_deref())?;
    (*u).passwd = dup_opt(pool, s.password.as_deref())?;
    (*u).host = dup_str(pool, &s.host)?;
    (*u).port = s.port.into();
    (*u).user_param = dup_opt(pool, s.user_param.as_deref())?;
    (*u).method_param = dup_opt(pool, s.method_param.as_deref())?;
    (*u).transport_param = dup_opt(pool, s.transport_param.as_deref())?;
    (*u).ttl_param = s.ttl_param;
    (*u).lr_param = s.lr_param.into();
    (*u).maddr_param = dup_opt(pool, s.maddr_param.as_deref())?;
    params_to_c(pool, addr_of_mut!((*u).other_param), &s.other_params)?;
    params_to_c(pool, addr_of_mut!((*u).header_param), &s.headers)?;
    Some(u)
}

unsafe fn tel_uri_to_c(pool: *mut pj_pool_t, t: &TelUri) -> Option<*mut pjsip_tel_uri> {
    let u = tel_uri_new(pool)?;
    (*u).number = dup_str(pool, &t.number)?;
    (*u).context = dup_opt(pool, t.context.as_deref())?;
    (*u).ext_param = dup_opt(pool, t.ext_param.as_deref())?;
    (*u).isub_param = dup_opt(pool, t.isub_param.as_deref())?;
    params_to_c(pool, addr_of_mut!((*u).other_param), &t.other_params)?;
    Some(u)
}

pub(crate) unsafe fn uri_to_c_opt(pool: *mut pj_pool_t, uri: &Uri) -> Option<*mut pjsip_uri> {
    Some(match uri {
        Uri::Sip(s) => sip_uri_to_c(pool, s)? as *mut pjsip_uri,
        Uri::Tel(t) => tel_uri_to_c(pool, t)? as *mut pjsip_uri,
        Uri::Other { scheme, content } => {
            let o = other_uri_new(pool)?;
            (*o).scheme = dup_str(pool, scheme)?;
            (*o).content = dup_str(pool, content)?;
            o as *mut pjsip_uri
        }
    })
}

pub(crate) unsafe fn name_addr_to_c_opt(pool: *mut pj_pool_t, na: &NameAddr) -> Option<*mut pjsip_name_addr> {
    let n = alloc::<pjsip_name_addr>(pool)?;
    name_addr_init(n);
    (*n).display = dup_str(pool, &na.display)?;
    (*n).uri = uri_to_c_opt(pool, &na.uri)?;
    Some(n)
}

/// Builds the C object for `uri` in `pool`: a `pjsip_sip_uri`,
/// `pjsip_tel_uri` or `pjsip_other_uri` with its vtable. NULL when the pool
/// is NULL or out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn uri_to_c(pool: *mut pj_pool_t, uri: &Uri) -> *mut pjsip_uri {
    uri_to_c_opt(pool, uri).unwrap_or(null_mut())
}

/// Builds a `pjsip_name_addr` (display name and inner URI) in `pool`.
/// NULL when the pool is NULL or out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn name_addr_to_c(pool: *mut pj_pool_t, na: &NameAddr) -> *mut pjsip_name_addr {
    name_addr_to_c_opt(pool, na).unwrap_or(null_mut())
}

// ---------------------------------------------------------------------------
// C objects -> Rust model.

unsafe fn sip_uri_from_c(u: *const pjsip_sip_uri, secure: bool) -> SipUri {
    let u = &*u;
    SipUri {
        secure,
        user: opt_string(&u.user),
        password: opt_string(&u.passwd),
        host: string(&u.host),
        port: u16::try_from(u.port).unwrap_or(0),
        user_param: opt_string(&u.user_param),
        method_param: opt_string(&u.method_param),
        transport_param: opt_string(&u.transport_param),
        ttl_param: u.ttl_param,
        lr_param: u.lr_param != 0,
        maddr_param: opt_string(&u.maddr_param),
        other_params: params_from_c(&u.other_param),
        headers: params_from_c(&u.header_param),
    }
}

unsafe fn tel_uri_from_c(t: *const pjsip_tel_uri) -> TelUri {
    let t = &*t;
    TelUri {
        number: string(&t.number),
        context: opt_string(&t.context),
        ext_param: opt_string(&t.ext_param),
        isub_param: opt_string(&t.isub_param),
        other_params: params_from_c(&t.other_param),
    }
}

/// sip/sips/tel/other objects only (no name-addr, no foreign vtable).
unsafe fn plain_from_c(p: *const c_void) -> Option<Uri> {
    match uri_kind(p) {
        UriKind::Sip => Some(Uri::Sip(sip_uri_from_c(p as *const pjsip_sip_uri, false))),
        UriKind::Sips => Some(Uri::Sip(sip_uri_from_c(p as *const pjsip_sip_uri, true))),
        UriKind::Tel => Some(Uri::Tel(tel_uri_from_c(p as *const pjsip_tel_uri))),
        UriKind::Other => {
            let o = &*(p as *const pjsip_other_uri);
            Some(Uri::Other {
                scheme: string(&o.scheme),
                content: string(&o.content),
            })
        }
        _ => None,
    }
}

/// Prints a URI object of any kind through its own vtable.
unsafe fn print_foreign(ctx: c_uint, p: *const c_void) -> Option<Vec<u8>> {
    let v = (*(p as *const pjsip_uri)).vptr;
    let print = (*v).p_print?;
    print_growing(|buf, size| print(ctx, p, buf, size))
}

unsafe fn uri_from_c_depth(p: *const c_void, depth: u32) -> Option<Uri> {
    match uri_kind(p) {
        UriKind::Null => None,
        UriKind::NameAddr => {
            if depth >= MAX_DEPTH {
                return None;
            }
            uri_from_c_depth((*(p as *const pjsip_name_addr)).uri as *const c_void, depth + 1)
        }
        UriKind::Foreign => {
            let text = print_foreign(PJSIP_URI_IN_OTHER, p)?;
            sip::parse_uri(core::str::from_utf8(&text).ok()?).ok()
        }
        _ => plain_from_c(p),
    }
}

/// Reads a URI object back into the Rust model. A name-addr gives its
/// inner URI; an object with a vtable we did not make is printed through
/// that vtable and parsed. None for NULL or an unreadable object.
///
/// # Safety
/// `p` must be NULL or point to a URI object.
pub unsafe fn uri_from_c(p: *const pjsip_uri) -> Option<Uri> {
    uri_from_c_depth(p as *const c_void, 0)
}

/// Reads a URI object as a name-addr: a `pjsip_name_addr` gives its
/// display name and URI, any other URI an empty display name.
///
/// # Safety
/// `p` must be NULL or point to a URI object.
pub unsafe fn name_addr_from_c(p: *const pjsip_uri) -> Option<NameAddr> {
    match uri_kind(p as *const c_void) {
        UriKind::NameAddr => {
            let n = &*(p as *const pjsip_name_addr);
            Some(NameAddr {
                display: string(&n.display),
                uri: uri_from_c_depth(n.uri as *const c_void, 1)?,
            })
        }
        UriKind::Foreign => {
            let text = print_foreign(PJSIP_URI_IN_OTHER, p as *const c_void)?;
            sip::parse_name_addr(core::str::from_utf8(&text).ok()?).ok()
        }
        _ => Some(NameAddr {
            display: String::new(),
            uri: uri_from_c(p)?,
        }),
    }
}

// ---------------------------------------------------------------------------
// Printing.

unsafe fn print_depth(ctx: c_uint, p: *const c_void, depth: u32) -> Option<Vec<u8>> {
    match uri_kind(p) {
        UriKind::Null => None,
        UriKind::Foreign => print_foreign(ctx, p),
        UriKind::NameAddr => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let n = &*(p as *const pjsip_name_addr);
            let inner = print_depth(ctx, n.uri as *const c_void, depth + 1)?;
            if inner.is_empty() {
                return None;
            }
            if ctx == PJSIP_URI_IN_REQ_URI {
                return Some(inner);
            }
            let mut out = Vec::with_capacity(inner.len() + 8 + n.display.slen.max(0) as usize);
            let display = bytes(&n.display);
            if sip::print::display_is_bare(display) {
                out.extend_from_slice(display);
                out.push(b' ');
            } else if !display.is_empty() {
                out.push(b'"');
                out.extend_from_slice(display);
                out.extend_from_slice(b"\" ");
            }
            out.push(b'<');
            out.extend_from_slice(&inner);
            out.push(b'>');
            Some(out)
        }
        _ => {
            let u = plain_from_c(p)?;
            let mut s = String::new();
            sip::print_uri(&u, context_of(ctx), &mut s);
            Some(s.into_bytes())
        }
    }
}

/// A URI object as pjsip prints it in context `ctx` (a `pjsip_uri_context_e`).
///
/// # Safety
/// `p` must be NULL or point to a URI object.
pub unsafe fn print_uri_c(ctx: c_uint, p: *const c_void) -> Option<Vec<u8>> {
    print_depth(ctx, p, 0)
}

// ---------------------------------------------------------------------------
// Vtable functions.

unsafe extern "C" fn plain_get_scheme(uri: *const c_void) -> *const pj_str_t {
    guard(null(), || match uri_kind(uri) {
        UriKind::Sip => scheme_ptr(SCHEME_SIP),
        UriKind::Sips => scheme_ptr(SCHEME_SIPS),
        UriKind::Tel => scheme_ptr(SCHEME_TEL),
        UriKind::Other => addr_of!((*(uri as *const pjsip_other_uri)).scheme),
        _ => scheme_ptr(SCHEME_NONE),
    })
}

unsafe extern "C" fn self_get_uri(uri: *mut c_void) -> *mut c_void {
    uri
}

unsafe extern "C" fn plain_print(
    ctx: pjsip_uri_context_e,
    uri: *const c_void,
    buf: *mut c_char,
    size: pj_size_t,
) -> pj_ssize_t {
    guard(-1, || match print_depth(ctx, uri, 0) {
        Some(text) => emit(&text, buf, size) as pj_ssize_t,
        None => -1,
    })
}

/// Compares two plain URIs: pjsip gives `PJSIP_ECMPSCHEME` when a sip(s)
/// URI is compared with another kind of object, and -1 for tel/other.
unsafe extern "C" fn plain_compare(ctx: pjsip_uri_context_e, u1: *const c_void, u2: *const c_void) -> pj_status_t {
    guard(-1, || {
        let k1 = uri_kind(u1);
        let k2 = uri_kind(u2);
        if k1 != k2 {
            return match k1 {
                UriKind::Sip | UriKind::Sips => PJSIP_ECMPSCHEME,
                _ => -1,
            };
        }
        match (plain_from_c(u1), plain_from_c(u2)) {
            (Some(a), Some(b)) => match sip::uri_cmp(context_of(ctx), &a, &b) {
                Ok(()) => 0,
                Err(e) => e,
            },
            _ => -1,
        }
    })
}

unsafe extern "C" fn plain_clone(pool: *mut pj_pool_t, uri: *const c_void) -> *mut c_void {
    guard(null_mut(), || match plain_from_c(uri) {
        Some(u) => uri_to_c(pool, &u) as *mut c_void,
        None => null_mut(),
    })
}

unsafe extern "C" fn name_addr_get_scheme(uri: *const c_void) -> *const pj_str_t {
    guard(null(), || {
        let mut p = uri;
        for _ in 0..MAX_DEPTH {
            match uri_kind(p) {
                UriKind::NameAddr => p = (*(p as *const pjsip_name_addr)).uri as *const c_void,
                UriKind::Null => break,
                _ => {
                    let v = (*(p as *const pjsip_uri)).vptr;
                    return match (*v).p_get_scheme {
                        Some(f) => f(p),
                        None => scheme_ptr(SCHEME_NONE),
                    };
                }
            }
        }
        scheme_ptr(SCHEME_NONE)
    })
}

unsafe extern "C" fn name_addr_get_uri(uri: *mut c_void) -> *mut c_void {
    guard(null_mut(), || {
        if uri.is_null() {
            return null_mut();
        }
        (*(uri as *mut pjsip_name_addr)).uri as *mut c_void
    })
}

unsafe extern "C" fn name_addr_print(
    ctx: pjsip_uri_context_e,
    uri: *const c_void,
    buf: *mut c_char,
    size: pj_size_t,
) -> pj_ssize_t {
    guard(-1, || match print_depth(ctx, uri, 0) {
        Some(text) => emit(&text, buf, size) as pj_ssize_t,
        None => -1,
    })
}

unsafe fn name_addr_compare_depth(ctx: c_uint, u1: *const c_void, u2: *const c_void, depth: u32) -> pj_status_t {
    if uri_kind(u1) != UriKind::NameAddr || uri_kind(u2) != UriKind::NameAddr || depth >= MAX_DEPTH {
        return -1;
    }
    let a = &*(u1 as *const pjsip_name_addr);
    let b = &*(u2 as *const pjsip_name_addr);
    // pjsip compares display names byte for byte.
    if bytes(&a.display) != bytes(&b.display) {
        return -1;
    }
    let i1 = a.uri as *const c_void;
    let i2 = b.uri as *const c_void;
    match uri_kind(i1) {
        UriKind::Null => -1,
        UriKind::NameAddr => name_addr_compare_depth(ctx, i1, i2, depth + 1),
        UriKind::Foreign => match (*(*(i1 as *const pjsip_uri)).vptr).p_compare {
            Some(f) if !i2.is_null() => f(ctx, i1, i2),
            _ => -1,
        },
        _ => plain_compare(ctx, i1, i2),
    }
}

unsafe extern "C" fn name_addr_compare(ctx: pjsip_uri_context_e, u1: *const c_void, u2: *const c_void) -> pj_status_t {
    guard(-1, || name_addr_compare_depth(ctx, u1, u2, 0))
}

unsafe fn clone_any(pool: *mut pj_pool_t, p: *const c_void, depth: u32) -> Option<*mut c_void> {
    match uri_kind(p) {
        UriKind::Null => None,
        UriKind::NameAddr => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let src = &*(p as *const pjsip_name_addr);
            let n = alloc::<pjsip_name_addr>(pool)?;
            name_addr_init(n);
            (*n).display = dup_pj(pool, &src.display)?;
            (*n).uri = clone_any(pool, src.uri as *const c_void, depth + 1)? as *mut pjsip_uri;
            Some(n as *mut c_void)
        }
        UriKind::Foreign => {
            let f = (*(*(p as *const pjsip_uri)).vptr).p_clone?;
            let c = f(pool, p);
            if c.is_null() {
                None
            } else {
                Some(c)
            }
        }
        _ => Some(uri_to_c_opt(pool, &plain_from_c(p)?)? as *mut c_void),
    }
}

/// Deep copy of any URI object into `pool` (NULL on failure).
///
/// # Safety
/// `pool` must be NULL or a live pool; `p` NULL or a URI object.
pub unsafe fn uri_clone(pool: *mut pj_pool_t, p: *const c_void) -> *mut c_void {
    clone_any(pool, p, 0).unwrap_or(null_mut())
}

unsafe extern "C" fn name_addr_clone(pool: *mut pj_pool_t, uri: *const c_void) -> *mut c_void {
    guard(null_mut(), || uri_clone(pool, uri))
}

/// Compares two URI objects as `pjsip_uri_cmp` would (through the first
/// one's vtable). 0 when equal.
///
/// # Safety
/// Both must be NULL or URI objects.
pub unsafe fn uri_cmp_c(ctx: c_uint, u1: *const c_void, u2: *const c_void) -> pj_status_t {
    match uri_kind(u1) {
        UriKind::Null => -1,
        UriKind::NameAddr => name_addr_compare_depth(ctx, u1, u2, 0),
        UriKind::Foreign => match (*(*(u1 as *const pjsip_uri)).vptr).p_compare {
            Some(f) if !u2.is_null() => f(ctx, u1, u2),
            _ => -1,
        },
        _ => plain_compare(ctx, u1, u2),
    }
}

// ---------------------------------------------------------------------------
// Parsing (pjsip_parse_uri).

/// Whether `s` is written as a name-addr (pjsip's test: a quote or `<`
/// first, or a run of display-name characters ending at `<`).
fn written_as_name_addr(s: &str) -> bool {
    let t = s.trim_start_matches([' ', '\t']);
    match t.bytes().next() {
        Some(b'"') | Some(b'<') => true,
        _ => {
            let end = t.find([':', '\r', '\n', '<']);
            matches!(end.map(|i| t.as_bytes()[i]), Some(b'<'))
        }
    }
}

/// The parse behind `pjsip_parse_uri`: returns the name-addr and whether
/// the result must be a name-addr object.
///
/// pjsip's rules: leading blanks are skipped; the URI must be followed by
/// the end of the text or a line break (what follows a line break is not
/// looked at); trailing blanks are accepted only after a sip:, sips: or
/// tel: URI, whose parsers skip them (not after `>` nor after a URI of
/// another scheme).
pub(crate) fn parse_uri_text(s: &str, options: c_uint) -> Result<(NameAddr, bool), i32> {
    let line = s.split(['\r', '\n']).next().unwrap_or("");
    let as_name_addr = written_as_name_addr(line);
    let na = sip::parse_name_addr(line)?;
    let trailing_blank = line.trim_start_matches([' ', '\t']).ends_with([' ', '\t']);
    if trailing_blank && (as_name_addr || matches!(na.uri, Uri::Other { .. })) {
        return Err(PJSIP_EINVALIDURI);
    }
    if !as_name_addr && options & PJSIP_PARSE_URI_IN_FROM_TO_HDR != 0 {
        // In a From/To context a bare URI takes no parameters: whatever
        // follows it is left unparsed, which pjsip_parse_uri refuses.
        let ft = sip::parse_fromto(line).map_err(|_| PJSIP_EINVALIDURI)?;
        if ft.uri != na {
            return Err(PJSIP_EINVALIDURI);
        }
    }
    Ok((na, as_name_addr || options & PJSIP_PARSE_URI_AS_NAMEADDR != 0))
}

/// Parses a URI into pool objects. Options as pjsip: 0 (a name-addr
/// written as such stays one), `PJSIP_PARSE_URI_AS_NAMEADDR` (always a
/// `pjsip_name_addr`), `PJSIP_PARSE_URI_IN_FROM_TO_HDR` (a bare URI takes
/// no parameters). NULL on any error.
#[no_mangle]
pub unsafe extern "C" fn pjsip_parse_uri(
    pool: *mut pj_pool_t,
    buf: *mut c_char,
    size: pj_size_t,
    options: c_uint,
) -> *mut pjsip_uri {
    guard(null_mut(), || {
        if pool.is_null() || buf.is_null() {
            return null_mut();
        }
        let raw = core::slice::from_raw_parts(buf as *const u8, size);
        let text = String::from_utf8_lossy(raw);
        match parse_uri_text(&text, options) {
            Ok((na, true)) => name_addr_to_c(pool, &na) as *mut pjsip_uri,
            Ok((na, false)) => uri_to_c(pool, &na.uri),
            Err(_) => null_mut(),
        }
    })
}

// ---------------------------------------------------------------------------
// Exported constructors and helpers.

/// Zero-filled SIP URI (`ttl_param` -1, empty parameter lists); `secure`
/// makes it a sips: URI.
#[no_mangle]
pub unsafe extern "C" fn pjsip_sip_uri_create(pool: *mut pj_pool_t, secure: pj_bool_t) -> *mut pjsip_sip_uri {
    guard(null_mut(), || match alloc::<pjsip_sip_uri>(pool) {
        Some(u) => {
            sip_uri_init(u, secure != 0);
            u
        }
        None => null_mut(),
    })
}

/// Initialises a SIP URI in caller memory, as `pjsip_sip_uri_create`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_sip_uri_init(url: *mut pjsip_sip_uri, secure: pj_bool_t) {
    guard((), || {
        if !url.is_null() {
            sip_uri_init(url, secure != 0);
        }
    })
}

/// Switches a SIP URI between sip: and sips:.
#[no_mangle]
pub unsafe extern "C" fn pjsip_sip_uri_set_secure(url: *mut pjsip_sip_uri, secure: pj_bool_t) {
    guard((), || {
        if !url.is_null() {
            (*url).vptr = vp(if secure != 0 { &SIPS_URI_VPTR } else { &SIP_URI_VPTR });
        }
    })
}

/// An empty name-addr (no display name, NULL URI).
#[no_mangle]
pub unsafe extern "C" fn pjsip_name_addr_create(pool: *mut pj_pool_t) -> *mut pjsip_name_addr {
    guard(null_mut(), || match alloc::<pjsip_name_addr>(pool) {
        Some(n) => {
            name_addr_init(n);
            n
        }
        None => null_mut(),
    })
}

/// Initialises a name-addr in caller memory.
#[no_mangle]
pub unsafe extern "C" fn pjsip_name_addr_init(name_addr: *mut pjsip_name_addr) {
    guard((), || {
        if !name_addr.is_null() {
            name_addr_init(name_addr);
        }
    })
}

/// Copies `src` into `dst`: display name duplicated, URI deep-cloned.
#[no_mangle]
pub unsafe extern "C" fn pjsip_name_addr_assign(
    pool: *mut pj_pool_t,
    dst: *mut pjsip_name_addr,
    src: *const pjsip_name_addr,
) {
    guard((), || {
        if pool.is_null() || dst.is_null() || src.is_null() {
            return;
        }
        (*dst).display = dup_pj(pool, &(*src).display).unwrap_or(EMPTY);
        (*dst).uri = uri_clone(pool, (*src).uri as *const c_void) as *mut pjsip_uri;
    })
}

/// An empty tel: URI.
#[no_mangle]
pub unsafe extern "C" fn pjsip_tel_uri_create(pool: *mut pj_pool_t) -> *mut pjsip_tel_uri {
    guard(null_mut(), || tel_uri_new(pool).unwrap_or(null_mut()))
}

/// An empty URI of an unknown scheme.
#[no_mangle]
pub unsafe extern "C" fn pjsip_other_uri_create(pool: *mut pj_pool_t) -> *mut pjsip_other_uri {
    guard(null_mut(), || other_uri_new(pool).unwrap_or(null_mut()))
}

/// First parameter of the list named `name` (case-insensitive), or NULL.
#[no_mangle]
pub unsafe extern "C" fn pjsip_param_find(param_list: *const pjsip_param, name: *const pj_str_t) -> *mut pjsip_param {
    guard(null_mut(), || {
        if param_list.is_null() || name.is_null() {
            return null_mut();
        }
        list_nodes(param_list)
            .into_iter()
            .find(|&p| eq_ci(&(*p).name, &*name))
            .unwrap_or(null_mut())
    })
}

/// Deep copy of a parameter list into `dst_list` (re-initialised first).
#[no_mangle]
pub unsafe extern "C" fn pjsip_param_clone(
    pool: *mut pj_pool_t,
    dst_list: *mut pjsip_param,
    src_list: *const pjsip_param,
) {
    guard((), || {
        if !pool.is_null() && !dst_list.is_null() && !src_list.is_null() {
            let _ = params_clone(pool, dst_list, src_list);
        }
    })
}

/// Copy of a parameter list sharing the strings.
#[no_mangle]
pub unsafe extern "C" fn pjsip_param_shallow_clone(
    pool: *mut pj_pool_t,
    dst_list: *mut pjsip_param,
    src_list: *const pjsip_param,
) {
    guard((), || {
        if !pool.is_null() && !dst_list.is_null() && !src_list.is_null() {
            let _ = params_shallow_clone(pool, dst_list, src_list);
        }
    })
}
