//! Crash tests against the real server binary: 50 bots and a host play while the server is
//! killed with SIGKILL at a random moment; it restarts on the same database file, everyone
//! resumes (bots by token, the host by host key) and the game must play to the podium with
//! nothing lost: every acknowledged answer is in the stored results, none twice, the scores
//! the players were told are the stored ones, and SQLite's integrity check passes.
//!
//! `QUIZ_FAULT_SEED` replays a run (the seed is printed); `QUIZ_FAULT_ROUNDS` changes the
//! number of rounds (at least 20 by default, as CI runs it).

use anyhow::{bail, Context, Result};
use quizrace_protocol::{
    ClientMsg, ErrorCode, HostCredential, PhaseName, Pin, PlayerId, QuizDoc, ServerMsg,
};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::play::{right_answer, stored_answers, wrong_answer};
use quizrace_tests::server::{ServerProcess, ADMIN_PASSWORD};
use quizrace_tests::{Bot, Host};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

const BOTS: usize = 50;
const ROUNDS: usize = 20;
/// A restarted server must accept players again within this.
const BACK_WITHIN: Duration = Duration::from_secs(2);

fn quiz() -> Value {
    json!({"title": "Crash quiz", "read_s": 0, "questions": [
        {"kind":"choice","text":"2 + 2?","choices":["3","4","5"],"correct":[1],"time_limit_s":5},
        {"kind":"true_false","text":"Ice is cold.","correct":[0],"time_limit_s":5},
        {"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":5},
        {"kind":"choice","text":"Largest?","choices":["Mars","Jupiter"],"correct":[1],"time_limit_s":5,"points":"double"},
        {"kind":"poll","text":"Again?","choices":["Yes","No"],"time_limit_s":5}
    ]})
}

/// What one bot was told, across the crash.
#[derive(Debug)]
struct Seen {
    player: PlayerId,
    /// Indices of questions whose answer was acknowledged.
    acked: Vec<u32>,
    /// The score in the final `result` after `game_over`.
    final_score: Option<i64>,
    resumed: bool,
}

/// Connects and resumes until it works or `within` runs out (the server may be down).
async fn reconnect(url: &str, pin: &Pin, token: &str, within: Duration) -> Result<Bot> {
    let until = Instant::now() + within;
    loop {
        if let Ok(mut bot) = Bot::connect(url).await {
            bot.send(&ClientMsg::Resume {
                pin: pin.clone(),
                token: token.into(),
            })
            .await?;
            // The welcome stays in the stream: the play loop reads it.
            return Ok(bot);
        }
        if Instant::now() > until {
            bail!("could not reconnect within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Plays one bot to the final result, resuming after every lost connection.
async fn play(url: String, pin: Pin, name: String, doc: QuizDoc, seed: u64) -> Result<Seen> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bot = Bot::connect(&url).await?;
    let w = bot.join(&pin, &name).await?;
    let (token, mut seen) = (
        w.token.clone(),
        Seen {
            player: w.player_id,
            acked: Vec::new(),
            final_score: None,
            resumed: false,
        },
    );
    bot.deadline = Duration::from_secs(20);
    let mut over = false;
    loop {
        let msg = match bot.recv().await {
            Ok(msg) => msg,
            Err(_) => {
                bot = reconnect(&url, &pin, &token, Duration::from_secs(20)).await?;
                bot.deadline = Duration::from_secs(20);
                seen.resumed = true;
                continue;
            }
        };
        let question = match &msg {
            ServerMsg::Question(q) => Some(q.clone()),
            ServerMsg::Welcome { question, .. } => {
                if let Some(q) = question {
                    if seen.acked.contains(&q.index) && q.answered != Some(true) {
                        bail!("{name}: question {} was acked, then forgotten", q.index);
                    }
                }
                question.clone().filter(|q| q.answered == Some(false))
            }
            _ => None,
        };
        if let Some(q) = question {
            tokio::time::sleep(Duration::from_millis(rng.u64(0..500))).await;
            let answer = if rng.bool() {
                right_answer(&doc, &q)
            } else {
                wrong_answer(&doc, &q)
            };
            // A send into a dead socket shows up as a failed receive next.
            let _ = bot.answer(q.index, answer).await;
            continue;
        }
        match msg {
            ServerMsg::AnswerAck { index, .. } => seen.acked.push(index),
            ServerMsg::GameOver { .. } => over = true,
            ServerMsg::Result { score, .. } if over => {
                seen.final_score = Some(score);
                return Ok(seen);
            }
            ServerMsg::Error {
                code: ErrorCode::BadToken,
                ..
            } => {
                bail!("{name}: the token was refused after a restart")
            }
            ServerMsg::Error {
                code: ErrorCode::NoSuchRoom,
                ..
            } => bail!("{name}: the room did not come back"),
            ServerMsg::RoomClosed { reason } => bail!("{name}: room closed: {reason:?}"),
            _ => {}
        }
    }
}

/// The host: starts the game and moves it on after each reveal and leaderboard; after a
/// restart it takes the room back with its key and carries on from the phase it is told.
/// Returns the podium.
async fn host(
    url: String,
    mut host: Host,
    started: tokio::sync::oneshot::Sender<()>,
) -> Result<Vec<(PlayerId, i64, u32)>> {
    host.await_players(BOTS as u32).await?;
    host.send(&ClientMsg::Start).await?;
    let _ = started.send(());
    host.bot.deadline = Duration::from_secs(30);
    loop {
        let msg = match host.bot.recv().await {
            Ok(msg) => msg,
            Err(_) => {
                let until = Instant::now() + Duration::from_secs(20);
                host.bot = loop {
                    if let Ok(b) = Bot::connect(&url).await {
                        break b;
                    }
                    if Instant::now() > until {
                        bail!("host could not reconnect");
                    }
                    tokio::time::sleep(Duration::from_millis(25)).await;
                };
                host.bot.deadline = Duration::from_secs(30);
                host.send(&ClientMsg::HostResume {
                    pin: host.pin.clone(),
                    by: HostCredential::HostKey(host.host_key.clone()),
                    view: None,
                })
                .await?;
                continue;
            }
        };
        // A send into a dead socket shows up as a failed receive next.
        let _ = match msg {
            ServerMsg::RoomState { phase, .. } => match phase {
                PhaseName::Lobby => host.send(&ClientMsg::Start).await,
                PhaseName::Reveal | PhaseName::Leaderboard => host.send(&ClientMsg::Next).await,
                PhaseName::Question | PhaseName::Finished => Ok(()),
            },
            ServerMsg::QuestionClosed { .. } | ServerMsg::Leaderboard { .. } => {
                host.send(&ClientMsg::Next).await
            }
            ServerMsg::GameOver { podium, .. } => {
                return Ok(podium
                    .iter()
                    .map(|s| (s.player_id, s.score, s.rank))
                    .collect())
            }
            // `next` racing a phase change the host has not read yet.
            ServerMsg::Error {
                code: ErrorCode::BadPhase,
                ..
            } => Ok(()),
            ServerMsg::Error { code, .. } => bail!("host refused: {code:?}"),
            ServerMsg::RoomClosed { reason } => bail!("host: room closed: {reason:?}"),
            _ => Ok(()),
        };
    }
}

/// `PRAGMA integrity_check` on the file the killed server left.
fn integrity_ok(db: &Path) -> Result<bool> {
    let store = quizrace::store::Store::open(db).context("open the crashed database")?;
    Ok(store.integrity_ok()?)
}

struct Round {
    over_first: bool,
    kill_after: Duration,
    back_in: Duration,
    acked: usize,
    resumed: usize,
}

async fn round(
    n: usize,
    seed: u64,
    bin: &Path,
    db: &Path,
    server: &mut Option<ServerProcess>,
) -> Result<Round> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let running = server.as_ref().context("no server")?;
    let (url, addr, http) = (running.ws_url(), running.addr, running.http());
    let token = http.login("admin", ADMIN_PASSWORD).await?;
    let quiz = quiz();
    let doc: QuizDoc = serde_json::from_value(quiz.clone())?;
    let quiz_id = http.create_quiz(&token, &quiz).await?;
    let created = Host::create(&url, &token, quiz_id, RoomOptions::default()).await?;
    let (pin, game_id) = (created.pin.clone(), created.game_id);
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let host_task = tokio::spawn(host(url.clone(), created, started_tx));
    let bots: Vec<_> = (0..BOTS)
        .map(|i| {
            let bot_seed = seed.wrapping_mul(1000).wrapping_add(i as u64);
            tokio::spawn(play(
                url.clone(),
                pin.clone(),
                format!("r{n}b{i}"),
                doc.clone(),
                bot_seed,
            ))
        })
        .collect();
    started.await.context("the host never started the game")?;

    // The game takes a few seconds; the crash lands anywhere in its first part.
    let kill_after = Duration::from_millis(rng.u64(20..2500));
    tokio::time::sleep(kill_after).await;
    // If the game is over first, the kill still comes: a finished game must stay finished.
    let over_first = host_task.is_finished();
    if let Some(s) = server.take() {
        s.kill();
    }
    anyhow::ensure!(integrity_ok(db)?, "integrity_check failed after the kill");
    let restart = Instant::now();
    let bin2 = bin.to_owned();
    let db2 = db.to_owned();
    *server = Some(
        tokio::task::spawn_blocking(move || {
            ServerProcess::start(&bin2, &db2, addr, Duration::from_secs(10))
        })
        .await??,
    );
    // A new player can join the resumed room at once (and leaves again at once); a finished
    // game's room is not resumed, so then a new room must be possible.
    if over_first {
        Host::create(&url, &token, quiz_id, RoomOptions::default()).await?;
    } else {
        let mut probe = Bot::connect(&url).await.context("connect after restart")?;
        probe
            .join(&pin, &format!("r{n}probe"))
            .await
            .context("join after restart")?;
        probe.send(&ClientMsg::Leave).await?;
    }
    let back_in = restart.elapsed();

    let podium = tokio::time::timeout(Duration::from_secs(60), host_task)
        .await
        .context("host did not finish")???;
    let mut seen = Vec::new();
    for b in bots {
        seen.push(
            tokio::time::timeout(Duration::from_secs(60), b)
                .await
                .context("bot did not finish")???,
        );
    }

    let report = http.game(&token, game_id.0).await?;
    check(&report, &seen, &podium).with_context(|| format!("round {n}, game {}", game_id.0))?;
    anyhow::ensure!(
        back_in < BACK_WITHIN,
        "round {n}: joins accepted only after {back_in:?}"
    );
    Ok(Round {
        over_first,
        kill_after,
        back_in,
        acked: seen.iter().map(|s| s.acked.len()).sum(),
        resumed: seen.iter().filter(|s| s.resumed).count(),
    })
}

/// The stored results against what the players were told.
fn check(report: &Value, seen: &[Seen], podium: &[(PlayerId, i64, u32)]) -> Result<()> {
    anyhow::ensure!(
        report["status"] == "finished",
        "status {}",
        report["status"]
    );
    let stored = stored_answers(report)?;
    let mut lost = Vec::new();
    for s in seen {
        for index in &s.acked {
            if !stored.contains_key(&(*index, s.player.0)) {
                lost.push((s.player, *index));
            }
        }
    }
    anyhow::ensure!(lost.is_empty(), "acknowledged answers lost: {lost:?}");
    let players = report["players"].as_array().context("players")?;
    let scores: HashMap<u32, i64> = players
        .iter()
        .filter(|p| p["status"] == "active")
        .map(|p| {
            (
                p["player_id"].as_u64().unwrap_or(0) as u32,
                p["score"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    anyhow::ensure!(
        scores.len() == BOTS,
        "{} active players stored",
        scores.len()
    );
    let ids: HashSet<u32> = seen.iter().map(|s| s.player.0).collect();
    anyhow::ensure!(ids.len() == BOTS, "player ids collide");
    for s in seen {
        let sum: i64 = stored
            .iter()
            .filter(|((_, p), _)| *p == s.player.0)
            .map(|(_, pts)| pts)
            .sum();
        anyhow::ensure!(
            s.final_score == Some(sum) && scores.get(&s.player.0) == Some(&sum),
            "{}: told {:?}, stored score {:?}, sum of stored points {sum}",
            s.player,
            s.final_score,
            scores.get(&s.player.0)
        );
    }
    // Equal scores share a rank (1, 2, 2, 4): the podium's ranks are the stored ranks, in
    // order, and a place's rank is its position unless it ties with the place before.
    let mut previous: Option<(i64, u32)> = None;
    for (place, (id, score, rank)) in podium.iter().enumerate() {
        let stored = players
            .iter()
            .find(|p| p["player_id"].as_u64() == Some(u64::from(id.0)))
            .context("podium player stored")?;
        let expected = match previous {
            Some((s, r)) if s == *score => r,
            _ => place as u32 + 1,
        };
        anyhow::ensure!(
            stored["score"].as_i64() == Some(*score)
                && *rank == expected
                && stored["rank"].as_u64() == Some(u64::from(*rank)),
            "podium {place}: {id} {score} rank {rank} (expected {expected}) but stored {stored}"
        );
        previous = Some((*score, *rank));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_a_random_moment_loses_no_acknowledged_answer() {
    if quizrace_tests::server::skip_on_postgres("SIGKILL of the SQLite server process and integrity_check of its file; cluster.rs kills PostgreSQL nodes") {
        return;
    }
    let seed = std::env::var("QUIZ_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let rounds = std::env::var("QUIZ_FAULT_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ROUNDS);
    println!("fault loop: seed {seed} (replay with QUIZ_FAULT_SEED={seed}), {rounds} rounds");
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let bin = tokio::task::spawn_blocking(ServerProcess::binary)
        .await
        .expect("task")
        .expect("server binary");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("fault.db");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bin2, db2) = (bin.clone(), db.clone());
    let first = tokio::task::spawn_blocking(move || {
        ServerProcess::start(&bin2, &db2, any, Duration::from_secs(10))
    })
    .await
    .expect("task")
    .expect("server starts");
    let mut server = Some(first);
    let began = Instant::now();
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut acked, mut resumed, mut slowest) = (0, 0, Duration::ZERO);
    for n in 0..rounds {
        let r = round(n, rng.u64(..), &bin, &db, &mut server)
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
        println!(
            "round {n:2}: killed {:4} ms after start{}, joins again after {:4} ms, {:3} acked answers kept, {:2} bots resumed",
            r.kill_after.as_millis(),
            if r.over_first { " (game already over)" } else { "" },
            r.back_in.as_millis(),
            r.acked,
            r.resumed
        );
        acked += r.acked;
        resumed += r.resumed;
        slowest = slowest.max(r.back_in);
    }
    if let Some(s) = server.take() {
        s.kill();
    }
    assert!(
        integrity_ok(&db).expect("open"),
        "integrity_check after the last kill"
    );
    assert!(
        resumed > 0,
        "no bot ever had to resume: the kills missed the games"
    );
    println!(
        "fault loop: {rounds} rounds in {:.1} s, {acked} acknowledged answers, 0 lost, 0 twice; slowest restart {} ms",
        began.elapsed().as_secs_f64(),
        slowest.as_millis()
    );
}
