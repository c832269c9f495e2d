// Behaviour the pages declare with data attributes, so that no page needs inline script (the
// Content-Security-Policy allows scripts from this site only), and the CSRF token htmx sends.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    // A dialog's close button empties the area the dialog was loaded into.
    var close = target.closest("[data-close-dialog]");
    if (close) {
      var area = close.closest(".dialog-area");
      if (area) area.innerHTML = "";
      return;
    }
    if (target.closest("[data-print]")) window.print();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail || {};
    var element = detail.elt;
    // A row that loads its children once: mark it expanded and stop a second load.
    if (element && element.hasAttribute && element.hasAttribute("data-expand-once") && detail.successful) {
      element.setAttribute("aria-expanded", "true");
      element.disabled = true;
    }
    // Every answer names the CSRF token for the next request. After a boosted navigation that
    // signed the visitor in or out, the <body> still holds the old one: take the new one.
    var token = detail.xhr && detail.xhr.getResponseHeader("X-CSRF-Token");
    if (token) document.body.setAttribute("hx-headers", JSON.stringify({ "x-csrf-token": token }));
  });
})();
