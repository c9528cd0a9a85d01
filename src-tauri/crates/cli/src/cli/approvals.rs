//! The approval commands' arguments: `endpoint`, `apps`, `grants` and `request` (the loopback
//! endpoint, its paired apps and grants, and a client that asks it).

use super::*;

// ---------------------------------------------------------------------------------------
// endpoint, apps, grants, request
// ---------------------------------------------------------------------------------------

#[derive(Subcommand)]
pub enum EndpointCmd {
    /// Serve the loopback endpoint (127.0.0.1) and the vault's agent socket; prompts appear
    /// in this terminal
    ///
    /// Each prompt shows the app, the key, the decoded payload and the risk verdicts. Answer
    /// on standard input: `y` or `n` for the oldest open prompt, or `approve ID [GRANT]` /
    /// `deny ID`, where GRANT is `once`, `5m`, `60m` (any N m) or `lock` (JWT requests only).
    /// An answer typed within a second of the prompt appearing is ignored. With --json,
    /// every event is one JSON line on standard output. Stops on SIGTERM or Ctrl-C and
    /// locks the vault. A locked vault asks for the passphrase when you approve.
    Serve {
        /// Port on 127.0.0.1 (0 = any free port; the ready line says which)
        #[arg(long, default_value_t = DEFAULT_PORT)]
        port: u16,
        /// Unlock the vault now rather than at the first approval
        #[arg(long)]
        unlock: bool,
    },
    /// Pair an app yourself, without a prompt (running this is your approval): writes the
    /// app's credentials to a new owner-only file, for `request … -c FILE` or the app itself
    ///
    /// The file holds the endpoint's URL, the app id, its token (secret) and the endpoint key
    /// to pin. Works whether or not an endpoint runs (a running one sees the app at once).
    Pair {
        /// The app's name (made unique among paired apps)
        #[arg(long)]
        name: String,
        /// Where to write the credentials (a new file, mode 0600)
        #[arg(long)]
        save: PathBuf,
        /// Key ids or labels the app may use (comma-separated); default any key
        #[arg(long, value_delimiter = ',')]
        keys: Option<Vec<String>>,
        /// The browser origin the app calls from, when it is a web page
        #[arg(long)]
        origin: Option<String>,
        /// The endpoint's URL to write into the file
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum AppsCmd {
    /// Paired apps
    List,
    /// Forget a paired app (by id, or by name when one app has it) and its grants
    Unpair { app: String },
}

#[derive(Subcommand)]
pub enum GrantsCmd {
    /// Live grants
    List,
    /// End a grant now
    Revoke { id: String },
}

#[derive(Subcommand)]
pub enum RequestCmd {
    /// Ask the endpoint whether it runs (answer checked against the pinned key when
    /// --credentials is given)
    Status {
        #[arg(long)]
        url: Option<String>,
        #[arg(long, short = 'c')]
        credentials: Option<PathBuf>,
    },
    /// Hand a deep link (keyward://sign, keyward://siwe, simplewallet://) to the running
    /// endpoint, as the desktop does with a clicked link: it is prompted as an unknown app,
    /// never granted, and the answer goes to the link's callback. Prints the signature.
    Link {
        /// The link
        link: String,
        #[arg(long)]
        url: Option<String>,
        /// Only parse the link and print what it asks for (no endpoint needed);
        /// simplewallet:// links parse as if the setting were on
        #[arg(long)]
        check: bool,
    },
    /// Ask to pair as NAME; prints the code to compare, waits for the user, saves credentials
    Pair {
        /// The name the user will see
        #[arg(long)]
        name: String,
        /// Where to save the credentials (a new owner-only file)
        #[arg(long)]
        save: PathBuf,
        /// Key ids or labels to ask for (comma-separated); default any key
        #[arg(long, value_delimiter = ',')]
        keys: Option<Vec<String>>,
        #[arg(long)]
        url: Option<String>,
    },
    /// Ask for a signature of a message or a digest
    Sign {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        key: String,
        /// raw, eip191, bsm, eos or ed25519
        #[arg(long)]
        scheme: String,
        /// The message (text)
        #[arg(long, conflicts_with_all = ["hex", "digest"])]
        message: Option<String>,
        /// The message as hex bytes
        #[arg(long, conflicts_with = "digest")]
        hex: Option<String>,
        /// A precomputed digest (hex): blind signing, never granted
        #[arg(long)]
        digest: Option<String>,
    },
    /// Ask for a Sign-In with Ethereum signature of an EIP-4361 message
    Siwe {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        key: String,
        /// The message text
        #[arg(long, conflicts_with = "message_file")]
        message: Option<String>,
        /// A file holding the message text
        #[arg(long)]
        message_file: Option<PathBuf>,
    },
    /// Ask for a JWT from a fixed template (grantable)
    Jwt {
        #[command(flatten)]
        conn: Conn,
        #[arg(long)]
        key: String,
        /// ES256, ES384, ES256K, EdDSA, RS256, PS256
        #[arg(long)]
        alg: String,
        /// Audience (repeat for several)
        #[arg(long, required = true)]
        aud: Vec<String>,
        #[arg(long)]
        sub: Option<String>,
        /// Extra claim NAME=VALUE (VALUE parsed as JSON when it is JSON)
        #[arg(long)]
        claim: Vec<String>,
        /// Lifetime (e.g. 60, 60s, 5m)
        #[arg(long, default_value = "60s")]
        exp: String,
    },
}
