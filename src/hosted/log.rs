//! Logging through the host's pj_log, so that our lines sit in the
//! application's log with pjsip's own, under its level and decoration.

use super::host::HostApi;
use std::ffi::CString;

/// The sender of pjsip's regc lines.
pub const SENDER: &str = "sip_reg.c";
/// The sender of the lines about the hosted library itself.
pub const HOSTED_SENDER: &str = "regc-hosted";

/// Writes `msg` at `level` when the host's log level lets it through.
pub fn write(h: &HostApi, level: usize, sender: &str, msg: &str) {
    let Some(Some(f)) = h.log.get(level) else { return };
    // SAFETY: pj_log_get_level reads a pjlib global.
    if unsafe { (h.pj_log_get_level)() } < level as i32 {
        return;
    }
    let (Ok(sender), Ok(msg)) = (CString::new(sender), CString::new(msg.replace('\0', " "))) else {
        return;
    };
    // SAFETY: pj_log_N(sender, format, ...) with a "%s" format.
    unsafe { f(sender.as_ptr(), c"%s".as_ptr(), msg.as_ptr()) };
}

/// pjsip's PJ_PERROR(4, ...): the message, then the status text.
pub fn error(h: &HostApi, msg: &str, status: i32) {
    write(h, 4, SENDER, &format!("{msg}: {}", h.strerror(status)));
}

/// A line of pjsip's regc at level 4.
pub fn regc(h: &HostApi, msg: &str) {
    write(h, 4, SENDER, msg);
}
