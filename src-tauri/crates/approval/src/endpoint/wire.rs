//! The endpoint's wire format (JSON, snake_case), shared by the server and the client.
//!
//! Headers: an authenticated request carries `Keyward-App` (the app id from pairing),
//! `Keyward-Nonce` (a fresh server nonce from `POST /v1/nonce`) and `Keyward-Mac`
//! ([`crate::auth::request_mac`]). Every response carries `Keyward-Nonce` (the nonce it
//! answers: the request's server nonce, or the client's `Keyward-Challenge` header on an
//! unauthenticated call) and `Keyward-Signature` ([`crate::auth::sign_response`]).

use serde::{Deserialize, Serialize};

use crate::request::Kind;

/// Header naming the paired app.
pub const H_APP: &str = "keyward-app";
/// Header carrying the server nonce a request spends, and on a response the nonce it answers.
pub const H_NONCE: &str = "keyward-nonce";
/// Header carrying the request MAC.
pub const H_MAC: &str = "keyward-mac";
/// Header carrying the response signature.
pub const H_SIGNATURE: &str = "keyward-signature";
/// Header with the client's random challenge, for unauthenticated calls.
pub const H_CHALLENGE: &str = "keyward-challenge";
/// Longest challenge accepted (longer ones are ignored: the answer is signed over "").
pub const MAX_CHALLENGE: usize = 128;

/// `GET /v1/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// Always `keyward`.
    pub service: String,
    /// Keyward's version.
    pub version: String,
    /// API version (1).
    pub api: u32,
    /// Whether the vault is locked (requests then prompt with an unlock field).
    pub locked: bool,
}

/// `POST /v1/nonce` (`?count=N`, 1–1000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceReply {
    /// Single-use server nonces.
    pub nonces: Vec<String>,
    /// Seconds each stays valid.
    pub expires_in: i64,
}

/// `POST /v1/links`: a deep link handed over by a local program (never by a browser: a call
/// with an `Origin` is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkBody {
    /// The `keyward://` (or `simplewallet://`) URL.
    pub link: String,
}

/// `200` answer to `POST /v1/links`: what became of a link the user approved. Never the
/// answer itself: that goes to the link's callback only (whoever posted the link is not
/// whoever the user was told gets it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOutcome {
    /// The request the link became.
    pub request_id: String,
    /// The callback's HTTP status, when the answer was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered: Option<u16>,
    /// Why posting the answer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
}

/// `POST /v1/pair`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairBody {
    /// The name the user will see.
    pub app_name: String,
    /// 16–64 random bytes, base64url without padding: the app's part of the pairing code.
    pub app_nonce: String,
    /// Key ids or labels the app asks to use (the user may narrow them); absent = any key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
}

/// `202` answer to `POST /v1/pair`: show `code` and wait on `GET /v1/pair/{pairing_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairStarted {
    /// Where to wait for the decision.
    pub pairing_id: String,
    /// Keyward's part of the pairing code (base64url).
    pub server_nonce: String,
    /// The endpoint's Ed25519 public key (base64url): pin it.
    pub endpoint_key: String,
    /// The code Keyward shows; compute it yourself ([`crate::auth::pairing_code`]) and show it.
    pub code: String,
    /// Unix seconds: the pairing prompt closes then.
    pub expires_at: i64,
}

/// `200` answer to `GET /v1/pair/{id}`, once: the token is never shown again.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paired {
    /// The app's id: send it as `Keyward-App`.
    pub app_id: String,
    /// The app's token: keep it secret; it keys request MACs and never goes on the wire again.
    pub token: String,
    /// The key ids the user allowed (absent = any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
}

/// `POST /v1/requests`: what an app asks for. The payload is `message` (UTF-8 text, signed
/// as its bytes) or `payload_hex` (bytes), never both; a JWT has neither.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskBody {
    /// Key id or label.
    pub key: String,
    /// What to do (`kind` tag with its fields).
    #[serde(flatten)]
    pub kind: Kind,
    /// The payload as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The payload as hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_hex: Option<String>,
    /// The web origin the app speaks for, when it is not a browser (a browser's `Origin`
    /// header wins and must match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Seconds the request lives (default 120, at most 600); the call waits that long at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_secs: Option<i64>,
}

/// `200` answer to `POST /v1/requests`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The request's id.
    pub request_id: String,
    /// `sign_message`, `sign_digest`, `siwe_login` or `mint_jwt`.
    pub kind: String,
    /// The hash of what the prompt showed (or the grant covered).
    pub rendered_hash: String,
    /// The grant that answered without a prompt, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
    /// The signature in its scheme's text form (hex DER, 0x r‖s‖v, base64, `SIG_K1_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The signer's address or public key in the scheme's form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Hex of the digest signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// The minted JWT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Unix seconds: the JWT's `exp`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// Every error answer: `{"error": {code, message, hint}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// The error.
    pub error: ErrorBody,
}

/// A stable code, a message and a hint (the one body, from `keyward-core`).
pub use keyward_core::ErrorBody;

impl std::fmt::Debug for Paired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paired")
            .field("app_id", &self.app_id)
            .field("token", &"<redacted>")
            .field("keys", &self.keys)
            .finish()
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    /// Security review #14: a pairing's token never shows in `Debug` (logs, panics).
    #[test]
    fn the_token_is_not_in_debug_output() {
        let p = Paired {
            app_id: "app".into(),
            token: "s3cr3t-token-value".into(),
            keys: None,
        };
        assert!(!format!("{p:?}").contains("s3cr3t"), "{p:?}");
        let c = crate::endpoint::Credentials {
            url: "http://127.0.0.1:1".into(),
            app_id: "app".into(),
            token: "s3cr3t-token-value".into(),
            endpoint_key: "k".into(),
            app_name: "n".into(),
        };
        assert!(!format!("{c:?}").contains("s3cr3t"), "{c:?}");
    }
}
