//! The keyring: a private D-Bus session bus with (or without) gnome-keyring, and its items.

use crate::*;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

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
