//! A stand-in for "another node" of a cluster: a WebSocket server on `127.0.0.1:0` that answers
//! every socket's first `join`, `resume` or `host_resume` with `moved` and closes it, exactly
//! as a node that does not own the room will. It holds no rooms; it stops when dropped.

use futures::{SinkExt, StreamExt};
use quizrace_protocol::{ClientMsg, Pin, ServerMsg};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Where a [`Redirector`] sends its clients.
#[derive(Debug, Clone)]
pub enum Target {
    /// Another server's socket URL (`ws://ADDR/ws`); `?pin=PIN` is added.
    Url(String),
    /// The redirector itself: a loop no client may follow forever.
    Itself,
    /// No `url` at all, as during a failover (the client goes back to where it started).
    Nowhere,
}

pub struct Redirector {
    addr: SocketAddr,
    moved: Arc<AtomicU32>,
    task: JoinHandle<()>,
}

impl Redirector {
    /// Answers with `moved` to `target`; the first answer also carries `retry_after_ms` when
    /// `first_wait_ms` is set (a failover in progress), the later ones do not.
    pub async fn start(target: Target, first_wait_ms: Option<u32>) -> Redirector {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let moved = Arc::new(AtomicU32::new(0));
        let count = Arc::clone(&moved);
        let base = match target {
            Target::Url(url) => Some(url),
            Target::Itself => Some(format!("ws://{addr}/ws")),
            Target::Nowhere => None,
        };
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (count, base) = (Arc::clone(&count), base.clone());
                tokio::spawn(async move {
                    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    let Some(pin) = first_pin(&mut ws).await else {
                        return;
                    };
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let msg = ServerMsg::Moved {
                        url: base.map(|b| format!("{b}?pin={pin}")),
                        pin,
                        retry_after_ms: if n == 0 { first_wait_ms } else { None },
                    };
                    let text = serde_json::to_string(&msg).expect("serialises");
                    let _ = ws.send(Message::text(text)).await;
                    let _ = ws.close(None).await;
                });
            }
        });
        Redirector { addr, moved, task }
    }

    /// The socket URL clients start from.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// How many `moved` it has sent.
    pub fn moved(&self) -> u32 {
        self.moved.load(Ordering::SeqCst)
    }
}

impl Drop for Redirector {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The PIN of the first `join`, `resume` or `host_resume` on the socket.
async fn first_pin<S>(ws: &mut tokio_tungstenite::WebSocketStream<S>) -> Option<Pin>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    while let Some(Ok(frame)) = ws.next().await {
        let Message::Text(text) = frame else { continue };
        match serde_json::from_str::<ClientMsg>(&text) {
            Ok(
                ClientMsg::Join { pin, .. }
                | ClientMsg::Resume { pin, .. }
                | ClientMsg::HostResume { pin, .. },
            ) => return Some(pin),
            _ => continue,
        }
    }
    None
}
