//! `verify`: a signature against a vault key, an address or a public key.

use std::process::ExitCode;

use keyward_vault::api::VerifyRequest;

use crate::cli::VerifyArgs;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

pub fn run(ctx: &CliContext, a: VerifyArgs) -> Result<ExitCode> {
    let out = &ctx.out;
    let scheme = a.scheme;
    let input = a.input.input()?;
    let verdict = match a.key {
        Some(key) => ctx.with_backend(Need::Index, |b| {
            b.key_verify(VerifyRequest {
                scheme,
                input,
                signature: a.signature,
                key: Some(key),
                address: None,
                pubkey: None,
                pubkey_alg: None,
            })
        })?,
        // No vault needed: everything is given.
        None => VerifyRequest {
            scheme,
            input,
            signature: a.signature,
            key: None,
            address: a.address,
            pubkey: a.pubkey.as_deref().map(pubkey_text).transpose()?,
            pubkey_alg: a.pubkey_alg,
        }
        .verify(None)?,
    };
    if out.json {
        out.result(&verdict);
    } else if verdict.valid {
        println!("valid: {}", verdict.reason);
    } else {
        println!("INVALID: {}", verdict.reason);
    }
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads `--pubkey`: a path to a file when one exists, else the text itself.
fn pubkey_text(p: &str) -> Result<String> {
    if !p.trim_start().starts_with("-----") && std::path::Path::new(p).is_file() {
        return Ok(secrets::read_text(p)?);
    }
    Ok(p.to_string())
}
