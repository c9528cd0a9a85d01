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

/// A loopback HTTP server that answers every request `200 ok` and hands each JSON body it
/// receives to the channel: a deep link's callback, a SimpleWallet `loginUrl`. Its URL is
/// `http://127.0.0.1:PORT/cb`.
pub fn capture_posts() -> (String, std::sync::mpsc::Receiver<serde_json::Value>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0u8; len];
            if reader.read_exact(&mut body).is_ok() {
                if let Ok(v) = serde_json::from_slice(&body) {
                    let _ = tx.send(v);
                }
            }
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (format!("http://127.0.0.1:{port}/cb"), rx)
}

/// Percent-encodes `s` for a URL query value (unreserved characters stay as they are).
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
