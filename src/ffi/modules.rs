//! Application modules (`pjsip_endpt_register_module`): loaded and started
//! when registered, told of every request sent and every response received
//! (`on_tx_request`, `on_rx_response`), stopped and unloaded with the
//! endpoint. They observe: the messages have already left, or already gone
//! to their transaction, when the callbacks run (see README).

use super::endpt::{shared, EndptShared};
use super::guard::guard_status;
use super::rdata::Rdata;
use super::types::*;
use crate::endpoint::{Endpoint, MessageObserver, Received, Sent};
use crate::nonnull;
use crate::status::*;
use core::ffi::c_int;
use parking_lot::Mutex;
use std::sync::{Arc, Weak};

/// `PJSIP_MAX_MODULE`: ids run from 0 to 31.
const MAX_MODULES: u32 = 32;
/// `PJSIP_MOD_PRIORITY_TSX_LAYER`: modules below it see every response
/// before the transactions do; those above only what no transaction took.
const PRIORITY_TSX_LAYER: c_int = 16;

/// The modules of one endpoint, in ascending priority (registration order
/// among equals), and the ids in use (id 0 is pjsip's message printer,
/// always there).
pub struct Modules(Mutex<ModState>);

struct ModState {
    list: Vec<usize>,
    used_ids: u32,
}

impl Default for Modules {
    fn default() -> Self {
        Modules(Mutex::new(ModState { list: Vec::new(), used_ids: 1 }))
    }
}

impl Modules {
    /// Takes the lowest free module id.
    pub fn reserve_id(&self) -> Option<c_int> {
        let mut st = self.0.lock();
        let free = (0..MAX_MODULES).find(|i| st.used_ids & (1 << i) == 0)?;
        st.used_ids |= 1 << free;
        Some(free as c_int)
    }

    /// Frees the module id `id` for reuse.
    pub fn release_id(&self, id: c_int) {
        if (0..MAX_MODULES as c_int).contains(&id) {
            self.0.lock().used_ids &= !(1u32 << id);
        }
    }

    fn contains(&self, m: *mut pjsip_module) -> bool {
        self.0.lock().list.contains(&(m as usize))
    }

    fn snapshot(&self) -> Vec<*mut pjsip_module> {
        self.0.lock().list.iter().map(|p| *p as *mut pjsip_module).collect()
    }

    /// Stops every module, then unloads every one, last registered first
    /// within the reverse priority order, as pjsip does at endpoint
    /// destruction.
    pub unsafe fn shut_down(&self) {
        let mods = self.snapshot();
        for m in mods.iter().rev() {
            if let Some(stop) = (**m).stop {
                stop();
            }
        }
        for m in mods.iter().rev() {
            self.remove(*m);
            if let Some(unload) = (**m).unload {
                unload();
            }
            (**m).id = -1;
        }
    }

    unsafe fn insert(&self, m: *mut pjsip_module) {
        let mut st = self.0.lock();
        let prio = (*m).priority;
        let at = st.list.iter().position(|p| (*(*p as *mut pjsip_module)).priority > prio).unwrap_or(st.list.len());
        st.list.insert(at, m as usize);
    }

    unsafe fn remove(&self, m: *mut pjsip_module) {
        self.0.lock().list.retain(|p| *p != m as usize);
        self.release_id((*m).id);
    }
}

/// Hands the endpoint's traffic to the registered modules.
struct ModuleObserver {
    shared: Weak<EndptShared>,
}

impl MessageObserver for ModuleObserver {
    fn on_tx(&self, _ep: &Arc<Endpoint>, sent: &Sent) {
        let Some(shared) = self.shared.upgrade() else { return };
        let mods = shared.modules.snapshot();
        if !mods.iter().any(|m| unsafe { (**m).on_tx_request.is_some() }) {
            return;
        }
        // SAFETY: the modules stay registered (valid) while the endpoint
        // lives; the tdata is ours until its last reference goes.
        unsafe {
            let tp = shared.transport_ptr(sent.transport);
            let Ok(td) = super::tdata::sent(&shared, &sent.bytes, tp, sent.dest) else { return };
            // Down the stack: the highest priority number first.
            for m in mods.iter().rev() {
                if let Some(cb) = (**m).on_tx_request {
                    if cb(td) != PJ_SUCCESS {
                        break;
                    }
                }
            }
            super::tdata::pjsip_tx_data_dec_ref(td);
        }
    }

    fn on_rx_response(&self, _ep: &Arc<Endpoint>, response: &Received, matched: bool) {
        let Some(shared) = self.shared.upgrade() else { return };
        let mods = shared.modules.snapshot();
        // A response a transaction takes reaches only the modules below
        // the transaction layer.
        let mods: Vec<_> = mods
            .into_iter()
            .filter(|m| unsafe { (**m).on_rx_response.is_some() && (!matched || (**m).priority < PRIORITY_TSX_LAYER) })
            .collect();
        if mods.is_empty() {
            return;
        }
        let Some(rdata) = Rdata::build(&shared, response) else { return };
        for m in mods {
            // SAFETY: as in on_tx; the rdata lives until the end of this call.
            let handled = unsafe { (*m).on_rx_response.is_some_and(|cb| cb(rdata.ptr()) != 0) };
            if handled {
                break;
            }
        }
    }
}

/// Registers `module`: it gets the lowest free id, `load` and `start` run
/// (a failure of either is returned and the module is not registered), and
/// it joins the list by priority.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_register_module(endpt: *mut pjsip_endpoint, module: *mut pjsip_module) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt, module)?;
        let s = shared(endpt);
        let name = super::util::pj_bytes(&(*module).name).unwrap_or_default().to_vec();
        let same_name = s.modules.snapshot().iter().any(|m| super::util::pj_bytes(&(**m).name) == Some(&name[..]));
        if s.modules.contains(module) || same_name {
            return Err(PJ_EEXISTS);
        }
        let id = s.modules.reserve_id().ok_or(PJ_ETOOMANY)?;
        (*module).id = id;
        let started = (*module).load.map_or(PJ_SUCCESS, |load| load(endpt));
        let started = if started == PJ_SUCCESS { (*module).start.map_or(PJ_SUCCESS, |start| start()) } else { started };
        if started != PJ_SUCCESS {
            s.modules.release_id(id);
            return Err(started);
        }
        s.modules.insert(module);
        s.ep.set_observer(Some(Arc::new(ModuleObserver { shared: Arc::downgrade(s) })));
        Ok(())
    })
}

/// Takes `module` out: `stop` then `unload` run (a failure of either is
/// returned and leaves it registered), and its id becomes -1.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_unregister_module(endpt: *mut pjsip_endpoint, module: *mut pjsip_module) -> pj_status_t {
    guard_status(|| {
        nonnull!(endpt, module)?;
        let s = shared(endpt);
        if !s.modules.contains(module) {
            return Err(PJ_ENOTFOUND);
        }
        for step in [(*module).stop, (*module).unload].into_iter().flatten() {
            let st = step();
            if st != PJ_SUCCESS {
                return Err(st);
            }
        }
        s.modules.remove(module);
        (*module).id = -1;
        Ok(())
    })
}
