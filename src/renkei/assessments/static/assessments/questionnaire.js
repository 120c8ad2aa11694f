/* Autosave of the questionnaire screen (partner portal and staff answering page). No framework.
 *
 * Every edit is written to localStorage before it is sent and removed only when the server has
 * confirmed it, so a reload, a closed tab or a dropped connection loses nothing: on the next load the
 * edits are put back into the page and sent again, and while offline they are retried when the
 * browser comes back online and on a timer. Each save carries the answer's version as loaded
 * (`base_version`); if somebody else saved the answer since, the server refuses with 409 and their
 * answer, and the page asks which one to keep instead of overwriting either.
 * Without JavaScript the section forms' Save buttons post the same answers.
 */
(function () {
  "use strict";

  var root = document.getElementById("questionnaire");
  if (!root) { return; }
  document.documentElement.classList.add("js");

  var MSG = JSON.parse(document.getElementById("questionnaire-messages").textContent);
  var storeKey = root.getAttribute("data-store-key");
  var editable = root.getAttribute("data-editable") === "1";
  var readOnly = root.classList.contains("is-readonly");
  var TEXT_DELAY_MS = 600;
  var RETRY_MS = 15000;
  var globalStatus = document.getElementById("q-global-status");
  var states = {};
  var lastSaved = "";

  // --- small helpers ------------------------------------------------------------------------------

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_match, key) {
      return values[key] !== undefined && values[key] !== null ? String(values[key]) : "";
    });
  }

  var clock = null;
  try {
    clock = new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hour12: false });
  } catch (e) { clock = null; }

  function hhmm(iso) {
    var date = iso ? new Date(iso) : new Date();
    return clock ? clock.format(date) : date.toTimeString().slice(0, 5);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) { return meta.content; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function isAnswered(value) {
    return !(value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0));
  }

  function sameValue(a, b) {
    return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  }

  // --- the store of unsent edits: {question id: {value, note, base_version, seq}} -------------------

  function readStore() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }

  var pending = readStore();

  function writeStore() {
    try {
      if (Object.keys(pending).length) { window.localStorage.setItem(storeKey, JSON.stringify(pending)); }
      else { window.localStorage.removeItem(storeKey); }
    } catch (e) { /* storage full or disabled: the edits still live in this page */ }
  }

  // --- reading and writing a question's controls ----------------------------------------------------

  function block(qid) { return document.getElementById("q-" + qid); }

  function state(qid) {
    if (!states[qid]) { states[qid] = { sending: false, timer: null, conflict: false, blocked: false, offline: false }; }
    return states[qid];
  }

  function fields(el, suffix) {
    return el.querySelectorAll('[name="q' + el.getAttribute("data-qid") + (suffix || "") + '"]');
  }

  function readValue(el) {
    var control = el.getAttribute("data-control");
    var inputs = fields(el);
    var i;
    if (control === "radio") {
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { return inputs[i].value; } }
      return null;
    }
    if (control === "checkbox") {
      var values = [];
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { values.push(inputs[i].value); } }
      return values;
    }
    if (control === "file" || !inputs.length) { return null; }
    return inputs[0].value;
  }

  function readNote(el) {
    var note = fields(el, "-note")[0];
    return note ? note.value : "";
  }

  function writeValue(el, value, note) {
    var control = el.getAttribute("data-control");
    var inputs = fields(el);
    var wanted = Array.isArray(value) ? value.map(String) : (value === null || value === undefined ? [] : [String(value)]);
    var i;
    if (control === "radio" || control === "checkbox") {
      for (i = 0; i < inputs.length; i++) { inputs[i].checked = wanted.indexOf(inputs[i].value) !== -1; }
    } else if (inputs.length && control !== "file") {
      inputs[0].value = wanted.length ? wanted[0] : "";
    }
    var noteField = fields(el, "-note")[0];
    if (noteField && note !== undefined && note !== null) { noteField.value = note; }
  }

  function setVersion(el, version) {
    el.setAttribute("data-version", String(version));
    var hidden = fields(el, "-version")[0];
    if (hidden) { hidden.value = String(version); }
  }

  // --- status per question and for the page ---------------------------------------------------------

  function setStatus(el, kind, text) {
    var status = el.querySelector(".q-status");
    if (!status) { return; }
    status.className = "q-status q-status-" + kind;
    status.textContent = text || "";
    status.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function updateGlobal() {
    if (!globalStatus) { return; }
    var ids = Object.keys(pending);
    var sending = 0, offline = 0, conflicts = 0;
    ids.forEach(function (qid) {
      var st = state(qid);
      if (st.sending) { sending += 1; }
      if (st.offline) { offline += 1; }
      if (st.conflict) { conflicts += 1; }
    });
    var kind = "saved", text = lastSaved ? format(MSG.saved, { time: lastSaved }) : "";
    if (offline) { kind = "offline"; text = MSG.offline + " " + format(MSG.pending, { n: ids.length }); }
    else if (sending) { kind = "saving"; text = MSG.saving; }
    else if (ids.length) { kind = conflicts ? "error" : "pending"; text = format(MSG.pending, { n: ids.length }); }
    else if (lastSaved) { text = MSG.all_saved + " · " + format(MSG.saved, { time: lastSaved }); }
    globalStatus.className = "q-global-status q-status-" + kind;
    globalStatus.textContent = text;
  }

  function updateProgress(answered, total) {
    var progress = document.getElementById("q-progress");
    if (progress && typeof answered === "number") { progress.value = answered; progress.max = total; }
    var a = document.getElementById("q-answered");
    if (a && typeof answered === "number") { a.textContent = String(answered); }
    var t = document.getElementById("q-total");
    if (t && typeof total === "number") { t.textContent = String(total); }
  }

  function updateSectionCount(sectionId) {
    var counter = document.querySelector('[data-section-count="' + sectionId + '"] span');
    if (!counter) { return; }
    counter.textContent = String(root.querySelectorAll('.q[data-section="' + sectionId + '"][data-answered="1"]').length);
  }

  function showSaved(el, body) {
    setVersion(el, body.version);
    el.setAttribute("data-answered", isAnswered(body.value) ? "1" : "0");
    el.classList.remove("q-carried", "q-has-error");
    var carried = el.querySelector(".q-carried-note");
    if (carried) { carried.parentNode.removeChild(carried); }
    var updated = el.querySelector(".q-updated");
    if (updated && body.updated_by) { updated.textContent = format(MSG.updated, { name: body.updated_by, time: body.time || hhmm(body.updated_at) }); }
    lastSaved = body.time || hhmm(body.updated_at);
    setStatus(el, "saved", format(MSG.saved, { time: lastSaved }));
    updateSectionCount(el.getAttribute("data-section"));
  }

  // --- editing and sending --------------------------------------------------------------------------

  function edited(el, delay) {
    var qid = el.getAttribute("data-qid");
    var entry = pending[qid];
    var st = state(qid);
    pending[qid] = {
      value: readValue(el),
      note: readNote(el),
      // The version this edit was made on: the one loaded, or the last one the server confirmed.
      base_version: entry ? entry.base_version : Number(el.getAttribute("data-version") || 0),
      seq: entry ? entry.seq + 1 : 1
    };
    writeStore();
    if (st.conflict) { return; }  // the person decides in the conflict notice first
    setStatus(el, "pending", "");
    schedule(qid, delay);
    updateGlobal();
  }

  function schedule(qid, delay) {
    var st = state(qid);
    if (st.timer) { window.clearTimeout(st.timer); }
    st.timer = window.setTimeout(function () { st.timer = null; send(qid, false); }, delay);
  }

  function send(qid, keepalive) {
    var el = block(qid);
    var entry = pending[qid];
    var st = state(qid);
    if (!el || !entry || st.sending || st.conflict || st.blocked) { return; }
    st.sending = true;
    var seq = entry.seq;
    setStatus(el, "saving", MSG.saving);
    updateGlobal();
    window.fetch(el.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ value: entry.value, note: entry.note, base_version: entry.base_version })
    }).then(function (response) {
      return response.json().catch(function () { return { message: response.statusText || String(response.status) }; })
        .then(function (body) {
          // Sent on to a login page (the session ended) or any other answer that is not ours: not saved.
          var lost = response.redirected || (response.status === 200 && typeof body.version !== "number");
          return { status: lost ? 401 : response.status, body: lost ? { message: MSG.session } : body };
        });
    }).then(function (result) {
      st.sending = false;
      st.offline = false;
      received(qid, seq, result.status, result.body || {});
      updateGlobal();
    }).catch(function () {
      st.sending = false;
      st.offline = true;
      setStatus(el, "offline", MSG.offline);
      updateGlobal();
    });
  }

  function confirmed(qid, seq, version) {
    var entry = pending[qid];
    if (entry && entry.seq === seq) {
      delete pending[qid];
    } else if (entry) {
      // Typed more while this save was on its way: send that on top of the version just saved.
      entry.base_version = version;
      schedule(qid, 0);
    }
    writeStore();
  }

  function received(qid, seq, status, body) {
    var el = block(qid);
    var entry = pending[qid];
    var st = state(qid);
    if (status === 200) {
      showSaved(el, body);
      confirmed(qid, seq, body.version);
      updateProgress(body.answered, body.total);
      return;
    }
    if (status === 409 && body.current) {
      var current = body.current;
      if (entry && sameValue(entry.value, current.value) && (entry.note || "") === (current.note || "")) {
        // Our own earlier save whose answer never reached us (a dropped connection): nothing to decide.
        setVersion(el, current.version);
        confirmed(qid, seq, current.version);
        setStatus(el, "saved", format(MSG.saved, { time: current.time ? String(current.time).slice(-5) : hhmm(current.updated_at) }));
        return;
      }
      showConflict(el, current);
      return;
    }
    var message = format(MSG.error, { message: body.message || status });
    if (status >= 500 || status === 429 || status === 0) {
      st.offline = true;  // the server is not answering properly: keep the edit and retry
      setStatus(el, "offline", MSG.offline);
      return;
    }
    if (status === 401 || status === 403) {
      // Logged out, or the link no longer works: keep the edit (it is sent from this page's next load).
      st.blocked = true;
      setStatus(el, "error", message);
      return;
    }
    // Bad value, read only, not found: this edit can never be saved as it is; the person sees why.
    if (entry && entry.seq === seq) { delete pending[qid]; writeStore(); }
    el.classList.add("q-has-error");
    setStatus(el, "error", message);
  }

  // --- conflicts ------------------------------------------------------------------------------------

  function showConflict(el, current) {
    var qid = el.getAttribute("data-qid");
    var st = state(qid);
    st.conflict = true;
    var box = el.querySelector(".q-conflict");
    box.textContent = "";
    var who = document.createElement("p");
    var time = current.time ? String(current.time) : hhmm(current.updated_at);
    who.textContent = format(MSG.conflict, { name: current.updated_by || MSG.someone, time: time });
    box.appendChild(who);
    var theirs = document.createElement("p");
    theirs.className = "q-conflict-value";
    theirs.textContent = current.label || MSG.nothing;
    box.appendChild(theirs);
    if (current.note) {
      var note = document.createElement("p");
      note.className = "q-conflict-note";
      note.textContent = MSG.conflict_note + " " + current.note;
      box.appendChild(note);
    }
    var useTheirs = document.createElement("button");
    useTheirs.type = "button";
    useTheirs.className = "secondary small q-use-theirs";
    useTheirs.textContent = MSG.use_theirs;
    useTheirs.addEventListener("click", function () {
      writeValue(el, current.value, current.note || "");
      setVersion(el, current.version);
      el.setAttribute("data-answered", isAnswered(current.value) ? "1" : "0");
      delete pending[qid];
      writeStore();
      closeConflict(el);
      var updated = el.querySelector(".q-updated");
      if (updated && current.updated_by) { updated.textContent = format(MSG.updated, { name: current.updated_by, time: time }); }
      setStatus(el, "saved", "");
      updateSectionCount(el.getAttribute("data-section"));
      updateGlobal();
    });
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "small q-keep-mine";
    keepMine.textContent = MSG.keep_mine;
    keepMine.addEventListener("click", function () {
      var entry = pending[qid];
      if (!entry) {
        pending[qid] = { value: readValue(el), note: readNote(el), base_version: current.version, seq: 1 };
      } else {
        entry.base_version = current.version;
      }
      writeStore();
      closeConflict(el);
      send(qid, false);
    });
    var buttons = document.createElement("div");
    buttons.className = "actions";
    buttons.appendChild(useTheirs);
    buttons.appendChild(keepMine);
    box.appendChild(buttons);
    box.hidden = false;
    el.classList.add("q-in-conflict");
    setStatus(el, "error", "");
    updateGlobal();
  }

  function closeConflict(el) {
    var box = el.querySelector(".q-conflict");
    box.hidden = true;
    box.textContent = "";
    el.classList.remove("q-in-conflict");
    state(el.getAttribute("data-qid")).conflict = false;
  }

  // --- wiring ---------------------------------------------------------------------------------------

  function answerBlock(target) {
    var el = target.closest ? target.closest(".q") : null;
    if (!el || !target.name) { return null; }
    var qid = el.getAttribute("data-qid");
    return target.name === "q" + qid || target.name === "q" + qid + "-note" ? el : null;
  }

  function retryAll() {
    Object.keys(pending).forEach(function (qid) {
      var st = state(qid);
      if (!st.sending && !st.conflict && !st.blocked && !st.timer) { send(qid, false); }
    });
    updateGlobal();
  }

  if (readOnly) {
    // Submitted meanwhile (e.g. by a colleague): edits left in this browser can no longer be saved.
    if (Object.keys(pending).length) {
      pending = {};
      writeStore();
    }
    return;
  }

  root.addEventListener("input", function (event) {
    var el = answerBlock(event.target);
    if (!el || event.target.type === "radio" || event.target.type === "checkbox") { return; }
    edited(el, TEXT_DELAY_MS);
  });

  root.addEventListener("change", function (event) {
    var el = answerBlock(event.target);
    if (!el) { return; }
    // Choices save at once; text fields save when the person leaves them (and after a pause typing).
    edited(el, 0);
  });

  window.addEventListener("online", retryAll);
  window.setInterval(retryAll, RETRY_MS);
  window.addEventListener("pagehide", function () {
    // Leaving the page with an edit still waiting for its pause: send it now (it stays stored too).
    Object.keys(states).forEach(function (qid) {
      var st = states[qid];
      if (st.timer) { window.clearTimeout(st.timer); st.timer = null; send(qid, true); }
    });
  });

  // Edits left from a reload or a dropped connection: back into the page, and sent again.
  var restored = 0;
  Object.keys(pending).forEach(function (qid) {
    var el = block(qid);
    var entry = pending[qid];
    if (!el || !entry) { delete pending[qid]; return; }
    writeValue(el, entry.value, entry.note);
    setStatus(el, "pending", "");
    restored += 1;
  });
  writeStore();
  if (restored) {
    if (globalStatus) { globalStatus.textContent = format(MSG.restored, { n: restored }); }
    if (editable) { retryAll(); }
  }
}());
