//! The socket under one connection. tungstenite does the upgrade's accept key and decodes what
//! the client sends; what the server sends is already whole frames ([`Frame`], a broadcast
//! encoded once for the room), which the writer task writes to the socket as they are: no
//! per-socket encoding, no copy into a per-socket buffer, several frames per system call.

use super::frame::Frame;
use crate::room::Out;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tracing::info;

/// More than this many `error` frames to one socket within [`GARBAGE_WINDOW`] close it (1008).
const GARBAGE_LIMIT: usize = 20;
const GARBAGE_WINDOW: Duration = Duration::from_secs(10);
/// Frames written to the socket in one system call at most.
const WRITE_BATCH: usize = 64;
/// The writer keeps room for this many frames between batches; a burst's larger lists are
/// given back, so an idle connection holds little.
const BATCH_KEPT: usize = 8;

type Io = TokioIo<Upgraded>;
/// The reading half of an upgraded socket.
pub type Incoming = ReadHalf<Io>;

/// The client's frames, decoded by tungstenite. What tungstenite writes by itself (a pong, the
/// answer to a client's close) goes through the connection's outbox like any frame.
pub type Reader = WebSocketStream<ReadSide>;
/// Where the writer task writes.
pub type Writer = WriteHalf<Io>;

/// A valid WebSocket upgrade request. The checks and refusals are axum's; the upgraded
/// socket is this module's, so that whole frames can be written to it.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Upgrade, Response> {
        // Taken first, so axum's extractor runs every check and then misses only this.
        let on_upgrade = parts.extensions.remove::<OnUpgrade>();
        let checked = WebSocketUpgrade::from_request_parts(parts, state).await;
        let key = parts.headers.get(header::SEC_WEBSOCKET_KEY).cloned();
        match (checked, on_upgrade, key) {
            (
                Err(WebSocketUpgradeRejection::ConnectionNotUpgradable(_)),
                Some(on_upgrade),
                Some(key),
            ) => Ok(Upgrade { key, on_upgrade }),
            (Err(refusal), ..) => Err(refusal.into_response()),
            (Ok(_), ..) => Err(StatusCode::UPGRADE_REQUIRED.into_response()),
        }
    }
}

impl Upgrade {
    /// Answers 101 and runs `serve` on the socket once the client has it.
    pub fn on_upgrade<F, Fut>(self, serve: F) -> Response
    where
        F: FnOnce(Incoming, Writer) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Upgrade { key, on_upgrade } = self;
        tokio::spawn(async move {
            if let Ok(upgraded) = on_upgrade.await {
                let (read, write) = tokio::io::split(TokioIo::new(upgraded));
                serve(read, write).await;
            }
        });
        let accept = derive_accept_key(key.as_bytes());
        (
            StatusCode::SWITCHING_PROTOCOLS,
            [
                (header::CONNECTION, "upgrade"),
                (header::UPGRADE, "websocket"),
                (header::SEC_WEBSOCKET_ACCEPT, accept.as_str()),
            ],
        )
            .into_response()
    }
}

/// The reading side of a socket, as tungstenite wants it: its writes go to `outbox` (never
/// waiting, never refused: a pong for a connection too far behind is dropped with it).
pub struct ReadSide {
    read: Incoming,
    outbox: mpsc::WeakSender<Out>,
}

/// tungstenite over the reading half of the socket.
pub async fn reader(
    read: Incoming,
    outbox: mpsc::WeakSender<Out>,
    config: WebSocketConfig,
) -> Reader {
    // Written at once: every frame tungstenite writes is whole when it reaches `outbox`.
    let config = config.write_buffer_size(0);
    WebSocketStream::from_raw_socket(ReadSide { read, outbox }, Role::Server, Some(config)).await
}

impl AsyncRead for ReadSide {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for ReadSide {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(outbox) = self.outbox.upgrade() {
            let _ = outbox.try_send(Out::Frame(Frame::raw(buf)));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Writes the outbox to the socket, several frames per system call when they queue up, until
/// a close frame is written, the outbox closes or the socket fails.
pub async fn write_loop(mut sink: Writer, mut rx: mpsc::Receiver<Out>) {
    let (mut batch, mut frames) = (Vec::new(), Vec::new());
    let mut garbage = Garbage::default();
    while rx.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        let mut last = false;
        for out in batch.drain(..) {
            let frame = match out {
                Out::Frame(frame) => frame,
                Out::Error(frame) if garbage.one_more() => {
                    // The error itself still goes out, so the client can see why.
                    info!("closing a connection that keeps sending bad messages");
                    frames.push(frame);
                    Frame::close(1008, "too many bad messages")
                }
                Out::Error(frame) => frame,
                Out::Ping => Frame::ping(),
                Out::Close(code, reason) => Frame::close(code, reason),
            };
            last = frame.is_close();
            frames.push(frame);
            if last {
                break;
            }
        }
        if write_all(&mut sink, &frames).await.is_err() || last {
            return;
        }
        frames.clear();
        if batch.capacity() > BATCH_KEPT {
            (batch, frames) = (Vec::new(), Vec::new());
        }
    }
}

/// Writes `frames` whole, gathered into as few system calls as the socket takes.
async fn write_all<W: AsyncWrite + Unpin>(sink: &mut W, frames: &[Frame]) -> std::io::Result<()> {
    if let [frame] = frames {
        return sink.write_all(frame.wire()).await;
    }
    let (mut next, mut offset) = (0, 0);
    while next < frames.len() {
        let slices: Vec<IoSlice<'_>> = std::iter::once(&frames[next].wire()[offset..])
            .chain(frames[next + 1..].iter().map(|f| f.wire()))
            .map(IoSlice::new)
            .collect();
        let mut written = sink.write_vectored(&slices).await?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        while written > 0 {
            let left = frames[next].wire().len() - offset;
            if written < left {
                offset += written;
                break;
            }
            written -= left;
            (next, offset) = (next + 1, 0);
        }
    }
    Ok(())
}

/// The `error` frames sent to one socket lately.
#[derive(Default)]
struct Garbage(VecDeque<Instant>);

impl Garbage {
    /// Counts one more; true once there have been too many.
    fn one_more(&mut self) -> bool {
        let now = Instant::now();
        while self
            .0
            .front()
            .is_some_and(|t| now.duration_since(*t) > GARBAGE_WINDOW)
        {
            self.0.pop_front();
        }
        self.0.push_back(now);
        self.0.len() > GARBAGE_LIMIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn frames_through_a_narrow_pipe_arrive_whole_and_in_order() {
        // A pipe that takes 7 bytes at a time: every write is partial somewhere in a frame.
        let (mut near, mut far) = tokio::io::duplex(7);
        let frames: Vec<Frame> = (0..40)
            .map(|i| Frame::text(&"x".repeat(i * 13)))
            .chain([Frame::ping(), Frame::close(1000, "bye")])
            .collect();
        let want: Vec<u8> = frames.iter().flat_map(|f| f.wire().to_vec()).collect();
        let reading = tokio::spawn(async move {
            let mut got = Vec::new();
            far.read_to_end(&mut got).await.map(|_| got)
        });
        write_all(&mut near, &frames).await.unwrap();
        write_all(&mut near, &frames[3..4]).await.unwrap();
        drop(near);
        let got = reading.await.unwrap().unwrap();
        let mut want = want;
        want.extend_from_slice(frames[3].wire());
        assert_eq!(got, want);
    }
}
