//! pj_status_t values and their texts, shared by every layer.
//!
//! Codes and texts follow pjproject's numbering so that C callers can compare
//! and print them exactly as they would with pjproject.

/// A `pj_status_t`.
pub type Status = i32;

/// Success.
pub const PJ_SUCCESS: Status = 0;
/// First of pjlib's own codes.
pub const PJ_ERRNO_START_STATUS: Status = 70000;
/// First of the codes that carry an OS errno.
pub const PJ_ERRNO_START_SYS: Status = 120000;
/// First of pjsip's codes.
pub const PJSIP_ERRNO_START: Status = 170000;
/// First of pjlib-util's codes.
pub const PJLIB_UTIL_ERRNO_START: Status = 320000;

macro_rules! codes {
    ($($name:ident = $val:expr, $text:expr;)*) => {
        $(#[doc = $text] pub const $name: Status = $val;)*
        /// (code, symbolic name, text) for every named code.
        pub const NAMED: &[(Status, &str, &str)] = &[$(($val, stringify!($name), $text)),*];
    };
}

codes! {
    PJ_EUNKNOWN = 70001, "Unknown Error";
    PJ_EPENDING = 70002, "Pending operation";
    PJ_ETOOMANYCONN = 70003, "Too many connecting sockets";
    PJ_EINVAL = 70004, "Invalid value or argument";
    PJ_ENAMETOOLONG = 70005, "Name too long";
    PJ_ENOTFOUND = 70006, "Not found";
    PJ_ENOMEM = 70007, "Not enough memory";
    PJ_EBUG = 70008, "BUG DETECTED!";
    PJ_ETIMEDOUT = 70009, "Operation timed out";
    PJ_ETOOMANY = 70010, "Too many objects of the specified type";
    PJ_EBUSY = 70011, "Object is busy";
    PJ_ENOTSUP = 70012, "Option/operation is not supported";
    PJ_EINVALIDOP = 70013, "Invalid operation";
    PJ_ECANCELLED = 70014, "Operation cancelled";
    PJ_EEXISTS = 70015, "Object already exists";
    PJ_EEOF = 70016, "End of file";
    PJ_ETOOBIG = 70017, "Size is too big";
    PJ_ERESOLVE = 70018, "gethostbyname() has returned error";
    PJ_ETOOSMALL = 70019, "Size is too short";
    PJ_EIGNORED = 70020, "Ignored";
    PJ_EIPV6NOTSUP = 70021, "IPv6 is not supported";
    PJ_EAFNOTSUP = 70022, "Unsupported address family";
    PJ_EGONE = 70023, "Object no longer exists";
    PJ_ESOCKETSTOP = 70024, "Socket is in bad state";
    PJ_ETRYAGAIN = 70025, "Try again";
    PJSIP_EBUSY = 171001, "Object is busy";
    PJSIP_ETYPEEXISTS = 171002, "Object with the same type exists";
    PJSIP_ESHUTDOWN = 171003, "SIP stack shutting down";
    PJSIP_ENOTINITIALIZED = 171004, "SIP object is not initialized.";
    PJSIP_ENOROUTESET = 171005, "Missing route set (for tel: URI)";
    PJSIP_EINVALIDMSG = 171020, "Invalid message/syntax error";
    PJSIP_ENOTREQUESTMSG = 171021, "Expecting request message";
    PJSIP_ENOTRESPONSEMSG = 171022, "Expecting response message";
    PJSIP_EMSGTOOLONG = 171023, "Message too long";
    PJSIP_EPARTIALMSG = 171024, "Partial message";
    PJSIP_EINVALIDSTATUS = 171030, "Invalid/unexpected SIP status code";
    PJSIP_EINVALIDURI = 171039, "Invalid URI";
    PJSIP_EINVALIDSCHEME = 171040, "Invalid URI scheme";
    PJSIP_EMISSINGREQURI = 171041, "Missing Request-URI";
    PJSIP_EINVALIDREQURI = 171042, "Invalid Request URI";
    PJSIP_EURITOOLONG = 171043, "URI is too long";
    PJSIP_EMISSINGHDR = 171050, "Missing required header(s)";
    PJSIP_EINVALIDHDR = 171051, "Invalid header field";
    PJSIP_EINVALIDVIA = 171052, "Invalid Via header";
    PJSIP_EMULTIPLEVIA = 171053, "Multiple Via headers in response";
    PJSIP_EMISSINGBODY = 171054, "Missing message body";
    PJSIP_EINVALIDMETHOD = 171055, "Invalid/unexpected method";
    PJSIP_EUNSUPTRANSPORT = 171060, "Unsupported transport";
    PJSIP_EPENDINGTX = 171061, "Transmit buffer already pending";
    PJSIP_ERXOVERFLOW = 171062, "Rx buffer overflow";
    PJSIP_EBUFDESTROYED = 171063, "Buffer destroyed";
    PJSIP_ETPNOTSUITABLE = 171064, "Unsuitable transport selected";
    PJSIP_ETPNOTAVAIL = 171065, "Transport not available for use";
    PJSIP_ETSXDESTROYED = 171070, "Transaction has been destroyed";
    PJSIP_ENOTSX = 171071, "No transaction is associated with the object (expecting stateful processing)";
    PJSIP_ECMPSCHEME = 171080, "URI scheme mismatch";
    PJSIP_ECMPUSER = 171081, "URI user part mismatch";
    PJSIP_ECMPPASSWD = 171082, "URI password part mismatch";
    PJSIP_ECMPHOST = 171083, "URI host part mismatch";
    PJSIP_ECMPPORT = 171084, "URI port mismatch";
    PJSIP_ECMPTRANSPORTPRM = 171085, "URI transport param mismatch";
    PJSIP_ECMPTTLPARAM = 171086, "URI ttl param mismatch";
    PJSIP_ECMPUSERPARAM = 171087, "URI user param mismatch";
    PJSIP_ECMPMETHODPARAM = 171088, "URI method param mismatch";
    PJSIP_ECMPMADDRPARAM = 171089, "URI maddr param mismatch";
    PJSIP_ECMPOTHERPARAM = 171090, "URI other param mismatch";
    PJSIP_ECMPHEADERPARAM = 171091, "URI header parameter mismatch";
    PJSIP_EFAILEDCREDENTIAL = 171100, "Credential failed to authenticate";
    PJSIP_ENOCREDENTIAL = 171101, "No suitable credential";
    PJSIP_EINVALIDALGORITHM = 171102, "Invalid/unsupported digest algorithm";
    PJSIP_EINVALIDQOP = 171103, "Invalid/unsupported digest qop";
    PJSIP_EINVALIDAUTHSCHEME = 171104, "Unsupported authentication scheme";
    PJSIP_EAUTHNOPREVCHAL = 171105, "No previous challenge";
    PJSIP_EAUTHNOAUTH = 171106, "No suitable authorization header";
    PJSIP_EAUTHACCNOTFOUND = 171107, "Account or credential not found";
    PJSIP_EAUTHACCDISABLED = 171108, "Account or credential is disabled";
    PJSIP_EAUTHINVALIDREALM = 171109, "Invalid authorization realm";
    PJSIP_EAUTHINVALIDDIGEST = 171110, "Invalid authorization digest";
    PJSIP_EAUTHSTALECOUNT = 171111, "Maximum number of stale retries exceeded";
    PJSIP_EAUTHINNONCE = 171112, "Invalid nonce value in authentication challenge";
    PJSIP_EAUTHINAKACRED = 171113, "Invalid AKA credential";
    PJSIP_EAUTHNOCHAL = 171114, "No challenge is found";
    PJSIP_EMISSINGTAG = 171120, "Missing From/To tag parameter";
    PJSIP_ENOTREFER = 171121, "Expecting REFER request";
    PJSIP_ENOREFERSESSION = 171122, "Not associated with REFER subscription";
    PJSIP_ESESSIONTERMINATED = 171140, "INVITE session already terminated";
    PJSIP_ESESSIONSTATE = 171141, "Invalid INVITE session state";
    PJSIP_ESESSIONINSECURE = 171142, "Require secure session/transport";
    PJSIP_TLS_EUNKNOWN = 171160, "Unknown TLS error";
    PJSIP_TLS_EINVMETHOD = 171161, "Invalid SSL protocol method";
    PJSIP_TLS_ECACERT = 171162, "Error loading/verifying SSL CA list file";
    PJSIP_TLS_ECERTFILE = 171163, "Error loading SSL certificate chain file";
    PJSIP_TLS_EKEYFILE = 171164, "Error adding private key from SSL certificate file";
    PJSIP_TLS_ECIPHER = 171165, "Error setting SSL cipher list";
    PJSIP_TLS_ECTX = 171166, "Error creating SSL context";
    PJSIP_TLS_ESSLCONN = 171167, "Error creating SSL connection object";
    PJSIP_TLS_ECONNECT = 171168, "Unknown error when performing SSL connect()";
    PJSIP_TLS_EACCEPT = 171169, "Unknown error when performing SSL accept()";
    PJSIP_TLS_ESEND = 171170, "Unknown error when sending SSL data";
    PJSIP_TLS_EREAD = 171171, "Unknown error when reading SSL data";
    PJSIP_TLS_ETIMEDOUT = 171172, "SSL negotiation has timed out";
    PJSIP_TLS_ECERTVERIF = 171173, "SSL certificate verification error";
    PJLIB_UTIL_EDNSNONS = 320045, "No nameserver is in DNS resolver";
    PJLIB_UTIL_EDNSNOWORKINGNS = 320046, "No working DNS nameserver";
    PJLIB_UTIL_EDNSNOANSWERREC = 320047, "No answer record in the DNS response";
    PJLIB_UTIL_EDNSINANSWER = 320048, "Invalid DNS answer";
    PJLIB_UTIL_EDNS_FORMERR = 320051, "DNS \"Format error\"";
    PJLIB_UTIL_EDNS_SERVFAIL = 320052, "DNS \"Server failure\"";
    PJLIB_UTIL_EDNS_NXDOMAIN = 320053, "DNS \"Name Error\"";
    PJLIB_UTIL_EDNS_NOTIMPL = 320054, "DNS \"Not Implemented\"";
    PJLIB_UTIL_EDNS_REFUSED = 320055, "DNS \"Refused\"";
}

/// `PJSIP_ERRNO_FROM_SIP_STATUS`.
pub const fn from_sip_status(code: i32) -> Status {
    PJSIP_ERRNO_START + code
}

/// `PJSIP_ERRNO_TO_SIP_STATUS`: 599 for anything that is not a SIP status.
pub const fn to_sip_status(status: Status) -> i32 {
    if status >= 170100 && status < 170800 {
        status - PJSIP_ERRNO_START
    } else {
        599
    }
}

/// `PJ_STATUS_FROM_OS`.
pub const fn from_os(errno: i32) -> Status {
    if errno == 0 {
        PJ_SUCCESS
    } else {
        errno + PJ_ERRNO_START_SYS
    }
}

/// Standard reason phrase of a SIP status code, or pjsip's fallback text.
pub fn sip_reason(code: i32) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        199 => "Early Dialog Terminated",
        200 => "OK",
        202 => "Accepted",
        204 => "No Notification",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Conditional Request Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        417 => "Unknown Resource-Priority",
        420 => "Bad Extension",
        421 => "Extension Required",
        422 => "Session Interval Too Small",
        423 => "Interval Too Brief",
        424 => "Bad Location Information",
        428 => "Use Identity Header",
        429 => "Provide Referrer Identity",
        430 => "Flow Failed",
        433 => "Anonymity Disallowed",
        436 => "Bad Identity-Info",
        437 => "Unsupported Certificate",
        438 => "Invalid Identity Header",
        439 => "First Hop Lacks Outbound Support",
        440 => "Max-Breadth Exceeded",
        469 => "Bad Info Package",
        470 => "Consent Needed",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        490 => "Request Updated",
        491 => "Request Pending",
        493 => "Undecipherable",
        494 => "Security Agreement Required",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        555 => "Push Notification Service Not Supported",
        580 => "Precondition Failure",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        607 => "Unwanted",
        608 => "Rejected",
        701 => "No response from destination server",
        702 => "Unable to resolve destination server",
        703 => "Error sending message to destination server",
        _ => "Default status message",
    }
}

/// The message pj_strerror prints for `status`, without truncation.
pub fn text(status: Status) -> String {
    if status == PJ_SUCCESS {
        return "Success".to_string();
    }
    if let Some((_, name, text)) = NAMED.iter().find(|(c, _, _)| *c == status) {
        return format!("{text} ({name})");
    }
    if (PJSIP_ERRNO_START..PJSIP_ERRNO_START + 1000).contains(&status) {
        return sip_reason(status - PJSIP_ERRNO_START).to_string();
    }
    if (PJ_ERRNO_START_SYS..PJ_ERRNO_START_SYS + 50000).contains(&status) {
        return os_error_text(status - PJ_ERRNO_START_SYS);
    }
    if (171000..220000).contains(&status) {
        return format!("Unknown pjsip error {status}");
    }
    if (PJ_ERRNO_START_STATUS..PJ_ERRNO_START_STATUS + 50000).contains(&status) {
        return format!("Unknown pjlib error {status}");
    }
    format!("Unknown error {status}")
}

/// libc's strerror text for an OS errno.
pub fn os_error_text(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_pjproject() {
        assert_eq!(text(0), "Success");
        assert_eq!(text(PJ_EINVAL), "Invalid value or argument (PJ_EINVAL)");
        assert_eq!(text(from_sip_status(423)), "Interval Too Brief");
        assert_eq!(text(from_sip_status(599)), "Default status message");
        assert_eq!(text(from_sip_status(701)), "No response from destination server");
        assert_eq!(text(from_os(111)), "Connection refused");
        assert_eq!(text(171999), "Unknown pjsip error 171999");
        assert_eq!(text(70999), "Unknown pjlib error 70999");
        assert_eq!(text(1219999), "Unknown error 1219999");
        assert_eq!(
            text(PJSIP_EAUTHSTALECOUNT),
            "Maximum number of stale retries exceeded (PJSIP_EAUTHSTALECOUNT)"
        );
    }

    #[test]
    fn sip_status_mapping() {
        assert_eq!(to_sip_status(PJSIP_EBUSY), 599);
        assert_eq!(to_sip_status(from_sip_status(408)), 408);
        assert_eq!(to_sip_status(PJ_ETIMEDOUT), 599);
    }
}
