//! DNS resolution of a SIP target as pjsip does it with a resolver set on
//! the endpoint (RFC 3263 without NAPTR): a name without an explicit port
//! is looked up as SRV (`_sip._udp`, `_sip._tcp` or `_sips._tcp` after the
//! transport), the records ordered by priority and then by weighted random
//! choice (RFC 2782), and the addresses of every target are looked up in
//! that order (the request goes to the first; the next ones are tried
//! when a connection to it fails);
//! without SRV records the name itself is looked up with the transport's
//! default port. A name with a port is looked up as A (or AAAA) only.
//!
//! Sans-IO: [`Lookup`] says which question to ask next and takes the
//! answers; the endpoint sends the queries, retransmits them and reads the
//! clock. Messages are encoded and decoded by hickory-proto.

use super::resolve::Kind;
use crate::status::*;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use std::net::{IpAddr, SocketAddr};

/// pjlib-util's default delay between retransmissions of a query
/// (`PJ_DNS_RESOLVER_QUERY_RETRANSMIT_DELAY`), in ms.
pub const DEFAULT_RETRANSMIT_MS: u32 = 2000;
/// pjlib-util's default number of transmissions of a query
/// (`PJ_DNS_RESOLVER_QUERY_RETRANSMIT_COUNT`).
pub const DEFAULT_RETRANSMIT_COUNT: u32 = 5;

/// A resolver's configuration: its nameservers and retransmission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The nameservers, tried in turn on each retransmission.
    pub servers: Vec<SocketAddr>,
    /// Delay between transmissions of a query, in ms.
    pub retransmit_ms: u32,
    /// Transmissions of a query (the first included) before it fails
    /// with PJ_ETIMEDOUT, one `retransmit_ms` after the last, as
    /// pjlib-util counts its `qretr_count`.
    pub retransmit_count: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { servers: Vec::new(), retransmit_ms: DEFAULT_RETRANSMIT_MS, retransmit_count: DEFAULT_RETRANSMIT_COUNT }
    }
}

/// A resolver as the endpoint and C share it.
#[derive(Debug, Default)]
pub struct Resolver {
    /// Its settings, read when a lookup starts.
    pub settings: parking_lot::Mutex<Settings>,
}

/// A question to put to the nameserver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The name asked about.
    pub name: String,
    /// SRV, A or AAAA.
    pub rtype: RecordType,
}

/// What a response to a question said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// SRV records: (priority, weight, port, target).
    pub srv: Vec<(u16, u16, u16, String)>,
    /// Addresses from A/AAAA records (of the answer and additional sections).
    pub addrs: Vec<IpAddr>,
}

/// The query message for `q` with transaction `id`, recursion desired.
pub fn encode_query(id: u16, q: &Question) -> Result<Vec<u8>, Status> {
    let name = Name::from_ascii(&q.name).map_err(|_| PJ_EINVAL)?;
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.add_query(Query::query(name, q.rtype));
    msg.to_vec().map_err(|_| PJ_EINVAL)
}

/// Decodes a response to query `id` about `q`. None when the datagram is
/// not that response (garbage, another id or question): it is dropped.
/// Some(Err) for an error rcode, as pjlib-util's status codes.
pub fn decode_response(bytes: &[u8], id: u16, q: &Question) -> Option<Result<Answer, Status>> {
    let msg = Message::from_vec(bytes).ok()?;
    if msg.metadata.id != id || msg.metadata.message_type != MessageType::Response {
        return None;
    }
    let asked = msg.queries.first()?;
    let asked_name = asked.name().to_ascii();
    if asked.query_type() != q.rtype
        || !asked_name.trim_end_matches('.').eq_ignore_ascii_case(q.name.trim_end_matches('.'))
    {
        return None;
    }
    let status = match msg.metadata.response_code {
        ResponseCode::NoError => PJ_SUCCESS,
        ResponseCode::FormErr => PJLIB_UTIL_EDNS_FORMERR,
        ResponseCode::ServFail => PJLIB_UTIL_EDNS_SERVFAIL,
        ResponseCode::NXDomain => PJLIB_UTIL_EDNS_NXDOMAIN,
        ResponseCode::NotImp => PJLIB_UTIL_EDNS_NOTIMPL,
        ResponseCode::Refused => PJLIB_UTIL_EDNS_REFUSED,
        _ => PJLIB_UTIL_EDNSINANSWER,
    };
    if status != PJ_SUCCESS {
        return Some(Err(status));
    }
    let mut answer = Answer { srv: Vec::new(), addrs: Vec::new() };
    for rec in msg.answers.iter().chain(msg.additionals.iter()) {
        match &rec.data {
            RData::SRV(s) if q.rtype == RecordType::SRV => {
                let target = s.target.to_ascii();
                answer.srv.push((s.priority, s.weight, s.port, target.trim_end_matches('.').to_string()));
            }
            RData::A(a) if q.rtype == RecordType::A => answer.addrs.push(IpAddr::V4(a.0)),
            RData::AAAA(a) if q.rtype == RecordType::AAAA => answer.addrs.push(IpAddr::V6(a.0)),
            _ => {}
        }
    }
    if answer.srv.is_empty() && answer.addrs.is_empty() {
        return Some(Err(PJLIB_UTIL_EDNSNOANSWERREC));
    }
    Some(Ok(answer))
}

/// Orders SRV records as RFC 2782 says: by priority, and within one
/// priority by repeated weighted random choice (weight 0 records get a
/// small chance, first among equals). `random` gives uniform numbers.
pub fn order_srv(mut recs: Vec<(u16, u16, u16, String)>, random: &mut dyn FnMut() -> u32) -> Vec<(u16, u16, u16, String)> {
    recs.sort_by_key(|r| (r.0, r.1 != 0));
    let mut out = Vec::with_capacity(recs.len());
    while !recs.is_empty() {
        let prio = recs[0].0;
        let end = recs.iter().position(|r| r.0 != prio).unwrap_or(recs.len());
        let mut group: Vec<_> = recs.drain(..end).collect();
        while !group.is_empty() {
            let total: u64 = group.iter().map(|r| u64::from(r.1)).sum();
            let pick = u64::from(random()) % (total + 1);
            let mut run = 0u64;
            let idx = group
                .iter()
                .position(|r| {
                    run += u64::from(r.1);
                    run >= pick
                })
                .unwrap_or(0);
            out.push(group.remove(idx));
        }
    }
    out
}

/// Where a lookup stands.
#[derive(Debug)]
enum Stage {
    /// Waiting for the SRV answer.
    Srv,
    /// Waiting for the addresses of SRV target `idx` of `targets`, with
    /// those of the targets before it.
    Target { targets: Vec<(String, u16)>, idx: usize, found: Vec<SocketAddr> },
    /// Waiting for the addresses of the name itself.
    Host,
}

/// What to do after an answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Ask this question.
    Ask(Question),
    /// The lookup is over: the destinations in order, or why none.
    Done(Result<Vec<SocketAddr>, Status>),
}

/// One resolution of a SIP target's host.
#[derive(Debug)]
pub struct Lookup {
    kind: Kind,
    host: String,
    port: Option<u16>,
    rtype: RecordType,
    stage: Stage,
}

impl Lookup {
    /// Starts resolving `host` (a name, not an address) for `kind`, with
    /// the URI's port if it has one; `v6` asks AAAA instead of A. Returns
    /// the lookup and its first question.
    pub fn start(kind: Kind, host: &str, port: Option<u16>, v6: bool) -> (Lookup, Question) {
        let host = host.trim_end_matches('.').to_string();
        let rtype = if v6 { RecordType::AAAA } else { RecordType::A };
        let (stage, q) = match port {
            Some(_) => (Stage::Host, Question { name: host.clone(), rtype }),
            None => {
                let prefix = match kind {
                    Kind::Udp => "_sip._udp.",
                    Kind::Tcp => "_sip._tcp.",
                    Kind::Tls => "_sips._tcp.",
                };
                (Stage::Srv, Question { name: format!("{prefix}{host}"), rtype: RecordType::SRV })
            }
        };
        (Lookup { kind, host, port, rtype, stage }, q)
    }

    /// The transport the lookup is for.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Takes the outcome of the current question (an answer, or the error
    /// that ended it: an rcode, or PJ_ETIMEDOUT).
    pub fn on_answer(&mut self, result: Result<Answer, Status>, random: &mut dyn FnMut() -> u32) -> Next {
        match std::mem::replace(&mut self.stage, Stage::Host) {
            Stage::Srv => {
                let recs = match result {
                    Ok(a) => order_srv(a.srv, random),
                    Err(_) => Vec::new(),
                };
                if recs.is_empty() {
                    // No SRV: the name itself, on the default port (as
                    // pjsip's fallback to A).
                    self.port = Some(self.kind.default_port());
                    return Next::Ask(Question { name: self.host.clone(), rtype: self.rtype });
                }
                let targets: Vec<(String, u16)> = recs.into_iter().map(|r| (r.3, r.2)).collect();
                let q = Question { name: targets[0].0.clone(), rtype: self.rtype };
                self.stage = Stage::Target { targets, idx: 0, found: Vec::new() };
                Next::Ask(q)
            }
            Stage::Target { targets, idx, mut found } => {
                let port = targets[idx].1;
                let error = match result {
                    Ok(a) => {
                        found.extend(a.addrs.into_iter().map(|ip| SocketAddr::new(ip, port)));
                        PJLIB_UTIL_EDNSNOANSWERREC
                    }
                    Err(e) => e,
                };
                if idx + 1 < targets.len() {
                    let q = Question { name: targets[idx + 1].0.clone(), rtype: self.rtype };
                    self.stage = Stage::Target { targets, idx: idx + 1, found };
                    Next::Ask(q)
                } else if found.is_empty() {
                    Next::Done(Err(error))
                } else {
                    Next::Done(Ok(found))
                }
            }
            Stage::Host => {
                let port = self.port.unwrap_or(self.kind.default_port());
                match result {
                    Ok(a) if !a.addrs.is_empty() => {
                        Next::Done(Ok(a.addrs.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()))
                    }
                    Ok(_) => Next::Done(Err(PJLIB_UTIL_EDNSNOANSWERREC)),
                    Err(e) => Next::Done(Err(e)),
                }
            }
        }
    }
}

/// The status code a transaction ends with when resolution fails with
/// `status`: 502 for a name that does not exist, 503 otherwise (pjsip).
pub fn failure_code(status: Status) -> u16 {
    if status == PJ_ERESOLVE || status == PJLIB_UTIL_EDNS_NXDOMAIN || status == PJ_ECANCELLED {
        502
    } else {
        503
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, SRV};
    use std::net::Ipv4Addr;
    use hickory_proto::rr::Record;

    fn response(id: u16, q: &Question, rcode: ResponseCode, data: Vec<RData>) -> Vec<u8> {
        let mut m = Message::new(id, MessageType::Response, OpCode::Query);
        m.metadata.response_code = rcode;
        let name = Name::from_ascii(&q.name).unwrap();
        m.add_query(Query::query(name.clone(), q.rtype));
        for d in data {
            m.answers.push(Record::from_rdata(name.clone(), 60, d));
        }
        m.to_vec().unwrap()
    }

    fn srv(p: u16, w: u16, port: u16, t: &str) -> RData {
        RData::SRV(SRV::new(p, w, port, Name::from_ascii(t).unwrap()))
    }

    #[test]
    fn srv_then_a() {
        let (mut l, q) = Lookup::start(Kind::Udp, "example.test", None, false);
        assert_eq!(q, Question { name: "_sip._udp.example.test".into(), rtype: RecordType::SRV });
        let bytes = encode_query(7, &q).unwrap();
        assert!(Message::from_vec(&bytes).unwrap().metadata.recursion_desired);
        let resp = response(7, &q, ResponseCode::NoError, vec![srv(20, 0, 5070, "b.test."), srv(10, 5, 5080, "a.test.")]);
        assert_eq!(decode_response(&resp, 8, &q), None, "another id is not the response");
        let ans = decode_response(&resp, 7, &q).unwrap();
        let mut rnd = || 0u32;
        let Next::Ask(q2) = l.on_answer(ans, &mut rnd) else { panic!() };
        assert_eq!(q2, Question { name: "a.test".into(), rtype: RecordType::A });
        // a.test has no address: the next target.
        let Next::Ask(q3) = l.on_answer(Err(PJLIB_UTIL_EDNS_NXDOMAIN), &mut rnd) else { panic!() };
        assert_eq!(q3.name, "b.test");
        let resp = response(9, &q3, ResponseCode::NoError, vec![RData::A(A(Ipv4Addr::new(127, 0, 0, 2)))]);
        let ans = decode_response(&resp, 9, &q3).unwrap();
        assert_eq!(l.on_answer(ans, &mut rnd), Next::Done(Ok(vec!["127.0.0.2:5070".parse().unwrap()])));
    }

    #[test]
    fn no_srv_falls_back_to_host_and_nxdomain_fails() {
        let (mut l, q) = Lookup::start(Kind::Tls, "h.test", None, false);
        assert_eq!(q.name, "_sips._tcp.h.test");
        let resp = response(1, &q, ResponseCode::NXDomain, vec![]);
        let ans = decode_response(&resp, 1, &q).unwrap();
        assert_eq!(ans, Err(PJLIB_UTIL_EDNS_NXDOMAIN));
        let mut rnd = || 0u32;
        assert_eq!(l.on_answer(ans, &mut rnd), Next::Ask(Question { name: "h.test".into(), rtype: RecordType::A }));
        assert_eq!(l.on_answer(Err(PJLIB_UTIL_EDNS_NXDOMAIN), &mut rnd), Next::Done(Err(PJLIB_UTIL_EDNS_NXDOMAIN)));
        assert_eq!(failure_code(PJLIB_UTIL_EDNS_NXDOMAIN), 502);
        assert_eq!(failure_code(PJ_ETIMEDOUT), 503);
    }

    #[test]
    fn explicit_port_asks_addresses_only() {
        let (mut l, q) = Lookup::start(Kind::Tcp, "h.test", Some(5999), true);
        assert_eq!(q, Question { name: "h.test".into(), rtype: RecordType::AAAA });
        let ans = Answer { srv: vec![], addrs: vec!["::1".parse().unwrap()] };
        assert_eq!(l.on_answer(Ok(ans), &mut || 0), Next::Done(Ok(vec!["[::1]:5999".parse().unwrap()])));
    }

    #[test]
    fn srv_order_priority_then_weight() {
        let recs = vec![(2, 0, 1, "c".to_string()), (1, 1, 2, "b".to_string()), (1, 9, 3, "a".to_string())];
        let names = |v: Vec<(u16, u16, u16, String)>| v.into_iter().map(|r| r.3).collect::<Vec<_>>();
        // A pick of 0..=1 lands on b (running sum 1), 2..=10 on a.
        assert_eq!(names(order_srv(recs.clone(), &mut || 0)), ["b", "a", "c"]);
        assert_eq!(names(order_srv(recs, &mut || 5)), ["a", "b", "c"]);
    }

    #[test]
    fn garbage_is_dropped() {
        let q = Question { name: "x.test".into(), rtype: RecordType::A };
        assert_eq!(decode_response(b"\x00\x01garbage", 1, &q), None);
        assert_eq!(decode_response(&[], 1, &q), None);
    }
}
