// The ways into and back into a game, in headless Chromium: a refused join that says what is
// wrong next to the field, a student who closed the tab typing the PIN and name again, a teacher
// who closed the host tab finding the game first with Resume, standings with equal scores, the
// editor's notice after Save and its errors once fixed, a host taking control during a
// reveal (that one needs the server's `reveal` in `room_state`), and the game settings on
// Create room (a time factor, the leaderboard only at the end, shuffled answers, no time
// limit, and the choices remembered per quiz).
//
// Run: node --test tests/browser/flow.test.mjs (server built, `npm ci` done here), or
// scripts/browser-test.sh. Environment: see harness.mjs.
//
// The steps share one game, so they run in order; after a failed step the rest are skipped.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;
// Everyone scores nothing on the first question, so all players tie; the second one scores.
const QUESTIONS = [
  { kind: "choice", text: "Warm-up: which letter comes third?", choices: ["A", "B", "C", "D"], correct: [2], time_limit_s: 30, points: "none" },
  { kind: "choice", text: "Which planet is known as the red planet?", choices: ["Venus", "Mars", "Jupiter"], correct: [1], time_limit_s: 30 },
  ...Array.from({ length: 6 }, (_, i) => ({
    kind: "true_false", text: `Filler statement number ${i + 1} is true.`, correct: [0], time_limit_s: 20,
  })),
];
const TITLE = "Flow quiz";
const TAKEN = "that name is already taken in this room"; // the server's own wording

// The host page's setup has finished what it loads after it shows (the top bar's links, the
// quiz list), so nothing moves under a click on it.
async function settled(page) {
  await page.locator("#topnav:not([hidden])").waitFor();
  await page.locator("#quiz-select option").first().waitFor({ state: "attached" });
}

let quizId;
let hostCtx; // the teacher's browser profile: its tabs come and go
let host;
let pin;
const phones = {}; // name -> page
let adaPlace = null; // Ada's line under the leaderboard where all three have 0 points
let adaReveal = null; // Ada's line on that question's reveal

before(async () => {
  await S.start();
  const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
  quizId = (await S.api("POST", "/api/quizzes", { title: TITLE, read_s: 0, questions: QUESTIONS }, token, 201)).id;
});
after(() => S.stop());

const visible = (page, sel) => page.locator(sel).isVisible();

// True when the two elements' boxes overlap.
const overlaps = (page, a, b) =>
  page.evaluate(([a, b]) => {
    const r = document.querySelector(a).getBoundingClientRect();
    const s = document.querySelector(b).getBoundingClientRect();
    return r.width > 0 && s.width > 0 && r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
  }, [a, b]);

// The text of every visible role="alert" on the page.
const alerts = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("[role=alert]")]
      .filter((e) => e.getClientRects().length > 0 && e.textContent.trim())
      .map((e) => e.textContent.trim()));

async function phone(name) {
  const page = await S.newPage(name, true);
  await page.goto(`${S.baseUrl}/`);
  await screen(page, "join");
  return page;
}

async function join(page, thePin, name) {
  await page.fill("#pin", thePin);
  await page.fill("#name", name);
  await page.locator("#join-btn").click();
}

async function tap(page, choice) {
  await page.locator(`#q-choices .tile[data-choice="${choice}"]`).click();
}

step("a teacher logs in on /host and opens a room", 30_000, async () => {
  host = await S.newPage("host", false);
  hostCtx = host.context();
  await host.goto(`${S.baseUrl}/host`);
  await host.fill("#login-user", "admin");
  await host.fill("#login-pass", S.password);
  await host.locator("#login-btn").click();
  await screen(host, "setup");
  await host.selectOption("#quiz-select", String(quizId));
  await host.locator("#create-btn").click();
  await screen(host, "lobby");
  pin = await text(host, "#host-pin");
  assert.match(pin, /^\d{6}$/);
  for (const name of ["Ada", "Bob"]) {
    phones[name] = await phone(name);
    await join(phones[name], pin, name);
    await screen(phones[name], "lobby");
  }
});

step("21: a refused join is explained in words next to the field, without covering the header, until the next edit", 40_000, async () => {
  const eve = await phone("Eve");
  phones.Eve = eve;

  await join(eve, "000000", "Eve");
  await eve.locator("#pin[aria-invalid=true]").waitFor();
  assert.equal(await eve.locator("#name[aria-invalid=true]").count(), 0, "only the PIN is marked");

  await eve.fill("#pin", pin);
  assert.equal(await eve.locator("[aria-invalid=true]").count(), 0, "editing the PIN clears its mark");
  await eve.fill("#name", "ada");
  await eve.locator("#join-btn").click();
  await eve.locator("#name[aria-invalid=true]").waitFor();
  const said = await alerts(eve);
  assert.ok(said.length > 0, "the refusal is announced (role=alert)");
  for (const t of said) {
    assert.notEqual(t.toLowerCase(), TAKEN, "not the server's raw text");
    assert.match(t, /^[A-Z0-9“"]/, `written as a sentence: ${t}`);
  }
  const describedBy = await eve.getAttribute("#name", "aria-describedby");
  assert.ok(describedBy, "the name field points at its message");
  const next = await text(eve, `#${describedBy.split(" ")[0]}`);
  assert.ok(next.length > 0, "the message next to the field has text");
  for (const sel of ["[role=alert]:not(:empty)", ".field-error:not(:empty)"]) {
    for (const i of await eve.locator(sel).all()) {
      if (!(await i.isVisible())) continue;
      const box = await i.boundingBox();
      const bar = await eve.locator("header.topbar").boundingBox();
      assert.ok(box.y >= bar.y + bar.height - 1, `an error (${sel}) sits below the header, not over it`);
    }
  }
  assert.equal(await overlaps(eve, "#error-banner", "header.topbar"), false, "the banner does not cover the header");

  // Still there after the old banner's 6 s: nothing but the user's next action removes it.
  await eve.waitForTimeout(6_500);
  assert.deepEqual(await alerts(eve), said, "the message stays until the next action");
  assert.equal(await eve.locator("#name[aria-invalid=true]").count(), 1);

  await eve.fill("#name", "Eve");
  assert.equal(await eve.locator("[aria-invalid=true]").count(), 0, "editing the name clears its mark");
  assert.deepEqual(await alerts(eve), [], "and the message");
  await eve.locator("#join-btn").click();
  await screen(eve, "lobby");
});

step("11: a student who closed the tab types the PIN and name on / and is back with the same score", 60_000, async () => {
  await host.locator("#start-btn").click();
  for (const name of ["Ada", "Bob", "Eve"]) {
    await screen(phones[name], "question");
    await tap(phones[name], 2);
  }
  await screen(host, "reveal");
  await screen(phones.Ada, "reveal");
  const score = await text(phones.Ada, "#me-score");
  // The warm-up scores nothing: all three stay on 0 and share first place, so nobody is told
  // they lead alone.
  adaReveal = await text(phones.Ada, "#result-ahead");

  const ctx = phones.Ada.context();
  await phones.Ada.close();
  const again = await ctx.newPage();
  S.watch(again, "Ada again");
  await again.goto(`${S.baseUrl}/`);
  await screen(again, "join");
  await join(again, pin, "Ada");
  await screen(again, "reveal");
  assert.equal(await text(again, "#me-name"), "Ada");
  assert.equal(await text(again, "#me-score"), score);
  assert.deepEqual(await alerts(again), [], "no 'name taken'");
  phones.Ada = again;
  assert.equal(await host.locator("#player-list li").count(), 3, "still three players on the host's list");
});

step("14: a teacher who closed the host tab is still logged in and finds the running game first, with Resume", 40_000, async () => {
  await host.locator("#next-btn").click();
  await screen(host, "leaderboard");
  await screen(phones.Ada, "leaderboard");
  adaPlace = await text(phones.Ada, "#my-rank");
  await host.close();
  host = await hostCtx.newPage();
  S.watch(host, "host again");
  await host.goto(`${S.baseUrl}/host`);
  await screen(host, "setup");
  const row = host.locator(`#running-list li[data-pin="${pin}"]`);
  await row.waitFor();
  const resume = row.getByRole("button", { name: /Resume/ });
  assert.equal(await resume.count(), 1, "a Resume button on the running game");
  await settled(host);
  const runningY = (await host.locator("#running").boundingBox()).y;
  const createY = (await host.locator("#create-btn").boundingBox()).y;
  assert.ok(runningY < createY, "running games come before Create room");
  await resume.click();
  await screen(host, "leaderboard");
  assert.equal(await text(host, "#host-pin"), pin);
});

step("12: equal scores share a rank on the leaderboard a host takes control of", 20_000, async () => {
  // Everyone scored 0 on the warm-up: one shared first place, whatever the join order.
  const ranks = await host.locator("#leaderboard li").evaluateAll((lis) => lis.map((li) => li.dataset.rank));
  assert.deepEqual(ranks, ["1", "1", "1"]);
  const shown = await host.locator("#leaderboard li .rank").allTextContents();
  assert.deepEqual(shown.map((s) => s.trim()), ["1", "1", "1"]);
});

step("14: an expired session shows the login form again", 20_000, async () => {
  // Its own profile, holding a token the server does not know (as after it expired).
  const probe = await S.newPage("expired", false);
  await probe.addInitScript(() => localStorage.setItem("quizrace.host.token", "not-a-token"));
  await probe.goto(`${S.baseUrl}/host`);
  await screen(probe, "login");
  assert.match(await text(probe, "#login-error"), /session/i);
  await probe.goto(`${S.baseUrl}/results`);
  await probe.locator("#screen-login").waitFor();
  assert.match(await text(probe, "#login-error"), /session/i);
  await probe.close();
});

step("15: after Save the notice and Host this quiz are in view, and a fixed error goes", 40_000, async () => {
  const ed = await S.newPage("editor", true);
  // The teacher's login, copied into this phone-sized profile.
  const token = await host.evaluate(() => localStorage.getItem("quizrace.host.token") || sessionStorage.getItem("quizrace.host.token"));
  await ed.addInitScript((t) => {
    localStorage.setItem("quizrace.host.token", t);
    sessionStorage.setItem("quizrace.host.token", t);
  }, token);
  await ed.goto(`${S.baseUrl}/editor?quiz=${quizId}`);
  await ed.locator("#edit-view").waitFor();
  await ed.fill("#quiz-title", "");
  await ed.locator("#save-btn").click();
  await ed.locator("#quiz-title[aria-invalid=true]").waitFor();
  assert.ok((await text(ed, "#quiz-title-error")).length > 0);
  await ed.fill("#quiz-title", TITLE);
  assert.equal(await ed.locator("#quiz-title[aria-invalid=true]").count(), 0, "typing a title clears its mark");
  assert.equal(await text(ed, "#quiz-title-error"), "", "and its message");
  assert.equal(await text(ed, "#save-error"), "", "and the summary");

  // Save as after editing the last question: at the foot of the form.
  await ed.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
  await ed.locator("#save-btn").click();
  await ed.locator("#edit-notice").waitFor();
  await ed.waitForFunction(() => document.activeElement && document.activeElement.id === "edit-notice");
  const inView = (sel) =>
    ed.evaluate((sel) => {
      const r = document.querySelector(sel).getBoundingClientRect();
      return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
    }, sel);
  assert.ok(await inView("#edit-notice"), "the notice is on screen");
  assert.ok(await inView("#host-link"), "Host this quiz is on screen");
  await ed.close();
});

// Needs the server's `reveal` (and the question) in `room_state` during the reveal phase.
step("13 (needs room_state.reveal from the server): a host taking control during a reveal sees the question and the chart", 40_000, async () => {
  await host.locator("#next-btn").click();
  for (const name of ["Ada", "Bob", "Eve"]) {
    await screen(phones[name], "question");
    await tap(phones[name], 1);
  }
  await screen(host, "reveal");
  // A fresh tab: nothing saved from this reveal.
  await host.close();
  host = await hostCtx.newPage();
  S.watch(host, "host third");
  await host.goto(`${S.baseUrl}/host`);
  await screen(host, "setup");
  await host.locator(`#running-list li[data-pin="${pin}"] button`).first().waitFor();
  await settled(host);
  await host.locator(`#running-list li[data-pin="${pin}"] button`).first().click();
  await screen(host, "reveal");
  assert.equal(await text(host, "#reveal-text"), QUESTIONS[1].text);
  assert.equal(await host.locator("#chart .bar-row").count(), 3);
  assert.equal(await host.locator("#chart .bar-row.correct").getAttribute("data-choice"), "1");

  const key = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")).host_key);
  const present = await hostCtx.newPage();
  S.watch(present, "present");
  await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key })}`);
  await screen(present, "reveal");
  assert.equal(await text(present, "#reveal-text"), QUESTIONS[1].text);
  assert.equal(await present.locator("#chart .bar-row.correct").getAttribute("data-choice"), "1");
});

// Needs the server's shared ranks (equal scores, equal `rank`): Ada joined first, so today's
// server ranks her first alone.
step("13 §3: a room with twice the answer time and the leaderboard only at the end, and the choices remembered for the quiz", 60_000, async () => {
  const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
  const two = [1, 2].map((n) => ({
    kind: "choice", text: `Settings question ${n}`, choices: ["Left", "Right"], correct: [1], time_limit_s: 5,
  }));
  const { id } = await S.api("POST", "/api/quizzes", { title: "Settings quiz", read_s: 0, questions: two }, token, 201);
  const teacher = await hostCtx.newPage(); // logged in already
  S.watch(teacher, "host settings");
  await teacher.goto(`${S.baseUrl}/host`);
  await screen(teacher, "setup");
  await teacher.selectOption("#quiz-select", String(id));
  await teacher.fill("#time-factor", "2");
  await teacher.selectOption("#leaderboard-at", "end");
  await teacher.locator("#create-btn").click();
  await screen(teacher, "lobby");
  const room = await text(teacher, "#host-pin");
  const kim = await phone("Kim");
  await join(kim, room, "Kim");
  await screen(kim, "lobby");
  // Count every time the phone's leaderboard screen is shown, from here on.
  await kim.evaluate(() => {
    window.boardsShown = 0;
    const board = document.getElementById("screen-leaderboard");
    new MutationObserver(() => { if (!board.hidden) window.boardsShown += 1; })
      .observe(board, { attributes: true, attributeFilter: ["hidden"] });
  });
  await teacher.locator("#lobby-count", { hasText: "1" }).waitFor();
  await teacher.locator("#start-btn").click();
  await screen(kim, "question");
  await kim.waitForFunction(() => Number(document.getElementById("time-left").textContent) > 5, null, { timeout: 3_000 })
    .catch(() => {});
  const left = Number(await text(kim, "#time-left"));
  assert.ok(left > 5 && left <= 10, `the phone counts down twice the quiz's 5 s: ${left}`);
  await tap(kim, 1);
  await screen(teacher, "reveal");
  await teacher.locator("#next-btn", { hasText: "Next question" }).waitFor();
  await teacher.locator("#next-btn").click();
  await screen(kim, "question");
  assert.equal(await text(kim, "#q-text"), "Settings question 2");
  await tap(kim, 1);
  await screen(teacher, "reveal");
  await teacher.locator("#next-btn", { hasText: "Finish" }).waitFor();
  await teacher.locator("#next-btn").click();
  await screen(kim, "over");
  assert.equal(await kim.evaluate(() => window.boardsShown), 0, "no leaderboard between questions");
  // A new tab on the same device finds the choices pre-filled for that quiz, and only for it.
  const again = await hostCtx.newPage();
  S.watch(again, "host settings again");
  await again.goto(`${S.baseUrl}/host`);
  await screen(again, "setup");
  await again.selectOption("#quiz-select", String(id));
  assert.equal(await again.inputValue("#time-factor"), "2");
  assert.equal(await again.inputValue("#leaderboard-at"), "end");
  await again.selectOption("#quiz-select", String(quizId));
  assert.equal(await again.inputValue("#time-factor"), "1");
  assert.equal(await again.inputValue("#leaderboard-at"), "each");
  await again.close();
});

step("13 §3: with the answers shuffled on each phone, the phone's reveal marks its own tiles", 40_000, async () => {
  const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
  const planets = { kind: "choice", text: "The red planet?", choices: ["Venus", "Mars", "Jupiter", "Saturn"], correct: [1], time_limit_s: 30 };
  const { id } = await S.api("POST", "/api/quizzes", { title: "Shuffled answers", read_s: 0, questions: [planets] }, token, 201);
  const teacher = await hostCtx.newPage();
  S.watch(teacher, "host shuffled");
  await teacher.goto(`${S.baseUrl}/host`);
  await screen(teacher, "setup");
  await teacher.selectOption("#quiz-select", String(id));
  await teacher.locator("#shuffle-answers").check();
  await teacher.locator("#create-btn").click();
  await screen(teacher, "lobby");
  const room = await text(teacher, "#host-pin");
  const lia = await phone("Lia");
  await join(lia, room, "Lia");
  await screen(lia, "lobby");
  await teacher.locator("#lobby-count", { hasText: "1" }).waitFor();
  await teacher.locator("#start-btn").click();
  await screen(lia, "question");
  await lia.locator("#q-choices .tile", { hasText: "Mars" }).click();
  await screen(lia, "reveal");
  const marked = lia.locator("#reveal-answers .correct");
  assert.equal(await marked.count(), 1);
  assert.match(await marked.textContent(), /Mars/, "the right tile is the one that says Mars");
  assert.match(await lia.locator("#reveal-answers .mine").textContent(), /Mars/, "and it is Lia's");
  await screen(teacher, "reveal");
  assert.equal(await teacher.locator("#chart .bar-row.correct").getAttribute("data-choice"), "1", "the screen keeps the quiz's order");
});

step("13 §3: without a time limit the phone and the host show no clock, and the question waits for the player", 40_000, async () => {
  const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
  const one = { kind: "choice", text: "Take your time: which is a fruit?", choices: ["Apple", "Brick"], correct: [0], time_limit_s: 5 };
  const { id } = await S.api("POST", "/api/quizzes", { title: "Untimed", read_s: 0, questions: [one] }, token, 201);
  const teacher = await hostCtx.newPage();
  S.watch(teacher, "host untimed");
  await teacher.goto(`${S.baseUrl}/host`);
  await screen(teacher, "setup");
  await settled(teacher);
  await teacher.selectOption("#quiz-select", String(id));
  await teacher.locator("#no-time-limit").check();
  assert.ok(await teacher.locator("#time-factor").isDisabled(), "no factor without a limit");
  await teacher.locator("#create-btn").click();
  await screen(teacher, "lobby");
  const room = await text(teacher, "#host-pin");
  const max = await phone("Max");
  await join(max, room, "Max");
  await screen(max, "lobby");
  await teacher.locator("#lobby-count", { hasText: "1" }).waitFor();
  await teacher.locator("#start-btn").click();
  for (const page of [max, teacher]) {
    await screen(page, "question");
    assert.equal(await page.locator("#time-left").isVisible(), false, `${page.who || "page"}: no clock`);
  }
  await max.waitForTimeout(5_500); // past the quiz's own 5 s
  assert.equal(await visible(max, "#screen-question"), true, "still open");
  await max.locator("#q-choices .tile", { hasText: "Apple" }).click();
  await screen(max, "reveal");
});

test("12 (needs shared ranks from the server): a player tied at the top is told the lead is shared", () => {
  assert.ok(adaPlace !== null, "the leaderboard step ran");
  assert.match(adaPlace, /share the lead with 2 other players/);
  assert.equal(adaReveal, "You share the lead.", "the reveal says the lead is shared (result.shared)");
});

test("no page errors and no requests leaving 127.0.0.1", () => {
  // The expired session's 401s are the point of its step.
  const expected = (e) => e.startsWith("expired console:") && / 401 /.test(e);
  noProblems([...S.pageErrors.filter((e) => !expected(e)), ...S.blocked]);
});
