// Size: over 800 lines; issue 14 splits the CLI into `commands/<noun>.rs` with one context
// (endpoint, apps, grants, request apart), which is where this file's split belongs.

//! `endpoint serve`, `apps`, `grants` and `request …`: the loopback endpoint with a terminal
//! approver, its paired apps and grants, and a small client that acts as a third-party app.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use keyward_approval::decode::escape_field;
use keyward_approval::endpoint::{
    self, ApproverEvent, Broker, ChannelApprover, Client, Closed, Config, Credentials, DecideInput,
    EndpointError, PromptItem, SystemClock,
};
use keyward_approval::grant::GrantSpec;
use keyward_approval::request::{JwtTemplate, Kind};
use keyward_approval::Block;
use keyward_crypto::sign::{JwsAlg, Scheme};
use keyward_crypto::Coded;
use keyward_vault::at_text as when;
use keyward_vault::{Backend, VaultError};
use serde_json::json;

use crate::context::{CliContext, Need};
use crate::output::Out;

/// The port `endpoint serve` and the `request` client use unless told otherwise.
pub const DEFAULT_PORT: u16 = 47800;

fn default_url() -> String {
    std::env::var("KEYWARD_ENDPOINT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"))
}

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

#[derive(Args)]
pub struct Conn {
    /// The credentials file `request pair --save` wrote
    #[arg(long, short = 'c')]
    credentials: PathBuf,
    /// Seconds the request lives (and the call waits at most)
    #[arg(long, default_value_t = 120)]
    ttl: i64,
    /// The web origin the app speaks for
    #[arg(long)]
    origin: Option<String>,
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

fn usage(msg: impl Into<String>) -> EndpointError {
    EndpointError::Vault(VaultError::Usage(msg.into()))
}

fn print_error(out: &Out, e: &EndpointError) -> ExitCode {
    let body = e.body();
    if out.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"version": 1, "error": body}))
                .expect("output serialises")
        );
    } else {
        eprintln!(
            "error: {}\n  code: {}\n  hint: {}",
            body.message, body.code, body.hint
        );
    }
    ExitCode::from(crate::exit_code(e.code()))
}

fn finish(out: &Out, r: Result<ExitCode, EndpointError>) -> ExitCode {
    match r {
        Ok(c) => c,
        Err(e) => print_error(out, &e),
    }
}

// ---------------------------------------------------------------------------------------
// apps / grants (through the agent when one runs)
// ---------------------------------------------------------------------------------------

/// Apps and grants through the context; their errors print as the endpoint's.
fn with_backend<T>(
    ctx: &CliContext,
    f: impl FnOnce(&mut dyn Backend) -> keyward_vault::Result<T>,
) -> Result<T, EndpointError> {
    Ok(ctx.with_backend(Need::Index, f)?)
}

pub fn apps(cmd: AppsCmd, ctx: &CliContext) -> ExitCode {
    let out = &ctx.out;
    let r = match cmd {
        AppsCmd::List => with_backend(ctx, |b| b.app_list()).map(|apps| {
            if out.json {
                out.result(&apps);
            } else if apps.is_empty() {
                out.note("no paired apps");
            } else {
                for a in &apps {
                    println!(
                        "{}  {}  origin {}  keys {}  paired {}  last seen {}",
                        a.id,
                        a.name,
                        a.origin.as_deref().unwrap_or("-"),
                        a.keys.as_ref().map(|k| k.join(",")).unwrap_or("any".into()),
                        when(a.created_at),
                        a.last_seen.map(when).unwrap_or("never".into())
                    );
                }
            }
            ExitCode::SUCCESS
        }),
        AppsCmd::Unpair { app } => with_backend(ctx, |b| b.app_unpair(&app)).map(|a| {
            if out.json {
                out.result(&a);
            } else {
                println!("unpaired {} ({})", a.name, a.id);
            }
            ExitCode::SUCCESS
        }),
    };
    finish(out, r)
}

pub fn grants(cmd: GrantsCmd, ctx: &CliContext) -> ExitCode {
    let out = &ctx.out;
    let r = match cmd {
        GrantsCmd::List => with_backend(ctx, |b| b.grant_list()).map(|list| {
            if out.json {
                out.result(&list);
            } else if list.is_empty() {
                out.note("no live grants");
            } else {
                for g in &list {
                    let t = &g.body["template"];
                    println!(
                        "{}  app {}  key {}  {} aud {}  {}",
                        g.id,
                        g.body["app"]["name"].as_str().unwrap_or(&g.app_id),
                        g.key_id,
                        t["alg"].as_str().unwrap_or("?"),
                        t["aud"],
                        match g.expires_at {
                            Some(e) => format!("until {}", when(e)),
                            None => "until lock".into(),
                        }
                    );
                }
            }
            ExitCode::SUCCESS
        }),
        GrantsCmd::Revoke { id } => with_backend(ctx, |b| b.grant_revoke(&id)).map(|g| {
            if out.json {
                out.result(&g);
            } else {
                println!("revoked grant {}", g.id);
            }
            ExitCode::SUCCESS
        }),
    };
    finish(out, r)
}

// ---------------------------------------------------------------------------------------
// endpoint serve
// ---------------------------------------------------------------------------------------

pub fn endpoint(cmd: EndpointCmd, ctx: &CliContext) -> ExitCode {
    let out = &ctx.out;
    match cmd {
        EndpointCmd::Serve { port, unlock } => finish(out, serve(port, unlock, ctx)),
        EndpointCmd::Pair {
            name,
            save,
            keys,
            origin,
            url,
        } => finish(out, pair_here(name, save, keys, origin, url, ctx)),
    }
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
        endpoint::broker::register_app(&mut vault, &secret, &name, origin, keys, now())?;
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
    let id = vault.vault_id().expect("an existing vault").to_owned();
    let socket = keyward_vault::paths::socket_path(&id)?;
    ctx.refuse_running_agent(&id)?;
    vault.set_actor("endpoint");
    if unlock || !vault.needs_passphrase() {
        let pass = ctx.passphrase_for(&vault)?;
        vault.unlock_with(pass.as_ref().map(|p| p.as_str()))?;
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
        spawn_terminal(broker.clone(), rx, json);
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

/// Open prompts in order, with the moment each was shown.
struct Open {
    items: Vec<(PromptItem, Instant)>,
}

impl Open {
    /// The prompt an answer is for: the one named, or, for a bare `y`/`n`, the only one
    /// open. With several open a bare answer decides nothing: the user may have read another
    /// prompt than the one the terminal would pick. Otherwise why not, with the open ids.
    fn target(&self, id: Option<&str>) -> Result<(PromptItem, Instant), String> {
        match (id, self.items.as_slice()) {
            (Some(id), items) => items
                .iter()
                .find(|(i, _)| i.id() == id)
                .cloned()
                .ok_or_else(|| "no such prompt is open".to_owned()),
            (None, []) => Err("no prompt is open".to_owned()),
            (None, [one]) => Ok(one.clone()),
            (None, items) => {
                let list: Vec<String> = items
                    .iter()
                    .map(|(i, _)| {
                        let what = match i {
                            PromptItem::Request(p) => format!("{} from {}", p.title, p.app.name),
                            PromptItem::Pairing(p) => format!("pairing “{}”", p.app_name),
                        };
                        format!("  {}  {}", escape_field(i.id()), escape_field(&what))
                    })
                    .collect();
                Err(format!(
                    "{} prompts are open: answer `approve ID` or `deny ID` for the one you read:\n{}",
                    items.len(),
                    list.join("\n")
                ))
            }
        }
    }
}

fn describe(item: &PromptItem) -> String {
    let mut s = String::new();
    match item {
        PromptItem::Request(p) => {
            // Every value below is escaped by the broker (the app's name, its executable, the
            // blocks); the origin is a parsed URL origin. Escaped again here all the same: a
            // terminal executes what it prints.
            let e = escape_field;
            s += &format!("\n── request {} ──\n{}\n", e(&p.id), e(&p.title));
            s += &format!("  from   {}", e(&p.app.name));
            if let Some(exe) = &p.app.exe {
                s += &format!(" ({})", e(&exe.to_string_lossy()));
            }
            s += "\n";
            if let Some(o) = &p.origin {
                if p.link {
                    s += &format!("  answer goes to {} (and only there)\n", e(o));
                    s += "  (opened by a link: Keyward cannot tell which app made it)\n";
                } else if p.origin_verified {
                    s += &format!("  origin {} (verified: the browser's Origin)\n", e(o));
                } else {
                    s += &format!("  origin {} (claimed by the app, not verified)\n", e(o));
                }
            }
            s += &format!(
                "  key    {} ({}, {})\n",
                e(&p.key.label),
                p.key.alg,
                e(&p.key.id)
            );
            // Who asks with which key is said once, above; the blocks from here say what.
            for b in p.blocks.iter().skip(p.payload_from) {
                match b {
                    Block::Title { .. } => {}
                    Block::Field { label, value } => {
                        s += &format!("  {}: {}\n", e(label), e(value))
                    }
                    Block::Host {
                        label,
                        ascii,
                        unicode,
                    } => {
                        s += &format!("  {}: {}", e(label), e(ascii));
                        if let Some(u) = unicode {
                            s += &format!(" (shown as {})", e(u));
                        }
                        s += "\n";
                    }
                    Block::Text { label, text, .. } => {
                        s += &format!("  {}:\n", e(label));
                        for line in text.lines() {
                            s += &format!(
                                "    | {}\n",
                                keyward_approval::decode::escape_text(line).0
                            );
                        }
                    }
                    Block::Hex { label, hex } => s += &format!("  {}: {}\n", e(label), e(hex)),
                    Block::Notice { text } => s += &format!("  ! {}\n", e(text)),
                }
            }
            for v in &p.verdicts {
                s += &format!("  [{:?}] {}\n", v.level, e(&v.message));
            }
            if p.locked {
                s += "  (the vault is locked: approving asks for the passphrase)\n";
            }
            if p.grantable {
                s += "  grant with: approve ID 5m | approve ID lock\n";
            }
            s += &format!(
                "  expires in {} s — approve? [y/N] (approve {id} / deny {id})\n",
                p.expires_at - now(),
                id = e(&p.id)
            );
        }
        PromptItem::Pairing(p) => {
            s += &format!(
                "\n── pairing {} ──\n“{}” asks to pair{}\n  code {}  (check that the app shows the same code)\n",
                escape_field(&p.id),
                escape_field(&p.app_name),
                p.origin
                    .as_deref()
                    .map(|o| format!(" from {}", escape_field(o)))
                    .unwrap_or_default(),
                escape_field(&p.code)
            );
            if let Some(k) = &p.keys {
                let k: Vec<String> = k.iter().map(|k| escape_field(k)).collect();
                s += &format!("  keys asked for: {}\n", k.join(", "));
            }
            s += &format!(
                "  pair? [y/N] (approve {id} / deny {id})\n",
                id = escape_field(&p.id)
            );
        }
    }
    s
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn spawn_terminal(
    broker: Arc<Broker>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<ApproverEvent>,
    json: bool,
) {
    let open = Arc::new(Mutex::new(Open { items: Vec::new() }));
    let shown = open.clone();
    let broker_shown = broker.clone();
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            let mut o = shown.lock().unwrap_or_else(|p| p.into_inner());
            match ev {
                ApproverEvent::Open(item) => {
                    if let PromptItem::Request(p) = &*item {
                        broker_shown.mark_shown(&p.id);
                    }
                    if json {
                        println!("{}", json!({"event": "prompt", "prompt": &*item}));
                    } else {
                        eprint!("{}", describe(&item));
                    }
                    o.items.push((*item, Instant::now()));
                }
                ApproverEvent::UnlockNeeded => {
                    if json {
                        println!("{}", json!({"event": "unlock_needed"}));
                    } else {
                        eprintln!(
                            "\nan app is waiting: unlock the vault (keyward-cli unlock) so the endpoint can check who it is"
                        );
                    }
                }
                ApproverEvent::Close(id, why) => {
                    o.items.retain(|(i, _)| i.id() != id);
                    if json {
                        println!("{}", json!({"event": "closed", "id": id, "why": why}));
                    } else if why != Closed::Decided {
                        eprintln!("\n(prompt {id} closed: {why:?})");
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            let words: Vec<&str> = line.split_whitespace().collect();
            let (approve, id, grant) = match words.as_slice() {
                [] => continue,
                [w] if matches!(*w, "y" | "yes") => (true, None, None),
                [w] if matches!(*w, "n" | "no") => (false, None, None),
                ["approve", id] => (true, Some(*id), None),
                ["approve", id, g] => (true, Some(*id), Some(*g)),
                ["deny", id] => (false, Some(*id), None),
                _ => {
                    eprintln!("answer y, n, approve ID [once|5m|lock] or deny ID");
                    continue;
                }
            };
            let target = open.lock().unwrap_or_else(|p| p.into_inner()).target(id);
            let (item, shown_at) = match target {
                Ok(t) => t,
                Err(why) => {
                    if json {
                        println!("{}", json!({"event": "unanswered", "why": why}));
                    }
                    eprintln!("{why}");
                    continue;
                }
            };
            if shown_at.elapsed() < Duration::from_secs(1) {
                eprintln!("too soon: read the prompt, then answer again");
                continue;
            }
            let result = match &item {
                PromptItem::Pairing(p) => broker.decide_pairing(&p.id, approve, None),
                PromptItem::Request(p) => {
                    let grant = match grant.map(|g| GrantSpec::parse(g, None)).transpose() {
                        Ok(g) => g,
                        Err(e) => {
                            eprintln!("{e}");
                            continue;
                        }
                    };
                    let pass = if approve && broker.locked() {
                        match crate::secrets::passphrase("Passphrase to unlock: ") {
                            Ok(p) => Some(p),
                            Err(e) => {
                                eprintln!("error: {e}");
                                continue;
                            }
                        }
                    } else {
                        None
                    };
                    broker.decide(
                        DecideInput {
                            request_id: p.id.clone(),
                            rendered_hash: p.rendered_hash.clone(),
                            approved: approve,
                            grant,
                        },
                        pass,
                    )
                }
            };
            match result {
                Ok(()) if json => println!(
                    "{}",
                    json!({"event": "decided", "id": item.id(), "approved": approve})
                ),
                Ok(()) => eprintln!("{}", if approve { "approved" } else { "denied" }),
                Err(e) if json => println!(
                    "{}",
                    json!({"event": "error", "id": item.id(), "error": e.body()})
                ),
                Err(e) => eprintln!("error: {e} ({})", e.code()),
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// request … (the client)
// ---------------------------------------------------------------------------------------

pub fn request(cmd: RequestCmd, ctx: &CliContext) -> ExitCode {
    let out = &ctx.out;
    finish(out, run_request(cmd, out))
}

fn run_request(cmd: RequestCmd, out: &Out) -> Result<ExitCode, EndpointError> {
    match cmd {
        RequestCmd::Status { url, credentials } => {
            let creds = credentials.as_deref().map(Credentials::load).transpose()?;
            let url = url
                .or_else(|| creds.as_ref().map(|c| c.url.clone()))
                .unwrap_or_else(default_url);
            let pinned = creds.as_ref().map(key_of).transpose()?;
            let st = Client::new(&url)?.status(pinned.as_ref())?;
            if out.json {
                out.result(&st);
            } else {
                println!(
                    "{} {} at {url}: {}",
                    st.service,
                    st.version,
                    if st.locked { "locked" } else { "unlocked" }
                );
            }
        }
        RequestCmd::Link { link, url, check } => {
            if check {
                let parsed = keyward_approval::endpoint::link::parse(&link, true, now())?;
                if out.json {
                    out.result(&parsed);
                } else {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&parsed).unwrap_or_default()
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let url = url.unwrap_or_else(default_url);
            let outcome = Client::new(&url)?.open_link(&link, None)?;
            if out.json {
                out.result(&outcome);
            } else {
                // The answer went to the link's callback only: that is what the user was told.
                match (&outcome.delivered, &outcome.delivery_error) {
                    (Some(status), _) => {
                        println!(
                            "approved; the answer was posted to the link's callback: HTTP {status}"
                        )
                    }
                    (_, Some(e)) => eprintln!(
                        "approved, but not delivered to the link's callback: {}",
                        escape_field(e)
                    ),
                    _ => println!("approved"),
                }
            }
        }
        RequestCmd::Pair {
            name,
            save,
            keys,
            url,
        } => {
            if save.exists() {
                return Err(usage(format!(
                    "{} exists; choose a new file",
                    save.display()
                )));
            }
            let url = url.unwrap_or_else(default_url);
            let json = out.json;
            let creds = Client::new(&url)?.pair(&name, keys, |code| {
                if json {
                    println!("{}", json!({"event": "code", "code": code}));
                } else {
                    eprintln!("pairing code {code}: check that Keyward shows the same, then approve there");
                }
            })?;
            creds.save(&save)?;
            if json {
                out.result(
                    &json!({"app_id": creds.app_id, "credentials": save.display().to_string()}),
                );
            } else {
                println!(
                    "paired as {} (app {}); credentials in {}",
                    name,
                    creds.app_id,
                    save.display()
                );
            }
        }
        RequestCmd::Sign {
            conn,
            key,
            scheme,
            message,
            hex,
            digest,
        } => {
            let scheme = Scheme::parse(&scheme).map_err(EndpointError::Crypto)?;
            let (kind, message, payload_hex) = match (message, hex, digest) {
                (Some(m), None, None) => (Kind::SignMessage { scheme }, Some(m), None),
                (None, Some(h), None) => (Kind::SignMessage { scheme }, None, Some(h)),
                (None, None, Some(d)) => (Kind::SignDigest { scheme }, None, Some(d)),
                _ => return Err(usage("give one of --message, --hex or --digest")),
            };
            ask(out, &conn, key, kind, message, payload_hex)?;
        }
        RequestCmd::Siwe {
            conn,
            key,
            message,
            message_file,
        } => {
            let text = match (message, message_file) {
                (Some(m), None) => m,
                (None, Some(f)) => std::fs::read_to_string(&f)
                    .map_err(|e| usage(format!("cannot read {}: {e}", f.display())))?,
                _ => return Err(usage("give --message or --message-file")),
            };
            ask(out, &conn, key, Kind::SiweLogin, Some(text), None)?;
        }
        RequestCmd::Jwt {
            conn,
            key,
            alg,
            aud,
            sub,
            claim,
            exp,
        } => {
            let alg = JwsAlg::parse(&alg)
                .ok_or_else(|| usage(format!("unknown JWT algorithm {alg:?}")))?;
            let exp_secs = keyward_crypto::jwt::parse_duration(&exp)?;
            let mut claims = serde_json::Map::new();
            for c in &claim {
                let (k, v) = keyward_crypto::jwt::parse_claim(c)?;
                claims.insert(k, v);
            }
            let template = JwtTemplate {
                alg,
                aud,
                sub,
                claims,
                exp_secs,
            };
            ask(out, &conn, key, Kind::MintJwt { template }, None, None)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn key_of(c: &Credentials) -> Result<[u8; 32], EndpointError> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&c.endpoint_key)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
        .ok_or_else(|| usage("the credentials' endpoint key is not 32 bytes"))
}

fn ask(
    out: &Out,
    conn: &Conn,
    key: String,
    kind: Kind,
    message: Option<String>,
    payload_hex: Option<String>,
) -> Result<(), EndpointError> {
    let creds = Credentials::load(&conn.credentials)?;
    let body = endpoint::wire::AskBody {
        key,
        kind,
        message,
        payload_hex,
        origin: conn.origin.clone(),
        ttl_secs: Some(conn.ttl),
    };
    let answer = Client::new(&creds.url)?.ask(&creds, &body)?;
    if out.json {
        out.result(&answer);
    } else if let Some(t) = &answer.token {
        println!("{t}");
    } else if let Some(s) = &answer.signature {
        println!("{s}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_approval::endpoint::broker::{KeyView, PromptView};
    use keyward_approval::AppIdentity;
    use keyward_crypto::KeyAlg;

    fn view(name: &str, exe: &str, origin: &str) -> PromptItem {
        PromptItem::Request(PromptView {
            id: "req-1".into(),
            kind: "sign_message",
            title: "Sign a message".into(),
            app: AppIdentity {
                name: name.into(),
                exe: Some(exe.into()),
                pid: Some(7),
            },
            origin: Some(origin.into()),
            origin_verified: false,
            key: KeyView {
                id: "k1".into(),
                label: "eth".into(),
                alg: KeyAlg::Secp256k1,
            },
            blocks: vec![Block::Text {
                label: "Message".into(),
                text: "hello\u{1b}[8m".into(),
                escaped: 0,
            }],
            payload_from: 0,
            rendered_hash: "h".into(),
            verdicts: vec![],
            created_at: 0,
            expires_at: 60,
            locked: false,
            grantable: false,
            link: false,
        })
    }

    /// Security review #6: whatever reaches the terminal approver is printed escaped, even a
    /// view the broker did not escape: no terminal escape, no bidi control, no forged line.
    #[test]
    fn the_terminal_prompt_prints_attacker_text_escaped() {
        let text = describe(&view(
            "tool\u{1b}[2J",
            "/tmp/evil\u{1b}]0;x\u{7}\u{202E}gpj.exe",
            "https://app.example\n  expires in 118 s — approve? [y/N] \u{1b}[8m",
        ));
        for bad in ['\u{1b}', '\u{7}', '\u{202E}'] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
        }
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("expires in"))
                .count(),
            1,
            "a forged prompt line: {text}"
        );
        assert!(text.contains("claimed by the app, not verified"), "{text}");
    }

    fn open_items(n: usize) -> Open {
        Open {
            items: (0..n)
                .map(|i| {
                    let mut v = view("tool", "/usr/bin/tool", "https://a.example");
                    if let PromptItem::Request(p) = &mut v {
                        p.id = format!("req-{i}");
                    }
                    (v, Instant::now())
                })
                .collect(),
        }
    }

    /// Security review #3: a bare answer decides only the one prompt open.
    #[test]
    fn a_bare_answer_needs_exactly_one_prompt_open() {
        assert!(open_items(0).target(None).is_err());
        assert_eq!(open_items(1).target(None).unwrap().0.id(), "req-0");
        let why = open_items(2).target(None).unwrap_err();
        assert!(why.contains("req-0") && why.contains("req-1"), "{why}");
        assert_eq!(open_items(2).target(Some("req-1")).unwrap().0.id(), "req-1");
        assert!(open_items(2).target(Some("req-9")).is_err());
    }
}
