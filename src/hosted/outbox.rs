//! The hosted build's [`Outbox`]: REGISTER requests as real host tx_data,
//! made by the host's `pjsip_endpt_create_request_from_hdr`, with headers
//! the host parses or clones, and challenges answered by the host's
//! `pjsip_auth_clt_sess`.

use super::host::*;
use super::layout::{Layout, HDR_FIRST_FIELD, MSG_HDR, TDATA_MSG, TDATA_POOL};
use super::raw::{erase, insert_after, insert_before, next, pool_str, read, write};
use crate::ffi::types::pj_str_t;
use crate::reg::Outbox;
use crate::sip::Contact;
use crate::status::*;
use core::ffi::c_int;
use core::ptr::null_mut;

/// Parsed contacts kept per regc (current ones and those being removed).
const MAX_KEPT_CONTACTS: usize = 32;
const CONTACT_STAR: usize = HDR_FIRST_FIELD;
const INT_HDR_VALUE: usize = HDR_FIRST_FIELD;
const CSEQ_VALUE: usize = HDR_FIRST_FIELD;
const CID_ID: usize = HDR_FIRST_FIELD;
const FROMTO_URI: usize = HDR_FIRST_FIELD;

/// What a regc's requests are built from, as host objects in its pool.
pub struct HostTemplate {
    /// Request-URI, From and To headers (no tag: the host makes one per
    /// request), and the Call-ID header whose value is set per request.
    pub target: Option<(HostPtr, HostPtr, HostPtr)>,
    /// The Call-ID header.
    pub cid: HostPtr,
    /// Deep copies of the route set and of the added headers.
    pub route_set: Vec<HostPtr>,
    /// (The added headers.)
    pub extra: Vec<HostPtr>,
    /// Contact headers the host parsed from our print of them, in the
    /// regc's pool, by that print: a request clones them, as pjsip's regc
    /// clones its own (bounded: a regc has few distinct contacts, and the
    /// pool lives as long as the regc).
    pub contacts: Vec<(String, HostPtr)>,
    /// The session that answers challenges: the regc's own, or on hosts
    /// without pjsip_auth_clt_set_parent the parent set by set_auth_sess.
    pub auth: HostPtr,
}

// SAFETY: host objects in the regc's pool, used under the regc's lock.
unsafe impl Send for HostTemplate {}

impl HostTemplate {
    /// A template that answers challenges with `auth`.
    pub fn new(auth: HostPtr) -> Self {
        HostTemplate { target: None, cid: null_mut(), route_set: Vec::new(), extra: Vec::new(), contacts: Vec::new(), auth }
    }
}

/// A REGISTER being answered: the response and the request it answers.
#[derive(Clone, Copy)]
pub struct Challenge {
    /// The response.
    pub rdata: HostPtr,
    /// The request it answers.
    pub last_tx: HostPtr,
}

/// Writes requests as host tx_data for one operation.
pub struct HostOutbox<'a> {
    /// The host's functions.
    pub h: &'a HostApi,
    /// The regc's pool, where parsed contacts are kept.
    pub pool: HostPtr,
    /// The host's layouts.
    pub layout: &'a Layout,
    /// The host's endpoint.
    pub endpt: HostPtr,
    /// The regc's template.
    pub tpl: &'a mut HostTemplate,
    /// The challenge being answered, if any.
    pub challenge: Option<Challenge>,
}

/// The message of a tx_data.
///
/// # Safety
/// `tdata` is a live host tx_data.
pub unsafe fn tdata_msg(tdata: HostPtr) -> HostPtr {
    read(tdata, TDATA_MSG)
}

unsafe fn tdata_pool(tdata: HostPtr) -> HostPtr {
    read(tdata, TDATA_POOL)
}

unsafe fn msg_head(msg: HostPtr) -> HostPtr {
    msg.cast::<u8>().add(MSG_HDR).cast()
}

impl HostOutbox<'_> {
    /// Our Contact as a header object of the host in `pool`: a clone of
    /// the host's parse of our print of it.
    unsafe fn contact_hdr(&mut self, pool: HostPtr, contact: &Contact) -> Result<HostPtr, Status> {
        let mut text = String::with_capacity(96);
        crate::sip::print_contact(contact, &mut text);
        let parsed = match self.tpl.contacts.iter().find(|(t, _)| *t == text) {
            Some((_, hdr)) => *hdr,
            None => {
                let buf = pool_str(self.h, self.pool, text.as_bytes()).ok_or(PJ_ENOMEM)?;
                let name = pj_str_t { ptr: c"Contact".as_ptr() as *mut _, slen: 7 };
                let mut used: c_int = 0;
                let hdr = (self.h.pjsip_parse_hdr)(self.pool, &name, buf.ptr, buf.slen as usize, &mut used);
                if hdr.is_null() {
                    return Err(PJSIP_EINVALIDHDR);
                }
                if self.tpl.contacts.len() >= MAX_KEPT_CONTACTS {
                    self.tpl.contacts.remove(0);
                }
                self.tpl.contacts.push((text, hdr));
                hdr
            }
        };
        let copy = (self.h.pjsip_hdr_clone)(pool, parsed);
        if copy.is_null() {
            return Err(PJ_ENOMEM);
        }
        Ok(copy)
    }

    unsafe fn append(&self, req: HostPtr, hdr: HostPtr) {
        insert_before(msg_head(tdata_msg(req)), hdr);
    }
}

impl Outbox for HostOutbox<'_> {
    type Req = HostPtr;

    fn begin(&mut self, call_id: &str, cseq: u32) -> Result<HostPtr, Status> {
        let Some((uri, from, to)) = self.tpl.target else {
            return Err(PJ_EINVALIDOP);
        };
        let h = self.h;
        // SAFETY: the template's objects live in the regc's pool; the host
        // copies the Call-ID while creating the request.
        unsafe {
            write(self.tpl.cid, CID_ID, pj_str_t { ptr: call_id.as_ptr() as *mut _, slen: call_id.len() as _ });
            let mut tdata: HostPtr = null_mut();
            let method = (h.pjsip_get_register_method)();
            let st = (h.pjsip_endpt_create_request_from_hdr)(
                self.endpt,
                method,
                uri,
                from,
                to,
                null_mut(),
                self.tpl.cid,
                cseq as c_int,
                core::ptr::null(),
                &mut tdata,
            );
            write(self.tpl.cid, CID_ID, pj_str_t { ptr: null_mut(), slen: 0 });
            if st != 0 {
                return Err(st);
            }
            let pool = tdata_pool(tdata);
            let msg = tdata_msg(tdata);
            // The route set goes right after Via.
            let via = (h.pjsip_msg_find_hdr)(msg, PJSIP_H_VIA, null_mut());
            let mut pos = if via.is_null() { msg_head(msg) } else { via };
            for &route in &self.tpl.route_set {
                let copy = (h.pjsip_hdr_clone)(pool, route);
                insert_after(pos, copy);
                pos = copy;
            }
            let st = (h.pjsip_auth_clt_init_req)(self.tpl.auth, tdata);
            if st != 0 {
                (h.pjsip_tx_data_dec_ref)(tdata);
                return Err(st);
            }
            for &hdr in &self.tpl.extra {
                self.append(tdata, (h.pjsip_hdr_clone)(pool, hdr));
            }
            Ok(tdata)
        }
    }

    fn add_contact(&mut self, req: &mut HostPtr, contact: &Contact) -> Result<(), Status> {
        // SAFETY: a tx_data this outbox made.
        unsafe {
            let hdr = self.contact_hdr(tdata_pool(*req), contact)?;
            self.append(*req, hdr);
        }
        Ok(())
    }

    fn add_star_contact(&mut self, req: &mut HostPtr) -> Result<(), Status> {
        // SAFETY: as above; the star flag is an int at 64.
        unsafe {
            let hdr = (self.h.pjsip_contact_hdr_create)(tdata_pool(*req));
            if hdr.is_null() {
                return Err(PJ_ENOMEM);
            }
            write::<c_int>(hdr, CONTACT_STAR, 1);
            self.append(*req, hdr);
        }
        Ok(())
    }

    fn add_expires(&mut self, req: &mut HostPtr, expires: u32) -> Result<(), Status> {
        // SAFETY: as above.
        unsafe {
            let hdr = (self.h.pjsip_expires_hdr_create)(tdata_pool(*req), expires);
            if hdr.is_null() {
                return Err(PJ_ENOMEM);
            }
            self.append(*req, hdr);
        }
        Ok(())
    }

    fn add_allow(&mut self, req: &mut HostPtr) -> Result<(), Status> {
        // SAFETY: as above; the capability header belongs to the endpoint.
        unsafe {
            let allow = (self.h.pjsip_endpt_get_capability)(self.endpt, PJSIP_H_ALLOW as c_int, core::ptr::null());
            if !allow.is_null() {
                self.append(*req, (self.h.pjsip_hdr_clone)(tdata_pool(*req), allow));
            }
        }
        Ok(())
    }

    fn stamp(&mut self, req: &mut HostPtr, cseq: u32) -> Option<u32> {
        // SAFETY: a host tx_data the application gave to pjsip_regc_send.
        unsafe {
            let msg = tdata_msg(*req);
            if msg.is_null() {
                return None;
            }
            let c = (self.h.pjsip_msg_find_hdr)(msg, PJSIP_H_CSEQ, null_mut());
            if !c.is_null() {
                write::<c_int>(c, CSEQ_VALUE, cseq as c_int);
            }
            (self.h.pjsip_tx_data_invalidate_msg)(*req);
            let e = (self.h.pjsip_msg_find_hdr)(msg, PJSIP_H_EXPIRES, null_mut());
            (!e.is_null()).then(|| read::<u32>(e, INT_HDR_VALUE))
        }
    }

    fn answer_challenge(&mut self, contacts: Option<(&[Contact], &[Contact])>) -> Result<HostPtr, Status> {
        let Challenge { rdata, last_tx } = self.challenge.ok_or(PJ_EINVALIDOP)?;
        let h = self.h;
        // SAFETY: the response and the request of the transaction that just
        // ended, both alive during its callback.
        unsafe {
            if let Some((current, removed)) = contacts {
                // The contacts the tsx callback chose replace the request's,
                // where its last Contact header was.
                let msg = tdata_msg(last_tx);
                let head = msg_head(msg);
                let mut at = head;
                let mut hdr = next(head);
                while hdr != head {
                    let following = next(hdr);
                    if read::<u32>(hdr, 16) == PJSIP_H_CONTACT {
                        erase(hdr);
                        at = following;
                    }
                    hdr = following;
                }
                let pool = tdata_pool(last_tx);
                for c in current.iter().chain(removed) {
                    insert_before(at, self.contact_hdr(pool, c)?);
                }
            }
            let mut out: HostPtr = null_mut();
            let st = (h.pjsip_auth_clt_reinit_req)(self.tpl.auth, rdata, last_tx, &mut out);
            if st != 0 {
                return Err(st);
            }
            Ok(out)
        }
    }

    fn check_contact(&self) -> bool {
        self.h.check_contact()
    }
}

/// Parses the server URL, From and To as the host does in pjsip_regc_init,
/// into `pool`: (Request-URI, From header, To header). A From or To that
/// does not parse is logged as pjsip's regc logs it.
///
/// # Safety
/// `pool` is the regc's live host pool.
pub unsafe fn parse_target(
    h: &HostApi,
    pool: HostPtr,
    srv: &[u8],
    from: &[u8],
    to: &[u8],
) -> Result<(HostPtr, HostPtr, HostPtr), Status> {
    let uri = |text: &[u8], options, what: Option<&str>| -> Result<HostPtr, Status> {
        let s = pool_str(h, pool, text).ok_or(PJ_ENOMEM)?;
        let u = (h.pjsip_parse_uri)(pool, s.ptr, s.slen as usize, options);
        if u.is_null() {
            if let Some(what) = what {
                super::log::write(h, 4, super::log::SENDER, &format!("regc: invalid {what} URI {}", String::from_utf8_lossy(text)));
            }
            Err(PJSIP_EINVALIDURI)
        } else {
            Ok(u)
        }
    };
    let target = uri(srv, 0, None)?;
    let from_uri = uri(from, PJSIP_PARSE_URI_AS_NAMEADDR, Some("source"))?;
    let to_uri = uri(to, PJSIP_PARSE_URI_AS_NAMEADDR, Some("target"))?;
    let from_hdr = (h.pjsip_from_hdr_create)(pool);
    let to_hdr = (h.pjsip_to_hdr_create)(pool);
    if from_hdr.is_null() || to_hdr.is_null() {
        return Err(PJ_ENOMEM);
    }
    write(from_hdr, FROMTO_URI, from_uri);
    write(to_hdr, FROMTO_URI, to_uri);
    Ok((target, from_hdr, to_hdr))
}
