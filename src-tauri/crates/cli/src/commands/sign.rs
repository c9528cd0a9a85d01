//! `sign`: a message or digest, signed in the agent when one serves the vault, else here after
//! an unlock.

use std::process::ExitCode;

use keyward_vault::api::SignRequest;

use crate::cli::SignArgs;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, a: SignArgs) -> Result<ExitCode> {
    let out = &ctx.out;
    let req = SignRequest {
        key: a.key,
        scheme: a.scheme,
        input: a.input.input()?,
        encoding: a.encoding,
    };
    let sig = ctx.with_backend(Need::Key, |b| b.key_sign(req))?;
    if out.json {
        out.result(&sig);
    } else {
        println!("{}", sig.signature);
    }
    Ok(ExitCode::SUCCESS)
}
