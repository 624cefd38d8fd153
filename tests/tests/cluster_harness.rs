//! The pieces the cluster tests stand on, checked alone: the throw-away PostgreSQL starts,
//! stops, comes back with its data after a stop and after a kill; `deploy/haproxy.cfg` is
//! valid and, adapted to loopback, sends one PIN to one node, spreads sockets without a PIN,
//! and leaves out a node that stops answering `/healthz`; a node process (here a single node
//! on SQLite) is frozen, thawed, terminated, restarted on its address and killed.

use quizrace_tests::cluster::{
    free_port, haproxy_config, shipped_haproxy_cfg, Haproxy, Node, Postgres,
};
use quizrace_tests::server::ServerProcess;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn count(pg: &Postgres) -> i64 {
    let db = pg.client().await.expect("connect");
    db.query_one("SELECT count(*) FROM kept", &[])
        .await
        .expect("count")
        .get(0)
}

#[tokio::test]
async fn a_throw_away_postgres_keeps_its_data_across_a_stop_and_a_kill() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let mut pg = tokio::task::spawn_blocking(Postgres::start)
        .await
        .expect("task")
        .expect("PostgreSQL starts");
    assert_eq!(
        pg.url(),
        format!("postgres://quizrace@127.0.0.1:{}/quizrace", pg.port())
    );
    let db = pg.client().await.expect("connect");
    db.batch_execute("CREATE TABLE kept (n BIGINT); INSERT INTO kept VALUES (1), (2);")
        .await
        .expect("write");

    pg.stop().expect("stop");
    assert!(
        db.simple_query("SELECT 1").await.is_err(),
        "still answers after stop"
    );
    assert!(pg.client().await.is_err(), "accepts connections after stop");
    pg.start_again().expect("start again");
    assert_eq!(count(&pg).await, 2);

    let db = pg.client().await.expect("connect");
    db.batch_execute("INSERT INTO kept VALUES (3)")
        .await
        .expect("write");
    pg.kill().expect("kill");
    assert!(pg.client().await.is_err(), "accepts connections after kill");
    pg.start_again().expect("start after a kill");
    assert_eq!(count(&pg).await, 3, "a committed row was lost in the kill");
}

#[test]
fn the_shipped_haproxy_config_is_valid_and_adapts_to_loopback() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let check = |path: &std::path::Path| {
        let out = std::process::Command::new("/usr/sbin/haproxy")
            .arg("-c")
            .arg("-f")
            .arg(path)
            .output()
            .expect("haproxy runs");
        assert!(
            out.status.success(),
            "haproxy -c {}: {}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    check(&shipped_haproxy_cfg());

    let shipped = std::fs::read_to_string(shipped_haproxy_cfg()).expect("read");
    let listen: SocketAddr = "127.0.0.1:18080".parse().expect("addr");
    let nodes = vec![
        ("n1".to_owned(), "127.0.0.1:18081".parse().expect("addr")),
        ("n2".to_owned(), "127.0.0.1:18082".parse().expect("addr")),
    ];
    let cfg = haproxy_config(&shipped, listen, &nodes, 1000);
    for kept in [
        "balance url_param pin",
        "hash-type consistent",
        "option httpchk GET /healthz",
        "http-check expect status 200",
        "default-server inter 1s fall 2 rise 2",
        "timeout tunnel 1h",
        "option forwardfor",
        "bind 127.0.0.1:18080",
        "server n1 127.0.0.1:18081 check",
        "server n2 127.0.0.1:18082 check",
    ] {
        assert!(cfg.contains(kept), "{kept} missing from:\n{cfg}");
    }
    for dropped in [
        "chroot",
        "daemon",
        "10.0.0.",
        "    bind :80\n",
        "user haproxy",
    ] {
        assert!(!cfg.contains(dropped), "{dropped} kept in:\n{cfg}");
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("haproxy.cfg");
    std::fs::write(&path, cfg).expect("write");
    check(&path);
}

/// A stand-in node: answers every HTTP request with its name (and `/healthz` with 200 while
/// `healthy`), closing each connection.
async fn stand_in(
    name: &'static str,
    healthy: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let healthy = std::sync::Arc::clone(&healthy);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&got);
                let status = if head.starts_with("GET /healthz")
                    && !healthy.load(std::sync::atomic::Ordering::SeqCst)
                {
                    "503 Service Unavailable"
                } else {
                    "200 OK"
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{name}",
                    name.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    addr
}

/// Which node answered `path` through the proxy.
async fn who(proxy: &Haproxy, path: &str) -> String {
    let r = proxy.http().get(path, None).await.expect("request");
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body
}

#[tokio::test]
async fn haproxy_sends_one_pin_to_one_node_and_leaves_out_an_unhealthy_one() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let names = ["node1", "node2", "node3"];
    let health: Vec<_> = names
        .iter()
        .map(|_| Arc::new(AtomicBool::new(true)))
        .collect();
    let mut nodes = Vec::new();
    for (name, healthy) in names.iter().zip(&health) {
        nodes.push((name.to_string(), stand_in(name, Arc::clone(healthy)).await));
    }
    let servers = nodes.clone();
    let proxy = tokio::task::spawn_blocking(move || Haproxy::start(&servers))
        .await
        .expect("task")
        .expect("haproxy starts");
    assert_ne!(proxy.addr.port(), 0);
    let _ = free_port().expect("a free port");

    // Without a PIN: round robin over all three.
    let mut spread = HashSet::new();
    for _ in 0..9 {
        spread.insert(who(&proxy, "/ws").await);
    }
    assert_eq!(spread.len(), 3, "without a pin: {spread:?}");

    // With a PIN: always the same node; many PINs use every node.
    let pins: Vec<String> = (0..60)
        .map(|i| format!("{:06}", 100_000 + i * 7919))
        .collect();
    let mut owner = HashMap::new();
    for pin in &pins {
        let first = who(&proxy, &format!("/ws?pin={pin}")).await;
        for _ in 0..3 {
            assert_eq!(
                who(&proxy, &format!("/ws?pin={pin}")).await,
                first,
                "pin {pin}"
            );
        }
        owner.insert(pin.clone(), first);
    }
    let used: HashSet<_> = owner.values().collect();
    assert_eq!(used.len(), 3, "pins spread over {used:?}");

    // node2 fails its health checks: within `fall 2` at `inter 1s` nothing goes there, and
    // only node2's PINs move (a consistent hash).
    health[1].store(false, Ordering::SeqCst);
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let mut hits = HashSet::new();
        for _ in 0..6 {
            hits.insert(who(&proxy, "/ws").await);
        }
        if !hits.contains("node2") {
            break;
        }
        assert!(
            Instant::now() < until,
            "node2 still used 10 s after failing"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (pin, first) in &owner {
        let now = who(&proxy, &format!("/ws?pin={pin}")).await;
        if first == "node2" {
            assert_ne!(now, "node2", "pin {pin}");
        } else {
            assert_eq!(&now, first, "pin {pin} moved off a healthy node");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_process_is_frozen_thawed_terminated_restarted_and_killed() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let bin = tokio::task::spawn_blocking(ServerProcess::binary)
        .await
        .expect("task")
        .expect("server binary");
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("node.db");
    let mut node = Node::start_single(&bin, &db, "node1", dir.path(), &[])
        .await
        .expect("node starts");
    assert!(node.healthy().await);
    let addr = node.addr;

    node.stop().expect("SIGSTOP");
    assert!(!node.healthy().await, "a frozen node answered");
    assert!(node.running(), "a frozen node is still there");
    node.cont().expect("SIGCONT");
    assert!(node.healthy().await, "a thawed node does not answer");

    let status = node.term(Duration::from_secs(10)).await.expect("SIGTERM");
    assert!(status.success(), "{status}");
    assert!(!node.healthy().await);
    node.restart().await.expect("restart");
    assert_eq!(node.addr, addr);
    assert!(node.healthy().await);
    let log = std::fs::read_to_string(node.log()).expect("log");
    assert_eq!(log.matches("listening on").count(), 2, "{log}");

    node.kill9();
    assert!(!node.running());
    assert!(!node.healthy().await);
}
