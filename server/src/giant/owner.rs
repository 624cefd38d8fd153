//! The owner's side of a giant room, held by the room's actor: which of the room's
//! connections are players on an edge, the broadcasts published once per frame, personal
//! frames batched per edge, and the acks of the edges' batches, released after commit.
//!
//! The actor calls it synchronously; everything it sends goes through [`Giant::publish`]'s
//! queue, so the room never waits on NATS.

use super::liveness::{Liveness, ALIVE_EVERY};
use super::wire::{self, Alive, AliveAck, Broadcast, InAck, InBatch, Outcome, Personal, ToEdge};
use super::Giant;
use crate::room::state::{ConnId, Effects, JoinError, Room};
use crate::room::RoomCmd;
use futures::StreamExt;
use quizrace_protocol::{ErrorCode, NamePolicy, Pin, PlayerId};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

/// A remote player's connection id on the owner: the high bit set, so it never meets the id
/// of one of this node's own sockets (counted up from 1).
const REMOTE_BIT: u64 = 1 << 63;
/// Personal frames in one message to an edge at most, in bytes of frames.
const CHUNK_BYTES: usize = 256 * 1024;
/// Recent batches remembered per edge, to apply a resent batch once: as many as an edge may
/// have unacked at once.
const REMEMBERED: usize = wire::IN_FLIGHT;

/// Where a remote connection is: its edge and its id there.
type At = (Arc<str>, u64);

/// The room's edges, as its actor sees them.
pub struct Remote {
    giant: Giant,
    pin: Pin,
    /// The game's lease epoch here (see [`Broadcast::epoch`]).
    epoch: i64,
    /// This run of the room (see [`Broadcast::owner`]).
    run: String,
    /// A race-mode room: its questions tell the edges to forward answers unbatched.
    race: bool,
    peers: HashMap<ConnId, At>,
    players: HashMap<ConnId, PlayerId>,
    by_edge: HashMap<At, ConnId>,
    next_conn: u64,
    /// Number of the last broadcast published.
    seq: u64,
    /// The same, for the replies to the edges' beats (set before the broadcast is queued, so
    /// a reply that names it is queued after it).
    published: Arc<AtomicU64>,
    /// Per edge: number of the last personal batch, and the frames not yet sent.
    edge_seq: HashMap<Arc<str>, u64>,
    outgoing: HashMap<Arc<str>, Vec<Personal>>,
    /// Acks waiting for the commit of the row numbered with them.
    acks: VecDeque<(u64, oneshot::Sender<InAck>, InAck)>,
    /// Recent batches' acks per edge: a resent batch is acked again, not applied again.
    seen: HashMap<Arc<str>, VecDeque<InAck>>,
    /// When the open question was published: an edge's elapsed time counts from here.
    pub shown_at: Option<Instant>,
    /// Ends the subscription to the room's inbound subject with the room.
    _inbound: AbortOnDrop,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Remote {
    /// Starts listening for the edges' batches for room `pin`, handed to the room through
    /// `inbox` (weak: the subscription does not keep the room alive). `epoch` is the game's
    /// lease epoch on this node; `race`, whether the room plays race mode.
    pub fn start(
        giant: Giant,
        pin: Pin,
        inbox: mpsc::WeakSender<RoomCmd>,
        epoch: i64,
        race: bool,
    ) -> Remote {
        let run = crate::secret::random_hex(6);
        let published = Arc::new(AtomicU64::new(0));
        let beats = Beats {
            epoch,
            run: run.clone(),
            published: Arc::clone(&published),
        };
        let task = tokio::spawn(serve_inbound(giant.clone(), pin.clone(), inbox, beats));
        Remote {
            giant,
            pin,
            epoch,
            run,
            race,
            peers: HashMap::new(),
            players: HashMap::new(),
            by_edge: HashMap::new(),
            next_conn: REMOTE_BIT,
            seq: 0,
            published,
            edge_seq: HashMap::new(),
            outgoing: HashMap::new(),
            acks: VecDeque::new(),
            seen: HashMap::new(),
            shown_at: None,
            _inbound: AbortOnDrop(task),
        }
    }

    /// The ack of batch `batch` if it was applied already.
    pub fn seen(&self, batch: &InBatch) -> Option<InAck> {
        self.seen
            .get(batch.edge.as_str())
            .and_then(|acks| acks.iter().find(|a| a.batch == batch.batch))
            .cloned()
    }

    /// The ack of batch `batch`, stamped with this owner's epoch.
    pub fn ack(&self, batch: u64, outcomes: Vec<Outcome>) -> InAck {
        InAck {
            epoch: self.epoch,
            batch,
            outcomes,
        }
    }

    /// Queues `ack` for release once row `seq` is committed, and remembers it.
    pub fn ack_after(&mut self, seq: u64, edge: &str, reply: oneshot::Sender<InAck>, ack: InAck) {
        let edge: Arc<str> = edge.into();
        let seen = self.seen.entry(edge).or_default();
        if !seen.iter().any(|a| a.batch == ack.batch) {
            seen.push_back(ack.clone());
            if seen.len() > REMEMBERED {
                seen.pop_front();
            }
        }
        self.acks.push_back((seq, reply, ack));
    }

    /// Sends the acks whose rows are committed (up to `done`).
    pub fn release(&mut self, done: u64) {
        while self.acks.front().is_some_and(|(seq, ..)| *seq <= done) {
            if let Some((_, reply, ack)) = self.acks.pop_front() {
                let _ = reply.send(ack);
            }
        }
    }

    /// A new connection id on the owner for socket `conn` of `edge`; a socket that had one
    /// (a resume after a gap) loses its old one first, so nothing for the old id reaches it.
    pub fn attach(&mut self, edge: &str, conn: u64) -> ConnId {
        let at: At = (edge.into(), conn);
        if let Some(old) = self.by_edge.remove(&at) {
            self.peers.remove(&old);
            self.players.remove(&old);
        }
        self.next_conn += 1;
        let id = self.next_conn;
        self.peers.insert(id, at.clone());
        self.by_edge.insert(at, id);
        id
    }

    /// Connection `id` is player `player`'s (its join or resume succeeded).
    pub fn bind(&mut self, id: ConnId, player: PlayerId) {
        self.players.insert(id, player);
    }

    pub fn player_of(&self, id: ConnId) -> Option<PlayerId> {
        self.players.get(&id).copied()
    }

    /// Forgets every connection of `edge` (it went silent); returns them.
    pub fn lost(&mut self, edge: &str) -> Vec<ConnId> {
        let gone: Vec<ConnId> = self
            .peers
            .iter()
            .filter(|(_, (e, _))| &**e == edge)
            .map(|(id, _)| *id)
            .collect();
        for id in &gone {
            self.detach(*id);
        }
        gone
    }

    /// Forgets a connection (its join failed, or it closed).
    pub fn detach(&mut self, id: ConnId) {
        self.players.remove(&id);
        if let Some(at) = self.peers.remove(&id) {
            self.by_edge.remove(&at);
        }
    }

    /// The owner's id for socket `conn` of `edge`.
    pub fn conn_of(&self, edge: &str, conn: u64) -> Option<ConnId> {
        self.by_edge.get(&(Arc::from(edge), conn)).copied()
    }

    pub fn is_remote(&self, id: ConnId) -> bool {
        self.peers.contains_key(&id)
    }

    /// A frame for one remote connection, sent with the next batch to its edge.
    pub fn personal(&mut self, id: ConnId, frame: Option<&str>, error: bool, close: bool) {
        let Some((edge, conn)) = self.peers.get(&id).cloned() else {
            return;
        };
        if close {
            self.detach(id);
        }
        self.outgoing.entry(edge).or_default().push(Personal {
            conn,
            frame: frame.map(str::to_owned),
            error,
            close,
        });
    }

    /// Publishes a frame for every player of the room, once, numbered. Personal frames queued
    /// before it go first, so each edge keeps the owner's order.
    pub fn broadcast(&mut self, frame: Option<&str>, question: bool, close: bool) {
        self.flush();
        self.seq += 1;
        self.published.store(self.seq, Ordering::Relaxed);
        if question {
            self.shown_at = Some(super::now());
        }
        let msg = Broadcast {
            epoch: self.epoch,
            owner: self.run.clone(),
            seq: self.seq,
            frame: frame.map(str::to_owned),
            question,
            race: question && self.race,
            close,
        };
        self.send(wire::out_subject(&self.pin), &msg);
    }

    /// Sends each edge its queued personal frames, one message per edge.
    pub fn flush(&mut self) {
        let outgoing: Vec<_> = self.outgoing.drain().collect();
        for (edge, items) in outgoing {
            for chunk in chunks(items) {
                let seq = self.edge_seq.entry(Arc::clone(&edge)).or_default();
                *seq += 1;
                let msg = ToEdge {
                    epoch: self.epoch,
                    owner: self.run.clone(),
                    seq: *seq,
                    after: self.seq,
                    items: chunk,
                };
                self.send(wire::edge_subject(&self.pin, &edge), &msg);
            }
        }
    }

    fn send(&self, subject: String, msg: &impl serde::Serialize) {
        match serde_json::to_vec(msg) {
            Ok(bytes) => self.giant.publish(subject, bytes.into()),
            Err(e) => warn!(error = %e, "cannot encode a message for the edges"),
        }
    }
}

/// Splits personal frames into messages of at most [`CHUNK_BYTES`] of frames each (NATS
/// refuses a message over its maximum payload, 1 MiB by default).
fn chunks(items: Vec<Personal>) -> Vec<Vec<Personal>> {
    let mut out: Vec<Vec<Personal>> = Vec::new();
    let mut size = 0;
    for item in items {
        let len = item.frame.as_ref().map_or(0, String::len) + 32;
        if out.is_empty() || size + len > CHUNK_BYTES {
            out.push(Vec::new());
            size = 0;
        }
        size += len;
        if let Some(last) = out.last_mut() {
            last.push(item);
        }
    }
    out
}

/// What a reply to an edge's beat says besides `lost`.
struct Beats {
    epoch: i64,
    run: String,
    published: Arc<AtomicU64>,
}

/// Hands the edges' batches for room `pin` to its actor, and replies to each with its ack
/// once the actor releases it; answers the edges' beats, and tells the actor of an edge gone
/// silent.
async fn serve_inbound(giant: Giant, pin: Pin, inbox: mpsc::WeakSender<RoomCmd>, told: Beats) {
    let client = giant.client();
    let subs = futures::future::try_join(
        client.subscribe(wire::in_subject(&pin)),
        client.subscribe(wire::alive_subject(&pin)),
    )
    .await;
    let (mut batches, mut beats) = match subs {
        Ok(subs) => subs,
        Err(e) => return warn!(error = %e, pin = %pin, "cannot subscribe for the edges"),
    };
    let mut edges = Liveness::default();
    let mut sweep = tokio::time::interval(ALIVE_EVERY);
    loop {
        tokio::select! {
            msg = batches.next() => {
                let Some(msg) = msg else { return };
                if !take_batch(&giant, &inbox, msg, &mut edges).await {
                    return;
                }
            }
            msg = beats.next() => {
                let Some(msg) = msg else { return };
                let (Some(reply_to), Ok(beat)) =
                    (msg.reply, serde_json::from_slice::<Alive>(&msg.payload))
                else {
                    continue;
                };
                let reply = AliveAck {
                    epoch: told.epoch,
                    lost: edges.alive(&beat.edge, super::now()),
                    owner: told.run.clone(),
                    last: told.published.load(Ordering::Relaxed),
                };
                if let Ok(bytes) = serde_json::to_vec(&reply) {
                    giant.publish(reply_to.to_string(), bytes.into());
                }
            }
            _ = sweep.tick() => {
                for edge in edges.sweep(super::now()) {
                    let Some(room) = inbox.upgrade() else { return };
                    info!(edge, "an edge went silent; its players are disconnected");
                    if room.send(RoomCmd::EdgeLost { edge }).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Hands one batch to the room, and its ack back to the edge once released. False once the
/// room has gone.
async fn take_batch(
    giant: &Giant,
    inbox: &mpsc::WeakSender<RoomCmd>,
    msg: async_nats::Message,
    edges: &mut Liveness,
) -> bool {
    let Some(reply_to) = msg.reply else {
        return true;
    };
    let batch: InBatch = match serde_json::from_slice(&msg.payload) {
        Ok(b) => b,
        Err(e) => {
            debug!(error = %e, "a batch that does not parse; ignored");
            return true;
        }
    };
    edges.batch(&batch.edge, super::now());
    let Some(room) = inbox.upgrade() else {
        return false;
    };
    let (reply, acked) = oneshot::channel();
    if room.send(RoomCmd::Remote { batch, reply }).await.is_err() {
        return false;
    }
    let giant = giant.clone();
    tokio::spawn(async move {
        if let Ok(ack) = acked.await {
            if let Ok(bytes) = serde_json::to_vec(&ack) {
                giant.publish(reply_to.to_string(), bytes.into());
            }
        }
    });
    true
}

/// A join from an edge. In a room whose names the server gives, the owner gives one here: an
/// edge does not know the room's policy, so the name it forwards is the player's own.
pub fn join(
    room: &mut Room,
    id: ConnId,
    name: &str,
    token: String,
    now: Instant,
    fx: &mut Effects,
) -> Result<PlayerId, ErrorCode> {
    if room.names() != NamePolicy::Generated {
        return room.join(id, name, token, now, fx).map_err(ErrorCode::from);
    }
    for name in crate::names::generated_candidates() {
        match room.join(id, &name, token.clone(), now, fx) {
            Err(JoinError::NameTaken) => continue,
            other => return other.map_err(ErrorCode::from),
        }
    }
    Err(ErrorCode::ServerBusy)
}

/// What the actor makes of a join or resume item's result.
pub fn outcome(conn: u64, result: Result<PlayerId, ErrorCode>) -> Outcome {
    match result {
        Ok(player) => Outcome {
            conn,
            player: Some(player),
            error: None,
        },
        Err(code) => Outcome {
            conn,
            player: None,
            error: Some(code),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(conn: u64, len: usize) -> Personal {
        Personal {
            conn,
            frame: Some("x".repeat(len)),
            error: false,
            close: false,
        }
    }

    #[test]
    fn personal_frames_are_split_below_the_payload_limit_in_order() {
        let items: Vec<_> = (0..10).map(|c| frame(c, 100 * 1024)).collect();
        let parts = chunks(items);
        assert_eq!(parts.len(), 5, "two frames of 100 KiB per message");
        let order: Vec<u64> = parts.iter().flatten().map(|p| p.conn).collect();
        assert_eq!(order, (0..10).collect::<Vec<_>>());
        assert!(chunks(Vec::new()).is_empty(), "nothing to send, no message");
    }
}
