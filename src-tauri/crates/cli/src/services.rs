//! `service …`, `engine …`, `playground serve`: argument parsing and printing only; the flows
//! live in `keyward-services`.

use crate::context::{CliContext, Need};
use crate::output::Out;
use crate::secrets;
use crate::signing::{JwtAlgArg, MintArgs};
use clap::{Subcommand, ValueEnum};
use keyward_services::engine;
use keyward_services::once::Sealed;
use keyward_services::{ReqwestClient, Result, ServiceError};
use keyward_vault::api::MintOptions;
use keyward_vault::VaultError;
use std::process::ExitCode;
use zeroize::Zeroizing;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// thirdweb Engine (self-hosted): keypair JWTs, keypairs, access tokens
    Engine,
}

#[derive(Subcommand)]
pub enum ServiceCmd {
    /// Add a service profile; its admin credential is sealed in the keychain
    Add {
        name: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        /// The service's API root (https://engine.example.com; http:// for local services)
        #[arg(long)]
        url: String,
        /// A file holding the admin credential (Engine: an access token or the secret key; - for
        /// standard input). Without it, the terminal asks; empty = none.
        #[arg(long, value_name = "FILE")]
        admin_token_file: Option<String>,
        /// Ceiling on minted token lifetimes (default 5m)
        #[arg(long)]
        max_exp: Option<String>,
        /// Pin the public key the service signs its responses with (a PEM or JWK file)
        #[arg(long, value_name = "FILE")]
        pin_key: Option<String>,
    },
    List,
    Show {
        name: String,
    },
    /// Remove a profile and every credential it holds (needs --yes)
    Remove {
        name: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum EngineCmd {
    /// The Engine's health and features (is keypair auth on?) and the clock difference
    Health {
        #[arg(long)]
        service: String,
    },
    /// Keypairs registered with Engine
    #[command(subcommand)]
    Keypair(KeypairCmd),
    /// Engine access tokens (a created one is sealed in the keychain before it is shown)
    #[command(subcommand)]
    Token(TokenCmd),
    /// Call an endpoint with a fresh keypair JWT (a JSON body is bound by bodyHash)
    Call {
        /// GET, POST, …
        method: String,
        /// The path (/backend-wallet/get-all)
        path: String,
        #[arg(long)]
        service: String,
        /// The registered key that signs the token
        #[arg(long)]
        key: String,
        /// A JSON body
        #[arg(long, conflicts_with = "data_file")]
        data: Option<String>,
        /// A JSON body from a file (- for standard input)
        #[arg(long, value_name = "FILE")]
        data_file: Option<String>,
        /// Token lifetime
        #[arg(long, default_value = "15s")]
        exp: String,
        /// Name the key by kid (its PEM's hash) instead of iss
        #[arg(long)]
        kid: bool,
    },
}

#[derive(Subcommand)]
pub enum KeypairCmd {
    /// Register a vault key's public key (p256 → ES256, p384 → ES384, RSA → RS256)
    Add {
        #[arg(long)]
        service: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        label: Option<String>,
        /// ES256, ES384, RS256 or PS256 (default: the key's)
        #[arg(long, value_enum)]
        alg: Option<JwtAlgArg>,
    },
    List {
        #[arg(long)]
        service: String,
    },
    /// Remove by hash, or by the vault key
    Remove {
        #[arg(long)]
        service: String,
        /// The keypair's hash or the vault key
        target: String,
    },
}

#[derive(Subcommand)]
pub enum TokenCmd {
    Create {
        #[arg(long)]
        service: String,
        #[arg(long)]
        label: Option<String>,
    },
    List {
        #[arg(long)]
        service: String,
    },
    Update {
        #[arg(long)]
        service: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        label: Option<String>,
    },
    Revoke {
        #[arg(long)]
        service: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Subcommand)]
pub enum PlaygroundCmd {
    /// Run a local reference service on 127.0.0.1 until Ctrl-C; prints one JSON line with its
    /// URL and admin token
    Serve {
        #[arg(long, value_enum)]
        service: KindArg,
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Engine: turn keypair auth off (ENABLE_KEYPAIR_AUTH=false)
        #[arg(long)]
        no_keypair_auth: bool,
    },
}

fn http() -> Result<ReqwestClient> {
    ReqwestClient::new()
}

fn print<T: serde::Serialize>(out: &Out, v: &T, human: impl FnOnce(&T)) {
    if out.json {
        out.result(v);
    } else {
        human(v);
    }
}

pub fn service_cmd(cmd: ServiceCmd, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        ServiceCmd::Add {
            name,
            kind: KindArg::Engine,
            url,
            admin_token_file,
            max_exp,
            pin_key,
        } => {
            let pin = pin_key.map(|f| secrets::read_input(Some(&f))).transpose()?;
            // Checked before anything is stored.
            if let Some(pem) = &pin {
                keyward_crypto::PublicKey::from_text(pem, None)?;
            }
            let token = match admin_token_file {
                Some(f) => {
                    let t = secrets::read_input(Some(&f))?;
                    Some(Zeroizing::new(t.trim().to_string()))
                }
                None => secrets::prompt_input_passphrase("Engine admin token (empty for none): ")?
                    .map(|t| Zeroizing::new(t.trim().to_string())),
            }
            .filter(|t| !t.is_empty());
            let max = max_exp
                .as_deref()
                .map(keyward_crypto::jwt::parse_duration)
                .transpose()?;
            let p = ctx.with_backend(Need::Key, |b| -> Result<_> {
                let mut p = engine::add_profile(b, &name, &url, token, max)?;
                if let Some(pem) = &pin {
                    keyward_services::profile::pin(&mut p, pem)?;
                    p = b.profile_put(p, false)?;
                }
                Ok(p)
            })?;
            print(out, &p, |p| {
                println!("Added {} profile {} ({})", p.kind, p.name, p.base_url);
                for c in &p.credentials {
                    println!("  credential {} sealed in the keychain", c.name);
                }
            });
        }
        ServiceCmd::List => {
            let list = ctx.with_backend(Need::Index, |b| b.profile_list())?;
            print(out, &list, |l| {
                for p in l {
                    println!("{:<20} {:<8} {}", p.name, p.kind, p.base_url);
                }
                if l.is_empty() {
                    println!("No service profiles. Add one: keyward-cli service add NAME --kind engine --url URL");
                }
            });
        }
        ServiceCmd::Show { name } => {
            let p = ctx.with_backend(Need::Index, |b| b.profile_get(&name))?;
            print(out, &p, |p| {
                println!("{} ({} at {})", p.name, p.kind, p.base_url);
                println!(
                    "settings: {}",
                    serde_json::to_string_pretty(&p.settings).expect("JSON")
                );
                for c in &p.credentials {
                    println!("credential {} (stored {})", c.name, c.created_at);
                }
            });
        }
        ServiceCmd::Remove { name, yes } => {
            if !yes {
                return Err(VaultError::ConfirmationRequired(
                    "removing a profile and its credentials".into(),
                )
                .into());
            }
            let p = ctx.with_backend(Need::Key, |b| b.profile_remove(&name))?;
            print(out, &p, |p| {
                println!("Removed {} and {} credentials", p.name, p.credentials.len())
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn engine_cmd(cmd: EngineCmd, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let http = http()?;
    match cmd {
        EngineCmd::Health { service } => {
            let h = ctx.with_backend(Need::Key, |b| engine::health(b, &http, &service))?;
            print(out, &h, |h| {
                println!(
                    "Engine {} ({})",
                    h.engine_version.as_deref().unwrap_or("?"),
                    h.engine_tier.as_deref().unwrap_or("?")
                );
                println!(
                    "keypair auth: {}",
                    if h.keypair_auth {
                        "on"
                    } else {
                        "OFF (ENABLE_KEYPAIR_AUTH is not true)"
                    }
                );
                println!("features: {}", h.features.join(", "));
                if let Some(o) = h.clock_offset_secs {
                    println!(
                        "clock: the service is {o} s {} this computer",
                        if o >= 0 { "ahead of" } else { "behind" }
                    );
                }
            });
        }
        EngineCmd::Keypair(KeypairCmd::Add {
            service,
            key,
            label,
            alg,
        }) => {
            let kp = ctx.with_backend(Need::Key, |b| {
                engine::register_key(
                    b,
                    &http,
                    &service,
                    &key,
                    label.as_deref(),
                    alg.map(JwtAlgArg::lib),
                )
            })?;
            print(out, &kp, |k| {
                println!(
                    "Registered {} key {} (hash {})",
                    k.algorithm,
                    k.vault_key.as_deref().unwrap_or("?"),
                    k.hash
                )
            });
        }
        EngineCmd::Keypair(KeypairCmd::List { service }) => {
            let l = ctx.with_backend(Need::Key, |b| engine::list_keypairs(b, &http, &service))?;
            print(out, &l, |l| {
                for k in l {
                    println!(
                        "{}  {:<6} {:<16} {}",
                        k.hash,
                        k.algorithm,
                        k.vault_key.as_deref().unwrap_or("-"),
                        k.label.as_deref().unwrap_or("")
                    );
                }
            });
        }
        EngineCmd::Keypair(KeypairCmd::Remove { service, target }) => {
            let hash = ctx.with_backend(Need::Key, |b| {
                engine::remove_keypair(b, &http, &service, &target)
            })?;
            print(out, &serde_json::json!({"removed": hash}), |_| {
                println!("Removed keypair {hash}")
            });
        }
        EngineCmd::Token(TokenCmd::Create { service, label }) => {
            let created = ctx.with_backend(Need::Key, |b| {
                engine::create_token(b, &http, &service, label.as_deref())
            })?;
            match created.sealed {
                Sealed::Stored(c) => print(out, &created.info, |t| {
                    println!(
                        "Created access token {} ({}); sealed in the keychain as {}",
                        t.id, t.token_mask, c.name
                    );
                }),
                Sealed::Unsaved { secret, error } => {
                    hand_over_unsaved(&created.info.id, &secret, &error);
                    return Ok(ExitCode::from(4));
                }
            }
        }
        EngineCmd::Token(TokenCmd::List { service }) => {
            let l = ctx.with_backend(Need::Key, |b| engine::list_tokens(b, &http, &service))?;
            print(out, &l, |l| {
                for t in l {
                    println!(
                        "{}  {}  {}{}",
                        t.id,
                        t.token_mask,
                        t.label.as_deref().unwrap_or(""),
                        if t.stored { "  (in keychain)" } else { "" }
                    );
                }
            });
        }
        EngineCmd::Token(TokenCmd::Update { service, id, label }) => {
            ctx.with_backend(Need::Key, |b| {
                engine::update_token(b, &http, &service, &id, label.as_deref())
            })?;
            print(out, &serde_json::json!({"updated": id}), |_| {
                println!("Updated {id}")
            });
        }
        EngineCmd::Token(TokenCmd::Revoke { service, id }) => {
            ctx.with_backend(Need::Key, |b| engine::revoke_token(b, &http, &service, &id))?;
            print(out, &serde_json::json!({"revoked": id}), |_| {
                println!("Revoked {id}")
            });
        }
        EngineCmd::Call {
            method,
            path,
            service,
            key,
            data,
            data_file,
            exp,
            kid,
        } => {
            let body = match (data, data_file) {
                (Some(d), _) => Some(d.into_bytes()),
                (None, Some(f)) => Some(secrets::read_bounded(Some(&f), 1 << 20)?),
                (None, None) => None,
            };
            let opts = MintOptions {
                exp_secs: Some(keyward_crypto::jwt::parse_duration(&exp)?),
                use_kid: kid,
                ..Default::default()
            };
            let r = ctx.with_backend(Need::Key, |b| {
                engine::call(
                    b,
                    &http,
                    &service,
                    &key,
                    engine::Endpoint {
                        method: &method,
                        path: &path,
                        data: body.as_deref(),
                    },
                    opts,
                )
            })?;
            print(out, &r, |r| {
                eprintln!("HTTP {} {} → {}", r.method, r.path, r.status);
                if let Some(w) = &r.warning {
                    eprintln!("warning: {w}");
                }
                println!("{}", serde_json::to_string_pretty(&r.body).expect("JSON"));
            });
            if !(200..300).contains(&r.status) {
                return Ok(ExitCode::from(8));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A secret the service showed once and the keychain refused: it must reach the user now.
/// On a terminal it is shown there; when standard output is a pipe or a file (a log, a CI
/// job), it goes into an owner-only file in the data dir instead, never into that stream.
fn hand_over_unsaved(id: &str, secret: &Zeroizing<String>, error: &VaultError) {
    use std::io::IsTerminal;
    // The id comes from the service: shown escaped, and kept to safe characters in a file name.
    let shown = keyward_approval::decode::escape_field(id);
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    let id = id.as_str();
    eprintln!(
        "NOT SAVED: the keychain refused the new access token {shown} ({error}). Engine will not show it again."
    );
    if std::io::stdout().is_terminal() {
        eprintln!("Copy it now:");
        println!("{}", secret.as_str());
    } else {
        let written = keyward_vault::paths::data_dir().and_then(|d| {
            let path = d.join(format!("unsaved-access-token-{id}"));
            keyward_vault::paths::write_private_file(&path, secret.as_bytes()).map(|()| path)
        });
        match written {
            Ok(path) => eprintln!(
                "It is in {} (readable by you only): move it somewhere safe, then delete the file.",
                path.display()
            ),
            // Nowhere to keep it: the output stream is the last place it can go.
            Err(e) => {
                eprintln!("It could not be written to a file either ({e}); here it is:");
                println!("{}", secret.as_str());
            }
        }
    }
}

/// `jwt mint --service S`: Engine's stored PEM and algorithm for the key.
pub fn mint_for_service(
    ctx: &CliContext,
    a: &MintArgs,
    service: &str,
) -> Result<keyward_vault::api::Minted> {
    let base = a.options()?;
    ctx.with_backend(Need::Key, |b| -> Result<_> {
        let opts = engine::mint_options(b, service, &a.key, base)?;
        Ok(b.jwt_mint(&a.key, opts)?)
    })
}

pub fn playground_cmd(cmd: PlaygroundCmd) -> Result<ExitCode> {
    let PlaygroundCmd::Serve {
        service: KindArg::Engine,
        port,
        no_keypair_auth,
    } = cmd;
    let exe = std::env::current_exe().map_err(|e| VaultError::Io(e.to_string()))?;
    let bin = keyward_services::playground::locate(&exe);
    // Its stdin is a pipe this process holds: when the CLI dies, however it dies, the
    // playground reads end-of-file and exits too.
    let mut child = std::process::Command::new(&bin)
        .args([
            "--service",
            "engine",
            "--port",
            &port.to_string(),
            "--exit-on-stdin-eof",
        ])
        .args(if no_keypair_auth {
            &["--keypair-auth", "false"][..]
        } else {
            &[][..]
        })
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| ServiceError::Unreachable {
            url: bin.display().to_string(),
            reason: format!("cannot start the playground: {e}"),
        })?;
    // Held, not closed: `wait` closes a stdin it still owns, which would stop the playground.
    let _stdin = child.stdin.take();
    let status = child.wait().map_err(|e| VaultError::Io(e.to_string()))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
