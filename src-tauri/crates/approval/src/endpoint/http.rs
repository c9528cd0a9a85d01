//! The HTTP face of the broker (axum, 127.0.0.1 only).
//!
//! One gate runs before every route: it refuses a foreign `Host` (DNS rebinding), reads the
//! body up to the limit, authenticates `/v1/requests` (MAC over a single-use server nonce),
//! applies the `Origin` rules, and answers browser preflights for paired origins only
//! (never `Access-Control-Allow-Origin: *`). After the route, it signs the response with the
//! endpoint key over the nonce the request named, so an impostor on the port cannot answer.

use std::future::Future;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use keyward_crypto::Coded;
use serde::Deserialize;

use super::broker::{AppRecord, Broker, Peer};
use super::error::EndpointError;
use super::wire::{
    AskBody, ErrorReply, LinkBody, NonceReply, PairBody, StatusReply, H_APP, H_CHALLENGE, H_MAC,
    H_NONCE, H_SIGNATURE, MAX_CHALLENGE,
};
use crate::auth::{self, AuthError};

/// Who is at the other end of a Unix socket connection (kernel-reported).
#[derive(Debug, Clone, Copy)]
pub struct UnixPeer {
    /// The peer's user id.
    pub uid: u32,
    /// The peer's process id, when the kernel knows it.
    pub pid: Option<u32>,
}

impl
    axum::extract::connect_info::Connected<
        axum::serve::IncomingStream<'_, tokio::net::UnixListener>,
    > for UnixPeer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, tokio::net::UnixListener>) -> Self {
        match stream.io().peer_cred() {
            Ok(c) => UnixPeer {
                uid: c.uid(),
                pid: c.pid().and_then(|p| u32::try_from(p).ok()),
            },
            // Unknown peer: an impossible uid, refused by the gate.
            Err(_) => UnixPeer {
                uid: u32::MAX,
                pid: None,
            },
        }
    }
}

/// Who is at the other end of a loopback TCP connection: its address, and the user owning its
/// socket (from `/proc/net/tcp*`, read once when the connection is accepted; `None` when its
/// row cannot be found).
#[derive(Debug, Clone, Copy)]
pub struct TcpPeer {
    /// The peer's address.
    pub addr: std::net::SocketAddr,
    /// The peer socket's user id.
    pub uid: Option<u32>,
}

impl
    axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, tokio::net::TcpListener>>
    for TcpPeer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        let addr = *stream.remote_addr();
        let uid = stream
            .io()
            .local_addr()
            .ok()
            .and_then(|local| super::peer::tcp_uid(addr, local));
        TcpPeer { addr, uid }
    }
}

/// The executable of process `pid`, when it can be read.
fn exe_of(pid: u32) -> Option<std::path::PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// An authenticated caller, put in the request's extensions by the gate.
#[derive(Clone)]
struct Authed {
    app: AppRecord,
    origin: Option<String>,
    /// Who is at the other end.
    peer: Peer,
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn error_response(e: &EndpointError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(ErrorReply { error: e.body() })).into_response()
}

/// The routes, behind the gate.
pub fn router(broker: Arc<Broker>) -> Router {
    Router::new()
        .route("/v1/status", get(status))
        .route("/v1/nonce", post(nonce))
        .route("/v1/pair", post(pair))
        .route("/v1/pair/{id}", get(pair_wait))
        .route("/v1/requests", post(requests))
        .route("/v1/links", post(links))
        .fallback(|| async { error_response(&EndpointError::NotFound("route".into())) })
        .layer(axum::middleware::from_fn_with_state(broker.clone(), gate))
        .with_state(broker)
}

/// Routes any browser origin may call (the prompt shows the origin); every other route
/// takes a browser only from a paired origin.
fn open_to_any_origin(path: &str) -> bool {
    path == "/v1/nonce" || path == "/v1/pair" || path.starts_with("/v1/pair/")
}

async fn gate(State(b): State<Arc<Broker>>, req: axum::extract::Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let answer_nonce = header(&parts.headers, H_NONCE)
        .or_else(|| header(&parts.headers, H_CHALLENGE))
        .filter(|n| n.len() <= MAX_CHALLENGE)
        .unwrap_or("")
        .to_owned();
    let origin = header(&parts.headers, "origin").map(str::to_owned);
    let path = parts.uri.path().to_owned();
    let mut caller = "unauthenticated".to_owned();
    let mut allow_origin = None;

    let unix = parts
        .extensions
        .get::<axum::extract::ConnectInfo<UnixPeer>>()
        .map(|c| c.0);
    let tcp = parts
        .extensions
        .get::<axum::extract::ConnectInfo<TcpPeer>>()
        .map(|c| c.0);
    let outcome: Result<Response, EndpointError> = async {
        match unix {
            // A Unix socket is out of a browser's reach (no DNS rebinding): the peer's uid is
            // what counts.
            Some(peer) => {
                if peer.uid != rustix::process::getuid().as_raw() {
                    return Err(EndpointError::PeerRejected(peer.uid));
                }
            }
            None => {
                // Loopback TCP is open to every account on the machine: answer only ours.
                // A peer whose socket row could not be read is refused too. (Read once per
                // connection, when it is accepted: `TcpPeer`.)
                if let Some(peer) = tcp {
                    if peer.uid != Some(rustix::process::getuid().as_raw()) {
                        return Err(EndpointError::PeerRejected(peer.uid.unwrap_or(u32::MAX)));
                    }
                }
                let host = header(&parts.headers, "host").ok_or(AuthError::ForeignHost)?;
                auth::check_host(host, b.port())?;
            }
        }
        if let Some(o) = &origin {
            if o.trim().eq_ignore_ascii_case("null") {
                return Err(AuthError::ForeignOrigin.into());
            }
        }
        if parts.method == Method::OPTIONS {
            let o = origin.as_deref().ok_or(AuthError::ForeignOrigin)?;
            if !(open_to_any_origin(&path) || b.origin_paired(o)) {
                return Err(AuthError::ForeignOrigin.into());
            }
            allow_origin = Some(o.to_owned());
            return Ok(preflight(&parts.headers));
        }
        let limit = b.config.max_body;
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| EndpointError::TooLarge { limit })?;
        if path == "/v1/requests" {
            let app_id = header(&parts.headers, H_APP).ok_or(AuthError::Unpaired)?;
            let nonce = header(&parts.headers, H_NONCE).ok_or(AuthError::UnknownNonce)?;
            let mac = header(&parts.headers, H_MAC).ok_or(AuthError::BadMac)?;
            let pq = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/v1/requests")
                .to_owned();
            let method = parts.method.as_str().to_owned();
            let (app_id, nonce, mac) = (app_id.to_owned(), nonce.to_owned(), mac.to_owned());
            let b2 = b.clone();
            let body2 = bytes.clone();
            let rec = tokio::task::spawn_blocking(move || {
                b2.authenticate(&app_id, &nonce, &method, &pq, &body2, &mac)
            })
            .await
            .map_err(|e| EndpointError::Unavailable(e.to_string()))??;
            caller = format!("“{}”", rec.app.name);
            auth::check_origin(origin.as_deref(), rec.app.origin.as_deref())?;
            allow_origin = origin.clone();
            let peer = match (unix, tcp) {
                (Some(u), _) => match u.pid {
                    Some(pid) => Peer::Unix {
                        exe: exe_of(pid),
                        pid,
                    },
                    None => Peer::Unknown,
                },
                (None, Some(peer)) => Peer::Tcp(peer.addr),
                (None, None) => Peer::Unknown,
            };
            parts.extensions.insert(Authed {
                app: rec,
                origin: origin.clone(),
                peer,
            });
        } else if let Some(o) = &origin {
            if !(open_to_any_origin(&path) || b.origin_paired(o)) {
                return Err(AuthError::ForeignOrigin.into());
            }
            allow_origin = Some(o.clone());
        }
        let req = axum::extract::Request::from_parts(parts, Body::from(bytes));
        Ok(next.run(req).await)
    }
    .await;

    let resp = match outcome {
        Ok(r) => r,
        Err(e) => {
            b.count_refusal(&caller, e.code());
            error_response(&e)
        }
    };
    sign(&b, resp, &answer_nonce, allow_origin.as_deref()).await
}

fn preflight(h: &HeaderMap) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let out = resp.headers_mut();
    out.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST"),
    );
    out.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(
            "content-type, keyward-app, keyward-nonce, keyward-mac, keyward-challenge",
        ),
    );
    out.insert("access-control-max-age", HeaderValue::from_static("600"));
    if header(h, "access-control-request-private-network") == Some("true") {
        out.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    resp
}

/// Buffers the response, signs it over `nonce` and adds the headers every answer carries.
async fn sign(b: &Broker, resp: Response, nonce: &str, allow_origin: Option<&str>) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_else(|_| Bytes::new());
    let sig = auth::sign_response(b.endpoint_key(), nonce, parts.status.as_u16(), &bytes);
    let h = &mut parts.headers;
    if let Ok(v) = HeaderValue::from_str(nonce) {
        h.insert(H_NONCE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&sig) {
        h.insert(H_SIGNATURE, v);
    }
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Some(o) = allow_origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert("access-control-allow-origin", o);
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("keyward-nonce, keyward-signature"),
        );
        h.insert("vary", HeaderValue::from_static("Origin"));
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, EndpointError> {
    serde_json::from_slice(bytes).map_err(|e| EndpointError::BadRequest(e.to_string()))
}

fn reply<T: serde::Serialize>(r: Result<T, EndpointError>, ok: StatusCode) -> Response {
    match r {
        Ok(v) => (ok, Json(v)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EndpointError> + Send + 'static,
) -> Result<T, EndpointError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| EndpointError::Unavailable(e.to_string()))?
}

async fn status(State(b): State<Arc<Broker>>) -> Response {
    let b2 = b.clone();
    let r = blocking(move || {
        b2.refresh()?;
        Ok(StatusReply {
            service: "keyward".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            api: 1,
            locked: b2.locked(),
        })
    })
    .await;
    reply(r, StatusCode::OK)
}

#[derive(Deserialize)]
struct NonceQuery {
    count: Option<usize>,
}

async fn nonce(State(b): State<Arc<Broker>>, Query(q): Query<NonceQuery>) -> Response {
    let count = q.count.unwrap_or(1);
    if !(1..=1000).contains(&count) {
        return error_response(&EndpointError::BadRequest("count must be 1 to 1000".into()));
    }
    let ttl = b.config.nonce_ttl_secs;
    let r = blocking(move || {
        Ok(NonceReply {
            nonces: b.issue_nonces(count),
            expires_in: ttl,
        })
    })
    .await;
    reply(r, StatusCode::OK)
}

async fn pair(State(b): State<Arc<Broker>>, headers: HeaderMap, body: Bytes) -> Response {
    let origin = header(&headers, "origin").map(str::to_owned);
    let r = match parse::<PairBody>(&body) {
        Err(e) => Err(e),
        Ok(p) => blocking(move || b.start_pairing(p, origin)).await,
    };
    reply(r, StatusCode::ACCEPTED)
}

async fn pair_wait(State(b): State<Arc<Broker>>, Path(id): Path<String>) -> Response {
    reply(b.wait_pairing(&id).await, StatusCode::OK)
}

async fn requests(
    State(b): State<Arc<Broker>>,
    Extension(authed): Extension<Authed>,
    body: Bytes,
) -> Response {
    let r = match parse::<AskBody>(&body) {
        Err(e) => Err(e),
        Ok(ask) => b.ask(authed.app, ask, authed.origin, authed.peer).await,
    };
    reply(r, StatusCode::OK)
}

/// A deep link from a local program: the same path as a link the desktop hands over
/// (rate-limited, shown as an unknown app, never granted). A browser may not post one: pages
/// open links through the browser, which asks the user first.
async fn links(State(b): State<Arc<Broker>>, headers: HeaderMap, body: Bytes) -> Response {
    if header(&headers, "origin").is_some() {
        return error_response(&AuthError::ForeignOrigin.into());
    }
    let r = match parse::<LinkBody>(&body) {
        Err(e) => Err(e),
        Ok(l) => b.open_link(&l.link).await,
    };
    reply(r, StatusCode::OK)
}

/// Binds 127.0.0.1:`port` (0 = any free port).
pub async fn bind(port: u16) -> Result<tokio::net::TcpListener, EndpointError> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| EndpointError::Unavailable(format!("cannot listen on 127.0.0.1:{port}: {e}")))
}

/// Serves the same API on a Unix socket at `path` (mode 0600; only this user's processes are
/// answered, and their executable and pid are shown in prompts) until `shutdown` completes.
pub async fn serve_unix(
    broker: Arc<Broker>,
    path: std::path::PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EndpointError> {
    let unavailable = |e: std::io::Error| {
        EndpointError::Unavailable(format!("cannot serve {}: {e}", path.display()))
    };
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path).map_err(unavailable)?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(unavailable)?;
    let app = router(broker).into_make_service_with_connect_info::<UnixPeer>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    let _ = std::fs::remove_file(&path);
    served.map_err(|e| EndpointError::Unavailable(e.to_string()))
}

/// Serves the broker on `listener` until `shutdown` completes; writes the audit queue every
/// few milliseconds (one transaction per batch) and refusal counts every second.
pub async fn serve(
    broker: Arc<Broker>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), EndpointError> {
    let port = listener
        .local_addr()
        .map_err(|e| EndpointError::Unavailable(e.to_string()))?
        .port();
    broker.set_port(port);
    let flusher = {
        let b = broker.clone();
        tokio::spawn(async move {
            let mut ticks: u64 = 0;
            let every = b.config.audit_flush;
            let per_second = (1000 / every.as_millis().max(1)).max(1) as u64;
            loop {
                tokio::time::sleep(every).await;
                ticks += 1;
                let second = ticks.is_multiple_of(per_second);
                let b2 = b.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    if second {
                        b2.expire_stale();
                    }
                    b2.flush_audit(second)
                })
                .await;
            }
        })
    };
    let app = router(broker.clone()).into_make_service_with_connect_info::<TcpPeer>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    flusher.abort();
    let b2 = broker.clone();
    let _ = tokio::task::spawn_blocking(move || b2.flush_audit(true)).await;
    served.map_err(|e| EndpointError::Unavailable(e.to_string()))
}
