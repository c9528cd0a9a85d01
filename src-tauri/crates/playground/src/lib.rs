//! `keyward-playground`: local reference versions of the services Keyward talks to, served on
//! 127.0.0.1, so that tests and developers can try each flow end to end without an account
//! anywhere.
//!
//! Today it plays one service, a self-hosted **thirdweb Engine** (v2): keypair-JWT auth, the
//! keypair and access-token admin endpoints, `/system/health` and two backend-wallet routes,
//! following `PROTOCOLS.md` §2 (see [`engine`]).
//!
//! The playground deliberately shares **no code** with the product crates (`keyward-crypto`,
//! `keyward-vault`, …): it verifies signatures with third-party libraries directly (the
//! `jsonwebtoken` crate over AWS-LC), parses keys its own way and re-implements Node's
//! `JSON.stringify` for `bodyHash` on its own. A bug in the product's JWT minting or body
//! hashing therefore shows up as a 401 here instead of being certified by the same code that
//! made it.
//!
//! The binary (`src/main.rs`) is a thin command line over [`serve_with_shutdown`]; tests start
//! the server in-process with [`serve`] on a listener bound to port 0.

pub mod engine;
mod http;
pub mod jsjson;

use std::future::Future;
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;

/// The services the playground can play.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
    /// A self-hosted thirdweb Engine (v2): keypair auth and token administration.
    Engine,
}

impl Service {
    /// The name used on the command line and in the start-up JSON line.
    pub fn name(self) -> &'static str {
        match self {
            Service::Engine => "engine",
        }
    }
}

/// Everything a service needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// Which service to play.
    pub service: Service,
    /// Engine: mirrors `ENABLE_KEYPAIR_AUTH`; when false, keypair JWTs are refused with 401.
    pub keypair_auth: bool,
    /// The admin bearer token (Engine: plays `THIRDWEB_API_SECRET_KEY`).
    pub admin_token: String,
    /// Seconds added to the server's clock (may be negative): the `Date` header, `exp`/`nbf`
    /// checks and the timestamps the service hands out all use the shifted clock, as a server
    /// whose clock is off would.
    pub date_offset_secs: i64,
    /// Write one line per request (method, path, status) to stderr.
    pub log_requests: bool,
}

impl Config {
    /// A configuration for `service` with keypair auth on, a fresh random admin token and no
    /// clock offset.
    pub fn new(service: Service) -> Config {
        Config {
            service,
            keypair_auth: true,
            admin_token: random_hex(32),
            date_offset_secs: 0,
            log_requests: true,
        }
    }
}

/// Serves `config.service` on `listener` until the task is dropped or aborted.
pub async fn serve(config: Config, listener: TcpListener) -> std::io::Result<()> {
    serve_with_shutdown(config, listener, std::future::pending::<()>()).await
}

/// Serves `config.service` on `listener` until `shutdown` completes, then finishes the requests
/// in flight and returns.
pub async fn serve_with_shutdown<F>(
    config: Config,
    listener: TcpListener,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let router = match config.service {
        Service::Engine => engine::router(&config),
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The server's clock: the system clock shifted by `--date-offset`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    offset_secs: i64,
}

impl Clock {
    pub(crate) fn new(offset_secs: i64) -> Clock {
        Clock { offset_secs }
    }

    pub(crate) fn now(self) -> SystemTime {
        let now = SystemTime::now();
        let shift = Duration::from_secs(self.offset_secs.unsigned_abs());
        let shifted = if self.offset_secs >= 0 {
            now.checked_add(shift)
        } else {
            now.checked_sub(shift)
        };
        shifted.unwrap_or(now)
    }

    /// Whole seconds since the Unix epoch, rounded down (JS `Math.floor(Date.now() / 1000)`).
    pub(crate) fn unix_secs(self) -> i64 {
        match self.now().duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => {
                let before = e.duration();
                let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                if before.subsec_nanos() > 0 {
                    -secs - 1
                } else {
                    -secs
                }
            }
        }
    }
}

/// `n` random bytes from the operating system, hex-encoded.
pub(crate) fn random_hex(n: usize) -> String {
    hex::encode(random_bytes(n))
}

pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    // The system RNG failing is not something a test server can recover from.
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random number generator works");
    bytes
}
