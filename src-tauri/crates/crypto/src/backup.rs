//! The backup container: one file, encrypted under a key Argon2id derives from the backup
//! passphrase. What goes inside (the index and every secret) is the vault's business.
//!
//! Layout, big-endian:
//!
//! ```text
//! "KWBACKUP" | version u8 (1) | m_kib u32 | t u32 | p u32 | salt [16] | body_len u64 | body
//! body = 0x01 | nonce [24] | XChaCha20-Poly1305(payload, AD = everything before body)
//! ```
//!
//! The header is authenticated as associated data, so no parameter can be changed without
//! the open failing; its KDF parameters are bounded before any derivation, so a hostile file
//! cannot make a restore allocate gigabytes; `body_len` tells a truncated file from a wrong
//! passphrase.

use crate::error::CryptoError;
use crate::seal::{self, KdfParams};
use zeroize::Zeroizing;

pub const MAGIC: &[u8; 8] = b"KWBACKUP";
pub const VERSION: u8 = 1;
/// Header bytes before the body.
pub const HEADER_LEN: usize = 8 + 1 + 12 + 16 + 8;
/// Largest backup accepted (a vault of 10,000 RSA-4096 keys is far below it).
pub const MAX_BACKUP: usize = 64 * 1024 * 1024;
/// Bounds on the KDF parameters a file may ask for.
pub const MAX_M_KIB: u32 = 1024 * 1024;
pub const MIN_M_KIB: u32 = 8;
pub const MAX_T: u32 = 16;
pub const MAX_P: u32 = 16;

/// The parsed header of a backup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub params: KdfParams,
    pub salt: [u8; 16],
    pub body_len: usize,
}

fn check_params(p: KdfParams) -> Result<(), CryptoError> {
    if !(MIN_M_KIB..=MAX_M_KIB).contains(&p.m_kib) {
        return Err(CryptoError::BackupParams(format!("memory {} KiB", p.m_kib)));
    }
    if p.t == 0 || p.t > MAX_T {
        return Err(CryptoError::BackupParams(format!("{} passes", p.t)));
    }
    if p.p == 0 || p.p > MAX_P {
        return Err(CryptoError::BackupParams(format!("{} lanes", p.p)));
    }
    Ok(())
}

fn header_bytes(params: KdfParams, salt: &[u8; 16], body_len: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(MAGIC);
    h.push(VERSION);
    h.extend_from_slice(&params.m_kib.to_be_bytes());
    h.extend_from_slice(&params.t.to_be_bytes());
    h.extend_from_slice(&params.p.to_be_bytes());
    h.extend_from_slice(salt);
    h.extend_from_slice(&(body_len as u64).to_be_bytes());
    h
}

/// Reads and bounds a header; the file must hold the whole body it announces.
pub fn parse_header(file: &[u8]) -> Result<Header, CryptoError> {
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        return Err(CryptoError::NotABackup);
    }
    if file.len() < HEADER_LEN {
        return Err(CryptoError::BackupTruncated(file.len(), HEADER_LEN));
    }
    if file[8] != VERSION {
        return Err(CryptoError::BackupVersion(file[8]));
    }
    let u32_at = |i: usize| u32::from_be_bytes([file[i], file[i + 1], file[i + 2], file[i + 3]]);
    let params = KdfParams {
        m_kib: u32_at(9),
        t: u32_at(13),
        p: u32_at(17),
    };
    check_params(params)?;
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&file[21..37]);
    let mut len = [0u8; 8];
    len.copy_from_slice(&file[37..45]);
    let body_len = u64::from_be_bytes(len);
    if body_len > MAX_BACKUP as u64 {
        return Err(CryptoError::BackupParams(
            "the body is larger than a backup can be".into(),
        ));
    }
    let body_len = body_len as usize;
    let have = file.len() - HEADER_LEN;
    if have < body_len {
        return Err(CryptoError::BackupTruncated(
            file.len(),
            HEADER_LEN + body_len,
        ));
    }
    if have > body_len {
        return Err(CryptoError::BackupContents(
            "bytes after the end of the backup".into(),
        ));
    }
    Ok(Header {
        params,
        salt,
        body_len,
    })
}

/// Encrypts `payload` into a backup file.
pub fn seal_backup(
    payload: &[u8],
    passphrase: &[u8],
    params: KdfParams,
) -> Result<Vec<u8>, CryptoError> {
    check_params(params)?;
    if passphrase.is_empty() {
        return Err(CryptoError::BadPassphrase);
    }
    let mut salt = [0u8; 16];
    crate::random_bytes(&mut salt);
    let cipher = seal::derive(passphrase, &salt, params)?;
    let header = header_bytes(params, &salt, seal::sealed_len(payload.len()));
    let body = seal::seal_with(&cipher, &header, payload);
    let mut out = header;
    out.extend_from_slice(&body);
    if out.len() > MAX_BACKUP {
        return Err(CryptoError::BackupParams(
            "the vault is too large for one backup".into(),
        ));
    }
    Ok(out)
}

/// Decrypts a backup file.
pub fn open_backup(file: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if file.len() > MAX_BACKUP + HEADER_LEN {
        return Err(CryptoError::TooLarge(file.len(), MAX_BACKUP));
    }
    let h = parse_header(file)?;
    let cipher = seal::derive(passphrase, &h.salt, h.params)?;
    seal::open_with(&cipher, &file[..HEADER_LEN], &file[HEADER_LEN..])
        .map_err(|_| CryptoError::BackupOpenFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;

    const CHEAP: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };

    #[test]
    fn round_trip_and_every_failure_has_its_code() {
        let file = seal_backup(b"the payload", b"backup pass", CHEAP).unwrap();
        assert_eq!(
            &*open_backup(&file, b"backup pass").unwrap(),
            b"the payload"
        );
        let code = |f: &[u8], p: &[u8]| open_backup(f, p).err().unwrap().code().to_string();
        assert_eq!(code(&file, b"wrong"), "backup.bad_passphrase");
        assert_eq!(
            code(&file[..file.len() - 1], b"backup pass"),
            "backup.truncated"
        );
        assert_eq!(code(&file[..20], b"backup pass"), "backup.truncated");
        assert_eq!(code(b"PK\x03\x04zip", b"x"), "backup.not_a_backup");
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(code(&flipped, b"backup pass"), "backup.bad_passphrase");
        let mut v2 = file.clone();
        v2[8] = 2;
        assert_eq!(code(&v2, b"backup pass"), "backup.unsupported_version");
        let mut greedy = file.clone();
        greedy[9..13].copy_from_slice(&(64 * 1024 * 1024u32).to_be_bytes());
        assert_eq!(code(&greedy, b"backup pass"), "backup.bad_params");
        // A header edited within bounds no longer authenticates.
        let mut edited = file.clone();
        edited[25] ^= 1; // in the salt
        assert_eq!(code(&edited, b"backup pass"), "backup.bad_passphrase");
        let mut longer = file.clone();
        longer.push(0);
        assert_eq!(code(&longer, b"backup pass"), "backup.corrupt");
    }
}
