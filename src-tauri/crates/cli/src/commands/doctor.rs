//! `doctor`: cross-checks the index against the keychain, and repairs what it can.

use std::process::ExitCode;

use crate::context::CliContext;
use crate::error::Result;

pub fn run(ctx: &CliContext, repair: bool, yes: bool) -> Result<ExitCode> {
    let out = &ctx.out;
    if !repair {
        let vault = ctx.open_existing()?;
        let report = vault.doctor()?;
        out.doctor(&report);
        if !report.healthy {
            return Ok(ExitCode::from(3));
        }
    } else {
        let mut vault = ctx.open()?;
        ctx.unlock_local(&mut vault)?;
        let report = vault.repair(yes);
        vault.release();
        let report = report?;
        out.repair(&report);
        if !report.after.healthy {
            return Ok(ExitCode::from(3));
        }
    }
    Ok(ExitCode::SUCCESS)
}
