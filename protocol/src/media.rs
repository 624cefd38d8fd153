//! A question's media: the reference a quiz document carries (`"media"` on a question) and the
//! one a question frame carries. Never anything about the answer.

use serde::{Deserialize, Serialize};

/// The longest alt text of a question's image, in characters.
pub const MAX_ALT_CHARS: usize = 200;

/// What a question's media is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }
}

/// `"media"` on a question of a quiz document: a file uploaded with `POST /api/media`, by its
/// hash, and its alt text (required for an image). `kind`, `width` and `height` are filled in
/// by the server from the stored file when the quiz is saved; what a client sends there is
/// replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionMedia {
    pub hash: String,
    #[serde(default)]
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MediaKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl QuestionMedia {
    /// The reference with its alt text trimmed, or why not: a hash that is not 64 lowercase
    /// hex digits, an alt text over [`MAX_ALT_CHARS`], or an image without alt text.
    pub fn checked(&self) -> Result<QuestionMedia, String> {
        let hex = |b: u8| matches!(b, b'0'..=b'9' | b'a'..=b'f');
        if self.hash.len() != 64 || !self.hash.bytes().all(hex) {
            return Err("media.hash is not the hash of an uploaded file".into());
        }
        if self.alt.len() > MAX_ALT_CHARS * 4 || self.alt.trim().chars().count() > MAX_ALT_CHARS {
            return Err(format!(
                "the media's alt text is longer than {MAX_ALT_CHARS} characters"
            ));
        }
        let alt = self.alt.trim().to_owned();
        if self.kind == Some(MediaKind::Image) && alt.is_empty() {
            return Err("an image needs alt text: describe it for those who cannot see it".into());
        }
        Ok(QuestionMedia {
            alt,
            ..self.clone()
        })
    }
}

/// `"media"` in a `question` frame: where to fetch the file (a URL on this server that works
/// for the room's players while the game runs), what it is, and its alt text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaView {
    pub url: String,
    pub kind: MediaKind,
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl QuestionMedia {
    /// The frame's view of this reference, fetched at `url`; `None` for a reference whose
    /// kind was never filled in from the store (so no page is sent a file it cannot show).
    pub fn view(&self, url: String) -> Option<MediaView> {
        Some(MediaView {
            url,
            kind: self.kind?,
            alt: self.alt.clone(),
            width: self.width,
            height: self.height,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(alt: &str, kind: Option<MediaKind>) -> QuestionMedia {
        QuestionMedia {
            hash: "ab".repeat(32),
            alt: alt.into(),
            kind,
            width: None,
            height: None,
        }
    }

    #[test]
    fn an_image_needs_alt_text_and_audio_does_not() {
        assert!(media("  ", Some(MediaKind::Image)).checked().is_err());
        assert_eq!(
            media(" A red fox ", Some(MediaKind::Image))
                .checked()
                .map(|m| m.alt),
            Ok("A red fox".into())
        );
        assert!(media("", Some(MediaKind::Audio)).checked().is_ok());
    }

    #[test]
    fn a_hash_that_is_not_sha256_hex_and_a_long_alt_are_refused() {
        let mut m = media("x", None);
        m.hash = "../../etc/passwd".into();
        assert!(m.checked().is_err());
        assert!(media(&"x".repeat(MAX_ALT_CHARS + 1), None)
            .checked()
            .is_err());
        assert!(media(&"x".repeat(MAX_ALT_CHARS), None).checked().is_ok());
    }
}
