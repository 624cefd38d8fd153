//! The browser origin policy for `/ws` and the API.
//!
//! A browser names the page that makes a request in `Origin`; another site's page could
//! otherwise open a socket to this server or call its API with whatever the browser holds.
//! Allowed: no `Origin` (bots, curl, server-side clients: they hold no victim's credentials),
//! the server's own origin (the `Origin` host equals the request's `Host`), and the origins
//! listed with `--allow-origin`. Everything else gets 403.
//!
//! Host credentials are bearer tokens that the host page keeps in `sessionStorage` and sends
//! in `Authorization` or in the `host` message: the server sets no cookie, so nothing rides on
//! a cross-site request even where an origin is allowed.

use crate::App;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use quizrace_protocol::ErrorCode;
use serde_json::json;

/// Whether a request with these headers may proceed.
pub fn allowed(headers: &HeaderMap, allow: &[String]) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    if allow
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    // Same origin: scheme://host[:port] whose authority is the request's Host.
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

/// Refuses a request from a foreign origin with 403 before it reaches a handler.
pub async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    if allowed(req.headers(), &app.config().allow_origins) {
        return next.run(req).await;
    }
    tracing::info!(origin = ?req.headers().get(header::ORIGIN), "foreign origin refused");
    (
        StatusCode::FORBIDDEN,
        Json(json!({"error": {
            "code": ErrorCode::Forbidden,
            "message": "this page's origin is not allowed here; the server's operator can allow it with --allow-origin",
        }})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, host.parse().expect("host"));
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().expect("origin"));
        }
        h
    }

    #[test]
    fn same_origin_and_no_origin_pass_and_others_need_listing() {
        let none: Vec<String> = vec![];
        assert!(allowed(&headers(None, "quiz.local:8080"), &none));
        assert!(allowed(
            &headers(Some("http://quiz.local:8080"), "quiz.local:8080"),
            &none
        ));
        assert!(!allowed(
            &headers(Some("http://evil.example"), "quiz.local:8080"),
            &none
        ));
        assert!(!allowed(
            &headers(Some("http://quiz.local:8081"), "quiz.local:8080"),
            &none
        ));
        assert!(!allowed(&headers(Some("null"), "quiz.local:8080"), &none));
        let listed = vec!["https://school.example".to_owned()];
        assert!(allowed(
            &headers(Some("https://school.example"), "quiz.local:8080"),
            &listed
        ));
    }
}
