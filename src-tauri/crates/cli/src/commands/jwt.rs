//! `jwt mint|verify|inspect`: JSON Web Tokens, minted in the agent when one serves the vault.

use std::process::ExitCode;

use keyward_crypto::{jwt, PublicKey};
use keyward_vault::api::{MintOptions, VerifyOptions};

use crate::cli::{JwtCmd, MintArgs};
use crate::context::{CliContext, Need};
use crate::error::Result;
use crate::secrets;

impl MintArgs {
    pub fn options(&self) -> keyward_vault::Result<MintOptions> {
        let mut claims = serde_json::Map::new();
        for c in &self.claims {
            let (k, v) = jwt::parse_claim(c)?;
            claims.insert(k, v);
        }
        Ok(MintOptions {
            mode: self.mode,
            alg: self.alg,
            exp_secs: self.exp.as_deref().map(jwt::parse_duration).transpose()?,
            max_exp_secs: self
                .max_exp
                .as_deref()
                .map(jwt::parse_duration)
                .transpose()?,
            use_kid: self.kid,
            registered_pem: None,
            aud: self.aud.clone(),
            sub: self.sub.clone(),
            nbf_in_secs: self.nbf.as_deref().map(jwt::parse_duration).transpose()?,
            jti: self.jti.as_ref().map(|j| {
                if j.is_empty() {
                    keyward_crypto::random_id(16)
                } else {
                    j.clone()
                }
            }),
            claims,
            body: self
                .body_file
                .as_deref()
                .map(secrets::read_limited)
                .transpose()?,
        })
    }
}

fn token_arg(t: &str) -> Result<String> {
    if t == "-" {
        Ok(secrets::read_text("-")?.trim().to_string())
    } else {
        Ok(t.to_string())
    }
}

pub fn run(ctx: &CliContext, cmd: JwtCmd) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        JwtCmd::Mint(a) => {
            let opts = a.options()?;
            let minted = ctx.with_backend(Need::Key, |b| {
                keyward_services::kind::mint(b, a.service.as_deref(), &a.key, opts)
            })?;
            if out.json {
                out.result(&minted);
            } else {
                println!("{}", minted.token);
            }
        }
        JwtCmd::Verify {
            token,
            key,
            pubkey_file,
            alg,
            iss,
            aud,
            leeway,
            require_exp,
        } => {
            let token = token_arg(&token)?;
            let options = VerifyOptions {
                algorithms: alg,
                iss,
                aud,
                leeway_secs: jwt::parse_duration(&leeway)?,
                require_exp,
            };
            let verified = match (key, pubkey_file) {
                (Some(k), _) => ctx.with_backend(Need::Index, |b| {
                    b.jwt_verify(keyward_vault::api::JwtVerifyRequest {
                        token: token.clone(),
                        key: Some(k),
                        pubkey: None,
                        options: options.clone(),
                    })
                })?,
                (None, Some(f)) => {
                    let pk = PublicKey::from_text(&secrets::read_text(&f)?, None)?;
                    jwt::verify(&token, &pk, &options, crate::context::unix_now())?
                }
                (None, None) => unreachable!("clap requires one"),
            };
            if out.json {
                out.result(&verified);
            } else {
                println!("valid {} token", verified.alg);
                for c in &verified.checks {
                    println!("  ok   {:<9} {}", c.id, c.detail);
                }
                for n in &verified.not_checked {
                    println!("  not checked: {n}");
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&verified.claims).expect("JSON")
                );
            }
        }
        JwtCmd::Inspect { token } => {
            let token = token_arg(&token)?;
            let i = jwt::inspect(&token, crate::context::unix_now())?;
            if out.json {
                out.result(&i);
            } else {
                println!("NOT VERIFIED: {}", i.note);
                println!("header: {}", i.header);
                println!(
                    "claims: {}",
                    serde_json::to_string_pretty(&i.claims).expect("JSON")
                );
                if let Some(e) = i.expires_in_secs {
                    if e > 0 {
                        println!("expires in {e} s");
                    } else {
                        println!("expired {} s ago", -e);
                    }
                }
                if let Some(h) = &i.engine_key_hash {
                    println!("Engine key hash: {h}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
