//! Scenario tests of the registration state machine in virtual time.

use super::template::Target;
use super::*;
use crate::auth::Credential;

/// Deterministic randomness: an incrementing byte stream.
struct Counter(u8);
impl Random for Counter {
    fn fill(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
    }
}

struct Env {
    tpl: Template,
    rnd: Counter,
    allow: Option<Vec<String>>,
    check_contact: bool,
    challenges: Vec<(bool, String)>,
}

impl Env {
    fn new() -> Self {
        Env { tpl: Template::default(), rnd: Counter(0), allow: None, check_contact: true, challenges: Vec::new() }
    }
    fn build(&mut self) -> RustOutbox<'_> {
        RustOutbox {
            tpl: &mut self.tpl,
            request_headers: &|| vec![OutHeader::MaxForwards(70)],
            allow: self.allow.as_deref(),
            rnd: &mut self.rnd,
            check_contact: self.check_contact,
            challenges: &self.challenges,
        }
    }
    /// pjsip_regc_init as the standalone driver does it.
    fn init(&mut self, reg: &mut Registration, srv: &str, from: &str, contacts: &[&str], expires: u32) -> Result<(), Status> {
        if expires == 0 {
            return Err(PJ_EINVAL);
        }
        let target = Target::parse(srv, from, from)?;
        let call_id = uuid(&mut self.rnd);
        reg.init(contacts, expires, 100, call_id, &mut self.rnd)?;
        self.tpl.target = Some(target);
        Ok(())
    }
}

fn contact_text(c: &Contact) -> String {
    let mut s = String::new();
    crate::sip::print_contact(c, &mut s);
    s
}

const SRV: &str = "sip:127.0.0.1:5060";
const AOR: &str = "<sip:alice@example.com>";
const CONTACT: &str = "<sip:alice@127.0.0.1:5070>";

fn registered(expires: u32) -> (Registration, Env) {
    let mut env = Env::new();
    let mut reg = Registration::new(false);
    env.init(&mut reg, SRV, AOR, &[CONTACT], expires).expect("init");
    (reg, env)
}

fn ok_response(contacts: &str, expires: Option<u32>) -> Outcome {
    Outcome::Response(ResponseInfo {
        code: 200,
        reason: "OK".into(),
        contacts: if contacts.is_empty() { vec![] } else { parse_contact_list(contacts).expect("parses") },
        expires,
        ..Default::default()
    })
}

fn names(req: &Request) -> Vec<&'static str> {
    req.headers
        .iter()
        .map(|h| match h {
            OutHeader::Route(_) => "Route",
            OutHeader::MaxForwards(_) => "Max-Forwards",
            OutHeader::From(_) => "From",
            OutHeader::To(_) => "To",
            OutHeader::CallId(_) => "Call-ID",
            OutHeader::CSeq(_) => "CSeq",
            OutHeader::Contact(_) => "Contact",
            OutHeader::Expires(_) => "Expires",
            OutHeader::Allow(_) => "Allow",
            OutHeader::Auth(_) => "Authorization",
            OutHeader::Other { .. } => "Other",
        })
        .collect()
}

fn send(reg: &mut Registration, env: &mut Env, autoreg: bool) -> Request {
    let mut req = reg.build_register(autoreg, &mut env.build()).expect("build");
    prepare_send(reg, env, &mut req);
    req
}

/// pjsip_regc_send's bookkeeping as the standalone driver does it: the
/// request is kept for the retry that answers its challenge.
fn prepare_send(reg: &mut Registration, env: &mut Env, req: &mut Request) {
    reg.prepare_send(req, &mut env.build()).expect("send");
    env.tpl.set_inflight(std::sync::Arc::new(req.clone()));
}

fn complete(reg: &mut Registration, env: &mut Env, outcome: Outcome, now: u64) -> Next<Request> {
    reg.tsx_ended();
    reg.finish(&outcome, now, &mut env.build())
}

#[test]
fn init_rejects_bad_input_and_keeps_state() {
    let mut env = Env::new();
    let mut reg = Registration::new(false);
    assert_eq!(env.init(&mut reg, SRV, AOR, &[CONTACT], 0), Err(PJ_EINVAL));
    assert_eq!(env.init(&mut reg, "bad uri", AOR, &[CONTACT], 60), Err(PJSIP_EINVALIDURI));
    assert_eq!(env.init(&mut reg, SRV, "<sip:x", &[CONTACT], 60), Err(PJSIP_EINVALIDURI));
    assert_eq!(env.init(&mut reg, SRV, AOR, &["*"], 60), Err(PJSIP_EINVALIDURI));
    assert!(reg.contacts().is_empty());
    assert_eq!(reg.build_register(true, &mut env.build()).err(), Some(PJ_EINVALIDOP));
}

#[test]
fn first_register_has_pjsip_header_order() {
    let (mut reg, mut env) = registered(300);
    env.allow = Some(vec!["REGISTER".into(), "OPTIONS".into()]);
    env.tpl.add_headers(vec![OutHeader::Other { name: "User-Agent".into(), value: "t".into() }]);
    let req = reg.build_register(true, &mut env.build()).expect("build");
    assert_eq!(
        names(&req),
        ["Max-Forwards", "From", "To", "Call-ID", "CSeq", "Other", "Contact", "Expires", "Allow"]
    );
    assert_eq!(req.expires(), Some(300));
    assert_eq!(reg.requested(), 1, "placeholder until sent");
}

#[test]
fn expires_header_quirk_follows_granted() {
    let (mut reg, mut env) = registered(300);
    send(&mut reg, &mut env, true);
    complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=300", None), 0);
    assert_eq!(reg.granted(), 300);
    reg.update_expires(300);
    let req = reg.build_register(true, &mut env.build()).expect("build");
    assert_eq!(req.expires(), None, "equal to granted: no Expires header");
    reg.update_expires(NOEXP);
    let req = reg.build_register(true, &mut env.build()).expect("build");
    assert_eq!(req.expires(), Some(NOEXP));
}

#[test]
fn noexp_at_init_sends_no_expires() {
    let (mut reg, mut env) = registered(NOEXP);
    let req = reg.build_register(true, &mut env.build()).expect("build");
    assert_eq!(req.expires(), None);
}

#[test]
fn cseq_and_call_id() {
    let (mut reg, mut env) = registered(60);
    let call_id = reg.call_id().to_string();
    assert_eq!(call_id.len(), 36);
    let r1 = send(&mut reg, &mut env, true);
    let seq = |r: &Request| r.headers.iter().find_map(|h| if let OutHeader::CSeq(c) = h { Some(c.seq) } else { None });
    assert_eq!(seq(&r1), Some(101));
    let mut r2 = reg.build_register(true, &mut env.build()).expect("build");
    assert_eq!(reg.prepare_send(&mut r2, &mut env.build()), Err(PJSIP_EBUSY));
    complete(&mut reg, &mut env, ok_response("", None), 0);
    prepare_send(&mut reg, &mut env, &mut r2);
    assert_eq!(seq(&r2), Some(102));
    assert_eq!(reg.call_id(), call_id);
    let tag = |r: &Request| r.headers.iter().find_map(|h| if let OutHeader::From(f) = h { f.tag.clone() } else { None });
    assert_ne!(tag(&r1), tag(&r2), "every new request gets a new From tag");
}

#[test]
fn update_contact_moves_old_ones_to_removal() {
    let (mut reg, mut env) = registered(60);
    reg.update_contact(&["<sip:alice@10.0.0.1:5070>", "sip:alice@127.0.0.1:5070"], &mut env.rnd).expect("ok");
    assert_eq!(reg.contacts().len(), 2);
    assert!(reg.removed_contacts().is_empty(), "sip:x equals <sip:x>: not removed");
    reg.update_contact(&["\"Alice\" <sip:alice@10.0.0.1:5070>"], &mut env.rnd).expect("ok");
    assert_eq!(reg.removed_contacts().len(), 2, "different display name makes a different contact");
    assert!(reg.removed_contacts().iter().all(|c| c.expires == Some(0)));
    assert_eq!(reg.update_contact(&["<bad"], &mut env.rnd), Err(PJSIP_EINVALIDURI));
    assert_eq!(reg.contacts().len(), 1, "failed update leaves the list untouched");
    let req = reg.build_register(true, &mut env.build()).expect("build");
    let contacts: Vec<_> = req.headers.iter().filter_map(|h| if let OutHeader::Contact(c) = h { Some(c.expires) } else { None }).collect();
    assert_eq!(contacts, [None, Some(0), Some(0)]);
    assert!(reg.removed_contacts().is_empty(), "removals go out once");
}

#[test]
fn unregister_and_unregister_all() {
    let (mut reg, mut env) = registered(60);
    let req = reg.build_unregister(&mut env.build()).expect("build");
    assert_eq!(names(&req), ["Max-Forwards", "From", "To", "Call-ID", "CSeq", "Contact", "Expires"]);
    assert_eq!(req.expires(), Some(0));
    assert_eq!(reg.requested(), 0);
    let mut req = reg.build_unregister_all(&mut env.build()).expect("build");
    assert!(matches!(req.headers[5], OutHeader::Contact(Contact { star: true, .. })));
    prepare_send(&mut reg, &mut env, &mut req);
    assert_eq!(reg.op(), Op::Unregistering);
    let Next::Callback(cb) = complete(&mut reg, &mut env, ok_response("", None), 0) else { panic!("callback") };
    assert!(cb.is_unreg);
    assert_eq!(cb.expiration, 0);
    assert_eq!(reg.granted(), 0);
    assert_eq!(reg.refresh_deadline(), None);
}

#[test]
fn success_schedules_refresh_and_reports() {
    let (mut reg, mut env) = registered(300);
    send(&mut reg, &mut env, true);
    let next = complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=120", None), 1_000);
    let Next::Callback(cb) = next else { panic!("callback") };
    assert_eq!(cb, Callback { status: 0, code: 200, reason: "OK".into(), expiration: 120, contact_count: 1, is_unreg: false });
    assert_eq!(reg.refresh_deadline(), Some(1_000 + 115_000));
    assert_eq!(reg.next_reg(1_000), 115);
    assert_eq!(reg.next_reg(200_000), 0);
    let req = reg.on_refresh_timer(&mut env.build()).expect("refresh");
    assert_eq!(req.expires(), Some(300), "300 still differs from the 120 granted");
    assert!(reg.autoreg());
}

#[test]
fn no_autoreg_means_no_refresh() {
    let (mut reg, mut env) = registered(300);
    send(&mut reg, &mut env, false);
    complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=120", None), 0);
    assert_eq!(reg.refresh_deadline(), None);
    assert_eq!(reg.next_reg(0), 0);
}

#[test]
fn failure_reports_requested_expiration() {
    let (mut reg, mut env) = registered(600);
    send(&mut reg, &mut env, true);
    let timeout = Outcome::NoResponse { code: 408, reason: "Request Timeout".into() };
    let Next::Callback(cb) = complete(&mut reg, &mut env, timeout, 0) else { panic!("callback") };
    assert_eq!((cb.code, cb.expiration, cb.status), (408, 600, 0));
    assert_eq!(reg.granted(), NOEXP);
    assert_eq!(reg.next_reg(0), NOEXP, "quirk: NOEXP while granted is unknown");
}

#[test]
fn failure_without_expires_header_reports_one() {
    let (mut reg, mut env) = registered(NOEXP);
    send(&mut reg, &mut env, true);
    let resp = Outcome::Response(ResponseInfo { code: 403, reason: "Forbidden".into(), ..Default::default() });
    let Next::Callback(cb) = complete(&mut reg, &mut env, resp, 0) else { panic!("callback") };
    assert_eq!((cb.code, cb.expiration, cb.contact_count), (403, 1, 0));
}

/// A 401/407 whose challenge the next outbox of `env` sees.
fn challenge(env: &mut Env, code: u16, nonce: &str) -> Outcome {
    env.challenges = vec![(code == 407, format!("Digest realm=\"test\", nonce=\"{nonce}\", qop=\"auth\""))];
    Outcome::Response(ResponseInfo {
        code,
        reason: if code == 401 { "Unauthorized".into() } else { "Proxy Authentication Required".into() },
        ..Default::default()
    })
}

/// The transaction ended with a challenge.
fn challenged(reg: &mut Registration, env: &mut Env, code: u16, nonce: &str) -> Next<Request> {
    let c = challenge(env, code, nonce);
    complete(reg, env, c, 0)
}

/// A 401 handled after the tsx callback step.
fn finish_challenge(reg: &mut Registration, env: &mut Env) -> Next<Request> {
    let c = challenge(env, 401, "n");
    reg.finish(&c, 0, &mut env.build())
}

fn with_credentials(env: &mut Env) {
    let cred = Credential {
        realm: "*".into(),
        scheme: "digest".into(),
        username: "alice".into(),
        data_type: 0,
        data: "secret".into(),
        algorithm_type: 0,
    };
    env.tpl.with_auth(|a| a.set_credentials(&[cred])).expect("credentials");
}

#[test]
fn auth_retry_keeps_tag_and_appends_authorization() {
    let (mut reg, mut env) = registered(60);
    with_credentials(&mut env);
    let first = send(&mut reg, &mut env, true);
    let Next::Resend { mut request, on_failure } = challenged(&mut reg, &mut env, 401, "n1") else {
        panic!("resend")
    };
    assert_eq!(names(&request).last(), Some(&"Authorization"));
    assert_eq!(on_failure.map(|c| c.code), Some(401));
    let from = |r: &Request| r.headers.iter().find_map(|h| if let OutHeader::From(f) = h { f.tag.clone() } else { None });
    assert_eq!(from(&first), from(&request));
    prepare_send(&mut reg, &mut env, &mut request);
    // Same nonce again, not stale: the credential failed.
    let Next::Callback(cb) = challenged(&mut reg, &mut env, 401, "n1") else { panic!("callback") };
    assert_eq!((cb.status, cb.code, cb.reason.as_str()), (PJSIP_EFAILEDCREDENTIAL, 401, "Unauthorized"));
}

#[test]
fn auth_without_credentials_fails() {
    let (mut reg, mut env) = registered(60);
    send(&mut reg, &mut env, true);
    let Next::Callback(cb) = challenged(&mut reg, &mut env, 407, "n") else { panic!("callback") };
    assert_eq!((cb.status, cb.code, cb.expiration), (PJSIP_ENOCREDENTIAL, 407, 60));
}

#[test]
fn tsx_callback_contacts_go_into_auth_retry() {
    let (mut reg, mut env) = registered(60);
    with_credentials(&mut env);
    send(&mut reg, &mut env, true);
    assert!(reg.tsx_ended());
    reg.apply_tsx_cb_contacts(401, &["<sip:alice@192.0.2.9:5070>"], &mut env.rnd).expect("contacts");
    let Next::Resend { request, .. } = finish_challenge(&mut reg, &mut env) else { panic!("resend") };
    let contacts: Vec<String> = request
        .headers
        .iter()
        .filter_map(|h| if let OutHeader::Contact(c) = h { Some(contact_text(c)) } else { None })
        .collect();
    assert_eq!(contacts, ["<sip:alice@192.0.2.9:5070>"], "never-bound contact is dropped, not removed");
}

fn too_brief(min: Option<u32>) -> Outcome {
    Outcome::Response(ResponseInfo { code: 423, reason: "Interval Too Brief".into(), min_expires: min, ..Default::default() })
}

#[test]
fn interval_too_brief_retries_with_min_expires() {
    let (mut reg, mut env) = registered(30);
    send(&mut reg, &mut env, true);
    let Next::Resend { mut request, .. } = complete(&mut reg, &mut env, too_brief(Some(60)), 0) else { panic!("resend") };
    assert_eq!(request.expires(), Some(60));
    prepare_send(&mut reg, &mut env, &mut request);
    // The registrar insists: already asked for >= Min-Expires, so it is final.
    let Next::Callback(cb) = complete(&mut reg, &mut env, too_brief(Some(60)), 0) else { panic!("callback") };
    assert_eq!((cb.code, cb.expiration), (423, 60));
}

#[test]
fn interval_too_brief_without_min_expires_guesses_once() {
    let (mut reg, mut env) = registered(30);
    send(&mut reg, &mut env, true);
    let Next::Resend { mut request, .. } = complete(&mut reg, &mut env, too_brief(None), 0) else { panic!("resend") };
    assert_eq!(request.expires(), Some(3601));
    prepare_send(&mut reg, &mut env, &mut request);
    let Next::Callback(cb) = complete(&mut reg, &mut env, too_brief(None), 0) else { panic!("callback") };
    assert_eq!(cb.code, 423);
}

#[test]
fn deleting_suppresses_callbacks_but_still_answers_challenges() {
    let (mut reg, mut env) = registered(60);
    with_credentials(&mut env);
    send(&mut reg, &mut env, true);
    reg.mark_deleting();
    assert!(!reg.tsx_ended(), "no tsx callback once deleting");
    let next = finish_challenge(&mut reg, &mut env);
    assert!(matches!(next, Next::Resend { on_failure: None, .. }));
    let (mut reg, mut env) = registered(60);
    send(&mut reg, &mut env, true);
    reg.mark_deleting();
    assert!(matches!(complete(&mut reg, &mut env, ok_response("", None), 0), Next::Nothing));
}

#[test]
fn delay_before_refresh_rules() {
    let (mut reg, mut env) = registered(300);
    assert_eq!(reg.set_delay_before_refresh(1000, 0), Ok(()), "anything passes before the first grant");
    assert_eq!(reg.set_delay_before_refresh(5, 0), Ok(()));
    send(&mut reg, &mut env, true);
    complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=100", None), 0);
    assert_eq!(reg.refresh_deadline(), Some(95_000));
    assert_eq!(reg.set_delay_before_refresh(101, 0), Err(PJ_ETOOBIG));
    reg.set_delay_before_refresh(40, 10_000).expect("ok");
    assert_eq!(reg.refresh_deadline(), Some(10_000 + 60_000), "rescheduled from granted");
}

#[test]
fn refresh_failure_callback() {
    let (reg, _env) = registered(60);
    let cb = reg.refresh_failed(PJ_ERESOLVE);
    assert_eq!(cb.code, 400);
    assert_eq!(cb.reason, "gethostbyname() has returned error (PJ_ERESOLVE)");
}

#[test]
fn xuid_is_added_to_sip_contacts() {
    let mut env = Env::new();
    let mut reg = Registration::new(true);
    env.init(&mut reg, SRV, AOR, &[CONTACT], 60).expect("init");
    let printed = contact_text(&reg.contacts()[0]);
    assert!(printed.contains(";x-uid="), "{printed}");
}

#[test]
fn a_zero_grant_to_a_registration_is_overruled_and_said_once() {
    let (mut reg, mut env) = registered(300);
    send(&mut reg, &mut env, true);
    let Next::Callback(cb) = complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=0", Some(40)), 0)
    else {
        panic!("callback")
    };
    assert_eq!(cb.expiration, 40);
    assert_eq!(reg.take_zero_overruled(), Some(40));
    assert_eq!(reg.take_zero_overruled(), None);
    send(&mut reg, &mut env, true);
    complete(&mut reg, &mut env, ok_response("<sip:alice@127.0.0.1:5070>;expires=60", None), 0);
    assert_eq!(reg.take_zero_overruled(), None, "a non-zero grant is not overruled");
}

#[test]
fn uuid_is_libuuid_layout() {
    struct Bytes;
    impl Random for Bytes {
        fn fill(&mut self, buf: &mut [u8]) {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (i as u8).wrapping_mul(17);
            }
        }
    }
    // 00 11 22 33 - 44 55 - 66 77 - 88 99 - aa bb cc dd ee ff, then the
    // version (4) and variant (10xx) bits.
    assert_eq!(uuid(&mut Bytes), "00112233-4455-4677-8899-aabbccddeeff");
}
