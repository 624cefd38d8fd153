//! Question media on PostgreSQL, with SQLite's rules (`super::super::media`).

use super::PgStore;
use crate::room::state::GameStatus;
use crate::store::media::{MediaGrant, NewMedia, PutMedia, INFO_COLUMNS};
use crate::store::values::SqlText;
use crate::store::{unix_now, MediaFile, MediaInfo, Result};
use quizrace_protocol::{GameId, PlayerId};

fn px(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

impl PgStore {
    /// As SQLite's [`crate::store::Store::put_media`]. The owner's account row is locked
    /// while counting and inserting, so racing uploads on any nodes cannot overshoot.
    pub fn put_media(&self, owner: i64, media: &NewMedia, quota: u64) -> Result<PutMedia> {
        let media = media.clone();
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            tx.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&owner])
                .await?;
            let known: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM media_owners
                     WHERE account_id = $1 AND hash = $2)",
                    &[&owner, &media.hash],
                )
                .await?
                .try_get(0)?;
            if known {
                return Ok(PutMedia::Known);
            }
            let used: i64 = tx
                .query_one(
                    "SELECT COALESCE(SUM(m.size), 0)::BIGINT FROM media m
                     JOIN media_owners o ON o.hash = m.hash WHERE o.account_id = $1",
                    &[&owner],
                )
                .await?
                .try_get(0)?;
            let used = u64::try_from(used).unwrap_or(0);
            let p = &media.prepared;
            if used.saturating_add(p.bytes.len() as u64) > quota {
                return Ok(PutMedia::OverQuota { used });
            }
            let now = unix_now();
            let size = p.bytes.len() as i64;
            tx.execute(
                "INSERT INTO media (hash, mime, bytes, width, height, size, owner_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (hash) DO NOTHING",
                &[
                    &media.hash,
                    &p.mime,
                    &p.bytes,
                    &px(p.width),
                    &px(p.height),
                    &size,
                    &owner,
                    &now,
                ],
            )
            .await?;
            tx.execute(
                "INSERT INTO media_owners (hash, account_id, created_at) VALUES ($1, $2, $3)",
                &[&media.hash, &owner, &now],
            )
            .await?;
            tx.commit().await?;
            Ok(PutMedia::Stored)
        })
    }

    pub fn media_info(&self, hash: &str) -> Result<Option<MediaInfo>> {
        let hash = hash.to_owned();
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    &format!("SELECT {INFO_COLUMNS} FROM media WHERE hash = $1"),
                    &[&hash],
                )
                .await?;
            row.map(|r| {
                Ok(MediaInfo::new(
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                ))
            })
            .transpose()
        })
    }

    pub fn adopt_media(&self, account: i64, hash: &str) -> Result<bool> {
        let hash = hash.to_owned();
        self.with_client(move |c| async move {
            c.execute(
                "INSERT INTO media_owners (hash, account_id, created_at)
                 SELECT $2, $1, $3
                 WHERE EXISTS (SELECT 1 FROM media WHERE hash = $2)
                   AND EXISTS (SELECT 1 FROM quizzes
                               WHERE (owner_id = $1 OR builtin IS NOT NULL)
                                 AND strpos(doc, $2) > 0)
                 ON CONFLICT DO NOTHING",
                &[&account, &hash, &unix_now()],
            )
            .await?;
            Ok(c.query_one(
                "SELECT EXISTS (SELECT 1 FROM media_owners WHERE account_id = $1 AND hash = $2)",
                &[&account, &hash],
            )
            .await?
            .try_get(0)?)
        })
    }

    pub fn media_owned(&self, account: i64, hash: &str) -> Result<bool> {
        let hash = hash.to_owned();
        self.with_client(move |c| async move {
            Ok(c.query_one(
                "SELECT EXISTS (SELECT 1 FROM media_owners WHERE account_id = $1 AND hash = $2)",
                &[&account, &hash],
            )
            .await?
            .try_get(0)?)
        })
    }

    pub fn media_grant(&self, id: GameId) -> Result<Option<MediaGrant>> {
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT host_key_hash, status, quiz_doc FROM games WHERE id = $1",
                    &[&id.0],
                )
                .await?;
            row.map(|r| {
                let (status, doc): (String, String) = (r.try_get(1)?, r.try_get(2)?);
                let running = status == GameStatus::Running.as_sql();
                MediaGrant::new(r.try_get(0)?, running, &doc)
            })
            .transpose()
        })
    }

    pub fn attempt_media_grant(
        &self,
        game: GameId,
        player: PlayerId,
        now_ms: i64,
    ) -> Result<Option<MediaGrant>> {
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT g.host_key_hash,
                            a.closed_ms IS NULL AND a.deadline_ms > $3 AND t.finished_ms IS NULL,
                            g.quiz_doc
                     FROM attempts t JOIN assignments a ON a.game_id = t.game_id
                                     JOIN games g ON g.id = t.game_id
                     WHERE t.game_id = $1 AND t.player_id = $2",
                    &[&game.0, &i64::from(player.0), &now_ms],
                )
                .await?;
            row.map(|r| {
                let doc: String = r.try_get(2)?;
                MediaGrant::new(r.try_get(0)?, r.try_get(1)?, &doc)
            })
            .transpose()
        })
    }

    pub fn media_file(&self, hash: &str) -> Result<Option<MediaFile>> {
        let hash = hash.to_owned();
        self.with_client(move |c| async move {
            let row = c
                .query_opt("SELECT mime, bytes FROM media WHERE hash = $1", &[&hash])
                .await?;
            row.map(|r| {
                Ok(MediaFile {
                    mime: r.try_get(0)?,
                    bytes: r.try_get(1)?,
                })
            })
            .transpose()
        })
    }
}
