//! Keyward's cryptography: key formats, sealing and passphrase wrapping, signature schemes
//! ([`sign`]), JSON Web Tokens ([`jwt`]) and Sign-In with Ethereum ([`siwe`]).
//!
//! Pure: this crate does no I/O. Storage lives in `keyward-vault`, the network in
//! `keyward-services`. Secret material is held in zeroizing types and never derives
//! `Debug` or `Serialize`.

pub mod backup;
pub mod chain;
pub mod error;
pub mod hd;
pub mod import;
pub mod jwk;
pub mod jwt;
pub mod keys;
pub mod keystore;
pub mod openssh;
pub mod pem;
pub mod qr;
pub mod seal;
pub mod sign;
pub mod siwe;

pub use error::{Coded, CryptoError};
pub use import::{ImportFormat, ImportOptions, Imported};
pub use keys::{KeyAlg, PrivateFormat, PrivateKey, PublicFormat, PublicKey};
pub use seal::{KdfParams, VaultKey, WrappedKey};

/// Fills `buf` with bytes from the operating system's CSPRNG.
pub fn random_bytes(buf: &mut [u8]) {
    use rand_core::RngCore;
    rand_core::OsRng.fill_bytes(buf);
}

/// A random identifier of `n` bytes, hex encoded (lower case).
pub fn random_id(n: usize) -> String {
    let mut b = vec![0u8; n];
    random_bytes(&mut b);
    hex::encode(b)
}
