//! `pjsip_parse_hdr` and `pjsip_parse_headers`: header text to C objects.

use super::hdr::header_to_c_opt;
use super::util::*;
use crate::ffi::guard::guard;
use crate::ffi::types::*;
use crate::status::{PJSIP_EINVALIDHDR, PJ_EINVAL, PJ_SUCCESS};
use core::ffi::{c_char, c_int, c_uint, c_void};
use core::ptr::null_mut;

/// One logical header line of `buf`: the text with folded continuations
/// joined by a blank, and the number of bytes consumed including the line
/// break that ends it.
fn logical_line(buf: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        if b == b'\r' || b == b'\n' {
            let mut j = i + 1;
            if b == b'\r' && buf.get(j) == Some(&b'\n') {
                j += 1;
            }
            if matches!(buf.get(j), Some(b' ') | Some(b'\t')) {
                // Folded line: the break is white space.
                out.push(b' ');
                i = j;
                continue;
            }
            return (out, j);
        }
        out.push(b);
        i += 1;
    }
    (out, i)
}

/// Parses the value of header `hname` (long or compact name, any case)
/// into the typed pjsip struct, or a generic string header for names pjsip
/// does not know. A list value gives the first header with the others
/// linked after it. NULL on a syntax error. `*parsed_len` (optional) gets
/// the bytes consumed, up to and including the line break.
#[no_mangle]
pub unsafe extern "C" fn pjsip_parse_hdr(
    pool: *mut pj_pool_t,
    hname: *const pj_str_t,
    line: *mut c_char,
    size: pj_size_t,
    parsed_len: *mut c_int,
) -> *mut c_void {
    guard(null_mut(), || {
        if pool.is_null() || hname.is_null() || (line.is_null() && size > 0) {
            return null_mut();
        }
        let raw: &[u8] = if size == 0 {
            &[]
        } else {
            core::slice::from_raw_parts(line as *const u8, size)
        };
        let (value, used) = logical_line(raw);
        if !parsed_len.is_null() {
            *parsed_len = used.min(c_int::MAX as usize) as c_int;
        }
        let name = String::from_utf8_lossy(bytes(&*hname)).into_owned();
        let value = String::from_utf8_lossy(&value).into_owned();
        header_to_c_opt(pool, &name, value.trim_start_matches([' ', '\t'])).map_or(null_mut(), |h| h as *mut c_void)
    })
}

/// Parses `Name: value` lines up to a blank line or the end of `input`,
/// appending the headers to the list `hlist`. A header that does not parse
/// is skipped, or stops the parse with PJSIP_EINVALIDHDR when bit 0 of
/// `options` is set (headers parsed before it stay in the list).
#[no_mangle]
pub unsafe extern "C" fn pjsip_parse_headers(
    pool: *mut pj_pool_t,
    input: *mut c_char,
    size: pj_size_t,
    hlist: *mut pjsip_hdr,
    options: c_uint,
) -> pj_status_t {
    guard(crate::status::PJ_EBUG, || {
        if pool.is_null() || hlist.is_null() || (input.is_null() && size > 0) {
            return PJ_EINVAL;
        }
        let raw: &[u8] = if size == 0 {
            &[]
        } else {
            core::slice::from_raw_parts(input as *const u8, size)
        };
        let mut pos = 0;
        while pos < raw.len() {
            let (line, used) = logical_line(&raw[pos..]);
            pos += used;
            if line.is_empty() {
                break;
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            let parsed = (|| {
                let name_end = text.bytes().position(|b| !is_token(b)).unwrap_or(text.len());
                if name_end == 0 {
                    return None;
                }
                let rest = text[name_end..].trim_start_matches([' ', '\t']);
                let value = rest.strip_prefix(':')?;
                header_to_c_opt(pool, &text[..name_end], value.trim_start_matches([' ', '\t']))
            })();
            match parsed {
                Some(h) => list_insert_nodes_before(hlist, h),
                None if options & 1 != 0 => return PJSIP_EINVALIDHDR,
                None => {}
            }
        }
        PJ_SUCCESS
    })
}
