//! `keyward-playground`: runs one local reference service on 127.0.0.1.
//!
//! Once listening it prints exactly one JSON line on stdout,
//! `{"service":"engine","url":"http://127.0.0.1:PORT","admin_token":"…"}`, and serves until
//! SIGTERM or SIGINT, or — with `--exit-on-stdin-eof` — until its stdin closes (so a parent that
//! dies takes the playground with it).

use std::io::Write as _;
use std::process::ExitCode;

use clap::{ArgAction, Parser};
use keyward_playground::{serve_with_shutdown, Config, Service};
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;

#[derive(Parser, Debug)]
#[command(
    name = "keyward-playground",
    version,
    about = "Local reference services for trying Keyward's flows end to end (127.0.0.1 only)."
)]
struct Cli {
    /// The service to play.
    #[arg(long, value_enum)]
    service: Service,

    /// TCP port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Accept keypair JWTs (Engine's ENABLE_KEYPAIR_AUTH).
    #[arg(long, value_name = "true|false", default_value_t = true, action = ArgAction::Set)]
    keypair_auth: bool,

    /// Admin bearer token (Engine's THIRDWEB_API_SECRET_KEY); default: 32 random bytes in hex.
    #[arg(long, value_name = "TOKEN", value_parser = parse_admin_token)]
    admin_token: Option<String>,

    /// Seconds (may be negative) to shift the server's clock by: the Date header, exp/nbf checks
    /// and the timestamps it hands out. For testing clients' clock-skew detection.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    date_offset: i64,

    /// Exit when stdin reaches end of file (a parent that dies closes the pipe).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

/// The admin token travels as `Authorization: Bearer TOKEN`, split on spaces: it must be one
/// non-empty word of visible ASCII.
fn parse_admin_token(value: &str) -> Result<String, String> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(value.to_owned())
    } else {
        Err("the admin token must be non-empty visible ASCII without spaces".to_owned())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("keyward-playground: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(run(cli));
    // A stdin reader may still be blocked in read(2): do not wait for it.
    runtime.shutdown_background();
    code
}

async fn run(cli: Cli) -> ExitCode {
    let mut config = Config::new(cli.service);
    config.keypair_auth = cli.keypair_auth;
    config.date_offset_secs = cli.date_offset;
    if let Some(token) = cli.admin_token {
        config.admin_token = token;
    }

    let listener = match TcpListener::bind(("127.0.0.1", cli.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "keyward-playground: cannot listen on 127.0.0.1:{}: {e}",
                cli.port
            );
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => {
            eprintln!("keyward-playground: cannot read the listening address: {e}");
            return ExitCode::FAILURE;
        }
    };

    let ready = serde_json::json!({
        "service": cli.service.name(),
        "url": format!("http://127.0.0.1:{port}"),
        "admin_token": config.admin_token,
    });
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{ready}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        eprintln!("keyward-playground: cannot write the start-up line to stdout");
        return ExitCode::FAILURE;
    }
    drop(stdout);

    match serve_with_shutdown(config, listener, shutdown(cli.exit_on_stdin_eof)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keyward-playground: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on SIGINT, SIGTERM, or (when asked) end of stdin.
async fn shutdown(watch_stdin: bool) {
    let stdin_eof = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buffer = [0u8; 1024];
        while let Ok(n) = stdin.read(&mut buffer).await {
            if n == 0 {
                break;
            }
        }
    };
    tokio::select! {
        () = interrupt() => {}
        () = terminate() => {}
        () = stdin_eof => {}
    }
}

async fn interrupt() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => {
            sigterm.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}
