//! Where passphrases and key input come from: `KEYWARD_PASSPHRASE_FILE`, the terminal, a file.

use keyward_core::Secret;
use keyward_crypto::CryptoError;
use keyward_vault::{Result, VaultError};
use std::io::{IsTerminal, Read};
use zeroize::Zeroizing;

const MAX_INPUT: usize = 64 * 1024;

/// Largest message, body or SIWE file read.
const MAX_MESSAGE: usize = 1 << 20;

fn strip_one_newline(mut s: Zeroizing<String>) -> Zeroizing<String> {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

/// The vault passphrase's file.
const PASSPHRASE_FILE: &str = "KEYWARD_PASSPHRASE_FILE";
/// A changed passphrase's file (`passphrase change`, where `PASSPHRASE_FILE` holds the current
/// one).
const NEW_PASSPHRASE_FILE: &str = "KEYWARD_NEW_PASSPHRASE_FILE";

fn from_file() -> Result<Option<Zeroizing<String>>> {
    from_env_file(PASSPHRASE_FILE)
}

fn from_env_file(var: &str) -> Result<Option<Zeroizing<String>>> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let raw = std::fs::read(&path).map_err(|e| {
        VaultError::Io(format!(
            "cannot read {var} {}: {e}",
            std::path::Path::new(&path).display()
        ))
    })?;
    let s = String::from_utf8(raw).map_err(|_| VaultError::Io(format!("{var} is not UTF-8")))?;
    Ok(Some(strip_one_newline(Zeroizing::new(s))))
}

fn terminal() -> bool {
    std::io::stdin().is_terminal() && std::fs::File::open("/dev/tty").is_ok()
}

/// The passphrase of an existing vault.
pub fn passphrase(prompt: &str) -> Result<Secret> {
    if let Some(p) = from_file()? {
        return Ok(p.into());
    }
    if !terminal() {
        return Err(VaultError::NoPassphraseSource);
    }
    rpassword::prompt_password(prompt)
        .map(Secret::from)
        .map_err(|e| VaultError::Io(e.to_string()))
}

/// An input's own passphrase (an encrypted key file, a keystore, a BIP39 passphrase), from
/// `--passphrase-file` only; never from the vault's `KEYWARD_PASSPHRASE_FILE`.
pub fn input_passphrase(file: Option<&std::path::Path>) -> Result<Option<Secret>> {
    let Some(path) = file else { return Ok(None) };
    let raw = std::fs::read(path)
        .map_err(|e| VaultError::Io(format!("cannot read {}: {e}", path.display())))?;
    let s = String::from_utf8(raw)
        .map_err(|_| VaultError::Io(format!("{} is not UTF-8", path.display())))?;
    Ok(Some(strip_one_newline(Zeroizing::new(s)).into()))
}

/// Asks for an input's passphrase on the terminal, when there is one.
pub fn prompt_input_passphrase(prompt: &str) -> Result<Option<Secret>> {
    if !terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(prompt)
        .map(|p| Some(Secret::from(p)))
        .map_err(|e| VaultError::Io(e.to_string()))
}

/// A new passphrase for an export: typed twice on the terminal.
pub fn prompt_new_input_passphrase() -> Result<Option<Secret>> {
    if !terminal() {
        return Ok(None);
    }
    let a = Zeroizing::new(
        rpassword::prompt_password("Passphrase for the exported key: ")
            .map_err(|e| VaultError::Io(e.to_string()))?,
    );
    let b = Zeroizing::new(
        rpassword::prompt_password("Again: ").map_err(|e| VaultError::Io(e.to_string()))?,
    );
    if a != b {
        return Err(VaultError::PassphraseMismatch);
    }
    Ok(Some(a.into()))
}

/// A new passphrase: from the file, or typed twice.
pub fn new_passphrase() -> Result<Secret> {
    new_passphrase_from(PASSPHRASE_FILE)
}

/// The new passphrase of `passphrase change`: from `KEYWARD_NEW_PASSPHRASE_FILE`, or typed
/// twice.
pub fn changed_passphrase() -> Result<Secret> {
    new_passphrase_from(NEW_PASSPHRASE_FILE)
}

fn new_passphrase_from(var: &str) -> Result<Secret> {
    if let Some(p) = from_env_file(var)? {
        return Ok(p.into());
    }
    if !terminal() {
        return Err(VaultError::NoPassphraseSource);
    }
    let a = Zeroizing::new(
        rpassword::prompt_password("New passphrase: ")
            .map_err(|e| VaultError::Io(e.to_string()))?,
    );
    let b = Zeroizing::new(
        rpassword::prompt_password("Repeat passphrase: ")
            .map_err(|e| VaultError::Io(e.to_string()))?,
    );
    if a != b {
        return Err(VaultError::PassphraseMismatch);
    }
    Ok(a.into())
}

/// Up to `limit` bytes from a file, or from standard input for `None` or `-`.
pub fn read_bounded(file: Option<&str>, limit: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        None | Some("-") => {
            std::io::stdin().take(limit as u64).read_to_end(&mut buf)?;
        }
        Some(path) => {
            std::fs::File::open(path)
                .map_err(|e| VaultError::Io(format!("cannot read {path}: {e}")))?
                .take(limit as u64)
                .read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
}

/// Key material from a file or standard input, bounded in size.
pub fn read_input(file: Option<&str>) -> Result<Secret> {
    let buf = Zeroizing::new(read_bounded(file, MAX_INPUT + 1)?);
    if buf.len() > MAX_INPUT {
        return Err(VaultError::Crypto(keyward_crypto::CryptoError::TooLarge(
            buf.len(),
            MAX_INPUT,
        )));
    }
    let s = std::str::from_utf8(&buf)
        .map_err(|_| VaultError::Crypto(keyward_crypto::CryptoError::NotPem))?;
    Ok(Secret::new(s))
}

/// A message, body or SIWE file (or standard input for `-`), at most [`MAX_MESSAGE`] bytes.
pub fn read_limited(f: &str) -> Result<Vec<u8>> {
    let bytes = read_bounded(Some(f), MAX_MESSAGE + 1)?;
    if bytes.len() > MAX_MESSAGE {
        return Err(CryptoError::BadSignatureInput(format!(
            "the input is over {MAX_MESSAGE} bytes"
        ))
        .into());
    }
    Ok(bytes)
}

/// [`read_limited`], as UTF-8 text.
pub fn read_text(f: &str) -> Result<String> {
    String::from_utf8(read_limited(f)?)
        .map_err(|_| CryptoError::BadSignatureInput(format!("{f} is not UTF-8 text")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_stripped() {
        let s = |x: &str| strip_one_newline(Zeroizing::new(x.to_string())).to_string();
        assert_eq!(s("pass\n"), "pass");
        assert_eq!(s("pass\r\n"), "pass");
        assert_eq!(s("pass\n\n"), "pass\n");
        assert_eq!(s("pass"), "pass");
    }
}
