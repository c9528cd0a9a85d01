//! Payment and data links: `ethereum:` (EIP-681), `bitcoin:` (BIP 21) and BC-UR parts
//! (`ur:<type>/…`, BCR-2020-005). Parsed for display; nothing is paid or assembled here.

use super::{malformed, Payload};
use serde::Serialize;

/// An EIP-681 request: `ethereum:[pay-]<address|ENS name>[@chain][/function][?params]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ethereum {
    /// The address (`0x` + 40 hex) or ENS name the request is for.
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<u64>,
    /// A contract function to call (`transfer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// `value`, `gas`, a function's arguments…, in order, percent-decoded.
    pub params: Vec<(String, String)>,
}

/// A BIP 21 request: `bitcoin:<address>[?amount=…&label=…&message=…]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bitcoin {
    pub address: String,
    /// In BTC, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Any other parameters, in order.
    pub other: Vec<(String, String)>,
}

/// A BC-UR part: its type, and for one part of several, which.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ur {
    /// `crypto-psbt`, `bytes`, … (lower case).
    pub ur_type: String,
    /// `(sequence number, sequence length)` of a multi-part UR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<(u32, u32)>,
}

fn pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn is_eth_address(s: &str) -> bool {
    s.len() == 42 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// An ENS name as EIP-681 allows one: labels of letters, digits and hyphens, at least one dot.
fn is_ens_name(s: &str) -> bool {
    s.contains('.')
        && s.split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

pub(super) fn ethereum(raw: &str, t: &str) -> Payload {
    let body = &t["ethereum:".len()..];
    let body = body.strip_prefix("pay-").unwrap_or(body);
    let (head, query) = body.split_once('?').unwrap_or((body, ""));
    let (head, function) = match head.split_once('/') {
        Some((h, f)) => (h, Some(f)),
        None => (head, None),
    };
    let (target, chain) = match head.split_once('@') {
        Some((a, c)) => (a, Some(c)),
        None => (head, None),
    };
    if !is_eth_address(target) && !is_ens_name(target) {
        return malformed(raw, "an ethereum: link names no address or ENS name");
    }
    let chain_id = match chain {
        None => None,
        Some(c) => match c.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return malformed(raw, format!("chain id {c:?} is not a number")),
        },
    };
    if let Some(f) = function {
        if f.is_empty() || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return malformed(raw, format!("function {f:?} is not a name"));
        }
    }
    Payload::Ethereum(Ethereum {
        target: target.to_string(),
        chain_id,
        function: function.map(str::to_string),
        params: pairs(query),
    })
}

pub(super) fn bitcoin(raw: &str, t: &str) -> Payload {
    let body = &t["bitcoin:".len()..];
    let (address, query) = body.split_once('?').unwrap_or((body, ""));
    // Base58 (legacy, P2SH) or bech32 (`bc1…`, upper case in alphanumeric-mode codes).
    let ok =
        (26..=90).contains(&address.len()) && address.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return malformed(raw, "a bitcoin: link names no address");
    }
    let mut out = Bitcoin {
        address: address.to_string(),
        amount: None,
        label: None,
        message: None,
        other: vec![],
    };
    for (k, v) in pairs(query) {
        match k.as_str() {
            "amount" => {
                let valid = !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && v.matches('.').count() <= 1;
                if !valid {
                    return malformed(raw, format!("amount {v:?} is not a number of bitcoins"));
                }
                out.amount = Some(v);
            }
            "label" => out.label = Some(v),
            "message" => out.message = Some(v),
            // BIP 21: a required parameter the reader does not know makes the URI invalid.
            k if k.starts_with("req-") => {
                return malformed(
                    raw,
                    format!("it requires {k:?}, which Keyward does not know"),
                )
            }
            _ => out.other.push((k, v)),
        }
    }
    Payload::Bitcoin(out)
}

pub(super) fn ur(raw: &str, t: &str) -> Payload {
    let body = t[3..].to_ascii_lowercase();
    let mut parts = body.split('/');
    let ur_type = parts.next().unwrap_or_default();
    if ur_type.is_empty()
        || !ur_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return malformed(raw, "a ur: part without a valid type");
    }
    let rest: Vec<&str> = parts.collect();
    let (part, words) = match rest.as_slice() {
        [words] => (None, *words),
        [seq, words] => {
            let parsed = seq
                .split_once('-')
                .and_then(|(n, m)| Some((n.parse::<u32>().ok()?, m.parse::<u32>().ok()?)));
            match parsed {
                Some((n, m)) if n >= 1 && m >= 1 => (Some((n, m)), *words),
                _ => return malformed(raw, format!("part {seq:?} is not n-m")),
            }
        }
        _ => return malformed(raw, "a ur: part is ur:type/body or ur:type/n-m/body"),
    };
    if words.is_empty() || !words.bytes().all(|b| b.is_ascii_lowercase()) {
        return malformed(raw, "a ur: body is bytewords (letters only)");
    }
    Payload::Ur(Ur {
        ur_type: ur_type.to_string(),
        part,
    })
}
