//! What a finished host transaction tells the regc: its final status and,
//! when a response arrived, the parts of the host's parsed message that the
//! state machine reads (Contact values, Expires, Min-Expires).

use super::host::*;
use super::layout::{
    Layout, EVENT_TSX, EVENT_TSX_SRC, EVENT_TSX_SRC_TYPE, EVENT_TYPE, HDR_FIRST_FIELD, MSG_STATUS_CODE, MSG_STATUS_REASON,
    MSG_TYPE,
};
use super::raw::{read, str_bytes};
use crate::ffi::types::pj_str_t;
use crate::reg::{Outcome, ResponseInfo, MAX_REPORTED_CONTACTS};
use core::ffi::{c_char, c_int};
use core::ptr::null_mut;

const INT_HDR_VALUE: usize = HDR_FIRST_FIELD;

/// A finished REGISTER transaction as the host reported it.
pub struct Finished {
    /// The transaction.
    pub tsx: HostPtr,
    /// Its final status code.
    pub code: u16,
    /// The response, when one ended the transaction.
    pub rdata: HostPtr,
    /// The response's `pjsip_msg`, when there is one.
    pub msg: HostPtr,
    /// The transport the transaction used.
    pub transport: HostPtr,
    /// The request the transaction sent last.
    pub last_tx: HostPtr,
    /// The transaction's status text (the reason when there is no response).
    pub status_text: pj_str_t,
}

impl Finished {
    /// Reads the transaction of a TSX_STATE event.
    ///
    /// # Safety
    /// `event` is the host's event passed to the send callback.
    pub unsafe fn from_event(l: &Layout, event: HostPtr) -> Option<Finished> {
        if event.is_null() || read::<u32>(event, EVENT_TYPE) != PJSIP_EVENT_TSX_STATE {
            return None;
        }
        let tsx: HostPtr = read(event, EVENT_TSX);
        if tsx.is_null() {
            return None;
        }
        let code = read::<c_int>(tsx, l.tsx.status_code);
        let mut rdata: HostPtr = null_mut();
        let mut msg: HostPtr = null_mut();
        if read::<u32>(event, EVENT_TSX_SRC_TYPE) == PJSIP_EVENT_RX_MSG {
            let r: HostPtr = read(event, EVENT_TSX_SRC);
            if !r.is_null() {
                let m: HostPtr = read(r, l.rdata_msg);
                // The message must be the response that ended this
                // transaction; anything else means the layout is wrong.
                if !m.is_null()
                    && read::<u32>(m, MSG_TYPE) == PJSIP_RESPONSE_MSG
                    && read::<c_int>(m, MSG_STATUS_CODE) == code
                {
                    rdata = r;
                    msg = m;
                }
            }
        }
        Some(Finished {
            tsx,
            code: u16::try_from(code).unwrap_or(500),
            rdata,
            msg,
            transport: read(tsx, l.tsx.transport),
            last_tx: read(tsx, l.tsx.last_tx),
            status_text: read(tsx, l.tsx.status_text),
        })
    }

    /// The response's reason phrase, else the transaction's status text.
    pub fn reason(&self) -> pj_str_t {
        if self.msg.is_null() {
            self.status_text
        } else {
            // SAFETY: a live response message.
            unsafe { read(self.msg, MSG_STATUS_REASON) }
        }
    }

    /// The response's Contact headers as the host parsed them (at most 10).
    pub fn contact_hdrs(&self, h: &HostApi) -> Vec<HostPtr> {
        let mut out = Vec::new();
        if self.msg.is_null() {
            return out;
        }
        let mut start: HostPtr = null_mut();
        while out.len() < MAX_REPORTED_CONTACTS {
            // SAFETY: a live message and one of its headers.
            let c = unsafe { (h.pjsip_msg_find_hdr)(self.msg, PJSIP_H_CONTACT, start) };
            if c.is_null() {
                break;
            }
            out.push(c);
            // SAFETY: the next header after `c` (possibly the list head).
            start = unsafe { super::raw::next(c) };
        }
        out
    }

    /// The outcome for the state machine.
    pub fn outcome(&self, h: &HostApi, contact_hdrs: &[HostPtr]) -> Outcome {
        // SAFETY: pj_str_t values of live host objects.
        let reason = String::from_utf8_lossy(unsafe { str_bytes(&self.reason()) }).into_owned();
        if self.msg.is_null() {
            return Outcome::NoResponse { code: self.code, reason };
        }
        let int_hdr = |kind| {
            // SAFETY: a live message; Expires and Min-Expires are int headers.
            unsafe {
                let p = (h.pjsip_msg_find_hdr)(self.msg, kind, null_mut());
                (!p.is_null()).then(|| read::<u32>(p, INT_HDR_VALUE))
            }
        };
        Outcome::Response(ResponseInfo {
            code: self.code,
            reason,
            contacts: contact_hdrs.iter().filter_map(|&c| contact_of(h, c)).collect(),
            expires: int_hdr(PJSIP_H_EXPIRES),
            min_expires: int_hdr(PJSIP_H_MIN_EXPIRES),
        })
    }
}

/// A host Contact header as our model: the host prints it, we parse it.
fn contact_of(h: &HostApi, hdr: HostPtr) -> Option<crate::sip::Contact> {
    // Most Contact headers fit on the stack; pjsip says -1 when one does not.
    let mut small = [0u8; 512];
    let mut large = Vec::new();
    let mut buf: &mut [u8] = &mut small;
    // SAFETY: a live header and a buffer of that length.
    let mut n = unsafe { (h.pjsip_hdr_print_on)(hdr, buf.as_mut_ptr().cast::<c_char>(), buf.len()) };
    if n < 0 {
        large.resize(crate::sip::msg::MAX_MSG_SIZE, 0);
        buf = &mut large;
        // SAFETY: as above.
        n = unsafe { (h.pjsip_hdr_print_on)(hdr, buf.as_mut_ptr().cast::<c_char>(), buf.len()) };
    }
    let n = usize::try_from(n).ok()?;
    let text = core::str::from_utf8(&buf[..n.min(buf.len())]).ok()?;
    let value = text.split_once(':')?.1.trim();
    crate::sip::parse_contact_list(value).ok()?.into_iter().next()
}
