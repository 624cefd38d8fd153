//! Drives a [`Room`] with a command sequence decoded from bytes and checks the rules after
//! every step. Shared by the property tests (`proptest` feeds the bytes) and the
//! `room_commands` fuzz target (libFuzzer does), so both explore the same space.
//!
//! Checked after every step, besides [`Room::check_invariants`]: no panic; at most one stored
//! answer per player per question (a poll vote may be replaced); every score equals the sum of
//! the points stored for closed questions; at most one race winner per question; no answer
//! stored for a question that is not open, nor after its deadline; a host command on a
//! player's connection changes nothing.

use super::state::{Effect, Effects, Room, Settings, Target, Write};
use quizrace_protocol::{
    ClientMsg, GameId, Mode, Pin, PlayerId, QuestionKind, Quiz, QuizDoc, ServerMsg, ANSWER_GRACE_MS,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOST: u64 = 1_000_000;

/// One of each question kind, 10 s each (the rule tests use it too), answering open at once;
/// then a choice with an 8 s get-ready time and partial-credit multi, so that the walks meet
/// early answers, restarts in the get-ready time and partial points; then a slide and a word
/// cloud, so that they meet answers to a slide and repeated words.
pub fn quiz() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Rules",
        // Answering opens at once: the rules of the get-ready time have their own tests.
        "read_s": 0,
        "questions": [
            {"kind":"choice","text":"2+2?","choices":["3","4"],"correct":[1],"time_limit_s":10},
            {"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10},
            {"kind":"type_answer","text":"Gold?","accept":["Au"],"time_limit_s":10},
            {"kind":"poll","text":"Tea?","choices":["Yes","No"],"time_limit_s":10},
            {"kind":"true_false","text":"Sky green?","correct":[1],"time_limit_s":10,"points":"double"},
            {"kind":"choice","text":"Read first","choices":["a","b"],"correct":[0],"time_limit_s":10,"read_s":8},
            {"kind":"multi","text":"Some?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10,"partial":true},
            {"kind":"slide","title":"Break","text":"Half time."},
            {"kind":"word_cloud","text":"A word?","time_limit_s":10}
        ]
    }))
    .expect("the drive quiz is a quiz document");
    Arc::new(doc.validate().expect("the drive quiz is valid"))
}

/// Reads bytes as commands: a byte picks the command, the next ones its arguments. Missing
/// bytes read as zero, so every input is a valid sequence.
struct Bytes<'a>(std::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }
}

#[derive(Default)]
struct Ledger {
    /// Stored points per (question, player); how many rows were stored for it.
    points: HashMap<(u32, PlayerId), i64>,
    rows: HashMap<(u32, PlayerId), u32>,
    closed: HashSet<u32>,
    /// The open question: index, when answering opens, time limit.
    open: Option<(u32, Instant, u64)>,
}

/// How far a run got, so tests can tell that the sequences reach the interesting states.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    pub closed: usize,
    pub answers: usize,
}

/// Plays `data` against a fresh room in `mode`. Panics when a rule is broken.
pub fn run(mode: Mode, data: &[u8]) -> Reached {
    let quiz = quiz();
    let t0 = Instant::now();
    let mut now = t0;
    let settings = Settings {
        pin: Pin("123456".into()),
        game_id: GameId(1),
        mode,
        max_players: 8,
        auto_advance_ms: None,
        chat: true,
        host_key: crate::secret::secret_hash("key"),
        names: quizrace_protocol::NamePolicy::Free,
        teams: None,
        team_choice: Default::default(),
        team_talk_ms: 0,
        blocked_words: Default::default(),
        timing: Default::default(),
        leaderboard: Default::default(),
        shuffle_answers: false,
        media_on_phones: false,
        question_on_phones: true,
    };
    let mut room = Room::new(settings, Arc::clone(&quiz), t0);
    let mut fx = Effects::new();
    let _ = room.attach_host(HOST, "key", true, t0, &mut fx);
    let mut ledger = Ledger::default();
    check(&room, &quiz, &fx, &mut ledger, now, mode);
    let mut next_conn = 1u64;
    let mut tokens: Vec<(PlayerId, String)> = Vec::new();
    let mut bytes = Bytes(data.iter());
    let mut steps = 0;
    while bytes.0.len() > 0 && steps < 2_000 {
        steps += 1;
        let mut fx = Effects::new();
        let pick = |b: u8, n: usize| (b as usize) % n.max(1);
        match bytes.next() % 13 {
            0 | 1 => {
                let name = format!("p{}", bytes.next() % 10);
                let token = format!("t{next_conn}");
                if let Ok(id) = room.join(next_conn, &name, token.clone(), now, &mut fx) {
                    tokens.push((id, token));
                }
                next_conn += 1;
            }
            2..=4 if !tokens.is_empty() => {
                let (id, _) = tokens[pick(bytes.next(), tokens.len())].clone();
                let index = u32::from(bytes.next() % 8);
                let (choice, choices, text) = match bytes.next() % 4 {
                    0 => (Some(u32::from(bytes.next() % 5)), None, None),
                    1 => (None, Some(vec![1, u32::from(bytes.next() % 5)]), None),
                    2 => (
                        None,
                        None,
                        Some(["Au", " au ", "x", ""][pick(bytes.next(), 4)].into()),
                    ),
                    _ => (None, None, None),
                };
                let msg = ClientMsg::Answer {
                    order: None,
                    value: None,
                    index,
                    choice,
                    choices,
                    text,
                };
                // The connection may be stale (replaced, closed): the room must ignore it.
                let conn = room.conn_of(id).unwrap_or_else(|| u64::from(bytes.next()));
                room.player_msg(conn, id, msg, now, now, &mut fx);
            }
            5 | 6 => {
                let msg = match bytes.next() % 9 {
                    0 | 1 => ClientMsg::Start,
                    2 => ClientMsg::Close,
                    3..=5 => ClientMsg::Next,
                    6 => ClientMsg::Kick {
                        player_id: PlayerId(u32::from(bytes.next() % 10)),
                    },
                    7 => ClientMsg::Lock {
                        locked: bytes.next() % 2 == 0,
                    },
                    _ => ClientMsg::End,
                };
                room.host_msg(HOST, msg, now, &mut fx);
            }
            7 if !tokens.is_empty() => {
                let (id, _) = tokens[pick(bytes.next(), tokens.len())].clone();
                if let Some(conn) = room.conn_of(id) {
                    room.conn_closed(conn, now, &mut fx);
                }
            }
            8 if !tokens.is_empty() => {
                let (_, token) = tokens[pick(bytes.next(), tokens.len())].clone();
                let _ = room.resume(next_conn, &token, now, &mut fx);
                next_conn += 1;
            }
            9 if !tokens.is_empty() => {
                let (id, _) = tokens[pick(bytes.next(), tokens.len())].clone();
                if let Some(conn) = room.conn_of(id) {
                    room.player_msg(conn, id, ClientMsg::Leave, now, now, &mut fx);
                }
            }
            12 if !tokens.is_empty() => {
                // A host command from a player's connection: refused, and nothing changes.
                let (id, _) = tokens[pick(bytes.next(), tokens.len())].clone();
                let msg = match bytes.next() % 6 {
                    0 => ClientMsg::Start,
                    1 => ClientMsg::Close,
                    2 => ClientMsg::Next,
                    3 => ClientMsg::End,
                    4 => ClientMsg::Lock { locked: true },
                    _ => ClientMsg::Kick { player_id: id },
                };
                if let Some(conn) = room.conn_of(id) {
                    let phase = room.phase_name();
                    room.player_msg(conn, id, msg, now, now, &mut fx);
                    assert_eq!(room.phase_name(), phase, "a player's host command ran");
                    assert!(
                        fx.iter().all(|e| matches!(
                            e,
                            Effect::Send(Target::Conn(c), ServerMsg::Error { .. }) if *c == conn
                        )),
                        "a player's host command did more than refuse: {fx:?}"
                    );
                }
            }
            10 => {
                // Time passes without a timer firing: late answers must still be refused.
                now += Duration::from_millis(u64::from(bytes.next()) * 100);
            }
            _ => {
                now += Duration::from_millis(u64::from(bytes.next()) * 50);
                room.tick(now, &mut fx);
            }
        }
        room.check_invariants();
        check(&room, &quiz, &fx, &mut ledger, now, mode);
        if fx.iter().any(|e| matches!(e, Effect::Dissolve)) {
            break;
        }
    }
    Reached {
        closed: ledger.closed.len(),
        answers: ledger.rows.values().map(|n| *n as usize).sum(),
    }
}

fn check(room: &Room, quiz: &Quiz, fx: &Effects, ledger: &mut Ledger, now: Instant, mode: Mode) {
    for e in fx {
        match e {
            Effect::Send(Target::Everyone, ServerMsg::Question(view)) => {
                let opens_at = now + Duration::from_millis(view.opens_in_ms);
                ledger.open = Some((view.index, opens_at, view.time_limit_ms));
            }
            Effect::Send(Target::Everyone, ServerMsg::QuestionClosed { index, .. }) => {
                ledger.closed.insert(*index);
                ledger.open = None;
            }
            Effect::Persist(Write::Answer {
                index,
                player,
                points,
                elapsed_ms,
                ..
            }) => {
                let (open, opened_at, limit) = ledger
                    .open
                    .expect("an answer stored while no question is open");
                assert_eq!(*index, open, "an answer stored for a question not open");
                assert!(now >= opened_at, "an answer stored before answering opened");
                let late = now.saturating_duration_since(opened_at).as_millis() as u64;
                assert!(
                    late <= limit + ANSWER_GRACE_MS && *elapsed_ms <= limit + ANSWER_GRACE_MS,
                    "an answer stored after the deadline ({late} ms)"
                );
                let rows = ledger.rows.entry((*index, *player)).or_default();
                *rows += 1;
                let poll = quiz.questions[*index as usize].kind == QuestionKind::Poll;
                assert!(
                    *rows == 1 || poll,
                    "two stored answers from {player} to question {index}"
                );
                ledger.points.insert((*index, *player), *points);
            }
            _ => {}
        }
    }
    for (id, score) in room.scores() {
        let sum: i64 = ledger
            .points
            .iter()
            .filter(|((index, p), _)| *p == id && ledger.closed.contains(index))
            .map(|(_, pts)| pts)
            .sum();
        assert_eq!(score, sum, "the score of {id} is not the sum of its points");
    }
    if mode == Mode::Race {
        for index in 0..quiz.questions.len() as u32 {
            let winners = ledger
                .points
                .iter()
                .filter(|((i, _), p)| *i == index && **p > 0)
                .count();
            assert!(winners <= 1, "{winners} race winners of question {index}");
        }
    }
}
