//! Sockets: the only code that sends and receives bytes.

pub mod udp;

pub use udp::UdpTransport;
