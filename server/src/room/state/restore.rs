//! What survives a restart: rebuilding a room from its stored rows ([`Room::restore`]) and the
//! comparable state a restore must reproduce ([`Room::digest`]).

use super::{
    Given, LastResult, Phase, Player, PlayerStatus, Room, Saved, SavedPhase, Settings,
    MAX_HOST_KEYS,
};
use quizrace_protocol::{Mode, PhaseName, PlayerId, QuestionPoints, Quiz, ANSWER_GRACE_MS};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why a stored game cannot be rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot restore the game: {0}")]
pub struct RestoreError(pub String);

/// id, name, token, status, and for an active player (score, streak, correct_ms, answered
/// last question, its points).
pub type DigestPlayer = (
    PlayerId,
    String,
    String,
    PlayerStatus,
    Option<(i64, u32, u64, bool, i64)>,
);

/// A restored room's comparable state, for tests: players (id, name, token, status, and for
/// active players score, streak, correct_ms, last result), phase, last index, who answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub players: Vec<DigestPlayer>,
    pub phase: PhaseName,
    pub last_index: Option<u32>,
    pub answered: Vec<PlayerId>,
    pub locked: bool,
    pub chat: bool,
    /// Active players' best streak and every question's points: what their summary shows.
    pub games: Vec<(PlayerId, u32, Vec<QuestionPoints>)>,
    /// Every player's team, in player order.
    pub player_teams: Vec<Option<u32>>,
    /// Every team's id, members and score.
    pub teams: Vec<(u32, u32, i64)>,
}

/// How long a restored question waits for its players before "everyone answered" may close
/// it: after a restart nobody is connected, and the first to come back must not end it.
pub const RESTART_GRACE: Duration = Duration::from_secs(5);

impl Room {
    /// Rebuilds a room from what the database holds, as it was when the server stopped, with
    /// nobody connected. Scores, streaks and tie-break times are derived by settling the stored
    /// answers of every closed question in order, exactly as the live room settled them, so
    /// they are never stored twice and cannot disagree with the answers. An open question
    /// resumes with the time it had left (it closes on the first tick if that ran out); its
    /// stored answers stay answered.
    pub fn restore(
        settings: Settings,
        quiz: Arc<Quiz>,
        saved: Saved,
        now: Instant,
    ) -> Result<Room, RestoreError> {
        let bad = |m: String| Err(RestoreError(m));
        let mut room = Room::new(settings, quiz, now);
        room.locked = saved.locked;
        room.chat = saved.chat;
        if !saved.host_keys.is_empty() {
            let skip = saved.host_keys.len().saturating_sub(MAX_HOST_KEYS);
            room.host_keys = saved.host_keys.into_iter().skip(skip).collect();
        }
        for (i, p) in saved.players.into_iter().enumerate() {
            if p.id.0 as usize != i + 1 {
                return bad(format!("player ids are not in join order at {}", p.id));
            }
            let status = p.status;
            match status {
                PlayerStatus::Active | PlayerStatus::Kicked => {
                    room.names.insert(crate::names::key(&p.name));
                }
                PlayerStatus::Left => {}
                PlayerStatus::Removed => room.removed += 1,
            }
            if status == PlayerStatus::Active {
                room.active += 1;
            }
            room.by_token.insert(p.token_hash, i);
            room.players.push(Player {
                id: p.id,
                name: p.name,
                conn: None,
                status,
                score: 0,
                streak: 0,
                correct_ms: 0,
                chat_times: VecDeque::new(),
                last: LastResult::default(),
                first_index: p.first_index,
                best_streak: 0,
                history: Vec::new(),
                team: p.team,
            });
        }
        room.rebuild_teams().map_err(RestoreError)?;
        let total = room.total();
        let (open, closed_through) = match saved.phase {
            SavedPhase::Lobby => (None, None),
            SavedPhase::Question { index, .. } => (Some(index), index.checked_sub(1)),
            SavedPhase::Reveal { index } | SavedPhase::Leaderboard { index } => (None, Some(index)),
        };
        let last = open.or(closed_through);
        if last.is_some_and(|i| i >= total) {
            return bad(format!("question {last:?} is beyond the quiz's {total}"));
        }
        let mut by_question: Vec<HashMap<PlayerId, Given>> =
            (0..total).map(|_| HashMap::new()).collect();
        for a in saved.answers {
            if a.index >= total || room.player(a.player).is_none() {
                return bad(format!(
                    "answer to {} by {} fits no question or player",
                    a.index, a.player
                ));
            }
            if last.is_none_or(|l| a.index > l) {
                return bad(format!(
                    "answer to question {}, which never opened",
                    a.index
                ));
            }
            by_question[a.index as usize].insert(
                a.player,
                Given {
                    value: a.value,
                    elapsed_ms: a.elapsed_ms,
                    correct: a.correct,
                    points: a.points,
                },
            );
        }
        if let Some(through) = closed_through {
            for index in 0..=through {
                room.settle(index, &by_question[index as usize]);
            }
        }
        room.last_index = last;
        room.phase = match saved.phase {
            SavedPhase::Lobby => Phase::Lobby,
            SavedPhase::Question { index, .. }
                if room.quiz.questions[index as usize].is_slide() =>
            {
                Phase::Slide {
                    index,
                    advance_at: room.auto_advance(now),
                }
            }
            SavedPhase::Question { index, elapsed_ms } => {
                // Answers of players who left since count, as they did live (see `remove`).
                let answers = std::mem::take(&mut by_question[index as usize]);
                // A race won just before the crash (its close was not stored yet) is over:
                // treat its time as run out, so the first tick closes it through the normal
                // path, which stores the close.
                let won =
                    room.settings.mode == Mode::Race && answers.values().any(|g| g.points > 0);
                let opened_at = if won {
                    let over = room.limit(index) + Duration::from_millis(ANSWER_GRACE_MS + 1);
                    now.checked_sub(over).unwrap_or(now)
                } else {
                    // The stored time runs from when the question was shown: answering opens
                    // its get-ready time later, which may still be ahead.
                    let shown = Duration::from_millis(elapsed_ms);
                    let read = room.get_ready(index);
                    match shown.checked_sub(read) {
                        Some(open_for) => now.checked_sub(open_for).unwrap_or(now),
                        None => now + (read - shown),
                    }
                };
                Phase::Question {
                    index,
                    opened_at,
                    answers,
                    count_sent_at: None,
                    count_dirty: false,
                    grace_until: Some(now + RESTART_GRACE),
                }
            }
            SavedPhase::Reveal { index } => Phase::Reveal {
                index,
                advance_at: room.auto_advance(now),
            },
            SavedPhase::Leaderboard { index } => Phase::Leaderboard {
                index,
                advance_at: room.auto_advance(now),
            },
        };
        if let SavedPhase::Reveal { index } | SavedPhase::Leaderboard { index } = saved.phase {
            room.reveal = Some(room.reveal_of(index, &by_question[index as usize]));
        }
        Ok(room)
    }

    /// The state a restore must reproduce, for tests.
    pub fn digest(&self) -> Digest {
        let mut token_hashes = vec![String::new(); self.players.len()];
        for (hash, &i) in &self.by_token {
            token_hashes[i] = hash.clone();
        }
        Digest {
            players: self
                .players
                .iter()
                .zip(token_hashes)
                .map(|(p, token_hash)| {
                    let live = p.is_active().then_some((
                        p.score,
                        p.streak,
                        p.correct_ms,
                        p.last.answered,
                        p.last.points,
                    ));
                    (p.id, p.name.clone(), token_hash, p.status, live)
                })
                .collect(),
            phase: self.phase_name(),
            last_index: self.last_index,
            answered: match &self.phase {
                Phase::Question { answers, .. } => {
                    let mut ids: Vec<PlayerId> = answers.keys().copied().collect();
                    ids.sort();
                    ids
                }
                _ => Vec::new(),
            },
            locked: self.locked,
            chat: self.chat,
            games: self
                .players
                .iter()
                .filter(|p| p.is_active())
                .map(|p| (p.id, p.best_streak, p.history.clone()))
                .collect(),
            player_teams: self.players.iter().map(|p| p.team).collect(),
            teams: self.team_totals(),
        }
    }
}
