//! A secret a service shows once (a new access token, a new API key) is sealed into the
//! keychain before it is shown or anything else happens. If the keychain refuses, the secret
//! stays in memory and the seal is retried; if it still fails, the caller gets the secret back
//! with the error and must show it to the user as NOT SAVED — it is never dropped.

use keyward_core::Secret;
use keyward_vault::api::CredentialInfo;
use keyward_vault::{Backend, VaultError};
use std::time::Duration;

/// Tries after the first.
pub const RETRIES: u32 = 3;

/// The outcome of sealing a shown-once secret.
pub enum Sealed {
    /// In the keychain as `info`; `secret` is handed back for the one showing a shell may make
    /// right after sealing (the app's page), never to be kept.
    Stored {
        info: CredentialInfo,
        secret: Secret,
    },
    /// The keychain refused every attempt: show `secret` to the user now, with `error`.
    Unsaved { secret: Secret, error: VaultError },
}

/// Seals `secret` as credential `name` of `profile`, retrying with growing waits from `wait`.
pub fn seal_shown_once(
    b: &mut dyn Backend,
    profile: &str,
    name: &str,
    secret: Secret,
    wait: Duration,
) -> Sealed {
    let mut pause = wait;
    let mut last = None;
    for attempt in 0..=RETRIES {
        if attempt > 0 {
            std::thread::sleep(pause);
            pause *= 2;
        }
        match b.credential_put(profile, name, secret.clone()) {
            Ok(info) => return Sealed::Stored { info, secret },
            // A refusal that retrying cannot cure ends the loop at once.
            Err(e @ (VaultError::ProfileNotFound(_) | VaultError::Usage(_))) => {
                return Sealed::Unsaved { secret, error: e }
            }
            Err(e) => last = Some(e),
        }
    }
    Sealed::Unsaved {
        secret,
        error: last.expect("at least one attempt"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_vault::api::Profile;
    use keyward_vault::store::SecretStore;
    use keyward_vault::{KeychainError, Vault};
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    /// A keychain (in memory: a unit test) that refuses the next `refusals` credential writes,
    /// as a locked collection or a dismissed prompt would.
    #[derive(Default)]
    struct Refusing {
        items: Mutex<HashMap<(String, String), Vec<u8>>>,
        refusals: AtomicU32,
    }

    impl SecretStore for Refusing {
        fn get(&self, s: &str, a: &str) -> Result<Option<Vec<u8>>, KeychainError> {
            Ok(self
                .items
                .lock()
                .unwrap()
                .get(&(s.into(), a.into()))
                .cloned())
        }
        fn set(&self, s: &str, a: &str, secret: &[u8]) -> Result<(), KeychainError> {
            if a.starts_with("cred-") && self.refusals.load(Ordering::SeqCst) > 0 {
                self.refusals.fetch_sub(1, Ordering::SeqCst);
                return Err(KeychainError::Locked);
            }
            self.items
                .lock()
                .unwrap()
                .insert((s.into(), a.into()), secret.to_vec());
            Ok(())
        }
        fn delete(&self, s: &str, a: &str) -> Result<bool, KeychainError> {
            Ok(self
                .items
                .lock()
                .unwrap()
                .remove(&(s.into(), a.into()))
                .is_some())
        }
        fn list(&self, s: &str) -> Result<Vec<String>, KeychainError> {
            Ok(self
                .items
                .lock()
                .unwrap()
                .keys()
                .filter(|k| k.0 == s)
                .map(|k| k.1.clone())
                .collect())
        }
    }

    fn vault(store: Arc<Refusing>) -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::open(dir.path(), store).unwrap();
        v.init(None).unwrap();
        v.profile_put(
            Profile {
                name: "svc".into(),
                kind: "engine".into(),
                base_url: "http://127.0.0.1:1".into(),
                settings: serde_json::json!({}),
                credentials: vec![],
                created_at: String::new(),
                updated_at: String::new(),
            },
            true,
        )
        .unwrap();
        (dir, v)
    }

    #[test]
    fn a_refusing_keychain_is_retried_until_it_takes_the_secret() {
        let store = Arc::new(Refusing::default());
        let (_d, mut v) = vault(store.clone());
        store.refusals.store(2, Ordering::SeqCst);
        let r = seal_shown_once(
            &mut v,
            "svc",
            "access-token:1",
            Secret::new("tok-1"),
            Duration::from_millis(1),
        );
        match r {
            Sealed::Stored { secret, .. } => assert_eq!(secret.expose(), "tok-1"),
            Sealed::Unsaved { .. } => panic!("not stored"),
        }
        assert_eq!(
            v.credential_get("svc", "access-token:1").unwrap().expose(),
            "tok-1"
        );
    }

    #[test]
    fn a_keychain_that_keeps_refusing_hands_the_secret_back() {
        let store = Arc::new(Refusing::default());
        let (_d, mut v) = vault(store.clone());
        store.refusals.store(100, Ordering::SeqCst);
        match seal_shown_once(
            &mut v,
            "svc",
            "access-token:2",
            Secret::new("tok-2"),
            Duration::from_millis(1),
        ) {
            Sealed::Unsaved { secret, error } => {
                assert_eq!(secret.expose(), "tok-2", "the secret is not lost");
                assert_eq!(keyward_crypto::Coded::code(&error), "keychain.locked");
            }
            Sealed::Stored { .. } => panic!("stored through a refusing keychain"),
        }
        assert_eq!(store.refusals.load(Ordering::SeqCst), 100 - 1 - RETRIES);
        assert!(v.credential_get("svc", "access-token:2").is_err());
    }
}
