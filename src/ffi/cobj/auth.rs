//! Authorization / Proxy-Authorization and WWW-Authenticate /
//! Proxy-Authenticate objects: built from a header value, printed and
//! cloned as pjsip does. Only the Digest scheme has a C form (pjsip's
//! parser rejects other schemes; PGP is never filled in).

use super::hdr::{new_hdr, AUTHORIZATION_VPTR, WWW_AUTHENTICATE_VPTR};
use super::names::*;
use super::util::*;
use crate::ffi::types::*;
use crate::sip::{HdrKind, Param};
use core::ffi::c_int;
use core::ptr::{self, addr_of, addr_of_mut};

/// A parsed `scheme param=value, ...` value: parameter values have their
/// quotes removed, as pjsip's auth parser stores them.
pub(crate) struct AuthValue {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

/// Parses an auth header value with pjsip's grammar. None on a syntax
/// error or when the scheme is not Digest.
pub(crate) fn parse_auth_value(s: &str) -> Option<AuthValue> {
    let b = s.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\r' | b'\n') {
            *i += 1;
        }
    };
    let token = |i: &mut usize| -> Option<String> {
        let st = *i;
        while *i < b.len() && is_token(b[*i]) {
            *i += 1;
        }
        if *i == st {
            None
        } else {
            Some(s[st..*i].to_string())
        }
    };
    ws(&mut i);
    let scheme = token(&mut i)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut params = Vec::new();
    loop {
        ws(&mut i);
        let name = token(&mut i)?;
        ws(&mut i);
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            ws(&mut i);
            if i < b.len() && b[i] == b'"' {
                let st = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if i >= b.len() {
                    return None;
                }
                value = s[st..i].to_string();
                i += 1;
            } else if i < b.len() && b[i] == b'[' {
                let st = i + 1;
                let end = s[st..].find(']')? + st;
                value = s[st..end].to_string();
                i = end + 1;
            } else if let Some(t) = token(&mut i) {
                // Kept as written: pjsip does not decode %XX here.
                value = t;
            }
        }
        params.push((name, value));
        ws(&mut i);
        if i < b.len() && b[i] == b',' {
            i += 1;
            continue;
        }
        break;
    }
    ws(&mut i);
    if i != b.len() {
        return None;
    }
    Some(AuthValue { scheme, params })
}

unsafe fn cred(h: *mut pjsip_authorization_hdr) -> *mut pjsip_digest_credential {
    addr_of_mut!((*h).credential) as *mut pjsip_digest_credential
}

unsafe fn chal(h: *mut pjsip_www_authenticate_hdr) -> *mut pjsip_digest_challenge {
    addr_of_mut!((*h).challenge) as *mut pjsip_digest_challenge
}

unsafe fn new_authorization(pool: *mut pj_pool_t, t: pjsip_hdr_e) -> Option<*mut pjsip_authorization_hdr> {
    let h = new_hdr::<pjsip_authorization_hdr>(pool, t, &AUTHORIZATION_VPTR)?;
    list_init(addr_of_mut!((*cred(h)).other_param));
    Some(h)
}

unsafe fn new_www_authenticate(pool: *mut pj_pool_t, t: pjsip_hdr_e) -> Option<*mut pjsip_www_authenticate_hdr> {
    let h = new_hdr::<pjsip_www_authenticate_hdr>(pool, t, &WWW_AUTHENTICATE_VPTR)?;
    list_init(addr_of_mut!((*chal(h)).other_param));
    Some(h)
}

/// Builds the C object for an auth header value of `kind`. None for a
/// value pjsip would not parse (syntax error, scheme other than Digest).
pub(crate) unsafe fn auth_hdr_to_c_opt(pool: *mut pj_pool_t, kind: HdrKind, value: &str) -> Option<*mut pjsip_hdr> {
    let v = parse_auth_value(value)?;
    let t = hdr_type_of(kind);
    match kind {
        HdrKind::Authorization | HdrKind::ProxyAuthorization => {
            let h = new_authorization(pool, t)?;
            (*h).scheme = dup_str(pool, &v.scheme)?;
            let c = cred(h);
            let mut others = Vec::new();
            for (name, val) in &v.params {
                let field = match name.to_ascii_lowercase().as_str() {
                    "username" => addr_of_mut!((*c).username),
                    "realm" => addr_of_mut!((*c).realm),
                    "nonce" => addr_of_mut!((*c).nonce),
                    "uri" => addr_of_mut!((*c).uri),
                    "response" => addr_of_mut!((*c).response),
                    "algorithm" => addr_of_mut!((*c).algorithm),
                    "cnonce" => addr_of_mut!((*c).cnonce),
                    "opaque" => addr_of_mut!((*c).opaque),
                    "qop" => addr_of_mut!((*c).qop),
                    "nc" => addr_of_mut!((*c).nc),
                    _ => {
                        others.push(Param {
                            name: name.clone(),
                            value: Some(val.clone()).filter(|s| !s.is_empty()),
                        });
                        continue;
                    }
                };
                *field = dup_str(pool, val)?;
            }
            params_to_c(pool, addr_of_mut!((*c).other_param), &others)?;
            Some(h as *mut pjsip_hdr)
        }
        HdrKind::WwwAuthenticate | HdrKind::ProxyAuthenticate => {
            let h = new_www_authenticate(pool, t)?;
            (*h).scheme = dup_str(pool, &v.scheme)?;
            let c = chal(h);
            let mut others = Vec::new();
            for (name, val) in &v.params {
                let field = match name.to_ascii_lowercase().as_str() {
                    "realm" => addr_of_mut!((*c).realm),
                    "domain" => addr_of_mut!((*c).domain),
                    "nonce" => addr_of_mut!((*c).nonce),
                    "opaque" => addr_of_mut!((*c).opaque),
                    "algorithm" => addr_of_mut!((*c).algorithm),
                    "qop" => addr_of_mut!((*c).qop),
                    "stale" => {
                        if val.eq_ignore_ascii_case("true") {
                            (*c).stale = 1;
                        }
                        continue;
                    }
                    _ => {
                        others.push(Param {
                            name: name.clone(),
                            value: Some(val.clone()).filter(|s| !s.is_empty()),
                        });
                        continue;
                    }
                };
                *field = dup_str(pool, val)?;
            }
            params_to_c(pool, addr_of_mut!((*c).other_param), &others)?;
            Some(h as *mut pjsip_hdr)
        }
        _ => None,
    }
}

/// `prefix"value"` unless the value is empty or already quoted (then as is).
fn pair_quote_cond(out: &mut Vec<u8>, prefix: &[u8], v: &[u8]) {
    if v.is_empty() {
        return;
    }
    out.extend_from_slice(prefix);
    if v[0] == b'"' {
        out.extend_from_slice(v);
    } else {
        out.push(b'"');
        out.extend_from_slice(v);
        out.push(b'"');
    }
}

/// `prefix"value"` always, even for an empty value.
fn pair_quote(out: &mut Vec<u8>, prefix: &[u8], v: &[u8]) {
    out.extend_from_slice(prefix);
    out.push(b'"');
    out.extend_from_slice(v);
    out.push(b'"');
}

/// `prefixvalue` unless the value is empty.
fn pair(out: &mut Vec<u8>, prefix: &[u8], v: &[u8]) {
    if !v.is_empty() {
        out.extend_from_slice(prefix);
        out.extend_from_slice(v);
    }
}

pub(crate) unsafe fn print_authorization(out: &mut Vec<u8>, h: *const pjsip_authorization_hdr) -> Result<(), c_int> {
    out.extend_from_slice(bytes(&(*h).name));
    out.extend_from_slice(b": ");
    out.extend_from_slice(bytes(&(*h).scheme));
    out.push(b' ');
    if !bytes(&(*h).scheme).eq_ignore_ascii_case(b"digest") {
        return Err(-1);
    }
    let c = &*(addr_of!((*h).credential) as *const pjsip_digest_credential);
    pair_quote_cond(out, b"username=", bytes(&c.username));
    pair_quote_cond(out, b", realm=", bytes(&c.realm));
    pair_quote(out, b", nonce=", bytes(&c.nonce));
    pair_quote_cond(out, b", uri=", bytes(&c.uri));
    pair_quote(out, b", response=", bytes(&c.response));
    pair(out, b", algorithm=", bytes(&c.algorithm));
    pair_quote_cond(out, b", cnonce=", bytes(&c.cnonce));
    pair_quote_cond(out, b", opaque=", bytes(&c.opaque));
    pair(out, b", qop=", bytes(&c.qop));
    pair(out, b", nc=", bytes(&c.nc));
    print_params(out, &c.other_param, b',');
    Ok(())
}

pub(crate) unsafe fn print_www_authenticate(
    out: &mut Vec<u8>,
    h: *const pjsip_www_authenticate_hdr,
) -> Result<(), c_int> {
    out.extend_from_slice(bytes(&(*h).name));
    out.extend_from_slice(b": ");
    out.extend_from_slice(bytes(&(*h).scheme));
    out.push(b' ');
    if !bytes(&(*h).scheme).eq_ignore_ascii_case(b"digest") {
        return Err(-1);
    }
    let c = &*(addr_of!((*h).challenge) as *const pjsip_digest_challenge);
    // realm is printed even when empty (quoted).
    pair_quote(out, b"realm=", bytes(&c.realm));
    pair_quote_cond(out, b",domain=", bytes(&c.domain));
    pair_quote_cond(out, b",nonce=", bytes(&c.nonce));
    pair_quote_cond(out, b",opaque=", bytes(&c.opaque));
    if c.stale != 0 {
        out.extend_from_slice(b",stale=true");
    }
    pair(out, b",algorithm=", bytes(&c.algorithm));
    pair_quote_cond(out, b",qop=", bytes(&c.qop));
    print_params(out, &c.other_param, b',');
    Ok(())
}

pub(crate) unsafe fn clone_authorization(
    pool: *mut pj_pool_t,
    src: *const pjsip_authorization_hdr,
) -> Option<*mut pjsip_authorization_hdr> {
    let t = if (*src).r#type == PJSIP_H_AUTHORIZATION {
        PJSIP_H_AUTHORIZATION
    } else {
        PJSIP_H_PROXY_AUTHORIZATION
    };
    let h = new_authorization(pool, t)?;
    (*h).scheme = dup_pj(pool, &(*src).scheme)?;
    if !bytes(&(*h).scheme).eq_ignore_ascii_case(b"digest") {
        return None;
    }
    let s = &*(addr_of!((*src).credential) as *const pjsip_digest_credential);
    let d = cred(h);
    (*d).username = dup_pj(pool, &s.username)?;
    (*d).realm = dup_pj(pool, &s.realm)?;
    (*d).nonce = dup_pj(pool, &s.nonce)?;
    (*d).uri = dup_pj(pool, &s.uri)?;
    (*d).response = dup_pj(pool, &s.response)?;
    (*d).algorithm = dup_pj(pool, &s.algorithm)?;
    (*d).cnonce = dup_pj(pool, &s.cnonce)?;
    (*d).opaque = dup_pj(pool, &s.opaque)?;
    (*d).qop = dup_pj(pool, &s.qop)?;
    (*d).nc = dup_pj(pool, &s.nc)?;
    params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
    Some(h)
}

pub(crate) unsafe fn shallow_clone_authorization(
    pool: *mut pj_pool_t,
    src: *const pjsip_authorization_hdr,
) -> Option<*mut pjsip_authorization_hdr> {
    let h = alloc::<pjsip_authorization_hdr>(pool)?;
    ptr::copy_nonoverlapping(src, h, 1);
    let sp = addr_of!((*src).credential) as *const pjsip_common_credential;
    params_shallow_clone(pool, addr_of_mut!((*cred(h)).other_param), addr_of!((*sp).other_param))?;
    Some(h)
}

pub(crate) unsafe fn clone_www_authenticate(
    pool: *mut pj_pool_t,
    src: *const pjsip_www_authenticate_hdr,
) -> Option<*mut pjsip_www_authenticate_hdr> {
    let t = if (*src).r#type == PJSIP_H_WWW_AUTHENTICATE {
        PJSIP_H_WWW_AUTHENTICATE
    } else {
        PJSIP_H_PROXY_AUTHENTICATE
    };
    let h = new_www_authenticate(pool, t)?;
    (*h).scheme = dup_pj(pool, &(*src).scheme)?;
    if !bytes(&(*h).scheme).eq_ignore_ascii_case(b"digest") {
        return None;
    }
    let s = &*(addr_of!((*src).challenge) as *const pjsip_digest_challenge);
    let d = chal(h);
    (*d).realm = dup_pj(pool, &s.realm)?;
    (*d).domain = dup_pj(pool, &s.domain)?;
    (*d).nonce = dup_pj(pool, &s.nonce)?;
    (*d).opaque = dup_pj(pool, &s.opaque)?;
    (*d).stale = s.stale;
    (*d).algorithm = dup_pj(pool, &s.algorithm)?;
    (*d).qop = dup_pj(pool, &s.qop)?;
    params_clone(pool, addr_of_mut!((*d).other_param), &s.other_param)?;
    Some(h)
}

pub(crate) unsafe fn shallow_clone_www_authenticate(
    pool: *mut pj_pool_t,
    src: *const pjsip_www_authenticate_hdr,
) -> Option<*mut pjsip_www_authenticate_hdr> {
    let h = alloc::<pjsip_www_authenticate_hdr>(pool)?;
    ptr::copy_nonoverlapping(src, h, 1);
    let sp = addr_of!((*src).challenge) as *const pjsip_common_credential;
    params_shallow_clone(pool, addr_of_mut!((*chal(h)).other_param), addr_of!((*sp).other_param))?;
    Some(h)
}
