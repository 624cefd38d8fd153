//! A room handed over from one node to another mid-game, with two in-process nodes on one
//! SQLite file and stand-ins for the cluster's placement: node A serves the room, stops
//! (SIGTERM) and hands it over; node B claims it and rebuilds it. A player who joined through B
//! follows the `moved` A sends, waits while B claims the room, and resumes (as the same
//! player, with their answer kept): after a `welcome` a client comes back with `resume`, never
//! a second `join`.

mod common;

use common::{answer_acked, choice, question, quiz};
use quizrace::cluster::{Cluster, Location};
use quizrace::lobby::Directory;
use quizrace::store::{Result as StoreResult, RunningGames};
use quizrace::{App, DbTarget};
use quizrace_protocol::{AnswerValue, ClientMsg, GameId, Pin, ServerMsg};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// Node A's placement: its rooms are its own; a stop hands them over.
#[derive(Default)]
struct Hands {
    released: AtomicBool,
}

impl Cluster for Hands {
    fn is_cluster(&self) -> bool {
        true
    }
    fn locate(&self, _pin: &Pin) -> StoreResult<Location> {
        Ok(Location::Nowhere)
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
        self.released.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Node B's placement: A serves the rooms in its lobby; once A has handed its games over, B's
/// next claim takes every running game of the shared file.
struct Takes {
    a: OnceLock<(App, String)>,
    a_placement: Arc<Hands>,
    db: PathBuf,
    claimed: AtomicBool,
}

impl Cluster for Takes {
    fn is_cluster(&self) -> bool {
        true
    }
    fn locate(&self, pin: &Pin) -> StoreResult<Location> {
        match self.a.get() {
            Some((a, url)) if a.lobby().lookup(pin).is_some() => {
                Ok(Location::Node { url: url.clone() })
            }
            _ => Ok(Location::FailingOver),
        }
    }
    fn renew(&self) -> StoreResult<()> {
        Ok(())
    }
    fn claim(&self) -> StoreResult<RunningGames> {
        if !self.a_placement.released.load(Ordering::SeqCst) || self.claimed.load(Ordering::SeqCst)
        {
            return Ok(Vec::new());
        }
        // A's writer may hold the file a moment longer: a claim that fails is tried again.
        let games = quizrace::store::Store::open(&self.db)?.running_games()?;
        self.claimed.store(true, Ordering::SeqCst);
        Ok(games)
    }
    fn disown(&self, _game: GameId) -> StoreResult<()> {
        Ok(())
    }
    fn release_all(&self) -> StoreResult<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_player_follows_a_handover_to_the_next_node_and_resumes_as_the_same_player() {
    let hands = Arc::new(Hands::default());
    let mut a = TestServer::start_placed(hands.clone(), |_| {}).await;
    // The shared file outlives A's stop (B serves from it).
    let dir = std::mem::replace(&mut a.dir, tempfile::tempdir().expect("temp dir"));
    let db = dir.path().join("quizrace.db");
    let takes = Arc::new(Takes {
        a: OnceLock::new(),
        a_placement: hands,
        db: db.clone(),
        claimed: AtomicBool::new(false),
    });
    let _ = takes.a.set((a.app.clone(), format!("http://{}", a.addr)));
    let b = TestServer::start_placed(takes.clone(), |c| c.db = DbTarget::Sqlite(db)).await;

    let http = a.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    let quiz_id = http
        .create_quiz(&token, &quiz(vec![choice(1), choice(2)]))
        .await
        .expect("quiz");
    let mut host = Host::create(&a.ws_url(), &token, quiz_id, Default::default())
        .await
        .expect("room on A");
    // Ada starts at B, which sends her to A.
    let mut ada = Bot::joined(&b.ws_url(), &host.pin, "Ada")
        .await
        .expect("Ada joins through B");
    let ada_id = ada.player_id();
    // Bob, on A directly, does not answer: the question stays open.
    let _bob = Bot::joined(&a.ws_url(), &host.pin, "Bob")
        .await
        .expect("Bob joins");
    host.await_players(2).await.expect("host sees both");
    host.send(&ClientMsg::Start).await.expect("start");
    question(&mut ada).await;
    answer_acked(&mut ada, 0, AnswerValue::Choice(1)).await;

    a.stop().await;
    // Ada is told moved; she comes back at B, waits while it claims the room, and resumes.
    let back = ada
        .expect("welcome or error", |m| {
            matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. }).then(|| m.clone())
        })
        .await
        .expect("an answer at B");
    let ServerMsg::Welcome {
        player_id,
        question,
        ..
    } = back
    else {
        panic!("Ada came back with a second join, not a resume: {back:?}");
    };
    assert_eq!(player_id, ada_id, "the same player");
    let q = question.expect("the question is open again");
    assert_eq!((q.index, q.answered), (0, Some(true)), "her answer is kept");
    assert!(
        b.app.lobby().lookup(&host.pin).is_some(),
        "B serves the room"
    );
    assert_eq!(b.app.metrics().cluster().failovers.get(), 1);
}
