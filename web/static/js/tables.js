// A table wider than its card scrolls inside its .table-scroll box. Where the box does scroll,
// it becomes a labelled region the keyboard can reach (Tab, then the arrow keys), named after
// the table's caption or the heading above it; boxes that fit stay out of the Tab order and of
// the landmarks.
// Runs on load, after htmx swaps and when the window is resized. A static file (strict CSP).
(function () {
  "use strict";

  function nameOf(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var section = box.closest("section, .panel, main") || document.body;
    var heading = section.querySelector("h1, h2, h3");
    return (heading ? heading.textContent.trim() + " · " : "") + "表格";
  }

  function mark(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) {
        box.setAttribute("role", "region");
        box.setAttribute("data-region", "");
      }
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        box.setAttribute("aria-label", nameOf(box));
      }
    } else {
      box.removeAttribute("tabindex");
      if (box.hasAttribute("data-region")) {  // a region this script made, not the page's own
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        box.removeAttribute("data-region");
      }
    }
  }

  function markAll() {
    document.querySelectorAll(".table-scroll").forEach(mark);
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.setTimeout(function () { pending = null; markAll(); }, 100);
    }
  }

  document.addEventListener("htmx:afterSettle", later);
  window.addEventListener("resize", later);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAll);
  } else {
    markAll();
  }
})();
