//! Accounts over HTTP: the admin creates, lists, resets, disables and promotes accounts; a
//! user logs out and changes their own password; revoked tokens stop working at once.

use quizrace_tests::http::Http;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::TestServer;
use serde_json::{json, Value};

/// Creates an account as the admin and returns its id.
async fn create(http: &Http, admin: &str, username: &str, password: &str, role: &str) -> i64 {
    http.create_account(admin, username, password, role)
        .await
        .unwrap()
}

/// The status `GET /api/admin/accounts` answers `token`: 200 for an admin.
async fn admin_status(http: &Http, token: &str) -> u16 {
    http.get("/api/admin/accounts", Some(token))
        .await
        .unwrap()
        .status
}

async fn me_status(http: &Http, token: &str) -> u16 {
    http.get("/api/me", Some(token)).await.unwrap().status
}

async fn login_status(http: &Http, username: &str, password: &str) -> (u16, String) {
    let r = http
        .post(
            "/api/login",
            None,
            json!({"username": username, "password": password}),
        )
        .await
        .unwrap();
    (r.status, r.code())
}

#[tokio::test]
async fn the_admin_creates_accounts_that_are_listed_and_can_log_in() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let carol = create(&http, &admin, "carol", "carol-password", "host").await;
    let dave = create(&http, &admin, "dave.o-k_1", "dave-password", "admin").await;

    let list = http.get("/api/admin/accounts", Some(&admin)).await.unwrap();
    assert_eq!(list.status, 200);
    let list = list.json().unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3, "{list:?}");
    let row = |id: i64| list.iter().find(|a| a["id"] == id).unwrap().clone();
    let c = row(carol);
    assert_eq!(
        (&c["username"], &c["role"], &c["disabled"]),
        (&json!("carol"), &json!("host"), &json!(false))
    );
    let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_at", "disabled", "id", "role", "username"]);
    let created = c["created_at"].as_i64().unwrap();
    assert!(created > 1_600_000_000_000, "unix milliseconds: {created}");
    assert_eq!(row(dave)["role"], "admin");

    let token = http.login("carol", "carol-password").await.unwrap();
    let me = http
        .get("/api/me", Some(&token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        me,
        json!({"id": carol, "username": "carol", "role": "host"})
    );
    let dave_token = http.login("dave.o-k_1", "dave-password").await.unwrap();
    assert_eq!(
        admin_status(&http, &dave_token).await,
        200,
        "a new admin is an admin"
    );
}

#[tokio::test]
async fn a_bad_or_taken_username_password_or_role_is_refused_and_nothing_is_created() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    create(&http, &admin, "carol", "carol-password", "host").await;
    let long = "x".repeat(41);
    let cases: [(Value, u16, &str, Option<&str>); 10] = [
        (
            json!({"username":"CAROL","password":"12345678","role":"host"}),
            409,
            "username_taken",
            None,
        ),
        (
            json!({"username":"admin","password":"12345678","role":"admin"}),
            409,
            "username_taken",
            None,
        ),
        (
            json!({"username":"","password":"12345678","role":"host"}),
            400,
            "bad_field",
            Some("username"),
        ),
        (
            json!({"username":"has space","password":"12345678","role":"host"}),
            400,
            "bad_field",
            Some("username"),
        ),
        (
            json!({"username":long,"password":"12345678","role":"host"}),
            400,
            "bad_field",
            Some("username"),
        ),
        (
            json!({"username":"zoë","password":"12345678","role":"host"}),
            400,
            "bad_field",
            Some("username"),
        ),
        (
            json!({"username":"erin","password":"1234567","role":"host"}),
            400,
            "bad_field",
            Some("password"),
        ),
        (
            json!({"username":"erin","password":"x".repeat(201),"role":"host"}),
            400,
            "bad_field",
            Some("password"),
        ),
        (
            json!({"username":"erin","password":"12345678","role":"boss"}),
            400,
            "bad_field",
            Some("role"),
        ),
        (
            json!({"username":"erin","password":12345678,"role":"host"}),
            400,
            "bad_field",
            Some("password"),
        ),
    ];
    for (body, status, code, field) in cases {
        let r = http
            .post("/api/admin/accounts", Some(&admin), body.clone())
            .await
            .unwrap();
        r.assert_refused(status, code, field, &body.to_string());
    }
    let list = http.get("/api/admin/accounts", Some(&admin)).await.unwrap();
    assert_eq!(list.json().unwrap().as_array().unwrap().len(), 2);
    assert_eq!(login_status(&http, "erin", "12345678").await.0, 401);
}

#[tokio::test]
async fn accounts_endpoints_refuse_hosts_and_strangers_with_401() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    create(&http, &admin, "carol", "carol-password", "host").await;
    let carol = http.login("carol", "carol-password").await.unwrap();
    for token in [Some(carol.as_str()), Some("not-a-session"), None] {
        let calls = [
            http.get("/api/admin/accounts", token).await.unwrap(),
            http.post(
                "/api/admin/accounts",
                token,
                json!({"username":"mallory","password":"12345678","role":"admin"}),
            )
            .await
            .unwrap(),
            http.patch("/api/admin/accounts/2", token, json!({"role": "admin"}))
                .await
                .unwrap(),
            http.get("/api/admin/rooms", token).await.unwrap(),
            http.post("/api/admin/rooms/123456/close", token, json!({}))
                .await
                .unwrap(),
        ];
        for r in calls {
            assert_eq!(
                (r.status, r.code().as_str()),
                (401, "unauthorized"),
                "{token:?}: {}",
                r.body
            );
        }
    }
    assert_eq!(login_status(&http, "mallory", "12345678").await.0, 401);
    let me = http
        .get("/api/me", Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["role"], "host", "carol did not promote herself");
}

#[tokio::test]
async fn a_reset_or_disable_ends_the_accounts_sessions_and_a_disabled_account_cannot_log_in() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let carol = create(&http, &admin, "carol", "carol-password", "host").await;
    let path = format!("/api/admin/accounts/{carol}");
    let token = http.login("carol", "carol-password").await.unwrap();

    let r = http
        .patch(&path, Some(&admin), json!({"password": "reset-password"}))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json().unwrap()["username"], "carol");
    assert_eq!(
        me_status(&http, &token).await,
        401,
        "the reset revoked the old token"
    );
    assert_eq!(login_status(&http, "carol", "carol-password").await.0, 401);
    let token = http.login("carol", "reset-password").await.unwrap();

    let r = http
        .patch(&path, Some(&admin), json!({"disabled": true}))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json().unwrap()["disabled"], true);
    assert_eq!(
        me_status(&http, &token).await,
        401,
        "disabling revoked the token"
    );
    assert_eq!(
        login_status(&http, "carol", "reset-password").await,
        (401, "bad_credentials".to_owned())
    );

    let r = http
        .patch(
            &path,
            Some(&admin),
            json!({"disabled": false, "role": "admin"}),
        )
        .await
        .unwrap();
    let row = r.json().unwrap();
    assert_eq!(
        (&row["disabled"], &row["role"]),
        (&json!(false), &json!("admin"))
    );
    let token = http.login("carol", "reset-password").await.unwrap();
    assert_eq!(admin_status(&http, &token).await, 200);
    let r = http
        .patch(&path, Some(&admin), json!({"role": "host"}))
        .await
        .unwrap();
    assert_eq!(r.json().unwrap()["role"], "host");
    assert_eq!(
        me_status(&http, &token).await,
        200,
        "a role change keeps the session"
    );
    assert_eq!(
        admin_status(&http, &token).await,
        401,
        "and takes effect at once"
    );
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out_and_bad_changes_change_nothing() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let me = http
        .get("/api/me", Some(&admin))
        .await
        .unwrap()
        .json()
        .unwrap();
    let own = format!("/api/admin/accounts/{}", me["id"]);
    let carol = create(&http, &admin, "carol", "carol-password", "host").await;
    let other = format!("/api/admin/accounts/{carol}");
    let cases = [
        (
            own.clone(),
            json!({"disabled": true}),
            400,
            "bad_field",
            Some("disabled"),
        ),
        (
            own.clone(),
            json!({"role": "host"}),
            400,
            "bad_field",
            Some("role"),
        ),
        (
            other.clone(),
            json!({"role": "owner"}),
            400,
            "bad_field",
            Some("role"),
        ),
        (
            other.clone(),
            json!({"disabled": "yes"}),
            400,
            "bad_field",
            Some("disabled"),
        ),
        (
            other.clone(),
            json!({"password": "short"}),
            400,
            "bad_field",
            Some("password"),
        ),
        (
            other.clone(),
            json!({"nickname": "c"}),
            400,
            "bad_field",
            Some("nickname"),
        ),
        (
            "/api/admin/accounts/999".to_owned(),
            json!({"disabled": true}),
            404,
            "no_such_account",
            None,
        ),
    ];
    for (path, body, status, code, field) in cases {
        let r = http.patch(&path, Some(&admin), body.clone()).await.unwrap();
        r.assert_refused(status, code, field, &format!("{path} {body}"));
    }
    assert_eq!(me_status(&http, &admin).await, 200);
    let list = http
        .get("/api/admin/accounts", Some(&admin))
        .await
        .unwrap()
        .json()
        .unwrap();
    for a in list.as_array().unwrap() {
        assert_eq!(a["disabled"], false, "{a}");
    }
    assert_eq!(list[0]["role"], "admin");
    assert_eq!(list[1]["role"], "host");
    http.login("carol", "carol-password").await.unwrap();
    // An empty change is no change, and answers the account as it is.
    let r = http.patch(&own, Some(&admin), json!({})).await.unwrap();
    assert_eq!(
        (r.status, &r.json().unwrap()["username"]),
        (200, &json!("admin"))
    );
}

#[tokio::test]
async fn a_password_change_needs_the_old_password_and_ends_only_the_other_sessions() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    create(&http, &admin, "carol", "carol-password", "host").await;
    let here = http.login("carol", "carol-password").await.unwrap();
    let there = http.login("carol", "carol-password").await.unwrap();
    let cases = [
        (
            json!({"old": "wrong-password", "new": "new-password"}),
            401,
            "bad_credentials",
            None,
        ),
        (
            json!({"old": "carol-password", "new": "short"}),
            400,
            "bad_field",
            Some("new"),
        ),
        (
            json!({"old": "carol-password", "new": "x".repeat(201)}),
            400,
            "bad_field",
            Some("new"),
        ),
        (
            json!({"old": "carol-password"}),
            400,
            "bad_field",
            Some("new"),
        ),
        (
            json!({"new": "new-password"}),
            400,
            "bad_field",
            Some("old"),
        ),
    ];
    for (body, status, code, field) in cases {
        let r = http
            .post("/api/password", Some(&here), body.clone())
            .await
            .unwrap();
        r.assert_refused(status, code, field, &body.to_string());
    }
    assert_eq!(
        me_status(&http, &there).await,
        200,
        "refusals revoke nothing"
    );
    let r = http
        .post(
            "/api/password",
            Some(&here),
            json!({"old": "carol-password", "new": "new-password"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.json().unwrap()),
        (200, json!({})),
        "{}",
        r.body
    );
    assert_eq!(
        me_status(&http, &here).await,
        200,
        "the calling token stays valid"
    );
    assert_eq!(
        me_status(&http, &there).await,
        401,
        "the other session is revoked"
    );
    assert_eq!(login_status(&http, "carol", "carol-password").await.0, 401);
    http.login("carol", "new-password").await.unwrap();
    let r = http
        .post(
            "/api/password",
            None,
            json!({"old": "new-password", "new": "newer-password"}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn guessing_the_old_password_is_throttled_like_logins() {
    let server = TestServer::start().await;
    let http = server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    create(&http, &admin, "carol", "carol-password", "host").await;
    let token = http.login("carol", "carol-password").await.unwrap();
    let guess = |old: &str| json!({"old": old, "new": "new-password"});
    for i in 0..quizrace::limits::LOGIN_FREE_FAILURES {
        let r = http
            .post("/api/password", Some(&token), guess(&format!("guess-{i}")))
            .await
            .unwrap();
        assert_eq!(r.code(), "bad_credentials", "guess {i}: {}", r.body);
    }
    let r = http
        .post("/api/password", Some(&token), guess("carol-password"))
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.code().as_str()),
        (429, "rate_limited"),
        "{}",
        r.body
    );
    assert!(r.json().unwrap()["error"]["retry_after_s"]
        .as_u64()
        .is_some());
    assert_eq!(
        login_status(&http, "carol", "carol-password").await,
        (429, "rate_limited".to_owned()),
        "the account's logins wait too"
    );
}

#[tokio::test]
async fn logout_ends_that_session_only() {
    let server = TestServer::start().await;
    let http = server.http();
    let one = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let two = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let r = http
        .post("/api/logout", Some(&one), json!({}))
        .await
        .unwrap();
    assert_eq!((r.status, r.json().unwrap()), (200, json!({})));
    assert_eq!(me_status(&http, &one).await, 401);
    assert_eq!(me_status(&http, &two).await, 200);
    let again = http
        .post("/api/logout", Some(&one), json!({}))
        .await
        .unwrap();
    assert_eq!((again.status, again.code().as_str()), (401, "unauthorized"));
    // The host message refuses a logged-out token too.
    let mut bot = quizrace_tests::Bot::connect(&server.ws_url())
        .await
        .unwrap();
    let quiz = http
        .get("/api/quizzes", Some(&two))
        .await
        .unwrap()
        .json()
        .unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    bot.send(&quizrace_protocol::ClientMsg::Host {
        token: one,
        quiz_id: quizrace_protocol::QuizId(quiz),
        mode: quizrace_protocol::Mode::Classic,
        max_players: None,
        auto_advance_ms: None,
        chat: None,
        names: None,
        options: Default::default(),
        teams: None,
    })
    .await
    .unwrap();
    bot.expect_error(quizrace_protocol::ErrorCode::Unauthorized)
        .await
        .unwrap();
}
