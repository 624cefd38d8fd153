// The player page: join with a PIN and a nickname, answer questions, see results.
// Identity is the resume token in localStorage (keyed by PIN), so a reload, a dropped network
// or a closed tab resumes the same player: `/?pin=` does at once, and typing that PIN on `/`
// does too. Message shapes live in protocol.js; the question, the reveal and the standings are
// drawn by stage.js, as on the host's and the presenter's screens.

import { Connection, msg, isCode, isPin, limits } from "./protocol.js";
import { gameSounds } from "./sound.js";
import {
  SHAPES, boardsAfter, clearPhoneReveal, orderWords, drawPhoneReveal, drawQuestion, drawStandings, hintFor, keepFitted, setMode,
  stageCountdown, startQuestionClock, stopGetReady,
} from "./stage.js";
import { drawTeamChoice, drawTeams, teamName } from "./teams.js";
import { clearFieldErrors, humanError, markField, showError, unmarkOnEdit } from "./common.js";
import { $, announce, banner, bannerGoesOnAction, hideBanner, setStatus } from "./dom.js";
import { markGameQuizText, num, t } from "./i18n.js";
import { carryOverOldTokens, forgetPlayer, playerView, rememberPlayer, savedPlayer } from "./storage.js";
import { CLOUD_MAX_CHARS } from "./cloud.js";

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
let myTeam = null; // welcome's team id, in a team game (null while a player who chooses has not)
let teamChoice = null; // in the lobby of a game whose players choose: every team, as last told
let finished = false;
let podium = []; // game_over's podium, to tell a shared final rank
// The host played the quiz again: join this room with this name as the socket reopens.
let followTo = null; // {pin, name}
// In a self-paced assignment (`me.pin` is then its 8-digit code): questions it has.
let homework = null; // {questions}
const countdown = stageCountdown(() => question, (left) => {
  if (left <= 0) {
    $("q-hint").textContent = t("times_up");
    setInputsDisabled(true);
  }
});
const stopTimer = () => {
  countdown.stop();
  stopGetReady();
};
// A long question shrinks so that every answer (and Submit) shows without scrolling.
keepFitted($("screen-question"));
let replaced = false; // another tab took this identity over
let revealIndex = null; // the question whose reveal is drawn
let resumedIn = null; // the phase a resume landed in, until its `result` arrives
let serverStopped = false; // the server said it is shutting down; it resumes the game later

// ---- screens ----
const SCREENS = [
  "connecting", "join", "lobby", "question", "answered", "homework", "reveal", "leaderboard",
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
  if (name === "question" && question && typed(question)) return $("answer-text").focus();
  const heading = $(`screen-${name}`).querySelector("h1, h2");
  if (heading) heading.focus({ preventScroll: true });
}

bannerGoesOnAction();

// A refused join or resume: next to the field it is about, else in the banner.
const JOIN_FIELDS = {
  pin: "pin", code: "pin", name: "name", identifier: "identifier",
  no_such_room: "pin", bad_name: "name", name_taken: "name",
};
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
    setStatus(t("offline"), false);
    pending = null;
    $("join-btn").disabled = false;
    $("disconnected-title").textContent = serverStopped ? t("server_restarting") : t("connection_lost");
    $("retry-msg").textContent = t("reconnecting_in", { seconds: Math.ceil(delay / 1000) });
    if (!["kicked", "closed"].includes(current)) show("disconnected");
  },
  on: {
    welcome: onWelcome,
    team_changed: onTeamChanged,
    assignment_welcome: onAssignmentWelcome,
    assignment_result: onAssignmentResult,
    assignment_done: onAssignmentDone,
    question: (m) => showQuestion(m),
    answer_ack: onAck,
    question_closed: onClosed,
    result: onResult,
    leaderboard: onLeaderboard,
    game_over: onGameOver,
    summary: onSummary,
    play_again: onPlayAgain,
    chat: onChat,
    room_closed: onRoomClosed,
    error: onError,
  },
});
gameSounds(conn, "phone");

function onOpen(how) {
  setStatus(t("connected"), true);
  if (how && how.moved && unanswered && !me) {
    pending = "join";
    conn.send(unanswered);
    return;
  }
  unanswered = null;
  if (followTo && !me) {
    // Following the host into the new room: the same name, a new player there.
    const hello = msg.join(followTo.pin, followTo.name);
    followTo = null;
    pending = "join";
    unanswered = hello;
    conn.send(hello);
    return;
  }
  const pin = me ? me.pin : $("pin").value.trim();
  const saved = savedPlayer(pin);
  if (saved) {
    pending = "resume";
    conn.send(isCode(pin) ? msg.assignmentResume(pin, saved.token) : msg.resume(pin, saved.token));
    $("connecting-msg").textContent = t("rejoining");
    show("connecting");
  } else {
    me = null;
    show("join");
  }
}

// ---- join ----
{
  const q = new URLSearchParams(location.search);
  $("pin").value = q.get("pin") || q.get("code") || "";
}

// A PIN this device already plays in resumes that player (same name, same score), unless
// another nickname is typed: that is someone else on the same device, who joins.
$("join-form").onsubmit = (ev) => {
  ev.preventDefault();
  clearFieldErrors($("join-form"));
  const pin = $("pin").value.trim();
  const name = $("name").value.trim();
  if (!isPin(pin) && !isCode(pin)) return markField($("pin"), t("pin_is_six_digits")).focus();
  const saved = savedPlayer(pin);
  // An entry carried over from the old per-PIN keys has no name: it is this device's player.
  const back = saved && (!name || !saved.name || name.toLowerCase() === saved.name.toLowerCase());
  // Characters as the server counts them: an emoji such as a family or a flag is one.
  const chars = typeof Intl.Segmenter === "function" ? [...new Intl.Segmenter().segment(name)].length : [...name].length;
  if (!back && (!name || chars > limits.nameChars)) {
    return markField($("name"), t("pick_a_nickname")).focus();
  }
  const identifier = $("identifier").value.trim();
  const hello = isCode(pin)
    ? (back ? msg.assignmentResume(pin, saved.token) : msg.assignmentJoin(pin, name, identifier))
    : (back ? msg.resume(pin, saved.token) : msg.join(pin, name));
  if (!conn.send(hello)) {
    return banner(t("not_connected_yet"));
  }
  pending = back ? "resume" : "join";
  unanswered = back ? null : hello;
  $("join-btn").disabled = true;
};

function onWelcome(m) {
  markGameQuizText(m.lang);
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
  $("lobby-title").textContent = t("youre_in_name", { name: m.name });
  setMode(m.mode);
  $("lobby-rules").hidden = m.mode !== "race";
  myTeam = m.team ? m.team.id : null;
  teamChoice = m.team_choice === "players" ? m.teams || [] : null;
  drawMyTeam();

  if (m.phase === "question" && m.question) {
    showQuestion(m.question, m.question.answered);
  } else if (m.phase === "finished") {
    stopTimer();
    $("final-rank").textContent = t("finished_your_score", { score: m.score });
    show("over");
  } else {
    stopTimer();
    $("lobby-msg").textContent = m.phase === "lobby"
      ? t("waiting_for_the_host_to")
      : t("get_ready_next");
    show("lobby");
  }
}

// ---- teams ----
function drawMyTeam() {
  $("lobby-team").hidden = myTeam == null;
  if (myTeam != null) $("lobby-team").textContent = t("your_team", { team: teamName(myTeam) });
  drawTeamChoice(teamChoice, myTeam, (team) => conn.send(msg.chooseTeam(team)));
}

// Someone chose a team or was moved (in the lobby), or the start placed this player.
function onTeamChanged(m) {
  if (me && m.player_id === me.playerId) myTeam = m.team;
  if (teamChoice) teamChoice = m.teams;
  drawMyTeam();
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
    $("q-choices").setAttribute("aria-label", t("answers_to_question", { n: v.index + 1 }));
  }
  // A slide is not a question at all: no points to mention.
  const pts = v.kind === "slide" ? null : { double: t("double_points"), none: t("no_points") }[v.points];
  $("q-points").hidden = !pts;
  $("q-points").textContent = pts || "";
  $("q-hint").textContent = hintFor(v.kind);
  const chosen = myAnswer ? (v.kind === "slider" ? myAnswer.value : myAnswer.choice) : undefined;
  drawQuestion(v, { onPick: pick, selected, chosen });
  $("submit-btn").hidden = v.kind !== "multi";
  $("submit-btn").disabled = selected.size === 0;
  $("text-form").hidden = !typed(v);
  // A word cloud takes 1 to 3 words, 40 characters in all; the server refuses more.
  $("answer-text").maxLength = v.kind === "word_cloud" ? CLOUD_MAX_CHARS : 200;
  // Answering opens after the get-ready time: the server would refuse an answer before.
  setInputsDisabled(v.opens_in_ms > 0);

  if (!same) announce(`${t("question_n_of", { n: v.index + 1, total: v.total })}: ${v.shapes_only ? t("look_at_the_screen") : v.text}`);
  startQuestionClock(v, countdown, opened);
  if (answered) showAnswered(null);
  else show("question");
}

// Answering opened: the inputs work, and a typed answer's box takes the focus that `show`
// could not give it while it was disabled (unless the focus is somewhere on purpose).
function opened() {
  setInputsDisabled(false);
  const a = document.activeElement;
  const lost = !a || a === document.body || a.closest("[hidden]");
  if (lost && current === "question" && question && typed(question)) $("answer-text").focus();
}

/** Whether `v` is answered in the text form: a typed answer or a word cloud. */
function typed(v) {
  return v.kind === "type_answer" || v.kind === "word_cloud";
}

function pick(i) {
  if (!question) return;
  // A slider's Submit hands over the value, not a choice.
  if (question.kind === "slider") return sendAnswer(msg.answerValue(question.index, i));
  // An order question's Submit hands over the item ids in the player's order.
  if (question.kind === "order") return sendAnswer(msg.answerOrder(question.index, i));
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
  if (!conn.send(m)) return banner(t("answer_not_sent"));
  myAnswer = m;
  setInputsDisabled(true); // until the ack (or an error) comes back
}

function setInputsDisabled(off) {
  // An order question's Submit stays disabled until every item is placed (`data-waiting`).
  for (const b of $("q-choices").children) b.disabled = off || b.dataset.waiting === "true";
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
  if (a.value != null) return String(a.value);
  if (a.order) return orderWords(a.order, question);
  const picks = a.choices || [a.choice];
  return picks.map((i) => `${SHAPES[i] || ""} ${question.choices[i] ?? ""}`.trim()).join(", ");
}

function showAnswered(elapsedMs) {
  const poll = question.kind === "poll";
  $("answered-title").textContent = poll ? t("vote_recorded") : t("answer_locked_in");
  const what = describeAnswer(myAnswer);
  const lines = [what ? t(poll ? "your_vote_is" : "your_answer_is", { what }) : t("your_answer_in")];
  if (elapsedMs != null) lines.push(t("sent_in", { seconds: num(elapsedMs / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1, numberingSystem: "latn" }) }));
  if (!homework) lines.push(t("waiting_for_the_others"));
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

// ---- a self-paced assignment ----
// The player's own pace: each question's result comes at once (their answer or their timer),
// with the right answer and the explanation, and Next asks for the next question.
function onAssignmentWelcome(m) {
  markGameQuizText(m.lang);
  pending = null;
  unanswered = null;
  $("join-btn").disabled = false;
  me = { pin: m.code, token: m.token, name: m.name, playerId: null };
  homework = { questions: m.questions };
  rememberPlayer(m.code, m.token, m.name);
  clearFieldErrors($("join-form"));
  history.replaceState(null, "", `${location.pathname}?code=${m.code}`);
  $("pin").value = m.code;
  $("me-name").textContent = m.name;
  setScore(m.score);
  $("connecting-msg").textContent = m.title;
  show("connecting");
}

function onAssignmentResult(m) {
  stopTimer();
  setScore(m.score);
  const q = question && question.index === m.index ? question : null;
  $("hw-verdict").textContent = !m.answered ? t("no_answer")
    : m.correct === null ? t("thanks_for_voting")
    : t(m.correct ? "verdict_correct" : "verdict_wrong");
  $("hw-result").className = `result ${m.correct ? "right" : m.correct === false ? "wrong" : ""}`;
  $("hw-points").textContent = `+${m.points}`;
  $("hw-score").textContent = m.score;
  // `correct_choices` are the quiz's indices; with shuffled answers the tiles were in this
  // player's own order (`choice_order`).
  const shown = (i) => (q.choice_order ? q.choice_order.indexOf(i) : i);
  const right = q && m.correct_choices ? m.correct_choices.map((i) => q.choices[shown(i)]).filter(Boolean) : [];
  $("hw-answer").hidden = right.length === 0;
  $("hw-answer").textContent = right.length ? t("hw_the_answer", { answer: right.join(", ") }) : "";
  $("hw-explanation").hidden = !m.explanation;
  $("hw-explanation").textContent = m.explanation || "";
  const last = homework && m.index + 1 >= homework.questions;
  $("hw-next").textContent = t(last ? "hw_see_result" : "hw_next");
  announce($("hw-verdict").textContent);
  show("homework");
}

$("hw-next").onclick = () => {
  if (!conn.send(msg.assignmentNext())) banner(t("not_connected_short"));
};

function onAssignmentDone(m) {
  stopTimer();
  finished = true;
  question = null;
  setScore(m.score);
  $("podium").replaceChildren();
  $("summary").hidden = true;
  $("final-rank").textContent = t("hw_done", {
    score: m.score, correct: m.correct, questions: m.questions, rank: m.rank, finished: m.finished,
  });
  announce($("final-rank").textContent);
  show("over");
}

// ---- reveal and results ----
function onClosed(m) {
  stopTimer();
  revealIndex = m.index;
  saveView({ closed: m });
  drawPhoneReveal(m, question && question.index === m.index ? question : null, myAnswer);
  $("result").hidden = !(lastResult && lastResult.index === m.index);
  if (current !== "reveal") announce(t("answers_closed"));
  show("reveal");
}

function onResult(m) {
  setScore(m.score);
  if (finished) {
    const shared = m.shared || podium.some((s) => s.rank === m.rank && (!me || s.player_id !== me.playerId));
    $("final-rank").textContent = t(shared ? "final_place_shared" : "final_place", { rank: m.rank, points: points(m.score) }) + finalGap(m);
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
  if (!m.answered) verdict = kind === "poll" ? t("did_not_vote") : t("no_answer");
  else if (m.correct === null) verdict = t(kind === "word_cloud" ? "thanks_for_your_words" : "thanks_for_voting");
  else if (m.correct) verdict = t("verdict_correct");
  else if (m.picks) verdict = picksVerdict(m.picks);
  else verdict = t("verdict_wrong");
  $("result-verdict").textContent = verdict;
  $("result-note").hidden = !noPoints;
  $("result-note").textContent = noPoints ? t("scores_no_points") : "";
  $("result").className = `result ${m.correct ? "right" : m.correct === false ? "wrong" : ""}`;
  $("result-points").textContent = `+${m.points}`;
  $("result-score").textContent = m.score;
  $("result-rank").textContent = `#${m.rank}`;
  $("result-streak").textContent = m.streak;
  const behind = behindText(m);
  $("result-ahead").textContent = behind;
  // In a team game: the team's place now and what this player scored for it.
  $("result-team").hidden = !m.team;
  $("result-team").textContent = m.team
    ? t("my_team_place", { team: teamName(m.team.id), rank: m.team.rank, points: points(m.points) })
    : "";
  $("result").hidden = false;
  announce(t("result_announce", { verdict, points: points(m.points), rank: m.rank, behind }));
  stopTimer();
  if (phase === "leaderboard" && saved.board && saved.board.index === m.index) return onLeaderboard(saved.board);
  show("reveal");
}

// "2 of 3 right" for a multi answer that was not all right, with the wrong picks if any.
function picksVerdict(p) {
  const right = t("picks_right", { right: p.right, of: p.of });
  return p.wrong > 0 ? t("picks_right_wrong", { right, count: p.wrong }) : right;
}

// " 120 points behind Ada." after the final rank; nothing for the winner.
function finalGap(m) {
  if (!m.ahead) return "";
  const gap = m.ahead.score - m.score;
  return gap > 0
    ? ` ${t("final_behind", { points: points(gap), name: m.ahead.name })}`
    : ` ${t("final_level", { name: m.ahead.name })}`;
}

// "You are 120 points behind Ada." from `result.ahead`, the player ranked just above.
// A server without `ahead` leaves the line empty. The rank is always the server's: equal
// scores share one, and `result.shared` says another player holds it too.
function behindText(m) {
  if (m.ahead === undefined) return "";
  if (m.ahead === null) return m.rank === 1 ? (m.shared ? t("you_share_lead") : t("you_lead")) : "";
  const gap = m.ahead.score - m.score;
  if (gap > 0) return t("you_behind", { points: points(gap), name: m.ahead.name });
  return m.rank === 1 ? t("you_share_lead_with", { name: m.ahead.name }) : t("you_level_with", { name: m.ahead.name });
}

/** "950 points", "1 point": the locale's plural and digits. */
const points = (n) => t("n_points", { count: n });

// "You are #2 with 950 points." under a leaderboard or podium, saying so when others share
// that rank (the server gives equal scores the same `rank`).
function myPlace(list, fallback) {
  const mine = (me && list.find((s) => s.player_id === me.playerId)) || fallback;
  if (!mine) return "";
  const others = list.filter((s) => s.rank === mine.rank && (!me || s.player_id !== me.playerId)).length;
  const pts = points(mine.score);
  if (others === 0) return t("my_place", { rank: mine.rank, points: pts });
  const key = mine.rank === 1 ? "my_place_shared_lead" : "my_place_shared";
  return t(key, { rank: mine.rank, count: others, points: pts });
}

function onLeaderboard(m) {
  const boards = boardsAfter(loadView(), m);
  saveView(boards);
  drawStandings(m.top, false, { prevBoard: boards.prevBoard, meId: me && me.playerId });
  $("my-rank").textContent = myPlace(m.top, lastResult);
  const team = drawTeams(m.teams, false, myTeam);
  $("my-team").textContent = team
    ? t("my_team_place", { team: teamName(team.id), rank: team.rank, points: points(lastResult ? lastResult.points : 0) })
    : "";
  show("leaderboard");
}

function onGameOver(m) {
  finished = true;
  stopTimer();
  question = null;
  podium = m.podium;
  $("summary").hidden = true;
  drawStandings(m.podium, true, { meId: me && me.playerId });
  drawTeams(m.teams, true, myTeam);
  $("final-rank").textContent = t("waiting_final_rank");
  announce(`${t("game_over")}.`);
  show("over");
}

// The whole game, after the final result: right answers of those asked, the best streak and
// one line per question with what it earned.
function onSummary(m) {
  const stats = [t("summary_correct", { correct: m.correct, asked: m.asked })];
  if (m.best_streak > 0) stats.push(t("summary_best_streak", { streak: m.best_streak }));
  $("summary-stats").textContent = stats.join(" · ");
  $("summary-questions").replaceChildren(...m.questions.map((q) => {
    const li = document.createElement("li");
    li.className = q.correct === true ? "right" : q.correct === false ? "wrong" : "";
    const n = document.createElement("span");
    n.className = "q";
    n.textContent = t("summary_q", { n: q.index + 1 });
    const verdict = document.createElement("span");
    verdict.className = "verdict";
    verdict.textContent = !q.answered ? t("no_answer")
      : q.correct === null ? t("summary_voted")
      : q.correct ? t("verdict_correct")
      : q.points > 0 ? t("summary_partly") : t("verdict_wrong");
    const pts = document.createElement("span");
    pts.className = "pts";
    pts.textContent = `+${q.points}`;
    li.append(n, verdict, pts);
    return li;
  }));
  $("summary").hidden = false;
}

// The host played the quiz again: this phone leaves the finished room and joins the new one
// under the same name (a name taken there by now lands on the join form, filled in).
function onPlayAgain(m) {
  const name = me ? me.name : $("name").value.trim();
  leaveGame();
  followTo = { pin: m.pin, name };
  $("pin").value = m.pin;
  $("name").value = name;
  history.replaceState(null, "", `${location.pathname}?pin=${m.pin}`);
  conn.stop();
  $("connecting-msg").textContent = t("joining_new_game", { pin: m.pin });
  announce($("connecting-msg").textContent);
  show("connecting");
  conn.start();
}

// ---- end of the road ----
function onRoomClosed(m) {
  if (m.reason === "server_shutdown") {
    // A restart: the server resumes running games, so keep the token and let the connection
    // reconnect (with backoff) and send `resume` once the server is back.
    stopTimer();
    serverStopped = true;
    setStatus(t("offline"), false);
    $("disconnected-title").textContent = t("server_restarting");
    $("retry-msg").textContent = t("resumes_when_back");
    return show("disconnected");
  }
  conn.stop();
  stopTimer();
  setStatus(t("not_connected"), false);
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
    host_ended: t("closed_host_ended"),
    idle: t("closed_idle"),
  };
  $("closed-msg").textContent = reasons[m.reason] || t("closed_room");
  show("closed");
}

// This device is no longer a player of its game: its token and saved view go.
function leaveGame() {
  if (me) {
    forgetPlayer(me.pin);
    playerView(me.pin).clear();
  }
  me = null;
  homework = null;
  question = null;
  finished = false;
  lastResult = null;
  podium = [];
  followTo = null;
  $("over-note").hidden = true;
  $("summary").hidden = true;
}

// Start over on a fresh socket: the old one is still seated in the finished room.
function startOver() {
  leaveGame();
  $("pin").value = "";
  $("chat-log").replaceChildren();
  history.replaceState(null, "", location.pathname);
  conn.stop();
  $("connecting-msg").textContent = t("connecting_to_the_game");
  show("connecting");
  conn.start();
}
$("again-btn").onclick = startOver;
$("kicked-btn").onclick = startOver;
$("closed-btn").onclick = () => {
  if (!replaced) return startOver();
  // Resume here with the same token; the other tab is the one replaced now.
  replaced = false;
  $("closed-btn").textContent = t("join_another_game");
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
      setStatus(t("not_connected"), false);
      replaced = true;
      $("closed-msg").textContent = t("opened_elsewhere");
      $("closed-btn").textContent = t("play_here_instead");
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
          ? t("last_game_gone")
          : t("err_bad_token"));
      }
      break;
    case "already_answered":
      if (question) showAnswered(null);
      return;
    case "bad_field":
      // A word cloud's limits, said in the page's language rather than the server's English.
      if (question && question.kind === "word_cloud" && m.field === "text") {
        setInputsDisabled(timeLeft() <= 0);
        return banner(t("word_cloud_limits"));
      }
      break;
    case "too_late":
      $("q-hint").textContent = t("times_up");
      setInputsDisabled(true);
      return banner(humanError(m));
    case "not_joined":
      // The server forgot us (a restart, say): rejoin with the token if we have one.
      if (me) return onOpen();
      break;
  }
  if (m.code === "bad_field" && m.field === "identifier") {
    // The assignment asks for an identifier: the field appears, the server saying what for.
    $("identifier-label").hidden = false;
    $("identifier").hidden = false;
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
  who.textContent = m.from === "host" ? t("host") : m.from.name;
  if (m.from === "host") li.classList.add("from-host");
  if (m.to != null) li.classList.add("private");
  li.append(who, m.to != null ? ` (${t("chat_private")}): ` : ": ", m.text);
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
  if (!conn.send(msg.chat(text.slice(0, limits.chatChars)))) return banner(t("not_connected_short"));
  $("chat-off").hidden = true;
  $("chat-input").value = "";
};

// ---- go ----
show("connecting");
conn.start();
