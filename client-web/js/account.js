// The account page: who is logged in, and a password change (old, new, new again).

import { $ } from "./dom.js";
import { api, humanError, startPage, unmarkOnEdit } from "./common.js";
import { t } from "./i18n.js";

const FIELDS = ["pw-old", "pw-new", "pw-repeat"];

function clearErrors() {
  for (const id of FIELDS) {
    $(`${id}-error`).textContent = "";
    $(id).removeAttribute("aria-invalid");
  }
  $("pw-error").textContent = "";
  $("pw-done").hidden = true;
}

function fieldError(id, text) {
  $(`${id}-error`).textContent = text;
  $(id).setAttribute("aria-invalid", "true");
  return id;
}

// A field's mark goes once it is edited; the next attempt checks everything again.
unmarkOnEdit($("pw-form"));
$("pw-form").onsubmit = async (ev) => {
  ev.preventDefault();
  clearErrors();
  const old = $("pw-old").value;
  const next = $("pw-new").value;
  const bad = [];
  if (!old) bad.push(fieldError("pw-old", t("enter_current_password")));
  const n = [...next].length;
  if (n < 8 || n > 200) bad.push(fieldError("pw-new", t("new_password_length")));
  else if ($("pw-repeat").value !== next) bad.push(fieldError("pw-repeat", t("passwords_differ")));
  if (bad.length) return $(bad[0]).focus();

  $("pw-btn").disabled = true;
  try {
    await api("POST", "/api/password", { old, new: next });
    for (const id of FIELDS) $(id).value = "";
    $("pw-done").hidden = false;
  } catch (e) {
    if (e.code === "bad_credentials") $(fieldError("pw-old", t("not_current_password"))).focus();
    else if (e.code === "bad_field" && e.field === "new") $(fieldError("pw-new", humanError(e))).focus();
    else if (e.status === 401) $("pw-error").textContent = t("session_expired_reload");
    else $("pw-error").textContent = t("could_not_change_password", { error: humanError(e) });
  } finally {
    $("pw-btn").disabled = false;
  }
};

const me = await startPage();
$("me-name").textContent = me.username;
$("me-role").textContent = t(me.role === "admin" ? "role_word_admin" : "role_word_host");
