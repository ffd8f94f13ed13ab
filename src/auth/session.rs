//! The client session: credentials, preferences and per-realm state
//! (cnonce, nonce-count, stale counter), and the two entry points that
//! decorate requests.

use crate::status::{
    PJSIP_EAUTHINAKACRED, PJSIP_EAUTHNOAUTH, PJSIP_EAUTHNOCHAL, PJSIP_EAUTHSTALECOUNT,
    PJSIP_EFAILEDCREDENTIAL, PJSIP_EINVALIDALGORITHM, PJSIP_EINVALIDAUTHSCHEME, PJSIP_EINVALIDQOP,
    PJSIP_ENOCREDENTIAL, PJSIP_EURITOOLONG, Status,
};

use super::challenge::{Challenge, parse_challenge};
use super::digest::{
    ALGORITHM_AKAV1_MD5, ALGORITHM_AKAV2_MD5, ALGORITHM_MD5, ALGORITHM_NOT_SET, DigestParams, Qop,
    algorithm_by_iana_name, algorithm_iana_name, compute_response, is_aka, is_digest,
};
use super::{
    CRED_DATA_DIGEST, CRED_DATA_EXT_AKA, CRED_DATA_PLAIN_PASSWD, MAX_STALE_COUNT, MAX_URL_SIZE,
};

/// One credential, as `pjsip_cred_info` carries it (AKA fields left out:
/// AKA is not supported).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credential {
    /// Realm to answer, or `*` for any realm.
    pub realm: String,
    /// Only used as the scheme of the `initial_auth` header.
    pub scheme: String,
    /// The user name to authenticate as.
    pub username: String,
    /// `pjsip_cred_data_type` bits: 0 password, 1 HA1, 16 AKA.
    pub data_type: i32,
    /// Password, or HA1 in hex.
    pub data: String,
    /// `pjsip_auth_algorithm_type`; for HA1 data, the hash it was made with.
    pub algorithm_type: u32,
}

/// `pjsip_auth_clt_pref`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pref {
    /// Send an empty Authorization per credential on every new request.
    pub initial_auth: bool,
    /// Algorithm named in that empty header for credentials without one.
    pub algorithm: String,
}

/// An Authorization or Proxy-Authorization header a request carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    /// Proxy-Authorization (answers a 407) rather than Authorization.
    pub is_proxy: bool,
    /// Scheme as printed.
    pub scheme: String,
    /// The realm the header speaks for (the challenge's, or the
    /// credential's for an `initial_auth` header).
    pub realm: String,
    /// The nonce answered; empty in an `initial_auth` header.
    pub nonce: String,
    /// The response digest; empty in an `initial_auth` header, which is
    /// what lets a later challenge recognise and drop it.
    pub response: String,
    /// The whole header value, e.g. `Digest username="a", realm=...`.
    pub value: String,
}

impl AuthHeader {
    /// The header name to print.
    pub fn name(&self) -> &'static str {
        if self.is_proxy {
            "Proxy-Authorization"
        } else {
            "Authorization"
        }
    }
}

/// Source of cnonce randomness.
pub trait Random {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]);

    /// A fresh cnonce. The default mirrors pjsip on a libuuid build: a
    /// random (version 4) UUID with its hyphens removed, i.e. 32 lowercase
    /// hex characters. Overriding it lets tests use fixed RFC vectors.
    fn cnonce(&mut self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        super::digest::to_hex(&b)
    }
}

/// What [`ClientSession::reinit`] does to the request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reinit {
    /// Indices into the `existing` slice of headers to remove, ascending.
    pub remove: Vec<usize>,
    /// New headers, to be appended in this order.
    pub append: Vec<AuthHeader>,
}

/// Upper bound on remembered (realm, algorithm) entries. pjsip keeps them
/// without limit; a bound keeps a server that invents realms from growing
/// our memory forever. The oldest entry goes first.
pub const MAX_CACHED_AUTH: usize = 128;

/// Per (realm, algorithm) state, like `pjsip_cached_auth`.
#[derive(Clone, Debug)]
struct CachedAuth {
    realm: String,
    algorithm: u32,
    stale_cnt: u32,
    nc: u32,
    /// Empty until the first challenge with qop; then kept for the
    /// session's life.
    cnonce: String,
    /// Nonce of the last qop challenge, to decide between nc+1 and nc=1.
    last_nonce: String,
}

/// The client authentication session (`pjsip_auth_clt_sess`).
#[derive(Clone, Debug, Default)]
pub struct ClientSession {
    creds: Vec<Credential>,
    pref: Pref,
    cached: Vec<CachedAuth>,
}

/// pjsip's test for an `auth` qop: the lowercased offer contains `auth`
/// directly followed by a quote, a comma or the end. Note it does not
/// tokenise: `auth ,auth-int` (blank before the comma) fails it.
fn pjsip_has_auth_qop(offer: &str) -> bool {
    let lower: Vec<u8> = offer
        .bytes()
        .take_while(|&c| c != 0)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut i = 0;
    while i < lower.len() {
        if lower[i..].starts_with(b"auth") {
            match lower.get(i + 4) {
                None | Some(b'"') | Some(b',') => return true,
                Some(_) => i += 4,
            }
        } else {
            i += 1;
        }
    }
    false
}

/// Chooses the qop to answer an offer with. `auth` is preferred whenever
/// offered (pjsip's rule first, then a tolerant token match); `auth-int`
/// only when `auth` is not on offer. None means nothing usable
/// (PJSIP_EINVALIDQOP).
pub fn select_qop(offer: &str) -> Option<Qop> {
    if offer.is_empty() {
        return Some(Qop::None);
    }
    if pjsip_has_auth_qop(offer) {
        return Some(Qop::Auth);
    }
    let tokens = || {
        offer
            .split(',')
            .map(|t| t.trim_matches(|c: char| c == ' ' || c == '\t' || c == '"'))
    };
    if tokens().any(|t| t.eq_ignore_ascii_case("auth")) {
        Some(Qop::Auth)
    } else if tokens().any(|t| t.eq_ignore_ascii_case("auth-int")) {
        Some(Qop::AuthInt)
    } else {
        None
    }
}

// Printing helpers mirroring pjsip's header printer, so that empty and
// pre-quoted values come out exactly as pjsip prints them.

/// Quoted if non-empty; a value already starting with a quote goes as is.
fn put_quote_cond(out: &mut String, prefix: &str, v: &str) {
    if v.is_empty() {
        return;
    }
    out.push_str(prefix);
    if v.starts_with('"') {
        out.push_str(v);
    } else {
        out.push('"');
        out.push_str(v);
        out.push('"');
    }
}

/// Like [`put_quote_cond`] but printed even when empty (`realm=""`).
fn put_quote_cond_always(out: &mut String, prefix: &str, v: &str) {
    if v.is_empty() {
        put_quote(out, prefix, v);
    } else {
        put_quote_cond(out, prefix, v);
    }
}

/// Always printed, always quoted.
fn put_quote(out: &mut String, prefix: &str, v: &str) {
    out.push_str(prefix);
    out.push('"');
    out.push_str(v);
    out.push('"');
}

/// Printed bare, only if non-empty.
fn put_pair(out: &mut String, prefix: &str, v: &str) {
    if !v.is_empty() {
        out.push_str(prefix);
        out.push_str(v);
    }
}

/// The parameters of a Digest credential, in pjsip's order.
#[derive(Default)]
struct DigestFields<'a> {
    username: &'a str,
    realm: &'a str,
    nonce: &'a str,
    uri: &'a str,
    response: &'a str,
    algorithm: &'a str,
    cnonce: &'a str,
    opaque: &'a str,
    qop: &'a str,
    nc: &'a str,
}

fn print_digest(scheme: &str, f: &DigestFields<'_>) -> String {
    let mut s = String::with_capacity(256);
    s.push_str(scheme);
    s.push(' ');
    put_quote_cond(&mut s, "username=", f.username);
    put_quote_cond_always(&mut s, ", realm=", f.realm);
    put_quote(&mut s, ", nonce=", f.nonce);
    put_quote_cond(&mut s, ", uri=", f.uri);
    put_quote(&mut s, ", response=", f.response);
    put_pair(&mut s, ", algorithm=", f.algorithm);
    put_quote_cond(&mut s, ", cnonce=", f.cnonce);
    put_quote_cond(&mut s, ", opaque=", f.opaque);
    put_pair(&mut s, ", qop=", f.qop);
    put_pair(&mut s, ", nc=", f.nc);
    s
}

/// A request URI pjsip could print into its fixed buffer.
fn check_uri(uri: &str) -> Result<(), Status> {
    if uri.is_empty() || uri.len() >= MAX_URL_SIZE {
        Err(PJSIP_EURITOOLONG)
    } else {
        Ok(())
    }
}

/// A header slot while a reinit works on the request.
enum Slot {
    Existing(usize),
    New(AuthHeader),
}

impl ClientSession {
    /// An empty session: no credentials, default preferences.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the credentials with copies of `creds`; an empty slice
    /// clears them. An HA1 credential without an algorithm becomes MD5.
    ///
    /// PJSIP_EAUTHINAKACRED if any credential is AKA (pjsip built without
    /// AKA asserts there; its release build returns this code). Unlike
    /// pjsip, which would leave a half-written list, the session is then
    /// left unchanged.
    pub fn set_credentials(&mut self, creds: &[Credential]) -> Result<(), Status> {
        if creds.iter().any(|c| is_aka(c.data_type)) {
            return Err(PJSIP_EAUTHINAKACRED);
        }
        self.creds = creds
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if is_digest(c.data_type) && c.algorithm_type == ALGORITHM_NOT_SET {
                    c.algorithm_type = ALGORITHM_MD5;
                }
                c
            })
            .collect();
        Ok(())
    }

    /// Replaces the preferences.
    pub fn set_prefs(&mut self, pref: &Pref) {
        self.pref = pref.clone();
    }

    /// The current preferences.
    pub fn prefs(&self) -> Pref {
        self.pref.clone()
    }

    /// The stored credentials (after set_credentials' adjustments).
    pub fn credentials(&self) -> &[Credential] {
        &self.creds
    }

    /// Prepares a newly built request.
    ///
    /// Every stale-retry counter is reset (this is what bounds the retries
    /// per request). With `initial_auth`, returns one empty Authorization
    /// per credential, in credential order; otherwise nothing (no header
    /// caching, so nothing is sent pre-emptively).
    ///
    /// PJSIP_EURITOOLONG if `req_uri` is empty or 256 bytes or longer
    /// (counters are reset all the same). regc ignores this result.
    pub fn init_req(&mut self, method: &str, req_uri: &str) -> Result<Vec<AuthHeader>, Status> {
        // The method only matters to header caching, which is off.
        let _ = method;
        for c in &mut self.cached {
            c.stale_cnt = 0;
        }
        if !self.pref.initial_auth {
            return Ok(Vec::new());
        }
        check_uri(req_uri)?;

        Ok(self
            .creds
            .iter()
            .map(|c| {
                let value = if c.scheme.eq_ignore_ascii_case("Bearer") {
                    let mut s = format!("{} ", c.scheme);
                    put_quote_cond(&mut s, "token=", &c.data);
                    put_quote_cond(&mut s, ", username=", &c.username);
                    put_quote_cond(&mut s, ", realm=", &c.realm);
                    s
                } else {
                    let algorithm = if c.algorithm_type == ALGORITHM_NOT_SET {
                        self.pref.algorithm.as_str()
                    } else {
                        algorithm_iana_name(c.algorithm_type)
                    };
                    print_digest(
                        &c.scheme,
                        &DigestFields {
                            username: &c.username,
                            realm: &c.realm,
                            uri: req_uri,
                            algorithm,
                            ..Default::default()
                        },
                    )
                };
                AuthHeader {
                    is_proxy: false,
                    scheme: c.scheme.clone(),
                    realm: c.realm.clone(),
                    nonce: String::new(),
                    response: String::new(),
                    value,
                }
            })
            .collect())
    }

    /// Answers the challenges of a 401/407.
    ///
    /// `existing` are the Authorization / Proxy-Authorization headers the
    /// request carries now, in order; `challenges` are (is_proxy, value)
    /// for each WWW-Authenticate (false) / Proxy-Authenticate (true) of the
    /// response, in order; `body` is the request body (for auth-int).
    ///
    /// Each challenge is handled in turn:
    /// - an empty Digest header of the same kind, realm and scheme is
    ///   dropped (so a `*` one stays);
    /// - if the request already answered that realm and scheme, the answer
    ///   is retried only when the challenge is stale or carries a different
    ///   nonce, at most [`MAX_STALE_COUNT`]−1 times per request
    ///   (PJSIP_EAUTHSTALECOUNT after that); the same nonce again gives
    ///   PJSIP_EFAILEDCREDENTIAL. Because a header added for an earlier
    ///   challenge of this same response counts too, a second challenge
    ///   for an already answered realm with the same nonce is skipped;
    /// - then a credential is chosen and a header appended.
    ///
    /// A challenge that fails is skipped; the call fails only if no header
    /// was produced: PJSIP_EAUTHNOCHAL without any (parsable) challenge,
    /// otherwise the error of the last failing one. Session state (cnonce,
    /// nc, stale counters) changes even when the call fails, as in pjsip.
    pub fn reinit(
        &mut self,
        method: &str,
        req_uri: &str,
        body: &[u8],
        existing: &[AuthHeader],
        challenges: &[(bool, &str)],
        rnd: &mut dyn Random,
    ) -> Result<Reinit, Status> {
        let mut work: Vec<Slot> = (0..existing.len()).map(Slot::Existing).collect();
        let mut chal_cnt = 0usize;
        let mut auth_cnt = 0usize;
        let mut last_err = PJSIP_EAUTHNOAUTH;

        for &(is_proxy, value) in challenges {
            // pjsip's parser drops a header it cannot parse, so such a
            // value is not a challenge at all.
            let chal = match parse_challenge(value) {
                Ok(c) => c,
                Err(_) => continue,
            };
            chal_cnt += 1;

            if !chal.is_digest() {
                last_err = PJSIP_EINVALIDAUTHSCHEME;
                continue;
            }
            let Some(algorithm) = algorithm_by_iana_name(&chal.algorithm) else {
                last_err = PJSIP_EINVALIDALGORITHM;
                continue;
            };
            let cached = self.cached_index(&chal.realm, algorithm);

            match self.process_auth(
                &mut work, existing, &chal, is_proxy, cached, algorithm, method, req_uri, body, rnd,
            ) {
                Ok(h) => {
                    work.push(Slot::New(h));
                    auth_cnt += 1;
                }
                Err(e) => last_err = e,
            }
        }

        if chal_cnt == 0 {
            return Err(PJSIP_EAUTHNOCHAL);
        }
        if auth_cnt == 0 {
            return Err(last_err);
        }

        let mut kept = vec![false; existing.len()];
        let mut append = Vec::new();
        for slot in work {
            match slot {
                Slot::Existing(i) => kept[i] = true,
                Slot::New(h) => append.push(h),
            }
        }
        let remove = (0..existing.len()).filter(|&i| !kept[i]).collect();
        Ok(Reinit { remove, append })
    }

    /// Number of remembered (realm, algorithm) entries.
    #[cfg(test)]
    pub(crate) fn cached_len(&self) -> usize {
        self.cached.len()
    }

    /// Index of the cached entry for (realm, algorithm), created if new.
    fn cached_index(&mut self, realm: &str, algorithm: u32) -> usize {
        if let Some(i) = self
            .cached
            .iter()
            .position(|c| c.algorithm == algorithm && c.realm.eq_ignore_ascii_case(realm))
        {
            return i;
        }
        if self.cached.len() >= MAX_CACHED_AUTH {
            self.cached.remove(0);
        }
        self.cached.push(CachedAuth {
            realm: realm.to_owned(),
            algorithm,
            stale_cnt: 0,
            nc: 0,
            cnonce: String::new(),
            last_nonce: String::new(),
        });
        self.cached.len() - 1
    }

    /// Picks the credential for a realm and algorithm: in order, skipping
    /// those unfit for the algorithm; an exact (case-insensitive) realm
    /// wins at once, else the last `*` credential.
    fn find_cred(&self, realm: &str, algorithm: u32) -> Option<&Credential> {
        let is_aka_alg = algorithm == ALGORITHM_AKAV1_MD5 || algorithm == ALGORITHM_AKAV2_MD5;
        let mut wildcard = None;
        for c in &self.creds {
            let fits = match c.data_type {
                CRED_DATA_PLAIN_PASSWD => !is_aka_alg,
                CRED_DATA_DIGEST => c.algorithm_type == algorithm,
                CRED_DATA_EXT_AKA => is_aka_alg,
                // Other values are not screened here (pjsip's switch has no
                // default); the digest step judges them.
                _ => true,
            };
            if !fits {
                continue;
            }
            if c.realm.eq_ignore_ascii_case(realm) {
                return Some(c);
            }
            if c.realm == "*" {
                wildcard = Some(c);
            }
        }
        wildcard
    }

    #[allow(clippy::too_many_arguments)]
    fn process_auth(
        &mut self,
        work: &mut Vec<Slot>,
        existing: &[AuthHeader],
        chal: &Challenge,
        is_proxy: bool,
        cached: usize,
        algorithm: u32,
        method: &str,
        req_uri: &str,
        body: &[u8],
        rnd: &mut dyn Random,
    ) -> Result<AuthHeader, Status> {
        let header = |slot: &Slot| -> AuthHeader {
            match slot {
                Slot::Existing(i) => existing[*i].clone(),
                Slot::New(h) => h.clone(),
            }
        };

        // Look for what the request already says for this realm/scheme,
        // dropping empty initial_auth headers on the way.
        let mut sent: Option<usize> = None;
        let mut i = 0;
        while i < work.len() {
            let h = header(&work[i]);
            if h.is_proxy == is_proxy
                && h.realm.eq_ignore_ascii_case(&chal.realm)
                && h.scheme.eq_ignore_ascii_case(&chal.scheme)
            {
                if h.scheme.eq_ignore_ascii_case("Digest") && h.response.is_empty() {
                    work.remove(i);
                    continue;
                }
                sent = Some(i);
                break;
            }
            i += 1;
        }

        if let Some(i) = sent {
            let sent_nonce = header(&work[i]).nonce;
            // Servers that rotate the nonce without saying stale=true are
            // treated as if they had.
            let stale = chal.stale || chal.nonce != sent_nonce;
            if !stale {
                return Err(PJSIP_EFAILEDCREDENTIAL);
            }
            let entry = &mut self.cached[cached];
            entry.stale_cnt += 1;
            if entry.stale_cnt >= MAX_STALE_COUNT {
                return Err(PJSIP_EAUTHSTALECOUNT);
            }
            work.remove(i);
        }

        let cred = self
            .find_cred(&chal.realm, algorithm)
            .cloned()
            .ok_or(PJSIP_ENOCREDENTIAL)?;

        check_uri(req_uri)?;

        // Nonce-count bookkeeping happens only for qop challenges, and
        // before the digest is attempted (a failing digest still counts).
        let entry = &mut self.cached[cached];
        if !chal.qop.is_empty() {
            if entry.cnonce.is_empty() {
                entry.last_nonce = chal.nonce.clone();
                entry.cnonce = rnd.cnonce();
                entry.nc = 1;
            } else if entry.last_nonce == chal.nonce {
                entry.nc = entry.nc.wrapping_add(1);
            } else {
                entry.last_nonce = chal.nonce.clone();
                entry.nc = 1;
            }
        }
        let qop = select_qop(&chal.qop).ok_or(PJSIP_EINVALIDQOP)?;
        let (nc, cnonce) = if qop == Qop::None {
            (String::new(), String::new())
        } else {
            let cn = if entry.cnonce.is_empty() {
                // pjsip's fallback for a missing cnonce.
                "b39971".to_owned()
            } else {
                entry.cnonce.clone()
            };
            (format!("{:08}", entry.nc), cn)
        };

        let response = compute_response(
            &cred,
            &DigestParams {
                algorithm,
                realm: &chal.realm,
                nonce: &chal.nonce,
                qop,
                nc: &nc,
                cnonce: &cnonce,
                method,
                uri: req_uri,
                body,
            },
        )?;

        let value = print_digest(
            "Digest",
            &DigestFields {
                username: &cred.username,
                realm: &chal.realm,
                nonce: &chal.nonce,
                uri: req_uri,
                response: &response,
                algorithm: &chal.algorithm,
                cnonce: &cnonce,
                opaque: &chal.opaque,
                qop: qop.as_str(),
                nc: &nc,
            },
        );
        Ok(AuthHeader {
            is_proxy,
            scheme: "Digest".to_owned(),
            realm: chal.realm.clone(),
            nonce: chal.nonce.clone(),
            response,
            value,
        })
    }
}
