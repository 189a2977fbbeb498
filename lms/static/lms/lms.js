// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.submit(); }
    });
  });

  // Quiz: save each answer on the server as soon as it changes.
  document.querySelectorAll("form.js-autosave").forEach(function (form) {
    var status = form.querySelector(".autosave-status");
    var timer = null;
    function save() {
      var data = new FormData(form);
      data.set("action", "save");
      fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function () {
        if (status) { status.textContent = status.dataset.saved || "✓"; }
      }).catch(function () {
        if (status) { status.textContent = "!"; }
      });
    }
    form.addEventListener("change", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    });
  });

  // Quiz: a countdown to the server's deadline (the server enforces it).
  document.querySelectorAll(".countdown[data-deadline]").forEach(function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    var value = box.querySelector(".countdown-value");
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      box.classList.toggle("is-low", left < 60);
      if (left === 0) { window.location.reload(); return; }
      setTimeout(tick, 1000);
    }
    if (!isNaN(deadline) && value) { tick(); }
  });
})();
