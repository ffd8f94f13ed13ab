//! Endpoint tests over real loopback sockets: a tiny TCP "registrar" runs
//! in a thread and answers each REGISTER with a 200 echoing Via and CSeq
//! (with the other headers pjsip requires in a response).

use super::*;
use crate::reg::{OutHeader, Request};
use crate::sip::{parse_uri, CSeq};
use crate::transport::StreamListener;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
struct Recorder {
    finals: Mutex<Vec<(u16, String, Option<TransportId>, bool)>>,
    in_send: AtomicBool,
}

impl Owner for Recorder {
    fn on_tsx_final(self: Arc<Self>, _ep: &Arc<Endpoint>, fin: TsxFinal) {
        let inside = self.in_send.load(Ordering::SeqCst);
        self.finals.lock().push((fin.code, fin.reason, fin.transport, inside));
    }
    fn on_timer(self: Arc<Self>, _ep: &Arc<Endpoint>, _token: u64) {}
    fn on_shutdown(self: Arc<Self>) {}
}

fn request(uri: &str, cseq: u32) -> Request {
    Request {
        method: "REGISTER".into(),
        uri: parse_uri(uri).expect("uri"),
        headers: vec![OutHeader::CSeq(CSeq { seq: cseq, method: "REGISTER".into() })],
        body: Vec::new(),
    }
}

fn send(ep: &Arc<Endpoint>, rec: &Arc<Recorder>, uri: &str, cseq: u32, sel: Selection) -> Result<TransportId, Status> {
    rec.in_send.store(true, Ordering::SeqCst);
    let owner: Arc<dyn Owner> = rec.clone();
    let r = ep.send_request(owner, &request(uri, cseq), Timers::DEFAULT, Timers::DEFAULT.t1, sel, None, format!("z9hG4bKtest{cseq}"));
    rec.in_send.store(false, Ordering::SeqCst);
    r.map(|tp| tp.expect("no DNS lookup without a resolver"))
}

fn pump_until(ep: &Arc<Endpoint>, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() && Instant::now() < deadline {
        ep.handle_events(Some(Duration::from_millis(10)));
    }
}

/// Accepts connections and answers every message with a 200 (Via and
/// CSeq copied); returns the port and the number of connections accepted.
fn fake_registrar(close_after_first: bool) -> (u16, Arc<Mutex<usize>>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let accepted = Arc::new(Mutex::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            *count.lock() += 1;
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let msg = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..end + 4);
                        let line = |name: &str| msg.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
                        let resp = format!(
                            "SIP/2.0 200 OK\r\n{}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\n{}\r\nContent-Length: 0\r\n\r\n",
                            line("Via:"),
                            line("CSeq:")
                        );
                        if s.write_all(resp.as_bytes()).is_err() {
                            return;
                        }
                        if close_after_first {
                            // Leave the client time to take a hold first.
                            std::thread::sleep(Duration::from_millis(150));
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, accepted)
}

fn endpoint_with_tcp() -> (Arc<Endpoint>, TransportId) {
    let ep = Endpoint::new().expect("endpoint");
    let l = StreamListener::bind("127.0.0.1:0".parse().expect("addr"), true).expect("listen");
    let lid = ep.add_listener(Kind::Tcp, l, None, None);
    (ep, lid)
}

#[test]
fn one_connection_carries_every_request_to_a_destination() {
    let (ep, lid) = endpoint_with_tcp();
    let (port, accepted) = fake_registrar(false);
    let rec = Arc::new(Recorder::default());
    let uri = format!("sip:127.0.0.1:{port};transport=tcp");
    let a = send(&ep, &rec, &uri, 1, Selection::default()).expect("send");
    let b = send(&ep, &rec, &uri, 2, Selection::default()).expect("send");
    assert_eq!(a, b);
    assert_ne!(a, lid);
    pump_until(&ep, || rec.finals.lock().len() == 2);
    let finals = rec.finals.lock().clone();
    assert!(finals.iter().all(|f| f.0 == 200 && f.2 == Some(a) && !f.3));
    assert_eq!(*accepted.lock(), 1);
    let info = ep.transport_info(a).expect("alive");
    assert_eq!(info.kind, Kind::Tcp);
    assert_eq!(info.listener, Some(lid));
    assert_eq!(info.remote.map(|r| r.port()), Some(port));
    // The Via sent-by is the connection's own address.
    assert_eq!(info.published, (info.local.ip().to_string(), info.local.port()));
    // Without reuse, a second connection.
    let c = send(&ep, &rec, &uri, 3, Selection { selector: Selector::Any, no_reuse: true }).expect("send");
    assert_ne!(c, a);
    pump_until(&ep, || rec.finals.lock().len() == 3);
    assert_eq!(*accepted.lock(), 2);
}

#[test]
fn refused_connection_fails_from_the_loop_with_503() {
    let (ep, _) = endpoint_with_tcp();
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let rec = Arc::new(Recorder::default());
    let tp = send(&ep, &rec, &format!("sip:127.0.0.1:{port};transport=tcp"), 1, Selection::default()).expect("send");
    assert!(rec.finals.lock().is_empty());
    pump_until(&ep, || !rec.finals.lock().is_empty());
    let finals = rec.finals.lock().clone();
    assert_eq!(finals, vec![(503, "Connection refused".to_string(), Some(tp), false)]);
    // Nobody holds it: the failed connection is gone.
    assert!(!ep.transport_alive(tp));
    assert_eq!(ep.connection_count(), 0);
}

#[test]
fn no_listener_means_unsupported_transport_at_once() {
    let ep = Endpoint::new().expect("endpoint");
    let rec = Arc::new(Recorder::default());
    let r = send(&ep, &rec, "sip:127.0.0.1:5060;transport=tcp", 1, Selection::default());
    assert_eq!(r, Err(PJSIP_EUNSUPTRANSPORT));
    assert_eq!(rec.finals.lock().clone(), vec![(503, crate::status::text(PJSIP_EUNSUPTRANSPORT), None, true)]);
    let r = send(&ep, &rec, "sip:127.0.0.1:5060;transport=sctp", 2, Selection::default());
    assert_eq!(r, Err(PJSIP_EUNSUPTRANSPORT));
}

#[test]
fn a_held_connection_outlives_its_close_and_goes_with_the_last_release() {
    let (ep, _) = endpoint_with_tcp();
    let (port, accepted) = fake_registrar(true);
    let rec = Arc::new(Recorder::default());
    let uri = format!("sip:127.0.0.1:{port};transport=tcp");
    let first = send(&ep, &rec, &uri, 1, Selection::default()).expect("send");
    pump_until(&ep, || rec.finals.lock().len() == 1);
    ep.hold(first);
    // The server closes after its answer; the object stays while held.
    pump_until(&ep, || ep.inner.lock().by_dest.is_empty());
    assert!(ep.transport_alive(first));
    // A new request to the same place opens a new connection.
    let second = send(&ep, &rec, &uri, 2, Selection::default()).expect("send");
    assert_ne!(second, first);
    pump_until(&ep, || rec.finals.lock().len() == 2);
    assert_eq!(rec.finals.lock()[1].0, 200);
    assert_eq!(*accepted.lock(), 2);
    ep.release(first);
    assert!(!ep.transport_alive(first));
    // A closed connection cannot be selected any more.
    let r = send(&ep, &rec, &uri, 3, Selection { selector: Selector::Transport(first), no_reuse: false });
    assert_eq!(r, Err(PJSIP_ETPNOTAVAIL));
}

#[test]
fn reliable_transactions_are_sent_once_and_time_out_with_timer_f() {
    let (ep, _) = endpoint_with_tcp();
    // A server that reads and never answers.
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let got = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = s.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                sink.lock().extend_from_slice(&chunk[..n]);
            }
        }
    });
    let rec = Arc::new(Recorder::default());
    let owner: Arc<dyn Owner> = rec.clone();
    let timers = Timers { t1: 50, t2: 200, t4: 500, td: 400 };
    let req = request(&format!("sip:127.0.0.1:{port};transport=tcp"), 7);
    ep.send_request(owner, &req, timers, timers.t1, None, None, "z9hG4bKonce".into()).expect("send");
    pump_until(&ep, || !rec.finals.lock().is_empty());
    assert_eq!(rec.finals.lock()[0].0, 408);
    let text = String::from_utf8_lossy(&got.lock()).into_owned();
    assert_eq!(text.matches("REGISTER sip:").count(), 1);
    assert!(text.contains("Via: SIP/2.0/TCP 127.0.0.1:"));
    assert!(text.contains(";rport;branch=z9hG4bKonce;alias\r\n"));
}

/// A UDP socket standing in for a registrar that has no TCP listener.
fn udp_peer() -> (std::net::UdpSocket, u16) {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    s.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let port = s.local_addr().expect("addr").port();
    (s, port)
}

fn padded(uri: &str, pad: usize) -> Request {
    let mut r = request(uri, 1);
    r.headers.push(OutHeader::Other { name: "X-Pad".into(), value: "p".repeat(pad) });
    r
}

#[test]
fn large_request_tries_tcp_then_falls_back_to_udp() {
    let (ep, _) = endpoint_with_tcp();
    let udp = UdpTransport::bind("127.0.0.1:0".parse().expect("addr"), None).expect("udp");
    ep.add_transport(udp);
    let (peer, port) = udp_peer();
    let rec = Arc::new(Recorder::default());
    let owner: Arc<dyn Owner> = rec.clone();
    let uri = format!("sip:127.0.0.1:{port}");
    let tp = ep
        .send_request(owner, &padded(&uri, 1400), Timers::DEFAULT, Timers::DEFAULT.t1, Selection::default(), None, "z9hG4bKbig".into())
        .expect("send")
        .expect("sent at once");
    // The first choice is a TCP connection; refused, the request leaves over UDP.
    assert_eq!(ep.transport_info(tp).map(|i| i.kind), Some(Kind::Tcp));
    let mut buf = [0u8; 4096];
    let got = std::thread::scope(|s| {
        let h = s.spawn(|| peer.recv_from(&mut buf).map(|(n, _)| n));
        pump_until(&ep, || h.is_finished());
        h.join().expect("join")
    });
    let n = got.expect("datagram");
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(text.contains("Via: SIP/2.0/UDP "), "{text}");
    assert!(!text.contains(";alias"));
    assert!(rec.finals.lock().is_empty(), "the transaction goes on over UDP");
}

#[test]
fn small_request_and_disabled_switch_stay_on_udp() {
    let (ep, _) = endpoint_with_tcp();
    let udp = UdpTransport::bind("127.0.0.1:0".parse().expect("addr"), None).expect("udp");
    let uid = ep.add_transport(udp);
    let rec = Arc::new(Recorder::default());
    let uri = "sip:127.0.0.1:9";
    let send_padded = |pad: usize| {
        let owner: Arc<dyn Owner> = rec.clone();
        ep.send_request(owner, &padded(uri, pad), Timers::DEFAULT, Timers::DEFAULT.t1, Selection::default(), None, format!("z9hG4bK{pad}"))
    };
    assert_eq!(send_padded(100), Ok(Some(uid)));
    ep.set_config_source(|| RuntimeConfig { tcp_switch: false, ..RuntimeConfig::default() });
    assert_eq!(send_padded(1400), Ok(Some(uid)));
    ep.set_config_source(RuntimeConfig::default);
    assert_ne!(send_padded(1500), Ok(Some(uid)));
}

#[derive(Default)]
struct TimerSeen(Mutex<Option<Instant>>);

impl Owner for TimerSeen {
    fn on_tsx_final(self: Arc<Self>, _ep: &Arc<Endpoint>, _fin: TsxFinal) {}
    fn on_timer(self: Arc<Self>, _ep: &Arc<Endpoint>, _token: u64) {
        *self.0.lock() = Some(Instant::now());
    }
    fn on_shutdown(self: Arc<Self>) {}
}

/// Work added by another thread reaches a thread blocked in the loop: the
/// eventfd is written while someone polls.
#[test]
fn a_timer_scheduled_from_another_thread_wakes_the_poller() {
    let ep = Endpoint::new().expect("endpoint");
    let seen = Arc::new(TimerSeen::default());
    let poller = {
        let ep = ep.clone();
        let seen = seen.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(5);
            while seen.0.lock().is_none() && Instant::now() < deadline {
                // Long enough that only a wake-up makes the timer on time.
                ep.handle_events(Some(Duration::from_secs(3)));
            }
        })
    };
    // Let the poller block first (no timers, no transports).
    std::thread::sleep(Duration::from_millis(100));
    let owner: Arc<dyn Owner> = seen.clone();
    let asked = Instant::now();
    ep.schedule(ep.now() + 20, Arc::downgrade(&owner), 1);
    poller.join().expect("poller");
    let fired = seen.0.lock().expect("the timer fired");
    assert!(fired.duration_since(asked) < Duration::from_millis(1000), "{:?}", fired.duration_since(asked));
}

/// A UDP transaction answered stays for Timer K to absorb retransmitted
/// responses, but lets its owner and its request go at once: an owner
/// destroyed right after its callback is freed then, not 5 s later.
#[test]
fn a_completed_transaction_keeps_neither_owner_nor_request() {
    let ep = Endpoint::new().expect("endpoint");
    let udp = UdpTransport::bind("127.0.0.1:0".parse().expect("addr"), None).expect("udp");
    ep.add_transport(udp);
    let (peer, port) = udp_peer();
    let rec = Arc::new(Recorder::default());
    send(&ep, &rec, &format!("sip:127.0.0.1:{port}"), 7, Selection::default()).expect("send");
    assert_eq!(Arc::strong_count(&rec), 2, "a pending transaction holds its owner");
    let mut buf = [0u8; 4096];
    let (n, from) = peer.recv_from(&mut buf).expect("request");
    let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
    let line = |name: &str| msg.lines().find(|l| l.starts_with(name)).unwrap_or_default().to_string();
    let resp = format!(
        "SIP/2.0 200 OK\r\n{}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\n{}\r\nContent-Length: 0\r\n\r\n",
        line("Via:"),
        line("CSeq:")
    );
    peer.send_to(resp.as_bytes(), from).expect("response");
    pump_until(&ep, || !rec.finals.lock().is_empty());
    assert_eq!(rec.finals.lock().first().map(|f| f.0), Some(200));
    assert_eq!(ep.pending_transactions(), 1, "Timer K keeps the transaction");
    assert_eq!(Arc::strong_count(&rec), 1, "the completed transaction let its owner go");
    // A retransmitted 200 is still absorbed, without a second outcome.
    peer.send_to(resp.as_bytes(), from).expect("response again");
    for _ in 0..5 {
        ep.handle_events(Some(Duration::from_millis(10)));
    }
    assert_eq!(rec.finals.lock().len(), 1);
}
