//! `grants list|revoke`: approvals that last, through the agent when one runs.

use std::process::ExitCode;

use keyward_approval::endpoint::EndpointError;
use keyward_vault::at_text as when;
use keyward_vault::Backend;

use crate::cli::GrantsCmd;
use crate::context::{CliContext, Need};

/// Apps and grants through the context; their errors print as the endpoint's.
fn with_backend<T>(
    ctx: &CliContext,
    f: impl FnOnce(&mut dyn Backend) -> keyward_vault::Result<T>,
) -> Result<T, EndpointError> {
    Ok(ctx.with_backend(Need::Index, f)?)
}

pub fn run(ctx: &CliContext, cmd: GrantsCmd) -> ExitCode {
    let out = &ctx.out;
    let r = match cmd {
        GrantsCmd::List => with_backend(ctx, |b| b.grant_list()).map(|list| {
            if out.json {
                out.result(&list);
            } else if list.is_empty() {
                out.note("no live grants");
            } else {
                for g in &list {
                    let t = &g.body["template"];
                    println!(
                        "{}  app {}  key {}  {} aud {}  {}",
                        g.id,
                        g.body["app"]["name"].as_str().unwrap_or(&g.app_id),
                        g.key_id,
                        t["alg"].as_str().unwrap_or("?"),
                        t["aud"],
                        match g.expires_at {
                            Some(e) => format!("until {}", when(e)),
                            None => "until lock".into(),
                        }
                    );
                }
            }
            ExitCode::SUCCESS
        }),
        GrantsCmd::Revoke { id } => with_backend(ctx, |b| b.grant_revoke(&id)).map(|g| {
            if out.json {
                out.result(&g);
            } else {
                println!("revoked grant {}", g.id);
            }
            ExitCode::SUCCESS
        }),
    };
    out.finish(r)
}
