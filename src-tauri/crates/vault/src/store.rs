//! Where sealed secrets live: one OS keychain item per secret.
//!
//! [`SecretStore`] is the seam where the OS sits. [`KeychainStore`] talks to the Secret
//! Service through keyring-core; the macOS and Windows stores of keyring-core slot in here.

use crate::error::KeychainError;
use keyring_core::api::CredentialStoreApi;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest sealed item stored, on every OS (the Windows credential limit).
pub const MAX_ITEM_BYTES: usize = 2560;

/// An OS keychain, addressed by (service, account).
pub trait SecretStore: Send + Sync {
    fn get(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, KeychainError>;
    fn set(&self, service: &str, account: &str, secret: &[u8]) -> Result<(), KeychainError>;
    /// Returns whether an item was there.
    fn delete(&self, service: &str, account: &str) -> Result<bool, KeychainError>;
    /// The accounts of every item of `service`.
    fn list(&self, service: &str) -> Result<Vec<String>, KeychainError>;
}

type Backend = Arc<dyn CredentialStoreApi + Send + Sync>;

/// The Secret Service (Linux) through keyring-core.
///
/// Every call runs on a worker thread bounded by a timeout: a locked collection can wait on
/// a prompt forever, and the UI thread must never block. After a timeout the connection is
/// dropped and rebuilt on the next call.
pub struct KeychainStore {
    backend: Arc<Mutex<Option<Backend>>>,
    timeout: Duration,
    connections: Arc<AtomicUsize>,
}

impl Default for KeychainStore {
    fn default() -> Self {
        Self::new()
    }
}

impl KeychainStore {
    /// Timeout from `KEYWARD_KEYCHAIN_TIMEOUT_MS`, default 20 s (long enough for a human to
    /// answer an unlock prompt).
    pub fn new() -> KeychainStore {
        let ms = std::env::var("KEYWARD_KEYCHAIN_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(20_000);
        KeychainStore {
            backend: Arc::new(Mutex::new(None)),
            timeout: Duration::from_millis(ms),
            connections: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// How many connections to the Secret Service this store has opened (one, unless a
    /// timeout made it start over).
    pub fn connections_made(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn run<T: Send + 'static>(
        &self,
        op: impl FnOnce(&Backend) -> Result<T, KeychainError> + Send + 'static,
    ) -> Result<T, KeychainError> {
        let slot = self.backend.clone();
        let count = self.connections.clone();
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let _ = tx.send(connect(&slot, &count).and_then(|b| op(&b)));
            })
            .map_err(|e| KeychainError::Failure(e.to_string()))?;
        match rx.recv_timeout(self.timeout) {
            Ok(r) => r,
            Err(_) => {
                // The worker may be stuck on the bus; forget the connection so the next call
                // starts a fresh one instead of queueing behind it.
                if let Ok(mut g) = self.backend.lock() {
                    *g = None;
                }
                Err(KeychainError::Timeout(self.timeout.as_millis() as u64))
            }
        }
    }
}

fn connect(slot: &Mutex<Option<Backend>>, count: &AtomicUsize) -> Result<Backend, KeychainError> {
    if let Some(b) = slot.lock().ok().and_then(|g| g.clone()) {
        return Ok(b);
    }
    let store: Backend = zbus_secret_service_keyring_store::Store::new().map_err(map_connect)?;
    count.fetch_add(1, Ordering::SeqCst);
    if let Ok(mut g) = slot.lock() {
        *g = Some(store.clone());
    }
    Ok(store)
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn classify(text: &str) -> KeychainError {
    if text.contains("ServiceUnknown") || text.contains("not provided by any .service files") {
        KeychainError::NoProvider
    } else if text.contains("prompt dismissed")
        || text.contains("is locked")
        || text.contains("Locked")
    {
        KeychainError::Locked
    } else if text.contains("result not returned") || text.contains("NoResult") {
        KeychainError::NoDefaultCollection
    } else if text.contains("Failed to connect")
        || text.contains("DBUS_SESSION_BUS_ADDRESS")
        || text.contains("No such file or directory")
        || text.contains("Connection refused")
    {
        KeychainError::NoSessionBus(text.to_string())
    } else {
        KeychainError::Failure(text.to_string())
    }
}

fn map_connect(e: keyring_core::Error) -> KeychainError {
    map(e)
}

fn map(e: keyring_core::Error) -> KeychainError {
    use keyring_core::Error as E;
    match &e {
        E::NoStorageAccess(inner) | E::PlatformFailure(inner) => classify(&chain(inner.as_ref())),
        _ => classify(&chain(&e)),
    }
}

fn entry(b: &Backend, service: &str, account: &str) -> Result<keyring_core::Entry, KeychainError> {
    let label = format!("Keyward {service} {account}");
    let mods = HashMap::from([("label", label.as_str())]);
    b.build(service, account, Some(&mods)).map_err(map)
}

impl SecretStore for KeychainStore {
    fn get(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, KeychainError> {
        let (s, a) = (service.to_string(), account.to_string());
        self.run(move |b| match entry(b, &s, &a)?.get_secret() {
            Ok(v) => Ok(Some(v)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(map(e)),
        })
    }

    fn set(&self, service: &str, account: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let (s, a, v) = (service.to_string(), account.to_string(), secret.to_vec());
        self.run(move |b| entry(b, &s, &a)?.set_secret(&v).map_err(map))
    }

    fn delete(&self, service: &str, account: &str) -> Result<bool, KeychainError> {
        let (s, a) = (service.to_string(), account.to_string());
        self.run(move |b| match entry(b, &s, &a)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(map(e)),
        })
    }

    fn list(&self, service: &str) -> Result<Vec<String>, KeychainError> {
        let s = service.to_string();
        self.run(move |b| {
            let spec = HashMap::from([("service", s.as_str())]);
            let found = b.search(&spec).map_err(map)?;
            Ok(found
                .iter()
                .filter_map(|e| e.get_specifiers())
                .filter(|(svc, _)| *svc == s)
                .map(|(_, acct)| acct)
                .collect())
        })
    }
}

/// An in-memory store for unit tests only (this crate's, and other crates' through the
/// `testing` feature, a dev-dependency): the product and the integration tests use the real
/// keychain.
#[cfg(any(test, feature = "testing"))]
#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<(String, String), Vec<u8>>>,
}

#[cfg(any(test, feature = "testing"))]
impl MemoryStore {
    /// Every item's bytes (tests that scan the keychain for a secret).
    pub fn all(&self) -> Vec<Vec<u8>> {
        self.items.lock().unwrap().values().cloned().collect()
    }
}

#[cfg(any(test, feature = "testing"))]
impl SecretStore for MemoryStore {
    fn get(&self, service: &str, account: &str) -> Result<Option<Vec<u8>>, KeychainError> {
        let g = self.items.lock().unwrap();
        Ok(g.get(&(service.into(), account.into())).cloned())
    }
    fn set(&self, service: &str, account: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let mut g = self.items.lock().unwrap();
        g.insert((service.into(), account.into()), secret.to_vec());
        Ok(())
    }
    fn delete(&self, service: &str, account: &str) -> Result<bool, KeychainError> {
        let mut g = self.items.lock().unwrap();
        Ok(g.remove(&(service.into(), account.into())).is_some())
    }
    fn list(&self, service: &str) -> Result<Vec<String>, KeychainError> {
        let g = self.items.lock().unwrap();
        Ok(g.keys()
            .filter(|(s, _)| s == service)
            .map(|(_, a)| a.clone())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_crypto::Coded;

    #[test]
    fn failure_texts_map_to_stable_codes() {
        let cases = [
            ("zbus error: Failed to connect to address unix:path=/x: No such file or directory", "keychain.no_session_bus"),
            ("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files", "keychain.no_provider"),
            ("SS error: result not returned from SS API", "keychain.no_default_collection"),
            ("SS error: prompt dismissed", "keychain.locked"),
            ("something else", "keychain.failure"),
        ];
        for (text, code) in cases {
            assert_eq!(classify(text).code(), code, "{text}");
        }
    }
}
