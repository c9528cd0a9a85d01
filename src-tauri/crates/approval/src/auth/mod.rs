//! Authentication of the loopback endpoint: pairing, request MACs over single-use server
//! nonces, signed responses, and the `Host` / `Origin` rules. Pure functions and types: no
//! I/O, no clock (every deadline takes `now`, unix seconds, from the caller).
//!
//! The protocol:
//!
//! 1. **Pairing.** The app sends a [`PairingOffer`] (its name and a random nonce); Keyward
//!    answers with a server nonce and its endpoint public key. Both sides show
//!    [`pairing_code`] over that transcript and the user compares them before approving.
//!    On approval Keyward hands the app a token, [`derive_token`] from a secret sealed under
//!    the vault key and a public salt; it stores only the salt, and the app pins the endpoint
//!    public key.
//! 2. **Requests.** The app fetches a fresh server nonce ([`NonceBook::issue`]) and sends
//!    [`request_mac`] over `nonce`, method, path and query, and the body's hash. The MAC key is
//!    `SHA-256(token)` on both sides, so the token itself never crosses the wire after
//!    pairing; Keyward derives it again from the salt while it holds the secret (from the
//!    endpoint's first unlock on). A copy of the index, or of every keychain item not sealed
//!    under the vault key, gives no MAC key. The server checks
//!    [`verify_request_mac`] and spends the nonce with [`NonceBook::take`].
//! 3. **Responses.** Keyward signs every answer with its [`EndpointKey`] over the same nonce,
//!    the status and the body's hash ([`sign_response`]); the app checks it against the
//!    pinned key ([`verify_response`]).
//!
//! What each check stops:
//!
//! * the pairing code: a second app pairing at the same moment and the user approving the
//!   wrong one (the code binds the app's nonce, the server's nonce and the endpoint key);
//! * the MAC: unpaired callers, and any change of nonce, method, path, query or body;
//! * the nonce book: replay of a captured request (nonces are single use, expire, and
//!   only issued ones count);
//! * the response signature: port squatting — a program that grabbed the port while
//!   Keyward was down cannot answer as Keyward, and an answer cannot be moved to another
//!   request (it binds the nonce);
//! * [`check_host`]: DNS rebinding (a web page whose domain resolves to 127.0.0.1 still
//!   sends its own name as `Host`);
//! * [`check_origin`]: a web page calling from an origin other than the paired one,
//!   including sandboxed (`null`) origins.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use crate::error::AuthError;

type HmacSha256 = Hmac<Sha256>;

/// Domain separator of the pairing transcript.
const PAIR_DOMAIN: &[u8] = b"KWPAIR1";
/// First line of the canonical request string.
const REQ_DOMAIN: &str = "KWREQ1";
/// First line of the canonical response string.
const RES_DOMAIN: &str = "KWRES1";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

// ---------------------------------------------------------------------------------------
// Pairing
// ---------------------------------------------------------------------------------------

/// What an app sends to ask for pairing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairingOffer {
    /// The name the app gives itself (shown to the user, never trusted).
    pub app_name: String,
    /// Fresh random bytes from the app, part of the pairing transcript.
    pub app_nonce: Vec<u8>,
}

/// The short code both sides show during pairing: 6 decimal digits, zero-padded.
///
/// Transcript (all lengths are 4-byte big-endian byte counts):
///
/// ```text
/// "KWPAIR1" || endpoint_pub (32 bytes)
///           || len(app_nonce) || app_nonce
///           || len(server_nonce) || server_nonce
/// ```
///
/// The code is the first 8 bytes of `SHA-256(transcript)` read as a big-endian `u64`,
/// modulo 1,000,000. The length prefixes keep bytes from moving between the two nonces.
pub fn pairing_code(endpoint_pub: &[u8; 32], app_nonce: &[u8], server_nonce: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(PAIR_DOMAIN);
    h.update(endpoint_pub);
    for part in [app_nonce, server_nonce] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        h.update(len.to_be_bytes());
        h.update(part);
    }
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    format!("{:06}", u64::from_be_bytes(first) % 1_000_000)
}

/// A new token salt: 16 random bytes, lower-case hex. Public: stored with the app.
pub fn new_salt() -> String {
    hex::encode(random_bytes::<16>())
}

/// App `app_id`'s token: base64url (no padding) of
/// `HMAC-SHA256(secret, "keyward-app-token/v1\n" + u64be(len(app_id)) + app_id + salt)`. Keyward hands it
/// to the app once and stores only the salt; the secret is sealed under the vault key, so
/// nothing readable without the vault key yields a token or its MAC key.
pub fn derive_token(secret: &[u8; 32], app_id: &str, salt: &str) -> Zeroizing<String> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"keyward-app-token/v1\n");
    mac.update(&(app_id.len() as u64).to_be_bytes());
    mac.update(app_id.as_bytes());
    mac.update(salt.as_bytes());
    let tag = Zeroizing::new(mac.finalize().into_bytes().to_vec());
    Zeroizing::new(URL_SAFE_NO_PAD.encode(tag.as_slice()))
}

/// `hex(SHA-256(token))`: what Keyward stores for a paired app, and (as raw bytes) the
/// MAC key of its requests.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

// ---------------------------------------------------------------------------------------
// Request MAC
// ---------------------------------------------------------------------------------------

/// The canonical request string:
/// `"KWREQ1\n" + nonce + "\n" + method + "\n" + path_and_query + "\n" + hex(SHA-256(body))`.
pub fn canonical_request(nonce: &str, method: &str, path_and_query: &str, body: &[u8]) -> String {
    format!(
        "{REQ_DOMAIN}\n{nonce}\n{method}\n{path_and_query}\n{}",
        sha256_hex(body)
    )
}

fn request_mac_key(
    key: &[u8],
    nonce: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(canonical_request(nonce, method, path_and_query, body).as_bytes());
    mac
}

/// The app's MAC of a request, base64url without padding: HMAC-SHA256 keyed by the raw
/// 32 bytes of `SHA-256(token)` over [`canonical_request`].
pub fn request_mac(
    token: &str,
    nonce: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> String {
    let key = Zeroizing::new(<[u8; 32]>::from(Sha256::digest(token.as_bytes())));
    let tag = request_mac_key(key.as_slice(), nonce, method, path_and_query, body)
        .finalize()
        .into_bytes();
    URL_SAFE_NO_PAD.encode(tag)
}

/// The MAC of a request under raw key bytes (what an app computes with `SHA-256(token)`):
/// for tools and tests that hold a key rather than a token.
pub fn request_mac_with_key(
    key: &[u8],
    nonce: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> String {
    URL_SAFE_NO_PAD.encode(
        request_mac_key(key, nonce, method, path_and_query, body)
            .finalize()
            .into_bytes(),
    )
}

/// Checks a request's MAC against the stored token hash (hex, as from [`token_hash`]);
/// `None` means no pairing is on record for the caller. Constant-time comparison.
///
/// Refuses fields holding a newline, so no two different requests share a canonical
/// string. This does not spend the nonce: call [`NonceBook::take`] as well (after the MAC
/// verifies, so an unauthenticated caller cannot burn other apps' nonces).
pub fn verify_request_mac(
    token_hash: Option<&str>,
    nonce: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    mac_b64: &str,
) -> Result<(), AuthError> {
    let token_hash = token_hash.ok_or(AuthError::Unpaired)?;
    let key = Zeroizing::new(hex::decode(token_hash).map_err(|_| AuthError::Unpaired)?);
    if key.len() != 32 {
        return Err(AuthError::Unpaired);
    }
    if [nonce, method, path_and_query]
        .iter()
        .any(|f| f.contains(['\n', '\r']))
    {
        return Err(AuthError::BadMac);
    }
    let tag = URL_SAFE_NO_PAD
        .decode(mac_b64)
        .map_err(|_| AuthError::BadMac)?;
    request_mac_key(&key, nonce, method, path_and_query, body)
        .verify_slice(&tag)
        .map_err(|_| AuthError::BadMac)
}

// ---------------------------------------------------------------------------------------
// Nonces
// ---------------------------------------------------------------------------------------

/// Single-use server nonces (16 random bytes, hex) with a time to live, bounded in size.
///
/// Holds at most `capacity` live nonces (the oldest are evicted beyond that, and then
/// count as unknown) and remembers up to `capacity` spent ones to tell a replay apart.
#[derive(Debug, Clone)]
pub struct NonceBook {
    ttl: i64,
    capacity: usize,
    seq: u64,
    /// nonce → (issue sequence, expires_at).
    live: HashMap<String, (u64, i64)>,
    /// issue sequence → nonce, oldest first.
    order: BTreeMap<u64, String>,
    spent: HashSet<String>,
    spent_order: VecDeque<String>,
    /// Live entries looked at while purging, since the book was made: the cost the tests bound.
    steps: u64,
}

impl NonceBook {
    /// A book whose nonces live `ttl_secs` seconds, holding at most `capacity` (at least 1).
    pub fn new(ttl_secs: i64, capacity: usize) -> Self {
        NonceBook {
            ttl: ttl_secs,
            capacity: capacity.max(1),
            seq: 0,
            live: HashMap::new(),
            order: BTreeMap::new(),
            spent: HashSet::new(),
            spent_order: VecDeque::new(),
            steps: 0,
        }
    }

    /// Issues a fresh nonce valid while `now < issued_at + ttl`.
    pub fn issue(&mut self, now: i64) -> String {
        self.purge_expired(now);
        while self.live.len() >= self.capacity {
            match self.order.pop_first() {
                Some((_, old)) => {
                    self.live.remove(&old);
                }
                None => break,
            }
        }
        let nonce = hex::encode(random_bytes::<16>());
        self.seq += 1;
        self.live
            .insert(nonce.clone(), (self.seq, now.saturating_add(self.ttl)));
        self.order.insert(self.seq, nonce.clone());
        nonce
    }

    /// Spends a nonce. Refuses one already spent ([`AuthError::Replay`]), one never issued
    /// or evicted ([`AuthError::UnknownNonce`]) and one past its time to live
    /// ([`AuthError::ExpiredNonce`]); an expired nonce is dropped.
    pub fn take(&mut self, nonce: &str, now: i64) -> Result<(), AuthError> {
        if self.spent.contains(nonce) {
            return Err(AuthError::Replay);
        }
        let (seq, expires_at) = self.live.remove(nonce).ok_or(AuthError::UnknownNonce)?;
        self.order.remove(&seq);
        if now >= expires_at {
            return Err(AuthError::ExpiredNonce);
        }
        if self.spent_order.len() >= self.capacity {
            if let Some(old) = self.spent_order.pop_front() {
                self.spent.remove(&old);
            }
        }
        self.spent.insert(nonce.to_owned());
        self.spent_order.push_back(nonce.to_owned());
        Ok(())
    }

    /// How many issued nonces are still held (live or expired but not yet purged).
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether no issued nonce is held.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Live entries looked at while purging expired nonces, in this book's life.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Drops expired nonces from the front of the issue order: one ttl for every nonce makes
    /// issue order expiry order, so this looks at the expired ones and one more, never at
    /// every live nonce. (A clock stepped back can leave a nonce behind a later one until
    /// that one expires; [`NonceBook::take`] still refuses it once expired.)
    fn purge_expired(&mut self, now: i64) {
        while let Some((_, nonce)) = self.order.first_key_value() {
            self.steps += 1;
            match self.live.get(nonce) {
                Some(&(_, expires_at)) if now < expires_at => break,
                _ => {
                    if let Some((_, n)) = self.order.pop_first() {
                        self.live.remove(&n);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Response signing
// ---------------------------------------------------------------------------------------

/// Keyward's endpoint key (Ed25519): signs every response; apps pin its public half at
/// pairing. The secret is zeroized on drop.
pub struct EndpointKey {
    signing: SigningKey,
}

impl fmt::Debug for EndpointKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointKey")
            .field("public", &hex::encode(self.public()))
            .finish_non_exhaustive()
    }
}

impl EndpointKey {
    /// A new random key.
    pub fn generate() -> Self {
        EndpointKey {
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    /// The key of a 32-byte seed (as stored sealed by the caller).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        EndpointKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The public key apps pin.
    pub fn public(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }
}

/// The canonical response string:
/// `"KWRES1\n" + nonce + "\n" + status + "\n" + hex(SHA-256(body))`.
pub fn canonical_response(nonce: &str, status: u16, body: &[u8]) -> String {
    format!("{RES_DOMAIN}\n{nonce}\n{status}\n{}", sha256_hex(body))
}

/// Keyward's signature of a response to the request made with `nonce` (base64url, no
/// padding).
pub fn sign_response(key: &EndpointKey, nonce: &str, status: u16, body: &[u8]) -> String {
    let sig = key
        .signing
        .sign(canonical_response(nonce, status, body).as_bytes());
    URL_SAFE_NO_PAD.encode(sig.to_bytes())
}

/// The app's check of a response against the pinned endpoint key (strict Ed25519).
pub fn verify_response(
    pinned_pub: &[u8; 32],
    nonce: &str,
    status: u16,
    body: &[u8],
    sig_b64: &str,
) -> Result<(), AuthError> {
    let vk = VerifyingKey::from_bytes(pinned_pub).map_err(|_| AuthError::BadResponseSignature)?;
    let raw = URL_SAFE_NO_PAD
        .decode(sig_b64)
        .map_err(|_| AuthError::BadResponseSignature)?;
    let sig = Signature::from_slice(&raw).map_err(|_| AuthError::BadResponseSignature)?;
    vk.verify_strict(canonical_response(nonce, status, body).as_bytes(), &sig)
        .map_err(|_| AuthError::BadResponseSignature)
}

// ---------------------------------------------------------------------------------------
// Host / Origin
// ---------------------------------------------------------------------------------------

/// Accepts only `127.0.0.1:PORT`, `localhost:PORT` and `[::1]:PORT` (host compared without
/// regard to ASCII case, port exactly as `port` prints). Anything else — another name, a
/// missing or different port, a trailing dot — is [`AuthError::ForeignHost`].
pub fn check_host(host_header: &str, port: u16) -> Result<(), AuthError> {
    let (host, p) = host_header.rsplit_once(':').ok_or(AuthError::ForeignHost)?;
    let host_ok = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host.eq_ignore_ascii_case(h));
    if host_ok && p == port.to_string() {
        Ok(())
    } else {
        Err(AuthError::ForeignHost)
    }
}

/// No `Origin` (a non-browser app) passes. A browser `Origin` passes only if it equals the
/// paired origin exactly (scheme, host and port); `null`, and any origin when none was
/// paired, is [`AuthError::ForeignOrigin`].
pub fn check_origin(origin: Option<&str>, paired_origin: Option<&str>) -> Result<(), AuthError> {
    match (origin, paired_origin) {
        (None, _) => Ok(()),
        (Some(o), _) if o.trim().eq_ignore_ascii_case("null") => Err(AuthError::ForeignOrigin),
        (Some(o), Some(p)) if o == p => Ok(()),
        _ => Err(AuthError::ForeignOrigin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_crypto::Coded;

    const NONCE: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn every_auth_error_has_a_code_and_hint() {
        let all = [
            AuthError::BadMac,
            AuthError::Replay,
            AuthError::UnknownNonce,
            AuthError::ExpiredNonce,
            AuthError::ForeignHost,
            AuthError::ForeignOrigin,
            AuthError::BadResponseSignature,
            AuthError::Unpaired,
        ];
        let mut codes: Vec<&str> = all.iter().map(|e| e.code()).collect();
        for e in &all {
            assert!(e.code().starts_with("endpoint."));
            assert!(!e.hint().is_empty());
            assert!(!e.to_string().is_empty());
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    /// A token as pairing hands one out (a random secret, a fresh salt) and its MAC key hash.
    fn issue_token() -> (Zeroizing<String>, String) {
        let token = derive_token(&random_bytes::<32>(), "app", &new_salt());
        let hash = token_hash(&token);
        (token, hash)
    }

    #[test]
    fn derived_tokens_depend_on_secret_app_and_salt() {
        let secret = [7u8; 32];
        let t = derive_token(&secret, "app1", "00ff");
        assert_eq!(*t, *derive_token(&secret, "app1", "00ff"));
        assert_ne!(*t, *derive_token(&[8u8; 32], "app1", "00ff"));
        assert_ne!(*t, *derive_token(&secret, "app2", "00ff"));
        assert_ne!(*t, *derive_token(&secret, "app1", "00fe"));
        // Not ambiguous across the separator.
        assert_ne!(
            *derive_token(&secret, "a\nb", "c"),
            *derive_token(&secret, "a", "b\nc")
        );
        assert_eq!(new_salt().len(), 32);
    }

    #[test]
    fn issued_token_hashes_to_stored_hash() {
        let (token, hash) = issue_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(token.as_str()).unwrap().len(), 32);
        assert_eq!(hash, token_hash(&token));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(token.as_str()));
        let (other, _) = issue_token();
        assert_ne!(*token, *other);
    }

    #[test]
    fn mac_round_trip() {
        let (token, hash) = issue_token();
        let mac = request_mac(&token, NONCE, "POST", "/v1/requests?x=1", b"{\"a\":1}");
        assert!(!mac.contains(token.as_str()));
        verify_request_mac(
            Some(&hash),
            NONCE,
            "POST",
            "/v1/requests?x=1",
            b"{\"a\":1}",
            &mac,
        )
        .unwrap();
    }

    #[test]
    fn mac_fails_when_anything_changes() {
        let (token, hash) = issue_token();
        let (other_token, _) = issue_token();
        let (nonce, method, path, body) = (NONCE, "POST", "/v1/requests?x=1", &b"body"[..]);
        let good = request_mac(&token, nonce, method, path, body);
        let check = |n: &str, m: &str, p: &str, b: &[u8], mac: &str| {
            verify_request_mac(Some(&hash), n, m, p, b, mac)
        };
        assert_eq!(check(nonce, method, path, body, &good), Ok(()));
        let other_nonce = "ffeeddccbbaa99887766554433221100";
        assert_eq!(
            check(other_nonce, method, path, body, &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, "GET", path, body, &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, method, "/v1/requests?x=2", body, &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, method, "/v1/requests", body, &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, method, path, b"bodz", &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, method, path, b"", &good),
            Err(AuthError::BadMac)
        );
        let wrong_token = request_mac(&other_token, nonce, method, path, body);
        assert_eq!(
            check(nonce, method, path, body, &wrong_token),
            Err(AuthError::BadMac)
        );
        // The token itself is not the key: a MAC keyed by the raw token fails.
        let mut raw = <HmacSha256 as Mac>::new_from_slice(token.as_bytes()).unwrap();
        raw.update(canonical_request(nonce, method, path, body).as_bytes());
        let raw = URL_SAFE_NO_PAD.encode(raw.finalize().into_bytes());
        assert_eq!(
            check(nonce, method, path, body, &raw),
            Err(AuthError::BadMac)
        );
        // Malformed MACs and newline smuggling.
        assert_eq!(
            check(nonce, method, path, body, "!!"),
            Err(AuthError::BadMac)
        );
        assert_eq!(check(nonce, method, path, body, ""), Err(AuthError::BadMac));
        assert_eq!(
            check(nonce, method, &good[..good.len() - 1], body, &good),
            Err(AuthError::BadMac)
        );
        assert_eq!(
            check(nonce, "POST\n/x", "y", body, &good),
            Err(AuthError::BadMac)
        );
    }

    #[test]
    fn mac_without_pairing_is_unpaired() {
        let (token, _) = issue_token();
        let mac = request_mac(&token, NONCE, "GET", "/v1/x", b"");
        assert_eq!(
            verify_request_mac(None, NONCE, "GET", "/v1/x", b"", &mac),
            Err(AuthError::Unpaired)
        );
        assert_eq!(
            verify_request_mac(Some("not hex"), NONCE, "GET", "/v1/x", b"", &mac),
            Err(AuthError::Unpaired)
        );
    }

    #[test]
    fn canonical_strings_are_as_documented() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            canonical_request("n", "GET", "/v1/status?a=b", b""),
            format!("KWREQ1\nn\nGET\n/v1/status?a=b\n{empty}")
        );
        assert_eq!(
            canonical_response("n", 200, b""),
            format!("KWRES1\nn\n200\n{empty}")
        );
    }

    #[test]
    fn nonce_is_single_use() {
        let mut book = NonceBook::new(60, 16);
        let n = book.issue(1000);
        assert_eq!(n.len(), 32);
        assert!(n.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(book.take(&n, 1001), Ok(()));
        assert_eq!(book.take(&n, 1002), Err(AuthError::Replay));
        assert_ne!(book.issue(1000), book.issue(1000));
    }

    #[test]
    fn expired_nonce_is_refused() {
        let mut book = NonceBook::new(60, 16);
        let n = book.issue(1000);
        assert_eq!(book.take(&n, 1060), Err(AuthError::ExpiredNonce));
        // Dropped once seen expired.
        assert_eq!(book.take(&n, 1061), Err(AuthError::UnknownNonce));
        let m = book.issue(1000);
        assert_eq!(book.take(&m, 1059), Ok(()));
        // Expired nonces are purged when new ones are issued.
        let _stale = book.issue(1000);
        book.issue(2000);
        assert_eq!(book.len(), 1);
    }

    #[test]
    fn unknown_nonce_is_refused() {
        let mut book = NonceBook::new(60, 16);
        assert!(book.is_empty());
        assert_eq!(book.take(NONCE, 0), Err(AuthError::UnknownNonce));
        assert_eq!(book.take("", 0), Err(AuthError::UnknownNonce));
        let n = book.issue(0);
        assert_eq!(
            book.take(&n.to_uppercase(), 1),
            Err(AuthError::UnknownNonce)
        );
        assert_eq!(book.take(&n, 1), Ok(()));
    }

    #[test]
    fn nonce_book_is_bounded_and_evicts_oldest() {
        let mut book = NonceBook::new(600, 4);
        let issued: Vec<String> = (0..10).map(|i| book.issue(i)).collect();
        assert_eq!(book.len(), 4);
        for old in &issued[..6] {
            assert_eq!(book.take(old, 20), Err(AuthError::UnknownNonce));
        }
        for new in &issued[6..] {
            assert_eq!(book.take(new, 20), Ok(()));
        }
        assert!(book.is_empty());
        // The spent list is bounded too.
        for _ in 0..100 {
            let n = book.issue(30);
            book.take(&n, 31).unwrap();
        }
        assert!(book.spent.len() <= 4 && book.spent_order.len() <= 4);
        assert!(book.order.len() <= 4);
    }

    /// Security review #8: issuing must not rescan every live nonce per nonce. With the book
    /// full (100,000 live), 1,000 more cost at most a few steps each, counted, not timed.
    #[test]
    fn issuing_into_a_full_book_costs_steps_per_nonce_not_per_live_nonce() {
        let mut book = NonceBook::new(120, 100_000);
        for _ in 0..100_000 {
            book.issue(1000);
        }
        assert_eq!(book.len(), 100_000);
        let before = book.steps();
        for _ in 0..1000 {
            book.issue(1001);
        }
        let spent = book.steps() - before;
        assert!(spent <= 4 * 1000, "1,000 issues looked at {spent} entries");
        assert_eq!(book.len(), 100_000);
        // Expired ones still go, in one pass over just them.
        let before = book.steps();
        book.issue(1000 + 120);
        assert_eq!(book.len(), 1000 + 1, "the first 100,000 expired at 1120");
        assert!(book.steps() - before <= 100_000 + 4);
    }

    #[test]
    fn response_signature_verifies() {
        let key = EndpointKey::from_seed(&[7u8; 32]);
        let sig = sign_response(&key, NONCE, 200, b"{\"ok\":true}");
        verify_response(&key.public(), NONCE, 200, b"{\"ok\":true}", &sig).unwrap();
        assert_eq!(key.public(), EndpointKey::from_seed(&[7u8; 32]).public());
        assert!(!format!("{key:?}").contains(&hex::encode([7u8; 32])));
    }

    #[test]
    fn response_signature_fails_on_any_change() {
        let key = EndpointKey::generate();
        let impostor = EndpointKey::generate();
        assert_ne!(key.public(), impostor.public());
        let pinned = key.public();
        let body = &b"{\"ok\":true}"[..];
        let sig = sign_response(&key, NONCE, 200, body);
        let bad = Err(AuthError::BadResponseSignature);
        let forged = sign_response(&impostor, NONCE, 200, body);
        assert_eq!(verify_response(&pinned, NONCE, 200, body, &forged), bad);
        assert_eq!(
            verify_response(&pinned, NONCE, 200, b"{\"ok\":false}", &sig),
            bad
        );
        assert_eq!(verify_response(&pinned, NONCE, 403, body, &sig), bad);
        assert_eq!(
            verify_response(&pinned, "ffeeddccbbaa99887766554433221100", 200, body, &sig),
            bad
        );
        assert_eq!(verify_response(&pinned, NONCE, 200, body, "garbage!"), bad);
        assert_eq!(verify_response(&pinned, NONCE, 200, body, ""), bad);
        assert_eq!(
            verify_response(&impostor.public(), NONCE, 200, body, &sig),
            bad
        );
    }

    #[test]
    fn pairing_code_is_six_digits_and_shared() {
        let key = EndpointKey::generate();
        let offer = PairingOffer {
            app_name: "Example".into(),
            app_nonce: random_bytes::<16>().to_vec(),
        };
        let server_nonce = random_bytes::<16>();
        let app_side = pairing_code(&key.public(), &offer.app_nonce, &server_nonce);
        let keyward_side = pairing_code(&key.public(), &offer.app_nonce, &server_nonce);
        assert_eq!(app_side, keyward_side);
        assert_eq!(app_side.len(), 6);
        assert!(app_side.chars().all(|c| c.is_ascii_digit()));
        // Zero padding: some transcript gives a code with a leading zero, still 6 long.
        let padded = (0u8..=255)
            .map(|i| pairing_code(&[i; 32], b"a", b"b"))
            .find(|c| c.starts_with('0'))
            .expect("about 10% of codes start with 0");
        assert_eq!(padded.len(), 6);
        // Round trip of the offer as JSON.
        let json = serde_json::to_string(&offer).unwrap();
        assert_eq!(serde_json::from_str::<PairingOffer>(&json).unwrap(), offer);
    }

    #[test]
    fn pairing_code_changes_with_any_transcript_byte() {
        let pubkey = [3u8; 32];
        let app = [5u8; 16];
        let srv = [9u8; 16];
        let base = pairing_code(&pubkey, &app, &srv);
        // 6 digits is 20 bits: a collision per flipped byte is ~1e-6; the inputs are fixed.
        for i in 0..32 {
            let mut p = pubkey;
            p[i] ^= 1;
            assert_ne!(pairing_code(&p, &app, &srv), base, "pub byte {i}");
        }
        for i in 0..16 {
            let mut a = app;
            a[i] ^= 1;
            assert_ne!(pairing_code(&pubkey, &a, &srv), base, "app byte {i}");
            let mut s = srv;
            s[i] ^= 1;
            assert_ne!(pairing_code(&pubkey, &app, &s), base, "server byte {i}");
        }
        // Bytes cannot move between the two nonces.
        assert_ne!(
            pairing_code(&pubkey, b"ab", b"c"),
            pairing_code(&pubkey, b"a", b"bc")
        );
        // Nor can the nonces swap.
        assert_ne!(
            pairing_code(&pubkey, &app, &srv),
            pairing_code(&pubkey, &srv, &app)
        );
    }

    #[test]
    fn host_rules() {
        let port = 47_800;
        let table: &[(&str, bool)] = &[
            ("127.0.0.1:47800", true),
            ("localhost:47800", true),
            ("[::1]:47800", true),
            ("LOCALHOST:47800", true),
            ("LocalHost:47800", true),
            ("127.0.0.1.evil.com:47800", false),
            ("localhost.evil.com:47800", false),
            ("evil.com:47800", false),
            ("localhost:47801", false),
            ("127.0.0.1:80", false),
            ("localhost", false),
            ("127.0.0.1", false),
            ("[::1]", false),
            ("::1:47800", false),
            ("localhost.:47800", false),
            ("localhost:047800", false),
            ("localhost:+47800", false),
            ("localhost:47800 ", false),
            (" localhost:47800", false),
            ("localhost:", false),
            ("", false),
            ("127.0.0.2:47800", false),
            ("0.0.0.0:47800", false),
            ("user@localhost:47800", false),
            ("localhost:47800:47800", false),
        ];
        for &(host, ok) in table {
            let got = check_host(host, port);
            if ok {
                assert_eq!(got, Ok(()), "{host:?}");
            } else {
                assert_eq!(got, Err(AuthError::ForeignHost), "{host:?}");
            }
        }
    }

    #[test]
    fn origin_rules() {
        let paired = Some("https://app.example.com");
        let table: &[(Option<&str>, Option<&str>, bool)] = &[
            (None, None, true),
            (None, paired, true),
            (Some("https://app.example.com"), paired, true),
            (Some("http://app.example.com"), paired, false),
            (Some("https://app.example.com:8443"), paired, false),
            (Some("https://evil.example.com"), paired, false),
            (Some("https://app.example.com.evil.com"), paired, false),
            (Some("https://app.example.com/"), paired, false),
            (Some("null"), paired, false),
            (Some("null"), Some("null"), false),
            (Some("NULL"), None, false),
            (Some("https://app.example.com"), None, false),
            (Some(""), paired, false),
            (
                Some("http://localhost:3000"),
                Some("http://localhost:3000"),
                true,
            ),
            (
                Some("http://localhost:3001"),
                Some("http://localhost:3000"),
                false,
            ),
        ];
        for &(origin, paired, ok) in table {
            let got = check_origin(origin, paired);
            if ok {
                assert_eq!(got, Ok(()), "{origin:?} vs {paired:?}");
            } else {
                assert_eq!(
                    got,
                    Err(AuthError::ForeignOrigin),
                    "{origin:?} vs {paired:?}"
                );
            }
        }
    }
}
