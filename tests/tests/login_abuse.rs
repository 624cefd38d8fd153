//! Password guessing over real sockets: parallel bursts check at most the budget of passwords
//! and keep the server's memory bounded, a guesser elsewhere never locks the owner out, and a
//! disabled or unknown account costs the same password check as a wrong password.

use futures::future::join_all;
use quizrace::limits::{LOGIN_FREE_FAILURES, LOGIN_FREE_FAILURES_PER_ADDR};
use quizrace_tests::http::{Http, Reply};
use quizrace_tests::server::{ServerProcess, ADMIN_PASSWORD};
use quizrace_tests::TestServer;
use serde_json::json;
use std::time::Duration;

/// Password checks (Argon2 runs) the server has made since it started.
async fn checks(http: &Http, admin: &str) -> u64 {
    let r = http.get("/api/admin/stats", Some(admin)).await.unwrap();
    r.json().unwrap()["password_checks"]
        .as_u64()
        .unwrap_or_else(|| panic!("stats count no password_checks: {}", r.body))
}

async fn login(http: &Http, username: &str, password: &str) -> Reply {
    http.post(
        "/api/login",
        None,
        json!({"username": username, "password": password}),
    )
    .await
    .unwrap()
}

/// Every refusal of a burst is 401 (checked and wrong), or 429/503 with `retry_after_s`
/// (not checked). Returns how many were checked.
fn checked_of(replies: &[Reply]) -> usize {
    let mut checked = 0;
    for r in replies {
        match (r.status, r.code().as_str()) {
            (401, "bad_credentials") => checked += 1,
            (429, "rate_limited") | (503, "server_busy") => {
                let wait = &r.json().unwrap()["error"]["retry_after_s"];
                assert!(wait.as_u64().is_some_and(|s| s >= 1), "{}", r.body);
            }
            _ => panic!("unexpected reply to a bad login: {} {}", r.status, r.body),
        }
    }
    checked
}

#[tokio::test]
async fn sixty_parallel_wrong_passwords_for_one_account_check_at_most_the_budget() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    http.create_account(&admin, "carol", "carol-password", "host")
        .await
        .unwrap();
    let before = checks(&http, &admin).await;
    let burst = (0..60).map(|i| {
        let http = http.clone();
        async move { login(&http, "carol", &format!("guess-{i}")).await }
    });
    let replies = join_all(burst).await;
    let checked = checked_of(&replies);
    let ran = checks(&http, &admin).await - before;
    let budget = LOGIN_FREE_FAILURES as usize;
    assert!(
        checked <= budget && ran as usize <= budget,
        "{checked} answered 401 and {ran} passwords were checked; the budget is {budget}"
    );
}

#[tokio::test]
async fn a_guesser_elsewhere_does_not_lock_the_owner_out() {
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    http.create_account(&admin, "carol", "carol-password", "host")
        .await
        .unwrap();
    // A reverse proxy on this host forwards the guesser's address.
    let guesser = http.with_header("X-Forwarded-For", "203.0.113.7");
    for i in 0..60 {
        let r = login(&guesser, "carol", &format!("guess-{i}")).await;
        assert!(matches!(r.status, 401 | 429), "{}", r.body);
        let r = login(&guesser, &format!("ghost{i}"), "guess").await;
        assert!(matches!(r.status, 401 | 429), "{}", r.body);
    }
    let r = login(&guesser, "carol", "carol-password").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (429, "rate_limited"),
        "the guesser waits, even with the right password: {}",
        r.body
    );
    let owner = http.with_header("X-Forwarded-For", "198.51.100.2");
    assert!(
        owner.login("carol", "carol-password").await.is_ok(),
        "the owner, from an address that has not been failing, logs in"
    );
    let other = http.with_header("X-Forwarded-For", "198.51.100.3");
    assert!(other.login("admin", ADMIN_PASSWORD).await.is_ok());
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    http.create_account(&admin, "carol", "carol-password", "host")
        .await
        .unwrap();
    let guesser = http.with_header("X-Forwarded-For", "203.0.113.7");
    for i in 0..=LOGIN_FREE_FAILURES {
        let r = login(&guesser, "carol", &format!("guess-{i}")).await;
        assert!(matches!(r.status, 401 | 429), "{}", r.body);
    }
    // 127.0.0.1 is no trusted proxy here: the header names nobody, this is still the guesser.
    let claims_elsewhere = http.with_header("X-Forwarded-For", "198.51.100.2");
    let r = login(&claims_elsewhere, "carol", "carol-password").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (429, "rate_limited"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_disabled_or_unknown_account_costs_a_password_check_like_a_wrong_password() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let id = http
        .create_account(&admin, "dave", "dave-password", "host")
        .await
        .unwrap();
    let r = http
        .patch(
            &format!("/api/admin/accounts/{id}"),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    for (who, password) in [
        ("dave", "dave-password"),
        ("dave", "wrong-password"),
        ("nobody", "whatever"),
    ] {
        let before = checks(&http, &admin).await;
        let r = login(&http, who, password).await;
        r.assert_refused(401, "bad_credentials", None, who);
        let ran = checks(&http, &admin).await - before;
        assert_eq!(
            ran, 1,
            "{who} / {password}: one password check, as for anyone"
        );
    }
}

/// The most memory the server process has held (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024
}

/// Each Argon2 check works in 19 MiB; the server checks on a few threads of its own (twice the
/// cores, 2 to 8), each reusing its working memory: at most 8 × 19 MiB plus the runtime and
/// the database (measured: 93 MiB on a 2-core machine). 300 MiB leaves room for allocator
/// slack, and is far below what unbounded checks reached (2 GB in the report, 736 MiB for
/// this burst before the fix).
const PEAK_RSS_BOUND_MIB: u64 = 300;

/// Sends 200 parallel bad logins (one in ten for the real `admin`, the rest for unknown
/// names) through `http_for(i)`; returns how many were checked (401) and how many password
/// checks the server ran meanwhile.
async fn burst_of_200(server: &ServerProcess, http_for: impl Fn(usize) -> Http) -> (usize, u64) {
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let before = checks(&http, &admin).await;
    let burst = (0..200).map(|i| {
        let http = http_for(i);
        async move {
            let name = if i % 10 == 0 {
                "admin".to_owned()
            } else {
                format!("ghost{i}")
            };
            login(&http, &name, "not-the-password").await
        }
    });
    let replies = join_all(burst).await;
    let checked = checked_of(&replies);
    let ran = checks(&http, &admin).await - before;
    (checked, ran)
}

fn spawn_server(dir: &tempfile::TempDir, args: &[&str]) -> ServerProcess {
    let bin = ServerProcess::binary().unwrap();
    ServerProcess::start_with_args(
        &bin,
        &dir.path().join("quizrace.db"),
        "127.0.0.1:0".parse().unwrap(),
        Duration::from_secs(20),
        args,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_bad_logins_from_one_address_check_the_budget_in_bounded_memory() {
    if quizrace_tests::server::skip_on_postgres("measures the memory of a server process on a SQLite file; the budget tests above run on PostgreSQL") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir, &[]);
    let http = server.http();
    let (checked, ran) = burst_of_200(&server, |_| http.clone()).await;
    let budget = LOGIN_FREE_FAILURES_PER_ADDR as usize;
    assert!(
        checked <= budget && ran as usize <= budget,
        "{checked} answered 401, {ran} checked; one address's budget is {budget}"
    );
    let peak = peak_rss_mib(server.child.id());
    assert!(
        peak < PEAK_RSS_BOUND_MIB,
        "peak RSS {peak} MiB, bound {PEAK_RSS_BOUND_MIB}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_parallel_bad_logins_from_many_addresses_run_in_bounded_memory() {
    if quizrace_tests::server::skip_on_postgres("measures the memory of a server process on a SQLite file; the budget tests above run on PostgreSQL") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = spawn_server(&dir, &["--trusted-proxy", "127.0.0.1"]);
    let http = server.http();
    // Each from its own address: no throttle holds them back, only the bound on checks.
    let (checked, ran) = burst_of_200(&server, |i| {
        http.with_header("X-Forwarded-For", &format!("10.0.0.{}", i + 1))
    })
    .await;
    assert!(
        ran as usize >= checked,
        "{checked} answered 401, {ran} checked"
    );
    let peak = peak_rss_mib(server.child.id());
    assert!(
        peak < PEAK_RSS_BOUND_MIB,
        "peak RSS {peak} MiB, bound {PEAK_RSS_BOUND_MIB}"
    );
}
