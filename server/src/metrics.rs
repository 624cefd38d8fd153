//! What operators scrape at `GET /metrics`: the node's counts and latencies in the Prometheus
//! text format. Handles only: every figure is an atomic the code that owns the event updates in
//! place, so recording costs no lock and no allocation, and a scrape reads them without asking
//! anyone (no database query, no message to a room).
//!
//! A subsystem's series are a struct of handles with a `register` method, as [`RoomMetrics`],
//! [`WriterMetrics`] and [`ClusterMetrics`] have: to add one, build and register it in [`Metrics::new`], and hand a clone to the
//! code that updates it. Nothing here depends on the rest of the server.

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::{MetricType, TypedMetric};
use prometheus_client::registry::Registry;
use quizrace_protocol::{ErrorCode, ServerMsg};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Every series is named `quizrace_…`.
const PREFIX: &str = "quizrace";

/// The node's metrics: the registry and the handles that are not some subsystem's own.
/// Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    node: NodeMetrics,
    rooms: RoomMetrics,
    cluster: ClusterMetrics,
}

/// Figures sampled when scraped, and the socket layer's.
#[derive(Clone)]
pub struct NodeMetrics {
    /// Set from the room directory at each scrape.
    pub rooms_open: Gauge,
    /// Set from the connection caps' count at each scrape: HTTP and WebSocket.
    pub connections: Gauge,
    pub ws_connections: Gauge,
    pub refused: Refusals,
}

/// Error frames sent to sockets, by kind. Clones share the counts.
#[derive(Clone, Default)]
pub struct Refusals {
    rate_limited: Counter,
    error: Counter,
}

impl Refusals {
    /// Counts `msg` if it is an `error` frame.
    pub fn count(&self, msg: &ServerMsg) {
        match msg {
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } => self.rate_limited.inc(),
            ServerMsg::Error { .. } => self.error.inc(),
            _ => 0,
        };
    }
}

/// What the rooms (their tasks, and the sockets that create them) record.
#[derive(Clone, Default)]
pub struct RoomMetrics {
    pub players_connected: Gauge,
    pub rooms_created: Counter,
    pub players_joined: Counter,
    /// Time the room task takes to hand one `question` to every outbox.
    pub question_fanout: Latency,
    /// From an answer's arrival in the room task to the release of its ack after the commit.
    pub answer_ack: Latency,
    /// The rooms' own refusals (a late answer, a chat too fast): the node's counts.
    pub refused: Refusals,
    /// `moved` frames sent, by the sockets (a room on another node) and by rooms that stop
    /// here to be served elsewhere (handed over, fenced).
    pub moved: Counter,
}

/// A cluster node's lease and claims (on one node: the lease is always held, nothing is
/// claimed).
#[derive(Clone, Default)]
pub struct ClusterMetrics {
    /// 1 while this node's last successful lease renewal is younger than the lease.
    pub lease_held: Gauge,
    pub lease_failures: Counter,
    /// Rooms this node took over from another node and rebuilt.
    pub failovers: Counter,
}

impl ClusterMetrics {
    fn register(&self, r: &mut Registry) {
        r.register(
            "lease_held",
            "1 while this node holds its cluster lease (always 1 on a single node)",
            self.lease_held.clone(),
        );
        r.register(
            "lease_renewal_failures",
            "Lease renewals that failed (the database was unreachable or refused)",
            self.lease_failures.clone(),
        );
        r.register(
            "failovers",
            "Rooms this node claimed from a node that stopped or lost its lease, and rebuilt",
            self.failovers.clone(),
        );
    }
}

/// What the database writer records. The writer thread owns a clone.
#[derive(Clone, Default)]
pub struct WriterMetrics {
    pub commits: Counter,
    pub rows: Counter,
    pub answers: Counter,
    pub commit_duration: Latency,
}

impl Metrics {
    /// Registers every series; `writer` is the database writer's own handles.
    pub fn new(writer: &WriterMetrics) -> Metrics {
        let mut registry = Registry::with_prefix(PREFIX);
        let node = NodeMetrics::new(&mut registry);
        let rooms = RoomMetrics {
            refused: node.refused.clone(),
            ..RoomMetrics::default()
        };
        rooms.register(&mut registry);
        writer.register(&mut registry);
        let cluster = ClusterMetrics::default();
        cluster.register(&mut registry);
        Metrics {
            inner: Arc::new(Inner {
                registry,
                node,
                rooms,
                cluster,
            }),
        }
    }

    pub fn node(&self) -> &NodeMetrics {
        &self.inner.node
    }

    pub fn rooms(&self) -> &RoomMetrics {
        &self.inner.rooms
    }

    pub fn cluster(&self) -> &ClusterMetrics {
        &self.inner.cluster
    }

    /// The text exposition of every series, into a fresh buffer.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::with_capacity(4096);
        prometheus_client::encoding::prometheus_text::encode(&mut text, &self.inner.registry)?;
        Ok(text)
    }
}

impl NodeMetrics {
    fn new(r: &mut Registry) -> NodeMetrics {
        let refused = Family::<[(&'static str, &'static str); 1], Counter>::default();
        // Both kinds exist from the start (a rate of zero reads 0, not nothing); the family's
        // counters are the very ones this node increments.
        let kind = |k| refused.get_or_create(&[("kind", k)]).clone();
        let m = NodeMetrics {
            rooms_open: Gauge::default(),
            connections: Gauge::default(),
            ws_connections: Gauge::default(),
            refused: Refusals {
                rate_limited: kind("rate_limited"),
                error: kind("error"),
            },
        };
        r.register("rooms", "Rooms open on this node", m.rooms_open.clone());
        r.register(
            "connections",
            "Open client connections (HTTP and WebSocket)",
            m.connections.clone(),
        );
        r.register(
            "ws_connections",
            "Open WebSocket connections",
            m.ws_connections.clone(),
        );
        r.register(
            "ws_refused",
            "WebSocket messages answered with an error frame: kind rate_limited (over the per-socket rate) or error (any other refusal)",
            refused,
        );
        m
    }

    /// Counts an open WebSocket until the guard drops.
    pub fn ws_open(&self) -> GaugeGuard {
        self.ws_connections.inc();
        GaugeGuard(self.ws_connections.clone())
    }
}

impl RoomMetrics {
    fn register(&self, r: &mut Registry) {
        r.register(
            "players_connected",
            "Players in a room with a connected socket",
            self.players_connected.clone(),
        );
        r.register(
            "rooms_created",
            "Rooms created since start",
            self.rooms_created.clone(),
        );
        r.register(
            "players_joined",
            "Players who joined a room since start (resumes not counted)",
            self.players_joined.clone(),
        );
        r.register(
            "moved",
            "moved frames sent: a client sent on to the room's node, or told to reconnect while its room fails over",
            self.moved.clone(),
        );
        r.register(
            "question_fanout_seconds",
            "Time a room takes to hand one question to every socket's outbox",
            self.question_fanout.clone(),
        );
        r.register(
            "answer_ack_seconds",
            "From an answer's arrival in its room to the release of its ack after the database commit",
            self.answer_ack.clone(),
        );
    }
}

impl WriterMetrics {
    fn register(&self, r: &mut Registry) {
        r.register(
            "db_commits",
            "Transactions the database writer committed",
            self.commits.clone(),
        );
        r.register(
            "db_rows",
            "Rows the database writer committed",
            self.rows.clone(),
        );
        r.register(
            "answers_stored",
            "Answer rows committed (a changed poll vote counts again)",
            self.answers.clone(),
        );
        r.register(
            "db_commit_seconds",
            "Time one commit of the database writer takes (retries included)",
            self.commit_duration.clone(),
        );
    }
}

/// Decrements its gauge when dropped.
pub struct GaugeGuard(Gauge);

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Upper bounds of [`Latency`]'s buckets, in microseconds: 1 ms to 10 s.
const BOUNDS_US: [u64; 13] = [
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000,
];

/// A latency histogram in seconds whose observation is two relaxed atomic adds.
/// (`prometheus_client`'s own histogram takes a lock per observation; the room task records
/// one per answer.) Cheap to clone; clones share the counts.
#[derive(Clone, Default, Debug)]
pub struct Latency(Arc<LatencyCounts>);

#[derive(Default, Debug)]
struct LatencyCounts {
    /// One count per bound, then the overflow (`+Inf`). Not cumulative.
    buckets: [AtomicU64; BOUNDS_US.len() + 1],
    sum_us: AtomicU64,
}

impl Latency {
    pub fn observe(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = BOUNDS_US.partition_point(|&b| b < us);
        self.0.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.0.sum_us.fetch_add(us, Ordering::Relaxed);
    }
}

impl TypedMetric for Latency {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for Latency {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let mut buckets = [(f64::INFINITY, 0); BOUNDS_US.len() + 1];
        for (i, slot) in buckets.iter_mut().enumerate() {
            if let Some(&b) = BOUNDS_US.get(i) {
                slot.0 = b as f64 / 1e6;
            }
            slot.1 = self.0.buckets[i].load(Ordering::Relaxed);
        }
        // The count is the buckets' total, so `_count` always equals the `+Inf` bucket.
        let count = buckets.iter().map(|b| b.1).sum();
        let sum = self.0.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    /// Every sample line's family has `# HELP` and `# TYPE` lines before it, names are
    /// `quizrace_…`, and values are numbers.
    fn check_text_format(text: &str) {
        let (mut helped, mut typed) = (HashSet::new(), HashMap::new());
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("HELP name text");
                assert!(!help.is_empty(), "{line}");
                helped.insert(name.to_owned());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
                assert!(helped.contains(name), "HELP before TYPE: {line}");
                typed.insert(name.to_owned(), kind.to_owned());
            } else {
                let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
                value.parse::<f64>().expect("a sample value is a number");
                let name = series.split('{').next().unwrap_or_default();
                assert!(name.starts_with("quizrace_"), "{line}");
                assert!(
                    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line}"
                );
                let family = ["_bucket", "_sum", "_count"]
                    .iter()
                    .find_map(|s| name.strip_suffix(s))
                    .filter(|f| typed.get(*f).is_some_and(|k| k == "histogram"))
                    .unwrap_or(name);
                assert!(typed.contains_key(family), "TYPE before sample: {line}");
            }
        }
    }

    fn sample(text: &str, series: &str) -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{series} in\n{text}"))
            .parse()
            .expect("a number")
    }

    #[test]
    fn the_exposition_is_valid_prometheus_text() {
        let writer = WriterMetrics::default();
        let m = Metrics::new(&writer);
        m.rooms().answer_ack.observe(Duration::from_millis(3));
        writer.commits.inc();
        m.node()
            .refused
            .count(&ServerMsg::error_code(ErrorCode::RateLimited));
        let text = m.encode().expect("encodes");
        check_text_format(&text);
        assert_eq!(sample(&text, "quizrace_db_commits_total"), 1.0);
        assert_eq!(
            sample(&text, "quizrace_ws_refused_total{kind=\"rate_limited\"}"),
            1.0
        );
        assert_eq!(
            sample(&text, "quizrace_ws_refused_total{kind=\"error\"}"),
            0.0
        );
        assert!(text.contains("# TYPE quizrace_answer_ack_seconds histogram\n"));
    }

    #[test]
    fn latency_buckets_are_cumulative_and_count_every_observation() {
        let writer = WriterMetrics::default();
        let m = Metrics::new(&writer);
        let ack = &m.rooms().answer_ack;
        for ms in [0, 1, 2, 40, 40, 20_000] {
            ack.observe(Duration::from_millis(ms));
        }
        let text = m.encode().expect("encodes");
        let at = |le: &str| {
            sample(
                &text,
                &format!("quizrace_answer_ack_seconds_bucket{{le=\"{le}\"}}"),
            )
        };
        assert_eq!(at("0.001"), 2.0, "0 ms and 1 ms: a bound is inclusive");
        assert_eq!(at("0.0025"), 3.0);
        assert_eq!(at("0.05"), 5.0);
        assert_eq!(at("10"), 5.0);
        assert_eq!(at("+Inf"), 6.0, "20 s is past every bound");
        assert_eq!(sample(&text, "quizrace_answer_ack_seconds_count"), 6.0);
        assert_eq!(sample(&text, "quizrace_answer_ack_seconds_sum"), 20.083);
    }
}
