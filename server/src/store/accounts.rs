//! Accounts, sessions and passwords, and the bootstrap admin.

use super::credentials::{
    check_login, first_admin, hash_password, verify_counted, verify_password, CredentialsRow,
    SessionAge,
};
use super::values::Text;
use super::{lock, seconds_to_ms, unix_now, Result, SessionLifetimes, Store, StoreError};
use crate::secret::{random_hex, secret_hash};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use tracing::info;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Host,
}

/// An account as the admin page lists it. Times are unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
}

/// What `PATCH /api/admin/accounts/{id}` changes; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub password: Option<String>,
    pub disabled: Option<bool>,
    pub role: Option<Role>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

impl Store {
    /// This store with other session lifetimes (`--session-idle-hours`, `--session-max-days`).
    pub fn with_session_lifetimes(mut self, sessions: SessionLifetimes) -> Store {
        self.sessions = sessions;
        self
    }

    /// Makes sure `admin` exists. Returns the password when one was generated (to print once).
    /// A new password given at start (`--admin-password`) also ends every session of `admin`:
    /// it is how an operator takes the account back. The same password again (a service that
    /// always passes it, restarting) changes nothing, so a restart logs nobody out.
    pub fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>> {
        let db = lock(&self.db);
        let existing: Option<String> = db
            .query_row(
                "SELECT password_hash FROM accounts WHERE username = 'admin'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match (existing, password) {
            (Some(hash), Some(pw)) if !verify_password(pw, &hash) => {
                db.execute(
                    "UPDATE accounts SET password_hash = ?1 WHERE username = 'admin'",
                    [hash_password(pw)?],
                )?;
                let ended = db.execute(
                    "DELETE FROM sessions
                     WHERE account_id = (SELECT id FROM accounts WHERE username = 'admin')",
                    [],
                )?;
                info!(
                    sessions_ended = ended,
                    "admin password set from the command line"
                );
                Ok(None)
            }
            (Some(_), _) => Ok(None),
            (None, given) => {
                let (hash, generated) = first_admin(given)?;
                db.execute(
                    "INSERT INTO accounts (username, password_hash, role, created_at)
                     VALUES ('admin', ?1, 'admin', ?2)",
                    params![hash, unix_now()],
                )?;
                Ok(generated)
            }
        }
    }

    /// A new account; [`StoreError::UsernameTaken`] when the name (ignoring case) is in use.
    pub fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64> {
        let hash = hash_password(password)?;
        let db = lock(&self.db);
        let inserted = db.execute(
            "INSERT INTO accounts (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, hash, Text(role), unix_now()],
        );
        match inserted {
            Ok(_) => Ok(db.last_insert_rowid()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                Err(StoreError::UsernameTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every account, oldest first.
    pub fn list_accounts(&self) -> Result<Vec<AccountRow>> {
        let db = lock(&self.db);
        let mut stmt = db
            .prepare("SELECT id, username, role, disabled, created_at FROM accounts ORDER BY id")?;
        let rows = stmt
            .query_map([], AccountRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Applies an admin's change to an account; `None` when there is no such account. A new
    /// password or disabling ends every session of the account, in the same transaction.
    pub fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>> {
        // Hashing happens outside the lock: it takes tens of milliseconds.
        let hash = change.password.as_deref().map(hash_password).transpose()?;
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(None);
        }
        if let Some(hash) = &hash {
            tx.execute(
                "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
                params![id, hash],
            )?;
        }
        if let Some(disabled) = change.disabled {
            tx.execute(
                "UPDATE accounts SET disabled = ?2 WHERE id = ?1",
                params![id, disabled],
            )?;
        }
        if let Some(role) = change.role {
            tx.execute(
                "UPDATE accounts SET role = ?2 WHERE id = ?1",
                params![id, Text(role)],
            )?;
        }
        if hash.is_some() || change.disabled == Some(true) {
            tx.execute("DELETE FROM sessions WHERE account_id = ?1", [id])?;
        }
        let row = tx.query_row(
            "SELECT id, username, role, disabled, created_at FROM accounts WHERE id = ?1",
            [id],
            AccountRow::from_row,
        )?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Changes an account's own password if `old` is right (false if not). Every other session
    /// of the account ends; `keep` (the caller's) stays valid.
    pub fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool> {
        let hash: Option<String> = lock(&self.db)
            .query_row(
                "SELECT password_hash FROM accounts WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        if !hash.is_some_and(|h| self.verify(old, &h)) {
            return Ok(false);
        }
        let new_hash = hash_password(new)?;
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        tx.execute(
            "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
            params![id, new_hash],
        )?;
        tx.execute(
            "DELETE FROM sessions WHERE account_id = ?1 AND token_hash != ?2",
            params![id, secret_hash(keep)],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// One password check, counted.
    fn verify(&self, password: &str, hash: &str) -> bool {
        verify_counted(&self.password_checks, password, hash)
    }

    /// Ends one session.
    pub fn logout(&self, token: &str) -> Result<()> {
        lock(&self.db).execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [secret_hash(token)],
        )?;
        Ok(())
    }

    /// A new session token for good credentials; `None` for bad ones or a disabled account.
    pub fn login(&self, username: &str, password: &str) -> Result<Option<String>> {
        let row = lock(&self.db)
            .query_row(
                "SELECT id, password_hash, disabled FROM accounts WHERE username = ?1",
                [username],
                credentials_from_row,
            )
            .optional()?;
        // Hashing happens outside the lock: it takes tens of milliseconds.
        let Some(id) = check_login(&self.password_checks, row, password) else {
            return Ok(None);
        };
        let token = random_hex(24);
        let now = unix_now();
        let (idle_from, max_from) = self.sessions.cutoffs(now);
        let db = lock(&self.db);
        // Expired sessions go here, and one by one when presented: no timer needed.
        db.execute(
            "DELETE FROM sessions WHERE last_used_at < ?1 OR created_at < ?2",
            params![idle_from, max_from],
        )?;
        db.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at)
             VALUES (?1, ?2, ?3, ?3)",
            params![secret_hash(&token), id, now],
        )?;
        Ok(Some(token))
    }

    /// The account a live session token belongs to. An expired session is deleted and gives
    /// `None`, like an unknown one. Its last use is written at most once a minute.
    pub fn account_for_token(&self, token: &str) -> Result<Option<Account>> {
        let hash = secret_hash(token);
        let now = unix_now();
        let db = lock(&self.db);
        let row = db
            .query_row(
                "SELECT a.id, a.username, a.role, s.created_at, s.last_used_at
                 FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND a.disabled = 0",
                [&hash],
                SessionRow::from_row,
            )
            .optional()?;
        let Some(SessionRow {
            account,
            created_at,
            last_used_at,
        }) = row
        else {
            return Ok(None);
        };
        match self.sessions.age(created_at, last_used_at, now) {
            SessionAge::Expired => {
                db.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
                return Ok(None);
            }
            SessionAge::Touch => {
                db.execute(
                    "UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1",
                    params![hash, now],
                )?;
            }
            SessionAge::Fresh => {}
        }
        Ok(Some(account))
    }
}

impl AccountRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<AccountRow> {
        Ok(AccountRow {
            id: r.get("id")?,
            username: r.get("username")?,
            role: r.get::<_, Text<Role>>("role")?.0,
            disabled: r.get("disabled")?,
            created_at: seconds_to_ms(r.get("created_at")?),
        })
    }
}

/// What a login checks.
fn credentials_from_row(r: &Row<'_>) -> rusqlite::Result<CredentialsRow> {
    Ok(CredentialsRow {
        id: r.get("id")?,
        hash: r.get("password_hash")?,
        disabled: r.get("disabled")?,
    })
}

/// A session with its account. Times are unix seconds, as stored.
struct SessionRow {
    account: Account,
    created_at: i64,
    last_used_at: i64,
}

impl SessionRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
        Ok(SessionRow {
            account: Account {
                id: r.get("id")?,
                username: r.get("username")?,
                role: r.get::<_, Text<Role>>("role")?.0,
            },
            created_at: r.get("created_at")?,
            last_used_at: r.get("last_used_at")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::both::both;
    use crate::store::testing::temp_store;

    #[test]
    fn passwords_are_stored_only_as_argon2id_hashes() {
        both(|b| {
            let store = b.catalog();
            store.bootstrap_admin(Some("correct horse")).expect("admin");
            store
                .create_account("ada", "battery staple", Role::Host)
                .expect("account");
            let hashes = b.rows("SELECT password_hash FROM accounts");
            assert_eq!(hashes.len(), 2);
            for h in hashes {
                assert!(h.starts_with("$argon2id$"), "{h}");
                assert!(!h.contains("horse") && !h.contains("battery"));
            }
        });
    }

    #[test]
    fn login_checks_the_password_and_a_new_admin_password_replaces_the_old() {
        both(|b| {
            let store = b.catalog();
            assert!(
                store.bootstrap_admin(None).expect("admin").is_some(),
                "generated once"
            );
            assert!(
                store.bootstrap_admin(None).expect("admin").is_none(),
                "not twice"
            );
            store.bootstrap_admin(Some("new pw")).expect("admin");
            assert!(store.login("admin", "new pw").expect("login").is_some());
            assert!(store.login("admin", "wrong").expect("login").is_none());
            assert!(store.login("nobody", "new pw").expect("login").is_none());
            let token = store
                .login("ADMIN", "new pw")
                .expect("login")
                .expect("token");
            let who = store
                .account_for_token(&token)
                .expect("lookup")
                .expect("account");
            assert_eq!((who.username.as_str(), who.role), ("admin", Role::Admin));
        });
    }

    #[test]
    fn a_new_password_or_disabling_ends_sessions_and_a_disabled_account_cannot_log_in() {
        both(|b| {
            let store = b.catalog();
            let id = store
                .create_account("ada", "first-password", Role::Host)
                .expect("account");
            assert!(matches!(
                store.create_account("ADA", "other-password", Role::Host),
                Err(StoreError::UsernameTaken)
            ));
            let a = store
                .login("ada", "first-password")
                .expect("login")
                .expect("token");
            let b = store
                .login("ada", "first-password")
                .expect("login")
                .expect("token");
            assert!(!store
                .change_password(id, "wrong", "second-password", &a)
                .expect("change"));
            assert!(store
                .change_password(id, "first-password", "second-password", &a)
                .expect("change"));
            assert!(
                store.account_for_token(&a).expect("lookup").is_some(),
                "the caller stays"
            );
            assert!(
                store.account_for_token(&b).expect("lookup").is_none(),
                "the others end"
            );
            assert!(store
                .login("ada", "first-password")
                .expect("login")
                .is_none());

            let reset = AccountChange {
                password: Some("third-password".into()),
                ..AccountChange::default()
            };
            store
                .update_account(id, &reset)
                .expect("reset")
                .expect("account");
            assert!(store.account_for_token(&a).expect("lookup").is_none());
            let c = store
                .login("ada", "third-password")
                .expect("login")
                .expect("token");
            let off = AccountChange {
                disabled: Some(true),
                role: Some(Role::Admin),
                ..AccountChange::default()
            };
            let row = store
                .update_account(id, &off)
                .expect("disable")
                .expect("account");
            assert!(row.disabled && row.role == Role::Admin);
            assert!(store.account_for_token(&c).expect("lookup").is_none());
            assert!(store
                .login("ada", "third-password")
                .expect("login")
                .is_none());
            assert!(store.update_account(999, &off).expect("update").is_none());
        });
    }

    /// A role this server does not know is an error, never a host (reading one used to
    /// make any unknown text `Host`). The schema's check is switched off to store one.
    #[test]
    fn an_unknown_stored_role_is_an_error_not_a_host() {
        let (_dir, store) = temp_store();
        let id = store
            .create_account("ada", "a-password", Role::Host)
            .expect("account");
        let token = store
            .login("ada", "a-password")
            .expect("login")
            .expect("token");
        {
            let db = lock(&store.db);
            db.pragma_update(None, "ignore_check_constraints", true)
                .expect("pragma");
            db.execute("UPDATE accounts SET role = 'root' WHERE id = ?1", [id])
                .expect("update");
            db.pragma_update(None, "ignore_check_constraints", false)
                .expect("pragma");
        }
        assert!(store.account_for_token(&token).is_err());
        assert!(store.list_accounts().is_err());
    }
}
