// The presenter page: the big screen in the room. It attaches to a running room as a
// read-only screen (`host_resume` with `"view": "screen"`), gets every message the host gets
// and shows the game without a single control. The host page opens it with the PIN and
// host key in the URL hash; the page moves them to sessionStorage so a reload keeps working.

import { Connection, msg, isPin } from "./protocol.js";
import { joinUrl, qrSrc } from "./common.js";
import { tile, chart, standings, ranksOf, Countdown, drawReveal, rebuiltStandings, rosterHandlers, boardsAfter, coalesced, keepFitted } from "./view.js";
import { $, announce, setStatus } from "./dom.js";
import { presentRoom, presentView as view } from "./storage.js";

// What the screen last drew, as on the host page.
const loadView = view.load;
const saveView = view.save;

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

const countdown = new Countdown((left) => {
  $("time-left").textContent = Math.ceil(left / 1000);
  const frac = question && question.time_limit_ms > 0 ? left / question.time_limit_ms : 0;
  $("time-bar").style.transform = `scaleX(${Math.min(1, frac)})`;
});

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

// ---- connection ----
const conn = new Connection({
  open: () => {
    setStatus("Connected", true);
    conn.send(msg.screenResume(room.pin, room.key));
  },
  down: (delay) => {
    setStatus("Offline", false);
    $("disconnected-title").textContent = serverStopped ? "The server is restarting" : "Connection lost";
    $("retry-msg").textContent = `Reconnecting in ${Math.ceil(delay / 1000)} s…`;
    if (!stopped) show("disconnected");
  },
  on: {
    room_state: onRoomState,
    ...rosterHandlers(() => players, drawSoon),
    answer_count: (m) => {
      if (!question || m.index !== question.index) return;
      setAnswerCount(m.answered, m.total);
      if (m.votes && question.kind === "poll") {
        chart($("live-chart"), { labels: question.choices, counts: m.votes });
        $("live-chart").hidden = false;
      }
    },
    question: (m) => {
      saveView({ question: m, closed: null, board: null });
      showQuestion(m, 0);
    },
    question_closed: (m) => {
      saveView({ closed: m });
      onClosed(m);
    },
    leaderboard: (m) => {
      saveView(boardsAfter(loadView(), m));
      showStandings(m.top, false);
    },
    game_over: (m) => showStandings(m.podium, true),
    room_closed: onRoomClosed,
    error: onError,
  },
});

function onRoomState(m) {
  serverStopped = false;
  $("room-title").textContent = `${m.title} · PIN ${m.pin}`;
  players = new Map(m.players.map((p) => [p.player_id, p]));
  drawPlayers();
  showJoin(m.pin);
  view.forGame(m.game_id);
  const v = loadView();
  const seen = (f) => f && f.index === m.index;
  if (m.phase === "question" && m.question) {
    if (!seen(v.question)) saveView({ question: m.question, closed: null, board: null });
    showQuestion(m.question, m.answered);
  } else if (m.phase === "reveal" && m.reveal) {
    // The server's copy of the reveal: drawn as the live `question_closed` was.
    question = m.question || (seen(v.question) ? v.question : { index: m.index });
    const closed = { index: m.index, ...m.reveal };
    saveView({ question, closed });
    onClosed(closed);
  } else if (m.phase === "reveal" && seen(v.closed)) {
    question = seen(v.question) ? v.question : { index: m.index };
    onClosed(v.closed);
  } else if (m.phase === "leaderboard" && seen(v.board)) {
    showStandings(v.board.top, false);
  } else if (m.phase === "leaderboard" || m.phase === "finished" || m.phase === "reveal") {
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
    $("qr").alt = `QR code for ${url}`;
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

function setAnswerCount(answered, of) {
  $("answer-count").textContent = `${answered} / ${of} answered`;
}

function showQuestion(v, answered) {
  question = v;
  $("q-progress").textContent = `Question ${v.index + 1} of ${v.total}`;
  $("q-text").textContent = v.text;
  $("q-choices").replaceChildren(...v.choices.map((c, i) => tile(i, c)));
  $("q-choices").classList.toggle("two", v.choices.length <= 2);
  $("q-choices").hidden = v.kind === "type_answer";
  $("live-chart").replaceChildren();
  $("live-chart").hidden = true;
  setAnswerCount(answered, players.size);
  announce(`Question ${v.index + 1} of ${v.total}: ${v.text}`);
  countdown.start(v.remaining_ms);
  show("question");
}

function onClosed(m) {
  countdown.stop();
  drawReveal(m, question && question.index === m.index ? question : null);
  show("reveal");
}

function showStandings(list, finished) {
  countdown.stop();
  const prev = !finished && loadView().prevBoard;
  standings(finished ? $("podium") : $("leaderboard"), list, { prev: prev ? ranksOf(prev.top) : null });
  $("podium-empty").hidden = !(finished && list.length === 0);
  show(finished ? "over" : "leaderboard");
}

function end(text) {
  stopped = true;
  conn.stop();
  countdown.stop();
  setStatus("Not connected", false);
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
    $("disconnected-title").textContent = "The server is restarting";
    $("retry-msg").textContent = "The game continues when it is back.";
    return show("disconnected");
  }
  const reasons = {
    host_ended: "The host closed the room. Thanks for playing!",
    idle: "The room was closed because nothing happened for a while.",
  };
  end(reasons[m.reason] || "The room was closed.");
}

function onError(m) {
  if (m.code === "no_such_room" || m.code === "unauthorized" || m.code === "bad_field") {
    end("This room is no longer open.");
  } else if (m.code === "room_full") {
    end("This room already shows on as many screens as it takes. Close another presenter view first.");
  }
  // Anything else (a screen never sends commands) is not the audience's business.
}

// ---- go ----
if (!room) {
  setStatus("Not connected", false);
  show("missing");
} else {
  show("connecting");
  conn.start();
}
