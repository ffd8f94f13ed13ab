//! The outgoing REGISTER as the state machine builds it. Headers are typed
//! where regc or the C view of `tdata->msg` needs their fields; the Via is
//! not here because the transport layer writes it at transmission time.

use crate::auth::AuthHeader;
use crate::sip::{CSeq, Contact, FromTo, Route, Uri};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutHeader {
    Route(Route),
    MaxForwards(u32),
    From(FromTo),
    To(FromTo),
    CallId(String),
    CSeq(CSeq),
    Contact(Contact),
    Expires(u32),
    /// The endpoint's Allow capability.
    Allow(Vec<String>),
    /// Authorization (is_proxy false) or Proxy-Authorization.
    Auth(AuthHeader),
    /// Any other header, printed `name: value`.
    Other { name: String, value: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub uri: Uri,
    pub headers: Vec<OutHeader>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn expires(&self) -> Option<u32> {
        self.headers.iter().find_map(|h| match h {
            OutHeader::Expires(v) => Some(*v),
            _ => None,
        })
    }

    pub fn cseq_mut(&mut self) -> Option<&mut CSeq> {
        self.headers.iter_mut().find_map(|h| match h {
            OutHeader::CSeq(c) => Some(c),
            _ => None,
        })
    }

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
