// The pages in the reader's language: one message table per language (js/lang/<code>.js, plain
// modules, so no build step and no fetch before the first paint), a `t(key, params)` for the
// text the scripts make, and the page's own HTML translated where it carries `data-i18n`.
//
// The language is the one picked in the top bar's picker (kept in localStorage by storage.js),
// else the first of the browser's languages (`navigator.languages`, what it sends as
// Accept-Language) that is shipped, else English. Picking another one reloads the page: every
// page already rebuilds itself from the server after a reload, so nothing is drawn twice.
//
// Quiz text is never translated: it stays in its author's language, and the elements that show
// it get the quiz's `lang` through `markQuizLang`.
//
// HTML markers:
//   data-i18n="key"              the element's text (its leading and trailing spaces are kept)
//   data-i18n-<attr>="key"       placeholder, aria-label, title or alt
//   translate="no"               code, names: left as written (the text scan allows it)

import { savedLang } from "./storage.js";
import en from "./lang/en.js";
import de from "./lang/de.js";
import fr from "./lang/fr.js";
import es from "./lang/es.js";
import ar from "./lang/ar.js";

/** Every shipped language: its table, its name in itself, its writing direction. */
export const LANGUAGES = {
  en: { table: en, name: "English", dir: "ltr" },
  de: { table: de, name: "Deutsch", dir: "ltr" },
  fr: { table: fr, name: "Français", dir: "ltr" },
  es: { table: es, name: "Español", dir: "ltr" },
  ar: { table: ar, name: "العربية", dir: "rtl" },
};
const ATTRS = ["placeholder", "aria-label", "title", "alt"];

/** The shipped language for a BCP-47 tag ("de-CH" -> "de"), or null. */
export function shipped(tag) {
  const base = String(tag || "").toLowerCase().split("-")[0];
  return Object.hasOwn(LANGUAGES, base) ? base : null;
}

/** The picked language, else the browser's first shipped one, else English. */
export function chooseLang(picked, browser) {
  return shipped(picked) || (browser || []).map(shipped).find(Boolean) || "en";
}

export const lang = chooseLang(savedLang.load(), globalThis.navigator?.languages);
const table = LANGUAGES[lang].table;
const plurals = new Intl.PluralRules(lang);
// Numbers inside messages: the locale's decimal sign, but no grouping and Latin digits, so
// they read the same as the scores, ranks and PINs the pages draw as plain numbers next to
// them ("Score 1069", "#2"). `num()` gives the locale's full way where a page wants it.
const numbers = new Intl.NumberFormat(lang, { useGrouping: false, numberingSystem: "latn" });

/**
 * The message `key` in the page's language (English when the table lacks it, the key itself
 * when English does too). `{name}` in it is replaced by `params.name`; numbers are written the
 * locale's way. A message may be plural-aware: `{one: "…", other: "…"}` (and Arabic's zero,
 * two, few, many), chosen by `params.count`.
 */
export function t(key, params = {}) {
  let msg = table[key] ?? en[key] ?? key;
  if (typeof msg === "object") {
    const form = plurals.select(Number(params.count ?? 0));
    msg = msg[form] ?? msg.other;
  }
  return msg.replace(/\{(\w+)\}/g, (whole, name) => {
    const v = params[name];
    if (v === undefined || v === null) return whole;
    return typeof v === "number" ? numbers.format(v) : String(v);
  });
}

/** `n` written the locale's way (`options` as Intl.NumberFormat's). */
export const num = (n, options) => new Intl.NumberFormat(lang, options).format(n);
/** A date and time the locale's way (`d` a Date, a timestamp or an ISO string). */
export const dateTime = (d, options = { dateStyle: "medium", timeStyle: "short" }) =>
  new Intl.DateTimeFormat(lang, options).format(new Date(d));

/** Translates `root`'s marked elements (the document, or a template's clone). */
export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const old = el.textContent;
    const lead = old.match(/^\s*/)[0];
    const trail = old.slice(lead.length).match(/\s*$/)[0];
    el.textContent = lead + t(el.dataset.i18n) + trail;
  }
  for (const attr of ATTRS) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`)));
    }
  }
}

/** Puts the quiz's language on an element that shows quiz text (none: the page's own). */
export function markQuizLang(el, quizLang) {
  if (!el) return;
  if (quizLang) el.setAttribute("lang", quizLang);
  else el.removeAttribute("lang");
}

// The game pages' elements that show quiz text (question, answers, charts, explanation).
const QUIZ_TEXT_IDS = [
  "q-text", "q-choices", "reveal-text", "reveal-answers", "reveal-accept", "reveal-explanation",
  "chart", "live-chart",
];

/** Marks the game page's quiz text with the quiz's language (`welcome` / `room_state` `lang`). */
export function markGameQuizText(quizLang) {
  for (const id of QUIZ_TEXT_IDS) markQuizLang(document.getElementById(id), quizLang);
}

/** The language picker, at the end of the page's top bar. */
function addPicker() {
  const bar = document.querySelector(".topbar");
  if (!bar || document.getElementById("lang-picker")) return;
  const select = document.createElement("select");
  select.id = "lang-picker";
  select.className = "lang-picker";
  select.setAttribute("aria-label", t("language"));
  // Short codes keep a phone's top bar for the player's name and score; each option's title
  // and accessible name is the language's name in itself.
  for (const [code, l] of Object.entries(LANGUAGES)) {
    const opt = new Option(code.toUpperCase(), code, false, code === lang);
    opt.lang = code;
    opt.title = l.name;
    opt.setAttribute("aria-label", l.name);
    select.append(opt);
  }
  select.addEventListener("change", () => {
    savedLang.save(select.value);
    location.reload();
  });
  bar.append(select);
}

if (globalThis.document) {
  document.documentElement.lang = lang;
  document.documentElement.dir = LANGUAGES[lang].dir;
  translate(document);
  for (const tpl of document.querySelectorAll("template")) translate(tpl.content);
  addPicker();
}
