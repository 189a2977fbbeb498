// The studio's editor: live preview and problems from the server (the same renderer and checker learners'
// pages and publishing use), a click on a problem puts the cursor on its line, ?line=N opens there,
// and leaving with unsaved text asks first.
(function () {
  "use strict";
  var editor = document.querySelector(".editor[data-preview-url]");
  if (!editor) { return; }
  var textarea = editor.querySelector("textarea");
  var preview = editor.querySelector(".editor-preview");
  var problems = editor.querySelector(".editor-problems");
  var position = editor.querySelector("[data-position]");
  var labels = document.getElementById("problem-labels");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null, sequence = 0, saved = textarea.value, submitting = false;

  function label(kind) {
    var found = labels && labels.content.querySelector("[data-" + kind + "]");
    return found ? found.textContent : kind;
  }

  // Put the cursor at the start of line `line` (1-based), select that line and scroll it into view.
  function goToLine(line) {
    var lines = textarea.value.split("\n");
    line = Math.max(1, Math.min(line, lines.length));
    var start = 0;
    for (var i = 0; i < line - 1; i++) { start += lines[i].length + 1; }
    textarea.focus();
    textarea.setSelectionRange(start, start + lines[line - 1].length);
    var height = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * height);
    showPosition();
  }

  function showPosition() {
    if (!position) { return; }
    var before = textarea.value.slice(0, textarea.selectionStart);
    position.textContent = position.dataset.template
      ? position.dataset.template.replace("%s", String(before.split("\n").length))
      : String(before.split("\n").length);
  }

  function problemItem(p) {
    var item = document.createElement("li");
    item.className = "problem-" + (p.severity || "error");
    item.dataset.line = p.line;
    if (p.line && p.label) {
      var go = document.createElement("button");
      go.type = "button"; go.className = "button button-link problem-line"; go.dataset.line = p.line; go.textContent = p.label;
      item.appendChild(go);
      item.appendChild(document.createTextNode(" "));
    }
    if (p.severity === "warning" || p.severity === "accepted") {
      var badge = document.createElement("span");
      badge.className = p.severity === "warning" ? "badge badge-warning" : "badge";
      badge.textContent = label(p.severity);
      item.appendChild(badge);
      item.appendChild(document.createTextNode(" "));
    }
    item.appendChild(document.createTextNode(p.message));
    return item;
  }

  function show(data) {
    preview.innerHTML = data.html;  // already sanitised on the server (nh3)
    problems.textContent = "";
    if (!data.problems.length) {
      var ok = document.createElement("li");
      ok.className = "ok"; ok.textContent = data.none;
      problems.appendChild(ok);
    }
    data.problems.forEach(function (p) { problems.appendChild(problemItem(p)); });
  }
  // Over the size limit the server answers 413 (from the view, or from the request cap as a page):
  // say so in the problems list and keep the last preview.
  function tooLarge() {
    problems.textContent = "";
    var item = document.createElement("li");
    item.textContent = editor.dataset.tooLarge;
    problems.appendChild(item);
  }
  function refresh() {
    var mine = ++sequence;
    var body = new FormData();
    body.set("text", textarea.value);
    fetch(editor.dataset.previewUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (r) {
      return r.status === 413 ? null : r.json();
    }).then(function (data) {
      if (mine === sequence) { if (data) { show(data); } else { tooLarge(); } }
    }).catch(function () {});
  }
  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  ["keyup", "click", "select"].forEach(function (name) { textarea.addEventListener(name, showPosition); });
  // a problem, or a question, step or reply of the preview, puts the cursor on its line
  [problems, preview].forEach(function (panel) {
    panel.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      var target = event.target.closest("[data-line]");
      if (target && Number(target.dataset.line) > 0) { goToLine(Number(target.dataset.line)); }
    });
  });
  textarea.form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && textarea.value !== saved) { event.preventDefault(); event.returnValue = ""; }
  });
  if (editor.dataset.line) { goToLine(Number(editor.dataset.line)); }
})();
