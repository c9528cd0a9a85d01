//! Key import: every format a user brings, detected or named, into one [`PrivateKey`].
//!
//! Nothing here stores anything: the vault stores what an import returns, so a failed import
//! leaves no trace. Errors never quote the input.

use crate::error::CryptoError;
use crate::keys::{KeyAlg, PrivateKey, MAX_KEY_INPUT};
use crate::{chain, hd, jwk, keystore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Import formats. `Auto` detects the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    #[default]
    #[cfg_attr(feature = "clap", value(help = "Detect the format"))]
    Auto,
    /// SEC1, PKCS#8 (plain or encrypted), PKCS#1 RSA, OpenSSH, legacy encrypted PEM.
    Pem,
    /// A raw private scalar or Ed25519 seed, hex, with `alg` named.
    #[cfg_attr(
        feature = "clap",
        value(help = "A raw private scalar or Ed25519 seed, hex (name it with --alg)")
    )]
    Hex,
    /// Bitcoin WIF, compressed or not (secp256k1).
    Wif,
    /// EOS `PVT_K1_…` or legacy EOS WIF (secp256k1).
    Eos,
    /// A private JWK.
    Jwk,
    /// Ethereum keystore v3 JSON (with the keystore's passphrase).
    Keystore,
    /// BIP32 extended private key.
    Xprv,
    /// BIP39 mnemonic with a derivation path (`passphrase` is the optional BIP39 passphrase).
    #[cfg_attr(
        feature = "clap",
        value(help = "BIP39 mnemonic (--path; --passphrase-file: the optional BIP39 passphrase)")
    )]
    Mnemonic,
    /// OpenSSH private key.
    Openssh,
}

impl ImportFormat {
    pub const ALL: [ImportFormat; 10] = [
        ImportFormat::Auto,
        ImportFormat::Pem,
        ImportFormat::Hex,
        ImportFormat::Wif,
        ImportFormat::Eos,
        ImportFormat::Jwk,
        ImportFormat::Keystore,
        ImportFormat::Xprv,
        ImportFormat::Mnemonic,
        ImportFormat::Openssh,
    ];

    pub fn parse(s: &str) -> Option<ImportFormat> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Auto => "auto",
            ImportFormat::Pem => "pem",
            ImportFormat::Hex => "hex",
            ImportFormat::Wif => "wif",
            ImportFormat::Eos => "eos",
            ImportFormat::Jwk => "jwk",
            ImportFormat::Keystore => "keystore",
            ImportFormat::Xprv => "xprv",
            ImportFormat::Mnemonic => "mnemonic",
            ImportFormat::Openssh => "openssh",
        }
    }
}

/// What comes with the input.
#[derive(Default)]
pub struct ImportOptions<'a> {
    pub format: ImportFormat,
    /// The algorithm of a raw hex key.
    pub alg: Option<KeyAlg>,
    /// A mnemonic's derivation path, or a preset (`eth`, `eos`, `btc`, optionally with
    /// `:INDEX`). Defaults to Ethereum's first account, as MetaMask does.
    pub path: Option<&'a str>,
    /// The input's own passphrase: encrypted PEM, OpenSSH or keystore; a mnemonic's BIP39
    /// passphrase. Never the vault's.
    pub passphrase: Option<&'a [u8]>,
}

/// A successful import.
pub struct Imported {
    pub key: PrivateKey,
    /// The format the input turned out to be.
    pub format: ImportFormat,
    /// A mnemonic's derivation path.
    pub path: Option<String>,
}

/// The default mnemonic path: Ethereum account 0.
pub const DEFAULT_MNEMONIC_PATH: &str = "m/44'/60'/0'/0/0";

/// Resolves `eth`, `eos:3`, `btc` or an explicit path.
pub fn resolve_path(p: Option<&str>) -> Result<String, CryptoError> {
    let Some(p) = p.map(str::trim) else {
        return Ok(DEFAULT_MNEMONIC_PATH.into());
    };
    let (name, index) = match p.split_once(':') {
        Some((n, i)) => (
            n,
            i.parse::<u32>()
                .ok()
                .filter(|i| *i < 0x8000_0000)
                .ok_or_else(|| CryptoError::BadPath("the preset index is not a number".into()))?,
        ),
        None => (p, 0),
    };
    if let Some(preset) = hd::Preset::parse(name) {
        return Ok(preset.path(index));
    }
    hd::parse_path(p)?;
    Ok(p.to_string())
}

/// Guesses the format of `text`.
pub fn detect(text: &str) -> Result<ImportFormat, CryptoError> {
    let t = text.trim();
    if t.contains("-----BEGIN ") {
        return Ok(ImportFormat::Pem);
    }
    if t.starts_with('{') {
        let v: serde_json::Value =
            serde_json::from_str(t).map_err(|_| CryptoError::BadEncoding("JSON".into()))?;
        if v.get("kty").is_some() {
            return Ok(ImportFormat::Jwk);
        }
        if v.get("crypto").is_some() || v.get("Crypto").is_some() {
            return Ok(ImportFormat::Keystore);
        }
        return Err(CryptoError::UnknownFormat);
    }
    const SSH_PUBLIC: [&str; 5] = ["ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-", "sk-", "ssh-dss "];
    if SSH_PUBLIC.iter().any(|p| t.starts_with(p)) {
        return Err(CryptoError::NotPrivate);
    }
    if ["xprv", "tprv", "xpub", "tpub"]
        .iter()
        .any(|p| t.starts_with(p))
    {
        return Ok(ImportFormat::Xprv);
    }
    if t.starts_with("PVT_K1_") || t.starts_with("PUB_K1_") || t.starts_with("EOS") {
        return Ok(ImportFormat::Eos);
    }
    let hexish = t.strip_prefix("0x").unwrap_or(t);
    if !hexish.is_empty()
        && hexish.len().is_multiple_of(2)
        && hexish.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok(ImportFormat::Hex);
    }
    if (51..=52).contains(&t.len())
        && t.starts_with(['5', 'K', 'L', '9', 'c'])
        && t.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Ok(ImportFormat::Wif);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    // Mnemonics have 12 to 24 words; one word short still reads as a mnemonic (and then fails
    // with a word count error), a sentence does not.
    if words.len() >= 11 && words.iter().all(|w| w.chars().all(char::is_alphabetic)) {
        return Ok(ImportFormat::Mnemonic);
    }
    Err(CryptoError::UnknownFormat)
}

fn strip_hex(t: &str) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let h = t.strip_prefix("0x").unwrap_or(t);
    hex::decode(h)
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::BadEncoding("hex".into()))
}

/// Imports `text` as `opts.format` (detected when `Auto`).
pub fn import(text: &str, opts: &ImportOptions<'_>) -> Result<Imported, CryptoError> {
    if text.len() > MAX_KEY_INPUT {
        return Err(CryptoError::TooLarge(text.len(), MAX_KEY_INPUT));
    }
    let t = text.trim();
    if t.is_empty() {
        return Err(CryptoError::UnknownFormat);
    }
    let format = match opts.format {
        ImportFormat::Auto => detect(t)?,
        f => f,
    };
    if opts.path.is_some() && format != ImportFormat::Mnemonic {
        return Err(CryptoError::BadPath(format!(
            "a derivation path applies to mnemonics, and this input is {}",
            format.as_str()
        )));
    }
    let k1 = |b: &[u8; 32]| PrivateKey::from_raw(KeyAlg::Secp256k1, &b[..]);
    let mut path = None;
    let key = match format {
        ImportFormat::Auto => return Err(CryptoError::UnknownFormat),
        ImportFormat::Pem => PrivateKey::from_pem(t, opts.passphrase)?,
        ImportFormat::Openssh => {
            if !t.contains("-----BEGIN OPENSSH PRIVATE KEY-----") {
                return Err(CryptoError::BadOpenSsh(
                    "no OPENSSH PRIVATE KEY block".into(),
                ));
            }
            PrivateKey::from_pem(t, opts.passphrase)?
        }
        ImportFormat::Hex => {
            let alg = opts.alg.ok_or(CryptoError::AlgRequired)?;
            PrivateKey::from_raw(alg, &strip_hex(t)?)?
        }
        ImportFormat::Wif => {
            if opts.alg.is_some_and(|a| a != KeyAlg::Secp256k1) {
                return Err(CryptoError::FormatNotForAlg {
                    format: "wif".into(),
                    alg: opts.alg.map(|a| a.to_string()).unwrap_or_default(),
                });
            }
            let (secret, _compressed) = chain::wif_decode(t)?;
            k1(&secret)?
        }
        ImportFormat::Eos => {
            if t.starts_with("PUB_K1_") || t.starts_with("EOS") {
                return Err(CryptoError::NotPrivate);
            }
            k1(&*chain::eos_private_decode(t)?)?
        }
        ImportFormat::Jwk => jwk::private_from_jwk(t)?,
        ImportFormat::Keystore => {
            // A keystore that would be refused is refused before its passphrase is asked for.
            keystore::check_v3(t)?;
            let pass = opts.passphrase.ok_or(CryptoError::PassphraseRequired)?;
            k1(&*keystore::decrypt_v3(t, pass)?)?
        }
        ImportFormat::Xprv => PrivateKey::from_hd(hd::parse_xprv(t)?),
        ImportFormat::Mnemonic => {
            let p = resolve_path(opts.path)?;
            let bip39_pass = match opts.passphrase {
                Some(b) => std::str::from_utf8(b)
                    .map_err(|_| CryptoError::BadEncoding("UTF-8 passphrase".into()))?,
                None => "",
            };
            let node = hd::from_mnemonic(t, bip39_pass, &p)?;
            path = Some(p);
            PrivateKey::from_hd(node)
        }
    };
    if let Some(alg) = opts.alg {
        if alg != key.alg() && format != ImportFormat::Hex {
            return Err(CryptoError::AlgMismatch {
                found: key.alg().to_string(),
                asked: alg.to_string(),
            });
        }
    }
    // An OpenSSH file is an OpenSSH import, however it was named.
    let format = if format == ImportFormat::Pem && t.contains("-----BEGIN OPENSSH PRIVATE KEY-----")
    {
        ImportFormat::Openssh
    } else {
        format
    };
    Ok(Imported { key, format, path })
}
