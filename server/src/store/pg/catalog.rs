//! PostgreSQL's [`Catalog`]: the methods are [`PgStore`]'s own (each documented there).

use super::PgStore;
use crate::assignment::rules::{Answered, At};
use crate::metrics::WriterMetrics;
use crate::room::state::Settings;
use crate::room::storage::RoomWriter;
use crate::store::{
    Account, AccountChange, AccountRow, AssignmentInfo, AssignmentRow, AssignmentView, Catalog,
    Flushed, GameQuiz, GameReport, GameRow, LeaderboardGame, MediaFile, MediaGrant, MediaInfo,
    NewAssignment, NewMedia, PutMedia, QuizSummary, Result, Role, RunningGames, StartRefused,
    StoredAttempt, StoredQuiz,
};
use quizrace_protocol::{GameId, PlayerId, QuizDoc, QuizId};

use std::sync::Arc;

impl Catalog for PgStore {
    fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>> {
        PgStore::bootstrap_admin(self, password)
    }
    fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64> {
        PgStore::create_account(self, username, password, role)
    }
    fn list_accounts(&self) -> Result<Vec<AccountRow>> {
        PgStore::list_accounts(self)
    }
    fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>> {
        PgStore::update_account(self, id, change)
    }
    fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool> {
        PgStore::change_password(self, id, old, new, keep)
    }
    fn logout(&self, token: &str) -> Result<()> {
        PgStore::logout(self, token)
    }
    fn login(&self, username: &str, password: &str) -> Result<Option<String>> {
        PgStore::login(self, username, password)
    }
    fn account_for_token(&self, token: &str) -> Result<Option<Account>> {
        PgStore::account_for_token(self, token)
    }
    fn password_checks(&self) -> u64 {
        self.password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }
    fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()> {
        PgStore::install_builtin(self, quizzes)
    }
    fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
        PgStore::create_quiz(self, owner, doc)
    }
    fn create_quiz_within(&self, owner: i64, doc: &QuizDoc, max: u32) -> Result<Option<QuizId>> {
        PgStore::create_quiz_within(self, owner, doc, max)
    }
    fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>> {
        PgStore::list_quizzes(self, account)
    }
    fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>> {
        PgStore::get_quiz(self, id)
    }
    fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()> {
        PgStore::update_quiz(self, id, doc)
    }
    fn delete_quiz(&self, id: QuizId) -> Result<()> {
        PgStore::delete_quiz(self, id)
    }
    fn put_media(&self, owner: i64, media: &NewMedia, quota: u64) -> Result<PutMedia> {
        PgStore::put_media(self, owner, media, quota)
    }
    fn media_info(&self, hash: &str) -> Result<Option<MediaInfo>> {
        PgStore::media_info(self, hash)
    }
    fn media_owned(&self, account: i64, hash: &str) -> Result<bool> {
        PgStore::media_owned(self, account, hash)
    }
    fn adopt_media(&self, account: i64, hash: &str) -> Result<bool> {
        PgStore::adopt_media(self, account, hash)
    }
    fn media_file(&self, hash: &str) -> Result<Option<MediaFile>> {
        PgStore::media_file(self, hash)
    }
    fn media_grant(&self, id: GameId) -> Result<Option<MediaGrant>> {
        PgStore::media_grant(self, id)
    }
    fn attempt_media_grant(
        &self,
        game: GameId,
        player: PlayerId,
        now_ms: i64,
    ) -> Result<Option<MediaGrant>> {
        PgStore::attempt_media_grant(self, game, player, now_ms)
    }
    fn create_game(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
    ) -> Result<GameId> {
        PgStore::create_game(self, quiz, host, settings, doc)
    }
    fn create_game_within(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        max_live: u32,
    ) -> Result<Option<GameId>> {
        PgStore::create_game_within(self, quiz, host, settings, doc, max_live)
    }
    fn abort_game(&self, game: GameId) -> Result<()> {
        PgStore::abort_game(self, game)
    }
    fn list_games(&self, account: &Account) -> Result<Vec<GameRow>> {
        PgStore::list_games(self, account)
    }
    fn game_quiz(&self, id: GameId) -> Result<Option<GameQuiz>> {
        PgStore::game_quiz(self, id)
    }
    fn game_host(&self, id: GameId) -> Result<Option<(i64, String)>> {
        PgStore::game_host(self, id)
    }
    fn set_game_private(&self, id: GameId, private: bool) -> Result<()> {
        PgStore::set_game_private(self, id, private)
    }
    fn leaderboard(&self) -> Result<Vec<LeaderboardGame>> {
        PgStore::leaderboard(self)
    }
    fn game_report(&self, id: GameId) -> Result<Option<GameReport>> {
        PgStore::game_report(self, id)
    }
    fn create_assignment(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        new: &NewAssignment,
    ) -> Result<(GameId, String)> {
        PgStore::create_assignment(self, quiz, host, settings, doc, new)
    }
    fn assignment_by_code(&self, code: &str) -> Result<Option<AssignmentInfo>> {
        PgStore::assignment_by_code(self, code)
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
        PgStore::start_attempt(
            self, game, name, identifier, person, token_hash, holder, limit,
        )
    }
    fn take_attempt(
        &self,
        game: GameId,
        token_hash: &str,
        holder: &str,
    ) -> Result<Option<StoredAttempt>> {
        PgStore::take_attempt(self, game, token_hash, holder)
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
        PgStore::save_attempt(self, game, player, holder, at, score, now_ms)
    }
    fn save_attempt_answer(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        answered: &Answered,
        score: i64,
    ) -> Result<bool> {
        PgStore::save_attempt_answer(self, game, player, holder, answered, score)
    }
    fn attempt_rank(&self, game: GameId, score: i64) -> Result<(u32, u32)> {
        PgStore::attempt_rank(self, game, score)
    }
    fn list_assignments(&self, account: &Account) -> Result<Vec<AssignmentRow>> {
        PgStore::list_assignments(self, account)
    }
    fn assignment_view(&self, game: GameId) -> Result<Option<AssignmentView>> {
        PgStore::assignment_view(self, game)
    }
    fn close_assignment(&self, game: GameId) -> Result<()> {
        PgStore::close_assignment(self, game)
    }
    /// None at start: on a cluster the claim loop brings running games back
    /// ([`PgStore::read_running`]), once their owner's lease has run out.
    fn running_games(&self) -> Result<RunningGames> {
        Ok(Vec::new())
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
}
