//! The values stored as text with a fixed set of spellings (a game's status, its phase, a
//! player's status, the mode, the name policy, an account's role), each with its one SQL
//! spelling, for SQLite and for PostgreSQL. Reading any other text is an error, never a silent
//! default.

use super::accounts::Role;
use crate::room::state::{GameStatus, PlayerStatus, StoredPhase};
use quizrace_protocol::{LeaderboardAt, Mode, NamePolicy, TeamChoice};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// An enum stored as one of a fixed set of words.
pub(super) trait SqlText: Copy + Sized {
    /// What the value is, for the error that names unknown text.
    const WHAT: &'static str;
    fn as_sql(self) -> &'static str;
    /// `None` for text that is no spelling of a value.
    fn from_sql(text: &str) -> Option<Self>;
}

/// One table per enum: both directions come from it, so they cannot disagree.
macro_rules! sql_text {
    ($ty:ty, $what:literal, { $($variant:path => $text:literal),+ $(,)? }) => {
        impl SqlText for $ty {
            const WHAT: &'static str = $what;
            fn as_sql(self) -> &'static str {
                match self {
                    $($variant => $text,)+
                }
            }
            fn from_sql(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($variant),)+
                    _ => None,
                }
            }
        }
    };
}

sql_text!(Role, "role", { Role::Admin => "admin", Role::Host => "host" });
sql_text!(Mode, "mode", { Mode::Classic => "classic", Mode::Race => "race" });
// Schema version 3 named the policies before the protocol did.
sql_text!(NamePolicy, "name policy", {
    NamePolicy::Free => "chosen",
    NamePolicy::Generated => "generated",
});
sql_text!(LeaderboardAt, "leaderboard", {
    LeaderboardAt::Each => "each",
    LeaderboardAt::End => "end",
});
sql_text!(TeamChoice, "team choice", {
    TeamChoice::Auto => "auto",
    TeamChoice::Players => "players",
});
sql_text!(GameStatus, "game status", {
    GameStatus::Running => "running",
    GameStatus::Finished => "finished",
    GameStatus::Aborted => "aborted",
});
sql_text!(StoredPhase, "phase", {
    StoredPhase::Lobby => "lobby",
    StoredPhase::Question => "question",
    StoredPhase::Reveal => "reveal",
    StoredPhase::Leaderboard => "leaderboard",
});
sql_text!(PlayerStatus, "player status", {
    PlayerStatus::Active => "active",
    PlayerStatus::Kicked => "kicked",
    PlayerStatus::Left => "left",
    PlayerStatus::Removed => "removed",
});

/// A [`SqlText`] value as a statement parameter or a column: `Text(mode)`,
/// `r.get::<_, Text<Mode>>("mode")?.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Text<T>(pub T);

impl<T: SqlText> ToSql for Text<T> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.as_sql()))
    }
}

impl<T: SqlText> FromSql for Text<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        T::from_sql(text)
            .map(Text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown {} {text:?}", T::WHAT).into()))
    }
}

/// Read from PostgreSQL the same way: `row.try_get::<_, Text<Mode>>("mode")?.0`. (Written as
/// `mode.as_sql()`, a `&str`.)
impl<'a, T: SqlText> tokio_postgres::types::FromSql<'a> for Text<T> {
    fn from_sql(
        ty: &tokio_postgres::types::Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        let text = <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
        T::from_sql(text)
            .map(Text)
            .ok_or_else(|| format!("unknown {} {text:?}", T::WHAT).into())
    }

    fn accepts(ty: &tokio_postgres::types::Type) -> bool {
        <&str as tokio_postgres::types::FromSql>::accepts(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: SqlText + PartialEq + std::fmt::Debug>(all: &[T]) {
        for &v in all {
            assert_eq!(T::from_sql(v.as_sql()), Some(v));
        }
        assert_eq!(T::from_sql("no such value"), None);
    }

    #[test]
    fn every_stored_word_reads_back_as_its_value_and_no_other_text_does() {
        round_trip(&[Role::Admin, Role::Host]);
        round_trip(&[Mode::Classic, Mode::Race]);
        round_trip(&[NamePolicy::Free, NamePolicy::Generated]);
        round_trip(&[TeamChoice::Auto, TeamChoice::Players]);
        round_trip(&[
            GameStatus::Running,
            GameStatus::Finished,
            GameStatus::Aborted,
        ]);
        round_trip(&[
            StoredPhase::Lobby,
            StoredPhase::Question,
            StoredPhase::Reveal,
            StoredPhase::Leaderboard,
        ]);
        round_trip(&[
            PlayerStatus::Active,
            PlayerStatus::Kicked,
            PlayerStatus::Left,
            PlayerStatus::Removed,
        ]);
    }
}
