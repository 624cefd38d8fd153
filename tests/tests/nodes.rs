//! Routing between the nodes of a cluster, with two in-process nodes: A, an ordinary node that
//! owns a room, and B, whose placement is a stand-in for the cluster's database ([`Beside`]:
//! a room in A's lobby is served by A; a PIN may be marked as failing over). B answers a
//! socket or a join for A's room with `moved` to A, a PIN failing over with `moved` and a
//! wait, a PIN of no room with `no_such_room` (a failed join, counted by the throttle; a
//! `moved` is not); and B, stopping, hands its own rooms over: `moved`, never
//! `server_shutdown`.
//!
//! The same with both nodes on one PostgreSQL database (placement, claims and fencing for
//! real) is in `nodes_pg.rs`.

mod common;

use common::{answer_acked, choice, join_refused, one_question, question, quiz, Game, Raw};
use quizrace::cluster::{Cluster, Location};
use quizrace::limits::Rate;
use quizrace::lobby::Directory;
use quizrace::store::{Result as StoreResult, RunningGames};
use quizrace::App;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, GameId, Pin};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Placement as node B sees it: node A serves the rooms in its lobby.
struct Beside {
    owner: App,
    owner_url: String,
    failing_over: Mutex<HashSet<Pin>>,
    located: AtomicU32,
    released: AtomicU32,
}

impl Beside {
    fn of(a: &TestServer) -> Arc<Beside> {
        Arc::new(Beside {
            owner: a.app.clone(),
            owner_url: format!("http://{}", a.addr),
            failing_over: Mutex::new(HashSet::new()),
            located: AtomicU32::new(0),
            released: AtomicU32::new(0),
        })
    }

    fn fail_over(&self, pin: &Pin) {
        self.failing_over
            .lock()
            .expect("not poisoned")
            .insert(pin.clone());
    }
}

impl Cluster for Beside {
    fn is_cluster(&self) -> bool {
        true
    }
    fn locate(&self, pin: &Pin) -> StoreResult<Location> {
        self.located.fetch_add(1, Ordering::Relaxed);
        if self
            .failing_over
            .lock()
            .expect("not poisoned")
            .contains(pin)
        {
            return Ok(Location::FailingOver);
        }
        Ok(match self.owner.lobby().lookup(pin) {
            Some(_) => Location::Node {
                url: self.owner_url.clone(),
            },
            None => Location::Nowhere,
        })
    }
    fn renew(&self) -> StoreResult<()> {
        Ok(())
    }
    fn claim(&self) -> StoreResult<RunningGames> {
        Ok(Vec::new())
    }
    fn disown(&self, _game: GameId) -> StoreResult<()> {
        Ok(())
    }
    fn release_all(&self) -> StoreResult<()> {
        self.released.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Placement that gives this node, at its first claim, the games a stopped node left running;
/// until then their PINs are failing over.
struct TakesOver {
    games: Mutex<Option<RunningGames>>,
}

impl Cluster for TakesOver {
    fn is_cluster(&self) -> bool {
        true
    }
    fn locate(&self, _pin: &Pin) -> StoreResult<Location> {
        Ok(Location::FailingOver)
    }
    fn renew(&self) -> StoreResult<()> {
        Ok(())
    }
    fn claim(&self) -> StoreResult<RunningGames> {
        Ok(self
            .games
            .lock()
            .expect("not poisoned")
            .take()
            .unwrap_or_default())
    }
    fn disown(&self, _game: GameId) -> StoreResult<()> {
        Ok(())
    }
    fn release_all(&self) -> StoreResult<()> {
        Ok(())
    }
}

/// Node A with a room (and its host), and node B beside it.
struct Two {
    a: Game,
    host: Host,
    b: TestServer,
    placement: Arc<Beside>,
}

impl Two {
    async fn start(tune_b: impl FnOnce(&mut quizrace::Config)) -> Two {
        let a = Game::with(one_question()).await;
        let host = a.room().await;
        let placement = Beside::of(&a.server);
        let b = TestServer::start_placed(placement.clone(), tune_b).await;
        Two {
            a,
            host,
            b,
            placement,
        }
    }

    fn pin(&self) -> Pin {
        self.host.pin.clone()
    }

    /// The socket URL of A's room on A.
    fn owner_socket(&self) -> String {
        format!("{}?pin={}", self.a.url, self.pin())
    }
}

fn join(pin: &Pin, name: &str) -> Value {
    json!({"type": "join", "pin": pin.0, "name": name})
}

fn moved_count(app: &App) -> u64 {
    app.metrics().rooms().moved.get()
}

#[tokio::test]
async fn a_socket_naming_a_room_on_another_node_is_moved_there_before_it_says_anything() {
    let two = Two::start(|_| {}).await;
    let mut raw = Raw::connect(&format!("{}?pin={}", two.b.ws_url(), two.pin())).await;
    let (code, texts) = raw.until_closed().await;
    let want = json!({"type": "moved", "pin": two.pin().0, "url": two.owner_socket()});
    assert_eq!(texts.len(), 1, "{texts:?}");
    let got: Value = serde_json::from_str(&texts[0]).expect("JSON");
    assert_eq!(got, want, "the owner's socket URL, no wait");
    assert_eq!(code, Some(1000), "closed normally");
    assert_eq!(moved_count(&two.b.app), 1);
}

#[tokio::test]
async fn a_join_through_another_node_is_moved_to_the_owner_and_plays_there() {
    let mut two = Two::start(|_| {}).await;
    let pin = two.pin();
    // A plain socket on B: the join is moved; the bot follows and joins on A.
    let mut ada = Bot::connect(&two.b.ws_url()).await.expect("connect to B");
    let welcome = ada.join(&pin, "Ada").await.expect("Ada joins via B");
    assert_eq!(welcome.pin, pin);
    // A socket that names the room is moved at once, and joins on A too.
    let mut bob = Bot::joined(&two.b.ws_url(), &pin, "Bob")
        .await
        .expect("Bob joins via B");
    two.host
        .await_players(2)
        .await
        .expect("the host on A sees both");
    assert_eq!(moved_count(&two.b.app), 2);
    assert_eq!(moved_count(&two.a.server.app), 0, "the owner moves no one");

    two.host.send(&ClientMsg::Start).await.expect("start");
    for bot in [&mut ada, &mut bob] {
        question(bot).await;
        answer_acked(bot, 0, AnswerValue::Choice(1)).await;
    }
    assert!(two.b.app.lobby().is_empty(), "B never held the room");
}

#[tokio::test]
async fn a_socket_told_moved_reads_nothing_more() {
    let two = Two::start(|_| {}).await;
    let pin = two.pin();
    // Both the `?pin=` answer and a join's race the client's next frames: try a few times.
    let with_pin = format!("?pin={pin}");
    for query in ["", with_pin.as_str()].repeat(5) {
        let before = moved_count(&two.b.app);
        let mut raw = Raw::connect(&format!("{}{query}", two.b.ws_url())).await;
        for _ in 0..20 {
            raw.send(join(&pin, "Ada")).await;
        }
        let (code, texts) = raw.until_closed().await;
        assert_eq!(
            texts.len(),
            1,
            "{query}: one moved, then nothing: {texts:?}"
        );
        assert_eq!(code, Some(1000), "{query}");
        assert_eq!(moved_count(&two.b.app), before + 1, "{query}");
    }
}

#[tokio::test]
async fn a_room_failing_over_is_moved_without_a_url_after_a_wait() {
    let two = Two::start(|_| {}).await;
    let pin = two.pin();
    two.placement.fail_over(&pin);
    for query in [String::new(), format!("?pin={pin}")] {
        let mut raw = Raw::connect(&format!("{}{query}", two.b.ws_url())).await;
        if query.is_empty() {
            raw.send(join(&pin, "Ada")).await;
        }
        let (code, texts) = raw.until_closed().await;
        let want = json!({"type": "moved", "pin": pin.0, "retry_after_ms": 1000});
        assert_eq!(texts.len(), 1, "{query}: {texts:?}");
        let got: Value = serde_json::from_str(&texts[0]).expect("JSON");
        assert_eq!(got, want, "{query}");
        assert_eq!(code, Some(1000), "{query}");
    }
}

#[tokio::test]
async fn a_pin_of_no_room_is_a_failed_join_on_a_cluster_node_and_a_moved_is_not() {
    // Three failed joins, then the address is throttled.
    let two = Two::start(|c| c.join_failures = Rate::new(0.001, 3.0)).await;
    let (pin, b) = (two.pin(), two.b.ws_url());
    for _ in 0..6 {
        let mut raw = Raw::connect(&b).await;
        raw.send(join(&pin, "Ada")).await;
        raw.expect("moved").await;
    }
    let nowhere = common::other_pin(&pin);
    // A socket naming no room counts one failure, and its join for that PIN no second one.
    for round in 0..3 {
        let mut bot = Bot::connect_for(&b, &nowhere).await.expect("upgraded");
        assert_eq!(
            join_refused(&mut bot, &nowhere, "Ada").await,
            ErrorCode::NoSuchRoom,
            "failed join {}",
            round + 1
        );
    }
    let mut prober = Bot::connect(&b).await.expect("upgraded");
    assert_eq!(
        join_refused(&mut prober, &nowhere, "Ada").await,
        ErrorCode::RateLimited
    );
    // Throttled, the address is not routed either: a live PIN looks like any other.
    let located = two.placement.located.load(Ordering::Relaxed);
    let mut raw = Raw::connect(&format!("{b}?pin={pin}")).await;
    raw.send(join(&pin, "Ada")).await;
    let (_, refusal) = raw.expect("error").await;
    assert_eq!(refusal["code"], "rate_limited");
    assert_eq!(two.placement.located.load(Ordering::Relaxed), located);
    // Nothing changed on the owner.
    assert!(two.a.server.app.lobby().lookup(&pin).is_some());
}

#[tokio::test]
async fn a_cluster_node_that_stops_hands_its_rooms_over_and_never_says_server_shutdown() {
    let two = Two::start(|_| {}).await;
    // A room of B's own, with a player, a socket naming it and a socket in no room.
    let http = two.b.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    let quiz_id = http
        .create_quiz(&token, &one_question())
        .await
        .expect("quiz");
    let url = two.b.ws_url();
    let mut host = Host::create(&url, &token, quiz_id, Default::default())
        .await
        .expect("room on B");
    let pin = host.pin.clone();
    let mut player = Raw::connect(&url).await;
    player.send(join(&pin, "Ada")).await;
    player.expect("welcome").await;
    host.await_players(1).await.expect("host sees Ada");
    let mut waiting = Raw::connect(&format!("{url}?pin={pin}")).await;
    let mut idle = Raw::connect(&url).await;
    // Let the two idle sockets reach their connection loops.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let placement = two.placement.clone();
    two.b.stop().await;
    assert_eq!(placement.released.load(Ordering::Relaxed), 1, "handed over");
    let want = json!({"type": "moved", "pin": pin.0, "retry_after_ms": 500});
    for (who, raw) in [("player", &mut player), ("waiting", &mut waiting)] {
        let (code, texts) = raw.until_closed().await;
        let last: Value = serde_json::from_str(texts.last().expect("a frame")).expect("JSON");
        assert_eq!(last, want, "{who}: {texts:?}");
        assert!(
            !texts.iter().any(|t| t.contains("server_shutdown")),
            "{who}: {texts:?}"
        );
        assert_eq!(code, Some(1000), "{who}");
    }
    let (code, texts) = idle.until_closed().await;
    assert!(texts.is_empty(), "{texts:?}");
    assert_eq!(
        code,
        Some(1001),
        "going away: the client reconnects anywhere"
    );
}

#[tokio::test]
async fn a_node_rebuilds_the_rooms_it_claims_and_their_players_resume_there() {
    if quizrace_tests::server::skip_on_postgres(
        "B reads A's SQLite file through a stand-in placement; nodes_pg.rs claims on PostgreSQL",
    ) {
        return;
    }
    let mut a = Game::with(quiz(vec![choice(1), choice(2)])).await;
    let mut host = a.room().await;
    let mut bots = a.players(&mut host, &["Ada", "Bob"]).await;
    host.send(&ClientMsg::Start).await.expect("start");
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    // A stops; its game stays running in the database B takes it from.
    let dir = std::mem::replace(&mut a.server.dir, tempfile::tempdir().expect("temp dir"));
    let Game { server, .. } = a;
    server.stop().await;
    let db = dir.path().join("quizrace.db");
    let games = tokio::task::spawn_blocking(move || {
        quizrace::store::Store::open(&db)
            .expect("store")
            .running_games()
            .expect("read back")
    })
    .await
    .expect("read task");
    assert_eq!(games.len(), 1);
    let placement = Arc::new(TakesOver {
        games: Mutex::new(Some(games)),
    });
    let b = TestServer::start_placed_in(dir, placement, |_| {}).await;

    // Until B has claimed and rebuilt the room, a resume is told to wait; then it resumes.
    let mut ada = Bot::connect(&b.ws_url()).await.expect("connect");
    let w = ada
        .resume(&host.pin, &bots[0].token())
        .await
        .expect("resumed on B");
    let q = w.question.expect("the question is open again");
    assert_eq!(
        (q.index, q.answered),
        (0, Some(true)),
        "Ada's answer is kept"
    );
    let mut bob = Bot::connect(&b.ws_url()).await.expect("connect");
    let w = bob
        .resume(&host.pin, &bots[1].token())
        .await
        .expect("resumed");
    assert_eq!(w.question.map(|q| q.answered), Some(Some(false)));
    answer_acked(&mut bob, 0, AnswerValue::Choice(0)).await;
    assert_eq!(b.app.metrics().cluster().failovers.get(), 1);
}
