//! `engine …`: thirdweb Engine health, keypairs and calls; the flows live in
//! `keyward-services`. (`engine token …` is `service key …`: `remote_keys`.)

use std::process::ExitCode;

use keyward_services::engine;
use keyward_services::ReqwestClient;
use keyward_vault::api::MintOptions;

use crate::cli::{EngineCmd, KeypairCmd};
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
                engine::register_key(b, &http, &service, &key, label.as_deref(), alg)
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
        EngineCmd::Token(_) => unreachable!("main dispatches engine token to remote_keys"),
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
