// Every key the pages keep in the browser, and the one place each is read and written.
//
// localStorage (outlives the tab):
//   quizrace.host.token     the host-side login, shared by every host-side page; the server
//                           expires it, and a page that gets 401 shows the login form again.
//   quizrace.players        this device's player in each game: PIN -> {token, name, at}.
//   quizrace.lang           the language picked in the top bar (i18n.js), absent: the
//                           browser's.
//   quizrace.sound.screen   "on" / "off": the host's and presenter's sounds (sound.js), absent:
//                           on.
//   quizrace.sound.phone    "on" / "off": a phone's sounds, absent: off.
//   quizrace.host.settings  the create-room choices last used for each quiz on this device:
//                           quiz id -> {mode, auto, auto_s, chat, names, time_factor,
//                           no_time_limit, leaderboard, shuffle_questions, shuffle_answers,
//                           media_on_phones, question_on_phones, team_choice, team_talk_s};
//                           pre-filled when that quiz is picked.
// sessionStorage (this tab only):
//   quizrace.host.room      the host page's room {pin, host_key, game_id}; Results' "Take
//                           control" writes it without a host key.
//   quizrace.host.view      what the host page last drew (see `savedView`).
//   quizrace.present.room   the presenter's room {pin, key}.
//   quizrace.present.view   what the presenter last drew.
//   quizrace.view.<pin>     what the phone last drew in game <pin>.

import { isPin } from "./protocol.js";

const TOKEN_KEY = "quizrace.host.token";
const HOST_ROOM_KEY = "quizrace.host.room";
const HOST_VIEW_KEY = "quizrace.host.view";
const PRESENT_ROOM_KEY = "quizrace.present.room";
const PRESENT_VIEW_KEY = "quizrace.present.view";
const PLAYERS_KEY = "quizrace.players";
const LANG_KEY = "quizrace.lang";
const HOST_SETTINGS_KEY = "quizrace.host.settings";
const soundKey = (kind) => `quizrace.sound.${kind}`;
const playerViewKey = (pin) => `quizrace.view.${pin}`;
// Earlier pages kept one `quizrace.token.<pin>` key per game (see `carryOverOldTokens`).
const OLD_TOKEN_PREFIX = "quizrace.token.";

/** `key`'s JSON in `store`, or `fallback` when it is missing or damaged. */
function readJson(store, key, fallback) {
  try {
    return JSON.parse(store.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

// ---- the host-side login ----
export const getToken = () => localStorage.getItem(TOKEN_KEY);
export const setToken = (t) => localStorage.setItem(TOKEN_KEY, t);
export const clearToken = () => localStorage.removeItem(TOKEN_KEY);

// ---- the picked page language (a code i18n.js ships, checked there) ----
export const savedLang = {
  load: () => {
    try {
      return localStorage.getItem(LANG_KEY);
    } catch {
      return null;
    }
  },
  save: (code) => localStorage.setItem(LANG_KEY, code),
};

// ---- sounds on or off, per device: `kind` "screen" or "phone"; load() is null when never set ----
export const soundPref = (kind) => ({
  load: () => {
    try {
      const v = localStorage.getItem(soundKey(kind));
      return v === "on" ? true : v === "off" ? false : null;
    } catch {
      return null;
    }
  },
  save: (on) => localStorage.setItem(soundKey(kind), on ? "on" : "off"),
});

// ---- the create-room choices per quiz: load(id) is null for a quiz never hosted here ----
export const hostSettings = {
  load: (quizId) => readJson(localStorage, HOST_SETTINGS_KEY, {})[quizId] ?? null,
  save(quizId, choices) {
    const all = readJson(localStorage, HOST_SETTINGS_KEY, {});
    all[quizId] = choices;
    try {
      localStorage.setItem(HOST_SETTINGS_KEY, JSON.stringify(all));
    } catch {
      // Storage full or off: the form simply starts from its defaults next time.
    }
  },
};

// ---- a room this tab runs or shows: one JSON value, null when there is none ----
function savedRoom(key) {
  return {
    load: () => readJson(sessionStorage, key, null),
    save(room) {
      if (room) sessionStorage.setItem(key, JSON.stringify(room));
      else sessionStorage.removeItem(key);
    },
  };
}
export const hostRoom = savedRoom(HOST_ROOM_KEY);
export const presentRoom = savedRoom(PRESENT_ROOM_KEY);

/**
 * What a game page last drew (question, reveal, leaderboards), kept in sessionStorage under
 * `key`: after a reload the server names the phase and index but carries neither a closed
 * question's counts nor the previous leaderboard. It belongs to one game: `forGame` starts
 * afresh when a snapshot is of another one, however this tab came to it.
 */
function savedView(key) {
  const load = () => readJson(sessionStorage, key, {});
  return {
    load,
    save: (part) => sessionStorage.setItem(key, JSON.stringify({ ...load(), ...part })),
    clear: () => sessionStorage.removeItem(key),
    forGame(gameId) {
      if (load().game_id !== gameId) sessionStorage.setItem(key, JSON.stringify({ game_id: gameId }));
    },
  };
}
export const hostView = savedView(HOST_VIEW_KEY);
export const presentView = savedView(PRESENT_VIEW_KEY);
/** The phone's view of game `pin`. */
export const playerView = (pin) => savedView(playerViewKey(pin));

/**
 * Log out: on a shared computer the host page's room must not stay controllable from this
 * tab. The host takes it back from Results after a login.
 */
export function forgetHostRoom() {
  hostRoom.save(null);
  hostView.clear();
}

// ---- who this device is in each game: PIN -> {token, name, at} ----
// One map, bounded: the 10 most recent games, none older than a day (a PIN is reused once its
// room closes, and a token is worthless after its game).
const IDS_MAX = 10;
const IDS_TTL_MS = 24 * 60 * 60 * 1000;

function loadIds() {
  const ids = readJson(localStorage, PLAYERS_KEY, {});
  const fresh = Object.entries(ids).filter(([pin, v]) =>
    isPin(pin) && v && typeof v.token === "string" && Date.now() - v.at < IDS_TTL_MS);
  return Object.fromEntries(fresh.sort((a, b) => b[1].at - a[1].at).slice(0, IDS_MAX));
}
const storeIds = (ids) => localStorage.setItem(PLAYERS_KEY, JSON.stringify(ids));

/** This device's player in game `pin`: {token, name, at}, or null. */
export const savedPlayer = (pin) => (isPin(pin) ? loadIds()[pin] || null : null);

export function rememberPlayer(pin, token, name) {
  const ids = Object.entries({ ...loadIds(), [pin]: { token, name, at: Date.now() } });
  storeIds(Object.fromEntries(ids.sort((a, b) => b[1].at - a[1].at).slice(0, IDS_MAX)));
}

export function forgetPlayer(pin) {
  const ids = loadIds();
  delete ids[pin];
  storeIds(ids);
}

/** The old per-game `quizrace.token.<pin>` keys, carried over once (with no name). */
export function carryOverOldTokens() {
  for (const key of Object.keys(localStorage)) {
    const pin = key.startsWith(OLD_TOKEN_PREFIX) ? key.slice(OLD_TOKEN_PREFIX.length) : null;
    if (pin === null) continue;
    const token = localStorage.getItem(key);
    localStorage.removeItem(key);
    if (isPin(pin) && token && !savedPlayer(pin)) rememberPlayer(pin, token, "");
  }
}
