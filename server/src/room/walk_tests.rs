//! A seeded random walk over the room's commands that checks its invariants, its ledger of
//! stored points and a restore after every step.

use super::drive::quiz;
use super::restore_tests::{check_restore_of, Db};
use super::state::{Effect, Effects, Room, Target, Write};
use super::tests::{settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, PlayerId, Quiz, QuizDoc, ServerMsg,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// SplitMix64: a tiny seeded generator, so a failing walk can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_command_sequences_keep_the_invariants() {
    let (mut closed, mut too_early) = (0, 0);
    for seed in 0..200u64 {
        for mode in [Mode::Classic, Mode::Race] {
            let ledger = random_walk(quiz(), seed, mode);
            closed += ledger.closed.len();
            too_early += ledger.too_early;
        }
    }
    assert!(
        closed > 400,
        "the walks must reach closed questions, not only the lobby ({closed})"
    );
    assert!(
        too_early > 0,
        "the walks must meet a get-ready time and answer in it"
    );
}

#[test]
fn random_walks_through_slides_and_word_clouds_keep_the_invariants() {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Walk", "read_s": 0,
        "questions": [
            {"kind":"slide","text":"Welcome"},
            {"kind":"word_cloud","text":"A word?","time_limit_s":10},
            {"kind":"slide","title":"Part 2","text":"On we go"},
            {"kind":"choice","text":"2+2?","choices":["3","4"],"correct":[1],"time_limit_s":10},
            {"kind":"word_cloud","text":"Another?","time_limit_s":10}
        ]
    }))
    .expect("a quiz document");
    let quiz = Arc::new(doc.validate().expect("valid"));
    let mut clouds = 0;
    for seed in 0..100u64 {
        for mode in [Mode::Classic, Mode::Race] {
            let ledger = random_walk(Arc::clone(&quiz), seed, mode);
            clouds += [1, 4].iter().filter(|i| ledger.closed.contains(i)).count();
        }
    }
    assert!(
        clouds > 20,
        "the walks must get past the slides to the clouds ({clouds})"
    );
}

/// Returns its ledger, so the test knows the walk went somewhere.
fn random_walk(quiz: Arc<Quiz>, seed: u64, mode: Mode) -> Ledger {
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let mut now = t0;
    let mut room = Room::new(settings(mode), Arc::clone(&quiz), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    let mut next_conn = 1u64;
    let mut joined: Vec<(PlayerId, String)> = Vec::new();
    let mut ledger = Ledger::default();
    let mut db = Db::new();
    db.apply(&fx, now);
    for step in 0..300 {
        let mut fx = Effects::new();
        match rng.below(10) {
            0 => {
                let name = format!("p{}", rng.below(12));
                let token = format!("t{next_conn}");
                if let Ok(id) = room.join(next_conn, &name, token.clone(), now, &mut fx) {
                    joined.push((id, token));
                }
                next_conn += 1;
            }
            1..=4 if !joined.is_empty() => {
                let (id, _) = joined[rng.below(joined.len() as u64) as usize].clone();
                let Some(conn) = room.conn_of(id) else {
                    continue;
                };
                let value = match rng.below(3) {
                    0 => AnswerValue::Choice(rng.below(3) as u32),
                    1 => AnswerValue::Choices(vec![rng.below(4) as u32, 3]),
                    _ => AnswerValue::Text(if rng.below(2) == 0 {
                        "au".into()
                    } else {
                        "x".into()
                    }),
                };
                // Half the answers go to the question last opened, so that some land in its
                // get-ready time.
                let index = match rng.below(2) {
                    0 => room.summary().index.unwrap_or(0),
                    _ => rng.below(7) as u32,
                };
                room.player_msg(conn, id, ClientMsg::answer(index, value), now, now, &mut fx);
            }
            5 => {
                let cmd = match rng.below(6) {
                    0 => ClientMsg::Start,
                    1 => ClientMsg::Close,
                    2 | 3 => ClientMsg::Next,
                    4 => ClientMsg::Kick {
                        player_id: PlayerId(rng.below(8) as u32 + 1),
                    },
                    _ => ClientMsg::Lock {
                        locked: rng.below(2) == 0,
                    },
                };
                room.host_msg(HOST, cmd, now, &mut fx);
            }
            6 if !joined.is_empty() => {
                let (id, _) = joined[rng.below(joined.len() as u64) as usize].clone();
                if let Some(conn) = room.conn_of(id) {
                    room.conn_closed(conn, now, &mut fx);
                }
            }
            7 if !joined.is_empty() => {
                let (_, token) = joined[rng.below(joined.len() as u64) as usize].clone();
                let _ = room.resume(next_conn, &token, now, &mut fx);
                next_conn += 1;
            }
            _ => {
                now += Duration::from_millis(rng.below(6000));
                room.tick(now, &mut fx);
            }
        }
        room.check_invariants();
        check_ledger(&room, &fx, &mut ledger, (mode, seed, step), now);
        db.apply(&fx, now);
        if step % 5 == 0 {
            let what = format!("seed {seed} {mode:?} step {step}");
            check_restore_of(Arc::clone(&quiz), &room, &db, mode, now, &what);
        }
    }
    ledger
}

/// What a walk saw: the points stored per (question, player), and which questions closed.
#[derive(Default)]
struct Ledger {
    points: HashMap<(u32, PlayerId), i64>,
    closed: std::collections::HashSet<u32>,
    /// When answering opens on the question last shown.
    opens_at: Option<Instant>,
    /// Answers refused with `too_early`.
    too_early: usize,
}

/// Scores equal the sum of stored points of closed questions; a race has at most one winner
/// per question; no answer is stored before answering opens; every personal `result` reports
/// the score the room holds.
fn check_ledger(
    room: &Room,
    fx: &Effects,
    ledger: &mut Ledger,
    (mode, seed, step): (Mode, u64, usize),
    now: Instant,
) {
    for e in fx {
        match e {
            Effect::Send(_, ServerMsg::Question(view)) => {
                ledger.opens_at = Some(now + Duration::from_millis(view.opens_in_ms));
            }
            Effect::Send(
                _,
                ServerMsg::Error {
                    code: ErrorCode::TooEarly,
                    ..
                },
            ) => ledger.too_early += 1,
            Effect::Persist(Write::Answer {
                index,
                player,
                points,
                ..
            }) => {
                assert!(
                    ledger.opens_at.is_some_and(|at| now >= at),
                    "seed {seed} step {step}: an answer stored before answering opened"
                );
                ledger.points.insert((*index, *player), *points);
            }
            Effect::Send(_, ServerMsg::QuestionClosed { index, .. }) => {
                ledger.closed.insert(*index);
            }
            _ => {}
        }
    }
    let scores: HashMap<PlayerId, i64> = room.scores().into_iter().collect();
    for (id, score) in &scores {
        let sum: i64 = ledger
            .points
            .iter()
            .filter(|((index, p), _)| p == id && ledger.closed.contains(index))
            .map(|(_, pts)| pts)
            .sum();
        assert_eq!(
            *score, sum,
            "seed {seed} step {step}: score of {id} is not the sum of its points"
        );
    }
    if mode == Mode::Race {
        for index in 0..7 {
            let winners = ledger
                .points
                .iter()
                .filter(|((i, _), p)| *i == index && **p > 0)
                .count();
            assert!(
                winners <= 1,
                "seed {seed} step {step}: {winners} race winners"
            );
        }
    }
    for e in fx {
        if let Effect::Send(Target::Player(id), ServerMsg::Result { score, .. }) = e {
            if let Some(s) = scores.get(id) {
                assert_eq!(
                    s, score,
                    "seed {seed} step {step}: result score differs from room score"
                );
            }
        }
    }
}
