//! One WebSocket connection: frames are parsed into commands for its room; whole frames are
//! written to the socket at once when it takes them, else through a bounded outbox that a
//! writer task drains (see `socket`); a ping keeps idle links honest. It holds no game state.

use crate::cluster::Location;
use crate::limits::{Bucket, Rate};
use crate::lobby::Directory;
use crate::proxy::ClientAddr;
use crate::room::actor::HostAttach;
use crate::room::state::ConnId;
use crate::room::{ConnHandle, Out, RoomCmd, RoomHandle, HOST_BACKLOG, PLAYER_BACKLOG};
use crate::secret::random_hex;
use crate::serve::Admitted;
use crate::store::Role;
use crate::App;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::{SinkExt, StreamExt};
use quizrace_protocol::{
    parse_client, ClientMsg, CloseReason, ErrorCode, HostCredential, HostView, Pin, PlayerId,
    ServerMsg, MAX_FRAME_BYTES,
};
use serde_json::json;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::{debug, info, Instrument};

mod answer;
mod attempt;
mod create;
pub mod frame;
mod route;
mod socket;
use create::HostRequest;
pub use frame::Frame;
use route::{check_pin_query, route, Route};
pub use socket::Wire;

/// The read buffer of a socket (tungstenite's default is 128 KiB): a client's messages are
/// small, and a larger one grows the buffer for itself.
const READ_BUFFER: usize = 512;
/// How long a socket we closed waits for the client's own Close before it is dropped.
const CLOSE_LINGER: Duration = Duration::from_secs(1);
/// A failed join from a throttled address is answered this much later: a guesser's
/// connection waits, an honest player (who knows the PIN) never gets here.
const JOIN_TARPIT: Duration = Duration::from_millis(250);

/// The WebSocket endpoint. The origin policy ran before this (see [`crate::http::origin`]).
pub async fn upgrade(
    ws: socket::Upgrade,
    State(app): State<App>,
    RawQuery(query): RawQuery,
    client: Option<Extension<ClientAddr>>,
    admitted: Option<Extension<Admitted>>,
) -> Response {
    let query_pin = match check_pin_query(query.as_deref()) {
        Ok(pin) => pin,
        Err(message) => {
            let body =
                json!({"error": {"code": ErrorCode::BadField, "message": message, "field": "pin"}});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    // The join-failure throttle keys on the client behind a trusted proxy, not the proxy.
    let peer = client.map(|Extension(ClientAddr(a))| a);
    // Held until the socket closes, so the connection caps count WebSockets too.
    let admitted = admitted.map(|Extension(a)| a);
    ws.on_upgrade(move |read, write| {
        let id = app.next_conn_id();
        async move {
            let _admitted = admitted;
            run(read, write, app, id, peer, query_pin).await
        }
        .instrument(tracing::debug_span!("conn", id))
    })
}

/// How the client's frames are read: thousands of sockets share this machine's memory.
fn read_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

enum Bound {
    Nothing,
    Player {
        room: RoomHandle,
        player: PlayerId,
    },
    Host {
        room: RoomHandle,
    },
    /// A read-only big screen of the room (`host_resume` with `"view": "screen"`).
    Screen {
        room: RoomHandle,
    },
    /// An attempt at a self-paced assignment (no room: see `ws::attempt`).
    Attempt(Box<attempt::Session>),
}

struct Conn {
    app: App,
    /// The room named by `/ws?pin=`, if any.
    query_pin: Option<Pin>,
    /// The query's PIN named no running game: its failure is counted once, already.
    query_missed: bool,
    /// The client was told `moved`: the socket reads nothing more (a frame already on its
    /// way, sent before the client read `moved`, would be answered `moved` again).
    moved: bool,
    /// A room served by another node that this node relays players to (`--nats`): this
    /// node is an edge for it instead of answering `moved`.
    edge_pin: Option<Pin>,
    handle: ConnHandle,
    bound: Bound,
    /// The source address, for the per-address join throttle (absent in some tests).
    peer: Option<IpAddr>,
    /// Messages from this socket: a player's or a stranger's; the host is not limited.
    bucket: Bucket,
    rate: Rate,
}

async fn run(
    read: socket::Incoming,
    wire: Arc<socket::Wire>,
    app: App,
    id: ConnId,
    peer: Option<IpAddr>,
    query_pin: Option<Pin>,
) {
    let _counted = app.metrics().node().ws_open();
    let (tx, rx) = mpsc::channel(HOST_BACKLOG);
    let mut stream = socket::reader(read, Arc::clone(&wire), tx.downgrade(), read_config()).await;
    let kill = Arc::new(Notify::new());
    let handle_wire = Some(Arc::downgrade(&wire));
    let mut writer = tokio::spawn(socket::write_loop(wire, rx));
    let mut shutdown = app.shutdown_signal();
    let rate = app.config().msg_rate;
    let mut conn = Conn {
        query_pin: query_pin.clone(),
        query_missed: false,
        moved: false,
        edge_pin: None,
        peer,
        bucket: Bucket::full(rate, Instant::now().into_std()),
        rate,
        app,
        handle: ConnHandle {
            id,
            tx,
            kill: Arc::clone(&kill),
            backlog: PLAYER_BACKLOG,
            owed: Default::default(),
            wire: handle_wire,
        },
        bound: Bound::Nothing,
    };
    let (ping_every, idle_close) = (conn.app.config().ping_every, conn.app.config().idle_close);
    let mut ping = tokio::time::interval_at(Instant::now() + ping_every, ping_every);
    let mut last_seen = Instant::now();
    let mut writer_done = false;
    // A socket for a room served elsewhere is answered before the client says anything.
    if let Some(pin) = &query_pin {
        if Box::pin(conn.routed_away(pin, true, true)).await {
            debug!(pin = %pin, "socket moved");
        }
    }
    while !conn.moved {
        let attempt_wake = conn.attempt_wake();
        tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(msg)) => {
                    last_seen = Instant::now();
                    if !matches!(msg, Message::Close(_)) && !conn.may_send() {
                        // An error like any other: a client that keeps flooding after being
                        // told reaches the garbage limit and is closed with 1008.
                        conn.error(ErrorCode::RateLimited);
                        continue;
                    }
                    match msg {
                        Message::Text(text) => conn.on_text(&text).await,
                        Message::Binary(_) => conn.send(ServerMsg::error(
                            ErrorCode::BadMessage,
                            "binary frames are not understood; send JSON text",
                        )),
                        Message::Close(_) => {
                            // Queues the answering close before the outbox can close.
                            let _ = stream.flush().await;
                            break;
                        }
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
                Some(Err(e)) => {
                    debug!(error = %e, "socket error");
                    if is_too_big(&e) {
                        conn.handle.push(Out::Close(1009, "frame too large"));
                    }
                    break;
                }
                None => break,
            },
            _ = ping.tick() => {
                conn.handle.push(Out::Ping);
            }
            () = tokio::time::sleep_until(attempt_wake.unwrap_or(last_seen + idle_close)),
                if attempt_wake.is_some() => {
                Box::pin(conn.attempt_tick()).await;
            }
            () = tokio::time::sleep_until(last_seen + idle_close) => {
                debug!("silent for too long");
                conn.handle.push(Out::Close(1001, "idle"));
                break;
            }
            () = kill.notified() => {
                writer.abort();
                break;
            }
            _ = shutdown.changed(), if matches!(conn.bound, Bound::Nothing | Bound::Attempt(_)) => {
                conn.stopping();
                break;
            }
            _ = &mut writer => {
                writer_done = true;
                break;
            }
        }
    }
    let Conn { handle, bound, .. } = conn;
    match bound {
        Bound::Player { room, .. } | Bound::Host { room } | Bound::Screen { room } => {
            room.send(RoomCmd::Gone { conn: id }).await;
        }
        Bound::Nothing | Bound::Attempt(_) => {}
    }
    drop(handle);
    if !writer_done {
        // Let queued frames (an error, a close) go out, but not forever.
        if tokio::time::timeout(Duration::from_secs(2), &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }
    // The closing handshake: after our Close, read until the client's Close (or a short
    // while). Dropping the socket at once would reset it under a client that still has a
    // pong in flight, and the reset discards our Close frame before the client reads it.
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(msg)) = stream.next().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

fn is_too_big(e: &tungstenite::Error) -> bool {
    matches!(e, tungstenite::Error::Capacity(_))
}

impl Conn {
    fn send(&self, msg: ServerMsg) {
        self.app.metrics().node().refused.count(&msg);
        let is_error = matches!(msg, ServerMsg::Error { .. });
        if let Ok(frame) = Frame::json(&msg) {
            self.handle.push(if is_error {
                Out::Error(frame)
            } else {
                Out::Frame(frame)
            });
        }
    }

    fn error(&self, code: ErrorCode) {
        self.send(ServerMsg::error_code(code));
    }

    /// Takes a token from this socket's bucket (the host's socket is not limited), after what
    /// it owes for large replies it asked for.
    fn may_send(&mut self) -> bool {
        let owed = self
            .handle
            .owed
            .swap(0, std::sync::atomic::Ordering::Relaxed);
        if matches!(self.bound, Bound::Host { .. }) {
            return true;
        }
        let now = Instant::now().into_std();
        self.bucket.charge(self.rate, f64::from(owed), now);
        self.bucket.take(self.rate, now)
    }

    /// The server stops while this socket is in no room. One node: `server_shutdown`. A cluster
    /// node never says that (the games go on): a socket that named its room is told `moved`
    /// (to any node, shortly), any other is closed as going away, and its client reconnects.
    fn stopping(&mut self) {
        if matches!(self.bound, Bound::Attempt(_)) {
            // Everything of an attempt is stored: its player takes it up again on any node.
            self.handle.push(Out::Close(1001, "server stopping"));
        } else if !self.app.cluster().is_cluster() {
            self.send(ServerMsg::RoomClosed {
                reason: CloseReason::ServerShutdown,
            });
            self.handle.push(Out::Close(1000, ""));
        } else if let Some(pin) = self.query_pin.clone() {
            self.moved(&pin, None, Some(crate::room::actor::MOVED_RETRY_MS));
        } else {
            self.handle.push(Out::Close(1001, "server stopping"));
        }
    }

    /// Tells the client that room `pin` is served elsewhere, and closes normally.
    fn moved(&mut self, pin: &Pin, url: Option<String>, retry_after_ms: Option<u32>) {
        self.moved = true;
        self.app.metrics().rooms().moved.inc();
        self.send(ServerMsg::Moved {
            pin: pin.clone(),
            url,
            retry_after_ms,
        });
        self.handle.push(Out::Close(1000, ""));
    }

    /// On a cluster node, for a PIN not in this node's lobby: asks the database where its game
    /// is served and, if elsewhere (or failing over), tells the client `moved`. True when it
    /// did. False for a room here, no running game (the caller answers `no_such_room`, a
    /// failure the throttle counts), and on one node, which asks nothing.
    ///
    /// An address the join-failure throttle holds is not routed (no query, no answer that
    /// tells a live PIN from a dead one): its join fails as any other. `from_query`: the PIN
    /// of `/ws?pin=`, answered before any message; naming no game counts as one failed join
    /// (a prober learns nothing for free), and the join that follows on this socket for the
    /// same PIN is not counted again.
    ///
    /// `player`: the socket may be a player's (not a host's or a screen's). With `--nats`, a
    /// player's socket for a room on another live node stays here, which relays it as an
    /// edge (see [`crate::giant`]); hosts and screens still go to the owner.
    async fn routed_away(&mut self, pin: &Pin, from_query: bool, player: bool) -> bool {
        if !self.app.cluster().is_cluster() || self.app.lobby().lookup(pin).is_some() {
            return false;
        }
        if player && self.edge_pin.as_ref() == Some(pin) {
            return false;
        }
        let now = Instant::now().into_std();
        if self
            .peer
            .is_some_and(|ip| !self.app.guards().joins.allows(&ip, now))
        {
            return false;
        }
        let (cluster, p) = (Arc::clone(self.app.cluster()), pin.clone());
        let location = tokio::task::spawn_blocking(move || cluster.locate(&p)).await;
        let location = match location {
            Ok(Ok(location)) => location,
            // The database did not answer: the room may well exist; come back shortly.
            Ok(Err(e)) => {
                debug!(error = %e, "cannot locate a PIN");
                Location::FailingOver
            }
            Err(_) => Location::FailingOver,
        };
        let served_elsewhere = matches!(location, Location::Node { .. });
        if player && served_elsewhere && self.app.giant().is_some() {
            self.edge_pin = Some(pin.clone());
            return false;
        }
        match route(pin, location) {
            Route::Moved {
                url,
                retry_after_ms,
            } => {
                self.moved(pin, url, retry_after_ms);
                true
            }
            Route::NoRoom => {
                if from_query {
                    if let Some(ip) = self.peer {
                        self.app.guards().joins.failed(ip, now);
                    }
                    self.query_missed = true;
                }
                false
            }
        }
    }

    /// A join, resume or host resume that named no room or a bad key. Counted per source
    /// address; once the address is throttled the answer is `rate_limited`, a little later.
    /// Successful joins are never counted, so a class behind one address always gets in.
    async fn join_failed(&mut self, code: ErrorCode) {
        let counted = std::mem::take(&mut self.query_missed) && code == ErrorCode::NoSuchRoom;
        if let Some(ip) = self.peer.filter(|_| !counted) {
            let now = Instant::now().into_std();
            let joins = &self.app.guards().joins;
            if !joins.allows(&ip, now) {
                tokio::time::sleep(JOIN_TARPIT).await;
                return self.error(ErrorCode::RateLimited);
            }
            joins.failed(ip, now);
        }
        self.error(code)
    }

    /// A player's answer goes straight to the room; everything else through [`Self::dispatch`],
    /// boxed: its future (joins, rooms, attempts) is several KiB, and held inline it would
    /// make every connection's task that large.
    async fn on_text(&mut self, text: &str) {
        let at = Instant::now().into_std();
        let parsed = answer::quick_answer(text).map_or_else(|| parse_client(text), Ok);
        let msg = match parsed {
            Err(e) => return self.send(e.to_msg()),
            Ok(msg) => msg,
        };
        if let (Bound::Player { room, player }, ClientMsg::Answer { .. }) = (&self.bound, &msg) {
            let conn = self.handle.id;
            let player = *player;
            let cmd = RoomCmd::Player {
                conn,
                player,
                msg,
                at,
            };
            if !room.send(cmd).await {
                self.room_gone();
            }
            return;
        }
        Box::pin(self.dispatch(msg, at)).await
    }

    async fn dispatch(&mut self, msg: ClientMsg, at: std::time::Instant) {
        let conn = self.handle.id;
        // A room this node does not serve: the client goes where it is.
        if let (
            Bound::Nothing,
            ClientMsg::Join { pin, .. }
            | ClientMsg::Resume { pin, .. }
            | ClientMsg::HostResume { pin, .. },
        ) = (&self.bound, &msg)
        {
            let pin = pin.clone();
            let player = !matches!(msg, ClientMsg::HostResume { .. });
            if self.routed_away(&pin, false, player).await {
                return;
            }
        }
        match (&self.bound, msg) {
            (
                Bound::Nothing,
                ClientMsg::AssignmentJoin {
                    code,
                    name,
                    identifier,
                },
            ) => self.assignment_join(code, name, identifier).await,
            (Bound::Nothing, ClientMsg::AssignmentResume { code, token }) => {
                self.assignment_resume(code, token).await
            }
            (Bound::Attempt(_), msg @ ClientMsg::Answer { index, .. }) => {
                match msg.answer_value() {
                    Some(value) => self.attempt_answer(index, value).await,
                    None => self.error(ErrorCode::BadMessage),
                }
            }
            (Bound::Attempt(_), ClientMsg::AssignmentNext) => self.attempt_next().await,
            (Bound::Attempt(_), ClientMsg::Leave) => self.bound = Bound::Nothing,
            (
                Bound::Attempt(_),
                ClientMsg::AssignmentJoin { .. } | ClientMsg::AssignmentResume { .. },
            ) => self.error(ErrorCode::AlreadyJoined),
            (Bound::Attempt(_), _) => self.send(ServerMsg::error(
                ErrorCode::BadPhase,
                "an attempt takes only answer, assignment_next and leave",
            )),
            (_, ClientMsg::AssignmentNext) => self.send(ServerMsg::error(
                ErrorCode::BadPhase,
                "assignment_next is for an attempt at an assignment",
            )),
            (Bound::Nothing, ClientMsg::Join { pin, name }) => {
                if self
                    .app
                    .lobby()
                    .lookup(&pin)
                    .is_some_and(|r| r.generated_names)
                {
                    return self.join_generated(&pin).await;
                }
                let blocked = &self.app.config().blocked_words;
                if crate::names::clean(&name).is_some_and(|n| crate::names::is_blocked(&n, blocked))
                {
                    return self.error(ErrorCode::BadName);
                }
                let token = random_hex(16);
                self.bind_player(&pin, |conn, reply| RoomCmd::Join {
                    conn,
                    name,
                    token,
                    reply,
                })
                .await
            }
            (Bound::Nothing, ClientMsg::Resume { pin, token }) => {
                self.bind_player(&pin, |conn, reply| RoomCmd::Resume { conn, token, reply })
                    .await
            }
            (
                Bound::Nothing,
                ClientMsg::Host {
                    token,
                    quiz_id,
                    mode,
                    max_players,
                    auto_advance_ms,
                    chat,
                    names,
                    options,
                    teams,
                },
            ) => {
                let server_max = self.app.config().max_players;
                if max_players.is_some_and(|m| !(1..=server_max).contains(&m)) {
                    return self.send(ServerMsg::bad_field(
                        "max_players",
                        format!("max_players must be between 1 and {server_max} on this server"),
                    ));
                }
                if auto_advance_ms.is_some_and(|ms| !(1_000..=600_000).contains(&ms)) {
                    return self.send(ServerMsg::bad_field(
                        "auto_advance_ms",
                        "auto_advance_ms must be between 1000 and 600000",
                    ));
                }
                if let Some(refusal) = teams.and_then(bad_team_plan) {
                    return self.send(refusal);
                }
                let request = HostRequest {
                    token,
                    quiz_id,
                    mode,
                    max_players,
                    auto_advance_ms,
                    chat,
                    names,
                    options,
                    teams,
                };
                if let Err(refusal) = self.create_room(request).await {
                    self.send(refusal);
                }
            }
            (Bound::Nothing, ClientMsg::HostResume { pin, by, view }) => {
                let Some(room) = self.app.lobby().lookup(&pin) else {
                    return self.join_failed(ErrorCode::NoSuchRoom).await;
                };
                let screen = view == Some(HostView::Screen);
                let by = match by {
                    HostCredential::HostKey(key) => HostAttach::Key(key),
                    HostCredential::Token(token) => match self.may_run(&room, token).await {
                        // A key for this device, so it never needs the session again for
                        // this room (and the presenter link carries a key, not a login).
                        Ok(()) => {
                            info!(pin = %pin, "host takes control with a session");
                            HostAttach::Minted(random_hex(16))
                        }
                        Err(code @ ErrorCode::Unauthorized) => return self.join_failed(code).await,
                        Err(code) => return self.error(code),
                    },
                };
                match self.attach_host(&room, by, screen).await {
                    Ok(()) if screen => self.bound = Bound::Screen { room },
                    Ok(()) => self.bound = Bound::Host { room },
                    Err(code @ ErrorCode::Unauthorized) => self.join_failed(code).await,
                    Err(code) => self.error(code),
                }
            }
            (Bound::Nothing, _) => self.error(ErrorCode::NotJoined),
            (
                _,
                ClientMsg::Join { .. }
                | ClientMsg::Resume { .. }
                | ClientMsg::Host { .. }
                | ClientMsg::HostResume { .. }
                | ClientMsg::AssignmentJoin { .. }
                | ClientMsg::AssignmentResume { .. },
            ) => self.error(ErrorCode::AlreadyJoined),
            (Bound::Player { .. }, msg) if msg.is_host_command() => self.error(ErrorCode::NotHost),
            // A screen on the wall only watches; it never commands nor speaks.
            (Bound::Screen { .. }, _) => self.error(ErrorCode::NotHost),
            (Bound::Player { .. } | Bound::Host { .. }, ClientMsg::Chat { text, .. })
                if crate::names::hidden_char(&text).is_some() =>
            {
                self.send(ServerMsg::bad_field(
                    "text",
                    "a chat message cannot contain control, zero-width or direction-changing \
                     characters",
                ))
            }
            (Bound::Player { room, player }, msg) => {
                let cmd = RoomCmd::Player {
                    conn,
                    player: *player,
                    msg,
                    at,
                };
                if !room.send(cmd).await {
                    self.room_gone();
                }
            }
            (Bound::Host { room }, ClientMsg::PlayAgain) => {
                let old = room.clone();
                if let Err(refusal) = self.play_again(old).await {
                    self.send(refusal);
                }
            }
            (Bound::Host { room }, msg) => {
                if !room.send(RoomCmd::Host { conn, msg }).await {
                    self.room_gone();
                }
            }
        }
    }

    fn room_gone(&mut self) {
        self.bound = Bound::Nothing;
        self.error(ErrorCode::NoSuchRoom);
    }

    /// Binds this socket to a player of the room with `pin` (a join or a resume).
    async fn bind(
        &mut self,
        pin: &Pin,
        make: impl FnOnce(ConnHandle, crate::room::actor::Reply<PlayerId>) -> RoomCmd,
    ) -> Result<(), ErrorCode> {
        let room = self
            .app
            .lobby()
            .lookup(pin)
            .or_else(|| self.edge_room(pin))
            .ok_or(ErrorCode::NoSuchRoom)?;
        let (reply, answer) = oneshot::channel();
        if !room.send(make(self.handle.clone(), reply)).await {
            return Err(ErrorCode::NoSuchRoom);
        }
        let player = answer.await.unwrap_or(Err(ErrorCode::NoSuchRoom))?;
        self.bound = Bound::Player { room, player };
        Ok(())
    }

    /// This node's stand-in for room `pin` when it is an edge for it.
    fn edge_room(&self, pin: &Pin) -> Option<RoomHandle> {
        let giant = self.app.giant()?;
        (self.edge_pin.as_ref() == Some(pin)).then(|| giant.edge_room(pin))
    }

    async fn bind_player(
        &mut self,
        pin: &Pin,
        make: impl FnOnce(ConnHandle, crate::room::actor::Reply<PlayerId>) -> RoomCmd,
    ) {
        match self.bind(pin, make).await {
            Ok(()) => {}
            Err(code @ (ErrorCode::NoSuchRoom | ErrorCode::BadToken)) => {
                self.join_failed(code).await
            }
            Err(code) => self.error(code),
        }
    }

    /// A join to a room whose host chose generated names: the server picks a free one.
    async fn join_generated(&mut self, pin: &Pin) {
        for name in crate::names::generated_candidates() {
            let token = random_hex(16);
            let make = |conn, reply| RoomCmd::Join {
                conn,
                name,
                token,
                reply,
            };
            match self.bind(pin, make).await {
                Ok(()) => return,
                Err(ErrorCode::NameTaken) => continue,
                Err(code @ ErrorCode::NoSuchRoom) => return self.join_failed(code).await,
                Err(code) => return self.error(code),
            }
        }
        self.error(ErrorCode::ServerBusy);
    }

    /// Whether `token` is a live session of the room's host or of an admin.
    async fn may_run(&self, room: &RoomHandle, token: String) -> Result<(), ErrorCode> {
        let store = self.app.store().clone();
        let game = room.game_id;
        blocking(move || {
            let account = store
                .account_for_token(&token)
                .map_err(|_| ErrorCode::Internal)?
                .ok_or(ErrorCode::Unauthorized)?;
            let host = store.game_host(game).map_err(|_| ErrorCode::Internal)?;
            match host {
                Some((id, _)) if id == account.id || account.role == Role::Admin => Ok(()),
                _ => Err(ErrorCode::Unauthorized),
            }
        })
        .await
    }

    async fn attach_host(
        &self,
        room: &RoomHandle,
        by: HostAttach,
        screen: bool,
    ) -> Result<(), ErrorCode> {
        let (reply, answer) = oneshot::channel();
        let cmd = RoomCmd::AttachHost {
            conn: self.handle.as_host(),
            by,
            screen,
            reply,
        };
        if !room.send(cmd).await {
            return Err(ErrorCode::NoSuchRoom);
        }
        answer.await.unwrap_or(Err(ErrorCode::NoSuchRoom))
    }
}

/// Runs database work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ErrorCode> + Send + 'static,
) -> Result<T, ErrorCode> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or(Err(ErrorCode::Internal))
}

/// The refusal of a team plan out of range: `bad_field` `teams`, and no room is made.
fn bad_team_plan(plan: quizrace_protocol::TeamPlan) -> Option<ServerMsg> {
    use quizrace_protocol::{TeamPlan, TEAM_COUNTS, TEAM_SIZES};
    let (n, range, what) = match plan {
        TeamPlan::Count(n) => (n, TEAM_COUNTS, "a team count"),
        TeamPlan::Size(n) => (n, TEAM_SIZES, "a team size"),
    };
    (!range.contains(&n)).then(|| {
        ServerMsg::bad_field(
            "teams",
            format!(
                "{what} must be between {} and {}",
                range.start(),
                range.end()
            ),
        )
    })
}
