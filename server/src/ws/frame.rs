//! Server frames encoded once, as the bytes that go on the wire. A server's frames are not
//! masked (RFC 6455, 5.1), so header and payload are the same for every socket: a broadcast
//! is encoded into one [`Frame`] and every connection writes a clone of the same bytes.

use std::fmt;
use std::sync::Arc;

/// The opcodes this server sends (with FIN set: it never fragments).
const TEXT: u8 = 0x81;
const CLOSE: u8 = 0x88;
const PING: u8 = 0x89;
/// The longest header: two bytes and an eight-byte length.
const MAX_HEAD: usize = 10;

/// One complete WebSocket frame from the server, header included: `buf[start..]`. Cloning
/// shares the bytes (and a queued frame is two words: thousands of outboxes hold them).
/// A text frame reads as its payload (`&*frame`, `frame.as_str()`), so code that looks at
/// what was sent reads it as a string.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    buf: Arc<Vec<u8>>,
    start: u32,
    /// What is left of a frame after a partial write ([`Frame::rest`]): bytes to finish
    /// writing, neither a close nor text however they begin.
    rest: bool,
}

impl Frame {
    /// A text frame of `msg` as JSON, serialised behind room for its header.
    pub fn json<T: serde::Serialize + ?Sized>(msg: &T) -> serde_json::Result<Frame> {
        // serde_json's own first guess for a message's size.
        let mut buf = Vec::with_capacity(128);
        buf.resize(MAX_HEAD, 0);
        serde_json::to_writer(&mut buf, msg)?;
        Ok(Frame::framed(TEXT, buf))
    }

    /// A text frame of `text`.
    pub fn text(text: &str) -> Frame {
        let mut buf = Vec::with_capacity(MAX_HEAD + text.len());
        buf.resize(MAX_HEAD, 0);
        buf.extend_from_slice(text.as_bytes());
        Frame::framed(TEXT, buf)
    }

    /// An empty ping.
    pub fn ping() -> Frame {
        Frame::whole(vec![PING, 0])
    }

    /// A close frame with `code` and `reason` (cut to fit a control frame's 125 bytes).
    pub fn close(code: u16, reason: &str) -> Frame {
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut buf = vec![0u8; MAX_HEAD];
        buf.extend_from_slice(&code.to_be_bytes());
        buf.extend_from_slice(&reason.as_bytes()[..end]);
        Frame::framed(CLOSE, buf)
    }

    /// Bytes that are already one or more whole frames (what the socket's reader writes
    /// itself: a pong, the answer to a client's close).
    pub fn raw(wire: &[u8]) -> Frame {
        Frame::whole(wire.to_vec())
    }

    fn whole(buf: Vec<u8>) -> Frame {
        Frame {
            buf: Arc::new(buf),
            start: 0,
            rest: false,
        }
    }

    /// `buf` is [`MAX_HEAD`] spare bytes and the payload: the header goes right before the
    /// payload, and the spare bytes in front are skipped (nothing is copied).
    fn framed(opcode: u8, mut buf: Vec<u8>) -> Frame {
        let len = buf.len() - MAX_HEAD;
        let mut head = [0u8; MAX_HEAD];
        head[0] = opcode;
        let size = match len {
            0..=125 => {
                head[1] = len as u8;
                2
            }
            126..=0xffff => {
                head[1] = 126;
                head[2..4].copy_from_slice(&(len as u16).to_be_bytes());
                4
            }
            _ => {
                head[1] = 127;
                head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
                10
            }
        };
        let start = MAX_HEAD - size;
        buf[start..MAX_HEAD].copy_from_slice(&head[..size]);
        Frame {
            buf: Arc::new(buf),
            start: start as u32,
            rest: false,
        }
    }

    /// The bytes of this frame after its first `written` (sharing them, not copied).
    pub fn rest(&self, written: usize) -> Frame {
        let start = (self.start as usize + written).min(self.buf.len());
        Frame {
            buf: Arc::clone(&self.buf),
            start: u32::try_from(start).unwrap_or(u32::MAX),
            rest: true,
        }
    }

    /// The bytes to write.
    pub fn wire(&self) -> &[u8] {
        self.buf.get(self.start as usize..).unwrap_or_default()
    }

    /// A close frame: nothing may follow it on the socket.
    pub fn is_close(&self) -> bool {
        !self.rest && self.wire().first() == Some(&CLOSE)
    }

    /// The payload of a text frame; empty for anything else.
    pub fn as_str(&self) -> &str {
        let wire = self.wire();
        if self.rest || wire.len() < 2 || wire[0] != TEXT {
            return "";
        }
        let head = match wire[1] & 0x7f {
            126 => 4,
            127 => 10,
            _ => 2,
        };
        wire.get(head..)
            .and_then(|p| std::str::from_utf8(p).ok())
            .unwrap_or("")
    }
}

impl From<&str> for Frame {
    fn from(text: &str) -> Frame {
        Frame::text(text)
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Frame {
        Frame::text(&text)
    }
}

impl std::ops::Deref for Frame {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frame({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::{Message, Role};
    use tokio_tungstenite::tungstenite::WebSocket;

    /// What a client reads from `wire`: tungstenite's own decoder is the judge.
    fn read_back(wire: &[u8]) -> Vec<Message> {
        let mut client = WebSocket::from_raw_socket(
            Duplex(std::io::Cursor::new(wire.to_vec())),
            Role::Client,
            None,
        );
        let mut got = Vec::new();
        while let Ok(msg) = client.read() {
            got.push(msg);
        }
        got
    }

    struct Duplex(std::io::Cursor<Vec<u8>>);

    impl std::io::Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl std::io::Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn text_frames_of_every_length_class_read_back_as_sent() {
        for len in [0, 1, 125, 126, 127, 65_535, 65_536, 200_000] {
            let text = "a".repeat(len);
            let frame = Frame::text(&text);
            assert_eq!(frame.as_str(), text, "{len}");
            assert_eq!(read_back(frame.wire()), vec![Message::text(text)], "{len}");
        }
    }

    #[test]
    fn a_json_frame_is_its_message_and_a_header_with_nothing_copied_per_clone() {
        let msg = serde_json::json!({"type": "question", "index": 3, "text": "Capital? ü"});
        let frame = Frame::json(&msg).unwrap();
        assert_eq!(&*frame, serde_json::to_string(&msg).unwrap());
        let copy = frame.clone();
        assert_eq!(copy.wire().as_ptr(), frame.wire().as_ptr());
        let parsed: serde_json::Value = serde_json::from_str(&copy).unwrap();
        assert_eq!(parsed, msg);
    }

    #[test]
    fn ping_and_close_frames_are_what_a_client_expects() {
        let long = "é".repeat(100);
        let mut wire = Frame::ping().wire().to_vec();
        wire.extend_from_slice(Frame::close(1008, &long).wire());
        let got = read_back(&wire);
        assert!(
            matches!(got[0], Message::Ping(ref p) if p.is_empty()),
            "{got:?}"
        );
        let Message::Close(Some(close)) = &got[1] else {
            panic!("{got:?}");
        };
        assert_eq!(u16::from(close.code), 1008);
        assert!(long.starts_with(close.reason.as_str()) && close.reason.len() <= 123);
        assert!(Frame::close(1000, "").is_close() && !Frame::ping().is_close());
        assert_eq!(Frame::ping().as_str(), "");
    }

    #[test]
    fn the_rest_of_a_frame_is_its_remaining_bytes_and_never_a_close_or_text() {
        // A payload whose byte at the cut is a close opcode.
        let frame = Frame::text("a\u{88}bc");
        let cut = 4;
        assert_eq!(frame.wire()[cut], CLOSE);
        let rest = frame.rest(cut);
        assert_eq!(rest.wire(), &frame.wire()[cut..]);
        assert_eq!(rest.wire().as_ptr(), frame.wire()[cut..].as_ptr());
        assert!(!rest.is_close() && rest.as_str().is_empty());
        assert!(frame.rest(1000).wire().is_empty());
    }
}
