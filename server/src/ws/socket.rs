//! The socket under one connection. tungstenite does the upgrade's accept key and decodes what
//! the client sends; what the server sends is already whole frames ([`Frame`], a broadcast
//! encoded once for the room), written to the socket as they are: no per-socket encoding, no
//! copy into a per-socket buffer.
//!
//! A frame is written where it is sent, at once, when the socket takes it whole without
//! waiting and nothing is queued before it ([`Wire::send`]): a room hands a question to
//! thousands of sockets from its own task, as one loop of non-blocking writes, without waking
//! a task per socket. Otherwise (a full socket buffer, frames already queued, a close) it
//! goes through the connection's outbox, and the connection's writer task writes the queue in
//! order, several frames per system call.

use super::frame::Frame;
use crate::room::Out;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::collections::VecDeque;
use std::future::Future;
use std::io::{ErrorKind, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tracing::{info, warn};

/// More than this many `error` frames to one socket within [`GARBAGE_WINDOW`] close it (1008).
const GARBAGE_LIMIT: usize = 20;
const GARBAGE_WINDOW: Duration = Duration::from_secs(10);
/// Frames written to the socket in one system call at most.
const WRITE_BATCH: usize = 64;
/// The writer keeps room for this many frames between batches; a burst's larger lists are
/// given back, so an idle connection holds little.
const BATCH_KEPT: usize = 8;

/// The reading half of an upgraded socket: what hyper read past the upgrade request, then
/// the socket.
pub struct Incoming {
    stream: Arc<TcpStream>,
    early: Bytes,
}

/// The client's frames, decoded by tungstenite. What tungstenite writes by itself (a pong, the
/// answer to a client's close) is sent like any frame.
pub type Reader = WebSocketStream<ReadSide>;

/// The sending side of a socket, shared by the connection's writer task and everyone who
/// sends to the connection (its room, its own task): see [`Wire::send`].
#[derive(Debug)]
pub struct Wire {
    stream: Arc<TcpStream>,
    /// How many frames were handed to the writer task and are not wholly written yet. While
    /// any are, every frame queues behind them; nothing else writes.
    queued: Mutex<usize>,
}

impl Wire {
    /// Sends `out`: written to the socket at once if it is a frame (not a close), nothing is
    /// queued and the socket takes it without waiting; otherwise handed to `enqueue` (the
    /// connection's outbox; false if refused), and what a partial write left is queued first
    /// in the frame's place. Frames to one socket go out in the order they are sent.
    pub fn send(&self, out: Out, enqueue: impl FnOnce(Out) -> bool) -> bool {
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        let out = match out {
            Out::Frame(frame) if *queued == 0 && !frame.is_close() => {
                match self.stream.try_write(frame.wire()) {
                    Ok(n) if n == frame.wire().len() => return true,
                    Ok(n) => Out::Frame(frame.rest(n)),
                    // A full socket buffer; a failed socket is the writer's to find.
                    Err(_) => Out::Frame(frame),
                }
            }
            other => other,
        };
        let accepted = enqueue(out);
        if accepted {
            *queued += 1;
        }
        accepted
    }

    /// Waits for room in the socket's buffer, then writes with `write` without blocking.
    fn poll_written(
        &self,
        cx: &mut Context<'_>,
        mut write: impl FnMut(&TcpStream) -> std::io::Result<usize>,
    ) -> Poll<std::io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match write(&self.stream) {
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                written => return Poll::Ready(written),
            }
        }
    }

    /// The writer task wrote `n` of the queued frames.
    fn written(&self, n: usize) {
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        *queued = queued.saturating_sub(n);
    }
}

/// The writer task writes through this: waits for room in the socket's buffer, then writes
/// without blocking. (Only the writer task waits on a socket's write readiness.)
impl AsyncWrite for &Wire {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.poll_written(cx, |s| s.try_write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.poll_written(cx, |s| s.try_write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

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
        F: FnOnce(Incoming, Arc<Wire>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Upgrade { key, on_upgrade } = self;
        tokio::spawn(async move {
            let Ok(upgraded) = on_upgrade.await else {
                return;
            };
            // The server's connections are plain TCP (`serve`): the socket itself is wanted,
            // for writes that do not wait.
            let Ok(parts) = upgraded.downcast::<TokioIo<TcpStream>>() else {
                return warn!("an upgraded connection that is not a TCP socket; dropped");
            };
            // hyper's read buffer (8 KiB, mostly empty): only what is in it is kept, and the
            // buffer is given back now, not when the connection ends.
            let early = Bytes::copy_from_slice(&parts.read_buf);
            drop(parts.read_buf);
            let stream = Arc::new(parts.io.into_inner());
            let wire = Arc::new(Wire {
                stream: Arc::clone(&stream),
                queued: Mutex::new(0),
            });
            let read = Incoming { stream, early };
            serve(read, wire).await;
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

/// The reading side of a socket, as tungstenite wants it: its writes are sent on `wire`,
/// queued in `outbox` if need be (never waiting, never refused: a pong for a connection too
/// far behind is dropped with it).
pub struct ReadSide {
    read: Incoming,
    wire: Arc<Wire>,
    outbox: mpsc::WeakSender<Out>,
}

/// tungstenite over the reading half of the socket.
pub async fn reader(
    read: Incoming,
    wire: Arc<Wire>,
    outbox: mpsc::WeakSender<Out>,
    config: WebSocketConfig,
) -> Reader {
    // Written at once: every frame tungstenite writes is whole when it is sent.
    let config = config.write_buffer_size(0);
    let side = ReadSide { read, wire, outbox };
    WebSocketStream::from_raw_socket(side, Role::Server, Some(config)).await
}

impl AsyncRead for ReadSide {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let read = &mut self.read;
        if !read.early.is_empty() {
            let n = read.early.len().min(buf.remaining());
            buf.put_slice(&read.early.split_to(n));
            return Poll::Ready(Ok(()));
        }
        loop {
            ready!(read.stream.poll_read_ready(cx))?;
            match read.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for ReadSide {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(outbox) = self.outbox.upgrade() {
            let out = Out::Frame(Frame::raw(buf));
            self.wire.send(out, |out| outbox.try_send(out).is_ok());
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
/// a close frame is written, the outbox closes or the socket fails. (Then what was queued
/// stays counted on `wire`: nothing is written to the socket after it.)
pub async fn write_loop(wire: Arc<Wire>, mut rx: mpsc::Receiver<Out>) {
    let (mut batch, mut frames) = (Vec::new(), Vec::new());
    let mut garbage = Garbage::default();
    let mut sink = &*wire;
    while rx.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        let taken = batch.len();
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
        wire.written(taken);
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
    async fn frames_written_at_once_or_queued_arrive_whole_and_in_order() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let wire = Arc::new(Wire {
            stream: Arc::new(server),
            queued: Mutex::new(0),
        });
        let (tx, rx) = mpsc::channel(100_000);
        let writer = tokio::spawn(write_loop(Arc::clone(&wire), rx));
        // Nobody reads yet: the socket's buffers fill, a write turns partial, and from then
        // on everything queues behind it, until the writer has caught up.
        let frames: Vec<Frame> = (0..4000)
            .map(|i| Frame::text(&format!("{i}:{}", "x".repeat(i * 7 % 4000))))
            .chain([Frame::close(1000, "bye")])
            .collect();
        let mut queued = 0;
        for frame in &frames {
            let sent = wire.send(Out::Frame(frame.clone()), |out| {
                queued += 1;
                tx.try_send(out).is_ok()
            });
            assert!(sent);
        }
        assert!(queued > 1 && queued < frames.len(), "{queued} queued");
        let want: Vec<u8> = frames.iter().flat_map(|f| f.wire().to_vec()).collect();
        let mut got = vec![0; want.len()];
        client.read_exact(&mut got).await.unwrap();
        assert!(got == want, "the bytes differ from what was sent, in order");
        writer.await.unwrap();
        // After the close nothing more is written: a frame is queued, and refused.
        drop(tx);
        assert!(!wire.send(Out::Frame(Frame::text("late")), |_| false));
    }

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
