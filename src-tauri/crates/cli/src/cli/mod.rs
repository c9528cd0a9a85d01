//! The whole command line as clap sees it: `Cli`, `Cmd` and every subcommand and its
//! arguments. The doc comments are the `--help` texts. Argument types several commands share
//! are in `args.rs`; the approval commands (endpoint, apps, grants, request) in `approvals.rs`.

mod approvals;
pub use approvals::*;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use keyward_crypto::jwt::Mode as JwtMode;
use keyward_crypto::sign::{Encoding, JwsAlg, Scheme};
use keyward_crypto::{ImportFormat, KeyAlg, PrivateFormat, PublicFormat};
use keyward_services::kind::Kind;
use keyward_vault::audit::ExportFormat;

use crate::args::{Conn, InputArgs, QrRender, RemoteKeyCmd, DEFAULT_PORT};

#[derive(Parser)]
#[command(
    name = "keyward-cli",
    version,
    about = "Keyward key manager on the command line",
    long_about = "Keyward keeps keypairs in the OS keychain, sealed under a vault key that a passphrase \
unlocks. When an agent runs for the vault (keyward-cli agent), every command goes through it and costs \
no passphrase; otherwise commands that need a secret unlock the vault for the length of that one call.\n\n\
Environment: KEYWARD_DATA_DIR (vault directory), KEYWARD_PASSPHRASE_FILE (read the passphrase from \
this file instead of the terminal; one trailing newline is stripped), KEYWARD_NEW_PASSPHRASE_FILE \
(passphrase change: the new passphrase, read the same way).\n\n\
Exit codes: 0 ok, 1 other (and a signature or token that does not verify), 2 usage, 3 vault.*, \
4 keychain.*, 5 key.*, 6 agent.*, 7 sign.*, jwt.*, siwe.*, 8 service.* and clock.* (and an \
endpoint answering an error status), 9 endpoint.*, approval.*, app.*, grant.*, link.* (a request denied, \
expired or refused; an unknown app or grant)"
)]
pub struct Cli {
    /// Print machine-readable JSON: {"version":1,"result":…} or {"version":1,"error":{code,message,hint}}
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Create a vault: a random vault key, wrapped by a passphrase (or explicitly not)
    Init {
        /// Keep the vault key unwrapped in the OS keychain: no passphrase ever, for automation.
        /// Anyone who can read your keychain can then use your keys.
        #[arg(long)]
        no_passphrase: bool,
    },
    /// Unlock the running agent's vault
    Unlock,
    /// Lock the running agent's vault (it then answers only status and unlock)
    Lock,
    /// Show whether a vault exists, its mode, and whether an agent holds it unlocked
    Status,
    /// The vault passphrase: change it
    #[command(subcommand)]
    Passphrase(PassphraseCmd),
    /// Serve the vault on a Unix socket, unlocked, until SIGTERM or Ctrl-C
    Agent,
    /// Keys: generate, import, list, show, export, QR, rename, tag, delete
    #[command(subcommand)]
    Key(KeyCmd),
    /// Cross-check the index against the keychain; exits non-zero when something is off
    Doctor {
        /// Repair what can be: recover rows of found keys, finish interrupted deletes
        /// (unlocks the vault)
        #[arg(long)]
        repair: bool,
        /// With --repair: also delete keychain items that are not keys of this vault and
        /// rows whose secret is gone
        #[arg(long, requires = "repair")]
        yes: bool,
    },
    /// Sign a message or digest: raw ECDSA, EIP-191, Bitcoin Signed Message, EOS, Ed25519
    ///
    /// Prints the signature alone: hex DER (raw; --encoding rs for r‖s), 0x-hex r‖s‖v (eip191),
    /// base64 (bsm), SIG_K1_… (eos), hex (ed25519). The key's usage policy must allow the scheme.
    Sign(SignArgs),
    /// Verify a signature against a vault key, an address or a public key; exit 1 if invalid
    Verify(VerifyArgs),
    /// Sign-In with Ethereum (EIP-4361): build, sign, verify
    #[command(subcommand)]
    Siwe(SiweCmd),
    /// JSON Web Tokens: mint (thirdweb Engine keypair tokens or generic), verify, inspect
    #[command(subcommand)]
    Jwt(JwtCmd),
    /// Service profiles: a remote service's URL, settings and sealed credentials
    #[command(subcommand)]
    Service(ServiceCmd),
    /// thirdweb Engine: health, keypairs, access tokens, calls with fresh keypair JWTs
    #[command(subcommand)]
    Engine(EngineCmd),
    /// Local reference services to try every flow without an account anywhere
    #[command(subcommand)]
    Playground(PlaygroundCmd),
    /// The loopback endpoint third-party apps ask through (prompts in this terminal)
    #[command(subcommand)]
    Endpoint(EndpointCmd),
    /// Apps paired with the endpoint
    #[command(subcommand)]
    Apps(AppsCmd),
    /// Grants: approvals that last (JWT templates only)
    #[command(subcommand)]
    Grants(GrantsCmd),
    /// Act as a third-party app: pair with the endpoint, ask for signatures and JWTs
    #[command(subcommand)]
    Request(RequestCmd),
    /// Settings: idle lock, endpoint port, JWT lifetimes, link handling, start at login
    #[command(subcommand)]
    Config(ConfigCmd),
    /// QR codes
    #[command(subcommand)]
    Qr(QrCmd),
    /// The tamper-evident audit log: list, verify, export
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Back up every key into one encrypted file, check one, restore one into a new vault or
    /// merge it into this one
    #[command(subcommand)]
    Backup(BackupCmd),
    /// Print a shell completion script (bash, zsh, fish)
    ///
    /// For example: keyward-cli completions bash > ~/.local/share/bash-completion/completions/keyward-cli
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
pub enum PassphraseCmd {
    /// Re-wrap the vault key under a new passphrase (the vault stays unlocked; after a lock only
    /// the new one unlocks). The current passphrase comes from KEYWARD_PASSPHRASE_FILE or the
    /// terminal, the new one from KEYWARD_NEW_PASSPHRASE_FILE or the terminal (typed twice).
    /// A vault without a passphrase (init --no-passphrase) gets one: it leaves that mode.
    Change,
}

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Every setting with its value, or the value of one
    ///
    /// idle-lock-minutes: lock after this many minutes without use (0 = never; default 15).
    /// endpoint-port: the loopback endpoint's port (default 47800; the app reads it at start).
    /// jwt-default-exp, jwt-max-exp: a minted JWT's lifetime when none is given (15 s) and the
    /// longest allowed (5 min). simplewallet-links: handle simplewallet:// links (false).
    /// start-at-login: start the app in the background at login (false).
    Get { name: Option<String> },
    /// Change a setting (see `config get --help` for the names)
    Set { name: String, value: String },
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Entries, newest first
    List {
        /// At most this many
        #[arg(long)]
        limit: Option<u32>,
        /// Only this action (key.export) or family (key.)
        #[arg(long)]
        action: Option<String>,
        /// Only entries of this key (id, prefix or label of a live key, or a deleted key's id)
        #[arg(long)]
        key: Option<String>,
    },
    /// Check the hash chain and its keychain anchor (unlocks for the check); exits 3 when
    /// something was altered
    Verify,
    /// Every entry, oldest first, as JSON Lines or CSV (hashes and summaries, no secrets)
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Write to this file instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum BackupCmd {
    /// Write every key (index and secrets) into FILE, encrypted under a key Argon2id derives
    /// from the backup passphrase: by default the vault's own passphrase (from
    /// KEYWARD_PASSPHRASE_FILE or the terminal)
    Create {
        file: PathBuf,
        /// Encrypt under this file's passphrase instead (one trailing newline is stripped)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Restore FILE into a data dir with no vault: a new vault (new id and vault key, every
    /// secret re-sealed) with the backup's passphrase as its passphrase. With --merge, into
    /// this vault instead
    Restore {
        file: PathBuf,
        /// The backup's passphrase (else KEYWARD_PASSPHRASE_FILE or the terminal)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
        /// Add the backup's keys, service profiles and credentials to this vault: keys it has
        /// (same id or fingerprint) and profiles of a name it has are skipped and listed; all
        /// or nothing. Paired apps and grants are never in a backup
        #[arg(long)]
        merge: bool,
    },
    /// Decrypt and check FILE, writing nothing (no vault needed): when and from which vault
    /// it was made, its keys by label, its service profiles and how many credentials
    Verify {
        file: PathBuf,
        /// The backup's passphrase (else KEYWARD_PASSPHRASE_FILE or the terminal)
        #[arg(long, value_name = "F")]
        passphrase_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum QrCmd {
    /// Encode text (or a file's bytes) as a QR code; the error-correction level is chosen for
    /// the payload
    Encode {
        /// The text to encode
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        text: Option<String>,
        /// Encode this file's bytes instead (- for standard input)
        #[arg(long)]
        file: Option<String>,
        #[command(flatten)]
        render: QrRender,
    },
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Generate a keypair (RSA takes a few seconds)
    Gen {
        #[arg(long, value_enum, default_value_t = KeyAlg::P256)]
        alg: KeyAlg,
        #[arg(long)]
        label: Option<String>,
        /// A tag (repeatable): lower-case letters, digits, - _ . :
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Import a private key; nothing is stored when the import fails
    ///
    /// Formats (detected with --format auto): pem (SEC1, PKCS#8, encrypted PKCS#8, PKCS#1 RSA,
    /// OpenSSH, legacy encrypted PEM), hex (raw scalar or Ed25519 seed; needs --alg), wif
    /// (Bitcoin, compressed or not), eos (PVT_K1_ or legacy WIF), jwk (private JWK), keystore
    /// (Ethereum keystore v3), xprv (BIP32), mnemonic (BIP39; --path), openssh.
    /// Encrypted inputs take their passphrase from --passphrase-file or the terminal, never
    /// from KEYWARD_PASSPHRASE_FILE.
    Import {
        /// File to read, or - for standard input (the default)
        file: Option<String>,
        #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
        format: ImportFormat,
        /// The curve of a raw hex key
        #[arg(long, value_enum)]
        alg: Option<KeyAlg>,
        /// A mnemonic's derivation path (m/44'/60'/0'/0/0) or preset eth|eos|btc, with an
        /// optional account index (eth:3). Default: eth
        #[arg(long)]
        path: Option<String>,
        /// The input's own passphrase (encrypted PEM, OpenSSH, keystore; a mnemonic's BIP39
        /// passphrase); one trailing newline is stripped
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        #[arg(long)]
        label: Option<String>,
        /// A tag (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// List keys (never touches the keychain)
    List {
        /// Only keys of this algorithm
        #[arg(long, value_enum)]
        alg: Option<KeyAlg>,
        /// Only keys with this tag
        #[arg(long)]
        tag: Option<String>,
    },
    /// Show a key's public details (K: id, unique id prefix, or unique label)
    Show { key: String },
    /// Export public keys: pem (SPKI), jwk, jwks (of one or more keys), openssh, eth (EIP-55),
    /// eos (PUB_K1_), eos-legacy (EOS…), btc (P2PKH), xpub, fingerprint
    Export {
        /// One key, or several with --format jwks
        #[arg(required = true)]
        keys: Vec<String>,
        #[arg(long, value_enum, default_value_t = PublicFormat::Pem)]
        format: PublicFormat,
    },
    /// Export a private key (explicit: needs --yes): pem (PKCS#8), pkcs8-enc (encrypted
    /// PKCS#8), jwk, wif, hex, xprv
    ExportPrivate {
        key: String,
        #[arg(long, value_enum, default_value_t = PrivateFormat::Pem)]
        format: PrivateFormat,
        /// The passphrase of a pkcs8-enc export (else typed twice)
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Confirm that the private key may be written to standard output
        #[arg(long)]
        yes: bool,
    },
    /// Show a QR code of one public form of a key (default: a secp256k1 key's Ethereum
    /// address, else its SPKI PEM)
    Qr {
        key: String,
        /// Which public form to encode
        #[arg(long, value_enum)]
        of: Option<PublicFormat>,
        #[command(flatten)]
        render: QrRender,
    },
    /// Change a key's label
    Rename { key: String, label: String },
    /// Add or remove tags
    Tag {
        key: String,
        #[arg(long = "add", value_name = "TAG")]
        add: Vec<String>,
        #[arg(long = "remove", value_name = "TAG")]
        remove: Vec<String>,
    },
    /// Delete a key from the keychain and the index (needs --yes)
    Delete {
        key: String,
        #[arg(long)]
        yes: bool,
    },
    /// Show or set what a key may sign: raw, eip191, siwe, bsm, eos, ed25519, jwt
    Policy {
        key: String,
        /// The usages allowed, comma-separated (eip191,siwe,jwt)
        #[arg(long, conflicts_with = "reset")]
        allow: Option<String>,
        /// Back to the default: every usage the key's algorithm fits
        #[arg(long)]
        reset: bool,
    },
}

// ---------------------------------------------------------------------------------------
// sign, verify, siwe, jwt
// ---------------------------------------------------------------------------------------

#[derive(Args)]
pub struct SignArgs {
    /// The key (id, id prefix or label)
    #[arg(long)]
    pub key: String,
    #[arg(long, value_enum)]
    pub scheme: Scheme,
    #[command(flatten)]
    pub input: InputArgs,
    /// raw scheme: DER (default) or r‖s
    #[arg(long, value_enum, default_value_t)]
    pub encoding: Encoding,
}

#[derive(Args)]
pub struct VerifyArgs {
    #[arg(long, value_enum)]
    pub scheme: Scheme,
    /// The signature: hex (0x optional), base64 (bsm), SIG_K1_… (eos)
    #[arg(long)]
    pub signature: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// A key of this vault
    #[arg(long, group = "who")]
    pub key: Option<String>,
    /// An Ethereum address (eip191), a P2PKH address (bsm) or an EOS public key (eos)
    #[arg(long, group = "who")]
    pub address: Option<String>,
    /// A public key: PEM (text or a file path), JWK, PUB_K1_/EOS…, or SEC1/Ed25519 hex
    #[arg(long, group = "who")]
    pub pubkey: Option<String>,
    /// The curve of a hex --pubkey where its length leaves it open (p256 vs secp256k1)
    #[arg(long, value_enum)]
    pub pubkey_alg: Option<KeyAlg>,
}

#[derive(Subcommand)]
pub enum SiweCmd {
    /// Build an EIP-4361 message (printed on stdout)
    Build {
        /// The requesting host[:port]
        #[arg(long)]
        domain: String,
        /// The signer's address; or --key to take a vault key's
        #[arg(long, required_unless_present = "key")]
        address: Option<String>,
        /// A vault key whose Ethereum address signs in
        #[arg(long, conflicts_with = "address")]
        key: Option<String>,
        /// The URI the sign-in is for
        #[arg(long)]
        uri: String,
        #[arg(long, default_value_t = 1)]
        chain_id: u64,
        #[arg(long)]
        statement: Option<String>,
        /// At least 8 letters and digits (random when absent)
        #[arg(long)]
        nonce: Option<String>,
        /// Expiration Time, from now (15s, 5m, 1h)
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<String>,
        /// The URI scheme of the requesting origin (https), if the message names it
        #[arg(long)]
        scheme: Option<String>,
        #[arg(long)]
        request_id: Option<String>,
        /// A resource URI (repeatable)
        #[arg(long = "resource")]
        resources: Vec<String>,
    },
    /// Sign a SIWE message with EIP-191 (the key's address must be the message's)
    Sign {
        #[arg(long)]
        key: String,
        /// The message (- for standard input)
        #[arg(long, value_name = "FILE")]
        message_file: String,
    },
    /// Verify a signed SIWE message: signature, expiry, not-before, and what you name
    Verify {
        #[arg(long, value_name = "FILE")]
        message_file: String,
        /// 0x-hex r‖s‖v
        #[arg(long)]
        signature: String,
        /// The domain you expect
        #[arg(long)]
        domain: Option<String>,
        /// The nonce you issued
        #[arg(long)]
        nonce: Option<String>,
        /// The origin that asked (https://app.example): its host must be the message's domain
        #[arg(long)]
        origin: Option<String>,
    },
}

#[derive(Args)]
pub struct MintArgs {
    /// The key (id, id prefix or label)
    #[arg(long)]
    pub key: String,
    #[arg(long, value_enum, default_value_t)]
    pub mode: JwtMode,
    /// The algorithm (default: the key's: ES256 p256, ES384 p384, RS256 RSA, EdDSA ed25519,
    /// ES256K secp256k1)
    #[arg(long, value_enum)]
    pub alg: Option<JwsAlg>,
    /// Lifetime (15s, 2m, 90); default the `jwt-default-exp` setting (15 s unless changed)
    #[arg(long)]
    pub exp: Option<String>,
    /// Refuse lifetimes above this; default the `jwt-max-exp` setting (5 min unless changed)
    #[arg(long)]
    pub max_exp: Option<String>,
    /// Audience (repeatable)
    #[arg(long)]
    pub aud: Vec<String>,
    #[arg(long)]
    pub sub: Option<String>,
    /// nbf, from now (0s = now)
    #[arg(long, value_name = "DURATION")]
    pub nbf: Option<String>,
    /// jti; without a value, a random one
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    pub jti: Option<String>,
    /// A claim name=value (repeatable); a value that is JSON is taken as JSON
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub claims: Vec<String>,
    /// Bind a JSON body: bodyHash = SHA-256 of it as Engine re-serialises it (send the compact
    /// body --json prints, or keyward-cli engine call)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<String>,
    /// Engine mode: the PEM's SHA-256 in the header kid instead of the PEM in iss
    #[arg(long)]
    pub kid: bool,
    /// An Engine service profile: name the key exactly as Engine stored it at registration,
    /// with the registered algorithm and the profile's lifetime ceiling
    #[arg(long)]
    pub service: Option<String>,
}

#[derive(Subcommand)]
pub enum JwtCmd {
    /// Mint a token; prints the token alone on stdout
    Mint(MintArgs),
    /// Verify a token's signature and claims; says what was and was not checked
    Verify {
        /// The token (- for standard input; a leading "Bearer " is ignored)
        token: String,
        #[arg(long, group = "who", required = true)]
        key: Option<String>,
        /// A public key file (PEM or JWK)
        #[arg(long, group = "who", value_name = "FILE")]
        pubkey_file: Option<String>,
        /// An algorithm to accept (repeatable; required: none is never accepted)
        #[arg(long, value_enum, required = true)]
        alg: Vec<JwsAlg>,
        /// Require this iss
        #[arg(long)]
        iss: Option<String>,
        /// Require this audience
        #[arg(long)]
        aud: Option<String>,
        /// Clock tolerance for exp and nbf
        #[arg(long, default_value = "0s")]
        leeway: String,
        /// Refuse a token without exp
        #[arg(long)]
        require_exp: bool,
    },
    /// Decode a token WITHOUT verifying it
    Inspect {
        /// The token (- for standard input)
        token: String,
    },
}

// ---------------------------------------------------------------------------------------
// service, engine, playground
// ---------------------------------------------------------------------------------------

#[derive(Subcommand)]
pub enum ServiceCmd {
    /// Add a service profile; its admin credential is sealed in the keychain
    Add {
        name: String,
        #[arg(long, value_enum)]
        kind: Kind,
        /// The service's API root (https://engine.example.com; http:// for local services)
        #[arg(long)]
        url: String,
        /// A file holding the admin credential (Engine: an access token or the secret key; - for
        /// standard input). Without it, the terminal asks; empty = none.
        #[arg(long, value_name = "FILE")]
        admin_token_file: Option<String>,
        /// Ceiling on minted token lifetimes (default 5m)
        #[arg(long)]
        max_exp: Option<String>,
        /// Pin the public key the service signs its responses with (a PEM or JWK file)
        #[arg(long, value_name = "FILE")]
        pin_key: Option<String>,
    },
    List,
    Show {
        name: String,
    },
    /// A service's remote keys through its admin endpoints (Engine: access tokens)
    #[command(subcommand)]
    Key(RemoteKeyCmd),
    /// Remove a profile and every credential it holds (needs --yes)
    Remove {
        name: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum EngineCmd {
    /// The Engine's health and features (is keypair auth on?) and the clock difference
    Health {
        #[arg(long)]
        service: String,
    },
    /// Keypairs registered with Engine
    #[command(subcommand)]
    Keypair(KeypairCmd),
    /// Engine access tokens: `service key …` in Engine's words (a created one is sealed in
    /// the keychain before it is shown)
    #[command(subcommand)]
    Token(RemoteKeyCmd),
    /// Call an endpoint with a fresh keypair JWT (a JSON body is bound by bodyHash)
    Call {
        /// GET, POST, …
        method: String,
        /// The path (/backend-wallet/get-all)
        path: String,
        #[arg(long)]
        service: String,
        /// The registered key that signs the token
        #[arg(long)]
        key: String,
        /// A JSON body
        #[arg(long, conflicts_with = "data_file")]
        data: Option<String>,
        /// A JSON body from a file (- for standard input)
        #[arg(long, value_name = "FILE")]
        data_file: Option<String>,
        /// Token lifetime
        #[arg(long, default_value = "15s")]
        exp: String,
        /// Name the key by kid (its PEM's hash) instead of iss
        #[arg(long)]
        kid: bool,
    },
}

#[derive(Subcommand)]
pub enum KeypairCmd {
    /// Register a vault key's public key (p256 → ES256, p384 → ES384, RSA → RS256)
    Add {
        #[arg(long)]
        service: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        label: Option<String>,
        /// ES256, ES384, RS256 or PS256 (default: the key's)
        #[arg(long, value_enum)]
        alg: Option<JwsAlg>,
    },
    List {
        #[arg(long)]
        service: String,
    },
    /// Remove by hash, or by the vault key
    Remove {
        #[arg(long)]
        service: String,
        /// The keypair's hash or the vault key
        target: String,
    },
}

#[derive(Subcommand)]
pub enum PlaygroundCmd {
    /// Run a local reference service on 127.0.0.1 until Ctrl-C; prints one JSON line with its
    /// URL and admin token
    Serve {
        #[arg(long, value_enum)]
        service: Kind,
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Engine: turn keypair auth off (ENABLE_KEYPAIR_AUTH=false)
        #[arg(long)]
        no_keypair_auth: bool,
    },
}
