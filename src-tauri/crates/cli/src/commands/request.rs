//! `request …`: a small client that acts as a third-party app: pairs with the endpoint and
//! asks it for signatures and JWTs.

use std::process::ExitCode;

use keyward_approval::decode::escape_field;
use keyward_approval::endpoint::{self, Client, Credentials, EndpointError};
use keyward_approval::request::{JwtTemplate, Kind};
use keyward_crypto::sign::{JwsAlg, Scheme};
use serde_json::json;

use crate::args::{default_url, Conn};
use crate::cli::RequestCmd;
use crate::context::{unix_now, CliContext};
use crate::error::{usage, Result};
use crate::output::Out;

/// The client fails with the endpoint's own errors, printed as the endpoint words them.
pub fn run(ctx: &CliContext, cmd: RequestCmd) -> Result<ExitCode> {
    Ok(request(cmd, &ctx.out)?)
}

fn request(cmd: RequestCmd, out: &Out) -> Result<ExitCode, EndpointError> {
    match cmd {
        RequestCmd::Status { url, credentials } => {
            let creds = credentials.as_deref().map(Credentials::load).transpose()?;
            let url = url
                .or_else(|| creds.as_ref().map(|c| c.url.clone()))
                .unwrap_or_else(default_url);
            let pinned = creds.as_ref().map(key_of).transpose()?;
            let st = Client::new(&url)?.status(pinned.as_ref())?;
            if out.json {
                out.result(&st);
            } else {
                println!(
                    "{} {} at {url}: {}",
                    st.service,
                    st.version,
                    if st.locked { "locked" } else { "unlocked" }
                );
            }
        }
        RequestCmd::Link { link, url, check } => {
            if check {
                let parsed = keyward_approval::endpoint::link::parse(&link, true, unix_now())?;
                if out.json {
                    out.result(&parsed);
                } else {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&parsed).unwrap_or_default()
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let url = url.unwrap_or_else(default_url);
            let outcome = Client::new(&url)?.open_link(&link, None)?;
            if out.json {
                out.result(&outcome);
            } else {
                // The answer went to the link's callback only: that is what the user was told.
                match (&outcome.delivered, &outcome.delivery_error) {
                    (Some(status), _) => {
                        println!(
                            "approved; the answer was posted to the link's callback: HTTP {status}"
                        )
                    }
                    (_, Some(e)) => eprintln!(
                        "approved, but not delivered to the link's callback: {}",
                        escape_field(e)
                    ),
                    _ => println!("approved"),
                }
            }
        }
        RequestCmd::Pair {
            name,
            save,
            keys,
            url,
        } => {
            if save.exists() {
                return Err(usage(format!(
                    "{} exists; choose a new file",
                    save.display()
                )));
            }
            let url = url.unwrap_or_else(default_url);
            let json = out.json;
            let creds = Client::new(&url)?.pair(&name, keys, |code| {
                if json {
                    println!("{}", json!({"event": "code", "code": code}));
                } else {
                    eprintln!("pairing code {code}: check that Keyward shows the same, then approve there");
                }
            })?;
            creds.save(&save)?;
            if json {
                out.result(
                    &json!({"app_id": creds.app_id, "credentials": save.display().to_string()}),
                );
            } else {
                println!(
                    "paired as {} (app {}); credentials in {}",
                    name,
                    creds.app_id,
                    save.display()
                );
            }
        }
        RequestCmd::Sign {
            conn,
            key,
            scheme,
            message,
            hex,
            digest,
        } => {
            let scheme = Scheme::parse(&scheme).map_err(EndpointError::Crypto)?;
            let (kind, message, payload_hex) = match (message, hex, digest) {
                (Some(m), None, None) => (Kind::SignMessage { scheme }, Some(m), None),
                (None, Some(h), None) => (Kind::SignMessage { scheme }, None, Some(h)),
                (None, None, Some(d)) => (Kind::SignDigest { scheme }, None, Some(d)),
                _ => return Err(usage("give one of --message, --hex or --digest")),
            };
            ask(out, &conn, key, kind, message, payload_hex)?;
        }
        RequestCmd::Siwe {
            conn,
            key,
            message,
            message_file,
        } => {
            let text = match (message, message_file) {
                (Some(m), None) => m,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .map_err(|e| usage(format!("cannot read {}: {e}", f.display())))?,
                _ => return Err(usage("give --message or --message-file")),
            };
            ask(out, &conn, key, Kind::SiweLogin, Some(text), None)?;
        }
        RequestCmd::Jwt {
            conn,
            key,
            alg,
            aud,
            sub,
            claim,
            exp,
        } => {
            let alg = JwsAlg::parse(&alg)
                .ok_or_else(|| usage(format!("unknown JWT algorithm {alg:?}")))?;
            let exp_secs = keyward_crypto::jwt::parse_duration(&exp)?;
            let mut claims = serde_json::Map::new();
            for c in &claim {
                let (k, v) = keyward_crypto::jwt::parse_claim(c)?;
                claims.insert(k, v);
            }
            let template = JwtTemplate {
                alg,
                aud,
                sub,
                claims,
                exp_secs,
            };
            ask(out, &conn, key, Kind::MintJwt { template }, None, None)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn key_of(c: &Credentials) -> Result<[u8; 32], EndpointError> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&c.endpoint_key)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| usage("the credentials' endpoint key is not 32 bytes"))
}

fn ask(
    out: &Out,
    conn: &Conn,
    key: String,
    kind: Kind,
    message: Option<String>,
    payload_hex: Option<String>,
) -> Result<(), EndpointError> {
    let creds = Credentials::load(&conn.credentials)?;
    let body = endpoint::wire::AskBody {
        key,
        kind,
        message,
        payload_hex,
        origin: conn.origin.clone(),
        ttl_secs: Some(conn.ttl),
    };
    let answer = Client::new(&creds.url)?.ask(&creds, &body)?;
    if out.json {
        out.result(&answer);
    } else if let Some(t) = &answer.token {
        println!("{t}");
    } else if let Some(s) = &answer.signature {
        println!("{s}");
    }
    Ok(())
}
