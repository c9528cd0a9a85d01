//! Signing, verifying and JWT commands: the Sign and Tokens screens. Each maps its arguments
//! onto one vault call (or, for a token minted for an Engine profile, onto
//! `keyward_services::kind::mint`, so `iss` is the PEM Engine stored). Nothing
//! secret comes back: signatures and minted tokens are the product's output.

use keyward_crypto::jwt::{self, Inspected};
use keyward_services::{kind, ServiceError};
use keyward_vault::api::{
    JwtVerifyRequest, MintOptions, Minted, SignRequest, Signature, Verdict, Verified, VerifyRequest,
};
use keyward_vault::Backend;

use crate::state::{now, unlocked, with_backend, with_vault, AppState, CmdResult};

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
        kind::mint(v, profile.as_deref(), &key, options)
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
    req.token = jwt::bare_token(&req.token).to_string();
    with_vault(&state, move |v| {
        unlocked(v)?;
        v.jwt_verify(req)
    })
    .await
}

/// Decodes a JWT WITHOUT verifying it (no vault needed).
#[tauri::command]
pub async fn jwt_inspect(token: String) -> CmdResult<Inspected> {
    Ok(jwt::inspect(&token, now())?)
}
