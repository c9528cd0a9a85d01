//! `import::import` with format detection (`ImportFormat::Auto`), as the GUI's paste box and
//! `keyward import` without `--format` call it.
//!
//! Input: byte 0 picks the options (low 3 bits: `KeyAlg::ALL[i]`, 7 = no algorithm; bit 7: a
//! passphrase), the rest is the pasted text (lossy UTF-8, as a file read would give).
#![no_main]

use keyward_crypto::import::{import, ImportFormat, ImportOptions};
use keyward_crypto::KeyAlg;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let alg = KeyAlg::ALL.get(usize::from(sel & 0x07)).copied();
    let passphrase: Option<&[u8]> = (sel & 0x80 != 0).then_some(b"fuzz");
    let text = String::from_utf8_lossy(rest);
    let opts = ImportOptions {
        format: ImportFormat::Auto,
        alg,
        path: None,
        passphrase,
    };
    if let Ok(imported) = import(&text, &opts) {
        assert_ne!(
            imported.format,
            ImportFormat::Auto,
            "Auto is never a result"
        );
        if let Some(alg) = alg {
            if imported.format != ImportFormat::Hex {
                assert_eq!(
                    imported.key.alg(),
                    alg,
                    "import ignored the asked algorithm"
                );
            }
        }
        common::check_key(&imported.key);
    }
});
