// Live preview for the course editor: debounced requests to the server, which
// renders with the same renderer learners see and runs the same checker.
(function () {
  "use strict";
  var editor = document.querySelector(".editor[data-preview-url]");
  if (!editor) { return; }
  var textarea = editor.querySelector("textarea");
  var preview = editor.querySelector(".editor-preview");
  var problems = editor.querySelector(".editor-problems");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null, sequence = 0;
  function show(data) {
    preview.innerHTML = data.html;  // already sanitised on the server (nh3)
    problems.textContent = "";
    if (!data.problems.length) {
      var ok = document.createElement("li");
      ok.className = "ok"; ok.textContent = data.none;
      problems.appendChild(ok);
    }
    data.problems.forEach(function (p) {
      var item = document.createElement("li");
      item.dataset.line = p.line;
      var code = document.createElement("code");
      code.textContent = p.label;
      item.appendChild(code);
      item.appendChild(document.createTextNode(" " + p.message));
      problems.appendChild(item);
    });
  }
  function refresh() {
    var mine = ++sequence;
    var body = new FormData();
    body.set("text", textarea.value);
    fetch(editor.dataset.previewUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine === sequence) { show(data); }
    }).catch(function () {});
  }
  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
