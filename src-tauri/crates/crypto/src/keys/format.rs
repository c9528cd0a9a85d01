//! The export formats of public and private keys.

use serde::{Deserialize, Serialize};

/// Public export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum PublicFormat {
    /// SubjectPublicKeyInfo PEM, as `openssl pkey -pubout` writes it.
    Pem,
    /// A public JWK with its RFC 7638 thumbprint as `kid`.
    Jwk,
    /// A JWK Set of one or more keys.
    Jwks,
    /// An OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
    Openssh,
    /// EIP-55 Ethereum address (secp256k1).
    Eth,
    /// EOS `PUB_K1_…` (secp256k1).
    Eos,
    /// Legacy EOS `EOS…` (secp256k1).
    EosLegacy,
    /// Compressed P2PKH Bitcoin address (secp256k1).
    Btc,
    /// BIP32 extended public key (keys imported from an xprv or a mnemonic).
    Xpub,
    /// Hex SHA-256 of the SPKI DER.
    Fingerprint,
}

impl PublicFormat {
    pub const ALL: [PublicFormat; 10] = [
        PublicFormat::Pem,
        PublicFormat::Jwk,
        PublicFormat::Jwks,
        PublicFormat::Openssh,
        PublicFormat::Eth,
        PublicFormat::Eos,
        PublicFormat::EosLegacy,
        PublicFormat::Btc,
        PublicFormat::Xpub,
        PublicFormat::Fingerprint,
    ];

    /// The file name a save dialog suggests for an export in this format.
    pub fn file_name(self) -> &'static str {
        match self {
            PublicFormat::Pem => "public-key.pem",
            PublicFormat::Jwk => "public-key.jwk.json",
            PublicFormat::Jwks => "jwks.json",
            PublicFormat::Openssh => "id_keyward.pub",
            _ => "public-key.txt",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PublicFormat::Pem => "pem",
            PublicFormat::Jwk => "jwk",
            PublicFormat::Jwks => "jwks",
            PublicFormat::Openssh => "openssh",
            PublicFormat::Eth => "eth",
            PublicFormat::Eos => "eos",
            PublicFormat::EosLegacy => "eos-legacy",
            PublicFormat::Btc => "btc",
            PublicFormat::Xpub => "xpub",
            PublicFormat::Fingerprint => "fingerprint",
        }
    }

    pub fn parse(s: &str) -> Option<PublicFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// A short human name, for the GUI.
    pub fn title(self) -> &'static str {
        match self {
            PublicFormat::Pem => "Public key (PEM)",
            PublicFormat::Jwk => "JWK",
            PublicFormat::Jwks => "JWK Set",
            PublicFormat::Openssh => "OpenSSH",
            PublicFormat::Eth => "Ethereum address",
            PublicFormat::Eos => "EOS public key",
            PublicFormat::EosLegacy => "EOS public key (legacy)",
            PublicFormat::Btc => "Bitcoin address (P2PKH)",
            PublicFormat::Xpub => "xpub",
            PublicFormat::Fingerprint => "SHA-256 fingerprint",
        }
    }
}

/// Private export formats (explicit, confirmed action only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum PrivateFormat {
    /// Unencrypted PKCS#8 PEM.
    Pem,
    /// PKCS#8 encrypted under a passphrase (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC).
    Pkcs8Enc,
    /// A private JWK.
    Jwk,
    /// Compressed Bitcoin WIF (secp256k1).
    Wif,
    /// The raw private scalar (EC) or seed (Ed25519), hex.
    Hex,
    /// BIP32 extended private key.
    Xprv,
}

impl PrivateFormat {
    pub const ALL: [PrivateFormat; 6] = [
        PrivateFormat::Pem,
        PrivateFormat::Pkcs8Enc,
        PrivateFormat::Jwk,
        PrivateFormat::Wif,
        PrivateFormat::Hex,
        PrivateFormat::Xprv,
    ];

    pub fn parse(s: &str) -> Option<PrivateFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrivateFormat::Pem => "pem",
            PrivateFormat::Pkcs8Enc => "pkcs8-enc",
            PrivateFormat::Jwk => "jwk",
            PrivateFormat::Wif => "wif",
            PrivateFormat::Hex => "hex",
            PrivateFormat::Xprv => "xprv",
        }
    }
}
