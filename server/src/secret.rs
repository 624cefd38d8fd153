//! Random secrets and how they are kept at rest. A leaf module: the room, the store and the
//! socket code all use it, and it uses none of them.
//!
//! Session tokens, player tokens and host keys are 128+ random bits, so a plain fast hash
//! (BLAKE2b-256) is enough to keep them: nobody can guess their way back from the hash, and
//! a slow password hash (Argon2) would only cost every request time. What the database (and
//! a backup, or a copy of it) holds is the hash; the secret itself exists only on the wire.

use blake2::{Blake2b, Digest};

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        // The OS random source failing is not survivable for tokens.
        panic!("the operating system's random number source is unavailable");
    }
    hex(&buf)
}

/// The form in which a random secret is stored and compared: lowercase hex of its
/// BLAKE2b-256 hash (64 characters).
pub fn secret_hash(secret: &str) -> String {
    hex(&Blake2b::<blake2::digest::consts::U32>::digest(
        secret.as_bytes(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_hash_is_stable_hex_and_never_the_secret() {
        let h = secret_hash("abc");
        assert_eq!(h, secret_hash("abc"));
        assert_ne!(h, secret_hash("abd"));
        assert_eq!(h.len(), 64);
        assert!(h
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(random_hex(16).len(), 32);
    }
}
