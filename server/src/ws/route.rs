//! Where a socket's room is, for a cluster node: the `?pin=` of `GET /ws?pin=PIN`, and what a
//! socket does about a PIN its node's lobby does not have (`moved`, or `no_such_room`). Pure
//! decisions; the socket ([`super::Conn::routed_away`]) asks the database and acts on them.

use crate::cluster::Location;
use quizrace_protocol::Pin;

/// How long a client told `moved` for a room being failed over waits before it comes back:
/// claims run every second.
const FAILOVER_RETRY_MS: u32 = 1000;

/// `GET /ws?pin=PIN` names the room the socket is for, so a cluster node can move it to the
/// room's owner at once (see [`super::Conn::routed_away`]). It is checked for shape: one `pin`,
/// exactly six digits, not percent-encoded (digits never need it). The messages' own `pin`
/// still decides the room. Other parameters are ignored.
pub(super) fn check_pin_query(query: Option<&str>) -> Result<Option<Pin>, &'static str> {
    let mut pins = query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| pair.split('=').next() == Some("pin"));
    match (pins.next(), pins.next()) {
        (None, _) => Ok(None),
        (Some(_), Some(_)) => Err("give `pin` at most once"),
        (Some(pair), None) => match pair.strip_prefix("pin=").map(|p| Pin(p.to_owned())) {
            Some(pin) if pin.is_well_formed() => Ok(Some(pin)),
            _ => Err("a PIN is 6 digits"),
        },
    }
}

/// What a socket does about a PIN its node's lobby does not have (a cluster node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    /// Tell the client `moved` and close normally.
    Moved {
        url: Option<String>,
        retry_after_ms: Option<u32>,
    },
    /// No running game has this PIN: `no_such_room`, as on one node.
    NoRoom,
}

/// The route for a PIN that is not in this node's lobby, from where the database says its game
/// is. `Here` (this node owns the game but has not rebuilt its room yet) is a failover like an
/// owner whose lease ran out: the client waits a little and comes back.
pub(super) fn route(pin: &Pin, location: Location) -> Route {
    match location {
        Location::Node { url } => Route::Moved {
            url: Some(crate::cluster::socket_url(&url, pin)),
            retry_after_ms: None,
        },
        Location::Here | Location::FailingOver => Route::Moved {
            url: None,
            retry_after_ms: Some(FAILOVER_RETRY_MS),
        },
        Location::Nowhere => Route::NoRoom,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin() -> Pin {
        Pin("482913".into())
    }

    #[test]
    fn a_room_on_another_live_node_is_moved_to_its_socket_url() {
        let there = Location::Node {
            url: "https://n2.example.org:8443".into(),
        };
        assert_eq!(
            route(&pin(), there),
            Route::Moved {
                url: Some("wss://n2.example.org:8443/ws?pin=482913".into()),
                retry_after_ms: None,
            }
        );
    }

    #[test]
    fn a_room_failing_over_or_not_rebuilt_here_yet_is_moved_without_a_url_after_a_wait() {
        let wait = Route::Moved {
            url: None,
            retry_after_ms: Some(1000),
        };
        assert_eq!(route(&pin(), Location::FailingOver), wait);
        assert_eq!(
            route(&pin(), Location::Here),
            wait,
            "owned here, room not built yet"
        );
    }

    #[test]
    fn no_running_game_is_no_such_room_as_on_one_node() {
        assert_eq!(route(&pin(), Location::Nowhere), Route::NoRoom);
    }

    #[test]
    fn the_query_pin_is_kept_for_routing() {
        assert_eq!(check_pin_query(Some("pin=482913&v=2")), Ok(Some(pin())));
        assert_eq!(check_pin_query(Some("v=2")), Ok(None));
        assert_eq!(check_pin_query(None), Ok(None));
        assert!(check_pin_query(Some("pin=48291")).is_err());
    }
}
