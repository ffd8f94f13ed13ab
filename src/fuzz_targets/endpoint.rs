//! A live endpoint: a regc sends a real REGISTER over loopback UDP and a
//! registrar socket here answers it with the fuzzed responses.
//!
//! Input: responses separated by NUL bytes (at most four). In each,
//! `$V`, `$C`, `$I`, `$F` and `$T` stand for the request's Via, CSeq,
//! Call-ID, From and To values, so that responses can match the
//! transaction. Every request left over (an auth retry, a 423 retry, a
//! transaction a 1xx kept open) gets a 500, so no transaction outlives the
//! input. The callback reads everything a regc callback may read.

use super::{print_hdr, walk_headers};
use crate::ffi::cobj;
use crate::ffi::endpt::*;
use crate::ffi::pjlib::*;
use crate::ffi::rdata::pjsip_rx_data_get_info;
use crate::ffi::regc::*;
use crate::ffi::types::*;
use core::ffi::{c_char, c_void};
use core::ptr::{null, null_mut};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

struct Env {
    endpt: *mut pjsip_endpoint,
    registrar: UdpSocket,
    server: String,
}

// SAFETY: used under the mutex only, by one thread at a time.
unsafe impl Send for Env {}

fn env() -> &'static Mutex<Env> {
    static ENV: OnceLock<Mutex<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        // SAFETY: pjlib set up once; the caching pool and endpoint live for
        // the process.
        unsafe {
            pj_log_set_level(0);
            assert_eq!(pj_init(), 0);
            let cp: &'static mut pj_caching_pool = Box::leak(Box::new(core::mem::zeroed()));
            pj_caching_pool_init(cp, pj_pool_factory_get_default_policy(), 0);
            let mut endpt = null_mut();
            assert_eq!(pjsip_endpt_create(&mut cp.factory, c"fuzz".as_ptr(), &mut endpt), 0);
            assert_eq!(pjsip_tsx_layer_init_module(endpt), 0);
            assert_eq!(pjsip_ua_init_module(endpt, null()), 0);
            let mut local: pj_sockaddr_in = core::mem::zeroed();
            let any = pj_str(c"127.0.0.1".as_ptr() as *mut c_char);
            assert_eq!(pj_sockaddr_in_init(&mut local, &any, 0), 0);
            let mut tp = null_mut();
            assert_eq!(pjsip_udp_transport_start(endpt, &local, null(), 1, &mut tp), 0);
            let registrar = UdpSocket::bind("127.0.0.1:0").expect("registrar socket");
            let port = registrar.local_addr().expect("addr").port();
            Mutex::new(Env { endpt, registrar, server: format!("sip:127.0.0.1:{port}") })
        }
    })
}

fn pj(s: &str) -> pj_str_t {
    pj_str_t { ptr: s.as_ptr() as *mut c_char, slen: s.len() as _ }
}

/// Callbacks seen for the current input.
static CALLBACKS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn on_reg(param: *mut pjsip_regc_cbparam) {
    CALLBACKS.fetch_add(1, Ordering::SeqCst);
    let p = &*param;
    assert!((0..=10).contains(&p.contact_cnt), "contact_cnt {}", p.contact_cnt);
    assert!(p.reason.slen >= 0);
    for &c in &p.contact[..p.contact_cnt as usize] {
        assert!(!c.is_null());
        let _ = cobj::contact_from_c(c);
        let _ = print_hdr(c as *const c_void);
        let _ = ((*c).expires, (*c).q1000, (*c).star);
    }
    if let Some(rd) = p.rdata.as_mut() {
        let msg = rd.msg_info.msg;
        if !msg.is_null() {
            walk_headers(rd.tp_info.pool, msg);
            let _ = cobj::msg_print(msg);
        }
        assert!(!pjsip_rx_data_get_info(rd).is_null());
    }
}

/// The value of the first header named `name` (full or compact form).
fn header<'a>(req: &'a str, names: &[&str]) -> &'a str {
    req.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            names.iter().any(|x| n.trim().eq_ignore_ascii_case(x)).then(|| v.trim())
        })
        .unwrap_or("")
}

fn answer(template: &[u8], req: &str) -> Vec<u8> {
    let subs = [
        (b'V', header(req, &["Via", "v"])),
        (b'C', header(req, &["CSeq"])),
        (b'I', header(req, &["Call-ID", "i"])),
        (b'F', header(req, &["From", "f"])),
        (b'T', header(req, &["To", "t"])),
    ];
    let mut out = Vec::with_capacity(template.len() + 256);
    let mut i = 0;
    while i < template.len() {
        if template[i] == b'$' {
            if let Some((_, v)) = template.get(i + 1).and_then(|k| subs.iter().find(|s| s.0 == *k)) {
                out.extend_from_slice(v.as_bytes());
                i += 2;
                continue;
            }
        }
        out.push(template[i]);
        i += 1;
    }
    out
}

/// Polls the endpoint until the registrar has a request (or a few polls
/// found none).
unsafe fn next_request(e: &Env) -> Option<(String, SocketAddr)> {
    let mut buf = vec![0u8; 65536];
    for _ in 0..20 {
        if let Ok((n, from)) = e.registrar.recv_from(&mut buf) {
            return Some((String::from_utf8_lossy(&buf[..n]).into_owned(), from));
        }
        let tick = pj_time_val { sec: 0, msec: 1 };
        pjsip_endpt_handle_events(e.endpt, &tick);
    }
    None
}

/// Ends any transaction still open (pjsip_regc does not retry a 500).
const FINAL: &[u8] =
    b"SIP/2.0 500 Server Error\r\nVia: $V\r\nFrom: $F\r\nTo: $T;tag=f\r\nCall-ID: $I\r\nCSeq: $C\r\nContent-Length: 0\r\n\r\n";

/// One REGISTER answered with the input's responses, then 500s.
pub fn endpoint(data: &[u8]) {
    let e = env().lock().unwrap_or_else(|p| p.into_inner());
    e.registrar.set_nonblocking(true).expect("nonblocking");
    let mut stale = [0u8; 2048];
    while e.registrar.recv_from(&mut stale).is_ok() {}
    let responses: Vec<&[u8]> = data.split(|&b| b == 0).take(4).collect();
    // SAFETY: the C API used as a C program would; strings outlive calls.
    unsafe {
        let mut regc = null_mut();
        assert_eq!(pjsip_regc_create(e.endpt, null_mut(), Some(on_reg), &mut regc), 0);
        let (srv, aor, contact) = (pj(&e.server), pj("sip:alice@127.0.0.1"), pj("<sip:alice@127.0.0.1:5070>"));
        assert_eq!(pjsip_regc_init(regc, &srv, &aor, &aor, 1, &contact, 60), 0);
        let mut cred: pjsip_cred_info = core::mem::zeroed();
        cred.realm = pj("*");
        cred.scheme = pj("digest");
        cred.username = pj("alice");
        cred.data = pj("secret");
        assert_eq!(pjsip_regc_set_credentials(regc, 1, &cred), 0);
        let mut tdata = null_mut();
        assert_eq!(pjsip_regc_register(regc, 0, &mut tdata), 0);
        CALLBACKS.store(0, Ordering::SeqCst);
        if pjsip_regc_send(regc, tdata) == 0 {
            let mut templates = responses.into_iter();
            let mut pending = next_request(&e);
            for _ in 0..12 {
                let Some((req, from)) = pending.take() else { break };
                let (reply, last) = match templates.next() {
                    Some(t) => (answer(t, &req), false),
                    None => (answer(FINAL, &req), true),
                };
                let _ = e.registrar.send_to(&reply, from);
                // A new request (an auth or 423 retry), else the same one
                // again: the reply may have ended nothing.
                pending = next_request(&e).or((!last).then_some((req, from)));
            }
            // The closing 500, if nothing earlier, ends the registration.
            assert!(CALLBACKS.load(Ordering::SeqCst) > 0, "no callback");
        }
        pjsip_regc_destroy(regc);
        let tick = pj_time_val { sec: 0, msec: 0 };
        pjsip_endpt_handle_events(e.endpt, &tick);
    }
}
