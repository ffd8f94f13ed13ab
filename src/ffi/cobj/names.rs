//! `pjsip_hdr_e` values and the names pjsip gives each header type.

use crate::ffi::types::pjsip_hdr_e;
use crate::sip::HdrKind;

/// `pjsip_hdr_e` of Accept.
pub const PJSIP_H_ACCEPT: pjsip_hdr_e = 0;
/// `pjsip_hdr_e` of Allow.
pub const PJSIP_H_ALLOW: pjsip_hdr_e = 4;
/// `pjsip_hdr_e` of Authorization.
pub const PJSIP_H_AUTHORIZATION: pjsip_hdr_e = 6;
/// `pjsip_hdr_e` of Call-ID.
pub const PJSIP_H_CALL_ID: pjsip_hdr_e = 7;
/// `pjsip_hdr_e` of Contact.
pub const PJSIP_H_CONTACT: pjsip_hdr_e = 9;
/// `pjsip_hdr_e` of Content-Length.
pub const PJSIP_H_CONTENT_LENGTH: pjsip_hdr_e = 13;
/// `pjsip_hdr_e` of Content-Type.
pub const PJSIP_H_CONTENT_TYPE: pjsip_hdr_e = 14;
/// `pjsip_hdr_e` of CSeq.
pub const PJSIP_H_CSEQ: pjsip_hdr_e = 15;
/// `pjsip_hdr_e` of Expires.
pub const PJSIP_H_EXPIRES: pjsip_hdr_e = 18;
/// `pjsip_hdr_e` of From.
pub const PJSIP_H_FROM: pjsip_hdr_e = 19;
/// `pjsip_hdr_e` of Max-Forwards.
pub const PJSIP_H_MAX_FORWARDS: pjsip_hdr_e = 21;
/// `pjsip_hdr_e` of Min-Expires.
pub const PJSIP_H_MIN_EXPIRES: pjsip_hdr_e = 23;
/// `pjsip_hdr_e` of Proxy-Authenticate.
pub const PJSIP_H_PROXY_AUTHENTICATE: pjsip_hdr_e = 26;
/// `pjsip_hdr_e` of Proxy-Authorization.
pub const PJSIP_H_PROXY_AUTHORIZATION: pjsip_hdr_e = 27;
/// `pjsip_hdr_e` of Record-Route.
pub const PJSIP_H_RECORD_ROUTE: pjsip_hdr_e = 29;
/// `pjsip_hdr_e` of Require.
pub const PJSIP_H_REQUIRE: pjsip_hdr_e = 31;
/// `pjsip_hdr_e` of Retry-After.
pub const PJSIP_H_RETRY_AFTER: pjsip_hdr_e = 32;
/// `pjsip_hdr_e` of Route.
pub const PJSIP_H_ROUTE: pjsip_hdr_e = 33;
/// `pjsip_hdr_e` of Supported.
pub const PJSIP_H_SUPPORTED: pjsip_hdr_e = 36;
/// `pjsip_hdr_e` of To.
pub const PJSIP_H_TO: pjsip_hdr_e = 38;
/// `pjsip_hdr_e` of Unsupported.
pub const PJSIP_H_UNSUPPORTED: pjsip_hdr_e = 39;
/// `pjsip_hdr_e` of Via.
pub const PJSIP_H_VIA: pjsip_hdr_e = 41;
/// `pjsip_hdr_e` of WWW-Authenticate.
pub const PJSIP_H_WWW_AUTHENTICATE: pjsip_hdr_e = 43;
/// `pjsip_hdr_e` of a header pjsip has no type for.
pub const PJSIP_H_OTHER: pjsip_hdr_e = 44;

/// (name, compact name) per `pjsip_hdr_e`, NUL-terminated so that C code
/// printing `hdr->name.ptr` with `%s` stays within bounds.
const NAMES: [(&str, Option<&str>); 45] = [
    ("Accept\0", None),
    ("Accept-Encoding\0", None),
    ("Accept-Language\0", None),
    ("Alert-Info\0", None),
    ("Allow\0", None),
    ("Authentication-Info\0", None),
    ("Authorization\0", None),
    ("Call-ID\0", Some("i\0")),
    ("Call-Info\0", None),
    ("Contact\0", Some("m\0")),
    ("Content-Disposition\0", None),
    ("Content-Encoding\0", Some("e\0")),
    ("Content-Language\0", None),
    ("Content-Length\0", Some("l\0")),
    ("Content-Type\0", Some("c\0")),
    ("CSeq\0", None),
    ("Date\0", None),
    ("Error-Info\0", None),
    ("Expires\0", None),
    ("From\0", Some("f\0")),
    ("In-Reply-To\0", None),
    ("Max-Forwards\0", None),
    ("MIME-Version\0", None),
    ("Min-Expires\0", None),
    ("Organization\0", None),
    ("Priority\0", None),
    ("Proxy-Authenticate\0", None),
    ("Proxy-Authorization\0", None),
    ("Proxy-Require\0", None),
    ("Record-Route\0", None),
    ("Reply-To\0", None),
    ("Require\0", None),
    ("Retry-After\0", None),
    ("Route\0", None),
    ("Server\0", None),
    ("Subject\0", Some("s\0")),
    ("Supported\0", Some("k\0")),
    ("Timestamp\0", None),
    ("To\0", Some("t\0")),
    ("Unsupported\0", None),
    ("User-Agent\0", None),
    ("Via\0", Some("v\0")),
    ("Warning\0", None),
    ("WWW-Authenticate\0", None),
    ("_Unknown-Header\0", None),
];

fn strip(s: &'static str) -> &'static str {
    &s[..s.len() - 1]
}

/// The long name and the compact name (the long one when there is none)
/// pjsip gives a header of type `t`, each with a trailing NUL in storage.
pub(crate) fn names_of(t: pjsip_hdr_e) -> (&'static str, &'static str) {
    let (n, s) = NAMES[(t as usize).min(NAMES.len() - 1)];
    (strip(n), strip(s.unwrap_or(n)))
}

/// The header type of a model kind.
pub fn hdr_type_of(kind: HdrKind) -> pjsip_hdr_e {
    kind as u32
}

/// The model kind of a header type (`Other` for the untyped ones).
pub fn kind_of_type(t: pjsip_hdr_e) -> HdrKind {
    use HdrKind::*;
    match t {
        PJSIP_H_ACCEPT => Accept,
        PJSIP_H_ALLOW => Allow,
        PJSIP_H_AUTHORIZATION => Authorization,
        PJSIP_H_CALL_ID => CallId,
        PJSIP_H_CONTACT => Contact,
        PJSIP_H_CONTENT_LENGTH => ContentLength,
        PJSIP_H_CONTENT_TYPE => ContentType,
        PJSIP_H_CSEQ => CSeq,
        PJSIP_H_EXPIRES => Expires,
        PJSIP_H_FROM => From,
        PJSIP_H_MAX_FORWARDS => MaxForwards,
        PJSIP_H_MIN_EXPIRES => MinExpires,
        PJSIP_H_PROXY_AUTHENTICATE => ProxyAuthenticate,
        PJSIP_H_PROXY_AUTHORIZATION => ProxyAuthorization,
        PJSIP_H_RECORD_ROUTE => RecordRoute,
        PJSIP_H_REQUIRE => Require,
        PJSIP_H_RETRY_AFTER => RetryAfter,
        PJSIP_H_ROUTE => Route,
        PJSIP_H_SUPPORTED => Supported,
        PJSIP_H_TO => To,
        PJSIP_H_UNSUPPORTED => Unsupported,
        PJSIP_H_VIA => Via,
        PJSIP_H_WWW_AUTHENTICATE => WwwAuthenticate,
        _ => Other,
    }
}
