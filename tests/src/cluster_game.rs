//! One game played through a cluster, for the process-level cluster tests: a host and bots on
//! HAProxy's address that follow `moved` (inside [`Bot::recv`]) and, when their node dies
//! under them, reconnect through the proxy and resume. Each records what it was told (the
//! answers acknowledged, when questions arrived, its final score), and [`check_report`]
//! compares that with the stored report: nothing acknowledged lost, nothing twice, the
//! scores told are the scores stored, a consistent podium.

use crate::bot::{Host, RoomOptions};
use crate::play::{right_answer, stored_answers, wrong_answer};
use crate::{Bot, Http};
use anyhow::{bail, ensure, Context, Result};
use quizrace_protocol::{
    ClientMsg, ErrorCode, HostCredential, PhaseName, Pin, PlayerId, QuestionView, QuizDoc,
    ServerMsg,
};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How a game is played.
#[derive(Debug, Clone)]
pub struct GameSpec {
    pub bots: usize,
    pub questions: usize,
    pub time_limit_s: u32,
    /// The host waits this long before each `start` and `next`, as a person reading the
    /// screen does; it makes the game long enough to disturb.
    pub host_pause: Duration,
    /// Each bot answers at a seeded random moment up to this long after its question.
    pub max_answer_delay: Duration,
    pub seed: u64,
}

/// A node may be down for this long before a bot or the host gives up reconnecting.
pub const RECONNECT_WITHIN: Duration = Duration::from_secs(40);
/// A receive waits this long: longer than a failover (lease 5 s + claim 1 s) with room.
const RECV_DEADLINE: Duration = Duration::from_secs(30);

/// The quiz a [`GameSpec`] plays: choice, true/false, multi and poll in turn.
pub fn quiz(spec: &GameSpec) -> Value {
    let t = spec.time_limit_s;
    let pool = [
        json!({"kind":"choice","text":"2 + 2?","choices":["3","4","5"],"correct":[1],"time_limit_s":t}),
        json!({"kind":"true_false","text":"Ice is cold.","correct":[0],"time_limit_s":t}),
        json!({"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":t}),
        json!({"kind":"choice","text":"Largest?","choices":["Mars","Jupiter"],"correct":[1],"time_limit_s":t,"points":"double"}),
        json!({"kind":"poll","text":"Again?","choices":["Yes","No"],"time_limit_s":t}),
    ];
    let questions: Vec<Value> = (0..spec.questions)
        .map(|i| pool[i % pool.len()].clone())
        .collect();
    // Answering opens at once: the scenarios time their faults against open questions.
    json!({"title": "Cluster quiz", "read_s": 0, "questions": questions})
}

/// What one bot was told over the whole game.
#[derive(Debug, Clone)]
pub struct Seen {
    pub name: String,
    pub player: PlayerId,
    /// Question indices whose answer was acknowledged, in the order the acks came.
    pub acked: Vec<u32>,
    /// When each question reached the bot (a `question`, or a `welcome` carrying one), and
    /// whether the bot had come back (resumed or been moved) by then: a question in flight
    /// when a node dies is not one served again.
    pub questions: Vec<(Instant, u32, bool)>,
    /// The score in the personal `result` after `game_over`.
    pub final_score: Option<i64>,
    /// Times the bot's socket died under it and it resumed through the proxy.
    pub reconnects: u32,
    /// `moved` the bot followed.
    pub moved: u32,
}

/// Where the game is, as the host sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The open question, if one is open.
    pub question: Option<u32>,
    /// Questions opened so far (as far as the host was told).
    pub opened: u32,
    pub over: bool,
}

/// The podium of `game_over`: player, score, rank.
pub type Podium = Vec<(PlayerId, i64, u32)>;

/// A game being played.
pub struct LiveGame {
    pub pin: Pin,
    pub game_id: i64,
    /// The admin's token (the game's host).
    pub token: String,
    pub doc: QuizDoc,
    pub spec: GameSpec,
    /// When the host sent `start`.
    pub started_at: Instant,
    pub progress: watch::Receiver<Progress>,
    host: Option<JoinHandle<Result<Podium>>>,
    bots: Vec<JoinHandle<Result<Seen>>>,
}

/// Everything a finished game's players and host were told.
pub struct Finished {
    pub podium: Podium,
    pub seen: Vec<Seen>,
}

impl LiveGame {
    /// Logs in as admin (through `http`), stores the quiz, opens a room through `ws` (the
    /// proxy's socket URL), lets `spec.bots` bots join with `?pin=`, and starts the game.
    /// Returns once the host has sent `start`.
    pub async fn start(http: &Http, ws: &str, spec: &GameSpec) -> Result<LiveGame> {
        let both = (ws.to_owned(), ws.to_owned());
        Self::start_spread(http, both.clone(), |_| both.clone(), spec).await
    }

    /// As [`LiveGame::start`], with the host opening the room through `host_ws.0` and bot `i`
    /// joining through `bot_ws(i).0`, each coming back through the `.1` when its socket dies
    /// (nodes of a giant room, reached without a proxy).
    pub async fn start_spread(
        http: &Http,
        host_ws: (String, String),
        bot_ws: impl Fn(usize) -> (String, String),
        spec: &GameSpec,
    ) -> Result<LiveGame> {
        let (ws, host_back) = (host_ws.0.as_str(), host_ws.1);
        let token = http.login("admin", crate::server::ADMIN_PASSWORD).await?;
        let quiz = quiz(spec);
        let doc: QuizDoc = serde_json::from_value(quiz.clone())?;
        let quiz_id = http.create_quiz(&token, &quiz).await?;
        let mut host = Host::create(ws, &token, quiz_id, RoomOptions::default()).await?;
        let (pin, game_id) = (host.pin.clone(), host.game_id.0);
        let bots: Vec<_> = (0..spec.bots)
            .map(|i| {
                tokio::spawn(play(
                    bot_ws(i),
                    pin.clone(),
                    format!("b{i}"),
                    doc.clone(),
                    spec.seed.wrapping_mul(1000).wrapping_add(i as u64),
                    spec.max_answer_delay,
                ))
            })
            .collect();
        host.bot.deadline = RECV_DEADLINE;
        host.await_players(spec.bots as u32)
            .await
            .context("the bots did not all join")?;
        tokio::time::sleep(spec.host_pause).await;
        host.send(&ClientMsg::Start).await?;
        let started_at = Instant::now();
        let (tx, progress) = watch::channel(Progress {
            question: None,
            opened: 0,
            over: false,
        });
        let host = tokio::spawn(drive_host(host_back, host, spec.host_pause, tx));
        Ok(LiveGame {
            pin,
            game_id,
            token,
            doc,
            spec: spec.clone(),
            started_at,
            progress,
            host: Some(host),
            bots,
        })
    }

    /// Waits until the host sees a question open (any, or a later one than `after`).
    pub async fn question_open(&mut self, after: Option<u32>, within: Duration) -> Result<u32> {
        let wait = self
            .progress
            .wait_for(|p| p.question.is_some_and(|q| after.is_none_or(|a| q > a)) || p.over);
        let p = *tokio::time::timeout(within, wait)
            .await
            .context("no question opened in time")??;
        p.question.context("the game ended first")
    }

    /// Waits for the host's podium and every bot's final result (once).
    pub async fn finish(&mut self, within: Duration) -> Result<Finished> {
        let until = tokio::time::Instant::now() + within;
        let host = self.host.take().context("finished already")?;
        let podium = tokio::time::timeout_at(until, host)
            .await
            .context("the host did not see game_over in time")???;
        let mut seen = Vec::new();
        for bot in std::mem::take(&mut self.bots) {
            seen.push(
                tokio::time::timeout_at(until, bot)
                    .await
                    .context("a bot did not finish in time")???,
            );
        }
        Ok(Finished { podium, seen })
    }
}

/// Opens a socket through the proxy (`?pin=`) and sends `hello`, retrying until `within`
/// runs out: the node the proxy picks may be the one that just died.
pub async fn reconnect(ws: &str, pin: &Pin, hello: &ClientMsg, within: Duration) -> Result<Bot> {
    let until = Instant::now() + within;
    loop {
        if let Ok(mut bot) = Bot::connect_for(ws, pin).await {
            if bot.send(hello).await.is_ok() {
                bot.deadline = RECV_DEADLINE;
                return Ok(bot);
            }
        }
        if Instant::now() > until {
            bail!("could not reconnect within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One bot to its final result: answers each question at a seeded random moment, right or
/// wrong at random; resumes with its token whenever its socket dies.
async fn play(
    (ws, back_ws): (String, String),
    pin: Pin,
    name: String,
    doc: QuizDoc,
    seed: u64,
    max_delay: Duration,
) -> Result<Seen> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bot = Bot::joined(&ws, &pin, &name)
        .await
        .with_context(|| format!("{name} joining"))?;
    bot.deadline = RECV_DEADLINE;
    let token = bot.token();
    // Moves while joining are routing, not a failover.
    let joined_moves = bot.moved;
    let mut seen = Seen {
        name: name.clone(),
        player: bot.player_id(),
        acked: Vec::new(),
        questions: Vec::new(),
        final_score: None,
        reconnects: 0,
        moved: 0,
    };
    let resume = ClientMsg::Resume {
        pin: pin.clone(),
        token,
    };
    let mut over = false;
    loop {
        let msg = match bot.recv().await {
            Ok(msg) => msg,
            Err(_) => {
                seen.moved += bot.moved;
                bot = reconnect(&back_ws, &pin, &resume, RECONNECT_WITHIN)
                    .await
                    .with_context(|| format!("{name} resuming"))?;
                seen.reconnects += 1;
                continue;
            }
        };
        let question: Option<QuestionView> = match &msg {
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
            let back = seen.reconnects > 0 || seen.moved + bot.moved > joined_moves;
            seen.questions.push((Instant::now(), q.index, back));
            let ms = rng.u64(0..=max_delay.as_millis() as u64);
            tokio::time::sleep(Duration::from_millis(ms)).await;
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
                seen.moved += bot.moved;
                return Ok(seen);
            }
            ServerMsg::Error {
                code: ErrorCode::BadToken | ErrorCode::NoSuchRoom,
                ..
            } => bail!("{name}: refused after a failover: {msg:?}"),
            ServerMsg::RoomClosed { reason } => bail!("{name}: room closed: {reason:?}"),
            _ => {}
        }
    }
}

/// The host: moves the game on after each reveal and leaderboard (after `pause`); when its
/// socket dies it takes the room back with its key through the proxy and carries on from the
/// phase it is told. Returns the podium.
async fn drive_host(
    ws: String,
    mut host: Host,
    pause: Duration,
    progress: watch::Sender<Progress>,
) -> Result<Podium> {
    let resume = ClientMsg::HostResume {
        pin: host.pin.clone(),
        by: HostCredential::HostKey(host.host_key.clone()),
        view: None,
    };
    loop {
        let msg = match host.bot.recv().await {
            Ok(msg) => msg,
            Err(_) => {
                host.bot = reconnect(&ws, &host.pin, &resume, RECONNECT_WITHIN)
                    .await
                    .context("host taking the room back")?;
                continue;
            }
        };
        let next = match msg {
            ServerMsg::Question(q) => {
                progress.send_modify(|p| {
                    p.question = Some(q.index);
                    p.opened = p.opened.max(q.index + 1);
                });
                None
            }
            ServerMsg::RoomState {
                phase, question, ..
            } => {
                progress.send_modify(|p| {
                    p.question = question
                        .as_ref()
                        .filter(|_| phase == PhaseName::Question)
                        .map(|q| q.index);
                });
                match phase {
                    // A restored room that never started.
                    PhaseName::Lobby => Some(ClientMsg::Start),
                    PhaseName::Reveal | PhaseName::Leaderboard => Some(ClientMsg::Next),
                    PhaseName::Question | PhaseName::Finished => None,
                }
            }
            ServerMsg::QuestionClosed { .. } => {
                progress.send_modify(|p| p.question = None);
                Some(ClientMsg::Next)
            }
            ServerMsg::Leaderboard { .. } => Some(ClientMsg::Next),
            ServerMsg::GameOver { podium, .. } => {
                progress.send_modify(|p| {
                    p.question = None;
                    p.over = true;
                });
                return Ok(podium
                    .iter()
                    .map(|s| (s.player_id, s.score, s.rank))
                    .collect());
            }
            // `next` racing a phase change the host has not read yet.
            ServerMsg::Error {
                code: ErrorCode::BadPhase,
                ..
            } => None,
            ServerMsg::Error { code, .. } => bail!("host refused: {code:?}"),
            ServerMsg::RoomClosed { reason } => bail!("host: room closed: {reason:?}"),
            _ => None,
        };
        if let Some(next) = next {
            tokio::time::sleep(pause).await;
            // A send into a dead socket shows up as a failed receive next.
            let _ = host.send(&next).await;
        }
    }
}

/// The first question served to a bot that had come back after `at` (a kill): how long
/// after it.
pub fn first_question_after(seen: &[Seen], at: Instant) -> Option<Duration> {
    seen.iter()
        .flat_map(|s| s.questions.iter())
        .filter(|(t, _, back)| *back && *t > at)
        .map(|(t, _, _)| *t - at)
        .min()
}

/// The stored report (`GET /api/games/:id` through `http`) against what everyone was told:
/// finished, every acknowledged answer stored once, every bot's final score the sum of its
/// stored points and its stored score, the podium in stored ranks.
pub async fn check_report(http: &Http, game: &LiveGame, done: &Finished) -> Result<()> {
    let report = http.game(&game.token, game.game_id).await?;
    check(&report, &done.seen, &done.podium, game.spec.bots)
        .with_context(|| format!("game {} (pin {})", game.game_id, game.pin))
}

fn check(report: &Value, seen: &[Seen], podium: &Podium, bots: usize) -> Result<()> {
    ensure!(
        report["status"] == "finished",
        "status {}",
        report["status"]
    );
    let stored = stored_answers(report)?;
    let lost: Vec<_> = seen
        .iter()
        .flat_map(|s| s.acked.iter().map(move |i| (s.player, *i)))
        .filter(|(p, i)| !stored.contains_key(&(*i, p.0)))
        .collect();
    ensure!(lost.is_empty(), "acknowledged answers lost: {lost:?}");
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
    ensure!(
        scores.len() == bots,
        "{} active players stored",
        scores.len()
    );
    let ids: HashSet<u32> = seen.iter().map(|s| s.player.0).collect();
    ensure!(ids.len() == bots, "player ids collide");
    for s in seen {
        let sum: i64 = stored
            .iter()
            .filter(|((_, p), _)| *p == s.player.0)
            .map(|(_, pts)| pts)
            .sum();
        ensure!(
            s.final_score == Some(sum) && scores.get(&s.player.0) == Some(&sum),
            "{} ({}): told {:?}, stored score {:?}, sum of stored points {sum}",
            s.name,
            s.player,
            s.final_score,
            scores.get(&s.player.0)
        );
    }
    // Equal scores share a rank (1, 2, 2, 4).
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
        ensure!(
            stored["score"].as_i64() == Some(*score)
                && *rank == expected
                && stored["rank"].as_u64() == Some(u64::from(*rank)),
            "podium {place}: {id} {score} rank {rank} (expected {expected}) but stored {stored}"
        );
        previous = Some((*score, *rank));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(player: u32, acked: &[u32], final_score: i64) -> Seen {
        Seen {
            name: format!("b{player}"),
            player: PlayerId(player),
            acked: acked.to_vec(),
            questions: Vec::new(),
            final_score: Some(final_score),
            reconnects: 0,
            moved: 0,
        }
    }

    /// Two players; player 1 answered question 0 for 100, player 2 questions 0 and 1 for 50
    /// each; both stored as told.
    fn report() -> Value {
        json!({
            "status": "finished",
            "answers": [
                {"index": 0, "player_id": 1, "points": 100},
                {"index": 0, "player_id": 2, "points": 50},
                {"index": 1, "player_id": 2, "points": 50},
            ],
            "players": [
                {"player_id": 1, "status": "active", "score": 100, "rank": 1},
                {"player_id": 2, "status": "active", "score": 100, "rank": 1},
            ],
        })
    }

    fn podium() -> Podium {
        vec![(PlayerId(1), 100, 1), (PlayerId(2), 100, 1)]
    }

    #[test]
    fn a_game_stored_as_told_passes() {
        let told = [seen(1, &[0], 100), seen(2, &[0, 1], 100)];
        check(&report(), &told, &podium(), 2).expect("consistent");
    }

    #[test]
    fn an_acknowledged_answer_missing_from_the_report_is_caught() {
        let told = [seen(1, &[0, 1], 100), seen(2, &[0, 1], 100)];
        let err = check(&report(), &told, &podium(), 2).expect_err("lost");
        assert!(
            format!("{err:#}").contains("acknowledged answers lost"),
            "{err:#}"
        );
    }

    #[test]
    fn an_answer_stored_twice_is_caught() {
        let mut twice = report();
        twice["answers"]
            .as_array_mut()
            .expect("answers")
            .push(json!({"index": 0, "player_id": 1, "points": 100}));
        let told = [seen(1, &[0], 100), seen(2, &[0, 1], 100)];
        let err = check(&twice, &told, &podium(), 2).expect_err("twice");
        assert!(format!("{err:#}").contains("stored twice"), "{err:#}");
    }

    #[test]
    fn a_final_score_other_than_the_stored_points_is_caught() {
        let told = [seen(1, &[0], 90), seen(2, &[0, 1], 100)];
        let err = check(&report(), &told, &podium(), 2).expect_err("score");
        assert!(format!("{err:#}").contains("told Some(90)"), "{err:#}");
    }

    #[test]
    fn a_podium_out_of_rank_is_caught() {
        let told = [seen(1, &[0], 100), seen(2, &[0, 1], 100)];
        let wrong = vec![(PlayerId(1), 100, 1), (PlayerId(2), 100, 2)];
        let err = check(&report(), &told, &wrong, 2).expect_err("ranks");
        assert!(format!("{err:#}").contains("podium 1"), "{err:#}");
    }

    #[test]
    fn a_question_in_flight_at_the_kill_is_not_a_question_served_again() {
        let kill = Instant::now();
        let mut bot = seen(1, &[], 0);
        bot.questions = vec![
            (kill - Duration::from_millis(10), 0, false),
            (kill + Duration::from_millis(1), 1, false),
            (kill + Duration::from_millis(5000), 1, true),
        ];
        assert_eq!(
            first_question_after(&[bot], kill),
            Some(Duration::from_millis(5000))
        );
    }
}
