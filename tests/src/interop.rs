//! Independent implementations of the key formats, signatures and tokens Keyward reads and
//! writes, to check it against: node packages (ethers, eosjs-ecc, @bsv/sdk, jose 6, jose 5 as
//! `jose5` for ES256K, jsonwebtoken — thirdweb Engine's verifier —, siwe, node:crypto) behind one
//! small CLI, `tests/interop/kw-interop.mjs`. See the usage at the top of that file for every
//! command and the JSON it prints.
//!
//! ```text
//! let v = interop::node("eth-address", &[KEY_HEX]);
//! assert_eq!(v["address"], "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
//! ```
//!
//! The packages are pinned in `tests/interop/package-lock.json` and installed by
//! `scripts/test.sh` (`kw_deps`). Nothing is skipped: no node or no `node_modules` is a test
//! failure that says how to install them.

use crate::{describe, run_command};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const HINT: &str = "run scripts/test.sh, or npm install in tests/interop";

/// The folder of the node toolbox: `tests/interop`.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop")
}

/// Runs `node kw-interop.mjs CMD ARGS…` and returns the one line of JSON it prints. Panics,
/// with its stderr, when it fails (and with an install hint when node or the packages are
/// missing).
pub fn node(cmd: &str, args: &[&str]) -> Value {
    node_input(cmd, args, None)
}

/// [`node`] with `stdin` on standard input: for the commands that read a file, pass `-` as
/// the file to hand them `stdin` instead.
pub fn node_stdin(cmd: &str, args: &[&str], stdin: &[u8]) -> Value {
    node_input(cmd, args, Some(stdin))
}

/// Runs `node kw-interop.mjs CMD ARGS…` expecting it to FAIL (a library refusing a key or a
/// file); returns its stderr. Panics when it succeeds.
pub fn node_fails(cmd: &str, args: &[&str]) -> String {
    let out = run(cmd, args, None);
    assert!(
        !out.status.success(),
        "kw-interop {cmd} was expected to fail but succeeded: {}",
        describe(&out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn node_input(cmd: &str, args: &[&str], stdin: Option<&[u8]>) -> Value {
    let out = run(cmd, args, stdin);
    assert!(
        out.status.success(),
        "kw-interop {cmd} failed ({HINT} if a package is missing): {}",
        describe(&out)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.strip_suffix('\n').unwrap_or(&text);
    assert!(
        !line.is_empty() && !line.contains('\n'),
        "kw-interop {cmd} should print exactly one line of JSON: {}",
        describe(&out)
    );
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "kw-interop {cmd} printed something that is not JSON ({e}): {}",
            describe(&out)
        )
    })
}

fn run(cmd: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let dir = interop_dir();
    let script = dir.join("kw-interop.mjs");
    assert!(script.is_file(), "{} is missing", script.display());
    require_node();
    require_packages(&dir);
    let mut c = Command::new("node");
    c.arg(&script).arg(cmd).args(args);
    // An outer NODE_OPTIONS (--require hooks, loaders…) has no business here.
    c.env_remove("NODE_OPTIONS");
    if stdin.is_none() {
        c.stdin(Stdio::null());
    }
    run_command(c, stdin)
}

fn require_node() {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("node").is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`node` is not installed; the interop tests check Keyward against node packages \
         (node >= 20): {HINT}"
    );
}

/// Every dependency named in package.json must be in node_modules.
fn require_packages(dir: &std::path::Path) {
    let manifest = dir.join("package.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    let manifest: Value = serde_json::from_str(&text).expect("tests/interop/package.json is JSON");
    let deps = manifest["dependencies"]
        .as_object()
        .expect("tests/interop/package.json has dependencies");
    let missing: Vec<&str> = deps
        .keys()
        .filter(|name| {
            !dir.join("node_modules")
                .join(name)
                .join("package.json")
                .is_file()
        })
        .map(String::as_str)
        .collect();
    assert!(
        missing.is_empty(),
        "node packages missing from {}: {}; {HINT}",
        dir.join("node_modules").display(),
        missing.join(", ")
    );
}
