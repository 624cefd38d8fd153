// The game pages fit any screen: a quiz with the longest texts the validator allows (a
// 120-character title, 500-character questions and six 120-character answers made of long
// words) is played by three phones at 390×844 while the host and the presenter switch between
// 1366×768 and 1920×1080. Every answer, the timer and the host's controls must be inside the
// window at the question and the reveal, every chart row shown, and no word split across two
// lines. On the way: Start waits for a player, Close room asks and leaves the podium on the
// phones, and four small visual defects (status pill, disabled field, podium heights, host top
// bar) stay fixed.
//
// Run: scripts/browser-test.sh, or, with the server built and `npm ci` done here:
// node --test tests/browser/layout.test.mjs
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).
//
// The steps share one game and run in order; they fail only when the game cannot go on. What
// they find wrong with the layout is recorded, and the closing tests report it, so one run
// shows every defect at once.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step, shot } = S;

const WORDS = "Michelangelo Buonarroti ";
// `n` characters of long words, `prefix` first (what tells the answers apart).
const longText = (n, prefix = "") => (prefix + WORDS.repeat(Math.ceil(n / WORDS.length))).slice(0, n).trim();
const TITLE = longText(120, "Longest title ");
const CHOICES = Array.from({ length: 6 }, (_, i) => longText(120, `Answer ${i + 1}: `));
// Answering opens at once (`read_s` 0): the get-ready countdown is game.test.mjs's.
const QUIZ = {
  title: TITLE,
  read_s: 0,
  questions: [
    { kind: "choice", text: longText(500, "Question one: "), choices: CHOICES, correct: [0], time_limit_s: 240 },
    { kind: "multi", text: longText(500, "Question two: "), choices: CHOICES, correct: [0, 1], time_limit_s: 240 },
  ],
};
// The players, best first: the first gets both questions right, the second one, the third none.
// The third's name wraps on the podium.
const NAMES = ["Michelangelo B", "Bartholomew Longname", "WWWWWWWWWWWWWWWWWWWW"];
const PLAN = [
  [{ choice: 0 }, { choice: 0 }, { choice: 5 }],
  [{ choices: [0, 1] }, { choices: [2] }, { choices: [3] }],
];
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

let host;
let present;
let pin;
const phones = [];
// What the steps found, by issue item.
const fit = []; // item 10: something outside the window or cut off
const splits = []; // item 10: a word split across two lines
const start = []; // item 16
const closing = []; // item 17
const looks = []; // item 20
let fitChecks = 0;

// ---------- measuring in the page ----------

// Every visible element matching each selector must lie inside the window and inside every
// ancestor that clips its content. Returns {counts: {selector: n}, problems: [..]}.
function inside(selectors) {
  const W = document.documentElement.clientWidth;
  const H = window.innerHeight;
  const out = { counts: {}, problems: [] };
  const off = (r, b) => r.top < b.top - 0.5 || r.left < b.left - 0.5 || r.bottom > b.bottom + 0.5 || r.right > b.right + 0.5;
  const at = (r) => `(${Math.round(r.left)}, ${Math.round(r.top)})–(${Math.round(r.right)}, ${Math.round(r.bottom)})`;
  for (const sel of selectors) {
    let n = 0;
    for (const el of document.querySelectorAll(sel)) {
      if (el.getClientRects().length === 0) continue;
      n++;
      const r = el.getBoundingClientRect();
      const name = `${sel} [${n}]`;
      if (off(r, { top: 0, left: 0, bottom: H, right: W })) {
        out.problems.push(`${name} at ${at(r)} is outside the ${W}×${H} window`);
        continue;
      }
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
        const b = a.getBoundingClientRect();
        if (off(r, b)) {
          out.problems.push(`${name} at ${at(r)} is cut off by ${a.tagName.toLowerCase()}#${a.id || a.className} ${at(b)}`);
          break;
        }
      }
    }
    out.counts[sel] = n;
  }
  return out;
}

// Words (runs of non-space) of the matching elements' text that lie on more than one line,
// unless the word alone is wider than the window.
function splitWords(selectors) {
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (el.getClientRects().length === 0) continue;
      const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let t = walk.nextNode(); t; t = walk.nextNode()) {
        if (t.parentElement.closest(".sr-only")) continue;
        for (const m of t.data.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(t, m.index);
          range.setEnd(t, m.index + m[0].length);
          const rects = [...range.getClientRects()];
          const lines = new Set(rects.map((x) => Math.round(x.top)));
          const width = rects.reduce((a, x) => a + x.width, 0);
          if (lines.size > 1 && width <= document.documentElement.clientWidth) {
            out.push(`${sel}: "${m[0]}" is split across ${lines.size} lines`);
          }
        }
      }
    }
  }
  return out;
}

// Two frames, so a resize or a new screen has been laid out (and fitted) and painted.
const settle = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

// Checks `page` now: `want` maps selectors to how many visible elements they must match
// (0: any number), all inside the window; `words` are checked for split words.
async function checkFit(page, label, want, words) {
  fitChecks++;
  await settle(page);
  const r = await page.evaluate(inside, Object.keys(want));
  for (const [sel, n] of Object.entries(want)) {
    if (n > 0 && r.counts[sel] !== n) fit.push(`${page.who} [${label}]: ${r.counts[sel]} visible ${sel}, expected ${n}`);
  }
  for (const p of r.problems) fit.push(`${page.who} [${label}]: ${p}`);
  for (const p of await page.evaluate(splitWords, words)) splits.push(`${page.who} [${label}]: ${p}`);
}

// The host and the presenter at each wide size in turn, then back at the first.
async function checkWide(label, hostWant, presentWant, words) {
  for (const size of SIZES) {
    for (const [page, want] of [[host, hostWant], [present, presentWant]]) {
      await page.setViewportSize(size);
      await checkFit(page, `${label} ${size.width}×${size.height}`, want, words);
    }
  }
  await shot(host, `layout-host-${label}`);
  await shot(present, `layout-present-${label}`);
  for (const page of [host, present]) await page.setViewportSize(SIZES[0]);
}

const TILE_WORDS = ["#q-text", "#reveal-text", ".tiles .tile .label", "#chart .bar-label"];

async function checkQuestion(qi) {
  await checkWide(
    `q${qi}`,
    { "#q-choices .tile": 6, "#q-text": 1, "#qbar .timer": 1, "#close-btn": 1 },
    { "#q-choices .tile": 6, "#q-text": 1, "#qbar .timer": 1 },
    TILE_WORDS,
  );
  const multi = QUIZ.questions[qi].kind === "multi";
  for (const p of phones) {
    await checkFit(p, `q${qi}`, { "#q-choices .tile": 6, "#q-text": 1, "#qbar .timer": 1, "#submit-btn": multi ? 1 : 0 }, TILE_WORDS);
  }
  await shot(phones[0], `layout-player-q${qi}`);
}

async function checkReveal(qi) {
  await checkWide(
    `reveal${qi}`,
    { "#chart .bar-row": 6, "#reveal-text": 1, "#first-correct": 1, "#next-btn": 1 },
    { "#chart .bar-row": 6, "#reveal-text": 1, "#first-correct": 1 },
    TILE_WORDS,
  );
  for (const p of phones) {
    await checkFit(p, `reveal${qi}`, {}, ["#reveal-text", "#reveal-answers .tile .label"]);
  }
}

// The background colour `value` (a CSS colour or variable) computes to on `page`.
const colourOf = (page, value) =>
  page.evaluate((value) => {
    const probe = document.createElement("div");
    probe.style.background = value;
    document.body.append(probe);
    const c = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return c;
  }, value);

const look = (page, sel) =>
  page.evaluate((sel) => {
    const cs = getComputedStyle(document.querySelector(sel));
    return { opacity: cs.opacity, background: cs.backgroundColor, color: cs.color, height: document.querySelector(sel).getBoundingClientRect().height };
  }, sel);

async function checkPodium(page, label) {
  const h = await page.evaluate(() =>
    [1, 2, 3].map((r) => document.querySelector(`#podium li[data-rank="${r}"]`)?.getBoundingClientRect().height ?? 0),
  );
  if (!(h[0] > h[1] && h[1] > h[2])) {
    looks.push(`${page.who} [${label}]: podium blocks are ${h.map((x) => x.toFixed(0)).join(", ")} px tall for 1st, 2nd, 3rd`);
  }
}

async function answer(p, a) {
  if (a.choices) {
    for (const c of a.choices) await p.locator(`#q-choices .tile[data-choice="${c}"]`).tap();
    await p.locator("#submit-btn").tap();
  } else {
    await p.locator(`#q-choices .tile[data-choice="${a.choice}"]`).tap();
  }
}

// ---------- the game ----------
describe("the game pages fit the longest texts on any screen", { timeout: 150_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host logs in at 1366×768 (status pill, disabled field) and creates a room for the longest-text quiz", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false, { viewport: SIZES[0] });
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    // Item 20: "Not connected" is not shown in the colour of a good connection.
    const ok = await colourOf(host, "var(--ok-bg)");
    assert.equal(await text(host, "#status"), "Not connected");
    const pill = await look(host, "#status");
    if (pill.background === ok) looks.push(`host login: the "Not connected" pill has the connected colour ${ok}`);
    await shot(host, "layout-host-login");

    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    // Item 20: a disabled field looks disabled: the same field differs once enabled.
    assert.ok(await host.isDisabled("#auto-advance-s"));
    const off = await look(host, "#auto-advance-s");
    await host.check("#auto-advance");
    const on = await look(host, "#auto-advance-s");
    await host.uncheck("#auto-advance");
    if (off.opacity === on.opacity && off.background === on.background && off.color === on.color) {
      looks.push(`host setup: the disabled seconds field looks like the enabled one (${JSON.stringify(on)})`);
    }

    await host.selectOption("#quiz-select", String(id));
    await host.selectOption("#mode-select", "classic");
    await host.click("#create-btn");
    await screen(host, "lobby");
    pin = await text(host, "#host-pin");
    assert.match(pin, /^\d{6}$/);
    await host.locator("#status", { hasText: "Connected" }).waitFor();
    assert.equal((await look(host, "#status")).background, ok, "connected, the pill has the good colour");
    // Item 20: the top bar stays one line with a 120-character title.
    assert.match(await text(host, "#room-title"), new RegExp(`^${TITLE}`));
    for (const size of SIZES) {
      await host.setViewportSize(size);
      await settle(host);
      const bar = await host.evaluate(() => document.querySelector(".topbar").getBoundingClientRect().height);
      if (bar > 70) looks.push(`host lobby ${size.width}×${size.height}: the top bar wraps to ${bar.toFixed(0)} px with a long title`);
    }
    await host.setViewportSize(SIZES[0]);
  });

  step("Start stays disabled until a player joins, and again when the last one leaves", 30_000, async () => {
    const check = async (label, wantDisabled) => {
      const disabled = await host.isDisabled("#start-btn");
      if (disabled !== wantDisabled) start.push(`${label}: Start is ${disabled ? "disabled" : "enabled"}`);
      if (disabled && Number((await look(host, "#start-btn")).opacity) >= 1) start.push(`${label}: Start does not look disabled`);
    };
    await check("no players", true);
    // A click on it changes nothing and shows no error.
    await host.evaluate(() => document.getElementById("start-btn").click());
    await host.waitForTimeout(500);
    await screen(host, "lobby");
    if (await host.isVisible("#error-banner")) start.push(`no players: a click shows "${await text(host, "#error-text")}"`);
    await host.locator("#error-close").click({ timeout: 1000 }).catch(() => {});

    const spare = await S.newPage("spare", true);
    await spare.goto(`${S.baseUrl}/?pin=${pin}`);
    await spare.fill("#name", "Spare");
    await spare.locator("#join-btn").tap();
    await screen(spare, "lobby");
    await host.locator("#lobby-names .name-chip", { hasText: "Spare" }).waitFor();
    await settle(host);
    await check("one player", false);
    await S.asked(/Remove Spare/, () => host.locator("#lobby-names .name-chip", { hasText: "Spare" }).click());
    await screen(spare, "kicked");
    await host.locator("#lobby-names .name-chip").first().waitFor({ state: "detached" });
    await host.waitForTimeout(300); // the roster redraws a moment after a change
    await check("the last player kicked", true);
    await spare.close();
    S.pages.splice(S.pages.indexOf(spare), 1);
  });

  step("the presenter opens and three phones join", 30_000, async () => {
    const [popup] = await Promise.all([host.waitForEvent("popup"), host.locator("#present-btn").click()]);
    present = S.watch(popup, "presenter");
    await present.setViewportSize(SIZES[0]);
    await screen(present, "lobby");
    for (const [i, name] of NAMES.entries()) {
      const p = await S.newPage(`player${i + 1}`, true);
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      phones.push(p);
    }
    await host.locator("#lobby-count", { hasText: String(NAMES.length) }).waitFor();
    await settle(host);
    if (await host.isDisabled("#start-btn")) start.push("three players: Start is disabled");
  });

  step("a 500-character question with six 120-character answers fits every screen, at the question and the reveal", 40_000, async () => {
    await host.locator("#start-btn").click();
    for (let qi = 0; qi < QUIZ.questions.length; qi++) {
      if (qi > 0) {
        await host.locator("#next-btn", { hasText: "Next question" }).click();
      }
      for (const page of [host, present, ...phones]) await screen(page, "question");
      for (const page of [host, present, ...phones]) {
        await page.locator("#q-progress", { hasText: `Question ${qi + 1} of` }).waitFor();
      }
      await checkQuestion(qi);
      for (const [i, p] of phones.entries()) {
        if (i === phones.length - 1) await p.locator("#q-choices .tile").first().waitFor();
        await answer(p, PLAN[qi][i]);
      }
      for (const page of [host, present]) {
        await screen(page, "reveal");
        await page.locator("#chart .bar-row").first().waitFor();
      }
      for (const p of phones) await screen(p, "reveal");
      await checkReveal(qi);
      await host.locator("#next-btn", { hasText: "Show leaderboard" }).click();
      await screen(host, "leaderboard");
    }
  });

  step("the podium keeps 1st above 2nd above 3rd with a long wrapping name", 20_000, async () => {
    await host.locator("#next-btn", { hasText: "Finish the game" }).click();
    for (const page of [host, present, ...phones]) {
      await screen(page, "over");
      await page.locator("#podium li").nth(2).waitFor();
    }
    for (const p of phones) await p.locator("#final-rank", { hasText: "You finished #" }).waitFor();
    const names = await host.locator("#podium li .name").allTextContents();
    assert.deepEqual(names, NAMES, "the podium in the planned order");
    for (const page of [host, present, ...phones]) await checkPodium(page, "podium");
    await present.setViewportSize(SIZES[1]);
    await settle(present);
    await checkPodium(present, "podium 1920×1080");
    await shot(phones[0], "layout-player-podium");
  });

  step("Close room asks first, and the phones keep their podium with a note", 20_000, async () => {
    const before = S.dialogs.length;
    await host.locator("#end-btn", { hasText: "Close room" }).click();
    const asked = S.dialogs.slice(before);
    if (!asked.some((m) => /^host: Close the room/.test(m))) closing.push(`Close room asked nothing (dialogs: ${JSON.stringify(asked)})`);
    await screen(host, "setup");
    for (const p of phones) {
      await p.locator("#screen-over:not([hidden]) #over-note:not([hidden]), #screen-closed:not([hidden])").first().waitFor();
      if (await p.isVisible("#screen-closed")) {
        closing.push(`${p.who}: the podium was replaced by "${await text(p, "#closed-msg")}"`);
        continue;
      }
      assert.equal(await text(p, "#over-note"), "The host closed the room.");
      assert.equal(await p.locator("#podium li").count(), 3, `${p.who}: the podium stays`);
      assert.match(await text(p, "#final-rank"), /^You finished #/);
      assert.equal(await text(p, "#status"), "Not connected");
    }
    await shot(phones[0], "layout-player-room-closed");
  });

  // What the steps recorded. After a failed step they still report what was found so far.
  test("every answer, the timer and the host's controls are inside the window; every chart row shows", (t) => {
    noProblems(fit);
    if (S.broken) return t.skip("the game did not run to the end");
    assert.ok(fitChecks >= 28, `only ${fitChecks} screens measured`);
  });

  test("no word of a question or an answer is split across two lines", (t) => {
    noProblems(splits);
    if (S.broken) t.skip("the game did not run to the end");
  });

  test("Start is disabled, and looks it, while nobody has joined", (t) => {
    noProblems(start);
    if (S.broken) t.skip("the game did not run to the end");
  });

  test("Close room asks first and leaves the podium on the phones", (t) => {
    noProblems(closing);
    if (S.broken) t.skip("the game did not run to the end");
  });

  test("status pill, disabled field, podium heights and the host's top bar look right", (t) => {
    noProblems(looks);
    if (S.broken) t.skip("the game did not run to the end");
  });

  test("no page errors, and no request left 127.0.0.1", (t) => {
    noProblems(S.pageErrors);
    noProblems(S.blocked.map((b) => `blocked request to ${b}`));
    if (S.broken) t.skip("the game did not run to the end");
  });
});
