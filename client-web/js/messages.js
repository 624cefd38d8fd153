// What each error code means to the person at the page, in their language: the server's codes
// stay codes on the wire (docs/protocol.md, "Error codes"), and its own `message`, short and
// lowercase English, is for logs and outside clients. A code missing here falls back to that
// message.

import { t } from "./i18n.js";
import en from "./lang/en.js";

// The sentences themselves live in the language tables (js/lang/*.js) as `err_<code>`.
const known = (code) => Boolean(code) && Object.hasOwn(en, `err_${code}`);

// Codes whose message the server writes about one field, where the field tells more than the
// table can (which question, which limit): its text is shown, as a sentence.
const SPECIFIC = new Set(["bad_field"]);

/** A server message as a sentence: capital first letter, a full stop at the end. */
export const sentence = (text) => {
  const raw = String(text || "").trim();
  if (!raw) return "";
  const s = raw.charAt(0).toUpperCase() + raw.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
};

/**
 * The text for error `e` (`{code, message}`, an `ApiError` or a socket `error` frame): the
 * table's, or for a field-specific refusal and an unknown code the server's own as a sentence.
 */
export function humanError(e) {
  const code = e && e.code;
  if (code === "rate_limited" && e.retryAfter != null) {
    return t("err_retry_after", { count: Number(e.retryAfter) });
  }
  if (SPECIFIC.has(code) && e.message) return sentence(e.message);
  if (known(code)) return t(`err_${code}`);
  return sentence(e && e.message) || t("err_fallback");
}
