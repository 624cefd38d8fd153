//! Accounts, sessions and passwords on PostgreSQL, with SQLite's rules (`super::super::accounts`):
//! the same hashing and session lifetimes (`super::super::credentials`). Argon2 runs on the
//! calling (blocking) thread, never on the database runtime.

use super::{violates, PgStore};
use crate::secret::{random_hex, secret_hash};
use crate::store::credentials::{
    check_login, first_admin, hash_password, verify_counted, verify_password, CredentialsRow,
    SessionAge,
};
use crate::store::values::{SqlText, Text};
use crate::store::{
    seconds_to_ms, unix_now, Account, AccountChange, AccountRow, Result, Role, StoreError,
};
use tokio_postgres::Row;
use tracing::info;

fn account_row(r: &Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: r.try_get::<_, Text<Role>>("role")?.0,
        disabled: r.try_get("disabled")?,
        created_at: seconds_to_ms(r.try_get("created_at")?),
    })
}

impl PgStore {
    /// As SQLite's [`crate::store::Store::bootstrap_admin`]. Nodes starting at once create
    /// `admin` once: the others see it made and return no password.
    pub fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>> {
        let existing: Option<String> = self.with_client(|c| async move {
            let row = c
                .query_opt(
                    "SELECT password_hash FROM accounts WHERE lower(username) = 'admin'",
                    &[],
                )
                .await?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })?;
        match (existing, password) {
            (Some(hash), Some(pw)) if !verify_password(pw, &hash) => {
                let hash = hash_password(pw)?;
                let ended = self.with_client(move |mut c| async move {
                    let tx = c.transaction().await?;
                    tx.execute(
                        "UPDATE accounts SET password_hash = $1 WHERE lower(username) = 'admin'",
                        &[&hash],
                    )
                    .await?;
                    let ended = tx
                        .execute(
                            "DELETE FROM sessions WHERE account_id =
                             (SELECT id FROM accounts WHERE lower(username) = 'admin')",
                            &[],
                        )
                        .await?;
                    tx.commit().await?;
                    Ok(ended)
                })?;
                info!(
                    sessions_ended = ended,
                    "admin password set from the command line"
                );
                Ok(None)
            }
            (Some(_), _) => Ok(None),
            (None, given) => {
                let (hash, generated) = first_admin(given)?;
                let made = self.with_client(move |c| async move {
                    Ok(c.execute(
                        "INSERT INTO accounts (username, password_hash, role, created_at)
                         VALUES ('admin', $1, 'admin', $2) ON CONFLICT DO NOTHING",
                        &[&hash, &unix_now()],
                    )
                    .await?)
                })?;
                Ok(generated.filter(|_| made == 1))
            }
        }
    }

    /// A new account; [`StoreError::UsernameTaken`] when the name (ignoring case) is in use.
    pub fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64> {
        let hash = hash_password(password)?;
        let username = username.to_owned();
        self.with_client(move |c| async move {
            let inserted = c
                .query_one(
                    "INSERT INTO accounts (username, password_hash, role, created_at)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&username, &hash, &role.as_sql(), &unix_now()],
                )
                .await;
            match inserted {
                Ok(row) => Ok(row.try_get(0)?),
                Err(e) if violates(&e, "accounts_username") => Err(StoreError::UsernameTaken),
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Every account, oldest first.
    pub fn list_accounts(&self) -> Result<Vec<AccountRow>> {
        self.with_client(|c| async move {
            c.query(
                "SELECT id, username, role, disabled, created_at FROM accounts ORDER BY id",
                &[],
            )
            .await?
            .iter()
            .map(account_row)
            .collect()
        })
    }

    /// As SQLite's [`crate::store::Store::update_account`].
    pub fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>> {
        let hash = change.password.as_deref().map(hash_password).transpose()?;
        let (disabled, role) = (change.disabled, change.role);
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            // Locked, so that a concurrent change of the same account waits for this one.
            if tx
                .query_opt("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&id])
                .await?
                .is_none()
            {
                return Ok(None);
            }
            if let Some(hash) = &hash {
                tx.execute(
                    "UPDATE accounts SET password_hash = $2 WHERE id = $1",
                    &[&id, hash],
                )
                .await?;
            }
            if let Some(disabled) = disabled {
                tx.execute(
                    "UPDATE accounts SET disabled = $2 WHERE id = $1",
                    &[&id, &disabled],
                )
                .await?;
            }
            if let Some(role) = role {
                tx.execute(
                    "UPDATE accounts SET role = $2 WHERE id = $1",
                    &[&id, &role.as_sql()],
                )
                .await?;
            }
            if hash.is_some() || disabled == Some(true) {
                tx.execute("DELETE FROM sessions WHERE account_id = $1", &[&id])
                    .await?;
            }
            let row = tx
                .query_one(
                    "SELECT id, username, role, disabled, created_at FROM accounts WHERE id = $1",
                    &[&id],
                )
                .await?;
            let row = account_row(&row)?;
            tx.commit().await?;
            Ok(Some(row))
        })
    }

    /// As SQLite's [`crate::store::Store::change_password`].
    pub fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool> {
        let hash: Option<String> = self.with_client(move |c| async move {
            let row = c
                .query_opt("SELECT password_hash FROM accounts WHERE id = $1", &[&id])
                .await?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })?;
        if !hash.is_some_and(|h| verify_counted(&self.password_checks, old, &h)) {
            return Ok(false);
        }
        let new_hash = hash_password(new)?;
        let keep = secret_hash(keep);
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            tx.execute(
                "UPDATE accounts SET password_hash = $2 WHERE id = $1",
                &[&id, &new_hash],
            )
            .await?;
            tx.execute(
                "DELETE FROM sessions WHERE account_id = $1 AND token_hash != $2",
                &[&id, &keep],
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Ends one session.
    pub fn logout(&self, token: &str) -> Result<()> {
        let hash = secret_hash(token);
        self.with_client(move |c| async move {
            c.execute("DELETE FROM sessions WHERE token_hash = $1", &[&hash])
                .await?;
            Ok(())
        })
    }

    /// As SQLite's [`crate::store::Store::login`]: the name is matched ignoring case.
    pub fn login(&self, username: &str, password: &str) -> Result<Option<String>> {
        let username = username.to_owned();
        let row = self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT id, password_hash, disabled FROM accounts
                     WHERE lower(username) = lower($1)",
                    &[&username],
                )
                .await?;
            row.map(|r| {
                Ok(CredentialsRow {
                    id: r.try_get("id")?,
                    hash: r.try_get("password_hash")?,
                    disabled: r.try_get("disabled")?,
                })
            })
            .transpose()
        })?;
        let Some(id) = check_login(&self.password_checks, row, password) else {
            return Ok(None);
        };
        let token = random_hex(24);
        let hash = secret_hash(&token);
        let now = unix_now();
        let (idle_from, max_from) = self.sessions.cutoffs(now);
        self.with_client(move |c| async move {
            // Expired sessions go here, and one by one when presented: no timer needed.
            c.execute(
                "DELETE FROM sessions WHERE last_used_at < $1 OR created_at < $2",
                &[&idle_from, &max_from],
            )
            .await?;
            c.execute(
                "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at)
                 VALUES ($1, $2, $3, $3)",
                &[&hash, &id, &now],
            )
            .await?;
            Ok(())
        })?;
        Ok(Some(token))
    }

    /// As SQLite's [`crate::store::Store::account_for_token`].
    pub fn account_for_token(&self, token: &str) -> Result<Option<Account>> {
        let hash = secret_hash(token);
        let now = unix_now();
        let sessions = self.sessions;
        self.with_client(move |c| async move {
            let Some(r) = c
                .query_opt(
                    "SELECT a.id, a.username, a.role, s.created_at, s.last_used_at
                     FROM sessions s JOIN accounts a ON a.id = s.account_id
                     WHERE s.token_hash = $1 AND NOT a.disabled",
                    &[&hash],
                )
                .await?
            else {
                return Ok(None);
            };
            let account = Account {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                role: r.try_get::<_, Text<Role>>("role")?.0,
            };
            let (created, used): (i64, i64) =
                (r.try_get("created_at")?, r.try_get("last_used_at")?);
            match sessions.age(created, used, now) {
                SessionAge::Expired => {
                    c.execute("DELETE FROM sessions WHERE token_hash = $1", &[&hash])
                        .await?;
                    return Ok(None);
                }
                SessionAge::Touch => {
                    c.execute(
                        "UPDATE sessions SET last_used_at = $2 WHERE token_hash = $1",
                        &[&hash, &now],
                    )
                    .await?;
                }
                SessionAge::Fresh => {}
            }
            Ok(Some(account))
        })
    }
}
