// The editor's media field of one question: a file input that uploads (`POST /api/media`; the
// server judges the type by the bytes and re-encodes images), a preview, and the alt text an
// image needs. The question model keeps `media` as the document has it: `{hash, alt, kind}`.

import { api, humanError } from "./common.js";
import { t } from "./i18n.js";
import { drawMedia } from "./media.js";

/** The part's controls, wired to `q.media`; `part(selector)` finds them in the card. */
export function mediaPart(q, part, id) {
  part(".l-media").htmlFor = id("media");
  part(".f-media").id = id("media");
  part(".l-alt").htmlFor = id("alt");
  part(".f-alt").id = id("alt");
  const status = part(".media-status");
  const draw = async () => {
    const m = q.media;
    part(".alt-part").hidden = !m || m.kind !== "image";
    part(".f-alt").required = !!m && m.kind === "image";
    part(".f-alt").value = m ? m.alt || "" : "";
    part(".media-remove").hidden = !m;
    if (!m) return drawMedia(part(".media-preview"), null);
    // The file is the owner's: fetched with the session, shown from memory.
    let url = q.mediaUrl;
    if (!url) {
      try {
        url = URL.createObjectURL(await api("GET", `/media/${m.hash}`, undefined, { blob: true }));
        q.mediaUrl = url;
      } catch {
        url = null;
      }
    }
    if (url) drawMedia(part(".media-preview"), { ...m, url });
  };
  part(".f-alt").oninput = (ev) => {
    if (q.media) q.media.alt = ev.target.value;
  };
  part(".media-remove").onclick = () => {
    q.media = null;
    q.mediaUrl = null;
    part(".f-media").value = "";
    status.textContent = "";
    draw();
  };
  part(".f-media").onchange = async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    status.textContent = t("uploading");
    try {
      const r = await api("POST", "/api/media", file, { type: "application/octet-stream" });
      q.media = { hash: r.hash, alt: q.media && q.media.kind === "image" ? q.media.alt : "", kind: r.kind };
      q.mediaUrl = URL.createObjectURL(file);
      status.textContent = t("media_uploaded");
    } catch (e) {
      status.textContent = "";
      part(".e-media").textContent = t("media_refused", { error: humanError(e) });
      ev.target.value = "";
      return;
    }
    part(".e-media").textContent = "";
    await draw();
    if (q.media.kind === "image") part(".f-alt").focus();
  };
  draw();
}

/** The document's `media` of a question model, or nothing. */
export function mediaDoc(q) {
  return q.media ? { hash: q.media.hash, alt: (q.media.alt || "").trim() } : undefined;
}

/** Why a question's media cannot be saved as it is, or null. */
export function mediaProblem(q) {
  return q.media && q.media.kind === "image" && !(q.media.alt || "").trim() ? t("alt_text_needed") : null;
}
