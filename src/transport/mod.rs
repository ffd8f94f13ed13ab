//! Sockets: the only code that sends and receives bytes.
//!
//! - `udp`: one datagram socket per transport, shared by every registration;
//! - `stream`: outgoing TCP/TLS connections and the listening sockets they
//!   belong to, non-blocking and driven by the endpoint's poll loop;
//! - `framing`: sans-IO cutting of a stream into SIP messages and
//!   keep-alives;
//! - `tls`: the rustls client context built from pjsip's TLS settings.

pub mod framing;
pub mod stream;
pub mod tls;
pub mod udp;

pub use stream::{ConnEvent, ConnState, StreamConn, StreamListener};
pub use udp::{default_host, UdpTransport};
