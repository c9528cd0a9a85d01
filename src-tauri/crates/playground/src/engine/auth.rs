//! Engine's auth hook (`middleware/auth.ts`), as `PROTOCOLS.md` §2.1 describes it.
//!
//! Order of decisions for a protected route:
//! 1. `Authorization` is split on single spaces and must give exactly two parts; the second is
//!    the token (the scheme word is not checked).
//! 2. The token is read as a JWT *without* verification. If its payload has a non-empty string
//!    `iss`: equal to [`AUTH_WALLET_ADDRESS`] → access-token path; anything else → keypair path
//!    with `iss` as the public-key PEM. Else, a non-empty string header `kid` → keypair path with
//!    `kid` as the key hash. A keypair or access-token path decides alone: it never falls back.
//! 3. Otherwise the token is compared with the admin token (`THIRDWEB_API_SECRET_KEY`).

use axum::http::{HeaderValue, Method};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::keys::{self, KeyAlgorithm};
use super::{Engine, AUTH_WALLET_ADDRESS};
use crate::http::ApiError;
use crate::jsjson;

/// Who is calling.
#[derive(Clone, Debug)]
pub(crate) enum Caller {
    /// The admin token or an access token: full access, and a user address.
    User { address: String },
    /// A keypair JWT: full access, but no user (`req.user` stays null in Engine).
    Keypair,
}

pub const UNAUTHORIZED: &str = "Unauthorized";
pub const KEY_NOT_FOUND: &str = "The provided public key is incorrect or not added to Engine.";
pub const EXPIRED: &str = "Keypair token is expired.";
pub const NOT_YET_VALID: &str = "Keypair token is not valid yet.";
pub const INVALID: &str = "Invalid keypair token.";

/// Authenticates one request. `body` is the parsed JSON body of a POST (None when empty).
pub(crate) fn authenticate(
    engine: &Engine,
    method: &Method,
    authorization: Option<&HeaderValue>,
    body: Option<&Value>,
) -> Result<Caller, ApiError> {
    let token = authorization
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let parts: Vec<&str> = value.split(' ').collect();
            match parts.as_slice() {
                [_, token] => Some(*token),
                _ => None,
            }
        })
        .ok_or_else(|| ApiError::unauthorized(UNAUTHORIZED))?;

    if let Some(jwt) = keys::decode_unverified(token) {
        let iss = jwt.payload.get("iss");
        let iss_truthy = match iss {
            None | Some(Value::Null) | Some(Value::Bool(false)) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            Some(_) => true,
        };
        if iss_truthy {
            return match iss {
                Some(Value::String(iss)) if iss == AUTH_WALLET_ADDRESS => engine
                    .access_token_user(token)
                    .map(|address| Caller::User { address }),
                Some(Value::String(pem)) => {
                    keypair(engine, method, token, &hex_sha256(pem.as_bytes()), body)
                }
                // A non-string `iss` hashes to nothing that `add` could have stored.
                _ => keypair(engine, method, token, "", body),
            };
        }
        if let Some(kid) = jwt.header.get("kid").and_then(Value::as_str) {
            if !kid.is_empty() {
                return keypair(engine, method, token, kid, body);
            }
        }
    }

    if engine.is_admin_token(token) {
        return Ok(Caller::User {
            address: AUTH_WALLET_ADDRESS.to_owned(),
        });
    }
    Err(ApiError::unauthorized(UNAUTHORIZED))
}

/// `handleKeypairAuth`: `hash` is hex(SHA-256(`iss` as sent)) or the `kid` header.
fn keypair(
    engine: &Engine,
    method: &Method,
    token: &str,
    hash: &str,
    body: Option<&Value>,
) -> Result<Caller, ApiError> {
    if !engine.keypair_auth {
        return Err(ApiError::unauthorized(UNAUTHORIZED));
    }
    let (pem, algorithm) = engine
        .keypair_by_hash(hash)
        .ok_or_else(|| ApiError::unauthorized(KEY_NOT_FOUND))?;

    // `jsonwebtoken.verify(jwt, pem, { algorithms: [stored] })`: the header's `alg` must be the
    // registered one (verify() checks it again for the algorithms it knows).
    let header_alg = keys::decode_unverified(token).and_then(|jwt| {
        jwt.header
            .get("alg")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if header_alg.as_deref().and_then(KeyAlgorithm::parse) != Some(algorithm) {
        return Err(ApiError::unauthorized(INVALID));
    }
    let claims =
        keys::verify(token, &pem, algorithm).ok_or_else(|| ApiError::unauthorized(INVALID))?;
    let Value::Object(claims) = claims else {
        return Err(ApiError::unauthorized(INVALID));
    };

    // node-jsonwebtoken 9 with clockTolerance 0: a present claim must be a number; not before
    // `nbf` (now < nbf fails), expired at `exp` (now >= exp fails); `now` is whole seconds.
    let now = engine.clock.unix_secs() as f64;
    let number = |name: &str| -> Result<Option<f64>, ApiError> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(ApiError::unauthorized(INVALID)),
        }
    };
    let nbf = number("nbf")?;
    number("iat")?;
    let exp = number("exp")?;
    if nbf.is_some_and(|nbf| now < nbf) {
        return Err(ApiError::unauthorized(NOT_YET_VALID));
    }
    if exp.is_some_and(|exp| now >= exp) {
        return Err(ApiError::unauthorized(EXPIRED));
    }

    if *method == Method::POST {
        check_body_hash(claims.get("bodyHash"), body)?;
    }
    Ok(Caller::Keypair)
}

/// `bodyHash`, when truthy, must be hex(SHA-256(JSON.stringify(parsed body))).
fn check_body_hash(claim: Option<&Value>, body: Option<&Value>) -> Result<(), ApiError> {
    let claimed = match claim {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(()),
        Some(Value::String(s)) if s.is_empty() => return Ok(()),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => return Ok(()),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let Some(body) = body else {
        return Err(ApiError::unauthorized(format!(
            "Invalid body hash. The request has no JSON body but the token's bodyHash is {claimed}."
        )));
    };
    let computed = hex_sha256(jsjson::stringify(body).as_bytes());
    if claim.and_then(Value::as_str) == Some(computed.as_str()) {
        Ok(())
    } else {
        Err(ApiError::unauthorized(format!(
            "Invalid body hash. Expected {computed} but got {claimed}."
        )))
    }
}

pub fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
