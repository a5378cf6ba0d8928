// forklore's web player: plays the frames of one recorded run (the JSON in
// #forklore-movie, written by `forklore export --html`). Each frame is a
// keyframe ("k": every row) or a diff ("d": [row, column, style, text, …]
// segments) of the screen's cell grid. Nothing is fetched.
//
// The address's fragment sets where it starts: #chapter=N, #t=SECONDS,
// #speed=X, #paused (it plays at once otherwise).
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("forklore-movie").textContent);
  var root = document.getElementById("forklore");
  var frames = data.frames;
  var chapters = data.chapters;
  var duration = data.duration;

  // --- the screen: a grid of [symbol, style] cells, drawn row by row ---

  var grid = [];
  var dirty = [];
  for (var y = 0; y < data.rows; y++) {
    grid.push([]);
    for (var x = 0; x < data.cols; x++) grid[y].push([" ", 0]);
    dirty.push(true);
  }

  function cellsOf(text) {
    return typeof text === "string" ? Array.from(text) : text;
  }

  // Style/text pairs from runs[from] on, written into row y at column x.
  function put(y, x, runs, from) {
    for (var i = from; i < runs.length; i += 2) {
      var cells = cellsOf(runs[i + 1]);
      for (var j = 0; j < cells.length && x < data.cols; j++, x++) {
        grid[y][x] = [cells[j], runs[i]];
      }
    }
    dirty[y] = true;
  }

  function apply(frame) {
    if (frame.k) {
      frame.k.forEach(function (runs, y) { put(y, 0, runs, 0); });
    } else {
      frame.d.forEach(function (segment) { put(segment[0], segment[1], segment, 2); });
    }
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Fonts draw symbols such as ⧗ or ⚡ at their own widths: every
  // character but ASCII and box drawing gets a box of exactly its cells.
  var plain = /^[\x20-\x7e\u2500-\u259f]$/;

  function glyph(symbol, width) {
    var text = escapeHtml(symbol);
    if (width > 1) return '<span class="w">' + text + "</span>";
    return plain.test(symbol) ? text : '<span class="g">' + text + "</span>";
  }

  function drawRow(y) {
    var row = grid[y];
    var html = "";
    var style = -1;
    for (var x = 0; x < row.length; x++) {
      var cell = row[x];
      if (cell[0] === "") continue; // under the wide character before it
      if (cell[1] !== style) {
        if (style >= 0) html += "</span>";
        html += '<span class="s' + cell[1] + '">';
        style = cell[1];
      }
      var width = 1;
      while (x + width < row.length && row[x + width][0] === "") width++;
      html += glyph(cell[0], width);
    }
    if (style >= 0) html += "</span>";
    rowEls[y].innerHTML = html;
  }

  function flush() {
    for (var y = 0; y < data.rows; y++) {
      if (dirty[y]) drawRow(y);
      dirty[y] = false;
    }
  }

  // --- frames in time ---

  var shown = -1; // the frame on screen

  // The last frame due at `ms` (0 before the first).
  function frameAt(ms) {
    var lo = 0, hi = frames.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (frames[mid].t <= ms) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function show(i) {
    if (i === shown) return;
    var key = i;
    while (key > 0 && !frames[key].k) key--;
    // Going forward past no keyframe: only the diffs since the shown one.
    var from = shown >= key && shown < i ? shown + 1 : key;
    for (var f = from; f <= i; f++) apply(frames[f]);
    shown = i;
    flush();
  }

  // --- playing: recorded time `pos` (ms), at `speed` ---

  var pos = 0;
  var playing = false;
  var speed = data.speed || 1;
  var anchor = null; // [wall clock, pos] that coincide while playing
  var timer = null;

  function seek(ms) {
    pos = Math.max(0, Math.min(duration, ms));
    if (playing) anchor = [performance.now(), pos];
    show(frameAt(pos));
    update();
  }

  function play() {
    if (pos >= duration) pos = 0;
    playing = true;
    anchor = [performance.now(), pos];
    seek(pos);
    schedule();
  }

  function pause() {
    playing = false;
    clearTimeout(timer);
    update();
  }

  function schedule() {
    clearTimeout(timer);
    var next = frames[shown + 1];
    var wait = next ? (next.t - pos) / speed : 100;
    timer = setTimeout(tick, Math.max(4, Math.min(wait, 100)));
  }

  function tick() {
    if (!playing) return;
    var now = anchor[1] + (performance.now() - anchor[0]) * speed;
    if (now >= duration) {
      seek(duration);
      pause();
      return;
    }
    seek(now);
    schedule();
  }

  function setSpeed(s) {
    speed = s;
    offerSpeed(s);
    speedEl.value = String(s);
    if (playing) anchor = [performance.now(), pos];
  }

  // --- the page ---

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function seconds(ms) {
    var s = ms / 1000;
    if (duration < 10000) return s.toFixed(2) + " s";
    var m = Math.floor(s / 60);
    return m + ":" + (s - m * 60).toFixed(1).padStart(4, "0");
  }

  var sheet = el("style", {}, data.styles.map(function (css, i) {
    return ".s" + i + "{" + css + "}";
  }).join("\n"));
  document.head.appendChild(sheet);

  root.textContent = "";
  root.appendChild(el("h1", {}, data.title));
  var screen = el("div", { class: "screen", role: "img", "aria-label": "the recorded screen" });
  var rowEls = grid.map(function () { return screen.appendChild(el("div", { class: "row" })); });
  root.appendChild(screen);

  var controls = root.appendChild(el("div", { class: "controls" }));
  var playEl = controls.appendChild(el("button", { class: "play", type: "button" }));
  var bar = controls.appendChild(el("div", { class: "bar" }));
  var seekEl = bar.appendChild(el("input", {
    type: "range", min: "0", max: String(duration), step: "any", value: "0",
    "aria-label": "position",
  }));
  var marks = bar.appendChild(el("div", { class: "marks" }));
  var timeEl = controls.appendChild(el("span", { class: "time" }));
  var speedEl = controls.appendChild(el("select", { "aria-label": "speed" }));
  function offerSpeed(s) {
    if (!speedEl.querySelector('[value="' + s + '"]')) {
      speedEl.appendChild(el("option", { value: String(s) }, "×" + s));
    }
  }
  [0.1, 0.25, 0.5, 1, 2, 4, 8].forEach(offerSpeed);

  var list = el("ol", { class: "chapters" });
  var buttons = chapters.map(function (ch) {
    var button = el("button", { type: "button", "data-chapter": String(ch.n) });
    button.appendChild(el("span", { class: "at" }, seconds(ch.t)));
    button.appendChild(el("span", { class: "text" }, ch.text));
    button.addEventListener("click", function () { seek(ch.t); });
    list.appendChild(el("li")).appendChild(button);
    var mark = marks.appendChild(el("span", { title: ch.text }));
    mark.style.left = (duration > 0 ? (100 * ch.t) / duration : 0) + "%";
    return button;
  });
  if (chapters.length) {
    root.appendChild(el("h2", {}, "Chapters"));
    root.appendChild(list);
  }

  // The chapter being watched: the last one reached.
  function current() {
    var n = -1;
    chapters.forEach(function (ch, i) { if (ch.t <= pos) n = i; });
    return n;
  }

  function update() {
    playEl.textContent = playing ? "⏸ pause" : "▶ play";
    seekEl.value = String(pos);
    timeEl.textContent = seconds(pos) + " / " + seconds(duration);
    var now = current();
    buttons.forEach(function (b, i) {
      b.classList.toggle("current", i === now);
      if (i === now) b.setAttribute("aria-current", "true"); else b.removeAttribute("aria-current");
    });
    root.dataset.state = playing ? "playing" : pos >= duration ? "ended" : "paused";
    root.dataset.frame = String(shown);
    root.dataset.chapter = now >= 0 ? String(chapters[now].n) : "";
  }

  playEl.addEventListener("click", function () { if (playing) pause(); else play(); });
  seekEl.addEventListener("input", function () { seek(Number(seekEl.value)); });
  speedEl.addEventListener("change", function () { setSpeed(Number(speedEl.value)); });

  // The replay screen's keys: space, [ ] beats, , . one frame, + - speed.
  document.addEventListener("keydown", function (e) {
    var now = current();
    var actions = {
      " ": function () { if (playing) pause(); else play(); },
      "]": function () { if (buttons[now + 1]) buttons[now + 1].click(); },
      "[": function () {
        var back = now >= 0 && pos > chapters[now].t ? now : now - 1;
        if (buttons[back]) buttons[back].click(); else seek(0);
      },
      ".": function () { pause(); if (frames[shown + 1]) seek(frames[shown + 1].t); },
      ",": function () { pause(); if (shown > 0) seek(frames[shown - 1].t); },
      "+": function () { setSpeed(Math.min(64, speed * 2)); },
      "-": function () { setSpeed(Math.max(1 / 64, speed / 2)); },
    };
    if (actions[e.key] && e.target.tagName !== "SELECT") {
      e.preventDefault();
      actions[e.key]();
    }
  });

  // #chapter=N&speed=X&t=SECONDS&paused
  function fromAddress() {
    var opts = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var parts = kv.split("=");
      if (parts[0]) opts[decodeURIComponent(parts[0])] = decodeURIComponent(parts[1] || "");
    });
    if (opts.speed && Number(opts.speed) > 0) setSpeed(Number(opts.speed));
    if (opts.t) seek(Number(opts.t) * 1000);
    var chapter = opts.chapter && root.querySelector('[data-chapter="' + Number(opts.chapter) + '"]');
    if (chapter) chapter.click();
    return opts;
  }

  window.addEventListener("hashchange", fromAddress);
  setSpeed(speed);
  show(0);
  update();
  if (!("paused" in fromAddress()) && frames.length) play();
})();
