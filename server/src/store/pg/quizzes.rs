//! Quizzes on PostgreSQL, with SQLite's rules (`super::super::quizzes`).

use super::PgStore;
use crate::store::quizzes::{QuizListRow, QuizRow};
use crate::store::{unix_now, Account, QuizSummary, Result, StoredQuiz};
use quizrace_protocol::{QuizDoc, QuizId};

impl PgStore {
    /// Installs or refreshes the built-in quizzes, owned by `admin`.
    pub fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()> {
        let quizzes = quizzes
            .iter()
            .map(|(key, doc)| {
                Ok((
                    key.to_string(),
                    doc.title.clone(),
                    serde_json::to_string(doc)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            let admin: i64 = tx
                .query_one(
                    "SELECT id FROM accounts WHERE lower(username) = 'admin'",
                    &[],
                )
                .await?
                .try_get(0)?;
            for (key, title, doc) in &quizzes {
                tx.execute(
                    "INSERT INTO quizzes (owner_id, title, doc, builtin, created_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (builtin) DO UPDATE SET title = excluded.title, doc = excluded.doc",
                    &[&admin, title, doc, key, &unix_now()],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
        let (title, doc) = (doc.title.clone(), serde_json::to_string(doc)?);
        self.with_client(move |c| async move { insert_quiz(&c, owner, &title, &doc).await })
    }

    /// As SQLite's [`crate::store::Store::create_quiz_within`]. The owner's account row is
    /// locked while counting and inserting, so racing requests on any nodes cannot overshoot.
    pub fn create_quiz_within(
        &self,
        owner: i64,
        doc: &QuizDoc,
        max: u32,
    ) -> Result<Option<QuizId>> {
        let (title, doc) = (doc.title.clone(), serde_json::to_string(doc)?);
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            tx.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&owner])
                .await?;
            let held: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM quizzes
                     WHERE owner_id = $1 AND NOT deleted AND builtin IS NULL",
                    &[&owner],
                )
                .await?
                .try_get(0)?;
            if held >= i64::from(max) {
                return Ok(None);
            }
            let id = insert_quiz(&tx, owner, &title, &doc).await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// The quizzes an account may host: its own and the built-in ones.
    pub fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>> {
        let id = account.id;
        self.with_client(move |c| async move {
            c.query(
                "SELECT id, title, doc, builtin IS NOT NULL AS builtin FROM quizzes
                 WHERE (owner_id = $1 OR builtin IS NOT NULL) AND NOT deleted ORDER BY id",
                &[&id],
            )
            .await?
            .iter()
            .map(|r| {
                QuizListRow {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    doc: r.try_get("doc")?,
                    builtin: r.try_get("builtin")?,
                }
                .into_summary()
            })
            .collect()
        })
    }

    pub fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>> {
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT owner_id, builtin, doc FROM quizzes WHERE id = $1 AND NOT deleted",
                    &[&id.0],
                )
                .await?;
            row.map(|r| {
                QuizRow {
                    owner_id: r.try_get("owner_id")?,
                    builtin: r.try_get("builtin")?,
                    doc: r.try_get("doc")?,
                }
                .into_stored()
            })
            .transpose()
        })
    }

    /// As SQLite's [`crate::store::Store::update_quiz`].
    pub fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()> {
        let (title, doc) = (doc.title.clone(), serde_json::to_string(doc)?);
        self.with_client(move |c| async move {
            c.execute(
                "UPDATE quizzes SET title = $2, doc = $3
                 WHERE id = $1 AND NOT deleted AND builtin IS NULL",
                &[&id.0, &title, &doc],
            )
            .await?;
            Ok(())
        })
    }

    /// As SQLite's [`crate::store::Store::delete_quiz`].
    pub fn delete_quiz(&self, id: QuizId) -> Result<()> {
        self.with_client(move |c| async move {
            c.execute(
                "UPDATE quizzes SET deleted = TRUE WHERE id = $1 AND builtin IS NULL",
                &[&id.0],
            )
            .await?;
            Ok(())
        })
    }
}

async fn insert_quiz(
    db: &impl deadpool_postgres::GenericClient,
    owner: i64,
    title: &str,
    doc: &str,
) -> Result<QuizId> {
    let row = db
        .query_one(
            "INSERT INTO quizzes (owner_id, title, doc, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
            &[&owner, &title, &doc, &unix_now()],
        )
        .await?;
    Ok(QuizId(row.try_get(0)?))
}
