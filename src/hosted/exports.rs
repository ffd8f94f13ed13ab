//! The 25 `pjsip_regc_*` functions of pjproject 2.17, and nothing else.
//!
//! Each goes through the panic-catching guard, then to whoever serves this
//! process (see `super::mode`): our regc, or, for a host this library does
//! not know, the host's own function of the same name, called with the
//! same arguments.

use super::host::HostPtr;
use super::regc::Regc;
use crate::reg::busy::Lifetime;
use super::Mode;
use crate::ffi::guard::{guard, guard_status};
use crate::ffi::handle::{borrow, contact_strings, with_handle};
use crate::ffi::types::*;
use crate::nonnull;
use crate::status::*;
use core::ffi::{c_int, c_void};
use std::sync::Arc;

macro_rules! regc_exports {
    ( $(
        fn $name:ident( $($arg:ident : $ty:ty),* ) -> $ret:ty, unavailable $fallback:expr, ours($host:ident) $body:block
    )* ) => {
        /// The host's own regc functions, for forwarding.
        #[cfg(not(feature = "hosted-static"))]
        pub struct Forwarded {
            pjsip_regc_create: Option<CreateFn>,
            $( $name: Option<unsafe extern "C" fn($($ty),*) -> $ret>, )*
        }

        #[cfg(not(feature = "hosted-static"))]
        impl Forwarded {
            /// Looks up the host's own `pjsip_regc_*` with `lookup`.
            pub fn resolve(lookup: &dyn Fn(&core::ffi::CStr) -> HostPtr) -> Forwarded {
                let create = lookup(c"pjsip_regc_create");
                Forwarded {
                // SAFETY: the host's pjsip_regc_create.
                pjsip_regc_create: (!create.is_null()).then(|| unsafe { core::mem::transmute::<HostPtr, CreateFn>(create) }),
                $( $name: {
                    let p = lookup(super::host::to_cstr(concat!(stringify!($name), "\0")));
                    // SAFETY: the host's function of the same name and prototype.
                    (!p.is_null()).then(|| unsafe { core::mem::transmute::<HostPtr, unsafe extern "C" fn($($ty),*) -> $ret>(p) })
                }, )* }
            }
        }

        $(
            #[doc = concat!("pjproject's `", stringify!($name), "`: served by this library, or by the host's own when forwarding.")]
            #[no_mangle]
            pub unsafe extern "C" fn $name( $($arg: $ty),* ) -> $ret {
                match super::mode() {
                    Some(Mode::Ours($host)) => {
                        let $host: &'static super::Host = $host;
                        guard($fallback, || $body)
                    }
                    #[cfg(not(feature = "hosted-static"))]
                    Some(Mode::Forward(f)) => match f.$name {
                        Some(host_fn) => host_fn($($arg),*),
                        None => $fallback,
                    },
                    _ => $fallback,
                }
            }
        )*
    };
}

#[cfg(not(feature = "hosted-static"))]
type CreateFn = unsafe extern "C" fn(*mut pjsip_endpoint, *mut c_void, pjsip_regc_cb_fn, *mut *mut pjsip_regc) -> pj_status_t;

fn with_regc(p: *mut pjsip_regc, f: impl FnOnce(&Arc<Regc>) -> Result<(), Status>) -> pj_status_t {
    // SAFETY: a handle from pjsip_regc_create that the caller has not
    // destroyed (pjsip's contract), or NULL.
    unsafe { with_handle(p, f) }
}

unsafe fn regc_arc(p: *mut pjsip_regc) -> Arc<Regc> {
    borrow(p)
}

unsafe fn build(
    regc: *mut pjsip_regc,
    p_tdata: *mut *mut pjsip_tx_data,
    f: impl FnOnce(&mut crate::reg::Registration, &mut super::outbox::HostOutbox) -> Result<HostPtr, Status>,
) -> pj_status_t {
    with_regc(regc, |r| {
        nonnull!(p_tdata)?;
        *p_tdata = r.build(f)?.cast();
        Ok(())
    })
}

/// pjsip_regc_create decides the process's mode first, so it is written out.
#[no_mangle]
pub unsafe extern "C" fn pjsip_regc_create(
    endpt: *mut pjsip_endpoint,
    token: *mut c_void,
    cb: pjsip_regc_cb_fn,
    p_regc: *mut *mut pjsip_regc,
) -> pj_status_t {
    if endpt.is_null() {
        return match super::mode() {
            #[cfg(not(feature = "hosted-static"))]
            Some(Mode::Forward(f)) => f.pjsip_regc_create.map_or(PJ_EINVAL, |g| g(endpt, token, cb, p_regc)),
            _ => PJ_EINVAL,
        };
    }
    match super::decide(endpt.cast()) {
        Mode::Ours(host) => guard_status(|| {
            nonnull!(p_regc)?;
            let cb = cb.ok_or(PJ_EINVAL)?;
            let regc = Regc::create(host, endpt.cast(), token, Some(cb))?;
            *p_regc = Arc::into_raw(regc) as *mut pjsip_regc;
            Ok(())
        }),
        #[cfg(not(feature = "hosted-static"))]
        Mode::Forward(f) => f.pjsip_regc_create.map_or(PJ_ENOTSUP, |g| g(endpt, token, cb, p_regc)),
        Mode::Unavailable => PJ_ENOTSUP,
    }
}

regc_exports! {
    fn pjsip_regc_destroy(regc: *mut pjsip_regc) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| match r.destroy(true) { 0 => Ok(()), e => Err(e) })
    }

    fn pjsip_regc_destroy2(regc: *mut pjsip_regc, force: pj_bool_t) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| match r.destroy(force != 0) { 0 => Ok(()), e => Err(e) })
    }

    fn pjsip_regc_get_info(regc: *mut pjsip_regc, info: *mut pjsip_regc_info) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(info)?;
            *info = r.info();
            Ok(())
        })
    }

    fn pjsip_regc_get_pool(regc: *mut pjsip_regc) -> *mut pj_pool_t, unavailable core::ptr::null_mut(), ours(_h) {
        if regc.is_null() {
            return core::ptr::null_mut();
        }
        regc_arc(regc).pool().cast()
    }

    fn pjsip_regc_init(
        regc: *mut pjsip_regc,
        srv_url: *const pj_str_t,
        from_url: *const pj_str_t,
        to_url: *const pj_str_t,
        ccnt: c_int,
        contact: *const pj_str_t,
        expires: pj_uint32_t
    ) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(srv_url, from_url, to_url)?;
            if expires == 0 {
                return Err(PJ_EINVAL);
            }
            let bytes = |s: *const pj_str_t| crate::ffi::util::pj_bytes(&*s).ok_or(PJ_EINVAL);
            let contacts = contact_strings(ccnt, contact)?;
            let refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
            r.init(bytes(srv_url)?, bytes(from_url)?, bytes(to_url)?, &refs, expires)
        })
    }

    fn pjsip_regc_add_ref(regc: *mut pjsip_regc) -> (), unavailable (), ours(_h) {
        if !regc.is_null() {
            regc_arc(regc).add_ref();
        }
    }

    fn pjsip_regc_dec_ref(regc: *mut pjsip_regc) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        if regc.is_null() {
            return PJ_EINVAL;
        }
        regc_arc(regc).dec_ref()
    }

    fn pjsip_regc_set_reg_tsx_cb(regc: *mut pjsip_regc, tsx_cb: pjsip_regc_tsx_cb_fn) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            r.set_tsx_cb(tsx_cb);
            Ok(())
        })
    }

    fn pjsip_regc_set_via_sent_by(regc: *mut pjsip_regc, via_addr: *mut pjsip_host_port, via_tp: *mut pjsip_transport) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            r.set_via_sent_by(via_addr, via_tp.cast());
            Ok(())
        })
    }

    fn pjsip_regc_set_delay_before_refresh(regc: *mut pjsip_regc, delay: pj_uint32_t) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| r.set_delay_before_refresh(delay))
    }

    fn pjsip_regc_set_credentials(regc: *mut pjsip_regc, count: c_int, cred: *const pjsip_cred_info) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            if count <= 0 {
                return Err(PJ_EINVAL);
            }
            nonnull!(cred)?;
            r.set_credentials(count, cred.cast())
        })
    }

    fn pjsip_regc_set_prefs(regc: *mut pjsip_regc, pref: *const pjsip_auth_clt_pref) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(pref)?;
            r.set_prefs(pref.cast())
        })
    }

    fn pjsip_regc_set_route_set(regc: *mut pjsip_regc, route_set: *const c_void) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(route_set)?;
            r.set_route_set(route_set as HostPtr);
            Ok(())
        })
    }

    fn pjsip_regc_set_transport(regc: *mut pjsip_regc, sel: *const pjsip_tpselector) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(sel)?;
            r.set_transport(&*sel);
            Ok(())
        })
    }

    fn pjsip_regc_release_transport(regc: *mut pjsip_regc) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            r.release_transport();
            Ok(())
        })
    }

    fn pjsip_regc_add_headers(regc: *mut pjsip_regc, hdr_list: *const c_void) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(hdr_list)?;
            r.add_headers(hdr_list as HostPtr);
            Ok(())
        })
    }

    fn pjsip_regc_register(regc: *mut pjsip_regc, autoreg: pj_bool_t, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        build(regc, p_tdata, |reg, out| reg.build_register(autoreg != 0, out))
    }

    fn pjsip_regc_unregister(regc: *mut pjsip_regc, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        build(regc, p_tdata, |reg, out| reg.build_unregister(out))
    }

    fn pjsip_regc_unregister_all(regc: *mut pjsip_regc, p_tdata: *mut *mut pjsip_tx_data) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        build(regc, p_tdata, |reg, out| reg.build_unregister_all(out))
    }

    fn pjsip_regc_update_contact(regc: *mut pjsip_regc, ccnt: c_int, contact: *const pj_str_t) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            let contacts = contact_strings(ccnt, contact)?;
            let refs: Vec<&str> = contacts.iter().map(String::as_str).collect();
            r.update_contact(&refs)
        })
    }

    fn pjsip_regc_update_expires(regc: *mut pjsip_regc, expires: pj_uint32_t) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            r.update_expires(expires);
            Ok(())
        })
    }

    fn pjsip_regc_send(regc: *mut pjsip_regc, tdata: *mut pjsip_tx_data) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| {
            nonnull!(tdata)?;
            match r.send(tdata.cast()) {
                0 => Ok(()),
                e => Err(e),
            }
        })
    }

    fn pjsip_regc_set_auth_sess(regc: *mut pjsip_regc, session: *mut pjsip_auth_clt_sess) -> pj_status_t, unavailable PJ_EINVAL, ours(_h) {
        with_regc(regc, |r| r.set_auth_sess(session.cast()))
    }

    fn pjsip_regc_get_auth_sess(regc: *mut pjsip_regc) -> *mut pjsip_auth_clt_sess, unavailable core::ptr::null_mut(), ours(_h) {
        if regc.is_null() {
            return core::ptr::null_mut();
        }
        regc_arc(regc).auth_sess().cast()
    }
}
