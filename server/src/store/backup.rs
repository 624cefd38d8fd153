//! Online backups of the database (`quizrace backup`).

use super::schema::make_private;
use super::{Result, Store, StoreError};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

impl Store {
    /// An online copy of the database to `dest` (SQLite's backup API), consistent even while
    /// another process serves from the same file. `dest` must not exist yet.
    pub fn backup(src: &Path, dest: &Path) -> Result<()> {
        let exists = || {
            StoreError::Backup(format!(
                "{} exists already; choose a new file",
                dest.display()
            ))
        };
        if dest.exists() {
            return Err(exists());
        }
        // Read-write but never create: a WAL reader may need to set up the shared-memory file,
        // and a mistyped source path must not leave an empty database behind.
        let from = Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        from.busy_timeout(Duration::from_secs(5))?;
        let version: usize = from.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            return Err(StoreError::Backup(format!(
                "{} is not a quizrace database",
                src.display()
            )));
        }
        // Made before SQLite opens it, readable by the owner only, like the database.
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(dest)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => exists(),
                    _ => StoreError::Backup(format!("cannot create {}: {e}", dest.display())),
                })?;
        }
        make_private(dest)?;
        let mut to = Connection::open(dest)?;
        {
            let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
            // All pages in one step: a step that sees the source change mid-way restarts, and
            // one step holds the read lock for the whole copy, so the copy is one snapshot.
            let mut tries = 0;
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ if tries < 500 => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => {
                        return Err(StoreError::Backup(
                            "the database stayed busy for 5 s".into(),
                        ))
                    }
                }
            }
        }
        let check: String = to.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_store;

    #[test]
    fn a_backup_is_a_complete_database_and_never_overwrites() {
        let (dir, store) = temp_store();
        store.bootstrap_admin(Some("pw")).expect("admin");
        let src = dir.path().join("t.db");
        let dest = dir.path().join("b.db");
        Store::backup(&src, &dest).expect("backup");
        let copy = Store::open(&dest).expect("open copy");
        assert!(copy.login("admin", "pw").expect("login").is_some());
        assert!(matches!(
            Store::backup(&src, &dest),
            Err(StoreError::Backup(_))
        ));
        assert!(Store::backup(&dir.path().join("none.db"), &dir.path().join("c.db")).is_err());
        assert!(!dir.path().join("none.db").exists());
    }

    #[test]
    fn a_backup_keeps_the_question_media() {
        use crate::media::{content_hash, prepare, samples::encoded};
        use crate::store::{NewMedia, PutMedia};
        let (dir, store) = temp_store();
        store.bootstrap_admin(Some("pw")).expect("admin");
        let admin = store.login("admin", "pw").expect("login").expect("token");
        let admin = store.account_for_token(&admin).expect("me").expect("admin");
        let prepared = prepare(&encoded(5, 4, image::ImageFormat::Jpeg)).expect("jpeg");
        let media = NewMedia {
            hash: content_hash(&prepared.bytes),
            prepared,
        };
        assert_eq!(
            store.put_media(admin.id, &media, 1 << 20).expect("put"),
            PutMedia::Stored
        );
        let dest = dir.path().join("b.db");
        Store::backup(&dir.path().join("t.db"), &dest).expect("backup");
        let copy = Store::open(&dest).expect("open copy");
        let file = copy.media_file(&media.hash).expect("read").expect("kept");
        assert_eq!(file.bytes, media.prepared.bytes);
        assert!(copy.media_owned(admin.id, &media.hash).expect("owned"));
    }
}
