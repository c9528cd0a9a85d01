//! `grants list|revoke`: approvals that last, through the agent when one runs.

use std::process::ExitCode;

use keyward_vault::at_text as when;

use crate::cli::GrantsCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, cmd: GrantsCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        GrantsCmd::List => {
            let list = ctx.with_backend(Need::Index, |b| b.grant_list())?;
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
        }
        GrantsCmd::Revoke { id } => {
            let g = ctx.with_backend(Need::Index, |b| b.grant_revoke(&id))?;
            if out.json {
                out.result(&g);
            } else {
                println!("revoked grant {}", g.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
