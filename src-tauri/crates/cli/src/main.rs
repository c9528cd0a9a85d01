// Size: over 800 lines; issue 14 cuts it to parse, one context and dispatch (`cli.rs`,
// `context.rs`, `commands/`).

//! `keyward-cli`: the command-line twin of the Keyward desktop app.
//!
//! Thin shell: parses arguments, picks the agent or the local vault, prints. Domain logic
//! lives in `keyward-vault` and `keyward-crypto`.

mod approvals;
mod context;
mod output;
mod secrets;
mod services;
mod signing;

use clap::{Parser, Subcommand, ValueEnum};
use context::{CliContext, Need};
use keyward_crypto::ImportFormat;
use keyward_crypto::KeyAlg;
use keyward_vault::{
    AuditFilter, Backend, Coded, GenerateRequest, ImportRequest, ListFilter, PrivateFormat,
    PublicFormat, Result, VaultError,
};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(Parser)]
#[command(
    name = "keyward-cli",
    version,
    about = "Keyward key manager on the command line",
    long_about = "Keyward keeps keypairs in the OS keychain, sealed under a vault key that a passphrase \
unlocks. When an agent runs for the vault (keyward-cli agent), every command goes through it and costs \
no passphrase; otherwise commands that need a secret unlock the vault for the length of that one call.\n\n\
Environment: KEYWARD_DATA_DIR (vault directory), KEYWARD_PASSPHRASE_FILE (read the passphrase from \
this file instead of the terminal; one trailing newline is stripped).\n\n\
Exit codes: 0 ok, 1 other (and a signature or token that does not verify), 2 usage, 3 vault.*, \
4 keychain.*, 5 key.*, 6 agent.*, 7 sign.*, jwt.*, siwe.*, 8 service.* and clock.* (and an \
endpoint answering an error status), 9 endpoint.*, approval.*, app.*, grant.*, link.* (a request denied, \
expired or refused; an unknown app or grant)"
)]
struct Cli {
    /// Print machine-readable JSON: {"version":1,"result":…} or {"version":1,"error":{code,message,hint}}
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a vault: a random vault key, wrapped by a passphrase (or explicitly not)
    Init {
        /// Keep the vault key unwrapped in the OS keychain: no passphrase ever, for automation.
        /// Anyone who can read your keychain can then use your keys.
        #[arg(long)]
        no_passphrase: bool,
    },
    /// Unlock the running agent's vault
    Unlock,
    /// Lock the running agent's vault (it then answers only status and unlock)
    Lock,
    /// Show whether a vault exists, its mode, and whether an agent holds it unlocked
    Status,
    /// Serve the vault on a Unix socket, unlocked, until SIGTERM or Ctrl-C
    Agent,
    /// Keys: generate, import, list, show, export, QR, rename, tag, delete
    #[command(subcommand)]
    Key(KeyCmd),
    /// Cross-check the index against the keychain; exits non-zero when something is off
    Doctor {
        /// Repair what can be: recover rows of found keys, finish interrupted deletes
        /// (unlocks the vault)
        #[arg(long)]
        repair: bool,
        /// With --repair: also delete keychain items that are not keys of this vault and
        /// rows whose secret is gone
        #[arg(long, requires = "repair")]
        yes: bool,
    },
    /// Sign a message or digest: raw ECDSA, EIP-191, Bitcoin Signed Message, EOS, Ed25519
    ///
    /// Prints the signature alone: hex DER (raw; --encoding rs for r‖s), 0x-hex r‖s‖v (eip191),
    /// base64 (bsm), SIG_K1_… (eos), hex (ed25519). The key's usage policy must allow the scheme.
    Sign(signing::SignArgs),
    /// Verify a signature against a vault key, an address or a public key; exit 1 if invalid
    Verify(signing::VerifyArgs),
    /// Sign-In with Ethereum (EIP-4361): build, sign, verify
    #[command(subcommand)]
    Siwe(signing::SiweCmd),
    /// JSON Web Tokens: mint (thirdweb Engine keypair tokens or generic), verify, inspect
    #[command(subcommand)]
    Jwt(signing::JwtCmd),
    /// Service profiles: a remote service's URL, settings and sealed credentials
    #[command(subcommand)]
    Service(services::ServiceCmd),
    /// thirdweb Engine: health, keypairs, access tokens, calls with fresh keypair JWTs
    #[command(subcommand)]
    Engine(services::EngineCmd),
    /// Local reference services to try every flow without an account anywhere
    #[command(subcommand)]
    Playground(services::PlaygroundCmd),
    /// The loopback endpoint third-party apps ask through (prompts in this terminal)
    #[command(subcommand)]
    Endpoint(approvals::EndpointCmd),
    /// Apps paired with the endpoint
    #[command(subcommand)]
    Apps(approvals::AppsCmd),
    /// Grants: approvals that last (JWT templates only)
    #[command(subcommand)]
    Grants(approvals::GrantsCmd),
    /// Act as a third-party app: pair with the endpoint, ask for signatures and JWTs
    #[command(subcommand)]
    Request(approvals::RequestCmd),
    /// Settings: idle lock, endpoint port, JWT lifetimes, link handling, start at login
    #[command(subcommand)]
    Config(ConfigCmd),
    /// QR codes
    #[command(subcommand)]
    Qr(QrCmd),
    /// The tamper-evident audit log: list, verify, export
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Back up every key into one encrypted file, or restore one into a new vault
    #[command(subcommand)]
    Backup(BackupCmd),
    /// Print a shell completion script (bash, zsh, fish)
    ///
    /// For example: keyward-cli completions bash > ~/.local/share/bash-completion/completions/keyward-cli
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Every setting with its value, or the value of one
    ///
    /// idle-lock-minutes: lock after this many minutes without use (0 = never; default 15).
    /// endpoint-port: the loopback endpoint's port (default 47800; the app reads it at start).
    /// jwt-default-exp, jwt-max-exp: a minted JWT's lifetime when none is given (15 s) and the
    /// longest allowed (5 min). simplewallet-links: handle simplewallet:// links (false).
    /// start-at-login: start the app in the background at login (false).
    Get { name: Option<String> },
    /// Change a setting (see `config get --help` for the names)
    Set { name: String, value: String },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Entries, newest first
    List {
        /// At most this many
        #[arg(long)]
        limit: Option<u32>,
        /// Only this action (key.export) or family (key.)
        #[arg(long)]
        action: Option<String>,
        /// Only entries of this key (id, prefix or label of a live key, or a deleted key's id)
        #[arg(long)]
        key: Option<String>,
    },
    /// Check the hash chain and its keychain anchor (unlocks for the check); exits 3 when
    /// something was altered
    Verify,
    /// Every entry, oldest first, as JSON Lines or CSV (hashes and summaries, no secrets)
    Export {
        #[arg(long, value_enum, default_value_t = AuditFmt::Jsonl)]
        format: AuditFmt,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum BackupCmd {
    /// Write every key (index and secrets) into FILE, encrypted under a key Argon2id derives
    /// from the backup passphrase: by default the vault's own passphrase (from
    /// KEYWARD_PASSPHRASE_FILE or the terminal)
    Create {
        file: std::path::PathBuf,
        /// Encrypt under this file's passphrase instead (one trailing newline is stripped)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<std::path::PathBuf>,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Restore FILE into a data dir with no vault: a new vault (new id and vault key, every
    /// secret re-sealed) with the backup's passphrase as its passphrase
    Restore {
        file: std::path::PathBuf,
        /// The backup's passphrase (else KEYWARD_PASSPHRASE_FILE or the terminal)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<std::path::PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AuditFmt {
    Jsonl,
    Csv,
}

#[derive(Subcommand)]
enum QrCmd {
    /// Encode text (or a file's bytes) as a QR code; the error-correction level is chosen for
    /// the payload
    Encode {
        /// The text to encode
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        text: Option<String>,
        /// Encode this file's bytes instead (- for standard input)
        #[arg(long)]
        file: Option<String>,
        #[command(flatten)]
        render: QrRender,
    },
}

#[derive(clap::Args)]
struct QrRender {
    /// svg, png, or term (UTF-8 half blocks)
    #[arg(long, value_enum, default_value_t = QrFmt::Term)]
    format: QrFmt,
    /// Write to this file instead of standard output
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Pixels per module, for svg and png
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    scale: u16,
}

#[derive(Clone, Copy, ValueEnum)]
enum QrFmt {
    Svg,
    Png,
    Term,
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Generate a keypair (RSA takes a few seconds)
    Gen {
        #[arg(long, value_enum, default_value_t = AlgArg::P256)]
        alg: AlgArg,
        #[arg(long)]
        label: Option<String>,
        /// A tag (repeatable): lower-case letters, digits, - _ . :
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Import a private key; nothing is stored when the import fails
    ///
    /// Formats (detected with --format auto): pem (SEC1, PKCS#8, encrypted PKCS#8, PKCS#1 RSA,
    /// OpenSSH, legacy encrypted PEM), hex (raw scalar or Ed25519 seed; needs --alg), wif
    /// (Bitcoin, compressed or not), eos (PVT_K1_ or legacy WIF), jwk (private JWK), keystore
    /// (Ethereum keystore v3), xprv (BIP32), mnemonic (BIP39; --path), openssh.
    /// Encrypted inputs take their passphrase from --passphrase-file or the terminal, never
    /// from KEYWARD_PASSPHRASE_FILE.
    Import {
        /// File to read, or - for standard input (the default)
        file: Option<String>,
        #[arg(long, value_enum, default_value_t = ImportFmt::Auto)]
        format: ImportFmt,
        /// The curve of a raw hex key
        #[arg(long, value_enum)]
        alg: Option<AlgArg>,
        /// A mnemonic's derivation path (m/44'/60'/0'/0/0) or preset eth|eos|btc, with an
        /// optional account index (eth:3). Default: eth
        #[arg(long)]
        path: Option<String>,
        /// The input's own passphrase (encrypted PEM, OpenSSH, keystore; a mnemonic's BIP39
        /// passphrase); one trailing newline is stripped
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<std::path::PathBuf>,
        #[arg(long)]
        label: Option<String>,
        /// A tag (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// List keys (never touches the keychain)
    List {
        /// Only keys of this algorithm
        #[arg(long, value_enum)]
        alg: Option<AlgArg>,
        /// Only keys with this tag
        #[arg(long)]
        tag: Option<String>,
    },
    /// Show a key's public details (K: id, unique id prefix, or unique label)
    Show { key: String },
    /// Export public keys: pem (SPKI), jwk, jwks (of one or more keys), openssh, eth (EIP-55),
    /// eos (PUB_K1_), eos-legacy (EOS…), btc (P2PKH), xpub, fingerprint
    Export {
        /// One key, or several with --format jwks
        #[arg(required = true)]
        keys: Vec<String>,
        #[arg(long, value_enum, default_value_t = PubFmt::Pem)]
        format: PubFmt,
    },
    /// Export a private key (explicit: needs --yes): pem (PKCS#8), pkcs8-enc (encrypted
    /// PKCS#8), jwk, wif, hex, xprv
    ExportPrivate {
        key: String,
        #[arg(long, value_enum, default_value_t = PrivFmt::Pem)]
        format: PrivFmt,
        /// The passphrase of a pkcs8-enc export (else typed twice)
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<std::path::PathBuf>,
        /// Confirm that the private key may be written to standard output
        #[arg(long)]
        yes: bool,
    },
    /// Show a QR code of one public form of a key (default: a secp256k1 key's Ethereum
    /// address, else its SPKI PEM)
    Qr {
        key: String,
        /// Which public form to encode
        #[arg(long, value_enum)]
        of: Option<PubFmt>,
        #[command(flatten)]
        render: QrRender,
    },
    /// Change a key's label
    Rename { key: String, label: String },
    /// Add or remove tags
    Tag {
        key: String,
        #[arg(long = "add", value_name = "TAG")]
        add: Vec<String>,
        #[arg(long = "remove", value_name = "TAG")]
        remove: Vec<String>,
    },
    /// Delete a key from the keychain and the index (needs --yes)
    Delete {
        key: String,
        #[arg(long)]
        yes: bool,
    },
    /// Show or set what a key may sign: raw, eip191, siwe, bsm, eos, ed25519, jwt
    Policy {
        key: String,
        /// The usages allowed, comma-separated (eip191,siwe,jwt)
        #[arg(long, conflicts_with = "reset")]
        allow: Option<String>,
        /// Back to the default: every usage the key's algorithm fits
        #[arg(long)]
        reset: bool,
    },
}

/// Maps a CLI value enum onto its library twin by name, so the two cannot drift.
macro_rules! by_name {
    ($arg:ident => $lib:ty) => {
        impl $arg {
            fn lib(self) -> $lib {
                let name = self
                    .to_possible_value()
                    .expect("no skipped values")
                    .get_name()
                    .to_string();
                <$lib>::parse(&name).expect("every CLI value names a library value")
            }
        }
    };
}

#[derive(Clone, Copy, ValueEnum)]
enum AlgArg {
    P256,
    P384,
    Secp256k1,
    Ed25519,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}
impl AlgArg {
    fn lib(self) -> KeyAlg {
        let name = self.to_possible_value().expect("no skipped values");
        KeyAlg::parse(name.get_name()).expect("every CLI value names an algorithm")
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum PubFmt {
    Pem,
    Jwk,
    Jwks,
    Openssh,
    Eth,
    Eos,
    EosLegacy,
    Btc,
    Xpub,
    Fingerprint,
}
by_name!(PubFmt => PublicFormat);

#[derive(Clone, Copy, ValueEnum)]
enum PrivFmt {
    Pem,
    Pkcs8Enc,
    Jwk,
    Wif,
    Hex,
    Xprv,
}
by_name!(PrivFmt => PrivateFormat);

#[derive(Clone, Copy, ValueEnum)]
enum ImportFmt {
    Auto,
    Pem,
    Hex,
    Wif,
    Eos,
    Jwk,
    Keystore,
    Xprv,
    Mnemonic,
    Openssh,
}
by_name!(ImportFmt => ImportFormat);

/// A reader that closed the pipe (`keyward-cli … | head`) ends the process quietly, as a
/// SIGPIPE would (Rust ignores SIGPIPE, so a write into the closed pipe panics; restoring the
/// signal would need `unsafe`). Every other panic keeps the default report.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") || msg.contains("BrokenPipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    keyward_vault::harden_process();
    quiet_broken_pipe();
    let cli = Cli::parse();
    let ctx = CliContext::new(cli.json);
    let cmd = match cli.cmd {
        Cmd::Endpoint(c) => return approvals::endpoint(c, &ctx),
        Cmd::Apps(c) => return approvals::apps(c, &ctx),
        Cmd::Grants(c) => return approvals::grants(c, &ctx),
        Cmd::Request(c) => return approvals::request(c, &ctx),
        other => other,
    };
    match run(cmd, &ctx) {
        Ok(code) => code,
        Err(e) => {
            ctx.out.error(&e);
            ExitCode::from(exit_code(e.code()))
        }
    }
}

pub(crate) fn exit_code(code: &str) -> u8 {
    match code.split('.').next() {
        Some("vault") => 3,
        Some("keychain") => 4,
        Some("key") => 5,
        Some("agent") => 6,
        Some("usage") => 2,
        Some("backup") => 3,
        Some("sign" | "jwt" | "siwe") => 7,
        Some("service" | "clock") => 8,
        Some("endpoint" | "approval" | "app" | "grant" | "link") => 9,
        _ => 1,
    }
}

fn run(cmd: Cmd, ctx: &CliContext) -> keyward_services::Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        Cmd::Init { no_passphrase } => {
            let mut vault = ctx.open()?;
            if vault.vault_id().is_some() {
                return Err(
                    VaultError::AlreadyInitialized(vault.dir().display().to_string()).into(),
                );
            }
            let pass = if no_passphrase {
                None
            } else {
                Some(secrets::new_passphrase()?)
            };
            let st = vault.init(pass.as_ref().map(|p| p.as_str()))?;
            vault.release();
            out.init(&st);
        }
        Cmd::Status => {
            let mut vault = ctx.open()?;
            let st = match ctx.agent_for(&vault)?.map(|mut a| a.status()) {
                Some(Ok(st)) => st,
                // An agent that hangs up before answering is on its way out (an app quitting):
                // the vault as it is on disk is the answer.
                Some(Err(VaultError::AgentUnreachable(..))) | None => vault.status()?,
                Some(Err(e)) => return Err(e.into()),
            };
            out.status(&st);
        }
        Cmd::Unlock => {
            let (vault, mut agent) = ctx.running_agent()?;
            let pass = ctx.passphrase_for(&vault)?;
            let st = agent.unlock(pass)?;
            out.status(&st);
        }
        Cmd::Lock => {
            let (_, mut agent) = ctx.running_agent()?;
            let st = agent.lock()?;
            out.status(&st);
        }
        Cmd::Agent => return Ok(agent(ctx)?),
        Cmd::Doctor { repair: false, .. } => {
            let vault = ctx.open_existing()?;
            let report = vault.doctor()?;
            out.doctor(&report);
            if !report.healthy {
                return Ok(ExitCode::from(3));
            }
        }
        Cmd::Doctor { repair: true, yes } => {
            let mut vault = ctx.open()?;
            ctx.unlock_local(&mut vault)?;
            let report = vault.repair(yes);
            vault.release();
            let report = report?;
            out.repair(&report);
            if !report.after.healthy {
                return Ok(ExitCode::from(3));
            }
        }
        Cmd::Key(k) => key(k, ctx)?,
        Cmd::Sign(a) => return Ok(signing::sign(a, ctx)?),
        Cmd::Verify(a) => return Ok(signing::verify(a, ctx)?),
        Cmd::Siwe(c) => return Ok(signing::siwe_cmd(c, ctx)?),
        Cmd::Jwt(c) => return signing::jwt_cmd(c, ctx),
        Cmd::Service(c) => return services::service_cmd(c, ctx),
        Cmd::Engine(c) => return services::engine_cmd(c, ctx),
        Cmd::Playground(c) => return services::playground_cmd(c),
        // Dispatched in main (their errors are the endpoint's).
        Cmd::Endpoint(_) | Cmd::Apps(_) | Cmd::Grants(_) | Cmd::Request(_) => {
            unreachable!("handled in main")
        }
        Cmd::Audit(a) => return Ok(audit(a, ctx)?),
        Cmd::Backup(b) => backup(b, ctx)?,
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "keyward-cli",
                &mut std::io::stdout(),
            );
        }
        Cmd::Config(ConfigCmd::Get { name }) => {
            let settings = ctx.with_backend(Need::Index, |b| b.settings_get())?;
            match name {
                Some(n) => {
                    let v = settings.get(&n)?;
                    if out.json {
                        out.result(&serde_json::json!({ "name": n, "value": v }));
                    } else {
                        println!("{v}");
                    }
                }
                None if out.json => out.result(&settings),
                None => {
                    for (n, what) in keyward_vault::SETTINGS {
                        println!("{n} = {}    # {what}", settings.get(n)?);
                    }
                }
            }
        }
        Cmd::Config(ConfigCmd::Set { name, value }) => {
            let settings = ctx.with_backend(Need::Index, |b| b.settings_set(&name, &value))?;
            if out.json {
                out.result(&settings);
            } else {
                println!("{name} = {}", settings.get(&name)?);
            }
        }
        Cmd::Qr(QrCmd::Encode { text, file, render }) => {
            let data = match (text, file) {
                (Some(t), _) => t.into_bytes(),
                (None, f) => {
                    secrets::read_bounded(f.as_deref(), keyward_crypto::qr::MAX_QR_BYTES + 1)?
                }
            };
            qr_out(&data, &render, out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn key(cmd: KeyCmd, ctx: &CliContext) -> Result<()> {
    let out = &ctx.out;
    match cmd {
        KeyCmd::Gen { alg, label, tags } => {
            let alg = alg.lib();
            if let Some(bits) = alg.rsa_bits() {
                out.note(&format!(
                    "generating an RSA-{bits} key (this takes a few seconds)"
                ));
            }
            let req = GenerateRequest { alg, label, tags };
            let k = ctx.with_backend(Need::Key, |b| b.key_generate(req))?;
            out.key_info(&k, "Generated");
        }
        KeyCmd::Import {
            file,
            format,
            alg,
            path,
            passphrase_file,
            label,
            tags,
        } => {
            let text = secrets::read_input(file.as_deref())?;
            let req = ImportRequest {
                text,
                format: format.lib(),
                alg: alg.map(AlgArg::lib),
                path,
                passphrase: secrets::input_passphrase(passphrase_file.as_deref())?,
                label,
                tags,
            };
            let k = ctx.with_backend(Need::Key, |b| match b.key_import(clone_import(&req)) {
                // Ask for the input's passphrase only when it turns out to need one.
                Err(e) if e.code() == "key.passphrase_required" => {
                    let mut again = clone_import(&req);
                    again.passphrase = secrets::prompt_input_passphrase("Passphrase of the key: ")?;
                    if again.passphrase.is_none() {
                        return Err(e);
                    }
                    b.key_import(again)
                }
                r => r,
            })?;
            out.key_info(&k, "Imported");
        }
        KeyCmd::List { alg, tag } => {
            let filter = ListFilter {
                alg: alg.map(AlgArg::lib),
                tag,
            };
            let keys = ctx.with_backend(Need::Index, |b| b.key_list(&filter))?;
            out.key_list(&keys);
        }
        KeyCmd::Show { key } => {
            let d = ctx.with_backend(Need::Index, |b| b.key_show(&key))?;
            out.key_detail(&d);
        }
        KeyCmd::Export { keys, format } => {
            let f = format.lib();
            let text = ctx.with_backend(Need::Index, |b| b.key_export_many(&keys, f))?;
            out.export(f.as_str(), &text);
        }
        KeyCmd::ExportPrivate {
            key,
            format,
            passphrase_file,
            yes,
        } => {
            if !yes {
                return Err(VaultError::ConfirmationRequired(
                    "exporting a private key".into(),
                ));
            }
            let f = format.lib();
            let passphrase = match (f, secrets::input_passphrase(passphrase_file.as_deref())?) {
                (PrivateFormat::Pkcs8Enc, None) => secrets::prompt_new_input_passphrase()?,
                (_, p) => p,
            };
            let text =
                ctx.with_backend(Need::Key, |b| b.key_export_private(&key, f, passphrase))?;
            out.export(f.as_str(), &text);
        }
        KeyCmd::Qr { key, of, render } => {
            let view = ctx.with_backend(Need::Index, |b| b.key_qr(&key, of.map(PubFmt::lib)))?;
            qr_out(view.payload.as_bytes(), &render, out)?;
        }
        KeyCmd::Rename { key, label } => {
            let k = ctx.with_backend(Need::Key, |b| b.key_rename(&key, &label))?;
            out.key_info(&k, "Renamed");
        }
        KeyCmd::Tag { key, add, remove } => {
            let k = ctx.with_backend(Need::Key, |b| b.key_tag(&key, &add, &remove))?;
            out.key_info(&k, "Tagged");
        }
        KeyCmd::Delete { key, yes } => {
            if !yes {
                return Err(VaultError::ConfirmationRequired("deleting a key".into()));
            }
            let k = ctx.with_backend(Need::Key, |b| b.key_delete(&key))?;
            out.key_info(&k, "Deleted");
        }
        KeyCmd::Policy { key, allow, reset } => {
            let k = match (allow, reset) {
                (Some(list), _) => {
                    let usages = list
                        .split(',')
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                        .map(keyward_crypto::sign::Usage::parse)
                        .collect::<std::result::Result<Vec<_>, _>>()?;
                    ctx.with_backend(Need::Key, |b| b.key_policy(&key, Some(usages)))?
                }
                (None, true) => ctx.with_backend(Need::Key, |b| b.key_policy(&key, None))?,
                (None, false) => {
                    ctx.with_backend(Need::Index, |b| b.key_show(&key).map(|d| d.info))?
                }
            };
            out.key_info(&k, "Usage of");
            if !out.json {
                println!("  may sign: {}", k.usage.join(", "));
            }
        }
    }
    Ok(())
}

/// A copy of an import request for a retry (it holds secrets, so it is not `Clone`).
fn clone_import(req: &ImportRequest) -> ImportRequest {
    ImportRequest {
        text: req.text.clone(),
        format: req.format,
        alg: req.alg,
        path: req.path.clone(),
        passphrase: req.passphrase.clone(),
        label: req.label.clone(),
        tags: req.tags.clone(),
    }
}

fn backup(cmd: BackupCmd, ctx: &CliContext) -> Result<()> {
    let out = &ctx.out;
    match cmd {
        BackupCmd::Create {
            file,
            passphrase_file,
            force,
        } => {
            if file.exists() && !force {
                return Err(VaultError::Usage(format!(
                    "{} exists; add --force to replace it",
                    file.display()
                )));
            }
            let pass = match secrets::input_passphrase(passphrase_file.as_deref())? {
                Some(p) => p,
                None => secrets::passphrase("Backup passphrase (the vault passphrase): ")?,
            };
            let made = ctx.with_backend(Need::Key, |b| b.backup_create(pass))?;
            let bytes = made.bytes()?;
            keyward_vault::paths::write_private_file(&file, &bytes)?;
            out.backup_created(&made, &file, bytes.len());
        }
        BackupCmd::Restore {
            file,
            passphrase_file,
        } => {
            let mut vault = ctx.open()?;
            if vault.vault_id().is_some() {
                return Err(VaultError::AlreadyInitialized(
                    vault.dir().display().to_string(),
                ));
            }
            let bytes = secrets::read_bounded(
                Some(&file.display().to_string()),
                keyward_crypto::backup::MAX_BACKUP + keyward_crypto::backup::HEADER_LEN,
            )?;
            let pass = match secrets::input_passphrase(passphrase_file.as_deref())? {
                Some(p) => p,
                None => secrets::passphrase("Backup passphrase: ")?,
            };
            let report = vault.restore(&bytes, &pass, None)?;
            vault.release();
            out.restored(&report);
        }
    }
    Ok(())
}

fn audit(cmd: AuditCmd, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    use keyward_vault::audit;
    match cmd {
        AuditCmd::List { limit, action, key } => {
            let entries = ctx.with_backend(Need::Index, |b| {
                // A live key by id, prefix or label; else the id as given (a deleted key).
                let key_id = key.map(|k| b.key_show(&k).map(|d| d.info.id).unwrap_or(k));
                b.audit_list(&AuditFilter {
                    action,
                    key_id,
                    limit,
                })
            })?;
            out.audit_list(&entries);
        }
        AuditCmd::Verify => {
            let report = ctx.with_backend(Need::Key, |b| b.audit_verify())?;
            out.audit_report(&report);
            if !report.ok {
                return Ok(ExitCode::from(3));
            }
        }
        AuditCmd::Export { format, out: path } => {
            let entries =
                ctx.with_backend(Need::Index, |b| b.audit_list(&AuditFilter::default()))?;
            let (name, text) = match format {
                AuditFmt::Jsonl => ("jsonl", audit::to_jsonl(&entries)),
                AuditFmt::Csv => ("csv", audit::to_csv(&entries)),
            };
            match path {
                Some(p) => {
                    std::fs::write(&p, text.as_bytes()).map_err(|e| {
                        VaultError::Io(format!("cannot write {}: {e}", p.display()))
                    })?;
                    out.note(&format!(
                        "wrote {} entries to {}",
                        entries.len(),
                        p.display()
                    ));
                }
                None => out.export(name, &text),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn qr_out(data: &[u8], render: &QrRender, out: &output::Out) -> Result<()> {
    use keyward_crypto::qr::{Qr, QrFormat};
    use std::io::{IsTerminal, Write};
    let qr = Qr::encode(data)?;
    let scale = render.scale as usize;
    let (format, bytes) = match render.format {
        QrFmt::Svg => (QrFormat::Svg, qr.svg(scale).into_bytes()),
        QrFmt::Png => (QrFormat::Png, qr.png(scale)),
        QrFmt::Term => (QrFormat::Term, qr.term().into_bytes()),
    };
    match &render.out {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| VaultError::Io(format!("cannot write {}: {e}", path.display())))?,
        None if format == QrFormat::Png && out.json => {}
        None if format == QrFormat::Png && std::io::stdout().is_terminal() => {
            return Err(VaultError::Remote(keyward_vault::ErrorBody {
                code: "qr.binary_to_terminal".into(),
                message: "a PNG would be written to the terminal".into(),
                hint: "Add --out FILE, or redirect standard output to a file.".into(),
                candidates: None,
            }))
        }
        None if !out.json => std::io::stdout().write_all(&bytes)?,
        None => {}
    }
    out.qr(&qr, format, &bytes, render.out.as_deref());
    Ok(())
}

fn agent(ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let mut vault = ctx.open_existing()?;
    let id = vault.vault_id().expect("checked above").to_string();
    ctx.refuse_running_agent(&id)?;
    vault.set_actor("agent");
    ctx.unlock_local(&mut vault)?;
    vault.record_unlock("agent started, vault unlocked")?;
    let socket = keyward_vault::paths::socket_path(&id)?;
    let mode = vault.settings_now()?.agent_approval;
    out.note(&match mode {
        None | Some(keyward_vault::agent::AgentApproval::Never) => {
            "agent-approval: never (no window to ask in): while unlocked, any program of yours may use keys and read secrets through this agent".to_owned()
        }
        Some(m) => format!(
            "agent-approval is {}: this agent has no window to ask in, so it refuses key use and secrets it would have to ask about",
            m.as_str()
        ),
    });
    let vault = Arc::new(Mutex::new(vault));
    let gate: Arc<dyn keyward_vault::agent::AgentGate> =
        Arc::new(keyward_vault::agent::Headless(vault.clone()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| VaultError::Io(e.to_string()))?;
    rt.block_on(keyward_vault::agent::serve_gated(
        vault,
        socket,
        |path| out.agent_ready(&id, path),
        async {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        },
        None,
        Some(gate),
    ))?;
    out.note("agent stopped; vault locked");
    Ok(ExitCode::SUCCESS)
}
