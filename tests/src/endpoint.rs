//! What the endpoint tests send as a third-party app: request bodies, and the library client
//! run on a thread of its own (a blocking client must not be built or dropped on an async
//! runtime's thread).

use keyward_approval::endpoint::wire::{Answer, AskBody};
use keyward_approval::endpoint::{Client, Credentials, EndpointError};
use keyward_approval::request::{JwtTemplate, Kind};
use keyward_crypto::sign::{JwsAlg, Scheme};
use std::thread::JoinHandle;

/// An EIP-191 signature of `message` with `key`, living `ttl` seconds.
pub fn sign_body(key: &str, message: &str, ttl: i64) -> AskBody {
    AskBody {
        key: key.into(),
        kind: Kind::SignMessage {
            scheme: Scheme::Eip191,
        },
        message: Some(message.into()),
        payload_hex: None,
        origin: None,
        ttl_secs: Some(ttl),
    }
}

/// An ES256 JWT for `https://api.example.com`, subject `sub`, 60 s long; the request lives
/// `ttl` seconds.
pub fn jwt_body(key: &str, sub: &str, ttl: i64) -> AskBody {
    AskBody {
        key: key.into(),
        kind: Kind::MintJwt {
            template: JwtTemplate {
                alg: JwsAlg::ES256,
                aud: vec!["https://api.example.com".into()],
                sub: Some(sub.into()),
                claims: serde_json::Map::new(),
                exp_secs: 60,
            },
        },
        message: None,
        payload_hex: None,
        origin: None,
        ttl_secs: Some(ttl),
    }
}

/// `body` sent to the endpoint at `url` as the app of `creds`, on a thread of its own.
pub fn ask_in_thread(
    url: &str,
    creds: &Credentials,
    body: AskBody,
) -> JoinHandle<Result<Answer, EndpointError>> {
    let (url, creds) = (url.to_owned(), creds.clone());
    std::thread::spawn(move || Client::new(&url)?.ask(&creds, &body))
}
