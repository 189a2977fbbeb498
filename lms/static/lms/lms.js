// Progressive enhancement only: every page works without this file.
// The quiz's own behaviour (saving answers, matching, ordering, the countdown) is in quiz.js.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.submit(); }
    });
  });

  // The bar's menu (a <details>, lms/_body.html): Escape or a click elsewhere closes it.
  document.querySelectorAll("details.lms-menu").forEach(function (menu) {
    var toggle = menu.querySelector("summary");
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        if (toggle) { toggle.focus(); }
      }
    });
  });

  // Destructive actions: a form with data-confirm="question" asks before it posts, in a <dialog>
  // made from the template in lms/_body.html (window.confirm where there is none). Cancel is the
  // default; the confirming button says what the form's own button says. The server acts as before.
  var template = document.getElementById("lms-confirm-dialog");

  function ask(question, action, proceed, returnFocus) {
    if (!template || typeof HTMLDialogElement !== "function") {
      if (window.confirm(question)) { proceed(); }
      return;
    }
    var dialog = template.content.firstElementChild.cloneNode(true);
    dialog.querySelector(".confirm-message").textContent = question;
    var ok = dialog.querySelector(".confirm-ok");
    if (action) { ok.lastChild.textContent = action; }
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () {
      var confirmed = dialog.returnValue === "ok";
      dialog.remove();
      if (confirmed) { proceed(); } else if (returnFocus) { returnFocus.focus(); }
    });
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) { return; }
    if (form.dataset.confirmed === "yes") { delete form.dataset.confirmed; return; }
    event.preventDefault();
    var submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
    var action = submitter ? submitter.textContent.trim() : "";
    ask(form.dataset.confirm, action, function () {
      form.dataset.confirmed = "yes";
      if (typeof form.requestSubmit === "function") {
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      } else {
        form.submit();
      }
    }, submitter);
  });
})();
