//! The [`Catalog`]: what the API, the sockets and start-up need from the database (accounts
//! and sessions, quizzes, games and reports, the games to resume), and the rooms' writer.
//!
//! Two backends implement it: [`Store`] (SQLite, one node) and `pg::PgStore` (PostgreSQL,
//! a cluster). Its methods are synchronous and may wait on the database: call them from a
//! blocking thread (`spawn_blocking`, the password checker's threads), never from a task.

use super::{
    Account, AccountChange, AccountRow, AssignmentInfo, AssignmentRow, AssignmentView, GameQuiz,
    GameReport, GameRow, LeaderboardGame, MediaFile, MediaGrant, MediaInfo, NewAssignment,
    NewMedia, PutMedia, QuizSummary, Result, Role, RunningGame, StartRefused, Store, StoredAttempt,
    StoredQuiz,
};
use crate::assignment::rules::{Answered, At};
use crate::metrics::WriterMetrics;
use crate::room::state::Settings;
use crate::room::storage::RoomWriter;
use quizrace_protocol::{GameId, PlayerId, QuizDoc, QuizId};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future the caller may await on any runtime.
pub type Flushed = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Games left running, each readable (to rebuild its room) or not (its id and why: abort it).
pub type RunningGames = Vec<std::result::Result<RunningGame, (GameId, String)>>;

/// The database as the rest of the server sees it. See the module documentation.
pub trait Catalog: Send + Sync {
    // Accounts and sessions.

    /// Makes sure `admin` exists; sets its password when given. Returns a generated password
    /// when this call created the account without one.
    fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>>;
    fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64>;
    fn list_accounts(&self) -> Result<Vec<AccountRow>>;
    fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>>;
    /// False when `old` is wrong. Ends every session of the account but `keep`.
    fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool>;
    fn logout(&self, token: &str) -> Result<()>;
    /// A new session token, or `None` for a wrong name or password or a disabled account.
    fn login(&self, username: &str, password: &str) -> Result<Option<String>>;
    fn account_for_token(&self, token: &str) -> Result<Option<Account>>;
    /// Passwords checked since start (each an Argon2 run).
    fn password_checks(&self) -> u64;

    // Quizzes.

    fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()>;
    fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId>;
    /// `None` when the owner already has `max` quizzes.
    fn create_quiz_within(&self, owner: i64, doc: &QuizDoc, max: u32) -> Result<Option<QuizId>>;
    fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>>;
    fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>>;
    fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()>;
    fn delete_quiz(&self, id: QuizId) -> Result<()>;

    // Question media.

    /// Stores an upload for `owner` unless the owner's distinct media would pass `quota`
    /// bytes; the same bytes again change nothing.
    fn put_media(&self, owner: i64, media: &NewMedia, quota: u64) -> Result<PutMedia>;
    fn media_info(&self, hash: &str) -> Result<Option<MediaInfo>>;
    /// Whether `account` uploaded `hash` (and so may put it in its quizzes).
    fn media_owned(&self, account: i64, hash: &str) -> Result<bool>;
    /// Makes `account` an owner of `hash` when a quiz it can read uses it; whether it owns
    /// the file now.
    fn adopt_media(&self, account: i64, hash: &str) -> Result<bool>;
    fn media_file(&self, hash: &str) -> Result<Option<MediaFile>>;
    /// What a link to game `id`'s media is checked against.
    fn media_grant(&self, id: GameId) -> Result<Option<MediaGrant>>;
    /// What a link to the media of `player`'s attempt at assignment `game` is checked
    /// against at `now_ms`.
    fn attempt_media_grant(
        &self,
        game: GameId,
        player: PlayerId,
        now_ms: i64,
    ) -> Result<Option<MediaGrant>>;

    // Games and reports.

    fn create_game(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
    ) -> Result<GameId>;
    /// `None` when the host already has `max_live` running games. On a cluster the game is
    /// owned by this node; [`super::StoreError::PinTaken`] when another running game has
    /// `settings.pin`.
    fn create_game_within(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        max_live: u32,
    ) -> Result<Option<GameId>>;
    fn abort_game(&self, game: GameId) -> Result<()>;
    fn list_games(&self, account: &Account) -> Result<Vec<GameRow>>;
    /// The host's account id and name.
    fn game_host(&self, id: GameId) -> Result<Option<(i64, String)>>;
    /// The quiz a game played (its own copy) and its host, for `play_again`.
    fn game_quiz(&self, id: GameId) -> Result<Option<GameQuiz>>;
    fn set_game_private(&self, id: GameId, private: bool) -> Result<()>;
    fn leaderboard(&self) -> Result<Vec<LeaderboardGame>>;
    fn game_report(&self, id: GameId) -> Result<Option<GameReport>>;

    // Assignments (self-paced games; see `store::assignments`).

    /// Stores an assignment of `quiz` and its game; returns the game and the code.
    fn create_assignment(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        new: &NewAssignment,
    ) -> Result<(GameId, String)>;
    fn assignment_by_code(&self, code: &str) -> Result<Option<AssignmentInfo>>;
    /// A new attempt of `person`, held by `holder`; refused once they used `limit`.
    #[allow(clippy::too_many_arguments)]
    fn start_attempt(
        &self,
        game: GameId,
        name: &str,
        identifier: Option<&str>,
        person: &str,
        token_hash: &str,
        holder: &str,
        limit: u32,
    ) -> Result<std::result::Result<(PlayerId, u32), StartRefused>>;
    /// The attempt with this token, now held by `holder`.
    fn take_attempt(
        &self,
        game: GameId,
        token_hash: &str,
        holder: &str,
    ) -> Result<Option<StoredAttempt>>;
    /// False when another socket holds the attempt now (nothing stored).
    fn save_attempt(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        at: At,
        score: i64,
        now_ms: i64,
    ) -> Result<bool>;
    /// False when another socket holds the attempt now (nothing stored).
    fn save_attempt_answer(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        answered: &Answered,
        score: i64,
    ) -> Result<bool>;
    /// The rank of `score` among the finished attempts, and how many finished.
    fn attempt_rank(&self, game: GameId, score: i64) -> Result<(u32, u32)>;
    fn list_assignments(&self, account: &Account) -> Result<Vec<AssignmentRow>>;
    fn assignment_view(&self, game: GameId) -> Result<Option<AssignmentView>>;
    fn close_assignment(&self, game: GameId) -> Result<()>;

    // Resuming and the rooms' rows.

    /// The games this node is to rebuild at start: on one node every running game; on a
    /// cluster none (the lease and claims bring them).
    fn running_games(&self) -> Result<RunningGames>;
    /// Where the rooms' rows go.
    fn room_writer(&self) -> Arc<dyn RoomWriter>;
    /// What the writer has done since start.
    fn writer_stats(&self) -> &WriterMetrics;
    /// Resolves once every row handed to the writer before the call is stored (or fenced).
    fn flush(&self) -> Flushed;
}

/// The [`Catalog`] methods that both stores implement alike: each forwards to the store's own
/// method of the same name (documented there), and the writer's three read its `writer` field.
/// Expanded inside each store's `impl Catalog`, which adds what differs (`running_games`).
macro_rules! forward_catalog {
    ($store:ident) => {
        fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>> {
            $store::bootstrap_admin(self, password)
        }
        fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64> {
            $store::create_account(self, username, password, role)
        }
        fn list_accounts(&self) -> Result<Vec<AccountRow>> {
            $store::list_accounts(self)
        }
        fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>> {
            $store::update_account(self, id, change)
        }
        fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool> {
            $store::change_password(self, id, old, new, keep)
        }
        fn logout(&self, token: &str) -> Result<()> {
            $store::logout(self, token)
        }
        fn login(&self, username: &str, password: &str) -> Result<Option<String>> {
            $store::login(self, username, password)
        }
        fn account_for_token(&self, token: &str) -> Result<Option<Account>> {
            $store::account_for_token(self, token)
        }
        fn password_checks(&self) -> u64 {
            self.password_checks
                .load(std::sync::atomic::Ordering::Relaxed)
        }
        fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()> {
            $store::install_builtin(self, quizzes)
        }
        fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
            $store::create_quiz(self, owner, doc)
        }
        fn create_quiz_within(
            &self,
            owner: i64,
            doc: &QuizDoc,
            max: u32,
        ) -> Result<Option<QuizId>> {
            $store::create_quiz_within(self, owner, doc, max)
        }
        fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>> {
            $store::list_quizzes(self, account)
        }
        fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>> {
            $store::get_quiz(self, id)
        }
        fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()> {
            $store::update_quiz(self, id, doc)
        }
        fn delete_quiz(&self, id: QuizId) -> Result<()> {
            $store::delete_quiz(self, id)
        }
        fn put_media(&self, owner: i64, media: &NewMedia, quota: u64) -> Result<PutMedia> {
            $store::put_media(self, owner, media, quota)
        }
        fn media_info(&self, hash: &str) -> Result<Option<MediaInfo>> {
            $store::media_info(self, hash)
        }
        fn media_owned(&self, account: i64, hash: &str) -> Result<bool> {
            $store::media_owned(self, account, hash)
        }
        fn adopt_media(&self, account: i64, hash: &str) -> Result<bool> {
            $store::adopt_media(self, account, hash)
        }
        fn media_file(&self, hash: &str) -> Result<Option<MediaFile>> {
            $store::media_file(self, hash)
        }
        fn media_grant(&self, id: GameId) -> Result<Option<MediaGrant>> {
            $store::media_grant(self, id)
        }
        fn attempt_media_grant(
            &self,
            game: GameId,
            player: PlayerId,
            now_ms: i64,
        ) -> Result<Option<MediaGrant>> {
            $store::attempt_media_grant(self, game, player, now_ms)
        }
        fn create_game(
            &self,
            quiz: QuizId,
            host: i64,
            settings: &Settings,
            doc: &QuizDoc,
        ) -> Result<GameId> {
            $store::create_game(self, quiz, host, settings, doc)
        }
        fn create_game_within(
            &self,
            quiz: QuizId,
            host: i64,
            settings: &Settings,
            doc: &QuizDoc,
            max_live: u32,
        ) -> Result<Option<GameId>> {
            $store::create_game_within(self, quiz, host, settings, doc, max_live)
        }
        fn abort_game(&self, game: GameId) -> Result<()> {
            $store::abort_game(self, game)
        }
        fn list_games(&self, account: &Account) -> Result<Vec<GameRow>> {
            $store::list_games(self, account)
        }
        fn game_host(&self, id: GameId) -> Result<Option<(i64, String)>> {
            $store::game_host(self, id)
        }
        fn game_quiz(&self, id: GameId) -> Result<Option<GameQuiz>> {
            $store::game_quiz(self, id)
        }
        fn set_game_private(&self, id: GameId, private: bool) -> Result<()> {
            $store::set_game_private(self, id, private)
        }
        fn leaderboard(&self) -> Result<Vec<LeaderboardGame>> {
            $store::leaderboard(self)
        }
        fn game_report(&self, id: GameId) -> Result<Option<GameReport>> {
            $store::game_report(self, id)
        }
        fn create_assignment(
            &self,
            quiz: QuizId,
            host: i64,
            settings: &Settings,
            doc: &QuizDoc,
            new: &NewAssignment,
        ) -> Result<(GameId, String)> {
            $store::create_assignment(self, quiz, host, settings, doc, new)
        }
        fn assignment_by_code(&self, code: &str) -> Result<Option<AssignmentInfo>> {
            $store::assignment_by_code(self, code)
        }
        fn start_attempt(
            &self,
            game: GameId,
            name: &str,
            identifier: Option<&str>,
            person: &str,
            token_hash: &str,
            holder: &str,
            limit: u32,
        ) -> Result<std::result::Result<(PlayerId, u32), StartRefused>> {
            $store::start_attempt(
                self, game, name, identifier, person, token_hash, holder, limit,
            )
        }
        fn take_attempt(
            &self,
            game: GameId,
            token_hash: &str,
            holder: &str,
        ) -> Result<Option<StoredAttempt>> {
            $store::take_attempt(self, game, token_hash, holder)
        }
        fn save_attempt(
            &self,
            game: GameId,
            player: PlayerId,
            holder: &str,
            at: At,
            score: i64,
            now_ms: i64,
        ) -> Result<bool> {
            $store::save_attempt(self, game, player, holder, at, score, now_ms)
        }
        fn save_attempt_answer(
            &self,
            game: GameId,
            player: PlayerId,
            holder: &str,
            answered: &Answered,
            score: i64,
        ) -> Result<bool> {
            $store::save_attempt_answer(self, game, player, holder, answered, score)
        }
        fn attempt_rank(&self, game: GameId, score: i64) -> Result<(u32, u32)> {
            $store::attempt_rank(self, game, score)
        }
        fn list_assignments(&self, account: &Account) -> Result<Vec<AssignmentRow>> {
            $store::list_assignments(self, account)
        }
        fn assignment_view(&self, game: GameId) -> Result<Option<AssignmentView>> {
            $store::assignment_view(self, game)
        }
        fn close_assignment(&self, game: GameId) -> Result<()> {
            $store::close_assignment(self, game)
        }
        fn room_writer(&self) -> Arc<dyn RoomWriter> {
            Arc::new(self.writer.clone())
        }
        fn writer_stats(&self) -> &WriterMetrics {
            &self.writer.stats
        }
        fn flush(&self) -> Flushed {
            let writer = self.writer.clone();
            Box::pin(async move { writer.flush().await })
        }
    };
}
pub(crate) use forward_catalog;

impl Catalog for Store {
    forward_catalog!(Store);
    fn running_games(&self) -> Result<RunningGames> {
        Store::running_games(self)
    }
}
