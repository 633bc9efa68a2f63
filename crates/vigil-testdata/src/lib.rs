//! Where tests and benches find the large third-party data that is not in the repo.
//!
//! Small fixtures live next to the tests that read them (`crates/*/tests/data/`) and are
//! read by plain paths. The large files (the OFAC list, the Arabic–Latin name pairs, the
//! rigour name variants, the FEBRL linkage data) stay in the `shared/data` directory
//! beside the clone and are found here:
//!
//! - `VIGIL_SHARED_DATA`, if set, is that directory (and only that one: a file missing
//!   there is absent, there is no fallback);
//! - otherwise it is `<workspace root>/../shared/data`.
//!
//! A missing file is a skip: [`shared_data`] prints one line to stderr and returns
//! `None`, and the test returns early. With `VIGIL_REQUIRE_SHARED_DATA` set (CI sets it)
//! a missing file panics instead, so that nothing is skipped silently.
//!
//! The same goes for the Python that runs third-party software against Vigil
//! (`interop/`): [`interop_python`] finds it in `VIGIL_INTEROP_PYTHON`, and its
//! absence is a skip unless `VIGIL_REQUIRE_INTEROP` is set.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The directory holding the shared data (`VIGIL_SHARED_DATA`, else
/// `<workspace root>/../shared/data`). It may not exist.
pub fn shared_data_dir() -> PathBuf {
    match std::env::var_os("VIGIL_SHARED_DATA") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            // This crate is `<workspace root>/crates/vigil-testdata`.
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            let root = manifest.ancestors().nth(2).unwrap_or(manifest);
            root.join("../shared/data")
        }
    }
}

/// The path of `relative` (e.g. `"lists/ofac_sdn_2024-05-07.xml"`) in the shared data, or
/// `None` after printing why the caller is skipped. Panics instead when
/// `VIGIL_REQUIRE_SHARED_DATA` is set.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = shared_data_dir().join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "{}: {} not found; set VIGIL_SHARED_DATA to the shared/data directory",
        caller(),
        path.display()
    );
    if std::env::var_os("VIGIL_REQUIRE_SHARED_DATA").is_some_and(|v| !v.is_empty()) {
        panic!("{message} (VIGIL_REQUIRE_SHARED_DATA is set, so missing data is an error)");
    }
    // Straight to stderr, not `eprintln!`: the test harness would capture that and show it
    // only for failing tests, and a skip must be seen.
    let _ = writeln!(std::io::stderr(), "skipping {message}");
    None
}

/// The Python with the packages of `interop/requirements.txt` (`VIGIL_INTEROP_PYTHON`), or
/// `None` after printing that the caller is skipped. Panics instead when
/// `VIGIL_REQUIRE_INTEROP` is set.
pub fn interop_python() -> Option<PathBuf> {
    if let Some(python) = std::env::var_os("VIGIL_INTEROP_PYTHON").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(python));
    }
    let message = format!(
        "{}: VIGIL_INTEROP_PYTHON is not set; make a virtual environment with \
         interop/requirements.txt and set it to its python (README, \"Tests and data\")",
        caller()
    );
    if std::env::var_os("VIGIL_REQUIRE_INTEROP").is_some_and(|v| !v.is_empty()) {
        panic!("{message} (VIGIL_REQUIRE_INTEROP is set, so this is an error)");
    }
    let _ = writeln!(std::io::stderr(), "skipping {message}");
    None
}

/// The workspace's `interop/` directory: the Python drivers of third-party software.
pub fn interop_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .join("interop")
}

/// The test running (libtest names its threads after the tests), else the program.
fn caller() -> String {
    if let Some(name) = std::thread::current().name().filter(|n| *n != "main") {
        return name.to_string();
    }
    let exe = std::env::args_os().next().map(PathBuf::from);
    let stem = exe
        .as_deref()
        .and_then(Path::file_stem)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Cargo names bench and test binaries `<target>-<16 hex digits>`.
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name.to_string()
        }
        _ => stem,
    }
}
