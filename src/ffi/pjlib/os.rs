//! Threads, time and random numbers (`pj/os.h`, `pj/types.h`, `pj/rand.h`).
//!
//! Registering a thread writes a small record (a marker, the OS thread id
//! and the thread's name) at the start of the caller's `pj_thread_desc`
//! and returns the descriptor's address as the `pj_thread_t *` handle,
//! as pjproject does. The registration itself is a thread-local: the
//! descriptor is never read back, so a descriptor that goes away early
//! cannot make us read freed memory.

use crate::ffi::guard::{guard, guard_status};
use crate::ffi::types::{pj_bool_t, pj_status_t, pj_thread_t, pj_time_val};
use crate::status::PJ_EINVAL;
use core::cell::{Cell, RefCell, UnsafeCell};
use core::ffi::{c_char, c_int, c_long, c_uint, CStr};
use core::ptr::null_mut;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const THREAD_DESC_LONGS: usize = 64;
const NAME_LEN: usize = 32;
const MARKER: u64 = 0x706a_7265_6763_7468; // "pjregcth"

/// What we store at the start of a registered thread's descriptor.
#[repr(C)]
struct ThreadRec {
    marker: u64,
    os_thread: u64,
    name: [c_char; NAME_LEN],
}
const _: () = assert!(core::mem::size_of::<ThreadRec>() <= THREAD_DESC_LONGS * 8);

thread_local! {
    static CURRENT: Cell<*mut pj_thread_t> = const { Cell::new(null_mut()) };
    static CURRENT_NAME: RefCell<String> = const { RefCell::new(String::new()) };
    static OWN_DESC: RefCell<Option<Box<[c_long; THREAD_DESC_LONGS]>>> = const { RefCell::new(None) };
    static IDENTITY: u8 = const { 0 };
}

struct DescCell(UnsafeCell<[c_long; THREAD_DESC_LONGS]>);
// SAFETY: only the thread calling pj_init writes it, while registering.
unsafe impl Sync for DescCell {}
static MAIN_DESC: DescCell = DescCell(UnsafeCell::new([0; THREAD_DESC_LONGS]));

fn os_thread_id() -> u64 {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() as u64 }
}

/// Builds the thread's name: a name ending in "%p" gets the OS thread id
/// (printed like %p) in place of the "%p"; NULL or a name of 31+ chars
/// gives "thr0x...".
unsafe fn thread_name(name: *const c_char) -> String {
    let id = format!("{:#x}", os_thread_id());
    if name.is_null() {
        return format!("thr{id}");
    }
    let bytes = CStr::from_ptr(name).to_bytes();
    if bytes.len() >= NAME_LEN - 1 {
        return format!("thr{id}");
    }
    let s = String::from_utf8_lossy(bytes).into_owned();
    let mut out = match s.strip_suffix("%p") {
        Some(prefix) => format!("{prefix}{id}"),
        None => s,
    };
    while out.len() > NAME_LEN - 1 {
        out.pop();
    }
    out
}

unsafe fn register(name: *const c_char, desc: *mut c_long) -> *mut pj_thread_t {
    let rec = desc as *mut ThreadRec;
    let full = thread_name(name);
    core::ptr::write_bytes(rec as *mut u8, 0, core::mem::size_of::<ThreadRec>());
    (*rec).marker = MARKER;
    (*rec).os_thread = os_thread_id();
    for (d, s) in (*rec).name.iter_mut().zip(full.bytes().take(NAME_LEN - 1)) {
        *d = s as c_char;
    }
    let handle = desc as *mut pj_thread_t;
    CURRENT.with(|c| c.set(handle));
    let _ = CURRENT_NAME.try_with(|n| *n.borrow_mut() = full);
    handle
}

/// Registers the thread that calls pj_init, with a process-wide descriptor.
pub(crate) fn register_main_thread() {
    // SAFETY: MAIN_DESC is only written here, by the initialising thread.
    unsafe {
        register(c"thr%p".as_ptr(), MAIN_DESC.0.get() as *mut c_long);
    }
}

/// Registers the calling thread (a thread the library created itself),
/// with a descriptor owned by the thread. Does nothing if it is already
/// registered.
pub fn register_current_thread(name: &CStr) {
    if is_thread_registered() {
        return;
    }
    let _ = OWN_DESC.try_with(|d| {
        let mut d = d.borrow_mut();
        let desc = d.get_or_insert_with(|| Box::new([0; THREAD_DESC_LONGS]));
        // SAFETY: the boxed descriptor lives as long as the thread.
        unsafe {
            register(name.as_ptr(), desc.as_mut_ptr());
        }
    });
}

/// True when the calling thread is known to pjlib.
pub fn is_thread_registered() -> bool {
    CURRENT.with(|c| !c.get().is_null())
}

/// Name of the calling thread ("" when it is not registered).
pub fn current_thread_name() -> String {
    CURRENT_NAME
        .try_with(|n| n.borrow().clone())
        .unwrap_or_default()
}

/// A value that differs between live threads (the registration handle, or
/// an address private to the thread when it is not registered).
pub fn thread_identity() -> usize {
    let h = CURRENT.with(|c| c.get());
    if !h.is_null() {
        return h as usize;
    }
    IDENTITY.with(|b| b as *const u8 as usize)
}

/// Broken-down local time used by the log decorations.
pub struct LocalTime {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month, 0 to 11.
    pub mon: i32,
    /// Day of the month, 1 to 31.
    pub day: i32,
    /// Day of the week, 0 (Sunday) to 6.
    pub wday: i32,
    /// Hour, 0 to 23.
    pub hour: i32,
    /// Minute.
    pub min: i32,
    /// Second.
    pub sec: i32,
    /// Millisecond.
    pub msec: u32,
}

/// The current local time (UTC if the conversion fails).
pub fn local_time_now() -> LocalTime {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r only writes into `tm`.
    let mut tm: libc::tm = unsafe { core::mem::zeroed() };
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    LocalTime {
        year: tm.tm_year + 1900,
        mon: tm.tm_mon,
        day: tm.tm_mday,
        wday: tm.tm_wday,
        hour: tm.tm_hour,
        min: tm.tm_min,
        sec: tm.tm_sec,
        msec: now.subsec_millis(),
    }
}

/// Sleeps the calling thread for `msec` milliseconds.
#[no_mangle]
pub extern "C" fn pj_thread_sleep(msec: c_uint) -> pj_status_t {
    guard_status(|| {
        std::thread::sleep(Duration::from_millis(msec as u64));
        Ok(())
    })
}

/// Registers the calling (foreign) thread. `desc` is the caller's
/// `pj_thread_desc` and must outlive the registration; `*thread` receives
/// the handle (the descriptor's address). Registering again re-registers.
#[no_mangle]
pub unsafe extern "C" fn pj_thread_register(
    thread_name: *const c_char,
    desc: *mut c_long,
    thread: *mut *mut pj_thread_t,
) -> pj_status_t {
    guard_status(|| {
        crate::nonnull!(desc, thread)?;
        if is_thread_registered() {
            super::log::log(
                4,
                "os_core_unix.c",
                "Info: possibly re-registering existing thread",
            );
        }
        *thread = register(thread_name, desc);
        Ok(())
    })
}

/// True for registered threads, including the one that called pj_init.
#[no_mangle]
pub extern "C" fn pj_thread_is_registered() -> pj_bool_t {
    guard(0, || is_thread_registered() as pj_bool_t)
}

/// The calling thread's handle, or NULL when it is not registered.
#[no_mangle]
pub extern "C" fn pj_thread_this() -> *mut pj_thread_t {
    guard(null_mut(), || CURRENT.with(|c| c.get()))
}

/// Wall-clock time since the epoch, in seconds and milliseconds.
#[no_mangle]
pub unsafe extern "C" fn pj_gettimeofday(tv: *mut pj_time_val) -> pj_status_t {
    guard_status(|| {
        crate::nonnull!(tv)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| PJ_EINVAL)?;
        (*tv).sec = now.as_secs() as c_long;
        (*tv).msec = now.subsec_millis() as c_long;
        Ok(())
    })
}

/// Brings `msec` into -999..999 (carrying whole seconds into `sec`), then
/// makes both fields carry the same sign.
#[no_mangle]
pub unsafe extern "C" fn pj_time_val_normalize(t: *mut pj_time_val) {
    guard((), || {
        if t.is_null() {
            return;
        }
        let t = &mut *t;
        if t.msec >= 1000 || t.msec <= -1000 {
            t.sec = t.sec.wrapping_add(t.msec / 1000);
            t.msec %= 1000;
        }
        if t.sec >= 1 && t.msec < 0 {
            t.sec -= 1;
            t.msec += 1000;
        } else if t.sec < 0 && t.msec > 0 {
            t.sec += 1;
            t.msec -= 1000;
        }
    })
}

/// Seeds the random generator (libc `srand`).
#[no_mangle]
pub extern "C" fn pj_srand(seed: c_uint) {
    // SAFETY: srand has no preconditions.
    guard((), || unsafe { libc::srand(seed) })
}

/// Next pseudo-random number (libc `rand`).
#[no_mangle]
pub extern "C" fn pj_rand() -> c_int {
    // SAFETY: rand has no preconditions.
    guard(0, || unsafe { libc::rand() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(sec: c_long, msec: c_long) -> (c_long, c_long) {
        let mut t = pj_time_val { sec, msec };
        unsafe { pj_time_val_normalize(&mut t) };
        (t.sec, t.msec)
    }

    #[test]
    fn normalize() {
        assert_eq!(norm(1, 2500), (3, 500));
        assert_eq!(norm(5, -200), (4, 800));
        assert_eq!(norm(0, -2500), (-2, -500));
        assert_eq!(norm(-1, 500), (0, -500));
        assert_eq!(norm(3, -3500), (0, -500));
        assert_eq!(norm(0, 999), (0, 999));
    }

    #[test]
    fn register_threads() {
        std::thread::spawn(|| unsafe {
            assert_eq!(pj_thread_is_registered(), 0);
            assert!(pj_thread_this().is_null());
            let mut desc = [0 as c_long; 64];
            let mut th: *mut pj_thread_t = null_mut();
            assert_eq!(
                pj_thread_register(c"worker".as_ptr(), desc.as_mut_ptr(), &mut th),
                0
            );
            assert_eq!(th as *mut c_long, desc.as_mut_ptr());
            assert_eq!(pj_thread_is_registered(), 1);
            assert_eq!(pj_thread_this(), th);
            assert_eq!(current_thread_name(), "worker");
            assert_eq!(
                pj_thread_register(c"x".as_ptr(), null_mut(), &mut th),
                PJ_EINVAL
            );
        })
        .join()
        .unwrap();
        std::thread::spawn(|| {
            register_current_thread(c"own%p");
            assert!(is_thread_registered());
            assert!(current_thread_name().starts_with("own0x"));
        })
        .join()
        .unwrap();
    }
}
