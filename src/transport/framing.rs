//! Cutting a byte stream (TCP, or TLS plaintext) into SIP messages and
//! RFC 5626 keep-alives. Sans-IO: bytes go in, frames come out.
//!
//! A stream carries messages back to back, each one ending where its
//! Content-Length says (the header is mandatory on streams), possibly split
//! over several reads or several per read. Between messages a peer may send
//! a double CRLF ("ping", which expects a single CRLF back, the "pong") or a
//! single CRLF (a pong, or plain padding).

use crate::sip::{find_header_end, framed_len, MAX_MSG_SIZE};
use crate::status::{self, Status};

/// The keep-alive a client sends and a server answers: CRLF CRLF.
pub const PING: &[u8] = b"\r\n\r\n";
/// The answer to a ping: one CRLF.
pub const PONG: &[u8] = b"\r\n";

/// One unit cut from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole SIP message (its Content-Length bytes of body included).
    Message(Vec<u8>),
    /// A double CRLF: the peer wants a [`PONG`].
    Ping,
    /// A lone CRLF (an answer to our ping, or padding).
    Pong,
}

/// Accumulates stream bytes and hands out [`Frame`]s.
#[derive(Debug)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf` (compacted lazily).
    start: usize,
    max: usize,
    /// Bytes of the pending message already searched in vain for the end
    /// of its headers: each byte is scanned about once however the stream
    /// is split (rescanning made headers sent byte by byte quadratic).
    scanned: usize,
    /// The pending message's total length, once its headers are complete.
    framed: Option<usize>,
    /// Set once the stream broke framing; nothing more comes out.
    failed: Option<Status>,
    /// Bytes looked at by the header-end search and the header parse.
    #[cfg(test)]
    work: usize,
}

impl Default for Deframer {
    fn default() -> Self {
        Self::new(MAX_MSG_SIZE)
    }
}

impl Deframer {
    /// A deframer that rejects any message longer than `max` bytes.
    pub fn new(max: usize) -> Self {
        Deframer {
            buf: Vec::new(),
            start: 0,
            max,
            scanned: 0,
            framed: None,
            failed: None,
            #[cfg(test)]
            work: 0,
        }
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, data: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 4096 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Bytes received and not yet handed out.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next frame: `None` while more bytes are needed, `Some(Err)` once
    /// the stream cannot be framed any more (no or bad Content-Length, or a
    /// message over the limit). After an error the connection must be
    /// closed: the position of the next message is unknown.
    pub fn next_frame(&mut self) -> Option<Result<Frame, Status>> {
        if let Some(e) = self.failed {
            return Some(Err(e));
        }
        let data = &self.buf[self.start..];
        if data.is_empty() {
            return None;
        }
        if data.starts_with(PING) {
            self.start += PING.len();
            return Some(Ok(Frame::Ping));
        }
        if data[0] == b'\r' || data[0] == b'\n' {
            // A CRLF that may still become a ping: wait for a third byte.
            if data.starts_with(PONG) {
                if data.len() == 2 || (data.len() == 3 && data[2] == b'\r') {
                    return None;
                }
                self.start += PONG.len();
                return Some(Ok(Frame::Pong));
            }
            if data.len() == 1 && data[0] == b'\r' {
                return None;
            }
            // A stray CR or LF: padding, skipped.
            self.start += 1;
            return self.next_frame();
        }
        let total = match self.framed {
            Some(n) => n,
            None => {
                let window = &data[..data.len().min(MAX_MSG_SIZE)];
                let from = self.scanned.saturating_sub(2);
                #[cfg(test)]
                {
                    self.work += window.len() - from.min(window.len());
                }
                let Some(hdr_end) = find_header_end(window, from) else {
                    if window.len() >= MAX_MSG_SIZE || data.len() > self.max {
                        return Some(Err(self.fail(status::PJSIP_EMSGTOOLONG)));
                    }
                    self.scanned = window.len();
                    return None;
                };
                #[cfg(test)]
                {
                    self.work += hdr_end;
                }
                match framed_len(data, 0, hdr_end) {
                    Ok(n) => {
                        self.framed = Some(n);
                        n
                    }
                    Err(e) => return Some(Err(self.fail(e))),
                }
            }
        };
        if total.min(data.len()) > self.max {
            return Some(Err(self.fail(status::PJSIP_EMSGTOOLONG)));
        }
        let msg = data.get(..total)?.to_vec();
        self.start += total;
        self.scanned = 0;
        self.framed = None;
        Some(Ok(Frame::Message(msg)))
    }

    fn fail(&mut self, e: Status) -> Status {
        self.failed = Some(e);
        self.buf = Vec::new();
        self.start = 0;
        self.scanned = 0;
        self.framed = None;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESP: &[u8] = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
    const WITH_BODY: &[u8] = b"SIP/2.0 200 OK\r\nCSeq: 2 REGISTER\r\nContent-Length: 5\r\n\r\nhello";

    fn drain(d: &mut Deframer) -> Vec<Result<Frame, Status>> {
        let mut out = Vec::new();
        while let Some(f) = d.next_frame() {
            let stop = f.is_err();
            out.push(f);
            if stop {
                break;
            }
        }
        out
    }

    #[test]
    fn several_messages_in_one_read() {
        let mut d = Deframer::default();
        let mut data = RESP.to_vec();
        data.extend_from_slice(WITH_BODY);
        data.extend_from_slice(RESP);
        d.push(&data);
        assert_eq!(
            drain(&mut d),
            vec![Ok(Frame::Message(RESP.to_vec())), Ok(Frame::Message(WITH_BODY.to_vec())), Ok(Frame::Message(RESP.to_vec()))]
        );
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn every_split_point_gives_the_same_frames() {
        let mut whole = WITH_BODY.to_vec();
        whole.extend_from_slice(PING);
        whole.extend_from_slice(RESP);
        for cut in 0..=whole.len() {
            let mut d = Deframer::default();
            d.push(&whole[..cut]);
            let mut got = drain(&mut d);
            d.push(&whole[cut..]);
            got.extend(drain(&mut d));
            assert_eq!(
                got,
                vec![Ok(Frame::Message(WITH_BODY.to_vec())), Ok(Frame::Ping), Ok(Frame::Message(RESP.to_vec()))],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn byte_by_byte() {
        let mut d = Deframer::default();
        let mut got = Vec::new();
        for b in RESP.iter().chain(WITH_BODY) {
            d.push(&[*b]);
            got.extend(drain(&mut d));
        }
        assert_eq!(got, vec![Ok(Frame::Message(RESP.to_vec())), Ok(Frame::Message(WITH_BODY.to_vec()))]);
    }

    #[test]
    fn pings_and_pongs() {
        let mut d = Deframer::default();
        d.push(b"\r\n\r\n");
        assert_eq!(drain(&mut d), vec![Ok(Frame::Ping)]);
        // A lone CRLF is held until the next byte tells it from a ping.
        d.push(b"\r\n");
        assert_eq!(drain(&mut d), vec![]);
        d.push(RESP);
        assert_eq!(drain(&mut d), vec![Ok(Frame::Pong), Ok(Frame::Message(RESP.to_vec()))]);
        // Ping split in two reads.
        d.push(b"\r\n\r");
        assert_eq!(drain(&mut d), vec![]);
        d.push(b"\n");
        assert_eq!(drain(&mut d), vec![Ok(Frame::Ping)]);
        // Stray LF padding is skipped.
        d.push(b"\n");
        d.push(RESP);
        assert_eq!(drain(&mut d), vec![Ok(Frame::Message(RESP.to_vec()))]);
    }

    #[test]
    fn missing_content_length_breaks_the_stream() {
        let mut d = Deframer::default();
        d.push(b"SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n\r\n");
        assert_eq!(drain(&mut d), vec![Err(status::PJSIP_EMISSINGHDR)]);
        // Once broken, it stays broken whatever follows.
        d.push(RESP);
        assert_eq!(d.next_frame(), Some(Err(status::PJSIP_EMISSINGHDR)));
    }

    #[test]
    fn bad_content_length_breaks_the_stream() {
        let mut d = Deframer::default();
        d.push(b"SIP/2.0 200 OK\r\nContent-Length: abc\r\n\r\n");
        assert!(matches!(d.next_frame(), Some(Err(_))));
    }

    #[test]
    fn oversize_is_refused_without_waiting_for_it() {
        // A declared body that would take the message over the limit is
        // refused as soon as the header is seen.
        let mut d = Deframer::default();
        d.push(b"SIP/2.0 200 OK\r\nContent-Length: 70000\r\n\r\n");
        assert_eq!(d.next_frame(), Some(Err(status::PJSIP_EMSGTOOLONG)));
        // With a lower limit, buffering stops at that limit.
        let mut d = Deframer::new(200);
        d.push(b"SIP/2.0 200 OK\r\nContent-Length: 1000\r\n\r\n");
        assert_eq!(d.next_frame(), None);
        d.push(&[b'x'; 200]);
        assert_eq!(d.next_frame(), Some(Err(status::PJSIP_EMSGTOOLONG)));
        // Headers that never end.
        let mut d = Deframer::new(200);
        d.push(b"SIP/2.0 200 OK\r\n");
        for _ in 0..20 {
            d.push(b"X-Filler: 0123456789\r\n");
        }
        assert_eq!(d.next_frame(), Some(Err(status::PJSIP_EMSGTOOLONG)));
    }

    /// Headers arriving one byte at a time are scanned about once, not
    /// once per byte (that cost seconds of CPU for 64 KB of headers).
    #[test]
    fn byte_by_byte_headers_cost_linear_work() {
        let mut msg = b"SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n".to_vec();
        let filler = format!("X-Filler: {}\r\n", "f".repeat(400));
        while msg.len() < MAX_MSG_SIZE - 1000 {
            msg.extend_from_slice(filler.as_bytes());
        }
        msg.extend_from_slice(b"Content-Length: 5\r\n\r\nhello");
        let mut d = Deframer::default();
        let mut got = Vec::new();
        for b in &msg {
            d.push(&[*b]);
            got.extend(drain(&mut d));
        }
        assert!(got == [Ok(Frame::Message(msg.clone()))], "{} frames, first {:?}", got.len(), got[0].as_ref().err());
        // Each byte once by the search (plus the two re-read at each
        // resume), the header section once by the parse.
        assert!(d.work <= 4 * msg.len(), "{} bytes scanned for {}", d.work, msg.len());
    }

    #[test]
    fn a_message_right_at_the_limit_passes() {
        let mut d = Deframer::new(RESP.len());
        d.push(RESP);
        assert_eq!(d.next_frame(), Some(Ok(Frame::Message(RESP.to_vec()))));
    }
}
