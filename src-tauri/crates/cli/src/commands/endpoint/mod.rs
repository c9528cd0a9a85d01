//! `endpoint serve|pair`: the loopback endpoint, serving with the vault's agent socket, its
//! prompts answered in this terminal (`terminal.rs`); and pairing an app by hand.

mod terminal;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use keyward_approval::endpoint::{
    self, Broker, ChannelApprover, Config, Credentials, EndpointError, SystemClock,
};
use serde_json::json;

use crate::args::default_url;
use crate::cli::EndpointCmd;
use crate::context::{unix_now, CliContext};
use crate::error::{usage, Result};

/// Serving and pairing fail with the endpoint's own errors, printed as the endpoint words them.
pub fn run(ctx: &CliContext, cmd: EndpointCmd) -> Result<ExitCode> {
    Ok(match cmd {
        EndpointCmd::Serve { port, unlock } => serve(port, unlock, ctx)?,
        EndpointCmd::Pair {
            name,
            save,
            keys,
            origin,
            url,
        } => pair_here(name, save, keys, origin, url, ctx)?,
    })
}

fn pair_here(
    name: String,
    save: PathBuf,
    keys: Option<Vec<String>>,
    origin: Option<String>,
    url: Option<String>,
    ctx: &CliContext,
) -> Result<ExitCode, EndpointError> {
    let out = &ctx.out;
    if save.exists() {
        return Err(usage(format!(
            "{} exists; choose a new file",
            save.display()
        )));
    }
    let name = name.trim().to_owned();
    let mut vault = ctx.open_existing()?;
    let keys = keys
        .map(|list| {
            list.iter()
                .map(|k| vault.key_facts(k).map(|f| f.id))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let seed = vault.endpoint_seed()?;
    let public = keyward_approval::auth::EndpointKey::from_seed(&seed).public();
    // The token derives from the MAC secret, sealed under the vault key.
    ctx.unlock_local(&mut vault)?;
    let secret = vault.endpoint_mac_secret()?;
    let (app, token) =
        endpoint::broker::register_app(&mut vault, &secret, &name, origin, keys, unix_now())?;
    let creds = Credentials {
        url: url.unwrap_or_else(default_url),
        app_id: app.id.clone(),
        token: token.to_string(),
        endpoint_key: base64_url(&public),
        app_name: app.name.clone(),
    };
    creds.save(&save)?;
    if out.json {
        out.result(&json!({"app": app, "credentials": save.display().to_string()}));
    } else {
        println!(
            "paired {} (app {}); credentials in {}",
            app.name,
            app.id,
            save.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(port: u16, unlock: bool, ctx: &CliContext) -> Result<ExitCode, EndpointError> {
    let out = &ctx.out;
    let mut vault = ctx.open_existing()?;
    let id = vault
        .vault_id()
        .expect("open_existing checks it")
        .to_owned();
    let socket = keyward_vault::paths::socket_path(&id)?;
    ctx.refuse_running_agent(&id)?;
    vault.set_actor("endpoint");
    if unlock || !vault.needs_passphrase() {
        let pass = ctx.passphrase_for(&vault)?;
        vault.unlock_with(pass.as_ref().map(|p| p.expose()))?;
        vault.record_unlock("endpoint started, vault unlocked")?;
    }
    let vault = Arc::new(Mutex::new(vault));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| EndpointError::Unavailable(e.to_string()))?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let broker = Broker::new(
        vault.clone(),
        Arc::new(ChannelApprover(tx)),
        Arc::new(SystemClock),
        Config::default(),
    )?;
    let json = out.json;
    rt.block_on(async {
        let listener = endpoint::http::bind(port).await?;
        let bound = listener
            .local_addr()
            .map_err(|e| EndpointError::Unavailable(e.to_string()))?
            .port();
        let url = format!("http://127.0.0.1:{bound}");
        let unix_path = keyward_vault::paths::endpoint_socket_path(&id)?;
        let ready = json!({
            "event": "ready",
            "url": url,
            "endpoint_socket": unix_path.display().to_string(),
            "endpoint_key": base64_url(&broker.endpoint_public()),
            "fingerprint": broker.fingerprint(),
            "socket": socket.display().to_string(),
        });
        if json {
            println!("{ready}");
        } else {
            println!("Keyward endpoint at {url}");
            println!("endpoint key fingerprint {}", broker.fingerprint());
            println!("endpoint socket {}", unix_path.display());
            println!("agent socket {}", socket.display());
            println!("answer prompts here: y / n, or approve ID [once|5m|lock] / deny ID");
        }
        terminal::spawn(broker.clone(), rx, json);
        let stop = async {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        };
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut agent_stop = stop_rx.clone();
        // A lock or unlock through the agent socket: the broker follows at once.
        let follower = broker.clone();
        let on_change: keyward_vault::agent::OnChange = Arc::new(move || {
            let b = follower.clone();
            std::thread::spawn(move || b.vault_changed());
        });
        // Programs using the agent socket are asked about here, in this terminal (the
        // `agent-approval` setting; per program by default).
        let gate: Arc<dyn keyward_vault::agent::AgentGate> = endpoint::broker::AgentPrompts::new(
            broker.clone(),
            keyward_vault::agent::AgentApproval::PerProgram,
        );
        let agent = tokio::spawn(keyward_vault::agent::serve_gated(
            vault.clone(),
            socket.clone(),
            |_| {},
            async move {
                let _ = agent_stop.wait_for(|s| *s).await;
            },
            Some(on_change),
            Some(gate),
        ));
        let mut unix_stop = stop_rx.clone();
        let unix = tokio::spawn(endpoint::http::serve_unix(
            broker.clone(),
            unix_path,
            async move {
                let _ = unix_stop.wait_for(|s| *s).await;
            },
        ));
        let mut http_stop = stop_rx;
        let served = endpoint::http::serve(broker.clone(), listener, async move {
            let _ = http_stop.wait_for(|s| *s).await;
        });
        tokio::pin!(served);
        tokio::select! {
            r = &mut served => { let _ = stop_tx.send(true); r?; }
            _ = stop => {
                let _ = stop_tx.send(true);
                served.await?;
            }
        }
        let _ = agent.await;
        let _ = unix.await;
        Ok::<(), EndpointError>(())
    })?;
    if let Ok(mut v) = vault.lock() {
        v.lock_now();
    }
    out.note("endpoint stopped; vault locked");
    Ok(ExitCode::SUCCESS)
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
