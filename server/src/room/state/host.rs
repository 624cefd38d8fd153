//! The host's and the big screens' seats: attaching with the host key, taking control with a
//! session (which mints a new key), and the `room_state` picture each of them gets.

use super::{ConnId, Effect, Effects, Phase, Room, Target, Write, MAX_HOST_KEYS, MAX_SCREENS};
use crate::secret::secret_hash;
use quizrace_protocol::{ErrorCode, LeaderboardAt, ServerMsg, TeamChoice};
use std::time::Instant;

impl Room {
    /// The host's connection: a new room, or a host coming back with the host key.
    pub fn attach_host(
        &mut self,
        conn: ConnId,
        host_key: &str,
        created: bool,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<(), ErrorCode> {
        if !self.accepts_key(host_key) {
            return Err(ErrorCode::Unauthorized);
        }
        self.seat_host(conn, now, fx);
        if created {
            fx.push(Effect::Send(
                Target::Host,
                ServerMsg::RoomCreated {
                    pin: self.settings.pin.clone(),
                    host_key: host_key.to_owned(),
                    game_id: self.settings.game_id,
                },
            ));
        }
        fx.push(Effect::Send(Target::Host, self.room_state(now)));
        self.poll_so_far(conn, fx);
        Ok(())
    }

    pub(super) fn seat_host(&mut self, conn: ConnId, now: Instant, fx: &mut Effects) {
        if let Some(old) = self.host.replace(conn) {
            fx.push(Effect::Send(
                Target::Conn(old),
                ServerMsg::error_code(ErrorCode::Replaced),
            ));
            fx.push(Effect::Disconnect(old));
        }
        self.last_activity = now;
    }

    pub(super) fn accepts_key(&self, host_key: &str) -> bool {
        let hash = secret_hash(host_key);
        self.host_keys.contains(&hash)
    }

    /// A host (or a big screen) that proved with a session token that it may run the room
    /// (the socket code checked the session; the room has no accounts). `new_key` was minted
    /// for this device: the room accepts it from now on, stores its hash, and sends it to
    /// this connection only, in its `room_state`.
    pub fn take_control(
        &mut self,
        conn: ConnId,
        new_key: &str,
        screen: bool,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<(), ErrorCode> {
        if screen && self.screens.len() >= MAX_SCREENS {
            return Err(ErrorCode::RoomFull);
        }
        let key_hash = secret_hash(new_key);
        if self.host_keys.len() >= MAX_HOST_KEYS {
            self.host_keys.pop_front();
        }
        self.host_keys.push_back(key_hash.clone());
        fx.push(Effect::Persist(Write::HostKey {
            game: self.settings.game_id,
            key_hash,
        }));
        if screen {
            self.screens.push(conn);
        } else {
            self.seat_host(conn, now, fx);
        }
        let mut state = self.room_state(now);
        if let ServerMsg::RoomState { host_key, .. } = &mut state {
            *host_key = Some(new_key.to_owned());
        }
        fx.push(Effect::Send(Target::Conn(conn), state));
        self.poll_so_far(conn, fx);
        if screen {
            fx.extend(
                self.again_msg(true)
                    .map(|m| Effect::Send(Target::Conn(conn), m)),
            );
        }
        Ok(())
    }

    /// A read-only big screen: it gets the room's picture now and every host message after.
    pub fn attach_screen(
        &mut self,
        conn: ConnId,
        host_key: &str,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<(), ErrorCode> {
        if !self.accepts_key(host_key) {
            return Err(ErrorCode::Unauthorized);
        }
        if self.screens.len() >= MAX_SCREENS {
            return Err(ErrorCode::RoomFull);
        }
        self.screens.push(conn);
        fx.push(Effect::Send(Target::Conn(conn), self.room_state(now)));
        self.poll_so_far(conn, fx);
        // A screen back in a room that was played again follows the game there.
        fx.extend(
            self.again_msg(true)
                .map(|m| Effect::Send(Target::Conn(conn), m)),
        );
        Ok(())
    }

    pub(super) fn room_state(&self, now: Instant) -> ServerMsg {
        let answered = match &self.phase {
            Phase::Question { answers, .. } => answers.len() as u32,
            _ => 0,
        };
        // During the reveal and the leaderboard after it, a host taking control redraws the
        // question and its chart from these.
        let reveal = match self.phase {
            Phase::Reveal { .. } | Phase::Leaderboard { .. } => self.reveal.clone().map(Box::new),
            _ => None,
        };
        let question = match &reveal {
            Some(r) => {
                let mut q = self.question_view(r.index);
                q.items = self.order_items(r.index, None);
                q.remaining_ms = 0;
                q.opens_in_ms = 0;
                Some(q)
            }
            None => self.open_question_view(None, now).map(|mut q| {
                q.answered = None;
                q
            }),
        };
        ServerMsg::RoomState {
            pin: self.settings.pin.clone(),
            game_id: self.settings.game_id,
            mode: self.settings.mode,
            title: self.quiz.title.clone(),
            phase: self.phase_name(),
            index: self.last_index,
            total: self.total(),
            question,
            answered,
            players: self.active_infos(),
            locked: self.locked,
            chat: self.chat,
            reveal,
            host_key: None,
            lang: self.quiz.lang.clone(),
            leaderboard: (self.settings.leaderboard == LeaderboardAt::End)
                .then_some(LeaderboardAt::End),
            teams: self.team_infos(),
            team_choice: self.players_choose().then_some(TeamChoice::Players),
            team_talk_ms: Some(self.settings.team_talk_ms).filter(|&ms| ms > 0),
        }
    }
}
