// The pages' translations, checked without a browser (node --test tests/i18n/):
//   - every language has exactly English's keys, and the same placeholders and plural forms;
//   - every page's visible text and text attributes carry a data-i18n key English has, so no
//     page shows an untranslated string from its HTML (`translate="no"` marks code and names);
//   - every literal key the scripts pass to t() exists (both arms of `t(c ? "a" : "b")` too);
//   - no script writes text for people as a string literal instead of a key (literals.mjs,
//     with the small allow list below);
//   - the language choice: a picked language wins, then the browser's first shipped one.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { userText } from "./literals.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WEB = path.join(ROOT, "client-web");
const LANGS = ["en", "de", "fr", "es", "ar"];
const PAGES = fs.readdirSync(WEB).filter((f) => f.endsWith(".html"));
const TEXT_ATTRS = ["placeholder", "aria-label", "title", "alt"];
const LETTER = /\p{L}/u;

const tables = Object.fromEntries(
  await Promise.all(LANGS.map(async (l) => [l, (await import(path.join(WEB, "js/lang", `${l}.js`))).default])),
);
const en = tables.en;

const placeholders = (msg) =>
  [...new Set((typeof msg === "object" ? Object.values(msg).join(" ") : msg).match(/\{\w+\}/g) || [])].sort();

test("every language has exactly the keys English has", () => {
  const problems = [];
  for (const l of LANGS) {
    for (const k of Object.keys(en)) if (!Object.hasOwn(tables[l], k)) problems.push(`${l}: missing ${k}`);
    for (const k of Object.keys(tables[l])) if (!Object.hasOwn(en, k)) problems.push(`${l}: ${k} is not in English`);
  }
  assert.deepEqual(problems, []);
});

test("every translation is non-empty and keeps English's placeholders", () => {
  const problems = [];
  for (const l of LANGS) {
    for (const [k, msg] of Object.entries(tables[l])) {
      const forms = typeof msg === "object" ? Object.values(msg) : [msg];
      if (forms.some((f) => typeof f !== "string" || !f.trim())) problems.push(`${l}.${k}: empty`);
      if (typeof msg === "object" && !Object.hasOwn(msg, "other")) problems.push(`${l}.${k}: no "other" form`);
      // A plural form may spell its number out ("ثانيتين"), so it may drop {count}.
      const want = placeholders(en[k]).filter((p) => typeof msg !== "object" || p !== "{count}");
      const have = placeholders(msg);
      for (const p of want) if (!have.includes(p)) problems.push(`${l}.${k}: lacks ${p}`);
      for (const p of have) if (!placeholders(en[k]).includes(p)) problems.push(`${l}.${k}: unknown ${p}`);
    }
  }
  assert.deepEqual(problems, []);
});

// A small HTML walk: enough for the pages' own, hand-written markup.
function untranslated(html) {
  const problems = [];
  const stack = []; // {tag, covered}
  const VOID = new Set(["meta", "link", "input", "img", "br", "hr", "source"]);
  const covered = () => stack.length > 0 && stack[stack.length - 1].covered;
  const token = /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-zA-Z0-9]+)\s*>|<([a-zA-Z0-9]+)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/gi;
  for (const m of html.matchAll(token)) {
    const [, close, open, attrText, text] = m;
    if (close) {
      while (stack.length && stack.pop().tag !== close.toLowerCase());
    } else if (open) {
      const tag = open.toLowerCase();
      const attrs = Object.fromEntries([...(attrText || "").matchAll(/([^\s=]+)(?:="([^"]*)")?/g)].map((a) => [a[1], a[2] ?? ""]));
      for (const a of TEXT_ATTRS) {
        const v = attrs[a];
        if (v && LETTER.test(v) && !attrs[`data-i18n-${a}`]) problems.push(`<${tag} ${a}="${v}"> has no data-i18n-${a}`);
        const key = attrs[`data-i18n-${a}`];
        if (key && !Object.hasOwn(en, key)) problems.push(`data-i18n-${a}="${key}" is not in English`);
      }
      if (attrs["data-i18n"] && !Object.hasOwn(en, attrs["data-i18n"])) problems.push(`data-i18n="${attrs["data-i18n"]}" is not in English`);
      const isCovered =
        covered() || "data-i18n" in attrs || attrs.translate === "no" || tag === "script" || tag === "style";
      if (!VOID.has(tag)) stack.push({ tag, covered: isCovered });
    } else if (text && LETTER.test(text.replace(/&#?\w+;/g, " ")) && !covered()) {
      problems.push(`text "${text.trim()}" inside <${stack.at(-1)?.tag}> has no data-i18n`);
    }
  }
  return problems;
}

test("the scan finds text without a key (it can fail)", () => {
  assert.equal(untranslated('<p>Hello <b data-i18n="join">Join</b></p>').length, 1);
  assert.equal(untranslated('<input placeholder="Your name">').length, 1);
  assert.equal(untranslated('<p data-i18n="no_such_key_anywhere">x</p>').length, 1);
  assert.deepEqual(untranslated('<p data-i18n="join">Join</p><code translate="no">kind</code> · 42'), []);
});

for (const page of PAGES) {
  test(`${page}: every visible text carries data-i18n`, () => {
    assert.deepEqual(untranslated(fs.readFileSync(path.join(WEB, page), "utf8")), []);
  });
  test(`${page}: loads i18n.js`, () => {
    assert.match(fs.readFileSync(path.join(WEB, page), "utf8"), /<script type="module" src="\/js\/i18n\.js"><\/script>/);
  });
}

test("every literal key the scripts translate exists in English", () => {
  const problems = [];
  for (const f of fs.readdirSync(path.join(WEB, "js")).filter((f) => f.endsWith(".js"))) {
    const src = fs.readFileSync(path.join(WEB, "js", f), "utf8");
    for (const call of src.matchAll(/\bt\(([^(){},]*)[,)]/g)) {
      for (const m of call[1].matchAll(/"([\w.]+)"/g)) {
        if (/[!=]==\s*$/.test(call[1].slice(0, m.index))) continue; // compared with, not a key
        if (!Object.hasOwn(en, m[1])) problems.push(`${f}: t(… "${m[1]}" …)`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

// Literals the lint may find that are not text for people, each with its reason.
const NOT_TEXT = {
  "common.js": [
    "Bearer ", "Content-Type", // HTTP header spellings
    "The server cannot be reached.", // ApiError's own message, for logs; the page shows err_network
  ],
  "editor.js": [".choice-row:last-child .f-choice", ".f-text", "quiz"], // selectors; a file name's stem
  "i18n.js": ["English", "Deutsch", "Français", "Español"], // each language's name in itself
  "player.js": ["right", "wrong"], // class names
  "protocol.js": ["wss"], // a URL scheme
  "results.js": ["quizrace · "], // the product's name in the tab's title
};

test("the lint finds text written as a literal (it can fail)", () => {
  const found = userText(`
    $("x").textContent = "Room locked";
    b.setAttribute("aria-label", \`Kick \${p.name}\`);
    banner("not connected");
    el("p", {}, \`\${n} players joined\`);
    li.append(who, to ? " (private): " : ": ");
    const a = t("kick_name", { name }), c = el.querySelector(".f-text"), d = x === "race";
  `);
  assert.deepEqual(found.map((f) => f.replace(/^\d+: /, "")), ['"Room locked"', '"Kick "', '"not connected"', '" players joined"', '" (private): "']);
});

test("no script writes text for people as a literal: every such string is a key", () => {
  const problems = [];
  for (const f of fs.readdirSync(path.join(WEB, "js")).filter((f) => f.endsWith(".js"))) {
    const allowed = new Set((NOT_TEXT[f] || []).map((s) => JSON.stringify(s)));
    for (const hit of userText(fs.readFileSync(path.join(WEB, "js", f), "utf8"))) {
      if (!allowed.has(hit.replace(/^\d+: /, ""))) problems.push(`${f}:${hit}`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the picked language wins, then the browser's first shipped one, then English", async () => {
  // i18n.js reads the picked language from localStorage when it loads: give it an empty one.
  globalThis.localStorage ??= { getItem: () => null, setItem() {}, removeItem() {} };
  const { chooseLang, t } = await import(path.join(WEB, "js/i18n.js"));
  assert.equal(chooseLang("ar", ["de-DE", "en"]), "ar");
  assert.equal(chooseLang(null, ["pt-BR", "fr-CA", "de"]), "fr");
  assert.equal(chooseLang("xx", ["pt"]), "en");
  assert.equal(chooseLang(null, undefined), "en");
  assert.equal(t("err_retry_after", { count: 1 }), "Too many attempts. Try again in 1 second.");
  assert.equal(t("err_retry_after", { count: 3 }), "Too many attempts. Try again in 3 seconds.");
  assert.equal(t("youre_in_name", { name: "Ada" }), "You're in, Ada!");
});
