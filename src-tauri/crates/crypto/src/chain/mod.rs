//! Blockchain encodings of secp256k1 keys and addresses.
//!
//! Specs followed:
//! * Base58Check and WIF: Bitcoin wiki "Base58Check encoding" and "Wallet import format"
//!   (version 0x80 mainnet / 0xef testnet, 0x01 suffix for a compressed public key,
//!   checksum = SHA-256(SHA-256(payload))[0..4]).
//! * P2PKH addresses: Bitcoin wiki "Technical background of version 1 Bitcoin addresses"
//!   (version 0x00 ‖ RIPEMD-160(SHA-256(pubkey)), Base58Check).
//! * EOS key strings: eosjs-ecc `key_utils.js` / eosjs `eosjs-numeric.ts` (legacy `EOS…` public
//!   keys with a RIPEMD-160 checksum, `PUB_K1_` / `PVT_K1_` with RIPEMD-160(data ‖ "K1"), legacy
//!   private keys as uncompressed WIF).
//! * Ethereum addresses: Yellow Paper Appendix F (last 20 bytes of Keccak-256 of the 64-byte
//!   public key) and EIP-55 mixed-case checksum. Keccak-256 is the original Keccak padding,
//!   not FIPS 202 SHA3-256.
//!
//! Errors never quote the input: a malformed key is still a secret.

use k256::elliptic_curve::subtle::ConstantTimeEq;
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use sha3::Keccak256;
use zeroize::Zeroizing;

use crate::error::CryptoError;

/// Bitcoin mainnet WIF version byte.
const WIF_MAINNET: u8 = 0x80;
/// Bitcoin testnet WIF version byte.
const WIF_TESTNET: u8 = 0xef;
/// Bitcoin mainnet P2PKH version byte.
const P2PKH_MAINNET: u8 = 0x00;

/// Keccak-256 (Ethereum's hash: original Keccak padding, not SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// RIPEMD-160(SHA-256(data)), Bitcoin's HASH160.
pub fn hash160(data: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(data)).into()
}

/// SHA-256(SHA-256(data)).
pub(crate) fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

/// RIPEMD-160(data ‖ "K1"): the checksum hash of EOS `PUB_K1_` / `PVT_K1_` strings.
pub(crate) fn ripemd160_k1(data: &[u8]) -> [u8; 20] {
    Ripemd160::new()
        .chain_update(data)
        .chain_update(b"K1")
        .finalize()
        .into()
}

/// Whether `bytes` is a valid secp256k1 secret scalar (non-zero and below the group order).
pub(crate) fn is_valid_scalar(bytes: &[u8; 32]) -> bool {
    k256::SecretKey::from_bytes(k256::FieldBytes::from_slice(bytes)).is_ok()
}

/// Why a Base58 string could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum B58Error {
    /// A character outside the Bitcoin Base58 alphabet.
    Alphabet,
    /// The decoded value does not fit the buffer (too long for the expected format).
    TooLong,
}

/// Decodes Base58 (Bitcoin alphabet) into `out`, returning the decoded length. Decoding happens
/// in place in `out`, so a caller that passes a zeroizing buffer leaves no copy behind.
pub(crate) fn b58_decode_into(s: &str, out: &mut [u8]) -> Result<usize, B58Error> {
    // Every Base58 character adds at least one output byte's worth of work; refusing strings far
    // longer than the buffer up front bounds the quadratic decoder.
    if s.len() > out.len().saturating_mul(2).saturating_add(8) {
        return Err(B58Error::TooLong);
    }
    bs58::decode(s).onto(out).map_err(|e| match e {
        bs58::decode::Error::BufferTooSmall => B58Error::TooLong,
        _ => B58Error::Alphabet,
    })
}

/// Base58 of `bytes` (no checksum added), as a zeroizing string.
pub(crate) fn b58_encode(bytes: &[u8]) -> Zeroizing<String> {
    // `into_string` writes into a single allocation that becomes the returned string, so no
    // un-wiped copy of the encoding is left behind.
    Zeroizing::new(bs58::encode(bytes).into_string())
}

/// Base58Check of `payload` (payload ‖ SHA-256d(payload)[0..4]), as a zeroizing string.
pub(crate) fn b58check_encode(payload: &[u8]) -> Zeroizing<String> {
    let mut buf = Zeroizing::new(Vec::with_capacity(payload.len() + 4));
    buf.extend_from_slice(payload);
    buf.extend_from_slice(&sha256d(payload)[..4]);
    b58_encode(&buf)
}

/// Whether the last four bytes of `data` are the SHA-256d checksum of the rest (constant time).
pub(crate) fn b58check_ok(data: &[u8]) -> bool {
    if data.len() < 4 {
        return false;
    }
    let (payload, check) = data.split_at(data.len() - 4);
    bool::from(sha256d(payload)[..4].ct_eq(check))
}

/// The Bitcoin WIF of a secret scalar, mainnet (version 0x80), with the 0x01 suffix when the
/// key's public key is used compressed.
pub fn wif_encode(secret: &[u8; 32], compressed: bool) -> Zeroizing<String> {
    wif_encode_version(WIF_MAINNET, secret, compressed)
}

fn wif_encode_version(version: u8, secret: &[u8; 32], compressed: bool) -> Zeroizing<String> {
    let mut payload = Zeroizing::new([0u8; 34]);
    payload[0] = version;
    payload[1..33].copy_from_slice(secret);
    let len = if compressed {
        payload[33] = 0x01;
        34
    } else {
        33
    };
    b58check_encode(&payload[..len])
}

/// A decoded WIF: version byte, scalar and compression flag.
struct Wif {
    version: u8,
    secret: Zeroizing<[u8; 32]>,
    compressed: bool,
}

/// Decodes any-version WIF, checking Base58, checksum, length, the compression flag and the
/// scalar; the caller checks the version byte.
fn wif_decode_any(s: &str) -> Result<Wif, CryptoError> {
    let s = s.trim();
    let mut buf = Zeroizing::new([0u8; 48]);
    let n = b58_decode_into(s, &mut buf[..]).map_err(|e| match e {
        B58Error::Alphabet => CryptoError::BadEncoding("Base58".into()),
        B58Error::TooLong => CryptoError::BadKey("a WIF key is 37 or 38 bytes long".into()),
    })?;
    if n < 5 {
        return Err(CryptoError::BadKey(
            "a WIF key is 37 or 38 bytes long".into(),
        ));
    }
    if !b58check_ok(&buf[..n]) {
        return Err(CryptoError::BadChecksum("WIF".into()));
    }
    let compressed = match n {
        37 => false,
        38 if buf[33] == 0x01 => true,
        38 => {
            return Err(CryptoError::BadEncoding(
                "WIF (the compression flag must be 0x01)".into(),
            ))
        }
        _ => {
            return Err(CryptoError::BadKey(
                "a WIF key is 37 or 38 bytes long".into(),
            ))
        }
    };
    let mut secret = Zeroizing::new([0u8; 32]);
    secret.copy_from_slice(&buf[1..33]);
    if !is_valid_scalar(&secret) {
        return Err(CryptoError::BadKey(
            "the private key is zero or not below the secp256k1 group order".into(),
        ));
    }
    Ok(Wif {
        version: buf[0],
        secret,
        compressed,
    })
}

/// Decodes a Bitcoin WIF private key (mainnet 0x80 or testnet 0xef) into its scalar and whether
/// it is marked compressed.
pub fn wif_decode(s: &str) -> Result<(Zeroizing<[u8; 32]>, bool), CryptoError> {
    let wif = wif_decode_any(s)?;
    if wif.version != WIF_MAINNET && wif.version != WIF_TESTNET {
        return Err(CryptoError::BadKey(
            "the WIF version byte is neither Bitcoin mainnet (0x80) nor testnet (0xef)".into(),
        ));
    }
    Ok((wif.secret, wif.compressed))
}

/// Decodes an EOS private key: `PVT_K1_…` or the legacy WIF form (`5…`; a compressed WIF is also
/// accepted, as EOS wallets ignore the flag).
pub fn eos_private_decode(s: &str) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let s = s.trim();
    if let Some(body) = s.strip_prefix("PVT_K1_") {
        let mut buf = Zeroizing::new([0u8; 40]);
        let n = b58_decode_into(body, &mut buf[..]).map_err(|e| match e {
            B58Error::Alphabet => CryptoError::BadEncoding("Base58".into()),
            B58Error::TooLong => CryptoError::BadKey("a PVT_K1_ key holds 36 bytes".into()),
        })?;
        if n != 36 {
            return Err(CryptoError::BadKey("a PVT_K1_ key holds 36 bytes".into()));
        }
        let check = ripemd160_k1(&buf[..32]);
        if !bool::from(check[..4].ct_eq(&buf[32..36])) {
            return Err(CryptoError::BadChecksum("EOS private key".into()));
        }
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&buf[..32]);
        if !is_valid_scalar(&secret) {
            return Err(CryptoError::BadKey(
                "the private key is zero or not below the secp256k1 group order".into(),
            ));
        }
        return Ok(secret);
    }
    if s.starts_with("PVT_") {
        return Err(CryptoError::BadKey(
            "only PVT_K1_ (secp256k1) EOS private keys are supported".into(),
        ));
    }
    let wif = wif_decode_any(s)?;
    if wif.version != WIF_MAINNET {
        return Err(CryptoError::BadKey(
            "an EOS private key in WIF form has version byte 0x80".into(),
        ));
    }
    Ok(wif.secret)
}

/// The `PVT_K1_…` form of an EOS private key.
pub fn eos_private_k1(secret: &[u8; 32]) -> Zeroizing<String> {
    let mut buf = Zeroizing::new([0u8; 36]);
    buf[..32].copy_from_slice(secret);
    let check = ripemd160_k1(secret);
    buf[32..].copy_from_slice(&check[..4]);
    let body = b58_encode(&buf[..]);
    let mut out = Zeroizing::new(String::with_capacity(7 + body.len()));
    out.push_str("PVT_K1_");
    out.push_str(&body);
    out
}

/// The legacy EOS private key: an uncompressed Bitcoin mainnet WIF (`5…`).
pub fn eos_private_legacy(secret: &[u8; 32]) -> Zeroizing<String> {
    wif_encode(secret, false)
}

/// `PUB_K1_` + Base58(pub33 ‖ RIPEMD-160(pub33 ‖ "K1")[0..4]).
pub fn eos_public(pub33: &[u8; 33]) -> String {
    let mut buf = [0u8; 37];
    buf[..33].copy_from_slice(pub33);
    buf[33..].copy_from_slice(&ripemd160_k1(pub33)[..4]);
    format!("PUB_K1_{}", bs58::encode(&buf[..]).into_string())
}

/// Reads an EOS public key, `PUB_K1_…` or legacy `EOS…`, checksum checked; the compressed point.
pub fn eos_public_decode(s: &str) -> Result<[u8; 33], CryptoError> {
    let s = s.trim();
    let (body, k1) = if let Some(b) = s.strip_prefix("PUB_K1_") {
        (b, true)
    } else if let Some(b) = s.strip_prefix("EOS") {
        (b, false)
    } else {
        return Err(CryptoError::BadKey(
            "an EOS public key starts with PUB_K1_ or EOS".into(),
        ));
    };
    let raw = bs58::decode(body)
        .into_vec()
        .map_err(|_| CryptoError::BadEncoding("Base58".into()))?;
    if raw.len() != 37 {
        return Err(CryptoError::BadKey(
            "an EOS public key holds 37 bytes".into(),
        ));
    }
    let check: [u8; 20] = if k1 {
        ripemd160_k1(&raw[..33])
    } else {
        Ripemd160::digest(&raw[..33]).into()
    };
    if check[..4] != raw[33..] {
        return Err(CryptoError::BadChecksum("EOS public key".into()));
    }
    Ok(raw[..33].try_into().expect("33 bytes"))
}

/// Legacy EOS public key: `EOS` + Base58(pub33 ‖ RIPEMD-160(pub33)[0..4]).
pub fn eos_public_legacy(pub33: &[u8; 33]) -> String {
    let mut buf = [0u8; 37];
    buf[..33].copy_from_slice(pub33);
    let check: [u8; 20] = Ripemd160::digest(pub33).into();
    buf[33..].copy_from_slice(&check[..4]);
    format!("EOS{}", bs58::encode(&buf[..]).into_string())
}

/// The 20-byte Ethereum address of an uncompressed SEC1 point (0x04 ‖ x ‖ y).
pub fn eth_address_bytes(pub65: &[u8; 65]) -> [u8; 20] {
    let hash = keccak256(&pub65[1..]);
    let mut addr = [0u8; 20];
    addr.copy_from_slice(&hash[12..]);
    addr
}

/// The EIP-55 checksummed `0x…` Ethereum address of an uncompressed SEC1 point (0x04 ‖ x ‖ y).
pub fn eth_address(pub65: &[u8; 65]) -> String {
    eip55(&eth_address_bytes(pub65))
}

/// EIP-55 mixed-case checksum encoding of a 20-byte address, with the `0x` prefix: a hex letter
/// is upper case when the matching nibble of Keccak-256(lower-case hex) is 8 or more.
pub fn eip55(addr: &[u8; 20]) -> String {
    let lower = hex::encode(addr);
    let hash = keccak256(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let byte = hash[i / 2];
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        if c.is_ascii_alphabetic() && nibble >= 8 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Bitcoin mainnet P2PKH address (`1…`) of a compressed public key.
pub fn btc_p2pkh(pub33: &[u8; 33]) -> String {
    let mut payload = [0u8; 21];
    payload[0] = P2PKH_MAINNET;
    payload[1..].copy_from_slice(&hash160(pub33));
    let mut buf = [0u8; 25];
    buf[..21].copy_from_slice(&payload);
    buf[21..].copy_from_slice(&sha256d(&payload)[..4]);
    bs58::encode(&buf[..]).into_string()
}

#[cfg(test)]
mod tests;
