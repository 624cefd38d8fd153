//! Hostile clients over real sockets: floods, PIN guessing, slow requests, silent sockets,
//! foreign origins, password guessing, connection hoarding. Each test is named after the
//! defence it proves (docs/security.md lists them).

mod common;

use common::{join_refused, list, one_question, Game};
use futures::future::join_all;
use quizrace::limits::Rate;
use quizrace_protocol::{ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::bot::Closed;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, TestServer};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::test]
async fn a_flooding_player_is_told_rate_limited_then_closed_with_1008() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Flood"]).await;
    let bot = &mut bots[0];
    // 45 at once: the burst of 20 is answered, the rest are refused until the refusals pass
    // the garbage limit (20 errors in 10 s) and the socket is closed.
    for _ in 0..45 {
        bot.send(&ClientMsg::List).await.unwrap();
    }
    let (mut lists, mut limited) = (0, 0);
    let closed = loop {
        match bot.recv().await {
            Ok(ServerMsg::Players { .. }) => lists += 1,
            Ok(ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            }) => limited += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => break e.chain().find_map(|c| c.downcast_ref::<Closed>().cloned()),
        }
    };
    // The join took one token; replies to the rest of the burst may be cut off by the close.
    assert!(lists <= 19, "{lists} lists served");
    assert_eq!(limited, 21, "refused until past the garbage limit");
    assert_eq!(closed, Some(Closed(Some(1008))));
    // The host is unaffected and still in charge.
    assert_eq!(list(&mut host.bot).await.len(), 1);
}

#[tokio::test]
async fn a_player_at_ten_messages_a_second_is_never_rate_limited() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Steady"]).await;
    let bot = &mut bots[0];
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    for _ in 0..40 {
        tick.tick().await;
        bot.send(&ClientMsg::List).await.unwrap();
        let reply = bot.recv().await.unwrap();
        assert!(
            matches!(reply, ServerMsg::Players { .. }),
            "refused at an honest pace: {reply:?}"
        );
    }
}

#[tokio::test]
async fn a_thousand_wrong_pins_from_one_address_are_throttled_while_sixty_players_join() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let wrong = common::other_pin(&host.pin);
    let started = Instant::now();
    // 100 guessing sockets, 10 guesses each, all from 127.0.0.1 ...
    let guessers = (0..100).map(|_| {
        let (url, wrong) = (game.url.clone(), wrong.clone());
        tokio::spawn(async move {
            let mut bot = Bot::connect(&url).await.unwrap();
            let mut codes = Vec::new();
            for _ in 0..10 {
                codes.push(join_refused(&mut bot, &wrong, "Guess").await);
            }
            codes
        })
    });
    // ... while a class joins the right room from the same address.
    let class = (0..60).map(|i| {
        let (url, pin) = (game.url.clone(), host.pin.clone());
        tokio::spawn(async move { Bot::joined(&url, &pin, &format!("Pupil {i}")).await })
    });
    let (guesses, joins) = tokio::join!(join_all(guessers), join_all(class));
    let codes: Vec<ErrorCode> = guesses.into_iter().flat_map(|g| g.unwrap()).collect();
    let missed = codes
        .iter()
        .filter(|c| **c == ErrorCode::NoSuchRoom)
        .count();
    let limited = codes
        .iter()
        .filter(|c| **c == ErrorCode::RateLimited)
        .count();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "1000 wrong PINs in {secs:.1} s: {missed} answered no_such_room, {limited} rate_limited"
    );
    assert_eq!(missed + limited, 1000);
    // A burst of 10, then one a second.
    assert!(
        missed as f64 <= 10.0 + secs.ceil() + 1.0,
        "{missed} guesses got an answer"
    );
    let joined = joins.into_iter().filter(|j| matches!(j, Ok(Ok(_)))).count();
    assert_eq!(joined, 60, "every player with the right PIN got in");
    host.await_players(60).await.unwrap();
}

/// Sends the start of a request and returns how long the server took to close the socket.
async fn half_request_closed_after(addr: std::net::SocketAddr, limit: Duration) -> Duration {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let mut buf = [0u8; 512];
    let read = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {} // a 408 may come first; the close is what counts
            }
        }
    })
    .await;
    assert!(read.is_ok(), "still open after {limit:?}");
    started.elapsed()
}

#[tokio::test]
async fn a_half_sent_http_request_is_closed_after_the_header_timeout() {
    let server = TestServer::start_with(|c| c.header_timeout = Duration::from_millis(800)).await;
    let took = half_request_closed_after(server.addr, Duration::from_secs(5)).await;
    assert!(
        took >= Duration::from_millis(700),
        "closed too early: {took:?}"
    );
    // A socket that sends nothing at all is held no longer.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 64];
    let closed = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf)).await;
    assert!(closed.is_ok(), "a silent TCP connection is closed too");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_half_sent_http_request_is_closed_within_ten_seconds_by_default() {
    let server = TestServer::start().await;
    let took = half_request_closed_after(server.addr, Duration::from_secs(11)).await;
    println!("half-sent request closed after {took:?}");
    assert!(took <= Duration::from_millis(10_500), "{took:?}");
    assert!(took >= Duration::from_secs(9), "closed too early: {took:?}");
}

#[tokio::test]
async fn a_silent_socket_is_closed_within_45_seconds_by_default() {
    let config = quizrace::Config::new("unused.db");
    assert_eq!(config.ping_every, Duration::from_secs(15));
    assert_eq!(config.idle_close, Duration::from_secs(45));
    let server = TestServer::start().await;
    // Raw TCP: the upgrade is made, then nothing is read or sent, so no ping is answered.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let upgrade = format!(
        "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        server.addr
    );
    stream.write_all(upgrade.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(47), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {} // the 101, then pings and the close frame
            }
        }
    })
    .await;
    let took = started.elapsed();
    println!("silent socket closed after {took:?}");
    assert!(closed.is_ok(), "still open after 47 s");
    assert!(
        took >= Duration::from_secs(44),
        "closed too early: {took:?}"
    );
    assert!(took <= Duration::from_millis(46_500), "{took:?}");
}

/// One HTTP/1.1 request over a fresh socket; the status code.
async fn status_of(addr: std::net::SocketAddr, head: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 1024];
    while !reply.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed without a status line");
        reply.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&reply);
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn foreign_origins_are_refused_on_the_socket_and_the_api() {
    let server =
        TestServer::start_with(|c| c.allow_origins = vec!["https://school.example".into()]).await;
    let addr = server.addr;
    let me = |origin: &str| {
        let origin = if origin.is_empty() {
            String::new()
        } else {
            format!("Origin: {origin}\r\n")
        };
        format!("GET /api/me HTTP/1.1\r\nHost: {addr}\r\n{origin}Connection: close\r\n\r\n")
    };
    assert_eq!(status_of(addr, &me("http://evil.example")).await, 403);
    assert_eq!(status_of(addr, &me("null")).await, 403);
    // No origin (a bot), the server's own origin, a listed one: through to the handler (401).
    assert_eq!(status_of(addr, &me("")).await, 401);
    assert_eq!(status_of(addr, &me(&format!("http://{addr}"))).await, 401);
    assert_eq!(status_of(addr, &me("https://school.example")).await, 401);

    let socket = |origin: &str| {
        let mut req = server.ws_url().into_client_request().unwrap();
        req.headers_mut().insert("Origin", origin.parse().unwrap());
        req
    };
    let refused = tokio_tungstenite::connect_async(socket("http://evil.example")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 403)
        }
        other => panic!("a foreign page opened a socket: {:?}", other.map(|_| ())),
    }
    let own = tokio_tungstenite::connect_async(socket(&format!("http://{addr}"))).await;
    assert!(own.is_ok(), "the server's own pages may connect");
    // The pages themselves load from anywhere (a link from another site is fine).
    let page = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(addr, &page).await, 200);
}

#[tokio::test]
async fn password_guessing_is_throttled_per_account_with_429() {
    let server = TestServer::start().await;
    let http = server.http();
    let attempt = |password: &'static str| {
        let http = &http;
        async move {
            let reply = http
                .post(
                    "/api/login",
                    None,
                    json!({"username": "admin", "password": password}),
                )
                .await
                .unwrap();
            (reply.status, reply.json().ok())
        }
    };
    for _ in 0..quizrace::limits::LOGIN_FREE_FAILURES {
        assert_eq!(attempt("guess").await.0, 401);
    }
    let (status, body) = attempt(ADMIN_PASSWORD).await;
    assert_eq!(
        status, 429,
        "even the right password waits during the backoff"
    );
    let body = body.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["retry_after_s"].as_u64().unwrap() >= 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(attempt(ADMIN_PASSWORD).await.0, 200, "after the wait");
    assert_eq!(
        attempt("guess").await.0,
        401,
        "a success clears the account"
    );
}

#[tokio::test]
async fn connections_over_the_per_address_cap_are_refused_and_freed_on_close() {
    let server = TestServer::start_with(|c| {
        c.cap_loopback = true;
        c.max_conns_per_addr = 5;
    })
    .await;
    let url = server.ws_url();
    let mut open = Vec::new();
    for _ in 0..5 {
        open.push(Bot::connect(&url).await.unwrap());
    }
    assert!(Bot::connect(&url).await.is_err(), "the sixth is refused");
    open.pop().unwrap().close().await;
    // The server notices the close and frees the place.
    let mut again = None;
    for _ in 0..50 {
        if let Ok(bot) = Bot::connect(&url).await {
            again = Some(bot);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut again = again.expect("a place freed by a close");
    again.send(&ClientMsg::List).await.unwrap();
    again.expect_error(ErrorCode::NotJoined).await.unwrap();
}

#[tokio::test]
async fn the_message_rate_is_configurable() {
    let game = Game::with_config(one_question(), |c| c.msg_rate = Rate::new(0.1, 3.0)).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    // The join took one of the three tokens.
    for _ in 0..3 {
        bots[0].send(&ClientMsg::List).await.unwrap();
    }
    // The refusal comes from the socket, the lists from the room: in either order.
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(match bots[0].recv().await.unwrap() {
            ServerMsg::Players { .. } => "players",
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } => "rate_limited",
            other => panic!("unexpected {other:?}"),
        });
    }
    got.sort_unstable();
    assert_eq!(got, ["players", "players", "rate_limited"]);
}
