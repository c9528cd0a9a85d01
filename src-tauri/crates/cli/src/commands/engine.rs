//! `engine …`: thirdweb Engine health, keypairs, access tokens and calls; the flows live in
//! `keyward-services`.

use std::process::ExitCode;

use keyward_services::engine;
use keyward_services::once::Sealed;
use keyward_services::ReqwestClient;
use keyward_vault::api::MintOptions;
use keyward_vault::VaultError;
use zeroize::Zeroizing;

use crate::args::JwtAlgArg;
use crate::cli::{EngineCmd, KeypairCmd, TokenCmd};
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

fn http() -> keyward_services::Result<ReqwestClient> {
    ReqwestClient::new()
}

pub fn run(ctx: &CliContext, cmd: EngineCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    let http = http()?;
    match cmd {
        EngineCmd::Health { service } => {
            let h = ctx.with_backend(Need::Key, |b| engine::health(b, &http, &service))?;
            out.print(&h, |h| {
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
            out.print(&kp, |k| {
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
            out.print(&l, |l| {
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
            out.print(&serde_json::json!({"removed": hash}), |_| {
                println!("Removed keypair {hash}")
            });
        }
        EngineCmd::Token(TokenCmd::Create { service, label }) => {
            let created = ctx.with_backend(Need::Key, |b| {
                engine::create_token(b, &http, &service, label.as_deref())
            })?;
            match created.sealed {
                Sealed::Stored(c) => out.print(&created.info, |t| {
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
            out.print(&l, |l| {
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
            out.print(&serde_json::json!({"updated": id}), |_| {
                println!("Updated {id}")
            });
        }
        EngineCmd::Token(TokenCmd::Revoke { service, id }) => {
            ctx.with_backend(Need::Key, |b| engine::revoke_token(b, &http, &service, &id))?;
            out.print(&serde_json::json!({"revoked": id}), |_| {
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
            out.print(&r, |r| {
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
