use keyward_crypto::{Coded, CryptoError};
use thiserror::Error;

/// Failures of the OS keychain, each with a stable code (DESIGN.md "Where secrets live").
#[derive(Debug, Error)]
pub enum KeychainError {
    #[error("no D-Bus session bus: {0}")]
    NoSessionBus(String),
    #[error("no Secret Service provider on the session bus")]
    NoProvider,
    #[error("the Secret Service has no default collection")]
    NoDefaultCollection,
    #[error("the keychain is locked")]
    Locked,
    #[error("the keychain did not answer within {0} ms")]
    Timeout(u64),
    #[error("keychain failure: {0}")]
    Failure(String),
}

impl Coded for KeychainError {
    fn code(&self) -> &str {
        match self {
            KeychainError::NoSessionBus(_) => "keychain.no_session_bus",
            KeychainError::NoProvider => "keychain.no_provider",
            KeychainError::NoDefaultCollection => "keychain.no_default_collection",
            KeychainError::Locked => "keychain.locked",
            KeychainError::Timeout(_) => "keychain.timeout",
            KeychainError::Failure(_) => "keychain.failure",
        }
    }

    fn hint(&self) -> String {
        match self {
            KeychainError::NoSessionBus(_) => "Run Keyward inside a desktop session, or start one: dbus-run-session -- bash (DBUS_SESSION_BUS_ADDRESS must be set).".into(),
            KeychainError::NoProvider => "Install and start a Secret Service provider: apt install gnome-keyring; gnome-keyring-daemon --unlock --components=secrets.".into(),
            KeychainError::NoDefaultCollection => "Create and unlock a default keyring (Seahorse, or: echo -n PASSWORD | gnome-keyring-daemon --unlock).".into(),
            KeychainError::Locked => "Unlock your login keyring (log in to the desktop, Seahorse, or gnome-keyring-daemon --unlock), then retry.".into(),
            KeychainError::Timeout(_) => "The keychain may be waiting on an unlock prompt: answer it, or check that gnome-keyring-daemon is running, then retry.".into(),
            KeychainError::Failure(_) => "Check the Secret Service (secret-tool search service keyward) and retry; run keyward-cli doctor.".into(),
        }
    }
}

/// One error type for the vault and everything built on it.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error("no vault in {0}")]
    NotInitialized(String),
    #[error("a vault already exists in {0}")]
    AlreadyInitialized(String),
    #[error("the vault is locked")]
    Locked,
    #[error("no passphrase given and no terminal to ask on")]
    NoPassphraseSource,
    #[error("this vault needs its passphrase to unlock")]
    PassphraseRequired,
    #[error("the passphrases do not match")]
    PassphraseMismatch,
    #[error("{0}")]
    Usage(String),
    #[error("the passphrase is too short ({0} characters; at least 8)")]
    WeakPassphrase(usize),
    #[error("the sealed item is {0} bytes; the limit is {1} bytes")]
    ItemTooLarge(usize, usize),
    #[error("the keychain item {0} is missing")]
    MissingItem(String),
    #[error("the vault's stored key is unreadable: {0}")]
    BadVaultKeyItem(String),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("index database: {0}")]
    Index(String),
    #[error("file system: {0}")]
    Io(String),
    #[error("no key matches \"{0}\"")]
    KeyNotFound(String),
    #[error("no service profile is named \"{0}\"")]
    ProfileNotFound(String),
    #[error("a service profile named \"{0}\" already exists")]
    ProfileExists(String),
    #[error("the profile {0} holds no credential named {1}")]
    CredentialNotFound(String, String),
    #[error("no paired app has the id or name \"{0}\"")]
    AppNotFound(String),
    #[error("no grant has the id \"{0}\"")]
    GrantNotFound(String),
    #[error("\"{query}\" matches {} keys: {}", candidates.len(), candidates.iter().map(|(id, label)| format!("{id} ({label})")).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        query: String,
        candidates: Vec<(String, String)>,
    },
    #[error("invalid label: {0}")]
    BadLabel(String),
    #[error("invalid tag: {0}")]
    BadTag(String),
    #[error("unknown format \"{0}\"")]
    BadFormat(String),
    #[error("{0} needs explicit confirmation")]
    ConfirmationRequired(String),
    #[error("no agent is running for this vault")]
    AgentNotRunning,
    #[error("an agent already serves this vault at {0}")]
    AgentRunning(String),
    #[error("the agent at {0} cannot be reached: {1}")]
    AgentUnreachable(String, String),
    #[error("the agent answered something unexpected: {0}")]
    AgentProtocol(String),
    #[error("refused a connection from uid {0}")]
    PeerRejected(u32),
    #[error("the runtime directory {0} is not private to this user")]
    UnsafeRuntimeDir(String),
    /// An error relayed from the agent, as it sent it.
    #[error("{}", .0.message)]
    Remote(ErrorBody),
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        VaultError::Index(e.to_string())
    }
}

impl From<std::io::Error> for VaultError {
    fn from(e: std::io::Error) -> Self {
        VaultError::Io(e.to_string())
    }
}

impl Coded for VaultError {
    fn code(&self) -> &str {
        match self {
            VaultError::NotInitialized(_) => "vault.not_initialized",
            VaultError::AlreadyInitialized(_) => "vault.already_initialized",
            VaultError::Locked => "vault.locked",
            VaultError::NoPassphraseSource => "vault.no_passphrase_source",
            VaultError::PassphraseRequired => "vault.passphrase_required",
            VaultError::PassphraseMismatch => "vault.passphrase_mismatch",
            VaultError::Usage(_) => "usage.invalid",
            VaultError::WeakPassphrase(_) => "vault.weak_passphrase",
            VaultError::ItemTooLarge(..) => "vault.item_too_large",
            VaultError::MissingItem(_) => "vault.missing_item",
            VaultError::BadVaultKeyItem(_) => "vault.corrupt_item",
            VaultError::Crypto(e) => e.code(),
            VaultError::Keychain(e) => e.code(),
            VaultError::Index(_) => "vault.index",
            VaultError::Io(_) => "vault.io",
            VaultError::KeyNotFound(_) => "key.not_found",
            VaultError::ProfileNotFound(_) => "service.not_found",
            VaultError::ProfileExists(_) => "service.exists",
            VaultError::CredentialNotFound(..) => "service.no_credential",
            VaultError::AppNotFound(_) => "app.not_found",
            VaultError::GrantNotFound(_) => "grant.not_found",
            VaultError::Ambiguous { .. } => "key.ambiguous",
            VaultError::BadLabel(_) => "key.bad_label",
            VaultError::BadTag(_) => "key.bad_tag",
            VaultError::BadFormat(_) => "key.bad_format",
            VaultError::ConfirmationRequired(_) => "key.confirmation_required",
            VaultError::AgentNotRunning => "agent.not_running",
            VaultError::AgentRunning(_) => "agent.already_running",
            VaultError::AgentUnreachable(..) => "agent.unreachable",
            VaultError::AgentProtocol(_) => "agent.protocol",
            VaultError::PeerRejected(_) => "agent.peer_rejected",
            VaultError::UnsafeRuntimeDir(_) => "agent.unsafe_runtime_dir",
            VaultError::Remote(b) => &b.code,
        }
    }

    fn hint(&self) -> String {
        match self {
            VaultError::NotInitialized(_) => "Create a vault first: keyward-cli init (or open the Keyward app).".into(),
            VaultError::AlreadyInitialized(_) => "Use the existing vault, or point KEYWARD_DATA_DIR at another directory.".into(),
            VaultError::Locked => "Unlock it: keyward-cli unlock (or in the app).".into(),
            VaultError::NoPassphraseSource => "Run in a terminal, or set KEYWARD_PASSPHRASE_FILE to a file holding the passphrase (init also takes --no-passphrase).".into(),
            VaultError::PassphraseRequired => "Give the passphrase (terminal prompt or KEYWARD_PASSPHRASE_FILE).".into(),
            VaultError::PassphraseMismatch => "Type the same passphrase twice.".into(),
            VaultError::Usage(_) => "See keyward-cli help for the command.".into(),
            VaultError::WeakPassphrase(_) => "Choose a passphrase of at least 8 characters (a few random words are best).".into(),
            VaultError::ItemTooLarge(..) => "Keychain items are limited to 2,560 bytes (the Windows limit) on every OS; this secret cannot be stored.".into(),
            VaultError::MissingItem(_) => "The keychain item was deleted behind Keyward's back; run keyward-cli doctor.".into(),
            VaultError::BadVaultKeyItem(_) => "The vault key item was altered; restore the keychain from a backup, then run keyward-cli doctor.".into(),
            VaultError::Crypto(e) => e.hint(),
            VaultError::Keychain(e) => e.hint(),
            VaultError::Index(_) => "Check that the data directory is writable and not on a full disk; run keyward-cli doctor.".into(),
            VaultError::Io(_) => "Check the permissions of the data and runtime directories.".into(),
            VaultError::KeyNotFound(_) => "List keys with: keyward-cli key list".into(),
            VaultError::ProfileNotFound(_) => "List profiles with: keyward-cli service list".into(),
            VaultError::ProfileExists(_) => "Pick another name, or remove the old profile first (keyward-cli service remove NAME --yes).".into(),
            VaultError::CredentialNotFound(..) => "Store it first, e.g. keyward-cli service add NAME --kind K --url U --admin-token-file F (see keyward-cli service --help).".into(),
            VaultError::AppNotFound(_) => "List paired apps with `keyward-cli apps list`.".into(),
            VaultError::GrantNotFound(_) => "List live grants with `keyward-cli grants list`.".into(),
            VaultError::Ambiguous { .. } => "Name the key by its id or a longer id prefix.".into(),
            VaultError::BadLabel(_) => "Use 1 to 100 printable characters.".into(),
            VaultError::BadTag(_) => "Tags are 1 to 32 letters, digits, -, _, . or :, like prod or team:payments.".into(),
            VaultError::BadFormat(_) => "See keyward-cli key export --help for the formats.".into(),
            VaultError::ConfirmationRequired(_) => "Add --yes (or confirm in the app).".into(),
            VaultError::AgentNotRunning => "Start one with: keyward-cli agent (without an agent, each command unlocks the vault for itself).".into(),
            VaultError::AgentRunning(_) => "Use the running agent, or stop it (SIGTERM) first.".into(),
            VaultError::AgentUnreachable(..) => "Restart the agent: keyward-cli agent".into(),
            VaultError::AgentProtocol(_) => "The CLI and the agent may be different versions; restart the agent.".into(),
            VaultError::PeerRejected(_) => "Only the user who started the agent may use it.".into(),
            VaultError::UnsafeRuntimeDir(_) => "Remove that directory or set XDG_RUNTIME_DIR to a directory only you can read.".into(),
            VaultError::Remote(b) => b.hint.clone(),
        }
    }
}

/// The shape every error takes on the wire (the one body, from `keyward-core`).
pub use keyward_core::{Candidate, ErrorBody};

impl From<&VaultError> for ErrorBody {
    fn from(e: &VaultError) -> Self {
        if let VaultError::Remote(b) = e {
            return b.clone();
        }
        let candidates = match e {
            VaultError::Ambiguous { candidates, .. } => Some(
                candidates
                    .iter()
                    .map(|(id, label)| Candidate {
                        id: id.clone(),
                        label: label.clone(),
                    })
                    .collect(),
            ),
            _ => None,
        };
        ErrorBody {
            code: e.code().to_string(),
            message: e.to_string(),
            hint: e.hint(),
            candidates,
        }
    }
}

pub type Result<T, E = VaultError> = std::result::Result<T, E>;
