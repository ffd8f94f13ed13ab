//! The hosted build: only the `pjsip_regc_*` functions, living inside a
//! real pjproject process in front of its own regc and driving the host's
//! endpoint, transactions, auth sessions, timers and pools through
//! pjproject's public API (`../shared/ref/hosted-regc.md`).
//!
//! - `host`: the host's functions, found at run time (shared) or at link
//!   time (static);
//! - `layout`: the host's version and the offsets of its tsx, tx_data and
//!   rx_data fields, measured on a probe request;
//! - `outbox`, `response`: requests as host tx_data, responses from the
//!   host's rx_data, for the shared state machine of `crate::reg`;
//! - `regc`: the registration client over them; `exports`: the C API;
//! - `log`: lines through the host's pj_log.
//!
//! The first `pjsip_regc_create` decides, once for the process, who serves
//! regc: this library when the host is a pjproject release whose layout it
//! knows and the probe agrees; otherwise (shared build) the host's own
//! regc, to which every call is then forwarded.
#![allow(non_camel_case_types, non_snake_case, clippy::missing_safety_doc)]

pub mod exports;
pub mod host;
pub mod layout;
pub mod log;
pub mod outbox;
pub mod raw;
pub mod regc;
pub mod response;

use host::{HostApi, HostPtr};
use layout::{Layout, Version};
use std::ffi::CStr;
use std::sync::OnceLock;

/// The host, as this library serves it.
pub struct Host {
    /// Its functions, found at start.
    pub api: HostApi,
    /// Its struct layouts, measured at start.
    pub layout: Layout,
}

/// Who serves pjsip_regc_* in this process.
pub enum Mode {
    /// This library, over a host it knows.
    Ours(&'static Host),
    /// The host's own regc, for a host this library does not know.
    #[cfg(not(feature = "hosted-static"))]
    Forward(exports::Forwarded),
    /// Neither: no usable pjsip in the process.
    Unavailable,
}

static MODE: OnceLock<Mode> = OnceLock::new();

/// The mode, once the first pjsip_regc_create decided it.
pub fn mode() -> Option<&'static Mode> {
    MODE.get()
}

/// Decides the mode with the endpoint of the first pjsip_regc_create.
///
/// # Safety
/// `endpt` is the host's live endpoint.
pub unsafe fn decide(endpt: HostPtr) -> &'static Mode {
    MODE.get_or_init(|| unsafe { choose(endpt) })
}

/// The library's own version, for the log.
const OURS: &str = env!("CARGO_PKG_VERSION");

unsafe fn choose(endpt: HostPtr) -> Mode {
    let Some(lookup) = find_host() else {
        return Mode::Unavailable;
    };
    let api = match HostApi::resolve(&|name| lookup.symbol(name)) {
        Ok(api) => api,
        Err(missing) => return unknown(&lookup, None, &format!("it lacks {missing}")),
    };
    let version_text = CStr::from_ptr((api.pj_get_version)()).to_string_lossy().into_owned();
    let version = match Version::parse(&version_text) {
        Some(v) if v.supported() => v,
        _ => return unknown(&lookup, Some(&api), &format!("pjproject {version_text} is not a release whose layout it knows")),
    };
    match layout::probe(&api, endpt, version) {
        Ok(layout) => {
            log::write(
                &api,
                4,
                log::HOSTED_SENDER,
                &format!(
                    "pjsip_regc served by pjsip-regc-rs hosted {OURS} (host pjproject {version}, \
                     PJSIP_MAX_PKT_LEN {}, PJSIP_MAX_MODULE {})",
                    layout.max_pkt_len, layout.max_module
                ),
            );
            Mode::Ours(Box::leak(Box::new(Host { api, layout })))
        }
        Err(layout::Unknown(why)) => {
            unknown(&lookup, Some(&api), &format!("pjproject {version} has a build configuration it does not know: {why}"))
        }
    }
}

/// One clear line, then the host's own regc serves (shared build) or no
/// regc does (static build).
fn unknown(lookup: &Lookup, api: Option<&HostApi>, why: &str) -> Mode {
    #[cfg(not(feature = "hosted-static"))]
    let (line, mode) = (
        format!("pjsip-regc-rs hosted {OURS} steps aside: {why}; pjproject's own pjsip_regc serves this process"),
        Mode::Forward(exports::Forwarded::resolve(&|name| lookup.symbol(name))),
    );
    #[cfg(feature = "hosted-static")]
    let (line, mode) = {
        let _ = lookup;
        (format!("pjsip-regc-rs hosted {OURS} cannot serve this process: {why}"), Mode::Unavailable)
    };
    match api {
        Some(api) => log::write(api, 1, log::HOSTED_SENDER, &line),
        None => eprintln!("{}: {line}", log::HOSTED_SENDER),
    }
    mode
}

/// Where the host's symbols are.
enum Lookup {
    /// In the global scope: pjsip is linked into the program or loaded
    /// RTLD_GLOBAL; the host's regc is the next definition after ours.
    #[cfg(not(feature = "hosted-static"))]
    Global,
    /// Only inside a locally loaded object (a Python extension): its handle.
    #[cfg(not(feature = "hosted-static"))]
    Local(HostPtr),
    /// Linked into the program with us (static build).
    #[cfg(feature = "hosted-static")]
    Linked,
}

impl Lookup {
    fn symbol(&self, name: &CStr) -> HostPtr {
        match self {
            // SAFETY: dlsym with a NUL-terminated name.
            #[cfg(not(feature = "hosted-static"))]
            Lookup::Global => unsafe {
                let scope = if name.to_bytes().starts_with(b"pjsip_regc_") { libc::RTLD_NEXT } else { libc::RTLD_DEFAULT };
                libc::dlsym(scope, name.as_ptr())
            },
            #[cfg(not(feature = "hosted-static"))]
            // SAFETY: as above, on a handle that stays open.
            Lookup::Local(handle) => unsafe { libc::dlsym(*handle, name.as_ptr()) },
            #[cfg(feature = "hosted-static")]
            Lookup::Linked => host::linked::lookup(name),
        }
    }
}

#[cfg(feature = "hosted-static")]
fn find_host() -> Option<Lookup> {
    Some(Lookup::Linked)
}

/// The global scope when it has pjsip, else the loaded object that defines
/// the host's own regc and pjsip (its dependencies included).
#[cfg(not(feature = "hosted-static"))]
fn find_host() -> Option<Lookup> {
    let ours = exports::pjsip_regc_create as *const () as usize;
    // SAFETY: dlsym/dlopen/dl_iterate_phdr with valid arguments.
    unsafe {
        if !libc::dlsym(libc::RTLD_DEFAULT, c"pjsip_endpt_create_pool".as_ptr()).is_null() {
            return Some(Lookup::Global);
        }
        let mut names: Vec<std::ffi::CString> = Vec::new();
        unsafe extern "C" fn each(info: *mut libc::dl_phdr_info, _size: usize, data: *mut libc::c_void) -> libc::c_int {
            let names = &mut *data.cast::<Vec<std::ffi::CString>>();
            let name = (*info).dlpi_name;
            if !name.is_null() && *name != 0 {
                names.push(CStr::from_ptr(name).to_owned());
            }
            0
        }
        libc::dl_iterate_phdr(Some(each), (&mut names as *mut Vec<std::ffi::CString>).cast());
        for name in names {
            let handle = libc::dlopen(name.as_ptr(), libc::RTLD_NOLOAD | libc::RTLD_LAZY);
            if handle.is_null() {
                continue;
            }
            let regc = libc::dlsym(handle, c"pjsip_regc_create".as_ptr());
            let pool = libc::dlsym(handle, c"pjsip_endpt_create_pool".as_ptr());
            if !regc.is_null() && !pool.is_null() && regc as usize != ours {
                return Some(Lookup::Local(handle));
            }
            libc::dlclose(handle);
        }
    }
    None
}

/// Randomness for x-uid values (the host's GUIDs name everything else).
pub struct HostRandom;

impl crate::auth::Random for HostRandom {
    fn fill(&mut self, buf: &mut [u8]) {
        if getrandom::fill(buf).is_err() {
            let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos());
            for (i, b) in buf.iter_mut().enumerate() {
                *b = (seed >> ((i % 16) * 8)) as u8 ^ i as u8;
            }
        }
    }
}

/// The static build checks its host before main runs: an unknown version
/// is a clear error at start, not a misread struct later.
#[cfg(feature = "hosted-static")]
mod start_check {
    #[used]
    #[link_section = ".init_array"]
    static CHECK: extern "C" fn() = check;

    extern "C" fn check() {
        let _ = std::panic::catch_unwind(|| {
            let api = match super::HostApi::resolve(&|name| super::host::linked::lookup(name)) {
                Ok(api) => api,
                Err(missing) => fail(&format!("the program's pjproject lacks {missing}")),
            };
            // SAFETY: pj_get_version returns a static string.
            let text = unsafe { std::ffi::CStr::from_ptr((api.pj_get_version)()) }.to_string_lossy().into_owned();
            match super::Version::parse(&text) {
                Some(v) if v.supported() => {}
                _ => fail(&format!("pjproject {text} is not a release whose layout it knows (2.13 to 2.17)")),
            }
        });
    }

    fn fail(why: &str) -> ! {
        eprintln!("libpjsip_regc_hosted.a (pjsip-regc-rs {}): {why}; link pjproject's own sip_reg.o instead", super::OURS);
        std::process::exit(1)
    }
}
