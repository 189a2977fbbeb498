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
      if (p.label) {
        var code = document.createElement("code");
        code.textContent = p.label;
        item.appendChild(code);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(document.createTextNode(p.message));
      problems.appendChild(item);
    });
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
})();
