//! The PIN directory: PIN → room handle. It holds handles only, never game state.

use crate::room::RoomHandle;
use crate::secret::random_hex;
use dashmap::{mapref::entry::Entry, DashMap};
use quizrace_protocol::Pin;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Lobby {
    rooms: Arc<DashMap<Pin, RoomHandle>>,
}

impl Lobby {
    /// The room with this PIN. The handle is cloned out: no map guard outlives this call.
    pub fn get(&self, pin: &Pin) -> Option<RoomHandle> {
        self.rooms.get(pin).map(|r| r.value().clone())
    }

    /// A fresh PIN, not in use now.
    pub fn reserve_pin(&self) -> Pin {
        loop {
            let n = u32::from_str_radix(&random_hex(4), 16).unwrap_or(0) % 1_000_000;
            let pin = Pin(format!("{n:06}"));
            if !self.rooms.contains_key(&pin) {
                return pin;
            }
        }
    }

    /// Registers a room under its PIN; false if the PIN was taken meanwhile.
    pub fn insert(&self, room: RoomHandle) -> bool {
        match self.rooms.entry(room.pin.clone()) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                v.insert(room);
                true
            }
        }
    }

    pub fn remove(&self, pin: &Pin) {
        self.rooms.remove(pin);
    }

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
