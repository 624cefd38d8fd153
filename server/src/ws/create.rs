//! Making rooms: `host` (a logged-in host's new game of one of their quizzes) and
//! `play_again` (the next game of a finished room, its connected players following). Both
//! store the game under a fresh PIN, start its room on this node and bind the asking socket
//! to it as its host.

use super::{blocking, Bound, Conn};
use crate::lobby::Directory;
use crate::room::actor::HostAttach;
use crate::room::state::{AgainPlan, Room, Settings};
use crate::room::{RoomCmd, RoomHandle};
use crate::secret::{random_hex, secret_hash};
use crate::store::{Catalog, Role, StoreError};
use quizrace_protocol::{
    ErrorCode, GameId, Mode, NamePolicy, Pin, Quiz, QuizDoc, QuizId, ServerMsg, DEFAULT_TEAM_TALK_S,
};
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{debug, info};

/// A new game to store and start: what `host` asked for, or what `play_again` copies.
struct NewGame {
    quiz_id: QuizId,
    host: i64,
    doc: QuizDoc,
    quiz: Arc<Quiz>,
    /// The key the host gets; the room and the database keep only its hash.
    host_key: String,
    /// The PIN, game and host key's hash are set here.
    settings: Settings,
}

impl Conn {
    /// `host`: checks the login and the quiz, stores the game, starts the room, attaches.
    pub(super) async fn create_room(&mut self, req: HostRequest) -> Result<(), ServerMsg> {
        let store = self.app.store().clone();
        let token = req.token;
        let quiz_id = req.quiz_id;
        let (account, stored) = blocking(move || {
            let account = store
                .account_for_token(&token)
                .map_err(|_| ErrorCode::Internal)?
                .ok_or(ErrorCode::Unauthorized)?;
            let quiz = store
                .get_quiz(quiz_id)
                .map_err(|_| ErrorCode::Internal)?
                .filter(|q| q.builtin || q.owner_id == account.id || account.role == Role::Admin)
                .ok_or(ErrorCode::NoSuchQuiz)?;
            Ok((account, quiz))
        })
        .await
        .map_err(ServerMsg::error_code)?;
        // The game keeps the normalised copy (the store tidies a quiz an older server kept
        // padded or with fields its kind does not use).
        let mut doc = stored.doc;
        let host_key = random_hex(16);
        if req.options.shuffle_questions == Some(true) {
            // The room's own order, from its secret: the game stores its copy in that order.
            crate::room::shuffle::shuffle_questions(&mut doc, &secret_hash(&host_key));
        }
        let quiz = doc
            .validate()
            .map_err(|_| ServerMsg::error_code(ErrorCode::NoSuchQuiz))?;
        crate::http::quizzes::too_big(&self.app, &doc)
            .map_err(|m| ServerMsg::error(ErrorCode::QuotaExceeded, m))?;
        let settings = Settings {
            pin: Pin(String::new()),               // drawn as stored
            game_id: quizrace_protocol::GameId(0), // set once stored
            mode: req.mode,
            max_players: req.max_players.unwrap_or(self.app.config().max_players),
            auto_advance_ms: req.auto_advance_ms,
            chat: req.chat.unwrap_or(true),
            host_key: String::new(), // set as opened
            names: req.names.unwrap_or(NamePolicy::Free),
            teams: req.teams,
            // Both mean nothing without teams: stored as the defaults of a room without.
            team_choice: (req.options.team_choice)
                .filter(|_| req.teams.is_some())
                .unwrap_or_default(),
            team_talk_ms: match req.teams {
                Some(_) => 1000 * u64::from(req.options.team_talk_s.unwrap_or(DEFAULT_TEAM_TALK_S)),
                None => 0,
            },
            blocked_words: self.app.config().blocked_words.as_slice().into(),
            timing: req.options.into(),
            leaderboard: req.options.leaderboard.unwrap_or_default(),
            shuffle_answers: req.options.shuffle_answers == Some(true),
            media_on_phones: req.options.media_on_phones == Some(true),
            question_on_phones: req.options.question_on_phones != Some(false),
        };
        let new = NewGame {
            quiz_id,
            host: account.id,
            doc,
            quiz: Arc::new(quiz),
            host_key,
            settings,
        };
        let handle = self.open_game(new).await?;
        info!(pin = %handle.pin, game = %handle.game_id, host = %account.username, "room created");
        Ok(())
    }

    /// `play_again` from the host of `old`, a finished room: a new game of the same quiz (the
    /// copy the old game played) with the same settings, hosted by the same account, and
    /// this socket its host. The old room then sends its players `play_again`. Refused by the
    /// old room (not its host, not over, already played again) with nothing changed.
    pub(super) async fn play_again(&mut self, old: RoomHandle) -> Result<(), ServerMsg> {
        let gone = || ServerMsg::error_code(ErrorCode::NoSuchRoom);
        let (reply, answer) = oneshot::channel();
        let ask = RoomCmd::PlayAgain {
            conn: self.handle.id,
            reply,
        };
        if !old.send(ask).await {
            return Err(gone());
        }
        let plan = match answer.await {
            Ok(Ok(plan)) => plan,
            Ok(Err(refused)) => return Err(refused.to_msg()),
            Err(_) => return Err(gone()),
        };
        match self.open_again(&old, plan).await {
            Ok((new, key)) => {
                info!(pin = %old.pin, again = %new.pin, "played again");
                // The host's socket now belongs to the new room: the old one forgets it before
                // it sends everyone else there.
                old.send(RoomCmd::Gone {
                    conn: self.handle.id,
                })
                .await;
                let made = Some((new.pin, key));
                old.send(RoomCmd::PlayedAgain { made }).await;
                Ok(())
            }
            Err(refusal) => {
                old.send(RoomCmd::PlayedAgain { made: None }).await;
                Err(refusal)
            }
        }
    }

    /// The new room of a `play_again`, and its host key (which the old room hands to its big
    /// screens).
    async fn open_again(
        &mut self,
        old: &RoomHandle,
        plan: AgainPlan,
    ) -> Result<(RoomHandle, String), ServerMsg> {
        let store = self.app.store().clone();
        let game = old.game_id;
        let origin = blocking(move || {
            store
                .game_quiz(game)
                .map_err(|_| ErrorCode::Internal)?
                .ok_or(ErrorCode::NoSuchGame)
        })
        .await
        .map_err(ServerMsg::error_code)?;
        let host_key = random_hex(16);
        let new = NewGame {
            quiz_id: origin.quiz_id,
            host: origin.host_id,
            doc: origin.doc,
            quiz: plan.quiz,
            host_key: host_key.clone(),
            settings: plan.settings,
        };
        Ok((self.open_game(new).await?, host_key))
    }

    /// Stores `new` under a fresh PIN, starts its room and binds this socket to it as the
    /// host (which gets `room_created` with the key, then `room_state`).
    async fn open_game(&mut self, new: NewGame) -> Result<RoomHandle, ServerMsg> {
        let lobby = self.app.lobby().clone();
        let store = self.app.store().clone();
        let max_live = self.app.config().max_rooms_per_host;
        let host_key = new.host_key;
        let mut settings = new.settings;
        settings.host_key = secret_hash(&host_key);
        let s = settings.clone();
        let (quiz_id, host, doc) = (new.quiz_id, new.host, new.doc);
        let stored_game = tokio::task::spawn_blocking(move || {
            store_game(
                &*store,
                || lobby.reserve_pin(),
                quiz_id,
                host,
                &s,
                &doc,
                max_live,
            )
        })
        .await
        .unwrap_or(Err(NotStored::Internal))?;
        let (pin, game_id) = stored_game.ok_or_else(|| {
            ServerMsg::error(
                ErrorCode::QuotaExceeded,
                format!(
                    "this account already hosts {max_live} live rooms, the most this server \
                     allows (--max-rooms-per-host); end one first"
                ),
            )
        })?;
        settings.pin = pin;
        settings.game_id = game_id;
        let room = Room::new(settings, new.quiz, Instant::now().into_std());
        let Some(handle) = crate::open_room(&self.app, room) else {
            // Two rooms drew the same PIN in the same instant: vanishingly rare; try again.
            // The game row goes, or it would hold a place of the host's room quota.
            let store = self.app.store().clone();
            let _ =
                blocking(move || store.abort_game(game_id).map_err(|_| ErrorCode::Internal)).await;
            return Err(ServerMsg::error_code(ErrorCode::ServerBusy));
        };
        self.app.metrics().rooms().rooms_created.inc();
        self.attach_host(&handle, HostAttach::Created(host_key), false)
            .await
            .map_err(ServerMsg::error_code)?;
        self.bound = Bound::Host {
            room: handle.clone(),
        };
        Ok(handle)
    }
}

/// PINs drawn for one new game at most: on a cluster, a PIN free on this node may be held by
/// another node's running game.
const PIN_DRAWS: usize = 5;

/// Why a new game was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotStored {
    /// No free PIN was drawn.
    NoPin,
    /// The database failed.
    Internal,
}

impl From<NotStored> for ServerMsg {
    fn from(e: NotStored) -> ServerMsg {
        match e {
            NotStored::NoPin => ServerMsg::error(
                ErrorCode::ServerBusy,
                "every room PIN is in use; try again when a game has ended",
            ),
            NotStored::Internal => ServerMsg::error_code(ErrorCode::Internal),
        }
    }
}

/// Stores a new game under a PIN from `draw` (`settings.pin` is ignored), drawing again when
/// another running game holds it, at most [`PIN_DRAWS`] times. `Ok(None)`: the host already
/// runs `max_live` rooms.
fn store_game(
    store: &dyn Catalog,
    mut draw: impl FnMut() -> Option<Pin>,
    quiz: QuizId,
    host: i64,
    settings: &Settings,
    doc: &QuizDoc,
    max_live: u32,
) -> Result<Option<(Pin, GameId)>, NotStored> {
    for _ in 0..PIN_DRAWS {
        let pin = draw().ok_or(NotStored::NoPin)?;
        let settings = Settings {
            pin: pin.clone(),
            ..settings.clone()
        };
        match store.create_game_within(quiz, host, &settings, doc, max_live) {
            Ok(game) => return Ok(game.map(|g| (pin, g))),
            Err(StoreError::PinTaken) => {
                debug!(pin = %pin, "PIN held on another node; drawing again")
            }
            Err(_) => return Err(NotStored::Internal),
        }
    }
    Err(NotStored::NoPin)
}

pub(super) struct HostRequest {
    pub token: String,
    pub quiz_id: QuizId,
    pub mode: Mode,
    pub max_players: Option<u32>,
    pub auto_advance_ms: Option<u64>,
    pub chat: Option<bool>,
    pub names: Option<NamePolicy>,
    pub options: quizrace_protocol::HostOptions,
    pub teams: Option<quizrace_protocol::TeamPlan>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::testing::temp_pg;
    use crate::store::testing::{quiz_doc, settings};
    use std::cell::RefCell;

    /// On a cluster another node's running game may hold the PIN this node drew: the host
    /// gets a room under the next PIN drawn, and after a bounded number of draws a clear
    /// `server_busy`, never an internal error.
    #[test]
    fn a_pin_another_node_runs_is_drawn_again_a_bounded_number_of_times() {
        let store = temp_pg();
        store.bootstrap_admin(Some("pw")).expect("admin");
        let doc = quiz_doc("T", 1);
        let quiz = store.create_quiz(1, &doc).expect("quiz");
        let settings = settings("111111");
        store
            .create_game(quiz, 1, &settings, &doc)
            .expect("another node's game");
        let drawn = RefCell::new(vec!["222222", "111111"]);
        let draw = || drawn.borrow_mut().pop().map(|p| Pin(p.into()));
        let (pin, _) = store_game(&store, draw, quiz, 1, &settings, &doc, 10)
            .expect("stored")
            .expect("within the quota");
        assert_eq!(pin.0, "222222");

        let draws = RefCell::new(0);
        let always_taken = || {
            *draws.borrow_mut() += 1;
            Some(Pin("111111".into()))
        };
        let refused = store_game(&store, always_taken, quiz, 1, &settings, &doc, 10);
        assert_eq!(refused.map(|_| ()), Err(NotStored::NoPin));
        assert!(matches!(
            ServerMsg::from(NotStored::NoPin),
            ServerMsg::Error {
                code: ErrorCode::ServerBusy,
                ..
            }
        ));
        assert_eq!(*draws.borrow(), PIN_DRAWS);
    }
}
