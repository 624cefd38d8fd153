//! PostgreSQL's [`Catalog`]: the methods are [`PgStore`]'s own (each documented there).

use super::PgStore;
use crate::assignment::rules::{Answered, At};
use crate::metrics::WriterMetrics;
use crate::room::state::Settings;
use crate::room::storage::RoomWriter;
use crate::store::catalog::forward_catalog;
use crate::store::{
    Account, AccountChange, AccountRow, AssignmentInfo, AssignmentRow, AssignmentView, Catalog,
    Flushed, GameQuiz, GameReport, GameRow, LeaderboardGame, MediaFile, MediaGrant, MediaInfo,
    NewAssignment, NewMedia, PutMedia, QuizSummary, Result, Role, RunningGames, StartRefused,
    StoredAttempt, StoredQuiz,
};
use quizrace_protocol::{GameId, PlayerId, QuizDoc, QuizId};

use std::sync::Arc;

impl Catalog for PgStore {
    forward_catalog!(PgStore);
    /// None at start: on a cluster the claim loop brings running games back
    /// ([`PgStore::read_running`]), once their owner's lease has run out.
    fn running_games(&self) -> Result<RunningGames> {
        Ok(Vec::new())
    }
}
