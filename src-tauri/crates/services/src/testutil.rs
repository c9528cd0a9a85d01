//! What this crate's unit tests share: a vault on an in-memory keychain with one profile.

use keyward_vault::api::Profile;
use keyward_vault::store::MemoryStore;
use keyward_vault::{Backend, Vault};
use std::sync::Arc;

/// An initialised vault ("no passphrase" mode, in memory) holding the profile `svc`.
pub(crate) fn vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::open(dir.path(), Arc::new(MemoryStore::default())).unwrap();
    v.init(None).unwrap();
    v.profile_put(
        Profile {
            name: "svc".into(),
            kind: "memory".into(),
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
