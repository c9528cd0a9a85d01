//! What a QR code holds, told from its bytes and parsed into fields to show. Nothing is guessed:
//! a payload that claims a kind but does not parse as one is [`Payload::Text`] with the reason
//! (`malformed`), so a screen shows it as text and says why. Secrets a payload carries (a
//! WalletConnect `symKey`, a v1 `key`) are reported present, never copied out.

mod links;
mod simplewallet;
mod walletconnect;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use links::{Bitcoin, Ethereum, Ur};
pub use simplewallet::SimpleWallet;
pub use walletconnect::WalletConnect;

/// A decoded QR code's content, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Payload {
    /// A SimpleWallet / MYKEY request as JSON, or inside a `simplewallet://…?param=` link.
    SimpleWallet(SimpleWallet),
    /// A Sign-In with Ethereum (EIP-4361) message.
    Siwe(Box<keyward_crypto::siwe::SiweMessage>),
    /// A WalletConnect pairing URI (EIP-1328).
    WalletConnect(WalletConnect),
    /// A `keyward://` link, for the link handling the shells already have.
    Keyward { link: String },
    /// An `ethereum:` payment or call request (EIP-681).
    Ethereum(Ethereum),
    /// A `bitcoin:` payment request (BIP 21).
    Bitcoin(Bitcoin),
    /// A Uniform Resource (BC-UR) part.
    Ur(Ur),
    /// An `http` or `https` address.
    Url { url: String, host: String },
    /// Anything else, or a payload that claims a kind and does not parse (`malformed` says why).
    Text {
        text: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        malformed: Option<String>,
    },
    /// Bytes that are not UTF-8 text.
    Binary { len: usize },
}

impl Payload {
    /// The kind, as the JSON output names it (`simple-wallet`, `siwe`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::SimpleWallet(_) => "simple-wallet",
            Payload::Siwe(_) => "siwe",
            Payload::WalletConnect(_) => "wallet-connect",
            Payload::Keyward { .. } => "keyward",
            Payload::Ethereum(_) => "ethereum",
            Payload::Bitcoin(_) => "bitcoin",
            Payload::Ur(_) => "ur",
            Payload::Url { .. } => "url",
            Payload::Text { .. } => "text",
            Payload::Binary { .. } => "binary",
        }
    }
}

fn text(text: &str) -> Payload {
    Payload::Text {
        text: text.to_string(),
        malformed: None,
    }
}

fn malformed(text: &str, why: impl Into<String>) -> Payload {
    Payload::Text {
        text: text.to_string(),
        malformed: Some(why.into()),
    }
}

/// Whether `text` starts with `scheme` followed by `:`, in any case (QR codes in alphanumeric
/// mode carry URIs upper-cased: `BITCOIN:…`, `WC:…`).
fn has_scheme(text: &str, scheme: &str) -> bool {
    text.len() > scheme.len()
        && text.as_bytes()[scheme.len()] == b':'
        && text[..scheme.len()].eq_ignore_ascii_case(scheme)
}

/// What `bytes` (a decoded code's content) holds.
pub fn classify(bytes: &[u8]) -> Payload {
    let Ok(raw) = std::str::from_utf8(bytes) else {
        return Payload::Binary { len: bytes.len() };
    };
    let t = raw.trim();
    if t.starts_with('{') {
        return simplewallet::from_json(raw, t);
    }
    if has_scheme(t, "simplewallet") {
        return simplewallet::from_link(raw, t);
    }
    if has_scheme(t, "wc") {
        return walletconnect::parse(raw, t);
    }
    if has_scheme(t, "keyward") {
        return match url::Url::parse(t) {
            Ok(_) => Payload::Keyward {
                link: t.to_string(),
            },
            Err(e) => malformed(raw, format!("not a valid keyward:// link: {e}")),
        };
    }
    if has_scheme(t, "ethereum") {
        return links::ethereum(raw, t);
    }
    if has_scheme(t, "bitcoin") {
        return links::bitcoin(raw, t);
    }
    if has_scheme(t, "ur") {
        return links::ur(raw, t);
    }
    if has_scheme(t, "http") || has_scheme(t, "https") {
        return match url::Url::parse(t) {
            Ok(u) => match u.host_str() {
                Some(host) => Payload::Url {
                    url: u.to_string(),
                    host: host.to_string(),
                },
                None => malformed(raw, "a web address without a host"),
            },
            Err(e) => malformed(raw, format!("not a valid web address: {e}")),
        };
    }
    if keyward_crypto::siwe::claims_siwe(raw) {
        return match keyward_crypto::siwe::parse(raw) {
            Ok(m) => Payload::Siwe(Box::new(m)),
            Err(e) => malformed(
                raw,
                format!("claims to be a Sign-In with Ethereum message: {e}"),
            ),
        };
    }
    text(raw)
}
