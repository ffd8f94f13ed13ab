//! The digest helpers of pjsip's auth API: the algorithm table, and copies
//! and comparison of credentials and preferences.

use super::guard::guard;
use super::pjlib::{pj_strcmp, pj_strdup, pj_strdup_with_null};
use super::types::*;
use core::ffi::{c_char, c_int};
use core::ptr::{addr_of, addr_of_mut, null, null_mut};

/// `pjsip_auth_algorithm_type` values the table covers (1..COUNT).
const ALGORITHM_COUNT: u32 = 6;
/// `PJSIP_CRED_DATA_EXT_MASK` and `PJSIP_CRED_DATA_EXT_AKA`.
const EXT_MASK: c_int = 0x00F0;
const EXT_AKA: c_int = 0x0010;

struct Table([pjsip_auth_algorithm; ALGORITHM_COUNT as usize]);
// SAFETY: read-only data; the pointers are to static strings.
unsafe impl Sync for Table {}

const fn entry(t: u32, iana: &'static [u8], openssl: &'static [u8], len: u32) -> pjsip_auth_algorithm {
    pjsip_auth_algorithm {
        algorithm_type: t,
        iana_name: pj_str_t { ptr: iana.as_ptr() as *mut c_char, slen: iana.len() as _ },
        openssl_name: openssl.as_ptr() as *const c_char,
        digest_length: len,
        digest_str_length: len * 2,
    }
}

/// pjsip's table (pjsip-abi-facts.md): index = algorithm type.
static ALGORITHMS: Table = Table([
    pjsip_auth_algorithm {
        algorithm_type: 0,
        iana_name: pj_str_t { ptr: null_mut(), slen: 0 },
        openssl_name: null(),
        digest_length: 0,
        digest_str_length: 0,
    },
    entry(1, b"MD5", b"MD5\0", 16),
    entry(2, b"SHA-256", b"SHA256\0", 32),
    entry(3, b"SHA-512-256", b"SHA512-256\0", 32),
    entry(4, b"AKAv1-MD5", b"\0", 16),
    entry(5, b"AKAv2-MD5", b"\0", 16),
]);

/// The table entry of an algorithm type; NULL outside MD5..AKAv2-MD5.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_get_algorithm_by_type(algorithm_type: u32) -> *const pjsip_auth_algorithm {
    guard(null(), || {
        if algorithm_type == 0 || algorithm_type >= ALGORITHM_COUNT {
            return null();
        }
        &ALGORITHMS.0[algorithm_type as usize]
    })
}

/// The entry whose IANA name matches (case-insensitively); an empty name
/// is MD5, the algorithm a challenge without one means; NULL otherwise.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_get_algorithm_by_iana_name(iana_name: *const pj_str_t) -> *const pjsip_auth_algorithm {
    guard(null(), || {
        let Some(name) = iana_name.as_ref().and_then(|n| super::util::pj_bytes(n)) else { return null() };
        if name.is_empty() {
            return &ALGORITHMS.0[1];
        }
        ALGORITHMS.0[1..]
            .iter()
            .find(|a| super::util::pj_bytes(&a.iana_name).is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .map_or(null(), |a| a as *const pjsip_auth_algorithm)
    })
}

/// Whether digests of this type can be computed here: MD5, SHA-256,
/// SHA-512/256 and the AKA variants.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_is_algorithm_supported(algorithm_type: u32) -> pj_bool_t {
    guard(0, || pj_bool_t::from(algorithm_type > 0 && algorithm_type < ALGORITHM_COUNT))
}

/// Deep copy of a credential into `pool` (the AKA parts too when it is
/// an AKA one).
#[no_mangle]
pub unsafe extern "C" fn pjsip_cred_info_dup(pool: *mut pj_pool_t, dst: *mut pjsip_cred_info, src: *const pjsip_cred_info) {
    guard((), || {
        if pool.is_null() || dst.is_null() || src.is_null() {
            return;
        }
        *dst = *src;
        pj_strdup_with_null(pool, addr_of_mut!((*dst).realm), addr_of!((*src).realm));
        pj_strdup_with_null(pool, addr_of_mut!((*dst).scheme), addr_of!((*src).scheme));
        pj_strdup_with_null(pool, addr_of_mut!((*dst).username), addr_of!((*src).username));
        pj_strdup_with_null(pool, addr_of_mut!((*dst).data), addr_of!((*src).data));
        if (*src).data_type & EXT_MASK == EXT_AKA {
            pj_strdup(pool, addr_of_mut!((*dst).ext.aka.k), addr_of!((*src).ext.aka.k));
            pj_strdup(pool, addr_of_mut!((*dst).ext.aka.op), addr_of!((*src).ext.aka.op));
            pj_strdup(pool, addr_of_mut!((*dst).ext.aka.amf), addr_of!((*src).ext.aka.amf));
        }
    })
}

/// 0 when two credentials are the same (realm, scheme, username, data,
/// data type, algorithm, and the AKA parts of AKA ones); otherwise the first
/// difference, as `pj_strcmp` orders strings.
#[no_mangle]
pub unsafe extern "C" fn pjsip_cred_info_cmp(cred1: *const pjsip_cred_info, cred2: *const pjsip_cred_info) -> c_int {
    guard(-1, || {
        let (Some(a), Some(b)) = (cred1.as_ref(), cred2.as_ref()) else { return -1 };
        for (x, y) in [(&a.realm, &b.realm), (&a.scheme, &b.scheme), (&a.username, &b.username), (&a.data, &b.data)] {
            let r = pj_strcmp(x, y);
            if r != 0 {
                return r;
            }
        }
        if a.data_type != b.data_type || a.algorithm_type != b.algorithm_type {
            return 1;
        }
        if a.data_type & EXT_MASK == EXT_AKA {
            for (x, y) in [(&a.ext.aka.k, &b.ext.aka.k), (&a.ext.aka.op, &b.ext.aka.op), (&a.ext.aka.amf, &b.ext.aka.amf)] {
                let r = pj_strcmp(x, y);
                if r != 0 {
                    return r;
                }
            }
        }
        0
    })
}

/// Copies preferences, the algorithm name into `pool`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_auth_clt_pref_dup(pool: *mut pj_pool_t, dst: *mut pjsip_auth_clt_pref, src: *const pjsip_auth_clt_pref) {
    guard((), || {
        if pool.is_null() || dst.is_null() || src.is_null() {
            return;
        }
        *dst = *src;
        pj_strdup_with_null(pool, addr_of_mut!((*dst).algorithm), addr_of!((*src).algorithm));
    })
}
