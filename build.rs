//! Generates the C header from the `#[repr(C)]` types and `extern "C"`
//! functions under src/ffi with cbindgen (version pinned in Cargo.toml).
//!
//! The header is written to OUT_DIR; `make` copies it into include/ and
//! `make check-header` fails when the committed copy differs, so the
//! committed header is always what the build generates.

use std::env;
use std::path::PathBuf;

fn main() {
    // The hosted build declares no C API of its own beyond pjproject's.
    if env::var_os("CARGO_FEATURE_HOSTED").is_some() {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpjsip_regc_hosted.so");
        return;
    }
    // The installed file is libpjsip_regc.so.VERSION with links from
    // .so.MAJOR (this name, which programs record) and .so (for -l at link
    // time): see `make install`.
    let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libpjsip_regc.so.{major}");
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header");
    bindings.write_to_file(out.join("pjregc.h"));
    // Make the location discoverable for the Makefile without guessing hashes.
    let marker = crate_dir.join("target").join("pjregc-header-path");
    if let Some(dir) = marker.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(marker, out.join("pjregc.h").to_string_lossy().as_bytes());
}
