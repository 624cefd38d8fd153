// A team game in the browser: the host asks for 2 teams that players choose, with 4 s of team
// talk, on the create-room screen; a presenter follows, and three phones join and tap a team
// (Mia Team 1, Bob and Cy Team 2); the host moves Cy to Team 1 from the lobby, and every phone
// names its team. The question opens with "Team talk" and its countdown on the phones; after
// it each phone's result, and the leaderboard of the host, the presenter and the phones, add
// the teams, each phone saying its team's place and what it scored for it; the game ends on a team podium, and the
// results page lists the team standings with their members.
//
// Run: node --test tests/browser/teams.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step, shot } = S;
const QUIZ = {
  title: "Team capitals",
  read_s: 0,
  questions: [{
    kind: "choice", text: "What is the capital city of Australia?", choices: ["Sydney", "Melbourne", "Canberra", "Perth"],
    correct: [2], time_limit_s: 60,
  }],
};
const PLAN = { Mia: 2, Bob: 2, Cy: 0 }; // the choice each phone taps
const TEAM = { Mia: 1, Bob: 2, Cy: 1 };
const CHOSEN = { Mia: 1, Bob: 2, Cy: 2 }; // the team each phone taps; the host then moves Cy

let host;
let present;
const phones = {};

describe("a team game on every screen, to a team podium", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host creates a room of 2 teams players choose, they do, and the host moves one", 40_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.hostSetup();
    await host.selectOption("#quiz-select", String(id));
    await host.fill("#teams-count", "1");
    await host.click("#create-btn");
    assert.equal(await host.locator("#teams-count").getAttribute("aria-invalid"), "true", "one team is refused in the page");
    await host.fill("#teams-count", "2");
    await host.check("#players-choose-team");
    await host.fill("#team-talk", "31");
    await host.click("#create-btn");
    assert.equal(await host.locator("#team-talk").evaluate((e) => e.validity.rangeOverflow), true, "31 s of team talk is refused in the page");
    await screen(host, "setup");
    await host.fill("#team-talk", "4");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    present = await S.newPage("present", false);
    await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key: room.host_key })}`);
    await screen(present, "lobby");
    for (const name of Object.keys(PLAN)) {
      const p = await S.joinPhone(pin, name);
      await p.locator("#team-choice").waitFor({ state: "visible" });
      assert.equal(await p.locator("#lobby-team").isVisible(), false, `${name}: no team before choosing`);
      await p.locator(`#team-buttons .team-btn[data-team="${CHOSEN[name]}"]`).tap();
      await p.locator("#lobby-team", { hasText: `Team ${CHOSEN[name]}` }).waitFor();
      phones[name] = p;
    }
    await host.locator("#lobby-count", { hasText: "3" }).waitFor();
    const cy = host.locator("#player-list li", { hasText: "Cy" }).locator(".team-select");
    await cy.selectOption("1");
    for (const [name, p] of Object.entries(phones)) {
      await p.locator("#lobby-team", { hasText: `You play for Team ${TEAM[name]}.` }).waitFor();
      assert.equal(await p.getAttribute(`#team-buttons .team-btn[data-team="${TEAM[name]}"]`, "aria-pressed"), "true", `${name}: own team pressed`);
    }
    await phones.Mia.locator('#team-buttons .team-btn[data-team="1"]', { hasText: "2" }).waitFor();
    await shot(phones.Mia, "team-lobby");
  });

  step("after the question every leaderboard adds the teams, and each phone its team's place", 30_000, async () => {
    await host.locator("#start-btn").click();
    for (const p of Object.values(phones)) {
      await screen(p, "question");
      await p.locator("#team-talk-label").waitFor({ state: "visible" });
      assert.match((await p.locator("#get-ready").innerText()).trim(), /^Team talk \d s$/, `${p.who}: the team talk and its countdown`);
    }
    for (const [name, choice] of Object.entries(PLAN)) {
      const p = phones[name];
      await p.locator(`#q-choices .tile[data-choice="${choice}"]`).tap();
    }
    await screen(host, "reveal");
    for (const [name, p] of Object.entries(phones)) {
      await screen(p, "reveal");
      assert.match(await text(p, "#result-team"), new RegExp(`^Team ${TEAM[name]} is #[12]; you scored \\d+ points? for it this round\\.$`), `${name}: the team's place with the result`);
    }
    await host.locator("#next-btn").click();
    for (const page of [host, present, ...Object.values(phones)]) {
      await screen(page, "leaderboard");
      await page.locator("#team-board-wrap").waitFor({ state: "visible" });
      const names = await page.$$eval("#team-board li .name", (els) => els.map((e) => e.textContent).sort());
      assert.deepEqual(names, ["Team 1", "Team 2"], `${page.who}: both teams`);
    }
    for (const [name, p] of Object.entries(phones)) {
      assert.match(await text(p, "#my-team"), new RegExp(`^Team ${TEAM[name]} is #[12]; you scored \\d+ points? for it this round\\.$`), name);
    }
    // Cy answered wrong: Team 1's points are Mia's halved, so Bob's team of one leads.
    assert.match(await text(phones.Bob, "#my-team"), /^Team 2 is #1;/);
  });

  step("the game ends on a team podium on the host, the presenter and the phones", 30_000, async () => {
    await host.locator("#next-btn", { hasText: "Finish the game" }).click();
    for (const page of [host, present, ...Object.values(phones)]) {
      await screen(page, "over");
      await page.locator("#team-podium-wrap").waitFor({ state: "visible" });
      const ranks = await page.$$eval("#team-podium li", (lis) => lis.map((li) => [li.dataset.team, li.dataset.rank]));
      assert.deepEqual(ranks, [["2", "1"], ["1", "2"]], `${page.who}: the team podium`);
    }
    await present.locator('#team-podium li[data-rank="1"]').waitFor({ state: "visible" });
    await present.waitForFunction(() => [...document.querySelectorAll("#podium li, #team-podium li")]
      .every((li) => li.getAnimations().every((a) => a.playState === "finished")));
    await shot(present, "team-podium");
  });

  step("the results page lists the team standings with their members, and each player's team", 20_000, async () => {
    const { game_id: id } = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    await host.goto(`${S.baseUrl}/results?game=${id}`);
    await host.locator("#team-results").waitFor({ state: "visible" });
    const rows = await host.$$eval("#team-standings li", (lis) => lis.map((li) => [li.dataset.team, li.dataset.rank, li.querySelector(".name").textContent]));
    assert.deepEqual(rows.map((r) => r.slice(0, 2)), [["2", "1"], ["1", "2"]]);
    assert.match(rows[0][2], /^Team 2 · Members: Bob$/);
    assert.match(rows[1][2], /^Team 1 · Members: (Mia, Cy|Cy, Mia)$/);
    const names = await host.$$eval("#standings li .name", (els) => els.map((e) => e.textContent).sort());
    assert.deepEqual(names, Object.entries(TEAM).map(([name, team]) => `${name} · Team ${team}`).sort());
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
