// The pages follow `moved` (a cluster node that does not own the room) in headless Chromium.
// Node 20 has no WebSocket server in its core and we add no npm dependency, so "the other
// node" is Playwright's WebSocket routing: a socket the page opens on plain `/ws` is answered
// with `moved` (the first time with `retry_after_ms`, as during a failover) once the page sends
// its join or host_resume, or at once if it names its room (`/ws?pin=`); a socket on the
// owner's URL in `moved` (marked `&node=owner`, which the server ignores) is passed through to
// the real server.
//
// Run: node --test tests/browser/moved.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.

import { before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;
const QUESTIONS = [{ kind: "choice", text: "Two plus two?", choices: ["3", "4"], correct: [1], time_limit_s: 30 }];

let quizId;
let host;
let pin;

before(async () => {
  await S.start();
  const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
  quizId = (await S.api("POST", "/api/quizzes", { title: "Moved quiz", read_s: 0, questions: QUESTIONS }, token, 201)).id;
});
after(() => S.stop());

// A page whose plain `/ws` sockets are "another node". `loop`: the other node points back at
// itself (a redirect loop) and answers only the first `loop` sockets, then holds the rest
// silently. Returns the page and its counters.
async function routedPage(who, { loop = 0, page = null } = {}) {
  page = page || (await S.newPage(who, true));
  const seen = { moved: 0, owner: 0, named: 0 }; // named: sockets opened as /ws?pin=
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    const url = new URL(ws.url());
    if (url.searchParams.get("node") === "owner") {
      seen.owner++;
      ws.connectToServer(); // the owner: frames pass both ways
      return;
    }
    const move = (pin) => {
      if (loop && seen.moved >= loop) return; // silent from now on
      const first = seen.moved === 0;
      seen.moved++;
      const target = loop ? `ws://${url.host}/ws?pin=${pin}` : `ws://${url.host}/ws?pin=${pin}&node=owner`;
      const moved = { type: "moved", pin, url: target };
      if (first && !loop) moved.retry_after_ms = 300;
      ws.send(JSON.stringify(moved));
      ws.close({ code: 1000 });
    };
    // A socket that names its room is moved at once; any other at its join or resume.
    const pin = url.searchParams.get("pin");
    if (pin) {
      seen.named++;
      return move(pin);
    }
    ws.onMessage((frame) => {
      const m = JSON.parse(frame);
      if (["join", "resume", "host_resume"].includes(m.type)) move(m.pin);
    });
  });
  return { page, seen };
}

step("the teacher opens a room on the owner", 30_000, async () => {
  host = await S.newPage("host", false);
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
});

step("a player joining through another node is moved, waits, and lands in the lobby", 30_000, async () => {
  const { page, seen } = await routedPage("Ada");
  await page.goto(`${S.baseUrl}/`);
  await screen(page, "join");
  await page.fill("#pin", pin);
  await page.fill("#name", "Ada");
  await page.locator("#join-btn").click();
  // No second tap: the page re-sends the join to the owner by itself.
  await screen(page, "lobby");
  assert.equal(seen.moved, 1, "answered by the other node once");
  assert.ok(seen.owner >= 1, "then talked to the owner");
  await host.locator("#lobby-names", { hasText: "Ada" }).waitFor();
});

step("a host resuming through another node gets control back", 30_000, async () => {
  // The teacher's own tab, reloaded behind a router that sends it to another node first.
  const { page, seen } = await routedPage("host", { page: host });
  await page.reload();
  await screen(page, "lobby");
  assert.equal(await text(page, "#host-pin"), pin);
  assert.equal(seen.named, 1, "the reloaded page named its room and was moved at once");
  assert.equal(seen.moved, 1, "answered by the other node once");
  assert.ok(seen.owner >= 1, "then talked to the owner");
});

step("a redirect loop is given up after five moves and shows the reconnecting screen", 30_000, async () => {
  const { page, seen } = await routedPage("Bob", { loop: 6 });
  await page.goto(`${S.baseUrl}/`);
  await screen(page, "join");
  await page.fill("#pin", pin);
  await page.fill("#name", "Bob");
  await page.locator("#join-btn").click();
  await screen(page, "disconnected");
  // Five followed without a word, the sixth given up as a drop: only then the usual screen.
  assert.ok(seen.moved >= 6, `the disconnected screen came after ${seen.moved} moved`);
});

step("no page error and no request off the machine", 10_000, async () => {
  noProblems([...S.pageErrors, ...S.blocked]);
});
