//! pjsip_rx_data for the responses handed to callbacks: built in its own
//! pool from the parsed message, released when the callbacks are done.

use super::endpt::{to_pj_sockaddr, EndptShared};
use super::guard::guard;
use super::tdata::{describe, static_text, Info, INVALID_MSG, NULL_TEXT};
use super::types::*;
use crate::endpoint::Received;
use core::ffi::c_char;
use std::sync::Arc;

/// A received response as a C `pjsip_rx_data`, in a pool of its own that
/// goes when this is dropped.
pub struct Rdata {
    shared: Arc<EndptShared>,
    pool: *mut pj_pool_t,
    rdata: *mut pjsip_rx_data,
    reason: String,
    contacts: Vec<*mut pjsip_contact_hdr>,
}

/// pjsip_hdr_e of Contact.
const H_CONTACT: u32 = 9;

impl Rdata {
    /// Builds the C objects of `r`; None when out of memory.
    pub fn build(shared: &Arc<EndptShared>, r: &Received) -> Option<Rdata> {
        let pool = shared.create_pool("rtd%p", 4000, 4000);
        if pool.is_null() {
            return None;
        }
        let mut out = Rdata {
            shared: shared.clone(),
            pool,
            rdata: core::ptr::null_mut(),
            reason: r.msg.reason().unwrap_or_default().to_string(),
            contacts: Vec::new(),
        };
        // SAFETY: the pool is ours; every pointer written below points into
        // memory allocated from it or owned by the endpoint.
        unsafe {
            // Zeroed but for the packet buffer past the message: clearing
            // 4 000 bytes no one reads was a tenth of a registration.
            let size = core::mem::size_of::<pjsip_rx_data>();
            let rd = super::pjlib::pj_pool_alloc(pool, size) as *mut pjsip_rx_data;
            if rd.is_null() {
                return None;
            }
            let packet_at = core::mem::offset_of!(pjsip_rx_data, pkt_info) + core::mem::offset_of!(pjsip_rx_data_pkt_info, packet);
            let packet_len = core::mem::size_of::<[c_char; 4000]>();
            let n = r.raw.len().min(packet_len - 1);
            let base = rd as *mut u8;
            core::ptr::write_bytes(base, 0, packet_at);
            core::ptr::copy_nonoverlapping(r.raw.as_ptr(), base.add(packet_at), n);
            *base.add(packet_at + n) = 0;
            core::ptr::write_bytes(base.add(packet_at + packet_len), 0, size - packet_at - packet_len);
            out.rdata = rd;
            (*rd).tp_info.pool = pool;
            (*rd).tp_info.transport = shared.transport_ptr(r.transport);
            let pkt = core::ptr::addr_of_mut!((*rd).pkt_info);
            let mut now = pj_time_val::default();
            super::pjlib::pj_gettimeofday(&mut now);
            (*pkt).timestamp = now;
            (*pkt).len = n as pj_ssize_t;
            (*pkt).src_addr = to_pj_sockaddr(r.src);
            (*pkt).src_addr_len = if r.src.is_ipv6() { 28 } else { 16 };
            for (i, b) in ip_text(r.src.ip()).bytes().take(45).enumerate() {
                (*pkt).src_name[i] = b as c_char;
            }
            (*pkt).src_port = i32::from(r.src.port());
            let msg = super::cobj::rx_msg_to_c(pool, &r.msg);
            if msg.is_null() {
                return None;
            }
            let mi = core::ptr::addr_of_mut!((*rd).msg_info);
            (*mi).msg_buf = core::ptr::addr_of_mut!((*pkt).packet) as *mut c_char;
            (*mi).len = n as i32;
            (*mi).msg = msg;
            super::cobj::fill_rdata_msg_info(mi, msg);
            let head = core::ptr::addr_of_mut!((*msg).hdr);
            let mut h = (*head).next;
            while !h.is_null() && h != head && out.contacts.len() < 10 {
                if (*h).r#type == H_CONTACT {
                    out.contacts.push(h as *mut pjsip_contact_hdr);
                }
                h = (*h).next;
            }
        }
        Some(out)
    }

    /// The `pjsip_rx_data` for C.
    pub fn ptr(&self) -> *mut pjsip_rx_data {
        self.rdata
    }

    /// The response's first ten Contact headers.
    pub fn contacts(&self) -> Vec<*mut pjsip_contact_hdr> {
        self.contacts.clone()
    }

    /// The reason phrase.
    pub fn reason(&self) -> String {
        self.reason.clone()
    }
}

impl Drop for Rdata {
    fn drop(&mut self) {
        // SAFETY: the rdata's own pool, released once, here.
        unsafe { self.shared.release_pool(self.pool) };
    }
}

/// The rdata's description ("Response msg 200/REGISTER/cseq=N
/// (rdata0x...)"), built into its pool on first use and kept in
/// `msg_info.info`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_rx_data_get_info(rdata: *mut pjsip_rx_data) -> *mut c_char {
    guard(static_text(NULL_TEXT), || {
        let Some(rd) = rdata.as_mut() else { return static_text(NULL_TEXT) };
        let pool = rd.tp_info.pool;
        let mi = &mut rd.msg_info;
        if mi.msg.is_null() {
            return static_text(INVALID_MSG);
        }
        if !mi.info.is_null() {
            return mi.info;
        }
        // pjsip names an rdata as pjlib names objects: at most 31 characters.
        let mut name = format!("rdata{:p}", rdata).into_bytes();
        name.truncate(31);
        let text = match describe(mi.msg, &name) {
            Info::Text(t) => t,
            Info::NoCseq => return static_text(INVALID_MSG),
            Info::TooLong => name,
        };
        let p = super::pjlib::pool_strdup(pool, &text).ptr;
        if p.is_null() {
            return static_text(NULL_TEXT);
        }
        mi.info = p;
        p
    })
}

/// An address as text; IPv4 without the formatter (once per response).
fn ip_text(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut out = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                crate::sip::print::push_u32(&mut out, u32::from(octet));
            }
            out
        }
        std::net::IpAddr::V6(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod ip_text_tests {
    #[test]
    fn prints_as_the_formatter_does() {
        for ip in ["0.0.0.0", "127.0.0.1", "10.200.3.255", "255.255.255.255", "::1", "fe80::1"] {
            let addr: std::net::IpAddr = ip.parse().expect("address");
            assert_eq!(super::ip_text(addr), addr.to_string());
        }
    }
}
