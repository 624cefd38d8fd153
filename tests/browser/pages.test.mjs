// The management pages in headless Chromium: the admin creates a host account on /admin; the
// host changes its password on /account, builds a quiz of all five kinds in the editor (with a
// page-side and a server-side validation error, and a CSV import), is refused by /admin; the
// admin watches a live room and closes it; a game played to the end (by WebSockets in a page)
// shows on /results with its statistics, report, CSV and Excel workbook, and on /leaderboard
// until it is made private.
//
// Run: scripts/browser-test.sh, or, with the server built and `npm ci` done here:
// node --test tests/browser/pages.test.mjs
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).
//
// The steps share one server and build on each other, so they run in order; after a failed
// step the rest are skipped. The closing tests check what every step recorded: phone layout,
// tap targets, page errors, requests leaving 127.0.0.1 and refusals nobody asked for.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createSession, screen, text, noProblems, PHONE, DESKTOP } from "./harness.mjs";

const S = createSession();
const { step, shot } = S;
const HOST = { username: "quizhost", first: "first-pass-1234", password: "second-pass-5678" };
const TITLE = "Browser quiz: all five kinds";
// What the editor is told to build, and so what the server must store.
// The quiz's get-ready time is 0 (its bots answer at once); the pacing fields are set in the
// editor's own boxes.
const QUIZ_READ_S = 0;
const QUIZ = [
  { kind: "choice", text: "Which planet is known as the red planet?", choices: ["Venus", "Mars", "Jupiter", "Saturn"], correct: [1],
    explanation: "Iron oxide on its surface makes Mars look red." },
  { kind: "true_false", text: "Water boils at 100 °C at sea level.", correct: [0] },
  { kind: "multi", text: "Which of these are prime?", choices: ["2", "4", "5", "9"], correct: [0, 2], points: "double", time_limit_s: 30,
    partial: true },
  { kind: "type_answer", text: "Chemical symbol of gold?", accept: ["Au", "Gold"], typo: "exact" },
  { kind: "poll", text: "How was this quiz?", choices: ["Great", "Fine", "Meh"] },
];
// How the two players answer each question of QUIZ, and which of them is right.
const PLAY = [
  [{ choice: 1 }, { choice: 0 }],
  [{ choice: 0 }, { choice: 1 }],
  [{ choices: [0, 2] }, { choices: [0] }],
  [{ text: "au" }, { text: "Silver" }],
  [{ choice: 0 }, { choice: 2 }],
];
const PLAYERS = ["Ada", "Grace"];
const CSV_GOOD = [
  "Question,Kind,Choice1,Choice2,Choice3,Correct,Time_Limit_S,Points",
  "Capital of France?,choice,Paris,Lyon,Nice,1,15,",
  "The Rhine flows through Basel.,true_false,,,,true,,",
  "Capital of Japan?,type_answer,,,,Tokyo|Edo,,double",
].join("\n");
const CSV_BAD = "kind,question,choice1,choice2,correct\nchoice,Pick one,A,B,3\n";

let admin; // desktop page, logged in as admin
let host; // phone page, logged in as HOST
let hostToken;
let driver; // a desktop page whose WebSockets play the games
let quizId;
let closedGame;
let gameId;
const tapIssues = [];
let tapChecks = 0;
// Refusals (HTTP 4xx/5xx) a step provokes on purpose: "METHOD /path STATUS". Any other is a bug.
const allowed = new Set();
const refusals = [];

async function newPage(who, phone, options) {
  const page = await S.newPage(who, phone, options);
  page.on("response", (r) => {
    if (r.status() < 400) return;
    const key = `${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`;
    if (!allowed.has(key)) refusals.push(`${who}: ${key}`);
  });
  return page;
}

// Both checks on the whole page: the harness's (no sideways scroll, buttons ≥ 44 px) and the
// other tap targets these pages have (links styled as buttons, the bar's links, labels of
// checkboxes and file inputs, selects and text fields).
async function checkPage(page, label) {
  await S.checkLayout(page, label, "body");
  tapChecks++;
  const small = await page.evaluate(() => {
    const sel = "a.button, .navlink, label.button, label.check, summary, select, input:not([type=checkbox]):not([type=file]), textarea";
    return [...document.querySelectorAll(sel)].flatMap((e) => {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.height >= 44) return [];
      return [`${e.tagName.toLowerCase()}.${e.className} "${(e.textContent || e.value || "").trim().slice(0, 20)}" is ${r.height.toFixed(1)} px tall`];
    });
  });
  for (const s of small) tapIssues.push(`${page.who} [${label}]: ${s}`);
}

// A phone check of a page that is normally seen wide, then back to the wide screen.
async function checkPhone(page, label) {
  await page.setViewportSize(PHONE.viewport);
  await checkPage(page, label);
  await page.setViewportSize(DESKTOP.viewport);
}

async function logIn(page, username, password) {
  await screen(page, "login");
  await page.fill("#login-user", username);
  await page.fill("#login-pass", password);
  await page.click("#login-btn");
  await page.locator("#app").waitFor();
}

const patched = (page) =>
  page.waitForResponse((r) => r.url().endsWith(`/api/games/${gameId}`) && r.request().method() === "PATCH" && r.ok());
const question = (i) => host.locator("#questions > li").nth(i);
const focusedIn = (page, sel) => page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, sel);

// ---------- WebSocket players, driven inside a page (Node 20 has no WebSocket) ----------
// window.Bot: a socket with an inbox; `expect(type)` skips to the next message of that type
// and fails on an `error` frame or after 8 s.
function installBots() {
  window.bots = {};
  window.Bot = class {
    constructor() {
      this.inbox = [];
      this.wake = () => {};
    }
    open() {
      return new Promise((resolve, reject) => {
        this.ws = new WebSocket(`ws://${location.host}/ws`);
        this.ws.onopen = () => resolve();
        this.ws.onerror = () => reject(new Error("websocket error"));
        this.ws.onmessage = (e) => {
          this.inbox.push(JSON.parse(e.data));
          this.wake();
        };
        this.ws.onclose = () => {
          this.closed = true;
          this.wake();
        };
      });
    }
    send(m) {
      this.ws.send(JSON.stringify(m));
    }
    expect(type) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} within 8 s; inbox ${JSON.stringify(this.inbox).slice(0, 300)}`)), 8000);
        const look = () => {
          const i = this.inbox.findIndex((m) => m.type === type || m.type === "error");
          if (i < 0) return;
          const [m] = this.inbox.splice(0, i + 1).slice(-1);
          clearTimeout(timer);
          this.wake = () => {};
          if (m.type === "error" && type !== "error") reject(new Error(`error ${m.code}: ${m.message}`));
          else resolve(m);
        };
        this.wake = look;
        look();
      });
    }
  };
}

// A room for `quiz` hosted with `token`, and `names` joined to it: answers {pin, game_id}.
async function openRoom(token, quiz, names) {
  return driver.evaluate(async ({ token, quiz, names }) => {
    const h = new window.Bot();
    await h.open();
    h.send({ type: "host", token, quiz_id: quiz, mode: "classic" });
    const created = await h.expect("room_created");
    const players = [];
    for (const name of names) {
      const p = new window.Bot();
      await p.open();
      p.send({ type: "join", pin: created.pin, name });
      await p.expect("welcome");
      await h.expect("player_joined");
      players.push(p);
    }
    window.bots[created.pin] = { host: h, players };
    return { pin: created.pin, game_id: created.game_id };
  }, { token, quiz, names });
}

// Plays every question: each player answers as `plan` says, the question closes once all have
// answered, and the host moves on through the leaderboard to the next question and game over.
async function playRoom(pin, plan) {
  return driver.evaluate(async ({ pin, plan }) => {
    const { host, players } = window.bots[pin];
    host.send({ type: "start" });
    for (const [index, answers] of plan.entries()) {
      await host.expect("question");
      for (const [i, p] of players.entries()) {
        await p.expect("question");
        p.send({ type: "answer", index, ...answers[i] });
        await p.expect("answer_ack");
      }
      await host.expect("question_closed");
      host.send({ type: "next" });
      await host.expect("leaderboard");
      host.send({ type: "next" });
    }
    const over = await host.expect("game_over");
    return over.podium.map((p) => p.name);
  }, { pin, plan });
}

describe("quizrace management pages in a browser", { timeout: 150_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the admin logs in on /admin and creates a host account", 20_000, async () => {
    admin = await newPage("admin", false);
    await admin.goto(`${S.baseUrl}/admin`);
    await logIn(admin, "admin", S.password);
    await admin.locator("#admin").waitFor();
    assert.ok(await admin.locator("#refused").isHidden(), "an admin is not refused");
    await admin.locator('#accounts tr[data-username="admin"]').waitFor();

    // A malformed name is caught by the page, a taken one by the server; both show at the field.
    await admin.fill("#new-username", "not valid");
    await admin.fill("#new-password", HOST.first);
    await admin.click("#create-btn");
    await admin.locator("#new-username-error", { hasText: "letters, digits" }).waitFor();
    assert.equal(await admin.getAttribute("#new-username", "aria-invalid"), "true");
    allowed.add("POST /api/admin/accounts 409");
    await admin.fill("#new-username", "admin");
    await admin.click("#create-btn");
    await admin.locator("#new-username-error", { hasText: "taken" }).waitFor();

    await admin.fill("#new-username", HOST.username);
    await admin.click("#create-btn");
    await admin.locator("#create-done", { hasText: HOST.username }).waitFor();
    const row = admin.locator(`#accounts tr[data-username="${HOST.username}"]`);
    await row.waitFor();
    assert.equal(await row.locator(".role-select").inputValue(), "host");
    assert.equal((await row.locator(".status-cell").textContent()).trim(), "Active");
    // The admin's own row cannot be disabled or demoted from here.
    assert.ok(await admin.locator('#accounts tr[data-username="admin"] .disable-btn').isDisabled());
  });

  step("the host logs in on /account and changes its password", 20_000, async () => {
    host = await newPage("host", true);
    await host.goto(`${S.baseUrl}/account`);
    await logIn(host, HOST.username, HOST.first);
    assert.equal(await text(host, "#me-name"), HOST.username);
    assert.equal(await host.locator('#topnav a[href="/admin"]').count(), 0, "no Admin link for a host");
    assert.equal(await host.locator('#topnav a[aria-current="page"]').getAttribute("href"), "/account");

    allowed.add("POST /api/password 401");
    await host.fill("#pw-old", "not-my-password");
    await host.fill("#pw-new", HOST.password);
    await host.fill("#pw-repeat", HOST.password);
    await host.click("#pw-btn");
    await host.locator("#pw-old-error", { hasText: "not your current password" }).waitFor();
    assert.ok(await focusedIn(host, "#pw-old"), "the wrong field has the focus");

    await host.fill("#pw-old", HOST.first);
    await host.fill("#pw-repeat", "something-else-1");
    await host.click("#pw-btn");
    await host.locator("#pw-repeat-error", { hasText: "differ" }).waitFor();
    assert.equal(await text(host, "#pw-old-error"), "", "the earlier error is cleared");

    await host.fill("#pw-repeat", HOST.password);
    await host.click("#pw-btn");
    await host.locator("#pw-done").waitFor();
    assert.equal(await host.inputValue("#pw-new"), "", "the fields are emptied");
    await checkPage(host, "account");
    await shot(host, "account");

    // The old password is gone, the new one works, and this tab's session survived.
    await S.api("POST", "/api/login", { username: HOST.username, password: HOST.first }, null, 401);
    hostToken = (await S.api("POST", "/api/login", { username: HOST.username, password: HOST.password })).token;
    await host.reload();
    await host.locator("#app").waitFor();
    assert.ok(await host.locator("#screen-login").count() === 0, "no login form after a reload");
  });

  step("the host builds a quiz of all five kinds in the editor", 45_000, async () => {
    await host.goto(`${S.baseUrl}/editor`);
    await host.locator("#list-view").waitFor();
    const sample = host.locator(".quiz-item", { hasText: "General knowledge" });
    await sample.waitFor();
    await sample.locator(".builtin").waitFor();
    assert.equal(await sample.locator(".edit-btn, .del-btn").count(), 0, "a built-in quiz offers no Edit or Delete");
    assert.equal(await sample.locator(".host-btn").getAttribute("href"), await sample.getAttribute("data-quiz-id").then((id) => `/host?quiz=${id}`));
    await checkPage(host, "editor list");
    await shot(host, "editor-list");

    // Duplicate makes an editable copy of a sample; Delete (confirmed) removes it again.
    await sample.locator(".dup-btn").click();
    const copy = host.locator(".quiz-item", { hasText: "General knowledge (copy)" });
    await copy.waitFor();
    assert.ok(!(await copy.locator(".builtin").count()), "the copy is the host's own");
    await S.asked(/^host: Delete the quiz “General knowledge \(copy\)”\?/, () => copy.locator(".del-btn").click());
    await host.locator("#list-notice", { hasText: "Deleted" }).waitFor();
    await copy.waitFor({ state: "detached" });

    await host.click("#new-btn");
    await host.locator("#edit-view").waitFor();
    await host.fill("#quiz-title", TITLE);
    await host.fill("#quiz-read", String(QUIZ_READ_S));
    for (const [i, q] of QUIZ.entries()) {
      if (i > 0) {
        await host.click("#add-question-btn");
        await question(i).waitFor();
      }
      const card = question(i);
      await card.locator(".f-kind").selectOption(q.kind);
      await card.locator(".f-text").fill(q.text);
      if (q.choices) {
        while ((await card.locator(".f-choice").count()) > q.choices.length) {
          await card.locator(".choice-remove").last().click();
        }
        while ((await card.locator(".f-choice").count()) < q.choices.length) await card.locator(".add-choice").click();
        for (const [c, label] of q.choices.entries()) await card.locator(".f-choice").nth(c).fill(label);
        if (q.kind !== "poll") for (const c of q.correct) await card.locator(".f-correct").nth(c).check();
      }
      if (q.kind === "true_false") await card.locator(".f-tf").selectOption(String(q.correct[0]));
      if (q.accept) await card.locator(".f-accept").fill(q.accept.join("\n"));
      if (q.points) await card.locator(".f-points").selectOption(q.points);
      if (q.explanation) await card.locator(".f-explanation").fill(q.explanation);
      if (q.partial) await card.locator(".f-partial").check();
      if (q.typo) await card.locator(".f-typo").selectOption(q.typo);
      // A kind shows only the settings it takes.
      assert.equal(await card.locator(".f-partial").isVisible(), q.kind === "multi", `question ${i}: partial credit box`);
      assert.equal(await card.locator(".f-typo").isVisible(), q.kind === "type_answer", `question ${i}: typo setting`);
    }
    // Reorder: the poll goes up one and back; the type_answer question keeps its text.
    await question(4).locator(".move-up").click();
    assert.equal(await question(3).locator(".f-kind").inputValue(), "poll");
    assert.equal(await question(4).locator(".f-text").inputValue(), QUIZ[3].text);
    await question(3).locator(".move-down").click();
    assert.equal(await question(4).locator(".f-kind").inputValue(), "poll");
    // Choices reorder too: Mars moves to the top and back, its tick with it.
    await question(0).locator(".choice-up").nth(1).click();
    assert.equal(await question(0).locator(".f-choice").nth(0).inputValue(), "Mars");
    assert.ok(await question(0).locator(".f-correct").nth(0).isChecked());
    await question(0).locator(".choice-down").nth(0).click();
    assert.equal(await question(0).locator(".f-choice").nth(1).inputValue(), "Mars");

    // The page's own check: an empty question text is marked at that question, with the focus.
    await question(0).locator(".f-text").fill("");
    await host.click("#save-btn");
    await question(0).locator(".e-text", { hasText: "empty" }).waitFor();
    assert.ok(await focusedIn(host, "#questions > li:nth-child(1) .f-text"), "focus on question 1's text");
    await question(0).locator(".f-text").fill(QUIZ[0].text);

    // The server's check: a 300 s time limit on question 3 comes back as index 2, time_limit_s.
    allowed.add("POST /api/quizzes 400");
    await question(2).locator(".f-time").fill("300");
    await host.click("#save-btn");
    await question(2).locator(".e-time_limit_s", { hasText: "240" }).waitFor();
    assert.equal(await text(host, "#questions > li:nth-child(1) .e-text"), "", "the fixed error is gone");
    assert.ok(await focusedIn(host, "#questions > li:nth-child(3) .f-time"), "focus on question 3's time limit");
    assert.match(await question(2).getAttribute("class"), /has-error/);
    await checkPage(host, "editor error");
    await shot(host, "editor-error");

    await question(2).locator(".f-time").fill(String(QUIZ[2].time_limit_s));
    await host.click("#save-btn");
    await host.locator("#edit-notice", { hasText: "Saved" }).waitFor();
    quizId = Number(new URL(host.url()).searchParams.get("quiz"));
    assert.ok(quizId > 0, `the address names the saved quiz: ${host.url()}`);
    assert.equal(await host.getAttribute("#host-link", "href"), `/host?quiz=${quizId}`);
    await host.evaluate(() => window.scrollTo(0, 0));
    await checkPage(host, "editor edit");
    await shot(host, "editor-edit");

    // Stored exactly as built.
    const doc = await S.api("GET", `/api/quizzes/${quizId}`, null, hostToken);
    assert.equal(doc.title, TITLE);
    assert.equal(doc.read_s, QUIZ_READ_S);
    assert.equal(doc.questions.length, QUIZ.length);
    for (const [i, want] of QUIZ.entries()) {
      const got = doc.questions[i];
      for (const k of ["kind", "text", "choices", "correct", "accept", "time_limit_s", "explanation", "partial", "typo"]) {
        assert.deepEqual(got[k], want[k], `question ${i} ${k}`);
      }
      assert.equal(got.points, want.kind === "poll" ? undefined : want.points ?? "standard", `question ${i} points`);
    }

    // A wide screen shows the same form.
    const wide = await newPage("host-wide", false);
    await wide.addInitScript((t) => localStorage.setItem("quizrace.host.token", t), hostToken);
    await wide.goto(`${S.baseUrl}/editor?quiz=${quizId}`);
    await wide.locator("#edit-view").waitFor();
    assert.equal(await wide.locator("#questions > li").count(), QUIZ.length);
    await shot(wide, "editor-edit-wide");
    await wide.context().close();

    // Export gives the stored document; importing that file opens it again, unsaved.
    const [exported] = await Promise.all([host.waitForEvent("download"), host.click("#export-btn")]);
    assert.equal(exported.suggestedFilename(), "Browser-quiz-all-five-kinds.json");
    const file = await exported.path();
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), doc);

    await host.click("#back-btn");
    await host.locator(`.quiz-item[data-quiz-id="${quizId}"]`, { hasText: TITLE }).waitFor();
    await host.setInputFiles("#import-json", file);
    await host.locator("#edit-notice", { hasText: "Imported" }).waitFor();
    assert.equal(await host.inputValue("#quiz-title"), TITLE);
    assert.equal(await host.locator("#questions > li").count(), QUIZ.length);
    assert.equal(await question(3).locator(".f-accept").inputValue(), "Au\nGold");
    assert.ok(await host.locator("#host-link").isHidden(), "an import is a new quiz until saved");
    await host.click("#back-btn");
    await host.locator("#list-view").waitFor();
  });

  step("the editor imports a CSV file and offers the documented example", 20_000, async () => {
    allowed.add("POST /api/quizzes/csv 400");
    await host.setInputFiles("#import-csv", { name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from(CSV_BAD) });
    await host.locator("#list-error", { hasText: "row 2, correct" }).waitFor();
    assert.ok(await host.locator("#edit-view").isHidden(), "nothing opens from a bad file");
    assert.ok(await host.locator("#csv-help").evaluate((d) => d.open), "a failed import opens the layout help");

    await host.setInputFiles("#import-csv", { name: "Capitals.csv", mimeType: "text/csv", buffer: Buffer.from(CSV_GOOD) });
    await host.locator("#edit-view").waitFor();
    assert.equal(await host.inputValue("#quiz-title"), "Capitals");
    assert.equal(await question(0).locator(".f-text").inputValue(), "Capital of France?");
    assert.equal(await question(1).locator(".f-kind").inputValue(), "true_false");
    assert.equal(await question(1).locator(".f-tf").inputValue(), "0");
    assert.equal(await question(2).locator(".f-accept").inputValue(), "Tokyo\nEdo");
    assert.equal(await question(2).locator(".f-points").inputValue(), "double");
    assert.ok(await question(0).locator(".f-correct").nth(0).isChecked());
    assert.ok(await host.locator("#host-link").isHidden(), "not saved yet, so nothing to host");
    await checkPage(host, "editor csv");
    await shot(host, "editor-csv");
    await host.click("#save-btn");
    await host.locator("#edit-notice", { hasText: "Saved" }).waitFor();
    await host.click("#back-btn");
    await host.locator(".quiz-item", { hasText: "Capitals" }).waitFor();

    // The example on the page downloads, and the server takes it as it is.
    const [dl] = await Promise.all([host.waitForEvent("download"), host.click("#csv-example-btn")]);
    assert.equal(dl.suggestedFilename(), "quiz-example.csv");
    const example = fs.readFileSync(await dl.path(), "utf8");
    const res = await fetch(`${S.baseUrl}/api/quizzes/csv?title=Example`, {
      method: "POST",
      headers: { Authorization: `Bearer ${hostToken}`, "Content-Type": "text/csv" },
      body: example,
    });
    assert.equal(res.status, 200, `the example parses: ${await res.clone().text()}`);
    assert.deepEqual((await res.json()).questions.map((q) => q.kind), ["choice", "true_false", "multi", "type_answer", "poll"]);
  });

  step("/admin refuses the host and asks the server for nothing", 15_000, async () => {
    const asked = [];
    const spy = (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/admin")) asked.push(r.url());
    };
    host.on("request", spy);
    await host.goto(`${S.baseUrl}/admin`);
    await host.locator("#refused").waitFor();
    assert.ok(await host.locator("#admin").isHidden());
    assert.equal(await text(host, "#refused h1"), "Admins only");
    await host.waitForTimeout(300);
    host.off("request", spy);
    assert.deepEqual(asked, []);
    // The API says the same to the host.
    await S.api("GET", "/api/admin/accounts", null, hostToken, 401);
    await checkPage(host, "admin refused");
    await shot(host, "admin-refused");
  });

  step("the admin sees a live room with its players and closes it", 30_000, async () => {
    driver = await newPage("driver", false);
    await driver.goto(`${S.baseUrl}/leaderboard`);
    await driver.evaluate(installBots);
    const room = await openRoom(hostToken, quizId, ["Lin", "Mo"]);
    closedGame = room.game_id;
    const card = admin.locator(`#rooms li[data-pin="${room.pin}"]`);
    await card.waitFor({ timeout: 8_000 }); // the page refreshes every 3 s
    await card.locator("td.name", { hasText: /^Lin$/ }).waitFor();
    await card.locator("td.name", { hasText: /^Mo$/ }).waitFor();
    assert.match(await card.textContent(), new RegExp(`${TITLE}[\\s\\S]*${HOST.username}`));
    await admin.evaluate(() => window.scrollTo(0, 0));
    await shot(admin, "admin");
    await checkPhone(admin, "admin");

    // The game moves to its first reveal. This tab holds a saved view of another game at the
    // same question, which the host page must not draw for this one.
    await driver.evaluate(async (pin) => {
      const h = window.bots[pin].host;
      h.send({ type: "start" });
      await h.expect("question");
      h.send({ type: "close" });
      await h.expect("question_closed");
    }, room.pin);
    await host.evaluate((gameId) => sessionStorage.setItem("quizrace.host.view", JSON.stringify({
      game_id: gameId + 1000,
      question: { index: 0, total: 5, kind: "choice", text: "A question of another game", choices: ["Other", "Game"],
        time_limit_ms: 10000, remaining_ms: 0, points: "standard" },
      closed: { type: "question_closed", index: 0, correct: [0], counts: [7, 7], answered: 14, total: 14 },
    })), room.game_id);

    // The host sees the running game in Results and takes control of it on /host.
    await host.goto(`${S.baseUrl}/results`);
    const running = host.locator(`#games tr[data-game-id="${room.game_id}"]`);
    await running.locator("td", { hasText: `Running (PIN ${room.pin})` }).waitFor();
    await running.locator(".resume-btn").click();
    await host.waitForURL(`${S.baseUrl}/host`);
    await host.locator("#room-title", { hasText: `PIN ${room.pin}` }).waitFor();
    await screen(host, "reveal");
    // The server's room_state carries this game's reveal, so the page draws it (question and
    // chart), never the other game's saved one.
    await host.locator("#screen-reveal", { hasText: "Which planet is known as the red planet?" }).waitFor();
    assert.doesNotMatch(await host.textContent("#screen-reveal"), /another game|Other/, "no other game's reveal");
    assert.equal(await host.locator("#chart > *").count(), 4, "this game's four choices, not the other game's two");
    await driver.evaluate((pin) => window.bots[pin].host.expect("error").then((e) => e.code), room.pin)
      .then((code) => assert.equal(code, "replaced", "the page took the host role over"));

    // Close ends the game as the host's End does: the players see game over, the game is stored
    // as finished, the room stays on its podium; closing it again removes it.
    await S.asked(/^admin: End the game in room \d{6} /, () => card.locator(".close-room").click());
    await card.locator(".room-phase", { hasText: "Game over" }).waitFor();
    await driver.evaluate((pin) => window.bots[pin].players[0].expect("game_over"), room.pin);
    const g = await S.api("GET", `/api/games/${room.game_id}`, null, hostToken);
    assert.equal(g.status, "finished");
    await card.locator(".close-room").click();
    await card.waitFor({ state: "detached" });
    const closed = await driver.evaluate((pin) => window.bots[pin].players[0].expect("room_closed"), room.pin);
    assert.equal(closed.reason, "host_ended");
  });

  step("a game played to the end shows on /results with statistics, the report, the CSV and the workbook", 40_000, async () => {
    const room = await openRoom(hostToken, quizId, PLAYERS);
    gameId = room.game_id;
    const podium = await playRoom(room.pin, PLAY);
    assert.deepEqual(podium, ["Ada", "Grace"]);

    await host.goto(`${S.baseUrl}/results`);
    const row = host.locator(`#games tr[data-game-id="${gameId}"]`);
    await row.waitFor();
    await host.locator(`#games tr[data-game-id="${closedGame}"]`).waitFor();
    assert.match(await row.textContent(), /Finished/);
    assert.ok(!(await row.locator(".private-box").isChecked()), "a new game is public");
    await checkPage(host, "results list");
    await shot(host, "results-list");

    await row.locator("a.button").click();
    await host.locator("#game-title", { hasText: TITLE }).waitFor(); // drawn once the game is fetched
    const cards = host.locator("#question-stats > li");
    assert.equal(await cards.count(), QUIZ.length);
    // Question 1: both answered, one right; the bars count one Venus and one Mars, Mars marked.
    assert.match(await cards.nth(0).textContent(), /Answered2 of 2[\s\S]*Right1/);
    const bars = cards.nth(0).locator(".bar-row");
    assert.deepEqual(await bars.locator(".bar-count").allTextContents(), ["1", "1", "0", "0"]);
    assert.deepEqual(await cards.nth(0).locator(".bar-row.correct .bar-label").allTextContents(), ["◆ Mars ✓ (right answer)"]);
    // Multi: choice 2 picked twice, choice 5 once; type_answer groups what was typed.
    assert.deepEqual(await cards.nth(2).locator(".bar-count").allTextContents(), ["2", "0", "1", "0"]);
    assert.match(await cards.nth(3).locator(".bar-row.correct").textContent(), /au/);
    assert.match(await cards.nth(4).textContent(), /Right–/);
    // Player × question: Ada right on the first four, Grace wrong on them; the poll has no mark.
    const ada = host.locator("#answer-table tbody tr", { hasText: "Ada" });
    assert.equal(await ada.locator("td.right").count(), 4);
    assert.equal(await host.locator("#answer-table tbody tr", { hasText: "Grace" }).locator("td.wrong").count(), 4);
    assert.match(await ada.locator("td").nth(3).textContent(), /✓ au.*s · \d+ pts/);
    assert.equal(await ada.locator("td").nth(QUIZ.length).textContent(), `${QUIZ.length} of ${QUIZ.length}`);
    assert.equal(await host.locator("#standings li").first().locator(".name").textContent(), "Ada");
    await checkPage(host, "results game");
    await shot(host, "results-game");

    // The teacher's report: the four scored questions ranked (never the poll); each was half
    // right, so none is to review; Grace, right on none, may need help.
    const difficulty = host.locator("#report-difficulty li");
    await difficulty.first().waitFor();
    assert.equal(await difficulty.count(), QUIZ.length - 1, "the poll is not ranked");
    assert.ok(await host.locator("#review-empty").isVisible(), "no question under half right");
    assert.deepEqual(await host.locator("#report-help .name").allTextContents(), ["Grace"]);
    const grace = host.locator("#report-players details", { hasText: "Grace" });
    await grace.locator("summary").click();
    assert.equal(await grace.locator("tbody tr").count(), QUIZ.length);
    assert.match(await grace.locator("tbody tr").nth(3).textContent(), /Silver✗ wrong/);
    // The threshold field asks the server again: below 0 % flags nobody.
    await host.fill("#need-help-below", "0");
    await host.click("#need-help-apply");
    await host.locator("#help-empty", { hasText: "below 0%" }).waitFor();
    assert.equal(await host.locator("#report-help li").count(), 0);
    await host.fill("#need-help-below", "50");
    await host.click("#need-help-apply");
    await host.locator("#report-help li").first().waitFor();
    await host.locator("#report-title").evaluate((h) => h.scrollIntoView());
    await checkPage(host, "results report");
    await shot(host, "results-report");

    // "Download Excel": a workbook (a zip file) with the spreadsheet content type.
    const [xl, xlRes] = await Promise.all([
      host.waitForEvent("download"),
      host.waitForResponse((r) => new URL(r.url()).pathname === `/api/games/${gameId}/report.xlsx`),
      host.click("#xlsx-btn"),
    ]);
    assert.equal(xl.suggestedFilename(), `quizrace-game-${gameId}.xlsx`);
    assert.equal(xlRes.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const xlsx = fs.readFileSync(await xl.path());
    assert.ok(xlsx.length > 1000, `a workbook, not ${xlsx.length} bytes`);
    assert.equal(xlsx.subarray(0, 2).toString("latin1"), "PK", "an xlsx file is a zip archive");

    const [dl] = await Promise.all([host.waitForEvent("download"), host.click("#csv-btn")]);
    assert.equal(dl.suggestedFilename(), `quizrace-game-${gameId}.csv`);
    const csv = fs.readFileSync(await dl.path(), "utf8");
    // The file starts with a UTF-8 byte order mark, so Excel reads accents right. (Checked
    // before trim(), which takes U+FEFF for white space.)
    assert.ok(csv.startsWith("\uFEFF"), "the CSV starts with a UTF-8 BOM");
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines[0], "player_id,name,rank,score,question,question_text,answered,answer,correct,elapsed_ms,points");
    assert.equal(lines.length, 1 + PLAYERS.length * QUIZ.length);

    // Wide, and in the dark colour scheme.
    const wide = await newPage("host-wide", false, { colorScheme: "dark" });
    await wide.addInitScript((t) => localStorage.setItem("quizrace.host.token", t), hostToken);
    await wide.goto(`${S.baseUrl}/results?game=${gameId}`);
    await wide.locator("#question-stats > li").nth(QUIZ.length - 1).waitFor();
    // The bottom of the page: the last question's chart and the player × question table.
    await wide.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
    await shot(wide, "results-game-wide");
    await wide.context().close();
  });

  step("/leaderboard shows the game without a login, until it is made private", 20_000, async () => {
    const visitor = await newPage("visitor", true);
    await visitor.goto(`${S.baseUrl}/leaderboard`);
    const card = visitor.locator(`#board li[data-game-id="${gameId}"]`);
    await card.waitFor();
    assert.deepEqual(await card.locator(".podium .name").allTextContents(), PLAYERS);
    assert.equal(await visitor.locator('#topnav a[href="/editor"]').count(), 0, "a visitor gets no host links");
    await checkPage(visitor, "leaderboard");
    await shot(visitor, "leaderboard");

    await Promise.all([patched(host), host.locator("#game-private").check()]);
    const g = await S.api("GET", `/api/games/${gameId}`, null, hostToken);
    assert.equal(g.private, true);
    await visitor.reload();
    await visitor.locator(`#board li[data-game-id="${closedGame}"]`).waitFor();
    assert.equal(await card.count(), 0, "a private game leaves the leaderboard");
    // And back: the list's toggle makes it public again.
    await host.goto(`${S.baseUrl}/results`);
    const box = host.locator(`#games tr[data-game-id="${gameId}"] .private-box`);
    assert.ok(await box.isChecked());
    await Promise.all([patched(host), box.uncheck()]);
    await visitor.reload();
    await card.waitFor();
  });

  step("the admin resets a password, changes a role, disables and enables an account", 20_000, async () => {
    const row = () => admin.locator(`#accounts tr[data-username="${HOST.username}"]`);
    const third = "third-pass-9012";
    await row().locator(".reset-btn").click();
    await admin.locator("#reset-dialog").waitFor();
    await admin.fill("#reset-password", "short");
    await admin.click("#reset-save");
    await admin.locator("#reset-error", { hasText: "8 to 200" }).waitFor();
    await admin.fill("#reset-password", third);
    await admin.click("#reset-save");
    await admin.locator("#reset-dialog").waitFor({ state: "hidden" });
    await S.api("POST", "/api/login", { username: HOST.username, password: HOST.password }, null, 401);
    const { token } = await S.api("POST", "/api/login", { username: HOST.username, password: third });

    await row().locator(".role-select").selectOption("admin");
    await admin.locator("#announcer", { hasText: "now an admin" }).waitFor();
    assert.equal((await S.api("GET", "/api/me", null, token)).role, "admin");
    await row().locator(".role-select").selectOption("host");
    await admin.locator("#announcer", { hasText: "now a host" }).waitFor();

    await S.asked(new RegExp(`^admin: Disable ${HOST.username}\\?`), () => row().locator(".disable-btn").click());
    await row().locator(".status-cell", { hasText: "Disabled" }).waitFor();
    await S.api("GET", "/api/me", null, token, 401);
    await S.api("POST", "/api/login", { username: HOST.username, password: third }, null, 401);
    await row().locator(".enable-btn").click();
    await row().locator(".status-cell", { hasText: "Active" }).waitFor();
    await S.api("POST", "/api/login", { username: HOST.username, password: third });
  });

  step("Log out in the bar ends the session and shows the login form", 15_000, async () => {
    const token = await admin.evaluate(() => localStorage.getItem("quizrace.host.token"));
    await admin.click("#nav-logout");
    await screen(admin, "login");
    assert.equal(await admin.evaluate(() => localStorage.getItem("quizrace.host.token")), null);
    assert.ok(await admin.locator("#app").isHidden(), "nothing of the admin page is left on screen");
    await S.api("GET", "/api/me", null, token, 401);
  });

  // These report what the steps recorded. After a failed step they still fail on anything
  // found so far, and otherwise skip: the coverage is too thin to pass.
  test("every page fits a 390 px phone: no sideways scrolling, tap targets at least 44 px", (t) => {
    noProblems([...S.layoutIssues, ...tapIssues]);
    if (S.broken) return t.skip("the steps did not run to the end");
    assert.ok(tapChecks >= 9 && S.buttonsMeasured >= 60, `only ${tapChecks} screens and ${S.buttonsMeasured} buttons checked`);
  });

  test("no page errors, no request left 127.0.0.1, no refusal but the provoked ones", (t) => {
    // The browser logs every refused request as a console error; `refusals` judges those.
    noProblems(S.pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of/.test(e)));
    noProblems(S.blocked.map((b) => `blocked request to ${b}`));
    noProblems(refusals);
    if (S.broken) t.skip("the steps did not run to the end");
  });
});
