// A real ending: three phones (390×844) play a short quiz run from a 1366×768 laptop with the
// presenter window it opens. At the end the presenter and the host raise the podium 3rd, then
// 2nd, then 1st (all at once with reduced motion); each phone shows its own summary (rank,
// right answers of those asked, best streak, one line per question) matching the stored game.
// Then the host presses Play again: the phones land in the new room's lobby under the same
// names, the presenter follows, and the new game starts.
//
// Run: node --test tests/browser/ending.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step, shot, checkLayout } = S;
const LAPTOP = { viewport: { width: 1366, height: 768 } };
const QUIZ = {
  title: "Rivers",
  read_s: 0,
  questions: [
    { kind: "choice", text: "Which river flows through Vienna?", choices: ["Danube", "Rhine", "Elbe", "Seine"], correct: [0], time_limit_s: 60 },
    { kind: "true_false", text: "The Nile flows north.", correct: [0], time_limit_s: 60 },
  ],
};
// Each phone's answer to each question: Ada always right and first, Bob right then wrong, Cy wrong.
const PLAN = { Ada: [0, 0], Bob: [0, 1], Cy: [1, 1] };
const NAMES = Object.keys(PLAN);

let host;
let present;
let pin;
const phones = {};

describe("a real ending: the podium rises, each phone sums up its game, and Play again", { timeout: 150_000 }, () => {
  before(S.start);
  after(S.stop);

  step("a laptop hosts, opens the presenter window, and three phones join", 40_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false, LAPTOP);
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(id));
    await host.click("#create-btn");
    await screen(host, "lobby");
    pin = (await host.textContent("#host-pin")).trim();
    [present] = await Promise.all([host.waitForEvent("popup"), host.click("#present-btn")]);
    S.watch(present, "present");
    await present.setViewportSize(LAPTOP.viewport);
    await screen(present, "lobby");
    for (const name of NAMES) {
      const p = await S.newPage(`phone-${name}`, true);
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      phones[name] = p;
    }
    await host.locator("#lobby-count", { hasText: "3" }).waitFor();
  });

  step("the quiz is played to its end", 40_000, async () => {
    for (let qi = 0; qi < QUIZ.questions.length; qi++) {
      await host.locator(qi === 0 ? "#start-btn" : "#next-btn").click();
      for (const name of NAMES) {
        const p = phones[name];
        await screen(p, "question");
        await p.locator(`#q-choices .tile[data-choice="${PLAN[name][qi]}"]`).tap();
      }
      await screen(host, "reveal");
      await host.locator("#next-btn").click();
      await screen(host, "leaderboard");
    }
    await host.locator("#next-btn", { hasText: "Finish the game" }).click();
  });

  step("the presenter and the host raise the podium 3rd, 2nd, 1st; with reduced motion all at once", 30_000, async () => {
    for (const page of [present, host]) {
      await screen(page, "over");
      const rise = await page.$$eval("#podium li", (lis) => lis.map((li) => {
        const cs = getComputedStyle(li);
        return { rank: Number(li.dataset.rank), name: cs.animationName, delay: parseFloat(cs.animationDelay) };
      }));
      assert.deepEqual(rise.map((r) => r.rank), [1, 2, 3], `${page.who}: three places`);
      assert.ok(rise.every((r) => r.name === "podium-rise"), `${page.who}: animated ${JSON.stringify(rise)}`);
      const delay = Object.fromEntries(rise.map((r) => [r.rank, r.delay]));
      assert.ok(delay[3] < delay[2] && delay[2] < delay[1], `${page.who}: 3rd, then 2nd, then 1st: ${JSON.stringify(delay)}`);
    }
    // Everything stands once the animation is over (the screenshot waits for that too).
    await present.locator('#podium li[data-rank="1"]').waitFor({ state: "visible" });
    await present.waitForFunction(() => [...document.querySelectorAll("#podium li")]
      .every((li) => getComputedStyle(li).opacity === "1"), null, { timeout: 8_000 });
    await shot(present, "ending-present-podium");
    await shot(host, "ending-host-podium");
    await present.emulateMedia({ reducedMotion: "reduce" });
    const still = await present.$$eval("#podium li", (lis) => lis.map((li) => getComputedStyle(li).animationName));
    assert.deepEqual(still, ["none", "none", "none"], "reduced motion: no animation");
    await present.emulateMedia({ reducedMotion: "no-preference" });
  });

  step("each phone sums up its own game, as the server stored it", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    const game = await S.api("GET", `/api/games/${room.game_id}`, null, token);
    for (const name of NAMES) {
      const p = phones[name];
      await screen(p, "over");
      await p.locator("#summary").waitFor({ state: "visible" });
      const srv = game.players.find((x) => x.name === name);
      const mine = game.answers.filter((a) => a.player_id === srv.player_id);
      const right = mine.filter((a) => a.correct).length;
      const stats = await text(p, "#summary-stats");
      assert.ok(stats.startsWith(`${right} of 2 right`), `${name}: ${stats}`);
      const lines = await p.$$eval("#summary-questions li", (lis) => lis.map((li) => ({
        q: li.querySelector(".q").textContent, pts: li.querySelector(".pts").textContent, right: li.classList.contains("right"),
      })));
      assert.deepEqual(lines, mine.map((a) => ({ q: `Q${a.index + 1}`, pts: `+${a.points}`, right: a.correct })), `${name}: one line per question`);
      await p.locator("#final-rank", { hasText: `You finished #${srv.rank}` }).waitFor();
      await checkLayout(p, "summary");
    }
    assert.match(await text(phones.Ada, "#summary-stats"), /^2 of 2 right · Best streak: 2$/);
    await shot(phones.Bob, "ending-player-summary");
  });

  step("Play again: the phones and the presenter follow the host into a new room, which plays", 40_000, async () => {
    await host.locator("#again-room-btn").click();
    await screen(host, "lobby");
    await host.locator("#host-pin").filter({ hasNotText: pin }).waitFor();
    const again = (await host.textContent("#host-pin")).trim();
    assert.match(again, /^\d{6}$/);
    for (const name of NAMES) {
      const p = phones[name];
      await screen(p, "lobby");
      await p.locator("#me-name", { hasText: name }).waitFor();
      assert.equal(new URL(p.url()).searchParams.get("pin"), again, `${name}: in the new room`);
      await checkLayout(p, "new lobby");
    }
    await host.locator("#lobby-count", { hasText: "3" }).waitFor();
    await present.locator("#present-pin", { hasText: again }).waitFor();
    await screen(present, "lobby");
    await shot(host, "ending-host-again");
    await host.locator("#start-btn").click();
    for (const page of [present, ...Object.values(phones)]) await screen(page, "question");
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
