//! Bots that play quizrace over real sockets, and the server fixture they play against.
//!
//! - [`server::TestServer`]: a real server on `127.0.0.1:0` with a temporary database; it shuts
//!   down when dropped.
//! - [`assignment`]: making an assignment and playing an attempt at it.
//! - [`bot::Bot`]: a typed WebSocket client. Every receive has a deadline; [`bot::Bot::expect`]
//!   skips to the message a test is about.
//! - [`http::Http`]: the few HTTP calls bots need (login, quizzes, results).
//! - [`play`]: strategies (right, wrong, seeded random, slow, drop-and-resume) and a game loop
//!   that records what each bot was told, so tests can check scores add up.
//! - [`redirect::Redirector`]: "another node" of a cluster that answers every socket with
//!   `moved`, for testing that bots follow it.
//! - [`stats`]: percentiles for the measuring tools.
//! - [`cluster`]: a cluster on loopback for process-level tests: a throw-away PostgreSQL,
//!   `quizrace` node processes, HAProxy with the rules of `deploy/haproxy.cfg`.
//! - [`cluster_game`]: one game played through a cluster by a host and bots that follow
//!   `moved` and resume, with the ledger the cluster tests check against the stored report.

pub mod assignment;
pub mod bot;
pub mod cluster;
pub mod cluster_game;
pub mod http;
pub mod play;
pub mod redirect;
pub mod server;
pub mod spawned;
pub mod stats;

pub use bot::{Bot, Host};
pub use http::Http;
pub use server::TestServer;
