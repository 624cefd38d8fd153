// Results: the host's past games (an admin sees every game), each public or private, and one
// game's page (`/results?game=ID`): standings, per-question statistics with the answer
// distribution, every player's answers and times, the teacher's report (questions by
// difficulty, questions to review, players who may need help) and the CSV and Excel downloads.

import { $, el } from "./dom.js";
import { hostRoom } from "./storage.js";
import { api, download, humanError, when, startPage } from "./common.js";
import { SHAPES, chart as drawChart } from "./stage.js";
import { num, t } from "./i18n.js";

const STATUS = { running: "status_running", finished: "status_finished", aborted: "status_aborted" };
const statusName = (s) => (STATUS[s] ? t(STATUS[s]) : s);
const modeName = (m) => t(m === "race" ? "mode_race" : "mode_classic");

let me = null;
const announce = (text) => ($("announcer").textContent = text);
const seconds = (ms) => t("n_s", { s: num(ms / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });

async function setPrivate(gameId, box) {
  box.disabled = true;
  try {
    const r = await api("PATCH", `/api/games/${gameId}`, { private: box.checked });
    box.checked = r.private;
    announce(t(r.private ? "game_now_private" : "game_now_public"));
  } catch (e) {
    box.checked = !box.checked;
    announce(t("could_not_change_game", { error: humanError(e) }));
    alert(t("could_not_change_game", { error: humanError(e) }));
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
    $("games-error").textContent = t("could_not_load_games", { error: humanError(e) });
    return;
  }
  const admin = me.role === "admin";
  for (const c of document.querySelectorAll("#games .host-col")) c.hidden = !admin;
  $("games").tBodies[0].replaceChildren(...games.map((g) => gameRow(g, admin)));
  $("games-empty").hidden = games.length > 0;
  $("games").hidden = games.length === 0;
}

function gameRow(g, admin) {
  const box = el("input", { type: "checkbox", class: "private-box", "aria-label": t("game_private_label", { title: g.title, when: when(g.created_at) }) });
  box.checked = g.private;
  box.onchange = () => setPrivate(g.game_id, box);
  let action = el("a", { href: `/results?game=${g.game_id}`, class: "button", "aria-label": t("results_of", { title: g.title, when: when(g.created_at) }) }, t("nav_results"));
  // An assignment's game (its code has 8 digits) is watched on its own page, not taken over.
  const assignment = g.pin && g.pin.length === 8;
  if (assignment) {
    action = el("div", { class: "row nowrap" }, action,
      el("a", { href: `/assignments?id=${g.game_id}`, class: "button" }, t("nav_assignments")));
  } else if (g.status === "running" && g.pin) {
    // The host page resumes the room it finds in this tab's sessionStorage: with no host key
    // it takes control with the login, and the server sends this device a key of its own.
    const take = el("button", { type: "button", class: "resume-btn" }, t("take_control"));
    take.onclick = () => {
      hostRoom.save({ pin: g.pin, game_id: g.game_id });
      location.href = "/host";
    };
    action = el("div", { class: "row nowrap" }, action, take);
  }
  return el("tr", { dataset: { gameId: g.game_id } },
    el("th", { scope: "row" }, el("a", { href: `/results?game=${g.game_id}` }, g.title)),
    el("td", { class: "nowrap", "data-label": t("played") }, when(g.created_at)),
    el("td", { "data-label": t("mode") }, modeName(g.mode)),
    el("td", { "data-label": t("status") }, g.status === "running" && g.pin && !assignment ? t("running_pin", { pin: g.pin }) : statusName(g.status)),
    el("td", { class: "num", "data-label": t("players_2") }, String(g.players)),
    admin ? el("td", { "data-label": t("host") }, g.host) : null,
    el("td", {}, el("label", { class: "check" }, box, t("private"))),
    el("td", {}, action));
}

// ---- one game ----
async function showGame(id) {
  $("game-view").hidden = false;
  let g;
  try {
    g = await api("GET", `/api/games/${id}`);
  } catch (e) {
    $("game-title").textContent = t("game_not_found");
    $("game-error").textContent = e.code === "no_such_game" ? t("no_such_game_yours") : t("could_not_load_game", { error: humanError(e) });
    $("csv-btn").hidden = true;
    $("xlsx-btn").hidden = true;
    $("report").hidden = true;
    $("game-private").closest("label").hidden = true;
    return;
  }
  document.title = `quizrace · ${g.title}`;
  $("game-title").textContent = g.title;
  // Everyone who played (leavers included), as the public leaderboard counts them.
  const bits = [modeName(g.mode), statusName(g.status), t("n_players", { count: g.players.length })];
  if (g.created_at) bits.push(t("started_at", { when: when(g.created_at) }));
  if (g.finished_at) bits.push(t("finished_at", { when: when(g.finished_at) }));
  $("game-meta").textContent = bits.join(" · ");
  $("game-private").checked = g.private;
  $("game-private").onchange = () => setPrivate(g.game_id, $("game-private"));
  $("csv-btn").onclick = async () => {
    try {
      download(await api("GET", `/api/games/${g.game_id}/results.csv`, undefined, { blob: true }), `quizrace-game-${g.game_id}.csv`);
    } catch (e) {
      $("game-error").textContent = t("could_not_download_results", { error: humanError(e) });
    }
  };
  $("xlsx-btn").onclick = async () => {
    try {
      download(await api("GET", `/api/games/${g.game_id}/report.xlsx${threshold()}`, undefined, { blob: true }), `quizrace-game-${g.game_id}.xlsx`);
    } catch (e) {
      $("game-error").textContent = t("could_not_download_report", { error: humanError(e) });
    }
  };
  $("report-form").onsubmit = (e) => {
    e.preventDefault();
    loadReport(g.game_id);
  };
  loadReport(g.game_id);

  const players = g.players.slice().sort((a, b) => a.rank - b.rank);
  $("standings-empty").hidden = players.length > 0;
  $("standings").replaceChildren(...players.map((p) => el("li", { dataset: { rank: p.rank, playerId: p.player_id } },
    el("span", { class: "rank" }, String(p.rank)),
    el("span", { class: "name" }, p.name, p.status !== "active" ? el("span", { class: "hint" }, ` (${PLAYER_STATUS[p.status] ? t(PLAYER_STATUS[p.status]) : p.status})`) : null),
    el("span", { class: "score" }, t("score_pts", { score: p.score })))));
  teamResults(g.teams, players);

  const questions = g.quiz?.questions ?? Array.from({ length: g.questions }, () => ({ kind: null, text: "" }));
  const byIndex = questions.map(() => []);
  for (const a of g.answers) if (byIndex[a.index]) byIndex[a.index].push(a);
  // Each question counts the players who were in the game when it was asked: a late joiner
  // is not "missing" the questions before they came.
  const askedOf = (i) => players.filter((p) => p.first_asked == null || (p.first_asked <= i && i < p.first_asked + p.asked)).length;
  $("question-stats").replaceChildren(...questions.map((q, i) => questionStats(q, i, byIndex[i], askedOf(i))));
  answerTable(questions, players, g.answers);
}

const PLAYER_STATUS = { left: "player_left", kicked: "player_kicked" };
const choicesOf = (q) => (q.kind === "true_false" ? [t("true"), t("false")] : q.choices || []);
const KIND = {
  choice: "kind_choice", true_false: "true_or_false", multi: "kind_multi", type_answer: "type_the_answer", poll: "kind_poll",
  slider: "kind_slider", order: "kind_order", word_cloud: "kind_word_cloud", slide: "kind_slide",
};
// Kinds with no right answer: "Right" says "–".
const UNSCORED = ["poll", "word_cloud", "slide"];

// A team game's standings, each team with its members; every player's line names their team.
function teamResults(teams, players) {
  $("team-results").hidden = !teams;
  if (!teams) return;
  for (const li of $("standings").children) {
    const p = players.find((x) => String(x.player_id) === li.dataset.playerId);
    if (p && p.team != null) li.querySelector(".name").append(el("span", { class: "hint" }, ` · ${t("team_n", { n: p.team })}`));
  }
  $("team-standings").replaceChildren(...teams.map((s) => el("li", { dataset: { rank: s.rank, team: s.id } },
    el("span", { class: "rank" }, String(s.rank)),
    el("span", { class: "name" }, t("team_n", { n: s.id }),
      el("span", { class: "hint" }, ` · ${t("team_members", { names: players.filter((p) => p.team === s.id).map((p) => p.name).join(", ") })}`)),
    el("span", { class: "score" }, t("score_pts", { score: s.score })))));
}

function questionStats(q, i, answers, playerCount) {
  // A slide is shown, not asked: no statistics.
  if (q.kind === "slide") {
    return el("li", { class: "card qstat", dataset: { index: i } },
      el("p", { class: "hint" }, `${i + 1} · ${KIND.slide}`),
      el("h3", { class: "qstat-text" }, q.title || q.text));
  }
  const right = answers.filter((a) => a.correct === true).length;
  const avg = answers.length ? answers.reduce((s, a) => s + a.elapsed_ms, 0) / answers.length : null;
  const facts = [
    [t("answered"), t("n_of", { n: answers.length, of: playerCount })],
    [t("bar_right"), UNSCORED.includes(q.kind) ? "–" : String(right)],
    [t("average_time"), avg == null ? "–" : seconds(avg)],
  ];
  return el("li", { class: "card qstat", dataset: { index: i } },
    el("p", { class: "hint" }, [t("question_n", { n: i + 1 }), ...(KIND[q.kind] ? [t(KIND[q.kind])] : [])].join(" · ")),
    el("h3", { class: "qstat-text" }, q.text || t("question_n", { n: i + 1 })),
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
      const g = groups.get(key) || { label: text.trim() || t("empty_answer"), count: 0, correct: false };
      g.count++;
      g.correct ||= a.correct === true;
      groups.set(key, g);
    }
    rows = [...groups.values()].sort((a, b) => b.count - a.count);
    const accepted = el("p", { class: "hint" }, t("accepted_list", { list: (q.accept || []).join(", ") }));
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
  if (a.answer.value != null) return String(a.answer.value);
  // An order's item ids belong to the game, not to the stored quiz: say whether it was right.
  if (a.answer.order) return t(a.correct ? "res_right_order" : "res_another_order");
  const choices = choicesOf(q);
  const picked = a.answer.choices ?? (a.answer.choice != null ? [a.answer.choice] : []);
  return picked.map((c) => `${SHAPES[c] || ""} ${choices[c] ?? c + 1}`).join(", ");
}

function answerTable(questions, players, answers) {
  const cell = new Map(answers.map((a) => [`${a.player_id}:${a.index}`, a]));
  const head = el("thead", {}, el("tr", {},
    el("th", { scope: "col", class: "sticky" }, t("player")),
    questions.map((q, i) => el("th", { scope: "col", title: q.text }, `Q${i + 1}`)),
    el("th", { scope: "col", class: "num" }, t("answered")),
    el("th", { scope: "col", class: "num" }, t("score"))));
  const given = (p) => answers.filter((a) => a.player_id === p.player_id).length;
  const body = el("tbody", {}, players.map((p) => el("tr", { dataset: { playerId: p.player_id } },
    el("th", { scope: "row", class: "sticky name" }, p.name),
    questions.map((q, i) => {
      const a = cell.get(`${p.player_id}:${i}`);
      if (!a) return el("td", { class: "none" }, el("span", { "aria-label": t("res_no_answer") }, "–"));
      const mark = a.correct === true ? "✓" : a.correct === false ? "✗" : "";
      return el("td", { class: a.correct === true ? "right" : a.correct === false ? "wrong" : null },
        el("span", { class: "ans" }, mark ? `${mark} ` : "", answerLabel(q, a)),
        el("span", { class: "hint" }, `${seconds(a.elapsed_ms)} · ${t("score_pts", { score: a.points })}`));
    }),
    // Out of the questions asked while the player was in the game: a late joiner who
    // answered all they saw has "3 of 3", not "3 of 5".
    el("td", { class: "num" }, t("n_of", { n: given(p), of: p.asked ?? questions.length })),
    el("td", { class: "num" }, String(p.score)))));
  $("answer-table").replaceChildren(head, body);
}

// ---- the teacher's report ----
// The page's threshold as a query string; the server checks it (0 to 100) and says why not.
const threshold = () => `?need_help_below=${encodeURIComponent($("need-help-below").value.trim())}`;
const percentText = (p) => (p == null ? "–" : num(p / 100, { style: "percent", maximumFractionDigits: 1 }));

async function loadReport(id) {
  let r;
  try {
    r = await api("GET", `/api/games/${id}/report${threshold()}`);
  } catch (e) {
    $("report-error").textContent = t("could_not_make_report", { error: humanError(e) });
    return;
  }
  $("report-error").textContent = "";
  $("report-running").hidden = r.status !== "running";
  const byIndex = r.questions;
  const questionItem = (i) => {
    const q = byIndex[i];
    const avg = q.average_ms == null ? t("no_answers") : t("time_average", { time: seconds(q.average_ms) });
    return el("li", { dataset: { index: i }, class: q.review ? "review" : null },
      el("span", { class: "report-qnum" }, `Q${i + 1}`), " ",
      el("span", { class: "report-qtext" }, q.text || t("question_n", { n: i + 1 })), " ",
      el("span", { class: "hint" }, `${t("percent_right_of_asked", { percent: percentText(q.percent_correct), asked: q.asked })} · ${avg}`));
  };
  $("report-difficulty").replaceChildren(...r.by_difficulty.map(questionItem));
  $("difficulty-empty").hidden = r.by_difficulty.length > 0;
  $("report-review").replaceChildren(...r.to_review.map(questionItem));
  $("review-empty").hidden = r.to_review.length > 0;
  const flagged = new Set(r.need_help);
  const helped = r.players.filter((p) => flagged.has(p.player_id));
  $("report-help").replaceChildren(...helped.map((p) => el("li", { dataset: { playerId: p.player_id } },
    el("span", { class: "name" }, p.name), " ",
    el("span", { class: "hint" }, t("n_of_right_percent", { n: p.correct, of: p.scored_asked, percent: percentText(p.percent_correct) })))));
  $("help-empty").hidden = helped.length > 0;
  $("help-empty").textContent = t("nobody_below", { percent: percentText(r.need_help_below) });
  $("report-players").replaceChildren(...r.players.map((p) => playerAnswers(p, byIndex)));
  announce(t("report_announce", {
    questions: t("n_questions_to_review", { count: r.to_review.length }),
    players: t("n_players_need_help", { count: helped.length }),
  }));
}

const RESULT = (a) => t(a.answer == null ? "res_no_answer" : a.correct === true ? "res_right" : a.correct === false ? "res_wrong" : "res_answered");

// The report writes a true/false answer as the words "True" and "False" (the workbook's too):
// this page says them in its language.
const TRUE_FALSE = { True: "true", False: "false" };
const reportAnswer = (q, answer) =>
  answer == null ? "–" : q?.kind === "true_false" && TRUE_FALSE[answer] ? t(TRUE_FALSE[answer]) : answer;

function playerAnswers(p, questions) {
  const rows = p.answers.map((a) => el("tr", { class: a.correct === true ? "right" : a.correct === false ? "wrong" : null },
    el("th", { scope: "row" }, `Q${a.index + 1}`),
    el("td", {}, questions[a.index]?.text ?? ""),
    el("td", {}, reportAnswer(questions[a.index], a.answer)),
    el("td", {}, RESULT(a)),
    el("td", { class: "num" }, a.elapsed_ms == null ? "–" : seconds(a.elapsed_ms)),
    el("td", { class: "num" }, String(a.points))));
  const table = el("table", { class: "data" },
    el("thead", {}, el("tr", {},
      ["question", "text", "answer", "right_or_wrong", "time", "points"].map((h) => el("th", { scope: "col" }, t(h))))),
    el("tbody", {}, rows));
  return el("details", { class: "report-player", dataset: { playerId: p.player_id } },
    el("summary", {}, el("span", { class: "name" }, p.name), " ",
      el("span", { class: "hint" }, [`#${p.rank}`, t("score_pts", { score: p.score }), t("n_of_right", { n: p.correct, of: p.scored_asked }),
        ...(p.need_help ? [t("may_need_help")] : [])].join(" · "))),
    el("div", { class: "table-wrap", tabindex: "0" }, table));
}

// ---- go ----
me = await startPage();
const game = Number(new URLSearchParams(location.search).get("game"));
if (game) await showGame(game);
else await showList();
