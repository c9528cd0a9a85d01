//! `import::import` with every named format (`keyward import --format F`, the GUI's format
//! picker), including `Auto`.
//!
//! Input: byte 0 picks the options (low 4 bits mod 10: `ImportFormat::ALL[i]`; bits 4–6:
//! `KeyAlg::ALL[i]`, 7 = no algorithm; bit 7: a passphrase), the rest is the text (lossy UTF-8).
//!
//! Keystore and encrypted-key inputs name their own KDF cost. The product bounds it (scrypt
//! 1 GiB, PBKDF2 10,000,000 rounds), but a bounded cost can still take seconds per input: run
//! this target with `-timeout=` large enough, or in fork mode with `-ignore_timeouts=1`
//! (fuzz/README.md).
#![no_main]

use keyward_crypto::import::{import, ImportFormat, ImportOptions};
use keyward_crypto::KeyAlg;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = ImportFormat::ALL[usize::from(sel & 0x0f) % ImportFormat::ALL.len()];
    let alg = KeyAlg::ALL.get(usize::from((sel >> 4) & 0x07)).copied();
    let passphrase: Option<&[u8]> = (sel & 0x80 != 0).then_some(b"x");
    let text = String::from_utf8_lossy(rest);
    let opts = ImportOptions {
        format,
        alg,
        path: None,
        passphrase,
    };
    if let Ok(imported) = import(&text, &opts) {
        if format != ImportFormat::Auto {
            assert_eq!(imported.format, format, "import changed the named format");
        }
        if imported.format == ImportFormat::Mnemonic {
            assert!(imported.path.is_some(), "a mnemonic import names its path");
        }
        common::check_key(&imported.key);
    }
});
