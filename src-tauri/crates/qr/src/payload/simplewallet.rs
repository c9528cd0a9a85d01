//! SimpleWallet 1.0 and MYKEY requests (PROTOCOLS.md §3): a JSON object with `protocol`
//! (`SimpleWallet`, `MYKEY`, `MYKEYSimple`), `version` and `action`, bare or as the `param` of a
//! `simplewallet://` link. Parsed for display only: what a login, transfer or sign request names.

use super::{malformed, text, Payload};
use serde::Serialize;
use serde_json::{Map, Value};

const PROTOCOLS: &[&str] = &["SimpleWallet", "MYKEY", "MYKEYSimple"];

/// A SimpleWallet or MYKEY request, as it reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleWallet {
    pub protocol: String,
    /// `1.0` for SimpleWallet.
    pub version: String,
    /// `login`, `transfer`, `sign`, or MYKEY's `transaction`.
    pub action: String,
    /// Every other field whose value is a string, number or boolean, in the request's order
    /// (`dappName`, `uuID`, `loginUrl`, `expired`, …); nested values are left out.
    pub fields: Vec<(String, String)>,
    /// The link it came in, for a `simplewallet://` code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn request(obj: &Map<String, Value>) -> Result<SimpleWallet, String> {
    let field = |k: &str| obj.get(k).and_then(scalar);
    let protocol = field("protocol").ok_or("no protocol")?;
    if !PROTOCOLS.contains(&protocol.as_str()) {
        return Err(format!(
            "protocol {protocol:?} is not SimpleWallet or MYKEY"
        ));
    }
    let action = field("action").ok_or("no action")?;
    let version = field("version").unwrap_or_default();
    let fields = obj
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "protocol" | "version" | "action"))
        .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
        .collect();
    Ok(SimpleWallet {
        protocol,
        version,
        action,
        fields,
        link: None,
    })
}

/// A code that starts with `{`: a SimpleWallet request, or other JSON shown as text.
pub(super) fn from_json(raw: &str, t: &str) -> Payload {
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(t) else {
        return text(raw);
    };
    if !obj.contains_key("protocol") {
        return text(raw);
    }
    match request(&obj) {
        Ok(r) => Payload::SimpleWallet(r),
        Err(why) => malformed(raw, format!("not a SimpleWallet request: {why}")),
    }
}

/// `simplewallet://eos.io?param=<url-encoded JSON>`.
pub(super) fn from_link(raw: &str, t: &str) -> Payload {
    let url = match url::Url::parse(t) {
        Ok(u) => u,
        Err(e) => return malformed(raw, format!("not a valid simplewallet:// link: {e}")),
    };
    let Some((_, param)) = url.query_pairs().find(|(k, _)| k == "param") else {
        return malformed(raw, "a simplewallet:// link without its param");
    };
    match serde_json::from_str::<Value>(&param) {
        Ok(Value::Object(obj)) => match request(&obj) {
            Ok(mut r) => {
                r.link = Some(t.to_string());
                Payload::SimpleWallet(r)
            }
            Err(why) => malformed(raw, format!("not a SimpleWallet request: {why}")),
        },
        _ => malformed(raw, "the link's param is not a JSON object"),
    }
}
