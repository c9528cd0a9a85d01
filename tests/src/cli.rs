//! The CLI (`keyward-cli` in a data dir, a passphrase file and a [`Keyring`]) and a running
//! agent.

use crate::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

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
    new_passphrase_file: Option<PathBuf>,
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
            new_passphrase_file: None,
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
        self.passphrase_file = p.map(|p| self.passphrase_file(p));
    }

    /// Points `KEYWARD_NEW_PASSPHRASE_FILE` (the new passphrase of `passphrase change`) at a
    /// new file holding `p`, or removes the variable when `None`.
    pub fn set_new_passphrase(&mut self, p: Option<&str>) {
        self.new_passphrase_file = p.map(|p| self.passphrase_file(p));
    }

    fn passphrase_file(&self, p: &str) -> PathBuf {
        let path = self
            .dir
            .path()
            .join(format!("passphrase-{}", random_hex(4)));
        std::fs::write(&path, format!("{p}\n")).expect("write passphrase file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        path
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
        if let Some(p) = &self.new_passphrase_file {
            cmd.env("KEYWARD_NEW_PASSPHRASE_FILE", p);
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

    /// [`Agent::stop`], which must end cleanly: a panic with the exit status and the agent's
    /// log otherwise.
    pub fn stop_cleanly(self) {
        let log = self.log.clone();
        let st = self.stop();
        assert!(
            st.success(),
            "the agent ended with {st}; its log:\n{}",
            read_log(&log)
        );
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }
}
