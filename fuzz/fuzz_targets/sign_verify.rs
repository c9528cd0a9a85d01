//! `sign::decode_signature` + `sign::verify` for every scheme on arbitrary signatures, as
//! `keyward-cli verify` calls them: errors or "invalid" verdicts only, never a panic.
//!
//! Input: byte 0 picks the scheme, byte 1 splits the rest into message and signature text.
#![no_main]

use keyward_crypto::sign::{self, Payload, Scheme, VerifyWith};
use keyward_crypto::{KeyAlg, PrivateKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [sel, split, rest @ ..] = data else {
        return;
    };
    let scheme = Scheme::ALL[usize::from(*sel) % Scheme::ALL.len()];
    let cut = usize::from(*split).min(rest.len());
    let (msg, sig) = rest.split_at(cut);
    let alg = match scheme {
        Scheme::Ed25519 => KeyAlg::Ed25519,
        Scheme::Raw if sel & 0x80 != 0 => KeyAlg::P256,
        _ => KeyAlg::Secp256k1,
    };
    let key = PrivateKey::from_raw(alg, &[9u8; 32]).expect("fixed key");
    let with = VerifyWith::Key(Box::new(key.public()));
    if let Ok(bytes) = sign::decode_signature(scheme, &String::from_utf8_lossy(sig)) {
        if let Ok(v) = sign::verify(scheme, Payload::Message(msg), &bytes, &with) {
            assert!(!v.valid, "a signature the fixed key never made verified");
        }
    }
});
