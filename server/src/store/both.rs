//! Tests that hold for both backends run their body on each: [`both`] gives it a fresh
//! SQLite file, then a fresh PostgreSQL database, as a [`Backend`] (the [`Catalog`] plus raw
//! SQL, for what a test inspects or sets up behind the catalog's back).

use super::pg::testing::temp_pg;
use super::pg::PgStore;
use super::testing::temp_store;
use super::{lock, Catalog, RunningGames, Store};
use quizrace_protocol::GameId;

pub(crate) enum Backend {
    /// The directory is held so that the file outlives the test.
    Sqlite(#[allow(dead_code)] tempfile::TempDir, Store),
    Pg(PgStore),
}

/// Runs `test` on SQLite, then on PostgreSQL. A failure names the backend first.
pub(crate) fn both(test: impl Fn(&Backend)) {
    for backend in [Backend::sqlite(), Backend::Pg(temp_pg())] {
        eprintln!("backend: {}", backend.name());
        test(&backend);
    }
}

impl Backend {
    fn sqlite() -> Backend {
        let (dir, store) = temp_store();
        Backend::Sqlite(dir, store)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(..) => "sqlite",
            Backend::Pg(_) => "postgresql",
        }
    }

    pub fn catalog(&self) -> &dyn Catalog {
        match self {
            Backend::Sqlite(_, s) => s,
            Backend::Pg(p) => p,
        }
    }

    /// Runs SQL statements that both dialects read alike.
    pub fn execute(&self, sql: &str) {
        match self {
            Backend::Sqlite(_, s) => lock(&s.db).execute_batch(sql).expect(sql),
            Backend::Pg(p) => {
                let sql = sql.to_owned();
                p.with_client(move |c| async move { Ok(c.batch_execute(&sql).await?) })
                    .expect("sql");
            }
        }
    }

    /// Every row of a query, each cell as text (null: `NULL`), cells joined by spaces.
    pub fn rows(&self, sql: &str) -> Vec<String> {
        match self {
            Backend::Sqlite(_, s) => {
                let db = lock(&s.db);
                let mut stmt = db.prepare(sql).expect(sql);
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                                rusqlite::types::Value::Null => "NULL".to_owned(),
                                rusqlite::types::Value::Integer(v) => v.to_string(),
                                rusqlite::types::Value::Real(v) => v.to_string(),
                                rusqlite::types::Value::Text(v) => v,
                                rusqlite::types::Value::Blob(v) => format!("{v:?}"),
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                        .map(|cells| cells.join(" "))
                })
                .expect("query")
                .collect::<rusqlite::Result<Vec<_>>>()
                .expect("rows")
            }
            Backend::Pg(p) => {
                let sql = sql.to_owned();
                p.with_client(move |c| async move {
                    let mut out = Vec::new();
                    for m in c.simple_query(&sql).await? {
                        if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
                            let cells: Vec<String> = (0..r.len())
                                .map(|i| match r.get(i) {
                                    // PostgreSQL spells booleans t/f; SQLite stores 1/0.
                                    Some("t") => "1".to_owned(),
                                    Some("f") => "0".to_owned(),
                                    Some(v) => v.to_owned(),
                                    None => "NULL".to_owned(),
                                })
                                .collect();
                            out.push(cells.join(" "));
                        }
                    }
                    Ok(out)
                })
                .expect("rows")
            }
        }
    }

    /// One integer a query returns.
    pub fn int(&self, sql: &str) -> i64 {
        let rows = self.rows(sql);
        rows.first()
            .and_then(|r| r.parse().ok())
            .unwrap_or_else(|| panic!("{sql}: {rows:?}"))
    }

    /// The running games read back as after a restart (SQLite) or a claim (PostgreSQL: every
    /// running game, its question's time measured to now).
    pub fn running(&self) -> RunningGames {
        match self {
            Backend::Sqlite(_, s) => s.running_games().expect("running"),
            Backend::Pg(p) => {
                let now = self.int("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint");
                let games: Vec<(GameId, i64)> = self
                    .rows("SELECT id FROM games WHERE status = 'running' ORDER BY id")
                    .iter()
                    .map(|id| (GameId(id.parse().expect("id")), now))
                    .collect();
                p.read_running(&games).expect("running")
            }
        }
    }

    /// Waits until every row handed to the writer is stored.
    pub fn flush(&self) {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(self.catalog().flush());
    }
}
