//! The room task's timers on tokio's paused clock, with channels standing in for sockets.

use super::drive::quiz;
use super::state::{Room, Settings, Write};
use super::tests::{settings, HOST};
use crate::room::storage::InstantWriter;
use crate::room::{spawn_room, ConnHandle, Out, RoomCmd, RoomHandle};
use crate::room::{HOST_BACKLOG, PLAYER_BACKLOG};
use quizrace_protocol::{ClientMsg, ErrorCode, Mode, PlayerId, ServerMsg};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};

/// A connection whose outbox holds `capacity` frames and counts as behind at `backlog`.
fn conn_with(id: u64, capacity: usize, backlog: usize) -> (ConnHandle, mpsc::Receiver<Out>) {
    let (tx, rx) = mpsc::channel(capacity);
    let kill = Arc::new(Notify::new());
    (
        ConnHandle {
            id,
            tx,
            kill,
            backlog,
            owed: Default::default(),
            wire: None,
        },
        rx,
    )
}

fn conn(id: u64) -> (ConnHandle, mpsc::Receiver<Out>) {
    conn_with(id, 64, 64)
}

fn open(settings: Settings) -> RoomHandle {
    let room = Room::new(settings, quiz(), tokio::time::Instant::now().into_std());
    spawn_room(
        room,
        Arc::new(InstantWriter),
        crate::metrics::RoomMetrics::default(),
        || {},
    )
}

async fn attach_host(handle: &RoomHandle, conn: ConnHandle) {
    let (reply, ok) = oneshot::channel();
    let key = "key".into();
    handle
        .send(RoomCmd::AttachHost {
            conn,
            by: crate::room::actor::HostAttach::Created(key),
            screen: false,
            reply,
        })
        .await;
    ok.await.expect("reply").expect("attached");
}

async fn join(handle: &RoomHandle, conn: ConnHandle, name: &str) -> PlayerId {
    let (reply, ok) = oneshot::channel();
    let token = format!("t-{name}");
    handle
        .send(RoomCmd::Join {
            conn,
            name: name.into(),
            token,
            reply,
        })
        .await;
    ok.await.expect("reply").expect("joined")
}

async fn answer_now(handle: &RoomHandle, conn: u64, player: PlayerId, choice: u32) {
    let at = tokio::time::Instant::now().into_std();
    let msg = ClientMsg::Answer {
        order: None,
        value: None,
        index: 0,
        choice: Some(choice),
        choices: None,
        text: None,
    };
    handle
        .send(RoomCmd::Player {
            conn,
            player,
            msg,
            at,
        })
        .await;
}

async fn host_says(handle: &RoomHandle, msg: ClientMsg) {
    handle.send(RoomCmd::Host { conn: HOST, msg }).await;
}

async fn next_msg(rx: &mut mpsc::Receiver<Out>) -> ServerMsg {
    loop {
        match rx.recv().await.expect("outbox open") {
            Out::Frame(text) | Out::Error(text) => {
                return serde_json::from_str(&text).expect("valid frame")
            }
            Out::Ping => continue,
            Out::Close(code, _) => panic!("closed with {code}"),
        }
    }
}

async fn until(rx: &mut mpsc::Receiver<Out>, pick: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
    loop {
        let m = next_msg(rx).await;
        if pick(&m) {
            return m;
        }
    }
}

/// A cluster's writer, after another node claimed the room: it stores nothing more here.
struct FencingWriter;

impl crate::room::RoomWriter for FencingWriter {
    fn write(
        &self,
        _write: Write,
        _seq: u64,
        notify: Arc<tokio::sync::watch::Sender<crate::room::Committed>>,
    ) {
        notify.send_replace(crate::room::Committed::Fenced);
    }
}

#[tokio::test(start_paused = true)]
async fn a_fenced_room_stops_and_never_delivers_what_waited_for_its_rows() {
    let room = Room::new(
        settings(Mode::Classic),
        quiz(),
        tokio::time::Instant::now().into_std(),
    );
    let handle = spawn_room(
        room,
        Arc::new(FencingWriter),
        crate::metrics::RoomMetrics::default(),
        || {},
    );
    let (host, _host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    let (p1, mut p1_rx) = conn(1);
    assert_eq!(join(&handle, p1, "Ada").await, PlayerId(1));
    // The welcome waits for the player's row, which is never stored: the outbox closes
    // with the room instead, at once (not when the room would close for being idle).
    let drained = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(out) = p1_rx.recv().await {
            if let Out::Frame(text) = out {
                assert!(!text.contains("\"welcome\""), "{text}");
            }
        }
    });
    drained.await.expect("the outbox closed with the room");
    assert!(!host_says_ok(&handle).await, "the room task has ended");
}

async fn host_says_ok(handle: &RoomHandle) -> bool {
    handle
        .send(RoomCmd::Host {
            conn: HOST,
            msg: ClientMsg::Start,
        })
        .await
}

#[tokio::test(start_paused = true)]
async fn question_times_out_on_the_server_clock() {
    let handle = open(settings(Mode::Classic));
    let (host, mut host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    let (p1, mut p1_rx) = conn(1);
    assert_eq!(join(&handle, p1, "Ada").await, PlayerId(1));
    assert!(matches!(
        next_msg(&mut p1_rx).await,
        ServerMsg::Welcome { .. }
    ));

    let started = tokio::time::Instant::now();
    host_says(&handle, ClientMsg::Start).await;
    until(&mut p1_rx, |m| matches!(m, ServerMsg::Question(_))).await;
    // Nobody answers: the paused clock jumps to the deadline and the room closes the question.
    until(&mut p1_rx, |m| {
        matches!(m, ServerMsg::QuestionClosed { .. })
    })
    .await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(10_250),
        "closed after limit + grace, not before ({waited:?})"
    );
    assert!(waited < Duration::from_millis(10_400));
    match until(&mut p1_rx, |m| matches!(m, ServerMsg::Result { .. })).await {
        ServerMsg::Result {
            answered, points, ..
        } => assert_eq!((answered, points), (false, 0)),
        _ => unreachable!(),
    }
    until(&mut host_rx, |m| {
        matches!(m, ServerMsg::QuestionClosed { .. })
    })
    .await;

    // An answer now is too late, timed by the server.
    answer_now(&handle, 1, PlayerId(1), 1).await;
    match until(&mut p1_rx, |m| matches!(m, ServerMsg::Error { .. })).await {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::TooLate),
        _ => unreachable!(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_slow_reader_is_cut_off_without_stalling_the_room() {
    let handle = open(settings(Mode::Classic));
    let (host, mut host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    // A player whose outbox holds one frame and who never reads.
    let (slow, _never_read) = conn_with(2, 1, 1);
    let kill = Arc::clone(&slow.kill);
    join(&handle, slow, "Slow").await;
    let (p1, mut p1_rx) = conn(1);
    let ada = join(&handle, p1, "Ada").await;
    host_says(&handle, ClientMsg::Start).await;
    kill.notified().await; // the room asked the slow socket to go
    until(&mut host_rx, |m| {
        matches!(
            m,
            ServerMsg::PlayerConnection {
                connected: false,
                ..
            }
        )
    })
    .await;
    until(&mut p1_rx, |m| matches!(m, ServerMsg::Question(_))).await;
    answer_now(&handle, 1, ada, 1).await;
    // Ada is the only connected player left, so her answer closes the question at once.
    until(&mut p1_rx, |m| {
        matches!(m, ServerMsg::QuestionClosed { .. })
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_joins_does_not_cut_off_a_host_that_reads_slowly() {
    // The same backlog on a player socket would be far over its limit.
    const { assert!(1000 > PLAYER_BACKLOG) };
    let mut s = settings(Mode::Classic);
    s.max_players = 5000;
    let handle = open(s);
    // A host that reads nothing while 1,000 players join: 1,000 player_joined frames queue.
    let (host, _host_unread) = conn_with(HOST, HOST_BACKLOG, PLAYER_BACKLOG);
    let host_kill = Arc::clone(&host.kill);
    attach_host(&handle, host.as_host()).await;
    let mut readers = Vec::new();
    for i in 1..=1000u64 {
        let (c, rx) = conn(i);
        readers.push(rx);
        join(&handle, c, &format!("p{i}")).await;
    }
    let cut = tokio::time::timeout(Duration::from_secs(1), host_kill.notified()).await;
    assert!(cut.is_err(), "the host was cut off by a burst of joins");
}

/// What is left in an outbox until it closes: the frames, and the close code if any.
async fn rest(rx: &mut mpsc::Receiver<Out>) -> (Vec<ServerMsg>, Option<u16>) {
    let mut frames = Vec::new();
    let drained = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(out) = rx.recv().await {
            match out {
                Out::Frame(text) | Out::Error(text) => {
                    frames.push(serde_json::from_str(&text).expect("valid frame"))
                }
                Out::Ping => {}
                Out::Close(code, _) => return Some(code),
            }
        }
        None
    });
    let code = drained.await.expect("the outbox closed with the room");
    (frames, code)
}

fn moved_to_any_node(pin: &quizrace_protocol::Pin) -> ServerMsg {
    ServerMsg::Moved {
        pin: pin.clone(),
        url: None,
        retry_after_ms: Some(500),
    }
}

#[tokio::test(start_paused = true)]
async fn a_fenced_room_tells_its_connections_moved_and_closes_them_normally() {
    let room = Room::new(
        settings(Mode::Classic),
        quiz(),
        tokio::time::Instant::now().into_std(),
    );
    let handle = spawn_room(
        room,
        Arc::new(FencingWriter),
        crate::metrics::RoomMetrics::default(),
        || {},
    );
    let (host, mut host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    let (p1, mut p1_rx) = conn(1);
    join(&handle, p1, "Ada").await;
    for rx in [&mut host_rx, &mut p1_rx] {
        let (frames, code) = rest(rx).await;
        assert_eq!(
            frames.last(),
            Some(&moved_to_any_node(&handle.pin)),
            "{frames:?}"
        );
        assert_eq!(code, Some(1000), "a normal close");
    }
}

#[tokio::test(start_paused = true)]
async fn a_handover_moves_every_connection_and_stops_the_room() {
    let handle = open(settings(Mode::Classic));
    let (host, mut host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    let (p1, mut p1_rx) = conn(1);
    let ada = join(&handle, p1, "Ada").await;
    host_says(&handle, ClientMsg::Start).await;
    until(&mut p1_rx, |m| matches!(m, ServerMsg::Question(_))).await;
    answer_now(&handle, 1, ada, 1).await;
    let (done, stopped) = oneshot::channel();
    assert!(handle.send(RoomCmd::Handover { done }).await);
    stopped.await.expect("the room says it has stopped");
    for rx in [&mut host_rx, &mut p1_rx] {
        let (frames, code) = rest(rx).await;
        assert_eq!(
            frames.last(),
            Some(&moved_to_any_node(&handle.pin)),
            "{frames:?}"
        );
        assert!(
            !frames
                .iter()
                .any(|m| matches!(m, ServerMsg::RoomClosed { .. })),
            "never room_closed on a handover: {frames:?}"
        );
        assert_eq!(code, Some(1000));
    }
    assert!(!host_says_ok(&handle).await, "the room task has ended");
}

/// A snapshot of the room, once it has handled everything sent before.
async fn summary(handle: &RoomHandle) -> crate::room::RoomSummary {
    let (reply, answer) = oneshot::channel();
    handle.send(RoomCmd::Summary { reply }).await;
    answer.await.expect("the room answers")
}

/// Whether the room has let go of a connection's outbox: empty and with no sender left.
fn let_go(rx: &mut mpsc::Receiver<Out>) -> bool {
    loop {
        match rx.try_recv() {
            Ok(_) => continue,
            Err(mpsc::error::TryRecvError::Disconnected) => return true,
            Err(mpsc::error::TryRecvError::Empty) => return false,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_departed_player_keeps_the_results_and_nothing_of_the_connection() {
    let handle = open(settings(Mode::Classic));
    let (host, _host_rx) = conn(HOST);
    attach_host(&handle, host).await;
    let mut players = Vec::new();
    for (id, name) in [(1, "Ada"), (2, "Bob"), (3, "Cy")] {
        let (c, rx) = conn(id);
        let kill = Arc::downgrade(&c.kill);
        let player = join(&handle, c, name).await;
        players.push((id, player, rx, kill));
    }
    host_says(&handle, ClientMsg::Start).await;
    for (id, player, rx, _) in &mut players {
        until(rx, |m| matches!(m, ServerMsg::Question(_))).await;
        answer_now(&handle, *id, *player, 1).await;
        until(rx, |m| matches!(m, ServerMsg::AnswerAck { .. })).await;
    }

    // Ada's socket drops; Bob leaves the game; Cy stays.
    handle.send(RoomCmd::Gone { conn: 1 }).await;
    let (bob_conn, bob) = (players[1].0, players[1].1);
    handle
        .send(RoomCmd::Player {
            conn: bob_conn,
            player: bob,
            msg: ClientMsg::Leave,
            at: tokio::time::Instant::now().into_std(),
        })
        .await;
    handle.send(RoomCmd::Gone { conn: bob_conn }).await;
    let seen = summary(&handle).await;

    let [ada, bob, cy] = &mut players[..] else {
        unreachable!()
    };
    for (who, (_, _, rx, kill)) in [("Ada", ada), ("Bob", bob)] {
        assert!(let_go(rx), "the room still holds {who}'s outbox");
        assert!(
            kill.upgrade().is_none(),
            "the room still holds {who}'s kill switch"
        );
    }
    assert!(!let_go(&mut cy.2), "a connected player's outbox stays");
    assert!(cy.3.upgrade().is_some());
    // What the results need stays: Ada is listed, disconnected, with her points.
    let listed = seen.players.iter().find(|p| p.name == "Ada").expect("Ada");
    assert!(!listed.connected);
    assert!(listed.score > 0, "{listed:?}");
}
