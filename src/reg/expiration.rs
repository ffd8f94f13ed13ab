//! The expiration a 2xx to a REGISTER grants, as pjsip derives it.

use super::NOEXP;
use crate::sip::{uri_cmp, Contact, Param, Uri, UriContext};

/// What the computation needs from the response and the client.
pub struct Grant<'a> {
    /// The response's Contact headers (the first ten, as pjsip collects).
    pub response_contacts: &'a [Contact],
    /// The response's Expires header.
    pub response_expires: Option<u32>,
    /// Our current contacts.
    pub ours: &'a [Contact],
    /// The Expires header regc is configured to send, if any.
    pub configured_expires: Option<u32>,
    /// Match our contacts by URI comparison (`check_contact`).
    pub check_contact: bool,
    /// Match them by `x-uid` parameter (`add_xuid_param`).
    pub match_xuid: bool,
}

const DEFAULT_EXPIRATION: u32 = 3600;

fn xuid(uri: &Uri) -> Option<&str> {
    match uri {
        Uri::Sip(s) => s
            .other_params
            .iter()
            .find(|p: &&Param| p.name.eq_ignore_ascii_case("x-uid"))
            .and_then(|p| p.value.as_deref()),
        _ => None,
    }
}

fn is_ours(theirs: &Contact, ours: &[Contact], check_contact: bool, match_xuid: bool) -> bool {
    let Some(t) = theirs.uri.as_ref() else { return false };
    ours.iter().any(|o| {
        let Some(o) = o.uri.as_ref() else { return false };
        // Display names are not compared: registrars rarely echo them.
        (check_contact && uri_cmp(UriContext::Contact, &t.uri, &o.uri).is_ok())
            || (match_xuid && matches!((xuid(&t.uri), xuid(&o.uri)), (Some(a), Some(b)) if a == b))
    })
}

fn fallback(g: &Grant) -> u32 {
    g.response_expires
        .or(g.configured_expires)
        .unwrap_or(DEFAULT_EXPIRATION)
}

/// Expiration of a successful registration (never used for unregistering,
/// which always yields 0).
pub fn registration_expiration(g: &Grant) -> u32 {
    overrule_zero(g, granted_expiration(g))
}

/// What the registrar granted, as pjsip reads it from the response (0 when
/// it granted nothing).
pub fn granted_expiration(g: &Grant) -> u32 {
    let mut matched = false;
    let mut lowest: Option<u32> = None;
    if g.check_contact || g.match_xuid {
        for c in g.response_contacts {
            if is_ours(c, g.ours, g.check_contact, g.match_xuid) {
                matched = true;
                if let Some(e) = c.expires {
                    lowest = Some(lowest.map_or(e, |l| l.min(e)));
                }
            }
        }
    }
    match (matched, lowest) {
        (true, Some(e)) => e,
        (true, None) => fallback(g),
        (false, _) => match g.response_contacts.first() {
            Some(first)
                if g.response_contacts.len() == g.ours.len() && first.expires.is_some() =>
            {
                first.expires.unwrap_or(NOEXP)
            }
            _ => fallback(g),
        },
    }
}

/// A registrar that granted 0 to a registration is overruled so that the
/// client keeps refreshing.
pub fn overrule_zero(g: &Grant, expiration: u32) -> u32 {
    if expiration != 0 {
        return expiration;
    }
    g.response_expires
        .filter(|e| *e != 0)
        .or(g.configured_expires.filter(|e| *e != 0))
        .unwrap_or(DEFAULT_EXPIRATION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip::parse_contact_list;

    fn contacts(s: &str) -> Vec<Contact> {
        if s.is_empty() {
            return vec![];
        }
        parse_contact_list(s).expect("test contact parses")
    }

    fn grant(resp: &str, hdr: Option<u32>, ours: &str, configured: Option<u32>, check: bool, xuid: bool) -> u32 {
        let r = contacts(resp);
        let o = contacts(ours);
        registration_expiration(&Grant {
            response_contacts: &r,
            response_expires: hdr,
            ours: &o,
            configured_expires: configured,
            check_contact: check,
            match_xuid: xuid,
        })
    }

    #[test]
    fn expiration_table() {
        let ours = "<sip:alice@127.0.0.1:5070>";
        // (response contacts, Expires hdr, configured, check_contact, expected)
        let table: &[(&str, Option<u32>, Option<u32>, bool, u32)] = &[
            // basic echo
            ("<sip:alice@127.0.0.1:5070>;expires=300", None, Some(600), true, 300),
            // matched without param -> Expires header, then configured, then 3600
            ("<sip:alice@127.0.0.1:5070>", Some(120), Some(600), true, 120),
            ("<sip:alice@127.0.0.1:5070>", None, Some(600), true, 600),
            ("<sip:alice@127.0.0.1:5070>", None, None, true, 3600),
            // extra bindings: lowest of ours only
            ("<sip:other@192.0.2.2>;expires=10, <sip:alice@127.0.0.1:5070>;expires=200", None, Some(600), true, 200),
            // modified contact, same count, first has expires
            ("<sip:alice@127.0.0.1:5071>;expires=90", Some(45), Some(600), true, 90),
            // replaced plus extra: count differs -> Expires header
            ("<sip:x@192.0.2.1>;expires=90, <sip:y@192.0.2.1>;expires=80", Some(45), Some(600), true, 45),
            ("<sip:x@192.0.2.1>;expires=90, <sip:y@192.0.2.1>;expires=80", None, Some(600), true, 600),
            // no contact
            ("", Some(77), Some(600), true, 77),
            ("", None, Some(600), true, 600),
            ("", None, None, true, 3600),
            // check_contact off: treated as unmatched
            ("<sip:other@192.0.2.2>;expires=10, <sip:alice@127.0.0.1:5070>;expires=200", Some(33), Some(600), false, 33),
            ("<sip:alice@127.0.0.1:5070>;expires=200", Some(33), Some(600), false, 200),
            // granted 0 while registering is overruled
            ("<sip:alice@127.0.0.1:5070>;expires=0", Some(50), Some(600), true, 50),
            ("<sip:alice@127.0.0.1:5070>;expires=0", None, Some(600), true, 600),
            ("<sip:alice@127.0.0.1:5070>;expires=0", None, None, true, 3600),
            ("<sip:alice@127.0.0.1:5070>;expires=0", Some(0), Some(0), true, 3600),
        ];
        for &(resp, hdr, configured, check, want) in table {
            assert_eq!(grant(resp, hdr, ours, configured, check, false), want, "resp={resp:?} hdr={hdr:?}");
        }
    }

    #[test]
    fn xuid_matches_when_uri_differs() {
        let ours = "<sip:alice@127.0.0.1:5070;x-uid=abc>";
        let resp = "<sip:other@1.1.1.1>;expires=5, <sip:alice@10.0.0.1:1234;x-uid=abc>;expires=70";
        assert_eq!(grant(resp, None, ours, Some(600), true, true), 70);
        assert_eq!(grant(resp, Some(9), ours, Some(600), true, false), 9);
    }
}
