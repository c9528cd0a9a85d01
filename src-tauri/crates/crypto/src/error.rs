use thiserror::Error;

/// Every error Keyward shows carries a stable dotted code and a one-line hint (the one trait,
/// from `keyward-core`).
pub use keyward_core::Coded;

/// Errors of key handling, sealing and QR encoding. Messages never quote the input: a
/// malformed key is still a secret.
#[derive(Debug, Error)]
pub enum CryptoError {
    #[error("no PEM block found in the input")]
    NotPem,
    #[error("the PEM block is truncated or corrupt: {0}")]
    BadPem(String),
    #[error("the input holds a public key, not a private key")]
    NotPrivate,
    #[error("the key is encrypted and no passphrase was given")]
    PassphraseRequired,
    #[error("the passphrase does not open this key")]
    BadKeyPassphrase,
    #[error("unsupported key algorithm: {0}")]
    UnsupportedAlg(String),
    #[error("the key is on curve {0}, which Keyward does not support")]
    WrongCurve(String),
    #[error("the input holds a {found} key, not the {asked} key asked for")]
    AlgMismatch { found: String, asked: String },
    #[error("the key is too weak: {0}")]
    WeakKey(String),
    #[error("the key material is invalid: {0}")]
    BadKey(String),
    #[error("the input is too large ({0} bytes; the limit is {1})")]
    TooLarge(usize, usize),
    #[error("the checksum does not match: {0}")]
    BadChecksum(String),
    #[error("the input is not valid {0}")]
    BadEncoding(String),
    #[error("the JWK is invalid: {0}")]
    BadJwk(String),
    #[error("the keystore is invalid: {0}")]
    BadKeystore(String),
    #[error("the keystore's key derivation is too costly: {0}")]
    KdfTooCostly(String),
    #[error("the mnemonic is invalid: {0}")]
    BadMnemonic(String),
    #[error("the extended key is invalid: {0}")]
    BadExtendedKey(String),
    #[error("the derivation path is invalid: {0}")]
    BadPath(String),
    #[error("the input's format was not recognised")]
    UnknownFormat,
    #[error("a raw key needs its algorithm named")]
    AlgRequired,
    #[error("format {format} is not available for {alg} keys")]
    FormatNotForAlg { format: String, alg: String },
    #[error("the OpenSSH key is invalid: {0}")]
    BadOpenSsh(String),
    #[error("the sealed data could not be opened (wrong key, wrong item or tampered)")]
    OpenFailed,
    #[error("the sealed data is malformed")]
    Malformed,
    #[error("the passphrase is wrong")]
    BadPassphrase,
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("the file is not a Keyward backup")]
    NotABackup,
    #[error("the backup file is truncated ({0} of {1} bytes)")]
    BackupTruncated(usize, usize),
    #[error("the backup format version {0} is not supported")]
    BackupVersion(u8),
    #[error("the backup's key-derivation parameters are out of bounds: {0}")]
    BackupParams(String),
    #[error("the backup does not open: wrong passphrase, or the file was altered")]
    BackupOpenFailed,
    #[error("the backup's contents are invalid: {0}")]
    BackupContents(String),
    #[error("nothing to encode")]
    QrEmpty,
    #[error("unknown signature scheme or usage: {0}")]
    UnknownScheme(String),
    #[error("a {alg} key cannot sign with {scheme}")]
    SchemeNotForAlg { scheme: String, alg: String },
    #[error("this key's usage policy does not allow {0}")]
    PolicyForbidden(String),
    #[error("invalid input to sign or verify: {0}")]
    BadSignatureInput(String),
    #[error("the signature is malformed: {0}")]
    BadSignature(String),
    #[error("the signature is not canonical (high S)")]
    NonCanonical,
    #[error("{jws} cannot be used with a {alg} key")]
    JwsAlgNotForKey { jws: String, alg: String },
    /// JWT minting, verification and decoding: what a [`JwtError`](crate::jwt::JwtError)
    /// becomes (other crates build it directly too). `code` is one of the `jwt.*` codes, which
    /// `jwt` codes and hints.
    #[error("{msg}")]
    Jwt { code: &'static str, msg: String },
    #[error(transparent)]
    Siwe(#[from] crate::siwe::SiweError),
    #[error("the payload is {0} bytes; a QR code holds at most {1}")]
    QrTooLong(usize, usize),
}

impl Coded for CryptoError {
    fn code(&self) -> &str {
        match self {
            CryptoError::NotPem => "key.not_pem",
            CryptoError::BadPem(_) => "key.bad_pem",
            CryptoError::NotPrivate => "key.not_private",
            CryptoError::PassphraseRequired => "key.passphrase_required",
            CryptoError::BadKeyPassphrase => "key.bad_passphrase",
            CryptoError::UnsupportedAlg(_) => "key.unsupported_alg",
            CryptoError::WrongCurve(_) => "key.wrong_curve",
            CryptoError::AlgMismatch { .. } => "key.alg_mismatch",
            CryptoError::WeakKey(_) => "key.weak_key",
            CryptoError::BadKey(_) => "key.bad_key",
            CryptoError::TooLarge(..) => "key.input_too_large",
            CryptoError::BadChecksum(_) => "key.bad_checksum",
            CryptoError::BadEncoding(_) => "key.bad_encoding",
            CryptoError::BadJwk(_) => "key.bad_jwk",
            CryptoError::BadKeystore(_) => "key.bad_keystore",
            CryptoError::KdfTooCostly(_) => "key.kdf_too_costly",
            CryptoError::BadMnemonic(_) => "key.bad_mnemonic",
            CryptoError::BadExtendedKey(_) => "key.bad_xprv",
            CryptoError::BadPath(_) => "key.bad_path",
            CryptoError::UnknownFormat => "key.unknown_format",
            CryptoError::AlgRequired => "key.alg_required",
            CryptoError::FormatNotForAlg { .. } => "key.format_not_for_alg",
            CryptoError::BadOpenSsh(_) => "key.bad_openssh",
            CryptoError::OpenFailed => "vault.corrupt_item",
            CryptoError::Malformed => "vault.corrupt_item",
            CryptoError::BadPassphrase => "vault.bad_passphrase",
            CryptoError::Kdf(_) => "vault.kdf",
            CryptoError::NotABackup => "backup.not_a_backup",
            CryptoError::BackupTruncated(..) => "backup.truncated",
            CryptoError::BackupVersion(_) => "backup.unsupported_version",
            CryptoError::BackupParams(_) => "backup.bad_params",
            CryptoError::BackupOpenFailed => "backup.bad_passphrase",
            CryptoError::BackupContents(_) => "backup.corrupt",
            CryptoError::QrEmpty => "qr.empty",
            CryptoError::QrTooLong(..) => "qr.too_long",
            CryptoError::UnknownScheme(_) => "sign.unknown_scheme",
            CryptoError::SchemeNotForAlg { .. } => "sign.scheme_not_for_alg",
            CryptoError::PolicyForbidden(_) => "sign.policy_forbidden",
            CryptoError::BadSignatureInput(_) => "sign.bad_input",
            CryptoError::BadSignature(_) => "sign.bad_signature",
            CryptoError::NonCanonical => "sign.non_canonical",
            CryptoError::JwsAlgNotForKey { .. } => "jwt.alg_key_mismatch",
            CryptoError::Jwt { code, .. } => code,
            CryptoError::Siwe(e) => e.code(),
        }
    }

    fn hint(&self) -> String {
        match self {
            CryptoError::NotPem => "Paste a PEM key: it starts with a line like -----BEGIN PRIVATE KEY-----; for other formats pass --format.".into(),
            CryptoError::BadPem(_) => "Copy the whole PEM again, from the BEGIN line to the END line.".into(),
            CryptoError::NotPrivate => "Import the private key; public keys cannot sign.".into(),
            CryptoError::PassphraseRequired => "Give the key's passphrase with --passphrase-file F (or type it when asked); it is not the vault's passphrase.".into(),
            CryptoError::BadKeyPassphrase => "Check the key's passphrase (the one it was encrypted with, not the vault's) and try again.".into(),
            CryptoError::UnsupportedAlg(_) | CryptoError::WrongCurve(_) => "Keyward keeps p256, p384, secp256k1, ed25519 and RSA 2048/3072/4096 keys.".into(),
            CryptoError::AlgMismatch { .. } => "Drop --alg, or give the key of the algorithm you named.".into(),
            CryptoError::WeakKey(_) => "Use an RSA key of 2048 bits or more: keyward-cli key gen --alg rsa3072".into(),
            CryptoError::BadKey(_) => "The input is not a valid key of its format; check that it was copied whole and that --format and --alg name what it is.".into(),
            CryptoError::TooLarge(..) => "Give the key itself, not an archive or a bundle.".into(),
            CryptoError::BadChecksum(_) => "A character was mistyped or lost; copy the key or phrase again.".into(),
            CryptoError::BadEncoding(_) => "Check the input and its --format; copy it again without extra characters.".into(),
            CryptoError::BadJwk(_) => "Give a private JWK (with \"d\") of kty EC, OKP or RSA.".into(),
            CryptoError::BadKeystore(_) => "Give an Ethereum keystore v3 JSON file (\"version\": 3, \"crypto\" with scrypt or pbkdf2).".into(),
            CryptoError::KdfTooCostly(_) => "The keystore asks for more memory or rounds than Keyward allows; re-encrypt it with standard parameters.".into(),
            CryptoError::BadMnemonic(_) => "Give the 12, 15, 18, 21 or 24 words of a BIP39 English mnemonic, separated by spaces.".into(),
            CryptoError::BadExtendedKey(_) => "Give a BIP32 extended private key (xprv… or tprv…).".into(),
            CryptoError::BadPath(_) => "Write the path like m/44'/60'/0'/0/0, or use a preset: eth, eos, btc.".into(),
            CryptoError::UnknownFormat => "Name the format: --format pem|hex|wif|eos|jwk|keystore|xprv|mnemonic|openssh.".into(),
            CryptoError::AlgRequired => "Name the curve: --alg p256|p384|secp256k1|ed25519.".into(),
            CryptoError::FormatNotForAlg { .. } => "Pick a format the key's algorithm has: raw hex is for EC and Ed25519 keys, WIF and EOS for secp256k1; --help lists the formats.".into(),
            CryptoError::BadOpenSsh(_) => "Give an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----) as ssh-keygen writes it.".into(),
            CryptoError::OpenFailed | CryptoError::Malformed => "The keychain item does not belong to this vault or was altered; run keyward-cli doctor.".into(),
            CryptoError::BadPassphrase => "Try again; the passphrase is the one set at keyward-cli init.".into(),
            CryptoError::Kdf(_) => "The stored key-derivation parameters are invalid; run keyward-cli doctor.".into(),
            CryptoError::NotABackup => "Give a file written by keyward-cli backup create.".into(),
            CryptoError::BackupTruncated(..) => "The file was cut short (an interrupted copy?); use a complete copy of the backup.".into(),
            CryptoError::BackupVersion(_) => "This backup was written by a newer Keyward; restore it with that version.".into(),
            CryptoError::BackupParams(_) | CryptoError::BackupContents(_) => "The file is damaged or was not written by Keyward; use another copy of the backup.".into(),
            CryptoError::BackupOpenFailed => "Check the backup passphrase (by default the vault passphrase at the time of the backup); if it is right, the file was altered.".into(),
            CryptoError::QrEmpty => "Give the text to encode, or --file F.".into(),
            CryptoError::QrTooLong(..) => "Encode something shorter (a URL or an address, not a whole document).".into(),
            CryptoError::UnknownScheme(_) => "Schemes: raw, eip191, bsm, eos, ed25519; usages add siwe and jwt.".into(),
            CryptoError::SchemeNotForAlg { .. } => "raw signs with p256, p384 and secp256k1 keys; eip191, bsm and eos with secp256k1; ed25519 with Ed25519 keys.".into(),
            CryptoError::PolicyForbidden(_) => "The key's usage policy forbids this; see it with keyward-cli key show K, change it with keyward-cli key policy K --allow LIST.".into(),
            CryptoError::BadSignatureInput(_) => "Give --message TEXT, --hex BYTES, or for raw and eos --digest HEX of the hash's length (32 bytes; 48 for p384).".into(),
            CryptoError::BadSignature(_) => "Copy the whole signature again: hex (0x optional), base64, or SIG_K1_… for EOS.".into(),
            CryptoError::NonCanonical => "Recoverable signatures must be low-S (EIP-2); ask the signer for a canonical signature.".into(),
            CryptoError::JwsAlgNotForKey { .. } => "ES256 needs a p256 key, ES384 p384, ES256K secp256k1, RS256/PS256 RSA, EdDSA Ed25519; drop --alg to use the key's own.".into(),
            CryptoError::Jwt { code, .. } => crate::jwt::hint(code),
            CryptoError::Siwe(e) => e.hint(),
        }
    }
}
