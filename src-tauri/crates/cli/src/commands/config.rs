//! `config get|set`: the settings, through the agent when one runs.

use std::process::ExitCode;

use crate::cli::ConfigCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, cmd: ConfigCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        ConfigCmd::Get { name } => {
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
        ConfigCmd::Set { name, value } => {
            let settings = ctx.with_backend(Need::Index, |b| b.settings_set(&name, &value))?;
            if out.json {
                out.result(&settings);
            } else {
                println!("{name} = {}", settings.get(&name)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
