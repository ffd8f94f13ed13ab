//! The SIP data model shared by the parser, the printer, the registration
//! state machine and the C object layer. Field choices mirror pjsip's C
//! structs (`pjsip_sip_uri`, `pjsip_name_addr`, `pjsip_contact_hdr`, ...) so
//! that converting to and from the C layout is a field-by-field copy.

/// A `;name[=value]` parameter, kept as written (no unescaping).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Param {
    pub name: String,
    pub value: Option<String>,
}

/// sip: or sips: URI. Strings are kept as written on the wire (escaped).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SipUri {
    pub secure: bool,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Without the brackets of an IPv6 reference.
    pub host: String,
    /// 0 when absent, as in pjsip.
    pub port: u16,
    pub user_param: Option<String>,
    pub method_param: Option<String>,
    pub transport_param: Option<String>,
    /// -1 when absent, as in pjsip.
    pub ttl_param: i32,
    pub lr_param: bool,
    pub maddr_param: Option<String>,
    pub other_params: Vec<Param>,
    /// `?name=value&...` URI headers.
    pub headers: Vec<Param>,
}

/// tel: URI (RFC 3966).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TelUri {
    pub number: String,
    pub context: Option<String>,
    pub ext_param: Option<String>,
    pub isub_param: Option<String>,
    pub other_params: Vec<Param>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uri {
    Sip(SipUri),
    Tel(TelUri),
    /// Any other scheme: the text after "scheme:" is kept whole.
    Other {
        scheme: String,
        content: String,
    },
}

/// `display <uri>`. `display` is empty when absent and holds the name
/// without surrounding quotes when it was a quoted string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr {
    pub display: String,
    pub uri: Uri,
}

/// One Contact header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// `Contact: *`; `uri` is None then.
    pub star: bool,
    pub uri: Option<NameAddr>,
    /// q * 1000, 0 when absent (pjsip's `q1000`).
    pub q1000: i32,
    /// The `expires` parameter, None when absent.
    pub expires: Option<u32>,
    pub other_params: Vec<Param>,
}

/// From or To header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromTo {
    pub uri: NameAddr,
    pub tag: Option<String>,
    pub other_params: Vec<Param>,
}

/// One Route / Record-Route value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub uri: NameAddr,
    pub other_params: Vec<Param>,
}

/// One Via value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Via {
    /// "UDP", "TCP", "TLS", ... as written.
    pub transport: String,
    pub host: String,
    /// 0 when absent.
    pub port: u16,
    /// -1 absent, 0 present without value, else the value.
    pub rport: i32,
    pub ttl: i32,
    pub maddr: Option<String>,
    pub received: Option<String>,
    pub branch: Option<String>,
    pub other_params: Vec<Param>,
    pub comment: Option<String>,
}

/// CSeq header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSeq {
    pub seq: u32,
    pub method: String,
}

/// Header identity, numbered exactly as pjsip's `pjsip_hdr_e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum HdrKind {
    Accept = 0,
    Allow = 4,
    Authorization = 6,
    CallId = 7,
    Contact = 9,
    ContentLength = 13,
    ContentType = 14,
    CSeq = 15,
    Expires = 18,
    From = 19,
    MaxForwards = 21,
    MinExpires = 23,
    ProxyAuthenticate = 26,
    ProxyAuthorization = 27,
    RecordRoute = 29,
    Require = 31,
    RetryAfter = 32,
    Route = 33,
    Supported = 36,
    To = 38,
    Unsupported = 39,
    Via = 41,
    WwwAuthenticate = 43,
    /// Anything pjsip does not parse into a typed header.
    Other = 44,
}

/// A header as received: its name as written and its value with folding
/// undone and leading blanks removed (trailing blanks too, except for
/// Call-ID and unknown headers, whose text pjsip keeps whole). Contact, Via, Route and
/// Record-Route lines holding a comma-separated list are split so that each
/// value is one `RawHeader`, as pjsip does; Accept, Allow, Supported,
/// Require and Unsupported (pjsip "generic array" headers) stay one
/// `RawHeader` per line (split the value with `parse_generic_array`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawHeader {
    pub name: String,
    pub kind: HdrKind,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum StartLine {
    Request { method: String, uri: Uri },
    Response { code: u16, reason: String },
}

/// A parsed SIP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub start: StartLine,
    pub headers: Vec<RawHeader>,
    pub body: Vec<u8>,
}

/// Where a URI is printed; pjsip omits some parameters by context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum UriContext {
    ReqUri = 0,
    FromTo = 1,
    Contact = 2,
    Routing = 3,
    Other = 4,
}
