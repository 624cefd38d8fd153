//! The player roster: joining (names, seats), resuming with a token, the players list, and
//! leaving or being kicked.

use super::{
    ConnId, Effect, Effects, LastResult, Phase, Player, PlayerStatus, Room, Target, Write,
};
use crate::secret::secret_hash;
use quizrace_protocol::{
    CloseReason, ErrorCode, PlayerId, PlayerInfo, ServerMsg, TeamChoice, PLAYERS_LISTED,
};
use std::collections::VecDeque;
use std::time::Instant;

/// Why a `join` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("bad name")]
    BadName,
    #[error("name taken")]
    NameTaken,
    #[error("room full")]
    RoomFull,
    #[error("room locked")]
    RoomLocked,
    #[error("game finished")]
    GameFinished,
}

impl From<JoinError> for ErrorCode {
    fn from(e: JoinError) -> Self {
        match e {
            JoinError::BadName => ErrorCode::BadName,
            JoinError::NameTaken => ErrorCode::NameTaken,
            JoinError::RoomFull => ErrorCode::RoomFull,
            JoinError::RoomLocked => ErrorCode::RoomLocked,
            JoinError::GameFinished => ErrorCode::GameFinished,
        }
    }
}

/// Normalises a nickname and checks it; see [`crate::names`] for the rules.
pub fn clean_name(raw: &str) -> Option<String> {
    crate::names::clean(raw)
}

impl Room {
    /// A new player. On success the `welcome` is queued behind the stored player row.
    pub fn join(
        &mut self,
        conn: ConnId,
        raw_name: &str,
        token: String,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<PlayerId, JoinError> {
        if matches!(self.phase, Phase::Finished { .. }) {
            return Err(JoinError::GameFinished);
        }
        if self.locked {
            return Err(JoinError::RoomLocked);
        }
        let name = clean_name(raw_name).ok_or(JoinError::BadName)?;
        let key = crate::names::key(&name);
        if self.names.contains(&key) {
            return Err(JoinError::NameTaken);
        }
        // Seats: everyone but those removed from the lobby. A player who leaves after the
        // start keeps the seat, so join-and-leave cannot fill a room beyond `max_players`.
        if self.players.len() as u32 - self.removed >= self.settings.max_players {
            return Err(JoinError::RoomFull);
        }
        self.last_activity = now;
        let id = PlayerId(self.players.len() as u32 + 1);
        let first_index = match self.phase {
            Phase::Question { index, .. } => index,
            _ => self.opened(),
        };
        self.names.insert(key);
        // Where players choose, a newcomer to the lobby is in no team until they do.
        let team = if self.players_choose() && matches!(self.phase, Phase::Lobby) {
            None
        } else {
            self.place_in_team()
        };
        let token_hash = secret_hash(&token);
        self.by_token.insert(token_hash.clone(), self.players.len());
        self.active += 1;
        self.connected += 1;
        self.players.push(Player {
            id,
            name: name.clone(),
            conn: Some(conn),
            status: PlayerStatus::Active,
            score: 0,
            streak: 0,
            correct_ms: 0,
            chat_times: VecDeque::new(),
            last: LastResult::default(),
            first_index,
            best_streak: 0,
            history: Vec::new(),
            team,
        });
        fx.push(Effect::Persist(Write::Player {
            game: self.settings.game_id,
            player: id,
            name: name.clone(),
            token_hash,
            first_index,
            team,
        }));
        fx.push(Effect::Send(
            Target::Player(id),
            self.welcome(id, &token, now),
        ));
        let count = self.active_count();
        fx.push(Effect::Send(
            Target::Watchers,
            ServerMsg::PlayerJoined {
                player_id: id,
                name,
                count,
                team,
            },
        ));
        Ok(id)
    }

    /// A returning player: same identity, score and answers. An older connection is replaced.
    pub fn resume(
        &mut self,
        conn: ConnId,
        token: &str,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<PlayerId, ErrorCode> {
        let i = *self
            .by_token
            .get(&secret_hash(token))
            .ok_or(ErrorCode::BadToken)?;
        let player = &mut self.players[i];
        if !player.is_active() {
            return Err(ErrorCode::BadToken);
        }
        let id = player.id;
        if let Some(old) = player.conn.replace(conn) {
            fx.push(Effect::Send(
                Target::Conn(old),
                ServerMsg::error_code(ErrorCode::Replaced),
            ));
            fx.push(Effect::Disconnect(old));
        } else {
            self.connected += 1;
            if self.connected == self.active {
                // Everyone is back: nobody left to wait for.
                if let Phase::Question { grace_until, .. } = &mut self.phase {
                    *grace_until = None;
                }
            }
            fx.push(Effect::Send(
                Target::Watchers,
                ServerMsg::PlayerConnection {
                    player_id: id,
                    connected: true,
                },
            ));
        }
        self.last_activity = now;
        fx.push(Effect::Send(
            Target::Player(id),
            self.welcome(id, token, now),
        ));
        if matches!(self.phase, Phase::Finished { .. }) {
            // Back after the end: show the podium they missed, then their final result.
            fx.push(Effect::Send(Target::Player(id), self.game_over()));
        }
        if matches!(
            self.phase,
            Phase::Reveal { .. } | Phase::Leaderboard { .. } | Phase::Finished { .. }
        ) {
            // Back during a reveal: show the result they may have missed while away.
            fx.push(Effect::Send(Target::Player(id), self.result_of(id)));
        }
        if matches!(self.phase, Phase::Finished { .. }) {
            // And the whole game: the summary they would have got at the end.
            fx.push(Effect::Send(Target::Player(id), self.summary_of(id)));
            // And the room it was played again in, which they follow.
            if let Some(again) = self.again_msg(false) {
                fx.push(Effect::Send(Target::Player(id), again));
            }
        }
        // A player who had answered before dropping may have been the last one waited for.
        self.close_if_all_answered(now, fx);
        Ok(id)
    }

    /// `token` is the player's own, as they joined or resumed with it: the room keeps only
    /// its hash.
    pub(super) fn welcome(&self, id: PlayerId, token: &str, now: Instant) -> ServerMsg {
        let p = &self.players[id.0 as usize - 1];
        let choosing = self.players_choose() && matches!(self.phase, Phase::Lobby);
        ServerMsg::Welcome {
            pin: self.settings.pin.clone(),
            player_id: id,
            name: p.name.clone(),
            token: token.to_owned(),
            phase: self.phase_name(),
            score: p.score,
            players: self.active_count(),
            question: self.open_question_view(Some(id), now),
            mode: Some(self.settings.mode),
            lang: self.quiz.lang.clone(),
            team: self.team_ref(p.team),
            team_choice: choosing.then_some(TeamChoice::Players),
            teams: self.team_infos().filter(|_| choosing),
        }
    }

    /// The `players` reply: the first [`PLAYERS_LISTED`] active players in join order and the
    /// count. Bounded, so that a 15-byte `list` cannot ask a big room for a huge frame.
    pub(super) fn players_reply(&self) -> ServerMsg {
        let players: Vec<PlayerInfo> = self
            .players
            .iter()
            .filter(|p| p.is_active())
            .take(PLAYERS_LISTED)
            .map(Player::info)
            .collect();
        let count = self.active_count();
        ServerMsg::Players {
            truncated: (players.len() as u32) < count,
            players,
            count,
        }
    }

    pub(super) fn active_infos(&self) -> Vec<PlayerInfo> {
        self.players
            .iter()
            .filter(|p| p.is_active())
            .map(Player::info)
            .collect()
    }

    /// A player leaves or is kicked. From the lobby they are removed: the seat is free again
    /// and no result will list them. After the start they keep their seat, and an answer they
    /// gave while present still counts, live and stored alike (a poll vote too): the reveal
    /// and the stored results come from the same answers.
    pub(super) fn remove(
        &mut self,
        id: PlayerId,
        status: PlayerStatus,
        now: Instant,
        fx: &mut Effects,
    ) {
        let game = self.settings.game_id;
        let opened = self.opened();
        let kicked = status == PlayerStatus::Kicked;
        let status = if matches!(self.phase, Phase::Lobby) {
            self.removed += 1;
            self.leave_team(self.players[id.0 as usize - 1].team);
            PlayerStatus::Removed
        } else {
            status
        };
        let p = &mut self.players[id.0 as usize - 1];
        p.status = status;
        let conn = p.conn.take();
        self.active -= 1;
        if conn.is_some() {
            self.connected -= 1;
        }
        if !kicked {
            // A kicked player's name stays taken; one who left may come back under it.
            self.names.remove(&crate::names::key(&p.name));
        }
        fx.push(Effect::Persist(Write::PlayerStatus {
            game,
            player: id,
            status,
            opened,
        }));
        if let Some(conn) = conn {
            if kicked {
                fx.push(Effect::Send(
                    Target::Conn(conn),
                    ServerMsg::RoomClosed {
                        reason: CloseReason::Kicked,
                    },
                ));
            }
            fx.push(Effect::Disconnect(conn));
        }
        let count = self.active_count();
        fx.push(Effect::Send(
            Target::Watchers,
            ServerMsg::PlayerLeft {
                player_id: id,
                count,
            },
        ));
        self.close_if_all_answered(now, fx);
    }
}
