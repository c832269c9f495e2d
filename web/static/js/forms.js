// After a form is refused, the focus goes to where the person must act: the first control in
// error (aria-invalid="true", set by the _forms.html macros), else the form's error summary.
// It runs after a full page render and after htmx swapped in the answer to a submitted form
// (boosted forms included), never after the live checks that run as a person types. A static
// file, loaded by base.html: no inline script, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  var SUMMARY = "[data-error-summary], .alert-error[role='alert']";

  function firstError(root, withSummary) {
    var control = root.querySelector("[aria-invalid='true']");
    if (control || !withSummary) {
      return control;
    }
    return root.querySelector(SUMMARY);
  }

  function focusOn(element) {
    if (!element) {
      return;
    }
    if (element.matches(SUMMARY) && !element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "center" });
  }

  // Each answer is judged by what asked for it: a submitted form, not the polls and live
  // checks that come back meanwhile. One swap settles in several parts: act once per answer.
  var answered = typeof WeakSet === "function" ? new WeakSet() : null;

  document.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail || {};
    var trigger = detail.requestConfig && detail.requestConfig.triggeringEvent;
    if (!trigger || trigger.type !== "submit") {
      return;
    }
    if (answered && detail.xhr) {
      if (answered.has(detail.xhr)) {
        return;
      }
      answered.add(detail.xhr);
    }
    var main = document.getElementById("main") || document.body;
    // The swap's target, or what replaced it (an outerHTML swap leaves the target detached).
    var scope = detail.target && detail.target.isConnected ? detail.target : event.target;
    // A boosted form swaps the whole page in: look in the page's main part. A form answered
    // with a fragment (hx-target) is looked at only there, never at stale parts elsewhere.
    var whole = !scope || !scope.querySelector || scope === document.body ||
      scope.parentNode === document.body || scope.contains(main);
    var root = whole ? main : scope;
    // After htmx's own scrolling of the swapped content (boosted pages scroll to the top).
    window.setTimeout(function () { focusOn(firstError(root, true)); }, 0);
  });

  function onLoad() {
    // A page rendered whole after a refused submit (forms that post without htmx).
    var main = document.getElementById("main") || document.body;
    focusOn(firstError(main, false) || main.querySelector("[data-error-summary]"));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onLoad);
  } else {
    onLoad();
  }
})();
