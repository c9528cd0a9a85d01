//! One HTTP client for every service: timeouts, retries for idempotent methods only (a POST
//! that may have reached the server is never sent twice), and the server's clock from its
//! `Date` header, so a short-lived token refused as expired can be explained as clock skew.

use crate::error::{Result, ServiceError};
use std::time::{Duration, SystemTime};

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Whole-request timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts for an idempotent request (the first plus retries).
pub const ATTEMPTS: u32 = 3;
/// Clock difference worth reporting, in seconds (Engine tokens live 15 s, checked with no
/// leeway).
pub const SKEW_LIMIT_SECS: i64 = 5;

/// A request. Header values may hold credentials: the type is deliberately not `Debug`.
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl HttpRequest {
    pub fn new(method: &str, url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: method.to_ascii_uppercase(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> HttpRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> HttpRequest {
        self.header("authorization", format!("Bearer {token}"))
    }

    pub fn json_body(mut self, body: Vec<u8>) -> HttpRequest {
        self.body = Some(body);
        self.header("content-type", "application/json")
    }

    /// GET, HEAD, PUT, DELETE and OPTIONS may be repeated (RFC 9110 §9.2.2); POST and PATCH not.
    pub fn idempotent(&self) -> bool {
        matches!(
            self.method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        )
    }
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The server's clock minus ours, in whole seconds, from its `Date` header.
    pub clock_offset_secs: Option<i64>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body).map_err(|_| {
            ServiceError::BadResponse(format!("HTTP {} with a body that is not JSON", self.status))
        })
    }

    /// `ClockSkew` when the server's clock is off ours by `SKEW_LIMIT_SECS` or more.
    pub fn skew(&self) -> Option<ServiceError> {
        self.clock_offset_secs
            .filter(|o| o.abs() >= SKEW_LIMIT_SECS)
            .map(|offset_secs| ServiceError::ClockSkew { offset_secs })
    }
}

/// The server's clock minus ours, from an RFC 9110 `Date` header value.
pub fn clock_offset(date: &str, now: SystemTime) -> Option<i64> {
    let server = httpdate::parse_http_date(date).ok()?;
    Some(match server.duration_since(now) {
        Ok(ahead) => ahead.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}

/// What every service client sends requests through (tests can put a fake behind it).
pub trait HttpClient: Send + Sync {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse>;
}

/// The real client: reqwest (blocking), rustls.
pub struct ReqwestClient {
    client: reqwest::blocking::Client,
    backoff: Duration,
}

impl ReqwestClient {
    pub fn new() -> Result<ReqwestClient> {
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("keyward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ServiceError::Unreachable {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(ReqwestClient {
            client,
            backoff: Duration::from_millis(250),
        })
    }

    fn once(&self, req: &HttpRequest) -> std::result::Result<HttpResponse, (ServiceError, bool)> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            (
                ServiceError::BadProfile(format!("bad HTTP method {}", req.method)),
                false,
            )
        })?;
        let mut rb = self.client.request(method, &req.url);
        for (k, v) in &req.headers {
            rb = rb.header(k, v);
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let resp = rb.send().map_err(|e| {
            let retry = e.is_connect() || e.is_timeout();
            let err = if e.is_timeout() {
                ServiceError::Timeout {
                    url: req.url.clone(),
                    secs: REQUEST_TIMEOUT.as_secs(),
                }
            } else {
                ServiceError::Unreachable {
                    url: req.url.clone(),
                    // reqwest's message can carry the URL, never headers.
                    reason: e.to_string(),
                }
            };
            (err, retry)
        })?;
        let now = SystemTime::now();
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let clock_offset_secs = headers
            .iter()
            .find(|(k, _)| k == "date")
            .and_then(|(_, v)| clock_offset(v, now));
        let body = resp
            .bytes()
            .map_err(|e| (ServiceError::BadResponse(e.to_string()), false))?
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
            clock_offset_secs,
        })
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, req: &HttpRequest) -> Result<HttpResponse> {
        let attempts = if req.idempotent() { ATTEMPTS } else { 1 };
        let mut wait = self.backoff;
        let mut last = None;
        for attempt in 1..=attempts {
            match self.once(req) {
                Ok(r) if matches!(r.status, 429 | 502 | 503 | 504) && attempt < attempts => {
                    last = Some(Ok(r));
                }
                Ok(r) => return Ok(r),
                Err((e, retry)) if retry && attempt < attempts => last = Some(Err(e)),
                Err((e, _)) => return Err(e),
            }
            std::thread::sleep(wait);
            wait *= 2;
        }
        last.expect("at least one attempt")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_offset_from_the_date_header() {
        let now = httpdate::parse_http_date("Sun, 22 Nov 2026 06:00:00 GMT").unwrap();
        assert_eq!(clock_offset("Sun, 22 Nov 2026 06:00:30 GMT", now), Some(30));
        assert_eq!(
            clock_offset("Sun, 22 Nov 2026 05:59:00 GMT", now),
            Some(-60)
        );
        assert_eq!(clock_offset("yesterday", now), None);
    }

    #[test]
    fn only_idempotent_methods_are_retried() {
        assert!(HttpRequest::new("get", "http://x").idempotent());
        assert!(HttpRequest::new("DELETE", "http://x").idempotent());
        assert!(!HttpRequest::new("POST", "http://x").idempotent());
        assert!(!HttpRequest::new("PATCH", "http://x").idempotent());
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A server on 127.0.0.1 answering 503 to the first `fail` connections, then 200; counts them.
    fn server(fail: usize) -> (String, Arc<AtomicUsize>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let mut s = s.unwrap();
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let n = c.fetch_add(1, Ordering::SeqCst);
                let (status, body) = if n < fail {
                    ("503 Service Unavailable", "{}")
                } else {
                    ("200 OK", "{\"ok\":true}")
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes());
            }
        });
        (url, count)
    }

    fn client() -> ReqwestClient {
        let mut c = ReqwestClient::new().unwrap();
        c.backoff = Duration::from_millis(10);
        c
    }

    #[test]
    fn get_is_retried_and_post_is_not() {
        let (url, count) = server(2);
        let r = client()
            .send(&HttpRequest::new("GET", format!("{url}/x")))
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(count.load(Ordering::SeqCst), 3);

        let (url, count) = server(2);
        let r = client()
            .send(&HttpRequest::new("POST", format!("{url}/x")).json_body(b"{}".to_vec()))
            .unwrap();
        assert_eq!(r.status, 503, "a POST is sent once");
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_servers_clock_is_read_from_date() {
        let (url, _) = server(0);
        let r = client().send(&HttpRequest::new("GET", url)).unwrap();
        // The server says 1994: decades behind this machine.
        assert!(r.clock_offset_secs.unwrap() < -365 * 24 * 3600);
        assert!(matches!(r.skew(), Some(ServiceError::ClockSkew { .. })));
    }

    #[test]
    fn a_closed_port_is_unreachable() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = client()
            .send(&HttpRequest::new(
                "POST",
                format!("http://127.0.0.1:{port}/"),
            ))
            .err()
            .unwrap();
        assert_eq!(keyward_crypto::Coded::code(&e), "service.unreachable");
    }
}
