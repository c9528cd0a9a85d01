//! `jwt::verify` and `jwt::inspect` on arbitrary tokens, as `keyward-cli jwt verify` and the
//! Tokens screen's paste box call them: errors only, never a panic, and a token verifies only
//! if it is really signed by the key (the fixed key below signs nothing the fuzzer can see).
#![no_main]

use keyward_crypto::jwt::{self, VerifyOptions};
use keyward_crypto::sign::JwsAlg;
use keyward_crypto::{KeyAlg, PrivateKey};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn keys() -> &'static Vec<keyward_crypto::PublicKey> {
    static KEYS: OnceLock<Vec<keyward_crypto::PublicKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [KeyAlg::P256, KeyAlg::Secp256k1, KeyAlg::Ed25519]
            .into_iter()
            .map(|a| PrivateKey::from_raw(a, &[7u8; 32]).expect("fixed key").public())
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = jwt::inspect(&text, 1_800_000_000);
    let opts = VerifyOptions {
        algorithms: JwsAlg::ALL.to_vec(),
        leeway_secs: 0,
        ..Default::default()
    };
    for k in keys() {
        assert!(
            jwt::verify(&text, k, &opts, 0).is_err(),
            "a token the fixed key never signed verified"
        );
    }
});
