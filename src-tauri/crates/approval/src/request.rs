//! What a third-party app asks for.
//!
//! Times are unix seconds (`i64`) throughout the crate: requests, decisions and grants take
//! `now` as an argument, so every deadline can be tested with a fixed clock.

use keyward_crypto::sign::{JwsAlg, Scheme, Usage};
use keyward_crypto::KeyAlg;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Who asks. `name` is the name the app paired with; `exe` and `pid` are known only when the
/// peer can be identified (a Unix socket peer, a loopback connection mapped to its process).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct AppIdentity {
    /// The paired name (chosen by the app: shown, never trusted as proof).
    pub name: String,
    /// The executable, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exe: Option<PathBuf>,
    /// The process id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pid: Option<u32>,
}

impl AppIdentity {
    /// Whether `other` is the same app for history and grants: same paired name and, when
    /// both know it, the same executable. The pid is not compared (it changes every run).
    pub fn same_app(&self, other: &AppIdentity) -> bool {
        self.name == other.name
            && match (&self.exe, &other.exe) {
                (Some(a), Some(b)) => a == b,
                (None, None) => true,
                // A grant made for a known executable does not extend to an unknown one,
                // nor the reverse.
                _ => false,
            }
    }
}

/// A JWT the app wants minted. `iat` and `exp` are not part of it: they are stamped after
/// the decision, `exp` = `iat` + `exp_secs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtTemplate {
    /// Signature algorithm; must fit the key.
    pub alg: JwsAlg,
    /// The audience (`aud`), fixed.
    pub aud: Vec<String>,
    /// The subject (`sub`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Every other claim, as given.
    #[serde(default)]
    pub claims: serde_json::Map<String, serde_json::Value>,
    /// Lifetime in seconds from the moment of signing.
    pub exp_secs: u64,
}

/// What the app wants done with the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// Sign the payload as a message with `scheme` (the scheme hashes it).
    SignMessage {
        /// The signature scheme.
        scheme: Scheme,
    },
    /// Sign the payload as a precomputed digest (blind: the message is not known).
    SignDigest {
        /// The signature scheme (`raw` or `eos`).
        scheme: Scheme,
    },
    /// Sign in with Ethereum: the payload is the EIP-4361 message text.
    SiweLogin,
    /// Mint a JWT from a template; the payload is empty.
    MintJwt {
        /// What the token will say.
        template: JwtTemplate,
    },
}

impl Kind {
    /// A stable name (`sign_message`, `sign_digest`, `siwe_login`, `mint_jwt`).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::SignMessage { .. } => "sign_message",
            Kind::SignDigest { .. } => "sign_digest",
            Kind::SiweLogin => "siwe_login",
            Kind::MintJwt { .. } => "mint_jwt",
        }
    }

    /// A human title for the prompt.
    pub fn title(&self) -> String {
        match self {
            Kind::SignMessage { scheme } => format!("Sign a message: {}", scheme.title()),
            Kind::SignDigest { scheme } => format!("Sign a digest: {}", scheme.title()),
            Kind::SiweLogin => "Sign in with Ethereum".into(),
            Kind::MintJwt { template } => format!("Mint a JWT ({})", template.alg),
        }
    }

    /// The usage-policy entry the kind needs.
    pub fn usage(&self) -> Usage {
        match self {
            Kind::SignMessage { scheme } | Kind::SignDigest { scheme } => scheme.usage(),
            Kind::SiweLogin => Usage::Siwe,
            Kind::MintJwt { .. } => Usage::Jwt,
        }
    }

    /// Whether a grant may ever cover this kind: only payloads bounded by a template. Every
    /// signing of caller-chosen bytes (raw digests, EIP-191, BSM, EOS, Ed25519 messages) and
    /// every SIWE login is blind to Keyward and is approved one by one.
    pub fn grantable(&self) -> bool {
        matches!(self, Kind::MintJwt { .. })
    }
}

/// One request from a third-party app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Random id (hex).
    pub id: String,
    /// Who asks.
    pub app: AppIdentity,
    /// The web origin the app speaks for (`https://app.example.com`), when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Whether a browser vouched for `origin` (its `Origin` header); otherwise the app only
    /// claims it, and no check on it is rated safe.
    #[serde(default)]
    pub origin_verified: bool,
    /// The key's id in the vault.
    pub key_id: String,
    /// The key's algorithm.
    pub key_alg: KeyAlg,
    /// What to do.
    #[serde(flatten)]
    pub kind: Kind,
    /// The exact bytes to sign (empty for [`Kind::MintJwt`]); hex on the wire.
    #[serde(with = "hex_bytes")]
    pub payload: Vec<u8>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; the request is dead from this second on.
    pub expires_at: i64,
}

impl Request {
    /// A request with a fresh random id, created `now`, living `ttl_secs`.
    // Every argument is a field a caller must choose; a builder would only hide that.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        app: AppIdentity,
        origin: Option<String>,
        key_id: impl Into<String>,
        key_alg: KeyAlg,
        kind: Kind,
        payload: Vec<u8>,
        now: i64,
        ttl_secs: i64,
    ) -> Request {
        Request {
            id: keyward_crypto::random_id(16),
            app,
            origin,
            origin_verified: false,
            key_id: key_id.into(),
            key_alg,
            kind,
            payload,
            created_at: now,
            expires_at: now.saturating_add(ttl_secs),
        }
    }

    /// Whether the request is dead at `now`.
    pub fn expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn app(name: &str) -> AppIdentity {
        AppIdentity {
            name: name.into(),
            exe: Some(PathBuf::from(format!("/usr/bin/{name}"))),
            pid: Some(4242),
        }
    }

    pub fn req(kind: Kind, payload: &[u8]) -> Request {
        let alg = match &kind {
            Kind::MintJwt { .. } => KeyAlg::P256,
            Kind::SignMessage {
                scheme: Scheme::Ed25519,
            } => KeyAlg::Ed25519,
            Kind::SignMessage {
                scheme: Scheme::Raw,
            }
            | Kind::SignDigest {
                scheme: Scheme::Raw,
            } => KeyAlg::P256,
            _ => KeyAlg::Secp256k1,
        };
        let mut r = Request::new(
            app("dapp"),
            Some("https://app.example.com".into()),
            "key-1",
            alg,
            kind,
            payload.to_vec(),
            1_000,
            60,
        );
        // A browser app: its origin is vouched for.
        r.origin_verified = true;
        r
    }

    #[test]
    fn wire_form_round_trips() {
        let r = req(
            Kind::SignMessage {
                scheme: Scheme::Eip191,
            },
            b"hi",
        );
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["kind"], "sign_message");
        assert_eq!(j["scheme"], "eip191");
        assert_eq!(j["payload"], "6869");
        assert_eq!(serde_json::from_value::<Request>(j).unwrap(), r);
        assert_eq!(r.id.len(), 32);
        assert!(!r.expired(1_059));
        assert!(r.expired(1_060));
    }

    #[test]
    fn same_app_ignores_pid_not_exe() {
        let a = app("x");
        let mut b = a.clone();
        b.pid = Some(1);
        assert!(a.same_app(&b));
        b.exe = Some("/tmp/x".into());
        assert!(!a.same_app(&b));
        b.exe = None;
        assert!(!a.same_app(&b));
        let mut c = a.clone();
        c.name = "y".into();
        assert!(!a.same_app(&c));
    }
}
