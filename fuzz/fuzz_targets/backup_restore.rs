//! The restore path of a backup file.
//!
//! Input: byte 0 picks the mode, the rest is the data.
//! - Even: the data is a whole backup file. `backup::parse_header` reads it; when the header is
//!   accepted, `backup::open_backup` (Argon2id, then XChaCha20-Poly1305) runs too, but only
//!   for headers asking m ≤ 64 KiB: the product accepts up to 1 GiB, and one Argon2id
//!   derivation at that size takes seconds and the memory of the whole fuzzer, so larger
//!   (valid) parameters would turn the run into a KDF benchmark. The bounds themselves are
//!   what `parse_header` checks, which every input reaches.
//! - Odd: the data is the decrypted payload (JSON). It is sealed with `seal_backup` under cheap
//!   parameters, opened again (the round trip must give it back), then checked by the vault's
//!   own restore check (`keyward_vault::backup::check_backup`) as a restore checks it before
//!   writing anything.
#![no_main]

use keyward_crypto::backup::{open_backup, parse_header, seal_backup, HEADER_LEN};
use keyward_crypto::KdfParams;
use keyward_vault::backup::check_backup;
use libfuzzer_sys::fuzz_target;

/// Largest Argon2id memory (KiB) a fuzzed header may make `open_backup` derive with.
const FUZZ_MAX_M_KIB: u32 = 64;
const PASS: &[u8] = b"pass";
const CHEAP: KdfParams = KdfParams {
    m_kib: 8,
    t: 1,
    p: 1,
};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let Ok(header) = parse_header(data) else {
            let _ = open_backup(data, PASS); // refused before any derivation
            return;
        };
        assert_eq!(HEADER_LEN + header.body_len, data.len());
        if header.params.m_kib <= FUZZ_MAX_M_KIB {
            let _ = check_backup(data, PASS);
        }
    } else {
        let file = seal_backup(data, PASS, CHEAP).expect("sealing a small payload");
        let header = parse_header(&file).expect("a sealed backup has a valid header");
        assert_eq!(header.params, CHEAP);
        let plain = open_backup(&file, PASS).expect("a sealed backup opens");
        assert_eq!(&plain[..], data, "the round trip changed the payload");
        assert!(open_backup(&file, b"wrong").is_err());
        let _ = check_backup(&file, PASS);
    }
});
