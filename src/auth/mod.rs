//! Digest authentication client, modelled on pjsip's `pjsip_auth_clt_*`.
//!
//! Sans-IO: the caller hands in header values and gets header values back;
//! there are no sockets and no clock, and the only randomness (the cnonce)
//! comes in through [`Random`].
//!
//! What a request goes through:
//! 1. [`ClientSession::init_req`] when a request is newly built. It resets
//!    the stale-retry counters and, with `initial_auth`, returns one empty
//!    Authorization per credential.
//! 2. On a 401/407, [`ClientSession::reinit`] with the request's current
//!    auth headers and the response's challenges. It says which headers to
//!    drop and which to append, or fails with the pj_status_t pjsip gives.
//!
//! Behaviour follows pjproject 2.17 with its default configuration (no
//! header caching, no pre-emptive auth, qop support on, no AKA), with one
//! deliberate extension: a challenge offering only `auth-int` is answered
//! with `qop=auth-int` instead of failing with PJSIP_EINVALIDQOP.

mod challenge;
mod digest;
mod session;

#[cfg(test)]
mod tests;

pub(crate) use digest::to_hex;
pub use challenge::{Challenge, MAX_CHALLENGE_LEN, parse_challenge};
pub use digest::{
    ALGORITHM_AKAV1_MD5, ALGORITHM_AKAV2_MD5, ALGORITHM_COUNT, ALGORITHM_MD5, ALGORITHM_NOT_SET,
    ALGORITHM_SHA256, ALGORITHM_SHA512_256, DigestParams, Qop, algorithm_by_iana_name,
    algorithm_hex_len, algorithm_iana_name, compute_response, hex_digest,
};
pub use session::{
    AuthHeader, ClientSession, Credential, MAX_CACHED_AUTH, Pref, Random, Reinit, select_qop,
};

/// `pjsip_cred_data_type`: plain-text password.
pub const CRED_DATA_PLAIN_PASSWD: i32 = 0;
/// `pjsip_cred_data_type`: `data` holds HA1 in hex.
pub const CRED_DATA_DIGEST: i32 = 1;
/// `pjsip_cred_data_type`: AKA (not supported in this build, as in pjsip's default).
pub const CRED_DATA_EXT_AKA: i32 = 16;
/// Bits of data_type that say password vs HA1.
pub const CRED_DATA_PASSWD_MASK: i32 = 0x0F;
/// Bits of data_type that say AKA.
pub const CRED_DATA_EXT_MASK: i32 = 0xF0;

/// PJSIP_MAX_STALE_COUNT: stale answers tolerated for one request.
pub const MAX_STALE_COUNT: u32 = 3;
/// PJSIP_MAX_URL_SIZE: a printed Request-URI must be shorter than this.
pub const MAX_URL_SIZE: usize = 256;
