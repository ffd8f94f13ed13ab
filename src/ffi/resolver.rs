//! pjlib-util's DNS resolver as a regc program configures it, and the
//! endpoint calls that install it: `pjsip_endpt_create_resolver`,
//! `pj_dns_resolver_set_ns`, `pj_dns_settings_default`,
//! `pj_dns_resolver_set_settings` / `get_settings`,
//! `pj_dns_resolver_destroy`, `pjsip_endpt_set_resolver` and
//! `pjsip_endpt_get_resolver`. With a resolver set, the endpoint looks
//! targets up by SRV then A/AAAA on the configured nameservers
//! (`crate::endpoint::dns`); without one, by getaddrinfo.

use super::endpt::{shared, EndptShared};
use super::guard::{guard, guard_status};
use super::types::*;
use crate::endpoint::dns::{self, Resolver};
use crate::nonnull;
use crate::status::*;
use core::ffi::c_uint;
use parking_lot::Mutex;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Weak};

/// pjlib-util's `PJ_DNS_RESOLVER_MAX_NS`: set_ns takes fewer servers.
const MAX_NS: c_uint = 16;

/// What a `pj_dns_resolver*` points at.
struct CResolver {
    resolver: Arc<Resolver>,
    /// The settings as the application gave them (get_settings returns them).
    settings: Mutex<pj_dns_settings>,
    /// The endpoint it was created on.
    endpt: Weak<EndptShared>,
}

unsafe fn c_resolver<'a>(p: *mut pj_dns_resolver) -> &'a CResolver {
    &*(p as *const CResolver)
}

/// Fills `s` with pjlib-util's defaults: 2 s between transmissions, 5
/// transmissions, 300 s cache TTL, 600 s good and 60 s bad nameserver TTL.
#[no_mangle]
pub unsafe extern "C" fn pj_dns_settings_default(s: *mut pj_dns_settings) {
    guard((), || {
        if !s.is_null() {
            s.write(pj_dns_settings {
                options: 0,
                qretr_delay: dns::DEFAULT_RETRANSMIT_MS,
                qretr_count: dns::DEFAULT_RETRANSMIT_COUNT,
                cache_max_ttl: 300,
                good_ns_ttl: 600,
                bad_ns_ttl: 60,
            });
        }
    })
}

/// Creates a resolver that runs on the endpoint's event loop, with no
/// nameserver yet; it is not used until `pjsip_endpt_set_resolver`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_create_resolver(
    endpt: *mut pjsip_endpoint,
    p_resv: *mut *mut pj_dns_resolver,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt, p_resv)?;
        let mut settings = pj_dns_settings::default();
        pj_dns_settings_default(&mut settings);
        let c = CResolver {
            resolver: Arc::new(Resolver::default()),
            settings: Mutex::new(settings),
            endpt: Arc::downgrade(shared(endpt)),
        };
        *p_resv = Box::into_raw(Box::new(c)) as *mut pj_dns_resolver;
        Ok(())
    })
}

/// Sets the nameservers: `count` (1 to 15) IPv4 or IPv6 addresses, with
/// their ports (`ports` NULL: 53 for all). PJ_EINVAL for a bad count or
/// an address that is not an IP address.
#[no_mangle]
pub unsafe extern "C" fn pj_dns_resolver_set_ns(
    resolver: *mut pj_dns_resolver,
    count: c_uint,
    servers: *const pj_str_t,
    ports: *const pj_uint16_t,
) -> pj_status_t {
    guard_status(|| {
        nonnull!(resolver, servers)?;
        if count == 0 || count >= MAX_NS {
            return Err(PJ_EINVAL);
        }
        let mut list = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let s = &*servers.add(i);
            let text = if s.ptr.is_null() || s.slen <= 0 {
                String::new()
            } else {
                String::from_utf8_lossy(core::slice::from_raw_parts(s.ptr as *const u8, s.slen as usize)).into_owned()
            };
            let ip: IpAddr = text.trim_start_matches('[').trim_end_matches(']').parse().map_err(|_| PJ_EINVAL)?;
            let port = if ports.is_null() { 53 } else { *ports.add(i) };
            list.push(SocketAddr::new(ip, port));
        }
        c_resolver(resolver).resolver.settings.lock().servers = list;
        Ok(())
    })
}

/// Changes the retransmission settings (`qretr_delay`, `qretr_count`);
/// the other fields are kept for `pj_dns_resolver_get_settings`.
#[no_mangle]
pub unsafe extern "C" fn pj_dns_resolver_set_settings(resolver: *mut pj_dns_resolver, st: *const pj_dns_settings) -> pj_status_t {
    guard_status(|| {
        nonnull!(resolver, st)?;
        let c = c_resolver(resolver);
        let st = *st;
        *c.settings.lock() = st;
        let mut s = c.resolver.settings.lock();
        s.retransmit_ms = st.qretr_delay;
        s.retransmit_count = st.qretr_count;
        Ok(())
    })
}

/// The settings last set (or the defaults).
#[no_mangle]
pub unsafe extern "C" fn pj_dns_resolver_get_settings(resolver: *mut pj_dns_resolver, st: *mut pj_dns_settings) -> pj_status_t {
    guard_status(|| {
        nonnull!(resolver, st)?;
        st.write(*c_resolver(resolver).settings.lock());
        Ok(())
    })
}

/// Destroys a resolver. If it is its endpoint's resolver, the endpoint
/// goes back to getaddrinfo. Lookups in flight finish with the settings
/// they started with. `notify` is accepted for pjproject's signature:
/// the lookups are the endpoint's and end through it.
#[no_mangle]
pub unsafe extern "C" fn pj_dns_resolver_destroy(resolver: *mut pj_dns_resolver, notify: pj_bool_t) -> pj_status_t {
    guard_status(|| {
        nonnull!(resolver)?;
        let _ = notify;
        let c = Box::from_raw(resolver as *mut CResolver);
        if let Some(s) = c.endpt.upgrade() {
            let mut current = s.resolver.lock();
            if *current == resolver as usize {
                *current = 0;
                s.ep.set_resolver(None);
            }
        }
        Ok(())
    })
}

/// Makes the endpoint look targets up with `resv` (NULL: getaddrinfo
/// again). The endpoint destroys the resolver it has when it is
/// destroyed, as pjsip does.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_set_resolver(endpt: *mut pjsip_endpoint, resv: *mut pj_dns_resolver) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt)?;
        let s = shared(endpt);
        *s.resolver.lock() = resv as usize;
        s.ep.set_resolver((!resv.is_null()).then(|| c_resolver(resv).resolver.clone()));
        Ok(())
    })
}

/// The resolver set on the endpoint, or NULL.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_get_resolver(endpt: *mut pjsip_endpoint) -> *mut pj_dns_resolver {
    guard(core::ptr::null_mut(), || {
        if endpt.is_null() {
            return core::ptr::null_mut();
        }
        *shared(endpt).resolver.lock() as *mut pj_dns_resolver
    })
}

/// Frees the resolver set on an endpoint being destroyed.
pub unsafe fn endpoint_destroyed(s: &EndptShared) {
    let p = std::mem::take(&mut *s.resolver.lock());
    if p != 0 {
        s.ep.set_resolver(None);
        drop(Box::from_raw(p as *mut CResolver));
    }
}
