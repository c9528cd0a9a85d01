//! `siwe build|sign|verify`: Sign-In with Ethereum (EIP-4361) messages.

use std::process::ExitCode;

use keyward_crypto::sign;
use keyward_crypto::{jwt, siwe, CryptoError};
use keyward_vault::api::Scheme;

use crate::cli::SiweCmd;
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

fn now() -> time::OffsetDateTime {
    use keyward_core::Clock;
    time::OffsetDateTime::from_unix_timestamp_nanos(keyward_core::SystemClock.now_nanos())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

pub fn run(ctx: &CliContext, cmd: SiweCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        SiweCmd::Build {
            domain,
            address,
            key,
            uri,
            chain_id,
            statement,
            nonce,
            expires_in,
            scheme,
            request_id,
            resources,
        } => {
            let address = match (address, key) {
                (Some(a), _) => a,
                (None, Some(k)) => ctx
                    .with_backend(Need::Index, |b| {
                        b.key_export(&k, keyward_crypto::PublicFormat::Eth)
                    })?
                    .trim()
                    .to_string(),
                (None, None) => unreachable!("clap requires one"),
            };
            let expiration_time = match expires_in {
                Some(d) => Some(now() + time::Duration::seconds(jwt::parse_duration(&d)? as i64)),
                None => None,
            };
            let msg = siwe::build(siwe::SiweParams {
                scheme,
                domain,
                address,
                statement,
                uri,
                chain_id,
                nonce,
                issued_at: None,
                expiration_time,
                not_before: None,
                request_id,
                resources,
            })
            .map_err(CryptoError::from)?;
            if out.json {
                out.result(&serde_json::json!({"message": msg.to_message(), "fields": msg}));
            } else {
                print!("{}", msg.to_message());
                if atty_stdout() {
                    println!();
                }
            }
        }
        SiweCmd::Sign { key, message_file } => {
            let text = secrets::read_text(&message_file)?;
            let signed = ctx.with_backend(Need::Key, |b| b.siwe_sign(&key, &text))?;
            if out.json {
                out.result(&signed);
            } else {
                println!("{}", signed.signature);
            }
        }
        SiweCmd::Verify {
            message_file,
            signature,
            domain,
            nonce,
            origin,
        } => {
            let text = secrets::read_text(&message_file)?;
            let msg = siwe::parse(&text).map_err(CryptoError::from)?;
            let sig = sign::decode_signature(Scheme::Eip191, &signature)?;
            let verdict = siwe::verify(
                &msg,
                &sig,
                &siwe::VerifyOpts {
                    domain,
                    nonce,
                    now: now(),
                    origin,
                },
            );
            if out.json {
                out.result(&verdict);
            } else {
                for c in &verdict.checks {
                    println!(
                        "{} {:<11} {}",
                        if c.ok { "ok  " } else { "FAIL" },
                        c.id,
                        c.detail
                    );
                }
                println!("{}", if verdict.valid { "valid" } else { "INVALID" });
            }
            if !verdict.valid {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether standard output is a terminal (a message printed there gets a final newline; piped,
/// it is byte-exact).
fn atty_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}
