//! A small blocking client of the endpoint: what a third-party app does, for the CLI's
//! `request` commands, scripts and tests. It pins the endpoint key at pairing and refuses
//! every later answer not signed by it.

use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::EndpointError;
use super::wire::{
    Answer, AskBody, ErrorReply, LinkBody, LinkOutcome, NonceReply, PairBody, PairStarted, Paired,
    StatusReply, H_APP, H_CHALLENGE, H_MAC, H_NONCE, H_SIGNATURE,
};
use crate::auth::{self, AuthError};

/// What a paired app keeps: where, who it is, its token and the pinned endpoint key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The endpoint's base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The app id (`Keyward-App`).
    pub app_id: String,
    /// The token (secret).
    pub token: String,
    /// The endpoint's public key, base64url.
    pub endpoint_key: String,
    /// The app name it paired with.
    pub app_name: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("app_id", &self.app_id)
            .field("token", &"<redacted>")
            .field("endpoint_key", &self.endpoint_key)
            .field("app_name", &self.app_name)
            .finish()
    }
}

impl Credentials {
    /// Reads credentials saved by [`Credentials::save`].
    pub fn load(path: &Path) -> Result<Credentials, EndpointError> {
        let text =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                EndpointError::Client(format!("cannot read {}: {e}", path.display()))
            })?);
        serde_json::from_str(&text).map_err(|e| {
            EndpointError::Client(format!("{} is not a credentials file: {e}", path.display()))
        })
    }

    /// Writes the credentials to a new owner-only file (mode 0600); refuses to overwrite.
    pub fn save(&self, path: &Path) -> Result<(), EndpointError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let json =
            Zeroizing::new(serde_json::to_string_pretty(self).expect("credentials serialise"));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| EndpointError::Client(format!("cannot create {}: {e}", path.display())))?;
        f.write_all(json.as_bytes())
            .and_then(|_| f.write_all(b"\n"))
            .map_err(|e| EndpointError::Client(format!("cannot write {}: {e}", path.display())))
    }

    fn pinned(&self) -> Result<[u8; 32], EndpointError> {
        decode_key(&self.endpoint_key)
    }
}

fn decode_key(b64: &str) -> Result<[u8; 32], EndpointError> {
    URL_SAFE_NO_PAD
        .decode(b64)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| {
            EndpointError::Client("the endpoint key is not 32 bytes of base64url".into())
        })
}

fn random_b64(n: usize) -> String {
    use rand_core::{OsRng, RngCore};
    let mut b = vec![0u8; n];
    OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The client.
pub struct Client {
    http: reqwest::blocking::Client,
    url: String,
}

/// One answer, checked.
struct Checked {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    /// A client of the endpoint at `url`.
    pub fn new(url: &str) -> Result<Client, EndpointError> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(None)
            .build()
            .map_err(|e| EndpointError::Client(e.to_string()))?;
        Ok(Client {
            http,
            url: url.trim_end_matches('/').to_owned(),
        })
    }

    fn send(
        &self,
        req: reqwest::blocking::RequestBuilder,
        nonce: &str,
        pinned: Option<&[u8; 32]>,
        timeout: Duration,
    ) -> Result<Checked, EndpointError> {
        let resp = req
            .timeout(timeout)
            .send()
            .map_err(|e| EndpointError::Unavailable(e.to_string()))?;
        let status = resp.status().as_u16();
        let sig = resp
            .headers()
            .get(H_SIGNATURE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp
            .bytes()
            .map_err(|e| EndpointError::Client(e.to_string()))?
            .to_vec();
        if let Some(key) = pinned {
            let sig = sig.ok_or(AuthError::BadResponseSignature)?;
            auth::verify_response(key, nonce, status, &body, &sig)?;
        }
        Ok(Checked { status, body })
    }

    fn decode<T: for<'de> Deserialize<'de>>(c: Checked) -> Result<T, EndpointError> {
        if (200..300).contains(&c.status) {
            serde_json::from_slice(&c.body)
                .map_err(|e| EndpointError::Client(format!("unexpected answer: {e}")))
        } else {
            match serde_json::from_slice::<ErrorReply>(&c.body) {
                Ok(e) => Err(EndpointError::Remote(e.error)),
                Err(_) => Err(EndpointError::Client(format!("HTTP {}", c.status))),
            }
        }
    }

    /// `GET /v1/status`, checked against `pinned` when given.
    pub fn status(&self, pinned: Option<&[u8; 32]>) -> Result<StatusReply, EndpointError> {
        let challenge = random_b64(16);
        let req = self
            .http
            .get(format!("{}/v1/status", self.url))
            .header(H_CHALLENGE, &challenge);
        Self::decode(self.send(req, &challenge, pinned, Duration::from_secs(10))?)
    }

    /// Hands a deep link to Keyward as a local program (`POST /v1/links`) and waits for the
    /// user's decision: the signature, and whether the link's callback took it.
    pub fn open_link(
        &self,
        link: &str,
        pinned: Option<&[u8; 32]>,
    ) -> Result<LinkOutcome, EndpointError> {
        let challenge = random_b64(16);
        let body = serde_json::to_vec(&LinkBody {
            link: link.to_owned(),
        })
        .expect("a link body serialises");
        let req = self
            .http
            .post(format!("{}/v1/links", self.url))
            .header(H_CHALLENGE, &challenge)
            .header("content-type", "application/json")
            .body(body);
        // A link's request lives 120 s; delivery to its callback takes up to 10 s more.
        Self::decode(self.send(req, &challenge, pinned, Duration::from_secs(140))?)
    }

    /// Pairs as `app_name`: `show_code` gets the code to show the user (computed here from
    /// the transcript, and checked against Keyward's), then waits for the user's decision.
    pub fn pair(
        &self,
        app_name: &str,
        keys: Option<Vec<String>>,
        show_code: impl FnOnce(&str),
    ) -> Result<Credentials, EndpointError> {
        let app_nonce = random_b64(32);
        let challenge = random_b64(16);
        let body = serde_json::to_vec(&PairBody {
            app_name: app_name.to_owned(),
            app_nonce: app_nonce.clone(),
            keys,
        })
        .expect("a pair body serialises");
        let req = self
            .http
            .post(format!("{}/v1/pair", self.url))
            .header(H_CHALLENGE, &challenge)
            .header("content-type", "application/json")
            .body(body);
        let checked = self.send(req, &challenge, None, Duration::from_secs(30))?;
        // Nothing is pinned yet: the code the user compares is what binds the key.
        let started: PairStarted = Self::decode(checked)?;
        let key = decode_key(&started.endpoint_key)?;
        let server_nonce = URL_SAFE_NO_PAD
            .decode(&started.server_nonce)
            .map_err(|_| EndpointError::Client("bad server nonce".into()))?;
        let app_nonce_raw = URL_SAFE_NO_PAD.decode(&app_nonce).expect("our own base64");
        let code = auth::pairing_code(&key, &app_nonce_raw, &server_nonce);
        if code != started.code {
            return Err(EndpointError::Client(
                "the pairing code Keyward sent does not match the transcript".into(),
            ));
        }
        show_code(&code);
        let wait_challenge = random_b64(16);
        let req = self
            .http
            .get(format!("{}/v1/pair/{}", self.url, started.pairing_id))
            .header(H_CHALLENGE, &wait_challenge);
        let paired: Paired =
            Self::decode(self.send(req, &wait_challenge, Some(&key), Duration::from_secs(300))?)?;
        Ok(Credentials {
            url: self.url.clone(),
            app_id: paired.app_id,
            token: paired.token,
            endpoint_key: started.endpoint_key,
            app_name: app_name.to_owned(),
        })
    }

    /// Fetches `count` fresh server nonces (the answer checked against the pinned key).
    pub fn nonces(&self, creds: &Credentials, count: usize) -> Result<Vec<String>, EndpointError> {
        let challenge = random_b64(16);
        let req = self
            .http
            .post(format!("{}/v1/nonce?count={count}", self.url))
            .header(H_CHALLENGE, &challenge);
        let reply: NonceReply = Self::decode(self.send(
            req,
            &challenge,
            Some(&creds.pinned()?),
            Duration::from_secs(10),
        )?)?;
        Ok(reply.nonces)
    }

    /// Sends `ask` with a fresh nonce and waits for the user's decision (at most the
    /// request's life plus a margin).
    pub fn ask(&self, creds: &Credentials, ask: &AskBody) -> Result<Answer, EndpointError> {
        let nonce = self
            .nonces(creds, 1)?
            .pop()
            .ok_or_else(|| EndpointError::Client("no nonce".into()))?;
        let body = serde_json::to_vec(ask).expect("a request serialises");
        self.ask_raw(creds, &nonce, &body, ask.ttl_secs.unwrap_or(120))
    }

    /// Sends a request body as is, with `nonce` (for tests of replay and tampering).
    pub fn ask_raw(
        &self,
        creds: &Credentials,
        nonce: &str,
        body: &[u8],
        ttl_secs: i64,
    ) -> Result<Answer, EndpointError> {
        let mac = auth::request_mac(&creds.token, nonce, "POST", "/v1/requests", body);
        let req = self
            .http
            .post(format!("{}/v1/requests", self.url))
            .header(H_APP, &creds.app_id)
            .header(H_NONCE, nonce)
            .header(H_MAC, mac)
            .header("content-type", "application/json")
            .body(body.to_vec());
        let wait = Duration::from_secs(ttl_secs.clamp(1, 3600) as u64 + 15);
        Self::decode(self.send(req, nonce, Some(&creds.pinned()?), wait)?)
    }
}
