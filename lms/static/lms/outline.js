// The studio's outline: drag a module or an activity by its handle to reorder it within its list.
// The new order is posted (as the arrow buttons do without JavaScript) and the page reloads to show
// the server's outline; a refusal is announced and the old order put back.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  var status = document.querySelector("[data-outline-status]");
  var dragged = null, list = null, before = null;

  function keys(ol) {
    return Array.prototype.filter.call(ol.children, function (li) { return li.dataset.key; })
      .map(function (li) { return li.dataset.key; });
  }
  function send(ol) {
    var body = new FormData();
    body.set("module", ol.dataset.module || "");
    body.set("order", keys(ol).join(","));
    if (token) { body.set("csrf_token", token.content); }
    return fetch(ol.dataset.orderUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.content : "" }
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, message: data.message }; });
    });
  }
  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) { return; }
    dragged = handle.closest("li[data-key]");
    list = dragged.parentElement;
    before = keys(list);
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.key);
    try { event.dataTransfer.setDragImage(dragged, 20, 20); } catch (e) { /* older browsers */ }
  });
  document.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var over = event.target.closest && event.target.closest("li[data-key]");
    if (!over || over.parentElement !== list || over === dragged) {
      if (event.target.closest && event.target.closest("ol") === list) { event.preventDefault(); }
      return;
    }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", function (event) { if (dragged) { event.preventDefault(); } });
  document.addEventListener("dragend", function () {
    if (!dragged) { return; }
    var ol = list, item = dragged, old = before;
    item.classList.remove("dragging");
    dragged = null;
    if (keys(ol).join(",") === old.join(",")) { return; }
    send(ol).then(function (result) {
      if (status) { status.textContent = result.message || ""; }
      if (result.ok) { window.location.reload(); return; }
      old.forEach(function (key) {
        var li = ol.querySelector(':scope > li[data-key="' + CSS.escape(key) + '"]');
        if (li) { ol.appendChild(li); }
      });
    }).catch(function () { window.location.reload(); });
  });
})();
