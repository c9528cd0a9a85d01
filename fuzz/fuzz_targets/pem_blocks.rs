//! `pem::pem_blocks`, the lenient PEM reader every PEM and OpenSSH import goes through.
//!
//! Whatever it accepts must re-encode (`pem_encode`) to text that reads back to the same block.
#![no_main]

use keyward_crypto::pem::{pem_blocks, pem_encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(blocks) = pem_blocks(&text) else {
        return;
    };
    for block in &blocks {
        let again = pem_encode(&block.label, &block.der);
        let back = pem_blocks(&again).expect("pem_encode output reads back");
        assert_eq!(back.len(), 1, "one block encodes to one block");
        assert_eq!(back[0].label, block.label);
        assert_eq!(*back[0].der, *block.der);
        assert!(!back[0].encrypted_headers);
    }
});
