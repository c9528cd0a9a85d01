//! What reaches the loopback endpoint before anyone is trusted: request and pairing bodies,
//! the authentication headers, Host and Origin. Errors only, never a panic; an arbitrary MAC
//! never verifies against a fixed token; a body that parses renders deterministically.
//!
//! Input: the first byte picks a field split; the rest is split into a body, a nonce, a MAC,
//! a Host and an Origin (lossy UTF-8 for the headers).
#![no_main]

use keyward_approval::auth::{check_host, check_origin, token_hash, verify_request_mac};
use keyward_approval::decode::render;
use keyward_approval::endpoint::wire::{AskBody, PairBody};
use keyward_approval::request::{AppIdentity, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(5, |&b| b == 0).collect();
    let body = parts.first().copied().unwrap_or_default();
    let text = |i: usize| String::from_utf8_lossy(parts.get(i).copied().unwrap_or_default()).into_owned();
    let (nonce, mac, host, origin) = (text(1), text(2), text(3), text(4));

    let hash = token_hash("fuzz-token");
    assert!(
        verify_request_mac(Some(&hash), &nonce, "POST", "/v1/requests", body, &mac).is_err(),
        "a MAC the fuzzer made up verified"
    );
    let _ = verify_request_mac(None, &nonce, "POST", "/v1/requests", body, &mac);
    let _ = check_host(&host, 47800);
    let _ = check_origin(Some(&origin), Some("https://app.example"));
    let _ = serde_json::from_slice::<PairBody>(body);

    if let Ok(ask) = serde_json::from_slice::<AskBody>(body) {
        let payload = match (&ask.message, &ask.payload_hex) {
            (Some(m), _) => m.as_bytes().to_vec(),
            (None, Some(h)) => hex::decode(h).unwrap_or_default(),
            (None, None) => Vec::new(),
        };
        let req = Request::new(
            AppIdentity { name: "fuzz".into(), exe: None, pid: None },
            ask.origin.clone(),
            ask.key.clone(),
            keyward_crypto::KeyAlg::Secp256k1,
            ask.kind.clone(),
            payload,
            1_800_000_000,
            ask.ttl_secs.unwrap_or(120),
        );
        assert_eq!(render(&req).hash(), render(&req).hash());
    }
});
