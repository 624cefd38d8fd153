//! An edge node's stand-in for a room served by another node (`--nats`). To the sockets it is
//! a room like any other (a [`RoomHandle`] taking [`RoomCmd`]s); behind it, their joins,
//! resumes, messages and departures go to the owner in batches (at most [`BATCH_ITEMS`] or
//! [`BATCH_WAIT`]), each resent until the owner acks it, and the owner's broadcasts and
//! personal frames are written to the sockets in the owner's order. A gap in either numbering
//! resynchronises every player here with a resume, as a reconnecting player would.
//!
//! It decides nothing: names, answers, scores and timers are the owner's.

use super::liveness::ALIVE_EVERY;
use super::wire::{
    self, Alive, AliveAck, Broadcast, InAck, InBatch, InItem, ToEdge, BATCH_ITEMS, IN_FLIGHT,
};
use super::Giant;
use crate::room::actor::Reply;
use crate::room::state::ConnId;
use crate::room::{ConnHandle, Out, RoomCmd, RoomHandle};
use crate::ws::Frame;
use futures::StreamExt;
use quizrace_protocol::{ClientMsg, ErrorCode, GameId, Pin, PlayerId};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

/// How long the first item of a batch waits for others.
pub const BATCH_WAIT: Duration = Duration::from_millis(5);
/// How long an edge waits for a batch's ack before sending it again.
const ACK_WAIT: Duration = Duration::from_secs(2);
/// How long a batch is retried (the owner may be failing over) before its joins fail.
const GIVE_UP_AFTER: Duration = Duration::from_secs(30);
/// An edge room with no socket stops after this long.
const IDLE: Duration = Duration::from_secs(30);

/// Starts the stand-in for room `pin`.
pub fn spawn(giant: Giant, pin: Pin) -> RoomHandle {
    let (tx, inbox) = mpsc::channel(4096);
    // The game's id is the owner's business; nothing on an edge asks for it.
    let handle = RoomHandle::new(pin.clone(), GameId(0), tx);
    let (acked, acks) = mpsc::channel(256);
    let (beats, replies) = mpsc::channel(4);
    let edge = Edge {
        giant: giant.clone(),
        pin: pin.clone(),
        conns: HashMap::new(),
        items: Vec::new(),
        batch_since: None,
        next_batch: 0,
        in_flight: 0,
        acked,
        beats,
        claimed: None,
        epoch: Arc::new(AtomicI64::new(i64::MIN)),
        owner: None,
        broadcast_seq: None,
        personal_seq: None,
        question_at: None,
        race: false,
        empty_since: Some(Instant::now()),
        closed: false,
    };
    let me = handle.clone();
    let span = tracing::info_span!("edge", pin = %pin);
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            edge.run(inbox, acks, replies).await;
            giant.forget(&pin, &me);
        },
        span,
    ));
    handle
}

/// A socket of this node in the room.
struct Local {
    handle: ConnHandle,
    /// Its resume token: how it is resynchronised after a gap.
    token: String,
    /// Its join or resume waits for the owner's answer.
    pending: Option<Reply<PlayerId>>,
    player: Option<PlayerId>,
    /// The owner has sent it something: broadcasts reach it from then on (before, they were
    /// not meant for it).
    live: bool,
}

struct Edge {
    giant: Giant,
    pin: Pin,
    conns: HashMap<ConnId, Local>,
    items: Vec<InItem>,
    batch_since: Option<tokio::time::Instant>,
    next_batch: u64,
    /// Batches sent and not yet acked (nor given up on): at most [`IN_FLIGHT`].
    in_flight: usize,
    acked: mpsc::Sender<Option<InAck>>,
    /// The owner's replies to this edge's beats.
    beats: mpsc::Sender<AliveAck>,
    /// The owner's run and last broadcast, as its previous reply named them.
    claimed: Option<(String, u64)>,
    /// The highest lease epoch seen from the room's owners: anything from a lower one comes
    /// from a fenced owner and is dropped (shared with the batches waiting for their acks).
    epoch: Arc<AtomicI64>,
    /// The owner's run of the room that the numbers below belong to.
    owner: Option<String>,
    /// The last broadcast and personal batch written (`None`: take the next as it comes).
    broadcast_seq: Option<u64>,
    personal_seq: Option<u64>,
    /// When the open question was written to the sockets here.
    question_at: Option<Instant>,
    /// The open question is a race's: answers go to the owner at once, unbatched.
    race: bool,
    empty_since: Option<Instant>,
    closed: bool,
}

impl Edge {
    async fn run(
        mut self,
        mut inbox: mpsc::Receiver<RoomCmd>,
        mut acks: mpsc::Receiver<Option<InAck>>,
        mut replies: mpsc::Receiver<AliveAck>,
    ) {
        let client = self.giant.client().clone();
        let subs = futures::future::try_join(
            client.subscribe(wire::out_subject(&self.pin)),
            client.subscribe(wire::edge_subject(&self.pin, self.giant.edge_id())),
        )
        .await;
        let (mut broadcasts, mut personal) = match subs {
            Ok(subs) => subs,
            Err(e) => return warn!(error = %e, "cannot subscribe to the room"),
        };
        info!("edge open");
        let mut idle = tokio::time::interval(ALIVE_EVERY);
        while !self.closed {
            let flush_at = self.batch_since.map(|t| t + BATCH_WAIT);
            tokio::select! {
                cmd = inbox.recv() => match cmd {
                    Some(cmd) => self.handle(cmd),
                    None => break,
                },
                // Whatever came first, everything that arrived before it is in the two queues
                // already (one connection delivers in order): take both, then interleave.
                Some(m) = broadcasts.next() => {
                    let got = ready(vec![m], &mut broadcasts);
                    self.merge(got, ready(Vec::new(), &mut personal));
                }
                Some(m) = personal.next() => {
                    let mine = ready(vec![m], &mut personal);
                    self.merge(ready(Vec::new(), &mut broadcasts), mine);
                }
                Some(ack) = acks.recv() => self.acked(ack),
                Some(reply) = replies.recv() => self.beat_reply(reply),
                () = sleep_until(flush_at), if flush_at.is_some() => self.send_batch(),
                _ = idle.tick() => {
                    if self.empty_since.is_some_and(|t| t.elapsed() > IDLE) {
                        break;
                    }
                    self.beat();
                }
            }
            if self.items.len() >= BATCH_ITEMS {
                self.send_batch();
            }
        }
        info!("edge closed");
    }

    fn handle(&mut self, cmd: RoomCmd) {
        match cmd {
            RoomCmd::Join {
                conn,
                name,
                token,
                reply,
            } => {
                let id = conn.id;
                self.add(conn, token.clone(), reply);
                self.push(InItem::Join {
                    conn: id,
                    name,
                    token,
                });
            }
            RoomCmd::Resume { conn, token, reply } => {
                let id = conn.id;
                self.add(conn, token.clone(), reply);
                self.push(InItem::Resume { conn: id, token });
            }
            RoomCmd::Player { conn, msg, at, .. } => {
                let answer = matches!(msg, ClientMsg::Answer { .. });
                let elapsed_ms = match (answer, self.question_at) {
                    (true, Some(shown)) => {
                        Some(at.saturating_duration_since(shown).as_millis() as u64)
                    }
                    _ => None,
                };
                // In a race the edge cannot tell a right answer (it never knows the answer):
                // every answer goes at once, in a batch of its own, so the owner's receive
                // order, which decides "first", is not skewed by an edge's 5 ms wait.
                let at_once = answer && self.race;
                if at_once {
                    self.send_batch();
                }
                self.push(InItem::Msg {
                    conn,
                    msg,
                    elapsed_ms,
                });
                if at_once {
                    self.send_batch();
                }
            }
            RoomCmd::Gone { conn } => {
                if self.conns.remove(&conn).is_some() {
                    self.push(InItem::Gone { conn });
                }
                if self.conns.is_empty() {
                    self.empty_since = Some(Instant::now());
                }
            }
            // This node stops: its players find the room again through another node.
            RoomCmd::Handover { done } | RoomCmd::Shutdown { done } => {
                self.move_everyone();
                let _ = done.send(());
            }
            RoomCmd::AttachHost { reply, .. } => {
                // Hosts and screens connect to the owner (the socket code moves them there).
                let _ = reply.send(Err(ErrorCode::NoSuchRoom));
            }
            RoomCmd::Host { .. }
            | RoomCmd::Summary { .. }
            | RoomCmd::End { .. }
            | RoomCmd::PlayAgain { .. }
            | RoomCmd::PlayedAgain { .. }
            | RoomCmd::Remote { .. }
            | RoomCmd::EdgeLost { .. } => {}
        }
    }

    fn add(&mut self, handle: ConnHandle, token: String, reply: Reply<PlayerId>) {
        self.empty_since = None;
        self.conns.insert(
            handle.id,
            Local {
                handle,
                token,
                pending: Some(reply),
                player: None,
                live: false,
            },
        );
    }

    fn push(&mut self, item: InItem) {
        if self.items.is_empty() {
            self.batch_since = Some(tokio::time::Instant::now());
        }
        self.items.push(item);
    }

    /// Sends the items gathered so far (up to [`BATCH_ITEMS`]) as one batch, resent until
    /// acked (or given up on). With [`IN_FLIGHT`] batches unacked already, the items wait for
    /// the next ack.
    fn send_batch(&mut self) {
        self.batch_since = None;
        if self.items.is_empty() || self.in_flight >= IN_FLIGHT {
            return;
        }
        self.in_flight += 1;
        self.next_batch += 1;
        let take = self.items.len().min(BATCH_ITEMS);
        let batch = InBatch {
            edge: self.giant.edge_id().to_string(),
            batch: self.next_batch,
            items: self.items.drain(..take).collect(),
        };
        if !self.items.is_empty() {
            self.batch_since = Some(tokio::time::Instant::now());
        }
        let payload: bytes::Bytes = match serde_json::to_vec(&batch) {
            Ok(b) => b.into(),
            Err(e) => return warn!(error = %e, "cannot encode a batch"),
        };
        let (client, subject, acked, epoch) = (
            self.giant.client().clone(),
            wire::in_subject(&self.pin),
            self.acked.clone(),
            Arc::clone(&self.epoch),
        );
        tokio::spawn(async move {
            let began = Instant::now();
            while began.elapsed() < GIVE_UP_AFTER {
                let asked = client.request(subject.clone(), payload.clone());
                match tokio::time::timeout(ACK_WAIT, asked).await {
                    Ok(Ok(reply)) => match serde_json::from_slice::<InAck>(&reply.payload) {
                        // A fenced owner's ack promises nothing: its rows may not be stored.
                        Ok(ack) if ack.epoch < epoch.load(Ordering::Relaxed) => {
                            debug!(epoch = ack.epoch, "an ack from a fenced owner; again");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        Ok(ack) => {
                            epoch.fetch_max(ack.epoch, Ordering::Relaxed);
                            let _ = acked.send(Some(ack)).await;
                            return;
                        }
                        Err(_) => {}
                    },
                    // No owner listening (failing over, or not subscribed yet): soon again.
                    Ok(Err(e)) => {
                        debug!(error = %e, "batch not taken; again shortly");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(_) => debug!("batch not acked in time; sending it again"),
                }
            }
            warn!("the owner did not take a batch; its joins fail");
            let _ = acked.send(None).await;
        });
    }

    /// Tells the owner this edge is alive, while it holds players of the room; a reply that
    /// says the owner had lost it makes every player here resume.
    fn beat(&self) {
        if !self.conns.values().any(|l| l.player.is_some()) {
            return;
        }
        let beat = Alive {
            edge: self.giant.edge_id().to_string(),
        };
        let Ok(payload) = serde_json::to_vec(&beat) else {
            return;
        };
        let (client, subject, replies) = (
            self.giant.client().clone(),
            wire::alive_subject(&self.pin),
            self.beats.clone(),
        );
        tokio::spawn(async move {
            let asked = client.request(subject, payload.into());
            let Ok(Ok(reply)) = tokio::time::timeout(ALIVE_EVERY, asked).await else {
                return;
            };
            if let Ok(ack) = serde_json::from_slice::<AliveAck>(&reply.payload) {
                let _ = replies.try_send(ack);
            }
        });
    }

    /// The owner's reply to a beat. If the owner had lost this edge, every player here
    /// resumes. Otherwise it names its last broadcast: one that the previous reply named and
    /// that still has not come was lost, even if nothing followed it (the last of a game), and
    /// every player here resumes too. (The previous reply's, not this one's: a broadcast
    /// published just before this reply may still be on its way.)
    fn beat_reply(&mut self, ack: AliveAck) {
        if ack.epoch < self.epoch.load(Ordering::Relaxed) {
            return;
        }
        if ack.lost {
            self.claimed = None;
            return self.resync("the owner had lost this edge");
        }
        let behind = match (&self.claimed, self.broadcast_seq) {
            (Some((run, last)), Some(seq)) => {
                *run == ack.owner && self.owner.as_deref() == Some(run.as_str()) && seq < *last
            }
            _ => false,
        };
        if behind {
            self.claimed = None;
            return self.resync("the owner's last broadcast never came");
        }
        self.claimed = (!ack.owner.is_empty()).then_some((ack.owner, ack.last));
    }

    /// The owner stored a batch: its joins and resumes are answered.
    fn acked(&mut self, ack: Option<InAck>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.answered(ack);
        // Items held back while the batches in flight were at their most.
        if self.batch_since.is_none() && !self.items.is_empty() {
            self.batch_since = Some(tokio::time::Instant::now());
        }
    }

    /// The joins and resumes of an acked batch get their answers (`None`: given up on, and
    /// whoever still waits is refused).
    fn answered(&mut self, ack: Option<InAck>) {
        let Some(ack) = ack else {
            // Given up: whoever still waits is told the room is not there.
            for local in self.conns.values_mut() {
                if let Some(reply) = local.pending.take() {
                    let _ = reply.send(Err(ErrorCode::NoSuchRoom));
                }
            }
            self.conns.retain(|_, l| l.player.is_some());
            return;
        };
        for outcome in ack.outcomes {
            let Some(local) = self.conns.get_mut(&outcome.conn) else {
                // The socket left before its join or resume was answered. Its departure may
                // have reached the owner first (a resent batch overtaken by a later one), and
                // been ignored there: it goes again, or the player would stay online.
                if outcome.player.is_some() {
                    self.push(InItem::Gone { conn: outcome.conn });
                }
                continue;
            };
            let result = match (outcome.player, outcome.error) {
                (Some(player), _) => Ok(player),
                (None, error) => Err(error.unwrap_or(ErrorCode::Internal)),
            };
            if let Ok(player) = result {
                local.player = Some(player);
                local.live = true;
            }
            match local.pending.take() {
                Some(reply) => {
                    let _ = reply.send(result);
                }
                // A resynchronising resume the owner refused (the player was removed).
                None if result.is_err() => {
                    local.handle.push(Out::Close(1000, ""));
                }
                None => {}
            }
            if result.is_err() {
                self.conns.remove(&outcome.conn);
            }
        }
        if self.conns.is_empty() {
            self.empty_since = Some(Instant::now());
        }
    }

    /// Writes what arrived, broadcasts and personal frames interleaved as the owner sent them:
    /// a personal batch goes after the broadcast it names (`after`) and before the next.
    fn merge(&mut self, broadcasts: Vec<async_nats::Message>, personal: Vec<async_nats::Message>) {
        let mut bs: VecDeque<Broadcast> = broadcasts
            .iter()
            .filter_map(|m| serde_json::from_slice(&m.payload).ok())
            .collect();
        let mut ps: VecDeque<ToEdge> = personal
            .iter()
            .filter_map(|m| serde_json::from_slice(&m.payload).ok())
            .collect();
        loop {
            let next_b = bs.front().map(|b| b.seq);
            match (ps.front(), next_b) {
                (Some(p), Some(b)) if p.after < b => {
                    if let Some(p) = ps.pop_front() {
                        self.personal(p);
                    }
                }
                (_, Some(_)) => {
                    if let Some(b) = bs.pop_front() {
                        self.broadcast(b);
                    }
                }
                (Some(_), None) => {
                    if let Some(p) = ps.pop_front() {
                        // Its broadcast should have come first: it was lost.
                        let same_owner = self.owner.as_deref() == Some(p.owner.as_str());
                        if same_owner && self.broadcast_seq.is_some_and(|s| p.after > s) {
                            self.resync("broadcast missing before personal frames");
                        }
                        self.personal(p);
                    }
                }
                (None, None) => break,
            }
        }
    }

    fn broadcast(&mut self, b: Broadcast) {
        if self.fenced(b.epoch) || self.giant.test_drops(b.frame.as_deref()) {
            return;
        }
        self.check_owner(&b.owner);
        match self.broadcast_seq {
            Some(last) if b.seq <= last => return,
            Some(last) if b.seq > last + 1 => self.resync("gap in broadcasts"),
            _ => {}
        }
        self.broadcast_seq = Some(b.seq);
        if b.question {
            self.question_at = Some(Instant::now());
            self.race = b.race;
        }
        let frame = b.frame.as_deref().map(Frame::text);
        for local in self.conns.values().filter(|l| l.live) {
            // A socket that cannot keep up is cut off by `push`; its `Gone` reaches the owner
            // through the normal path.
            if let Some(frame) = &frame {
                local.handle.push(Out::Frame(frame.clone()));
            }
            if b.close {
                local.handle.push(Out::Close(1000, ""));
            }
        }
        if b.close {
            self.conns.clear();
            self.closed = true;
        }
    }

    fn personal(&mut self, p: ToEdge) {
        if self.fenced(p.epoch) {
            return;
        }
        self.check_owner(&p.owner);
        match self.personal_seq {
            Some(last) if p.seq <= last => return,
            Some(last) if p.seq > last + 1 => self.resync("gap in personal frames"),
            _ => {}
        }
        self.personal_seq = Some(p.seq);
        // Taking broadcasts as they come (none yet, or after a resynchronisation): the owner
        // had published broadcast `after` before these frames, so the next is `after + 1`, and
        // a beat's reply can tell a lost one from then on.
        if self.broadcast_seq.is_none() {
            self.broadcast_seq = Some(p.after);
        }
        for item in p.items {
            let Some(local) = self.conns.get_mut(&item.conn) else {
                continue;
            };
            local.live = true;
            if let Some(frame) = item.frame {
                let frame = Frame::text(&frame);
                local.handle.push(if item.error {
                    Out::Error(frame)
                } else {
                    Out::Frame(frame)
                });
            }
            if item.close {
                local.handle.push(Out::Close(1000, ""));
                self.conns.remove(&item.conn);
            }
        }
    }

    /// Whether `epoch` is lower than the highest seen for the room: the message comes from an
    /// owner another node has fenced since, and is dropped. A higher one is followed (its run,
    /// new to this edge, resynchronises the players in [`Edge::check_owner`]).
    fn fenced(&self, epoch: i64) -> bool {
        let highest = self.epoch.fetch_max(epoch, Ordering::Relaxed);
        if epoch < highest {
            debug!(epoch, highest, "from a fenced owner; dropped");
        }
        epoch < highest
    }

    /// A new run of the room on its owner (another node claimed it, or it was rebuilt): it
    /// knows none of the sockets here, so every player here resumes with it.
    fn check_owner(&mut self, owner: &str) {
        if self.owner.as_deref() == Some(owner) {
            return;
        }
        let known = self.owner.replace(owner.to_owned()).is_some();
        if known {
            self.resync("a new owner");
        }
    }

    /// Something from the owner was lost: every player here resumes, and gets the room's
    /// state as a reconnecting player does; the numbering starts again from what comes next.
    fn resync(&mut self, why: &str) {
        info!(why, players = self.conns.len(), "resynchronising");
        self.broadcast_seq = None;
        self.personal_seq = None;
        let resumes: Vec<InItem> = self
            .conns
            .iter()
            .filter(|(_, l)| l.player.is_some())
            .map(|(id, l)| InItem::Resume {
                conn: *id,
                token: l.token.clone(),
            })
            .collect();
        for item in resumes {
            self.push(item);
        }
    }

    /// This node stops: every socket is told `moved` and closed normally.
    fn move_everyone(&mut self) {
        if let Some(text) = crate::room::actor::moved_text(&self.pin) {
            let frame = Frame::text(&text);
            for (_, local) in self.conns.drain() {
                local.handle.push(Out::Frame(frame.clone()));
                local.handle.push(Out::Close(1000, ""));
            }
        }
        self.closed = true;
    }
}

/// `got` and every message `sub` has ready now.
fn ready(
    mut got: Vec<async_nats::Message>,
    sub: &mut async_nats::Subscriber,
) -> Vec<async_nats::Message> {
    while let Some(Some(m)) = futures::FutureExt::now_or_never(sub.next()) {
        got.push(m);
    }
    got
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
