//! `service add|list|show|remove`: service profiles; the flows live in `keyward-services`.

use std::process::ExitCode;

use keyward_core::Secret;
use keyward_services::engine;
use keyward_vault::VaultError;

use crate::cli::ServiceCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;
use keyward_services::kind::Kind;

pub fn run(ctx: &CliContext, cmd: ServiceCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        ServiceCmd::Add {
            name,
            kind: Kind::Engine,
            url,
            admin_token_file,
            max_exp,
            pin_key,
        } => {
            let pin = pin_key.map(|f| secrets::read_input(Some(&f))).transpose()?;
            // Checked before anything is stored.
            if let Some(pem) = &pin {
                keyward_crypto::PublicKey::from_text(pem.expose(), None)?;
            }
            let token = match admin_token_file {
                Some(f) => {
                    let t = secrets::read_input(Some(&f))?;
                    Some(Secret::new(t.expose().trim()))
                }
                None => secrets::prompt_input_passphrase("Engine admin token (empty for none): ")?
                    .map(|t| Secret::new(t.expose().trim())),
            }
            .filter(|t| !t.is_empty());
            let max = max_exp
                .as_deref()
                .map(keyward_crypto::jwt::parse_duration)
                .transpose()?;
            let p = ctx.with_backend(Need::Key, |b| -> keyward_services::Result<_> {
                let mut p = engine::add_profile(b, &name, &url, token, max)?;
                if let Some(pem) = &pin {
                    keyward_services::pinned::pin(&mut p, pem.expose())?;
                    p = b.profile_put(p, false)?;
                }
                Ok(p)
            })?;
            out.print(&p, |p| {
                println!("Added {} profile {} ({})", p.kind, p.name, p.base_url);
                for c in &p.credentials {
                    println!("  credential {} sealed in the keychain", c.name);
                }
            });
        }
        ServiceCmd::Key(_) => unreachable!("main dispatches service key to remote_keys"),
        ServiceCmd::List => {
            let list = ctx.with_backend(Need::Index, |b| b.profile_list())?;
            out.print(&list, |l| {
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
            out.print(&p, |p| {
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
            out.print(&p, |p| {
                println!("Removed {} and {} credentials", p.name, p.credentials.len())
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}
