// Race mode explains itself: the host creates a race room, a presenter screen follows it and
// two phones join. Before the first question the phones say that the first correct answer
// wins; the question shows for its get-ready time first (tiles not yet usable); the first
// right answer closes it, and the host, the presenter and both phones name the winner with
// the time it took ("Mia got it first (1.34 s)"), then show the question's explanation.
//
// Run: node --test tests/browser/race.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;
const EXPLANATION = "Canberra was chosen in 1908 as a compromise between Sydney and Melbourne.";
const QUIZ = {
  title: "Race to Canberra",
  read_s: 2,
  questions: [{
    kind: "choice", text: "What is the capital city of Australia?", choices: ["Sydney", "Melbourne", "Canberra", "Perth"],
    correct: [2], time_limit_s: 60, explanation: EXPLANATION,
  }],
};

let host;
let present;
const phones = []; // Mia (answers right), Bob (too slow)

describe("race mode explains itself on every screen", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host creates a race room, a presenter follows it, and two phones join and read the rule", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false);
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(id));
    await host.selectOption("#mode-select", "race");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    present = await S.newPage("present", false);
    await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key: room.host_key })}`);
    await screen(present, "lobby");
    for (const name of ["Mia", "Bob"]) {
      const p = await S.newPage(`phone-${name}`, true);
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      await p.locator("#lobby-rules").waitFor({ state: "visible" });
      assert.match(await text(p, "#lobby-rules"), /first correct answer wins/i, `${name}: the rule in the lobby`);
      phones.push(p);
    }
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
  });

  step("the question shows for its get-ready time, then the first right answer wins and every screen names the winner", 30_000, async () => {
    await host.locator("#start-btn").click();
    for (const page of [host, present, ...phones]) {
      await screen(page, "question");
      await page.locator("#get-ready").waitFor({ state: "visible" });
    }
    const [mia, bob] = phones;
    await mia.locator("#get-ready").waitFor({ state: "hidden" });
    await mia.locator('#q-choices .tile[data-choice="2"]').tap();
    for (const page of [host, present, ...phones]) {
      await screen(page, "reveal");
      await page.locator("#first-correct", { hasText: "got it first" }).waitFor();
      assert.match(await text(page, "#first-correct"), /^Mia got it first \(\d+\.\d\d s\)/, `${page.who}: the winner and the time`);
      assert.equal(await text(page, "#reveal-explanation"), EXPLANATION, `${page.who}: the explanation`);
    }
    await bob.locator("#result").waitFor({ state: "visible" });
    assert.equal(await text(bob, "#result-verdict"), "No answer");
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
