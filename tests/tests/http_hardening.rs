//! HTTP hardening over real sockets: security headers on every response, the origin check
//! against DNS rebinding, framework rejections in the documented error shape, a join QR code
//! no shared cache keeps, and every script the pages load (and import) served.

use quizrace_tests::http::Body;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::TestServer;
use serde_json::Value;
use std::collections::HashMap;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One raw HTTP/1.1 request (`head` without the final blank line); the status, the headers
/// (names lowercased) and the body.
async fn raw(addr: std::net::SocketAddr, head: &str) -> (u16, HashMap<String, String>, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let close = if head.contains("Connection:") {
        ""
    } else {
        "\r\nConnection: close"
    };
    let request = format!("{head}{close}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    // An upgrade answered 101 keeps the socket open: stop at the end of the head then.
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap();
        reply.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&reply);
        if n == 0 || (text.starts_with("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

#[tokio::test]
async fn pages_and_the_api_carry_the_security_headers() {
    let server = TestServer::start().await;
    let addr = server.addr;
    for path in [
        "/",
        "/admin",
        "/host",
        "/js/player.js",
        "/api/leaderboard",
        "/api/me",
    ] {
        let (status, h, _) = raw(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}")).await;
        assert!(matches!(status, 200 | 401), "{path}: {status}");
        let csp = h.get("content-security-policy").map_or("", String::as_str);
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(
                csp.contains(directive),
                "{path}: CSP `{csp}` lacks {directive}"
            );
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").map(String::as_str),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            h.get("referrer-policy").map(String::as_str),
            Some("no-referrer"),
            "{path}"
        );
        assert_eq!(
            h.get("x-frame-options").map(String::as_str),
            Some("DENY"),
            "{path}"
        );
    }
}

/// Every script a page loads, and every module those scripts import, is served as JavaScript:
/// a new file in client-web/js needs its route in server/src/http/pages.rs, or the page that
/// imports it stops working as a whole.
#[tokio::test]
async fn every_script_the_pages_load_is_served() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = Vec::new();
    for page in [
        "/",
        "/host",
        "/present",
        "/editor",
        "/admin",
        "/account",
        "/results",
        "/leaderboard",
    ] {
        let (status, _, body) = raw(addr, &format!("GET {page} HTTP/1.1\r\nHost: {addr}")).await;
        assert_eq!(status, 200, "{page}");
        for rest in body.split("src=\"/js/").skip(1) {
            let file = rest.split('"').next().unwrap_or_default().to_owned();
            if seen.insert(file.clone()) {
                queue.push((file, page.to_owned()));
            }
        }
    }
    while let Some((file, by)) = queue.pop() {
        let path = format!("/js/{file}");
        let (status, h, body) = raw(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}")).await;
        assert_eq!(status, 200, "{path}, loaded by {by}");
        let mime = h.get("content-type").map_or("", String::as_str);
        assert!(mime.starts_with("text/javascript"), "{path}: {mime}");
        for rest in body.split("from \"./").skip(1) {
            let import = rest.split('"').next().unwrap_or_default().to_owned();
            if seen.insert(import.clone()) {
                queue.push((import, path.clone()));
            }
        }
    }
    for module in [
        "stage.js",
        "dom.js",
        "storage.js",
        "protocol.js",
        "common.js",
    ] {
        assert!(seen.contains(module), "no page loads {module}: {seen:?}");
    }
}

#[tokio::test]
async fn with_a_public_url_a_rebound_host_name_is_refused_on_the_socket_and_the_api() {
    let server =
        TestServer::start_with(|c| c.public_url = Some("http://quiz.example:8080".into())).await;
    let addr = server.addr;
    // A page on evil:8080 whose name now resolves to this server: Origin and Host agree.
    let evil = "Host: evil:8080\r\nOrigin: http://evil:8080";
    let (status, _, body) = raw(addr, &format!("GET /api/me HTTP/1.1\r\n{evil}")).await;
    assert_eq!(status, 403, "{body}");
    let upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
    let ws = format!("GET /ws HTTP/1.1\r\n{evil}\r\n{upgrade}");
    let (status, _, _) = raw(addr, &ws).await;
    assert_eq!(status, 403, "a rebound page opened a socket");
    // The public URL's own pages pass (through to the handler: 401 without a token).
    let own = "Host: quiz.example:8080\r\nOrigin: http://quiz.example:8080";
    let (status, _, _) = raw(addr, &format!("GET /api/me HTTP/1.1\r\n{own}")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn without_a_public_url_a_loopback_bind_refuses_a_rebound_host_name() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let evil = format!("Host: evil:{0}\r\nOrigin: http://evil:{0}", addr.port());
    let (status, _, body) = raw(addr, &format!("GET /api/me HTTP/1.1\r\n{evil}")).await;
    assert_eq!(status, 403, "{body}");
    for own in [
        format!("http://{addr}"),
        format!("http://localhost:{}", addr.port()),
    ] {
        let head = format!("GET /api/me HTTP/1.1\r\nHost: {addr}\r\nOrigin: {own}");
        assert_eq!(raw(addr, &head).await.0, 401, "{own}");
    }
}

/// The reply is the documented error shape with a human message and no framework wording.
fn assert_error_shape(status: u16, content_type: &str, body: &str, want: u16, what: &str) {
    assert_eq!(status, want, "{what}: {body}");
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {content_type} {body}"
    );
    let v: Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: not JSON: {body}"));
    let err = &v["error"];
    assert!(
        err["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{what}: {body}"
    );
    let message = err["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{what}: {body}");
    for framework in [
        "Failed to",
        "deserialize",
        "Expected request",
        "Cannot parse",
        "invalid type",
    ] {
        assert!(
            !message.contains(framework),
            "{what}: framework text leaked: {message}"
        );
    }
}

#[tokio::test]
async fn framework_rejections_answer_in_the_documented_error_shape() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let cases: Vec<(&'static str, String, Option<&str>, Body, u16)> = vec![
        (
            "POST",
            "/api/login".into(),
            None,
            Body::Text("text/plain", "{}".into()),
            400,
        ),
        (
            "POST",
            "/api/login".into(),
            None,
            Body::Text("application/json", "{\"username\": 5}".into()),
            400,
        ),
        (
            "POST",
            "/api/login".into(),
            None,
            Body::Text("application/json", "{not json".into()),
            400,
        ),
        (
            "GET",
            "/api/games/abc".into(),
            Some(&admin),
            Body::None,
            400,
        ),
        (
            "GET",
            "/api/quizzes/99999999999999999999999".into(),
            Some(&admin),
            Body::None,
            400,
        ),
        (
            "PATCH",
            "/api/admin/accounts/x".into(),
            Some(&admin),
            Body::Text("application/json", "{}".into()),
            400,
        ),
        (
            "GET",
            "/api/qr.svg?pin=1&pin=2".into(),
            None,
            Body::None,
            400,
        ),
        (
            "POST",
            "/api/quizzes/csv?title=a&title=b".into(),
            Some(&admin),
            Body::Text("text/csv", String::new()),
            400,
        ),
    ];
    for (method, path, token, body, want) in cases {
        let r = http.send(method, &path, token, body).await.unwrap();
        assert_error_shape(
            r.status,
            &r.content_type,
            &r.body,
            want,
            &format!("{method} {path}"),
        );
    }
}

#[tokio::test]
async fn the_join_qr_code_is_cached_privately() {
    let server = TestServer::start().await;
    let addr = server.addr;
    let (status, h, _) = raw(
        addr,
        &format!("GET /api/qr.svg?pin=123456 HTTP/1.1\r\nHost: {addr}"),
    )
    .await;
    assert_eq!(status, 200);
    let cache = h.get("cache-control").map_or("", String::as_str);
    assert!(cache.contains("private"), "Cache-Control: {cache}");
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_in_the_documented_error_shape() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let cases: Vec<(&'static str, &str, u16, &str)> = vec![
        ("GET", "/api/nothing-here", 404, "no_such_endpoint"),
        ("GET", "/api/games/1/nothing", 404, "no_such_endpoint"),
        ("DELETE", "/api/login", 405, "method_not_allowed"),
        ("PUT", "/api/leaderboard", 405, "method_not_allowed"),
    ];
    for (method, path, want, code) in cases {
        let r = http
            .send(method, path, Some(&admin), Body::None)
            .await
            .unwrap();
        let what = format!("{method} {path}");
        assert_error_shape(r.status, &r.content_type, &r.body, want, &what);
        let v: Value = serde_json::from_str(&r.body).expect("json");
        assert_eq!(v["error"]["code"], code, "{what}");
    }
    // Pages keep their own answers: an unknown page is not turned into API JSON.
    let r = http
        .send("GET", "/no-such-page", None, Body::None)
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert!(
        !r.content_type.starts_with("application/json"),
        "{}",
        r.content_type
    );
}
