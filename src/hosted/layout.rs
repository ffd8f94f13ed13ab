//! Where the fields of the host's tsx, tdata and rdata are.
//!
//! pjsip has no getters for them, and their offsets move between versions
//! and with build options (hosted-regc.md §2). The version, read from
//! `pj_get_version()`, picks the transaction's offsets. The tx_data and
//! rx_data offsets that build options move are measured on a probe request
//! the host creates, and accepted only when they agree with that version's
//! structure; anything else is an unknown host.

use super::host::{HostApi, HostPtr, PJSIP_TPSELECTOR_LISTENER};
use super::raw::{read, read_str};
use crate::ffi::types::{pj_str_t, pjsip_tpselector, pjsip_tpselector_u};
use core::ffi::{c_int, c_void};

/// A pjproject release, from `pj_get_version()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major number, 2.
    pub major: u8,
    /// Minor number, 13 to 17.
    pub minor: u8,
    /// Revision.
    pub rev: u8,
}

impl Version {
    /// "2.15.1" or "2.17"; a suffix such as "-dev" gives None: a
    /// development snapshot does not pin a layout.
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let rev = match parts.next() {
            Some(r) => r.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Version { major, minor, rev })
    }

    /// Whether this release's layouts are known.
    pub fn supported(self) -> bool {
        self.major == 2 && (13..=17).contains(&self.minor)
    }

    /// Whether the host's auth session has a parent (2.16+).
    pub fn has_auth_parent(self) -> bool {
        self.minor >= 16
    }
}

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.rev == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.rev)
        }
    }
}

/// pjsip_transaction fields the regc reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TsxLayout {
    /// Offset of `status_code`.
    pub status_code: usize,
    /// Offset of `status_text`.
    pub status_text: usize,
    /// Offset of `transport`.
    pub transport: usize,
    /// Offset of `last_tx`.
    pub last_tx: usize,
}

impl TsxLayout {
    /// Unchanged by build options in every supported version.
    pub fn of(v: Version) -> TsxLayout {
        match v.minor {
            13 => TsxLayout { status_code: 160, status_text: 168, transport: 208, last_tx: 368 },
            14..=16 => TsxLayout { status_code: 176, status_text: 184, transport: 224, last_tx: 384 },
            _ => TsxLayout { status_code: 184, status_text: 192, transport: 232, last_tx: 392 },
        }
    }
}

/// Fields of the host's objects, for one host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The host's release.
    pub version: Version,
    /// Its transaction fields.
    pub tsx: TsxLayout,
    /// Offset of `tdata->tp_sel`.
    pub tdata_tp_sel: usize,
    /// Offset of `tdata->via_addr`.
    pub tdata_via_addr: usize,
    /// Offset of `tdata->via_tp`.
    pub tdata_via_tp: usize,
    /// Offset of `rdata->msg_info.msg`.
    pub rdata_msg: usize,
    /// Measured, for the log line.
    pub max_pkt_len: usize,
    /// Measured `PJSIP_MAX_MODULE`, for the log line.
    pub max_module: usize,
}

// Offsets that no supported version or option moves (hosted-regc.md §2.2).
/// pjsip_event: its type, then body.tsx_state's src (the rx_data), tsx and
/// the src's event type.
pub const EVENT_TYPE: usize = 16;
/// Offset of the event's `body.tsx_state.src`.
pub const EVENT_TSX_SRC: usize = 24;
/// Offset of the event's `body.tsx_state.tsx`.
pub const EVENT_TSX: usize = 32;
/// Offset of the event's `body.tsx_state.type`.
pub const EVENT_TSX_SRC_TYPE: usize = 44;
/// pjsip_msg: its type, the status line, and `hdr`, the header list head.
pub const MSG_TYPE: usize = 0;
/// Offset of `line.status.code`.
pub const MSG_STATUS_CODE: usize = 8;
/// Offset of `line.status.reason`.
pub const MSG_STATUS_REASON: usize = 16;
/// Offset of `hdr`.
pub const MSG_HDR: usize = 40;
/// The first field after a header's common part: Contact's `star`, an int
/// header's (Expires, Min-Expires) `ivalue`, CSeq's number, Call-ID's `id`,
/// From/To's `uri`.
pub const HDR_FIRST_FIELD: usize = 64;
/// Offset of `tdata->pool`.
pub const TDATA_POOL: usize = 16;
/// Offset of `tdata->msg`.
pub const TDATA_MSG: usize = 392;
const TDATA_BUF_START: usize = 408;
const TDATA_BUF_END: usize = 424;
const TDATA_REF_CNT: usize = 432;
const TDATA_OBJ_NAME: usize = 24;
/// From tp_sel: tp_sel (16), auth_retry (4 + 4), then mod_data[].
const TP_SEL_TO_MOD_DATA: usize = 24;
/// pjsip_host_port (24) then via_tp (8) close the struct.
const VIA_FIELDS: usize = 32;

/// Candidate tp_sel offsets of a version: default build, PJ_HAS_IPV6=1
/// (32 resolved addresses instead of 16).
fn tp_sel_candidates(v: Version) -> [usize; 2] {
    if v.minor >= 16 {
        [1616, 2640]
    } else {
        [1288, 1992]
    }
}

/// Where msg_info.msg sits for a PJSIP_MAX_PKT_LEN: the packet buffer at
/// 320, an int, the length, then 112 bytes on to the message.
fn rdata_msg_offset(max_pkt_len: usize) -> usize {
    let after_packet = (320 + max_pkt_len).next_multiple_of(4) + 4;
    after_packet.next_multiple_of(8) + 112
}

/// Why a host's layout was not accepted.
#[derive(Debug)]
pub struct Unknown(pub String);

/// Measures the host's tx_data on a probe request and builds the layout;
/// refuses what does not match the version's structure.
///
/// # Safety
/// `endpt` is the host's live endpoint.
pub unsafe fn probe(h: &HostApi, endpt: HostPtr, version: Version) -> Result<Layout, Unknown> {
    let target = pj_str(b"sip:probe.invalid");
    let from = pj_str(b"<sip:probe@probe.invalid>");
    let mut tdata: HostPtr = core::ptr::null_mut();
    let method = (h.pjsip_get_register_method)();
    let st = (h.pjsip_endpt_create_request)(
        endpt,
        method,
        &target,
        &from,
        &from,
        core::ptr::null(),
        core::ptr::null(),
        1,
        core::ptr::null(),
        &mut tdata,
    );
    if st != 0 || tdata.is_null() {
        return Err(Unknown(format!("the host could not create a probe request (status {st})")));
    }
    let result = measure(h, tdata, version);
    (h.pjsip_tx_data_dec_ref)(tdata);
    result
}

unsafe fn measure(h: &HostApi, tdata: HostPtr, version: Version) -> Result<Layout, Unknown> {
    let name = read_str(tdata, TDATA_OBJ_NAME, 32);
    if !name.starts_with("tdta") {
        return Err(Unknown(format!("the probe tx_data is not named as one ({name:?})")));
    }
    // pjsip allocates the reference counter right after the tx_data, from
    // the same fresh pool: the distance is the struct's size.
    let ref_cnt: usize = read(tdata, TDATA_REF_CNT);
    let size = ref_cnt.wrapping_sub(tdata as usize);
    if !(1500..=8192).contains(&size) || !size.is_multiple_of(8) {
        return Err(Unknown(format!("tx_data size {size} is implausible")));
    }
    // A listener selector with a recognisable pointer shows where tp_sel is.
    let mut sentinel = [0u64; 8];
    let sel = pjsip_tpselector {
        r#type: PJSIP_TPSELECTOR_LISTENER,
        disable_connection_reuse: 0,
        u: pjsip_tpselector_u { ptr: sentinel.as_mut_ptr().cast::<c_void>() },
    };
    if (h.pjsip_tx_data_set_transport)(tdata, &sel) != 0 {
        return Err(Unknown("the probe could not set a transport selector".into()));
    }
    let tp_sel = tp_sel_candidates(version).into_iter().find(|&off| {
        off + 16 <= size
            && read::<u32>(tdata, off) == PJSIP_TPSELECTOR_LISTENER
            && read::<usize>(tdata, off + 8) == sentinel.as_ptr() as usize
    });
    let none: pjsip_tpselector = core::mem::zeroed();
    (h.pjsip_tx_data_set_transport)(tdata, &none);
    let Some(tp_sel) = tp_sel else {
        return Err(Unknown(format!("no known tp_sel offset for {version} in a {size}-byte tx_data")));
    };
    let modules = size.checked_sub(tp_sel + TP_SEL_TO_MOD_DATA + VIA_FIELDS).unwrap_or(1);
    if !modules.is_multiple_of(8) || !(32 * 8..=64 * 8).contains(&modules) {
        return Err(Unknown(format!("tx_data size {size} does not fit tp_sel at {tp_sel}")));
    }
    // The print buffer is PJSIP_MAX_PKT_LEN bytes, which places the rx_data's
    // message pointer.
    let st = (h.pjsip_tx_data_encode)(tdata);
    let start: usize = read(tdata, TDATA_BUF_START);
    let end: usize = read(tdata, TDATA_BUF_END);
    let max_pkt_len = end.wrapping_sub(start);
    if st != 0 || start == 0 || !(1000..=1 << 20).contains(&max_pkt_len) {
        return Err(Unknown(format!("could not measure PJSIP_MAX_PKT_LEN (status {st}, {max_pkt_len})")));
    }
    Ok(Layout {
        version,
        tsx: TsxLayout::of(version),
        tdata_tp_sel: tp_sel,
        tdata_via_addr: size - VIA_FIELDS,
        tdata_via_tp: size - 8,
        rdata_msg: rdata_msg_offset(max_pkt_len),
        max_pkt_len,
        max_module: modules / 8,
    })
}

fn pj_str(s: &'static [u8]) -> pj_str_t {
    pj_str_t { ptr: s.as_ptr() as *mut _, slen: s.len() as _ }
}

/// The status code of a transaction, for checks on what we read.
///
/// # Safety
/// `tsx` is a live host transaction.
pub unsafe fn tsx_status(l: &Layout, tsx: HostPtr) -> c_int {
    read(tsx, l.tsx.status_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(Version::parse("2.15.1"), Some(Version { major: 2, minor: 15, rev: 1 }));
        assert_eq!(Version::parse("2.17"), Some(Version { major: 2, minor: 17, rev: 0 }));
        assert_eq!(Version::parse("2.17-dev"), None, "a snapshot does not pin a layout");
        assert_eq!(Version::parse("2.14.1.2"), None);
        assert!(Version::parse("2.14.1").unwrap().supported());
        assert!(!Version::parse("2.12").unwrap().supported());
        assert!(!Version::parse("2.18").unwrap().supported());
        assert_eq!(Version::parse("2.14.1").unwrap().to_string(), "2.14.1");
    }

    #[test]
    fn rx_data_message_offset_follows_the_packet_size() {
        // hosted-regc.md §2.2 / §2.3: default build, Asterisk's bundled one.
        assert_eq!(rdata_msg_offset(4000), 4440);
        assert_eq!(rdata_msg_offset(65535), 65976);
    }

    #[test]
    fn tsx_offsets_per_version() {
        let v = |s| TsxLayout::of(Version::parse(s).unwrap());
        assert_eq!(v("2.13").last_tx, 368);
        assert_eq!(v("2.15.1").status_code, 176);
        assert_eq!(v("2.17").transport, 232);
    }
}
