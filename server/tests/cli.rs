//! The `quizrace` binary as an operator meets it: the `listening on` line, the first-start
//! admin password, one clear line for each start-up problem, SIGTERM telling every client and
//! exiting 0, and scores that survive a restart.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_quizrace");

struct Running {
    child: Child,
    addr: String,
    /// Lines printed before `listening on`.
    banner: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(db: &Path, admin_password: Option<&str>) -> Running {
    let mut cmd = Command::new(BIN);
    cmd.args(["--bind", "127.0.0.1:0", "--db"]).arg(db);
    if let Some(pw) = admin_password {
        cmd.args(["--admin-password", pw]);
    }
    cmd.stderr(Stdio::null());
    start_cmd(cmd)
}

/// Starts a prepared command and waits for its `listening on` line.
fn start_cmd(mut cmd: Command) -> Running {
    let mut child = cmd
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut banner = Vec::new();
    let addr = loop {
        let line = lines.next().expect("a line before exit").expect("utf-8");
        if let Some(rest) = line.strip_prefix("listening on http://") {
            break rest.trim().to_owned();
        }
        banner.push(line);
    };
    std::thread::spawn(move || for _ in lines {});
    Running {
        child,
        addr,
        banner,
    }
}

/// Runs the binary expecting it to refuse to start; returns (exit code, stderr).
fn refuse(args: &[&str], db: &Path) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .args(args)
        .arg("--db")
        .arg(db)
        .env("RUST_LOG", "off")
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A minimal HTTP/1.1 request; returns (status, body).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

fn login(addr: &str, password: &str) -> Option<String> {
    let (status, body) = http(
        addr,
        "POST",
        "/api/login",
        None,
        Some(json!({"username": "admin", "password": password})),
    );
    (status == 200).then(|| {
        serde_json::from_str::<Value>(&body).ok()?["token"]
            .as_str()
            .map(str::to_owned)
    })?
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws(addr: &str) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .expect("ws")
        .0
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.expect("send");
}

/// The next message of `type`, skipping others, within 10 s.
async fn until(ws: &mut Ws, kind: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).expect("json");
            if v["type"] == kind {
                return v;
            }
        }
    }
}

fn kill_term(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn first_start_prints_a_working_admin_password_and_the_listening_line() {
    let dir = tempfile::tempdir().expect("dir");
    let server = start(&dir.path().join("q.db"), None);
    let line = server
        .banner
        .iter()
        .find(|l| l.contains("password"))
        .expect("password line");
    let password = line.split_whitespace().last().expect("password").to_owned();
    assert!(
        server.addr.starts_with("127.0.0.1:") && !server.addr.ends_with(":0"),
        "the real port"
    );
    assert!(
        login(&server.addr, &password).is_some(),
        "the printed password logs in"
    );
    assert!(login(&server.addr, "wrong").is_none());
    drop(server);
    // Second start on the same file: no new password is generated or shown.
    let again = start(&dir.path().join("q.db"), None);
    assert!(again.banner.iter().all(|l| !l.contains("password")));
    assert!(
        login(&again.addr, &password).is_some(),
        "the password survived the restart"
    );
}

#[test]
fn port_in_use_is_one_clear_line_and_a_failure_exit() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let (code, err) = refuse(
        &["--bind", &addr, "--admin-password", "x"],
        &dir.path().join("q.db"),
    );
    assert_ne!(code, Some(0));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("cannot listen") && err.contains("--bind"),
        "{err}"
    );
}

#[test]
fn unwritable_database_path_is_one_clear_line() {
    let (code, err) = refuse(
        &["--bind", "127.0.0.1:0"],
        Path::new("/nonexistent-dir/sub/q.db"),
    );
    assert_ne!(code, Some(0));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("cannot open the database") && err.contains("--db"),
        "{err}"
    );
}

#[test]
fn a_missing_word_list_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let (code, err) = refuse(
        &[
            "--bind",
            "127.0.0.1:0",
            "--blocked-words",
            "/nonexistent-dir/words.txt",
        ],
        &dir.path().join("q.db"),
    );
    assert_ne!(code, Some(0));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("--blocked-words"), "{err}");
}

#[test]
fn running_out_of_file_descriptors_does_not_stop_the_accept_loop() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("stderr.log");
    // 64 descriptors in all, and a connection cap above that: accept itself fails (EMFILE).
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -n 64 && exec "$0" "$@""#)
        .arg(BIN)
        .args(["--bind", "127.0.0.1:0", "--max-connections", "1000", "--db"])
        .arg(dir.path().join("q.db"))
        .stderr(std::fs::File::create(&log).expect("log file"));
    let server = start_cmd(cmd);
    let hoard: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&server.addr).expect("the queue takes it"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    drop(hoard);
    // Once the hoard is gone the server accepts again.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = http(&server.addr, "GET", "/healthz", None, None);
        if status == 200 {
            assert_eq!(body, "ok");
            break;
        }
        assert!(Instant::now() < deadline, "no answer after the hoard left");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Logged once per episode (a second one may start while the hoard's sockets close), not
    // once per retry: the loop retried every 50 ms for half a second.
    let text = std::fs::read_to_string(&log).expect("log");
    let episodes = text.matches("cannot accept connections").count();
    assert!((1..=3).contains(&episodes), "{episodes} warnings: {text}");
}

#[test]
fn corrupt_database_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    std::fs::write(&db, vec![0x5a; 8192]).expect("write garbage");
    let (code, err) = refuse(&["--bind", "127.0.0.1:0"], &db);
    assert_ne!(code, Some(0));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("damaged or is not a quizrace database"),
        "{err}"
    );
}

#[tokio::test]
async fn sigterm_tells_every_client_and_exits_zero_and_scores_survive_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    let mut server = start(&db, Some("pw"));
    let addr = server.addr.clone();
    let token = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || login(&addr, "pw").expect("login")
    })
    .await
    .expect("task");

    // A game with one answered question, then the host ends it.
    let mut host = ws(&addr).await;
    send(
        &mut host,
        json!({"type":"host","token":token,"quiz_id":1,"mode":"classic"}),
    )
    .await;
    let created = until(&mut host, "room_created").await;
    let (pin, game_id) = (
        created["pin"].clone(),
        created["game_id"].as_i64().expect("game id"),
    );
    let mut player = ws(&addr).await;
    send(&mut player, json!({"type":"join","pin":pin,"name":"Ada"})).await;
    until(&mut player, "welcome").await;
    send(&mut host, json!({"type":"start"})).await;
    let q = until(&mut player, "question").await;
    // The built-in quiz has a get-ready time: answering opens after it.
    let opens_in_ms = q["opens_in_ms"].as_u64().expect("opens_in_ms");
    tokio::time::sleep(std::time::Duration::from_millis(opens_in_ms)).await;
    let answer = match q["kind"].as_str() {
        Some("type_answer") => json!({"type":"answer","index":0,"text":"x"}),
        Some("multi") => json!({"type":"answer","index":0,"choices":[0]}),
        _ => json!({"type":"answer","index":0,"choice":0}),
    };
    send(&mut player, answer).await;
    until(&mut player, "answer_ack").await;
    let result = until(&mut player, "result").await;
    let score = result["score"].as_i64().expect("score");
    send(&mut host, json!({"type":"end"})).await;
    until(&mut player, "game_over").await;

    // A second room still running, and a socket that never joined anything.
    let mut host2 = ws(&addr).await;
    send(
        &mut host2,
        json!({"type":"host","token":token,"quiz_id":1,"mode":"race"}),
    )
    .await;
    let created2 = until(&mut host2, "room_created").await;
    let (pin2, host_key2) = (created2["pin"].clone(), created2["host_key"].clone());
    let mut player2 = ws(&addr).await;
    send(&mut player2, json!({"type":"join","pin":pin2,"name":"Bo"})).await;
    let token2 = until(&mut player2, "welcome").await["token"].clone();
    let mut idle = ws(&addr).await;

    let stopping = Instant::now();
    kill_term(&server.child);
    for (who, sock) in [
        ("host", &mut host2),
        ("player", &mut player2),
        ("lone socket", &mut idle),
    ] {
        let closed = until(sock, "room_closed").await;
        assert_eq!(closed["reason"], "server_shutdown", "{who} is told why");
    }
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(5),
            "exits within 5 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit 0, got {status:?}");

    // Restart on the same file: the running room is back under its PIN, for its player's
    // token and its host's key; the finished game and its score are still there.
    let again = start(&db, Some("pw"));
    let mut player2 = ws(&again.addr).await;
    send(
        &mut player2,
        json!({"type":"resume","pin":pin2,"token":token2}),
    )
    .await;
    let back = until(&mut player2, "welcome").await;
    assert_eq!(
        (&back["name"], &back["phase"]),
        (&json!("Bo"), &json!("lobby"))
    );
    let mut host2 = ws(&again.addr).await;
    send(
        &mut host2,
        json!({"type":"host_resume","pin":pin2,"host_key":host_key2}),
    )
    .await;
    let state = until(&mut host2, "room_state").await;
    assert_eq!(state["players"][0]["name"], "Bo");
    let report = tokio::task::spawn_blocking(move || {
        let token = login(&again.addr, "pw").expect("login");
        http(
            &again.addr,
            "GET",
            &format!("/api/games/{game_id}"),
            Some(&token),
            None,
        )
    })
    .await
    .expect("task");
    assert_eq!(report.0, 200, "{}", report.1);
    let report: Value = serde_json::from_str(&report.1).expect("json");
    assert_eq!(report["status"], "finished");
    assert_eq!(report["players"][0]["name"], "Ada");
    assert_eq!(report["players"][0]["score"].as_i64(), Some(score));
}

/// `quizrace --db DB backup DEST`.
fn backup(db: &Path, dest: &Path) -> std::process::Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("backup")
        .arg(dest)
        .output()
        .expect("runs")
}

#[test]
fn backup_copies_the_database_while_the_server_serves_from_it() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    let server = start(&db, Some("pw"));
    let token = login(&server.addr, "pw").expect("login");
    let quiz = json!({"title":"Backed up","questions":[
        {"kind":"choice","text":"1+1?","choices":["1","2"],"correct":[1]}]});
    let (status, _) = http(
        &server.addr,
        "POST",
        "/api/quizzes",
        Some(&token),
        Some(quiz),
    );
    assert_eq!(status, 201);
    let copy = dir.path().join("copy.db");
    let out = backup(&db, &copy);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The copy is a whole database: a server starts on it and has the quiz.
    drop(server);
    let restored = start(&copy, Some("pw"));
    let token = login(&restored.addr, "pw").expect("login");
    let (status, body) = http(&restored.addr, "GET", "/api/quizzes", Some(&token), None);
    assert_eq!(status, 200);
    assert!(body.contains("Backed up"), "{body}");
    // Never over an existing file, and a clear error for a path that is not a database.
    let again = backup(&db, &copy);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let missing = backup(&dir.path().join("nothing.db"), &dir.path().join("x.db"));
    assert!(!missing.status.success());
    assert!(
        !dir.path().join("nothing.db").exists(),
        "a backup creates no source"
    );
}

#[test]
fn a_bad_public_url_is_refused_with_its_reason_and_a_good_one_makes_the_join_links() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("q.db");
    for bad in [
        "quiz.example.org",
        "ftp://quiz.example.org",
        "https://",
        "https://q.org/?a=1",
    ] {
        let (code, stderr) = refuse(&["--public-url", bad], &db);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(
            stderr.contains("--public-url") && stderr.contains("public URL"),
            "{bad}: {stderr}"
        );
    }
    assert!(!db.exists(), "a refused start creates nothing");
    let mut cmd = Command::new(BIN);
    cmd.args(["--bind", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("QUIZ_PUBLIC_URL", "https://quiz.example.org/")
        .stderr(Stdio::null());
    let server = start_cmd(cmd);
    let (status, body) = http(&server.addr, "GET", "/api/join-url?pin=123456", None, None);
    assert_eq!(status, 200, "{body}");
    let url: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(url["url"], "https://quiz.example.org/?pin=123456");
}

/// `GET /api/me` with `token`: its status.
fn me(addr: &str, token: &str) -> u16 {
    http(addr, "GET", "/api/me", Some(token), None).0
}

#[test]
fn a_new_admin_password_given_at_start_ends_the_admins_sessions() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    let server = start(&db, Some("first-password"));
    let token = login(&server.addr, "first-password").expect("login");
    assert_eq!(me(&server.addr, &token), 200);
    drop(server);
    let again = start(&db, None);
    assert_eq!(me(&again.addr, &token), 200, "no password given: kept");
    drop(again);
    let again = start(&db, Some("first-password"));
    assert_eq!(me(&again.addr, &token), 200, "the same password: kept");
    drop(again);
    let again = start(&db, Some("second-password"));
    assert_eq!(me(&again.addr, &token), 401, "a new password: ended");
    assert!(login(&again.addr, "second-password").is_some());
}

#[test]
fn the_admin_password_can_come_from_a_file_and_a_bad_file_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    let file = dir.path().join("admin-password");
    std::fs::write(&file, "from-a-file\n").expect("write");
    let mut cmd = Command::new(BIN);
    cmd.args(["--bind", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--admin-password-file")
        .arg(&file)
        .stderr(Stdio::null());
    let server = start_cmd(cmd);
    assert!(
        login(&server.addr, "from-a-file").is_some(),
        "one trailing newline is not part of the password"
    );
    assert!(login(&server.addr, "from-a-file\n").is_none());
    drop(server);

    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("write");
    let missing = dir.path().join("missing");
    for (path, says) in [(&empty, "is empty"), (&missing, "cannot read")] {
        let path = path.to_str().expect("utf-8");
        let (code, err) = refuse(
            &["--bind", "127.0.0.1:0", "--admin-password-file", path],
            &db,
        );
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains(says) && err.contains(path), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let file = file.to_str().expect("utf-8");
    let (code, err) = refuse(
        &["--admin-password", "x", "--admin-password-file", file],
        &db,
    );
    assert_eq!(code, Some(2), "a usage error: {err}");
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn session_lifetimes_are_flags_and_a_zero_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    for flag in ["--session-idle-hours", "--session-max-days"] {
        let (code, err) = refuse(&[flag, "0"], &db);
        assert_eq!(code, Some(2), "{flag}: {err}");
        assert!(err.contains(flag), "{err}");
    }
    let mut cmd = Command::new(BIN);
    cmd.args(["--bind", "127.0.0.1:0", "--admin-password", "pw", "--db"])
        .arg(&db)
        .args(["--session-idle-hours", "2", "--session-max-days", "30"])
        .stderr(Stdio::null());
    let server = start_cmd(cmd);
    let token = login(&server.addr, "pw").expect("login");
    assert_eq!(me(&server.addr, &token), 200);
}

/// `--room-linger-s` takes 1 to 86,400 seconds; 0 (a room gone before its podium is read),
/// past a day, or not a number is refused with the flag named, and nothing is created.
#[test]
fn a_room_linger_out_of_range_is_refused_with_the_flag_named() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("q.db");
    for bad in ["0", "86401", "ten"] {
        let (code, err) = refuse(&["--room-linger-s", bad], &db);
        assert_eq!(code, Some(2), "{bad}: {err}");
        assert!(err.contains("--room-linger-s"), "{bad}: {err}");
    }
    assert!(!db.exists(), "nothing was created");
}

/// Every failed login is logged at `warn` with the account and the client address, and the
/// password never reaches the log.
#[test]
fn a_failed_login_is_logged_at_warn_with_the_account_and_address_but_never_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(BIN);
    cmd.args(["--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("q.db"))
        .args(["--admin-password", "right-password-1"])
        .stderr(Stdio::piped());
    let mut server = start_cmd(cmd);
    let stderr = server.child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let secret = "Wr0ng-and-secret-guess";
    assert!(login(&server.addr, secret).is_none());
    assert!(login(&server.addr, "right-password-1").is_some());
    // The log is written before the answer is sent, so the lines are in the pipe by now.
    let seen: Vec<String> =
        std::iter::from_fn(|| rx.recv_timeout(Duration::from_millis(500)).ok()).collect();
    let line = seen
        .iter()
        .find(|l| l.contains("failed login"))
        .unwrap_or_else(|| panic!("no failed-login line in {seen:?}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("account=admin"), "{line}");
    assert!(line.contains("addr=127.0.0.1"), "{line}");
    assert_eq!(
        seen.iter().filter(|l| l.contains("failed login")).count(),
        1,
        "the right password is no failure: {seen:?}"
    );
    assert!(
        seen.iter().all(|l| !l.contains(secret)),
        "the password reached the log: {seen:?}"
    );
}

#[test]
fn a_postgres_database_without_a_node_url_on_a_wildcard_bind_is_one_clear_line() {
    let db = Path::new("postgres://quiz:s3cret@127.0.0.1:1/quizrace");
    for bind in ["0.0.0.0:8080", "127.0.0.1:0"] {
        let (code, err) = refuse(&["--bind", bind], db);
        assert_ne!(code, Some(0), "{bind}");
        assert_eq!(err.trim().lines().count(), 1, "{bind}: one line: {err}");
        assert!(err.contains("--node-url"), "{bind}: {err}");
        assert!(!err.contains("s3cret"), "{bind}: {err}");
    }
}

#[test]
fn a_malformed_node_url_is_refused_with_its_reason() {
    let db = Path::new("postgres://quiz@127.0.0.1:1/quizrace");
    for bad in ["10.0.0.7:8080", "ws://10.0.0.7:8080", "http://a:1/path"] {
        let (code, err) = refuse(&["--bind", "0.0.0.0:0", "--node-url", bad], db);
        assert_eq!(code, Some(2), "{bad}: {err}");
        assert!(
            err.contains("--node-url") && err.contains("node URL"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn an_unreachable_postgres_database_is_one_clear_line_without_its_password() {
    let db = Path::new("postgres://quiz:s3cret@127.0.0.1:1/quizrace");
    let (code, err) = refuse(
        &["--bind", "127.0.0.1:0", "--node-url", "http://127.0.0.1:9"],
        db,
    );
    assert_ne!(code, Some(0));
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("PostgreSQL") && err.contains("postgres://quiz@127.0.0.1:1/quizrace"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}
