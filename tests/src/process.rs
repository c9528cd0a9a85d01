//! Binaries of the workspace and child processes under a time limit.

use crate::*;
use rustix::process::{kill_process, Pid, Signal};
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Binaries and tools

/// The path of a binary of this workspace: `$KEYWARD_TARGET_DIR/debug/NAME` when set, else next
/// to the running test (`…/debug/deps/test-xxx` → `…/debug/NAME`). Panics when it is missing.
pub fn bin(name: &str) -> PathBuf {
    let dir = match std::env::var_os("KEYWARD_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(t) => PathBuf::from(t).join("debug"),
        None => {
            let exe = std::env::current_exe().expect("the test binary's own path");
            let parent = exe.parent().expect("the test binary lives in a directory");
            if parent.file_name() == Some(OsStr::new("deps")) {
                parent.parent().expect("deps has a parent").to_path_buf()
            } else {
                parent.to_path_buf()
            }
        }
    };
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} does not exist: build it first: cargo build -p {name} \
         (with the same CARGO_TARGET_DIR as the tests, or set KEYWARD_TARGET_DIR)",
        path.display()
    );
    path
}

/// The `keyward-cli` binary under test.
pub fn cli_bin() -> PathBuf {
    bin("keyward-cli")
}

/// Panics with an install hint unless `tool` is on the PATH.
pub(crate) fn require_tool(tool: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not installed; the integration tests need a real Secret Service and openssl: \
         apt-get install gnome-keyring dbus-daemon dbus-bin libsecret-tools openssl"
    );
}

// ---------------------------------------------------------------------------------------------
// Running children under a time limit

/// Sends SIGTERM and waits up to 10 s; SIGKILL only as the very last resort after that.
/// Returns the exit status.
pub fn terminate(child: &mut Child) -> ExitStatus {
    if let Ok(Some(st)) = child.try_wait() {
        return st;
    }
    let _ = kill_process(Pid::from_child(child), Signal::TERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(st)) => return st,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                return child.wait().expect("waiting for a killed child");
            }
        }
    }
}

pub(crate) fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        buf
    })
}

/// Runs `cmd` to completion with `stdin` (or whatever stdin `cmd` already has when `None`),
/// capturing stdout and stderr; panics when it takes longer than [`COMMAND_TIMEOUT`].
pub fn run_command(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    let what = format!("{cmd:?}");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let writer = stdin.map(|data| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        })
    });
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let status = wait_with_deadline(&mut child, &what);
    if let Some(w) = writer {
        let _ = w.join();
    }
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

pub(crate) fn wait_with_deadline(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            return st;
        }
        if Instant::now() > deadline {
            terminate(child);
            panic!("{what} did not finish within {COMMAND_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `cmd` with stdout and stderr on one pipe, in the order the program wrote them.
pub fn run_command_merged(mut cmd: Command) -> (ExitStatus, String) {
    let what = format!("{cmd:?}");
    let (reader, writer) = std::io::pipe().expect("pipe");
    cmd.stdout(writer.try_clone().expect("dup pipe"))
        .stderr(writer);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    // The Command holds the parent's copies of the write end: without dropping it the reader
    // would never see EOF.
    drop(cmd);
    let text = drain(Some(reader));
    let status = wait_with_deadline(&mut child, &what);
    let text = String::from_utf8(text.join().expect("pipe reader")).expect("output is UTF-8");
    (status, text)
}

/// Text of an output, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("reading /dev/urandom");
    hex::encode(buf)
}

pub(crate) fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
