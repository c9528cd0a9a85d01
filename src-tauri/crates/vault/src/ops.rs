//! Every operation a vault offers, declared once.
//!
//! The table at the bottom ([`ops!`]) names each operation with its arguments, its result and
//! three columns: whether it may run while the vault is locked (`any` or `unlocked`), whether
//! it may change what a view of the vault shows (`reads` or `changes`: keys, labels, tags,
//! policies, the lock, profiles, paired apps, grants, the audit log), and its [`AskClass`]
//! (what the agent's gate asks about). From it come:
//!
//! * [`Backend`], the trait the CLI, the app and the agent call, implemented in-process by
//!   [`crate::Vault`] and remotely by [`AgentClient`];
//! * the agent's wire request [`Request`] (`{"op": "<name>", …arguments}`), with
//!   [`Request::ask_class`], [`Request::allowed_while_locked`] and [`Request::changes_vault`];
//! * [`dispatch`], which runs a [`Request`] against any [`Backend`];
//! * `impl Backend for AgentClient`, which sends each call as its [`Request`];
//! * `impl Backend for PerCall`, which takes a shared vault's lock for each call only, so a
//!   flow that talks to a service between vault calls never holds the vault across its I/O.
//!
//! Adding an operation is one line in the table plus its implementation on [`crate::Vault`].
//!
//! An argument written `name: &T => Owned` is borrowed by the trait and owned by the request
//! (`&str => String`); one written `name: T` is moved. Attributes before an argument go on the
//! request's field only (`#[serde(default)]`, `#[serde(flatten)]` for a request struct whose
//! fields sit beside `op` on the wire). Secrets are [`Secret`]s: an argument crosses the wire
//! through `#[serde(with = "keyward_core::secret::wire")]`, a result marked `secret` in the
//! last column as its text; nowhere else can one be serialised.

use crate::access::{on_vault, VaultAccess};
use crate::agent::{AgentClient, AskClass};
use crate::api::*;
use crate::error::{Result, VaultError};
use crate::Settings;
use keyward_core::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A vault someone else holds ([`VaultAccess`]), locked for the length of each call and
/// released between calls: what a flow with network I/O between its vault calls runs on.
pub struct PerCall<'a>(pub &'a dyn VaultAccess);

fn to_value<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| VaultError::AgentProtocol(e.to_string()))
}

/// The field of a request for an argument: its owned form when it has one.
macro_rules! field_ty {
    ($t:ty) => {
        $t
    };
    ($t:ty, $owned:ty) => {
        $owned
    };
}

/// An argument as the trait takes it, from the request's field.
macro_rules! pass {
    ($n:ident) => {
        $n
    };
    ($n:ident, $owned:ty) => {
        &$n
    };
}

/// A request's field from the trait's argument.
macro_rules! own {
    ($n:ident) => {
        $n
    };
    ($n:ident, $owned:ty) => {
        $n.to_owned()
    };
}

/// A result onto the agent's wire: a secret result (`secret` in the table) goes out as its
/// text, on purpose; everything else as its JSON.
macro_rules! out {
    (; $e:expr) => {
        to_value($e)
    };
    (secret; $e:expr) => {
        to_value($e.expose())
    };
}

/// A result off the agent's wire.
macro_rules! back {
    (; $e:expr) => {
        $e
    };
    (secret; $e:expr) => {
        $e.map(|s: String| Secret::from(s))
    };
}

macro_rules! locked_ok {
    (any) => {
        true
    };
    (unlocked) => {
        false
    };
}

macro_rules! changes {
    (reads) => {
        false
    };
    (changes) => {
        true
    };
}

macro_rules! ops {
    (
        provided { $($provided:tt)* }
        $(
            $(#[doc = $doc:literal])*
            $variant:ident $name:ident (
                $( $(#[$attr:meta])* $arg:ident : $ty:ty $(=> $owned:ty)? ),* $(,)?
            ) -> $ret:ty = [$locked:ident, $changes:ident, $ask:ident $(, $secret:ident)?];
        )*
    ) => {
        /// What the CLI, the app and the agent ask of a vault (generated from the table in
        /// [`crate::ops`]).
        pub trait Backend {
            $(
                $(#[doc = $doc])*
                fn $name(&mut self $(, $arg: $ty)*) -> Result<$ret>;
            )*
            $($provided)*
        }

        /// A request to the agent, one per operation. Holds secrets going in, so neither
        /// `Debug` nor `Clone`.
        #[derive(Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub enum Request {
            $(
                $(#[doc = $doc])*
                $variant { $( $(#[$attr])* $arg: field_ty!($ty $(, $owned)?) ),* },
            )*
        }

        impl Request {
            /// The operation's name on the wire (`key_sign`, …).
            pub fn name(&self) -> &'static str {
                match self {
                    $( Request::$variant { .. } => stringify!($name), )*
                }
            }

            /// What the operation hands out, for the approval rule.
            pub fn ask_class(&self) -> AskClass {
                match self {
                    $( Request::$variant { .. } => AskClass::$ask, )*
                }
            }

            /// Whether the agent runs it while the vault is locked.
            pub fn allowed_while_locked(&self) -> bool {
                match self {
                    $( Request::$variant { .. } => locked_ok!($locked), )*
                }
            }

            /// Whether the request may change what a view of the vault shows (keys, their
            /// labels, tags and policies, the lock, profiles, paired apps, grants, the audit
            /// log).
            pub fn changes_vault(&self) -> bool {
                match self {
                    $( Request::$variant { .. } => changes!($changes), )*
                }
            }
        }

        /// Runs one request against a backend.
        pub fn dispatch(b: &mut dyn Backend, req: Request) -> Result<Value> {
            match req {
                $(
                    Request::$variant { $($arg),* } => out!($($secret)? ; b.$name($(pass!($arg $(, $owned)?)),*)?),
                )*
            }
        }

        impl Backend for AgentClient {
            $(
                fn $name(&mut self $(, $arg: $ty)*) -> Result<$ret> {
                    back!($($secret)? ; self.call_as(&Request::$variant { $( $arg: own!($arg $(, $owned)?) ),* }))
                }
            )*
        }

        impl Backend for PerCall<'_> {
            $(
                fn $name(&mut self $(, $arg: $ty)*) -> Result<$ret> {
                    on_vault(self.0, |v| <crate::Vault as Backend>::$name(v $(, $arg)*))
                }
            )*
        }
    };
}

ops! {
    provided {
        /// One public form of one key, or a JWK Set of one or more keys (`jwks`): what the
        /// shells' export commands take.
        fn key_export_many(&mut self, keys: &[String], format: PublicFormat) -> Result<String> {
            match (format, keys) {
                (PublicFormat::Jwks, _) => self.key_jwks(keys),
                (f, [one]) => self.key_export(one, f),
                _ => Err(VaultError::Usage("several keys export only as jwks".into())),
            }
        }
    }

    // The lock.
    Status status() -> Status = [any, reads, Never];
    /// `None` for a vault in "no passphrase" mode.
    Unlock unlock(#[serde(with = "keyward_core::secret::wire", default)] passphrase: Option<Secret>) -> Status
        = [any, changes, Never];
    Lock lock() -> Status = [any, changes, Never];
    /// Re-wraps the vault key under `new` once `old` is checked (`None` in "no passphrase"
    /// mode, which this leaves for passphrase mode); the vault stays unlocked.
    PassphraseChange passphrase_change(
        #[serde(with = "keyward_core::secret::wire", default)] old: Option<Secret>,
        #[serde(with = "keyward_core::secret::wire")] new: Secret,
    ) -> Status = [unlocked, changes, SecretRelease];

    // Keys.
    KeyList key_list(#[serde(default)] filter: &ListFilter => ListFilter) -> Vec<KeyInfo>
        = [unlocked, reads, Never];
    /// RSA generation takes seconds: callers keep it off UI threads.
    KeyGenerate key_generate(#[serde(flatten)] req: GenerateRequest) -> KeyInfo
        = [unlocked, changes, Never];
    /// Nothing is stored when the import fails.
    KeyImport key_import(#[serde(flatten)] req: ImportRequest) -> KeyInfo
        = [unlocked, changes, Never];
    /// What an import would add (nothing is stored): a recovery phrase's address before it is
    /// kept. Needs no vault key.
    KeyImportPreview key_import_preview(#[serde(flatten)] req: ImportRequest) -> ImportPreview
        = [any, reads, Never];
    KeyShow key_show(key: &str => String) -> KeyDetail = [unlocked, reads, Never];
    KeyExport key_export(key: &str => String, format: PublicFormat) -> String
        = [unlocked, changes, Never];
    /// A JWK Set of several keys.
    KeyJwks key_jwks(keys: &[String] => Vec<String>) -> String = [unlocked, reads, Never];
    /// A QR code of one public form of the key (its `qr_default` when `None`).
    KeyQr key_qr(key: &str => String, #[serde(default)] format: Option<PublicFormat>) -> QrView
        = [unlocked, reads, Never];
    /// An explicit private export; `passphrase` encrypts `pkcs8-enc`.
    KeyExportPrivate key_export_private(
        key: &str => String,
        format: PrivateFormat,
        #[serde(with = "keyward_core::secret::wire", default)] passphrase: Option<Secret>,
    ) -> Secret = [unlocked, changes, SecretRelease, secret];
    KeyRename key_rename(key: &str => String, label: &str => String) -> KeyInfo
        = [unlocked, changes, Never];
    /// Adds and removes tags (lower-cased; letters, digits, `-`, `_`, `.`, `:`).
    KeyTag key_tag(
        key: &str => String,
        #[serde(default)] add: &[String] => Vec<String>,
        #[serde(default)] remove: &[String] => Vec<String>,
    ) -> KeyInfo = [unlocked, changes, Never];
    KeyDelete key_delete(key: &str => String) -> KeyInfo = [unlocked, changes, Never];
    /// Sets a key's usage policy (`None`: back to every usage its algorithm fits).
    KeyPolicy key_policy(key: &str => String, #[serde(default)] allow: Option<Vec<Usage>>)
        -> KeyInfo = [unlocked, changes, SecretRelease];

    // Audit and backup.
    /// Audit entries, newest first (no vault key needed).
    AuditList audit_list(#[serde(default)] filter: &AuditFilter => AuditFilter)
        -> Vec<AuditEntry> = [unlocked, reads, Never];
    /// Checks the audit chain (against its keychain anchor when unlocked).
    AuditVerify audit_verify() -> AuditReport = [unlocked, reads, Never];
    /// One encrypted file with every key, under `passphrase`.
    BackupCreate backup_create(#[serde(with = "keyward_core::secret::wire")] passphrase: Secret) -> BackupFile
        = [unlocked, changes, SecretRelease];
    /// Adds a backup's keys, profiles and credentials to this vault, skipping what it has
    /// already (reported); all or nothing. The file crosses the wire as base64.
    BackupMerge backup_merge(
        #[serde(with = "crate::backup::wire_bytes")] file: &[u8] => Vec<u8>,
        #[serde(with = "keyward_core::secret::wire")] passphrase: Secret,
    ) -> crate::backup::MergeReport = [unlocked, changes, Never];

    // Signing.
    /// Signs, if the key's usage policy allows the scheme. Logged with the digest, never the
    /// message.
    KeySign key_sign(#[serde(flatten)] req: SignRequest) -> Signature
        = [unlocked, changes, KeyUse];
    /// Verifies a signature (public data only).
    KeyVerify key_verify(#[serde(flatten)] req: VerifyRequest) -> Verdict
        = [unlocked, reads, Never];
    /// Mints a JWT, if the key's usage policy allows `jwt`.
    JwtMint jwt_mint(key: &str => String, options: MintOptions) -> Minted
        = [unlocked, changes, KeyUse];
    /// Verifies a JWT (public data only).
    JwtVerify jwt_verify(#[serde(flatten)] req: JwtVerifyRequest) -> Verified
        = [unlocked, reads, Never];
    /// Signs a SIWE message (parsed strictly first) with EIP-191, if the policy allows `siwe`.
    SiweSign siwe_sign(key: &str => String, message: &str => String) -> SiweSigned
        = [unlocked, changes, KeyUse];

    // Service profiles and their credentials.
    /// Service profiles, by name (public data: no unlock needed in-process).
    ProfileList profile_list() -> Vec<Profile> = [unlocked, reads, Never];
    ProfileGet profile_get(name: &str => String) -> Profile = [unlocked, reads, Never];
    /// Creates (`create`: refuses an existing name) or updates a profile.
    ProfilePut profile_put(profile: Profile, create: bool) -> Profile
        = [unlocked, changes, Never];
    /// Removes a profile and every credential it holds.
    ProfileRemove profile_remove(name: &str => String) -> Profile = [unlocked, changes, Never];
    /// Seals a credential into the keychain (replacing one of the same name).
    CredentialPut credential_put(
        profile: &str => String,
        name: &str => String,
        #[serde(with = "keyward_core::secret::wire")] secret: Secret,
    ) -> CredentialInfo = [unlocked, changes, Never];
    /// A credential's value, for a call to its service.
    CredentialGet credential_get(profile: &str => String, name: &str => String)
        -> Secret = [unlocked, changes, SecretRelease, secret];
    CredentialDelete credential_delete(profile: &str => String, name: &str => String) -> ()
        = [unlocked, changes, Never];

    // The approval endpoint's store: paired apps and grants.
    /// Paired apps, oldest first, without their token hashes (no unlock needed in-process).
    AppList app_list() -> Vec<PairedApp> = [unlocked, reads, Never];
    /// Unpairs an app, named by id or by its name when no other app has it, and drops its
    /// grants.
    AppUnpair app_unpair(app: &str => String) -> PairedApp = [unlocked, changes, Never];
    /// Live grants (no expiry, or one still ahead), oldest first.
    GrantList grant_list() -> Vec<StoredGrant> = [unlocked, reads, Never];
    /// Revokes one grant, live or expired.
    GrantRevoke grant_revoke(id: &str => String) -> StoredGrant = [unlocked, changes, Never];

    // Settings.
    /// The settings (defaults where none were set).
    SettingsGet settings_get() -> Settings = [unlocked, reads, Never];
    /// Sets one setting by its `config` name (`idle-lock-minutes`, …); the settings after.
    SettingsSet settings_set(name: &str => String, value: &str => String) -> Settings
        = [unlocked, changes, SecretRelease];
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_wire_is_op_plus_arguments_with_request_structs_beside_op() {
        let r = Request::KeyShow { key: "k".into() };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"op": "key_show", "key": "k"})
        );
        let r = Request::Status {};
        assert_eq!(serde_json::to_value(&r).unwrap(), json!({"op": "status"}));
        let r: Request = serde_json::from_value(json!({
            "op": "key_sign", "key": "k", "scheme": "raw",
            "input": {"kind": "message", "value": "hi"},
        }))
        .unwrap();
        match r {
            Request::KeySign { req } => assert_eq!(req.key, "k"),
            _ => panic!("not key_sign"),
        }
        // Defaults stay optional on the wire.
        let r: Request = serde_json::from_value(json!({"op": "key_list"})).unwrap();
        assert_eq!(r.name(), "key_list");
    }

    #[test]
    fn the_columns_say_what_runs_locked_what_changes_and_what_is_asked() {
        let list = |op: &str| -> Request {
            serde_json::from_value(json!({"op": op, "key": "k", "name": "n", "value": "v",
                "profile": "p", "passphrase": "x", "format": "pem", "message": "m"}))
            .unwrap_or_else(|e| panic!("{op}: {e}"))
        };
        for op in ["status", "unlock", "lock"] {
            assert!(list(op).allowed_while_locked(), "{op}");
        }
        for op in ["key_show", "key_export_private", "settings_get"] {
            assert!(!list(op).allowed_while_locked(), "{op}");
        }
        assert!(!list("key_show").changes_vault());
        assert!(list("key_export").changes_vault(), "exports are audited");
        assert_eq!(list("siwe_sign").ask_class(), AskClass::KeyUse);
        assert_eq!(list("credential_get").ask_class(), AskClass::SecretRelease);
        assert_eq!(list("key_show").ask_class(), AskClass::Never);
    }
}
