//! Digest algorithms and the RFC 2617 / RFC 7616 response formula.
//!
//! This is the pure arithmetic part of the client: given a credential, the
//! challenge values and the request, it produces the hex `response`. The
//! checks happen in the same order as in pjsip so that the same bad input
//! yields the same pj_status_t.

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

use crate::status::{PJ_EINVAL, PJ_ENOTSUP, Status};

use super::Credential;

/// `pjsip_auth_algorithm_type` values.
pub const ALGORITHM_NOT_SET: u32 = 0;
/// MD5 (RFC 2617, the default).
pub const ALGORITHM_MD5: u32 = 1;
/// SHA-256 (RFC 7616).
pub const ALGORITHM_SHA256: u32 = 2;
/// SHA-512/256 (RFC 7616).
pub const ALGORITHM_SHA512_256: u32 = 3;
/// AKAv1-MD5 (RFC 3310).
pub const ALGORITHM_AKAV1_MD5: u32 = 4;
/// AKAv2-MD5 (RFC 4169).
pub const ALGORITHM_AKAV2_MD5: u32 = 5;
/// One past the last algorithm type.
pub const ALGORITHM_COUNT: u32 = 6;

/// IANA names, indexed by algorithm type. Slot 0 (NOT_SET) and slot COUNT
/// are empty, like the sentinel rows of pjsip's table.
const IANA_NAMES: [&str; 7] = [
    "",
    "MD5",
    "SHA-256",
    "SHA-512-256",
    "AKAv1-MD5",
    "AKAv2-MD5",
    "",
];

/// The IANA name of an algorithm type; empty for NOT_SET and anything out of
/// range (pjsip would index past its table there; printing nothing is the
/// safe reading).
pub fn algorithm_iana_name(algorithm_type: u32) -> &'static str {
    IANA_NAMES.get(algorithm_type as usize).copied().unwrap_or("")
}

/// Looks an `algorithm=` value up, case-insensitively. An empty value means
/// MD5 (RFC 2617's default). `-sess` variants and unknown names give None.
pub fn algorithm_by_iana_name(name: &str) -> Option<u32> {
    if name.is_empty() {
        return Some(ALGORITHM_MD5);
    }
    (ALGORITHM_MD5..ALGORITHM_COUNT).find(|&t| IANA_NAMES[t as usize].eq_ignore_ascii_case(name))
}

/// Length of the hex form of one digest of this algorithm (0 if unknown).
pub fn algorithm_hex_len(algorithm_type: u32) -> usize {
    match algorithm_type {
        ALGORITHM_MD5 | ALGORITHM_AKAV1_MD5 | ALGORITHM_AKAV2_MD5 => 32,
        ALGORITHM_SHA256 | ALGORITHM_SHA512_256 => 64,
        _ => 0,
    }
}

/// True when the low nibble of data_type says "plain password".
pub(crate) fn is_passwd(data_type: i32) -> bool {
    data_type & super::CRED_DATA_PASSWD_MASK == super::CRED_DATA_PLAIN_PASSWD
}

/// True when the low nibble of data_type says "precomputed HA1".
pub(crate) fn is_digest(data_type: i32) -> bool {
    data_type & super::CRED_DATA_PASSWD_MASK == super::CRED_DATA_DIGEST
}

/// True when the high nibble of data_type says "AKA".
pub(crate) fn is_aka(data_type: i32) -> bool {
    data_type & super::CRED_DATA_EXT_MASK == super::CRED_DATA_EXT_AKA
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0x0f) as usize] as char);
    }
    s
}

/// Hashes the concatenation of `parts` and returns lowercase hex. None for
/// the AKA types: they have no hash of their own (pjsip finds no OpenSSL
/// digest for them and fails with PJ_ENOTSUP).
fn hash_hex(algorithm_type: u32, parts: &[&[u8]]) -> Option<String> {
    fn run<D: Digest>(parts: &[&[u8]]) -> String {
        let mut h = D::new();
        for p in parts {
            h.update(p);
        }
        to_hex(&h.finalize())
    }
    match algorithm_type {
        ALGORITHM_MD5 => Some(run::<Md5>(parts)),
        ALGORITHM_SHA256 => Some(run::<Sha256>(parts)),
        ALGORITHM_SHA512_256 => Some(run::<Sha512_256>(parts)),
        _ => None,
    }
}

/// The quality of protection the answer uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qop {
    /// The challenge offered no qop: RFC 2069 style response.
    None,
    /// `qop=auth`.
    Auth,
    /// `qop=auth-int` (an extension over pjsip, which refuses it).
    AuthInt,
}

impl Qop {
    /// The token printed in the answer and hashed into the response.
    pub fn as_str(self) -> &'static str {
        match self {
            Qop::None => "",
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }
}

/// Everything besides the credential that goes into one response.
#[derive(Clone, Copy, Debug)]
pub struct DigestParams<'a> {
    /// The challenge's algorithm type (what hashes).
    pub algorithm: u32,
    /// The challenge's realm, as received (HA1 is keyed on it, not on the
    /// credential's realm, which may be `*`).
    pub realm: &'a str,
    /// The challenge's nonce.
    pub nonce: &'a str,
    /// The quality of protection chosen.
    pub qop: Qop,
    /// Printed nonce-count (8 decimal digits); ignored without qop.
    pub nc: &'a str,
    /// Our client nonce; ignored without qop.
    pub cnonce: &'a str,
    /// The request method, e.g. `REGISTER`.
    pub method: &'a str,
    /// The printed Request-URI.
    pub uri: &'a str,
    /// Request body, hashed only for auth-int.
    pub body: &'a [u8],
}

/// Computes the `response` value for a credential.
///
/// Errors, in pjsip's order: PJ_ENOTSUP for an unknown algorithm type,
/// PJ_EINVAL for a data_type that is neither plain password nor HA1,
/// PJ_EINVAL for an HA1 credential whose algorithm differs from the
/// challenge's or whose data is shorter than one hex digest, PJ_ENOTSUP for
/// the AKA types (no hash behind them in a build without AKA).
pub fn compute_response(cred: &Credential, p: &DigestParams<'_>) -> Result<String, Status> {
    if p.algorithm == ALGORITHM_NOT_SET || p.algorithm >= ALGORITHM_COUNT {
        return Err(PJ_ENOTSUP);
    }
    let hex_len = algorithm_hex_len(p.algorithm);

    if !is_passwd(cred.data_type) && !is_digest(cred.data_type) {
        return Err(PJ_EINVAL);
    }
    if is_digest(cred.data_type) {
        // A stored HA1 is only meaningful for the hash it was made with.
        let cred_alg = if cred.algorithm_type == ALGORITHM_NOT_SET {
            p.algorithm
        } else {
            cred.algorithm_type
        };
        if cred_alg != p.algorithm || cred.data.len() < hex_len {
            return Err(PJ_EINVAL);
        }
    }
    if hash_hex(p.algorithm, &[]).is_none() {
        return Err(PJ_ENOTSUP);
    }
    let h = |parts: &[&[u8]]| hash_hex(p.algorithm, parts).ok_or(PJ_ENOTSUP);

    let ha1: Vec<u8> = if is_passwd(cred.data_type) {
        h(&[
            cred.username.as_bytes(),
            b":",
            p.realm.as_bytes(),
            b":",
            cred.data.as_bytes(),
        ])?
        .into_bytes()
    } else {
        // pjsip takes the stored HA1 verbatim (no case folding) and uses
        // exactly one digest's worth of it.
        cred.data.as_bytes().get(..hex_len).ok_or(PJ_EINVAL)?.to_vec()
    };

    let ha2 = if p.qop == Qop::AuthInt {
        let body_hash = h(&[p.body])?;
        h(&[
            p.method.as_bytes(),
            b":",
            p.uri.as_bytes(),
            b":",
            body_hash.as_bytes(),
        ])?
    } else {
        h(&[p.method.as_bytes(), b":", p.uri.as_bytes()])?
    };

    if p.qop == Qop::None {
        h(&[
            &ha1,
            b":",
            p.nonce.as_bytes(),
            b":",
            ha2.as_bytes(),
        ])
    } else {
        h(&[
            &ha1,
            b":",
            p.nonce.as_bytes(),
            b":",
            p.nc.as_bytes(),
            b":",
            p.cnonce.as_bytes(),
            b":",
            p.qop.as_str().as_bytes(),
            b":",
            ha2.as_bytes(),
        ])
    }
}

/// Hex digest of arbitrary bytes with the given algorithm (None for AKA,
/// NOT_SET and unknown types). Handy for callers that store HA1 values.
pub fn hex_digest(algorithm_type: u32, data: &[u8]) -> Option<String> {
    hash_hex(algorithm_type, &[data])
}
