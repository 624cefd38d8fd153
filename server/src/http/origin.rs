//! The browser origin policy for `/ws` and the API.
//!
//! A browser names the page that makes a request in `Origin`; another site's page could
//! otherwise open a socket to this server or call its API with whatever the browser holds.
//! Allowed: no `Origin` (bots, curl, server-side clients: they hold no victim's credentials),
//! the server's own origin, and the origins listed with `--allow-origin`. Everything else
//! gets 403.
//!
//! The server's own origin is, in order: the `--public-url`; else the address it listens on,
//! when that is a specific IP (with `localhost` for a loopback one); else, bound to every
//! interface, whatever the request's `Host` says. Only that last case trusts a header the
//! page's own DNS controls, so a DNS-rebinding page (`evil.example` re-pointed at this
//! server) passes it; `--public-url` closes it.
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
use std::net::SocketAddr;

/// What the server knows of its own origin.
#[derive(Debug, Clone, Copy)]
pub enum Own<'a> {
    /// `--public-url` (`https://quiz.example.org`, perhaps with a path).
    PublicUrl(&'a str),
    /// The specific address it listens on.
    Bound(SocketAddr),
    /// Nothing better than the request's `Host`.
    Host,
}

impl Own<'_> {
    pub fn of(app: &App) -> Own<'_> {
        if let Some(url) = &app.config().public_url {
            return Own::PublicUrl(url);
        }
        match app.bound_addr() {
            Some(addr) if !addr.ip().is_unspecified() => Own::Bound(addr),
            _ => Own::Host,
        }
    }
}

/// Whether a request with these headers may proceed.
pub fn allowed(headers: &HeaderMap, allow: &[String], own: Own<'_>) -> bool {
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
    // scheme://host[:port]
    let Some(authority) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    match own {
        Own::PublicUrl(url) => {
            let scheme_len = url.find("://").map_or(0, |i| i + 3);
            let end = url[scheme_len..]
                .find('/')
                .map_or(url.len(), |i| scheme_len + i);
            url[..end].eq_ignore_ascii_case(origin)
        }
        Own::Bound(addr) => {
            let port = addr.port();
            authority.eq_ignore_ascii_case(&addr.to_string())
                || (addr.ip().is_loopback()
                    && ["localhost", "127.0.0.1", "[::1]"]
                        .iter()
                        .any(|h| authority.eq_ignore_ascii_case(&format!("{h}:{port}"))))
        }
        Own::Host => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            host.is_some_and(|h| authority.eq_ignore_ascii_case(h))
        }
    }
}

/// Refuses a request from a foreign origin with 403 before it reaches a handler.
pub async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    if allowed(req.headers(), &app.config().allow_origins, Own::of(&app)) {
        return next.run(req).await;
    }
    tracing::info!(origin = ?req.headers().get(header::ORIGIN), "foreign origin refused");
    (
        StatusCode::FORBIDDEN,
        Json(json!({"error": {
            "code": ErrorCode::Forbidden,
            "message": "this page's origin is not allowed here; the server's operator can allow it with --allow-origin or --public-url",
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
        let allowed = |h: &HeaderMap, a: &[String]| allowed(h, a, Own::Host);
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

    #[test]
    fn a_public_url_or_a_specific_bind_address_is_the_only_own_origin() {
        let none: Vec<String> = vec![];
        let rebound = headers(Some("http://evil:8080"), "evil:8080");
        let public = Own::PublicUrl("https://quiz.example.org/quiz");
        assert!(!allowed(&rebound, &none, public));
        assert!(allowed(
            &headers(Some("https://quiz.example.org"), "evil:8080"),
            &none,
            public
        ));
        assert!(!allowed(
            &headers(Some("http://quiz.example.org"), "quiz.example.org"),
            &none,
            public
        ));
        let lan = Own::Bound("192.168.1.5:8080".parse().expect("addr"));
        assert!(!allowed(&rebound, &none, lan));
        assert!(allowed(
            &headers(Some("http://192.168.1.5:8080"), "192.168.1.5:8080"),
            &none,
            lan
        ));
        assert!(!allowed(
            &headers(Some("http://localhost:8080"), "localhost:8080"),
            &none,
            lan
        ));
        let local = Own::Bound("127.0.0.1:8080".parse().expect("addr"));
        assert!(allowed(
            &headers(Some("http://localhost:8080"), "localhost:8080"),
            &none,
            local
        ));
        assert!(!allowed(
            &headers(Some("http://localhost:9090"), "localhost:9090"),
            &none,
            local
        ));
        assert!(
            allowed(&rebound, &["http://evil:8080".into()], local),
            "listed"
        );
    }
}
