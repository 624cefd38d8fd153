// A whole game in headless Chromium: a host on /host (a laptop) builds the quiz in the editor
// (an import of the built-in "General knowledge" questions, saved under its own title) and
// hosts it from there; a presenter window it opens and five players on 390 px phones play it
// to the end:
// choice, true/false, typed, multi and poll questions. On the way a sixth phone loses its
// connection and is kicked, the host chats, takes control from a phone and back, and every
// screen is photographed into docs/screenshots/. Every question shows first for a get-ready
// time (a visible countdown on every screen, tiles not yet usable on the phones), and a
// question's explanation shows on every screen at its reveal.
//
// Run: scripts/browser-test.sh (installs what is missing, builds, runs this file), or, with the
// server built and `npm ci` done here: node --test tests/browser/game.test.mjs
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).
//
// The steps share one game, so they run in order; after a failed step the rest are skipped.
// The last tests check what every step recorded on the way: no correct answer on screen
// before the reveal, no layout shift when a question arrives, phone layout, and no page
// errors or requests leaving 127.0.0.1.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, STEP_MS, createSession, screen, stopServer, text, noProblems } from "./harness.mjs";

// The questions of the quiz the server ships (order, kinds, answer keys, time limits), under
// a title of the host's own: the host imports it in the editor and hosts it from there.
// A short get-ready time keeps the run short; the first question's is long enough to watch
// its countdown on every screen. The second question explains its answer.
const SAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, "server/quizzes/general-knowledge.json"), "utf8"));
const FIRST_READ_S = 5;
const EXPLANATION = "Canberra was chosen in 1908 as a compromise between Sydney and Melbourne.";
const QUIZ = {
  ...SAMPLE,
  title: "Friday pub quiz",
  read_s: 1,
  questions: SAMPLE.questions.map((q, i) =>
    i === 0 ? { ...q, read_s: FIRST_READ_S } : i === 1 ? { ...q, explanation: EXPLANATION } : q),
};
const NAMES = ["Ada", "Grace Hopper", "Bartholomew_Longname", "Linus", "Margaret"];
const DARK = 4; // Margaret's phone is in dark mode
const KEYBOARD = 3; // Linus answers with the keyboard alone
// What each player answers, by question index (see general-knowledge.json).
// Player 3 reloads the page during question 5, before answering.
const PLAN = [
  [2, 1, 2, 2, 3], // 0 choice, no points
  [2, 2, 0, 2, 1], // 1 choice
  [1, 0, 1, 1, 0], // 2 true_false
  ["au", "Ag", "  AU ", "Au", "Fe"], // 3 type_answer
  [[0, 2, 3], [0, 1], [0, 2, 3], [0, 2, 3], [2]], // 4 multi
  [0, 1, 0, 0, 1], // 5 true_false
  [1, 1, 0, 1, 3], // 6 choice
  ["jupiter", "Saturn", "Planet Jupiter", "JUPITER", "mars"], // 7 type_answer, double points
  [[0, 2, 4], [0, 2], [0, 2, 4], [1], [0, 2, 4]], // 8 multi
  [0, 0, 1, 0, 0], // 9 true_false
  ["150", "150 minutes", "120", "150", "one hundred fifty"], // 10 type_answer
  [0, 0, 1, 0, 1], // 11 poll
];
const RELOAD_AT = 5;

// ---------- shared state ----------
const S = createSession();
const { step, shot, checkLayout } = S;
let host;
let present; // the presenter window the host page opens
let pin;
const players = []; // { page, name, score, streak, points: [] }
const leaks = []; // correct answers seen before a reveal
let leakChecks = 0;
const shifts = []; // layout shifts on a phone while a question arrived
let shiftChecks = 0;
let behindSeen = 0; // reveals that told a non-leader whom they chase
const hostVotes = []; // `votes` of every answer_count frame the host got
let errorsBeforeStop = null; // page errors recorded before the server was stopped on purpose

// A phone that must never receive the answer key (no `correct` or `accept` in a question
// frame); it keeps its latest `result` frame to compare the page with. Every phone records
// its layout shifts from the first paint on.
async function newPhone(who, options = {}) {
  const page = await S.newPage(who, true, options);
  page.results = {};
  page.on("websocket", (ws) =>
    ws.on("framereceived", (f) => {
      let m;
      try {
        m = JSON.parse(f.payload);
      } catch {
        return;
      }
      if (m.type === "result") page.results[m.index] = m;
      const q = m.type === "question" ? m : m.question;
      if (q && ("correct" in q || "accept" in q)) {
        leaks.push(`${who}: answer key in a ${m.type} frame: ${f.payload.slice(0, 200)}`);
      }
    }),
  );
  await page.addInitScript(() => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.hadRecentInput) window.__shifts.push({ t: e.startTime, value: e.value });
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  return page;
}

// The page's clock now, to count the layout shifts after it.
const pageNow = (p) => p.evaluate(() => performance.now());

// Sum of the layout shifts since `since` (page time), after two frames so the observer has
// delivered the last ones.
async function shiftSince(p, since) {
  return p.evaluate(
    (since) =>
      new Promise((resolve) =>
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            setTimeout(() => resolve(window.__shifts.filter((s) => s.t >= since).reduce((a, s) => a + s.value, 0)), 50),
          ),
        ),
      ),
    since,
  );
}

// No answer tile may be marked correct, and no reveal may show, while a question is open.
async function checkNoAnswerShown(page, label) {
  leakChecks++;
  const bad = await page.evaluate(() => {
    const shown = (el) => el.getClientRects().length > 0;
    const out = [];
    for (const el of document.querySelectorAll("#q-choices .tile")) {
      if (el.classList.contains("correct")) out.push(`tile ${el.dataset.choice} has .correct`);
    }
    for (const el of document.querySelectorAll(".correct, .dim")) {
      if (shown(el)) out.push(`visible ${el.tagName}.${el.className}`);
    }
    for (const id of ["screen-reveal", "reveal-answers", "reveal-accept", "reveal-explanation", "result", "chart"]) {
      const el = document.getElementById(id);
      if (el && shown(el) && el.textContent.trim()) out.push(`#${id} is showing`);
    }
    return out;
  });
  for (const b of bad) leaks.push(`${page.who} [${label}]: ${b}`);
}

// ---------- quiz rules (docs/protocol.md, "Scoring") ----------
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const norm = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").trim().replace(/\s+/g, " ").toLowerCase();
// true / false, or null for a poll (no right answer).
function isCorrect(q, a) {
  if (q.kind === "poll") return null;
  if (q.kind === "type_answer") return q.accept.some((x) => typedMatches(q, norm(x), norm(a)));
  if (q.kind === "multi") return same([...a].sort(), [...q.correct].sort());
  return q.correct.includes(a);
}
// A typed answer within 1 edit of a 5-letter accepted one, 2 of a 9-letter one, counts unless
// the question says "exact"; a swap of neighbours is one edit (docs/protocol.md, "Typos").
function typedMatches(q, accepted, given) {
  if (accepted === given) return true;
  const n = [...accepted].length;
  const max = q.typo === "exact" ? 0 : n >= 9 ? 2 : n >= 5 ? 1 : 0;
  return max > 0 && edits([...accepted], [...given]) <= max;
}
function edits(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
// "2 of 3 right, 1 wrong pick": the phone's verdict on a multi answer that is not all right.
function picksVerdict(q, a) {
  const right = a.filter((c) => q.correct.includes(c)).length;
  const wrong = a.length - right;
  return `${right} of ${q.correct.length} right${wrong > 0 ? `, ${wrong} wrong ${wrong === 1 ? "pick" : "picks"}` : ""}`;
}
const BASE = { standard: 1000, double: 2000, none: 0 };
const scored = (q) => q.kind !== "poll" && (q.points ?? "standard") !== "none";
const choicesOf = (q) => q.choices ?? ["True", "False"];

// ---------- playing one question ----------
async function answer(p, q, a) {
  if (q.kind === "type_answer") {
    await p.fill("#answer-text", a);
    await p.locator("#text-btn").tap();
  } else if (q.kind === "multi") {
    for (const c of a) await p.locator(`#q-choices .tile[data-choice="${c}"]`).tap();
    await p.locator("#submit-btn").tap();
  } else {
    await p.locator(`#q-choices .tile[data-choice="${a}"]`).tap();
  }
}

// Polls `check` every 100 ms until it is true, for at most STEP_MS.
async function waitFor(check, what) {
  const until = Date.now() + STEP_MS;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Tab until the focus is on `selector`: the page must be usable without a pointer.
async function tabTo(p, selector) {
  for (let i = 0; i < 30; i++) {
    await p.keyboard.press("Tab");
    if (await p.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  assert.fail(`${p.who}: Tab never reached ${selector}`);
}

// The same answers with the keyboard alone: Tab to a tile and Space, Enter in the text box.
async function answerByKeyboard(p, q, a) {
  if (q.kind === "type_answer") {
    assert.ok(await p.evaluate(() => document.activeElement?.id === "answer-text"), "a typed question puts the focus in its text box");
    await p.keyboard.type(a);
    await p.keyboard.press("Enter");
  } else if (q.kind === "multi") {
    for (const c of a) {
      await tabTo(p, `#q-choices .tile[data-choice="${c}"]`);
      await p.keyboard.press("Space");
    }
    await tabTo(p, "#submit-btn");
    await p.keyboard.press("Enter");
  } else {
    await tabTo(p, `#q-choices .tile[data-choice="${a}"]`);
    await p.keyboard.press("Space");
  }
}

// The host opens question `qi` (`open` clicks the button) and every screen shows it; each
// phone's layout must not shift as it arrives.
async function openQuestion(qi, open) {
  const q = QUIZ.questions[qi];
  const marks = await Promise.all(players.map((pl) => pageNow(pl.page)));
  await open();
  await screen(host, "question");
  await host.locator("#q-progress", { hasText: `Question ${qi + 1} of ${QUIZ.questions.length}` }).waitFor();
  assert.equal(await text(host, "#q-text"), q.text);
  if (q.read_s === FIRST_READ_S) await checkGetReady();
  await checkNoAnswerShown(host, `q${qi}`);
  await screen(present, "question");
  await present.locator("#q-progress", { hasText: `Question ${qi + 1} of ${QUIZ.questions.length}` }).waitFor();
  assert.equal(await text(present, "#q-text"), q.text, "presenter shows the question");
  await checkNoAnswerShown(present, `q${qi}`);
  for (const [i, pl] of players.entries()) {
    const p = pl.page;
    await screen(p, "question");
    await p.locator("#q-progress", { hasText: `Question ${qi + 1} of ${QUIZ.questions.length}` }).waitFor();
    assert.equal(await text(p, "#q-text"), q.text, `${p.who} shows question ${qi}`);
    // Screen readers hear the new question.
    assert.match(await text(p, "#announcer"), new RegExp(`^Question ${qi + 1} of ${QUIZ.questions.length}: `));
    if (q.kind !== "type_answer") {
      assert.equal(await p.locator("#q-choices .tile").count(), choicesOf(q).length, `${p.who}: tiles on question ${qi}`);
      // Every tile has a colour class and a shape, so colour is never the only cue.
      const cues = await p.locator("#q-choices .tile").evaluateAll((els) =>
        els.map((t) => /\bc\d\b/.test(t.className) && t.querySelector(".shape").textContent.trim() !== ""),
      );
      assert.ok(cues.every(Boolean), `${p.who}: every tile has a colour and a shape`);
    }
    shiftChecks++;
    const cls = await shiftSince(p, marks[i]);
    if (cls > 0.01) shifts.push(`${p.who} q${qi}: layout shift ${cls.toFixed(3)} as the question arrived`);
    await checkNoAnswerShown(p, `q${qi} open`);
    await checkLayout(p, `q${qi} ${q.kind}`);
  }
}

// The first question's get-ready time, seen at once on the host, the presenter and every
// phone: the text, a countdown of whole seconds, and phone tiles that cannot be used yet.
async function checkGetReady() {
  for (const page of [host, present, ...players.map((pl) => pl.page)]) {
    await page.locator("#get-ready").waitFor({ state: "visible" });
    const left = Number(await text(page, "#get-ready-count"));
    assert.ok(left >= 1 && left <= FIRST_READ_S, `${page.who}: get-ready countdown shows ${left}`);
    assert.ok((await text(page, "#q-text")).length > 0, `${page.who}: the question shows during the get-ready time`);
  }
  for (const pl of players) {
    const enabled = await pl.page.locator("#q-choices .tile:enabled").count();
    const reading = await pl.page.locator("#get-ready").isVisible();
    if (reading) assert.equal(enabled, 0, `${pl.page.who}: no tile is usable before answering opens`);
  }
}

// Every player answers in turn; the host's live count follows (and, for a poll, the live
// vote chart on the host and the presenter); the reveal is checked on every page.
// `beforeAnswer(i)` runs before player i answers.
async function playQuestion(qi, { shots = false, beforeAnswer = async () => {} } = {}) {
  const q = QUIZ.questions[qi];
  const n = players.length;
  const poll = q.kind === "poll";
  const labels = q.kind === "type_answer" ? ["Right", "Wrong"] : choicesOf(q);
  const votes = labels.map(() => 0);
  await host.locator("#answer-count", { hasText: `0 / ${n} answered` }).waitFor();
  for (const [i, pl] of players.entries()) {
    const p = pl.page;
    await beforeAnswer(i);
    // Answering opens after the get-ready time.
    await p.locator("#get-ready").waitFor({ state: "hidden" });
    await (i === KEYBOARD ? answerByKeyboard : answer)(p, q, PLAN[qi][i]);
    if (i < n - 1) {
      // The question stays open until the last answer: this player waits, answer hidden.
      await screen(p, "answered");
      assert.equal(await text(p, "#answered-title"), poll ? "Vote recorded" : "Answer locked in");
      await checkNoAnswerShown(p, `q${qi} answered`);
      await checkLayout(p, `q${qi} answered`);
      await host.locator("#answer-count", { hasText: `${i + 1} / ${n} answered` }).waitFor();
      await present.locator("#answer-count", { hasText: `${i + 1} / ${n} answered` }).waitFor();
      if (poll) {
        votes[PLAN[qi][i]]++;
        for (const page of [host, present]) {
          await page.waitForFunction(
            (want) => [...document.querySelectorAll("#live-chart .bar-count")].map((c) => Number(c.textContent)).join() === want,
            votes.join(),
          );
        }
        if (i === 2) {
          await shot(host, "host-poll");
          await shot(present, "present-poll");
        }
      }
      if (shots && i === 0) {
        await shot(p, "player-answered");
        await shot(host, "host-question");
        await shot(present, "present-question");
      }
    }
  }

  // The last answer closes the question: the host and the presenter get the chart.
  const key = q.kind === "type_answer" ? [0] : poll ? [] : q.correct;
  const counts = labels.map(() => 0);
  for (const a of PLAN[qi]) {
    if (q.kind === "type_answer") counts[isCorrect(q, a) ? 0 : 1]++;
    else for (const c of [a].flat()) counts[c]++;
  }
  for (const page of [host, present]) {
    await screen(page, "reveal");
    const rows = page.locator("#chart .bar-row");
    await rows.first().waitFor();
    assert.equal(await rows.count(), labels.length, `${page.who} chart rows on question ${qi}`);
    const chart = await rows.evaluateAll((els) =>
      els.map((r) => ({ count: Number(r.querySelector(".bar-count").textContent), correct: r.classList.contains("correct") })),
    );
    assert.deepEqual(chart.map((r) => r.count), counts, `${page.who} chart counts on question ${qi}`);
    assert.deepEqual(
      chart.map((r, i) => (r.correct ? i : -1)).filter((i) => i >= 0),
      [...key].sort(),
      `${page.who} chart marks the right answers on question ${qi}`,
    );
    assert.match(await text(page, "#first-correct"), new RegExp(`${n} of ${n} answered`));
    await checkExplanation(page, q);
  }

  // Each player: verdict, points within the scoring rules, running score.
  for (const [i, pl] of players.entries()) {
    const a = PLAN[qi][i];
    const right = isCorrect(q, a);
    if (scored(q)) pl.streak = right ? pl.streak + 1 : 0;
    pl.bonus = right && scored(q) ? Math.min(100 * (pl.streak - 1), 500) : 0;
  }
  for (const [i, pl] of players.entries()) {
    const p = pl.page;
    const a = PLAN[qi][i];
    const right = isCorrect(q, a);
    await screen(p, "reveal");
    await p.locator("#result").waitFor({ state: "visible" });
    const wrong = q.kind === "multi" ? picksVerdict(q, a) : "Wrong";
    assert.equal(await text(p, "#result-verdict"), poll ? "Thanks for voting" : right ? "Correct!" : wrong, `${p.who} verdict on question ${qi}`);
    await checkExplanation(p, q);
    const base = BASE[q.points ?? "standard"];
    const pts = Number((await text(p, "#result-points")).replace(/^\+/, ""));
    if (right && base > 0) {
      assert.ok(pts >= base / 2 + pl.bonus && pts <= base + pl.bonus, `${p.who} q${qi}: ${pts} points, expected ${base / 2 + pl.bonus}..${base + pl.bonus}`);
    } else {
      assert.equal(pts, 0, `${p.who} q${qi}: points for a ${right ? "no-points" : "wrong or poll"} answer`);
    }
    pl.points[qi] = { pts, bonus: pl.bonus };
    pl.score += pts;
  }
  for (const [i, pl] of players.entries()) {
    const p = pl.page;
    const a = PLAN[qi][i];
    assert.equal(Number(await text(p, "#result-score")), pl.score, `${p.who} q${qi}: score in the result`);
    assert.equal(Number(await text(p, "#me-score")), pl.score, `${p.who} q${qi}: score in the top bar`);
    assert.equal(Number(await text(p, "#result-streak")), pl.streak, `${p.who} q${qi}: streak`);
    await checkBehind(pl, qi);
    if (q.kind === "type_answer") {
      assert.match(await text(p, "#reveal-accept"), new RegExp(`Accepted answers: .*${q.accept[0]}`));
    } else {
      const tiles = await p.locator("#reveal-answers .tile").evaluateAll((els) =>
        els.map((t) => ({ correct: t.classList.contains("correct"), mine: t.classList.contains("mine") })),
      );
      assert.deepEqual(tiles.map((t, j) => (t.correct ? j : -1)).filter((j) => j >= 0), [...key].sort(), `${p.who} q${qi}: correct tiles`);
      assert.deepEqual(tiles.map((t, j) => (t.mine ? j : -1)).filter((j) => j >= 0), [a].flat().sort(), `${p.who} q${qi}: own answer marked`);
    }
    await checkLayout(p, `q${qi} reveal`);
  }
  // The host's roster is who is here; scores are the leaderboard's, never a stale copy beside a name.
  assert.equal(await host.locator("#player-list .score").count(), 0, `host q${qi}: the roster shows no score`);
  if (shots) {
    await shot(host, "host-reveal");
    await shot(present, "present-reveal");
    await shot(players[0].page, "player-reveal");
    await shot(players[DARK].page, "player-reveal-dark");
  }

  // Leaderboard: the host, the presenter and every player see the same standings.
  await host.locator("#next-btn", { hasText: "Show leaderboard" }).click();
  await screen(host, "leaderboard");
  const expected = checkStandings(await standings(host, "#leaderboard"), `host leaderboard after question ${qi}`);
  await checkMoves(host, expected, qi);
  await screen(present, "leaderboard");
  assert.deepEqual(await standings(present, "#leaderboard"), expected, `presenter leaderboard after question ${qi}`);
  await checkMoves(present, expected, qi);
  for (const pl of players) {
    const p = pl.page;
    await screen(p, "leaderboard");
    assert.deepEqual(await standings(p, "#leaderboard"), expected, `${p.who} leaderboard after question ${qi}`);
    const me = expected.find((s) => s.name === pl.name);
    // Equal scores share a rank (the server's `rank`), and the line says so.
    const others = expected.filter((s) => s.rank === me.rank && s.name !== pl.name).length;
    const place = me.rank === 1 ? "the lead" : `#${me.rank}`;
    assert.equal(await text(p, "#my-rank"), others === 0
      ? `You are #${me.rank} with ${pl.score} points.`
      : `You share ${place} with ${others} other player${others === 1 ? "" : "s"}, on ${pl.score} points.`);
    await checkMoves(p, expected, qi);
    await checkLayout(p, `q${qi} leaderboard`);
  }
  lastBoard = expected;
  if (shots) {
    await shot(host, "host-leaderboard");
    await shot(present, "present-leaderboard");
    await shot(players[0].page, "player-leaderboard");
  }
}

// The question's explanation on a reveal, or none.
async function checkExplanation(page, q) {
  if (q.explanation) assert.equal(await text(page, "#reveal-explanation"), q.explanation, `${page.who}: the explanation at the reveal`);
  else assert.ok(await page.locator("#reveal-explanation").isHidden(), `${page.who}: no explanation to show`);
}

// "You are 120 points behind Ada." for a non-leader, from the result's `ahead`: the name is
// a player ranked above, and the gap matches the scores every screen showed.
async function checkBehind(pl, qi) {
  const p = pl.page;
  const r = p.results[qi];
  assert.ok(r, `${p.who} q${qi}: a result frame arrived`);
  assert.ok("ahead" in r, `${p.who} q${qi}: the result carries "ahead"`);
  assert.equal(await text(p, "#result-rank"), `#${r.rank}`, `${p.who} q${qi}: rank on the reveal`);
  const shown = await text(p, "#result-ahead");
  if (r.ahead === null) {
    assert.equal(r.rank, 1, `${p.who} q${qi}: only the leader has nobody ahead`);
    assert.equal(shown, r.shared ? "You share the lead." : "You are in the lead!");
    return;
  }
  const other = players.find((x) => x.name === r.ahead.name);
  assert.ok(other, `${p.who} q${qi}: ahead names a player (${r.ahead.name})`);
  assert.equal(r.ahead.score, other.score, `${p.who} q${qi}: ahead carries ${other.name}'s score`);
  const gap = other.score - pl.score;
  assert.ok(gap >= 0, `${p.who} q${qi}: the player ahead does not have fewer points`);
  const level = r.rank === 1 ? `You share the lead with ${other.name}.` : `You are level with ${other.name}.`;
  const want = gap === 0 ? level : `You are ${gap} point${gap === 1 ? "" : "s"} behind ${other.name}.`;
  assert.equal(shown, want, `${p.who} q${qi}: the "behind" line`);
  if (gap > 0) behindSeen++;
}

// Every leaderboard (host, presenter, phones) shows how each player moved since the last one.
let lastBoard = null;
async function checkMoves(page, list, qi) {
  const moves = await page.locator("#leaderboard li").evaluateAll((els) =>
    els.map((li) => {
      const m = li.querySelector(".move");
      return m ? m.getAttribute("aria-label") : null;
    }),
  );
  const want = list.map((s) => {
    if (!lastBoard) return null;
    const before = lastBoard.find((b) => b.name === s.name);
    if (!before) return "new on the board";
    if (before.rank > s.rank) return `up ${before.rank - s.rank}`;
    if (before.rank < s.rank) return `down ${s.rank - before.rank}`;
    return "same place";
  });
  assert.deepEqual(moves, want, `${page.who}: rank changes after question ${qi}`);
}

async function standings(page, sel) {
  return page.locator(`${sel} li`).evaluateAll((els) =>
    els.map((li) => ({
      rank: Number(li.querySelector(".rank").textContent),
      name: li.querySelector(".name").textContent,
      score: Number(li.querySelector(".score").textContent.replace(/ pts$/, "")),
    })),
  );
}

// Standings as a page shows them must be our own bookkeeping: the best `size` players once
// each, with the score their own screen showed, best first, ranked 1, 2, 2, 4: equal scores
// share a rank. Equal scores are ordered by the server's tie-break (answer time, then join
// order), which this test does not model.
function checkStandings(list, label, size = players.length) {
  assert.equal(list.length, Math.min(size, players.length), `${label}: entries`);
  assert.equal(new Set(list.map((s) => s.name)).size, list.length, `${label}: every player once`);
  const ranks = [];
  list.forEach((s, i) => ranks.push(i > 0 && s.score === list[i - 1].score ? ranks[i - 1] : i + 1));
  assert.deepEqual(list.map((s) => s.rank), ranks, `${label}: ranks`);
  for (const s of list) {
    const pl = players.find((p) => p.name === s.name);
    assert.ok(pl, `${label}: ${s.name} is a player`);
    assert.equal(s.score, pl.score, `${label}: score of ${s.name}`);
  }
  for (let i = 1; i < list.length; i++) {
    assert.ok(list[i].score <= list[i - 1].score, `${label}: not ordered by score`);
  }
  const lowest = Math.min(...list.map((s) => s.score));
  for (const pl of players.filter((p) => !list.some((s) => s.name === p.name))) {
    assert.ok(pl.score <= lowest, `${label}: ${pl.name} (${pl.score}) is missing`);
  }
  return list;
}

// ---------- the game ----------
describe("quizrace in a browser: host, presenter and five phones", { timeout: 200_000 }, () => {
  before(S.start);
  after(S.stop);

  step("host logs in, builds the quiz in the editor, hosts it from there (/host?quiz=ID) as a classic room", 40_000, async () => {
    host = await S.newPage("host", false);
    host.on("websocket", (ws) =>
      ws.on("framereceived", (f) => {
        const m = JSON.parse(f.payload);
        if (m.type === "answer_count" && "votes" in m) hostVotes.push(m.votes);
      }),
    );
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    await shot(host, "host-login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");

    // The editor: import the quiz document, save it, and host it from the editor's button.
    await host.click('#topnav a[href="/editor"]');
    await host.waitForURL(`${S.baseUrl}/editor`);
    const file = path.join(S.tmp, "friday-pub-quiz.json");
    fs.writeFileSync(file, JSON.stringify(QUIZ));
    await host.setInputFiles("#import-json", file);
    await host.locator("#quiz-title").waitFor({ state: "visible" });
    assert.equal(await host.inputValue("#quiz-title"), QUIZ.title);
    assert.equal(await host.locator("#questions > li").count(), QUIZ.questions.length);
    await host.click("#save-btn");
    await host.locator("#edit-notice", { hasText: "Saved" }).waitFor();
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const quiz = (await S.api("GET", "/api/quizzes", null, token)).find((q) => q.title === QUIZ.title);
    assert.ok(quiz, `the editor saved ${QUIZ.title}`);
    const stored = await S.api("GET", `/api/quizzes/${quiz.id}`, null, token);
    assert.deepEqual(
      stored.questions.map((q) => [q.kind, q.text]),
      QUIZ.questions.map((q) => [q.kind, q.text]),
      "the editor stored the questions as imported",
    );
    await host.click("#host-link");
    await host.waitForURL(`${S.baseUrl}/host?quiz=${quiz.id}`);
    await screen(host, "setup");
    // The navigation bar the host-side pages share, with Admin for the admin.
    await host.locator('#topnav a[aria-current="page"][href="/host"]').waitFor();
    await host.locator('#topnav a[href="/admin"]').waitFor();
    const option = host.locator("#quiz-select option", { hasText: QUIZ.title });
    await option.waitFor({ state: "attached" });
    assert.match(await option.textContent(), new RegExp(`${QUIZ.questions.length} questions`));
    assert.equal(await host.inputValue("#quiz-select"), String(quiz.id), "?quiz= preselects the quiz");
    await host.selectOption("#mode-select", "classic");
    await shot(host, "host-setup");
    await host.click("#create-btn");
    await screen(host, "lobby");
    pin = await text(host, "#host-pin");
    assert.match(pin, /^\d{6}$/);
    assert.equal(await text(host, "#room-title"), `${QUIZ.title} · Classic · PIN ${pin}`);
    // The join address comes from the server, and so does the QR code of it.
    const { url } = await S.api("GET", `/api/join-url?pin=${pin}`);
    assert.equal(url, `${S.baseUrl}/?pin=${pin}`);
    await host.locator("#join-url", { hasText: url }).waitFor();
    assert.equal(await host.getAttribute("#join-url", "href"), url);
    const qr = host.locator("#qr");
    await qr.waitFor({ state: "visible" });
    assert.equal(await qr.getAttribute("src"), `/api/qr.svg?pin=${pin}`);
    await host.waitForFunction(() => document.getElementById("qr").naturalWidth > 0);
  });

  step("the host opens the presenter view: a second window attached as a read-only screen", 20_000, async () => {
    const [popup] = await Promise.all([host.waitForEvent("popup"), host.locator("#present-btn").click()]);
    present = S.watch(popup, "presenter");
    await screen(present, "lobby");
    assert.equal(await text(present, "#present-pin"), pin);
    // The host key travelled in the hash and left the address bar at once.
    assert.equal(await present.evaluate(() => location.hash), "");
    assert.equal(new URL(present.url()).pathname, "/present");
    await present.locator("#qr").waitFor({ state: "visible" });
    // Its one button is the sound toggle (sound.js): nothing that drives the game.
    assert.equal(await present.locator("button:not(#sound-btn)").count(), 0, "the presenter view has no controls");
    // The host keeps control: the screen did not replace it.
    await screen(host, "lobby");
    assert.equal(await text(host, "#status"), "Connected");
  });

  step("five players join on 390 px phones through /?pin=PIN; their names appear live", 40_000, async () => {
    for (const [i, name] of NAMES.entries()) {
      const p = await newPhone(`player${i + 1}`, i === DARK ? { colorScheme: "dark" } : {});
      // One player types the PIN off the host's screen; the others follow the QR code's link.
      const typed = i === 1;
      await p.goto(typed ? `${S.baseUrl}/` : `${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      if (typed) {
        assert.equal(await p.inputValue("#pin"), "", "no link, no PIN");
        await p.fill("#pin", await text(host, "#host-pin"));
      } else {
        assert.equal(await p.inputValue("#pin"), pin, "the PIN comes from the link");
      }
      await p.fill("#name", name);
      await checkLayout(p, "join");
      if (i === 0) {
        // The public leaderboard is one tap from the join screen.
        const board = p.locator('#screen-join a[href="/leaderboard"]');
        await board.waitFor({ state: "visible" });
        assert.ok((await board.boundingBox()).height >= 44, "the leaderboard link is a 44 px tap target");
        await shot(p, "player-join");
      }
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      assert.equal(await text(p, "#me-name"), name);
      assert.equal(await text(p, "#me-score"), "0");
      assert.equal(await text(p, "#lobby-title"), `You're in, ${name}!`);
      await checkLayout(p, "lobby");
      players.push({ page: p, name, score: 0, streak: 0, points: [] });
      await host.locator("#lobby-count", { hasText: String(i + 1) }).waitFor();
      await host.locator("#lobby-names .name-chip", { hasText: name }).waitFor();
      await present.locator("#lobby-names .name-chip", { hasText: name }).waitFor();
    }
    await host.locator("#player-list li").nth(NAMES.length - 1).waitFor();
    assert.deepEqual(await host.locator("#player-list li .name").allTextContents(), NAMES);
    // The dark phone is dark and the others light: one stylesheet, both schemes.
    const lightness = (page) => page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
      return (r + g + b) / 3;
    });
    assert.ok((await lightness(players[DARK].page)) < 64, "the dark phone's page is dark");
    assert.ok((await lightness(players[0].page)) > 192, "a light phone's page is light");
    assert.deepEqual(await present.locator("#lobby-names .name-chip").allTextContents(), NAMES);
    await shot(host, "host-lobby");
    await shot(present, "present-lobby");
    await shot(players[0].page, "player-lobby");
    await shot(players[DARK].page, "player-lobby-dark");
  });

  step("a sixth phone loses its connection, comes back, and is kicked by a click on its name", 30_000, async () => {
    const p = await newPhone("intruder");
    // Its socket runs through the test, which can cut it and hold the next one back.
    let socket = null;
    let release = null; // set while new sockets wait
    await p.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
      if (release) await release.promise;
      ws.connectToServer();
      socket = ws;
    });
    await p.goto(`${S.baseUrl}/?pin=${pin}`);
    await p.fill("#name", "Intruder");
    await p.locator("#join-btn").tap();
    await screen(p, "lobby");
    await host.locator("#lobby-names .name-chip", { hasText: "Intruder" }).waitFor();

    release = Promise.withResolvers ? Promise.withResolvers() : null;
    if (!release) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      release = { promise, resolve };
    }
    await socket.close();
    await screen(p, "disconnected");
    assert.match(await text(p, "#retry-msg"), /Reconnecting/);
    await checkLayout(p, "disconnected");
    await host.locator("#player-list li.offline .name", { hasText: "Intruder" }).waitFor();
    await p.waitForTimeout(1_500); // the held-back socket must not leave this screen
    await screen(p, "disconnected");
    await shot(p, "player-reconnecting");
    const held = release;
    release = null;
    held.resolve();
    await screen(p, "lobby");
    assert.equal(await text(p, "#me-name"), "Intruder", "the same player after reconnecting");
    await host.locator("#player-list li:not(.offline) .name", { hasText: "Intruder" }).waitFor();

    await S.asked(/^host: Remove Intruder from the game\?/, () =>
      host.locator("#lobby-names .name-chip", { hasText: "Intruder" }).click());
    await screen(p, "kicked");
    await checkLayout(p, "kicked");
    await shot(p, "player-kicked");
    await host.locator("#lobby-count", { hasText: String(NAMES.length) }).waitFor();
    await present.locator("#lobby-names .name-chip", { hasText: "Intruder" }).waitFor({ state: "detached" });
    await host.locator("#player-list li", { hasText: "Intruder" }).waitFor({ state: "detached" });
    await host.locator("#lobby-names .name-chip", { hasText: "Intruder" }).waitFor({ state: "detached" });
    assert.equal(await host.locator("#player-list li").count(), NAMES.length);
    await p.close();
    S.pages.splice(S.pages.indexOf(p), 1);
  });

  step("the host locks the room: a late phone is refused and told why; unlocked, it gets in and is kicked from the player list", 20_000, async () => {
    await host.locator("#lock-btn").click();
    await host.locator("#lock-btn", { hasText: "Room locked: unlock" }).waitFor();
    assert.equal(await host.getAttribute("#lock-btn", "aria-pressed"), "true");
    const p = await newPhone("locked-out");
    await p.goto(`${S.baseUrl}/?pin=${pin}`);
    await screen(p, "join");
    await p.fill("#name", "Latecomer");
    await p.locator("#join-btn").tap();
    await p.locator("#error-text", { hasText: "The host has locked this game" }).waitFor();
    await screen(p, "join");
    await host.locator("#lock-btn").click();
    await host.locator("#lock-btn", { hasText: "Lock room" }).waitFor();
    assert.equal(await host.getAttribute("#lock-btn", "aria-pressed"), "false");
    // The server took the unlock: a room_state snapshot after it says so.
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    await waitFor(async () => {
      const rooms = await S.api("GET", "/api/admin/rooms", null, token);
      return rooms.some((r) => r.pin === pin && r.locked === false);
    }, "the room is unlocked on the server");
    assert.equal(await host.locator("#player-list li").count(), NAMES.length, "nobody got in while locked");
    // Unlocked, the same phone gets in; the Kick button beside its name in the player list (there
    // through the whole game, unlike the lobby's name chips) removes it again.
    await p.locator("#join-btn").tap();
    await screen(p, "lobby");
    const row = host.locator("#player-list li", { hasText: "Latecomer" });
    await S.asked(/^host: Remove Latecomer from the game\?/, () => row.locator("button.kick").click());
    await screen(p, "kicked");
    await row.waitFor({ state: "detached" });
    assert.equal(await host.locator("#player-list li").count(), NAMES.length);
    await p.close();
    S.pages.splice(S.pages.indexOf(p), 1);
  });

  step("lobby chat: a player talks to the room, the host writes to one player, turns chat off and on", 30_000, async () => {
    const [ada, grace] = players.map((pl) => pl.page);
    await ada.fill("#chat-input", "good luck everyone");
    await ada.locator("#chat-send").tap();
    for (const page of [host, ...players.map((pl) => pl.page)]) {
      await page.locator("#chat-log li", { hasText: "Ada: good luck everyone" }).waitFor();
    }
    const graceId = await host.locator("#player-list li", { hasText: "Grace Hopper" }).getAttribute("data-player-id");
    await host.selectOption("#chat-to", graceId);
    await host.fill("#chat-input", "psst, you are next");
    await host.click("#chat-send");
    await grace.locator("#chat-log li.private", { hasText: "Host (private): psst, you are next" }).waitFor();
    await host.locator("#chat-log li.private", { hasText: "→ Grace Hopper: psst, you are next" }).waitFor();
    // A message sent after the private one reaches Ada, so had the private one been sent
    // to her, it would be there by now.
    await host.selectOption("#chat-to", "");
    await host.fill("#chat-input", "starting soon");
    await host.click("#chat-send");
    await ada.locator("#chat-log li", { hasText: "Host: starting soon" }).waitFor();
    assert.equal(await ada.locator("#chat-log li", { hasText: "psst" }).count(), 0, "a direct message reaches only its target");

    await host.locator("#chat-toggle-btn", { hasText: "Chat is on" }).click();
    await host.locator("#chat-toggle-btn", { hasText: "Chat is off" }).waitFor();
    await ada.fill("#chat-input", "anyone there?");
    await ada.locator("#chat-send").tap();
    await ada.locator("#chat-off").waitFor({ state: "visible" });
    assert.equal(await host.locator("#chat-log li", { hasText: "anyone there?" }).count(), 0);
    await checkLayout(ada, "chat off");
    await host.locator("#chat-toggle-btn").click();
    await host.locator("#chat-toggle-btn", { hasText: "Chat is on" }).waitFor();
    await shot(host, "host-chat");
    await shot(grace, "player-chat");
  });

  step("the players answer choice, true/false, typed and multi questions; everyone sees the count, the chart and the leaderboard", 75_000, async () => {
    for (let qi = 0; qi < RELOAD_AT; qi++) {
      const button = qi === 0 ? "#start-btn" : "#next-btn";
      await openQuestion(qi, () => host.locator(button).click());
      const q = QUIZ.questions[qi];
      if (qi === 1) {
        await shot(players[0].page, "player-question");
        await shot(players[DARK].page, "player-question-dark");
      }
      if (q.kind === "multi") await shot(players[0].page, "player-question-multi");
      if (q.kind === "type_answer") await shot(players[0].page, "player-question-typed");
      await playQuestion(qi, { shots: qi === 1 });
    }
    const kinds = new Set(QUIZ.questions.slice(0, RELOAD_AT).map((q) => q.kind));
    for (const k of ["choice", "true_false", "multi", "type_answer"]) assert.ok(kinds.has(k), `played a ${k} question`);
  });

  step("a player who reloads mid-question comes back with the same name and score", 30_000, async () => {
    const qi = RELOAD_AT;
    await openQuestion(qi, () => host.locator("#next-btn", { hasText: "Next question" }).click());
    const pl = players[2];
    const p = pl.page;
    await playQuestion(qi, {
      beforeAnswer: async (i) => {
        if (i !== 2) return;
        const before = { name: await text(p, "#me-name"), score: await text(p, "#me-score") };
        assert.equal(before.score, String(pl.score));
        await p.reload();
        await screen(p, "question");
        assert.equal(await text(p, "#me-name"), pl.name, "name after reload");
        assert.equal(await text(p, "#me-score"), String(pl.score), "score after reload");
        await p.locator("#q-progress", { hasText: `Question ${qi + 1} of` }).waitFor();
        assert.equal(await p.locator("#q-choices .tile:enabled").count(), 2, "the tiles are usable again");
        await checkNoAnswerShown(p, `q${qi} after reload`);
        // The host still counts every player, none of them twice.
        await host.locator("#player-list li:not(.offline)").nth(NAMES.length - 1).waitFor();
        assert.equal(await host.locator("#player-list li").count(), NAMES.length);
        assert.equal(await text(host, "#answer-count"), `2 / ${NAMES.length} answered`);
      },
    });
  });

  step("a host on a phone takes control of the running game from its list, and the laptop takes it back", 30_000, async () => {
    const phone = await S.newPage("host-phone", true);
    await phone.goto(`${S.baseUrl}/host`);
    await phone.fill("#login-user", "admin");
    await phone.fill("#login-pass", S.password);
    await phone.click("#login-btn");
    await screen(phone, "setup");
    const entry = phone.locator(`#running-list li[data-pin="${pin}"]`);
    await entry.waitFor();
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const listed = (await S.api("GET", "/api/games", null, token)).find((g) => g.pin === pin);
    assert.equal(listed.status, "running");
    assert.match(await entry.textContent(), new RegExp(`^${QUIZ.title} · PIN ${pin} · ${listed.players} players`));
    await checkLayout(phone, "host setup on a phone");
    await shot(phone, "host-running-games");
    await entry.locator("button.take").tap();
    await screen(phone, "leaderboard");
    await phone.locator("#next-btn", { hasText: "Next question" }).waitFor();
    // The laptop was replaced; it takes the room back, and the phone is the one replaced.
    await screen(host, "disconnected");
    await host.locator("#retry-btn", { hasText: "Take it back here" }).click();
    await screen(host, "leaderboard");
    await screen(phone, "disconnected");
    await phone.close();
    S.pages.splice(S.pages.indexOf(phone), 1);
  });

  step("the rest of the quiz, a live poll last; everyone sees the podium and the scores match the server", 75_000, async () => {
    for (let qi = RELOAD_AT + 1; qi < QUIZ.questions.length; qi++) {
      await openQuestion(qi, () => host.locator("#next-btn", { hasText: "Next question" }).click());
      await playQuestion(qi);
    }
    assert.equal(QUIZ.questions.at(-1).kind, "poll");
    const poll = QUIZ.questions.at(-1);
    assert.ok(hostVotes.some((v) => v.reduce((a, b) => a + b, 0) > 0), "the host got live poll votes");
    for (const v of hostVotes) {
      assert.equal(v.length, poll.choices.length, "a count per choice");
      assert.ok(v.reduce((a, b) => a + b, 0) <= NAMES.length, `no more votes than voters: ${v}`);
    }
    assert.ok(behindSeen > 0, "a non-leader was told whom they chase");

    await host.locator("#next-btn", { hasText: "Finish the game" }).click();
    await screen(host, "over");
    const expected = checkStandings(await standings(host, "#podium"), "host podium", 3);
    await screen(present, "over");
    assert.deepEqual(await standings(present, "#podium"), expected, "presenter podium");
    for (const pl of players) {
      const p = pl.page;
      await screen(p, "over");
      assert.deepEqual(await standings(p, "#podium"), expected, `${p.who} podium`);
      await p.locator("#final-rank", { hasText: "You finished #" }).waitFor();
      assert.equal(await text(p, "#me-score"), String(pl.score));
      await checkLayout(p, "podium");
    }
    await shot(host, "host-podium");
    await shot(present, "present-podium");
    await shot(players[0].page, "player-podium");

    // The server's stored results agree with every screen, point for point.
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    const game = await S.api("GET", `/api/games/${room.game_id}`, null, token);
    assert.equal(game.status, "finished");
    assert.equal(game.players.filter((x) => x.status !== "kicked").length, NAMES.length, "no duplicate from the reload");
    for (const pl of players) {
      const srv = game.players.find((x) => x.name === pl.name);
      assert.ok(srv, `${pl.name} is in the stored game`);
      assert.equal(srv.score, pl.score, `${pl.name}: stored score`);
      // The final line names the gap to the player just above in the stored order (the
      // nearest strictly higher score: ranks are shared by equal scores), and says when the
      // rank is shared.
      const inGame = game.players.filter((x) => x.status === "active");
      const above = srv.rank > 1 ? inGame[srv.rank - 2] : null;
      const gap = above ? above.score - pl.score : 0;
      const tail = !above ? "" : gap > 0 ? ` ${gap} ${gap === 1 ? "point" : "points"} behind ${above.name}.` : ` Level on points with ${above.name}.`;
      const shared = inGame.some((x) => x.rank === srv.rank && x.name !== pl.name) ? " (shared)" : "";
      assert.equal(await text(pl.page, "#final-rank"), `You finished #${srv.rank}${shared} with ${pl.score} points.${tail}`);
      const mine = game.answers.filter((a) => a.player_id === srv.player_id);
      assert.deepEqual(mine.map((a) => a.index), PLAN.map((_, i) => i), `${pl.name}: one stored answer per question`);
      for (const a of mine) {
        const q = QUIZ.questions[a.index];
        const seen = pl.points[a.index];
        assert.equal(a.points, seen.pts, `${pl.name} q${a.index}: stored points = shown points`);
        if (a.correct && scored(q) && BASE[q.points ?? "standard"] > 0) {
          // classic: round(base × (1 − elapsed/limit/2)) + streak bonus (docs/protocol.md)
          const limit = q.time_limit_s * 1000;
          const want = Math.round(BASE[q.points ?? "standard"] * (1 - Math.min(a.elapsed_ms, limit) / limit / 2)) + seen.bonus;
          assert.ok(Math.abs(a.points - want) <= 1, `${pl.name} q${a.index}: ${a.points} points for ${a.elapsed_ms} ms, formula says ${want}`);
        }
      }
    }
  });

  step("the host closes the room after a confirmation: the players keep their podium, the presenter shows it closed", 20_000, async () => {
    await S.asked(/^host: Close the room\?/, () => host.locator("#end-btn", { hasText: "Close room" }).click());
    await screen(host, "setup");
    for (const pl of players) {
      await pl.page.locator("#over-note").waitFor({ state: "visible" });
      await screen(pl.page, "over");
      assert.equal(await text(pl.page, "#over-note"), "The host closed the room.");
      assert.equal(await pl.page.locator("#podium li").count(), 3, `${pl.page.who}: the podium stays`);
      assert.equal(await text(pl.page, "#status"), "Not connected");
      await checkLayout(pl.page, "closed");
    }
    await screen(present, "closed");
    await shot(players[0].page, "player-room-closed");
  });

  step("a phone whose socket is still opening says 'Connecting', then shows the join screen", 20_000, async () => {
    const p = await newPhone("late");
    // The page's socket stays in its opening handshake until the gate opens.
    let release;
    const gate = new Promise((r) => (release = r));
    await p.routeWebSocket(/\/ws(\?|$)/, async (ws) => {
      await gate;
      ws.connectToServer();
    });
    await p.goto(`${S.baseUrl}/`);
    await screen(p, "connecting");
    assert.equal(await text(p, "#connecting-msg"), "Connecting to the game…");
    await checkLayout(p, "connecting");
    await shot(p, "player-connecting");
    release();
    await screen(p, "join");
    assert.equal(await text(p, "#status"), "Connected");
  });

  step("the server stops: an open page says so and waits to reconnect", 20_000, async () => {
    const p = players[0].page;
    await p.locator("#again-btn").tap();
    await screen(p, "join");
    errorsBeforeStop = S.pageErrors.length;
    await stopServer(S.server);
    await screen(p, "disconnected");
    assert.equal(await text(p, "#disconnected-title"), "The server is restarting");
    await checkLayout(p, "server stopped");
    await shot(p, "player-server-stopped");
  });

  // These report what the steps recorded. After a failed step they still fail on anything
  // found so far, and otherwise skip: the coverage is too thin to pass.
  test("no question screen shows the correct answer before the reveal", (t) => {
    noProblems(leaks);
    if (S.broken) return t.skip("the game did not run to the end");
    assert.ok(leakChecks >= 100, `only ${leakChecks} checks were made`);
  });

  test("no layout shift on a phone when a question arrives", (t) => {
    noProblems(shifts);
    if (S.broken) return t.skip("the game did not run to the end");
    assert.ok(shiftChecks >= 50, `only ${shiftChecks} arrivals measured`);
  });

  test("player screens fit a 390 px phone: no sideways scrolling, buttons at least 44 px tall", (t) => {
    noProblems(S.layoutIssues);
    if (S.broken) return t.skip("the game did not run to the end");
    assert.ok(S.layoutChecks >= 150 && S.buttonsMeasured >= 150, `only ${S.layoutChecks} screens and ${S.buttonsMeasured} buttons checked`);
  });

  test("no page errors, and no request left 127.0.0.1", (t) => {
    // Once the server is stopped, the pages' reconnects and requests fail, as they should, and
    // Chromium logs each as a console error. Those are expected; anything else counts.
    const offline = /WebSocket connection to .* failed|net::ERR_CONNECTION_REFUSED/;
    noProblems(S.pageErrors.filter((e, i) => errorsBeforeStop === null || i < errorsBeforeStop || !offline.test(e)));
    noProblems(S.blocked.map((b) => `blocked request to ${b}`));
    if (S.broken) t.skip("the game did not run to the end");
  });
});
