//! Logging: `pj_log*`, `pj_perror*` and the level/decoration/writer
//! settings.
//!
//! A log call whose level is above the current one (default 5) does
//! nothing. Otherwise the message is formatted into a 4000-byte buffer
//! behind the decorations selected by `pj_log_set_decor` (default 25328:
//! time with milliseconds, the sender right-aligned in 22 columns, a
//! thread-switch marker, indentation and a newline), e.g.
//! `12:34:56.789            sender !message\n`, and the finished line goes
//! to the writer (`pj_log_write`, i.e. stdout, unless replaced). Log calls
//! made from inside the writer on the same thread are dropped.
//!
//! The C-variadic entry points (`pj_log_1`..`pj_log_5`, `pj_perror`,
//! `pj_perror_1`..`pj_perror_5`) cannot be written in stable Rust, so each
//! is a small naked x86-64 System V prologue that spills the argument
//! registers into a `va_list` and calls the Rust formatter, which hands the
//! `va_list` to libc's `vsnprintf`. Their prototypes are hand-written in
//! `pjregc/pj_base.h`, like `pj_log`'s (it takes a `va_list`).

use super::errno::pj_strerror;
use super::os;
use crate::ffi::guard::guard;
use crate::ffi::types::pj_status_t;
use core::cell::Cell;
use core::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize, Ordering};

const LOG_MAX_SIZE: usize = 4000;
const SENDER_WIDTH: usize = 22;
const THREAD_WIDTH: usize = 12;
const PERROR_TITLE_SIZE: usize = 120;
const ERR_MSG_SIZE: usize = 80;

const HAS_DAY_NAME: u32 = 1;
const HAS_YEAR: u32 = 2;
const HAS_MONTH: u32 = 4;
const HAS_DAY_OF_MON: u32 = 8;
const HAS_TIME: u32 = 16;
const HAS_MICRO_SEC: u32 = 32;
const HAS_SENDER: u32 = 64;
const HAS_NEWLINE: u32 = 128;
const HAS_CR: u32 = 256;
const HAS_SPACE: u32 = 512;
const HAS_LEVEL_TEXT: u32 = 2048;
const HAS_THREAD_ID: u32 = 4096;
const HAS_THREAD_SWC: u32 = 8192;
const HAS_INDENT: u32 = 16384;
/// What one level of indentation prints (pjlib's default).
const INDENT_CHAR: u8 = b'.';

/// The default decoration: time, milliseconds, sender, newline, space,
/// thread switch marker and indentation.
pub const DEFAULT_DECOR: u32 = 25328;

type LogFn = unsafe extern "C" fn(level: c_int, data: *const c_char, len: c_int);

static LEVEL: AtomicI32 = AtomicI32::new(5);
static DECOR: AtomicU32 = AtomicU32::new(DEFAULT_DECOR);
/// 0: no writer (silent); 1: `pj_log_write`; anything else: a function.
static WRITER: AtomicUsize = AtomicUsize::new(1);
static LAST_THREAD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static IN_WRITER: Cell<bool> = const { Cell::new(false) };
}

/// libc functions the libc crate does not declare (hidden from the header).
///
/// cbindgen:ignore
#[allow(unused_doc_comments)]
extern "C" {
    fn vsnprintf(buf: *mut c_char, size: usize, fmt: *const c_char, ap: *mut c_void) -> c_int;
    #[link_name = "stdout"]
    static mut c_stdout: *mut libc::FILE;
}

/// True when a message of `level` would be written.
pub fn log_enabled(level: i32) -> bool {
    level <= LEVEL.load(Ordering::Relaxed) && !IN_WRITER.with(|s| s.get())
}

/// Logs `msg` from Rust, exactly as `PJ_LOG(level, (sender, "%s", msg))`.
pub fn log(level: i32, sender: &str, msg: &str) {
    log_indented(level, sender, 0, msg);
}

/// As [`log`], `indent` levels deep: a line about a step taken inside
/// another (a send inside a transaction) is indented under it when the
/// decoration has `PJ_LOG_HAS_INDENT`, as pjsip's nested calls are. The
/// depth is passed rather than kept per thread because the library emits
/// its lines after releasing its locks, away from the call that nested.
pub fn log_indented(level: i32, sender: &str, indent: usize, msg: &str) {
    if !log_enabled(level) {
        return;
    }
    write_line_indented(level, sender.as_bytes(), indent, &mut |out: &mut [u8]| {
        let n = msg.len().min(out.len() - 1);
        out[..n].copy_from_slice(&msg.as_bytes()[..n]);
        out[n] = 0;
        msg.len().min(i32::MAX as usize) as c_int
    });
}

fn push(buf: &mut [u8], len: &mut usize, bytes: &[u8]) {
    let n = bytes.len().min(buf.len().saturating_sub(*len));
    buf[*len..*len + n].copy_from_slice(&bytes[..n]);
    *len += n;
}

/// Writes the decorations into `buf` and returns their length.
fn prefix(buf: &mut [u8], decor: u32, level: c_int, sender: &[u8], indent: usize) -> usize {
    let mut len = 0;
    if decor & HAS_LEVEL_TEXT != 0 {
        const TEXTS: [&[u8]; 7] = [
            b"FATAL:", b"ERROR:", b" WARN:", b" INFO:", b"DEBUG:", b"TRACE:", b"DETRC:",
        ];
        push(buf, &mut len, TEXTS[level.clamp(0, 6) as usize]);
    }
    if decor & (HAS_DAY_NAME | HAS_YEAR | HAS_MONTH | HAS_DAY_OF_MON | HAS_TIME | HAS_MICRO_SEC)
        != 0
    {
        let t = os::local_time_now();
        if decor & HAS_DAY_NAME != 0 {
            const DAYS: [&[u8]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
            push(buf, &mut len, DAYS[t.wday.rem_euclid(7) as usize]);
        }
        if decor & HAS_YEAR != 0 {
            if len != 0 {
                push(buf, &mut len, b" ");
            }
            push(buf, &mut len, t.year.to_string().as_bytes());
        }
        if decor & HAS_MONTH != 0 {
            push(buf, &mut len, format!("-{:02}", t.mon + 1).as_bytes());
        }
        if decor & HAS_DAY_OF_MON != 0 {
            push(buf, &mut len, format!("-{:02}", t.day).as_bytes());
        }
        if decor & HAS_TIME != 0 {
            if len != 0 {
                push(buf, &mut len, b" ");
            }
            push(
                buf,
                &mut len,
                format!("{:02}:{:02}:{:02}", t.hour, t.min, t.sec).as_bytes(),
            );
        }
        if decor & HAS_MICRO_SEC != 0 {
            push(buf, &mut len, format!(".{:03}", t.msec).as_bytes());
        }
    }
    if decor & HAS_SENDER != 0 {
        if len != 0 {
            push(buf, &mut len, b" ");
        }
        if sender.len() <= SENDER_WIDTH {
            push(
                buf,
                &mut len,
                &[b' '; SENDER_WIDTH][..SENDER_WIDTH - sender.len()],
            );
            push(buf, &mut len, sender);
        } else {
            push(buf, &mut len, &sender[..SENDER_WIDTH]);
        }
    }
    if decor & HAS_THREAD_ID != 0 {
        let name = os::current_thread_name();
        let name = name.as_bytes();
        push(buf, &mut len, b" ");
        if name.len() <= THREAD_WIDTH {
            push(
                buf,
                &mut len,
                &[b' '; THREAD_WIDTH][..THREAD_WIDTH - name.len()],
            );
            push(buf, &mut len, name);
        } else {
            push(buf, &mut len, &name[..THREAD_WIDTH]);
        }
    }
    if decor != 0 && decor != HAS_NEWLINE {
        push(buf, &mut len, b" ");
    }
    if decor & HAS_THREAD_SWC != 0 {
        let me = os::thread_identity();
        let last = LAST_THREAD.swap(me, Ordering::Relaxed);
        push(buf, &mut len, if last != me { b"!" } else { b" " });
    } else if decor & HAS_SPACE != 0 {
        push(buf, &mut len, b" ");
    }
    if decor & HAS_INDENT != 0 && indent > 0 {
        // Bounded so that a runaway depth cannot eat the message's space.
        push(buf, &mut len, &[INDENT_CHAR; 32][..indent.min(32)]);
    }
    len
}

/// Builds one line (decorations + what `fill` prints, like vsnprintf into
/// the given space) and passes it to the writer.
fn write_line(level: c_int, sender: &[u8], fill: &mut dyn FnMut(&mut [u8]) -> c_int) {
    write_line_indented(level, sender, 0, fill)
}

fn write_line_indented(mut level: c_int, sender: &[u8], indent: usize, fill: &mut dyn FnMut(&mut [u8]) -> c_int) {
    let decor = DECOR.load(Ordering::Relaxed);
    let mut buf = [0u8; LOG_MAX_SIZE];
    let mut len = prefix(&mut buf, decor, level, sender, indent);
    let avail = LOG_MAX_SIZE - len;
    let mut print_len = fill(&mut buf[len..]);
    if print_len < 0 {
        level = 1;
        let msg = b"<logging error: msg too long>";
        let n = msg.len().min(avail - 1);
        buf[len..len + n].copy_from_slice(&msg[..n]);
        print_len = n as c_int;
    }
    let print_len = (print_len as usize).min(avail - 1);
    len += print_len;
    if len < LOG_MAX_SIZE - 2 {
        if decor & HAS_CR != 0 {
            buf[len] = b'\r';
            len += 1;
        }
        if decor & HAS_NEWLINE != 0 {
            buf[len] = b'\n';
            len += 1;
        }
        buf[len] = 0;
    } else {
        len = LOG_MAX_SIZE - 3;
        if decor & HAS_CR != 0 {
            buf[len] = b'\r';
            len += 1;
        }
        if decor & HAS_NEWLINE != 0 {
            buf[len] = b'\n';
            len += 1;
        }
        buf[LOG_MAX_SIZE - 1] = 0;
        if len < LOG_MAX_SIZE {
            buf[len] = 0;
        }
    }
    let writer = WRITER.load(Ordering::Acquire);
    if writer == 0 {
        return;
    }
    IN_WRITER.with(|s| s.set(true));
    // SAFETY: the buffer is NUL-terminated at `len`; the writer is either
    // ours or a function the application installed.
    unsafe {
        if writer == 1 {
            pj_log_write(level, buf.as_ptr() as *const c_char, len as c_int);
        } else {
            let f: LogFn = core::mem::transmute::<usize, LogFn>(writer);
            f(level, buf.as_ptr() as *const c_char, len as c_int);
        }
    }
    IN_WRITER.with(|s| s.set(false));
}

unsafe fn c_bytes<'a>(s: *const c_char) -> &'a [u8] {
    if s.is_null() {
        &[]
    } else {
        CStr::from_ptr(s).to_bytes()
    }
}

/// Formats `fmt`/`ap` with vsnprintf behind the decorations and writes it.
unsafe fn vlog(level: c_int, sender: *const c_char, fmt: *const c_char, ap: *mut c_void) {
    if !log_enabled(level) {
        return;
    }
    write_line(level, c_bytes(sender), &mut |out: &mut [u8]| {
        if fmt.is_null() {
            out[0] = 0;
            return 0;
        }
        vsnprintf(out.as_mut_ptr() as *mut c_char, out.len(), fmt, ap)
    });
}

/// Target of the `pj_log_N` trampolines.
unsafe extern "C" fn vlog_entry(
    level: c_int,
    sender: *const c_char,
    fmt: *const c_char,
    ap: *mut c_void,
) {
    guard((), || vlog(level, sender, fmt, ap))
}

/// Target of the `pj_perror*` trampolines: logs "<title>: <error text>".
unsafe extern "C" fn vperror_entry(
    level: c_int,
    sender: *const c_char,
    status: pj_status_t,
    title_fmt: *const c_char,
    ap: *mut c_void,
) {
    guard((), || {
        if !log_enabled(level) {
            return;
        }
        let mut title = [0 as c_char; PERROR_TITLE_SIZE];
        let n = if title_fmt.is_null() {
            0
        } else {
            vsnprintf(title.as_mut_ptr(), PERROR_TITLE_SIZE, title_fmt, ap)
        };
        let title: Vec<u8> = if n < 0 || n as usize >= PERROR_TITLE_SIZE {
            b"Error".to_vec()
        } else {
            title[..n as usize].iter().map(|&c| c as u8).collect()
        };
        let mut err = [0 as c_char; ERR_MSG_SIZE];
        let e = pj_strerror(status, err.as_mut_ptr(), ERR_MSG_SIZE);
        let err: Vec<u8> = err[..e.slen.max(0) as usize]
            .iter()
            .map(|&c| c as u8)
            .collect();
        let mut msg = title;
        msg.extend_from_slice(b": ");
        msg.extend_from_slice(&err);
        write_line(level, c_bytes(sender), &mut |out: &mut [u8]| {
            let k = msg.len().min(out.len() - 1);
            out[..k].copy_from_slice(&msg[..k]);
            out[k] = 0;
            msg.len() as c_int
        });
    })
}

/// Logs a message whose arguments come as a `va_list` (declared with
/// `va_list` in the hand-written header; on x86-64 that is a pointer).
///
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn pj_log(
    sender: *const c_char,
    level: c_int,
    format: *const c_char,
    marg: *mut c_void,
) {
    guard((), || vlog(level, sender, format, marg))
}

/// Sets the verbosity: messages above this level are dropped.
#[no_mangle]
pub extern "C" fn pj_log_set_level(level: c_int) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// The current verbosity (5 unless changed).
#[no_mangle]
pub extern "C" fn pj_log_get_level() -> c_int {
    LEVEL.load(Ordering::Relaxed)
}

/// Sets the decoration flags (PJ_LOG_HAS_*).
#[no_mangle]
pub extern "C" fn pj_log_set_decor(decor: c_uint) {
    DECOR.store(decor, Ordering::Relaxed);
}

/// The current decoration flags (25328 unless changed).
#[no_mangle]
pub extern "C" fn pj_log_get_decor() -> c_uint {
    DECOR.load(Ordering::Relaxed)
}

/// Installs the function that receives each finished line; NULL silences
/// logging.
#[no_mangle]
pub extern "C" fn pj_log_set_log_func(
    func: Option<unsafe extern "C" fn(level: c_int, data: *const c_char, len: c_int)>,
) {
    let v = match func {
        None => 0,
        Some(f) if f as usize == pj_log_write as *const () as usize => 1,
        Some(f) => f as usize,
    };
    WRITER.store(v, Ordering::Release);
}

/// The function that currently receives finished lines (NULL if none).
#[no_mangle]
pub extern "C" fn pj_log_get_log_func(
) -> Option<unsafe extern "C" fn(level: c_int, data: *const c_char, len: c_int)> {
    match WRITER.load(Ordering::Acquire) {
        0 => None,
        1 => Some(pj_log_write),
        // SAFETY: only values stored from real function pointers get here.
        v => Some(unsafe { core::mem::transmute::<usize, LogFn>(v) }),
    }
}

/// The default writer: prints the (NUL-terminated) line on stdout through
/// C stdio, so it interleaves with the application's own printf output.
#[no_mangle]
pub unsafe extern "C" fn pj_log_write(level: c_int, buffer: *const c_char, len: c_int) {
    let _ = (level, len);
    guard((), || {
        if !buffer.is_null() {
            libc::fputs(buffer, c_stdout);
        }
    })
}

// ---------------------------------------------------------------------------
// C-variadic entry points (x86-64 System V).

/// Defines a C-variadic function as a naked prologue: it saves the six
/// integer argument registers and (when AL says vector registers carry
/// arguments) xmm0-7 into a register save area, builds a `va_list` whose
/// `gp_offset` skips the `$named` fixed arguments, loads the target's
/// arguments with `$setup`, and calls `$target`.
///
/// Frame (rsp is 16-aligned after `sub`): [rsp+0..48) integer registers,
/// [rsp+48..176) xmm registers, [rsp+176..200) the va_list
/// {gp_offset, fp_offset, overflow_arg_area, reg_save_area}. After
/// `push rbp`, the caller's stack arguments start at rbp+16.
#[cfg(target_arch = "x86_64")]
macro_rules! c_variadic {
    ($(#[$meta:meta])* $name:ident, named = $named:expr, target = $target:path, setup = [$($setup:literal),* $(,)?] $(, $cname:ident = $cval:expr)*) => {
        $(#[$meta])*
        #[no_mangle]
        #[unsafe(naked)]
        pub unsafe extern "C" fn $name() {
            core::arch::naked_asm!(
                "push rbp",
                "mov rbp, rsp",
                "sub rsp, 208",
                "mov [rsp], rdi",
                "mov [rsp + 8], rsi",
                "mov [rsp + 16], rdx",
                "mov [rsp + 24], rcx",
                "mov [rsp + 32], r8",
                "mov [rsp + 40], r9",
                "test al, al",
                "je 2f",
                "movaps [rsp + 48], xmm0",
                "movaps [rsp + 64], xmm1",
                "movaps [rsp + 80], xmm2",
                "movaps [rsp + 96], xmm3",
                "movaps [rsp + 112], xmm4",
                "movaps [rsp + 128], xmm5",
                "movaps [rsp + 144], xmm6",
                "movaps [rsp + 160], xmm7",
                "2:",
                "mov dword ptr [rsp + 176], {gp}",
                "mov dword ptr [rsp + 180], 48",
                "lea rax, [rbp + 16]",
                "mov [rsp + 184], rax",
                "mov [rsp + 192], rsp",
                $($setup,)*
                "call {target}",
                "leave",
                "ret",
                gp = const ($named * 8),
                target = sym $target,
                $($cname = const $cval,)*
            )
        }
    };
}

#[cfg(target_arch = "x86_64")]
macro_rules! log_n {
    ($name:ident, $level:expr) => {
        c_variadic!(
            /// `pj_log_N(sender, format, ...)`: logs at level N.
            $name, named = 2, target = vlog_entry,
            setup = ["mov edi, {level}", "mov rsi, [rsp]", "mov rdx, [rsp + 8]", "lea rcx, [rsp + 176]"],
            level = $level
        );
    };
}

#[cfg(target_arch = "x86_64")]
macro_rules! perror_n {
    ($name:ident, $level:expr) => {
        c_variadic!(
            /// `pj_perror_N(sender, status, title_fmt, ...)`: logs
            /// `<title>: <error text>` at level N.
            $name, named = 3, target = vperror_entry,
            setup = ["mov edi, {level}", "mov rsi, [rsp]", "mov rdx, [rsp + 8]", "mov rcx, [rsp + 16]", "lea r8, [rsp + 176]"],
            level = $level
        );
    };
}

#[cfg(target_arch = "x86_64")]
log_n!(pj_log_1, 1);
#[cfg(target_arch = "x86_64")]
log_n!(pj_log_2, 2);
#[cfg(target_arch = "x86_64")]
log_n!(pj_log_3, 3);
#[cfg(target_arch = "x86_64")]
log_n!(pj_log_4, 4);
#[cfg(target_arch = "x86_64")]
log_n!(pj_log_5, 5);
#[cfg(target_arch = "x86_64")]
perror_n!(pj_perror_1, 1);
#[cfg(target_arch = "x86_64")]
perror_n!(pj_perror_2, 2);
#[cfg(target_arch = "x86_64")]
perror_n!(pj_perror_3, 3);
#[cfg(target_arch = "x86_64")]
perror_n!(pj_perror_4, 4);
#[cfg(target_arch = "x86_64")]
perror_n!(pj_perror_5, 5);

#[cfg(target_arch = "x86_64")]
c_variadic!(
    /// `pj_perror(level, sender, status, title_fmt, ...)`.
    pj_perror, named = 4, target = vperror_entry,
    setup = ["mov edi, [rsp]", "mov rsi, [rsp + 8]", "mov rdx, [rsp + 16]", "mov rcx, [rsp + 24]", "lea r8, [rsp + 176]"]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_layout() {
        let mut buf = [0u8; 200];
        // Sender only, no time: right-aligned in 22 columns, then " " and
        // the thread-switch marker or a space.
        let n = prefix(&mut buf, HAS_SENDER | HAS_SPACE, 3, b"mod.c", 0);
        assert_eq!(&buf[..n], format!("{:>22}  ", "mod.c").as_bytes());
        let n = prefix(&mut buf, HAS_SENDER, 3, b"a_very_long_sender_name_indeed.c", 0);
        assert_eq!(&buf[..n], b"a_very_long_sender_nam ");
        let n = prefix(&mut buf, HAS_LEVEL_TEXT, 1, b"", 0);
        assert_eq!(&buf[..n], b"ERROR: ");
        let n = prefix(&mut buf, HAS_TIME | HAS_MICRO_SEC, 2, b"", 0);
        assert_eq!(n, 13);
        assert_eq!(buf[2], b':');
        assert_eq!(buf[8], b'.');
        let n = prefix(&mut buf, HAS_NEWLINE, 2, b"x", 0);
        assert_eq!(n, 0);
        // Indentation follows the space column, only with HAS_INDENT.
        let n = prefix(&mut buf, HAS_SENDER | HAS_SPACE | HAS_INDENT, 5, b"tsx1", 2);
        assert_eq!(&buf[..n], format!("{:>22}  ..", "tsx1").as_bytes());
        let n = prefix(&mut buf, HAS_SENDER | HAS_SPACE, 5, b"tsx1", 2);
        assert_eq!(&buf[..n], format!("{:>22}  ", "tsx1").as_bytes());
    }
}
