// The player page: join with a PIN and a nickname, answer questions, see results.
// Identity is the resume token in localStorage (keyed by PIN), so a reload, a dropped network
// or a closed tab resumes the same player: `/?pin=` does at once, and typing that PIN on `/`
// does too. Message shapes live in protocol.js; the question, the reveal and the standings are
// drawn by stage.js, as on the host's and the presenter's screens.

import { Connection, msg, isPin, limits } from "./protocol.js";
import {
  SHAPES, boardsAfter, clearPhoneReveal, drawPhoneReveal, drawQuestion, drawStandings, hintFor, keepFitted, stageCountdown,
} from "./stage.js";
import { clearFieldErrors, humanError, markField, showError, unmarkOnEdit } from "./common.js";
import { $, announce, banner, bannerGoesOnAction, hideBanner, setStatus } from "./dom.js";
import { carryOverOldTokens, forgetPlayer, playerView, rememberPlayer, savedPlayer } from "./storage.js";

// Who this device is in each game lives in storage.js; keys of the old shape are carried over once.
carryOverOldTokens();

// What this tab last saw (question, own answer, reveal, leaderboard), so a reload can redraw it:
// the server resends the open question and the personal result, not the reveal or the answer.
const loadView = () => (me ? playerView(me.pin).load() : {});
function saveView(part) {
  if (me) playerView(me.pin).save(part);
}

// ---- state ----
let me = null; // {pin, token, name, playerId} once welcomed
let pending = null; // "join" | "resume" while waiting for `welcome`
// The `join` sent and not answered yet: a cluster server that moves us elsewhere gets it again.
let unanswered = null;
let question = null; // the open (or last) question view
let selected = new Set(); // multi: toggled choices
let myAnswer = null; // {index, choice | choices | text} as last sent
let lastResult = null;
let finished = false;
let podium = []; // game_over's podium, to tell a shared final rank
const countdown = stageCountdown(() => question, (left) => {
  if (left <= 0) {
    $("q-hint").textContent = "Time's up!";
    setInputsDisabled(true);
  }
});
const stopTimer = () => countdown.stop();
// A long question shrinks so that every answer (and Submit) shows without scrolling.
keepFitted($("screen-question"));
let replaced = false; // another tab took this identity over
let revealIndex = null; // the question whose reveal is drawn
let resumedIn = null; // the phase a resume landed in, until its `result` arrives
let serverStopped = false; // the server said it is shutting down; it resumes the game later

// ---- screens ----
const SCREENS = [
  "connecting", "join", "lobby", "question", "answered", "reveal", "leaderboard",
  "over", "disconnected", "kicked", "closed",
];
let current = "connecting";

// Chat belongs to the pauses: the lobby, the reveal, the leaderboard, the end.
const CHAT_SCREENS = ["lobby", "reveal", "leaderboard", "over"];

function show(name) {
  const was = current;
  current = name;
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  $("qbar").hidden = !(name === "question" || name === "answered");
  $("chat").hidden = !(me !== null && CHAT_SCREENS.includes(name));
  $("me").hidden = me === null;
  // Focus follows the screen only when it was lost (it sat on something now hidden, or
  // nowhere), so a reconnect or a chat message never yanks it from the user.
  const a = document.activeElement;
  const lost = !a || a === document.body || a.closest("[hidden]");
  if (!lost || was === name) return;
  if (name === "join") return (isPin($("pin").value) ? $("name") : $("pin")).focus();
  if (name === "question" && question && question.kind === "type_answer") return $("answer-text").focus();
  const heading = $(`screen-${name}`).querySelector("h1, h2");
  if (heading) heading.focus({ preventScroll: true });
}

bannerGoesOnAction();

// A refused join or resume: next to the field it is about, else in the banner.
const JOIN_FIELDS = { pin: "pin", name: "name", no_such_room: "pin", bad_name: "name", name_taken: "name" };
function joinRefused(e) {
  hideBanner();
  const input = showError($("error-text"), e, JOIN_FIELDS);
  if (input) input.focus();
  else $("error-banner").hidden = false;
}
unmarkOnEdit($("join-form"));

function setScore(score) {
  $("me-score").textContent = score;
}

// ---- connection ----
const conn = new Connection({
  pin: () => (me ? me.pin : $("pin").value.trim()),
  open: onOpen,
  down: (delay) => {
    setStatus("Offline", false);
    pending = null;
    $("join-btn").disabled = false;
    $("disconnected-title").textContent = serverStopped ? "The server is restarting" : "Connection lost";
    $("retry-msg").textContent = `Reconnecting in ${Math.ceil(delay / 1000)} s…`;
    if (!["kicked", "closed"].includes(current)) show("disconnected");
  },
  on: {
    welcome: onWelcome,
    question: (m) => showQuestion(m),
    answer_ack: onAck,
    question_closed: onClosed,
    result: onResult,
    leaderboard: onLeaderboard,
    game_over: onGameOver,
    chat: onChat,
    room_closed: onRoomClosed,
    error: onError,
  },
});

function onOpen(how) {
  setStatus("Connected", true);
  if (how && how.moved && unanswered && !me) {
    pending = "join";
    conn.send(unanswered);
    return;
  }
  unanswered = null;
  const pin = me ? me.pin : $("pin").value.trim();
  const saved = savedPlayer(pin);
  if (saved) {
    pending = "resume";
    conn.send(msg.resume(pin, saved.token));
    $("connecting-msg").textContent = "Rejoining your game…";
    show("connecting");
  } else {
    me = null;
    show("join");
  }
}

// ---- join ----
$("pin").value = new URLSearchParams(location.search).get("pin") || "";

// A PIN this device already plays in resumes that player (same name, same score), unless
// another nickname is typed: that is someone else on the same device, who joins.
$("join-form").onsubmit = (ev) => {
  ev.preventDefault();
  clearFieldErrors($("join-form"));
  const pin = $("pin").value.trim();
  const name = $("name").value.trim();
  if (!isPin(pin)) return markField($("pin"), "The PIN is the six digits on the host's screen.").focus();
  const saved = savedPlayer(pin);
  // An entry carried over from the old per-PIN keys has no name: it is this device's player.
  const back = saved && (!name || !saved.name || name.toLowerCase() === saved.name.toLowerCase());
  // Characters as the server counts them: an emoji such as a family or a flag is one.
  const chars = typeof Intl.Segmenter === "function" ? [...new Intl.Segmenter().segment(name)].length : [...name].length;
  if (!back && (!name || chars > limits.nameChars)) {
    return markField($("name"), "Pick a nickname of 1 to 20 characters.").focus();
  }
  const hello = back ? msg.resume(pin, saved.token) : msg.join(pin, name);
  if (!conn.send(hello)) {
    return banner("Not connected to the server yet. Try again in a moment.");
  }
  pending = back ? "resume" : "join";
  unanswered = back ? null : hello;
  $("join-btn").disabled = true;
};

function onWelcome(m) {
  pending = null;
  unanswered = null;
  serverStopped = false;
  $("join-btn").disabled = false;
  me = { pin: m.pin, token: m.token, name: m.name, playerId: m.player_id };
  rememberPlayer(m.pin, m.token, m.name);
  clearFieldErrors($("join-form"));
  // Keep the PIN in the address so a reload resumes this game.
  history.replaceState(null, "", `${location.pathname}?pin=${m.pin}`);
  $("pin").value = m.pin;
  $("me-name").textContent = m.name;
  setScore(m.score);
  finished = m.phase === "finished";
  resumedIn = m.phase;
  $("lobby-title").textContent = `You're in, ${m.name}!`;

  if (m.phase === "question" && m.question) {
    showQuestion(m.question, m.question.answered);
  } else if (m.phase === "finished") {
    stopTimer();
    $("final-rank").textContent = `The game has finished. Your score: ${m.score} points.`;
    show("over");
  } else {
    stopTimer();
    $("lobby-msg").textContent = m.phase === "lobby"
      ? "Waiting for the host to start the game."
      : "Get ready for the next question.";
    show("lobby");
  }
}

// ---- questions ----
function showQuestion(v, answered = false) {
  const same = question && question.index === v.index;
  question = v;
  if (!same) {
    const saved = loadView();
    selected = new Set();
    // After a reload, the answer this tab sent for this question (the server has it too).
    myAnswer = saved.answer && saved.answer.index === v.index ? saved.answer : null;
    lastResult = null;
    revealIndex = null;
    resumedIn = null;
    saveView({ question: v, answer: myAnswer, closed: null, board: null });
    $("result").hidden = true;
    clearPhoneReveal();
    $("answer-text").value = "";
    $("q-choices").setAttribute("aria-label", `Answers to question ${v.index + 1}`);
  }
  const pts = { double: "Double points", none: "No points" }[v.points];
  $("q-points").hidden = !pts;
  $("q-points").textContent = pts || "";
  $("q-hint").textContent = hintFor(v.kind);
  drawQuestion(v, { onPick: pick, selected, chosen: myAnswer ? myAnswer.choice : undefined });
  $("submit-btn").hidden = v.kind !== "multi";
  $("submit-btn").disabled = selected.size === 0;
  $("text-form").hidden = v.kind !== "type_answer";
  setInputsDisabled(false);

  if (!same) announce(`Question ${v.index + 1} of ${v.total}: ${v.text}`);
  countdown.start(v.remaining_ms);
  if (answered) showAnswered(null);
  else show("question");
}

function pick(i) {
  if (!question) return;
  if (question.kind === "multi") {
    if (selected.has(i)) selected.delete(i);
    else selected.add(i);
    for (const b of $("q-choices").children) {
      b.setAttribute("aria-pressed", String(selected.has(Number(b.dataset.choice))));
    }
    $("submit-btn").disabled = selected.size === 0;
    return;
  }
  sendAnswer(msg.answerChoice(question.index, i));
}

$("submit-btn").onclick = () => {
  if (question && selected.size > 0) {
    sendAnswer(msg.answerChoices(question.index, [...selected].sort((a, b) => a - b)));
  }
};

$("text-form").onsubmit = (ev) => {
  ev.preventDefault();
  const text = $("answer-text").value.trim();
  if (question && text) sendAnswer(msg.answerText(question.index, text));
};

function sendAnswer(m) {
  if (!conn.send(m)) return banner("Not connected. Your answer was not sent.");
  myAnswer = m;
  setInputsDisabled(true); // until the ack (or an error) comes back
}

function setInputsDisabled(off) {
  for (const b of $("q-choices").children) b.disabled = off;
  $("submit-btn").disabled = off || selected.size === 0;
  $("answer-text").disabled = off;
  $("text-btn").disabled = off;
}

function onAck(m) {
  if (!question || m.index !== question.index) return;
  if (myAnswer && myAnswer.index === m.index) saveView({ answer: myAnswer });
  showAnswered(m.elapsed_ms);
}

// "● 7", "▲ Red, ● Green" or the typed text: what this player sent.
function describeAnswer(a) {
  if (!a || !question) return "";
  if (a.text != null) return `“${a.text}”`;
  const picks = a.choices || [a.choice];
  return picks.map((i) => `${SHAPES[i] || ""} ${question.choices[i] ?? ""}`.trim()).join(", ");
}

function showAnswered(elapsedMs) {
  const poll = question.kind === "poll";
  $("answered-title").textContent = poll ? "Vote recorded" : "Answer locked in";
  const what = describeAnswer(myAnswer);
  const lines = [what ? `${poll ? "Your vote" : "Your answer"}: ${what}` : "Your answer is in."];
  if (elapsedMs != null) lines.push(`Sent in ${(elapsedMs / 1000).toFixed(1)} s.`);
  lines.push("Waiting for the others…");
  $("answered-msg").textContent = lines.join("\n");
  $("change-vote-btn").hidden = !poll;
  show("answered");
}

// A poll stays open to changes: go back to the tiles, the current vote marked.
$("change-vote-btn").onclick = () => {
  if (!question) return;
  for (const b of $("q-choices").children) {
    b.classList.toggle("chosen", myAnswer !== null && myAnswer.choice === Number(b.dataset.choice));
  }
  setInputsDisabled(timeLeft() <= 0);
  show("question");
};

// ---- countdown ----
// The open question's time left (0 with none open; only read while a question is shown).
const timeLeft = () => (question ? countdown.left() : 0);

// ---- reveal and results ----
function onClosed(m) {
  stopTimer();
  revealIndex = m.index;
  saveView({ closed: m });
  drawPhoneReveal(m, question && question.index === m.index ? question : null, myAnswer);
  $("result").hidden = !(lastResult && lastResult.index === m.index);
  if (current !== "reveal") announce("Answers are closed.");
  show("reveal");
}

function onResult(m) {
  setScore(m.score);
  if (finished) {
    const shared = m.shared || podium.some((s) => s.rank === m.rank && (!me || s.player_id !== me.playerId));
    $("final-rank").textContent = `You finished #${m.rank}${shared ? " (shared)" : ""} with ${m.score} points.${finalGap(m)}`;
    announce($("final-rank").textContent);
    return;
  }
  lastResult = m;
  // Back from a reload: redraw the reveal (and leaderboard) this tab saw before, if it is this one's.
  const saved = loadView();
  const phase = resumedIn;
  resumedIn = null;
  if (revealIndex !== m.index) {
    if (saved.question && saved.question.index === m.index) {
      question = saved.question;
      myAnswer = saved.answer && saved.answer.index === m.index ? saved.answer : null;
    }
    if (saved.closed && saved.closed.index === m.index) onClosed(saved.closed);
    else clearPhoneReveal();
  }
  const kind = question && question.index === m.index ? question.kind : null;
  const noPoints = question && question.index === m.index && question.points === "none";
  let verdict;
  if (!m.answered) verdict = kind === "poll" ? "You did not vote" : "No answer";
  else if (m.correct === null) verdict = "Thanks for voting";
  else if (m.correct) verdict = "Correct!";
  else verdict = "Wrong";
  $("result-verdict").textContent = verdict;
  $("result-note").hidden = !noPoints;
  $("result-note").textContent = noPoints ? "This question scores no points." : "";
  $("result").className = `result ${m.correct ? "right" : m.correct === false ? "wrong" : ""}`;
  $("result-points").textContent = `+${m.points}`;
  $("result-score").textContent = m.score;
  $("result-rank").textContent = `#${m.rank}`;
  $("result-streak").textContent = m.streak;
  const behind = behindText(m);
  $("result-ahead").textContent = behind;
  $("result").hidden = false;
  announce(`${verdict} ${m.points} points. Rank ${m.rank}. ${behind}`);
  stopTimer();
  if (phase === "leaderboard" && saved.board && saved.board.index === m.index) return onLeaderboard(saved.board);
  show("reveal");
}

// " 120 points behind Ada." after the final rank; nothing for the winner.
function finalGap(m) {
  if (!m.ahead) return "";
  const gap = m.ahead.score - m.score;
  return gap > 0
    ? ` ${gap} ${gap === 1 ? "point" : "points"} behind ${m.ahead.name}.`
    : ` Level on points with ${m.ahead.name}.`;
}

// "You are 120 points behind Ada." from `result.ahead`, the player ranked just above.
// A server without `ahead` leaves the line empty. The rank is always the server's: equal
// scores share one, and `result.shared` says another player holds it too.
function behindText(m) {
  if (m.ahead === undefined) return "";
  if (m.ahead === null) return m.rank === 1 ? (m.shared ? "You share the lead." : "You are in the lead!") : "";
  const gap = m.ahead.score - m.score;
  if (gap > 0) return `You are ${gap} ${gap === 1 ? "point" : "points"} behind ${m.ahead.name}.`;
  return m.rank === 1 ? `You share the lead with ${m.ahead.name}.` : `You are level with ${m.ahead.name}.`;
}

// "You are #2 with 950 points." under a leaderboard or podium, saying so when others share
// that rank (the server gives equal scores the same `rank`).
function myPlace(list, fallback) {
  const mine = (me && list.find((s) => s.player_id === me.playerId)) || fallback;
  if (!mine) return "";
  const others = list.filter((s) => s.rank === mine.rank && (!me || s.player_id !== me.playerId)).length;
  const pts = `${mine.score} ${mine.score === 1 ? "point" : "points"}`;
  if (others === 0) return `You are #${mine.rank} with ${pts}.`;
  const place = mine.rank === 1 ? "the lead" : `#${mine.rank}`;
  return `You share ${place} with ${others} ${others === 1 ? "other player" : "other players"}, on ${pts}.`;
}

function onLeaderboard(m) {
  const boards = boardsAfter(loadView(), m);
  saveView(boards);
  drawStandings(m.top, false, { prevBoard: boards.prevBoard, meId: me && me.playerId });
  $("my-rank").textContent = myPlace(m.top, lastResult);
  show("leaderboard");
}

function onGameOver(m) {
  finished = true;
  stopTimer();
  question = null;
  podium = m.podium;
  drawStandings(m.podium, true, { meId: me && me.playerId });
  $("final-rank").textContent = "Waiting for your final rank…";
  announce("Game over.");
  show("over");
}

// ---- end of the road ----
function onRoomClosed(m) {
  if (m.reason === "server_shutdown") {
    // A restart: the server resumes running games, so keep the token and let the connection
    // reconnect (with backoff) and send `resume` once the server is back.
    stopTimer();
    serverStopped = true;
    setStatus("Offline", false);
    $("disconnected-title").textContent = "The server is restarting";
    $("retry-msg").textContent = "Your game resumes when it is back. Reconnecting…";
    return show("disconnected");
  }
  conn.stop();
  stopTimer();
  setStatus("Not connected", false);
  if (me) {
    forgetPlayer(me.pin);
    playerView(me.pin).clear();
  }
  if (m.reason === "kicked") return show("kicked");
  // A finished game's podium stays: closing the room takes nothing from it worth hiding.
  if (m.reason === "host_ended" && current === "over") {
    $("over-note").hidden = false;
    $("chat").hidden = true; // nobody is left to read it
    return;
  }
  const reasons = {
    host_ended: "The host ended the game.",
    idle: "The room was closed because nothing happened for a while.",
  };
  $("closed-msg").textContent = reasons[m.reason] || "The room was closed.";
  show("closed");
}

// Start over on a fresh socket: the old one is still seated in the finished room.
function startOver() {
  if (me) {
    forgetPlayer(me.pin);
    playerView(me.pin).clear();
  }
  me = null;
  question = null;
  finished = false;
  lastResult = null;
  $("over-note").hidden = true;
  $("pin").value = "";
  $("chat-log").replaceChildren();
  history.replaceState(null, "", location.pathname);
  conn.stop();
  $("connecting-msg").textContent = "Connecting to the game…";
  show("connecting");
  conn.start();
}
$("again-btn").onclick = startOver;
$("kicked-btn").onclick = startOver;
$("closed-btn").onclick = () => {
  if (!replaced) return startOver();
  // Resume here with the same token; the other tab is the one replaced now.
  replaced = false;
  $("closed-btn").textContent = "Join another game";
  conn.start();
};
$("retry-btn").onclick = () => conn.retryNow();

// ---- errors ----
let chatOffTimer;
function onError(m) {
  switch (m.code) {
    case "chat_disabled":
      // The form stays: players are not told when chat comes back, so they may try again.
      // The notice is about the message just sent, so it goes after a while.
      $("chat-off").hidden = false;
      clearTimeout(chatOffTimer);
      chatOffTimer = setTimeout(() => ($("chat-off").hidden = true), 8000);
      return;
    case "replaced":
      // Another tab now holds this identity; reconnecting here would just steal it back.
      conn.stop();
      stopTimer();
      setStatus("Not connected", false);
      replaced = true;
      $("closed-msg").textContent = "You opened this game in another tab or on another device.";
      $("closed-btn").textContent = "Play here instead";
      show("closed");
      return;
    case "bad_token":
    case "no_such_room":
      if (pending === "resume") {
        const pin = me ? me.pin : $("pin").value.trim();
        forgetPlayer(pin);
        me = null;
        pending = null;
        $("join-btn").disabled = false;
        show("join");
        return banner(m.code === "no_such_room"
          ? "Your last game is no longer open. Join a game with its PIN."
          : "Your place in that game is gone. Join again with a nickname.");
      }
      break;
    case "already_answered":
      if (question) showAnswered(null);
      return;
    case "too_late":
      $("q-hint").textContent = "Time's up!";
      setInputsDisabled(true);
      return banner(humanError(m));
    case "not_joined":
      // The server forgot us (a restart, say): rejoin with the token if we have one.
      if (me) return onOpen();
      break;
  }
  const joining = pending === "join" || current === "join";
  pending = null;
  unanswered = null;
  $("join-btn").disabled = false;
  if (current === "question" && timeLeft() > 0) setInputsDisabled(false);
  if (joining) return joinRefused(m);
  banner(humanError(m));
}

// ---- chat ----
function onChat(m) {
  const li = document.createElement("li");
  const who = document.createElement("strong");
  who.textContent = m.from === "host" ? "Host" : m.from.name;
  if (m.from === "host") li.classList.add("from-host");
  if (m.to != null) li.classList.add("private");
  li.append(who, m.to != null ? " (private): " : ": ", m.text);
  $("chat-log").append(li);
  while ($("chat-log").children.length > 100) $("chat-log").firstElementChild.remove();
  $("chat-log").scrollTop = $("chat-log").scrollHeight;
  // Players are not told when the host turns chat back on; a player's message means it is on.
  if (m.from !== "host") $("chat-off").hidden = true;
}

$("chat-form").onsubmit = (ev) => {
  ev.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text) return;
  if (!conn.send(msg.chat(text.slice(0, limits.chatChars)))) return banner("Not connected.");
  $("chat-off").hidden = true;
  $("chat-input").value = "";
};

// ---- go ----
show("connecting");
conn.start();
