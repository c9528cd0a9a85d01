//! Argument types several commands share: the CLI's own value enums (library enums such as
//! `KeyAlg` or `PublicFormat` are value enums themselves, through their crates' `clap`
//! feature), QR rendering options, what to sign or verify, and the endpoint's default address.

use clap::{Args, ValueEnum};
use keyward_vault::api::SignInput;
use keyward_vault::{Result, VaultError};

use crate::secrets;

#[derive(Args)]
pub struct QrRender {
    /// svg, png, or term (UTF-8 half blocks)
    #[arg(long, value_enum, default_value_t = QrFmt::Term)]
    pub format: QrFmt,
    /// Write to this file instead of standard output
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Pixels per module, for svg and png
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub scale: u16,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum QrFmt {
    Svg,
    Png,
    Term,
}

/// What to sign or verify: exactly one of these.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct InputArgs {
    /// Text, signed as its UTF-8 bytes
    #[arg(long)]
    pub message: Option<String>,
    /// Bytes as hex (0x optional)
    #[arg(long)]
    pub hex: Option<String>,
    /// A precomputed digest as hex: 32 bytes (48 for p384); raw and eos schemes only
    #[arg(long)]
    pub digest: Option<String>,
    /// The bytes of a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    pub message_file: Option<String>,
}

impl InputArgs {
    pub fn input(self) -> Result<SignInput> {
        Ok(
            match (self.message, self.hex, self.digest, self.message_file) {
                (Some(m), ..) => SignInput::Message(m),
                (_, Some(h), ..) => SignInput::Hex(h),
                (_, _, Some(d), _) => SignInput::Digest(d),
                (_, _, _, Some(f)) => {
                    let bytes = secrets::read_limited(&f)?;
                    SignInput::Hex(hex::encode(bytes))
                }
                _ => {
                    return Err(VaultError::Usage(
                        "give --message, --hex, --digest or --message-file".into(),
                    ))
                }
            },
        )
    }
}

#[derive(Args)]
pub struct Conn {
    /// The credentials file `request pair --save` wrote
    #[arg(long, short = 'c')]
    pub credentials: std::path::PathBuf,
    /// Seconds the request lives (and the call waits at most)
    #[arg(long, default_value_t = 120)]
    pub ttl: i64,
    /// The web origin the app speaks for
    #[arg(long)]
    pub origin: Option<String>,
}

/// The port `endpoint serve` and the `request` client use unless told otherwise.
pub const DEFAULT_PORT: u16 = 47800;

/// The endpoint's URL unless told otherwise: `KEYWARD_ENDPOINT_URL`, else the default port.
pub fn default_url() -> String {
    std::env::var("KEYWARD_ENDPOINT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"))
}

/// A service's remote keys, through its admin endpoints: `service key …` for any kind, and
/// a kind's own words (`engine token …`) for the same commands.
#[derive(clap::Subcommand)]
pub enum RemoteKeyCmd {
    /// The service's keys; "(in keychain)" marks those whose secret Keyward holds
    List {
        #[arg(long)]
        service: String,
    },
    /// One key
    Show {
        #[arg(long)]
        service: String,
        #[arg(long = "key", visible_alias = "id", value_name = "ID")]
        key: String,
    },
    /// Create a key; its secret is sealed in the keychain before anything is shown
    Create {
        #[arg(long)]
        service: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Rename a key (no --label clears it)
    #[command(alias = "update")]
    Rename {
        #[arg(long)]
        service: String,
        #[arg(long = "key", visible_alias = "id", value_name = "ID")]
        key: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a key at the service and forget its secret
    #[command(alias = "delete")]
    Revoke {
        #[arg(long)]
        service: String,
        #[arg(long = "key", visible_alias = "id", value_name = "ID")]
        key: String,
    },
    /// Seal the secret of a key made elsewhere (from a file, - for standard input, or asked)
    Import {
        #[arg(long)]
        service: String,
        #[arg(long = "key", visible_alias = "id", value_name = "ID")]
        key: String,
        #[arg(long, value_name = "FILE")]
        secret_file: Option<String>,
    },
    /// Ask the service whether the stored secret of a key still works
    Check {
        #[arg(long)]
        service: String,
        #[arg(long = "key", visible_alias = "id", value_name = "ID")]
        key: String,
    },
}
