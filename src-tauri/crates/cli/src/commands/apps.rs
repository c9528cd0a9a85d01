//! `apps list|unpair`: the apps paired with the endpoint, through the agent when one runs.

use std::process::ExitCode;

use keyward_approval::endpoint::EndpointError;
use keyward_vault::at_text as when;
use keyward_vault::Backend;

use crate::cli::AppsCmd;
use crate::context::{CliContext, Need};

/// Apps and grants through the context; their errors print as the endpoint's.
fn with_backend<T>(
    ctx: &CliContext,
    f: impl FnOnce(&mut dyn Backend) -> keyward_vault::Result<T>,
) -> Result<T, EndpointError> {
    Ok(ctx.with_backend(Need::Index, f)?)
}

pub fn run(ctx: &CliContext, cmd: AppsCmd) -> ExitCode {
    let out = &ctx.out;
    let r = match cmd {
        AppsCmd::List => with_backend(ctx, |b| b.app_list()).map(|apps| {
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
            ExitCode::SUCCESS
        }),
        AppsCmd::Unpair { app } => with_backend(ctx, |b| b.app_unpair(&app)).map(|a| {
            if out.json {
                out.result(&a);
            } else {
                println!("unpaired {} ({})", a.name, a.id);
            }
            ExitCode::SUCCESS
        }),
    };
    out.finish(r)
}
