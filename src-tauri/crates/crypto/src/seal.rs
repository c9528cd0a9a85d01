//! Sealing secrets under the vault key, and wrapping the vault key under a passphrase.
//!
//! Sealed format: `0x01 || nonce (24) || XChaCha20-Poly1305(ciphertext || tag)`, with the
//! caller's associated data (the keychain item id), so an item moved to another id fails to open.

use crate::error::CryptoError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const SEAL_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The 256-bit key every secret is sealed with. Zeroized on drop; no `Debug`, no `Clone`.
pub struct VaultKey(Zeroizing<[u8; 32]>);

impl VaultKey {
    pub fn generate() -> VaultKey {
        let mut k = Zeroizing::new([0u8; 32]);
        crate::random_bytes(k.as_mut());
        VaultKey(k)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<VaultKey, CryptoError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
        Ok(VaultKey(Zeroizing::new(arr)))
    }

    /// The raw key bytes, for the explicit "no passphrase" mode only.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }
}

/// Seals `plaintext` under `key`, bound to `aad`.
pub fn seal(key: &VaultKey, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    seal_with(&key.cipher(), aad, plaintext)
}

/// Opens what [`seal`] produced with the same key and associated data.
pub fn open(key: &VaultKey, aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    open_with(&key.cipher(), aad, sealed)
}

/// Length of a sealed item for a plaintext of `n` bytes.
pub fn sealed_len(n: usize) -> usize {
    1 + NONCE_LEN + n + TAG_LEN
}

pub(crate) fn seal_with(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    crate::random_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
    out.push(SEAL_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    out
}

pub(crate) fn open_with(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEAL_VERSION {
        return Err(CryptoError::Malformed);
    }
    let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
    cipher
        .decrypt(
            nonce,
            Payload {
                msg: &sealed[1 + NONCE_LEN..],
                aad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::OpenFailed)
}

/// Argon2id cost parameters, stored beside the wrapped key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for KdfParams {
    /// m = 64 MiB, t = 3, p = 1: about 0.2–0.3 s on a laptop core in an optimised build.
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

/// The vault key wrapped under a passphrase-derived key. Public data only.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WrappedKey {
    pub kdf: String,
    pub params: KdfParams,
    /// Base64 salt.
    pub salt: String,
    /// Base64 of the sealed vault key.
    pub sealed: String,
}

pub(crate) fn derive(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<XChaCha20Poly1305, CryptoError> {
    let p = argon2::Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| CryptoError::Kdf(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut kek = Zeroizing::new([0u8; 32]);
    a.hash_password_into(passphrase, salt, kek.as_mut())
        .map_err(|e| CryptoError::Kdf(e.to_string()))?;
    Ok(XChaCha20Poly1305::new(kek.as_ref().into()))
}

/// Wraps `key` under `passphrase` (Argon2id) bound to `aad` (the vault id).
pub fn wrap(
    key: &VaultKey,
    passphrase: &[u8],
    params: KdfParams,
    aad: &[u8],
) -> Result<WrappedKey, CryptoError> {
    let mut salt = [0u8; 16];
    crate::random_bytes(&mut salt);
    let kek = derive(passphrase, &salt, params)?;
    Ok(WrappedKey {
        kdf: "argon2id".into(),
        params,
        salt: STANDARD.encode(salt),
        sealed: STANDARD.encode(seal_with(&kek, aad, key.0.as_ref())),
    })
}

/// Unwraps the vault key; a wrong passphrase is [`CryptoError::BadPassphrase`].
pub fn unwrap(w: &WrappedKey, passphrase: &[u8], aad: &[u8]) -> Result<VaultKey, CryptoError> {
    if w.kdf != "argon2id" {
        return Err(CryptoError::Kdf(format!("unknown KDF {}", w.kdf)));
    }
    let salt = STANDARD
        .decode(&w.salt)
        .map_err(|_| CryptoError::Malformed)?;
    let sealed = STANDARD
        .decode(&w.sealed)
        .map_err(|_| CryptoError::Malformed)?;
    let kek = derive(passphrase, &salt, w.params)?;
    let raw = open_with(&kek, aad, &sealed).map_err(|e| match e {
        CryptoError::OpenFailed => CryptoError::BadPassphrase,
        other => other,
    })?;
    VaultKey::from_bytes(&raw)
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
    fn seal_open_round_trip() {
        let k = VaultKey::generate();
        let s = seal(&k, b"item-1", b"secret bytes");
        assert_eq!(s.len(), sealed_len(12));
        assert_eq!(open(&k, b"item-1", &s).unwrap().as_slice(), b"secret bytes");
        assert!(
            !s.windows(6).any(|w| w == b"secret"),
            "ciphertext holds the plaintext"
        );
    }

    #[test]
    fn moved_item_fails_to_open() {
        let k = VaultKey::generate();
        let s = seal(&k, b"item-1", b"secret");
        let e = open(&k, b"item-2", &s).err().unwrap();
        assert_eq!(e.code(), "vault.corrupt_item");
    }

    #[test]
    fn other_key_or_tampering_fails() {
        let k = VaultKey::generate();
        let mut s = seal(&k, b"a", b"secret");
        assert!(open(&VaultKey::generate(), b"a", &s).is_err());
        let last = s.len() - 1;
        s[last] ^= 1;
        assert!(open(&k, b"a", &s).is_err());
        assert!(open(&k, b"a", &s[..10]).is_err());
    }

    #[test]
    fn same_plaintext_seals_differently() {
        let k = VaultKey::generate();
        assert_ne!(seal(&k, b"a", b"x"), seal(&k, b"a", b"x"));
    }

    #[test]
    fn wrap_unwrap_and_wrong_passphrase() {
        let k = VaultKey::generate();
        let w = wrap(&k, b"correct horse", CHEAP, b"vault-1").unwrap();
        let back = unwrap(&w, b"correct horse", b"vault-1").unwrap();
        assert_eq!(back.expose(), k.expose());
        let e = unwrap(&w, b"wrong horse", b"vault-1").err().unwrap();
        assert_eq!(e.code(), "vault.bad_passphrase");
        assert!(unwrap(&w, b"correct horse", b"vault-2").is_err());
        let json = serde_json::to_string(&w).unwrap();
        assert!(!json.contains(&STANDARD.encode(k.expose())));
    }

    #[test]
    fn default_kdf_params_are_the_documented_ones() {
        assert_eq!(
            KdfParams::default(),
            KdfParams {
                m_kib: 65536,
                t: 3,
                p: 1
            }
        );
    }
}
