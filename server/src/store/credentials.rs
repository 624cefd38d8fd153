//! What both backends share about passwords and sessions: Argon2 hashing and checking (each
//! check counted), the hash checked for unknown usernames, and how long a session lives.
//! Pure functions: no database here.

use super::StoreError;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a login lasts: `idle` since its last request, `max` since the login, whichever
/// ends first. Expired sessions answer `unauthorized` and their rows are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub idle: Duration,
    pub max: Duration,
}

impl Default for SessionLifetimes {
    /// A school day with its breaks (12 h idle), and a week at most.
    fn default() -> SessionLifetimes {
        SessionLifetimes {
            idle: Duration::from_secs(12 * 3600),
            max: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A session's last use is written at most this often: a request is a read, not a write.
const SESSION_TOUCH_S: i64 = 60;

/// What a presented session is, by its stored times (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SessionAge {
    /// Idle too long or too old: delete it, answer as for an unknown token.
    Expired,
    /// Valid; its last use is old enough to be written again.
    Touch,
    /// Valid, and used within the last minute: no write.
    Fresh,
}

impl SessionLifetimes {
    /// Sessions last used before the first, or made before the second, have expired.
    pub(super) fn cutoffs(&self, now: i64) -> (i64, i64) {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        (
            now.saturating_sub(secs(self.idle)),
            now.saturating_sub(secs(self.max)),
        )
    }

    pub(super) fn age(&self, created_at: i64, last_used_at: i64, now: i64) -> SessionAge {
        let (idle_from, max_from) = self.cutoffs(now);
        if last_used_at < idle_from || created_at < max_from {
            SessionAge::Expired
        } else if now - last_used_at >= SESSION_TOUCH_S {
            SessionAge::Touch
        } else {
            SessionAge::Fresh
        }
    }
}

pub(super) fn hash_password(password: &str) -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| StoreError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hash(e.to_string()))
}

/// Checks `password` against a stored PHC hash. The 19 MiB of Argon2 working memory is kept
/// per thread and reused: allocated afresh on every check, the allocator's heaps grew by that
/// much per login and never shrank. Only the few password-check threads
/// ([`crate::checker`]) call this.
pub(super) fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::Output;
    use argon2::{Algorithm, Block, Params, Version};
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let Ok(version) = version else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let hashed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), Block::default());
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// The password hash a new `admin` gets, from the password given at start or a generated
/// one; the generated one is returned too, to be printed once.
pub(super) fn first_admin(given: Option<&str>) -> Result<(String, Option<String>), StoreError> {
    let generated = given.is_none().then(|| crate::secret::random_hex(8));
    let password = given.or(generated.as_deref()).unwrap_or_default();
    Ok((hash_password(password)?, generated))
}

/// One password check, counted in `checks` (`GET /api/admin/stats`).
pub(super) fn verify_counted(checks: &AtomicU64, password: &str, hash: &str) -> bool {
    checks.fetch_add(1, Ordering::Relaxed);
    verify_password(password, hash)
}

/// A hash of no one's password, checked for unknown usernames so they cost what a wrong
/// password costs (Argon2id, the default parameters).
pub(super) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y7i0MVrKPjrP8UhLvkR0MfqfJ+3KHbeLhOE4/OCdj3A";

/// Who logs in, as a login reads the account: the password is checked outside the database.
pub(super) struct CredentialsRow {
    pub id: i64,
    pub hash: String,
    pub disabled: bool,
}

/// The outcome of a login's password check: `Some(account id)` when a session may be made.
/// Unknown names and disabled accounts cost one check too, so timing tells nothing.
pub(super) fn check_login(
    checks: &AtomicU64,
    row: Option<CredentialsRow>,
    password: &str,
) -> Option<i64> {
    let Some(CredentialsRow { id, hash, disabled }) = row else {
        let _ = verify_counted(checks, password, DUMMY_HASH); // same cost for unknown users
        return None;
    };
    // Checked even when disabled: the answer must take as long as for a wrong password.
    let right = verify_counted(checks, password, &hash);
    (!disabled && right).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_checked_with_reused_memory_and_the_dummy_hash_is_well_formed() {
        let hash = hash_password("battery staple").expect("hash");
        for _ in 0..2 {
            assert!(verify_password("battery staple", &hash));
            assert!(!verify_password("battery stapler", &hash));
        }
        assert!(!verify_password("battery staple", "not a hash"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
    }

    #[test]
    fn a_session_expires_when_idle_or_old_and_is_touched_at_most_once_a_minute() {
        let l = SessionLifetimes::default();
        let now = 1_000_000;
        assert_eq!(l.age(now - 3600, now - 30, now), SessionAge::Fresh);
        assert_eq!(l.age(now - 3600, now - 120, now), SessionAge::Touch);
        assert_eq!(l.age(now - 3600, now - 13 * 3600, now), SessionAge::Expired);
        assert_eq!(l.age(now - 8 * 24 * 3600, now, now), SessionAge::Expired);
    }
}
