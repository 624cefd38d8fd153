// A question's media on the big screens and the phones: `question.media` (`{url, kind, alt,
// width, height}`, see docs/protocol.md) drawn into `#q-media` as an image, an audio player or
// a video. The element is made as the frame arrives, at the start of the get-ready time, so
// the file loads while the countdown runs and is on screen when answering opens. A file that
// fails to load hides the box: the question's text and answers stay usable.

/** Draws `media` (or nothing) into `el`. `large`: the presenter's screen (video autoplays muted). */
export function drawMedia(el, media, { large = false } = {}) {
  if (!el) return;
  // The same question drawn again (a tap, a resume) keeps its element: no reload, no restart.
  if (media && el.dataset.url === media.url) return;
  el.replaceChildren();
  el.dataset.url = media ? media.url : "";
  el.hidden = !media;
  if (!media) return;
  let node;
  if (media.kind === "image") {
    node = document.createElement("img");
    node.alt = media.alt || "";
    if (media.width && media.height) {
      // Reserves the box before the file arrives, so the answers do not jump.
      node.width = media.width;
      node.height = media.height;
    }
    node.decoding = "async";
  } else {
    node = document.createElement(media.kind === "video" ? "video" : "audio");
    node.controls = true;
    node.preload = "auto";
    if (media.kind === "video") {
      node.playsInline = true;
      node.muted = large;
      node.autoplay = large;
    }
    if (media.alt) node.setAttribute("aria-label", media.alt);
  }
  node.className = `qmedia-${media.kind}`;
  node.onerror = () => {
    el.hidden = true;
  };
  node.src = media.url;
  el.append(node);
}
