use super::*;
use crate::store::MemoryStore;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyward_core::Secret;
use keyward_crypto::KeyAlg;
use keyward_crypto::{Coded, PrivateKey};

fn gen(label: Option<&str>) -> GenerateRequest {
    GenerateRequest {
        alg: KeyAlg::P256,
        label: label.map(str::to_string),
        tags: vec![],
    }
}

const CHEAP: KdfParams = KdfParams {
    m_kib: 64,
    t: 1,
    p: 1,
};

fn vault(dir: &Path, store: Arc<dyn SecretStore>) -> Vault {
    let mut v = Vault::open(dir, store).unwrap();
    v.set_kdf_params(CHEAP);
    v
}

#[test]
fn init_lock_unlock_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    let st = v.init(Some("correct horse battery")).unwrap();
    assert!(st.initialized && !st.locked);
    let k = v.key_generate(gen(Some("deploy"))).unwrap();
    let pem = v
        .key_export_private(&k.id, PrivateFormat::Pem, None)
        .unwrap();
    v.lock_now();
    assert_eq!(
        v.key_generate(gen(None)).err().unwrap().code(),
        "vault.locked"
    );
    assert_eq!(
        v.key_export_private("deploy", PrivateFormat::Pem, None)
            .err()
            .unwrap()
            .code(),
        "vault.locked"
    );
    // A fresh process (new Vault) unlocks with the passphrase only.
    let mut v2 = vault(dir.path(), store);
    assert_eq!(
        v2.unlock_with(Some("wrong horse battery"))
            .err()
            .unwrap()
            .code(),
        "vault.bad_passphrase"
    );
    assert_eq!(
        v2.unlock_with(None).err().unwrap().code(),
        "vault.passphrase_required"
    );
    v2.unlock_with(Some("correct horse battery")).unwrap();
    assert_eq!(
        v2.key_export_private("deploy", PrivateFormat::Pem, None)
            .unwrap(),
        pem
    );
}

#[test]
fn secrets_are_sealed_and_bound_to_their_item() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(None).unwrap();
    let a = v.key_generate(gen(Some("a"))).unwrap();
    let b = v.key_generate(gen(Some("b"))).unwrap();
    let svc = service_name(v.vault_id().unwrap());
    let item_a = store.get(&svc, &a.id).unwrap().unwrap();
    let pem = v
        .key_export_private(&a.id, PrivateFormat::Pem, None)
        .unwrap();
    let scalar = PrivateKey::from_pem(pem.expose(), None)
        .unwrap()
        .raw_bytes()
        .unwrap();
    let raw = STANDARD.decode(&item_a).unwrap();
    assert!(!raw.windows(32).any(|w| w == scalar.as_slice()));
    // Moving a's sealed item under b's id must not yield a's key as b.
    store.set(&svc, &b.id, &item_a).unwrap();
    assert_eq!(
        v.key_export_private(&b.id, PrivateFormat::Pem, None)
            .err()
            .unwrap()
            .code(),
        "vault.corrupt_item"
    );
}

#[test]
fn resolve_by_prefix_and_label_and_ambiguity() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path(), Arc::new(MemoryStore::default()));
    v.init(None).unwrap();
    let a = v.key_generate(gen(Some("twin"))).unwrap();
    let b = v.key_generate(gen(Some("twin"))).unwrap();
    assert_eq!(v.key_show(&a.id[..8]).unwrap().info.id, a.id);
    let e = v.key_show("twin").err().unwrap();
    assert_eq!(e.code(), "key.ambiguous");
    let body = crate::error::ErrorBody::from(&e);
    let ids: Vec<_> = body.candidates.unwrap().into_iter().map(|c| c.id).collect();
    assert!(ids.contains(&a.id) && ids.contains(&b.id));
    v.key_rename(&b.id, "single").unwrap();
    assert_eq!(v.key_show("twin").unwrap().info.id, a.id);
    assert_eq!(v.key_show("nope").err().unwrap().code(), "key.not_found");
    v.key_delete("single").unwrap();
    assert_eq!(v.key_list(&ListFilter::default()).unwrap().len(), 1);
}

#[test]
fn doctor_names_orphans_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(None).unwrap();
    assert!(v.doctor().unwrap().healthy);
    let a = v.key_generate(gen(None)).unwrap();
    let svc = service_name(v.vault_id().unwrap());
    store.delete(&svc, &a.id).unwrap();
    store.set(&svc, "stray", b"x").unwrap();
    let r = v.doctor().unwrap();
    assert!(!r.healthy);
    assert!(r.problems.contains(&Problem::RowWithoutItem {
        id: a.id.clone(),
        label: a.label.clone()
    }));
    assert!(r.problems.contains(&Problem::ItemWithoutRow {
        account: "stray".into()
    }));
}

#[test]
fn oversized_items_are_refused_before_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(None).unwrap();
    let e = v.put_secret("big", &[0u8; 2000]).err().unwrap();
    assert_eq!(e.code(), "vault.item_too_large");
    let svc = service_name(v.vault_id().unwrap());
    assert!(store.get(&svc, "big").unwrap().is_none());
}

#[test]
fn init_refuses_weak_passphrase_and_reinit() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(dir.path(), Arc::new(MemoryStore::default()));
    assert_eq!(
        v.init(Some("short")).err().unwrap().code(),
        "vault.weak_passphrase"
    );
    v.init(Some("long enough")).unwrap();
    assert_eq!(
        v.init(None).err().unwrap().code(),
        "vault.already_initialized"
    );
}

/// The vault key item's record, as JSON.
fn vault_key_item(store: &MemoryStore, v: &Vault) -> serde_json::Value {
    let svc = service_name(v.vault_id().unwrap());
    serde_json::from_slice(&store.get(&svc, VAULT_KEY_ACCOUNT).unwrap().unwrap()).unwrap()
}

#[test]
fn passphrase_change_rewraps_the_vault_key_and_only_the_new_passphrase_unlocks() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(Some("correct horse battery")).unwrap();
    let k = v.key_generate(gen(Some("deploy"))).unwrap();
    let pem = v
        .key_export_private(&k.id, PrivateFormat::Pem, None)
        .unwrap();
    let before = vault_key_item(&store, &v);
    let s = |p: &str| Secret::from(p.to_string());

    // A wrong old passphrase, a missing one, a weak new one: refused, nothing changed.
    let e = v
        .passphrase_change(Some(s("wrong horse battery")), s("a new passphrase"))
        .unwrap_err();
    assert_eq!(e.code(), "vault.bad_passphrase");
    let e = v
        .passphrase_change(None, s("a new passphrase"))
        .unwrap_err();
    assert_eq!(e.code(), "vault.passphrase_required");
    let e = v
        .passphrase_change(Some(s("correct horse battery")), s("short"))
        .unwrap_err();
    assert_eq!(e.code(), "vault.weak_passphrase");
    assert_eq!(vault_key_item(&store, &v), before);
    assert!(!v.is_locked());

    // The change: a fresh salt, the vault's current KDF parameters, still unlocked.
    let current = KdfParams {
        m_kib: 128,
        t: 1,
        p: 1,
    };
    v.set_kdf_params(current);
    let st = v
        .passphrase_change(Some(s("correct horse battery")), s("a new passphrase"))
        .unwrap();
    assert!(st.initialized && !st.locked);
    assert_eq!(st.mode.as_deref(), Some("passphrase"));
    let after = vault_key_item(&store, &v);
    assert_ne!(after["wrapped"]["salt"], before["wrapped"]["salt"]);
    assert_eq!(after["wrapped"]["params"]["m_kib"], 128);
    assert_eq!(
        v.key_export_private("deploy", PrivateFormat::Pem, None)
            .unwrap(),
        pem
    );
    let changes = v
        .audit_list(&AuditFilter {
            action: Some("vault.passphrase_change".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(changes.len(), 1);
    let all = v.audit_list(&AuditFilter::default()).unwrap();
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains("horse") && !text.contains("new passphrase"));

    // Locked, it refuses (the old passphrase alone is no unlock).
    v.lock_now();
    let e = v
        .passphrase_change(Some(s("a new passphrase")), s("a third passphrase"))
        .unwrap_err();
    assert_eq!(e.code(), "vault.locked");

    // Another process: the old passphrase is refused, the new one unlocks the same keys.
    let mut v2 = vault(dir.path(), store);
    assert_eq!(
        v2.unlock_with(Some("correct horse battery"))
            .unwrap_err()
            .code(),
        "vault.bad_passphrase"
    );
    v2.unlock_with(Some("a new passphrase")).unwrap();
    assert_eq!(
        v2.key_export_private("deploy", PrivateFormat::Pem, None)
            .unwrap(),
        pem
    );
}

#[test]
fn a_passphrase_set_on_a_vault_without_one_switches_it_to_passphrase_mode() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(None).unwrap();
    let k = v.key_generate(gen(Some("bot"))).unwrap();
    let e = v
        .passphrase_change(None, Secret::from("short".to_string()))
        .unwrap_err();
    assert_eq!(e.code(), "vault.weak_passphrase");
    let st = v
        .passphrase_change(None, Secret::from("now with one".to_string()))
        .unwrap();
    assert_eq!(st.mode.as_deref(), Some("passphrase"));
    assert!(!st.locked);
    assert_eq!(vault_key_item(&store, &v)["mode"], "passphrase");

    let mut v2 = vault(dir.path(), store);
    assert!(v2.needs_passphrase());
    assert_eq!(
        v2.unlock_with(None).unwrap_err().code(),
        "vault.passphrase_required"
    );
    v2.unlock_with(Some("now with one")).unwrap();
    assert_eq!(v2.key_show("bot").unwrap().info.id, k.id);
}

#[test]
fn an_index_that_says_passphrase_over_an_unwrapped_key_still_unlocks_and_is_mended() {
    // What a crash between the two writes of a switch to passphrase mode leaves: the index
    // says `passphrase` (written first), the keychain item still holds the key unwrapped.
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store.clone());
    v.init(None).unwrap();
    v.index.set_meta(&[("mode", "passphrase")]).unwrap();
    drop(v);
    let mut v2 = vault(dir.path(), store.clone());
    assert!(v2.needs_passphrase());
    let st = v2.unlock_with(Some("whatever was typed")).unwrap();
    assert_eq!(st.mode.as_deref(), Some("none"));
    let v3 = vault(dir.path(), store);
    assert!(!v3.needs_passphrase());
}

fn profile(name: &str) -> Profile {
    Profile {
        name: name.into(),
        kind: "engine".into(),
        base_url: "https://engine.example".into(),
        settings: serde_json::json!({}),
        credentials: vec![],
        created_at: String::new(),
        updated_at: String::new(),
    }
}

const BACKUP_PASS: &str = "the backup passphrase";
const TOKEN: &str = "SECRET-ACCESS-TOKEN-value";

/// A vault with keys `a` and `b`, profiles `shared` and `only-here` (a credential each), and a
/// backup of it.
fn backed_up_vault(dir: &Path, store: Arc<dyn SecretStore>) -> (Vault, Vec<u8>) {
    let mut v = vault(dir, store);
    v.init(None).unwrap();
    v.key_generate(gen(Some("a"))).unwrap();
    v.key_generate(gen(Some("b"))).unwrap();
    for name in ["shared", "only-here"] {
        v.profile_put(profile(name), true).unwrap();
        v.credential_put(name, "token", Secret::from(TOKEN.to_string()))
            .unwrap();
    }
    let made = v.backup_create(BACKUP_PASS).unwrap();
    (v, made.bytes().unwrap())
}

#[test]
fn inspect_reads_a_backup_without_a_vault_and_shows_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (v, file) = backed_up_vault(dir.path(), Arc::new(MemoryStore::default()));
    let s = crate::backup::inspect(&file, BACKUP_PASS.as_bytes()).unwrap();
    assert_eq!((s.keys, s.profiles, s.credentials), (2, 2, 2));
    assert_eq!(s.source_vault_id, v.vault_id().unwrap());
    assert_eq!(s.source_mode, "none");
    let labels: Vec<_> = s.key_list.iter().map(|k| k.label.as_str()).collect();
    assert_eq!(labels, ["a", "b"]);
    assert!(s.profile_list.iter().all(|p| p.credentials == 1));
    let text = serde_json::to_string(&s).unwrap();
    assert!(!text.contains(TOKEN) && !text.contains(BACKUP_PASS));

    let e = crate::backup::inspect(&file, b"not the passphrase").unwrap_err();
    assert_eq!(e.code(), "backup.bad_passphrase");
    let e = crate::backup::inspect(&file[..file.len() / 2], BACKUP_PASS.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "backup.truncated");
}

#[test]
fn merge_adds_what_is_missing_and_skips_what_the_vault_has() {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let (src_dir, dst_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut src, file) = backed_up_vault(src_dir.path(), store.clone());
    // The destination has key `a` under another id (imported), a profile named `shared`, and
    // a key of its own.
    let pem_a = src
        .key_export_private("a", PrivateFormat::Pem, None)
        .unwrap();
    let mut dst = vault(dst_dir.path(), store.clone());
    dst.init(Some("destination passphrase")).unwrap();
    let own = dst.key_generate(gen(Some("own"))).unwrap();
    let a_copy = dst
        .key_import(ImportRequest {
            text: pem_a,
            format: Default::default(),
            alg: None,
            path: None,
            passphrase: None,
            label: Some("a-copy".into()),
            tags: vec![],
        })
        .unwrap();
    dst.profile_put(profile("shared"), true).unwrap();

    let e = dst
        .backup_merge(&file, Secret::from("wrong".to_string()))
        .unwrap_err();
    assert_eq!(e.code(), "backup.bad_passphrase");

    let r = dst
        .backup_merge(&file, Secret::from(BACKUP_PASS.to_string()))
        .unwrap();
    assert_eq!((r.keys_added, r.keys_skipped), (1, 1), "{r:?}");
    assert_eq!(r.skipped_keys[0].label, "a");
    assert_eq!(
        r.skipped_keys[0].reason,
        crate::backup::SkipReason::SameFingerprint
    );
    assert_eq!(
        (r.profiles_added, r.skipped_profiles.clone()),
        (1, vec!["shared".to_string()])
    );
    assert_eq!((r.credentials_added, r.credentials_skipped), (1, 1));
    assert_eq!(r.source_vault_id, src.vault_id().unwrap());

    let labels: BTreeSet<_> = dst
        .key_list(&ListFilter::default())
        .unwrap()
        .into_iter()
        .map(|k| k.label)
        .collect();
    assert_eq!(
        labels,
        BTreeSet::from(["own".into(), "a-copy".into(), "b".into()])
    );
    assert_eq!(dst.key_show(&own.id).unwrap().info.id, own.id);
    assert_eq!(dst.key_show("a-copy").unwrap().info.id, a_copy.id);
    // b came over under its id, usable under this vault's key.
    let b = src.key_show("b").unwrap().info;
    assert_eq!(dst.key_show("b").unwrap().info.id, b.id);
    assert_eq!(
        dst.key_export_private("b", PrivateFormat::Pem, None)
            .unwrap(),
        src.key_export_private("b", PrivateFormat::Pem, None)
            .unwrap()
    );
    assert_eq!(
        dst.credential_get("only-here", "token").unwrap().expose(),
        TOKEN
    );
    assert!(dst.profile_get("shared").unwrap().credentials.is_empty());
    assert_eq!(
        dst.audit_list(&AuditFilter {
            action: Some("backup.merge".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert!(dst.doctor().unwrap().healthy);

    // A second merge finds everything here.
    let r = dst
        .backup_merge(&file, Secret::from(BACKUP_PASS.to_string()))
        .unwrap();
    assert_eq!(
        (r.keys_added, r.profiles_added, r.credentials_added),
        (0, 0, 0)
    );
    assert_eq!(r.skipped_keys.len(), 2);
    assert!(r
        .skipped_keys
        .iter()
        .any(|k| k.label == "b" && k.reason == crate::backup::SkipReason::SameId));
}

/// A keychain that refuses every write after the first `ok` ones.
struct FailingStore {
    inner: MemoryStore,
    ok: std::sync::atomic::AtomicUsize,
}

impl SecretStore for FailingStore {
    fn get(&self, s: &str, a: &str) -> std::result::Result<Option<Vec<u8>>, crate::KeychainError> {
        self.inner.get(s, a)
    }
    fn set(&self, s: &str, a: &str, v: &[u8]) -> std::result::Result<(), crate::KeychainError> {
        use std::sync::atomic::Ordering;
        if self.ok.load(Ordering::SeqCst) == 0 {
            return Err(crate::KeychainError::Failure("refused".into()));
        }
        self.ok.fetch_sub(1, Ordering::SeqCst);
        self.inner.set(s, a, v)
    }
    fn delete(&self, s: &str, a: &str) -> std::result::Result<bool, crate::KeychainError> {
        self.inner.delete(s, a)
    }
    fn list(&self, s: &str) -> std::result::Result<Vec<String>, crate::KeychainError> {
        self.inner.list(s)
    }
}

#[test]
fn a_merge_that_fails_leaves_nothing_behind() {
    let src_dir = tempfile::tempdir().unwrap();
    let (_src, file) = backed_up_vault(src_dir.path(), Arc::new(MemoryStore::default()));
    let dst_dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FailingStore {
        inner: MemoryStore::default(),
        ok: usize::MAX.into(),
    });
    let mut dst = vault(dst_dir.path(), store.clone());
    dst.init(None).unwrap();
    let svc = service_name(dst.vault_id().unwrap());
    let before = store.list(&svc).unwrap();

    // A corrupt file: refused before anything is written.
    let mut bad = file.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let e = dst
        .backup_merge(&bad, Secret::from(BACKUP_PASS.to_string()))
        .unwrap_err();
    assert!(e.code().starts_with("backup."), "{}", e.code());
    assert_eq!(store.list(&svc).unwrap(), before);

    // The keychain refuses the third item: the two written are removed, no row is added.
    store.ok.store(2, std::sync::atomic::Ordering::SeqCst);
    let e = dst
        .backup_merge(&file, Secret::from(BACKUP_PASS.to_string()))
        .unwrap_err();
    assert_eq!(e.code(), "keychain.failure");
    let mut after = store.list(&svc).unwrap();
    after.sort();
    let mut before = before;
    before.sort();
    assert_eq!(after, before);
    assert!(dst.key_list(&ListFilter::default()).unwrap().is_empty());
    assert!(dst.profile_list().unwrap().is_empty());
}

#[test]
fn the_status_says_why_the_vault_locked_until_it_unlocks() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store);
    v.init(Some("correct horse battery")).unwrap();
    assert_eq!(v.status_now().unwrap().locked_by, None);
    v.lock_because(LockReason::Idle);
    let st = v.status_now().unwrap();
    assert!(st.locked);
    assert_eq!(st.locked_by, Some(LockReason::Idle));
    // Locking a locked vault does not change why it locked.
    v.lock_because(LockReason::Window);
    assert_eq!(v.status_now().unwrap().locked_by, Some(LockReason::Idle));
    v.unlock_with(Some("correct horse battery")).unwrap();
    assert_eq!(v.status_now().unwrap().locked_by, None);
    // The agent's lock: a program asked.
    v.lock_now();
    assert_eq!(v.status_now().unwrap().locked_by, Some(LockReason::Request));
    let last = v.audit_list(&AuditFilter::default()).unwrap();
    assert!(
        last[0].summary.contains("asked by a program"),
        "{:?}",
        last[0]
    );
}

#[test]
fn an_import_preview_shows_a_phrase_s_address_and_stores_nothing() {
    // Hardhat's test mnemonic: account 0 is its documented first address.
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let mut v = vault(dir.path(), store);
    v.init(Some("correct horse battery")).unwrap();
    let req = |path: &str| ImportRequest {
        text: Secret::new("test test test test test test test test test test test junk"),
        format: ImportFormat::Auto,
        alg: None,
        path: Some(path.into()),
        passphrase: None,
        label: None,
        tags: vec![],
    };
    let p = v.key_import_preview(req("m/44'/60'/0'/0/0")).unwrap();
    assert_eq!(p.alg, "secp256k1");
    assert_eq!(p.origin, "mnemonic m/44'/60'/0'/0/0");
    assert_eq!(
        p.address.unwrap().value,
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    );
    assert!(v.key_list(&ListFilter::default()).unwrap().is_empty());
    // Works locked: it needs no vault key.
    v.lock_now();
    assert!(v.key_import_preview(req("m/44'/60'/0'/0/1")).is_ok());
}
