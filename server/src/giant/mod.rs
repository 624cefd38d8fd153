//! One room bigger than one node (`--nats`): the room's **owner** runs its actor as always, and
//! any other node of the cluster may be an **edge** for it, holding players' sockets and
//! relaying them to the owner over core NATS. See docs/cluster.md ("One giant room") and the
//! wire in docs/protocol.md ("Inside a cluster").
//!
//! - [`wire`]: the JSON messages between nodes and their subjects.
//! - [`owner`]: the owner's side, used by the room's actor: remote players, one published
//!   broadcast per frame, personal frames batched per edge, batches acked after commit.
//! - [`edge`]: the edge's stand-in for a room served elsewhere: local sockets, batches to the
//!   owner (resent until acked), broadcasts and personal frames written to the sockets.
//! - [`liveness`]: which edges the owner still hears; a silent one's players are disconnected.
//!
//! Not here: the rules (the owner's `Room`, unchanged), and where a room lives (`cluster`).

pub mod edge;
pub mod liveness;
pub mod owner;
pub mod wire;

use crate::room::RoomHandle;
use bytes::Bytes;
use dashmap::DashMap;
use quizrace_protocol::Pin;
use std::sync::Arc;
use tokio::sync::mpsc;
use tracing::warn;

/// A node's link to NATS: the client, this node's edge id, and its edge rooms.
#[derive(Clone)]
pub struct Giant {
    inner: Arc<Inner>,
}

struct Inner {
    client: async_nats::Client,
    /// Names this node in subjects: random per process, so a restarted node never reads
    /// personal frames meant for its previous process.
    edge: Arc<str>,
    /// Publishes in order, off the rooms' tasks (a room never waits on NATS).
    publish: mpsc::UnboundedSender<(String, Bytes)>,
    /// The rooms this node is an edge for, by PIN.
    edges: DashMap<Pin, RoomHandle>,
    /// For the tests only: the first broadcast (of any edge room here) whose frame contains
    /// this text is dropped, as core NATS may lose one. Taken by the edge that drops it.
    test_drop: std::sync::Mutex<Option<String>>,
}

impl Giant {
    /// Connects to NATS at `url` (`nats://HOST:PORT`). The client reconnects by itself when
    /// the server goes away; what is lost meanwhile is found as a gap and resynchronised.
    /// `test_drop` (tests only, `--nats-test-drop`): see [`Giant::test_drops`].
    pub async fn connect(url: &str, test_drop: Option<String>) -> Result<Giant, String> {
        let client = async_nats::ConnectOptions::new()
            .name("quizrace")
            .connection_timeout(std::time::Duration::from_secs(5))
            .max_reconnects(None)
            .connect(url)
            .await
            .map_err(|e| format!("cannot connect to NATS at {url}: {e}"))?;
        let (publish, mut queue) = mpsc::unbounded_channel::<(String, Bytes)>();
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some((subject, payload)) = queue.recv().await {
                if let Err(e) = publisher.publish(subject, payload).await {
                    warn!(error = %e, "cannot publish to NATS");
                }
            }
        });
        Ok(Giant {
            inner: Arc::new(Inner {
                client,
                edge: crate::secret::random_hex(6).into(),
                publish,
                edges: DashMap::new(),
                test_drop: std::sync::Mutex::new(test_drop),
            }),
        })
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.inner.client
    }

    /// This node's id as an edge, in subjects.
    pub fn edge_id(&self) -> &Arc<str> {
        &self.inner.edge
    }

    /// Queues a message for NATS, in order with the others from this node.
    pub fn publish(&self, subject: String, payload: Bytes) {
        let _ = self.inner.publish.send((subject, payload));
    }

    /// Whether the tests asked for this broadcast frame to be lost (once).
    fn test_drops(&self, frame: Option<&str>) -> bool {
        let Ok(mut drop) = self.inner.test_drop.lock() else {
            return false;
        };
        let hit = matches!((drop.as_deref(), frame), (Some(text), Some(f)) if f.contains(text));
        if hit {
            warn!("dropping a broadcast, as the tests asked (--nats-test-drop)");
            *drop = None;
        }
        hit
    }

    /// The room's stand-in on this edge, started on first use.
    pub fn edge_room(&self, pin: &Pin) -> RoomHandle {
        self.inner
            .edges
            .entry(pin.clone())
            .or_insert_with(|| edge::spawn(self.clone(), pin.clone()))
            .value()
            .clone()
    }

    /// Every edge room of this node (for a stop).
    pub fn edge_rooms(&self) -> Vec<RoomHandle> {
        self.inner.edges.iter().map(|r| r.value().clone()).collect()
    }

    /// An edge room that stopped leaves the directory (unless another replaced it already).
    fn forget(&self, pin: &Pin, room: &RoomHandle) {
        self.inner.edges.remove_if(pin, |_, r| r.same_room(room));
    }
}

fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
