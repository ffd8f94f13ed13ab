//! The bodies of the cargo-fuzz targets in `fuzz/` (feature `fuzzing`).
//! They live here so that `cargo test` on stable replays every committed
//! input through the same code (the `replay` test below): the minimized
//! corpus in `fuzz/corpus/<target>/` and the inputs of past findings in
//! `fuzz/regressions/<target>/` (kept apart: minimization may drop them).
//!
//! Each body panics when a property fails; every input is otherwise fine,
//! including ones the parsers reject.

use crate::auth::{self, ClientSession, Credential, Random};
use crate::ffi::cobj;
use crate::ffi::pjlib::{create_standalone_pool, release_pool};
use crate::ffi::types::*;
use crate::sip::{self, HdrKind, NameAddr, UriContext};
use crate::transport::framing::{Deframer, Frame};
use core::ffi::{c_char, c_int, c_void};
use core::ptr::addr_of_mut;

mod endpoint;
pub use endpoint::endpoint;

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: name (the directory under `fuzz/corpus/`) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("response", response),
    ("challenge", challenge),
    ("uri", uri),
    ("deframer", deframer),
    ("c_parse", c_parse),
    ("endpoint", endpoint),
];

const CONTEXTS: [UriContext; 5] = [
    UriContext::ReqUri,
    UriContext::FromTo,
    UriContext::Contact,
    UriContext::Routing,
    UriContext::Other,
];

/// A pool released on drop.
struct Pool(*mut pj_pool_t);

impl Pool {
    fn new() -> Self {
        let p = create_standalone_pool(c"fuzz", 4000, 4000);
        assert!(!p.is_null(), "pool");
        Pool(p)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // SAFETY: our own pool, released once.
        unsafe { release_pool(self.0) }
    }
}

/// A header as pjsip_hdr_print_on prints it (None when it does not).
unsafe fn print_hdr(h: *const c_void) -> Option<Vec<u8>> {
    let mut buf = vec![0 as c_char; 8192];
    let n = cobj::pjsip_hdr_print_on(h as *mut c_void, buf.as_mut_ptr(), buf.len());
    (n >= 0).then(|| buf[..n as usize].iter().map(|&b| b as u8).collect())
}

/// Every header of a C message: printed, cloned (the clone prints the
/// same) and read back into the model.
unsafe fn walk_headers(pool: *mut pj_pool_t, m: *mut pjsip_msg) {
    let head = addr_of_mut!((*m).hdr);
    let mut h = (*head).next;
    while !h.is_null() && h != head {
        let printed = print_hdr(h as *const c_void);
        let clone = cobj::pjsip_hdr_clone(pool, h as *const c_void);
        assert!(!clone.is_null(), "clone failed");
        assert_eq!(printed, print_hdr(clone), "a clone prints differently");
        let _ = cobj::hdr_to_text(h);
        let _ = cobj::hdr_from_c(h);
        if (*h).r#type == HdrKind::Contact as u32 {
            let _ = cobj::contact_from_c(h as *const pjsip_contact_hdr);
        }
        h = (*h).next;
    }
}

/// A response as the endpoint and the regc read it: the parse, the
/// accessors they use, the challenges, and the C rdata objects a
/// callback sees (built, walked, printed, read back).
pub fn response(data: &[u8]) {
    let Ok(msg) = sip::parse_message(data) else { return };
    let _ = (msg.top_via(), msg.cseq(), msg.call_id(), msg.from(), msg.to());
    let _ = (msg.status_code(), msg.reason(), msg.method(), msg.request_uri());
    let _ = (msg.contacts(), msg.vias(), msg.record_routes());
    let _ = (msg.expires(), msg.min_expires(), msg.content_length());
    let _ = (msg.check_typed_headers(), msg.check_required_headers());
    for h in &msg.headers {
        // The value kept from the message's parse is what parsing the
        // header's own text gives.
        assert_eq!(h.typed().ok(), sip::parse_typed(h.kind, &h.value).ok().as_ref(), "{h:?}");
        match h.kind {
            HdrKind::WwwAuthenticate | HdrKind::ProxyAuthenticate => {
                let _ = auth::parse_challenge(&h.value);
            }
            HdrKind::RetryAfter => {
                let _ = sip::parse_retry_after(&h.value);
            }
            _ => {}
        }
    }
    let mut printed = Vec::new();
    sip::print_message(&msg, &mut printed);
    let pool = Pool::new();
    // SAFETY: objects built in our pool, read while it lives.
    unsafe {
        let m = cobj::rx_msg_to_c(pool.0, &msg);
        if m.is_null() {
            return;
        }
        let mut info: pjsip_rx_data_msg_info = core::mem::zeroed();
        cobj::fill_rdata_msg_info(&mut info, m);
        walk_headers(pool.0, m);
        let _ = cobj::msg_print(m);
        let _ = cobj::msg_from_c(m);
    }
}

/// Fixed cnonce randomness: the target must be deterministic.
struct Fixed;

impl Random for Fixed {
    fn fill(&mut self, buf: &mut [u8]) {
        buf.fill(0x42);
    }
}

/// Nothing echoed from a challenge may change the structure of the
/// Authorization we send: no line break or NUL, balanced quotes.
fn assert_safe_auth_value(v: &str) {
    assert!(!v.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)), "control byte in {v:?}");
    let mut quoted = false;
    let mut escaped = false;
    for b in v.bytes() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ => {}
        }
    }
    assert!(!quoted && !escaped, "unbalanced quotes in {v:?}");
}

/// Challenges (one per line, `P` first for Proxy-Authenticate) answered
/// with a password and an HA1 credential, then answered again with the
/// headers of the first answer on the request (stale and nonce-count
/// paths). Every Authorization produced is well formed.
pub fn challenge(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let chals: Vec<(bool, &str)> = text
        .split('\n')
        .take(8)
        .map(|l| match l.strip_prefix('P') {
            Some(rest) => (true, rest),
            None => (false, l),
        })
        .collect();
    for (_, c) in &chals {
        let _ = auth::parse_challenge(c);
    }
    let mut sess = ClientSession::new();
    let creds = [
        Credential {
            realm: "*".into(),
            scheme: "Digest".into(),
            username: "alice".into(),
            data_type: auth::CRED_DATA_PLAIN_PASSWD,
            data: "secret".into(),
            algorithm_type: auth::ALGORITHM_NOT_SET,
        },
        Credential {
            realm: "biloxi.com".into(),
            scheme: "Digest".into(),
            username: "bob".into(),
            data_type: auth::CRED_DATA_DIGEST,
            data: "0123456789abcdef0123456789abcdef".into(),
            algorithm_type: auth::ALGORITHM_MD5,
        },
    ];
    assert_eq!(sess.set_credentials(&creds), Ok(()));
    let mut existing = Vec::new();
    for _ in 0..2 {
        let Ok(r) = sess.reinit("REGISTER", "sip:example.com", b"body", &existing, &chals, &mut Fixed) else {
            return;
        };
        // r.append may be empty on success: a later challenge for the same
        // realm can drop the header an earlier one made and then fail, as
        // in pjsip (reported, left to the auth code's owner).
        for h in &r.append {
            assert_safe_auth_value(&h.value);
        }
        let mut next: Vec<_> = existing
            .iter()
            .enumerate()
            .filter(|(i, _)| !r.remove.contains(i))
            .map(|(_, h)| h)
            .cloned()
            .collect();
        next.extend(r.append);
        existing = next;
    }
}

fn na_to_string(na: &NameAddr, ctx: UriContext) -> String {
    let mut s = String::new();
    sip::print_name_addr(na, ctx, &mut s);
    s
}

/// URI parse, print and compare: the input (one or two URIs or
/// name-addrs, split at the first NUL) equals itself in every context,
/// comparison is symmetric, and a printed URI parses back to one that
/// compares equal and prints the same again.
pub fn uri(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let (x, y) = text.split_once('\0').unwrap_or((text, text));
    let Ok(a) = sip::parse_name_addr(x) else { return };
    for ctx in CONTEXTS {
        assert_eq!(sip::name_addr_cmp(ctx, &a, &a), Ok(()), "{x:?} differs from itself in {ctx:?}");
    }
    let printed = na_to_string(&a, UriContext::Other);
    let b = match sip::parse_name_addr(&printed) {
        Ok(b) => b,
        Err(e) => panic!("{x:?} printed as {printed:?}, which does not parse ({e})"),
    };
    assert_eq!(sip::name_addr_cmp(UriContext::Other, &a, &b), Ok(()), "{x:?} printed as {printed:?}");
    assert_eq!(sip::name_addr_cmp(UriContext::Other, &b, &a), Ok(()), "{x:?} printed as {printed:?}");
    assert_eq!(na_to_string(&b, UriContext::Other), printed, "second print of {x:?}");
    if let Ok(c) = sip::parse_name_addr(y) {
        for ctx in CONTEXTS {
            assert_eq!(
                sip::name_addr_cmp(ctx, &a, &c).is_ok(),
                sip::name_addr_cmp(ctx, &c, &a).is_ok(),
                "{x:?} / {y:?} asymmetric in {ctx:?}"
            );
        }
    }
}

fn drain(d: &mut Deframer, out: &mut Vec<Result<Frame, i32>>) {
    while let Some(f) = d.next_frame() {
        let stop = f.is_err();
        out.push(f);
        if stop {
            return;
        }
    }
}

/// The stream deframer gives the same frames however the stream is cut.
/// The first byte says how many cut lengths follow (one byte each); the
/// rest is the stream. A message cut out first is what `message_len`
/// finds in the whole stream.
pub fn deframer(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 16).min(rest.len());
    let (cuts, stream) = rest.split_at(n);

    let mut whole = Vec::new();
    let mut d = Deframer::default();
    d.push(stream);
    drain(&mut d, &mut whole);

    let mut pieces = Vec::new();
    let mut d = Deframer::default();
    let mut pos = 0;
    for &c in cuts.iter().cycle().take(if cuts.is_empty() { 0 } else { stream.len() }) {
        if pos >= stream.len() {
            break;
        }
        let end = (pos + usize::from(c) + 1).min(stream.len());
        d.push(&stream[pos..end]);
        drain(&mut d, &mut pieces);
        pos = end;
    }
    d.push(&stream[pos..]);
    drain(&mut d, &mut pieces);
    // Once broken, the deframer repeats its error on every call.
    if let Some(i) = pieces.iter().position(|f| f.is_err()) {
        pieces.truncate(i + 1);
    }
    assert_eq!(whole, pieces, "cuts {cuts:?}");

    let skip = sip::leading_crlf_len(stream);
    if skip == 0 {
        if let (Some(Ok(n)), Some(Ok(Frame::Message(m)))) = (sip::message_len(stream), whole.first()) {
            assert_eq!(m.as_slice(), &stream[..n]);
        }
    }
}

/// pjsip's C parsing functions over C objects. First byte: bit 0 picks
/// pjsip_parse_uri (options from bits 1-2) or pjsip_parse_hdr
/// (`Name: value`); the rest is the text. A parsed URI equals itself and
/// its clone, in every context, and the clone prints the same; a parsed
/// header's clone prints the same.
pub fn c_parse(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let pool = Pool::new();
    let mut text = rest.to_vec();
    text.push(0);
    // SAFETY: buffers outlive the calls; objects live in our pool.
    unsafe {
        if sel & 1 == 0 {
            let options = u32::from(sel >> 1) & 3;
            let u = cobj::pjsip_parse_uri(pool.0, text.as_mut_ptr() as *mut c_char, rest.len(), options);
            if u.is_null() {
                return;
            }
            let u = u as *const c_void;
            let clone = cobj::uri_clone(pool.0, u);
            assert!(!clone.is_null(), "uri clone failed");
            for ctx in 0..5 {
                assert_eq!(cobj::uri_cmp_c(ctx, u, u), 0, "differs from itself in context {ctx}");
                assert_eq!(cobj::uri_cmp_c(ctx, u, clone), 0, "differs from its clone in context {ctx}");
                assert_eq!(cobj::print_uri_c(ctx, u), cobj::print_uri_c(ctx, clone));
            }
            if let Some(p) = cobj::print_uri_c(cobj::PJSIP_URI_IN_OTHER, u) {
                let mut again = p.clone();
                again.push(0);
                let v = cobj::pjsip_parse_uri(pool.0, again.as_mut_ptr() as *mut c_char, p.len(), options & 1);
                assert!(!v.is_null(), "printed as {:?}, which does not parse", String::from_utf8_lossy(&p));
                assert_eq!(cobj::uri_cmp_c(cobj::PJSIP_URI_IN_OTHER, u, v as *const c_void), 0);
            }
        } else {
            let Some(colon) = rest.iter().position(|&b| b == b':') else { return };
            let name = pj_str_t { ptr: text.as_mut_ptr() as *mut c_char, slen: colon as _ };
            let value = text.as_mut_ptr().add(colon + 1) as *mut c_char;
            let mut used: c_int = 0;
            let h = cobj::pjsip_parse_hdr(pool.0, &name, value, rest.len() - colon - 1, &mut used);
            assert!(used >= 0 && (used as usize) < rest.len() - colon);
            if h.is_null() {
                return;
            }
            let clone = cobj::pjsip_hdr_clone(pool.0, h);
            assert!(!clone.is_null(), "header clone failed");
            assert_eq!(print_hdr(h), print_hdr(clone), "a clone prints differently");
            let _ = cobj::hdr_from_c(h as *const pjsip_hdr);
        }
    }
}

#[cfg(test)]
mod replay {
    use super::TARGETS;
    use std::cell::Cell;
    use std::path::Path;

    thread_local! {
        static PANICKED: Cell<bool> = const { Cell::new(false) };
    }

    /// Every committed corpus file through its target. A panic caught by
    /// an `extern "C"` guard counts too (libFuzzer aborts on it).
    #[test]
    fn committed_corpora_replay() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.with(|p| p.set(true));
            prev(info);
        }));
        let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
        let mut total = 0;
        for (name, body) in TARGETS {
            let mut files = Vec::new();
            for kind in ["corpus", "regressions"] {
                let Ok(dir) = std::fs::read_dir(fuzz.join(kind).join(name)) else { continue };
                files.extend(dir.map(|e| e.expect("entry").path()));
            }
            files.sort();
            assert!(!files.is_empty(), "no corpus for {name}");
            for f in files {
                let data = std::fs::read(&f).expect("read");
                PANICKED.with(|p| p.set(false));
                body(&data);
                assert!(!PANICKED.with(|p| p.get()), "{} panicked (caught)", f.display());
                total += 1;
            }
        }
        assert!(total >= TARGETS.len());
    }
}
