//! The outgoing REGISTER as the state machine builds it. Headers are typed
//! where regc or the C view of `tdata->msg` needs their fields; the Via is
//! not here because the transport layer writes it at transmission time.

use crate::auth::AuthHeader;
use crate::sip::{CSeq, Contact, FromTo, Route, Uri};

/// A header of a request, in the order it is printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutHeader {
    /// A Route value of the route set.
    Route(Route),
    /// Max-Forwards.
    MaxForwards(u32),
    /// From.
    From(FromTo),
    /// To.
    To(FromTo),
    /// Call-ID.
    CallId(String),
    /// CSeq.
    CSeq(CSeq),
    /// One Contact value.
    Contact(Contact),
    /// Expires.
    Expires(u32),
    /// The endpoint's Allow capability.
    Allow(Vec<String>),
    /// Authorization (is_proxy false) or Proxy-Authorization.
    Auth(AuthHeader),
    /// Any other header, printed `name: value`.
    Other {
        /// The header name.
        name: String,
        /// The header value.
        value: String,
    },
}

/// A request in the Rust model, printed when sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Method, e.g. `REGISTER`.
    pub method: String,
    /// Request-URI.
    pub uri: Uri,
    /// Headers in order.
    pub headers: Vec<OutHeader>,
    /// Body (empty for REGISTER).
    pub body: Vec<u8>,
}

impl Request {
    /// The value of the Expires header.
    pub fn expires(&self) -> Option<u32> {
        self.headers.iter().find_map(|h| match h {
            OutHeader::Expires(v) => Some(*v),
            _ => None,
        })
    }

    /// The CSeq header, to renumber.
    pub fn cseq_mut(&mut self) -> Option<&mut CSeq> {
        self.headers.iter_mut().find_map(|h| match h {
            OutHeader::CSeq(c) => Some(c),
            _ => None,
        })
    }

    /// The Authorization and Proxy-Authorization headers.
    pub fn auth_headers(&self) -> Vec<AuthHeader> {
        self.headers
            .iter()
            .filter_map(|h| match h {
                OutHeader::Auth(a) => Some(a.clone()),
                _ => None,
            })
            .collect()
    }

    /// The first Route's URI, which decides the next hop when present.
    pub fn first_route(&self) -> Option<&Route> {
        self.headers.iter().find_map(|h| match h {
            OutHeader::Route(r) => Some(r),
            _ => None,
        })
    }
}
