//! Chat: a player's rate limit, and delivery to everyone or to one player.

use super::{ConnId, Effect, Effects, Room, Target, CHAT_BURST, CHAT_WINDOW};
use quizrace_protocol::{ChatFrom, ErrorCode, PlayerId, ServerMsg};
use std::time::Instant;

impl Room {
    /// A player's `chat`: refused while chat is off, and beyond [`CHAT_BURST`] messages per
    /// [`CHAT_WINDOW`].
    pub(super) fn player_chat(
        &mut self,
        conn: ConnId,
        id: PlayerId,
        text: String,
        to: Option<PlayerId>,
        now: Instant,
        fx: &mut Effects,
    ) {
        let reply = |fx: &mut Effects, msg| fx.push(Effect::Send(Target::Conn(conn), msg));
        if !self.chat {
            return reply(fx, ServerMsg::error_code(ErrorCode::ChatDisabled));
        }
        let p = &mut self.players[id.0 as usize - 1];
        while p
            .chat_times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= CHAT_WINDOW)
        {
            p.chat_times.pop_front();
        }
        if p.chat_times.len() >= CHAT_BURST {
            return reply(fx, ServerMsg::error_code(ErrorCode::RateLimited));
        }
        p.chat_times.push_back(now);
        let from = ChatFrom::Player {
            player_id: id,
            name: p.name.clone(),
        };
        self.chat_to(from, text, to, conn, fx);
    }

    pub(super) fn chat_to(
        &mut self,
        from: ChatFrom,
        text: String,
        to: Option<PlayerId>,
        sender: ConnId,
        fx: &mut Effects,
    ) {
        match to {
            None => fx.push(Effect::Send(
                Target::Everyone,
                ServerMsg::Chat {
                    from,
                    text,
                    to: None,
                },
            )),
            Some(target) => {
                if self.player(target).is_none_or(|p| !p.is_active()) {
                    return fx.push(Effect::Send(
                        Target::Conn(sender),
                        ServerMsg::error_code(ErrorCode::NoSuchPlayer),
                    ));
                }
                let msg = ServerMsg::Chat {
                    from,
                    text,
                    to: Some(target),
                };
                fx.push(Effect::Send(Target::Player(target), msg.clone()));
                if self.conn_of(target) != Some(sender) {
                    fx.push(Effect::Send(Target::Conn(sender), msg));
                }
            }
        }
    }
}
