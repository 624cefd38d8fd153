//! The PIN directory: PIN → room handle. It holds handles only, never game state.

use crate::room::RoomHandle;
use crate::secret::random_hex;
use dashmap::{mapref::entry::Entry, DashMap};
use quizrace_protocol::Pin;
use std::sync::Arc;

/// Six digits.
const PIN_SPACE: u32 = 1_000_000;
/// Random draws before the linear scan: with the space nearly full, random draws alone could
/// go on for a long time (and for ever once it is full).
const RANDOM_TRIES: u32 = 64;

fn pin_of(n: u32) -> Pin {
    Pin(format!("{n:06}"))
}

fn random() -> u32 {
    u32::from_str_radix(&random_hex(4), 16).unwrap_or(0)
}

/// A number below `space` for which `taken` is false: up to [`RANDOM_TRIES`] random draws,
/// then one pass over the whole space from a random start. `None` when every one is taken.
fn reserve_in(
    space: u32,
    taken: impl Fn(u32) -> bool,
    mut random: impl FnMut() -> u32,
) -> Option<u32> {
    for _ in 0..RANDOM_TRIES {
        let n = random() % space;
        if !taken(n) {
            return Some(n);
        }
    }
    let start = random() % space;
    (0..space).map(|i| (start + i) % space).find(|&n| !taken(n))
}

/// Where the rooms are, by PIN: what rooms and connections need from a directory.
///
/// [`Lobby`] is the single-node directory: in memory, and this node's hold on its rooms (its
/// lease) never expires. A directory shared by a cluster adds renewing this node's lease and
/// claiming the rooms of a node whose lease ran out; they have no meaning here, so they are
/// not declared until something calls them.
pub trait Directory {
    /// A PIN not in use now; `None` when all of them are. Registering a room under it
    /// ([`Directory::register`]) is what takes it.
    fn reserve_pin(&self) -> Option<Pin>;
    /// The room with this PIN.
    fn lookup(&self, pin: &Pin) -> Option<RoomHandle>;
    /// Registers a room under its PIN; false if the PIN was taken meanwhile.
    fn register(&self, room: RoomHandle) -> bool;
    /// Gives a closed room's PIN back.
    fn release(&self, pin: &Pin);
}

#[derive(Clone, Default)]
pub struct Lobby {
    rooms: Arc<DashMap<Pin, RoomHandle>>,
}

impl Directory for Lobby {
    fn reserve_pin(&self) -> Option<Pin> {
        reserve_in(PIN_SPACE, |n| self.rooms.contains_key(&pin_of(n)), random).map(pin_of)
    }

    /// The handle is cloned out: no map guard outlives this call.
    fn lookup(&self, pin: &Pin) -> Option<RoomHandle> {
        self.rooms.get(pin).map(|r| r.value().clone())
    }

    fn register(&self, room: RoomHandle) -> bool {
        match self.rooms.entry(room.pin.clone()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                v.insert(room);
                true
            }
        }
    }

    fn release(&self, pin: &Pin) {
        self.rooms.remove(pin);
    }
}

impl Lobby {
    pub fn handles(&self) -> Vec<RoomHandle> {
        self.rooms.iter().map(|r| r.value().clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.rooms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rooms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_full_pin_space_gives_none_instead_of_looping() {
        let draws = Cell::new(0u32);
        let random = || {
            draws.set(draws.get() + 1);
            draws.get() * 7919
        };
        assert_eq!(reserve_in(PIN_SPACE, |_| true, random), None);
        assert_eq!(
            draws.get(),
            RANDOM_TRIES + 1,
            "bounded draws, then one scan"
        );
    }

    #[test]
    fn the_last_free_pin_is_found_by_the_scan() {
        let free = 123_456;
        let got = reserve_in(PIN_SPACE, |n| n != free, || 999_999);
        assert_eq!(got, Some(free));
        assert_eq!(pin_of(7).0, "000007");
    }

    #[test]
    fn the_lobby_reserves_a_well_formed_pin_not_in_use() {
        let pin = Lobby::default()
            .reserve_pin()
            .expect("an empty lobby has room");
        assert!(pin.is_well_formed(), "{pin:?}");
    }
}
