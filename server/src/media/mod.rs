//! Question media (images, audio, video): what an upload is, judged by its bytes alone
//! (`sniff`), and the server's own copy of an image (`picture`: decoded within limits, scaled,
//! re-encoded without metadata). Storing and serving are the store's and `http::media`'s.

mod picture;
mod sniff;

#[cfg(any(test, feature = "media-samples"))]
pub use picture::samples;
pub use picture::{reencode, Picture, PictureError, MAX_SIDE_PX};
pub use sniff::{kind_of_mime, sniff, Kind, Sniffed};

use sha2::{Digest, Sha256};

/// What is stored for an upload: the bytes as served, their type and (for an image) size.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub kind: Kind,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why an upload is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// Not one of the accepted types, whatever its name or claimed type said.
    #[error(
        "this file is not an accepted image (PNG, JPEG, WebP, GIF), audio (MP3, OGG, M4A) or \
         video (MP4, WebM) file"
    )]
    Type,
    /// Looks like an accepted image but does not decode, or is too large once decoded.
    #[error("{0}")]
    Bad(#[from] PictureError),
}

/// An upload as it will be stored: an image re-encoded by the server, audio and video as
/// uploaded (their type checked by their first bytes, their content not).
pub fn prepare(upload: &[u8]) -> Result<Prepared, MediaError> {
    let sniffed = sniff(upload).ok_or(MediaError::Type)?;
    match sniffed.image {
        Some(format) => {
            let p = reencode(upload, format)?;
            Ok(Prepared {
                bytes: p.bytes,
                mime: p.mime,
                kind: Kind::Image,
                width: Some(p.width),
                height: Some(p.height),
            })
        }
        None => Ok(Prepared {
            bytes: upload.to_vec(),
            mime: sniffed.mime,
            kind: sniffed.kind,
            width: None,
            height: None,
        }),
    }
}

/// The name of stored bytes: lowercase hex of their SHA-256.
pub fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key of a room's media links (`?room=GAME.KEY`): derived from the game's stored host
/// key hash, so the server can check a link against the database on any node, and a player
/// who holds it learns nothing of the host key.
pub fn room_key(host_key_hash: &str) -> String {
    let mut key = crate::secret::secret_hash(&format!("media:{host_key_hash}"));
    key.truncate(32);
    key
}

/// The URL of file `hash` for the players of game `game` whose host key hash is `key_hash`.
pub fn room_url(hash: &str, game: quizrace_protocol::GameId, key_hash: &str) -> String {
    format!("/media/{hash}?room={}.{}", game.0, room_key(key_hash))
}

/// The key of one attempt's media links (`?attempt=GAME.PLAYER.KEY`): like [`room_key`], and
/// different for each player of the assignment, so a link works for its own attempt only.
pub fn attempt_key(host_key_hash: &str, player: quizrace_protocol::PlayerId) -> String {
    let mut key =
        crate::secret::secret_hash(&format!("media:{host_key_hash}:attempt:{}", player.0));
    key.truncate(32);
    key
}

/// The URL of file `hash` for player `player`'s attempt at assignment game `game`.
pub fn attempt_url(
    hash: &str,
    game: quizrace_protocol::GameId,
    player: quizrace_protocol::PlayerId,
    key_hash: &str,
) -> String {
    format!(
        "/media/{hash}?attempt={}.{}.{}",
        game.0,
        player.0,
        attempt_key(key_hash, player)
    )
}

/// Whether `s` has the shape of a [`content_hash`] (so a path never reaches the database
/// otherwise).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_hash_is_sha256_hex() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_hash(&content_hash(b"")));
        assert!(!is_hash("../../etc/passwd"));
        assert!(!is_hash(&content_hash(b"").to_uppercase()));
    }

    #[test]
    fn audio_is_stored_as_uploaded_and_text_is_refused() {
        let ogg = b"OggS\0\x02\0\0\0\0\0\0\0\0rest of the stream".to_vec();
        let p = prepare(&ogg).expect("ogg");
        assert_eq!((p.kind, p.mime, p.bytes), (Kind::Audio, "audio/ogg", ogg));
        assert_eq!(prepare(b"<html><script>").unwrap_err(), MediaError::Type);
    }
}
