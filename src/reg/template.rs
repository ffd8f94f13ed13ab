//! The standalone build's side of a REGISTER: what it is built from (server,
//! From and To URIs, route set, added headers, the digest client session)
//! and the [`Outbox`] that writes it as the Rust message model.

use super::request::{OutHeader, Request};
use super::{uuid, Outbox};
use crate::auth::{ClientSession, Random};
use crate::sip::{parse_name_addr, parse_uri, CSeq, Contact, FromTo, NameAddr, Route, Uri, UriContext};
use crate::status::*;
use parking_lot::Mutex;
use std::sync::Arc;

/// The Request-URI, From and To of pjsip_regc_init, parsed.
#[derive(Clone, Debug)]
pub struct Target {
    /// The Request-URI.
    pub uri: Uri,
    /// From.
    pub from: NameAddr,
    /// To.
    pub to: NameAddr,
}

impl Target {
    /// The server URL as a URI, From and To as name-addr; any failure is
    /// PJSIP_EINVALIDURI.
    pub fn parse(srv_url: &str, from_url: &str, to_url: &str) -> Result<Target, Status> {
        Ok(Target {
            uri: parse_uri(srv_url).map_err(|_| PJSIP_EINVALIDURI)?,
            from: parse_name_addr(from_url).map_err(|_| PJSIP_EINVALIDURI)?,
            to: parse_name_addr(to_url).map_err(|_| PJSIP_EINVALIDURI)?,
        })
    }
}

/// What a regc's requests are built from in the standalone build.
pub struct Template {
    /// Set by `pjsip_regc_init`.
    pub target: Option<Target>,
    route_set: Vec<Route>,
    extra_headers: Vec<OutHeader>,
    auth: Arc<Mutex<ClientSession>>,
    auth_parent: Option<Arc<Mutex<ClientSession>>>,
    /// The request in flight, kept to be retried with credentials (shared
    /// with the send, which lets it go once it has left).
    inflight: Option<Arc<Request>>,
}

impl Default for Template {
    fn default() -> Self {
        Template {
            target: None,
            route_set: Vec::new(),
            extra_headers: Vec::new(),
            auth: Arc::new(Mutex::new(ClientSession::new())),
            auth_parent: None,
            inflight: None,
        }
    }
}

impl Template {
    /// `pjsip_regc_set_route_set`.
    pub fn set_route_set(&mut self, routes: Vec<Route>) {
        self.route_set = routes;
    }

    /// `pjsip_regc_add_headers`: appended to earlier ones.
    pub fn add_headers(&mut self, mut headers: Vec<OutHeader>) {
        self.extra_headers.append(&mut headers);
    }

    /// The auth session used for requests: the parent's when one is set.
    pub fn with_auth<R>(&mut self, f: impl FnOnce(&mut ClientSession) -> R) -> R {
        let session = self.auth_parent.as_ref().unwrap_or(&self.auth);
        let mut guard = session.lock();
        f(&mut guard)
    }

    /// The regc's own session (pjsip_regc_get_auth_sess).
    pub fn own_auth(&self) -> Arc<Mutex<ClientSession>> {
        self.auth.clone()
    }

    /// `pjsip_regc_set_auth_sess`.
    pub fn set_auth_parent(&mut self, parent: Option<Arc<Mutex<ClientSession>>>) {
        self.auth_parent = parent;
    }

    /// Keeps the request just stamped, which is being sent, for the retry
    /// that answers its challenge.
    pub fn set_inflight(&mut self, req: Arc<Request>) {
        self.inflight = Some(req);
    }

    /// Forgets the request in flight once its transaction is over (it is
    /// kept only to answer a challenge; an idle regc holds no request).
    pub fn end_inflight(&mut self) {
        self.inflight = None;
    }
}

/// Writes requests as the Rust model for one operation of the standalone
/// driver.
pub struct RustOutbox<'a> {
    /// The regc's template.
    pub tpl: &'a mut Template,
    /// The endpoint's request headers (Max-Forwards and whatever the
    /// application added), copied into every new request right after the
    /// route set, as pjsip does. Read only when a request is built (most
    /// outcomes build none).
    pub request_headers: &'a dyn Fn() -> Vec<OutHeader>,
    /// The endpoint's Allow capability, if it has one.
    pub allow: Option<&'a [String]>,
    /// For From tags and Via branches.
    pub rnd: &'a mut dyn Random,
    /// pjsip_cfg()->regc.check_contact.
    pub check_contact: bool,
    /// (is_proxy, header value) of every WWW-/Proxy-Authenticate of the
    /// response being handled, in order.
    pub challenges: &'a [(bool, String)],
}

impl Outbox for RustOutbox<'_> {
    type Req = Request;

    fn begin(&mut self, call_id: &str, cseq: u32) -> Result<Request, Status> {
        let Some(target) = self.tpl.target.clone() else {
            return Err(PJ_EINVALIDOP);
        };
        // Sized once: the route set, then at most about ten headers.
        let mut headers: Vec<OutHeader> = Vec::with_capacity(self.tpl.route_set.len() + 12);
        headers.extend(self.tpl.route_set.iter().cloned().map(OutHeader::Route));
        headers.extend((self.request_headers)());
        headers.push(OutHeader::From(FromTo { uri: target.from, tag: Some(uuid(self.rnd)), other_params: vec![] }));
        headers.push(OutHeader::To(FromTo { uri: target.to, tag: None, other_params: vec![] }));
        headers.push(OutHeader::CallId(call_id.to_string()));
        headers.push(OutHeader::CSeq(CSeq { seq: cseq, method: "REGISTER".into() }));
        let req_uri = crate::sip::uri_to_string(&target.uri, UriContext::ReqUri);
        let initial = self.tpl.with_auth(|a| a.init_req("REGISTER", &req_uri))?;
        headers.extend(initial.into_iter().map(OutHeader::Auth));
        headers.extend(self.tpl.extra_headers.iter().cloned());
        Ok(Request { method: "REGISTER".into(), uri: target.uri, headers, body: Vec::new() })
    }

    fn add_contact(&mut self, req: &mut Request, contact: &Contact) -> Result<(), Status> {
        req.headers.push(OutHeader::Contact(contact.clone()));
        Ok(())
    }

    fn add_star_contact(&mut self, req: &mut Request) -> Result<(), Status> {
        req.headers.push(OutHeader::Contact(Contact { star: true, uri: None, q1000: 0, expires: None, other_params: vec![] }));
        Ok(())
    }

    fn add_expires(&mut self, req: &mut Request, expires: u32) -> Result<(), Status> {
        req.headers.push(OutHeader::Expires(expires));
        Ok(())
    }

    fn add_allow(&mut self, req: &mut Request) -> Result<(), Status> {
        if let Some(allow) = self.allow {
            req.headers.push(OutHeader::Allow(allow.to_vec()));
        }
        Ok(())
    }

    fn stamp(&mut self, req: &mut Request, cseq: u32) -> Option<u32> {
        if let Some(c) = req.cseq_mut() {
            c.seq = cseq;
        }
        // The driver keeps the request as it sends it (set_inflight).
        req.expires()
    }

    fn answer_challenge(&mut self, contacts: Option<(&[Contact], &[Contact])>) -> Result<Request, Status> {
        // Copied only while the send still holds it (a response raced it).
        let mut req = Arc::unwrap_or_clone(self.tpl.inflight.take().ok_or(PJ_EINVALIDOP)?);
        if let Some((current, removed)) = contacts {
            // The retry carries the contacts the tsx callback chose.
            req.headers.retain(|h| !matches!(h, OutHeader::Contact(c) if c.expires != Some(0)));
            let pos = req
                .headers
                .iter()
                .position(|h| matches!(h, OutHeader::Expires(_)))
                .unwrap_or(req.headers.len());
            let fresh = current.iter().chain(removed).cloned().map(OutHeader::Contact);
            req.headers.splice(pos..pos, fresh);
        }
        let req_uri = crate::sip::uri_to_string(&req.uri, UriContext::ReqUri);
        let existing = req.auth_headers();
        let challenges: Vec<(bool, &str)> = self.challenges.iter().map(|(p, v)| (*p, v.as_str())).collect();
        let body = req.body.clone();
        let rnd = &mut *self.rnd;
        let result = self.tpl.with_auth(|a| a.reinit("REGISTER", &req_uri, &body, &existing, &challenges, rnd))?;
        let mut index = 0usize;
        req.headers.retain(|h| {
            if matches!(h, OutHeader::Auth(_)) {
                let keep = !result.remove.contains(&index);
                index += 1;
                keep
            } else {
                true
            }
        });
        req.headers.extend(result.append.into_iter().map(OutHeader::Auth));
        Ok(req)
    }

    fn check_contact(&self) -> bool {
        self.check_contact
    }
}
