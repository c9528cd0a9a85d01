//! What reaches the loopback endpoint before anyone is trusted: request, pairing and link
//! bodies, deep links themselves, the authentication headers, Host and Origin. Errors only,
//! never a panic; an arbitrary MAC never verifies against a fixed token; a body that parses
//! renders deterministically; a claimed origin normalises to a plain origin or is refused; a
//! notification built from any text carries no markup.
//!
//! Input: the first byte picks a field split; the rest is split into a body, a nonce, a MAC,
//! a Host and an Origin (lossy UTF-8 for the headers).
#![no_main]

use keyward_approval::auth::{check_host, check_origin, token_hash, verify_request_mac};
use keyward_approval::decode::render;
use keyward_approval::endpoint::broker::{check_pair_body, normalise_origin};
use keyward_approval::endpoint::link;
use keyward_approval::endpoint::wire::{AskBody, LinkBody, PairBody};
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
    if let Ok(pair) = serde_json::from_slice::<PairBody>(body) {
        let _ = check_pair_body(&pair);
    }
    if let Ok(l) = serde_json::from_slice::<LinkBody>(body) {
        let _ = link::parse(&l.link, true, 1_800_000_000);
    }
    let _ = link::parse(&String::from_utf8_lossy(body), true, 1_800_000_000);
    if let Ok(o) = normalise_origin(&origin) {
        assert!(!o.chars().any(|c| c.is_control() || c.is_whitespace()), "{o:?}");
        assert_eq!(normalise_origin(&o).ok().as_deref(), Some(o.as_str()), "not idempotent");
    }
    let notice = link::notice_text(&host);
    assert!(!notice.contains('<') && !notice.contains('>'), "{notice:?}");

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
