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
mod tests;
