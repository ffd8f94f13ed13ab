//! Application timers on the endpoint (`pjsip_endpt_schedule_timer`,
//! `pjsip_endpt_cancel_timer`): run by `pjsip_endpt_handle_events`, like
//! regc's own refresh timers.

use super::endpt::shared;
use super::guard::{guard, guard_status};
use super::types::*;
use crate::endpoint::{Endpoint, Owner, TsxFinal};
use crate::nonnull;
use crate::status::*;
use crate::timer::TimerId;
use core::ffi::{c_char, c_int, c_void};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// The scheduled entries of one endpoint, by the id written into
/// `entry->_timer_id`.
#[derive(Default)]
pub struct CTimers {
    pending: Mutex<HashMap<c_int, (usize, TimerId)>>,
    next_id: AtomicI32,
}

impl CTimers {
    /// What callbacks receive as their `pj_timer_heap_t*`.
    fn heap(self: &Arc<Self>) -> *mut pj_timer_heap_t {
        Arc::as_ptr(self) as *mut pj_timer_heap_t
    }

    fn new_id(&self) -> c_int {
        loop {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
            if id > 0 {
                return id;
            }
            self.next_id.store(0, Ordering::Relaxed);
        }
    }

    unsafe fn schedule(self: &Arc<Self>, ep: &Arc<Endpoint>, entry: *mut pj_timer_entry, delay: &pj_time_val) -> Result<(), Status> {
        if (*entry).cb.is_none() {
            return Err(PJ_EINVAL);
        }
        if (*entry)._timer_id > 0 {
            return Err(PJ_EINVALIDOP);
        }
        let ms = delay.sec.saturating_mul(1000).saturating_add(delay.msec).max(0) as u64;
        let id = self.new_id();
        let owner: Arc<dyn Owner> = self.clone();
        let timer = ep.schedule(ep.now().saturating_add(ms), Arc::downgrade(&owner), id as u64);
        self.pending.lock().insert(id, (entry as usize, timer));
        (*entry)._timer_id = id;
        Ok(())
    }

    /// Cancels `entry` if it is scheduled; the number cancelled (0 or 1).
    unsafe fn cancel(&self, ep: &Endpoint, entry: *mut pj_timer_entry) -> c_int {
        let id = (*entry)._timer_id;
        let found = self.pending.lock().remove(&id).filter(|(e, _)| *e == entry as usize);
        (*entry)._timer_id = -1;
        match found {
            Some((_, timer)) => c_int::from(ep.cancel(timer)),
            None => 0,
        }
    }
}

impl Owner for CTimers {
    fn on_tsx_final(self: Arc<Self>, _ep: &Arc<Endpoint>, _fin: TsxFinal) {}

    fn on_timer(self: Arc<Self>, _ep: &Arc<Endpoint>, token: u64) {
        let Ok(id) = c_int::try_from(token) else { return };
        let Some((entry, _)) = self.pending.lock().remove(&id) else { return };
        let entry = entry as *mut pj_timer_entry;
        // SAFETY: the application keeps a scheduled entry alive until it
        // fires or is cancelled, as pjlib requires.
        unsafe {
            (*entry)._timer_id = -1;
            if let Some(cb) = (*entry).cb {
                cb(self.heap(), entry);
            }
        }
    }

    fn on_shutdown(self: Arc<Self>) {}
}

/// Schedules `entry` to fire `delay` from now, from the event loop
/// (`pjsip_endpt_schedule_timer` is a macro over this, as with pjproject's
/// default timer debugging). An entry already scheduled: `PJ_EINVALIDOP`.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_schedule_timer_dbg(
    endpt: *mut pjsip_endpoint,
    entry: *mut pj_timer_entry,
    delay: *const pj_time_val,
    src_file: *const c_char,
    src_line: c_int,
) -> pj_status_t {
    // The caller's file and line only serve pjlib's timer dumps.
    let _ = (src_file, src_line);
    guard_status(|| {
        nonnull!(endpt, entry, delay)?;
        let s = shared(endpt);
        s.timers.schedule(&s.ep, entry, &*delay)
    })
}

/// Cancels `entry` if it is scheduled.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_cancel_timer(endpt: *mut pjsip_endpoint, entry: *mut pj_timer_entry) {
    guard((), || {
        if !endpt.is_null() && !entry.is_null() {
            let s = shared(endpt);
            s.timers.cancel(&s.ep, entry);
        }
    })
}

/// The handle timer callbacks receive as their heap.
#[no_mangle]
pub unsafe extern "C" fn pjsip_endpt_get_timer_heap(endpt: *mut pjsip_endpoint) -> *mut pj_timer_heap_t {
    guard(core::ptr::null_mut(), || if endpt.is_null() { core::ptr::null_mut() } else { shared(endpt).timers.heap() })
}

/// Fills a timer entry: not scheduled, with `id`, `user_data` and `cb`.
#[no_mangle]
pub unsafe extern "C" fn pj_timer_entry_init(
    entry: *mut pj_timer_entry,
    id: c_int,
    user_data: *mut c_void,
    cb: Option<unsafe extern "C" fn(timer_heap: *mut pj_timer_heap_t, entry: *mut pj_timer_entry)>,
) -> *mut pj_timer_entry {
    guard(core::ptr::null_mut(), || {
        if entry.is_null() {
            return entry;
        }
        (*entry).id = id;
        (*entry).user_data = user_data;
        (*entry).cb = cb;
        (*entry)._timer_id = -1;
        entry
    })
}
