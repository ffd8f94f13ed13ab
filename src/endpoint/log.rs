//! What the endpoint, its transactions and its transports tell the log,
//! in pjsip's shape: the same events at the same levels (4: transports
//! and connections come and go; 5: every transaction step, send and
//! response; 6: the messages themselves), each line under the name of the
//! object it is about (`tsx1f`, `udp0`, `tcpc2`, `sip_endpoint.c`...).
//!
//! The endpoint does not know where lines go: the C layer installs a
//! [`LogSink`] (pj_log). Lines about work done under the endpoint's lock
//! are queued with the other deliveries and written after it is released,
//! so that an application's log writer never runs under that lock. Every
//! site asks [`LogSink::enabled`] before formatting anything, so logging
//! costs a level check when the level is below the line's.

use super::{Deliveries, Kind, TransportId};
use crate::tsx::State;
use std::sync::Arc;

/// Where the endpoint's lines go.
pub trait LogSink: Send + Sync {
    /// Whether a line at `level` would be written (checked before any
    /// formatting).
    fn enabled(&self, level: i32) -> bool;
    /// Writes one line from `sender`, `indent` levels deep.
    fn write(&self, level: i32, sender: &str, indent: usize, msg: &str);
}

/// Level of the lines about transports and connections.
pub const LEVEL_TRANSPORT: i32 = 4;
/// Level of the transaction, send and receive lines.
pub const LEVEL_TSX: i32 = 5;
/// Level of the message trace (beyond pjsip's compiled-in maximum of 5,
/// so that level 5 shows the same lines as pjsip).
pub const LEVEL_MSG: i32 = 6;

/// Sender of the endpoint's own lines.
pub const SENDER_ENDPOINT: &str = "sip_endpoint.c";
/// Sender of the target resolution lines.
pub const SENDER_RESOLVE: &str = "sip_resolve.c";

/// The object name of a transport (also its C struct's `obj_name`): a
/// UDP transport (`udpv6` on IPv6, as pjsip), a connection, or a listener
/// (named by its port).
pub fn transport_name(kind: Kind, conn: bool, listener: bool, id: TransportId, port: u16, v6: bool) -> String {
    let k = kind.name().to_ascii_lowercase();
    match (conn, listener) {
        (true, _) => format!("{k}c{id:x}"),
        (_, true) => format!("{k}tp:{port}"),
        _ if v6 => format!("udpv6{id:x}"),
        _ => format!("udp{id:x}"),
    }
}

/// pjsip's description of a transport type: "UDP transport", "TCP IPv6
/// transport"...
pub fn type_desc(kind: Kind, v6: bool) -> String {
    format!("{}{} transport", kind.name(), if v6 { " IPv6" } else { "" })
}

/// pjsip's names of the transaction states (pjsip says Calling where RFC
/// 3261 says Trying).
pub fn state_name(s: Option<State>) -> &'static str {
    match s {
        None => "Null",
        Some(State::Trying) => "Calling",
        Some(State::Proceeding) => "Proceeding",
        Some(State::Completed) => "Completed",
        Some(State::Terminated) => "Terminated",
    }
}

/// The sink, when a line at `level` would be written.
pub(super) fn at(sink: &Option<Arc<dyn LogSink>>, level: i32) -> Option<&Arc<dyn LogSink>> {
    sink.as_ref().filter(|s| s.enabled(level))
}

/// Queues a line to be written once the endpoint's lock is released.
pub(super) fn queue(deliveries: &mut Deliveries, sink: &Arc<dyn LogSink>, level: i32, sender: String, indent: usize, msg: String) {
    let sink = sink.clone();
    deliveries.push(Box::new(move |_| sink.write(level, &sender, indent, &msg)));
}

/// `note!(sink_option, deliveries, level, indent, sender, format...)`:
/// queues a line when its level is enabled; neither the sender nor the
/// message is formatted otherwise.
macro_rules! note {
    ($sink:expr, $d:expr, $level:expr, $indent:expr, $sender:expr, $($fmt:tt)+) => {
        if let Some(s) = $crate::endpoint::log::at(&$sink, $level) {
            let s = s.clone();
            $crate::endpoint::log::queue($d, &s, $level, $sender, $indent, format!($($fmt)+));
        }
    };
}
pub(super) use note;

/// `say!(sink_option, level, indent, sender, format...)`: writes a line
/// at once (for code that holds no endpoint lock).
macro_rules! say {
    ($sink:expr, $level:expr, $indent:expr, $sender:expr, $($fmt:tt)+) => {
        if let Some(s) = $crate::endpoint::log::at(&$sink, $level) {
            s.write($level, &$sender, $indent, &format!($($fmt)+));
        }
    };
}
pub(super) use say;

/// The message trace's view of a buffer: the text up to its length, with
/// bytes that are not UTF-8 shown replaced.
pub(super) fn msg_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
