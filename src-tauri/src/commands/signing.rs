//! Signing, verifying and JWT commands: the Sign and Tokens screens. Each maps its arguments
//! onto one vault call (or, for a token minted for an Engine profile, onto
//! `keyward_services::engine::mint_options` first, so `iss` is the PEM Engine stored). Nothing
//! secret comes back: signatures and minted tokens are the product's output.

use keyward_crypto::jwt::{self, Inspected};
use keyward_services::{engine, ServiceError};
use keyward_vault::api::{
    JwtVerifyRequest, MintOptions, Minted, SignRequest, Signature, Verdict, Verified, VerifyRequest,
};
use keyward_vault::Backend;

use crate::state::{unlocked, with_backend, with_vault, AppState, CmdResult};

/// Signs, if the key's usage policy allows the scheme (logged with the digest, never the input).
#[tauri::command]
pub async fn key_sign(state: tauri::State<'_, AppState>, req: SignRequest) -> CmdResult<Signature> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_sign(req)
    })
    .await
}

/// Verifies a signature against a vault key, an address or a public key given as text.
#[tauri::command]
pub async fn key_verify(
    state: tauri::State<'_, AppState>,
    req: VerifyRequest,
) -> CmdResult<Verdict> {
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.key_verify(req)
    })
    .await
}

/// Mints a JWT. `body` (JSON text) is bound by `bodyHash`; with `profile` (an Engine profile)
/// the token names the key by the PEM and algorithm Engine stored when it was registered.
#[tauri::command]
pub async fn jwt_mint(
    state: tauri::State<'_, AppState>,
    key: String,
    options: MintOptions,
    body: Option<String>,
    profile: Option<String>,
) -> CmdResult<Minted> {
    let mut options = options;
    options.body = body
        .filter(|b| !b.trim().is_empty())
        .map(String::into_bytes);
    with_backend(&state, move |v| -> Result<Minted, ServiceError> {
        unlocked(v)?;
        let options = match profile.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => engine::mint_options(v, p, &key, options)?,
            None => options,
        };
        Ok(v.jwt_mint(&key, options)?)
    })
    .await
}

/// Verifies a JWT against a vault key or a public key given as text; says what was checked.
#[tauri::command]
pub async fn jwt_verify(
    state: tauri::State<'_, AppState>,
    req: JwtVerifyRequest,
) -> CmdResult<Verified> {
    let mut req = req;
    req.token = bare_token(&req.token).to_string();
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.jwt_verify(req)
    })
    .await
}

/// Decodes a JWT WITHOUT verifying it (no vault needed).
#[tauri::command]
pub async fn jwt_inspect(token: String) -> CmdResult<Inspected> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(jwt::inspect(bare_token(&token), now)?)
}

/// A token as pasted: surrounding space and a leading `Bearer ` (or a whole
/// `Authorization: Bearer` header) are not part of it.
fn bare_token(t: &str) -> &str {
    let t = t.trim();
    let t = t
        .strip_prefix("Authorization:")
        .or_else(|| t.strip_prefix("authorization:"))
        .map(str::trim_start)
        .unwrap_or(t);
    t.strip_prefix("Bearer ")
        .or_else(|| t.strip_prefix("bearer "))
        .map(str::trim)
        .unwrap_or(t)
}
