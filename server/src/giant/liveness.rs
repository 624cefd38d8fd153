//! Which edges of a room are alive, as its owner hears them: each edge with players in the
//! room says so every [`ALIVE_EVERY`] on the room's `.alive` subject, and one silent for
//! [`EDGE_SILENT`] is lost: its players are disconnected, as for a dropped socket. An edge
//! heard again after that is told so, and announces its players again.
//!
//! Pure bookkeeping, the time an input: the owner's inbound task feeds it.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How often an edge with players in a room says it is alive.
pub const ALIVE_EVERY: Duration = Duration::from_secs(1);
/// An edge silent this long is lost (a few missed beats: a busy edge is not a dead one).
pub const EDGE_SILENT: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Liveness {
    /// When each live edge was last heard.
    heard: HashMap<String, Instant>,
    /// Edges declared lost and not heard since.
    lost: HashSet<String>,
}

impl Liveness {
    /// `edge` said it is alive at `now`. True if it had been declared lost: its players were
    /// disconnected here, and it must announce them again.
    pub fn alive(&mut self, edge: &str, now: Instant) -> bool {
        self.heard.insert(edge.to_owned(), now);
        self.lost.remove(edge)
    }

    /// A batch came from `edge` at `now`: it is alive, unless it was declared lost (then only
    /// its next [`Liveness::alive`] brings it back, so that it learns it was lost).
    pub fn batch(&mut self, edge: &str, now: Instant) {
        if !self.lost.contains(edge) {
            self.heard.insert(edge.to_owned(), now);
        }
    }

    /// The edges silent for [`EDGE_SILENT`] at `now`, each declared lost once.
    pub fn sweep(&mut self, now: Instant) -> Vec<String> {
        let silent: Vec<String> = self
            .heard
            .iter()
            .filter(|(_, &at)| now.saturating_duration_since(at) >= EDGE_SILENT)
            .map(|(edge, _)| edge.clone())
            .collect();
        for edge in &silent {
            self.heard.remove(edge);
            self.lost.insert(edge.clone());
        }
        silent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silent_edge_is_lost_once_and_told_so_when_heard_again() {
        let t0 = Instant::now();
        let mut edges = Liveness::default();
        assert!(!edges.alive("a", t0), "new, not lost");
        edges.batch("b", t0);
        let later = t0 + EDGE_SILENT - Duration::from_millis(1);
        edges.alive("a", later);
        assert_eq!(edges.sweep(t0 + EDGE_SILENT), vec!["b".to_owned()]);
        assert!(edges.sweep(t0 + EDGE_SILENT * 3).contains(&"a".to_owned()));
        assert!(
            edges.sweep(t0 + EDGE_SILENT * 9).is_empty(),
            "lost once each"
        );
        // A batch from a lost edge does not bring it back silently; its beat does, once.
        edges.batch("b", t0 + EDGE_SILENT * 10);
        assert!(edges.sweep(t0 + EDGE_SILENT * 20).is_empty());
        assert!(edges.alive("b", t0 + EDGE_SILENT * 21));
        assert!(!edges.alive("b", t0 + EDGE_SILENT * 22));
    }
}
