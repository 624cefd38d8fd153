//! The messages between the owner of a room and its edges, JSON on core NATS, and their
//! subjects. docs/protocol.md ("Inside a cluster") shows each shape.

use quizrace_protocol::{ClientMsg, ErrorCode, Pin, PlayerId};
use serde::{Deserialize, Serialize};

/// Owner → every edge: the room's broadcasts, numbered.
pub fn out_subject(pin: &Pin) -> String {
    format!("quizrace.room.{}.out", pin.0)
}

/// Owner → one edge: personal frames for that edge's players, batched and numbered.
pub fn edge_subject(pin: &Pin, edge: &str) -> String {
    format!("quizrace.room.{}.edge.{edge}", pin.0)
}

/// Edges → owner: batches of joins, resumes, messages and departures (request/reply).
pub fn in_subject(pin: &Pin) -> String {
    format!("quizrace.room.{}.in", pin.0)
}

/// Edges → owner: "this edge still holds players of the room", every second (request/reply).
pub fn alive_subject(pin: &Pin) -> String {
    format!("quizrace.room.{}.alive", pin.0)
}

/// An edge's beat on [`alive_subject`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alive {
    pub edge: String,
}

/// The owner's reply to a beat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliveAck {
    /// As in [`Broadcast::epoch`].
    #[serde(default)]
    pub epoch: i64,
    /// The owner had found the edge silent and disconnected its players: the edge announces
    /// them again (a `resume` each).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lost: bool,
    /// The owner's run of the room (see [`Broadcast::owner`]); empty from an owner without one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// The number of the last broadcast the owner published in that run (0: none yet). An
    /// edge that by the next reply has still not written it lost it (even the last broadcast
    /// of a game, which no later number would reveal missing), and resynchronises.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub last: u64,
}

/// Items in one batch at most (an edge sends a batch when it has this many, or 5 ms after
/// its first item).
pub const BATCH_ITEMS: usize = 256;

/// Batches an edge has waiting for their ack at once, at most, per room; the owner remembers
/// as many of each edge's latest batches. So a batch sent again (its ack was lost, or it was)
/// is always still remembered if it was applied, and is applied once, however batches
/// overtake one another meanwhile.
pub const IN_FLIGHT: usize = 64;

/// A batch from an edge. `batch` numbers the edge's batches for this room: a resent batch
/// keeps its number, and the owner applies it once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InBatch {
    pub edge: String,
    pub batch: u64,
    pub items: Vec<InItem>,
}

/// One thing an edge's socket did. `conn` is the socket's id on its edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InItem {
    Join {
        conn: u64,
        name: String,
        token: String,
    },
    /// A player's `resume`, or the edge resynchronising a bound player after a gap.
    Resume {
        conn: u64,
        token: String,
    },
    /// A message from a bound player. For an answer, `elapsed_ms` is the time from when the
    /// edge wrote the question to its sockets to when it read the answer.
    Msg {
        conn: u64,
        msg: ClientMsg,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        elapsed_ms: Option<u64>,
    },
    Gone {
        conn: u64,
    },
}

/// The owner's reply to a batch, sent once what the batch changed is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InAck {
    /// The owner's lease epoch (see [`Broadcast::epoch`]): an ack from an older one is not an
    /// ack (that owner was fenced, its rows may not be stored), and the batch is sent again.
    #[serde(default)]
    pub epoch: i64,
    pub batch: u64,
    /// The result of each join and resume of the batch.
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub conn: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player: Option<PlayerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorCode>,
}

/// A broadcast: one frame for every player socket of the room, the same bytes on every edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Broadcast {
    /// The owner's lease epoch for the game, raised by every claim: an edge drops whatever
    /// comes with an epoch lower than the highest it has seen for the room (a fenced owner's),
    /// and follows a higher one.
    #[serde(default)]
    pub epoch: i64,
    /// The room's run on its owner (random at each start of the room there): a new one means
    /// a new owner, whose numbering starts again and who knows none of the edge's sockets.
    pub owner: String,
    /// 1, 2, 3… per room: a number skipped is a frame lost.
    pub seq: u64,
    /// The frame as the owner's own sockets get it (`None` with `close`: the room stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    /// A `question`: the edge times answers from when it writes this.
    #[serde(default, skip_serializing_if = "is_false")]
    pub question: bool,
    /// With a `question` of a race-mode room: the edge forwards each answer at once, unbatched.
    #[serde(default, skip_serializing_if = "is_false")]
    pub race: bool,
    /// After the frame, close every socket of the room (the room stopped or moved).
    #[serde(default, skip_serializing_if = "is_false")]
    pub close: bool,
}

/// Personal frames for one edge's players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToEdge {
    /// As in [`Broadcast::epoch`].
    #[serde(default)]
    pub epoch: i64,
    /// As in [`Broadcast::owner`].
    pub owner: String,
    /// 1, 2, 3… per room and edge.
    pub seq: u64,
    /// The last broadcast sent before these frames: the edge writes them after it and before
    /// the next one, as the owner's own sockets see them.
    pub after: u64,
    pub items: Vec<Personal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Personal {
    pub conn: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    /// The frame is an `error` (the edge's socket counts these as its own are counted).
    #[serde(default, skip_serializing_if = "is_false")]
    pub error: bool,
    /// Close the socket (code 1000) after the frame.
    #[serde(default, skip_serializing_if = "is_false")]
    pub close: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_batch_reads_as_documented() {
        let batch = InBatch {
            edge: "a1b2c3".into(),
            batch: 7,
            items: vec![
                InItem::Join {
                    conn: 4,
                    name: "Ada".into(),
                    token: "t".into(),
                },
                InItem::Msg {
                    conn: 4,
                    msg: ClientMsg::List,
                    elapsed_ms: None,
                },
                InItem::Gone { conn: 5 },
            ],
        };
        assert_eq!(
            serde_json::to_value(&batch).expect("json"),
            json!({"edge": "a1b2c3", "batch": 7, "items": [
                {"kind": "join", "conn": 4, "name": "Ada", "token": "t"},
                {"kind": "msg", "conn": 4, "msg": {"type": "list"}},
                {"kind": "gone", "conn": 5}
            ]})
        );
    }

    #[test]
    fn a_broadcast_and_personal_frames_read_as_documented() {
        let b = Broadcast {
            epoch: 2,
            owner: "e1".into(),
            seq: 3,
            frame: Some("{}".into()),
            question: true,
            race: true,
            close: false,
        };
        assert_eq!(
            serde_json::to_value(&b).expect("json"),
            json!({"epoch": 2, "owner": "e1", "seq": 3, "frame": "{}", "question": true, "race": true})
        );
        let p = ToEdge {
            epoch: 2,
            owner: "e1".into(),
            seq: 1,
            after: 3,
            items: vec![Personal {
                conn: 4,
                frame: None,
                error: false,
                close: true,
            }],
        };
        assert_eq!(
            serde_json::to_value(&p).expect("json"),
            json!({"epoch": 2, "owner": "e1", "seq": 1, "after": 3, "items": [{"conn": 4, "close": true}]})
        );
        let ack = InAck {
            epoch: 2,
            batch: 7,
            outcomes: vec![Outcome {
                conn: 4,
                player: None,
                error: Some(ErrorCode::NameTaken),
            }],
        };
        assert_eq!(
            serde_json::to_value(&ack).expect("json"),
            json!({"epoch": 2, "batch": 7, "outcomes": [{"conn": 4, "error": "name_taken"}]})
        );
        let alive = AliveAck {
            epoch: 2,
            lost: false,
            owner: "e1".into(),
            last: 9,
        };
        assert_eq!(
            serde_json::to_value(&alive).expect("json"),
            json!({"epoch": 2, "owner": "e1", "last": 9})
        );
        let old: AliveAck = serde_json::from_value(json!({"epoch": 2})).expect("json");
        assert_eq!(
            (old.owner.as_str(), old.last),
            ("", 0),
            "an older owner's reply reads"
        );
    }
}
