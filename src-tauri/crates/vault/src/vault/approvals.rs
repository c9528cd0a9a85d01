//! The approval endpoint's state (DESIGN.md "Approvals"): paired third-party apps and the
//! grants the approval broker made, in the index like service profiles. Public data: an
//! app's token is derived from the endpoint's MAC secret (sealed under the vault key,
//! [`Vault::endpoint_mac_secret`]) and a salt kept here, so nothing here stands for a token.
//! Apps and grants are not part of backups: tokens are per install. The broker (`keyward-approval`) checks usage policies and the
//! user's decisions itself; here are its storage, the key facts and the signer it asks for,
//! and its audit batch.

use super::{policy_of, Vault};
use crate::api::{PairedApp, StoredGrant};
use crate::audit;
use crate::error::{Result, VaultError};
use crate::index::{AppRow, GrantRow};
use keyward_crypto::sign::{Signer, UsagePolicy};
use keyward_crypto::{KeyAlg, PublicKey};

/// Unix seconds as RFC 3339 (the number itself when out of range).
pub fn at_text(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Control characters, and the bidi controls that would reorder what a prompt shows.
fn sneaky(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

fn check_app_name(name: &str) -> Result<String> {
    let n = name.trim();
    let count = n.chars().count();
    if count == 0 || count > 64 || n.chars().any(sneaky) {
        return Err(VaultError::Usage(
            "an app name is 1-64 characters, without control or bidi characters".into(),
        ));
    }
    Ok(n.to_string())
}

/// App and grant ids: 1-64 of `A-Z a-z 0-9 - _`.
fn check_id(id: &str, what: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(VaultError::Usage(format!(
            "{what} id is 1-64 letters, digits, - and _"
        )));
    }
    Ok(())
}

/// A token salt: 32 lower-case hex digits (16 random bytes).
fn check_token_salt(h: &str) -> Result<()> {
    if h.len() != 32 || !h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(VaultError::Usage(
            "a token salt is 32 lower-case hex digits".into(),
        ));
    }
    Ok(())
}

/// Origins and key ids: 1 to `max` characters, without control or bidi characters.
fn check_text(v: &str, what: &str, max: usize) -> Result<()> {
    let count = v.chars().count();
    if count == 0 || count > max || v.chars().any(sneaky) {
        return Err(VaultError::Usage(format!(
            "{what} is 1-{max} characters, without control or bidi characters"
        )));
    }
    Ok(())
}

fn app_of(row: AppRow) -> Result<PairedApp> {
    let keys = row
        .keys
        .as_deref()
        .map(serde_json::from_str::<Vec<String>>)
        .transpose()
        .map_err(|e| VaultError::Index(format!("app {}: keys: {e}", row.id)))?;
    Ok(PairedApp {
        id: row.id,
        name: row.name,
        origin: row.origin,
        keys,
        created_at: row.created_at,
        last_seen: row.last_seen,
    })
}

fn grant_of(row: GrantRow) -> Result<StoredGrant> {
    let body = serde_json::from_str(&row.body)
        .map_err(|e| VaultError::Index(format!("grant {}: {e}", row.id)))?;
    Ok(StoredGrant {
        id: row.id,
        app_id: row.app_id,
        key_id: row.key_id,
        until_lock: row.until_lock,
        body,
        created_at: row.created_at,
        expires_at: row.expires_at,
    })
}

fn describe_keys(keys: &Option<Vec<String>>) -> String {
    match keys {
        None => "any key".into(),
        Some(k) if k.is_empty() => "no key".into(),
        Some(k) => format!("keys {}", k.join(", ")),
    }
}

fn grants_word(n: usize) -> String {
    if n == 1 {
        "1 grant".into()
    } else {
        format!("{n} grants")
    }
}

/// What the approval broker needs to know of a key before it asks the user: public data only.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFacts {
    pub id: String,
    pub label: String,
    pub alg: KeyAlg,
    pub public: PublicKey,
    /// The key's effective usage policy.
    pub policy: UsagePolicy,
}

impl Vault {
    /// Pairs a third-party app: stores it with the salt its token is derived from (with the
    /// endpoint's MAC secret, [`Vault::endpoint_mac_secret`]); neither the token nor anything
    /// that stands for it is stored. Names may repeat (ids differ); ids and salts may not.
    /// Needs an initialized vault, not an unlocked one. Logged as `app.pair`.
    pub fn app_pair(&mut self, app: PairedApp, token_salt: &str) -> Result<PairedApp> {
        self.id()?;
        check_id(&app.id, "an app")?;
        let name = check_app_name(&app.name)?;
        check_token_salt(token_salt)?;
        if let Some(o) = &app.origin {
            check_text(o, "an origin", 256)?;
        }
        for k in app.keys.iter().flatten() {
            check_text(k, "a key id", 128)?;
        }
        let (id_taken, token_taken) = self.index.app_taken(&app.id, token_salt)?;
        if id_taken {
            return Err(VaultError::Usage(format!(
                "an app with the id {:?} is already paired",
                app.id
            )));
        }
        if token_taken {
            return Err(VaultError::Usage(
                "this token is already paired to another app".into(),
            ));
        }
        let app = PairedApp { name, ..app };
        self.index.insert_app(&AppRow {
            id: app.id.clone(),
            name: app.name.clone(),
            token_salt: Some(token_salt.to_string()),
            origin: app.origin.clone(),
            keys: app
                .keys
                .as_ref()
                .map(|k| serde_json::to_string(k).expect("a list of strings serialises")),
            created_at: app.created_at,
            last_seen: app.last_seen,
        })?;
        self.approvals_changes += 1;
        let from = match &app.origin {
            Some(o) => format!("from {o}"),
            None => "with no origin".into(),
        };
        self.log(
            "app.pair",
            None,
            &format!(
                "paired app {:?} ({}) {from}; it may use {}",
                app.name,
                app.id,
                describe_keys(&app.keys)
            ),
        )?;
        Ok(app)
    }

    /// Every paired app with its token salt, for the endpoint's authentication (`None`: an
    /// app paired before tokens were derived from the sealed secret; it must pair again).
    pub fn app_auth(&self) -> Result<Vec<(PairedApp, Option<String>)>> {
        self.id()?;
        self.index
            .apps()?
            .into_iter()
            .map(|r| {
                let salt = r.token_salt.clone();
                Ok((app_of(r)?, salt))
            })
            .collect()
    }

    /// Records an app's last authenticated request (`at`: unix seconds). Not logged, and not
    /// counted in [`Vault::approvals_stamp`]: it changes no app's rights, and the broker that
    /// writes it should not drop its caches over it. (Another process sees it, as any commit.)
    pub fn app_seen(&mut self, id: &str, at: i64) -> Result<()> {
        self.id()?;
        if self.index.set_app_seen(id, at)? == 0 {
            return Err(VaultError::AppNotFound(id.to_string()));
        }
        Ok(())
    }

    pub(crate) fn apps(&self) -> Result<Vec<PairedApp>> {
        self.id()?;
        self.index.apps()?.into_iter().map(app_of).collect()
    }

    /// An app by id, or by name when only one app has it.
    fn find_app(&self, query: &str) -> Result<AppRow> {
        let apps = self.index.apps()?;
        if let Some(a) = apps.iter().find(|a| a.id == query) {
            return Ok(a.clone());
        }
        let q = query.trim();
        let mut named = apps.into_iter().filter(|a| a.name == q);
        match (named.next(), named.next()) {
            (Some(a), None) => Ok(a),
            (Some(_), Some(_)) => Err(VaultError::Usage(format!(
                "several apps are named {q:?}; give the id"
            ))),
            (None, _) => Err(VaultError::AppNotFound(query.to_string())),
        }
    }

    pub(crate) fn unpair(&mut self, query: &str) -> Result<PairedApp> {
        self.id()?;
        let row = self.find_app(query)?;
        let id = row.id.clone();
        let app = app_of(row)?;
        let dropped = self.index.delete_app(&id)?;
        self.approvals_changes += 1;
        self.log(
            "app.unpair",
            None,
            &format!(
                "unpaired app {:?} ({id}) and dropped its {}",
                app.name,
                grants_word(dropped)
            ),
        )?;
        Ok(app)
    }

    /// Stores a grant the broker made for a paired app. An "until lock" grant needs the vault
    /// unlocked (it would otherwise outlive the lock it is meant to end with). Logged as
    /// `grant.add`.
    pub fn grant_put(&mut self, g: StoredGrant) -> Result<()> {
        self.id()?;
        check_id(&g.id, "a grant")?;
        check_text(&g.key_id, "a key id", 128)?;
        if g.until_lock && self.key.is_none() {
            return Err(VaultError::Locked);
        }
        let app = self
            .index
            .apps()?
            .into_iter()
            .find(|a| a.id == g.app_id)
            .ok_or_else(|| VaultError::AppNotFound(g.app_id.clone()))?;
        if self.index.grant(&g.id)?.is_some() {
            return Err(VaultError::Usage(format!(
                "a grant with the id {:?} exists",
                g.id
            )));
        }
        self.index.insert_grant(&GrantRow {
            id: g.id.clone(),
            app_id: g.app_id.clone(),
            key_id: g.key_id.clone(),
            until_lock: g.until_lock,
            body: serde_json::to_string(&g.body).expect("JSON serialises"),
            created_at: g.created_at,
            expires_at: g.expires_at,
        })?;
        self.approvals_changes += 1;
        let until = match (g.until_lock, g.expires_at) {
            (true, Some(t)) => format!("until lock or {}, whichever comes first", at_text(t)),
            (true, None) => "until lock".into(),
            (false, Some(t)) => format!("until {}", at_text(t)),
            (false, None) => "with no end".into(),
        };
        self.log(
            "grant.add",
            Some(&g.key_id),
            &format!(
                "granted app {:?} ({}) {until} (grant {})",
                app.name, app.id, g.id
            ),
        )
    }

    /// Stores a program grant of the agent ("until lock": a program may use keys without
    /// asking again, non-blind key use only), filed under the pseudo app
    /// [`PROGRAM_GRANT_APP`] so `grants list` and `grants revoke` see it with the others.
    /// Needs the vault unlocked. Logged as `grant.add`.
    pub fn program_grant_put(
        &mut self,
        id: &str,
        program_id: &str,
        program_name: &str,
        now: i64,
    ) -> Result<StoredGrant> {
        self.vault_key()?;
        check_id(id, "a grant")?;
        check_text(program_id, "a program", 4096)?;
        let g = StoredGrant {
            id: id.to_owned(),
            app_id: PROGRAM_GRANT_APP.to_owned(),
            key_id: "*".to_owned(),
            until_lock: true,
            body: serde_json::json!({"program": program_id, "name": program_name}),
            created_at: now,
            expires_at: None,
        };
        self.index.insert_grant(&GrantRow {
            id: g.id.clone(),
            app_id: g.app_id.clone(),
            key_id: g.key_id.clone(),
            until_lock: true,
            body: serde_json::to_string(&g.body).expect("JSON serialises"),
            created_at: now,
            expires_at: None,
        })?;
        self.approvals_changes += 1;
        self.log(
            "grant.add",
            None,
            &format!(
                "granted the program {:?} use of keys through the agent until lock (grant {id})",
                program_name
            ),
        )?;
        Ok(g)
    }

    /// Deletes every "until lock" grant (done by [`Vault::lock_now`]); how many there were.
    /// Logged as `grant.drop` when there were any.
    pub fn grants_drop_until_lock(&mut self) -> Result<usize> {
        self.id()?;
        let n = self.index.delete_until_lock_grants()?;
        if n > 0 {
            self.approvals_changes += 1;
            self.log(
                "grant.drop",
                None,
                &format!("dropped {} that lasted until lock", grants_word(n)),
            )?;
        }
        Ok(n)
    }

    pub(crate) fn live_grants(&self) -> Result<Vec<StoredGrant>> {
        self.id()?;
        self.index
            .grants(Some(self.unix_now()))?
            .into_iter()
            .map(grant_of)
            .collect()
    }

    pub(crate) fn revoke(&mut self, id: &str) -> Result<StoredGrant> {
        self.id()?;
        let row = self
            .index
            .grant(id)?
            .ok_or_else(|| VaultError::GrantNotFound(id.to_string()))?;
        let g = grant_of(row)?;
        self.index.delete_grant(&g.id)?;
        self.approvals_changes += 1;
        let app = match self.index.apps()?.into_iter().find(|a| a.id == g.app_id) {
            Some(a) => format!("app {:?} ({})", a.name, a.id),
            None => format!("unpaired app {}", g.app_id),
        };
        self.log(
            "grant.revoke",
            Some(&g.key_id),
            &format!("revoked grant {} of {app}", g.id),
        )?;
        Ok(g)
    }

    /// A value that changes whenever paired apps or grants may have changed, or the vault
    /// locked: SQLite's `data_version` of this connection (it moves when another connection
    /// commits: the CLI, another process) and a counter this vault bumps on each of its own
    /// such changes and on each lock. Cheap enough to ask before every request.
    pub fn approvals_stamp(&self) -> Result<(i64, u64)> {
        self.id()?;
        Ok((self.index.data_version()?, self.approvals_changes))
    }

    /// A key's id, label, algorithm, public key and usage policy, by id, id prefix or label.
    /// Public data: needs no unlock.
    pub fn key_facts(&self, key: &str) -> Result<KeyFacts> {
        self.id()?;
        let row = self.index.resolve(key)?;
        Ok(KeyFacts {
            alg: KeyAlg::parse(&row.alg)?,
            public: Self::public_key(&row)?,
            policy: policy_of(&row),
            id: row.id,
            label: row.label,
        })
    }

    /// Unseals a key into a signer that owns it (the broker may keep it while the vault stays
    /// unlocked; the key zeroizes when the signer drops). For the approval broker, which
    /// checks the usage policy and the user's decision itself and logs through
    /// [`Vault::log_batch`]: this checks nothing and logs nothing. Needs the vault unlocked.
    pub fn unseal_signer(&mut self, key: &str) -> Result<Signer<'static>> {
        self.vault_key()?;
        let row = self.index.resolve(key)?;
        let key = self.private_key(&row)?;
        Ok(Signer::owned(key)?)
    }

    /// Appends `(action, key id, summary)` audit entries in one transaction (a group commit),
    /// chained as single appends are; then anchors as [`Vault::log`] does.
    pub fn log_batch(&mut self, entries: &[(String, Option<String>, String)]) -> Result<()> {
        self.id()?;
        if entries.is_empty() {
            return Ok(());
        }
        let refs: Vec<(&str, Option<&str>, &str)> = entries
            .iter()
            .map(|(a, k, s)| (a.as_str(), k.as_deref(), s.as_str()))
            .collect();
        let at = self.now();
        audit::append_many(self.index.conn_mut(), &at, self.actor, &refs)?;
        self.appended()
    }
}

/// The pseudo app id program grants of the agent are filed under.
pub const PROGRAM_GRANT_APP: &str = "agent-program";

/// Keychain account of the endpoint's Ed25519 seed.
pub(crate) const ENDPOINT_KEY_ACCOUNT: &str = "endpoint-key";

/// The keychain account of the endpoint's MAC secret (sealed under the vault key).
pub(crate) const ENDPOINT_MAC_ACCOUNT: &str = "endpoint-mac-secret";

impl Vault {
    /// The secret every paired app's token is derived from (HMAC-SHA256 over the app's id and
    /// salt), sealed under the vault key: what the index holds (salts) or any keychain item
    /// not sealed under the vault key gives nothing to act as an app with. Made at first use.
    /// Needs the vault unlocked; the endpoint keeps it in memory from its first unlock on,
    /// since it authenticates and signs nothing. Not in backups: after a restore elsewhere
    /// apps pair again.
    pub fn endpoint_mac_secret(&mut self) -> Result<zeroize::Zeroizing<[u8; 32]>> {
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        match self.get_secret(ENDPOINT_MAC_ACCOUNT) {
            Ok(raw) if raw.len() == 32 => {
                secret.copy_from_slice(&raw);
                Ok(secret)
            }
            Ok(_) => Err(VaultError::BadVaultKeyItem(
                "the endpoint MAC secret is not 32 bytes".into(),
            )),
            Err(VaultError::MissingItem(_)) => {
                keyward_crypto::random_bytes(secret.as_mut_slice());
                self.put_secret(ENDPOINT_MAC_ACCOUNT, secret.as_slice())?;
                Ok(secret)
            }
            Err(e) => Err(e),
        }
    }

    /// The seed of the loopback endpoint's signing key, created on first use. Kept as its own
    /// keychain item, protected by the keychain alone rather than sealed under the vault key:
    /// the endpoint must sign its answers (`status`, "unlock to approve") while the vault is
    /// locked. Whoever reads it can answer as Keyward's endpoint while Keyward is not running
    /// — not sign anything, since no vault key or private key comes with it.
    pub fn endpoint_seed(&mut self) -> Result<zeroize::Zeroizing<[u8; 32]>> {
        use base64::engine::general_purpose::STANDARD;
        use base64::Engine as _;
        let service = self.service()?;
        if let Some(item) = self.store.get(&service, ENDPOINT_KEY_ACCOUNT)? {
            let item = zeroize::Zeroizing::new(item);
            let raw = zeroize::Zeroizing::new(STANDARD.decode(item.as_slice()).map_err(|_| {
                VaultError::BadVaultKeyItem("the endpoint key item is not base64".into())
            })?);
            if raw.len() != 32 {
                return Err(VaultError::BadVaultKeyItem(
                    "the endpoint key item is not 32 bytes".into(),
                ));
            }
            // Copied straight into its zeroizing home: no stack copy left behind.
            let mut seed = zeroize::Zeroizing::new([0u8; 32]);
            seed.copy_from_slice(&raw);
            return Ok(seed);
        }
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        keyward_crypto::random_bytes(seed.as_mut_slice());
        let text = zeroize::Zeroizing::new(STANDARD.encode(seed.as_slice()));
        self.store
            .set(&service, ENDPOINT_KEY_ACCOUNT, text.as_bytes())?;
        self.log("endpoint.key", None, "created the endpoint's signing key")?;
        Ok(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::*;
    use crate::store::{MemoryStore, SecretStore};
    use keyward_crypto::Coded;
    use std::path::Path;
    use std::sync::{Arc, Mutex};

    fn open(dir: &Path, store: &Arc<MemoryStore>) -> Vault {
        let store: Arc<dyn SecretStore> = store.clone();
        Vault::open(dir, store).unwrap()
    }

    /// An initialized vault in "no passphrase" mode (unlocked, no KDF).
    fn vault(dir: &Path) -> Vault {
        let mut v = open(dir, &Arc::new(MemoryStore::default()));
        v.init(None).unwrap();
        v
    }

    fn app(id: &str, name: &str, created_at: i64) -> PairedApp {
        PairedApp {
            id: id.into(),
            name: name.into(),
            origin: Some("https://app.example".into()),
            keys: None,
            created_at,
            last_seen: None,
        }
    }

    /// A token salt.
    fn hash(n: u8) -> String {
        hex::encode([n; 16])
    }

    fn grant(id: &str, app_id: &str, until_lock: bool, expires_at: Option<i64>) -> StoredGrant {
        StoredGrant {
            id: id.into(),
            app_id: app_id.into(),
            key_id: "k1".into(),
            until_lock,
            body: serde_json::json!({ "kind": "jwt", "aud": "https://api.example" }),
            created_at: 1_000 + id.len() as i64,
            expires_at,
        }
    }

    fn last_entry(v: &Vault) -> AuditEntry {
        let f = AuditFilter {
            limit: Some(1),
            ..Default::default()
        };
        v.audit_entries(&f).unwrap().remove(0)
    }

    /// The MAC secret is sealed (no keychain item holds its bytes in any encoding), the same
    /// at each call, and out of reach while locked.
    #[test]
    fn the_endpoint_mac_secret_is_sealed_and_needs_the_vault_unlocked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let mut v = open(dir.path(), &store);
        v.init(None).unwrap();
        let s1 = v.endpoint_mac_secret().unwrap();
        assert_eq!(*s1, *v.endpoint_mac_secret().unwrap());
        let forms = [s1.to_vec(), hex::encode(s1.as_slice()).into_bytes(), {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .encode(s1.as_slice())
                .into_bytes()
        }];
        for item in store.all() {
            for f in &forms {
                assert!(!item.windows(f.len()).any(|w| w == f.as_slice()));
            }
        }
        v.lock_now();
        assert_eq!(v.endpoint_mac_secret().unwrap_err().code(), "vault.locked");
    }

    #[test]
    fn pairing_lists_apps_without_their_token_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        let a = v.app_pair(app("a1", "  Tool ", 10), &hash(1)).unwrap();
        assert_eq!(a.name, "Tool");
        let mut b = app("b1", "Tool", 20);
        b.keys = Some(vec!["k1".into()]);
        b.origin = None;
        v.app_pair(b.clone(), &hash(2)).unwrap();
        assert_eq!(v.app_list().unwrap(), vec![a.clone(), b.clone()]);
        let listed = serde_json::to_string(&v.app_list().unwrap()).unwrap();
        assert!(!listed.contains(&hash(1)) && !listed.contains("oken"));
        assert_eq!(
            v.app_auth().unwrap(),
            vec![(a.clone(), Some(hash(1))), (b, Some(hash(2)))]
        );
        let e = last_entry(&v);
        assert_eq!(e.action, "app.pair");
        assert!(e.summary.contains("\"Tool\"") && e.summary.contains("keys k1"));
        assert!(v
            .audit_entries(&AuditFilter::default())
            .unwrap()
            .iter()
            .all(|e| !e.summary.contains(&hash(1)) && !e.summary.contains(&hash(2))));

        v.app_seen("a1", 99).unwrap();
        assert_eq!(v.app_list().unwrap()[0].last_seen, Some(99));
        assert_eq!(v.app_seen("zz", 99).unwrap_err().code(), "app.not_found");

        for bad_name in ["", "  ", &"x".repeat(65), "bell\u{7}", "evil\u{202e}gnp"] {
            let e = v.app_pair(app("c1", bad_name, 30), &hash(3)).unwrap_err();
            assert_eq!(e.code(), "usage.invalid", "{bad_name:?}");
        }
        v.app_pair(app("c1", &"é".repeat(64), 30), &hash(3))
            .unwrap();
        for bad_hash in [
            hash(0xab).to_uppercase(),
            hash(4)[1..].to_string(),
            "g".repeat(32),
        ] {
            let e = v.app_pair(app("d1", "D", 40), &bad_hash).unwrap_err();
            assert_eq!(e.code(), "usage.invalid", "{bad_hash}");
        }
        // The same token, or the same id, never pairs twice.
        let e = v.app_pair(app("d1", "D", 40), &hash(1)).unwrap_err();
        assert_eq!(e.code(), "usage.invalid");
        let e = v.app_pair(app("a1", "D", 40), &hash(4)).unwrap_err();
        assert_eq!(e.code(), "usage.invalid");
        assert_eq!(v.app_list().unwrap().len(), 3);
    }

    #[test]
    fn unpairing_by_name_or_id_drops_the_apps_grants() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.app_pair(app("a1", "Tool", 10), &hash(1)).unwrap();
        v.app_pair(app("b1", "Tool", 20), &hash(2)).unwrap();
        v.app_pair(app("c1", "Other", 30), &hash(3)).unwrap();
        v.grant_put(grant("ga", "a1", false, None)).unwrap();
        v.grant_put(grant("gb", "b1", false, None)).unwrap();
        v.grant_put(grant("gc", "c1", true, None)).unwrap();
        v.grant_put(grant("gc2", "c1", false, None)).unwrap();

        let e = v.app_unpair("Tool").unwrap_err();
        assert_eq!(e.code(), "usage.invalid");
        assert!(e.to_string().contains("several apps are named \"Tool\""));
        assert_eq!(v.app_unpair("a1").unwrap().id, "a1");
        assert_eq!(v.app_unpair("Other").unwrap().id, "c1");
        let e = last_entry(&v);
        assert_eq!(e.action, "app.unpair");
        assert!(e.summary.contains("2 grants"), "{}", e.summary);
        // Now only one app is named Tool.
        let ids: Vec<String> = v.grant_list().unwrap().into_iter().map(|g| g.id).collect();
        assert_eq!(ids, vec!["gb"]);
        let e = v.app_unpair("nope").unwrap_err();
        assert_eq!(e.code(), "app.not_found");
        assert_eq!(
            crate::error::ErrorBody::from(&e).hint,
            "List paired apps with `keyward-cli apps list`."
        );
        assert_eq!(v.app_unpair("Tool").unwrap().id, "b1");
        assert!(v.app_list().unwrap().is_empty() && v.grant_list().unwrap().is_empty());
    }

    #[test]
    fn grant_list_hides_expired_grants_and_revoke_knows_its_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.app_pair(app("a1", "Tool", 10), &hash(1)).unwrap();
        let t = keyward_core::clock::now();
        let expired = grant("g1", "a1", false, Some(t - 10));
        let timed = grant("g22", "a1", false, Some(t + 600));
        let open = grant("g333", "a1", false, None);
        for g in [&expired, &timed, &open] {
            v.grant_put(g.clone()).unwrap();
        }
        let e = last_entry(&v);
        assert_eq!(
            (e.action.as_str(), e.key_id.as_deref()),
            ("grant.add", Some("k1"))
        );
        assert!(e.summary.contains("\"Tool\"") && e.summary.contains("with no end"));
        assert_eq!(v.grant_list().unwrap(), vec![timed.clone(), open.clone()]);

        assert_eq!(
            v.grant_put(grant("g4", "zz", false, None))
                .unwrap_err()
                .code(),
            "app.not_found"
        );
        assert_eq!(
            v.grant_put(timed.clone()).unwrap_err().code(),
            "usage.invalid"
        );

        assert_eq!(v.grant_revoke("g1").unwrap(), expired);
        assert_eq!(v.grant_revoke("g22").unwrap(), timed);
        let e = last_entry(&v);
        assert_eq!(e.action, "grant.revoke");
        assert!(e.summary.contains("g22"));
        let e = v.grant_revoke("g22").unwrap_err();
        assert_eq!(e.code(), "grant.not_found");
        assert_eq!(
            crate::error::ErrorBody::from(&e).hint,
            "List live grants with `keyward-cli grants list`."
        );
        assert_eq!(v.grant_list().unwrap(), vec![open]);
    }

    #[test]
    fn locking_drops_until_lock_grants_and_releasing_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.app_pair(app("a1", "Tool", 10), &hash(1)).unwrap();
        let t = keyward_core::clock::now();
        v.grant_put(grant("gl", "a1", true, None)).unwrap();
        v.grant_put(grant("gt", "a1", false, Some(t + 600)))
            .unwrap();
        let ids = |v: &mut Vault| -> Vec<String> {
            v.grant_list().unwrap().into_iter().map(|g| g.id).collect()
        };
        v.release();
        assert_eq!(ids(&mut v), vec!["gl", "gt"]);
        // An "until lock" grant cannot be made while locked: nothing would end it.
        assert_eq!(
            v.grant_put(grant("gl2", "a1", true, None))
                .unwrap_err()
                .code(),
            "vault.locked"
        );
        v.unlock_with(None).unwrap();
        v.lock_now();
        assert_eq!(ids(&mut v), vec!["gt"]);
        let actions: Vec<String> = v
            .audit_entries(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert!(actions.contains(&"grant.drop".to_string()), "{actions:?}");
        assert_eq!(v.grants_drop_until_lock().unwrap(), 0);
        // Apps and timed grants need no unlock.
        assert_eq!(v.app_list().unwrap().len(), 1);
        assert_eq!(v.grant_revoke("gt").unwrap().id, "gt");
    }

    #[test]
    fn the_stamp_moves_on_another_connections_commit_and_on_local_writes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let mut v1 = open(dir.path(), &store);
        v1.init(None).unwrap();
        let s0 = v1.approvals_stamp().unwrap();
        assert_eq!(
            v1.approvals_stamp().unwrap(),
            s0,
            "stable while nothing changes"
        );

        let mut v2 = open(dir.path(), &store);
        v2.app_pair(app("a1", "Tool", 10), &hash(1)).unwrap();
        let s1 = v1.approvals_stamp().unwrap();
        assert_ne!(s1.0, s0.0, "another connection committed");
        assert_eq!(s1.1, s0.1);
        assert_eq!(v1.app_list().unwrap().len(), 1);

        v1.grant_put(grant("g1", "a1", false, None)).unwrap();
        let s2 = v1.approvals_stamp().unwrap();
        assert_ne!(s2.1, s1.1, "a local write");
        v1.app_seen("a1", 5).unwrap();
        let s3 = v1.approvals_stamp().unwrap();
        assert_eq!(s3, s2, "last_seen changes no rights");
        v1.lock_now();
        let s4 = v1.approvals_stamp().unwrap();
        assert_ne!(s4, s3, "a lock");
        // Our own writes do not move data_version: the counter is what shows them.
        v1.grant_revoke("g1").unwrap();
        let s5 = v1.approvals_stamp().unwrap();
        assert_eq!(s5.0, s4.0);
        assert_ne!(s5.1, s4.1);
        v2.app_unpair("a1").unwrap();
        assert_ne!(v1.approvals_stamp().unwrap().0, s5.0);
    }

    #[test]
    fn a_log_batch_is_one_chained_group_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        let before = last_entry(&v);
        v.log_batch(&[
            (
                "sign.approve".into(),
                Some("k1".into()),
                "approved one".into(),
            ),
            ("key.sign".into(), Some("k1".into()), "signed one".into()),
            ("grant.use".into(), None, "used a grant".into()),
        ])
        .unwrap();
        v.log_batch(&[]).unwrap();
        let f = AuditFilter {
            limit: Some(3),
            ..Default::default()
        };
        let mut e = v.audit_entries(&f).unwrap();
        e.reverse();
        let actions: Vec<&str> = e.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["sign.approve", "key.sign", "grant.use"]);
        assert_eq!(e[0].seq, before.seq + 1);
        assert_eq!(e[0].prev, before.hash);
        assert_eq!(e[1].prev, e[0].hash);
        assert_eq!(e[2].prev, e[1].hash);
        assert_eq!(e[2].key_id, None);
        assert!(e.iter().all(|x| x.at == e[0].at && x.actor == "cli"));
        let r = v.audit_check().unwrap();
        assert!(r.ok && r.anchor_checked && r.unanchored == 0, "{r:?}");
    }

    #[test]
    fn key_facts_need_no_unlock_and_the_unsealed_key_signs_unlogged() {
        use keyward_crypto::sign::{self, Encoding, Payload, Scheme, VerifyWith};
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        let k = v
            .key_generate(GenerateRequest {
                alg: KeyAlg::P256,
                label: Some("deploy".into()),
                tags: vec![],
            })
            .unwrap();
        v.lock_now();
        let facts = v.key_facts("deploy").unwrap();
        assert_eq!(
            (facts.id.as_str(), facts.label.as_str()),
            (k.id.as_str(), "deploy")
        );
        assert_eq!(facts.alg, KeyAlg::P256);
        assert_eq!(facts.policy, UsagePolicy::default_for(KeyAlg::P256));
        assert_eq!(facts.public.fingerprint(), k.fingerprint);
        assert_eq!(v.key_facts("nope").unwrap_err().code(), "key.not_found");
        assert_eq!(
            v.unseal_signer("deploy").err().unwrap().code(),
            "vault.locked"
        );

        v.unlock_with(None).unwrap();
        let before = last_entry(&v).seq;
        let signer = v.unseal_signer(&k.id[..8]).unwrap();
        v.lock_now();
        // It owns its key: it outlives the vault's borrow (the broker drops it on lock).
        assert_eq!(signer.alg(), KeyAlg::P256);
        assert_eq!(signer.public(), &facts.public);
        let sig = signer
            .sign(Scheme::Raw, Payload::Message(b"hello"), Encoding::Rs)
            .unwrap();
        let verdict = sign::verify(
            Scheme::Raw,
            Payload::Message(b"hello"),
            &sig.bytes,
            &VerifyWith::Key(Box::new(facts.public)),
        )
        .unwrap();
        assert!(verdict.valid);
        let after: Vec<String> = v
            .audit_entries(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.seq > before)
            .map(|e| e.action)
            .collect();
        assert_eq!(after, ["vault.lock"], "unsealing and signing log nothing");
    }

    #[test]
    fn the_agent_serves_apps_and_grants() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = vault(dir.path());
        v.app_pair(app("a1", "Tool", 10), &hash(1)).unwrap();
        v.grant_put(grant("g1", "a1", false, None)).unwrap();
        v.grant_put(grant("g22", "a1", false, None)).unwrap();
        v.set_actor("agent");
        let shared = Arc::new(Mutex::new(v));
        let socket = dir.path().join("agent.sock");
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::path::PathBuf>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let client = std::thread::spawn(move || {
            let path = ready_rx.recv().unwrap();
            let mut c = crate::agent::AgentClient::connect_at(&path)
                .unwrap()
                .unwrap();
            let apps = c.app_list().unwrap();
            let grants = c.grant_list().unwrap();
            let unknown = c.grant_revoke("nope").unwrap_err();
            let revoked = c.grant_revoke("g1").unwrap();
            let unpaired = c.app_unpair("Tool").unwrap();
            let missing = c.app_unpair("Tool").unwrap_err();
            let left = c.grant_list().unwrap();
            let _ = stop_tx.send(());
            (apps, grants, unknown, revoked, unpaired, missing, left)
        });
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(crate::agent::serve(
            shared.clone(),
            socket,
            move |p| ready_tx.send(p.to_path_buf()).unwrap(),
            async move {
                let _ = stop_rx.await;
            },
        ))
        .unwrap();
        let (apps, grants, unknown, revoked, unpaired, missing, left) = client.join().unwrap();
        assert_eq!(apps, vec![app("a1", "Tool", 10)]);
        assert_eq!(
            grants.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
            ["g1", "g22"]
        );
        assert_eq!(grants[0].body["aud"], "https://api.example");
        assert_eq!(unknown.code(), "grant.not_found");
        assert_eq!(revoked.id, "g1");
        assert_eq!(unpaired.id, "a1");
        assert_eq!(missing.code(), "app.not_found");
        assert!(left.is_empty());
        let v = shared.lock().unwrap();
        let f = AuditFilter {
            action: Some("app.".into()),
            ..Default::default()
        };
        assert_eq!(v.audit_entries(&f).unwrap()[0].actor, "agent");
    }
}
