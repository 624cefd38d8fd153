// The scripts' string literals that read like text for people, for the "no untranslated
// string" lint in i18n.test.mjs. A small tokenizer (comments, strings, templates with their
// `${}` parts, regular expressions) is enough for the pages' hand-written modules; a literal is
// suspect when it carries a capitalised word ("Resume"), reads as a sentence, has a word in
// brackets (" (offline)"), or is written where people read it (textContent, title,
// aria-label, banner(), confirm(), ...). Keys passed to t() and module paths are not text.

const LETTERS = /\p{L}{2,}/u;
const CAPITALISED = /(?:^|[^\p{L}])\p{Lu}\p{Ll}+/u;
const SENTENCE = /\p{L}{2,}[^"]* [^"]*\p{L}[.…!?:]\s*$/u;
// A word in brackets, as in " (private): ".
const BRACKETED = /\(\p{L}{3,}[^()]*\)/u;
// Code just before a literal that means people will read it.
const SINK = new RegExp(
  [
    String.raw`\.(textContent|innerText|title|alt|placeholder)\s*\+?=\s*$`,
    String.raw`\b(banner|announce|confirm|alert|setStatus|showLogin)\(\s*$`,
    String.raw`\b(markField|fieldError)\([^()]*,\s*$`,
    String.raw`setAttribute\("(aria-label|title|placeholder|alt)",\s*$`,
    String.raw`"?(aria-label|title|text|placeholder)"?:\s*$`,
  ].join("|"),
);
// A word between template parts, as in `${n} questions)`: two letters or more next to a space.
const TEMPLATE_WORDS = /\s\p{L}*\p{Ll}\p{L}+|\p{L}*\p{Ll}\p{L}+\s/u;
// Code just before a literal that is not text: a selector, a class name, a comparison.
const NOT_TEXT = /(querySelector(All)?|closest|matches)\(\s*$|(className|class)\s*[:=]\s*$|[!=]==?\s*$/;
// A literal that is itself a class or id selector list (".f-title", ".f-correct, .f-tf").
const SELECTOR = /^[.#][\w-]+(,\s*[.#][\w-]+)*$/;

/** Every string literal in `src`: `{text, line, before, template, nested}`. */
export function literals(src) {
  const out = [];
  let code = ""; // the source with comments and literals blanked, for `before`
  let i = 0;
  let line = 1;
  const depth = []; // for each open `${`: the brace depth inside it
  const nestedIn = () => depth.length > 0;
  const regexCan = () => /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/.test(code);
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === "\n") line++;
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      i = end === -1 ? src.length : end;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      line += (src.slice(i, end).match(/\n/g) || []).length;
      i = end + 2;
      continue;
    }
    if (c === "/" && regexCan()) {
      let j = i + 1;
      let inClass = false;
      for (; j < src.length && src[j] !== "\n"; j++) {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
      }
      code += " /re/ ";
      i = j + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = "";
      for (; j < src.length && src[j] !== c; j++) {
        if (src[j] === "\\") text += src[++j];
        else text += src[j];
      }
      out.push({ text, line, before: code.slice(-80), template: false, nested: nestedIn() });
      code += ` ${c}${c} `;
      i = j + 1;
      continue;
    }
    if (c === "`" || (c === "}" && depth.length && depth.at(-1) === 0)) {
      // A template, or the rest of one after a `${...}`: its text up to the next `${` or end.
      if (c === "}") depth.pop();
      const startLine = line;
      let j = i + 1;
      let text = "";
      for (; j < src.length; j++) {
        if (src[j] === "\\") text += src[++j];
        else if (src[j] === "`") break;
        else if (src[j] === "$" && src[j + 1] === "{") break;
        else {
          if (src[j] === "\n") line++;
          text += src[j];
        }
      }
      out.push({ text, line: startLine, before: code.slice(-80), template: true, nested: depth.length > 0 });
      if (src[j] === "$") {
        depth.push(0);
        code += " `${ ";
        i = j + 2;
      } else {
        code += " `` ";
        i = j + 1;
      }
      continue;
    }
    if (depth.length && c === "{") depth[depth.length - 1]++;
    if (depth.length && c === "}") depth[depth.length - 1]--;
    code += c;
    i++;
  }
  return out;
}

/** The literals of `src` that people would read, as "line: text". */
export function userText(src) {
  const found = [];
  for (const lit of literals(src)) {
    const { text, before } = lit;
    if (!LETTERS.test(text) || SELECTOR.test(text)) continue;
    if (/\bt\(\s*$/.test(before) || /\b(from|import\()\s*$/.test(before) || NOT_TEXT.test(before)) continue;
    const suspect =
      CAPITALISED.test(text) ||
      SENTENCE.test(text) ||
      BRACKETED.test(text) ||
      SINK.test(before) ||
      (lit.template && TEMPLATE_WORDS.test(text)) ||
      (lit.nested && !lit.template && /^[\p{L} ]+$/u.test(text) && /\p{L}{3}/u.test(text));
    if (suspect) found.push(`${lit.line}: ${JSON.stringify(text)}`);
  }
  return found;
}
