//! thirdweb Engine (self-hosted v2): keypair authentication and the admin endpoints
//! (PROTOCOLS.md §2). The client speaks the wire; the functions below it are the flows the
//! shells offer, on a [`Backend`] so the vault (or its agent) holds every secret and signs.
//!
//! Profile settings (JSON, public): `maxExpSecs` (ceiling on minted lifetimes, default 300),
//! `paths` (overrides of the admin paths below), `headers.authorization` (the header that
//! carries the bearer), and `keypairs`: for each registered vault key, the hash, the exact PEM
//! and the algorithm Engine returned, so tokens name the key exactly as Engine stored it.
//! Credentials: `admin-token` (an Engine access token or the secret key: what the admin
//! endpoints need) and `access-token:<id>` for each access token created through Keyward.

mod admin;
mod client;

pub use admin::EngineTokens;
pub use client::EngineClient;

use crate::error::{Result, ServiceError};
use crate::http::HttpClient;
use keyward_core::Secret;
use keyward_crypto::jwt::{self, MintOptions, Minted, Mode};
use keyward_crypto::sign::JwsAlg;
use keyward_crypto::{KeyAlg, PublicFormat};
use keyward_vault::api::Profile;
use keyward_vault::Backend;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub const KIND: &str = "engine";
/// The credential the admin endpoints are called with.
pub const ADMIN_TOKEN: &str = "admin-token";

/// Admin paths (PROTOCOLS.md §2.2); a profile may override any of them under `paths`.
pub const DEFAULT_PATHS: [(&str, &str); 8] = [
    ("health", "/system/health"),
    ("keypairAdd", "/auth/keypair/add"),
    ("keypairList", "/auth/keypair/get-all"),
    ("keypairRemove", "/auth/keypair/remove"),
    ("tokenCreate", "/auth/access-tokens/create"),
    ("tokenList", "/auth/access-tokens/get-all"),
    ("tokenRevoke", "/auth/access-tokens/revoke"),
    ("tokenUpdate", "/auth/access-tokens/update"),
];

/// A keypair as Engine returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Keypair {
    pub hash: String,
    pub public_key: String,
    pub algorithm: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The vault key this keypair is, when Keyward knows it (not part of Engine's answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub vault_key: Option<String>,
}

/// An access token's public data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub id: String,
    pub token_mask: String,
    #[serde(default)]
    pub wallet_address: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    /// Whether Keyward holds the token itself (created through Keyward).
    #[serde(default)]
    pub stored: bool,
}

/// `GET /system/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    #[serde(default)]
    pub engine_version: Option<String>,
    #[serde(default)]
    pub engine_tier: Option<String>,
    #[serde(default)]
    pub features: Vec<String>,
    /// Whether `KEYPAIR_AUTH` is among the features.
    #[serde(default)]
    pub keypair_auth: bool,
    /// Server clock minus ours (seconds), from the `Date` header.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub clock_offset_secs: Option<i64>,
}

/// The answer to an endpoint call.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CallResult {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The body as JSON when it is JSON, else as text.
    #[ts(type = "unknown")]
    pub body: Value,
    /// The token's claims (never the token itself).
    // A JSON object: the minted token's claims.
    #[ts(type = "Record<string, unknown>")]
    pub token_claims: Value,
    #[ts(type = "number")]
    pub token_expires_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "number", optional)]
    pub clock_offset_secs: Option<i64>,
    /// A warning worth showing (clock skew behind a 401).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub warning: Option<String>,
}

// ---- flows on a Backend -------------------------------------------------------------------

/// Creates an Engine profile; `admin_token` (if given) is sealed as its `admin-token`.
pub fn add_profile(
    b: &mut dyn Backend,
    name: &str,
    base_url: &str,
    admin_token: Option<Secret>,
    max_exp_secs: Option<u64>,
) -> Result<Profile> {
    let url = base_url.trim().trim_end_matches('/');
    // http:// only to this machine: anywhere else the admin token would cross the network
    // in clear text.
    let local = url::Url::parse(url).is_ok_and(|u| {
        u.scheme() == "http"
            && match u.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            }
    });
    if !(local || url.starts_with("https://")) {
        return Err(ServiceError::BadProfile(
            "the URL starts with https:// (http:// only for a service on this machine: 127.0.0.1, localhost or [::1])".into(),
        ));
    }
    let settings = json!({
        "maxExpSecs": max_exp_secs.unwrap_or(jwt::DEFAULT_MAX_EXP_SECS),
        "keypairs": {},
    });
    b.profile_put(
        Profile {
            name: name.to_string(),
            kind: KIND.to_string(),
            base_url: url.to_string(),
            settings,
            credentials: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        },
        true,
    )?;
    if let Some(t) = admin_token {
        b.credential_put(name, ADMIN_TOKEN, t)?;
    }
    Ok(b.profile_get(name)?)
}

fn engine_profile(b: &mut dyn Backend, name: &str) -> Result<Profile> {
    let p = b.profile_get(name)?;
    if p.kind != KIND {
        return Err(ServiceError::BadProfile(format!(
            "{name} is a {} profile, not an Engine one",
            p.kind
        )));
    }
    Ok(p)
}

fn admin(b: &mut dyn Backend, profile: &str) -> Result<Secret> {
    Ok(b.credential_get(profile, ADMIN_TOKEN)?)
}

/// The Engine algorithm name for a key (what it registers and signs with).
pub fn default_alg(alg: KeyAlg) -> Result<JwsAlg> {
    match alg {
        KeyAlg::P256 => Ok(JwsAlg::ES256),
        KeyAlg::P384 => Ok(JwsAlg::ES384),
        a if a.is_rsa() => Ok(JwsAlg::RS256),
        other => Err(keyward_crypto::CryptoError::Jwt {
            code: "jwt.alg_not_in_mode",
            msg: format!("thirdweb Engine accepts no {other} keys (RS*, ES256, ES384, PS* only)"),
        }
        .into()),
    }
}

fn key_alg(b: &mut dyn Backend, key: &str) -> Result<(String, KeyAlg)> {
    let d = b.key_show(key)?;
    Ok((d.info.id.clone(), KeyAlg::parse(&d.info.alg)?))
}

/// Registers a vault key's public key with Engine and remembers Engine's copy of it.
pub fn register_key(
    b: &mut dyn Backend,
    http: &dyn HttpClient,
    profile: &str,
    key: &str,
    label: Option<&str>,
    alg: Option<JwsAlg>,
) -> Result<Keypair> {
    let mut p = engine_profile(b, profile)?;
    let (key_id, kalg) = key_alg(b, key)?;
    let alg = match alg {
        Some(a) if jwt::ENGINE_ALGS.contains(&a) && a.fits(kalg) => a,
        Some(a) => {
            return Err(keyward_crypto::CryptoError::JwsAlgNotForKey {
                jws: a.as_str().into(),
                alg: kalg.to_string(),
            }
            .into())
        }
        None => default_alg(kalg)?,
    };
    let pem = b.key_export(&key_id, PublicFormat::Pem)?.trim().to_string();
    let admin = admin(b, profile)?;
    let client = EngineClient::new(http, &p)?;
    let kp = match client.keypair_add(admin.expose(), &pem, alg.as_str(), label) {
        Ok(kp) => kp,
        // Already there (added before, or by someone else): take Engine's record of it.
        Err(ServiceError::Status { code: Some(c), .. }) if c == "PUBLIC_KEY_EXISTS" => {
            let hash = jwt::engine_key_hash(&pem);
            client
                .keypair_list(admin.expose())?
                .into_iter()
                .find(|k| k.hash == hash)
                .ok_or_else(|| {
                    ServiceError::BadResponse(
                        "Engine says the key exists but does not list it".into(),
                    )
                })?
        }
        Err(e) => return Err(e),
    };
    let settings = p
        .settings
        .as_object_mut()
        .ok_or_else(|| ServiceError::BadProfile("settings are not an object".into()))?;
    let kps = settings.entry("keypairs").or_insert_with(|| json!({}));
    kps[key_id.as_str()] =
        json!({"hash": kp.hash, "publicKey": kp.public_key, "algorithm": kp.algorithm});
    b.profile_put(p, false)?;
    Ok(Keypair {
        vault_key: Some(key_id),
        ..kp
    })
}

/// Engine's keypairs, each marked with the vault key it is when Keyward registered it.
pub fn list_keypairs(
    b: &mut dyn Backend,
    http: &dyn HttpClient,
    profile: &str,
) -> Result<Vec<Keypair>> {
    let p = engine_profile(b, profile)?;
    let admin = admin(b, profile)?;
    let mut list = EngineClient::new(http, &p)?.keypair_list(admin.expose())?;
    if let Some(Value::Object(kps)) = p.settings.get("keypairs") {
        for k in &mut list {
            k.vault_key = kps
                .iter()
                .find(|(_, v)| v.get("hash").and_then(Value::as_str) == Some(k.hash.as_str()))
                .map(|(id, _)| id.clone());
        }
    }
    Ok(list)
}

/// Removes a keypair from Engine, by hash or by the vault key it is.
pub fn remove_keypair(
    b: &mut dyn Backend,
    http: &dyn HttpClient,
    profile: &str,
    hash_or_key: &str,
) -> Result<String> {
    let mut p = engine_profile(b, profile)?;
    let kps = p
        .settings
        .get("keypairs")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let hash = if hash_or_key.len() == 64 && hash_or_key.bytes().all(|c| c.is_ascii_hexdigit()) {
        hash_or_key.to_string()
    } else {
        let (id, _) = key_alg(b, hash_or_key)?;
        kps.get(&id)
            .and_then(|v| v.get("hash"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_default()
    };
    if hash.is_empty() {
        return Err(ServiceError::BadProfile(format!(
            "{hash_or_key} is not registered with {profile}"
        )));
    }
    let admin = admin(b, profile)?;
    EngineClient::new(http, &p)?.keypair_remove(admin.expose(), &hash)?;
    if let Some(Value::Object(o)) = p.settings.get_mut("keypairs") {
        o.retain(|_, v| v.get("hash").and_then(Value::as_str) != Some(hash.as_str()));
    }
    b.profile_put(p, false)?;
    Ok(hash)
}

/// Mint options for `key` against this Engine profile: the PEM and algorithm Engine stored
/// when the key was registered, and the profile's lifetime ceiling.
pub fn mint_options(
    b: &mut dyn Backend,
    profile: &str,
    key: &str,
    mut opts: MintOptions,
) -> Result<MintOptions> {
    let p = engine_profile(b, profile)?;
    let (id, _) = key_alg(b, key)?;
    opts.mode = Mode::Engine;
    if let Some(m) = p.settings.get("maxExpSecs").and_then(Value::as_u64) {
        opts.max_exp_secs = Some(opts.max_exp_secs.map_or(m, |o| o.min(m)));
    }
    if let Some(kp) = p.settings.pointer(&format!("/keypairs/{id}")) {
        opts.registered_pem = kp
            .get("publicKey")
            .and_then(Value::as_str)
            .map(str::to_string);
        if opts.alg.is_none() {
            opts.alg = kp
                .get("algorithm")
                .and_then(Value::as_str)
                .and_then(JwsAlg::parse);
        }
    }
    Ok(opts)
}

/// An endpoint to call: method, path and an optional JSON body.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub data: Option<&'a [u8]>,
}

/// Calls an endpoint with a fresh keypair JWT from `key`; a JSON body is sent compact, as its
/// `bodyHash` was computed.
pub fn call(
    b: &mut dyn Backend,
    http: &dyn HttpClient,
    profile: &str,
    key: &str,
    endpoint: Endpoint<'_>,
    base: MintOptions,
) -> Result<CallResult> {
    let Endpoint { method, path, data } = endpoint;
    let p = engine_profile(b, profile)?;
    let method = method.to_ascii_uppercase();
    let mut opts = mint_options(b, profile, key, base)?;
    let body = match data {
        Some(d) => {
            let (_, compact) = jwt::body_hash(d)?;
            // Engine checks bodyHash on POST only; binding it costs nothing elsewhere.
            opts.body = Some(d.to_vec());
            Some(compact.into_bytes())
        }
        None => None,
    };
    let minted: Minted = b.jwt_mint(key, opts)?;
    let r = EngineClient::new(http, &p)?.call(&method, path, &minted.token, body)?;
    let body = serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&r.body).into_owned()));
    let warning = match (r.status, r.skew()) {
        (401, Some(e)) => Some(format!(
            "{e}: the token may have arrived already expired (clock.skew)"
        )),
        _ => None,
    };
    Ok(CallResult {
        method,
        path: path.to_string(),
        status: r.status,
        body,
        token_claims: minted.claims,
        token_expires_at: minted.expires_at,
        clock_offset_secs: r.clock_offset_secs,
        warning,
    })
}

/// The health of the profile's Engine; `NotSupported` when keypair auth is off is left to the
/// caller (the answer says so in `keypair_auth`).
pub fn health(b: &mut dyn Backend, http: &dyn HttpClient, profile: &str) -> Result<Health> {
    let p = engine_profile(b, profile)?;
    EngineClient::new(http, &p)?.health()
}
