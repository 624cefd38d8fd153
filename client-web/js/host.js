// The host page: log in, pick a quiz, run the room. The login token lives in localStorage
// (storage.js), so closing the tab does not log the host out; the room's PIN and host key live
// in the tab's sessionStorage, so a reload or a dropped socket sends `host_resume` and rebuilds
// the screen from `room_state`, and another tab resumes a running game from the setup screen.
// Message shapes live in protocol.js, the game screen (question, reveal, standings) in
// stage.js, which the presenter and the phones share.

import { markGameQuizText, t } from "./i18n.js";
import { Connection, msg, limits } from "./protocol.js";
import { gameSounds } from "./sound.js";
import {
  coalesced, drawReveal, drawScreenQuestion, drawStandings, keepFitted, rebuiltStandings, redrawFromState,
  rosterHandlers, screenHandlers, setMode, stageCountdown, stopGetReady,
} from "./stage.js";
import { drawTeams, teamPicker } from "./teams.js";
import {
  api, clearFieldErrors, download, humanError, joinUrl, loginError, markField, mountNav, qrSrc, showError, unmarkOnEdit,
} from "./common.js";
import { $, announce, banner, bannerGoesOnAction, setStatus } from "./dom.js";
import { clearToken, getToken, hostRoom, hostSettings, hostView as view, setToken } from "./storage.js";

// ---- state ----
let token = getToken();
// {pin, host_key, game_id}; without host_key (Take control) until the server sends one.
let room = hostRoom.load();
let pending = null; // "create" | "resume" while waiting for the server's answer
let queued = null; // a `host` message waiting for the socket to (re)open
let phase = null; // the room's phase, as the server last told us
let question = null; // the current question view
let total = 0; // number of questions in the quiz
let players = new Map(); // player_id -> {name, score as of the last room_state, connected, team}
let teams = null; // in a team game, every team ({id, members, score}) as last told
let locked = false;
let chatOn = true;
let serverStopped = false; // the server said it is shutting down; it resumes the room later
// The player count and lists, redrawn at most a few times a second (see `coalesced`).
const drawSoon = coalesced(drawPlayers);
const countdown = stageCountdown(() => question);
const stopTimer = () => {
  countdown.stop();
  stopGetReady();
};
// A long question, its answers and the reveal's chart shrink to fit beside the controls.
keepFitted($("screen-question"));
keepFitted($("screen-reveal"));

// ---- screens ----
const SCREENS = [
  "login", "setup", "connecting", "disconnected", "lobby", "question", "reveal",
  "leaderboard", "over",
];

function show(name) {
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  $("qbar").hidden = name !== "question";
  const inRoom = ["lobby", "question", "reveal", "leaderboard", "over"].includes(name);
  $("side").hidden = !inRoom;
  $("controls").hidden = !inRoom;
  // Chat is for the lobby and the pauses between questions, not while people answer.
  $("chat").hidden = name === "question";
  if (inRoom) updateControls();
}

function updateControls() {
  for (const id of ["start-btn", "close-btn", "next-btn", "end-btn"]) $(id).disabled = false;
  updateStart();
  $("start-btn").hidden = phase !== "lobby";
  // A slide has nothing to close: Next moves on from it, as from a leaderboard.
  const slide = phase === "question" && question !== null && question.kind === "slide";
  $("close-btn").hidden = phase !== "question" || slide;
  $("next-btn").hidden = phase !== "reveal" && phase !== "leaderboard" && !slide;
  const last = question !== null && question.index + 1 >= total;
  const board = phase === "reveal" && !(room && room.standings_at_end);
  $("next-btn").textContent =
    t(board ? "show_leaderboard" : last ? "finish_the_game" : "next_question");
  $("end-btn").textContent = t(phase === "finished" ? "close_room" : "end_game");
  $("again-room-btn").hidden = phase !== "finished";
  $("again-room-btn").disabled = false;
}

bannerGoesOnAction();

function send(m) {
  if (!conn.send(m)) banner(t("not_connected_yet"));
}

// How the shared screen handlers (stage.js) draw on this page; `view` keeps the last question,
// reveal and leaderboard this tab drew, for redrawing after a reload.
const draw = {
  current: () => question,
  shown: (q) => (question = q),
  question: (v, answered) => showQuestion(v, answered),
  reveal: (m) => onClosed(m),
  board: (m) => showStandings(m.top, "leaderboard", m.teams),
};

// ---- connection ----
const conn = new Connection({
  pin: () => room && room.pin,
  open: () => {
    setStatus(t("connected"), true);
    if (queued) {
      pending = "create";
      conn.send(queued);
      queued = null;
    } else if (room) {
      pending = "resume";
      conn.send(resumeMsg());
    }
  },
  down: (delay) => {
    setStatus(t("offline"), false);
    pending = null;
    $("create-btn").disabled = false;
    $("disconnected-title").textContent = t(serverStopped ? "server_restarting" : "connection_lost");
    $("retry-msg").textContent = t("reconnecting_in", { seconds: Math.ceil(delay / 1000) });
    if (room) show("disconnected");
  },
  on: {
    room_created: onRoomCreated,
    room_state: onRoomState,
    ...rosterHandlers(() => players, drawSoon),
    ...screenHandlers(view, draw),
    game_over: (m) => {
      if (room) room.game_id = m.game_id;
      showStandings(m.podium, "finished", m.teams);
    },
    team_changed: (m) => {
      const p = players.get(m.player_id);
      if (p) p.team = m.team;
      teams = m.teams;
      drawSoon();
    },
    chat: onChat,
    room_closed: onRoomClosed,
    error: onError,
  },
});
gameSounds(conn, "screen");

// ---- log in and set up ----
$("login-form").onsubmit = async (ev) => {
  ev.preventDefault();
  $("login-btn").disabled = true;
  $("login-error").textContent = "";
  try {
    ({ token } = await api("POST", "/api/login", {
      username: $("login-user").value.trim(),
      password: $("login-pass").value,
    }));
    setToken(token);
    $("login-pass").value = "";
    await openSetup();
  } catch (e) {
    $("login-error").textContent = loginError(e);
  } finally {
    $("login-btn").disabled = false;
  }
};

function logout(notice) {
  token = null;
  queued = null;
  clearToken();
  conn.stop();
  navFor = null;
  $("topnav").hidden = true;
  $("logout-btn").hidden = false;
  $("login-error").textContent = notice || "";
  show("login");
}
$("logout-btn").onclick = () => logout();

// The navigation bar the host-side pages share, once per login; its Log out replaces the
// setup screen's own.
let navFor = null;
async function showNav() {
  if (navFor === token) return;
  navFor = token;
  try {
    mountNav($("topnav"), await api("GET", "/api/me"));
    $("logout-btn").hidden = true;
  } catch {
    navFor = null; // the quiz list below reports an expired session
  }
}

async function openSetup(notice) {
  $("setup-notice").textContent = notice || "";
  $("setup-notice").hidden = !notice;
  show("setup");
  conn.start();
  showNav();
  let quizzes;
  try {
    quizzes = await api("GET", "/api/quizzes");
  } catch (e) {
    if (e.status === 401) return logout(t("session_expired"));
    return banner(t("could_not_load_quizzes", { error: humanError(e) }));
  }
  const keep = $("quiz-select").value;
  $("quiz-select").replaceChildren(...quizzes.map((q) => {
    const o = document.createElement("option");
    o.value = q.id;
    o.textContent = t("quiz_option", { title: q.title, count: q.questions });
    return o;
  }));
  // `/host?quiz=ID` (the editor's "Host this quiz") preselects that quiz once.
  const wanted = new URLSearchParams(location.search).get("quiz");
  if (wanted && quizzes.some((q) => String(q.id) === wanted)) {
    $("quiz-select").value = wanted;
    history.replaceState(null, "", location.pathname);
  } else if (keep) $("quiz-select").value = keep;
  fillSettings();
  $("quiz-empty").hidden = quizzes.length > 0;
  $("create-btn").disabled = quizzes.length === 0;
  loadRunning();
}

// This device's key once it has one; until then the login (Take control).
function resumeMsg() {
  return room.host_key ? msg.hostResume(room.pin, room.host_key) : msg.takeControl(room.pin, token);
}

// The host's games still running (on this device or another), to resume from here: listed
// above Create room, so a host back after closing the tab does not open a second room.
async function loadRunning() {
  let games;
  try {
    games = (await api("GET", "/api/games")).filter((g) => g.status === "running" && g.pin);
  } catch {
    games = [];
  }
  $("running").hidden = games.length === 0;
  $("running-list").replaceChildren(...games.map((g) => {
    const li = document.createElement("li");
    li.dataset.pin = g.pin;
    const what = document.createElement("span");
    what.className = "name";
    what.textContent = [g.title, t("pin_n", { pin: g.pin }), t("n_players", { count: g.players })].join(" · ");
    const take = document.createElement("button");
    take.type = "button";
    take.className = "take primary";
    take.textContent = t("resume");
    take.setAttribute("aria-label", t("resume_game", { title: g.title, pin: g.pin }));
    take.onclick = () => {
      // The server keeps only a hash of host keys: this device gets its own in `room_state`.
      room = { pin: g.pin, game_id: g.game_id };
      saveRoom();
      $("chat-log").replaceChildren();
      show("connecting");
      pending = "resume";
      if (!conn.send(resumeMsg())) conn.retryNow();
    };
    li.append(what, take);
    return li;
  }));
}

$("auto-advance").onchange = () => ($("auto-advance-s").disabled = !$("auto-advance").checked);
$("no-time-limit").onchange = () => ($("time-factor").disabled = $("no-time-limit").checked);

// ---- the create-room settings, remembered per quiz on this device (storage.js) ----
const DEFAULT_SETTINGS = {
  mode: "classic", auto: false, auto_s: 8, chat: true, names: "free",
  time_factor: 1, no_time_limit: false, leaderboard: "each", shuffle_questions: false,
  shuffle_answers: false, media_on_phones: false, question_on_phones: true, team_choice: "auto", team_talk_s: 5,
};

/** The form as the settings last used for the picked quiz, or the defaults. */
function fillSettings() {
  const s = { ...DEFAULT_SETTINGS, ...(hostSettings.load($("quiz-select").value) || {}) };
  $("mode-select").value = s.mode;
  $("auto-advance").checked = s.auto;
  $("auto-advance-s").value = s.auto_s;
  $("chat-enabled").checked = s.chat;
  $("generated-names").checked = s.names === "generated";
  $("time-factor").value = s.time_factor;
  $("no-time-limit").checked = s.no_time_limit;
  $("leaderboard-at").value = s.leaderboard;
  $("shuffle-questions").checked = s.shuffle_questions;
  $("shuffle-answers").checked = s.shuffle_answers;
  $("media-on-phones").checked = s.media_on_phones;
  $("question-on-phones").checked = s.question_on_phones;
  $("players-choose-team").checked = s.team_choice === "players";
  $("team-talk").value = s.team_talk_s;
  $("auto-advance").onchange();
  $("no-time-limit").onchange();
}
$("quiz-select").onchange = fillSettings;

/** The form's settings, as remembered. */
const formSettings = () => ({
  mode: $("mode-select").value,
  auto: $("auto-advance").checked,
  auto_s: Number($("auto-advance-s").value),
  chat: $("chat-enabled").checked,
  names: $("generated-names").checked ? "generated" : "free",
  time_factor: Number($("time-factor").value),
  no_time_limit: $("no-time-limit").checked,
  leaderboard: $("leaderboard-at").value,
  shuffle_questions: $("shuffle-questions").checked,
  shuffle_answers: $("shuffle-answers").checked,
  media_on_phones: $("media-on-phones").checked,
  question_on_phones: $("question-on-phones").checked,
  team_choice: $("players-choose-team").checked ? "players" : "auto",
  team_talk_s: Number($("team-talk").value),
});

// The setup fields a refused `host` can be about.
const CREATE_FIELDS = {
  quiz_id: "quiz-select", no_such_quiz: "quiz-select", auto_advance_ms: "auto-advance-s",
  time_factor: "time-factor", team_talk_s: "team-talk", team_choice: "players-choose-team",
};
unmarkOnEdit($("setup-form"));

$("setup-form").onsubmit = (ev) => {
  ev.preventDefault();
  clearFieldErrors($("setup-form"));
  const quizId = Number($("quiz-select").value);
  if (!quizId) return markField($("quiz-select"), t("pick_a_quiz_first")).focus();
  const seconds = Number($("auto-advance-s").value);
  if ($("auto-advance").checked && !(seconds >= 1)) {
    return markField($("auto-advance-s"), t("enter_seconds_to_wait")).focus();
  }
  const teams = Number($("teams-count").value || 0);
  if (!(teams === 0 || (teams >= 2 && teams <= 20))) {
    return markField($("teams-count"), t("teams_range")).focus();
  }
  const s = formSettings();
  if (!s.no_time_limit && !(s.time_factor >= 0.5 && s.time_factor <= 3)) {
    return markField($("time-factor"), t("enter_a_time_factor")).focus();
  }
  if (teams >= 2 && !(Number.isInteger(s.team_talk_s) && s.team_talk_s >= 0 && s.team_talk_s <= 30)) {
    return markField($("team-talk"), t("team_talk_range")).focus();
  }
  hostSettings.save(quizId, s);
  const m = msg.host({
    token,
    quizId,
    mode: s.mode,
    autoAdvanceMs: s.auto ? Math.round(seconds * 1000) : undefined,
    chat: s.chat,
    names: s.names === "generated" ? "generated" : undefined,
    timeFactor: s.no_time_limit || s.time_factor === 1 ? undefined : s.time_factor,
    noTimeLimit: s.no_time_limit || undefined,
    leaderboard: s.leaderboard === "end" ? "end" : undefined,
    shuffleQuestions: s.shuffle_questions || undefined,
    shuffleAnswers: s.shuffle_answers || undefined,
    mediaOnPhones: s.media_on_phones || undefined,
    // Sent only when off, so that the default room's `host` is what it always was.
    questionOnPhones: s.question_on_phones ? undefined : false,
    teams: teams >= 2 ? teams : undefined,
    teamChoice: teams >= 2 && s.team_choice === "players" ? "players" : undefined,
    teamTalkS: teams >= 2 ? s.team_talk_s : undefined,
  });
  // The server drops the socket when a room closes; a click in that moment goes out on the next one.
  if (!conn.send(m)) {
    queued = m;
    conn.retryNow();
  }
  pending = "create";
  $("create-btn").disabled = true;
};

// ---- the room ----
const saveRoom = () => hostRoom.save(room);

function onRoomCreated(m) {
  pending = null;
  $("create-btn").disabled = false;
  room = { pin: m.pin, host_key: m.host_key, game_id: m.game_id };
  saveRoom();
  // A new room (Play again, too) starts with nothing drawn: its `room_state` draws the lobby.
  view.clear();
  phase = null;
  question = null;
  $("chat-log").replaceChildren();
  // The presenter window this page opened follows the game into the new room.
  if (presenter && !presenter.closed) presenter.location.hash = presenterHash();
  // The `room_state` that follows draws the lobby.
}

// The full picture: after `room_created` and after every `host_resume`.
function onRoomState(m) {
  markGameQuizText(m.lang);
  pending = null;
  serverStopped = false;
  // `leaderboard` is present (as "end") only where standings wait for the podium.
  room = { ...room, pin: m.pin, game_id: m.game_id, standings_at_end: m.leaderboard === "end" };
  if (m.host_key) room.host_key = m.host_key; // minted for this device after Take control
  saveRoom();
  total = m.total;
  locked = m.locked;
  chatOn = m.chat;
  players = new Map(m.players.map((p) => [p.player_id, p]));
  teams = m.teams || null;
  $("room-title").textContent = [m.title, t(m.mode === "race" ? "mode_race" : "mode_classic"), t("pin_n", { pin: m.pin })].join(" · ");
  setMode(m.mode);
  showJoin(m.pin);
  drawPlayers();
  renderToggles();

  phase = m.phase;
  if (redrawFromState(m, view, draw)) return;
  if (m.phase === "reveal") {
    // The counts of a closed question are not in the snapshot; the host just moves on.
    stopTimer();
    question = m.index == null ? null : { index: m.index };
    $("reveal-text").textContent = t("answers_closed");
    $("chart").replaceChildren();
    $("reveal-accept").hidden = true;
    $("first-correct").textContent = t("press_show_leaderboard");
    show("reveal");
  } else if (m.phase === "leaderboard" || m.phase === "finished") {
    // Rebuilt from the players' scores: equal scores share a rank.
    question = m.index == null ? null : { index: m.index };
    showStandings(rebuiltStandings(players, m.phase === "finished"), m.phase);
  } else {
    stopTimer();
    question = null;
    show("lobby");
  }
}

function onRoomClosed(m) {
  if (m.reason === "server_shutdown" && room) {
    // A restart: the server resumes running games, so keep the PIN and host key; the
    // connection reconnects and sends `host_resume` once the server is back.
    stopTimer();
    serverStopped = true;
    $("disconnected-title").textContent = t("server_restarting");
    $("retry-msg").textContent = `${t("game_continues_when_back")} ${t("reconnecting")}`;
    return show("disconnected");
  }
  room = null;
  joinFor = null;
  saveRoom();
  view.clear();
  $("room-title").textContent = "";
  phase = null;
  question = null;
  stopTimer();
  const reasons = {
    host_ended: "room_is_closed",
    server_shutdown: "server_shut_down_room_closed",
    idle: "closed_idle",
  };
  openSetup(t(reasons[m.reason] || "closed_room"));
}

// The join address and its QR code. The server knows its public address; until it answers
// (or if it cannot) the page's own origin stands in and the QR code stays hidden.
let joinFor = null;
async function showJoin(pin) {
  $("host-pin").textContent = pin;
  if (joinFor === pin) return;
  joinFor = pin;
  const fallback = `${location.origin}/?pin=${pin}`;
  setJoinUrl(fallback);
  $("qr").hidden = true;
  try {
    const url = await joinUrl(pin);
    if (joinFor !== pin) return;
    setJoinUrl(url);
    $("qr").src = qrSrc(pin);
    $("qr").alt = t("qr_code_for", { url });
    $("qr").hidden = false;
  } catch {
    // Keep the page's own address; the PIN works without a QR code.
  }
}

function setJoinUrl(url) {
  $("join-url").href = url;
  $("join-url").textContent = url;
}


// Start needs a player: the button waits, disabled, rather than the server refusing it.
function updateStart() {
  $("start-btn").disabled = players.size === 0;
}

function drawPlayers() {
  if (phase === "lobby") updateStart();
  $("player-count").textContent = players.size;
  $("lobby-count").textContent = players.size;
  const items = [...players.entries()].map(([id, p]) => {
    const li = document.createElement("li");
    li.dataset.playerId = id;
    li.classList.toggle("offline", !p.connected);
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = p.connected ? p.name : t("name_offline", { name: p.name });
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "kick";
    btn.dataset.playerId = id;
    btn.textContent = t("kick");
    btn.setAttribute("aria-label", t("kick_name", { name: p.name }));
    btn.onclick = () => kick(id, p.name);
    li.append(name);
    // In a team game's lobby the host may move anyone to another team.
    if (teams && phase === "lobby") li.append(teamPicker(id, p, teams, (team) => send(msg.movePlayer(id, team))));
    li.append(btn);
    return li;
  });
  $("player-list").replaceChildren(...items);

  // The lobby shows the names as they arrive; a click on one kicks that player.
  $("lobby-names").replaceChildren(...[...players.entries()].map(([id, p]) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "name-chip";
    b.classList.toggle("offline", !p.connected);
    b.dataset.playerId = id;
    b.textContent = p.name;
    b.title = t("kick_name", { name: p.name });
    b.setAttribute("aria-label", t("kick_name", { name: p.name }));
    b.onclick = () => kick(id, p.name);
    return b;
  }));

  // Keep the direct-message picker in step with the room.
  const to = $("chat-to").value;
  const options = [...players.entries()].map(([id, p]) => {
    const o = document.createElement("option");
    o.value = id;
    o.textContent = t("to_name_only", { name: p.name });
    return o;
  });
  $("chat-to").replaceChildren($("chat-to").options[0], ...options);
  $("chat-to").value = players.has(Number(to)) ? to : "";
}

// A kick cannot be undone (the player's name stays taken), so ask first.
function kick(id, name) {
  if (confirm(t("confirm_kick", { name }))) send(msg.kick(id));
}

function renderToggles() {
  $("lock-btn").setAttribute("aria-pressed", String(locked));
  $("lock-btn").textContent = t(locked ? "room_locked_unlock" : "lock_room");
  $("chat-toggle-btn").setAttribute("aria-pressed", String(chatOn));
  $("chat-toggle-btn").textContent = t(chatOn ? "chat_is_on" : "chat_is_off");
}

// `lock` and `set_chat` have no reply; the next `room_state` would correct a lost one.
$("lock-btn").onclick = () => {
  locked = !locked;
  send(msg.lock(locked));
  renderToggles();
};
$("chat-toggle-btn").onclick = () => {
  chatOn = !chatOn;
  send(msg.setChat(chatOn));
  renderToggles();
};

// Each button stays disabled until the server moves the room on (or refuses): a double tap
// on Next must not skip the leaderboard.
function command(id, make, ok = () => true) {
  $(id).onclick = () => {
    if (!ok()) return;
    $(id).disabled = true;
    if (!conn.send(make())) {
      $(id).disabled = false;
      banner(t("not_connected_yet"));
    }
  };
}
command("start-btn", msg.start, () => players.size > 0);
command("close-btn", msg.close);
command("next-btn", msg.next);
// End sits next to Close and Next; ending a running game, or closing a finished one's room,
// cannot be undone, so ask first.
command("end-btn", msg.end, () => {
  if (phase === "lobby") return true;
  if (phase === "finished") return confirm(t("confirm_close_room"));
  return confirm(t("confirm_end_game"));
});
$("retry-btn").onclick = () => conn.retryNow();
// Play again: a new room of the same quiz and settings; the players still connected follow.
// The server answers with `room_created` and `room_state`, as for a new room.
command("again-room-btn", msg.playAgain);

// The presenter view: a second window (a projector, a TV) that shows the game without
// controls. The PIN and host key go in the hash, which never reaches a server log.
let presenter = null; // the presenter window, while this page has it
const presenterHash = () => `#${new URLSearchParams({ pin: room.pin, key: room.host_key })}`;
$("present-btn").onclick = () => {
  if (!room) return;
  presenter = window.open(`/present${presenterHash()}`, `quizrace-present-${room.pin}`);
  if (!presenter) banner(t("popup_blocked"));
};

// ---- question ----
function showQuestion(v, answered) {
  phase = "question";
  total = v.total;
  question = v;
  drawScreenQuestion(v, answered, players.size, countdown);
  show("question");
}

// ---- reveal: the answer distribution as plain bars (stage.js) ----
function onClosed(m) {
  phase = "reveal";
  stopTimer();
  // The host alone is told how many words the filter kept out of a word cloud.
  drawReveal(m, question && question.index === m.index ? question : null, { host: true });
  announce(t("answers_closed"));
  show("reveal");
}

// ---- leaderboard and podium ----
function showStandings(list, newPhase, teams = null) {
  phase = newPhase;
  stopTimer();
  const finished = newPhase === "finished";
  drawStandings(list, finished, { prevBoard: view.load().prevBoard });
  drawTeams(teams, finished);
  show(finished ? "over" : "leaderboard");
}

$("csv-btn").onclick = async () => {
  if (!room) return;
  try {
    const blob = await api("GET", `/api/games/${room.game_id}/results.csv`, undefined, { blob: true });
    download(blob, `quizrace-game-${room.game_id}.csv`);
  } catch (e) {
    banner(t("could_not_download_results", { error: humanError(e) }));
  }
};

// ---- chat ----
function onChat(m) {
  const li = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = m.from === "host" ? t("you_host") : m.from.name;
  if (m.from === "host") li.classList.add("from-host");
  let to = "";
  if (m.to != null) {
    li.classList.add("private");
    const p = players.get(m.to);
    to = m.from === "host" ? ` → ${p ? p.name : t("player_n", { n: m.to })}` : ` (${t("chat_private")})`;
  }
  li.append(who, `${to}: `, m.text);
  $("chat-log").append(li);
  while ($("chat-log").children.length > 200) $("chat-log").firstElementChild.remove();
  $("chat-log").scrollTop = $("chat-log").scrollHeight;
}

$("chat-form").onsubmit = (ev) => {
  ev.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text) return;
  const to = $("chat-to").value;
  if (!conn.send(msg.chat(text.slice(0, limits.chatChars), to ? Number(to) : null))) {
    return banner(t("not_connected_yet"));
  }
  $("chat-input").value = "";
};

// ---- errors ----
function onError(m) {
  // A player left just as Start was pressed: the button says it, not a banner.
  if (m.code === "no_players") return updateStart();
  if (pending === "resume" && (m.code === "no_such_room" || m.code === "unauthorized")) {
    // The room is gone (or was never ours): forget it and offer a new game.
    pending = null;
    room = null;
    saveRoom();
    openSetup(t("last_room_gone"));
    return;
  }
  if (pending === "create" && m.code === "unauthorized") {
    pending = null;
    return logout(t("session_expired"));
  }
  if (m.code === "replaced") {
    // Another tab took the room over; reconnecting here would only take it back and forth.
    conn.stop();
    $("retry-msg").textContent = t("room_run_elsewhere");
    show("disconnected");
    $("retry-btn").textContent = t("take_it_back_here");
    $("retry-btn").onclick = () => {
      $("retry-btn").textContent = t("try_now");
      $("retry-btn").onclick = () => conn.retryNow();
      conn.start();
    };
    return;
  }
  const creating = pending === "create";
  pending = null;
  $("create-btn").disabled = false;
  if (!$("controls").hidden) updateControls();
  if (creating && showError($("error-text"), m, CREATE_FIELDS)) return;
  banner(humanError(m));
}

// ---- go ----
if (!token) show("login");
else if (room) {
  show("connecting");
  conn.start();
  showNav();
} else openSetup();
