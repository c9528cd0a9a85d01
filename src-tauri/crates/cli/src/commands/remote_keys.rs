//! `service key …` (and a kind's own words for it, `engine token …`): a service's remote keys
//! through its admin endpoints, for any kind that has them (`keyward_services::admin`).

use std::process::ExitCode;

use keyward_core::Secret;
use keyward_services::admin::{flows, NewKey, RemoteKey};
use keyward_services::once::Sealed;
use keyward_services::ReqwestClient;
use keyward_vault::VaultError;

use crate::args::RemoteKeyCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

/// What a service shows of a key's secret (Engine's `tokenMask`), for the human output.
fn mask(k: &RemoteKey) -> String {
    k.extra
        .get("tokenMask")
        .and_then(|m| m.as_str())
        .map(|m| format!(" ({})", esc(m)))
        .unwrap_or_default()
}

/// The service chose this text: shown escaped on a terminal (controls, bidi, escapes).
fn esc(s: &str) -> String {
    keyward_approval::decode::escape_field(s)
}

pub fn run(ctx: &CliContext, cmd: RemoteKeyCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    let http = ReqwestClient::new()?;
    match cmd {
        RemoteKeyCmd::List { service } => {
            let l = ctx.with_backend(Need::Key, |b| flows::list(b, &http, &service))?;
            out.print(&l, |l| {
                for k in l {
                    println!(
                        "{}  {}  {}{}",
                        esc(&k.id),
                        esc(k
                            .extra
                            .get("tokenMask")
                            .and_then(|m| m.as_str())
                            .unwrap_or("")),
                        esc(k.label.as_deref().unwrap_or("")),
                        if k.stored { "  (in keychain)" } else { "" }
                    );
                }
            });
        }
        RemoteKeyCmd::Show { service, key } => {
            let k = ctx.with_backend(Need::Key, |b| flows::show(b, &http, &service, &key))?;
            out.print(&k, |k| {
                println!(
                    "{}{}  {}{}",
                    esc(&k.id),
                    mask(k),
                    esc(k.label.as_deref().unwrap_or("")),
                    if k.stored { "  (in keychain)" } else { "" }
                )
            });
        }
        RemoteKeyCmd::Create { service, label } => {
            let created = ctx.with_backend(Need::Key, |b| {
                flows::create(
                    b,
                    &http,
                    &service,
                    NewKey {
                        label: label.as_deref(),
                        tag: None,
                    },
                )
            })?;
            match created.sealed {
                // The CLI does not print a sealed secret: it stays in the keychain.
                Sealed::Stored { info: c, .. } => out.print(&created.key, |k| {
                    println!(
                        "Created {} {}{}; sealed in the keychain as {}",
                        created.noun,
                        esc(&k.id),
                        mask(k),
                        esc(&c.name)
                    );
                }),
                Sealed::Unsaved { secret, error } => {
                    hand_over_unsaved(created.noun, &created.key.id, &secret, &error);
                    return Ok(ExitCode::from(4));
                }
            }
        }
        RemoteKeyCmd::Rename {
            service,
            key,
            label,
        } => {
            ctx.with_backend(Need::Key, |b| {
                flows::rename(b, &http, &service, &key, label.as_deref())
            })?;
            out.print(&serde_json::json!({"updated": key}), |_| {
                println!("Updated {}", esc(&key))
            });
        }
        RemoteKeyCmd::Revoke { service, key } => {
            ctx.with_backend(Need::Key, |b| flows::revoke(b, &http, &service, &key))?;
            out.print(&serde_json::json!({"revoked": key}), |_| {
                println!("Revoked {}", esc(&key))
            });
        }
        RemoteKeyCmd::Import {
            service,
            key,
            secret_file,
        } => {
            let secret = match secret_file {
                Some(f) => Secret::new(secrets::read_input(Some(&f))?.expose().trim()),
                None => secrets::passphrase("The key's secret: ")?,
            };
            let c = ctx.with_backend(Need::Key, |b| {
                flows::import(b, &http, &service, &key, secret)
            })?;
            out.print(&c, |c| println!("Sealed in the keychain as {}", c.name));
        }
        RemoteKeyCmd::Check { service, key } => {
            let c = ctx.with_backend(Need::Key, |b| flows::check(b, &http, &service, &key))?;
            out.print(&c, |c| {
                println!(
                    "{}: {}",
                    esc(&c.id),
                    if c.works {
                        "works"
                    } else {
                        "refused by the service"
                    }
                )
            });
            if !c.works {
                return Ok(ExitCode::from(8));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A secret the service showed once and the keychain refused: it must reach the user now.
/// On a terminal it is shown there; when standard output is a pipe or a file (a log, a CI
/// job), it goes into an owner-only file in the data dir instead, never into that stream.
fn hand_over_unsaved(noun: &str, id: &str, secret: &Secret, error: &VaultError) {
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
        "NOT SAVED: the keychain refused the new {noun} {shown} ({error}). The service will not show it again."
    );
    // The only places the CLI prints a secret without `--yes`: the service will not show it
    // again and the keychain refused it, so losing it is worse than showing it once.
    if std::io::stdout().is_terminal() {
        eprintln!("Copy it now:");
        println!("{}", secret.expose());
    } else {
        let written = keyward_vault::paths::data_dir().and_then(|d| {
            let path = d.join(format!("unsaved-{}-{id}", noun.replace(' ', "-")));
            keyward_vault::paths::write_private_file(&path, secret.expose().as_bytes())
                .map(|()| path)
        });
        match written {
            Ok(path) => eprintln!(
                "It is in {} (readable by you only): move it somewhere safe, then delete the file.",
                path.display()
            ),
            // Nowhere to keep it: the output stream is the last place it can go.
            Err(e) => {
                eprintln!("It could not be written to a file either ({e}); here it is:");
                println!("{}", secret.expose());
            }
        }
    }
}
