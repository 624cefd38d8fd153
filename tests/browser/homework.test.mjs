// An assignment in the browser: the host makes one on /assignments (a deadline, a student
// number to ask for, one attempt) and gets its code, link and QR code; a phone opens the link,
// is asked for its student number, plays both questions at its own pace (each result with the
// right answer and the explanation, then Next) and ends on its score and rank so far; the
// host's live page shows the attempt finished with the student number, and Results list the
// assignment as a game with a link back to its live page.
//
// Run: node --test tests/browser/homework.test.mjs (server built from this tree, since it
// embeds the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step, shot } = S;
const QUIZ = {
  title: "Capitals homework",
  read_s: 0,
  questions: [
    { kind: "choice", text: "What is the capital city of Australia?", choices: ["Sydney", "Melbourne", "Canberra", "Perth"],
      correct: [2], time_limit_s: 60, explanation: "Canberra was built as the capital." },
    { kind: "true_false", text: "Ottawa is the capital of Canada.", correct: [0], time_limit_s: 60 },
  ],
};

let host;
let phone;
let code;

describe("an assignment: made on /assignments, played on a phone, watched live", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host makes an assignment and gets its code, link and QR code", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false);
    await host.goto(`${S.baseUrl}/assignments`);
    await screen(host, "login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await host.locator("#list-view").waitFor({ state: "visible" });
    await host.selectOption("#hw-quiz", String(id));
    await host.fill("#hw-label", "Student number");
    await host.click("#hw-create");
    await host.locator("#live-view").waitFor({ state: "visible" });
    code = await text(host, "#live-code");
    assert.match(code, /^\d{8}$/);
    assert.equal(await text(host, "#live-link"), `${S.baseUrl}/?code=${code}`);
    await host.waitForFunction(() => document.querySelector("#live-qr").naturalWidth > 0);
    assert.equal(await text(host, "#live-started"), "0");
  });

  step("a phone opens the link, gives its student number, and plays to its result", 40_000, async () => {
    phone = await S.newPage("phone-Ada", true);
    await phone.goto(`${S.baseUrl}/?code=${code}`);
    await screen(phone, "join");
    await phone.fill("#name", "Ada");
    await phone.locator("#join-btn").tap();
    await phone.locator("#identifier").waitFor({ state: "visible" });
    await phone.fill("#identifier", "s-4242");
    await phone.locator("#join-btn").tap();
    await screen(phone, "question");
    await phone.locator('#q-choices .tile[data-choice="2"]').tap();
    await screen(phone, "homework");
    assert.equal(await text(phone, "#hw-verdict"), "Correct!");
    assert.equal(await text(phone, "#hw-answer"), "The answer: Canberra");
    assert.equal(await text(phone, "#hw-explanation"), "Canberra was built as the capital.");
    await shot(phone, "player-assignment-result");
    await phone.locator("#hw-next").tap();
    await screen(phone, "question");
    await phone.locator('#q-choices .tile[data-choice="1"]').tap();
    await screen(phone, "homework");
    assert.equal(await text(phone, "#hw-next"), "See my result");
    await phone.locator("#hw-next").tap();
    await screen(phone, "over");
    assert.match(await text(phone, "#final-rank"), /1 of 2 right\. You are #1 of 1 so far\.$/);
  });

  step("the host's live page shows the attempt finished, with the student number", 20_000, async () => {
    await host.locator("#live-finished", { hasText: "1" }).waitFor({ timeout: 10_000 });
    const row = await host.$$eval("#live-board tbody tr", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.equal(row.length, 1);
    assert.deepEqual(row[0].slice(0, 3), ["1", "Ada", "s-4242"]);
    assert.equal(await text(host, "#board-id-col"), "Student number");
    await shot(host, "assignment-live");
  });

  step("Results list the assignment as a game, with a way back to its live page", 20_000, async () => {
    const id = new URL(host.url()).searchParams.get("id");
    await host.goto(`${S.baseUrl}/results`);
    const row = host.locator(`#games tr[data-game-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator(".resume-btn").count(), 0, "an assignment is not taken over");
    await row.locator(`a[href="/assignments?id=${id}"]`).click();
    await host.locator("#live-view").waitFor({ state: "visible" });
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
