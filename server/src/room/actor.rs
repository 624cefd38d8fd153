//! One task per room: its inbox, its next deadline and the database's commit notices in one
//! `select!`; the state machine's effects applied in order.
//!
//! Ordering promise: nothing the room sends overtakes a row it stored before it. Each
//! `Persist` raises a barrier; the messages after it are held until the writer reports the
//! commit. That is what makes `answer_ack` mean "stored", without the room ever waiting on disk.

use super::state::{AgainPlan, AgainRefused, ConnId, Effect, Effects, Room, RoomSummary, Target};
use super::storage::{Committed, RoomWriter};
use crate::giant::owner::{self, Remote};
use crate::giant::wire::{InAck, InBatch, InItem};
use crate::giant::Giant;
use crate::metrics::RoomMetrics;
use crate::ws::{Frame, Wire};
use quizrace_protocol::{ClientMsg, ErrorCode, GameId, Mode, NamePolicy, Pin, PlayerId, ServerMsg};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot, watch, Notify};
use tracing::{debug, info, warn};

/// Commands waiting for a room; senders wait (briefly) when it is full.
const INBOX: usize = 4096;
/// How long a client told `moved` by a room that stops here waits before reconnecting: the
/// time another node needs to claim the game (its claims run every second).
pub const MOVED_RETRY_MS: u32 = 500;

/// What a connection's writer task sends on the socket.
#[derive(Debug, Clone)]
pub enum Out {
    /// A whole frame, written as it is: a broadcast's is encoded once and shared.
    Frame(Frame),
    /// An `error` frame. The connection's writer counts these: a client that keeps earning
    /// them (more than 20 in 10 s, from the connection or the room) is closed with 1008.
    Error(Frame),
    Ping,
    Close(u16, &'static str),
}

/// Frames a player's socket may have queued before it counts as not keeping up. Broadcasts
/// share their bytes, so a full backlog costs little memory; a phone this far behind is cut off.
pub const PLAYER_BACKLOG: usize = 128;
/// The host gets a message per join: a class of thousands joining at once must not look like
/// a slow host. (One host per room, so the memory is bounded.)
pub const HOST_BACKLOG: usize = 16 * 1024;

/// The room's way to reach one connection.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    pub id: ConnId,
    /// Created with capacity [`HOST_BACKLOG`]; tokio allocates slots as they fill, so an
    /// idle player's outbox is small whatever its capacity.
    pub tx: mpsc::Sender<Out>,
    /// Wakes the connection's task to drop the socket (its outbox may be too full to say so).
    pub kill: Arc<Notify>,
    /// How many queued frames this connection may fall behind by.
    pub backlog: usize,
    /// Message tokens this connection owes for a large reply it asked for (a `players` list
    /// costs a token per KiB): its socket takes them from its budget before the next message.
    pub owed: Arc<AtomicU32>,
    /// The connection's socket, written to at once when it takes a frame without waiting and
    /// nothing is queued before it (see [`Wire::send`]); `None`: everything is queued. Weak:
    /// the socket lives as long as its connection's task, not as long as a handle.
    pub wire: Option<Weak<Wire>>,
}

impl ConnHandle {
    /// Sends without waiting: written to the socket at once if it takes it, else queued.
    /// Never `send`: a slow phone must not stall the room. False when the connection could
    /// not keep up and is being cut off.
    pub fn push(&self, out: Out) -> bool {
        match self.wire.as_ref().and_then(Weak::upgrade) {
            Some(wire) => wire.send(out, |out| self.enqueue(out)),
            None => self.enqueue(out),
        }
    }

    /// Queues for the connection's writer task (`try_send`).
    fn enqueue(&self, out: Out) -> bool {
        let queued = self.tx.max_capacity() - self.tx.capacity();
        if queued >= self.backlog {
            self.kill.notify_one();
            return false;
        }
        match self.tx.try_send(out) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.kill.notify_one();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// The same connection, allowed the host's backlog.
    pub fn as_host(&self) -> ConnHandle {
        ConnHandle {
            backlog: HOST_BACKLOG,
            ..self.clone()
        }
    }
}

pub type Reply<T> = oneshot::Sender<Result<T, ErrorCode>>;

/// How a connection becomes the room's host (or one of its big screens).
pub enum HostAttach {
    /// The creator of a new room, with the key just made for it.
    Created(String),
    /// `host_resume` with a host key.
    Key(String),
    /// `host_resume` with a session token that the socket code checked belongs to the game's
    /// host or an admin: the room accepts this key, minted for the device, from now on.
    Minted(String),
}

pub enum RoomCmd {
    Join {
        conn: ConnHandle,
        name: String,
        token: String,
        reply: Reply<PlayerId>,
    },
    Resume {
        conn: ConnHandle,
        token: String,
        reply: Reply<PlayerId>,
    },
    AttachHost {
        conn: ConnHandle,
        by: HostAttach,
        /// A read-only big screen rather than the host's controls.
        screen: bool,
        reply: Reply<()>,
    },
    Player {
        conn: ConnId,
        player: PlayerId,
        msg: ClientMsg,
        /// When the frame was read: answers are timed from here.
        at: Instant,
    },
    Host {
        conn: ConnId,
        msg: ClientMsg,
    },
    Gone {
        conn: ConnId,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
    /// A cluster node stops and has handed the room's game over to the other nodes: every
    /// connection is told `moved` and closed normally, and the room stops without closing
    /// the game (another node rebuilds it). `done` is told once the connections are told.
    Handover {
        done: oneshot::Sender<()>,
    },
    /// For the admin page: a snapshot of the room.
    Summary {
        reply: oneshot::Sender<RoomSummary>,
    },
    /// An admin closes the room: as if its host sent `end`. `done` is told once the rows
    /// are handed to the writer.
    End {
        done: oneshot::Sender<()>,
    },
    /// The host's `play_again`: the old room's settings and quiz, or why not.
    PlayAgain {
        conn: ConnId,
        reply: oneshot::Sender<Result<AgainPlan, AgainRefused>>,
    },
    /// The new room of a `play_again` is open under this PIN and host key (`None`: it could
    /// not be made).
    PlayedAgain {
        made: Option<(Pin, String)>,
    },
    /// A batch from an edge node (`--nats`): its joins, resumes, messages and departures,
    /// acknowledged on `reply` once what it changed is stored.
    Remote {
        batch: InBatch,
        reply: oneshot::Sender<InAck>,
    },
    /// An edge node went silent (`--nats`): its players here are disconnected.
    EdgeLost {
        edge: String,
    },
}

/// A cloneable address of a running room.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    pub pin: Pin,
    /// The room's game: whose session may take control of it is a question for the store.
    pub game_id: GameId,
    tx: mpsc::Sender<RoomCmd>,
    /// The host chose `"names": "generated"`: the server names the players who join. (A copy
    /// of the room's setting, so a join can be routed without asking the room.)
    pub generated_names: bool,
}

impl RoomHandle {
    /// A handle on `tx` for a room's stand-in (an edge node's, see `giant::edge`).
    pub(crate) fn new(pin: Pin, game_id: GameId, tx: mpsc::Sender<RoomCmd>) -> RoomHandle {
        RoomHandle {
            pin,
            game_id,
            tx,
            generated_names: false,
        }
    }

    /// Whether both handles lead to the same task.
    pub fn same_room(&self, other: &RoomHandle) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// False if the room has gone.
    pub async fn send(&self, cmd: RoomCmd) -> bool {
        self.tx.send(cmd).await.is_ok()
    }
}

/// Starts the room's task. `on_exit` runs when it stops (to leave the directory).
pub fn spawn_room(
    room: Room,
    writer: Arc<dyn RoomWriter>,
    metrics: RoomMetrics,
    on_exit: impl FnOnce() + Send + 'static,
) -> RoomHandle {
    spawn_linked_room(room, writer, metrics, None, on_exit)
}

/// [`spawn_room`], and with `giant` (a node started with `--nats`) the room also serves
/// players whose sockets are on edge nodes.
pub fn spawn_linked_room(
    room: Room,
    writer: Arc<dyn RoomWriter>,
    metrics: RoomMetrics,
    giant: Option<Giant>,
    on_exit: impl FnOnce() + Send + 'static,
) -> RoomHandle {
    let (tx, inbox) = mpsc::channel(INBOX);
    let remote = giant.map(|g| {
        let (epoch, race) = (writer.epoch(room.game_id()), room.mode() == Mode::Race);
        Remote::start(g, room.pin().clone(), tx.downgrade(), epoch, race)
    });
    let (committed, committed_rx) = watch::channel(Committed::UpTo(0));
    let pin = room.pin().clone();
    let game_id = room.game_id();
    let generated_names = room.names() == NamePolicy::Generated;
    let actor = Actor {
        room,
        conns: HashMap::new(),
        writer,
        committed: Arc::new(committed),
        committed_rx,
        sent_seq: 0,
        done_seq: 0,
        held: VecDeque::new(),
        dissolved: false,
        cut_off: Vec::new(),
        shutdown_done: None,
        moved_away: false,
        metrics,
        players_counted: 0,
        handled_at: now(),
        remote,
    };
    let span = tracing::info_span!("room", pin = %pin);
    tokio::spawn(tracing::Instrument::instrument(
        async move {
            actor.run(inbox).await;
            on_exit();
        },
        span,
    ));
    RoomHandle {
        pin,
        game_id,
        tx,
        generated_names,
    }
}

fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

struct Actor {
    room: Room,
    conns: HashMap<ConnId, ConnHandle>,
    writer: Arc<dyn RoomWriter>,
    committed: Arc<watch::Sender<Committed>>,
    committed_rx: watch::Receiver<Committed>,
    /// Sequence number of the last row handed to the writer, and of the last one committed.
    sent_seq: u64,
    done_seq: u64,
    /// Effects waiting for the commit of the row numbered with them, and when the command
    /// (or tick) that caused them was handled.
    held: VecDeque<(u64, Effect, Instant)>,
    dissolved: bool,
    /// Connections whose outbox overflowed while delivering.
    cut_off: Vec<ConnId>,
    shutdown_done: Option<oneshot::Sender<()>>,
    /// The game is served elsewhere now (handed over, or fenced): the task ends.
    moved_away: bool,
    metrics: RoomMetrics,
    /// This room's share of the players-connected gauge.
    players_counted: u32,
    /// When the command or tick being handled arrived: held effects carry it, so an ack's
    /// release after the commit can be timed from its answer's arrival.
    handled_at: Instant,
    /// The room's players on edge nodes (`--nats`); `None` on a node without NATS.
    remote: Option<Remote>,
}

impl Actor {
    async fn run(mut self, mut inbox: mpsc::Receiver<RoomCmd>) {
        info!("room open");
        loop {
            let wake = tokio::time::Instant::from_std(self.room.next_wake());
            tokio::select! {
                cmd = inbox.recv() => match cmd {
                    Some(cmd) => self.handle(cmd),
                    None => break,
                },
                () = tokio::time::sleep_until(wake) => {
                    let mut fx = Effects::new();
                    self.handled_at = now();
                    self.room.tick(self.handled_at, &mut fx);
                    self.apply(fx);
                }
                Ok(()) = self.committed_rx.changed() => {
                    let committed = *self.committed_rx.borrow_and_update();
                    match committed {
                        Committed::UpTo(seq) => {
                            self.done_seq = seq;
                            self.flush();
                        }
                        // What is held waited for rows this node will never store: it is
                        // dropped, and the connections close with the task, to find the room
                        // where it lives now.
                        Committed::Fenced => {
                            warn!("fenced: this node no longer owns the room");
                            self.move_everyone();
                        }
                    }
                }
            }
            if let Some(remote) = &mut self.remote {
                remote.flush();
            }
            if self.moved_away {
                break;
            }
            self.count_players(self.room.connected());
            if self.dissolved && self.held.is_empty() {
                break;
            }
        }
        self.count_players(0);
        if let Some(remote) = &mut self.remote {
            // The edges close their sockets for this room too (a move said so already).
            if !self.moved_away {
                remote.broadcast(None, false, true);
            }
            remote.flush();
        }
        if let Some(done) = self.shutdown_done.take() {
            let _ = done.send(());
        }
        info!("room closed");
    }

    fn handle(&mut self, cmd: RoomCmd) {
        let now = now();
        self.handled_at = now;
        let mut fx = Effects::new();
        match cmd {
            RoomCmd::Join {
                conn,
                name,
                token,
                reply,
            } => {
                let id = conn.id;
                let result = self.room.join(id, &name, token, now, &mut fx);
                if result.is_ok() {
                    self.conns.insert(id, conn);
                    self.metrics.players_joined.inc();
                }
                let _ = reply.send(result.map_err(ErrorCode::from));
            }
            RoomCmd::Resume { conn, token, reply } => {
                let id = conn.id;
                let result = self.room.resume(id, &token, now, &mut fx);
                if result.is_ok() {
                    self.conns.insert(id, conn);
                }
                let _ = reply.send(result);
            }
            RoomCmd::AttachHost {
                conn,
                by,
                screen,
                reply,
            } => {
                let id = conn.id;
                let result = match by {
                    HostAttach::Minted(key) => {
                        self.room.take_control(id, &key, screen, now, &mut fx)
                    }
                    HostAttach::Key(key) if screen => {
                        self.room.attach_screen(id, &key, now, &mut fx)
                    }
                    HostAttach::Key(key) => self.room.attach_host(id, &key, false, now, &mut fx),
                    HostAttach::Created(key) => self.room.attach_host(id, &key, true, now, &mut fx),
                };
                if result.is_ok() {
                    self.conns.insert(id, conn);
                }
                let _ = reply.send(result);
            }
            RoomCmd::Player {
                conn,
                player,
                msg,
                at,
            } => self.room.player_msg(conn, player, msg, at, now, &mut fx),
            RoomCmd::Host { conn, msg } => self.room.host_msg(conn, msg, now, &mut fx),
            RoomCmd::Gone { conn } => {
                self.conns.remove(&conn);
                self.room.conn_closed(conn, now, &mut fx);
            }
            RoomCmd::Shutdown { done } => {
                self.shutdown_done = Some(done);
                self.room.shutdown(&mut fx);
            }
            RoomCmd::Handover { done } => {
                info!("handed over");
                self.move_everyone();
                let _ = done.send(());
                return;
            }
            RoomCmd::Summary { reply } => {
                let _ = reply.send(self.room.summary());
            }
            RoomCmd::PlayAgain { conn, reply } => {
                let _ = reply.send(self.room.play_again(conn));
            }
            RoomCmd::PlayedAgain { made } => self.room.played_again(made, &mut fx),
            RoomCmd::End { done } => {
                info!("ended by an admin");
                self.room.end(now, &mut fx);
                self.apply(fx);
                let _ = done.send(());
                return;
            }
            RoomCmd::Remote { batch, reply } => return self.remote_batch(batch, reply, now),
            RoomCmd::EdgeLost { edge } => {
                for id in self
                    .remote
                    .as_mut()
                    .map(|r| r.lost(&edge))
                    .unwrap_or_default()
                {
                    self.room.conn_closed(id, now, &mut fx);
                }
            }
        }
        self.apply(fx);
    }

    /// Applies an edge's batch in order, as if its sockets were this node's, and acks it once
    /// its rows are stored. A batch applied before (resent: its ack was lost) is acked again.
    fn remote_batch(&mut self, batch: InBatch, reply: oneshot::Sender<InAck>, now: Instant) {
        let Some(remote) = self.remote.as_mut() else {
            return;
        };
        if let Some(ack) = remote.seen(&batch) {
            remote.ack_after(self.sent_seq, &batch.edge, reply, ack);
            return remote.release(self.done_seq);
        }
        let mut fx = Effects::new();
        let mut outcomes = Vec::new();
        let edge = batch.edge.as_str();
        for item in batch.items {
            match item {
                InItem::Join { conn, name, token } => {
                    let id = remote.attach(edge, conn);
                    let result = owner::join(&mut self.room, id, &name, token, now, &mut fx);
                    match result {
                        Ok(player) => {
                            remote.bind(id, player);
                            self.metrics.players_joined.inc();
                        }
                        Err(_) => remote.detach(id),
                    }
                    outcomes.push(owner::outcome(conn, result));
                }
                InItem::Resume { conn, token } => {
                    let id = remote.attach(edge, conn);
                    let result = self.room.resume(id, &token, now, &mut fx);
                    match result {
                        Ok(player) => remote.bind(id, player),
                        Err(_) => remote.detach(id),
                    }
                    outcomes.push(owner::outcome(conn, result));
                }
                InItem::Msg {
                    conn,
                    msg,
                    elapsed_ms,
                } => {
                    let Some(id) = remote.conn_of(edge, conn) else {
                        continue;
                    };
                    let Some(player) = remote.player_of(id) else {
                        continue;
                    };
                    // The edge's measure, from its writing the question to its reading the
                    // answer, placed on this node's clock; never later than now.
                    let at = match (elapsed_ms, remote.shown_at) {
                        (Some(ms), Some(shown)) => {
                            (shown + std::time::Duration::from_millis(ms)).min(now)
                        }
                        _ => now,
                    };
                    self.room.player_msg(id, player, msg, at, now, &mut fx);
                }
                InItem::Gone { conn } => {
                    if let Some(id) = remote.conn_of(edge, conn) {
                        remote.detach(id);
                        self.room.conn_closed(id, now, &mut fx);
                    }
                }
            }
        }
        let edge = batch.edge.clone();
        self.apply(fx);
        if let Some(remote) = self.remote.as_mut() {
            let ack = remote.ack(batch.batch, outcomes);
            remote.ack_after(self.sent_seq, &edge, reply, ack);
            remote.release(self.done_seq);
        }
    }

    fn apply(&mut self, fx: Effects) {
        for effect in fx {
            match effect {
                Effect::Persist(write) => {
                    self.sent_seq += 1;
                    self.writer
                        .write(write, self.sent_seq, Arc::clone(&self.committed));
                }
                // Numbered with the last barrier: the writer commits in order, so its commit
                // reports nothing that was not already stored.
                Effect::Record(write) => {
                    self.writer
                        .write(write, self.sent_seq, Arc::clone(&self.committed));
                }
                other if self.done_seq < self.sent_seq => {
                    self.held.push_back((self.sent_seq, other, self.handled_at));
                }
                other => self.deliver(other),
            }
        }
        self.drop_cut_off();
    }

    /// Delivers what the latest commit released.
    fn flush(&mut self) {
        let released = now();
        while self
            .held
            .front()
            .is_some_and(|(seq, ..)| *seq <= self.done_seq)
        {
            if let Some((_, effect, handled_at)) = self.held.pop_front() {
                // An ack follows its answer's `Persist`, so every ack is held and released here.
                if let Effect::Send(_, ServerMsg::AnswerAck { .. }) = effect {
                    self.metrics
                        .answer_ack
                        .observe(released.saturating_duration_since(handled_at));
                }
                self.deliver(effect);
            }
        }
        if let Some(remote) = &mut self.remote {
            remote.release(self.done_seq);
        }
        self.drop_cut_off();
    }

    fn deliver(&mut self, effect: Effect) {
        match effect {
            Effect::Send(target, msg) => {
                let fanout = matches!(msg, ServerMsg::Question(_)).then(Instant::now);
                self.metrics.refused.count(&msg);
                // Encode once, send many: every recipient writes the same frame's bytes.
                let frame = match Frame::json(&msg) {
                    Ok(frame) => frame,
                    Err(e) => return warn!(error = %e, "cannot encode a message"),
                };
                let is_error = matches!(msg, ServerMsg::Error { .. });
                // Charged before it is queued, so the asker's next message already pays.
                let cost = match (&msg, target) {
                    (ServerMsg::Players { .. }, Target::Conn(_)) => frame.len() / 1024,
                    _ => 0,
                };
                // Every edge writes a broadcast to its own sockets: published once here. Edges
                // hold only players, so a frame for every player is a broadcast to them too.
                let broadcast = matches!(target, Target::Everyone | Target::Players);
                if let (true, Some(remote)) = (broadcast, self.remote.as_mut()) {
                    let question = matches!(msg, ServerMsg::Question(_));
                    remote.broadcast(Some(frame.as_str()), question, false);
                }
                for c in self.room.recipients(target) {
                    if let Some(remote) = self.remote.as_mut().filter(|r| r.is_remote(c)) {
                        if !broadcast {
                            remote.personal(c, Some(frame.as_str()), is_error, false);
                        }
                        continue;
                    }
                    if let Some(h) = self.conns.get(&c) {
                        if cost > 0 {
                            h.owed.fetch_add(cost as u32, Ordering::Relaxed);
                        }
                        let out = if is_error {
                            Out::Error(frame.clone())
                        } else {
                            Out::Frame(frame.clone())
                        };
                        if !h.push(out) {
                            self.cut_off.push(c);
                        }
                    }
                }
                if let Some(began) = fanout {
                    self.metrics.question_fanout.observe(began.elapsed());
                }
            }
            Effect::Disconnect(c) => {
                if let Some(h) = self.conns.remove(&c) {
                    h.push(Out::Close(1000, ""));
                }
                if let Some(remote) = self.remote.as_mut() {
                    remote.personal(c, None, false, true);
                }
            }
            Effect::Dissolve => self.dissolved = true,
            Effect::Persist(_) | Effect::Record(_) => unreachable_persist(),
        }
    }

    /// The game is served by another node from now on (this node handed it over, or another
    /// claimed it): every connection is told `moved`, without a URL (the next owner is not
    /// known yet; any node will route the client there) and with a short wait, and closed
    /// normally. What is held waited for rows this node will not store: it is dropped, and
    /// the game is neither closed nor ended here.
    fn move_everyone(&mut self) {
        self.held.clear();
        if let Some(text) = moved_text(self.room.pin()) {
            if let Some(remote) = self.remote.as_mut() {
                remote.broadcast(Some(&text), false, true);
            }
            let frame = Frame::text(&text);
            for (_, conn) in self.conns.drain() {
                self.metrics.moved.inc();
                conn.push(Out::Frame(frame.clone()));
                conn.push(Out::Close(1000, ""));
            }
        }
        self.moved_away = true;
    }

    /// Moves the players-connected gauge by this room's change since it last looked.
    fn count_players(&mut self, connected: u32) {
        if connected != self.players_counted {
            let delta = i64::from(connected) - i64::from(self.players_counted);
            self.metrics.players_connected.inc_by(delta);
            self.players_counted = connected;
        }
    }

    /// Connections that could not keep up leave through the normal path.
    fn drop_cut_off(&mut self) {
        while let Some(c) = self.cut_off.pop() {
            if self.conns.remove(&c).is_some() {
                debug!(conn = c, "outbox full; cutting off");
                let mut fx = Effects::new();
                self.room.conn_closed(c, now(), &mut fx);
                self.apply(fx);
            }
        }
    }
}

/// The `moved` a room's clients get when it is served elsewhere from now on: without a URL
/// (any node routes them), after a short wait.
pub(crate) fn moved_text(pin: &Pin) -> Option<String> {
    let msg = ServerMsg::Moved {
        pin: pin.clone(),
        url: None,
        retry_after_ms: Some(MOVED_RETRY_MS),
    };
    serde_json::to_string(&msg).ok()
}

/// `apply` routes every `Persist` to the writer before delivery is considered.
fn unreachable_persist() {
    warn!("a persist effect reached delivery; ignored");
}
