//! Restoring a room from its stored rows: a restart at any moment brings back the same room.

use super::drive::quiz;
use super::state::{
    Effect, Effects, PlayerStatus, Room, Saved, SavedAnswer, SavedPhase, SavedPlayer, StoredPhase,
    Write,
};
use super::tests::{answer, closed, errors, host, room_and_effects, room_with, sent, settings};
use crate::secret::secret_hash;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, Mode, PlayerId, Quiz, ServerMsg};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The database as the writer would leave it after committing every row in `fx`: what a
/// restore after a crash at this moment would read.
#[derive(Default)]
pub(super) struct Db {
    players: Vec<SavedPlayer>,
    answers: HashMap<(u32, PlayerId), SavedAnswer>,
    phase: Option<(StoredPhase, u32)>,
    opened: Option<Instant>,
    locked: bool,
    chat: bool,
    finished: bool,
    host_keys: Vec<String>,
}

impl Db {
    pub(super) fn new() -> Db {
        Db {
            chat: true,
            ..Db::default()
        }
    }

    pub(super) fn apply(&mut self, fx: &Effects, now: Instant) {
        for e in fx {
            let (Effect::Persist(w) | Effect::Record(w)) = e else {
                continue;
            };
            match w {
                Write::Player {
                    player,
                    name,
                    token_hash,
                    first_index,
                    team,
                    ..
                } => self.players.push(SavedPlayer {
                    id: *player,
                    name: name.clone(),
                    token_hash: token_hash.clone(),
                    status: PlayerStatus::Active,
                    first_index: *first_index,
                    team: *team,
                }),
                Write::PlayerStatus { player, status, .. } => {
                    self.players[player.0 as usize - 1].status = *status;
                }
                Write::PlayerTeam { player, team, .. } => {
                    self.players[player.0 as usize - 1].team = Some(*team);
                }
                Write::Answer {
                    index,
                    player,
                    elapsed_ms,
                    correct,
                    points,
                    answer,
                    ..
                } => {
                    self.answers.insert(
                        (*index, *player),
                        SavedAnswer {
                            index: *index,
                            player: *player,
                            elapsed_ms: *elapsed_ms,
                            correct: *correct,
                            points: *points,
                            value: answer.clone(),
                        },
                    );
                }
                Write::GameStatus { .. } => self.finished = true,
                Write::Phase { phase, index, .. } => {
                    self.phase = Some((*phase, *index));
                    if *phase == StoredPhase::Question {
                        self.opened = Some(now);
                    }
                }
                Write::Flags { locked, chat, .. } => (self.locked, self.chat) = (*locked, *chat),
                Write::HostKey { key_hash, .. } => self.host_keys.push(key_hash.clone()),
            }
        }
    }

    pub(super) fn saved(&self, now: Instant) -> Saved {
        let phase = match self.phase {
            None => SavedPhase::Lobby,
            Some((StoredPhase::Question, index)) => SavedPhase::Question {
                index,
                elapsed_ms: self
                    .opened
                    .map_or(0, |o| now.duration_since(o).as_millis() as u64),
            },
            Some((StoredPhase::Reveal, index)) => SavedPhase::Reveal { index },
            Some((_, index)) => SavedPhase::Leaderboard { index },
        };
        Saved {
            players: self.players.clone(),
            answers: self.answers.values().cloned().collect(),
            phase,
            locked: self.locked,
            chat: self.chat,
            host_keys: self.host_keys.clone(),
        }
    }
}

/// Restores from `db` as a restart at `now` would, and checks the room comes back the same.
pub(super) fn check_restore(room: &Room, db: &Db, mode: Mode, now: Instant, what: &str) {
    check_restore_of(quiz(), room, db, mode, now, what)
}

/// [`check_restore`] for a room of `quiz`.
pub(super) fn check_restore_of(
    quiz: Arc<Quiz>,
    room: &Room,
    db: &Db,
    mode: Mode,
    now: Instant,
    what: &str,
) {
    if db.finished {
        return;
    }
    let restored = Room::restore(settings(mode), quiz, db.saved(now), now)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    restored.check_invariants();
    assert_eq!(restored.digest(), room.digest(), "{what}");
}

#[test]
fn a_restored_room_equals_the_original_mid_question() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = room_and_effects(Mode::Classic, 3, t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_millis(1500);
    for p in 1..=3 {
        db.apply(&answer(&mut room, p, 0, AnswerValue::Choice(1), t1), t1);
    }
    db.apply(&host(&mut room, ClientMsg::Next, t1), t1);
    db.apply(&host(&mut room, ClientMsg::Next, t1), t1);
    let t2 = t1 + Duration::from_millis(2000);
    db.apply(
        &answer(&mut room, 2, 1, AnswerValue::Choices(vec![1, 3]), t2),
        t2,
    );
    let crash = t2 + Duration::from_millis(500);
    check_restore(&room, &db, Mode::Classic, crash, "mid-question");

    // After the restart, at a new clock: player 2's acked answer stands, player 1 can answer
    // with the time that was left, player 2 cannot answer twice.
    let later = crash + Duration::from_secs(3600);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(crash), later).expect("restore");
    let mut fx = Effects::new();
    back.resume(7, "tok2", later, &mut fx).expect("resume");
    let welcome = fx.iter().find_map(|e| match e {
        Effect::Send(
            _,
            ServerMsg::Welcome {
                question, score, ..
            },
        ) => Some((question.clone(), *score)),
        _ => None,
    });
    let (q, score) = welcome.expect("welcome");
    let q = q.expect("question open");
    assert_eq!(q.answered, Some(true));
    assert!(score > 0, "the first question's points came back");
    // 10 s limit, open 2.5 s when the server stopped.
    assert_eq!(q.remaining_ms, 7500);
    let mut fx = Effects::new();
    let twice = ClientMsg::Answer {
        order: None,
        value: None,
        index: 1,
        choice: None,
        choices: Some(vec![1, 3]),
        text: None,
    };
    back.player_msg(7, PlayerId(2), twice, later, later, &mut fx);
    assert_eq!(errors(&fx), vec![ErrorCode::AlreadyAnswered]);
    back.check_invariants();
}

#[test]
fn a_question_whose_time_ran_out_during_the_outage_closes_at_once_with_its_answers() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let mut room = room_with(Mode::Classic, 2, t0);
    let mut fx = Effects::new();
    room.join(3, "P3", "tok3".into(), t0, &mut fx)
        .expect("join");
    db.players = (1..=3)
        .map(|i| SavedPlayer {
            id: PlayerId(i),
            name: format!("P{i}"),
            token_hash: secret_hash(&format!("tok{i}")),
            status: PlayerStatus::Active,
            first_index: 0,
            team: None,
        })
        .collect();
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_secs(2);
    db.apply(&answer(&mut room, 1, 0, AnswerValue::Choice(1), t1), t1);
    // The heartbeat says the question had been open 10.3 s: past its limit and the grace.
    let crash = t0 + Duration::from_millis(10_300);
    let later = crash + Duration::from_secs(60);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(crash), later).expect("restore");
    assert!(back.next_wake() <= later, "the deadline is already due");
    let mut fx = Effects::new();
    back.tick(later, &mut fx);
    back.check_invariants();
    let closed = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    match closed.first() {
        Some(ServerMsg::QuestionClosed { answered, .. }) => assert_eq!(*answered, 1),
        other => panic!("expected question_closed, got {other:?}"),
    }
    let scores: HashMap<PlayerId, i64> = back.scores().into_iter().collect();
    assert!(scores[&PlayerId(1)] > 0);
    assert_eq!(scores[&PlayerId(2)], 0);
}

#[test]
fn a_race_won_just_before_the_crash_closes_on_the_first_tick() {
    let t0 = Instant::now();
    let (mut room, fx) = room_and_effects(Mode::Race, 2, t0);
    let mut db = Db::new();
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_secs(1);
    let won = answer(&mut room, 1, 0, AnswerValue::Choice(1), t1);
    // Only the winning answer was committed: the crash came before the close's row.
    let answer_only: Effects = won
        .into_iter()
        .take_while(|e| !matches!(e, Effect::Persist(Write::Phase { .. })))
        .collect();
    db.apply(&answer_only, t1);
    let later = t1 + Duration::from_secs(60);
    let mut back =
        Room::restore(settings(Mode::Race), quiz(), db.saved(t1), later).expect("restore");
    assert!(back.next_wake() <= later);
    let mut fx = Effects::new();
    back.tick(later, &mut fx);
    assert!(closed(&fx), "{fx:?}");
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Persist(Write::Phase {
            phase: StoredPhase::Reveal,
            ..
        })
    )));
    assert_eq!(back.digest().players, room.digest().players);
}

#[test]
fn a_restore_refuses_rows_that_do_not_fit_the_quiz() {
    let t0 = Instant::now();
    let mut saved = Saved {
        chat: true,
        phase: SavedPhase::Reveal { index: 9 },
        ..Saved::default()
    };
    assert!(Room::restore(settings(Mode::Classic), quiz(), saved.clone(), t0).is_err());
    saved.phase = SavedPhase::Lobby;
    saved.answers.push(SavedAnswer {
        index: 0,
        player: PlayerId(1),
        elapsed_ms: 10,
        correct: Some(true),
        points: 990,
        value: AnswerValue::Choice(1),
    });
    assert!(
        Room::restore(settings(Mode::Classic), quiz(), saved, t0).is_err(),
        "an answer by nobody to a question that never opened"
    );
}

#[test]
fn a_restored_room_keys_names_as_a_live_room_does() {
    let t0 = Instant::now();
    let saved = Saved {
        chat: true,
        players: vec![SavedPlayer {
            id: PlayerId(1),
            name: "Straße".into(),
            token_hash: secret_hash("tok1"),
            status: PlayerStatus::Active,
            first_index: 0,
            team: None,
        }],
        ..Saved::default()
    };
    let mut room = Room::restore(settings(Mode::Classic), quiz(), saved, t0).expect("restore");
    let mut fx = Effects::new();
    assert_eq!(
        room.join(2, "STRASSE", "tok2".into(), t0, &mut fx),
        Err(super::state::JoinError::NameTaken),
        "equal after case folding, as for a live room"
    );
}

#[test]
fn a_restored_room_accepts_the_host_keys_it_had_minted() {
    let t0 = Instant::now();
    let mut db = Db::new();
    // As the store's `create_game` does: the key the room was made with is the first kept.
    db.host_keys.push(secret_hash("key"));
    let (mut room, fx) = room_and_effects(Mode::Classic, 1, t0);
    db.apply(&fx, t0);
    let mut fx = Effects::new();
    room.take_control(2000, "minted", false, t0, &mut fx)
        .expect("control");
    db.apply(&fx, t0);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(t0), t0).expect("restore");
    let mut fx = Effects::new();
    back.attach_host(1, "minted", false, t0, &mut fx)
        .expect("minted key");
    back.attach_host(2, "key", false, t0, &mut fx)
        .expect("first key");
    assert_eq!(back.resume(3, "tok1", t0, &mut fx).map(|p| p.0), Ok(1));
}
