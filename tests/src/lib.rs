//! Harness for Keyward's integration tests: `keyward-cli` run as a user would run it, against a
//! real Secret Service (gnome-keyring) on a private D-Bus session bus that every test owns.
//!
//! - [`Keyring`]: a private session bus with (or without) gnome-keyring, independent of any
//!   outer desktop or test session. Everything it starts is stopped (SIGTERM, then waited for)
//!   when it is dropped.
//! - [`Cli`]: a data dir, a passphrase file and a [`Keyring`]; runs `keyward-cli` in them.
//! - [`Agent`]: a running `keyward-cli agent`, stopped with SIGTERM on drop.
//! - Helpers for `secret-tool`, `openssl` and for looking for a private scalar in bytes.
//! - [`gui`]: the desktop app driven through WebKitWebDriver, for the GUI tests.
//!
//! Every child process gets a clean environment for the things that matter (no `DISPLAY` or
//! `WAYLAND_DISPLAY`, so a locked collection cannot pop an unlock window; a private
//! `XDG_DATA_HOME`, `XDG_RUNTIME_DIR` and `HOME`), and runs under a time limit: a hang fails the
//! test with a message instead of stalling the run. Nothing is ever skipped: a missing binary or
//! system tool is a test failure that says what to install or build.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use rustix::process::{kill_process, Pid, Signal};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Longest any one child command (CLI call, secret-tool, openssl…) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest the keyring or an agent may take to come up.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The passphrase of every test vault unless a test changes it.
pub const PASSPHRASE: &str = "correct horse battery staple";
/// The secret service's alias of the default collection.
const DEFAULT_COLLECTION: &str = "/org/freedesktop/secrets/aliases/default";

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
fn require_tool(tool: &str) {
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

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
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

fn wait_with_deadline(child: &mut Child, what: &str) -> ExitStatus {
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

fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("reading /dev/urandom");
    hex::encode(buf)
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The keyring

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Unlocked,
    Locked,
    BusOnly,
    NoBus,
}

/// One item as `secret-tool search` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub secret: String,
    pub attributes: BTreeMap<String, String>,
}

impl Item {
    /// The `username` attribute: Keyward's account (key id or `vault-key`).
    pub fn account(&self) -> &str {
        self.attributes
            .get("username")
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A private Secret Service: a session bus of its own and, depending on the variant, a
/// gnome-keyring-daemon on it with an unlocked or locked default collection.
pub struct Keyring {
    dir: TempDir,
    kind: Kind,
    bus_address: String,
    bus: Option<Child>,
    daemon: Option<Child>,
}

impl Keyring {
    /// A bus and gnome-keyring with an unlocked default (`login`) collection.
    pub fn unlocked() -> Keyring {
        let mut k = Keyring::with_bus(Kind::Unlocked, false);
        k.start_daemon();
        k
    }

    /// A bus and gnome-keyring whose default collection exists but is locked.
    ///
    /// `secret-tool lock --collection=…` of libsecret 0.20.5 (Debian 12) crashes (SIGSEGV with
    /// a name, hangs with an object path), so the collection is locked through the Secret
    /// Service API itself: `org.freedesktop.Secret.Service.Lock` on the default alias.
    pub fn locked() -> Keyring {
        let mut k = Keyring::unlocked();
        k.lock_collection();
        k.kind = Kind::Locked;
        k
    }

    /// A session bus on which nothing provides `org.freedesktop.secrets`. The bus runs on its
    /// own configuration without service directories: with the stock session configuration the
    /// bus would start gnome-keyring on demand (its `.service` file is installed).
    pub fn bus_only() -> Keyring {
        Keyring::with_bus(Kind::BusOnly, true)
    }

    /// No session bus at all: `DBUS_SESSION_BUS_ADDRESS` points at a socket that does not exist
    /// (and `XDG_RUNTIME_DIR/bus`, the fallback, does not exist either).
    pub fn no_bus() -> Keyring {
        let dir = Keyring::make_dirs();
        let bus_address = format!("unix:path={}", dir.path().join("no-such-bus").display());
        Keyring {
            dir,
            kind: Kind::NoBus,
            bus_address,
            bus: None,
            daemon: None,
        }
    }

    fn make_dirs() -> TempDir {
        for tool in [
            "dbus-daemon",
            "dbus-send",
            "gnome-keyring-daemon",
            "secret-tool",
        ] {
            require_tool(tool);
        }
        let dir = tempfile::Builder::new()
            .prefix("kwkr")
            .tempdir()
            .expect("temp dir");
        for sub in ["data", "run", "home", "config", "cache"] {
            let p = dir.path().join(sub);
            std::fs::create_dir(&p).expect("mkdir");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        }
        dir
    }

    fn with_bus(kind: Kind, no_activation: bool) -> Keyring {
        let dir = Keyring::make_dirs();
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let mut cmd = Command::new("dbus-daemon");
        if no_activation {
            let conf = dir.path().join("bus.conf");
            std::fs::write(
                &conf,
                format!(
                    r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
                ),
            )
            .expect("write bus.conf");
            cmd.arg(format!("--config-file={}", conf.display()));
        } else {
            cmd.arg("--session");
        }
        cmd.args(["--nofork", "--print-address=1"])
            .arg(format!("--address={address}"));
        let log = std::fs::File::create(dir.path().join("bus.log")).expect("bus.log");
        Keyring::clean_env(&mut cmd, dir.path(), &address);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log);
        let mut bus = cmd.spawn().expect("cannot start dbus-daemon");
        // The first line on stdout is the address, printed once the bus listens.
        let stdout = bus.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let printed = match rx.recv_timeout(START_TIMEOUT) {
            Ok(l) if !l.trim().is_empty() => l.trim().to_string(),
            _ => {
                terminate(&mut bus);
                panic!(
                    "dbus-daemon printed no address: {}",
                    read_log(&dir.path().join("bus.log"))
                );
            }
        };
        Keyring {
            dir,
            kind,
            bus_address: printed,
            bus: Some(bus),
            daemon: None,
        }
    }

    /// The environment every child gets, whatever the test process inherited.
    fn clean_env(cmd: &mut Command, root: &Path, bus_address: &str) {
        for var in [
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "GNOME_KEYRING_CONTROL",
            "SSH_AUTH_SOCK",
            "DBUS_SESSION_BUS_ADDRESS",
            "KEYWARD_DATA_DIR",
            "KEYWARD_PASSPHRASE_FILE",
            "KEYWARD_KEYCHAIN_TIMEOUT_MS",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_RUNTIME_DIR", root.join("run"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("HOME", root.join("home"))
            .current_dir(root);
    }

    fn start_daemon(&mut self) {
        let password = random_hex(16);
        let log = std::fs::File::create(self.dir.path().join("keyring.log")).expect("keyring.log");
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--unlock", "--components=secrets"]);
        self.env(&mut cmd);
        cmd.stdin(Stdio::piped())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log);
        let mut daemon = cmd.spawn().expect("cannot start gnome-keyring-daemon");
        {
            let mut stdin = daemon.stdin.take().expect("stdin piped");
            stdin
                .write_all(password.as_bytes())
                .expect("password to gnome-keyring");
        } // closing stdin ends the password
        self.daemon = Some(daemon);
        // Up once the name has an owner (asked without auto-starting anything) …
        self.wait_for("org.freedesktop.secrets to have an owner", |k| {
            let out = k.dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ]);
            String::from_utf8_lossy(&out.stdout).contains("boolean true")
        });
        // … and usable once the default collection exists and is unlocked: a wrong password
        // would still leave the daemon running.
        self.wait_for("the default collection to be unlocked", |k| {
            k.default_collection_locked() == Some(false)
        });
    }

    fn wait_for(&mut self, what: &str, mut ready: impl FnMut(&Keyring) -> bool) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ready(self) {
                return;
            }
            if let Some(d) = self.daemon.as_mut() {
                if let Ok(Some(st)) = d.try_wait() {
                    panic!(
                        "gnome-keyring-daemon exited ({st}) while waiting for {what}: {}",
                        read_log(&self.dir.path().join("keyring.log"))
                    );
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; keyring log: {}",
                read_log(&self.dir.path().join("keyring.log"))
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Applies this keyring's environment to `cmd` (bus, XDG dirs, HOME, no display).
    pub fn env(&self, cmd: &mut Command) {
        Keyring::clean_env(cmd, self.dir.path(), &self.bus_address);
    }

    /// A command for `program` in this keyring's environment, stdin from /dev/null.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd.stdin(Stdio::null());
        cmd
    }

    /// The pid of the gnome-keyring-daemon, when this keyring runs one (fault injection:
    /// SIGSTOP makes every keychain call hang).
    pub fn daemon_pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(Child::id)
    }

    /// The `XDG_RUNTIME_DIR` children get.
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The `DBUS_SESSION_BUS_ADDRESS` children get.
    pub fn bus_address(&self) -> &str {
        &self.bus_address
    }

    fn dbus_send(&self, args: &[&str]) -> Output {
        let mut cmd = self.command("dbus-send");
        cmd.args(["--session", "--print-reply"]).args(args);
        run_command(cmd, None)
    }

    /// Whether the default collection is locked; `None` when it cannot be asked.
    pub fn default_collection_locked(&self) -> Option<bool> {
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            DEFAULT_COLLECTION,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            None
        } else if text.contains("boolean true") {
            Some(true)
        } else if text.contains("boolean false") {
            Some(false)
        } else {
            None
        }
    }

    /// Locks the default collection (gnome-keyring locks without a prompt) and checks it is.
    pub fn lock_collection(&self) {
        assert!(
            matches!(self.kind, Kind::Unlocked | Kind::Locked),
            "no collection to lock on this keyring"
        );
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &format!("array:objpath:{DEFAULT_COLLECTION}"),
        ]);
        assert!(
            out.status.success(),
            "Secret.Service.Lock failed: {}",
            describe(&out)
        );
        assert_eq!(
            self.default_collection_locked(),
            Some(true),
            "the default collection did not lock"
        );
    }

    fn secret_tool(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut cmd = self.command("secret-tool");
        cmd.args(args);
        run_command(cmd, stdin)
    }

    /// `secret-tool lookup service S username A`: the secret, or `None` when there is no item.
    pub fn secret_tool_lookup(&self, service: &str, account: &str) -> Option<String> {
        let out = self.secret_tool(&["lookup", "service", service, "username", account], None);
        if out.status.success() {
            return Some(String::from_utf8(out.stdout).expect("secret is UTF-8"));
        }
        assert!(
            out.status.code() == Some(1) && out.stdout.is_empty() && out.stderr.is_empty(),
            "secret-tool lookup failed: {}",
            describe(&out)
        );
        None
    }

    /// `secret-tool search --all service S`: everything it prints. secret-tool writes the
    /// label and secret of an item on stdout and its attributes on stderr, so both go to one
    /// pipe to keep each item's lines together.
    pub fn secret_tool_search_text(&self, service: &str) -> String {
        let mut cmd = self.command("secret-tool");
        cmd.args(["search", "--all", "service", service]);
        let (status, text) = run_command_merged(cmd);
        assert!(
            status.success() || (status.code() == Some(1) && text.is_empty()),
            "secret-tool search failed ({status}): {text}"
        );
        text
    }

    /// Every item whose `service` attribute is `service`.
    pub fn secret_tool_search(&self, service: &str) -> Vec<Item> {
        let text = self.secret_tool_search_text(service);
        let mut items: Vec<Item> = Vec::new();
        for line in text.lines() {
            if line.starts_with('[') {
                items.push(Item {
                    label: String::new(),
                    secret: String::new(),
                    attributes: BTreeMap::new(),
                });
                continue;
            }
            let (Some(item), Some((k, v))) = (items.last_mut(), line.split_once(" = ")) else {
                continue;
            };
            match k {
                "label" => item.label = v.to_string(),
                "secret" => item.secret = v.to_string(),
                _ => {
                    if let Some(a) = k.strip_prefix("attribute.") {
                        item.attributes.insert(a.to_string(), v.to_string());
                    }
                }
            }
        }
        for item in &items {
            assert!(
                item.attributes.get("service").map(String::as_str) == Some(service)
                    && item.attributes.contains_key("username"),
                "cannot read secret-tool's search output (item {item:?}):\n{text}"
            );
        }
        items
    }

    /// The accounts (`username` attributes) of every item of `service`, sorted.
    pub fn accounts(&self, service: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .secret_tool_search(service)
            .iter()
            .map(|i| i.account().to_string())
            .collect();
        v.sort();
        v
    }

    /// Stores an item the way another program would, behind Keyward's back.
    pub fn secret_tool_store(&self, service: &str, account: &str, secret: &str) {
        let out = self.secret_tool(
            &[
                "store",
                "--label=stored by the test",
                "service",
                service,
                "username",
                account,
            ],
            Some(secret.as_bytes()),
        );
        assert!(
            out.status.success(),
            "secret-tool store failed: {}",
            describe(&out)
        );
    }

    /// `secret-tool clear service S username A`.
    pub fn secret_tool_clear(&self, service: &str, account: &str) {
        let out = self.secret_tool(&["clear", "service", service, "username", account], None);
        assert!(
            out.status.success(),
            "secret-tool clear failed: {}",
            describe(&out)
        );
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        // A failing test shows what its gnome-keyring said (a daemon that died on an
        // assertion leaves the reason only there; the temp dir goes away with this value).
        if std::thread::panicking() {
            if let Some(d) = self.daemon.as_mut() {
                let state = match d.try_wait() {
                    Ok(Some(st)) => format!("exited: {st}"),
                    _ => "running".to_string(),
                };
                eprintln!(
                    "gnome-keyring-daemon ({state}) log:\n{}",
                    read_log(&self.dir.path().join("keyring.log"))
                );
            }
        }
        if let Some(mut d) = self.daemon.take() {
            terminate(&mut d);
        }
        if let Some(mut b) = self.bus.take() {
            terminate(&mut b);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The CLI

/// Exit codes of keyward-cli.
pub mod exit {
    pub const OK: i32 = 0;
    /// A signature, SIWE message or token that does not verify.
    pub const INVALID: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const VAULT: i32 = 3;
    pub const KEYCHAIN: i32 = 4;
    pub const KEY: i32 = 5;
    pub const AGENT: i32 = 6;
    /// `sign.*`, `jwt.*` and `siwe.*` errors.
    pub const SIGN: i32 = 7;
    /// `service.*` and `clock.skew` errors; an endpoint that answered an error status.
    pub const SERVICE: i32 = 8;
    /// `endpoint.*`, `approval.*`, `app.*`, `grant.*` and `link.*` errors.
    pub const APPROVAL: i32 = 9;
}

/// `keyward-cli` with its own data dir and passphrase file, on a [`Keyring`].
pub struct Cli {
    keyring: Keyring,
    dir: TempDir,
    passphrase_file: Option<PathBuf>,
    keychain_timeout_ms: Option<u64>,
    vault_name: String,
}

impl Cli {
    /// A CLI whose passphrase file holds [`PASSPHRASE`] (with a trailing newline, as an editor
    /// would leave it).
    pub fn new(keyring: Keyring) -> Cli {
        let dir = tempfile::Builder::new()
            .prefix("kwcli")
            .tempdir()
            .expect("temp dir");
        let mut cli = Cli {
            keyring,
            dir,
            passphrase_file: None,
            keychain_timeout_ms: None,
            vault_name: "vault".into(),
        };
        cli.set_passphrase(Some(PASSPHRASE));
        cli
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// `KEYWARD_DATA_DIR` (created by the CLI on first use).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join(&self.vault_name)
    }

    /// Points the CLI at another data dir beside the first (same keyring, same scratch dir):
    /// a second vault, as a restore makes.
    pub fn use_data_dir(&mut self, name: &str) {
        self.vault_name = name.to_string();
    }

    /// A scratch directory for the test's own files.
    pub fn scratch(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Points `KEYWARD_PASSPHRASE_FILE` at a new file holding `p` (plus a newline), or removes
    /// the variable for the following calls when `None`.
    pub fn set_passphrase(&mut self, p: Option<&str>) {
        self.passphrase_file = p.map(|p| {
            let path = self
                .dir
                .path()
                .join(format!("passphrase-{}", random_hex(4)));
            std::fs::write(&path, format!("{p}\n")).expect("write passphrase file");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
            path
        });
    }

    /// Sets `KEYWARD_KEYCHAIN_TIMEOUT_MS` for the following calls.
    pub fn set_keychain_timeout_ms(&mut self, ms: u64) {
        self.keychain_timeout_ms = Some(ms);
    }

    /// `keyward-cli ARGS` ready to run: keyring env, data dir, passphrase file, stdin /dev/null.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.keyring.command(cli_bin());
        cmd.env("KEYWARD_DATA_DIR", self.data_dir()).args(args);
        if let Some(p) = &self.passphrase_file {
            cmd.env("KEYWARD_PASSPHRASE_FILE", p);
        }
        if let Some(ms) = self.keychain_timeout_ms {
            cmd.env("KEYWARD_KEYCHAIN_TIMEOUT_MS", ms.to_string());
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run_command(self.command(args), None)
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        run_command(self.command(args), Some(stdin))
    }

    /// Runs `--json ARGS` and returns the whole document after checking its version.
    fn json_doc(&self, args: &[&str], stdin: Option<&[u8]>) -> (Output, Value) {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let out = run_command(self.command(&full), stdin);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "keyward-cli {args:?} printed no JSON ({e}): {}",
                describe(&out)
            )
        });
        assert_eq!(doc["version"], 1, "JSON version of {args:?}: {doc}");
        (out, doc)
    }

    /// `--json ARGS`, expected to succeed (exit 0): the `result`.
    pub fn json(&self, args: &[&str]) -> Value {
        self.json_stdin_opt(args, None)
    }

    /// Like [`Cli::json`] with `stdin` piped in.
    pub fn json_stdin(&self, args: &[&str], stdin: &[u8]) -> Value {
        self.json_stdin_opt(args, Some(stdin))
    }

    fn json_stdin_opt(&self, args: &[&str], stdin: Option<&[u8]>) -> Value {
        let (out, doc) = self.json_doc(args, stdin);
        assert_eq!(
            out.status.code(),
            Some(exit::OK),
            "keyward-cli {args:?} failed: {}",
            describe(&out)
        );
        assert!(doc.get("error").is_none(), "{args:?}: {doc}");
        doc.get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{args:?}: no result in {doc}"))
    }

    /// `--json ARGS` with its exit code and whole document, whatever they are.
    pub fn json_any(&self, args: &[&str]) -> (Option<i32>, Value) {
        let (out, doc) = self.json_doc(args, None);
        (out.status.code(), doc)
    }

    /// `--json ARGS`, expected to fail with error `code` and exit status `exit`: the `error`.
    pub fn json_err(&self, args: &[&str], code: &str, exit: i32) -> Value {
        self.json_err_opt(args, None, code, exit)
    }

    /// Like [`Cli::json_err`] with `stdin` piped in.
    pub fn json_err_stdin(&self, args: &[&str], stdin: &[u8], code: &str, exit: i32) -> Value {
        self.json_err_opt(args, Some(stdin), code, exit)
    }

    fn json_err_opt(&self, args: &[&str], stdin: Option<&[u8]>, code: &str, exit: i32) -> Value {
        let (out, doc) = self.json_doc(args, stdin);
        let err = doc.get("error").cloned().unwrap_or_else(|| {
            panic!(
                "keyward-cli {args:?} should fail with {code}: {}",
                describe(&out)
            )
        });
        assert_eq!(
            err["code"],
            code,
            "error code of {args:?}: {}",
            describe(&out)
        );
        assert_eq!(
            out.status.code(),
            Some(exit),
            "exit status of {args:?}: {}",
            describe(&out)
        );
        for field in ["message", "hint"] {
            assert!(
                err[field].as_str().is_some_and(|s| !s.is_empty()),
                "error of {args:?} has no {field}: {err}"
            );
        }
        err
    }

    /// `init` (passphrase mode with the current passphrase file): the vault id.
    pub fn init(&self) -> String {
        let st = self.json(&["init"]);
        assert_eq!(st["initialized"], true, "{st}");
        assert_eq!(st["mode"], "passphrase", "{st}");
        st["vaultId"].as_str().expect("vaultId").to_string()
    }

    /// The vault id from `status`.
    pub fn vault_id(&self) -> String {
        self.json(&["status"])["vaultId"]
            .as_str()
            .expect("vaultId")
            .to_string()
    }

    /// The vault's keychain service, `keyward-<vault-id>`.
    pub fn service(&self) -> String {
        format!("keyward-{}", self.vault_id())
    }

    /// Writes `contents` to `name` in the scratch dir (mode 0600); returns the path as a string.
    pub fn scratch_file(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.scratch().join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path.to_str().expect("UTF-8 path").to_string()
    }

    /// `key gen --alg ALG --label LABEL`: the key id.
    pub fn gen_alg(&self, alg: &str, label: &str) -> String {
        let k = self.json(&["key", "gen", "--alg", alg, "--label", label]);
        assert_eq!(k["alg"], alg, "{k}");
        k["id"].as_str().expect("id").to_string()
    }

    /// `key gen --alg p256 --label LABEL`: the key info.
    pub fn gen(&self, label: &str) -> Value {
        let k = self.json(&["key", "gen", "--alg", "p256", "--label", label]);
        assert_eq!(k["label"], label, "{k}");
        assert_eq!(k["alg"], "p256", "{k}");
        k
    }

    /// `key export-private K --format pem --yes`: the PKCS#8 PEM.
    pub fn export_private(&self, key: &str) -> String {
        let r = self.json(&["key", "export-private", key, "--format", "pem", "--yes"]);
        assert_eq!(r["format"], "pem", "{r}");
        r["text"].as_str().expect("text").to_string()
    }

    /// `key export K --format F`: the text.
    pub fn export(&self, key: &str, format: &str) -> String {
        let r = self.json(&["key", "export", key, "--format", format]);
        assert_eq!(r["format"], format, "{r}");
        r["text"].as_str().expect("text").to_string()
    }

    /// The ids of `key list`, in its order.
    pub fn key_ids(&self) -> Vec<String> {
        self.json(&["key", "list"])
            .as_array()
            .expect("key list is an array")
            .iter()
            .map(|k| k["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// Starts `keyward-cli --json agent` and waits for its ready line.
    pub fn spawn_agent(&self) -> Agent {
        let log_path = self.dir.path().join(format!("agent-{}.log", random_hex(4)));
        let log = std::fs::File::create(&log_path).expect("agent log");
        let mut cmd = self.command(&["--json", "agent"]);
        cmd.stdout(Stdio::piped()).stderr(log);
        let mut child = cmd.spawn().expect("cannot start keyward-cli agent");
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        // Reads the agent's stdout until it closes, so the agent never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more: keep draining.
                    continue;
                }
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let mut seen = String::new();
        let ready: Value = loop {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if let Ok(v) = serde_json::from_str::<Value>(&line) {
                        break v;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let st = child.wait().expect("wait agent");
                    panic!(
                        "the agent exited ({st}) before it was ready\n--- stdout\n{seen}--- stderr\n{}",
                        read_log(&log_path)
                    );
                }
            }
            if Instant::now() > deadline {
                terminate(&mut child);
                panic!(
                    "the agent was not ready within {START_TIMEOUT:?}\n--- stdout\n{seen}--- stderr\n{}",
                    read_log(&log_path)
                );
            }
        };
        assert_eq!(ready["version"], 1, "{ready}");
        let r = &ready["result"];
        assert_eq!(r["agent"], "ready", "ready line: {ready}");
        Agent {
            child: Some(child),
            vault_id: r["vaultId"].as_str().expect("vaultId").to_string(),
            socket: PathBuf::from(r["socket"].as_str().expect("socket")),
            log: log_path,
        }
    }
}

/// A running `keyward-cli agent`.
pub struct Agent {
    child: Option<Child>,
    pub vault_id: String,
    pub socket: PathBuf,
    log: PathBuf,
}

impl Agent {
    /// SIGTERM, then waits: the agent's exit status.
    pub fn stop(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("agent still running");
        terminate(&mut child)
    }

    /// What the agent wrote on stderr so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// openssl and private scalars

/// `openssl ARGS` with `stdin`; panics unless it succeeds. Stdout.
pub fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    require_tool("openssl");
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    let out = run_command(cmd, Some(stdin));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        describe(&out)
    );
    out.stdout
}

/// The DER inside a PEM's first block.
pub fn pem_body(pem: &str) -> Vec<u8> {
    pem_block(pem, "")
}

/// The DER inside the first PEM block whose `-----BEGIN …-----` line contains `label`.
pub fn pem_block(pem: &str, label: &str) -> Vec<u8> {
    let b64: String = pem
        .lines()
        .skip_while(|l| !(l.starts_with("-----BEGIN") && l.contains(label)))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    assert!(!b64.is_empty(), "no PEM block {label:?} in {pem}");
    STANDARD.decode(b64.trim()).expect("PEM body is base64")
}

/// The 32-byte private scalar of a P-256 private key PEM (PKCS#8 or SEC1), read by openssl
/// (`openssl ec -text`, the `priv:` field) and cross-checked against the SEC1 `ECPrivateKey`
/// inside the DER (`02 01 01 04 20 <32 bytes>`: version 1, then the key as an OCTET STRING).
pub fn p256_scalar(pem: &str) -> [u8; 32] {
    let text = String::from_utf8(openssl(&["ec", "-text", "-noout"], pem.as_bytes()))
        .expect("openssl text is UTF-8");
    assert!(
        text.contains("P-256") || text.contains("prime256v1"),
        "not P-256: {text}"
    );
    let hex_digits: String = text
        .lines()
        .skip_while(|l| l.trim() != "priv:")
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .flat_map(|l| l.chars().filter(|c| c.is_ascii_hexdigit()))
        .collect();
    let mut bytes =
        hex::decode(&hex_digits).unwrap_or_else(|e| panic!("priv hex {hex_digits:?}: {e}"));
    // openssl prints the scalar as a number: a leading 00 when the top bit is set, none of its
    // leading zero bytes otherwise.
    while bytes.len() > 32 && bytes[0] == 0 {
        bytes.remove(0);
    }
    assert!(
        bytes.len() <= 32 && !bytes.is_empty(),
        "priv is {} bytes",
        bytes.len()
    );
    let mut scalar = [0u8; 32];
    scalar[32 - bytes.len()..].copy_from_slice(&bytes);

    let der = pem_block(pem, "PRIVATE KEY");
    let marker = [0x02, 0x01, 0x01, 0x04, 0x20];
    let at = der
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("an ECPrivateKey (version 1, 32-byte key) inside the DER");
    assert_eq!(
        &der[at + marker.len()..at + marker.len() + 32],
        &scalar,
        "openssl's priv and the DER's ECPrivateKey disagree"
    );
    scalar
}

/// The encodings of a scalar a leak could take: raw, hex (both cases), base64 (padded,
/// unpadded, URL-safe as in a JWK `d`).
pub fn scalar_forms(scalar: &[u8; 32]) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("raw bytes", scalar.to_vec()),
        ("lowercase hex", hex::encode(scalar).into_bytes()),
        ("uppercase hex", hex::encode_upper(scalar).into_bytes()),
        ("base64", STANDARD.encode(scalar).into_bytes()),
        (
            "base64 without padding",
            STANDARD_NO_PAD.encode(scalar).into_bytes(),
        ),
        ("base64url", URL_SAFE_NO_PAD.encode(scalar).into_bytes()),
    ]
}

/// The first form of `scalar` found in `haystack`.
pub fn find_scalar(haystack: &[u8], scalar: &[u8; 32]) -> Option<&'static str> {
    scalar_forms(scalar)
        .into_iter()
        .find(|(_, needle)| {
            haystack
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
        })
        .map(|(form, _)| form)
}

/// Panics when any form of `scalar` occurs in `haystack`; `what` names the haystack.
pub fn assert_no_scalar(haystack: &[u8], scalar: &[u8; 32], what: &str) {
    if let Some(form) = find_scalar(haystack, scalar) {
        panic!("the private scalar ({form}) is in {what}");
    }
}

/// Every regular file under `dir`, recursively, with its contents.
pub fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read_dir {}: {e}", d.display()))
        {
            let entry = entry.expect("dir entry");
            let ty = entry.file_type().expect("file type");
            let path = entry.path();
            if ty.is_dir() {
                todo.push(path);
            } else if ty.is_file() {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The leak checks would be worthless if they could not see a leak: each form of the
    /// scalar of a real key must be found where it is.
    #[test]
    fn scalar_checks_find_the_scalar_in_every_form() {
        let pem = String::from_utf8(openssl(
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ],
            b"",
        ))
        .unwrap();
        let scalar = p256_scalar(&pem);
        let der = pem_body(&pem);
        for (form, needle) in scalar_forms(&scalar) {
            let mut hay = b"prefix ".to_vec();
            hay.extend_from_slice(&needle);
            hay.extend_from_slice(b" suffix");
            assert!(find_scalar(&hay, &scalar).is_some(), "{form} not found");
        }
        assert_eq!(find_scalar(&der, &scalar), Some("raw bytes"));
        assert_eq!(find_scalar(b"nothing to see here", &scalar), None);
        // A SEC1 PEM with an EC PARAMETERS block first gives the same scalar.
        let params = String::from_utf8(openssl(&["ecparam", "-name", "prime256v1"], b"")).unwrap();
        let key = String::from_utf8(openssl(&["ec"], pem.as_bytes())).unwrap();
        assert!(key.starts_with("-----BEGIN EC PRIVATE KEY-----"), "{key}");
        assert_eq!(p256_scalar(&format!("{params}{key}")), scalar);
    }
}
pub mod endpoint;
pub mod gui;
pub mod interop;
pub mod notifications;
pub mod tray;
