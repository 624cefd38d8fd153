// What every browser test needs: a quizrace server on a free loopback port with a temporary
// database, one headless Chromium, pages that may only talk to 127.0.0.1, screenshots, the
// phone layout check and steps that stop the run at the first failure and say what each page
// showed. Each test file makes one session with createSession() and keeps its own game state.
//
// Environment:
//   QUIZRACE_BIN        server binary (default target/release/quizrace in the repository)
//   QUIZRACE_CHROMIUM   browser binary (default /usr/bin/chromium; never downloaded)
//   QUIZRACE_SHOTS_DIR  where the screenshots go (default docs/screenshots)

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "../..");
export const BIN = path.resolve(process.env.QUIZRACE_BIN || path.join(ROOT, "target/release/quizrace"));
export const CHROMIUM = process.env.QUIZRACE_CHROMIUM || "/usr/bin/chromium";
export const SHOTS = path.resolve(process.env.QUIZRACE_SHOTS_DIR || path.join(ROOT, "docs/screenshots"));
export const STEP_MS = 10_000; // bound on any single wait for a page

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };

// Every server the process started, so an interrupted run leaves none behind.
const servers = new Set();
process.on("exit", () => {
  for (const child of servers) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

// Starts the server on 127.0.0.1:0 with its database in `dir`; resolves once it prints its
// "listening on" line. `child.log` keeps the last 200 lines of its output.
export function startServer(dir, adminPassword) {
  const db = path.join(dir, "quizrace.db");
  const child = spawn(BIN, ["--bind", "127.0.0.1:0", "--db", db, "--admin-password", adminPassword], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "quizrace=info" },
  });
  servers.add(child);
  child.once("exit", () => servers.delete(child));
  child.log = [];
  const keep = (line) => {
    child.log.push(line);
    if (child.log.length > 200) child.log.shift();
  };
  createInterface({ input: child.stderr }).on("line", keep);
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${why}\n--- server output ---\n${child.log.join("\n")}`));
    };
    const timer = setTimeout(() => fail(`no "listening on" line from ${BIN} within 20 s`), 20_000);
    const early = (code, sig) => fail(`server exited early (code ${code}, signal ${sig})`);
    child.once("error", (e) => fail(`cannot start ${BIN}: ${e.message} (build it with cargo build --release -p quizrace, or set QUIZRACE_BIN)`));
    child.once("exit", early);
    createInterface({ input: child.stdout }).on("line", (line) => {
      keep(line);
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\s*$/.exec(line);
      if (m) {
        clearTimeout(timer);
        child.off("exit", early);
        resolve({ child, url: m[1] });
      }
    });
  });
}

export async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 8_000);
  await exited;
  clearTimeout(t);
}

// Chromium with a fresh profile inside `dir`: launch() makes its user-data-dir with mkdtemp in
// os.tmpdir() and deletes it on close, so TMPDIR points at this run's directory meanwhile.
export async function launchBrowser(dir) {
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
}

export const screen = (page, name, timeout = STEP_MS) =>
  page.locator(`#screen-${name}`).waitFor({ state: "visible", timeout });
export const text = async (page, sel) => ((await page.textContent(sel)) ?? "").trim();

// Fails with every entry of `list` (the first twelve shown) unless it is empty.
export function noProblems(list) {
  if (list.length === 0) return;
  const shown = list.slice(0, 12).map((l) => `  - ${l}`);
  if (list.length > 12) shown.push(`  … and ${list.length - 12} more`);
  assert.fail(`${list.length} problem(s):\n${shown.join("\n")}`);
}

// One run: server, browser, the pages opened and what was recorded on them. Call start() in a
// `before` hook and stop() in an `after` hook. The arrays are the session's findings, for the
// test file's closing checks.
export function createSession() {
  const s = {
    password: `browser-${randomBytes(6).toString("hex")}`,
    tmp: null,
    server: null,
    baseUrl: null,
    browser: null,
    pages: [],
    pageErrors: [], // uncaught exceptions and console errors, "who: message"
    blocked: [], // requests (and WebSockets) that tried to leave 127.0.0.1
    dialogs: [], // every confirm() and alert() shown, "who: message"; all are accepted
    layoutIssues: [],
    layoutChecks: 0,
    buttonsMeasured: 0,
    broken: null, // the first step that failed

    async start() {
      s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "quizrace-browser-"));
      fs.mkdirSync(SHOTS, { recursive: true });
      const started = await startServer(s.tmp, s.password);
      s.server = started.child;
      s.baseUrl = started.url;
      s.browser = await launchBrowser(s.tmp);
    },

    async stop() {
      if (s.browser) await s.browser.close().catch(() => {});
      await stopServer(s.server);
      if (s.tmp && !s.broken) fs.rmSync(s.tmp, { recursive: true, force: true });
    },

    // A JSON request to the server; `status` is the HTTP status the caller expects.
    async api(method, urlPath, body, token, status = 200) {
      const headers = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body) headers["Content-Type"] = "application/json";
      const res = await fetch(s.baseUrl + urlPath, {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(STEP_MS),
      });
      assert.equal(res.status, status, `${method} ${urlPath}: HTTP ${res.status}`);
      return res.json();
    },

    // A page in its own browser context (own cookies and storage). `phone` gives a 390×844
    // touch screen; `options` go to newContext (e.g. colorScheme: "dark").
    async newPage(who, phone, options = {}) {
      const ctx = await s.browser.newContext({ ...(phone ? PHONE : DESKTOP), ...options });
      ctx.setDefaultTimeout(STEP_MS);
      // Nothing may leave the machine: every http(s) request must go to the test server.
      await ctx.route(/^https?:/, (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === "127.0.0.1") return route.continue();
        s.blocked.push(`${who}: ${u.href}`);
        return route.abort();
      });
      const page = await ctx.newPage();
      s.watch(page, who);
      return page;
    },

    // Runs `action` (a click) and checks it asked for a confirmation matching `re` first: the
    // dialog is accepted, so without this a lost confirm() would go unnoticed.
    async asked(re, action) {
      const before = s.dialogs.length;
      await action();
      const shown = s.dialogs.slice(before);
      if (!shown.some((m) => re.test(m))) {
        throw new Error(`expected a confirmation matching ${re}, saw ${JSON.stringify(shown)}`);
      }
    },

    // Records errors of a page the session did not open itself (e.g. a popup window).
    watch(page, who) {
      page.who = who;
      page.on("pageerror", (e) => s.pageErrors.push(`${who}: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") s.pageErrors.push(`${who} console: ${m.text()}`);
      });
      page.on("dialog", (d) => {
        s.dialogs.push(`${who}: ${d.message()}`);
        d.accept();
      });
      page.on("websocket", (ws) => {
        if (new URL(ws.url()).hostname !== "127.0.0.1") s.blocked.push(`${who}: ${ws.url()}`);
      });
      s.pages.push(page);
      return page;
    },

    // A host page logged in as the admin, on the create-room screen.
    async hostSetup(who = "host", phone = false, options = {}) {
      const page = await s.newPage(who, phone, options);
      await page.goto(`${s.baseUrl}/host`);
      await screen(page, "login");
      await page.fill("#login-user", "admin");
      await page.fill("#login-pass", s.password);
      await page.click("#login-btn");
      await screen(page, "setup");
      return page;
    },

    // A phone joined to room `pin` as `name`, in its lobby.
    async joinPhone(pin, name) {
      const page = await s.newPage(`phone-${name}`, true);
      await page.goto(`${s.baseUrl}/?pin=${pin}`);
      await screen(page, "join");
      await page.fill("#name", name);
      await page.locator("#join-btn").tap();
      await screen(page, "lobby");
      return page;
    },

    async shot(page, name) {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: "disabled", caret: "hide" });
    },

    // Phone layout: no sideways scrolling; every visible button inside `scope` (the page's
    // main area) at least 44 px tall.
    async checkLayout(page, label, scope = "#stage") {
      s.layoutChecks++;
      const r = await page.evaluate((scope) => {
        const se = document.scrollingElement;
        const small = [];
        let measured = 0;
        for (const el of document.querySelectorAll(`${scope} button`)) {
          const b = el.getBoundingClientRect();
          if (b.width === 0 || b.height === 0) continue;
          measured++;
          if (b.height < 44) {
            small.push(`#${el.id || el.className} "${el.textContent.trim().slice(0, 20)}" is ${b.height.toFixed(1)} px tall`);
          }
        }
        return { scrollWidth: se.scrollWidth, clientWidth: se.clientWidth, small, measured };
      }, scope);
      s.buttonsMeasured += r.measured;
      if (r.scrollWidth > r.clientWidth) {
        s.layoutIssues.push(`${page.who} [${label}]: scrolls sideways, scrollWidth ${r.scrollWidth} > clientWidth ${r.clientWidth}`);
      }
      for (const x of r.small) s.layoutIssues.push(`${page.who} [${label}]: ${x}`);
    },

    // What each page shows now (visible .screen ids and the start of its text); a screenshot
    // of each goes to <tmp>/failure.
    async describePages() {
      const out = [];
      for (const p of s.pages) {
        try {
          const d = await Promise.race([
            p.evaluate(() => ({
              screens: [...document.querySelectorAll(".screen")].filter((x) => !x.hidden).map((x) => x.id),
              text: document.body.innerText.replace(/\s+/g, " ").slice(0, 240),
            })),
            new Promise((_, reject) => setTimeout(() => reject(new Error("page does not respond")), 3_000)),
          ]);
          out.push(`  ${p.who}: ${d.screens.join(",")} | ${d.text}`);
          const dir = path.join(s.tmp, "failure");
          fs.mkdirSync(dir, { recursive: true });
          await p.screenshot({ path: path.join(dir, `${p.who}.png`), timeout: 3_000 });
        } catch (e) {
          out.push(`  ${p.who}: (${e.message.split("\n")[0]})`);
        }
      }
      return out.join("\n");
    },

    // One step, bounded by `ms`. After a failure the later steps are skipped, and the failure
    // report shows what each page had on screen and the end of the server's log.
    step(name, ms, fn) {
      test(name, { timeout: ms + 20_000 }, async (t) => {
        if (s.broken) return t.skip(`an earlier step failed: ${s.broken}`);
        let timer;
        try {
          await Promise.race([
            fn(t),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`step took longer than ${ms / 1000} s`)), ms);
            }),
          ]);
        } catch (e) {
          s.broken = name;
          const pagesNow = await s.describePages();
          const log = s.server ? s.server.log.slice(-15).join("\n") : "";
          e.message += `\n--- pages (screenshots in ${path.join(s.tmp ?? os.tmpdir(), "failure")}) ---\n${pagesNow}\n--- server log (last lines) ---\n${log}`;
          throw e;
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
  return s;
}
