//! `siwe::parse` on arbitrary text: errors only, never a panic; and whatever parses writes back
//! byte for byte (the grammar is strict, so there is one text per message).
#![no_main]

use keyward_crypto::siwe;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(msg) = siwe::parse(text) {
        assert_eq!(msg.to_message(), text, "parse/print round trip");
    }
});
