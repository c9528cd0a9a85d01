//! Key administration, the seam every kind of service with remote keys implements: thirdweb
//! Engine's access tokens first, then API keys and SPV access keys. The rotation engine and
//! the shells' generic `service key …` commands are written once against [`KeyAdmin`].
//!
//! In passkey-rs's seam style: a small trait, the vault passed in (so an agent holds the
//! secrets when one runs, and a shell can hand in a vault it locks per call, never across the
//! service's I/O), and an in-memory implementation ([`MemoryAdmin`]) for unit tests.
//!
//! A remote key's secret lives in the vault as a credential of its profile, named by
//! [`KeyAdmin::secret_name`]; [`KeyAdmin::create`] seals it before it returns
//! ([`crate::once::seal_shown_once`]).

use crate::error::{Result, ServiceError};
use crate::once::{seal_shown_once, Sealed};
use keyward_core::Secret;
use keyward_vault::api::CredentialInfo;
use keyward_vault::Backend;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::Duration;

/// A key a service holds for the user, as the service lists it: public data only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteKey {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Whether Keyward holds the secret (sealed in the keychain).
    #[serde(default)]
    pub stored: bool,
    /// The kind's own fields, as the service names them (Engine: `tokenMask`,
    /// `walletAddress`); each kind's screens type them.
    #[serde(flatten)]
    #[ts(skip)]
    pub extra: Map<String, Value>,
}

/// What to create: a label for people, and a tag for Keyward (the rotation journal's nonce),
/// kept where the service allows (name, label or metadata).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewKey<'a> {
    pub label: Option<&'a str>,
    pub tag: Option<&'a str>,
}

/// A created key: its secret sealed in the keychain before this was returned, or handed back
/// unsaved to be shown now.
pub struct Created {
    pub key: RemoteKey,
    pub sealed: Sealed,
    /// What the kind calls its keys ("access token").
    pub noun: &'static str,
}

/// Whether a stored secret still works, as the service answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub id: String,
    pub works: bool,
    /// The service's status, when it answered one.
    #[serde(default)]
    pub status: Option<u16>,
}

/// How long [`seal`] waits before its first retry.
const SEAL_WAIT: Duration = Duration::from_millis(500);

/// The remote keys of one profile.
pub trait KeyAdmin {
    /// The profile this administers.
    fn profile(&self) -> &str;
    /// What the kind calls its keys, for messages ("access token", "API key").
    fn noun(&self) -> &'static str;
    /// The keys the service lists, each marked `stored` when the vault holds its secret.
    fn list(&self, b: &mut dyn Backend) -> Result<Vec<RemoteKey>>;
    /// Creates a key and seals its secret before anything else.
    fn create(&self, b: &mut dyn Backend, new: NewKey<'_>) -> Result<Created>;
    /// Renames a key (`None`: clears the label).
    fn rename(&self, b: &mut dyn Backend, id: &str, label: Option<&str>) -> Result<()>;
    /// Revokes a key at the service and forgets its secret.
    fn revoke(&self, b: &mut dyn Backend, id: &str) -> Result<()>;
    /// Asks the service whether the stored secret of key `id` still works.
    fn check(&self, b: &mut dyn Backend, id: &str) -> Result<Check>;

    /// The credential a key's secret is sealed under.
    fn secret_name(&self, id: &str) -> String;

    /// One key, by id.
    fn show(&self, b: &mut dyn Backend, id: &str) -> Result<RemoteKey> {
        self.list(b)?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| ServiceError::NoSuchRemoteKey {
                noun: self.noun(),
                id: id.to_string(),
            })
    }

    /// Seals a secret the user already holds for an existing key `id` (one created elsewhere).
    fn import(&self, b: &mut dyn Backend, id: &str, secret: Secret) -> Result<CredentialInfo> {
        self.show(b, id)?;
        Ok(b.credential_put(self.profile(), &self.secret_name(id), secret)?)
    }
}

/// Seals a shown-once secret of `admin`'s key `id`, retrying as [`seal_shown_once`] does.
pub fn seal(admin: &dyn KeyAdmin, b: &mut dyn Backend, id: &str, secret: Secret) -> Sealed {
    seal_shown_once(
        b,
        admin.profile(),
        &admin.secret_name(id),
        secret,
        SEAL_WAIT,
    )
}

/// Whether the vault holds the secret of key `id` (from the profile's credential list).
pub fn stored(admin: &dyn KeyAdmin, credentials: &[CredentialInfo], id: &str) -> bool {
    let name = admin.secret_name(id);
    credentials.iter().any(|c| c.name == name)
}

/// The generic key lifecycle the shells offer for any kind (`service key …`), each one call:
/// the profile's kind picks its [`KeyAdmin`].
pub mod flows {
    use super::*;
    use crate::http::HttpClient;
    use crate::kind;

    fn of<'h>(
        b: &mut dyn Backend,
        http: &'h dyn HttpClient,
        service: &str,
    ) -> Result<Box<dyn KeyAdmin + 'h>> {
        kind::key_admin(b.profile_get(service)?, http)
    }

    pub fn list(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
    ) -> Result<Vec<RemoteKey>> {
        of(b, http, service)?.list(b)
    }

    pub fn show(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        id: &str,
    ) -> Result<RemoteKey> {
        of(b, http, service)?.show(b, id)
    }

    pub fn create(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        new: NewKey<'_>,
    ) -> Result<Created> {
        of(b, http, service)?.create(b, new)
    }

    pub fn rename(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        id: &str,
        label: Option<&str>,
    ) -> Result<()> {
        of(b, http, service)?.rename(b, id, label)
    }

    pub fn revoke(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        id: &str,
    ) -> Result<()> {
        of(b, http, service)?.revoke(b, id)
    }

    pub fn check(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        id: &str,
    ) -> Result<Check> {
        of(b, http, service)?.check(b, id)
    }

    pub fn import(
        b: &mut dyn Backend,
        http: &dyn HttpClient,
        service: &str,
        id: &str,
        secret: Secret,
    ) -> Result<CredentialInfo> {
        of(b, http, service)?.import(b, id, secret)
    }
}

/// A service in memory, for unit tests of what is written against [`KeyAdmin`] (rotation,
/// the shells' flows): keys with secrets `secret-<n>`, a switch that makes the service refuse.
#[derive(Default)]
pub struct MemoryAdmin {
    profile: String,
    state: std::sync::Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    next: u32,
    keys: Vec<(RemoteKey, String, bool)>,
    down: bool,
}

impl MemoryAdmin {
    /// A service for the keys of `profile` (which must exist in the vault for sealing).
    pub fn new(profile: &str) -> MemoryAdmin {
        MemoryAdmin {
            profile: profile.to_string(),
            ..MemoryAdmin::default()
        }
    }

    /// Makes every call fail as an unreachable service would (or work again).
    pub fn set_down(&self, down: bool) {
        self.state.lock().expect("state").down = down;
    }

    fn up(&self) -> Result<std::sync::MutexGuard<'_, MemoryState>> {
        let g = self.state.lock().expect("state");
        if g.down {
            return Err(ServiceError::Unreachable {
                url: "memory".into(),
                reason: "the service is down".into(),
            });
        }
        Ok(g)
    }
}

impl KeyAdmin for MemoryAdmin {
    fn profile(&self) -> &str {
        &self.profile
    }
    fn noun(&self) -> &'static str {
        "key"
    }
    fn secret_name(&self, id: &str) -> String {
        format!("key:{id}")
    }
    fn list(&self, b: &mut dyn Backend) -> Result<Vec<RemoteKey>> {
        let keys: Vec<RemoteKey> = self
            .up()?
            .keys
            .iter()
            .filter(|(_, _, live)| *live)
            .map(|(k, _, _)| k.clone())
            .collect();
        let creds = b.profile_get(&self.profile)?.credentials;
        Ok(keys
            .into_iter()
            .map(|mut k| {
                k.stored = stored(self, &creds, &k.id);
                k
            })
            .collect())
    }
    fn create(&self, b: &mut dyn Backend, new: NewKey<'_>) -> Result<Created> {
        let (mut key, secret) = {
            let mut g = self.up()?;
            g.next += 1;
            let id = format!("k{}", g.next);
            let mut extra = Map::new();
            if let Some(t) = new.tag {
                extra.insert("tag".into(), t.into());
            }
            let key = RemoteKey {
                id,
                label: new.label.map(str::to_string),
                created_at: None,
                expires_at: None,
                stored: false,
                extra,
            };
            let secret = format!("secret-{}", g.next);
            g.keys.push((key.clone(), secret.clone(), true));
            (key, secret)
        };
        let sealed = seal(self, b, &key.id, Secret::from(secret));
        key.stored = matches!(sealed, Sealed::Stored { .. });
        Ok(Created {
            key,
            sealed,
            noun: self.noun(),
        })
    }
    fn rename(&self, _b: &mut dyn Backend, id: &str, label: Option<&str>) -> Result<()> {
        let mut g = self.up()?;
        let k = g
            .keys
            .iter_mut()
            .find(|(k, _, live)| *live && k.id == id)
            .ok_or_else(|| ServiceError::NoSuchRemoteKey {
                noun: "key",
                id: id.to_string(),
            })?;
        k.0.label = label.map(str::to_string);
        Ok(())
    }
    fn revoke(&self, b: &mut dyn Backend, id: &str) -> Result<()> {
        {
            let mut g = self.up()?;
            let k = g
                .keys
                .iter_mut()
                .find(|(k, _, live)| *live && k.id == id)
                .ok_or_else(|| ServiceError::NoSuchRemoteKey {
                    noun: "key",
                    id: id.to_string(),
                })?;
            k.2 = false;
        }
        let creds = b.profile_get(&self.profile)?.credentials;
        if stored(self, &creds, id) {
            b.credential_delete(&self.profile, &self.secret_name(id))?;
        }
        Ok(())
    }
    fn check(&self, b: &mut dyn Backend, id: &str) -> Result<Check> {
        let held = b.credential_get(&self.profile, &self.secret_name(id))?;
        let g = self.up()?;
        let works = g
            .keys
            .iter()
            .any(|(k, s, live)| *live && k.id == id && s.as_str() == held.expose());
        Ok(Check {
            id: id.to_string(),
            works,
            status: Some(if works { 200 } else { 401 }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::vault;

    #[test]
    fn a_created_key_is_sealed_listed_checked_renamed_and_revoked() {
        let (_d, mut v) = vault();
        let admin = MemoryAdmin::new("svc");
        let c = admin
            .create(
                &mut v,
                NewKey {
                    label: Some("ci"),
                    tag: Some("n-1"),
                },
            )
            .unwrap();
        assert!(matches!(c.sealed, Sealed::Stored { .. }));
        assert!(c.key.stored);
        assert_eq!(c.key.extra["tag"], "n-1");
        let held = v
            .credential_get("svc", &admin.secret_name(&c.key.id))
            .unwrap();
        assert_eq!(held.expose(), "secret-1");

        let list = admin.list(&mut v).unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].stored);
        assert!(admin.check(&mut v, &c.key.id).unwrap().works);

        admin.rename(&mut v, &c.key.id, Some("ci-2")).unwrap();
        assert_eq!(
            admin.show(&mut v, &c.key.id).unwrap().label.as_deref(),
            Some("ci-2")
        );

        admin.revoke(&mut v, &c.key.id).unwrap();
        assert!(admin.list(&mut v).unwrap().is_empty());
        assert!(
            v.credential_get("svc", "key:k1").is_err(),
            "the secret is forgotten"
        );
        let e = admin.show(&mut v, &c.key.id).unwrap_err();
        assert_eq!(keyward_crypto::Coded::code(&e), "service.no_such_key");
    }

    #[test]
    fn an_imported_secret_is_checked_against_the_service() {
        let (_d, mut v) = vault();
        let admin = MemoryAdmin::new("svc");
        let c = admin.create(&mut v, NewKey::default()).unwrap();
        // Someone else's copy: imported over Keyward's, it does not work.
        admin
            .import(&mut v, &c.key.id, Secret::new("not-it"))
            .unwrap();
        assert!(!admin.check(&mut v, &c.key.id).unwrap().works);
        assert!(admin.import(&mut v, "k9", Secret::new("x")).is_err());
    }

    #[test]
    fn a_service_that_is_down_fails_with_its_code_and_loses_nothing() {
        let (_d, mut v) = vault();
        let admin = MemoryAdmin::new("svc");
        let c = admin.create(&mut v, NewKey::default()).unwrap();
        admin.set_down(true);
        let e = admin.revoke(&mut v, &c.key.id).unwrap_err();
        assert_eq!(keyward_crypto::Coded::code(&e), "service.unreachable");
        assert!(
            v.credential_get("svc", &admin.secret_name(&c.key.id))
                .is_ok(),
            "a failed revoke keeps the secret"
        );
    }
}
