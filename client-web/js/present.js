// The presenter page: the big screen in the room. It attaches to a running room as a
// read-only screen (`host_resume` with `"view": "screen"`), gets every message the host gets
// and shows the game without a single control. The host page opens it with the PIN and
// host key in the URL hash; the page moves them to sessionStorage so a reload keeps working.

import { markGameQuizText, t } from "./i18n.js";
import { Connection, msg, isPin } from "./protocol.js";
import { gameSounds } from "./sound.js";
import { joinUrl, qrSrc } from "./common.js";
import {
  coalesced, drawReveal, drawScreenQuestion, drawStandings, keepFitted, rebuiltStandings, redrawFromState,
  rosterHandlers, screenHandlers, setMode, stageCountdown,
} from "./stage.js";
import { drawTeams } from "./teams.js";
import { $, setStatus } from "./dom.js";
import { presentRoom, presentView as view } from "./storage.js";

// ---- which room ----
function takeRoom() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (isPin(h.get("pin") || "") && h.get("key")) {
    const r = { pin: h.get("pin"), key: h.get("key") };
    presentRoom.save(r);
    // Out of the address bar (and so out of a shared screen's history and of screenshots).
    history.replaceState(null, "", location.pathname);
    return r;
  }
  return presentRoom.load();
}
const room = takeRoom();

// ---- state ----
let question = null;
let players = new Map(); // player_id -> {name, score, connected}
let stopped = false;
let serverStopped = false; // the server said it is shutting down; it resumes the room later
// The lobby's count and names, redrawn at most a few times a second (see `coalesced`).
const drawSoon = coalesced(drawPlayers);

const countdown = stageCountdown(() => question);

// A long question, its answers and the reveal's chart shrink to fit the screen.
keepFitted($("screen-question"));
keepFitted($("screen-reveal"));

const SCREENS = [
  "connecting", "missing", "disconnected", "lobby", "question", "reveal", "leaderboard", "over", "closed",
];
function show(name) {
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  $("qbar").hidden = name !== "question";
}

// How the shared screen handlers (stage.js) draw on this page; `view` keeps what the screen
// last drew, as on the host page.
const draw = {
  current: () => question,
  shown: (q) => (question = q),
  question: (v, answered) => showQuestion(v, answered),
  reveal: (m) => onClosed(m),
  board: (m) => showStandings(m.top, false, m.teams),
};

// ---- connection ----
const conn = new Connection({
  pin: () => room && room.pin,
  open: () => {
    setStatus(t("connected"), true);
    conn.send(msg.screenResume(room.pin, room.key));
  },
  down: (delay) => {
    setStatus(t("offline"), false);
    $("disconnected-title").textContent = serverStopped ? t("server_restarting") : t("connection_lost");
    $("retry-msg").textContent = t("reconnecting_in", { seconds: Math.ceil(delay / 1000) });
    if (!stopped) show("disconnected");
  },
  on: {
    room_state: onRoomState,
    ...rosterHandlers(() => players, drawSoon),
    ...screenHandlers(view, draw),
    game_over: (m) => showStandings(m.podium, true, m.teams),
    // The host played again: the server hands a screen the new room's key, and the page
    // follows the game there (as does a presenter the host page opened: a new hash, below).
    // A server that sends no key gets the new PIN shown.
    play_again: (m) => {
      if (m.host_key) {
        presentRoom.save({ pin: m.pin, key: m.host_key });
        location.reload();
        return;
      }
      $("over-again").textContent = t("new_game_pin", { pin: m.pin });
      $("over-again").hidden = false;
    },
    room_closed: onRoomClosed,
    error: onError,
  },
});
gameSounds(conn, "screen");

function onRoomState(m) {
  markGameQuizText(m.lang);
  serverStopped = false;
  $("room-title").textContent = `${m.title} · ${t("pin_n", { pin: m.pin })}`;
  setMode(m.mode);
  players = new Map(m.players.map((p) => [p.player_id, p]));
  drawPlayers();
  showJoin(m.pin);
  if (redrawFromState(m, view, draw)) return;
  if (m.phase === "leaderboard" || m.phase === "finished" || m.phase === "reveal") {
    // Not drawn here before: the standings from the players' scores (equal scores share a rank).
    const finished = m.phase === "finished";
    showStandings(rebuiltStandings(players, finished), finished);
  } else {
    countdown.stop();
    question = null;
    show("lobby");
  }
}

let joinFor = null;
async function showJoin(pin) {
  $("present-pin").textContent = pin;
  if (joinFor === pin) return;
  joinFor = pin;
  $("join-url").textContent = `${location.origin}/?pin=${pin}`;
  try {
    const url = await joinUrl(pin);
    $("join-url").textContent = url;
    $("qr").src = qrSrc(pin);
    $("qr").alt = t("qr_code_for", { url });
    $("qr").hidden = false;
  } catch {
    // The address and PIN are enough to join; the QR code is a convenience.
  }
}

function drawPlayers() {
  $("lobby-count").textContent = players.size;
  $("lobby-names").replaceChildren(...[...players.values()].map((p) => {
    const li = document.createElement("li");
    li.className = "name-chip";
    li.classList.toggle("offline", !p.connected);
    li.textContent = p.name;
    return li;
  }));
}

function showQuestion(v, answered) {
  question = v;
  drawScreenQuestion(v, answered, players.size, countdown);
  show("question");
}

function onClosed(m) {
  countdown.stop();
  drawReveal(m, question && question.index === m.index ? question : null);
  show("reveal");
}

function showStandings(list, finished, teams = null) {
  countdown.stop();
  drawStandings(list, finished, { prevBoard: view.load().prevBoard });
  drawTeams(teams, finished);
  show(finished ? "over" : "leaderboard");
}

function end(text) {
  stopped = true;
  conn.stop();
  countdown.stop();
  setStatus(t("not_connected"), false);
  presentRoom.save(null);
  view.clear();
  $("closed-msg").textContent = text;
  show("closed");
}

function onRoomClosed(m) {
  if (m.reason === "server_shutdown") {
    // The server resumes running games after a restart; the connection comes back by itself.
    countdown.stop();
    serverStopped = true;
    $("disconnected-title").textContent = t("server_restarting");
    $("retry-msg").textContent = t("game_continues_when_back");
    return show("disconnected");
  }
  const reasons = {
    host_ended: t("closed_thanks"),
    idle: t("closed_idle"),
  };
  end(reasons[m.reason] || t("closed_room"));
}

function onError(m) {
  if (m.code === "no_such_room" || m.code === "unauthorized" || m.code === "bad_field") {
    end(t("room_gone"));
  } else if (m.code === "room_full") {
    end(t("screens_full"));
  }
  // Anything else (a screen never sends commands) is not the audience's business.
}

// The host page hands this window a new room (Play again) by changing the hash; a screen
// that already followed the server's `play_again` there only takes the key out of sight.
window.addEventListener("hashchange", () => {
  const pin = new URLSearchParams(location.hash.slice(1)).get("pin");
  if (!pin) return;
  if (room && pin === room.pin) history.replaceState(null, "", location.pathname);
  else location.reload();
});

// ---- go ----
if (!room) {
  setStatus(t("not_connected"), false);
  show("missing");
} else {
  show("connecting");
  conn.start();
}
