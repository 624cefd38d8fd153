// Results: the host's past games (an admin sees every game), each public or private, and one
// game's page (`/results?game=ID`): standings, per-question statistics with the answer
// distribution, every player's answers and times, and the CSV download.

import { $, el } from "./dom.js";
import { hostRoom } from "./storage.js";
import { api, download, humanError, when, startPage } from "./common.js";
import { SHAPES, chart as drawChart } from "./stage.js";

const STATUS = { running: "Running", finished: "Finished", aborted: "Aborted" };

let me = null;
const announce = (t) => ($("announcer").textContent = t);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function setPrivate(gameId, box) {
  box.disabled = true;
  try {
    const r = await api("PATCH", `/api/games/${gameId}`, { private: box.checked });
    box.checked = r.private;
    announce(r.private ? "The game is private." : "The game is public.");
  } catch (e) {
    box.checked = !box.checked;
    announce(`Could not change it: ${humanError(e)}`);
    alert(`Could not change the game: ${humanError(e)}`);
  } finally {
    box.disabled = false;
  }
}

// ---- the list ----
async function showList() {
  $("list-view").hidden = false;
  let games;
  try {
    games = await api("GET", "/api/games");
  } catch (e) {
    $("games-error").textContent = `Could not load the games: ${humanError(e)}`;
    return;
  }
  const admin = me.role === "admin";
  for (const c of document.querySelectorAll("#games .host-col")) c.hidden = !admin;
  $("games").tBodies[0].replaceChildren(...games.map((g) => gameRow(g, admin)));
  $("games-empty").hidden = games.length > 0;
  $("games").hidden = games.length === 0;
}

function gameRow(g, admin) {
  const box = el("input", { type: "checkbox", class: "private-box", "aria-label": `${g.title}, ${when(g.created_at)}: private` });
  box.checked = g.private;
  box.onchange = () => setPrivate(g.game_id, box);
  let action = el("a", { href: `/results?game=${g.game_id}`, class: "button", "aria-label": `Results of ${g.title}, ${when(g.created_at)}` }, "Results");
  if (g.status === "running" && g.pin) {
    // The host page resumes the room it finds in this tab's sessionStorage: with no host key
    // it takes control with the login, and the server sends this device a key of its own.
    const take = el("button", { type: "button", class: "resume-btn" }, "Take control");
    take.onclick = () => {
      hostRoom.save({ pin: g.pin, game_id: g.game_id });
      location.href = "/host";
    };
    action = el("div", { class: "row nowrap" }, action, take);
  }
  return el("tr", { dataset: { gameId: g.game_id } },
    el("th", { scope: "row" }, el("a", { href: `/results?game=${g.game_id}` }, g.title)),
    el("td", { class: "nowrap", "data-label": "Played" }, when(g.created_at)),
    el("td", { "data-label": "Mode" }, g.mode === "race" ? "Race" : "Classic"),
    el("td", { "data-label": "Status" }, g.status === "running" && g.pin ? `Running (PIN ${g.pin})` : STATUS[g.status] || g.status),
    el("td", { class: "num", "data-label": "Players" }, String(g.players)),
    admin ? el("td", { "data-label": "Host" }, g.host) : null,
    el("td", {}, el("label", { class: "check" }, box, "Private")),
    el("td", {}, action));
}

// ---- one game ----
async function showGame(id) {
  $("game-view").hidden = false;
  let g;
  try {
    g = await api("GET", `/api/games/${id}`);
  } catch (e) {
    $("game-title").textContent = "Game not found";
    $("game-error").textContent = e.code === "no_such_game" ? "There is no such game, or it is not yours." : `Could not load the game: ${humanError(e)}`;
    $("csv-btn").hidden = true;
    $("game-private").closest("label").hidden = true;
    return;
  }
  document.title = `quizrace · ${g.title}`;
  $("game-title").textContent = g.title;
  // Everyone who played (leavers included), as the public leaderboard counts them.
  const bits = [g.mode === "race" ? "Race" : "Classic", STATUS[g.status] || g.status, `${g.players.length} player${g.players.length === 1 ? "" : "s"}`];
  if (g.created_at) bits.push(`started ${when(g.created_at)}`);
  if (g.finished_at) bits.push(`finished ${when(g.finished_at)}`);
  $("game-meta").textContent = bits.join(" · ");
  $("game-private").checked = g.private;
  $("game-private").onchange = () => setPrivate(g.game_id, $("game-private"));
  $("csv-btn").onclick = async () => {
    try {
      download(await api("GET", `/api/games/${g.game_id}/results.csv`, undefined, { blob: true }), `quizrace-game-${g.game_id}.csv`);
    } catch (e) {
      $("game-error").textContent = `Could not download the results: ${humanError(e)}`;
    }
  };

  const players = g.players.slice().sort((a, b) => a.rank - b.rank);
  $("standings-empty").hidden = players.length > 0;
  $("standings").replaceChildren(...players.map((p) => el("li", { dataset: { rank: p.rank } },
    el("span", { class: "rank" }, String(p.rank)),
    el("span", { class: "name" }, p.name, p.status !== "active" ? el("span", { class: "hint" }, ` (${p.status})`) : null),
    el("span", { class: "score" }, `${p.score} pts`))));

  const questions = g.quiz?.questions ?? Array.from({ length: g.questions }, () => ({ kind: null, text: "" }));
  const byIndex = questions.map(() => []);
  for (const a of g.answers) if (byIndex[a.index]) byIndex[a.index].push(a);
  // Each question counts the players who were in the game when it was asked: a late joiner
  // is not "missing" the questions before they came.
  const askedOf = (i) => players.filter((p) => p.first_asked == null || (p.first_asked <= i && i < p.first_asked + p.asked)).length;
  $("question-stats").replaceChildren(...questions.map((q, i) => questionStats(q, i, byIndex[i], askedOf(i))));
  answerTable(questions, players, g.answers);
}

const choicesOf = (q) => (q.kind === "true_false" ? ["True", "False"] : q.choices || []);
const KIND = { choice: "Choice", true_false: "True or false", multi: "Multiple", type_answer: "Type the answer", poll: "Poll" };

function questionStats(q, i, answers, playerCount) {
  const right = answers.filter((a) => a.correct === true).length;
  const avg = answers.length ? answers.reduce((s, a) => s + a.elapsed_ms, 0) / answers.length : null;
  const facts = [
    ["Answered", `${answers.length} of ${playerCount}`],
    ["Right", q.kind === "poll" ? "–" : String(right)],
    ["Average time", avg == null ? "–" : seconds(avg)],
  ];
  return el("li", { class: "card qstat", dataset: { index: i } },
    el("p", { class: "hint" }, `Question ${i + 1}${q.kind ? ` · ${KIND[q.kind]}` : ""}`),
    el("h3", { class: "qstat-text" }, q.text || `Question ${i + 1}`),
    el("dl", { class: "stat-grid" }, facts.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v)))),
    distribution(q, answers));
}

/** The answer distribution as bars (host.js draws the live reveal with the same classes). */
function distribution(q, answers) {
  let rows;
  if (q.kind === "type_answer") {
    const groups = new Map(); // what was typed, loosely -> {label, count, correct}
    for (const a of answers) {
      const text = a.answer?.text ?? "";
      const key = text.trim().toLowerCase();
      const g = groups.get(key) || { label: text.trim() || "(empty)", count: 0, correct: false };
      g.count++;
      g.correct ||= a.correct === true;
      groups.set(key, g);
    }
    rows = [...groups.values()].sort((a, b) => b.count - a.count);
    const accepted = el("p", { class: "hint" }, `Accepted: ${(q.accept || []).join(", ")}`);
    if (rows.length === 0) return accepted;
    return el("div", {}, accepted, chart(rows, false));
  }
  const choices = choicesOf(q);
  if (choices.length === 0) return null;
  const right = new Set(q.correct || []);
  rows = choices.map((label, c) => ({ label, count: 0, correct: right.has(c) }));
  for (const a of answers) {
    const picked = a.answer?.choices ?? (a.answer?.choice != null ? [a.answer.choice] : []);
    for (const c of picked) if (rows[c]) rows[c].count++;
  }
  return chart(rows, true);
}

// Rows of {label, count, correct}; typed answers (no shapes) are green when right, red when not.
function chart(rows, shapes) {
  const box = el("div", { class: "chart" });
  drawChart(box, {
    labels: rows.map((r) => r.label),
    counts: rows.map((r) => r.count),
    correct: new Set(rows.flatMap((r, c) => (r.correct ? [c] : []))),
    shapes,
    colours: shapes ? undefined : rows.map((r) => (r.correct ? 3 : 0)),
  });
  return box;
}

function answerLabel(q, a) {
  if (!a.answer) return "";
  if (a.answer.text != null) return a.answer.text;
  const choices = choicesOf(q);
  const picked = a.answer.choices ?? (a.answer.choice != null ? [a.answer.choice] : []);
  return picked.map((c) => `${SHAPES[c] || ""} ${choices[c] ?? c + 1}`).join(", ");
}

function answerTable(questions, players, answers) {
  const cell = new Map(answers.map((a) => [`${a.player_id}:${a.index}`, a]));
  const head = el("thead", {}, el("tr", {},
    el("th", { scope: "col", class: "sticky" }, "Player"),
    questions.map((q, i) => el("th", { scope: "col", title: q.text }, `Q${i + 1}`)),
    el("th", { scope: "col", class: "num" }, "Answered"),
    el("th", { scope: "col", class: "num" }, "Score")));
  const given = (p) => answers.filter((a) => a.player_id === p.player_id).length;
  const body = el("tbody", {}, players.map((p) => el("tr", { dataset: { playerId: p.player_id } },
    el("th", { scope: "row", class: "sticky name" }, p.name),
    questions.map((q, i) => {
      const a = cell.get(`${p.player_id}:${i}`);
      if (!a) return el("td", { class: "none" }, el("span", { "aria-label": "no answer" }, "–"));
      const mark = a.correct === true ? "✓" : a.correct === false ? "✗" : "";
      return el("td", { class: a.correct === true ? "right" : a.correct === false ? "wrong" : null },
        el("span", { class: "ans" }, mark ? `${mark} ` : "", answerLabel(q, a)),
        el("span", { class: "hint" }, `${seconds(a.elapsed_ms)} · ${a.points} pts`));
    }),
    // Out of the questions asked while the player was in the game: a late joiner who
    // answered all they saw has "3 of 3", not "3 of 5".
    el("td", { class: "num" }, `${given(p)} of ${p.asked ?? questions.length}`),
    el("td", { class: "num" }, String(p.score)))));
  $("answer-table").replaceChildren(head, body);
}

// ---- go ----
me = await startPage();
const game = Number(new URLSearchParams(location.search).get("game"));
if (game) await showGame(game);
else await showList();
