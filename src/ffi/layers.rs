//! The transaction layer and the UA layer as module objects: what
//! `pjsip_tsx_layer_instance()` and `pjsip_ua_instance()` return.
//!
//! Both layers are built into the endpoint here; these objects only carry
//! what C can see of them: pjproject's names, priorities and the module id
//! each gets while it is registered with an endpoint (-1 otherwise). As in
//! pjproject each layer is one per process, registered with at most one
//! endpoint at a time.

use super::endpt::shared;
use super::guard::{guard, guard_status};
use super::modules::Modules;
use super::types::*;
use crate::status::*;
use core::ffi::c_char;
use core::ptr::addr_of_mut;
use parking_lot::Mutex;

/// pjsip_module_priority of the two layers.
const PRIORITY_TSX_LAYER: i32 = 16;
const PRIORITY_UA_PROXY_LAYER: i32 = 32;

/// A module object with no callbacks. `name` may end in a NUL, which is
/// not part of the pj_str_t.
pub const fn module(name: &'static [u8], priority: i32) -> pjsip_module {
    let len = if !name.is_empty() && name[name.len() - 1] == 0 { name.len() - 1 } else { name.len() };
    pjsip_module {
        prev: core::ptr::null_mut(),
        next: core::ptr::null_mut(),
        name: pj_str_t { ptr: name.as_ptr() as *mut c_char, slen: len as pj_ssize_t },
        id: -1,
        priority,
        load: None,
        start: None,
        stop: None,
        unload: None,
        on_rx_request: None,
        on_rx_response: None,
        on_tx_request: None,
        on_tx_response: None,
        on_tsx_state: None,
    }
}

static mut TSX_MODULE: pjsip_module = module(b"mod-tsx-layer\0", PRIORITY_TSX_LAYER);
static mut UA_MODULE: pjsip_module = module(b"mod-ua\0", PRIORITY_UA_PROXY_LAYER);

/// The built-in layers whose module objects C may look at.
#[derive(Clone, Copy, PartialEq)]
pub enum Layer {
    /// The transaction layer ("mod-tsx-layer").
    Tsx = 0,
    /// The UA layer ("mod-ua").
    Ua = 1,
    /// pjproject's "mod-stateful-util" (pjsip_endpt_send_request's module),
    /// which the transaction layer registers right after itself. It has no
    /// accessor; it is tracked for the id it takes.
    StatefulUtil = 2,
}

/// The endpoint (as an address) each module is registered with, and its id.
static REGISTERED: Mutex<[Option<(usize, i32)>; 3]> = Mutex::new([None, None, None]);

fn module_ptr(layer: Layer) -> Option<*mut pjsip_module> {
    match layer {
        Layer::Tsx => Some(addr_of_mut!(TSX_MODULE)),
        Layer::Ua => Some(addr_of_mut!(UA_MODULE)),
        Layer::StatefulUtil => None,
    }
}

fn set_id(layer: Layer, id: i32) {
    if let Some(m) = module_ptr(layer) {
        // SAFETY: a plain store into the static; C reads it through the
        // instance pointer.
        unsafe { core::ptr::write_volatile(addr_of_mut!((*m).id), id) };
    }
}

/// Registers `layer` with `endpt`, taking the lowest free ids of its
/// module table (the transaction layer brings mod-stateful-util along);
/// PJ_EINVALIDOP when it already is registered (with this or another
/// endpoint), as in pjproject.
pub fn register(layer: Layer, endpt: *mut pjsip_endpoint, modules: &Modules) -> Result<(), Status> {
    let mut reg = REGISTERED.lock();
    if reg[layer as usize].is_some() {
        return Err(PJ_EINVALIDOP);
    }
    let with: &[Layer] = if layer == Layer::Tsx { &[Layer::Tsx, Layer::StatefulUtil] } else { &[layer] };
    for m in with {
        let id = modules.reserve_id().ok_or(PJ_ETOOMANY)?;
        reg[*m as usize] = Some((endpt as usize, id));
        set_id(*m, id);
        log_module(*m, "registered");
    }
    Ok(())
}

/// Unregisters `layer`; PJ_EINVALIDOP when it is not registered. Returns
/// the endpoint it was registered with and the id it gives back.
pub fn unregister(layer: Layer) -> Result<(*mut pjsip_endpoint, i32), Status> {
    let mut reg = REGISTERED.lock();
    let (endpt, id) = reg[layer as usize].take().ok_or(PJ_EINVALIDOP)?;
    set_id(layer, -1);
    Ok((endpt as *mut pjsip_endpoint, id))
}

/// Unregisters whatever layer is registered with `endpt` (it is being
/// destroyed).
pub fn endpoint_destroyed(endpt: *mut pjsip_endpoint) {
    let mut reg = REGISTERED.lock();
    // In pjsip's order of unregistration, for the log.
    for layer in [Layer::StatefulUtil, Layer::Ua, Layer::Tsx] {
        if reg[layer as usize].is_some_and(|(e, _)| e == endpt as usize) {
            reg[layer as usize] = None;
            set_id(layer, -1);
            log_module(layer, "unregistered");
        }
    }
}

/// pjsip's level-4 line about a module of the endpoint.
fn log_module(layer: Layer, what: &str) {
    if super::pjlib::log::log_enabled(4) {
        let name = match layer {
            Layer::Tsx => "mod-tsx-layer",
            Layer::Ua => "mod-ua",
            Layer::StatefulUtil => "mod-stateful-util",
        };
        super::pjlib::log::log(4, "sip_endpoint.c", &format!("Module \"{name}\" {what}"));
    }
}

/// The transaction layer's module ("mod-tsx-layer", priority 16).
#[no_mangle]
pub unsafe extern "C" fn pjsip_tsx_layer_instance() -> *mut pjsip_module {
    guard(core::ptr::null_mut(), || addr_of_mut!(TSX_MODULE))
}

/// The UA layer's module ("mod-ua", priority 32).
#[no_mangle]
pub unsafe extern "C" fn pjsip_ua_instance() -> *mut pjsip_module {
    guard(core::ptr::null_mut(), || addr_of_mut!(UA_MODULE))
}

/// Unregisters the UA layer from its endpoint; PJ_EINVALIDOP when it is
/// not registered. pjsip_ua_init_module may register it again.
#[no_mangle]
pub unsafe extern "C" fn pjsip_ua_destroy() -> pj_status_t {
    guard_status(|| {
        let (endpt, id) = unregister(Layer::Ua)?;
        // A registered layer's endpoint is alive: its destruction
        // unregisters the layers first.
        shared(endpt).modules.release_id(id);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_by_registration_order() {
        // The only test that registers: the table is process-wide.
        let a = 0x1000 as *mut pjsip_endpoint;
        let b = 0x2000 as *mut pjsip_endpoint;
        let (ma, mb) = (Modules::default(), Modules::default());
        // SAFETY: reads of the statics' id fields.
        let ids = || unsafe { ((*pjsip_tsx_layer_instance()).id, (*pjsip_ua_instance()).id) };
        register(Layer::Tsx, a, &ma).unwrap();
        register(Layer::Ua, a, &ma).unwrap();
        assert_eq!(ids(), (1, 3));
        assert_eq!(register(Layer::Ua, b, &mb), Err(PJ_EINVALIDOP));
        assert_eq!(unregister(Layer::Ua), Ok((a, 3)));
        assert_eq!(unregister(Layer::Ua), Err(PJ_EINVALIDOP));
        assert_eq!(ids(), (1, -1));
        endpoint_destroyed(b);
        assert_eq!(ids(), (1, -1));
        endpoint_destroyed(a);
        assert_eq!(ids(), (-1, -1));
        register(Layer::Ua, b, &mb).unwrap();
        register(Layer::Tsx, b, &mb).unwrap();
        assert_eq!(ids(), (2, 1));
        endpoint_destroyed(b);
        assert_eq!(ids(), (-1, -1));
    }

    #[test]
    fn static_modules_carry_pjproject_names() {
        // SAFETY: the statics are initialised at compile time; only read.
        unsafe {
            let t = &*pjsip_tsx_layer_instance();
            let u = &*pjsip_ua_instance();
            assert_eq!(core::slice::from_raw_parts(t.name.ptr as *const u8, t.name.slen as usize), b"mod-tsx-layer");
            assert_eq!(t.priority, 16);
            assert_eq!(core::slice::from_raw_parts(u.name.ptr as *const u8, u.name.slen as usize), b"mod-ua");
            assert_eq!(u.priority, 32);
        }
    }
}
