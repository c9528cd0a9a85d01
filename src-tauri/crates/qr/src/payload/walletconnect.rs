//! WalletConnect pairing URIs (EIP-1328): `wc:<topic>@<version>?<params>`. Version 2:
//! `relay-protocol` and a 32-byte hex `symKey` are required, `expiryTimestamp` and `methods`
//! optional (PROTOCOLS.md §3.4). Version 1: `bridge` and `key`. The keys are secrets of the
//! session: reported present, never copied out. Keyward connects to no relay.

use super::{malformed, Payload};
use serde::Serialize;

/// A WalletConnect pairing URI, as it reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletConnect {
    /// 1 or 2.
    pub version: u32,
    pub topic: String,
    /// v2: the relay protocol (`irn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_protocol: Option<String>,
    /// v1: the bridge server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// v2: when the pairing expires (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<u64>,
    /// v2: the methods the pairing asks for, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<String>,
    /// Whether the session key (`symKey`, v1 `key`) is there; its value is never kept.
    pub key_present: bool,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) fn parse(raw: &str, t: &str) -> Payload {
    let body = &t[3..];
    let (head, query) = body.split_once('?').unwrap_or((body, ""));
    let Some((topic, version)) = head.split_once('@') else {
        return malformed(raw, "a wc: URI without @version");
    };
    let Ok(version) = version.parse::<u32>() else {
        return malformed(raw, format!("a wc: URI with version {version:?}"));
    };
    if topic.is_empty() {
        return malformed(raw, "a wc: URI without a topic");
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match version {
        2 => {
            if !is_hex(topic, 64) {
                return malformed(raw, "a WalletConnect v2 topic is 32 bytes of hex");
            }
            let Some(relay) = param("relay-protocol") else {
                return malformed(raw, "a WalletConnect v2 URI without relay-protocol");
            };
            match param("symKey") {
                Some(k) if is_hex(&k, 64) => {}
                Some(_) => return malformed(raw, "a WalletConnect v2 symKey is 32 bytes of hex"),
                None => return malformed(raw, "a WalletConnect v2 URI without symKey"),
            }
            let expiry = match param("expiryTimestamp") {
                None => None,
                Some(e) => match e.parse::<u64>() {
                    Ok(e) => Some(e),
                    Err(_) => return malformed(raw, "expiryTimestamp is not a number"),
                },
            };
            Payload::WalletConnect(WalletConnect {
                version,
                topic: topic.to_string(),
                relay_protocol: Some(relay),
                bridge: None,
                expiry,
                methods: param("methods"),
                key_present: true,
            })
        }
        1 => {
            let Some(bridge) = param("bridge") else {
                return malformed(raw, "a WalletConnect v1 URI without bridge");
            };
            Payload::WalletConnect(WalletConnect {
                version,
                topic: topic.to_string(),
                relay_protocol: None,
                bridge: Some(bridge),
                expiry: None,
                methods: None,
                key_present: param("key").is_some_and(|k| !k.is_empty()),
            })
        }
        v => malformed(raw, format!("WalletConnect version {v} is not known")),
    }
}
