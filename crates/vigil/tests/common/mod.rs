//! What the process-level tests share: running the `vigil` binary on a
//! data directory, and starting its server on a free loopback port.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Runs a `vigil` command on `data`; panics with its stderr if it fails.
pub fn vigil(data: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Creates a token with `vigil token create` (and `extra` options); returns
/// its secret.
pub fn token_secret(data: &Path, agency: &str, role: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--agency", agency, "--role", role];
    args.extend_from_slice(extra);
    let created: serde_json::Value = serde_json::from_str(&vigil(data, &args)).unwrap();
    created["secret"].as_str().unwrap().to_string()
}

/// Starts `vigil serve` on a free loopback port; returns it and its base URL.
pub fn start(data: &Path) -> (Child, String) {
    // The tests' webhook receivers listen on loopback.
    start_with(
        data,
        &["--listen", "127.0.0.1:0", "--allow-private-webhooks"],
    )
    .expect("server prints its address")
}

/// Starts `vigil serve` with `args` on `data`; returns it and its base URL,
/// or `None` when it stopped before listening (its address was taken).
pub fn start_with(data: &Path, args: &[&str]) -> Option<(Child, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("serve")
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        if let Some(url) = line.unwrap().strip_prefix("listening on ") {
            return Some((child, url.to_string()));
        }
    }
    let _ = child.wait();
    None
}
