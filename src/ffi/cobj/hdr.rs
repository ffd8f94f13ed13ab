//! Header objects with pjsip's layouts and vtables: creation, conversion
//! from and to the Rust model, printing and cloning as pjsip does.

use super::auth;
use super::names::*;
use super::uri::{self, name_addr_from_c, name_addr_to_c_opt, print_uri_c, uri_clone, uri_kind, UriKind};
use super::util::*;
use crate::ffi::cfg::pjsip_sip_cfg_var;
use crate::ffi::guard::guard;
use crate::ffi::types::*;
use crate::sip::{self, CSeq, Contact, FromTo, HdrKind, NameAddr, Param, RawHeader, Route, Via};
use core::ffi::{c_char, c_int, c_uint, c_void};
use core::ptr::{self, addr_of, addr_of_mut, null_mut};

/// `PJSIP_EXPIRES_NOT_SPECIFIED`.
pub const EXPIRES_NOT_SPECIFIED: u32 = u32::MAX;
/// `PJSIP_GENERIC_ARRAY_MAX_COUNT`.
pub const GENERIC_ARRAY_MAX_COUNT: usize = 32;

macro_rules! vtable {
    ($name:ident, $clone:ident, $shallow:ident, $print:ident) => {
        pub(crate) static $name: pjsip_hdr_vptr = pjsip_hdr_vptr {
            clone: Some($clone),
            shallow_clone: Some($shallow),
            print_on: Some($print),
        };
    };
}

vtable!(GENERIC_STRING_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(GENERIC_INT_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(GENERIC_ARRAY_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(CLEN_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(CSEQ_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(CONTACT_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(CTYPE_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(FROMTO_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(ROUTING_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(RETRY_AFTER_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(VIA_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(AUTHORIZATION_VPTR, vt_clone, vt_shallow_clone, vt_print_on);
vtable!(WWW_AUTHENTICATE_VPTR, vt_clone, vt_shallow_clone, vt_print_on);

fn hv(v: &'static pjsip_hdr_vptr) -> *mut pjsip_hdr_vptr {
    v as *const pjsip_hdr_vptr as *mut pjsip_hdr_vptr
}

/// The layout family of a header, told by its vtable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    GenericString,
    GenericInt,
    GenericArray,
    Clen,
    CSeq,
    Contact,
    Ctype,
    FromTo,
    Routing,
    RetryAfter,
    Via,
    Authorization,
    WwwAuthenticate,
    /// A vtable we did not make.
    Foreign,
    /// NULL header or NULL vtable.
    Null,
}

pub(crate) unsafe fn shape(h: *const c_void) -> Shape {
    if h.is_null() {
        return Shape::Null;
    }
    let v = (*(h as *const pjsip_hdr)).vptr as *const pjsip_hdr_vptr;
    let table: [(&pjsip_hdr_vptr, Shape); 13] = [
        (&GENERIC_STRING_VPTR, Shape::GenericString),
        (&GENERIC_INT_VPTR, Shape::GenericInt),
        (&GENERIC_ARRAY_VPTR, Shape::GenericArray),
        (&CLEN_VPTR, Shape::Clen),
        (&CSEQ_VPTR, Shape::CSeq),
        (&CONTACT_VPTR, Shape::Contact),
        (&CTYPE_VPTR, Shape::Ctype),
        (&FROMTO_VPTR, Shape::FromTo),
        (&ROUTING_VPTR, Shape::Routing),
        (&RETRY_AFTER_VPTR, Shape::RetryAfter),
        (&VIA_VPTR, Shape::Via),
        (&AUTHORIZATION_VPTR, Shape::Authorization),
        (&WWW_AUTHENTICATE_VPTR, Shape::WwwAuthenticate),
    ];
    if v.is_null() {
        return Shape::Null;
    }
    table
        .iter()
        .find(|(t, _)| core::ptr::eq(*t, v))
        .map_or(Shape::Foreign, |(_, s)| *s)
}

/// pjsip's `init_hdr`: type, the type's names, vtable, a list of its own.
pub(crate) unsafe fn init_hdr<T>(h: *mut T, t: pjsip_hdr_e, vptr: &'static pjsip_hdr_vptr) {
    let h = h as *mut pjsip_hdr;
    let (name, sname) = names_of(t);
    (*h).r#type = t;
    (*h).name = static_pj(name);
    (*h).sname = static_pj(sname);
    (*h).vptr = hv(vptr);
    list_init(h);
}

/// The name a header prints with: the compact one when
/// `pjsip_cfg()->endpt.use_compact_form` is set.
unsafe fn hname(h: *const pjsip_hdr) -> &'static [u8] {
    let compact = ptr::read_volatile(addr_of!(pjsip_sip_cfg_var.endpt.use_compact_form)) != 0;
    if compact {
        bytes(&(*h).sname)
    } else {
        bytes(&(*h).name)
    }
}

// ---------------------------------------------------------------------------
// Creation (pjsip's *_hdr_create / *_hdr_init).

pub(crate) unsafe fn new_hdr<T>(pool: *mut pj_pool_t, t: pjsip_hdr_e, vptr: &'static pjsip_hdr_vptr) -> Option<*mut T> {
    let h = alloc::<T>(pool)?;
    init_hdr(h, t, vptr);
    Some(h)
}

pub(crate) unsafe fn init_contact(h: *mut pjsip_contact_hdr) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, PJSIP_H_CONTACT, &CONTACT_VPTR);
    (*h).expires = EXPIRES_NOT_SPECIFIED;
    list_init(addr_of_mut!((*h).other_param));
}

pub(crate) unsafe fn init_fromto(h: *mut pjsip_fromto_hdr, t: pjsip_hdr_e) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, t, &FROMTO_VPTR);
    list_init(addr_of_mut!((*h).other_param));
}

pub(crate) unsafe fn init_routing(h: *mut pjsip_routing_hdr, t: pjsip_hdr_e) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, t, &ROUTING_VPTR);
    uri::name_addr_init(addr_of_mut!((*h).name_addr));
    list_init(addr_of_mut!((*h).other_param));
}

pub(crate) unsafe fn init_via(h: *mut pjsip_via_hdr) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, PJSIP_H_VIA, &VIA_VPTR);
    (*h).ttl_param = -1;
    (*h).rport_param = -1;
    list_init(addr_of_mut!((*h).other_param));
}

pub(crate) unsafe fn init_ctype(h: *mut pjsip_ctype_hdr) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, PJSIP_H_CONTENT_TYPE, &CTYPE_VPTR);
    list_init(addr_of_mut!((*h).media.param));
}

pub(crate) unsafe fn init_retry_after(h: *mut pjsip_retry_after_hdr, value: i32) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, PJSIP_H_RETRY_AFTER, &RETRY_AFTER_VPTR);
    (*h).ivalue = value;
    list_init(addr_of_mut!((*h).param));
}

pub(crate) unsafe fn init_cseq(h: *mut pjsip_cseq_hdr) {
    ptr::write_bytes(h, 0, 1);
    init_hdr(h, PJSIP_H_CSEQ, &CSEQ_VPTR);
    (*h).method.id = super::msg::PJSIP_OTHER_METHOD;
}

pub(crate) unsafe fn init_generic_string(h: *mut pjsip_generic_string_hdr, name: pj_str_t, value: pj_str_t) {
    init_hdr(h, PJSIP_H_OTHER, &GENERIC_STRING_VPTR);
    (*h).name = name;
    (*h).sname = name;
    (*h).hvalue = value;
}

pub(crate) unsafe fn generic_string_new(
    pool: *mut pj_pool_t,
    name: &[u8],
    value: &[u8],
) -> Option<*mut pjsip_generic_string_hdr> {
    let h = alloc::<pjsip_generic_string_hdr>(pool)?;
    init_generic_string(h, dup(pool, name)?, dup(pool, value)?);
    Some(h)
}

pub(crate) unsafe fn int_new(pool: *mut pj_pool_t, t: pjsip_hdr_e, value: u32) -> Option<*mut pjsip_generic_int_hdr> {
    let h = new_hdr::<pjsip_generic_int_hdr>(pool, t, &GENERIC_INT_VPTR)?;
    (*h).ivalue = value;
    Some(h)
}

// ---------------------------------------------------------------------------
// Rust model -> C headers.

unsafe fn contact_to_c_opt(pool: *mut pj_pool_t, c: &Contact) -> Option<*mut pjsip_contact_hdr> {
    let h = alloc::<pjsip_contact_hdr>(pool)?;
    init_contact(h);
    if c.star {
        (*h).star = 1;
        return Some(h);
    }
    if let Some(na) = &c.uri {
        (*h).uri = name_addr_to_c_opt(pool, na)? as *mut pjsip_uri;
    }
    (*h).q1000 = c.q1000;
    (*h).expires = c.expires.unwrap_or(EXPIRES_NOT_SPECIFIED);
    params_to_c(pool, addr_of_mut!((*h).other_param), &c.other_params)?;
    Some(h)
}

/// A `pjsip_contact_hdr` for one Contact value (its URI a name-addr, as
/// pjsip's parser makes it; `expires` PJSIP_EXPIRES_NOT_SPECIFIED when
/// absent). NULL when out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn contact_to_c(pool: *mut pj_pool_t, c: &Contact) -> *mut pjsip_contact_hdr {
    contact_to_c_opt(pool, c).unwrap_or(null_mut())
}

unsafe fn fromto_to_c_opt(pool: *mut pj_pool_t, t: pjsip_hdr_e, f: &FromTo) -> Option<*mut pjsip_fromto_hdr> {
    let h = alloc::<pjsip_fromto_hdr>(pool)?;
    init_fromto(h, t);
    (*h).uri = name_addr_to_c_opt(pool, &f.uri)? as *mut pjsip_uri;
    (*h).tag = dup_opt(pool, f.tag.as_deref())?;
    params_to_c(pool, addr_of_mut!((*h).other_param), &f.other_params)?;
    Some(h)
}

/// A From (`to` false) or To header.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn fromto_to_c(pool: *mut pj_pool_t, to: bool, f: &FromTo) -> *mut pjsip_fromto_hdr {
    fromto_to_c_opt(pool, if to { PJSIP_H_TO } else { PJSIP_H_FROM }, f).unwrap_or(null_mut())
}

unsafe fn route_to_c_opt(pool: *mut pj_pool_t, t: pjsip_hdr_e, r: &Route) -> Option<*mut pjsip_routing_hdr> {
    let h = alloc::<pjsip_routing_hdr>(pool)?;
    init_routing(h, t);
    (*h).name_addr.display = dup_str(pool, &r.uri.display)?;
    (*h).name_addr.uri = uri::uri_to_c_opt(pool, &r.uri.uri)?;
    params_to_c(pool, addr_of_mut!((*h).other_param), &r.other_params)?;
    Some(h)
}

/// A Route (`record_route` false) or Record-Route header.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn route_to_c(pool: *mut pj_pool_t, record_route: bool, r: &Route) -> *mut pjsip_routing_hdr {
    route_to_c_opt(
        pool,
        if record_route {
            PJSIP_H_RECORD_ROUTE
        } else {
            PJSIP_H_ROUTE
        },
        r,
    )
    .unwrap_or(null_mut())
}

unsafe fn via_to_c_opt(pool: *mut pj_pool_t, v: &Via) -> Option<*mut pjsip_via_hdr> {
    let h = alloc::<pjsip_via_hdr>(pool)?;
    init_via(h);
    (*h).transport = dup_str(pool, &v.transport)?;
    (*h).sent_by.host = dup_str(pool, &v.host)?;
    (*h).sent_by.port = v.port.into();
    (*h).ttl_param = v.ttl;
    (*h).rport_param = v.rport;
    (*h).maddr_param = dup_opt(pool, v.maddr.as_deref())?;
    (*h).recvd_param = dup_opt(pool, v.received.as_deref())?;
    (*h).branch_param = dup_opt(pool, v.branch.as_deref())?;
    params_to_c(pool, addr_of_mut!((*h).other_param), &v.other_params)?;
    (*h).comment = dup_opt(pool, v.comment.as_deref())?;
    Some(h)
}

/// A Via header.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn via_to_c(pool: *mut pj_pool_t, v: &Via) -> *mut pjsip_via_hdr {
    via_to_c_opt(pool, v).unwrap_or(null_mut())
}

unsafe fn cid_to_c_opt(pool: *mut pj_pool_t, id: &str) -> Option<*mut pjsip_cid_hdr> {
    // Call-ID is a generic string header in pjsip (same layout and vtable).
    let h = new_hdr::<pjsip_cid_hdr>(pool, PJSIP_H_CALL_ID, &GENERIC_STRING_VPTR)?;
    (*h).id = dup_str(pool, id)?;
    Some(h)
}

/// A Call-ID header.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn cid_to_c(pool: *mut pj_pool_t, id: &str) -> *mut pjsip_cid_hdr {
    cid_to_c_opt(pool, id).unwrap_or(null_mut())
}

unsafe fn cseq_to_c_opt(pool: *mut pj_pool_t, c: &CSeq) -> Option<*mut pjsip_cseq_hdr> {
    let h = alloc::<pjsip_cseq_hdr>(pool)?;
    init_cseq(h);
    (*h).cseq = c.seq as i32;
    super::msg::method_from_name(pool, &c.method, addr_of_mut!((*h).method))?;
    Some(h)
}

/// A CSeq header (known methods get pjsip's static method names).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn cseq_to_c(pool: *mut pj_pool_t, c: &CSeq) -> *mut pjsip_cseq_hdr {
    cseq_to_c_opt(pool, c).unwrap_or(null_mut())
}

/// An Expires, Min-Expires or Max-Forwards header (any other kind gives a
/// generic integer header of type PJSIP_H_OTHER named after the kind).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn int_hdr_to_c(pool: *mut pj_pool_t, kind: HdrKind, value: u32) -> *mut pjsip_generic_int_hdr {
    int_new(pool, hdr_type_of(kind), value).unwrap_or(null_mut())
}

unsafe fn array_to_c_opt<S: AsRef<str>>(
    pool: *mut pj_pool_t,
    kind: HdrKind,
    values: &[S],
) -> Option<*mut pjsip_generic_array_hdr> {
    let h = new_hdr::<pjsip_generic_array_hdr>(pool, hdr_type_of(kind), &GENERIC_ARRAY_VPTR)?;
    for v in values.iter().take(GENERIC_ARRAY_MAX_COUNT) {
        (*h).values[(*h).count as usize] = dup_str(pool, v.as_ref())?;
        (*h).count += 1;
    }
    Some(h)
}

/// An Accept, Allow, Require, Supported or Unsupported header (at most 32
/// values, as pjsip's array).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn array_hdr_to_c<S: AsRef<str>>(
    pool: *mut pj_pool_t,
    kind: HdrKind,
    values: &[S],
) -> *mut pjsip_generic_array_hdr {
    array_to_c_opt(pool, kind, values).unwrap_or(null_mut())
}

/// A Content-Length header.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn clen_to_c(pool: *mut pj_pool_t, len: u32) -> *mut pjsip_clen_hdr {
    match new_hdr::<pjsip_clen_hdr>(pool, PJSIP_H_CONTENT_LENGTH, &CLEN_VPTR) {
        Some(h) => {
            (*h).len = len as c_int;
            h
        }
        None => null_mut(),
    }
}

/// Splits `;name[=value]` parameters (quoted values kept whole with their
/// quotes, `%XX` in names and token values decoded as pjsip's parser does).
/// Stops at the first character that is neither blank nor `;`.
pub(crate) fn split_params(s: &str) -> (Vec<Param>, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() || b[i] != b';' {
            break;
        }
        i += 1;
        skip_ws(&mut i);
        let ns = i;
        while i < b.len() && is_token(b[i]) {
            i += 1;
        }
        let name = unescape(&s[ns..i]);
        skip_ws(&mut i);
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            skip_ws(&mut i);
            let vs = i;
            if i < b.len() && b[i] == b'"' {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
                value = Some(s[vs..i].to_string());
            } else {
                while i < b.len() && is_token(b[i]) {
                    i += 1;
                }
                value = Some(unescape(&s[vs..i]));
            }
        }
        out.push(Param {
            name,
            value: value.filter(|v| !v.is_empty()),
        });
    }
    (out, i)
}

unsafe fn ctype_to_c_opt(pool: *mut pj_pool_t, value: &str) -> Option<*mut pjsip_ctype_hdr> {
    let (ty, sub) = sip::parse_content_type(value).ok()?;
    let h = alloc::<pjsip_ctype_hdr>(pool)?;
    init_ctype(h);
    (*h).media.r#type = dup_str(pool, ty)?;
    (*h).media.subtype = dup_str(pool, sub)?;
    let rest = value.find(';').map_or("", |i| &value[i..]);
    let (params, _) = split_params(rest);
    params_to_c(pool, addr_of_mut!((*h).media.param), &params)?;
    Some(h)
}

/// A Content-Type header from its value (`type/subtype;params`).
/// NULL when the value does not parse.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn ctype_to_c(pool: *mut pj_pool_t, value: &str) -> *mut pjsip_ctype_hdr {
    ctype_to_c_opt(pool, value).unwrap_or(null_mut())
}

unsafe fn retry_after_to_c_opt(pool: *mut pj_pool_t, value: &str) -> Option<*mut pjsip_retry_after_hdr> {
    let v = sip::parse_retry_after(value).ok()?;
    let h = alloc::<pjsip_retry_after_hdr>(pool)?;
    init_retry_after(h, v as i32);
    // After the number: an optional "(comment)" and parameters, in any order.
    let mut rest = value.trim_start().trim_start_matches(|c: char| c.is_ascii_digit());
    let mut params = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(inner) = rest.strip_prefix('(') {
            // Like pjsip, the comment ends at the first ')' (no nesting).
            let close = inner.find(')').unwrap_or(inner.len());
            (*h).comment = dup_str(pool, &inner[..close])?;
            rest = inner.get(close + 1..).unwrap_or("");
        } else if rest.starts_with(';') {
            let (mut p, used) = split_params(rest);
            params.append(&mut p);
            if used == 0 {
                break;
            }
            rest = &rest[used..];
        } else {
            break;
        }
    }
    params_to_c(pool, addr_of_mut!((*h).param), &params)?;
    Some(h)
}

/// A Retry-After header from its value (seconds, comment, parameters).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn retry_after_to_c(pool: *mut pj_pool_t, value: &str) -> *mut pjsip_retry_after_hdr {
    retry_after_to_c_opt(pool, value).unwrap_or(null_mut())
}

/// A generic string header (type PJSIP_H_OTHER, `sname` = `name`).
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn generic_string_to_c(pool: *mut pj_pool_t, name: &str, value: &str) -> *mut pjsip_generic_string_hdr {
    generic_string_new(pool, name.as_bytes(), value.as_bytes()).unwrap_or(null_mut())
}

/// Splits a generic array value as pjsip's parser does: blanks before an
/// element are skipped, blanks after it are kept; an empty element or more
/// than 32 elements is an error; an empty value has no elements.
fn split_array(value: &str) -> Option<Vec<&str>> {
    let v = value.trim_start_matches([' ', '\t']);
    let mut out = Vec::new();
    if v.is_empty() {
        return Some(out);
    }
    for e in v.split(',') {
        let e = e.trim_start_matches([' ', '\t']);
        if e.is_empty() || out.len() >= GENERIC_ARRAY_MAX_COUNT {
            return None;
        }
        out.push(e);
    }
    Some(out)
}

/// Links headers into a ring (first, then the others after it), the shape
/// pjsip's header parsers return for a comma-separated list.
unsafe fn ring(hdrs: Vec<*mut pjsip_hdr>) -> Option<*mut pjsip_hdr> {
    let first = *hdrs.first()?;
    for &h in &hdrs[1..] {
        list_insert_before(first, h);
    }
    Some(first)
}

/// The C header(s) for a value already parsed as its kind (see
/// [`sip::Typed`]); None for [`sip::Typed::Untyped`] or out of memory.
unsafe fn typed_to_c_opt(pool: *mut pj_pool_t, kind: HdrKind, typed: &sip::Typed) -> Option<*mut pjsip_hdr> {
    use sip::Typed;
    Some(match typed {
        Typed::Contacts(list) => {
            let mut v = Vec::with_capacity(list.len());
            for c in list {
                v.push(contact_to_c_opt(pool, c)? as *mut pjsip_hdr);
            }
            ring(v)?
        }
        Typed::FromTo(f) => fromto_to_c_opt(pool, hdr_type_of(kind), f)? as *mut pjsip_hdr,
        Typed::Routes(list) => {
            let mut v = Vec::with_capacity(list.len());
            for r in list {
                v.push(route_to_c_opt(pool, hdr_type_of(kind), r)? as *mut pjsip_hdr);
            }
            ring(v)?
        }
        Typed::Vias(list) => {
            let mut v = Vec::with_capacity(list.len());
            for r in list {
                v.push(via_to_c_opt(pool, r)? as *mut pjsip_hdr);
            }
            ring(v)?
        }
        Typed::CSeq(c) => cseq_to_c_opt(pool, c)? as *mut pjsip_hdr,
        Typed::Uint(n) if kind == HdrKind::ContentLength => {
            let h = clen_to_c(pool, *n);
            if h.is_null() {
                return None;
            }
            h as *mut pjsip_hdr
        }
        Typed::Uint(n) => int_new(pool, hdr_type_of(kind), *n)? as *mut pjsip_hdr,
        Typed::Untyped => return None,
    })
}

/// The C header(s) for the kinds pjsip keeps as text or parses with a
/// grammar of its own (not [`sip::Typed`]); None on a parse error or when
/// out of memory.
unsafe fn untyped_to_c_opt(pool: *mut pj_pool_t, kind: HdrKind, name: &str, value: &str) -> Option<*mut pjsip_hdr> {
    Some(match kind {
        HdrKind::CallId => {
            // pjsip keeps the rest of the line, trailing blanks included.
            let v = value.trim_start_matches([' ', '\t']);
            sip::parse_call_id(v).ok()?;
            cid_to_c_opt(pool, v)? as *mut pjsip_hdr
        }
        HdrKind::ContentType => ctype_to_c_opt(pool, value)? as *mut pjsip_hdr,
        HdrKind::RetryAfter => retry_after_to_c_opt(pool, value)? as *mut pjsip_hdr,
        HdrKind::Accept | HdrKind::Allow | HdrKind::Require | HdrKind::Supported | HdrKind::Unsupported => {
            let values = split_array(value)?;
            array_to_c_opt(pool, kind, &values)? as *mut pjsip_hdr
        }
        HdrKind::Authorization
        | HdrKind::ProxyAuthorization
        | HdrKind::WwwAuthenticate
        | HdrKind::ProxyAuthenticate => auth::auth_hdr_to_c_opt(pool, kind, value)?,
        _ => generic_string_new(pool, name.as_bytes(), value.as_bytes())? as *mut pjsip_hdr,
    })
}

/// The C header(s) for `name: value` of `kind`, parsed as `typed`.
unsafe fn value_to_c_opt(
    pool: *mut pj_pool_t,
    kind: HdrKind,
    name: &str,
    value: &str,
    typed: &sip::Typed,
) -> Option<*mut pjsip_hdr> {
    match typed {
        sip::Typed::Untyped => untyped_to_c_opt(pool, kind, name, value),
        typed => typed_to_c_opt(pool, kind, typed),
    }
}

/// `header_to_c` returning None on a parse error or when out of memory.
pub(crate) unsafe fn header_to_c_opt(pool: *mut pj_pool_t, name: &str, value: &str) -> Option<*mut pjsip_hdr> {
    let kind = sip::hdr_kind(name);
    value_to_c_opt(pool, kind, name, value, &sip::parse_typed(kind, value).ok()?)
}

/// The C header(s) for `name: value`, as `pjsip_parse_hdr` builds them:
/// the typed struct for the names pjsip knows (long or compact, any case),
/// a generic string header for others. A list value (Contact, Route,
/// Record-Route, Via) gives the first header with the others linked after
/// it as a ring: insert them all with `pj_list_insert_nodes_before`.
/// NULL when the value does not parse or out of memory.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn header_to_c(pool: *mut pj_pool_t, name: &str, value: &str) -> *mut pjsip_hdr {
    header_to_c_opt(pool, name, value).unwrap_or(null_mut())
}

/// One header of a parsed message as C object(s) (see [`header_to_c`]);
/// a value that does not parse as its type becomes a generic string header
/// of type PJSIP_H_OTHER rather than failing.
///
/// # Safety
/// `pool` must be NULL or a live pool.
pub unsafe fn raw_header_to_c(pool: *mut pj_pool_t, h: &RawHeader) -> *mut pjsip_hdr {
    h.typed()
        .ok()
        .and_then(|typed| value_to_c_opt(pool, h.kind, &h.name, &h.value, typed))
        .or_else(|| generic_string_new(pool, h.name.as_bytes(), h.value.as_bytes()).map(|p| p as *mut pjsip_hdr))
        .unwrap_or(null_mut())
}

// ---------------------------------------------------------------------------
// C headers -> Rust model.

/// Prints a header through its vtable and parses the value back with
/// `parse` (for readers handed a header whose vtable is not ours).
unsafe fn reparse<T>(h: *const c_void, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
    let (_, value) = hdr_to_text(h as *const pjsip_hdr)?;
    parse(&value)
}

/// Reads a Contact header. A URI that is not a name-addr reads as one with
/// an empty display name.
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn contact_from_c(h: *const pjsip_contact_hdr) -> Option<Contact> {
    match shape(h as *const c_void) {
        Shape::Contact => {
            let c = &*h;
            if c.star != 0 {
                return Some(Contact {
                    star: true,
                    uri: None,
                    q1000: 0,
                    expires: None,
                    other_params: Vec::new(),
                });
            }
            Some(Contact {
                star: false,
                uri: Some(name_addr_from_c(c.uri)?),
                q1000: c.q1000,
                expires: if c.expires == EXPIRES_NOT_SPECIFIED {
                    None
                } else {
                    Some(c.expires)
                },
                other_params: params_from_c(&c.other_param),
            })
        }
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| {
            sip::parse_contact_list(v).ok()?.into_iter().next()
        }),
    }
}

/// Reads a From or To header.
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn fromto_from_c(h: *const pjsip_fromto_hdr) -> Option<FromTo> {
    match shape(h as *const c_void) {
        Shape::FromTo => {
            let f = &*h;
            Some(FromTo {
                uri: name_addr_from_c(f.uri)?,
                tag: opt_string(&f.tag),
                other_params: params_from_c(&f.other_param),
            })
        }
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| sip::parse_fromto(v).ok()),
    }
}

/// Reads a Route or Record-Route header.
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn route_from_c(h: *const pjsip_routing_hdr) -> Option<Route> {
    match shape(h as *const c_void) {
        Shape::Routing => {
            let r = &*h;
            Some(Route {
                uri: NameAddr {
                    display: string(&r.name_addr.display),
                    uri: uri::uri_from_c(r.name_addr.uri)?,
                },
                other_params: params_from_c(&r.other_param),
            })
        }
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| {
            sip::parse_route_list(v).ok()?.into_iter().next()
        }),
    }
}

/// Reads a Via header (the comment included).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn via_from_c(h: *const pjsip_via_hdr) -> Option<Via> {
    match shape(h as *const c_void) {
        Shape::Via => Some(via_model(&*h)),
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| sip::parse_via_list(v).ok()?.into_iter().next()),
    }
}

unsafe fn via_model(v: &pjsip_via_hdr) -> Via {
    Via {
        transport: string(&v.transport),
        host: string(&v.sent_by.host),
        port: u16::try_from(v.sent_by.port).unwrap_or(0),
        rport: v.rport_param,
        ttl: v.ttl_param,
        maddr: opt_string(&v.maddr_param),
        received: opt_string(&v.recvd_param),
        branch: opt_string(&v.branch_param),
        other_params: params_from_c(&v.other_param),
        comment: opt_string(&v.comment),
    }
}

/// Reads a CSeq header.
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn cseq_from_c(h: *const pjsip_cseq_hdr) -> Option<CSeq> {
    match shape(h as *const c_void) {
        Shape::CSeq => Some(CSeq {
            seq: (*h).cseq as u32,
            method: string(&(*h).method.name),
        }),
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| sip::parse_cseq(v).ok()),
    }
}

/// Reads a Call-ID header (any generic string header: its value).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn cid_from_c(h: *const pjsip_cid_hdr) -> Option<String> {
    match shape(h as *const c_void) {
        Shape::GenericString => Some(string(&(*h).id)),
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| Some(v.to_string())),
    }
}

/// Reads an Expires, Min-Expires or Max-Forwards header (any generic
/// integer header: its `ivalue`).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn int_hdr_from_c(h: *const pjsip_generic_int_hdr) -> Option<u32> {
    match shape(h as *const c_void) {
        Shape::GenericInt => Some((*h).ivalue),
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| sip::parse_uint(v).ok()),
    }
}

/// Same as [`int_hdr_from_c`], under the name the registration layer uses.
///
/// # Safety
/// As [`int_hdr_from_c`].
pub unsafe fn expires_from_c(h: *const pjsip_generic_int_hdr) -> Option<u32> {
    int_hdr_from_c(h)
}

/// Reads a generic array header (Allow, Supported, ...).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn array_hdr_from_c(h: *const pjsip_generic_array_hdr) -> Option<Vec<String>> {
    match shape(h as *const c_void) {
        Shape::GenericArray => {
            let a = &*h;
            let n = (a.count as usize).min(GENERIC_ARRAY_MAX_COUNT);
            Some(a.values[..n].iter().map(|s| string(s)).collect())
        }
        Shape::Null => None,
        _ => reparse(h as *const c_void, |v| {
            Some(
                sip::parse_generic_array(v)
                    .ok()?
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            )
        }),
    }
}

/// Name and value of any header, as its `print_on` prints it (so headers
/// C code made with its own vtable work too). None when the header cannot
/// be printed or prints nothing (pjsip skips a Route with `hide`).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn hdr_to_text(h: *const pjsip_hdr) -> Option<(String, String)> {
    let mut text = print_hdr(h).ok()?;
    if text.is_empty() {
        return None;
    }
    let (name_len, skip) = match shape(h as *const c_void) {
        Shape::Foreign => {
            let colon = text.iter().position(|&b| b == b':')?;
            let mut vs = colon + 1;
            if text.get(vs) == Some(&b' ') {
                vs += 1;
            }
            (colon, vs)
        }
        Shape::CSeq | Shape::Routing | Shape::RetryAfter | Shape::Authorization | Shape::WwwAuthenticate => {
            let n = bytes(&(*h).name).len();
            (n, n + 2)
        }
        _ => {
            let n = hname(h).len();
            (n, n + 2)
        }
    };
    if name_len > text.len() {
        return None;
    }
    let value = text.split_off(skip.min(text.len()));
    text.truncate(name_len);
    Some((sip::chars::lossy_owned(text), sip::chars::lossy_owned(value)))
}

/// A header read back into the Rust model, for rebuilding a request from
/// `tdata->msg`. Typed variants come from our typed objects; everything
/// else (including headers C code built itself) is `Other`, with the name
/// and value it prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CHeader {
    /// A Contact value.
    Contact(Contact),
    /// From.
    From(FromTo),
    /// To.
    To(FromTo),
    /// A Route value.
    Route(Route),
    /// A Record-Route value.
    RecordRoute(Route),
    /// A Via value.
    Via(Via),
    /// Call-ID.
    CallId(String),
    /// CSeq.
    CSeq(CSeq),
    /// Expires.
    Expires(u32),
    /// Min-Expires.
    MinExpires(u32),
    /// Max-Forwards.
    MaxForwards(u32),
    /// Content-Length.
    ContentLength(u32),
    /// Accept, Allow, Require, Supported, Unsupported.
    Array {
        /// Which of them.
        kind: HdrKind,
        /// The listed values.
        values: Vec<String>,
    },
    /// Authorization, Proxy-Authorization, WWW-Authenticate,
    /// Proxy-Authenticate: the value as printed (`Digest ...`).
    Auth {
        /// Which of them.
        kind: HdrKind,
        /// The value.
        value: String,
    },
    /// Any other header.
    Other {
        /// Its name as printed.
        name: String,
        /// Its value as printed.
        value: String,
    },
}

/// Reads any header. None for a header pjsip would not print (NULL
/// vtable, unprintable, or a Route with `hide`).
///
/// # Safety
/// `h` must be NULL or point to a header.
pub unsafe fn hdr_from_c(h: *const pjsip_hdr) -> Option<CHeader> {
    let t = h.as_ref()?.r#type;
    let other = || -> Option<CHeader> {
        let (name, value) = hdr_to_text(h)?;
        Some(CHeader::Other { name, value })
    };
    Some(match (shape(h as *const c_void), t) {
        (Shape::Contact, _) => CHeader::Contact(contact_from_c(h as *const _)?),
        (Shape::FromTo, PJSIP_H_FROM) => CHeader::From(fromto_from_c(h as *const _)?),
        (Shape::FromTo, PJSIP_H_TO) => CHeader::To(fromto_from_c(h as *const _)?),
        (Shape::Routing, PJSIP_H_ROUTE | PJSIP_H_RECORD_ROUTE) => {
            // Checks `hide` the way the printer does.
            hdr_to_text(h)?;
            let r = route_from_c(h as *const _)?;
            if t == PJSIP_H_ROUTE {
                CHeader::Route(r)
            } else {
                CHeader::RecordRoute(r)
            }
        }
        (Shape::Via, _) => CHeader::Via(via_from_c(h as *const _)?),
        (Shape::GenericString, PJSIP_H_CALL_ID) => CHeader::CallId(cid_from_c(h as *const _)?),
        (Shape::CSeq, _) => CHeader::CSeq(cseq_from_c(h as *const _)?),
        (Shape::GenericInt, PJSIP_H_EXPIRES) => CHeader::Expires(int_hdr_from_c(h as *const _)?),
        (Shape::GenericInt, PJSIP_H_MIN_EXPIRES) => CHeader::MinExpires(int_hdr_from_c(h as *const _)?),
        (Shape::GenericInt, PJSIP_H_MAX_FORWARDS) => CHeader::MaxForwards(int_hdr_from_c(h as *const _)?),
        (Shape::Clen, _) => CHeader::ContentLength((*(h as *const pjsip_clen_hdr)).len as u32),
        (
            Shape::GenericArray,
            PJSIP_H_ACCEPT | PJSIP_H_ALLOW | PJSIP_H_REQUIRE | PJSIP_H_SUPPORTED | PJSIP_H_UNSUPPORTED,
        ) => CHeader::Array {
            kind: kind_of_type(t),
            values: array_hdr_from_c(h as *const _)?,
        },
        (Shape::Authorization | Shape::WwwAuthenticate, _) => {
            let (_, value) = hdr_to_text(h)?;
            CHeader::Auth {
                kind: kind_of_type(t),
                value,
            }
        }
        _ => other()?,
    })
}

// ---------------------------------------------------------------------------
// Printing.

fn push_num(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(n.to_string().as_bytes());
}

/// pjsip prints signed fields with `pj_utoa`, i.e. as unsigned long.
fn utoa_signed(n: i32) -> u64 {
    n as i64 as u64
}

/// Prints the URI of a header in `ctx`; None when pjsip's printer would fail.
unsafe fn push_uri(out: &mut Vec<u8>, ctx: u32, uri: *const c_void) -> Option<()> {
    let text = print_uri_c(ctx, uri)?;
    if text.is_empty() {
        return None;
    }
    out.extend_from_slice(&text);
    Some(())
}

/// A host, in brackets when it is an IPv6 reference written without them
/// (or holds a `%`, which only brackets allow), so that it parses back.
fn push_host(out: &mut Vec<u8>, host: &[u8]) {
    if (host.contains(&b':') || host.contains(&b'%')) && host.first() != Some(&b'[') {
        out.push(b'[');
        out.extend_from_slice(host);
        out.push(b']');
    } else {
        out.extend_from_slice(host);
    }
}

/// Whether a Route's URI carries pjsip's proprietary `hide` parameter, in
/// which case pjsip prints nothing for the header.
unsafe fn route_hidden(h: *const pjsip_routing_hdr) -> bool {
    let inner = (*h).name_addr.uri as *const c_void;
    match uri_kind(inner) {
        UriKind::Sip | UriKind::Sips => list_nodes(addr_of!((*(inner as *const pjsip_sip_uri)).other_param))
            .into_iter()
            .any(|p| bytes(&(*p).name).eq_ignore_ascii_case(b"hide")),
        _ => false,
    }
}

/// Prints a header as its `print_on` would ("Name: value", no CRLF).
/// Err carries what print_on returns on failure (-1, or -2 for a header
/// without vtable).
pub(crate) unsafe fn print_hdr(h: *const pjsip_hdr) -> Result<Vec<u8>, c_int> {
    let sh = shape(h as *const c_void);
    if sh == Shape::Null {
        return Err(if h.is_null() { -1 } else { -2 });
    }
    if sh == Shape::Foreign {
        let f = (*(*h).vptr).print_on.ok_or(-2)?;
        return print_growing(|buf, size| f(h as *mut c_void, buf, size) as i64).ok_or(-1);
    }
    let mut out = Vec::with_capacity(128);
    let name_colon = |out: &mut Vec<u8>, name: &[u8]| {
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
    };
    match sh {
        Shape::GenericString => {
            let g = &*(h as *const pjsip_generic_string_hdr);
            name_colon(&mut out, hname(h));
            out.extend_from_slice(bytes(&g.hvalue));
        }
        Shape::GenericInt => {
            name_colon(&mut out, hname(h));
            push_num(&mut out, (*(h as *const pjsip_generic_int_hdr)).ivalue.into());
        }
        Shape::GenericArray => {
            let a = &*(h as *const pjsip_generic_array_hdr);
            name_colon(&mut out, hname(h));
            let n = (a.count as usize).min(GENERIC_ARRAY_MAX_COUNT);
            for (i, v) in a.values[..n].iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.extend_from_slice(bytes(v));
            }
        }
        Shape::Clen => {
            name_colon(&mut out, hname(h));
            push_num(&mut out, utoa_signed((*(h as *const pjsip_clen_hdr)).len));
        }
        Shape::CSeq => {
            // CSeq has no compact form.
            let c = &*(h as *const pjsip_cseq_hdr);
            name_colon(&mut out, bytes(&c.name));
            push_num(&mut out, utoa_signed(c.cseq));
            out.push(b' ');
            out.extend_from_slice(bytes(&c.method.name));
        }
        Shape::Contact => {
            let c = &*(h as *const pjsip_contact_hdr);
            name_colon(&mut out, hname(h));
            if c.star != 0 {
                out.push(b'*');
            } else {
                push_uri(&mut out, uri::PJSIP_URI_IN_CONTACT_HDR, c.uri as *const c_void).ok_or(-1)?;
                if c.q1000 != 0 {
                    // pjsip prints q from q1000 as `int.frac`, dropping
                    // trailing zeros of the fraction one step at a time.
                    out.extend_from_slice(b";q=");
                    push_num(&mut out, utoa_signed(c.q1000 / 1000));
                    let mut frac = (c.q1000 % 1000) as u32;
                    if frac != 0 {
                        out.push(b'.');
                        if frac.is_multiple_of(100) {
                            frac /= 100;
                        }
                        if frac.is_multiple_of(10) {
                            frac /= 10;
                        }
                        push_num(&mut out, frac.into());
                    }
                }
                if c.expires != EXPIRES_NOT_SPECIFIED {
                    out.extend_from_slice(b";expires=");
                    push_num(&mut out, c.expires.into());
                }
                print_params(&mut out, &c.other_param, b';');
            }
        }
        Shape::Ctype => {
            let c = &*(h as *const pjsip_ctype_hdr);
            name_colon(&mut out, hname(h));
            print_media_type(&mut out, &c.media);
        }
        Shape::FromTo => {
            let f = &*(h as *const pjsip_fromto_hdr);
            name_colon(&mut out, hname(h));
            push_uri(&mut out, uri::PJSIP_URI_IN_FROMTO_HDR, f.uri as *const c_void).ok_or(-1)?;
            let tag = bytes(&f.tag);
            if !tag.is_empty() {
                out.extend_from_slice(b";tag=");
                escape_into(&mut out, tag, is_token);
            }
            print_params(&mut out, &f.other_param, b';');
        }
        Shape::Routing => {
            let r = h as *const pjsip_routing_hdr;
            if route_hidden(r) {
                return Ok(Vec::new());
            }
            // Route and Record-Route have no compact form.
            name_colon(&mut out, bytes(&(*r).name));
            push_uri(
                &mut out,
                uri::PJSIP_URI_IN_ROUTING_HDR,
                addr_of!((*r).name_addr) as *const c_void,
            )
            .ok_or(-1)?;
            print_params(&mut out, addr_of!((*r).other_param), b';');
        }
        Shape::RetryAfter => {
            let r = &*(h as *const pjsip_retry_after_hdr);
            name_colon(&mut out, bytes(&r.name));
            push_num(&mut out, utoa_signed(r.ivalue));
            let comment = bytes(&r.comment);
            if !comment.is_empty() {
                let enclosed = comment[0] == b'(';
                if !enclosed {
                    out.push(b'(');
                }
                out.extend_from_slice(comment);
                if !enclosed {
                    out.push(b')');
                }
                if !list_nodes(&r.param).is_empty() {
                    out.push(b' ');
                }
            }
            print_params(&mut out, &r.param, b';');
        }
        Shape::Via => {
            let v = &*(h as *const pjsip_via_hdr);
            name_colon(&mut out, hname(h));
            out.extend_from_slice(b"SIP/2.0/");
            out.extend(bytes(&v.transport).iter().map(u8::to_ascii_uppercase));
            out.push(b' ');
            push_host(&mut out, bytes(&v.sent_by.host));
            if v.sent_by.port != 0 {
                out.push(b':');
                push_num(&mut out, utoa_signed(v.sent_by.port));
            }
            if v.ttl_param >= 0 {
                out.extend_from_slice(b";ttl=");
                push_num(&mut out, utoa_signed(v.ttl_param));
            }
            if v.rport_param >= 0 {
                out.extend_from_slice(b";rport");
                if v.rport_param > 0 {
                    out.push(b'=');
                    push_num(&mut out, utoa_signed(v.rport_param));
                }
            }
            let maddr = bytes(&v.maddr_param);
            if !maddr.is_empty() {
                out.extend_from_slice(b";maddr=");
                push_host(&mut out, maddr);
            }
            let received = bytes(&v.recvd_param);
            if !received.is_empty() {
                out.extend_from_slice(b";received=");
                out.extend_from_slice(received);
            }
            let branch = bytes(&v.branch_param);
            if !branch.is_empty() {
                out.extend_from_slice(b";branch=");
                escape_into(&mut out, branch, is_token);
            }
            // pjsip does not print the comment.
            print_params(&mut out, &v.other_param, b';');
        }
        Shape::Authorization => auth::print_authorization(&mut out, h as *const pjsip_authorization_hdr)?,
        Shape::WwwAuthenticate => auth::print_www_authenticate(&mut out, h as *const pjsip_www_authenticate_hdr)?,
        Shape::Foreign | Shape::Null => return Err(-1),
    }
    Ok(out)
}

pub(crate) unsafe fn print_media_type(out: &mut Vec<u8>, m: &pjsip_media_type) {
    out.extend_from_slice(bytes(&m.r#type));
    out.push(b'/');
    out.extend_from_slice(bytes(&m.subtype));
    print_params(out, &m.param, b';');
}

unsafe extern "C" fn vt_print_on(hdr: *mut c_void, buf: *mut c_char, len: pj_size_t) -> c_int {
    guard(-1, || match print_hdr(hdr as *const pjsip_hdr) {
        Ok(text) => emit(&text, buf, len),
        Err(e) => e,
    })
}

// ---------------------------------------------------------------------------
// Cloning.

unsafe fn copy_of<T>(pool: *mut pj_pool_t, src: *const T) -> Option<*mut T> {
    let d = alloc::<T>(pool)?;
    ptr::copy_nonoverlapping(src, d, 1);
    Some(d)
}

/// Deep copy of one of our headers, field for field as pjsip's clone
/// functions do (including their quirks: a Via loses its comment, a
/// Contact, CSeq or Route gets its type's standard names).
pub(crate) unsafe fn clone_hdr(pool: *mut pj_pool_t, h: *const pjsip_hdr) -> Option<*mut pjsip_hdr> {
    Some(match shape(h as *const c_void) {
        Shape::GenericString => {
            let s = &*(h as *const pjsip_generic_string_hdr);
            let d = generic_string_new(pool, bytes(&s.name), bytes(&s.hvalue))?;
            (*d).r#type = s.r#type;
            (*d).sname = dup_pj(pool, &s.sname)?;
            d as *mut pjsip_hdr
        }
        Shape::GenericInt => {
            let s = &*(h as *const pjsip_generic_int_hdr);
            let d = int_new(pool, s.r#type, s.ivalue)?;
            (*d).name = dup_pj(pool, &s.name)?;
            (*d).sname = if s.sname.ptr == s.name.ptr {
                (*d).name
            } else {
                dup_pj(pool, &s.sname)?
            };
            d as *mut pjsip_hdr
        }
        Shape::GenericArray => {
            let d = copy_of(pool, h as *const pjsip_generic_array_hdr)?;
            let n = ((*d).count as usize).min(GENERIC_ARRAY_MAX_COUNT);
            for i in 0..n {
                (*d).values[i] = dup_pj(pool, &(*d).values[i])?;
            }
            d as *mut pjsip_hdr
        }
        Shape::Clen => {
            let d = new_hdr::<pjsip_clen_hdr>(pool, PJSIP_H_CONTENT_LENGTH, &CLEN_VPTR)?;
            (*d).len = (*(h as *const pjsip_clen_hdr)).len;
            d as *mut pjsip_hdr
        }
        Shape::CSeq => {
            let s = &*(h as *const pjsip_cseq_hdr);
            let d = alloc::<pjsip_cseq_hdr>(pool)?;
            init_cseq(d);
            (*d).cseq = s.cseq;
            super::msg::method_copy(pool, addr_of_mut!((*d).method), &s.method)?;
            d as *mut pjsip_hdr
        }
        Shape::Contact => {
            let s = &*(h as *const pjsip_contact_hdr);
            let d = alloc::<pjsip_contact_hdr>(pool)?;
            init_contact(d);
            (*d).star = s.star;
            if s.star == 0 {
                (*d).uri = uri_clone(pool, s.uri as *const c_void) as *mut pjsip_uri;
                (*d).q1000 = s.q1000;
                (*d).expires = s.expires;
                params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
            }
            d as *mut pjsip_hdr
        }
        Shape::Ctype => {
            let s = &*(h as *const pjsip_ctype_hdr);
            let d = alloc::<pjsip_ctype_hdr>(pool)?;
            init_ctype(d);
            (*d).media.r#type = dup_pj(pool, &s.media.r#type)?;
            (*d).media.subtype = dup_pj(pool, &s.media.subtype)?;
            params_clone(pool, addr_of_mut!((*d).media.param), &s.media.param)?;
            d as *mut pjsip_hdr
        }
        Shape::FromTo => {
            let s = &*(h as *const pjsip_fromto_hdr);
            let d = alloc::<pjsip_fromto_hdr>(pool)?;
            init_fromto(d, PJSIP_H_FROM);
            (*d).r#type = s.r#type;
            (*d).name = s.name;
            (*d).sname = s.sname;
            (*d).uri = uri_clone(pool, s.uri as *const c_void) as *mut pjsip_uri;
            (*d).tag = dup_pj(pool, &s.tag)?;
            params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
            d as *mut pjsip_hdr
        }
        Shape::Routing => {
            let s = &*(h as *const pjsip_routing_hdr);
            let d = alloc::<pjsip_routing_hdr>(pool)?;
            init_routing(d, s.r#type);
            (*d).name_addr.display = dup_pj(pool, &s.name_addr.display)?;
            (*d).name_addr.uri = uri_clone(pool, s.name_addr.uri as *const c_void) as *mut pjsip_uri;
            params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
            d as *mut pjsip_hdr
        }
        Shape::RetryAfter => {
            let s = &*(h as *const pjsip_retry_after_hdr);
            let d = alloc::<pjsip_retry_after_hdr>(pool)?;
            init_retry_after(d, s.ivalue);
            (*d).comment = dup_pj(pool, &s.comment)?;
            params_clone(pool, addr_of_mut!((*d).param), &s.param)?;
            d as *mut pjsip_hdr
        }
        Shape::Via => {
            let s = &*(h as *const pjsip_via_hdr);
            let d = alloc::<pjsip_via_hdr>(pool)?;
            init_via(d);
            (*d).transport = dup_pj(pool, &s.transport)?;
            (*d).sent_by.host = dup_pj(pool, &s.sent_by.host)?;
            (*d).sent_by.port = s.sent_by.port;
            (*d).ttl_param = s.ttl_param;
            (*d).rport_param = s.rport_param;
            (*d).maddr_param = dup_pj(pool, &s.maddr_param)?;
            (*d).recvd_param = dup_pj(pool, &s.recvd_param)?;
            (*d).branch_param = dup_pj(pool, &s.branch_param)?;
            params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
            d as *mut pjsip_hdr
        }
        Shape::Authorization => auth::clone_authorization(pool, h as *const pjsip_authorization_hdr)? as *mut pjsip_hdr,
        Shape::WwwAuthenticate => {
            auth::clone_www_authenticate(pool, h as *const pjsip_www_authenticate_hdr)? as *mut pjsip_hdr
        }
        Shape::Foreign => {
            let f = (*(*h).vptr).clone?;
            let d = f(pool, h as *const c_void) as *mut pjsip_hdr;
            if d.is_null() {
                return None;
            }
            d
        }
        Shape::Null => return None,
    })
}

/// Copy of the struct sharing its strings (parameter lists get new nodes),
/// as pjsip's shallow_clone functions.
pub(crate) unsafe fn shallow_clone_hdr(pool: *mut pj_pool_t, h: *const pjsip_hdr) -> Option<*mut pjsip_hdr> {
    Some(match shape(h as *const c_void) {
        Shape::GenericString => copy_of(pool, h as *const pjsip_generic_string_hdr)? as *mut pjsip_hdr,
        Shape::GenericInt => copy_of(pool, h as *const pjsip_generic_int_hdr)? as *mut pjsip_hdr,
        Shape::GenericArray => copy_of(pool, h as *const pjsip_generic_array_hdr)? as *mut pjsip_hdr,
        Shape::CSeq => copy_of(pool, h as *const pjsip_cseq_hdr)? as *mut pjsip_hdr,
        // pjsip's shallow clone of these two is a deep clone.
        Shape::Clen | Shape::Ctype => clone_hdr(pool, h)?,
        Shape::Contact => {
            let d = copy_of(pool, h as *const pjsip_contact_hdr)?;
            params_shallow_clone(
                pool,
                addr_of_mut!((*d).other_param),
                addr_of!((*(h as *const pjsip_contact_hdr)).other_param),
            )?;
            d as *mut pjsip_hdr
        }
        Shape::FromTo => {
            let d = copy_of(pool, h as *const pjsip_fromto_hdr)?;
            params_shallow_clone(
                pool,
                addr_of_mut!((*d).other_param),
                addr_of!((*(h as *const pjsip_fromto_hdr)).other_param),
            )?;
            d as *mut pjsip_hdr
        }
        Shape::Routing => {
            let d = copy_of(pool, h as *const pjsip_routing_hdr)?;
            params_shallow_clone(
                pool,
                addr_of_mut!((*d).other_param),
                addr_of!((*(h as *const pjsip_routing_hdr)).other_param),
            )?;
            d as *mut pjsip_hdr
        }
        Shape::RetryAfter => {
            let d = copy_of(pool, h as *const pjsip_retry_after_hdr)?;
            params_shallow_clone(
                pool,
                addr_of_mut!((*d).param),
                addr_of!((*(h as *const pjsip_retry_after_hdr)).param),
            )?;
            d as *mut pjsip_hdr
        }
        Shape::Via => {
            let d = copy_of(pool, h as *const pjsip_via_hdr)?;
            params_shallow_clone(
                pool,
                addr_of_mut!((*d).other_param),
                addr_of!((*(h as *const pjsip_via_hdr)).other_param),
            )?;
            d as *mut pjsip_hdr
        }
        Shape::Authorization => {
            auth::shallow_clone_authorization(pool, h as *const pjsip_authorization_hdr)? as *mut pjsip_hdr
        }
        Shape::WwwAuthenticate => {
            auth::shallow_clone_www_authenticate(pool, h as *const pjsip_www_authenticate_hdr)? as *mut pjsip_hdr
        }
        Shape::Foreign => {
            let f = (*(*h).vptr).shallow_clone?;
            let d = f(pool, h as *const c_void) as *mut pjsip_hdr;
            if d.is_null() {
                return None;
            }
            d
        }
        Shape::Null => return None,
    })
}

unsafe extern "C" fn vt_clone(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() {
            return null_mut();
        }
        clone_hdr(pool, hdr as *const pjsip_hdr).map_or(null_mut(), |p| p as *mut c_void)
    })
}

unsafe extern "C" fn vt_shallow_clone(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() {
            return null_mut();
        }
        shallow_clone_hdr(pool, hdr as *const pjsip_hdr).map_or(null_mut(), |p| p as *mut c_void)
    })
}

// ---------------------------------------------------------------------------
// Exported functions.

/// Deep copy of any header through its vtable (NULL on failure).
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_clone(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() || hdr.is_null() {
            return null_mut();
        }
        let v = (*(hdr as *const pjsip_hdr)).vptr;
        match v.as_ref().and_then(|v| v.clone) {
            Some(f) => f(pool, hdr),
            None => null_mut(),
        }
    })
}

/// Copy of a header sharing its strings, through its vtable.
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_shallow_clone(pool: *mut pj_pool_t, hdr: *const c_void) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() || hdr.is_null() {
            return null_mut();
        }
        let v = (*(hdr as *const pjsip_hdr)).vptr;
        match v.as_ref().and_then(|v| v.shallow_clone) {
            Some(f) => f(pool, hdr),
            None => null_mut(),
        }
    })
}

/// Prints "Name: value" (no CRLF) through the header's vtable. Returns the
/// length, -1 when `buf` is too small, -2 when the header has no vtable.
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_print_on(hdr: *mut c_void, buf: *mut c_char, len: pj_size_t) -> c_int {
    guard(-1, || {
        if hdr.is_null() {
            return -1;
        }
        let v = (*(hdr as *const pjsip_hdr)).vptr;
        match v.as_ref().and_then(|v| v.print_on) {
            Some(f) => f(hdr, buf, len),
            None => -2,
        }
    })
}

unsafe fn find(list: *const c_void, start: *const c_void, pred: impl Fn(*const pjsip_hdr) -> bool) -> *mut c_void {
    if list.is_null() {
        return null_mut();
    }
    let head = list as *const pjsip_hdr;
    let mut p = if start.is_null() {
        (*head).next as *const pjsip_hdr
    } else {
        start as *const pjsip_hdr
    };
    let mut n = 0;
    while !p.is_null() && p != head && n < LIST_LIMIT {
        if pred(p) {
            return p as *mut c_void;
        }
        p = (*p).next;
        n += 1;
    }
    null_mut()
}

/// First header of `type` in the list `hdr_list` (a list head), from
/// `start` (inclusive) or from the first one.
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_find(
    hdr_list: *const c_void,
    r#type: pjsip_hdr_e,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || find(hdr_list, start, |h| (*h).r#type == r#type))
}

/// First header whose name equals `name` (case-insensitive).
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_find_by_name(
    hdr_list: *const c_void,
    name: *const pj_str_t,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        if name.is_null() {
            return null_mut();
        }
        find(hdr_list, start, |h| eq_ci(&(*h).name, &*name))
    })
}

/// First header whose name equals `name` or `sname` (case-insensitive).
#[no_mangle]
pub unsafe extern "C" fn pjsip_hdr_find_by_names(
    hdr_list: *const c_void,
    name: *const pj_str_t,
    sname: *const pj_str_t,
    start: *const c_void,
) -> *mut c_void {
    guard(null_mut(), || {
        if name.is_null() || sname.is_null() {
            return null_mut();
        }
        find(hdr_list, start, |h| {
            eq_ci(&(*h).name, &*name) || eq_ci(&(*h).name, &*sname)
        })
    })
}

/// A generic string header with pool copies of `hname` and `hvalue` (NULL
/// gives an empty string); type PJSIP_H_OTHER, `sname` = `name`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_generic_string_hdr_create(
    pool: *mut pj_pool_t,
    hname: *const pj_str_t,
    hvalue: *const pj_str_t,
) -> *mut pjsip_generic_string_hdr {
    guard(null_mut(), || match alloc::<pjsip_generic_string_hdr>(pool) {
        Some(mem) => pjsip_generic_string_hdr_init(pool, mem as *mut c_void, hname, hvalue),
        None => null_mut(),
    })
}

/// As `pjsip_generic_string_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_generic_string_hdr_init(
    pool: *mut pj_pool_t,
    mem: *mut c_void,
    hname: *const pj_str_t,
    hvalue: *const pj_str_t,
) -> *mut pjsip_generic_string_hdr {
    guard(null_mut(), || {
        if pool.is_null() || mem.is_null() {
            return null_mut();
        }
        let name = match hname.as_ref() {
            Some(n) => dup_pj(pool, n),
            None => Some(EMPTY),
        };
        let value = match hvalue.as_ref() {
            Some(v) => dup_pj(pool, v),
            None => Some(EMPTY),
        };
        match (name, value) {
            (Some(n), Some(v)) => {
                let h = mem as *mut pjsip_generic_string_hdr;
                init_generic_string(h, n, v);
                h
            }
            _ => null_mut(),
        }
    })
}

/// Initialises a generic string header pointing at the given strings
/// (no copies). NULL `hname` leaves the names of type PJSIP_H_OTHER.
#[no_mangle]
pub unsafe extern "C" fn pjsip_generic_string_hdr_init2(
    hdr: *mut pjsip_generic_string_hdr,
    hname: *mut pj_str_t,
    hvalue: *mut pj_str_t,
) {
    guard((), || {
        if hdr.is_null() {
            return;
        }
        init_hdr(hdr, PJSIP_H_OTHER, &GENERIC_STRING_VPTR);
        if let Some(n) = hname.as_ref() {
            (*hdr).name = *n;
            (*hdr).sname = *n;
        }
        (*hdr).hvalue = hvalue.as_ref().copied().unwrap_or(EMPTY);
    })
}

/// A generic integer header named `hname` (type PJSIP_H_OTHER).
#[no_mangle]
pub unsafe extern "C" fn pjsip_generic_int_hdr_create(
    pool: *mut pj_pool_t,
    hname: *const pj_str_t,
    value: c_uint,
) -> *mut pjsip_generic_int_hdr {
    guard(null_mut(), || {
        let Some(h) = int_new(pool, PJSIP_H_OTHER, value) else {
            return null_mut();
        };
        if let Some(n) = hname.as_ref() {
            match dup_pj(pool, n) {
                Some(d) => {
                    (*h).name = d;
                    (*h).sname = d;
                }
                None => return null_mut(),
            }
        }
        h
    })
}

/// An empty generic array header named `hname` (type PJSIP_H_OTHER).
#[no_mangle]
pub unsafe extern "C" fn pjsip_generic_array_hdr_create(
    pool: *mut pj_pool_t,
    hname: *const pj_str_t,
) -> *mut pjsip_generic_array_hdr {
    guard(null_mut(), || {
        let Some(h) = new_hdr::<pjsip_generic_array_hdr>(pool, PJSIP_H_OTHER, &GENERIC_ARRAY_VPTR) else {
            return null_mut();
        };
        if let Some(n) = hname.as_ref() {
            match dup_pj(pool, n) {
                Some(d) => {
                    (*h).name = d;
                    (*h).sname = d;
                }
                None => return null_mut(),
            }
        }
        h
    })
}

// pjsip's names for the shared header layouts (typedefs in C).
/// The Expires header (pjsip's `pjsip_expires_hdr`).
pub type pjsip_expires_hdr = pjsip_generic_int_hdr;
/// The Max-Forwards header (pjsip's `pjsip_max_fwd_hdr`).
pub type pjsip_max_fwd_hdr = pjsip_generic_int_hdr;
/// The Min-Expires header (pjsip's `pjsip_min_expires_hdr`).
pub type pjsip_min_expires_hdr = pjsip_generic_int_hdr;
/// The From header (pjsip's `pjsip_from_hdr`).
pub type pjsip_from_hdr = pjsip_fromto_hdr;
/// The To header (pjsip's `pjsip_to_hdr`).
pub type pjsip_to_hdr = pjsip_fromto_hdr;
/// The Route header (pjsip's `pjsip_route_hdr`).
pub type pjsip_route_hdr = pjsip_routing_hdr;
/// The Record-Route header (pjsip's `pjsip_rr_hdr`).
pub type pjsip_rr_hdr = pjsip_routing_hdr;
/// The Accept header (pjsip's `pjsip_accept_hdr`).
pub type pjsip_accept_hdr = pjsip_generic_array_hdr;
/// The Allow header (pjsip's `pjsip_allow_hdr`).
pub type pjsip_allow_hdr = pjsip_generic_array_hdr;
/// The Require header (pjsip's `pjsip_require_hdr`).
pub type pjsip_require_hdr = pjsip_generic_array_hdr;
/// The Supported header (pjsip's `pjsip_supported_hdr`).
pub type pjsip_supported_hdr = pjsip_generic_array_hdr;
/// The Unsupported header (pjsip's `pjsip_unsupported_hdr`).
pub type pjsip_unsupported_hdr = pjsip_generic_array_hdr;

/// A Contact header: zero-filled (star 0, uri NULL, q1000 0), `expires`
/// PJSIP_EXPIRES_NOT_SPECIFIED, no parameters.
#[no_mangle]
pub unsafe extern "C" fn pjsip_contact_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_contact_hdr {
    guard(null_mut(), || match alloc::<pjsip_contact_hdr>(pool) {
        Some(mem) => pjsip_contact_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_contact_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_contact_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_contact_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_contact_hdr;
        init_contact(h);
        h
    })
}

/// A Route header with an empty name-addr and no parameters.
#[no_mangle]
pub unsafe extern "C" fn pjsip_route_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_route_hdr {
    guard(null_mut(), || match alloc::<pjsip_route_hdr>(pool) {
        Some(mem) => pjsip_route_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_route_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_route_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_route_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_route_hdr;
        init_routing(h, PJSIP_H_ROUTE);
        h
    })
}

/// A Record-Route header with an empty name-addr and no parameters.
#[no_mangle]
pub unsafe extern "C" fn pjsip_rr_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_rr_hdr {
    guard(null_mut(), || match alloc::<pjsip_rr_hdr>(pool) {
        Some(mem) => pjsip_rr_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_rr_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_rr_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_rr_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_rr_hdr;
        init_routing(h, PJSIP_H_RECORD_ROUTE);
        h
    })
}

/// An empty From header (NULL uri, no tag).
#[no_mangle]
pub unsafe extern "C" fn pjsip_from_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_from_hdr {
    guard(null_mut(), || match alloc::<pjsip_from_hdr>(pool) {
        Some(mem) => pjsip_from_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_from_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_from_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_from_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_from_hdr;
        init_fromto(h, PJSIP_H_FROM);
        h
    })
}

/// An empty To header (NULL uri, no tag).
#[no_mangle]
pub unsafe extern "C" fn pjsip_to_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_to_hdr {
    guard(null_mut(), || match alloc::<pjsip_to_hdr>(pool) {
        Some(mem) => pjsip_to_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_to_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_to_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_to_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_to_hdr;
        init_fromto(h, PJSIP_H_TO);
        h
    })
}

/// An empty Via header (`ttl_param` and `rport_param` -1).
#[no_mangle]
pub unsafe extern "C" fn pjsip_via_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_via_hdr {
    guard(null_mut(), || match alloc::<pjsip_via_hdr>(pool) {
        Some(mem) => pjsip_via_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_via_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_via_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_via_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_via_hdr;
        init_via(h);
        h
    })
}

/// A CSeq header with number 0 and no method name.
#[no_mangle]
pub unsafe extern "C" fn pjsip_cseq_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_cseq_hdr {
    guard(null_mut(), || match alloc::<pjsip_cseq_hdr>(pool) {
        Some(mem) => pjsip_cseq_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_cseq_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_cseq_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_cseq_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_cseq_hdr;
        init_cseq(h);
        h
    })
}

/// An empty Content-Type header.
#[no_mangle]
pub unsafe extern "C" fn pjsip_ctype_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_ctype_hdr {
    guard(null_mut(), || match alloc::<pjsip_ctype_hdr>(pool) {
        Some(mem) => pjsip_ctype_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_ctype_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_ctype_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_ctype_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_ctype_hdr;
        init_ctype(h);
        h
    })
}

/// An empty Call-ID header.
#[no_mangle]
pub unsafe extern "C" fn pjsip_cid_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_cid_hdr {
    guard(null_mut(), || match alloc::<pjsip_cid_hdr>(pool) {
        Some(mem) => pjsip_cid_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_cid_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_cid_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_cid_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_cid_hdr;
        init_hdr(h, PJSIP_H_CALL_ID, &GENERIC_STRING_VPTR);
        (*h).id = EMPTY;
        h
    })
}

/// A Content-Length header of 0.
#[no_mangle]
pub unsafe extern "C" fn pjsip_clen_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_clen_hdr {
    guard(null_mut(), || match alloc::<pjsip_clen_hdr>(pool) {
        Some(mem) => pjsip_clen_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_clen_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_clen_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_clen_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_clen_hdr;
        init_hdr(h, PJSIP_H_CONTENT_LENGTH, &CLEN_VPTR);
        (*h).len = 0;
        h
    })
}

/// An empty Allow header (no values).
#[no_mangle]
pub unsafe extern "C" fn pjsip_allow_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_allow_hdr {
    guard(null_mut(), || match alloc::<pjsip_allow_hdr>(pool) {
        Some(mem) => pjsip_allow_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_allow_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_allow_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_allow_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_allow_hdr;
        init_hdr(h, PJSIP_H_ALLOW, &GENERIC_ARRAY_VPTR);
        (*h).count = 0;
        h
    })
}

/// An empty Accept header (no values).
#[no_mangle]
pub unsafe extern "C" fn pjsip_accept_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_accept_hdr {
    guard(null_mut(), || match alloc::<pjsip_accept_hdr>(pool) {
        Some(mem) => pjsip_accept_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_accept_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_accept_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_accept_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_accept_hdr;
        init_hdr(h, PJSIP_H_ACCEPT, &GENERIC_ARRAY_VPTR);
        (*h).count = 0;
        h
    })
}

/// An empty Require header (no values).
#[no_mangle]
pub unsafe extern "C" fn pjsip_require_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_require_hdr {
    guard(null_mut(), || match alloc::<pjsip_require_hdr>(pool) {
        Some(mem) => pjsip_require_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_require_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_require_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_require_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_require_hdr;
        init_hdr(h, PJSIP_H_REQUIRE, &GENERIC_ARRAY_VPTR);
        (*h).count = 0;
        h
    })
}

/// An empty Supported header (no values).
#[no_mangle]
pub unsafe extern "C" fn pjsip_supported_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_supported_hdr {
    guard(null_mut(), || match alloc::<pjsip_supported_hdr>(pool) {
        Some(mem) => pjsip_supported_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_supported_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_supported_hdr_init(pool: *mut pj_pool_t, mem: *mut c_void) -> *mut pjsip_supported_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_supported_hdr;
        init_hdr(h, PJSIP_H_SUPPORTED, &GENERIC_ARRAY_VPTR);
        (*h).count = 0;
        h
    })
}

/// An empty Unsupported header (no values).
#[no_mangle]
pub unsafe extern "C" fn pjsip_unsupported_hdr_create(pool: *mut pj_pool_t) -> *mut pjsip_unsupported_hdr {
    guard(null_mut(), || match alloc::<pjsip_unsupported_hdr>(pool) {
        Some(mem) => pjsip_unsupported_hdr_init(pool, mem as *mut c_void),
        None => null_mut(),
    })
}

/// As `pjsip_unsupported_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_unsupported_hdr_init(
    pool: *mut pj_pool_t,
    mem: *mut c_void,
) -> *mut pjsip_unsupported_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_unsupported_hdr;
        init_hdr(h, PJSIP_H_UNSUPPORTED, &GENERIC_ARRAY_VPTR);
        (*h).count = 0;
        h
    })
}

/// An Expires header of `value` seconds.
#[no_mangle]
pub unsafe extern "C" fn pjsip_expires_hdr_create(pool: *mut pj_pool_t, value: c_uint) -> *mut pjsip_expires_hdr {
    guard(null_mut(), || match alloc::<pjsip_expires_hdr>(pool) {
        Some(mem) => pjsip_expires_hdr_init(pool, mem as *mut c_void, value),
        None => null_mut(),
    })
}

/// As `pjsip_expires_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_expires_hdr_init(
    pool: *mut pj_pool_t,
    mem: *mut c_void,
    value: c_uint,
) -> *mut pjsip_expires_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_expires_hdr;
        init_hdr(h, PJSIP_H_EXPIRES, &GENERIC_INT_VPTR);
        (*h).ivalue = value;
        h
    })
}

/// A Max-Forwards header of `value`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_max_fwd_hdr_create(pool: *mut pj_pool_t, value: c_uint) -> *mut pjsip_max_fwd_hdr {
    guard(null_mut(), || match alloc::<pjsip_max_fwd_hdr>(pool) {
        Some(mem) => pjsip_max_fwd_hdr_init(pool, mem as *mut c_void, value),
        None => null_mut(),
    })
}

/// As `pjsip_max_fwd_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_max_fwd_hdr_init(
    pool: *mut pj_pool_t,
    mem: *mut c_void,
    value: c_uint,
) -> *mut pjsip_max_fwd_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_max_fwd_hdr;
        init_hdr(h, PJSIP_H_MAX_FORWARDS, &GENERIC_INT_VPTR);
        (*h).ivalue = value;
        h
    })
}

/// A Min-Expires header of `value` seconds.
#[no_mangle]
pub unsafe extern "C" fn pjsip_min_expires_hdr_create(
    pool: *mut pj_pool_t,
    value: c_uint,
) -> *mut pjsip_min_expires_hdr {
    guard(null_mut(), || match alloc::<pjsip_min_expires_hdr>(pool) {
        Some(mem) => pjsip_min_expires_hdr_init(pool, mem as *mut c_void, value),
        None => null_mut(),
    })
}

/// As `pjsip_min_expires_hdr_create`, in caller memory `mem`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_min_expires_hdr_init(
    pool: *mut pj_pool_t,
    mem: *mut c_void,
    value: c_uint,
) -> *mut pjsip_min_expires_hdr {
    let _ = pool;
    guard(null_mut(), || {
        if mem.is_null() {
            return null_mut();
        }
        let h = mem as *mut pjsip_min_expires_hdr;
        init_hdr(h, PJSIP_H_MIN_EXPIRES, &GENERIC_INT_VPTR);
        (*h).ivalue = value;
        h
    })
}

/// A Retry-After header with `value` seconds.
#[no_mangle]
pub unsafe extern "C" fn pjsip_retry_after_hdr_create(
    pool: *mut pj_pool_t,
    value: c_int,
) -> *mut pjsip_retry_after_hdr {
    guard(null_mut(), || match alloc::<pjsip_retry_after_hdr>(pool) {
        Some(h) => {
            init_retry_after(h, value);
            h
        }
        None => null_mut(),
    })
}
