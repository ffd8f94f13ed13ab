//! The busy counter of pjsip_regc_add_ref / dec_ref, and when a regc
//! marked for deletion may finally be freed: once nothing holds it busy
//! and no transaction of it is pending.

use crate::status::{Status, PJ_EGONE, PJ_SUCCESS};
use std::sync::atomic::{AtomicI32, Ordering};

/// The temporary reference count of `pjsip_regc_add_ref`.
#[derive(Default)]
pub struct Busy(AtomicI32);

/// What a `dec_ref` means for a regc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Released {
    /// Still referenced, or not marked for deletion: PJ_SUCCESS.
    Kept,
    /// The last reference of a regc marked for deletion went: PJ_EGONE.
    /// `free_now` is false while a transaction is pending; its end frees it.
    Gone {
        /// No transaction is pending: free the regc now.
        free_now: bool,
    },
}

impl Busy {
    /// Takes a reference.
    pub fn add(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether any reference is held.
    pub fn is_busy(&self) -> bool {
        self.0.load(Ordering::Acquire) > 0
    }

    /// pjsip_regc_dec_ref. `state` gives (marked for deletion, transaction
    /// pending), read after the decrement.
    pub fn dec_ref(&self, state: impl FnOnce() -> (bool, bool)) -> Released {
        let was = self.0.fetch_sub(1, Ordering::AcqRel);
        let (deleting, pending) = state();
        if was == 1 && deleting {
            Released::Gone { free_now: !pending }
        } else {
            Released::Kept
        }
    }

    /// Drops a reference the regc took itself (around a send, a callback, a
    /// refresh); true when the regc is now to be freed.
    pub fn release(&self, state: impl FnOnce() -> (bool, bool)) -> bool {
        self.dec_ref(state) == Released::Gone { free_now: true }
    }
}

/// A registration client that is freed once nothing holds it: what both
/// builds' regc objects share of add_ref / dec_ref and deferred deletion.
pub trait Lifetime {
    /// The regc's reference count.
    fn busy(&self) -> &Busy;
    /// (marked for deletion, transaction pending).
    fn pending_deletion(&self) -> (bool, bool);
    /// Frees the regc's resources (once).
    fn destroy_now(&self);

    /// pjsip_regc_dec_ref: PJ_EGONE once the last reference of a regc marked
    /// for deletion goes; with a transaction still pending the memory goes
    /// when it ends.
    fn dec_ref(&self) -> Status {
        match self.busy().dec_ref(|| self.pending_deletion()) {
            Released::Kept => PJ_SUCCESS,
            Released::Gone { free_now } => {
                if free_now {
                    self.destroy_now();
                }
                PJ_EGONE
            }
        }
    }

    /// Drops a reference the regc took itself, freeing it if it was the last
    /// of a regc marked for deletion.
    fn release_busy(&self) {
        if self.busy().release(|| self.pending_deletion()) {
            self.destroy_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_regc_goes_with_its_last_reference_and_transaction() {
        let b = Busy::default();
        b.add();
        b.add();
        assert_eq!(b.dec_ref(|| (true, false)), Released::Kept, "one reference left");
        assert_eq!(b.dec_ref(|| (true, true)), Released::Gone { free_now: false }, "its transaction frees it");
        b.add();
        assert!(!b.release(|| (true, true)), "never while a transaction is pending");
        b.add();
        assert!(b.release(|| (true, false)));
        b.add();
        assert!(!b.release(|| (false, false)), "not marked for deletion");
    }
}
