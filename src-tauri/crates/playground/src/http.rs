//! What every playground service shares on the HTTP side: error bodies, the `Date` header from
//! the (possibly shifted) server clock, one log line per request, timestamps.

use std::io::Write as _;
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::header::DATE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::Clock;

/// Largest request body accepted (Fastify's default `bodyLimit`, which Engine keeps).
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// An error answer.
///
/// 401 has Engine's auth-hook shape `{"error":"Unauthorized","message":…}`; every other status
/// has Engine's error-handler shape `{"error":{"code":…,"message":…,"statusCode":…}}`.
#[derive(Debug)]
pub(crate) enum ApiError {
    Unauthorized(String),
    Status {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
}

impl ApiError {
    pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::Unauthorized(message.into())
    }

    pub(crate) fn status(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Status {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::status(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized(message) => (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": "Unauthorized", "message": message })),
            )
                .into_response(),
            ApiError::Status {
                status,
                code,
                message,
            } => (
                status,
                Json(json!({
                    "error": { "code": code, "message": message, "statusCode": status.as_u16() }
                })),
            )
                .into_response(),
        }
    }
}

/// The answer for a path (or method) no route serves.
pub(crate) async fn not_found(request: Request) -> ApiError {
    ApiError::status(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!(
            "Route {}:{} not found",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Sets `Date` on every response from the server clock (shifted by `--date-offset`); hyper only
/// adds its own when the response has none.
pub(crate) async fn date_header(
    State(clock): State<Clock>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(clock.now())) {
        response.headers_mut().insert(DATE, value);
    }
    response
}

/// One line per request on stderr: method, path (never the query string), status. Never headers
/// or bodies, which carry tokens.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    // A closed stderr must not take the server down.
    let _ = writeln!(
        std::io::stderr(),
        "{method} {path} {}",
        response.status().as_u16()
    );
    response
}

/// `time` as JS `Date.prototype.toISOString()` writes it: `2026-11-03T09:15:02.123Z`.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from(time)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iso8601_matches_to_iso_string() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(iso8601(t), "2023-11-14T22:13:20.123Z");
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000);
        assert_eq!(iso8601(t), "2096-10-02T07:06:40.000Z");
    }
}
