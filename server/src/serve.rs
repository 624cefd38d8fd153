//! The accept loop: HTTP/1 through hyper with a header-read timer (a request whose headers are
//! not complete in time is closed), the connection caps, the client address for per-address
//! limits (the peer, or what a trusted proxy forwarded), and graceful stop. It survives running out of file descriptors.
//!
//! (axum's own `serve` arms no header timer, so a slow client could hold a socket forever.)

use crate::limits::{Refused, Slot};
use crate::proxy::ClientAddr;
use crate::App;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tracing::{debug, warn};

/// How long the loop sleeps when `accept` fails for lack of resources (EMFILE and friends).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The connection's admission, shared by the HTTP connection and the WebSocket it may become:
/// the place is freed when both are gone.
#[derive(Clone)]
pub struct Admitted(#[allow(dead_code)] pub Arc<Slot>);

/// Accepts until `stop` turns true, then asks open HTTP connections to finish and returns.
pub async fn accept_loop(
    listener: TcpListener,
    app: App,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let cap_total = app.max_connections();
    let mut starved = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => {
                starved = false;
                pair
            }
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // Out of descriptors (or memory): the queue keeps the clients waiting; try
                // again shortly instead of spinning or giving up. Logged once per episode.
                if !starved {
                    warn!(error = %e, open = app.guards().conns.total(), "cannot accept connections");
                    starved = true;
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let per_addr = app.per_addr_cap(peer.ip());
        let slot = match app.guards().conns.admit(peer.ip(), per_addr, cap_total) {
            Ok(slot) => slot,
            Err(why) => {
                debug!(peer = %peer.ip(), ?why, "connection refused by a cap");
                drop(stream);
                if why == Refused::Total && !starved {
                    warn!(limit = cap_total, "connection cap reached");
                    starved = true;
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_conn(
            stream,
            peer,
            Admitted(Arc::new(slot)),
            app.clone(),
            router.clone(),
            stop.clone(),
        ));
    }
}

fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
    )
}

async fn serve_conn(
    stream: TcpStream,
    peer: SocketAddr,
    admitted: Admitted,
    app: App,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let proxies = app.clone();
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        let client = proxies.client_addr(peer.ip(), req.headers());
        req.extensions_mut().insert(ClientAddr(client));
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(admitted.clone());
        let mut router = router.clone();
        async move { tower_service::Service::call(&mut router, req).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(app.config().header_timeout)
        .keep_alive(true);
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                debug!(peer = %peer.ip(), error = %e, "http connection ended");
            }
            return;
        }
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}
