//! `PrivateKey::from_storage`: the plaintext of a sealed keychain item (and of every key in a
//! backup), kind byte then PKCS#8, BIP32 node data + PKCS#8, or RSA p, q, e, d.
#![no_main]

use keyward_crypto::PrivateKey;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = PrivateKey::from_storage(data) {
        common::check_key(&key);
    }
});
