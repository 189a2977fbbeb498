// The role-play player, progressive enhancement only: without this file a reply still
// comes back to the conversation's newest lines (the server redirects to #latest).
// With it, focus moves there too, so a screen reader reads what the customer answered
// and the next Tab reaches the replies; and a reply cannot be sent twice.
(function () {
  "use strict";

  function focusLatest() {
    if (window.location.hash !== "#latest") { return; }
    var latest = document.getElementById("latest");
    if (!latest) { return; }
    latest.focus({ preventScroll: true });
    if (latest.getBoundingClientRect().top < 0 || latest.getBoundingClientRect().top > window.innerHeight) {
      latest.scrollIntoView({ block: "start" });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusLatest);
  } else {
    focusLatest();
  }

  // one reply per turn: a second tap while the page loads would be refused as "moved on"
  document.querySelectorAll(".scenario form.turn").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      }, 0);
    });
  });
})();
