//! The SIP data model shared by the parser, the printer, the registration
//! state machine and the C object layer. Field choices mirror pjsip's C
//! structs (`pjsip_sip_uri`, `pjsip_name_addr`, `pjsip_contact_hdr`, ...) so
//! that converting to and from the C layout is a field-by-field copy.

/// A `;name[=value]` parameter, kept as written (no unescaping).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Param {
    /// Name as written.
    pub name: String,
    /// Value as written, None for a bare `;name`.
    pub value: Option<String>,
}

/// sip: or sips: URI. Strings are kept as written on the wire (escaped).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SipUri {
    /// `sips:`.
    pub secure: bool,
    /// User part.
    pub user: Option<String>,
    /// Password after `user:`.
    pub password: Option<String>,
    /// Without the brackets of an IPv6 reference.
    pub host: String,
    /// 0 when absent, as in pjsip.
    pub port: u16,
    /// `;user=`.
    pub user_param: Option<String>,
    /// `;method=`.
    pub method_param: Option<String>,
    /// `;transport=`.
    pub transport_param: Option<String>,
    /// -1 when absent, as in pjsip.
    pub ttl_param: i32,
    /// `;lr`.
    pub lr_param: bool,
    /// `;maddr=`.
    pub maddr_param: Option<String>,
    /// The other `;` parameters.
    pub other_params: Vec<Param>,
    /// `?name=value&...` URI headers.
    pub headers: Vec<Param>,
}

/// tel: URI (RFC 3966).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TelUri {
    /// The number, global or local.
    pub number: String,
    /// `;phone-context=`.
    pub context: Option<String>,
    /// `;ext=`.
    pub ext_param: Option<String>,
    /// `;isub=`.
    pub isub_param: Option<String>,
    /// The other parameters.
    pub other_params: Vec<Param>,
}

/// A URI of any scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uri {
    /// sip: or sips:.
    Sip(SipUri),
    /// tel:.
    Tel(TelUri),
    /// Any other scheme: the text after "scheme:" is kept whole.
    Other {
        /// The scheme, without the colon.
        scheme: String,
        /// Everything after the colon.
        content: String,
    },
}

/// `display <uri>`. `display` is empty when absent and holds the name
/// without surrounding quotes when it was a quoted string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name.
    pub display: String,
    /// The URI.
    pub uri: Uri,
}

/// One Contact header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// `Contact: *`; `uri` is None then.
    pub star: bool,
    /// The address; None for `*`.
    pub uri: Option<NameAddr>,
    /// q * 1000, 0 when absent (pjsip's `q1000`).
    pub q1000: i32,
    /// The `expires` parameter, None when absent.
    pub expires: Option<u32>,
    /// Other header parameters.
    pub other_params: Vec<Param>,
}

/// From or To header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromTo {
    /// The address.
    pub uri: NameAddr,
    /// `;tag=`.
    pub tag: Option<String>,
    /// Other header parameters.
    pub other_params: Vec<Param>,
}

/// One Route / Record-Route value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The address.
    pub uri: NameAddr,
    /// Header parameters.
    pub other_params: Vec<Param>,
}

/// One Via value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Via {
    /// "UDP", "TCP", "TLS", ... as written.
    pub transport: String,
    /// sent-by host.
    pub host: String,
    /// 0 when absent.
    pub port: u16,
    /// -1 absent, 0 present without value, else the value.
    pub rport: i32,
    /// `;ttl=`, -1 when absent.
    pub ttl: i32,
    /// `;maddr=`.
    pub maddr: Option<String>,
    /// `;received=`.
    pub received: Option<String>,
    /// `;branch=`.
    pub branch: Option<String>,
    /// Other parameters.
    pub other_params: Vec<Param>,
    /// A trailing `(comment)`.
    pub comment: Option<String>,
}

/// CSeq header value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSeq {
    /// Sequence number.
    pub seq: u32,
    /// Method.
    pub method: String,
}

/// Header identity, numbered exactly as pjsip's `pjsip_hdr_e`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum HdrKind {
    /// Accept.
    Accept = 0,
    /// Allow.
    Allow = 4,
    /// Authorization.
    Authorization = 6,
    /// Call-ID.
    CallId = 7,
    /// Contact.
    Contact = 9,
    /// Content-Length.
    ContentLength = 13,
    /// Content-Type.
    ContentType = 14,
    /// CSeq.
    CSeq = 15,
    /// Expires.
    Expires = 18,
    /// From.
    From = 19,
    /// Max-Forwards.
    MaxForwards = 21,
    /// Min-Expires.
    MinExpires = 23,
    /// Proxy-Authenticate.
    ProxyAuthenticate = 26,
    /// Proxy-Authorization.
    ProxyAuthorization = 27,
    /// Record-Route.
    RecordRoute = 29,
    /// Require.
    Require = 31,
    /// Retry-After.
    RetryAfter = 32,
    /// Route.
    Route = 33,
    /// Supported.
    Supported = 36,
    /// To.
    To = 38,
    /// Unsupported.
    Unsupported = 39,
    /// Via.
    Via = 41,
    /// WWW-Authenticate.
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
///
/// The typed value of the headers pjsip parses into structs is parsed on
/// first use ([`RawHeader::typed`]) and kept, so that checking a message,
/// reading it and building its C objects parse each value once.
#[derive(Clone, Debug)]
pub struct RawHeader {
    /// Name as written (static text when it is a known name as pjsip
    /// prints it: no copy for most received headers).
    pub name: std::borrow::Cow<'static, str>,
    /// What header it is.
    pub kind: HdrKind,
    /// The value.
    pub value: String,
    typed: std::sync::OnceLock<Result<Typed, crate::status::Status>>,
}

impl RawHeader {
    /// A header of `kind` named `name` with `value`, not yet parsed.
    pub fn new(name: impl Into<std::borrow::Cow<'static, str>>, kind: HdrKind, value: String) -> RawHeader {
        RawHeader { name: name.into(), kind, value, typed: std::sync::OnceLock::new() }
    }

    /// A header whose value was parsed as its kind already.
    pub(crate) fn parsed(name: std::borrow::Cow<'static, str>, kind: HdrKind, value: String, typed: Typed) -> RawHeader {
        RawHeader { name, kind, value, typed: std::sync::OnceLock::from(Ok(typed)) }
    }

    /// The value parsed as its kind ([`Typed::Untyped`] for the kinds kept
    /// as text), or the parser's error; parsed once, on first use.
    pub fn typed(&self) -> Result<&Typed, crate::status::Status> {
        self.typed
            .get_or_init(|| super::header::parse_typed(self.kind, &self.value))
            .as_ref()
            .map_err(|e| *e)
    }
}

/// Headers are equal when name, kind and value are; whether one of them
/// was parsed already does not matter.
impl PartialEq for RawHeader {
    fn eq(&self, other: &RawHeader) -> bool {
        self.name == other.name && self.kind == other.kind && self.value == other.value
    }
}

impl Eq for RawHeader {}

/// A header value in its type, for the kinds read often enough to keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typed {
    /// Contact: the values of one header.
    Contacts(Vec<Contact>),
    /// Via: the values of one header.
    Vias(Vec<Via>),
    /// Route or Record-Route: the values of one header.
    Routes(Vec<Route>),
    /// From or To (boxed: the largest by far).
    FromTo(Box<FromTo>),
    /// CSeq.
    CSeq(CSeq),
    /// Expires, Min-Expires, Max-Forwards, Content-Length.
    Uint(u32),
    /// A kind whose value is kept as text (or parsed where it is used).
    Untyped,
}

/// A request line or a status line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`.
    Request {
        /// The method.
        method: String,
        /// The Request-URI.
        uri: Uri,
    },
    /// `SIP/2.0 code reason`.
    Response {
        /// The status code.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// A parsed SIP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The request or status line.
    pub start: StartLine,
    /// The headers in order.
    pub headers: Vec<RawHeader>,
    /// The body.
    pub body: Vec<u8>,
}

/// Where a URI is printed; pjsip omits some parameters by context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum UriContext {
    /// Request-URI.
    ReqUri = 0,
    /// From or To.
    FromTo = 1,
    /// Contact.
    Contact = 2,
    /// Route or Record-Route.
    Routing = 3,
    /// Any other header.
    Other = 4,
}
