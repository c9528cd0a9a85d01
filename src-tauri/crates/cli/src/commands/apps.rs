//! `apps list|unpair`: the apps paired with the endpoint, through the agent when one runs.

use std::process::ExitCode;

use keyward_vault::at_text as when;

use crate::cli::AppsCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, cmd: AppsCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        AppsCmd::List => {
            let apps = ctx.with_backend(Need::Index, |b| b.app_list())?;
            if out.json {
                out.result(&apps);
            } else if apps.is_empty() {
                out.note("no paired apps");
            } else {
                for a in &apps {
                    println!(
                        "{}  {}  origin {}  keys {}  paired {}  last seen {}",
                        a.id,
                        a.name,
                        a.origin.as_deref().unwrap_or("-"),
                        a.keys.as_ref().map(|k| k.join(",")).unwrap_or("any".into()),
                        when(a.created_at),
                        a.last_seen.map(when).unwrap_or("never".into())
                    );
                }
            }
        }
        AppsCmd::Unpair { app } => {
            let a = ctx.with_backend(Need::Index, |b| b.app_unpair(&app))?;
            if out.json {
                out.result(&a);
            } else {
                println!("unpaired {} ({})", a.name, a.id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
