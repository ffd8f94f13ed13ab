//! Socket addresses (`pj/sock.h`): initialisation from text (numeric or
//! resolved with getaddrinfo), ports, byte order, the host name, and the
//! address-family / socket-type constants that `pj_AF_INET()` and friends
//! expand to.

use crate::ffi::guard::{guard, guard_status};
use crate::ffi::types::{
    pj_in_addr, pj_sockaddr, pj_sockaddr_in, pj_status_t, pj_str_t, pj_uint16_t, pj_uint32_t,
};
use crate::status::{PJ_EAFNOTSUP, PJ_EINVAL, PJ_ERESOLVE};
use core::ffi::{c_char, c_void};
use core::mem::size_of;
use core::ptr;
use std::ffi::CString;
use std::sync::OnceLock;

use super::string::str_bytes;

/// AF_INET.
#[no_mangle]
pub static PJ_AF_INET: pj_uint16_t = 2;
/// AF_INET6.
#[no_mangle]
pub static PJ_AF_INET6: pj_uint16_t = 10;
/// AF_UNSPEC.
#[no_mangle]
pub static PJ_AF_UNSPEC: pj_uint16_t = 0;
/// SOCK_STREAM.
#[no_mangle]
pub static PJ_SOCK_STREAM: pj_uint16_t = 1;
/// SOCK_DGRAM.
#[no_mangle]
pub static PJ_SOCK_DGRAM: pj_uint16_t = 2;
/// SOCK_RAW.
#[no_mangle]
pub static PJ_SOCK_RAW: pj_uint16_t = 3;
/// SOCK_RDM.
#[no_mangle]
pub static PJ_SOCK_RDM: pj_uint16_t = 4;

/// libc functions the libc crate does not declare (hidden from the header).
///
/// cbindgen:ignore
#[allow(unused_doc_comments)]
extern "C" {
    fn inet_aton(cp: *const c_char, inp: *mut libc::in_addr) -> core::ffi::c_int;
    fn inet_pton(af: core::ffi::c_int, src: *const c_char, dst: *mut c_void) -> core::ffi::c_int;
}

const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;
const INADDR_NONE: u32 = 0xFFFF_FFFF;
const MAX_HOSTNAME: usize = 254;
const INET_ADDRSTRLEN: usize = 16;
const INET6_ADDRSTRLEN: usize = 46;

/// Host to network byte order, 16 bits.
#[no_mangle]
pub extern "C" fn pj_htons(hostshort: pj_uint16_t) -> pj_uint16_t {
    hostshort.to_be()
}

/// Network to host byte order, 16 bits.
#[no_mangle]
pub extern "C" fn pj_ntohs(netshort: pj_uint16_t) -> pj_uint16_t {
    u16::from_be(netshort)
}

/// Host to network byte order, 32 bits.
#[no_mangle]
pub extern "C" fn pj_htonl(hostlong: pj_uint32_t) -> pj_uint32_t {
    hostlong.to_be()
}

/// Network to host byte order, 32 bits.
#[no_mangle]
pub extern "C" fn pj_ntohl(netlong: pj_uint32_t) -> pj_uint32_t {
    u32::from_be(netlong)
}

/// Text of a `pj_str_t` as a C string (stops at an embedded NUL, like
/// copying into a C buffer would).
unsafe fn c_text(s: *const pj_str_t) -> CString {
    let bytes = str_bytes(s);
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // No NUL in bytes[..end], so this cannot fail; fall back to "" anyway.
    CString::new(&bytes[..end]).unwrap_or_default()
}

/// Parses dotted IPv4 text the way inet_aton does ("127.1" and hex/octal
/// parts are accepted). Returns the address in network order, or
/// INADDR_NONE for NULL, empty, 16+ characters or invalid text.
#[no_mangle]
pub unsafe extern "C" fn pj_inet_addr(cp: *const pj_str_t) -> pj_in_addr {
    let none = pj_in_addr {
        s_addr: INADDR_NONE,
    };
    guard(none, || {
        let bytes = str_bytes(cp);
        if bytes.is_empty() || bytes.len() >= INET_ADDRSTRLEN {
            return none;
        }
        let text = c_text(cp);
        let mut a: libc::in_addr = core::mem::zeroed();
        if inet_aton(text.as_ptr(), &mut a) == 0 {
            return none;
        }
        pj_in_addr { s_addr: a.s_addr }
    })
}

/// `pj_inet_addr` for a C string.
#[no_mangle]
pub unsafe extern "C" fn pj_inet_addr2(cp: *const c_char) -> pj_in_addr {
    guard(
        pj_in_addr {
            s_addr: INADDR_NONE,
        },
        || {
            let s = pj_str_t {
                ptr: cp as *mut c_char,
                slen: if cp.is_null() {
                    0
                } else {
                    libc::strlen(cp) as _
                },
            };
            pj_inet_addr(&s)
        },
    )
}

/// Resolves `name` for `af` with getaddrinfo; copies the first matching
/// address into `out` (a sockaddr_in or sockaddr_in6).
unsafe fn resolve(
    af: u16,
    name: &CString,
    out: *mut u8,
    out_len: usize,
) -> Result<(), pj_status_t> {
    let mut hints: libc::addrinfo = core::mem::zeroed();
    hints.ai_family = af as i32;
    hints.ai_socktype = libc::SOCK_DGRAM;
    let mut res: *mut libc::addrinfo = ptr::null_mut();
    if libc::getaddrinfo(name.as_ptr(), ptr::null(), &hints, &mut res) != 0 || res.is_null() {
        return Err(PJ_ERESOLVE);
    }
    let mut found = false;
    let mut ai = res;
    while !ai.is_null() {
        if (*ai).ai_family == af as i32
            && !(*ai).ai_addr.is_null()
            && (*ai).ai_addrlen as usize >= out_len
        {
            ptr::copy_nonoverlapping((*ai).ai_addr as *const u8, out, out_len);
            found = true;
            break;
        }
        ai = (*ai).ai_next;
    }
    libc::freeaddrinfo(res);
    if found {
        Ok(())
    } else {
        Err(PJ_ERESOLVE)
    }
}

unsafe fn set_ipv4_text(addr: *mut pj_sockaddr_in, cp: *const pj_str_t) -> Result<(), pj_status_t> {
    (*addr).sin_family = AF_INET;
    (*addr).sin_zero_pad = [0; 8];
    let bytes = str_bytes(cp);
    if bytes.len() >= MAX_HOSTNAME {
        (*addr).sin_addr.s_addr = INADDR_NONE;
        return Err(PJ_EINVAL);
    }
    if bytes.is_empty() {
        (*addr).sin_addr.s_addr = 0;
        return Ok(());
    }
    let a = pj_inet_addr(cp);
    if a.s_addr != INADDR_NONE {
        (*addr).sin_addr = a;
        return Ok(());
    }
    let text = c_text(cp);
    // Numeric forms inet_aton refused (e.g. 255.255.255.255) first.
    let mut n: libc::in_addr = core::mem::zeroed();
    if inet_pton(
        libc::AF_INET,
        text.as_ptr(),
        &mut n as *mut _ as *mut c_void,
    ) == 1
    {
        (*addr).sin_addr.s_addr = n.s_addr;
        return Ok(());
    }
    let mut sin: libc::sockaddr_in = core::mem::zeroed();
    resolve(
        AF_INET,
        &text,
        &mut sin as *mut _ as *mut u8,
        size_of::<libc::sockaddr_in>(),
    )?;
    (*addr).sin_addr.s_addr = sin.sin_addr.s_addr;
    Ok(())
}

/// Fills an IPv4 address: family AF_INET, `port` in network order, and the
/// address from `cp` (NULL or "" = INADDR_ANY; dotted text; else a host
/// name resolved with getaddrinfo, PJ_ERESOLVE on failure; 254+ chars =
/// PJ_EINVAL).
#[no_mangle]
pub unsafe extern "C" fn pj_sockaddr_in_init(
    addr: *mut pj_sockaddr_in,
    cp: *const pj_str_t,
    port: pj_uint16_t,
) -> pj_status_t {
    guard_status(|| {
        crate::nonnull!(addr)?;
        ptr::write_bytes(addr as *mut u8, 0, size_of::<pj_sockaddr_in>());
        (*addr).sin_family = AF_INET;
        (*addr).sin_port = port.to_be();
        set_ipv4_text(addr, cp)
    })
}

/// Like `pj_sockaddr_in_init` for AF_INET or AF_INET6 (IPv6 text is parsed
/// with inet_pton, names resolved for AF_INET6). Other families give
/// PJ_EAFNOTSUP.
#[no_mangle]
pub unsafe extern "C" fn pj_sockaddr_init(
    af: core::ffi::c_int,
    addr: *mut pj_sockaddr,
    cp: *const pj_str_t,
    port: pj_uint16_t,
) -> pj_status_t {
    guard_status(|| {
        crate::nonnull!(addr)?;
        if af == AF_INET as i32 {
            return match pj_sockaddr_in_init(ptr::addr_of_mut!((*addr).ipv4), cp, port) {
                0 => Ok(()),
                e => Err(e),
            };
        }
        if af != AF_INET6 as i32 {
            return Err(PJ_EAFNOTSUP);
        }
        ptr::write_bytes(addr as *mut u8, 0, size_of::<pj_sockaddr>());
        let a6 = ptr::addr_of_mut!((*addr).ipv6);
        (*a6).sin6_family = AF_INET6;
        let bytes = str_bytes(cp);
        if !bytes.is_empty() {
            if bytes.len() >= MAX_HOSTNAME {
                return Err(PJ_EINVAL);
            }
            let text = c_text(cp);
            let parsed = bytes.len() < INET6_ADDRSTRLEN
                && inet_pton(
                    libc::AF_INET6,
                    text.as_ptr(),
                    ptr::addr_of_mut!((*a6).sin6_addr) as *mut c_void,
                ) == 1;
            if !parsed {
                let mut sin6: libc::sockaddr_in6 = core::mem::zeroed();
                resolve(
                    AF_INET6,
                    &text,
                    &mut sin6 as *mut _ as *mut u8,
                    size_of::<libc::sockaddr_in6>(),
                )?;
                (*a6).sin6_addr.s6_addr = sin6.sin6_addr.s6_addr;
                (*a6).sin6_scope_id = sin6.sin6_scope_id;
            }
        }
        (*a6).sin6_port = port.to_be();
        Ok(())
    })
}

/// The port of an IPv4 or IPv6 address in host order (0xFFFF for another
/// family or NULL).
#[no_mangle]
pub unsafe extern "C" fn pj_sockaddr_get_port(addr: *const c_void) -> pj_uint16_t {
    guard(0xFFFF, || {
        if addr.is_null() {
            return 0xFFFF;
        }
        let a = addr as *const pj_sockaddr;
        match (*a).addr.sa_family {
            AF_INET => u16::from_be((*a).ipv4.sin_port),
            AF_INET6 => u16::from_be((*a).ipv6.sin6_port),
            _ => 0xFFFF,
        }
    })
}

/// Sets the port (given in host order) of an IPv4 address.
#[no_mangle]
pub unsafe extern "C" fn pj_sockaddr_in_set_port(addr: *mut pj_sockaddr_in, hostport: pj_uint16_t) {
    guard((), || {
        if !addr.is_null() {
            (*addr).sin_port = hostport.to_be();
        }
    })
}

/// Sets the port (host order) of an IPv4 or IPv6 address; another family
/// gives PJ_EINVAL.
#[no_mangle]
pub unsafe extern "C" fn pj_sockaddr_set_port(
    addr: *mut pj_sockaddr,
    hostport: pj_uint16_t,
) -> pj_status_t {
    guard_status(|| {
        crate::nonnull!(addr)?;
        match (*addr).addr.sa_family {
            AF_INET => (*addr).ipv4.sin_port = hostport.to_be(),
            AF_INET6 => (*addr).ipv6.sin6_port = hostport.to_be(),
            _ => return Err(PJ_EINVAL),
        }
        Ok(())
    })
}

struct HostName {
    buf: Box<[u8; MAX_HOSTNAME]>,
    str: pj_str_t,
}
// SAFETY: written once inside OnceLock, read-only afterwards.
unsafe impl Send for HostName {}
unsafe impl Sync for HostName {}
static HOSTNAME: OnceLock<HostName> = OnceLock::new();

/// The machine's host name (from gethostname, looked up once; empty if it
/// fails). The string lives for the whole process.
#[no_mangle]
pub extern "C" fn pj_gethostname() -> *const pj_str_t {
    guard(ptr::null(), || {
        let h = HOSTNAME.get_or_init(|| {
            let mut buf = Box::new([0u8; MAX_HOSTNAME]);
            // SAFETY: gethostname writes at most the given length.
            let rc =
                unsafe { libc::gethostname(buf.as_mut_ptr() as *mut c_char, MAX_HOSTNAME - 1) };
            let len = if rc == 0 {
                buf.iter().position(|&b| b == 0).unwrap_or(MAX_HOSTNAME - 1)
            } else {
                0
            };
            buf[len] = 0;
            let str = pj_str_t {
                ptr: buf.as_mut_ptr() as *mut c_char,
                slen: len as _,
            };
            HostName { buf, str }
        });
        let _ = &h.buf;
        &h.str as *const pj_str_t
    })
}


/// Copies socket options into `pool`: each option value gets its own copy,
/// so that `params` no longer points into `src`'s memory.
#[no_mangle]
pub unsafe extern "C" fn pj_sockopt_params_clone(
    pool: *mut crate::ffi::types::pj_pool_t,
    params: *mut crate::ffi::types::pj_sockopt_params,
    src: *const crate::ffi::types::pj_sockopt_params,
) -> pj_status_t {
    guard_status(|| {
        if pool.is_null() || params.is_null() || src.is_null() {
            return Err(PJ_EINVAL);
        }
        let copy = *src;
        let n = (copy.cnt as usize).min(copy.options.len());
        let mut out = copy;
        for (i, opt) in copy.options.iter().enumerate().take(n) {
            if opt.optval.is_null() || opt.optlen <= 0 {
                continue;
            }
            let len = opt.optlen as usize;
            let mem = super::pool::pj_pool_alloc(pool, len);
            if mem.is_null() {
                return Err(crate::status::PJ_ENOMEM);
            }
            ptr::copy_nonoverlapping(opt.optval as *const u8, mem as *mut u8, len);
            out.options[i].optval = mem;
        }
        *params = out;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> pj_str_t {
        pj_str_t {
            ptr: v.as_ptr() as *mut c_char,
            slen: v.len() as _,
        }
    }

    #[test]
    fn ipv4() {
        unsafe {
            let mut a: pj_sockaddr_in = core::mem::zeroed();
            assert_eq!(pj_sockaddr_in_init(&mut a, &s("127.0.0.1"), 5060), 0);
            assert_eq!(a.sin_family, 2);
            assert_eq!(a.sin_port, 5060u16.to_be());
            assert_eq!(
                a.sin_addr.s_addr,
                u32::from_be_bytes([127, 0, 0, 1]).to_be()
            );
            assert_eq!(pj_sockaddr_get_port(&a as *const _ as *const c_void), 5060);
            assert_eq!(pj_sockaddr_in_init(&mut a, core::ptr::null(), 1), 0);
            assert_eq!(a.sin_addr.s_addr, 0);
            assert_eq!(pj_sockaddr_in_init(&mut a, &s("255.255.255.255"), 1), 0);
            assert_eq!(a.sin_addr.s_addr, INADDR_NONE);
            let long = "a".repeat(300);
            assert_eq!(pj_sockaddr_in_init(&mut a, &s(&long), 1), PJ_EINVAL);
            assert_eq!(
                pj_inet_addr2(c"10.1".as_ptr()).s_addr,
                u32::from_be_bytes([10, 0, 0, 1]).to_be()
            );
            assert_eq!(pj_inet_addr2(c"x".as_ptr()).s_addr, INADDR_NONE);
        }
    }

    #[test]
    fn ipv6_and_ports() {
        unsafe {
            let mut a: pj_sockaddr = core::mem::zeroed();
            assert_eq!(pj_sockaddr_init(10, &mut a, &s("::1"), 5061), 0);
            assert_eq!(a.ipv6.sin6_family, 10);
            assert_eq!(a.ipv6.sin6_addr.s6_addr[15], 1);
            assert_eq!(pj_sockaddr_get_port(&a as *const _ as *const c_void), 5061);
            assert_eq!(pj_sockaddr_set_port(&mut a, 7), 0);
            assert_eq!(pj_sockaddr_get_port(&a as *const _ as *const c_void), 7);
            assert_eq!(
                pj_sockaddr_init(99, &mut a, core::ptr::null(), 1),
                PJ_EAFNOTSUP
            );
            assert_eq!(pj_htons(0x1234), 0x3412);
            assert_eq!(pj_ntohs(0x3412), 0x1234);
            assert!(!pj_gethostname().is_null());
        }
    }
}
