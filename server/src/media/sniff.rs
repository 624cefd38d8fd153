//! The type of an upload from its first bytes; its name and the browser's claim are never
//! asked. Images by the image crate's own guess (only the four formats we decode); audio and
//! video by their magic numbers, which are few and well known.

use image::ImageFormat;

/// A question's media kind; the wire's own type.
pub use quizrace_protocol::MediaKind as Kind;

/// The kind of a stored MIME type (one [`sniff`] or the image re-encoder gave).
pub fn kind_of_mime(mime: &str) -> Kind {
    match mime.split('/').next() {
        Some("image") => Kind::Image,
        Some("audio") => Kind::Audio,
        _ => Kind::Video,
    }
}

/// An accepted type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: Kind,
    pub mime: &'static str,
    /// For an image, its format (to decode it as that and nothing else).
    pub image: Option<ImageFormat>,
}

/// The accepted type `bytes` begin with, if any.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if let Ok(format) = image::guess_format(bytes) {
        let mime = match format {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Gif => "image/gif",
            ImageFormat::WebP => "image/webp",
            _ => return None,
        };
        return Some(Sniffed {
            kind: Kind::Image,
            mime,
            image: Some(format),
        });
    }
    let (kind, mime) = audio_or_video(bytes)?;
    Some(Sniffed {
        kind,
        mime,
        image: None,
    })
}

fn audio_or_video(b: &[u8]) -> Option<(Kind, &'static str)> {
    if b.starts_with(b"ID3") || is_mpeg_frame(b) {
        return Some((Kind::Audio, "audio/mpeg"));
    }
    if b.starts_with(b"OggS") {
        return Some((Kind::Audio, "audio/ogg"));
    }
    // ISO base media: a box `size, "ftyp", major brand`.
    if b.get(4..8) == Some(b"ftyp") {
        return match b.get(8..12)? {
            b"M4A " | b"M4B " => Some((Kind::Audio, "audio/mp4")),
            b"isom" | b"iso2" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1"
            | b"M4V " | b"dash" => Some((Kind::Video, "video/mp4")),
            _ => None,
        };
    }
    // EBML; only the WebM doc type (general Matroska is not something browsers play).
    if b.starts_with(&[0x1a, 0x45, 0xdf, 0xa3]) {
        let head = &b[..b.len().min(64)];
        if head.windows(4).any(|w| w == b"webm") {
            return Some((Kind::Video, "video/webm"));
        }
    }
    None
}

/// An MPEG audio frame header without ID3: 11 sync bits, then a version and layer that are
/// not "reserved", and a bit-rate index that is neither free nor bad.
fn is_mpeg_frame(b: &[u8]) -> bool {
    let [0xff, b1, b2, ..] = *b else {
        return false;
    };
    let sync = b1 & 0xe0 == 0xe0;
    let version = (b1 >> 3) & 0b11;
    let layer = (b1 >> 1) & 0b11;
    let bitrate = b2 >> 4;
    sync && version != 0b01 && layer != 0 && bitrate != 0 && bitrate != 0xf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mime(b: &[u8]) -> Option<&'static str> {
        sniff(b).map(|s| s.mime)
    }

    #[test]
    fn images_are_known_by_their_signature() {
        assert_eq!(mime(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(mime(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(mime(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(mime(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
    }

    #[test]
    fn audio_and_video_are_known_by_their_magic_numbers() {
        assert_eq!(mime(b"ID3\x04\0\0\0\0\0\0"), Some("audio/mpeg"));
        assert_eq!(mime(&[0xff, 0xfb, 0x90, 0x64]), Some("audio/mpeg"));
        assert_eq!(mime(b"OggS\0\x02"), Some("audio/ogg"));
        assert_eq!(mime(b"\0\0\0\x20ftypM4A \0\0\0\0"), Some("audio/mp4"));
        assert_eq!(mime(b"\0\0\0\x20ftypisom\0\0\x02\0"), Some("video/mp4"));
        assert_eq!(
            mime(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
            Some("video/webm")
        );
        assert_eq!(sniff(b"OggS").map(|s| s.kind), Some(Kind::Audio));
    }

    #[test]
    fn other_types_and_near_misses_are_refused() {
        for bytes in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..],
            b"<!DOCTYPE html><script>alert(1)</script>",
            b"MZ\x90\0\x03\0\0\0",
            b"%PDF-1.7",
            b"BM\x36\0\0\0",
            b"\0\0\0\x20ftypqt  ",
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",
            &[0xff, 0xfb, 0xf0, 0x64],
            b"",
        ] {
            assert_eq!(mime(bytes), None, "{bytes:?}");
        }
    }
}
