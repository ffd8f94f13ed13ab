//! A timer heap for the endpoint, driven by caller-supplied time.
//!
//! Nothing here reads a clock: deadlines are plain `u64` milliseconds on
//! whatever time line the caller uses (real or virtual), and the caller asks
//! for expired timers by passing "now" to [`TimerHeap::pop_due`].
//!
//! # Design
//!
//! The heap is an *indexed* binary min-heap. Every timer owns a slot in a slab;
//! the slot remembers where its entry currently sits in the heap, so cancelling
//! removes the entry on the spot in O(log n). Nothing lingers after a cancel,
//! which means schedule/cancel churn cannot build up garbage: memory is bounded
//! by the largest number of timers that were ever live at the same time.
//!
//! A [`TimerId`] carries the slot index plus a generation number. The
//! generation is bumped whenever the slot is released, so an id that was
//! already popped or cancelled can never hit a later timer that happens to
//! reuse the same slot. A slot whose generation counter is exhausted is
//! retired instead of wrapping around, for the same reason.
//!
//! Entries are ordered by `(deadline, sequence)`, where the sequence number
//! grows with every `schedule`/`reschedule`, so timers with equal deadlines
//! come out in the order they were scheduled.
//!
//! Unlike pjlib's timer heap, which fires at most a handful of entries per
//! poll, [`TimerHeap::pop_due`] can be called in a loop until it returns
//! `None`, draining every expired timer in a single pass.

/// Handle for a scheduled timer, returned by [`TimerHeap::schedule`].
///
/// Ids stay unique for the lifetime of the heap: once the timer has fired or
/// been cancelled, the id is dead and every operation on it reports "not
/// found".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId {
    index: usize,
    generation: u32,
}

/// One entry of the binary heap. The key lives in the slab rather than here
/// so that sifting moves only these small records.
#[derive(Debug, Clone, Copy)]
struct Entry {
    deadline: u64,
    seq: u64,
    slot: usize,
}

impl Entry {
    /// Strict "fires before" relation: earlier deadline first, and for equal
    /// deadlines the one scheduled first.
    fn before(&self, other: &Entry) -> bool {
        (self.deadline, self.seq) < (other.deadline, other.seq)
    }
}

#[derive(Debug)]
enum SlotState<K> {
    /// The timer is pending; `pos` is its current index in `heap`.
    Live { pos: usize, key: K },
    /// The slot is unused; `next` links the free list. Retired slots are also
    /// `Free` but are never put back on the list.
    Free { next: Option<usize> },
}

#[derive(Debug)]
struct Slot<K> {
    generation: u32,
    state: SlotState<K>,
}

/// A min-heap of timers keyed by deadline, carrying a user value `K` each.
///
/// See the [module documentation](self) for the design.
#[derive(Debug)]
pub struct TimerHeap<K> {
    heap: Vec<Entry>,
    slots: Vec<Slot<K>>,
    free_head: Option<usize>,
    next_seq: u64,
}

impl<K> Default for TimerHeap<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K> TimerHeap<K> {
    /// Creates an empty heap.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// Creates an empty heap with room for `capacity` timers before it has to
    /// reallocate.
    pub fn with_capacity(capacity: usize) -> Self {
        TimerHeap {
            heap: Vec::with_capacity(capacity),
            slots: Vec::with_capacity(capacity),
            free_head: None,
            next_seq: 0,
        }
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `key` to fire at `deadline` (milliseconds, caller's time line).
    ///
    /// A deadline in the past is allowed; the timer is simply due at once.
    pub fn schedule(&mut self, deadline: u64, key: K) -> TimerId {
        let seq = self.take_seq();
        let pos = self.heap.len();
        let index = match self.free_head {
            Some(index) => {
                // Invariant: the free list only links `Free` slots inside
                // `slots`. If that were ever violated we fall back to a fresh
                // slot rather than corrupting a live one.
                match self.slots.get_mut(index) {
                    Some(slot) => match slot.state {
                        SlotState::Free { next } => {
                            self.free_head = next;
                            slot.state = SlotState::Live { pos, key };
                            index
                        }
                        SlotState::Live { .. } => {
                            self.free_head = None;
                            self.push_new_slot(pos, key)
                        }
                    },
                    None => {
                        self.free_head = None;
                        self.push_new_slot(pos, key)
                    }
                }
            }
            None => self.push_new_slot(pos, key),
        };
        let generation = self.slots.get(index).map_or(0, |s| s.generation);
        self.heap.push(Entry {
            deadline,
            seq,
            slot: index,
        });
        self.sift_up(pos);
        TimerId { index, generation }
    }

    /// Cancels a pending timer. Returns `false` if the id is unknown, already
    /// fired or already cancelled.
    pub fn cancel(&mut self, id: TimerId) -> bool {
        self.remove(id).is_some()
    }

    /// Cancels a pending timer and hands its key back, or `None` if the id is
    /// not pending.
    pub fn remove(&mut self, id: TimerId) -> Option<K> {
        let pos = self.live_pos(id)?;
        self.remove_at(pos)
    }

    /// Moves a pending timer to a new deadline, keeping its id and key.
    ///
    /// For tie-breaking the timer counts as scheduled now, i.e. after every
    /// timer already pending with the same deadline. Returns `false` if the
    /// id is not pending.
    pub fn reschedule(&mut self, id: TimerId, deadline: u64) -> bool {
        let Some(pos) = self.live_pos(id) else {
            return false;
        };
        let seq = self.take_seq();
        let Some(entry) = self.heap.get_mut(pos) else {
            return false;
        };
        entry.deadline = deadline;
        entry.seq = seq;
        // The new key is "later" or "earlier" than before; one of the two
        // sifts is a no-op.
        let pos = self.sift_up(pos);
        self.sift_down(pos);
        true
    }

    /// True if `id` is still pending.
    pub fn contains(&self, id: TimerId) -> bool {
        self.live_pos(id).is_some()
    }

    /// Deadline of a pending timer.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        let pos = self.live_pos(id)?;
        self.heap.get(pos).map(|e| e.deadline)
    }

    /// Key of a pending timer.
    pub fn get(&self, id: TimerId) -> Option<&K> {
        match &self.slots.get(id.index)?.state {
            SlotState::Live { key, .. } if self.generation_matches(id) => Some(key),
            _ => None,
        }
    }

    /// Mutable access to the key of a pending timer.
    pub fn get_mut(&mut self, id: TimerId) -> Option<&mut K> {
        let slot = self.slots.get_mut(id.index)?;
        if slot.generation != id.generation {
            return None;
        }
        match &mut slot.state {
            SlotState::Live { key, .. } => Some(key),
            SlotState::Free { .. } => None,
        }
    }

    /// The earliest pending deadline, if any. This is what the caller should
    /// sleep (or advance virtual time) until.
    pub fn next_deadline(&self) -> Option<u64> {
        self.heap.first().map(|e| e.deadline)
    }

    /// Removes and returns the earliest timer whose deadline is `<= now`.
    ///
    /// Call it in a loop to drain everything that has expired; there is no
    /// per-call cap. Timers scheduled during that loop with a deadline
    /// `<= now` are returned by the same loop.
    pub fn pop_due(&mut self, now: u64) -> Option<(TimerId, K)> {
        let top = *self.heap.first()?;
        if top.deadline > now {
            return None;
        }
        let generation = self.slots.get(top.slot)?.generation;
        let key = self.remove_at(0)?;
        Some((
            TimerId {
                index: top.slot,
                generation,
            },
            key,
        ))
    }

    /// Removes every due timer at once, earliest first.
    pub fn drain_due(&mut self, now: u64) -> Vec<(TimerId, K)> {
        let mut out = Vec::new();
        while let Some(item) = self.pop_due(now) {
            out.push(item);
        }
        out
    }

    /// Cancels every pending timer. Ids handed out before stay dead.
    pub fn clear(&mut self) {
        while let Some(entry) = self.heap.pop() {
            self.release_slot(entry.slot);
        }
    }

    // ---- internals -------------------------------------------------------

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        // 2^64 schedules will not happen; wrapping only avoids a debug-build
        // overflow panic.
        self.next_seq = self.next_seq.wrapping_add(1);
        seq
    }

    fn push_new_slot(&mut self, pos: usize, key: K) -> usize {
        let index = self.slots.len();
        self.slots.push(Slot {
            generation: 0,
            state: SlotState::Live { pos, key },
        });
        index
    }

    fn generation_matches(&self, id: TimerId) -> bool {
        self.slots
            .get(id.index)
            .is_some_and(|s| s.generation == id.generation)
    }

    /// Heap position of a pending timer, validating the id against the slot.
    fn live_pos(&self, id: TimerId) -> Option<usize> {
        let slot = self.slots.get(id.index)?;
        if slot.generation != id.generation {
            return None;
        }
        match slot.state {
            SlotState::Live { pos, .. } => Some(pos),
            SlotState::Free { .. } => None,
        }
    }

    /// Records that the entry for `slot` now sits at heap index `pos`.
    fn set_pos(&mut self, slot: usize, new_pos: usize) {
        if let Some(Slot {
            state: SlotState::Live { pos, .. },
            ..
        }) = self.slots.get_mut(slot)
        {
            *pos = new_pos;
        }
    }

    /// Takes the entry at heap index `pos` out and frees its slot.
    fn remove_at(&mut self, pos: usize) -> Option<K> {
        if pos >= self.heap.len() {
            return None;
        }
        // Fill the hole with the last entry; the vector shrinks by one.
        let removed = self.heap.swap_remove(pos);
        if let Some(moved) = self.heap.get(pos) {
            // The former last entry may belong above or below this spot.
            let moved_slot = moved.slot;
            self.set_pos(moved_slot, pos);
            let pos = self.sift_up(pos);
            self.sift_down(pos);
        }
        self.release_slot(removed.slot)
    }

    /// Frees a slot, invalidating all ids that point at it, and returns the
    /// key it held.
    fn release_slot(&mut self, index: usize) -> Option<K> {
        let slot = self.slots.get_mut(index)?;
        match slot.generation.checked_add(1) {
            Some(next_generation) => {
                slot.generation = next_generation;
                let old = std::mem::replace(
                    &mut slot.state,
                    SlotState::Free {
                        next: self.free_head,
                    },
                );
                self.free_head = Some(index);
                match old {
                    SlotState::Live { key, .. } => Some(key),
                    SlotState::Free { .. } => None,
                }
            }
            None => {
                // Reusing the slot would let generation numbers repeat, so a
                // stale id could alias a new timer. Retire it (one slot lost
                // per 2^32 reuses) and keep it off the free list.
                let old = std::mem::replace(&mut slot.state, SlotState::Free { next: None });
                match old {
                    SlotState::Live { key, .. } => Some(key),
                    SlotState::Free { .. } => None,
                }
            }
        }
    }

    /// Writes `entry` at heap index `pos` and points its slot there.
    fn place(&mut self, pos: usize, entry: Entry) {
        if let Some(e) = self.heap.get_mut(pos) {
            *e = entry;
        }
        self.set_pos(entry.slot, pos);
    }

    /// Moves the entry at `pos` towards the root while it fires before its
    /// parent. Returns its final position.
    ///
    /// Ancestors are shifted down into the hole rather than swapped, so each
    /// level costs one write.
    fn sift_up(&mut self, mut pos: usize) -> usize {
        let Some(&entry) = self.heap.get(pos) else {
            return pos;
        };
        while let Some(parent) = pos.checked_sub(1).map(|p| p / 2) {
            let Some(&parent_entry) = self.heap.get(parent) else {
                break;
            };
            if !entry.before(&parent_entry) {
                break;
            }
            self.place(pos, parent_entry);
            pos = parent;
        }
        self.place(pos, entry);
        pos
    }

    /// Moves the entry at `pos` towards the leaves while a child fires before
    /// it. Returns its final position.
    fn sift_down(&mut self, mut pos: usize) -> usize {
        let Some(&entry) = self.heap.get(pos) else {
            return pos;
        };
        // `pos < len <= isize::MAX`, so these index computations cannot
        // overflow; `saturating_*` just keeps that local and obvious.
        loop {
            let left = pos.saturating_mul(2).saturating_add(1);
            let Some(&left_entry) = self.heap.get(left) else {
                break;
            };
            let (child, child_entry) = match self.heap.get(left.saturating_add(1)) {
                Some(&right_entry) if right_entry.before(&left_entry) => {
                    (left.saturating_add(1), right_entry)
                }
                _ => (left, left_entry),
            };
            if !child_entry.before(&entry) {
                break;
            }
            self.place(pos, child_entry);
            pos = child;
        }
        self.place(pos, entry);
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Small deterministic PRNG so tests need no dependencies.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    /// Checks the heap property and that every slot points at its entry.
    fn check_invariants<K>(h: &TimerHeap<K>) {
        for (i, e) in h.heap.iter().enumerate() {
            if i > 0 {
                let parent = &h.heap[(i - 1) / 2];
                assert!(!e.before(parent), "heap property broken at {i}");
            }
            match h.slots[e.slot].state {
                SlotState::Live { pos, .. } => assert_eq!(pos, i),
                SlotState::Free { .. } => panic!("heap entry {i} points at a free slot"),
            }
        }
        let live = h
            .slots
            .iter()
            .filter(|s| matches!(s.state, SlotState::Live { .. }))
            .count();
        assert_eq!(live, h.heap.len());
    }

    #[test]
    fn empty_heap() {
        let mut h: TimerHeap<u32> = TimerHeap::new();
        assert!(h.is_empty());
        assert_eq!(h.len(), 0);
        assert_eq!(h.next_deadline(), None);
        assert_eq!(h.pop_due(u64::MAX), None);
    }

    #[test]
    fn pops_in_deadline_order() {
        let mut h = TimerHeap::new();
        for (d, k) in [(50, 'a'), (10, 'b'), (30, 'c'), (20, 'd'), (40, 'e')] {
            h.schedule(d, k);
        }
        check_invariants(&h);
        assert_eq!(h.next_deadline(), Some(10));
        assert_eq!(h.pop_due(9), None);
        let got: Vec<char> = h.drain_due(35).into_iter().map(|(_, k)| k).collect();
        assert_eq!(got, vec!['b', 'd', 'c']);
        assert_eq!(h.next_deadline(), Some(40));
        assert_eq!(h.len(), 2);
        let got: Vec<char> = h.drain_due(1000).into_iter().map(|(_, k)| k).collect();
        assert_eq!(got, vec!['e', 'a']);
        assert!(h.is_empty());
    }

    #[test]
    fn ties_come_out_in_scheduling_order() {
        let mut h = TimerHeap::new();
        // Interleave two deadlines so the heap has to reorder, and check that
        // within each deadline insertion order is kept.
        for i in 0..100u32 {
            let d = if i % 2 == 0 { 7 } else { 3 };
            h.schedule(d, i);
        }
        let got: Vec<u32> = h.drain_due(7).into_iter().map(|(_, k)| k).collect();
        let mut want: Vec<u32> = (0..100).filter(|i| i % 2 == 1).collect();
        want.extend((0..100).filter(|i| i % 2 == 0));
        assert_eq!(got, want);
    }

    #[test]
    fn pop_returns_the_scheduled_id() {
        let mut h = TimerHeap::new();
        let a = h.schedule(5, "a");
        let b = h.schedule(1, "b");
        assert_eq!(h.pop_due(10), Some((b, "b")));
        assert_eq!(h.pop_due(10), Some((a, "a")));
        assert!(!h.cancel(a), "popped timers cannot be cancelled");
    }

    #[test]
    fn cancel_and_stale_ids() {
        let mut h = TimerHeap::new();
        let a = h.schedule(10, 1);
        let b = h.schedule(20, 2);
        let c = h.schedule(30, 3);
        assert!(h.cancel(b));
        assert!(!h.cancel(b), "second cancel must report not found");
        check_invariants(&h);
        assert_eq!(h.len(), 2);

        // The freed slot is reused, but the old id must not reach the new timer.
        let d = h.schedule(15, 4);
        assert_eq!(d.index, b.index);
        assert_ne!(d, b);
        assert!(!h.cancel(b));
        assert!(h.contains(d));
        assert_eq!(h.get(b), None);
        assert_eq!(h.get(d), Some(&4));
        assert_eq!(h.deadline(d), Some(15));

        assert_eq!(h.remove(a), Some(1));
        let got: Vec<i32> = h.drain_due(100).into_iter().map(|(_, k)| k).collect();
        assert_eq!(got, vec![4, 3]);
        assert!(!h.contains(c));
    }

    #[test]
    fn ids_from_elsewhere_are_rejected() {
        let mut h: TimerHeap<u8> = TimerHeap::new();
        let mut other: TimerHeap<u8> = TimerHeap::new();
        for i in 0..10 {
            other.schedule(i, 0);
        }
        let foreign = other.schedule(99, 0);
        assert!(!h.cancel(foreign));
        assert!(!h.reschedule(foreign, 1));
        assert_eq!(h.get_mut(foreign), None);
    }

    #[test]
    fn cancel_in_the_middle_keeps_order() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let mut h = TimerHeap::new();
        let mut ids = Vec::new();
        for i in 0..2000u64 {
            let d = rng.next() % 500;
            ids.push((h.schedule(d, i), d, i));
        }
        let mut kept = Vec::new();
        for (n, &(id, d, i)) in ids.iter().enumerate() {
            if n % 3 == 0 {
                assert!(h.cancel(id));
            } else {
                kept.push((d, i));
            }
        }
        check_invariants(&h);
        // Scheduling order equals `i` order, so sorting by (deadline, i) is the
        // expected firing order including tie-breaks.
        kept.sort();
        let mut got = Vec::new();
        while let Some((id, i)) = h.pop_due(u64::MAX) {
            let (want_id, d, _) = ids[i as usize];
            assert_eq!(id, want_id, "pop must return the id schedule gave");
            got.push((d, i));
        }
        assert_eq!(got, kept);
    }

    #[test]
    fn reschedule_moves_both_ways() {
        let mut h = TimerHeap::new();
        let a = h.schedule(10, 'a');
        let b = h.schedule(20, 'b');
        let c = h.schedule(30, 'c');
        assert!(h.reschedule(c, 5));
        assert!(h.reschedule(a, 40));
        check_invariants(&h);
        // Moving a to 20 ties it with b; a rescheduled timer counts as newer,
        // so b fires first.
        assert!(h.reschedule(a, 20));
        let got: Vec<(TimerId, char)> = h.drain_due(100);
        assert_eq!(got, vec![(c, 'c'), (b, 'b'), (a, 'a')]);
        assert!(!h.reschedule(a, 1));
    }

    #[test]
    fn get_mut_changes_key() {
        let mut h = TimerHeap::new();
        let a = h.schedule(1, 10);
        if let Some(k) = h.get_mut(a) {
            *k += 1;
        }
        assert_eq!(h.pop_due(1), Some((a, 11)));
        assert_eq!(h.get_mut(a), None);
    }

    #[test]
    fn everything_due_pops_in_one_pass() {
        let mut h = TimerHeap::new();
        for i in 0..10_000u64 {
            h.schedule(i % 100, i);
        }
        h.schedule(101, u64::MAX);
        let drained = h.drain_due(100);
        assert_eq!(drained.len(), 10_000);
        assert!(drained
            .windows(2)
            .all(|w| (w[0].1 % 100, w[0].1) < (w[1].1 % 100, w[1].1)));
        assert_eq!(h.len(), 1);
        assert_eq!(h.next_deadline(), Some(101));
    }

    #[test]
    fn clear_kills_all_ids() {
        let mut h = TimerHeap::new();
        let ids: Vec<TimerId> = (0..50).map(|i| h.schedule(i, i)).collect();
        h.clear();
        assert!(h.is_empty());
        assert!(ids.iter().all(|&id| !h.contains(id) && !h.cancel(id)));
        let fresh = h.schedule(1, 1);
        assert!(ids.iter().all(|&id| id != fresh));
        check_invariants(&h);
    }

    #[test]
    fn exhausted_generation_retires_the_slot() {
        let mut h = TimerHeap::new();
        let a = h.schedule(1, 'a');
        h.slots[a.index].generation = u32::MAX;
        let a = TimerId {
            index: a.index,
            generation: u32::MAX,
        };
        assert!(h.cancel(a));
        // The slot must not be handed out again.
        let b = h.schedule(2, 'b');
        assert_ne!(b.index, a.index);
        assert!(!h.cancel(a));
        check_invariants(&h);
    }

    #[test]
    fn two_hundred_thousand_timers() {
        const N: u64 = 200_000;
        let start = Instant::now();
        let mut rng = XorShift(12345);
        let mut h = TimerHeap::with_capacity(N as usize);
        let ids: Vec<TimerId> = (0..N)
            .map(|i| h.schedule(rng.next() % 1_000_000, i))
            .collect();
        assert_eq!(h.len(), N as usize);
        for id in ids.iter().step_by(2) {
            assert!(h.cancel(*id));
        }
        assert_eq!(h.len(), (N / 2) as usize);
        let mut popped = 0u64;
        while let Some((_, i)) = h.pop_due(u64::MAX) {
            assert_eq!(i % 2, 1, "cancelled timer {i} fired");
            popped += 1;
        }
        assert_eq!(popped, N / 2);
        assert!(h.is_empty());
        // Generous bound: this is O(n log n) and takes well under a second
        // even unoptimised; a quadratic structure would take minutes.
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "took {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn two_hundred_thousand_timers_pop_sorted() {
        // Record each deadline in the key so the popped sequence can be
        // checked against (deadline, scheduling order).
        let mut rng = XorShift(777);
        let mut h = TimerHeap::new();
        for i in 0..200_000u64 {
            let d = rng.next() % 50_000;
            h.schedule(d, (d, i));
        }
        let mut prev: Option<(u64, u64)> = None;
        let mut now = 0;
        let mut count = 0;
        // Advance time in steps, draining what is due each step, as an
        // endpoint loop would.
        while !h.is_empty() {
            now += 1000;
            while let Some((_, key)) = h.pop_due(now) {
                assert!(key.0 <= now, "popped before its deadline");
                if let Some(p) = prev {
                    assert!(p < key, "out of order: {p:?} then {key:?}");
                }
                prev = Some(key);
                count += 1;
            }
        }
        assert_eq!(count, 200_000);
    }

    #[test]
    fn churn_does_not_grow_memory() {
        let mut rng = XorShift(42);
        let mut h = TimerHeap::new();
        let mut live: Vec<TimerId> = Vec::new();
        let mut now = 0u64;
        for _ in 0..1_000_000 {
            now += 1;
            let id = h.schedule(now + 10_000 + rng.next() % 1000, now);
            live.push(id);
            if live.len() > 100 {
                let victim = live.swap_remove((rng.next() % live.len() as u64) as usize);
                assert!(h.cancel(victim));
            }
        }
        assert_eq!(h.len(), 100);
        assert!(h.heap.len() <= 101);
        assert!(
            h.slots.len() <= 101,
            "slab grew to {} slots for 100 live timers",
            h.slots.len()
        );
        check_invariants(&h);
    }

    #[test]
    fn past_deadline_is_due_immediately() {
        let mut h = TimerHeap::new();
        let a = h.schedule(0, ());
        assert_eq!(h.pop_due(0), Some((a, ())));
        let b = h.schedule(5, ());
        assert_eq!(h.pop_due(100), Some((b, ())));
    }
}
