use thiserror::Error;

/// Every error Keyward shows carries a stable dotted code and a one-line hint.
pub trait Coded {
    /// Stable, dotted identifier (`family.reason`); part of the CLI and IPC contract.
    fn code(&self) -> &str;
    /// What the user can do next.
    fn hint(&self) -> String;
}

#[derive(Debug, Error)]
pub enum CryptoError {
    #[error("no PEM block found in the input")]
    NotPem,
    #[error("the PEM block is truncated or corrupt: {0}")]
    BadPem(String),
    #[error("the input holds a public key, not a private key")]
    NotPrivate,
    #[error("encrypted private keys are not supported yet")]
    Encrypted,
    #[error("unsupported key algorithm: {0}")]
    UnsupportedAlg(String),
    #[error("the key is on curve {0}, which is not supported yet")]
    WrongCurve(String),
    #[error("the key material is invalid: {0}")]
    BadKey(String),
    #[error("the input is too large ({0} bytes; the limit is {1})")]
    TooLarge(usize, usize),
    #[error("the sealed data could not be opened (wrong key, wrong item or tampered)")]
    OpenFailed,
    #[error("the sealed data is malformed")]
    Malformed,
    #[error("the passphrase is wrong")]
    BadPassphrase,
    #[error("key derivation failed: {0}")]
    Kdf(String),
    #[error("nothing to encode")]
    QrEmpty,
    #[error("the payload is {0} bytes; a QR code holds at most {1}")]
    QrTooLong(usize, usize),
}

impl Coded for CryptoError {
    fn code(&self) -> &str {
        match self {
            CryptoError::NotPem => "key.not_pem",
            CryptoError::BadPem(_) => "key.bad_pem",
            CryptoError::NotPrivate => "key.not_private",
            CryptoError::Encrypted => "key.encrypted_unsupported",
            CryptoError::UnsupportedAlg(_) => "key.unsupported_alg",
            CryptoError::WrongCurve(_) => "key.wrong_curve",
            CryptoError::BadKey(_) => "key.bad_key",
            CryptoError::TooLarge(..) => "key.input_too_large",
            CryptoError::OpenFailed => "vault.corrupt_item",
            CryptoError::Malformed => "vault.corrupt_item",
            CryptoError::BadPassphrase => "vault.bad_passphrase",
            CryptoError::Kdf(_) => "vault.kdf",
            CryptoError::QrEmpty => "qr.empty",
            CryptoError::QrTooLong(..) => "qr.too_long",
        }
    }

    fn hint(&self) -> String {
        match self {
            CryptoError::NotPem => "Paste a PEM key: it starts with a line like -----BEGIN EC PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----.".into(),
            CryptoError::BadPem(_) => "Copy the whole PEM again, from the BEGIN line to the END line.".into(),
            CryptoError::NotPrivate => "Import the private key (openssl ecparam -genkey writes one); public keys cannot sign.".into(),
            CryptoError::Encrypted => "Decrypt it first: openssl pkcs8 -in key.pem -nocrypt -topk8 -out plain.pem, import plain.pem, then delete plain.pem.".into(),
            CryptoError::UnsupportedAlg(_) | CryptoError::WrongCurve(_) => "This version imports P-256 (prime256v1) keys only; create one with: openssl ecparam -name prime256v1 -genkey -noout".into(),
            CryptoError::BadKey(_) => "The file is not a valid key; check it with: openssl pkey -in FILE -noout".into(),
            CryptoError::TooLarge(..) => "Give the key file itself, not an archive or a bundle.".into(),
            CryptoError::OpenFailed | CryptoError::Malformed => "The keychain item does not belong to this vault or was altered; run keyward-cli doctor.".into(),
            CryptoError::BadPassphrase => "Try again; the passphrase is the one set at keyward-cli init.".into(),
            CryptoError::Kdf(_) => "The stored key-derivation parameters are invalid; run keyward-cli doctor.".into(),
            CryptoError::QrEmpty => "Give the text to encode, or --file F.".into(),
            CryptoError::QrTooLong(..) => "Encode something shorter (a URL or an address, not a whole document).".into(),
        }
    }
}
