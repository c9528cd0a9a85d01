//! `sign`: a message or digest, signed in the agent when one serves the vault, else here after
//! an unlock.

use std::process::ExitCode;

use keyward_vault::api::{Encoding, SignRequest};

use crate::args::EncodingArg;
use crate::cli::SignArgs;
use crate::context::{CliContext, Need};
use crate::error::Result;

pub fn run(ctx: &CliContext, a: SignArgs) -> Result<ExitCode> {
    let out = &ctx.out;
    let req = SignRequest {
        key: a.key,
        scheme: a.scheme.lib(),
        input: a.input.input()?,
        encoding: match a.encoding {
            EncodingArg::Der => Encoding::Der,
            EncodingArg::Rs => Encoding::Rs,
        },
    };
    let sig = ctx.with_backend(Need::Key, |b| b.key_sign(req))?;
    if out.json {
        out.result(&sig);
    } else {
        println!("{}", sig.signature);
    }
    Ok(ExitCode::SUCCESS)
}
