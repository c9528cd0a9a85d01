//! Deep links: `keyward://` URLs (and, when the user turns it on, SimpleWallet's
//! `simplewallet://`) that ask for a signature or a login from outside any pairing.
//!
//! A link carries no identity, so every link is untrusted input: it is parsed strictly (known
//! actions and parameters only, each once, sizes bounded), shown as coming from an "unknown
//! app", never answered by a grant, and rate-limited by the broker. The answer goes to the
//! link's callback (HTTPS, or HTTP on the loopback interface only), whose origin is shown in the
//! prompt as where the signature will go.
//!
//! `keyward://` forms (parameters URL-encoded):
//!
//! | link | what |
//! |------|------|
//! | `keyward://sign?key=K&scheme=S&message=TEXT&callback=URL` | sign a message (`payload_hex=` instead of `message=` for bytes) |
//! | `keyward://siwe?key=K&message=EIP-4361 TEXT&callback=URL` | Sign in with Ethereum |
//!
//! The callback receives a `POST` of JSON: the endpoint's answer (`request_id`, `signature`,
//! `signer`, …) on approval, or `{"error": {code, message, hint}}` when the request is refused.
//!
//! `simplewallet://eos.io?param=JSON` (SimpleWallet 1.0, `action: "login"`): the key tagged
//! `simplewallet` signs `timestamp + account + uuID + ref` (EOS scheme) and the login is posted
//! to the request's `loginUrl` as SimpleWallet specifies.

use keyward_crypto::sign::Scheme;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use super::wire::AskBody;
use crate::request::Kind;

/// The URL schemes a link may have (`simplewallet` only while its setting is on).
pub const SCHEMES: [&str; 2] = ["keyward", "simplewallet"];

/// Longest link accepted, in bytes.
pub const MAX_LINK_BYTES: usize = 8 * 1024;
/// Longest message or payload a link may carry, in bytes (after decoding).
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024;
/// Longest callback URL.
pub const MAX_CALLBACK_BYTES: usize = 2048;
/// The name a link's request is shown under.
pub const UNKNOWN_APP: &str = "unknown app (deep link)";
/// The wallet name SimpleWallet's `ref` carries for Keyward.
pub const SIMPLEWALLET_REF: &str = "keyward";
/// The tag that picks the key a SimpleWallet login uses.
pub const SIMPLEWALLET_TAG: &str = "simplewallet";
/// The tag prefix that names that key's EOS account (`eos-account:NAME`).
pub const EOS_ACCOUNT_TAG: &str = "eos-account:";

/// Why a link was refused. Messages never quote the link's payload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LinkError {
    /// Over [`MAX_LINK_BYTES`] or a part over its own limit.
    #[error("the link is too long: {what} is over {limit} bytes")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// Its limit.
        limit: usize,
    },
    /// Not a URL, or a URL Keyward does not read.
    #[error("the link is malformed: {0}")]
    Malformed(String),
    /// A scheme or action Keyward does not handle.
    #[error("unknown link action: {0}")]
    UnknownAction(String),
    /// `simplewallet://` while the setting is off.
    #[error("simplewallet:// links are turned off")]
    Disabled,
    /// Too many links in a short time.
    #[error("too many deep links: wait {secs} s")]
    RateLimited {
        /// Seconds until one more is accepted.
        secs: i64,
    },
    /// The request's own deadline has passed.
    #[error("the link's request expired")]
    Expired,
    /// No key is set up for the request.
    #[error("no key for this link: {0}")]
    NoKey(String),
    /// The answer could not be delivered to the callback.
    #[error("the answer could not be delivered: {0}")]
    Delivery(String),
}

impl LinkError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LinkError::TooLong { .. } => "link.too_long",
            LinkError::Malformed(_) => "link.malformed",
            LinkError::UnknownAction(_) => "link.unknown_action",
            LinkError::Disabled => "link.disabled",
            LinkError::RateLimited { .. } => "link.rate_limited",
            LinkError::Expired => "link.expired",
            LinkError::NoKey(_) => "link.no_key",
            LinkError::Delivery(_) => "link.delivery",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            LinkError::TooLong { .. } | LinkError::Malformed(_) | LinkError::UnknownAction(_) => {
                "the app that made the link sent something Keyward does not accept; \
                 see the README's deep-link section for the forms"
                    .into()
            }
            LinkError::Disabled => {
                "turn it on with `keyward-cli config set simplewallet-links true` or in Settings"
                    .into()
            }
            LinkError::RateLimited { .. } => {
                "links are limited to a few a minute; something may be flooding Keyward".into()
            }
            LinkError::Expired => "ask the app for a fresh link".into(),
            LinkError::NoKey(_) => format!(
                "tag an EOS key: keyward-cli key tag KEY --add {SIMPLEWALLET_TAG} \
                 --add {EOS_ACCOUNT_TAG}ACCOUNT"
            ),
            LinkError::Delivery(_) => "the app's callback did not take the answer".into(),
        }
    }
}

/// A parsed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Link {
    /// `keyward://sign` or `keyward://siwe`.
    Keyward {
        /// The key (id or label).
        key: String,
        /// What to do.
        #[serde(flatten)]
        kind: Kind,
        /// Text payload.
        message: Option<String>,
        /// Hex payload.
        payload_hex: Option<String>,
        /// Where the answer goes.
        callback: String,
    },
    /// A SimpleWallet 1.0 login.
    SimpleWalletLogin(SimpleWalletLogin),
}

/// What a SimpleWallet login request says (the fields Keyward uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimpleWalletLogin {
    /// `SimpleWallet`.
    pub protocol: String,
    /// `1.0`.
    pub version: String,
    /// The dapp's name (its claim).
    pub dapp_name: String,
    /// The login id the dapp generated.
    #[serde(rename = "uuID")]
    pub uu_id: String,
    /// Where the signed login is posted.
    pub login_url: String,
    /// Unix seconds after which the request is void.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired: Option<i64>,
    /// Shown to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_memo: Option<String>,
}

impl Link {
    /// Where the answer goes.
    pub fn callback(&self) -> &str {
        match self {
            Link::Keyward { callback, .. } => callback,
            Link::SimpleWalletLogin(s) => &s.login_url,
        }
    }

    /// The origin (`scheme://host[:port]`) of the callback: shown in the prompt, and the
    /// origin a SIWE message's domain is checked against.
    pub fn callback_origin(&self) -> String {
        Url::parse(self.callback())
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

/// Parses a link. `simplewallet` says whether `simplewallet://` links are on. `now` is unix
/// seconds (a SimpleWallet request past its `expired` is refused).
pub fn parse(link: &str, simplewallet: bool, now: i64) -> Result<Link, LinkError> {
    if link.len() > MAX_LINK_BYTES {
        return Err(LinkError::TooLong {
            what: "the link",
            limit: MAX_LINK_BYTES,
        });
    }
    if link.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(LinkError::Malformed(
            "it contains spaces or control characters".into(),
        ));
    }
    let url = Url::parse(link).map_err(|e| LinkError::Malformed(e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
        return Err(LinkError::Malformed(
            "it carries user info or a port".into(),
        ));
    }
    if url.fragment().is_some() {
        return Err(LinkError::Malformed("it carries a fragment".into()));
    }
    match url.scheme() {
        "keyward" => parse_keyward(&url),
        "simplewallet" if !simplewallet => Err(LinkError::Disabled),
        "simplewallet" => parse_simplewallet(&url, now),
        other => Err(LinkError::UnknownAction(format!("{other}://"))),
    }
}

/// The query as name → value, each name at most once and from `allowed`.
fn params(url: &Url, allowed: &[&str]) -> Result<Vec<(String, String)>, LinkError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url.query_pairs() {
        if !allowed.contains(&k.as_ref()) {
            return Err(LinkError::Malformed(format!(
                "unknown parameter `{}`",
                k.chars().take(32).collect::<String>()
            )));
        }
        if out.iter().any(|(n, _)| n == k.as_ref()) {
            return Err(LinkError::Malformed(format!("`{k}` is given twice")));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

fn take(params: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let i = params.iter().position(|(n, _)| n == name)?;
    Some(params.remove(i).1)
}

fn required(params: &mut Vec<(String, String)>, name: &str) -> Result<String, LinkError> {
    match take(params, name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(LinkError::Malformed(format!("`{name}` is missing"))),
    }
}

fn bounded(v: &str, what: &'static str, limit: usize) -> Result<(), LinkError> {
    if v.len() > limit {
        return Err(LinkError::TooLong { what, limit });
    }
    Ok(())
}

/// A callback: HTTPS anywhere, or HTTP to the loopback interface; no user info or fragment.
pub fn check_callback(raw: &str) -> Result<String, LinkError> {
    bounded(raw, "callback", MAX_CALLBACK_BYTES)?;
    let u = Url::parse(raw).map_err(|e| LinkError::Malformed(format!("callback: {e}")))?;
    let loopback = matches!(
        u.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match u.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(LinkError::Malformed(
                "callback must be https, or http to 127.0.0.1 / localhost".into(),
            ))
        }
    }
    if u.host().is_none() || !u.username().is_empty() || u.password().is_some() {
        return Err(LinkError::Malformed(
            "callback needs a host and no user info".into(),
        ));
    }
    if u.fragment().is_some() {
        return Err(LinkError::Malformed("callback carries a fragment".into()));
    }
    Ok(u.to_string())
}

fn parse_keyward(url: &Url) -> Result<Link, LinkError> {
    // keyward://sign?… — the action is the URL's host; there is no path.
    let action = url.host_str().unwrap_or_default().to_owned();
    if !(url.path().is_empty() || url.path() == "/") {
        return Err(LinkError::Malformed("unexpected path".into()));
    }
    let allowed: &[&str] = match action.as_str() {
        "sign" => &["key", "scheme", "message", "payload_hex", "callback"],
        "siwe" => &["key", "message", "callback"],
        "" => return Err(LinkError::Malformed("no action".into())),
        other => {
            return Err(LinkError::UnknownAction(format!(
                "keyward://{}",
                other.chars().take(32).collect::<String>()
            )))
        }
    };
    let mut p = params(url, allowed)?;
    let key = required(&mut p, "key")?;
    bounded(&key, "key", 256)?;
    let callback = check_callback(&required(&mut p, "callback")?)?;
    let (kind, message, payload_hex) = if action == "siwe" {
        let m = required(&mut p, "message")?;
        bounded(&m, "message", MAX_PAYLOAD_BYTES)?;
        (Kind::SiweLogin, Some(m), None)
    } else {
        let scheme = Scheme::parse(&required(&mut p, "scheme")?)
            .map_err(|e| LinkError::Malformed(e.to_string()))?;
        let (m, h) = (take(&mut p, "message"), take(&mut p, "payload_hex"));
        match (&m, &h) {
            (Some(m), None) if !m.is_empty() => bounded(m, "message", MAX_PAYLOAD_BYTES)?,
            (None, Some(h)) if !h.is_empty() => {
                bounded(h, "payload_hex", 2 * MAX_PAYLOAD_BYTES)?;
                if h.len() % 2 != 0 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(LinkError::Malformed("payload_hex is not hex".into()));
                }
            }
            _ => {
                return Err(LinkError::Malformed(
                    "give exactly one of `message` and `payload_hex`".into(),
                ))
            }
        }
        (Kind::SignMessage { scheme }, m, h)
    };
    Ok(Link::Keyward {
        key,
        kind,
        message,
        payload_hex,
        callback,
    })
}

fn parse_simplewallet(url: &Url, now: i64) -> Result<Link, LinkError> {
    let mut p = params(url, &["param"])?;
    let param = required(&mut p, "param")?;
    let v: serde_json::Value = serde_json::from_str(&param)
        .map_err(|e| LinkError::Malformed(format!("param is not JSON: {e}")))?;
    let action = v.get("action").and_then(|a| a.as_str()).unwrap_or_default();
    if action != "login" {
        return Err(LinkError::UnknownAction(format!(
            "simplewallet action `{}`",
            action.chars().take(32).collect::<String>()
        )));
    }
    let req: SimpleWalletLogin =
        serde_json::from_value(v).map_err(|e| LinkError::Malformed(format!("param: {e}")))?;
    if req.protocol != "SimpleWallet" || req.version != "1.0" {
        return Err(LinkError::Malformed(
            "protocol must be SimpleWallet, version 1.0".into(),
        ));
    }
    if req.uu_id.is_empty() || req.uu_id.len() > 256 || req.dapp_name.len() > 128 {
        return Err(LinkError::Malformed(
            "uuID must be 1-256 bytes, dappName at most 128".into(),
        ));
    }
    if req.login_memo.as_ref().is_some_and(|m| m.len() > 512) {
        return Err(LinkError::TooLong {
            what: "loginMemo",
            limit: 512,
        });
    }
    if req.expired.is_some_and(|e| e < now) {
        return Err(LinkError::Expired);
    }
    let login_url = check_callback(&req.login_url)?;
    Ok(Link::SimpleWalletLogin(SimpleWalletLogin {
        login_url,
        ..req
    }))
}

impl SimpleWalletLogin {
    /// The string SimpleWallet signs: `timestamp + account + uuID + ref`, no separators.
    pub fn data(&self, timestamp: i64, account: &str) -> String {
        format!("{timestamp}{account}{}{SIMPLEWALLET_REF}", self.uu_id)
    }

    /// What is posted to `loginUrl` (lower-case field names, as every SDK sample sends).
    pub fn login_body(&self, timestamp: i64, account: &str, sign: &str) -> serde_json::Value {
        serde_json::json!({
            "protocol": "SimpleWallet",
            "version": "1.0",
            "timestamp": timestamp.to_string(),
            "sign": sign,
            "uuID": self.uu_id,
            "account": account,
            "ref": SIMPLEWALLET_REF,
        })
    }
}

/// The request a `keyward://` link asks for, as the endpoint's request body.
pub fn ask_body(link: &Link) -> Option<AskBody> {
    match link {
        Link::Keyward {
            key,
            kind,
            message,
            payload_hex,
            callback: _,
        } => Some(AskBody {
            key: key.clone(),
            kind: kind.clone(),
            message: message.clone(),
            payload_hex: payload_hex.clone(),
            origin: Some(link.callback_origin()),
            ttl_secs: None,
        }),
        Link::SimpleWalletLogin(_) => None,
    }
}

/// Posts `body` as JSON to a callback checked by [`check_callback`]: no redirects (an answer
/// must not travel on to another host), 10 s at most. Returns the HTTP status; a non-2xx
/// status is a delivery failure.
pub async fn deliver(url: &str, body: &serde_json::Value) -> Result<u16, LinkError> {
    let url = check_callback(url)?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| LinkError::Delivery(e.to_string()))?;
    let r = client
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| LinkError::Delivery(e.without_url().to_string()))?;
    let status = r.status().as_u16();
    if !r.status().is_success() {
        return Err(LinkError::Delivery(format!("HTTP {status}")));
    }
    Ok(status)
}

/// The text of the notification that says a link was refused (the shell shows it as is). It
/// names the error code only: the message may quote the link (its key, a SimpleWallet field),
/// and a notification server renders markup and links in a body.
pub fn refusal_notice(e: &super::error::EndpointError) -> String {
    use keyward_crypto::Coded as _;
    format!(
        "The link was refused ({}). Keyward's Activity screen has the details.",
        e.code()
    )
}

/// `text` made safe for a notification body: escaped as a prompt field, markup characters
/// escaped, and cut to 32 characters.
pub fn notice_text(text: &str) -> String {
    let escaped = crate::decode::escape_field(text);
    let mut out = String::new();
    for (i, c) in escaped.chars().enumerate() {
        if i == 32 {
            out.push('…');
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A sliding-window limit: at most `max` links in `window` seconds.
#[derive(Debug, Default)]
pub struct RateLimit {
    seen: std::collections::VecDeque<i64>,
}

impl RateLimit {
    /// Links accepted per window.
    pub const MAX: usize = 10;
    /// The window in seconds.
    pub const WINDOW: i64 = 60;

    /// Counts one link at `now`, or says how long to wait.
    pub fn admit(&mut self, now: i64) -> Result<(), LinkError> {
        while self.seen.front().is_some_and(|t| *t <= now - Self::WINDOW) {
            self.seen.pop_front();
        }
        if self.seen.len() >= Self::MAX {
            let secs = self.seen.front().map_or(1, |t| t + Self::WINDOW - now);
            return Err(LinkError::RateLimited { secs: secs.max(1) });
        }
        self.seen.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Security review #12: notice text is escaped for a notification body and cut short.
    #[test]
    fn notice_text_is_escaped_and_cut() {
        let n = notice_text("<a href=\"https://evil\">fix</a> & more text to cut off here");
        assert!(!n.contains('<') && !n.contains('>'), "{n}");
        assert!(n.contains("&lt;a") && n.ends_with('…'), "{n}");
        assert!(n.chars().count() <= 32 * 5 + 1, "{n}");
        assert_eq!(notice_text("HTTP 500"), "HTTP 500");
        assert!(!notice_text("a\u{202E}b\u{1b}c").contains('\u{202E}'));
    }

    const CB: &str = "https%3A%2F%2Fapp.example%2Fcb";

    fn kw(s: &str) -> Result<Link, LinkError> {
        parse(s, false, 1_700_000_000)
    }

    #[test]
    fn sign_link_parses() {
        let l = kw(&format!(
            "keyward://sign?key=main&scheme=eip191&message=hello%20world&callback={CB}"
        ))
        .unwrap();
        let Link::Keyward {
            key, kind, message, ..
        } = &l
        else {
            panic!("not a keyward link")
        };
        assert_eq!(key, "main");
        assert_eq!(
            kind,
            &Kind::SignMessage {
                scheme: Scheme::Eip191
            }
        );
        assert_eq!(message.as_deref(), Some("hello world"));
        assert_eq!(l.callback_origin(), "https://app.example");
        let body = ask_body(&l).unwrap();
        assert_eq!(body.origin.as_deref(), Some("https://app.example"));
    }

    #[test]
    fn siwe_and_hex_links_parse() {
        assert!(matches!(
            kw(&format!("keyward://siwe?key=k&message=x&callback={CB}")).unwrap(),
            Link::Keyward {
                kind: Kind::SiweLogin,
                ..
            }
        ));
        assert!(kw(&format!(
            "keyward://sign?key=k&scheme=raw&payload_hex=00ff&callback={CB}"
        ))
        .is_ok());
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        let code = |s: &str| kw(s).unwrap_err().code();
        assert_eq!(code("not a url"), "link.malformed");
        assert_eq!(
            code(&format!("keyward://transfer?key=k&callback={CB}")),
            "link.unknown_action"
        );
        assert_eq!(code("https://example.com/"), "link.unknown_action");
        assert_eq!(
            code(&format!("keyward://sign?key=k&scheme=eip191&callback={CB}")),
            "link.malformed"
        );
        assert_eq!(
            code(&format!(
                "keyward://sign?key=k&key=j&scheme=eip191&message=m&callback={CB}"
            )),
            "link.malformed"
        );
        assert_eq!(
            code(&format!(
                "keyward://sign?key=k&scheme=eip191&message=m&grant=5m&callback={CB}"
            )),
            "link.malformed"
        );
        // A callback over plain HTTP to another host would leak the signature.
        assert_eq!(
            code("keyward://sign?key=k&scheme=eip191&message=m&callback=http%3A%2F%2Fevil.example%2F"),
            "link.malformed"
        );
        assert!(kw(
            "keyward://sign?key=k&scheme=eip191&message=m&callback=http%3A%2F%2F127.0.0.1%3A9%2Fcb"
        )
        .is_ok());
        assert_eq!(
            code(&format!(
                "keyward://sign?key=k&scheme=raw&payload_hex=0g&callback={CB}"
            )),
            "link.malformed"
        );
        let long = "a".repeat(MAX_LINK_BYTES);
        assert_eq!(
            code(&format!("keyward://sign?key=k&message={long}")),
            "link.too_long"
        );
        let msg = "a".repeat(MAX_PAYLOAD_BYTES + 1);
        assert_eq!(
            code(&format!(
                "keyward://sign?key=k&scheme=eip191&message={msg}&callback={CB}"
            )),
            "link.too_long"
        );
        assert_eq!(code("keyward://user:pw@sign?key=k"), "link.malformed");
    }

    fn sw(json: &serde_json::Value) -> String {
        let enc: String =
            url::form_urlencoded::byte_serialize(json.to_string().as_bytes()).collect();
        format!("simplewallet://eos.io?param={enc}")
    }

    #[test]
    fn simplewallet_login_is_off_by_default_and_parses_when_on() {
        let req = serde_json::json!({
            "protocol": "SimpleWallet", "version": "1.0", "dappName": "Dapp",
            "dappIcon": "https://dapp.example/i.png", "action": "login",
            "uuID": "abc-1", "loginUrl": "https://dapp.example/login", "expired": 1_700_000_100,
        });
        assert_eq!(kw(&sw(&req)).unwrap_err(), LinkError::Disabled);
        let Link::SimpleWalletLogin(l) = parse(&sw(&req), true, 1_700_000_000).unwrap() else {
            panic!()
        };
        assert_eq!(l.uu_id, "abc-1");
        // PROTOCOLS.md §3.1: data = timestamp + account + uuID + ref, no separators.
        assert_eq!(
            l.data(1_700_000_050, "alice"),
            "1700000050aliceabc-1keyward"
        );
        let body = l.login_body(1_700_000_050, "alice", "SIG_K1_x");
        assert_eq!(body["timestamp"], "1700000050");
        assert_eq!(body["ref"], "keyward");
        assert_eq!(
            parse(&sw(&req), true, 1_700_000_200).unwrap_err(),
            LinkError::Expired
        );
        let mut transfer = req.clone();
        transfer["action"] = "transfer".into();
        assert_eq!(
            parse(&sw(&transfer), true, 0).unwrap_err().code(),
            "link.unknown_action"
        );
    }

    #[test]
    fn a_flood_is_limited() {
        let mut r = RateLimit::default();
        for _ in 0..RateLimit::MAX {
            r.admit(100).unwrap();
        }
        assert!(matches!(
            r.admit(101),
            Err(LinkError::RateLimited { secs: 59 })
        ));
        r.admit(160).unwrap();
    }
}
