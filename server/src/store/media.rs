//! Question media: files named by their content hash, stored once, and which accounts
//! uploaded each (what they may use, and what their quota counts).

use super::values::SqlText;
use super::{lock, unix_now, GameStatus, Result, Store};
use crate::media::{kind_of_mime, Kind, Prepared};
use quizrace_protocol::{GameId, PlayerId};
use rusqlite::{params, OptionalExtension, Row};

/// A stored file's description (no bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    pub hash: String,
    pub mime: String,
    pub kind: Kind,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size: u64,
}

/// A stored file with its bytes, as served.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// What a media link is checked against: the game's host key hash (the link's key is derived
/// from it), whether the link still works (a room's: the game runs; an attempt's: the
/// assignment is open and the attempt unfinished), and the files the game's quiz copy uses.
#[derive(Debug, Clone)]
pub struct MediaGrant {
    pub key_hash: Option<String>,
    pub running: bool,
    pub hashes: Vec<String>,
}

impl MediaGrant {
    pub(super) fn new(key_hash: Option<String>, running: bool, doc: &str) -> Result<MediaGrant> {
        let doc: quizrace_protocol::QuizDoc = serde_json::from_str(doc)?;
        Ok(MediaGrant {
            key_hash,
            running,
            hashes: doc
                .questions
                .into_iter()
                .filter_map(|q| q.media.map(|m| m.hash))
                .collect(),
        })
    }
}

/// An upload to store: the prepared bytes and their hash.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub hash: String,
    pub prepared: Prepared,
}

/// Why an upload was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMedia {
    Stored,
    /// The account already uploaded these bytes: nothing changed, nothing counted.
    Known,
    /// Storing it would put the account's distinct media over `quota` bytes; `used` now.
    OverQuota {
        used: u64,
    },
}

pub(super) const INFO_COLUMNS: &str = "hash, mime, width, height, size";

impl MediaInfo {
    pub(super) fn new(
        hash: String,
        mime: String,
        width: Option<i64>,
        height: Option<i64>,
        size: i64,
    ) -> MediaInfo {
        let kind = kind_of_mime(&mime);
        let px = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
        MediaInfo {
            hash,
            mime,
            kind,
            width: px(width),
            height: px(height),
            size: u64::try_from(size).unwrap_or(0),
        }
    }

    fn from_row(r: &Row<'_>) -> rusqlite::Result<MediaInfo> {
        Ok(MediaInfo::new(
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
        ))
    }
}

impl Store {
    /// Stores `media` for `owner` within `quota` bytes of the owner's distinct media.
    /// Counted and inserted under one lock, so racing uploads cannot overshoot.
    pub fn put_media(&self, owner: i64, media: &NewMedia, quota: u64) -> Result<PutMedia> {
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM media_owners WHERE account_id = ?1 AND hash = ?2)",
            params![owner, media.hash],
            |r| r.get(0),
        )?;
        if known {
            return Ok(PutMedia::Known);
        }
        let used: i64 = tx.query_row(
            "SELECT COALESCE(SUM(m.size), 0) FROM media m
             JOIN media_owners o ON o.hash = m.hash WHERE o.account_id = ?1",
            [owner],
            |r| r.get(0),
        )?;
        let used = u64::try_from(used).unwrap_or(0);
        let p = &media.prepared;
        if used.saturating_add(p.bytes.len() as u64) > quota {
            return Ok(PutMedia::OverQuota { used });
        }
        let now = unix_now();
        tx.execute(
            "INSERT INTO media (hash, mime, bytes, width, height, size, owner_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (hash) DO NOTHING",
            params![
                media.hash,
                p.mime,
                p.bytes,
                p.width,
                p.height,
                p.bytes.len() as i64,
                owner,
                now
            ],
        )?;
        tx.execute(
            "INSERT INTO media_owners (hash, account_id, created_at) VALUES (?1, ?2, ?3)",
            params![media.hash, owner, now],
        )?;
        tx.commit()?;
        Ok(PutMedia::Stored)
    }

    /// A stored file's description.
    pub fn media_info(&self, hash: &str) -> Result<Option<MediaInfo>> {
        Ok(lock(&self.db)
            .query_row(
                &format!("SELECT {INFO_COLUMNS} FROM media WHERE hash = ?1"),
                [hash],
                MediaInfo::from_row,
            )
            .optional()?)
    }

    /// Makes `account` an owner of the stored file `hash` when a quiz it can read uses it (one
    /// of its own, where an admin put the file, or a built-in sample): so a copy of that quiz
    /// keeps its media, and the owner may save the quiz again. True when `account` owns the
    /// file now. An adopted file counts in the account's quota from then on, but is not
    /// refused by it: the quiz that uses it is already there.
    pub fn adopt_media(&self, account: i64, hash: &str) -> Result<bool> {
        let db = lock(&self.db);
        db.execute(
            "INSERT INTO media_owners (hash, account_id, created_at)
             SELECT ?2, ?1, ?3
             WHERE EXISTS (SELECT 1 FROM media WHERE hash = ?2)
               AND EXISTS (SELECT 1 FROM quizzes
                           WHERE (owner_id = ?1 OR builtin IS NOT NULL) AND instr(doc, ?2) > 0)
             ON CONFLICT DO NOTHING",
            params![account, hash, unix_now()],
        )?;
        Ok(db.query_row(
            "SELECT EXISTS (SELECT 1 FROM media_owners WHERE account_id = ?1 AND hash = ?2)",
            params![account, hash],
            |r| r.get(0),
        )?)
    }

    /// Whether `account` uploaded the file `hash` (and so may use it in its quizzes).
    pub fn media_owned(&self, account: i64, hash: &str) -> Result<bool> {
        Ok(lock(&self.db).query_row(
            "SELECT EXISTS (SELECT 1 FROM media_owners WHERE account_id = ?1 AND hash = ?2)",
            params![account, hash],
            |r| r.get(0),
        )?)
    }

    /// What a link to game `id`'s media is checked against.
    pub fn media_grant(&self, id: GameId) -> Result<Option<MediaGrant>> {
        let row: Option<(Option<String>, String, String)> = lock(&self.db)
            .query_row(
                "SELECT host_key_hash, status, quiz_doc FROM games WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(key, status, doc)| {
            MediaGrant::new(key, status == GameStatus::Running.as_sql(), &doc)
        })
        .transpose()
    }

    /// What a link to the media of player `player`'s attempt at assignment game `game` is
    /// checked against at `now_ms`; `None` when there is no such attempt.
    pub fn attempt_media_grant(
        &self,
        game: GameId,
        player: PlayerId,
        now_ms: i64,
    ) -> Result<Option<MediaGrant>> {
        let row: Option<(Option<String>, bool, String)> = lock(&self.db)
            .query_row(
                "SELECT g.host_key_hash,
                        a.closed_ms IS NULL AND a.deadline_ms > ?3 AND t.finished_ms IS NULL,
                        g.quiz_doc
                 FROM attempts t JOIN assignments a ON a.game_id = t.game_id
                                 JOIN games g ON g.id = t.game_id
                 WHERE t.game_id = ?1 AND t.player_id = ?2",
                params![game.0, player.0, now_ms],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(key, open, doc)| MediaGrant::new(key, open, &doc))
            .transpose()
    }

    /// A stored file with its bytes.
    pub fn media_file(&self, hash: &str) -> Result<Option<MediaFile>> {
        Ok(lock(&self.db)
            .query_row(
                "SELECT mime, bytes FROM media WHERE hash = ?1",
                [hash],
                |r| {
                    Ok(MediaFile {
                        mime: r.get(0)?,
                        bytes: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }
}
