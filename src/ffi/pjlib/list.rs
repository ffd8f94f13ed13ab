//! Intrusive doubly linked lists (`pj_list_*`).
//!
//! Every node starts with `prev, next` pointers. A list is a sentinel node
//! that points to itself when empty. The functions take `void *` like
//! pjproject's `pj_list_type *`. NULL arguments are ignored (or give NULL /
//! 0), where pjproject would crash.

use crate::ffi::guard::guard;
use crate::ffi::types::{pj_list, pj_size_t};
use core::ffi::{c_int, c_void};
use core::ptr::null_mut;

#[inline]
unsafe fn node(p: *mut c_void) -> *mut pj_list {
    p as *mut pj_list
}

#[inline]
unsafe fn link(prev: *mut c_void, next: *mut c_void) {
    (*node(prev)).next = next;
    (*node(next)).prev = prev;
}

/// Makes `n` an empty list (both links point to itself).
pub(crate) unsafe fn list_init(n: *mut c_void) {
    (*node(n)).prev = n;
    (*node(n)).next = n;
}

pub(crate) unsafe fn list_insert_after(pos: *mut c_void, n: *mut c_void) {
    let pos_next = (*node(pos)).next;
    (*node(n)).prev = pos;
    (*node(n)).next = pos_next;
    (*node(pos_next)).prev = n;
    (*node(pos)).next = n;
}

pub(crate) unsafe fn list_insert_before(pos: *mut c_void, n: *mut c_void) {
    list_insert_after((*node(pos)).prev, n);
}

pub(crate) unsafe fn list_erase(n: *mut c_void) {
    link((*node(n)).prev, (*node(n)).next);
    list_init(n);
}

unsafe fn list_empty(l: *mut c_void) -> bool {
    (*node(l)).next == l
}

/// Inserts `node` right after `pos` (at the head when `pos` is the list).
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_after(pos: *mut c_void, node: *mut c_void) {
    guard((), || {
        if !pos.is_null() && !node.is_null() {
            list_insert_after(pos, node);
        }
    })
}

/// Inserts `node` right before `pos` (at the tail when `pos` is the list).
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_before(pos: *mut c_void, node: *mut c_void) {
    guard((), || {
        if !pos.is_null() && !node.is_null() {
            list_insert_before(pos, node);
        }
    })
}

/// Inserts the ring of nodes starting at `lst` (no sentinel: `lst` itself
/// is inserted too) right after `pos`.
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_nodes_after(pos: *mut c_void, lst: *mut c_void) {
    guard((), || {
        if pos.is_null() || lst.is_null() {
            return;
        }
        let lst_last = (*node(lst)).prev;
        let pos_next = (*node(pos)).next;
        link(pos, lst);
        link(lst_last, pos_next);
    })
}

/// Inserts the ring of nodes starting at `lst` right before `pos`.
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_nodes_before(pos: *mut c_void, lst: *mut c_void) {
    guard((), || {
        if !pos.is_null() {
            pj_list_insert_nodes_after((*node(pos)).prev, lst);
        }
    })
}

/// Moves every element of the list `lst` (a sentinel) after `pos`,
/// leaving `lst` empty.
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_list_after(pos: *mut c_void, lst: *mut c_void) {
    guard((), || {
        if pos.is_null() || lst.is_null() || list_empty(lst) {
            return;
        }
        let lst_last = (*node(lst)).prev;
        let pos_next = (*node(pos)).next;
        link(pos, (*node(lst)).next);
        link(lst_last, pos_next);
        list_init(lst);
    })
}

/// Moves every element of the list `lst` before `pos`, leaving `lst` empty.
#[no_mangle]
pub unsafe extern "C" fn pj_list_insert_list_before(pos: *mut c_void, lst: *mut c_void) {
    guard((), || {
        if !pos.is_null() {
            pj_list_insert_list_after((*node(pos)).prev, lst);
        }
    })
}

/// Appends all elements of `list2` to `list1`; `list2` ends up empty.
#[no_mangle]
pub unsafe extern "C" fn pj_list_merge_last(list1: *mut c_void, list2: *mut c_void) {
    guard((), || {
        if list1.is_null() || list2.is_null() || list_empty(list2) {
            return;
        }
        link((*node(list1)).prev, (*node(list2)).next);
        link((*node(list2)).prev, list1);
        list_init(list2);
    })
}

/// Prepends all elements of `list2` to `list1`; `list2` ends up empty.
#[no_mangle]
pub unsafe extern "C" fn pj_list_merge_first(list1: *mut c_void, list2: *mut c_void) {
    guard((), || {
        if list1.is_null() || list2.is_null() || list_empty(list2) {
            return;
        }
        link((*node(list2)).prev, (*node(list1)).next);
        link(list1, (*node(list2)).next);
        list_init(list2);
    })
}

/// Unlinks `node` and makes it point to itself, so a second erase is
/// harmless.
#[no_mangle]
pub unsafe extern "C" fn pj_list_erase(node: *mut c_void) {
    guard((), || {
        if !node.is_null() {
            list_erase(node);
        }
    })
}

/// Returns `node` if it is in `list`, else NULL.
#[no_mangle]
pub unsafe extern "C" fn pj_list_find_node(list: *mut c_void, node: *mut c_void) -> *mut c_void {
    guard(null_mut(), || {
        if list.is_null() {
            return null_mut();
        }
        let mut p = (*self::node(list)).next;
        while p != list && p != node {
            p = (*self::node(p)).next;
        }
        if p == node {
            p
        } else {
            null_mut()
        }
    })
}

/// Returns the first element for which `comp(value, element)` is 0, or NULL.
#[no_mangle]
pub unsafe extern "C" fn pj_list_search(
    list: *mut c_void,
    value: *mut c_void,
    comp: Option<unsafe extern "C" fn(value: *mut c_void, node: *const c_void) -> c_int>,
) -> *mut c_void {
    guard(null_mut(), || {
        let Some(comp) = comp else { return null_mut() };
        if list.is_null() {
            return null_mut();
        }
        let mut p = (*node(list)).next;
        while p != list && comp(value, p) != 0 {
            p = (*node(p)).next;
        }
        if p == list {
            null_mut()
        } else {
            p
        }
    })
}

/// Number of elements in the list (the sentinel not counted).
#[no_mangle]
pub unsafe extern "C" fn pj_list_size(list: *const c_void) -> pj_size_t {
    guard(0, || {
        if list.is_null() {
            return 0;
        }
        let mut count = 0;
        let mut p = (*(list as *const pj_list)).next as *const c_void;
        while p != list {
            count += 1;
            p = (*(p as *const pj_list)).next;
        }
        count
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct Item {
        prev: *mut c_void,
        next: *mut c_void,
        v: i32,
    }

    fn item(v: i32) -> Box<Item> {
        Box::new(Item {
            prev: null_mut(),
            next: null_mut(),
            v,
        })
    }

    unsafe fn values(list: *mut c_void) -> Vec<i32> {
        let mut out = vec![];
        let mut p = (*node(list)).next;
        while p != list {
            out.push((*(p as *mut Item)).v);
            p = (*node(p)).next;
        }
        out
    }

    unsafe extern "C" fn eq(value: *mut c_void, n: *const c_void) -> c_int {
        ((*(n as *const Item)).v != *(value as *const i32)) as c_int
    }

    #[test]
    fn basic_operations() {
        unsafe {
            let mut head = item(0);
            let h = &mut *head as *mut Item as *mut c_void;
            list_init(h);
            let mut items: Vec<Box<Item>> = (1..=4).map(item).collect();
            let ptrs: Vec<*mut c_void> = items
                .iter_mut()
                .map(|b| &mut **b as *mut Item as *mut c_void)
                .collect();
            pj_list_insert_before(h, ptrs[0]);
            pj_list_insert_before(h, ptrs[1]);
            pj_list_insert_after(h, ptrs[2]);
            assert_eq!(values(h), vec![3, 1, 2]);
            assert_eq!(pj_list_size(h), 3);
            let mut key = 2;
            assert_eq!(
                pj_list_search(h, &mut key as *mut i32 as *mut c_void, Some(eq)),
                ptrs[1]
            );
            assert_eq!(pj_list_find_node(h, ptrs[3]), null_mut());
            pj_list_erase(ptrs[0]);
            pj_list_erase(ptrs[0]);
            assert_eq!(values(h), vec![3, 2]);

            let mut head2 = item(0);
            let h2 = &mut *head2 as *mut Item as *mut c_void;
            list_init(h2);
            pj_list_insert_before(h2, ptrs[0]);
            pj_list_insert_before(h2, ptrs[3]);
            pj_list_merge_first(h, h2);
            assert_eq!(values(h), vec![1, 4, 3, 2]);
            assert_eq!(pj_list_size(h2), 0);
            pj_list_erase(ptrs[0]);
            pj_list_erase(ptrs[3]);
            pj_list_insert_before(h2, ptrs[0]);
            pj_list_insert_before(h2, ptrs[3]);
            pj_list_merge_last(h, h2);
            assert_eq!(values(h), vec![3, 2, 1, 4]);
            pj_list_erase(ptrs[0]);
            pj_list_erase(ptrs[3]);
            pj_list_insert_before(h2, ptrs[0]);
            pj_list_insert_before(h2, ptrs[3]);
            pj_list_insert_list_after(ptrs[2], h2);
            assert_eq!(values(h), vec![3, 1, 4, 2]);
            assert_eq!(pj_list_size(h2), 0);
        }
    }
}
