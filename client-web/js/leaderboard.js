// The public leaderboard: podiums of recent finished, public games. No login needed; a
// logged-in host gets the usual navigation bar instead of the visitor's two links.

import { $, el } from "./dom.js";
import { getToken } from "./storage.js";
import { api, humanError, when, mountNav } from "./common.js";
import { t } from "./i18n.js";

const REFRESH_MS = 30_000;

async function load() {
  let games;
  try {
    games = await api("GET", "/api/leaderboard");
  } catch (e) {
    $("board-error").textContent = t("could_not_load_leaderboard", { error: humanError(e) });
    return;
  }
  $("board-error").textContent = "";
  $("board-empty").hidden = games.length > 0;
  $("board").replaceChildren(...games.map(gameCard));
}

function gameCard(g) {
  const podium = g.podium.slice(0, 3);
  return el("li", { class: "card board", dataset: { gameId: g.game_id } },
    el("h2", {}, g.title),
    el("p", { class: "hint" }, [t(g.mode === "race" ? "mode_race" : "mode_classic"), when(g.finished_at), t("n_players", { count: g.players })].join(" · ")),
    podium.length === 0 ? el("p", {}, t("nobody_scored")) :
      el("ol", { class: "podium", "aria-label": t("podium_of", { title: g.title }) }, podium.map((p) => el("li", { dataset: { rank: p.rank } },
        el("span", { class: "rank" }, String(p.rank)),
        el("span", { class: "name" }, p.name),
        el("span", { class: "score" }, t("score_pts", { score: p.score }))))));
}

if (getToken()) {
  // A stale token only costs the visitor the host links; the board itself needs none.
  api("GET", "/api/me").then((me) => mountNav($("topnav"), me), () => {});
}
await load();
setInterval(() => {
  if (document.visibilityState !== "hidden") load();
}, REFRESH_MS);
