//! Quizzes: the built-in samples and each account's own, deleted softly.

use super::{lock, unix_now, Account, Result, Store};
use quizrace_protocol::{QuizDoc, QuizId};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct QuizSummary {
    pub id: QuizId,
    pub title: String,
    pub questions: usize,
    /// A sample shipped with the server: anyone may host or copy it, nobody may change it.
    pub builtin: bool,
}

/// A stored quiz with its owner.
#[derive(Debug, Clone)]
pub struct StoredQuiz {
    pub owner_id: i64,
    pub builtin: bool,
    pub doc: QuizDoc,
}

fn insert_quiz(db: &Connection, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
    db.execute(
        "INSERT INTO quizzes (owner_id, title, doc, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![owner, doc.title, serde_json::to_string(doc)?, unix_now()],
    )?;
    Ok(QuizId(db.last_insert_rowid()))
}

impl Store {
    /// Installs or refreshes the built-in quizzes, owned by `admin`.
    pub fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()> {
        let db = lock(&self.db);
        let admin: i64 = db.query_row(
            "SELECT id FROM accounts WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )?;
        for (key, doc) in quizzes {
            db.execute(
                "INSERT INTO quizzes (owner_id, title, doc, builtin, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (builtin) DO UPDATE SET title = excluded.title, doc = excluded.doc",
                params![
                    admin,
                    doc.title,
                    serde_json::to_string(doc)?,
                    key,
                    unix_now()
                ],
            )?;
        }
        Ok(())
    }

    pub fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
        insert_quiz(&lock(&self.db), owner, doc)
    }

    /// Stores a new quiz unless `owner` already has `max` (deleted and built-in ones do not
    /// count): `None` then. Counted and inserted under one lock, so racing requests cannot
    /// overshoot.
    pub fn create_quiz_within(
        &self,
        owner: i64,
        doc: &QuizDoc,
        max: u32,
    ) -> Result<Option<QuizId>> {
        let db = lock(&self.db);
        let held: u32 = db.query_row(
            "SELECT COUNT(*) FROM quizzes WHERE owner_id = ?1 AND deleted = 0 AND builtin IS NULL",
            [owner],
            |r| r.get(0),
        )?;
        if held >= max {
            return Ok(None);
        }
        insert_quiz(&db, owner, doc).map(Some)
    }

    /// The quizzes an account may host: its own and the built-in ones.
    pub fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>> {
        let db = lock(&self.db);
        let mut stmt = db.prepare(
            "SELECT id, title, doc, builtin IS NOT NULL AS builtin FROM quizzes
             WHERE (owner_id = ?1 OR builtin IS NOT NULL) AND deleted = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([account.id], QuizListRow::from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.into_summary()?);
        }
        Ok(out)
    }

    pub fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>> {
        let row = lock(&self.db)
            .query_row(
                "SELECT owner_id, builtin, doc FROM quizzes WHERE id = ?1 AND deleted = 0",
                [id.0],
                QuizRow::from_row,
            )
            .optional()?;
        row.map(QuizRow::into_stored).transpose()
    }

    /// Replaces a quiz's document (the caller checked who may). Games already played keep
    /// the copy they were played with.
    pub fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE quizzes SET title = ?2, doc = ?3 WHERE id = ?1 AND deleted = 0 AND builtin IS NULL",
            params![id.0, doc.title, serde_json::to_string(doc)?],
        )?;
        Ok(())
    }

    /// Hides a quiz for good. Soft: its games still name it by id and keep their own copy.
    pub fn delete_quiz(&self, id: QuizId) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE quizzes SET deleted = 1 WHERE id = ?1 AND builtin IS NULL",
            [id.0],
        )?;
        Ok(())
    }
}

/// A line of the quiz list; the document is still JSON text. Both backends read into it.
pub(super) struct QuizListRow {
    pub id: i64,
    pub title: String,
    pub doc: String,
    pub builtin: bool,
}

impl QuizListRow {
    pub(super) fn into_summary(self) -> Result<QuizSummary> {
        let doc: QuizDoc = serde_json::from_str(&self.doc)?;
        Ok(QuizSummary {
            id: QuizId(self.id),
            // An older server stored titles untrimmed.
            title: self.title.trim().to_owned(),
            questions: doc.questions.len(),
            builtin: self.builtin,
        })
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<QuizListRow> {
        Ok(QuizListRow {
            id: r.get("id")?,
            title: r.get("title")?,
            doc: r.get("doc")?,
            builtin: r.get("builtin")?,
        })
    }
}

/// A quiz with its owner; `builtin` is the sample's key, null for an account's own quiz.
pub(super) struct QuizRow {
    pub owner_id: i64,
    pub builtin: Option<String>,
    pub doc: String,
}

impl QuizRow {
    pub(super) fn into_stored(self) -> Result<StoredQuiz> {
        Ok(StoredQuiz {
            owner_id: self.owner_id,
            builtin: self.builtin.is_some(),
            // Normalised as stored today, should an older server have kept it padded.
            doc: serde_json::from_str::<QuizDoc>(&self.doc)?.tidied(),
        })
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<QuizRow> {
        Ok(QuizRow {
            owner_id: r.get("owner_id")?,
            builtin: r.get("builtin")?,
            doc: r.get("doc")?,
        })
    }
}
