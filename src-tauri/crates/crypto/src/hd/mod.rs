//! BIP32 extended keys and BIP39 mnemonics (secp256k1).
//!
//! Specs followed:
//! * BIP32: master key = HMAC-SHA512("Bitcoin seed", seed) for 16–64-byte seeds, private child
//!   derivation (CKDpriv), the 78-byte serialisation with `xprv`/`xpub` (mainnet) and
//!   `tprv`/`tpub` (testnet) versions, Base58Check, and the validity rules of its test vector 5.
//! * BIP39: English word list, checksum, seed = PBKDF2-HMAC-SHA512(mnemonic,
//!   "mnemonic" ‖ NFKD(passphrase), 2048 rounds, 64 bytes) — via the `bip39` crate.
//! * BIP44 paths with SLIP-44 coin types (60 Ethereum, 194 EOS, 0 Bitcoin) for [`Preset`].
//!
//! Errors never quote the input: a mnemonic word or a malformed extended key is still a secret
//! (an unknown mnemonic word is reported by its position only).

use std::borrow::Cow;
use std::fmt;

use bip32::{ChildNumber, DerivationPath, PrivateKey as _};
use hmac::{Hmac, Mac};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use crate::chain::{self, B58Error};
use crate::error::CryptoError;

/// Serialised length of an extended key, without its checksum.
const EXTENDED_KEY_LEN: usize = 78;
/// `xprv` version bytes (mainnet private).
const VERSION_XPRV: [u8; 4] = [0x04, 0x88, 0xAD, 0xE4];
/// `tprv` version bytes (testnet private).
const VERSION_TPRV: [u8; 4] = [0x04, 0x35, 0x83, 0x94];
/// `xpub` version bytes (mainnet public).
const VERSION_XPUB: [u8; 4] = [0x04, 0x88, 0xB2, 0x1E];
/// Version bytes of extended *public* keys (BIP32 and SLIP-132): xpub, tpub, ypub, zpub, upub,
/// vpub, Ypub, Zpub, Upub, Vpub.
const PUBLIC_VERSIONS: [[u8; 4]; 10] = [
    [0x04, 0x88, 0xB2, 0x1E],
    [0x04, 0x35, 0x87, 0xCF],
    [0x04, 0x9D, 0x7C, 0xB2],
    [0x04, 0xB2, 0x47, 0x46],
    [0x04, 0x4A, 0x52, 0x62],
    [0x04, 0x5F, 0x1C, 0xF6],
    [0x02, 0x95, 0xB4, 0x3F],
    [0x02, 0xAA, 0x7E, 0xD3],
    [0x02, 0x42, 0x89, 0xEF],
    [0x02, 0x57, 0x54, 0x83],
];
/// Longest mnemonic input accepted (24 words of at most 8 letters need 215 bytes).
const MAX_MNEMONIC_LEN: usize = 4096;
/// Longest derivation path accepted (BIP32 depth is one byte).
const MAX_DEPTH: usize = 255;

/// A BIP32 node holding a private key: the key, its chain code and where it sits in the tree.
///
/// The chain code is wiped on drop (the secret key wipes itself). `Debug` is implemented by
/// hand and shows neither.
pub struct HdNode {
    pub secret: k256::SecretKey,
    pub chain_code: [u8; 32],
    pub depth: u8,
    pub parent_fingerprint: [u8; 4],
    pub child_number: u32,
}

impl Clone for HdNode {
    fn clone(&self) -> Self {
        HdNode {
            secret: self.secret.clone(),
            chain_code: self.chain_code,
            depth: self.depth,
            parent_fingerprint: self.parent_fingerprint,
            child_number: self.child_number,
        }
    }
}

impl Drop for HdNode {
    fn drop(&mut self) {
        self.chain_code.zeroize();
    }
}

impl fmt::Debug for HdNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HdNode")
            .field("secret", &"<redacted>")
            .field("chain_code", &"<redacted>")
            .field("depth", &self.depth)
            .field("parent_fingerprint", &hex::encode(self.parent_fingerprint))
            .field("child_number", &self.child_number)
            .finish()
    }
}

impl HdNode {
    /// The BIP32 master node of a seed (16 to 64 bytes).
    pub fn master(seed: &[u8]) -> Result<HdNode, CryptoError> {
        if !(16..=64).contains(&seed.len()) {
            return Err(CryptoError::BadKey(
                "a BIP32 seed is 16 to 64 bytes long".into(),
            ));
        }
        let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(b"Bitcoin seed")
            .map_err(|_| CryptoError::BadKey("HMAC-SHA512 key setup failed".into()))?;
        mac.update(seed);
        let i = Zeroizing::new(mac.finalize().into_bytes());
        let secret =
            k256::SecretKey::from_bytes(k256::FieldBytes::from_slice(&i[..32])).map_err(|_| {
                CryptoError::BadKey(
                    "this seed gives an invalid BIP32 master key; use another seed".into(),
                )
            })?;
        let mut chain_code = [0u8; 32];
        chain_code.copy_from_slice(&i[32..]);
        Ok(HdNode {
            secret,
            chain_code,
            depth: 0,
            parent_fingerprint: [0; 4],
            child_number: 0,
        })
    }

    /// The child at `index` (BIP32 CKDpriv); indices ≥ 2^31 are hardened.
    pub fn derive_child(&self, index: u32) -> Result<HdNode, CryptoError> {
        let depth = self
            .depth
            .checked_add(1)
            .ok_or_else(|| CryptoError::BadPath("BIP32 allows at most 255 levels".into()))?;
        let invalid = || {
            CryptoError::BadKey(
                "this derivation step gives an invalid key (BIP32: probability below 2^-127)"
                    .into(),
            )
        };
        let (tweak, chain_code) = self
            .secret
            .derive_tweak(&self.chain_code, ChildNumber(index))
            .map_err(|_| invalid())?;
        let tweak = Zeroizing::new(tweak);
        let secret = self.secret.derive_child(*tweak).map_err(|_| invalid())?;
        Ok(HdNode {
            secret,
            chain_code,
            depth,
            parent_fingerprint: self.fingerprint(),
            child_number: index,
        })
    }

    /// The descendant along `path` (see [`parse_path`]), relative to this node.
    pub fn derive_path(&self, path: &str) -> Result<HdNode, CryptoError> {
        let path = parse_path(path)?;
        self.derive(&path)
    }

    /// The descendant along an already parsed path, relative to this node.
    pub fn derive(&self, path: &DerivationPath) -> Result<HdNode, CryptoError> {
        let mut node = self.clone();
        for child in path.iter() {
            node = node.derive_child(child.0)?;
        }
        Ok(node)
    }

    /// The public key of this node.
    pub fn public_key(&self) -> k256::PublicKey {
        self.secret.public_key()
    }

    /// The compressed SEC1 public key (33 bytes).
    pub fn public_key_compressed(&self) -> [u8; 33] {
        let point = self.public_key().to_encoded_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(point.as_bytes());
        out
    }

    /// This node's fingerprint: the first 4 bytes of HASH160 of its compressed public key.
    pub fn fingerprint(&self) -> [u8; 4] {
        let h = chain::hash160(&self.public_key_compressed());
        [h[0], h[1], h[2], h[3]]
    }

    fn serialise_head(&self, version: [u8; 4], out: &mut [u8; EXTENDED_KEY_LEN]) {
        out[..4].copy_from_slice(&version);
        out[4] = self.depth;
        out[5..9].copy_from_slice(&self.parent_fingerprint);
        out[9..13].copy_from_slice(&self.child_number.to_be_bytes());
        out[13..45].copy_from_slice(&self.chain_code);
    }

    /// The mainnet `xprv…` serialisation (also for nodes parsed from `tprv`).
    pub fn xprv(&self) -> Zeroizing<String> {
        let mut buf = Zeroizing::new([0u8; EXTENDED_KEY_LEN]);
        self.serialise_head(VERSION_XPRV, &mut buf);
        buf[45] = 0;
        let key = Zeroizing::new(self.secret.to_bytes());
        buf[46..].copy_from_slice(&key);
        chain::b58check_encode(&buf[..])
    }

    /// The mainnet `xpub…` serialisation of this node's public key.
    pub fn xpub(&self) -> String {
        let mut buf = [0u8; EXTENDED_KEY_LEN];
        self.serialise_head(VERSION_XPUB, &mut buf);
        buf[45..].copy_from_slice(&self.public_key_compressed());
        chain::b58check_encode(&buf[..]).to_string()
    }

    /// depth(1) ‖ parent_fingerprint(4) ‖ child_number(4, big-endian) ‖ chain_code(32): what is
    /// stored next to the node's PKCS#8 key to rebuild it with [`HdNode::from_meta_bytes`].
    pub fn to_meta_bytes(&self) -> [u8; 41] {
        let mut out = [0u8; 41];
        out[0] = self.depth;
        out[1..5].copy_from_slice(&self.parent_fingerprint);
        out[5..9].copy_from_slice(&self.child_number.to_be_bytes());
        out[9..].copy_from_slice(&self.chain_code);
        out
    }

    /// Rebuilds a node from its secret key and the bytes of [`HdNode::to_meta_bytes`].
    pub fn from_meta_bytes(secret: k256::SecretKey, meta: &[u8]) -> Result<HdNode, CryptoError> {
        if meta.len() != 41 {
            return Err(CryptoError::BadExtendedKey(
                "the stored node data must be 41 bytes".into(),
            ));
        }
        let depth = meta[0];
        let mut parent_fingerprint = [0u8; 4];
        parent_fingerprint.copy_from_slice(&meta[1..5]);
        let child_number = u32::from_be_bytes([meta[5], meta[6], meta[7], meta[8]]);
        check_master_fields(depth, &parent_fingerprint, child_number)?;
        let mut chain_code = [0u8; 32];
        chain_code.copy_from_slice(&meta[9..41]);
        Ok(HdNode {
            secret,
            chain_code,
            depth,
            parent_fingerprint,
            child_number,
        })
    }
}

/// BIP32 test vector 5: a depth-0 key must have a zero parent fingerprint and index 0.
fn check_master_fields(depth: u8, fingerprint: &[u8; 4], index: u32) -> Result<(), CryptoError> {
    if depth == 0 && (*fingerprint != [0; 4] || index != 0) {
        return Err(CryptoError::BadExtendedKey(
            "a depth-0 (master) key must have a zero parent fingerprint and index".into(),
        ));
    }
    Ok(())
}

/// Parses a BIP32 extended private key, `xprv…` (mainnet) or `tprv…` (testnet).
pub fn parse_xprv(s: &str) -> Result<HdNode, CryptoError> {
    let s = s.trim();
    let mut buf = Zeroizing::new([0u8; EXTENDED_KEY_LEN + 4]);
    let n = chain::b58_decode_into(s, &mut buf[..]).map_err(|e| match e {
        B58Error::Alphabet => CryptoError::BadExtendedKey("it is not valid Base58".into()),
        B58Error::TooLong => CryptoError::BadExtendedKey("it is too long".into()),
    })?;
    if n != EXTENDED_KEY_LEN + 4 {
        return Err(CryptoError::BadExtendedKey(
            "an extended key is 78 bytes plus a 4-byte checksum".into(),
        ));
    }
    if !chain::b58check_ok(&buf[..]) {
        return Err(CryptoError::BadChecksum("extended key".into()));
    }
    let mut version = [0u8; 4];
    version.copy_from_slice(&buf[..4]);
    if PUBLIC_VERSIONS.contains(&version) {
        if buf[45] == 0 {
            return Err(CryptoError::BadExtendedKey(
                "a public version holds private key data".into(),
            ));
        }
        return Err(CryptoError::NotPrivate);
    }
    if version != VERSION_XPRV && version != VERSION_TPRV {
        return Err(CryptoError::BadExtendedKey(
            "unsupported version; only xprv and tprv keys are accepted".into(),
        ));
    }
    if buf[45] != 0 {
        return Err(CryptoError::BadExtendedKey(
            "the key data of an xprv must start with 0x00".into(),
        ));
    }
    let depth = buf[4];
    let mut parent_fingerprint = [0u8; 4];
    parent_fingerprint.copy_from_slice(&buf[5..9]);
    let child_number = u32::from_be_bytes([buf[9], buf[10], buf[11], buf[12]]);
    check_master_fields(depth, &parent_fingerprint, child_number)?;
    let secret =
        k256::SecretKey::from_bytes(k256::FieldBytes::from_slice(&buf[46..78])).map_err(|_| {
            CryptoError::BadExtendedKey(
                "the private key is zero or not below the secp256k1 group order".into(),
            )
        })?;
    let mut chain_code = [0u8; 32];
    chain_code.copy_from_slice(&buf[13..45]);
    Ok(HdNode {
        secret,
        chain_code,
        depth,
        parent_fingerprint,
        child_number,
    })
}

/// Parses a derivation path such as `m/44'/60'/0'/0/0`. Hardened steps are marked `'`, `h` or
/// `H`; the leading `m/` may be omitted; `m` alone is the empty path.
pub fn parse_path(s: &str) -> Result<DerivationPath, CryptoError> {
    let s = s.trim();
    let mut path = DerivationPath::default();
    if s == "m" || s == "M" {
        return Ok(path);
    }
    let body = s
        .strip_prefix("m/")
        .or_else(|| s.strip_prefix("M/"))
        .unwrap_or(s);
    if body.is_empty() {
        return Err(CryptoError::BadPath("the path is empty".into()));
    }
    for (i, step) in body.split('/').enumerate() {
        if i >= MAX_DEPTH {
            return Err(CryptoError::BadPath(
                "BIP32 allows at most 255 levels".into(),
            ));
        }
        let (digits, hardened) = match step
            .strip_suffix('\'')
            .or_else(|| step.strip_suffix('h'))
            .or_else(|| step.strip_suffix('H'))
        {
            Some(d) => (d, true),
            None => (step, false),
        };
        let bad = || {
            CryptoError::BadPath(format!(
                "step {} is not an index from 0 to 2147483647 with an optional ' or h",
                i + 1
            ))
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let index: u32 = digits.parse().map_err(|_| bad())?;
        let child = ChildNumber::new(index, hardened).map_err(|_| bad())?;
        path.push(child);
    }
    Ok(path)
}

/// Common derivation-path presets (BIP44 with SLIP-44 coin types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// `m/44'/60'/0'/0/i`
    Ethereum,
    /// `m/44'/194'/0'/0/i`
    Eos,
    /// `m/44'/0'/0'/0/i`
    Bitcoin,
}

impl Preset {
    /// `eth`/`ethereum`, `eos`, `btc`/`bitcoin` (case-insensitive).
    pub fn parse(s: &str) -> Option<Preset> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eth" | "ethereum" => Some(Preset::Ethereum),
            "eos" => Some(Preset::Eos),
            "btc" | "bitcoin" => Some(Preset::Bitcoin),
            _ => None,
        }
    }

    /// SLIP-44 coin type.
    pub fn coin_type(self) -> u32 {
        match self {
            Preset::Ethereum => 60,
            Preset::Eos => 194,
            Preset::Bitcoin => 0,
        }
    }

    /// The BIP44 path of the `index`-th external address of account 0.
    pub fn path(self, index: u32) -> String {
        format!("m/44'/{}'/0'/0/{}", self.coin_type(), index)
    }
}

/// Normalises a phrase for BIP39: words split on any whitespace, joined by one space, ASCII
/// lower-cased (the English word list is ASCII). The result is wiped on drop.
fn normalise_phrase(phrase: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(phrase.len()));
    for (i, word) in phrase.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The 64-byte BIP39 seed of an English mnemonic and passphrase, after checking the words and
/// the checksum.
pub fn mnemonic_to_seed(
    phrase: &str,
    bip39_passphrase: &str,
) -> Result<Zeroizing<[u8; 64]>, CryptoError> {
    if phrase.len() > MAX_MNEMONIC_LEN {
        return Err(CryptoError::TooLarge(phrase.len(), MAX_MNEMONIC_LEN));
    }
    let normalised = normalise_phrase(phrase);
    let mnemonic = bip39::Mnemonic::parse_in_normalized(bip39::Language::English, &normalised)
        .map_err(|e| match e {
            bip39::Error::BadWordCount(n) => CryptoError::BadMnemonic(format!(
                "it has {n} words; a BIP39 mnemonic has 12, 15, 18, 21 or 24"
            )),
            bip39::Error::UnknownWord(i) => CryptoError::BadMnemonic(format!(
                "word {} is not in the BIP39 English word list",
                i + 1
            )),
            bip39::Error::InvalidChecksum => CryptoError::BadChecksum("mnemonic".into()),
            _ => CryptoError::BadMnemonic("it is not a BIP39 English mnemonic".into()),
        })?;
    // BIP39 takes the passphrase in NFKD; keep any normalised copy in a wiped buffer.
    let mut cow = Cow::Borrowed(bip39_passphrase);
    bip39::Mnemonic::normalize_utf8_cow(&mut cow);
    let passphrase: Zeroizing<String> = Zeroizing::new(cow.into_owned());
    Ok(Zeroizing::new(mnemonic.to_seed_normalized(&passphrase)))
}

/// The node at `path` under the BIP32 master of `seed` (16 to 64 bytes).
pub fn from_seed(seed: &[u8], path: &str) -> Result<HdNode, CryptoError> {
    let path = parse_path(path)?;
    HdNode::master(seed)?.derive(&path)
}

/// The node at `path` for an English BIP39 mnemonic and its (possibly empty) passphrase.
pub fn from_mnemonic(
    phrase: &str,
    bip39_passphrase: &str,
    path: &str,
) -> Result<HdNode, CryptoError> {
    // Check the path first: a typo in it should not cost a PBKDF2 run.
    let path = parse_path(path)?;
    let seed = mnemonic_to_seed(phrase, bip39_passphrase)?;
    HdNode::master(&seed[..])?.derive(&path)
}

#[cfg(test)]
mod tests;
