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
mod tests {
    use super::*;
    use k256::elliptic_curve::sec1::ToEncodedPoint;

    fn secret(hex_str: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex_str, &mut out).expect("test hex");
        out
    }

    fn pub33(sk: &[u8; 32]) -> [u8; 33] {
        let key = k256::SecretKey::from_slice(sk).expect("test key");
        let point = key.public_key().to_encoded_point(true);
        point.as_bytes().try_into().expect("33 bytes")
    }

    fn pub65(sk: &[u8; 32]) -> [u8; 65] {
        let key = k256::SecretKey::from_slice(sk).expect("test key");
        let point = key.public_key().to_encoded_point(false);
        point.as_bytes().try_into().expect("65 bytes")
    }

    fn eip191_hash(msg: &[u8]) -> [u8; 32] {
        let mut data = format!("\x19Ethereum Signed Message:\n{}", msg.len()).into_bytes();
        data.extend_from_slice(msg);
        keccak256(&data)
    }

    #[test]
    fn keccak256_vectors() {
        // Keccak-256("") — PROTOCOLS.md §7 (the well-known empty-input Keccak digest).
        assert_eq!(
            hex::encode(keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        // EIP-191 hashes — PROTOCOLS.md §7, web3.js docs `accounts.hashMessage` / `sign`.
        assert_eq!(
            hex::encode(eip191_hash(b"Some data")),
            "1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655"
        );
        assert_eq!(
            hex::encode(eip191_hash(b"Hello World")),
            "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"
        );
    }

    #[test]
    fn eth_address_eip191_vector() {
        // web3.js docs `accounts.sign` key (PROTOCOLS.md §7, EIP-191).
        let sk = secret("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        assert_eq!(
            eth_address(&pub65(&sk)),
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
        );
    }

    #[test]
    fn eth_address_hardhat_account0() {
        // Hardhat / anvil default account #0 (mnemonic "test … junk", m/44'/60'/0'/0/0).
        let sk = secret("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        assert_eq!(
            eth_address(&pub65(&sk)),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );
    }

    #[test]
    fn eip55_published_examples() {
        // EIP-55 "Test Cases": all caps, all lower, and mixed-case examples.
        for expected in [
            "0x52908400098527886E0F7030069857D2E4169EE7",
            "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
            "0xde709f2102306220921060314715629080e2fb77",
            "0x27b1fdb04752bbc536007a920d24acb045561c26",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            let mut addr = [0u8; 20];
            hex::decode_to_slice(expected[2..].to_ascii_lowercase(), &mut addr).expect("hex");
            assert_eq!(eip55(&addr), expected);
        }
    }

    #[test]
    fn btc_p2pkh_bsm_vector() {
        // go-sdk compat/bsm sign_test.go (PROTOCOLS.md §7, BSM).
        let sk = secret("0499f8239bfe10eb0f5e53d543635a423c96529dd85fa4bad42049a0b435ebdd");
        assert_eq!(btc_p2pkh(&pub33(&sk)), "1KeiT9opiiEyqBjazSix8muc1JuFNNWEKe");
    }

    #[test]
    fn wif_bitcoin_wiki_vectors() {
        // Bitcoin wiki "Wallet import format" example key, uncompressed and compressed forms;
        // the compressed P2PKH address is the one btcwallet / bitcoinj tests pair with it.
        let sk = secret("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d");
        let unc = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
        let comp = "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617";
        assert_eq!(wif_encode(&sk, false).as_str(), unc);
        assert_eq!(wif_encode(&sk, true).as_str(), comp);
        let (d, c) = wif_decode(unc).expect("uncompressed WIF");
        assert_eq!(*d, sk);
        assert!(!c);
        let (d, c) = wif_decode(comp).expect("compressed WIF");
        assert_eq!(*d, sk);
        assert!(c);
        assert_eq!(btc_p2pkh(&pub33(&sk)), "1LoVGDgRs9hTfTNJNuXKSpywcbdvwRXpmK");
        // Testnet compressed WIF of the same key (btclib tests).
        let (d, c) = wif_decode("cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx")
            .expect("testnet WIF");
        assert_eq!(*d, sk);
        assert!(c);
        // Surrounding whitespace is tolerated.
        assert!(wif_decode(&format!("  {comp}\n")).is_ok());
    }

    #[test]
    fn eos_vectors() {
        // eosjs-ecc tests: the key is SHA-256("") (PROTOCOLS.md §7, EOS).
        let wif = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss";
        let d = eos_private_decode(wif).expect("EOS WIF");
        assert_eq!(
            hex::encode(*d),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let p = pub33(&d);
        assert_eq!(
            eos_public_legacy(&p),
            "EOS859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2HqhToVM"
        );
        assert_eq!(
            eos_public(&p),
            "PUB_K1_859gxfnXyUriMgUeThh1fWv3oqcpLFyHa3TfFYC4PK2Ht7beeX"
        );
        assert_eq!(eos_private_legacy(&d).as_str(), wif);

        // eosjs tests (eosjs-jssig.test.ts): legacy WIF, PVT_K1_ form and both public forms.
        let wif = "5Juww5SS6aLWxopXBAWzwqrwadiZKz7XpKAiktXTKcfBGi1DWg8";
        let k1 = "PVT_K1_26fMPzM27mXhoSF8y56ro7pN2te7rFT6W6wXiUi5joY79NHfZf";
        let d = eos_private_decode(wif).expect("EOS WIF");
        assert_eq!(eos_private_k1(&d).as_str(), k1);
        assert_eq!(*eos_private_decode(k1).expect("PVT_K1_"), *d);
        let p = pub33(&d);
        assert_eq!(
            eos_public_legacy(&p),
            "EOS7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhTU9ypi"
        );
        assert_eq!(
            eos_public(&p),
            "PUB_K1_7tgwU6E7pAUQJgqEJt66Yi8cWvanTUW8ZfBjeXeJBQvhYTBFvY"
        );

        // The eosio development key (EOSIO docs; abieos tests pair WIF and PVT_K1_).
        let wif = "5KQwrPbwdL6PhXujxW37FSSQZ1JiwsST4cqQzDeyXtP79zkvFD3";
        let k1 = "PVT_K1_2bfGi9rYsXQSXXTvJbDAPhHLQUojjaNLomdm3cEJ1XTzMqUt3V";
        let d = eos_private_decode(wif).expect("EOS WIF");
        assert_eq!(eos_private_k1(&d).as_str(), k1);
        let p = pub33(&d);
        assert_eq!(
            eos_public_legacy(&p),
            "EOS6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5GDW5CV"
        );
        assert_eq!(
            eos_public(&p),
            "PUB_K1_6MRyAjQq8ud7hVNYcfnVPJqcVpscN5So8BhtHuGYqET5BoDq63"
        );

        // A compressed WIF is accepted too (the flag is ignored).
        let comp = wif_encode(&d, true);
        assert_eq!(*eos_private_decode(&comp).expect("compressed"), *d);
    }

    fn is_err<T>(r: Result<T, CryptoError>, f: impl Fn(&CryptoError) -> bool) -> bool {
        match r {
            Ok(_) => false,
            Err(e) => f(&e),
        }
    }

    #[test]
    fn wif_errors() {
        let good = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
        // Last character changed: checksum.
        let bad_check = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTK";
        assert!(is_err(wif_decode(bad_check), |e| matches!(
            e,
            CryptoError::BadChecksum(_)
        )));
        // '0', 'O', 'I' and 'l' are not Base58.
        let bad_b58 = good.replace('H', "0");
        let err = wif_decode(&bad_b58).expect_err("error");
        assert!(matches!(&err, CryptoError::BadEncoding(w) if w == "Base58"));
        assert!(!err.to_string().contains(&bad_b58));
        // Wrong lengths, with a valid checksum.
        let short = b58check_encode(&[0x80; 20]);
        assert!(is_err(wif_decode(&short), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        let long = b58check_encode(&[0x80; 40]);
        assert!(is_err(wif_decode(&long), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        let far_too_long = "5".repeat(10_000);
        assert!(wif_decode(&far_too_long).is_err());
        assert!(is_err(wif_decode(""), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        // Zero scalar and the group order n are not keys.
        let zero = wif_encode(&[0u8; 32], false);
        assert!(is_err(wif_decode(&zero), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        let n = secret("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
        assert!(is_err(wif_decode(&wif_encode(&n, true)), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        // Unknown version byte (0x00, a P2PKH address version).
        let sk = secret("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d");
        let other = wif_encode_version(0x00, &sk, false);
        assert!(is_err(wif_decode(&other), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        // A compressed-length payload whose flag is not 0x01.
        let mut payload = [0u8; 34];
        payload[0] = 0x80;
        payload[1..33].copy_from_slice(&sk);
        payload[33] = 0x02;
        let bad_flag = b58check_encode(&payload);
        assert!(is_err(wif_decode(&bad_flag), |e| matches!(
            e,
            CryptoError::BadEncoding(_)
        )));
        // No error message quotes the input.
        for input in [bad_check, bad_b58.as_str(), short.as_str(), zero.as_str()] {
            let msg = wif_decode(input).expect_err("error").to_string();
            assert!(!msg.contains(input), "message quotes its input: {msg}");
        }
    }

    #[test]
    fn eos_errors() {
        let k1 = "PVT_K1_26fMPzM27mXhoSF8y56ro7pN2te7rFT6W6wXiUi5joY79NHfZf";
        let bad_check = k1.replace("Zf", "Zg");
        assert!(is_err(eos_private_decode(&bad_check), |e| matches!(
            e,
            CryptoError::BadChecksum(_)
        )));
        assert!(is_err(eos_private_decode("PVT_K1_0OIl"), |e| matches!(
            e,
            CryptoError::BadEncoding(_)
        )));
        assert!(is_err(eos_private_decode("PVT_K1_2bfGi9"), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        assert!(is_err(
            eos_private_decode("PVT_R1_GrfEfbv5at9kbeHcGagQmvbFLdm6jqEpgE1wsGbrfbZNjpVgT"),
            |e| matches!(e, CryptoError::BadKey(_))
        ));
        // Zero scalar in PVT_K1_ form.
        let zero = eos_private_k1(&[0u8; 32]);
        assert!(is_err(eos_private_decode(&zero), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        // Testnet WIF is not an EOS key.
        let tn = "cMzLdeGd5vEqxB8B6VFQoRopQ3sLAAvEzDAoQgvX54xwofSWj1fx";
        assert!(is_err(eos_private_decode(tn), |e| matches!(
            e,
            CryptoError::BadKey(_)
        )));
        // Bad checksum on the legacy form.
        let legacy = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjst";
        assert!(is_err(eos_private_decode(legacy), |e| matches!(
            e,
            CryptoError::BadChecksum(_)
        )));
        let msg = eos_private_decode(&bad_check)
            .expect_err("error")
            .to_string();
        assert!(!msg.contains(&bad_check));
    }
}
