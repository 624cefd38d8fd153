// A team game's parts of the game screen, as the player, host and presenter pages draw them:
// the team standings under a leaderboard and a podium (`#team-board-wrap` / `#team-board`,
// `#team-podium-wrap` / `#team-podium`) and a team's name in the page's language.

import { $ } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A team game's standings (`teams` of `leaderboard` or `game_over`) in `#team-board` or,
 * `finished`, `#team-podium`; the list's section is hidden in a game without teams. Teams are
 * named by id in the page's language. `myTeam` marks the viewer's team; its standing is
 * returned (or null).
 */
export function drawTeams(teams, finished, myTeam = null) {
  const wrap = $(finished ? "team-podium-wrap" : "team-board-wrap");
  if (!wrap) return null;
  wrap.hidden = !teams;
  if (!teams) return null;
  const list = finished ? teams.slice(0, 3) : teams;
  $(finished ? "team-podium" : "team-board").replaceChildren(...list.map((s) => {
    const li = document.createElement("li");
    li.dataset.rank = s.rank;
    li.dataset.team = s.id;
    if (s.id === myTeam) li.classList.add("me");
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.textContent = s.rank;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = teamName(s.id);
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = t("score_pts", { score: s.score });
    li.append(rank, name, score);
    return li;
  }));
  return teams.find((s) => s.id === myTeam) || null;
}

/** A team's name in the page's language: the server's `Team <id>` translated by id. */
export const teamName = (id) => t("team_n", { n: id });
