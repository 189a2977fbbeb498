// The quiz pages, enhanced. Every page works without this file, and the server judges every answer:
// this file only carries what the learner chose (in the attempt's tokens) and arranges the controls.
//
// - Answers are saved while the learner types (debounced) and on every change; what the server has
//   not confirmed yet waits in localStorage (keyed by attempt) and is sent again when the connection
//   comes back or the page is loaded again. Leaving a page (next, previous, the index, the summary,
//   any link) first sends what waits.
// - Matching: tap an item, then its match (no drop-down lists); ordering: move-up and move-down
//   buttons. Both write into the page's own drop-down lists, which stay the form's fields.
// - The summary asks before a submission with questions left unanswered.
// - A countdown to the server's deadline (the server enforces it).
(function () {
  "use strict";
  var article = document.querySelector("article.quiz-take, article.quiz-summary");
  if (!article) { return; }
  var words = article.dataset;
  var form = article.querySelector("form.quiz-form");
  var statusBox = article.querySelector(".save-status");
  var storeKey = "lms-quiz-" + words.attempt;

  function say(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return values[key] === undefined ? whole : values[key];
    });
  }

  function csrf() {
    var field = document.querySelector('input[name="csrf_token"]');
    var meta = document.querySelector('meta[name="csrf-token"]');
    return field ? field.value : (meta ? meta.content : "");
  }

  // -- what waits for the server ---------------------------------------------------------------

  var store = (function () {
    var names = ["localStorage", "sessionStorage"];
    for (var i = 0; i < names.length; i += 1) {
      try {
        var candidate = window[names[i]];
        candidate.setItem("lms-probe", "1");
        candidate.removeItem("lms-probe");
        return candidate;
      } catch (e) { /* private mode or blocked: try the next one */ }
    }
    return null;
  })();

  function loadPending() {
    try {
      var found = JSON.parse((store && store.getItem(storeKey)) || "{}");
      return found && typeof found === "object" ? found : {};
    } catch (e) {
      return {};
    }
  }

  var pending = loadPending();  // question id -> [[field, value], ...] the server has not confirmed yet
  var changes = {};             // question id -> changes on this page (a reply clears only what it carried)
  var inflight = null;
  var timer = null;
  var retryDelay = 0;

  function waiting() { return Object.keys(pending).length > 0; }

  function persist() {
    if (!store) { return; }
    try {
      if (waiting()) { store.setItem(storeKey, JSON.stringify(pending)); } else { store.removeItem(storeKey); }
    } catch (e) { /* storage full: the answers still travel with the next save */ }
  }

  function show(text, state) {
    if (!statusBox) { return; }
    if (statusBox.textContent !== text) { statusBox.textContent = text; }
    statusBox.className = "save-status" + (state ? " " + state : "");
  }

  function fieldsOf(fieldset) {
    var out = [];
    Array.prototype.forEach.call(fieldset.elements, function (el) {
      if (!el.name || el.disabled || el.type === "button" || el.type === "submit") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      out.push([el.name, el.value]);
    });
    return out;
  }

  function questionId(fieldset) { return fieldset.id.replace(/^question-/, ""); }

  function remember(fieldset) {
    var id = questionId(fieldset);
    pending[id] = fieldsOf(fieldset);
    changes[id] = (changes[id] || 0) + 1;
    persist();
  }

  function restore() {
    // answers typed before a reload (or while offline) win over the page's last saved state
    Object.keys(pending).forEach(function (id) {
      var fieldset = document.getElementById("question-" + id);
      if (!fieldset || !form || !form.contains(fieldset)) { return; }
      var entries = pending[id];
      Array.prototype.forEach.call(fieldset.elements, function (el) {
        if (!el.name || el.name === "question" || el.type === "button" || el.type === "submit") { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = entries.some(function (pair) { return pair[0] === el.name && pair[1] === el.value; });
        } else {
          var found = entries.filter(function (pair) { return pair[0] === el.name; })[0];
          el.value = found ? found[1] : "";
        }
      });
    });
  }

  function showSlips(ids, slips) {
    ids.forEach(function (id) {
      var fieldset = document.getElementById("question-" + id);
      if (!fieldset) { return; }
      var note = fieldset.querySelector(".question-error");
      var typed = fieldset.querySelectorAll("input[type=text], textarea");
      if (!slips[id]) {
        if (note) { note.remove(); }
        typed.forEach(function (el) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
        return;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "question-error";
        note.id = "slip-" + id;
        note.dir = "auto";
        fieldset.appendChild(note);
      }
      note.textContent = slips[id];
      typed.forEach(function (el) { el.setAttribute("aria-invalid", "true"); el.setAttribute("aria-describedby", note.id); });
    });
  }

  function closed(location) {
    pending = {};
    persist();
    window.location.href = location;
  }

  function payload(ids) {
    var data = new FormData();
    data.append("csrf_token", csrf());
    data.append("attempt", words.attempt);
    data.append("action", "save");
    ids.forEach(function (id) {
      (pending[id] || []).forEach(function (pair) { data.append(pair[0], pair[1]); });
    });
    return data;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(send, delay);
  }

  // A refused form is most often an expired one: take a fresh token from the page, once per failure.
  var refreshed = false;
  function refreshToken() {
    if (refreshed) { return Promise.resolve(false); }
    refreshed = true;
    return fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      var found = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
      if (!found) { return false; }
      document.querySelectorAll('input[name="csrf_token"]').forEach(function (field) { field.value = found[1]; });
      var meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) { meta.content = found[1]; }
      return true;
    }).catch(function () { return false; });
  }

  // Send what waits; resolves to true once the server has it all, false when it could not be sent.
  function send() {
    clearTimeout(timer);
    timer = null;
    if (inflight) { return inflight; }
    var ids = Object.keys(pending);
    if (!ids.length) { return Promise.resolve(true); }
    var carried = {};
    ids.forEach(function (id) { carried[id] = changes[id] || 0; });
    show(words.saving, "is-saving");
    inflight = fetch(words.save, {
      method: "POST", body: payload(ids), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 409) {
        return response.json().then(function (body) { closed(body.location); return false; });
      }
      if (response.status === 400) {
        return refreshToken().then(function (fresh) {
          if (!fresh) { throw new Error("refused"); }
          inflight = null;
          return send();
        });
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      refreshed = false;
      return response.json().then(function (body) {
        ids.forEach(function (id) {
          if ((changes[id] || 0) === carried[id]) { delete pending[id]; }
        });
        persist();
        var slips = body.errors || {};
        showSlips(ids, slips);
        retryDelay = 0;
        var refused = Object.keys(slips).map(function (id) { return slips[id]; });
        if (refused.length) { show(refused.join(" "), "is-unsaved"); } else { show(words.saved, "is-saved"); }
        return true;
      });
    }).catch(function () {
      show(navigator.onLine === false ? words.offline : words.unsaved, "is-unsaved");
      retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 30000);
      schedule(retryDelay);
      return false;
    }).then(function (ok) {
      inflight = null;
      if (ok && waiting()) { return send(); }  // changed while the last save travelled
      return ok;
    });
    return inflight;
  }

  function flush() {
    return waiting() || inflight ? send() : Promise.resolve(true);
  }

  window.addEventListener("online", function () {
    retryDelay = 0;
    if (waiting()) { send(); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && waiting()) { send(); }
  });
  window.addEventListener("pagehide", function () {
    // the page is going away with answers unsent: hand them to the browser to deliver (they stay stored too)
    if (!waiting() || !navigator.sendBeacon) { return; }
    var data = payload(Object.keys(pending));
    data.append("background", "1");
    navigator.sendBeacon(words.save, data);
  });

  // Leaving the page by a link: what waits is sent first.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
        || event.shiftKey || event.altKey || (link.target && link.target !== "_self")) { return; }
    if (link.origin !== window.location.origin) { return; }
    if (link.hash && link.pathname === window.location.pathname && link.search === window.location.search) { return; }
    if (!waiting() && !inflight) { return; }
    event.preventDefault();
    flush().then(function (ok) {
      if (!ok && navigator.onLine === false) { return; }  // stay: the answers wait on this device
      window.location.href = link.href;
    });
  });

  // -- the question pages ------------------------------------------------------------------------

  var live = document.createElement("p");
  live.className = "visually-hidden quiz-announce";
  live.setAttribute("aria-live", "polite");
  article.appendChild(live);

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function button(className, text, label) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = className;
    el.textContent = text;
    if (label) { el.setAttribute("aria-label", label); }
    return el;
  }

  function changed(select) {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The drop-down lists (and the hint that goes with them) give way to the script's controls.
  function replace(rowsBox, box) {
    var before = rowsBox.previousElementSibling;
    if (before && before.classList.contains("hint")) { before.hidden = true; }
    rowsBox.hidden = true;
    rowsBox.parentNode.insertBefore(box, rowsBox.nextSibling);
  }

  // How many questions have an answer, as the learner changes them (the server counts again on each page).
  function hasAnswer(fieldset) {
    return fieldsOf(fieldset).some(function (pair) {
      return pair[0] !== "question" && pair[0] !== "flag" && String(pair[1]).trim() !== "";
    });
  }
  var progress = article.querySelector(".quiz-status progress");
  var progressText = article.querySelector(".quiz-status .progress-text");
  var counted = null;  // the page's questions that had an answer when the server drew the page
  function recount() {
    if (!form || !progress) { return; }
    var fieldsets = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
    if (counted === null) {
      counted = fieldsets.filter(hasAnswer).length;
      return;
    }
    var done = parseInt(progress.getAttribute("value"), 10) - counted + fieldsets.filter(hasAnswer).length;
    counted = fieldsets.filter(hasAnswer).length;
    progress.value = done;
    progress.setAttribute("value", String(done));
    if (progressText && words.progress) {
      progressText.textContent = say(words.progress, { done: done, total: progress.getAttribute("max") });
    }
    var current = document.querySelector(".question-index [aria-current=step]");
    if (current && fieldsets.length === 1) {
      current.classList.toggle("is-answered", hasAnswer(fieldsets[0]));
      var flag = fieldsets[0].querySelector('input[name="flag"]');
      current.classList.toggle("is-flagged", Boolean(flag && flag.checked));
    }
  }

  function arrow(fieldset) {
    return window.getComputedStyle(fieldset).direction === "rtl" ? "←" : "→";
  }

  // Matching: tap an item on the left, then the match for it. The drop-down lists stay the fields.
  function pairing(fieldset) {
    var rowsBox = fieldset.querySelector(".match-rows");
    if (!rowsBox) { return; }
    var rows = Array.prototype.map.call(rowsBox.querySelectorAll(".match-row"), function (row) {
      return { text: row.querySelector("label").textContent, select: row.querySelector("select") };
    });
    if (!rows.length) { return; }
    var rights = Array.prototype.filter.call(rows[0].select.options, function (option) { return option.value; })
      .map(function (option) { return { value: option.value, text: option.textContent }; });
    var chosen = null;
    var box = document.createElement("div");
    box.className = "pairing";
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.dir = "auto";
    hint.textContent = words.pairHint;
    var lefts = document.createElement("ul");
    lefts.className = "pair-lefts";
    lefts.setAttribute("aria-label", words.lefts);
    var rightBox = document.createElement("div");
    rightBox.className = "pair-rights";
    rightBox.setAttribute("role", "group");
    rightBox.setAttribute("aria-label", words.rights);
    box.appendChild(hint);
    box.appendChild(lefts);
    box.appendChild(rightBox);
    replace(rowsBox, box);

    function rightText(value) {
      var found = rights.filter(function (right) { return right.value === value; })[0];
      return found ? found.text : "";
    }

    function render(focus) {
      lefts.textContent = "";
      rightBox.textContent = "";
      rows.forEach(function (row, index) {
        var item = document.createElement("li");
        item.className = "pair-row" + (row.select.value ? " is-paired" : "") + (chosen === index ? " is-chosen" : "");
        var pick = button("pair-left", "");
        pick.setAttribute("aria-pressed", chosen === index ? "true" : "false");
        var name = document.createElement("span");
        name.className = "pair-left-text";
        name.textContent = row.text;
        var sign = document.createElement("span");
        sign.className = "pair-arrow";
        sign.setAttribute("aria-hidden", "true");
        sign.textContent = arrow(fieldset);
        var match = document.createElement("span");
        match.className = "pair-match" + (row.select.value ? "" : " is-empty");
        match.textContent = row.select.value ? rightText(row.select.value) : words.notPaired;
        pick.appendChild(name);
        pick.appendChild(sign);
        pick.appendChild(match);
        pick.addEventListener("click", function () {
          chosen = chosen === index ? null : index;
          render(chosen === null ? { left: index } : { right: 0 });
          if (chosen !== null) { announce(say(words.picked, { item: row.text })); }
        });
        item.appendChild(pick);
        if (row.select.value) {
          var undo = button("pair-undo", words.undo, say(words.undoPair, { item: row.text }));
          undo.addEventListener("click", function () {
            row.select.value = "";
            changed(row.select);
            chosen = null;
            render({ left: index });
            announce(say(words.unpaired, { item: row.text }));
          });
          item.appendChild(undo);
        }
        lefts.appendChild(item);
      });
      rights.forEach(function (right, index) {
        var used = rows.some(function (row) { return row.select.value === right.value; });
        var take = button("pair-right" + (used ? " is-used" : ""), right.text);
        take.addEventListener("click", function () {
          if (chosen === null) {
            announce(words.pickLeft);
            return;
          }
          var row = rows[chosen];
          row.select.value = right.value;
          changed(row.select);
          var done = chosen;
          chosen = null;
          var next = rows.findIndex(function (r) { return !r.select.value; });
          render({ left: next === -1 ? done : next });
          announce(say(words.paired, { left: row.text, right: right.text }));
        });
        rightBox.appendChild(take);
        if (focus && focus.right === index) { take.focus(); }
      });
      box.classList.toggle("is-choosing", chosen !== null);
      if (focus && focus.left !== undefined) {
        var target = lefts.querySelectorAll(".pair-left")[focus.left];
        if (target) { target.focus(); }
      }
    }
    render(null);
  }

  // Ordering: move the steps up and down. The drop-down lists of positions stay the fields.
  function ordering(fieldset) {
    var rowsBox = fieldset.querySelector(".order-rows");
    if (!rowsBox) { return; }
    var items = Array.prototype.map.call(rowsBox.querySelectorAll(".order-row"), function (row, index) {
      var select = row.querySelector("select");
      var position = parseInt(select.value, 10);
      return { text: row.querySelector("label").textContent, select: select,
               rank: isNaN(position) ? 10000 + index : position, index: index };
    });
    if (!items.length) { return; }
    // the order the server would read from the positions: numbered ones first, the rest as shown
    items.sort(function (a, b) { return a.rank - b.rank || a.index - b.index; });
    var box = document.createElement("div");
    box.className = "ordering";
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.dir = "auto";
    hint.textContent = words.orderHint;
    var list = document.createElement("ol");
    list.className = "order-list";
    var state = document.createElement("p");
    state.className = "order-state";
    state.dir = "auto";
    box.appendChild(hint);
    box.appendChild(list);
    box.appendChild(state);
    replace(rowsBox, box);

    function chosenYet() { return items.some(function (item) { return item.select.value; }); }

    function write() {
      items.forEach(function (item, position) { item.select.value = String(position + 1); });
      changed(items[0].select);
    }

    function move(from, to, direction) {
      var item = items.splice(from, 1)[0];
      items.splice(to, 0, item);
      write();
      render({ index: to, direction: direction });
      announce(say(words.moved, { item: item.text, position: to + 1, total: items.length }));
    }

    function render(focus) {
      list.textContent = "";
      items.forEach(function (item, position) {
        var row = document.createElement("li");
        row.className = "order-item";
        var number = document.createElement("span");
        number.className = "order-position";
        number.setAttribute("aria-hidden", "true");
        number.textContent = String(position + 1);
        var text = document.createElement("span");
        text.className = "order-text";
        text.textContent = item.text;
        var moves = document.createElement("span");
        moves.className = "order-moves";
        var up = button("order-move order-up", "↑", say(words.moveUp, { item: item.text }));
        var down = button("order-move order-down", "↓", say(words.moveDown, { item: item.text }));
        up.disabled = position === 0;
        down.disabled = position === items.length - 1;
        up.addEventListener("click", function () { move(position, position - 1, "up"); });
        down.addEventListener("click", function () { move(position, position + 1, "down"); });
        moves.appendChild(up);
        moves.appendChild(down);
        row.appendChild(number);
        row.appendChild(text);
        row.appendChild(moves);
        list.appendChild(row);
        if (focus && focus.index === position) {
          var wanted = focus.direction === "up" ? up : down;
          (wanted.disabled ? (wanted === up ? down : up) : wanted).focus();
        }
      });
      state.textContent = "";
      if (chosenYet()) {
        state.textContent = words.orderSet;
      } else {
        state.appendChild(document.createTextNode(words.orderUnset + " "));
        var keep = button("button button-small button-secondary order-keep", words.keepOrder);
        keep.addEventListener("click", function () {
          write();
          render({ index: 0, direction: "down" });
          announce(words.orderSet);
        });
        state.appendChild(keep);
      }
    }
    render(null);
  }

  if (form) {
    recount();
    restore();
    form.querySelectorAll("fieldset.question-matching").forEach(pairing);
    form.querySelectorAll("fieldset.question-ordering").forEach(ordering);
    form.addEventListener("input", function (event) {
      var fieldset = event.target.closest ? event.target.closest("fieldset.question") : null;
      if (!fieldset) { return; }
      remember(fieldset);
      recount();
      schedule(800);
    });
    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest ? event.target.closest("fieldset.question") : null;
      if (!fieldset) { return; }
      remember(fieldset);
      recount();
      schedule(150);
    });
    var leaving = false;
    recount();  // answers brought back from this device count too
    form.addEventListener("submit", function (event) {
      // the form carries this page's answers; answers waiting from other pages go first
      if (leaving || (!waiting() && !inflight)) { return; }
      event.preventDefault();
      var submitter = event.submitter;
      flush().then(function (ok) {
        if (!ok && navigator.onLine === false) { return; }  // stay: the answers wait on this device
        leaving = true;
        if (form.requestSubmit) {
          form.requestSubmit(submitter || undefined);
        } else {
          if (submitter && submitter.name) {
            var carry = document.createElement("input");
            carry.type = "hidden";
            carry.name = submitter.name;
            carry.value = submitter.value;
            form.appendChild(carry);
          }
          form.submit();
        }
      });
    });
    if (waiting()) { send(); }
    form.dataset.autosave = "on";  // typing is saved from here on (browser tests wait for it)
  }

  // -- the summary: what waits goes first, and a submission with blanks is confirmed ---------------

  var finish = document.getElementById("finish");
  if (finish && !form) {
    if (waiting()) {
      send().then(function (ok) { if (ok) { window.location.reload(); } });  // the summary is out of date
    }
    var dialog = article.querySelector(".confirm-dialog");
    var consent = finish.querySelector('input[name="confirmed"]');
    if (consent) { consent.required = false; }  // asked in a dialog instead
    var submitting = false;
    var submitNow = function () {
      submitting = true;
      pending = {};
      persist();
      finish.submit();
    };
    var ask = function () {
      if (dialog && dialog.showModal) {
        dialog.showModal();
      } else if (window.confirm(dialog ? dialog.textContent.replace(/\s+/g, " ").trim() : "")) {
        submitNow();
      }
    };
    if (dialog) {
      dialog.querySelector(".js-confirm").addEventListener("click", function () {
        dialog.close();
        submitNow();
      });
      dialog.querySelector(".js-cancel").addEventListener("click", function () {
        dialog.close();
        var first = article.querySelector(".is-unanswered a");
        if (first) { first.focus(); }
      });
    }
    finish.addEventListener("submit", function (event) {
      event.preventDefault();
      if (submitting) { return; }
      flush().then(function (ok) {
        if (!ok) { return; }  // the status says why; nothing is submitted without the learner's answers
        if (consent && !(consent.checked)) { ask(); } else { submitNow(); }
      });
    });
  }

  // -- a countdown to the server's deadline ---------------------------------------------------------

  article.querySelectorAll(".countdown[data-deadline]").forEach(function (box) {
    var deadline = Date.parse(box.dataset.deadline);
    var value = box.querySelector(".countdown-value");
    var sent = false;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      box.classList.toggle("is-low", left < 60);
      if (left <= 5 && !sent) {
        sent = true;
        flush();
      }
      if (left === 0) {
        flush().then(function () {
          pending = {};  // too late for anything still waiting: the server grades what it has
          persist();
          window.location.reload();
        });
        return;
      }
      setTimeout(tick, 1000);
    }
    if (!isNaN(deadline) && value) { tick(); }
  });
})();
