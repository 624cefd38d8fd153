//! A seeded random walk over the room's commands that checks its invariants, its ledger of
//! stored points and a restore after every step.

use super::drive::quiz;
use super::restore_tests::{check_restore, Db};
use super::state::{Effect, Effects, Room, Target, Write};
use super::tests::{settings, HOST};
use quizrace_protocol::{AnswerValue, ClientMsg, Mode, PlayerId, ServerMsg};
use std::collections::HashMap;
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
    let mut closed = 0;
    for seed in 0..200u64 {
        for mode in [Mode::Classic, Mode::Race] {
            closed += random_walk(seed, mode);
        }
    }
    assert!(
        closed > 400,
        "the walks must reach closed questions, not only the lobby ({closed})"
    );
}

/// Returns how many questions closed, so the test knows the walk went somewhere.
fn random_walk(seed: u64, mode: Mode) -> usize {
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let mut now = t0;
    let mut room = Room::new(settings(mode), quiz(), t0);
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
                let index = rng.below(5) as u32;
                let (choice, choices, text) = match value {
                    AnswerValue::Choice(c) => (Some(c), None, None),
                    AnswerValue::Choices(c) => (None, Some(c), None),
                    AnswerValue::Text(t) => (None, None, Some(t)),
                };
                room.player_msg(
                    conn,
                    id,
                    ClientMsg::Answer {
                        index,
                        choice,
                        choices,
                        text,
                    },
                    now,
                    now,
                    &mut fx,
                );
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
        check_ledger(&room, &fx, &mut ledger, mode, seed, step);
        db.apply(&fx, now);
        if step % 5 == 0 {
            let what = format!("seed {seed} {mode:?} step {step}");
            check_restore(&room, &db, mode, now, &what);
        }
    }
    ledger.closed.len()
}

/// What a walk saw: the points stored per (question, player), and which questions closed.
#[derive(Default)]
struct Ledger {
    points: HashMap<(u32, PlayerId), i64>,
    closed: std::collections::HashSet<u32>,
}

/// Scores equal the sum of stored points of closed questions; a race has at most one winner
/// per question; every personal `result` reports the score the room holds.
fn check_ledger(
    room: &Room,
    fx: &Effects,
    ledger: &mut Ledger,
    mode: Mode,
    seed: u64,
    step: usize,
) {
    for e in fx {
        match e {
            Effect::Persist(Write::Answer {
                index,
                player,
                points,
                ..
            }) => {
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
        for index in 0..5 {
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
