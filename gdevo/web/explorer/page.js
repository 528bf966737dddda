/* The explorer page, part 7 of 7: the UI wiring (pointer on the landscape, controls, keys,
 * theme, links) and the start. Loaded last: every other part is in window.GdevoPage by now. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { D, $, N, OPTIMIZERS, state, now } = G;
  const P = window.GdevoPlot;

  // ------------------------------------------------------------------ theme

  function applyTheme() {
    const chosen = state.theme || (D.project && D.project.theme) || "";   // the link's, else the project's
    const dark = chosen ? chosen === "dark" : !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    $("theme").textContent = dark ? "Light theme" : "Dark theme";
    document.querySelectorAll("[data-run]").forEach((el) => { el.style.background = G.colorOf(el.dataset.run); });
    document.querySelectorAll("[data-group]").forEach((el) => { el.style.borderColor = G.colorOf(el.dataset.group); });
  }

  // ------------------------------------------------------------------ pointer: click to start, drag the point

  let drag = null;
  function eventPoint(ev) {
    const rect = $("landscape").getBoundingClientRect();
    return [ev.clientX - rect.left, ev.clientY - rect.top];
  }
  function pointerDown(ev) {
    const [x, y] = eventPoint(ev);
    if (!now.landAxes || !now.landAxes.contains(x, y)) return;
    drag = { x, y, moved: false };
    try { $("landscape").setPointerCapture(ev.pointerId); } catch (err) { /* synthetic events have no capture */ }
    ev.preventDefault();
  }
  function pointerMove(ev) {
    if (!drag) return;
    const [x, y] = eventPoint(ev);
    if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < 4) return;
    drag.moved = true;
    G.pause();
    moveStart(x, y);
  }
  function pointerUp(ev) {
    if (!drag) return;
    const [x, y] = eventPoint(ev);
    const click = !drag.moved;
    drag = null;
    if (click) {           // a click starts a run where it lands
      moveStart(x, y);
      G.play();
    } else {
      G.writeHash();
    }
  }
  function moveStart(x, y) {
    const ax = now.landAxes;
    const cx = Math.max(ax.left, Math.min(ax.left + ax.width, x)), cy = Math.max(ax.top, Math.min(ax.top + ax.height, y));
    state.a = round(ax.dx(cx), 4);
    state.b = round(ax.dy(cy), 4);
    state.t = 0;
    now.live = G.newLive();
    G.draw();
  }
  const round = (v, digits) => Number(v.toFixed(digits));

  // ------------------------------------------------------------------ controls

  const SLIDERS = {   // state key -> [min, max, log?, digits]
    lr: [-3, 1, true, 3], mom: [0, 0.99, false, 2], batch: [1, N, false, 0], pop: [1, 64, false, 0],
    sigma: [-2, 0.5, true, 3], decay: [0.8, 1, false, 3], steps: [1, 300, false, 0],
  };

  function syncControls() {
    for (const name of OPTIMIZERS) $(`opt-${name}`).checked = state.opt === name;
    for (const [key, [lo, hi, log]] of Object.entries(SLIDERS)) {
      const el = $(key);
      el.min = lo; el.max = hi;
      el.step = log ? (hi - lo) / 200 : key in { batch: 1, pop: 1, steps: 1 } ? 1 : (hi - lo) / 200;
      el.value = log ? Math.log10(state[key]) : state[key];
      $(`${key}-value`).textContent = P.format(state[key]);
    }
    $("nesterov").checked = !!state.nesterov;
    $("seed").value = state.seed;
    if (document.activeElement !== $("target")) $("target").value = state.target;
    const evo = state.opt === "evolution";
    document.querySelectorAll(".grad-only").forEach((el) => { el.hidden = evo; });
    document.querySelectorAll(".evo-only").forEach((el) => { el.hidden = !evo; });
    document.querySelectorAll(".momentum-only").forEach((el) => { el.hidden = state.opt !== "momentum"; });
    for (const box of document.querySelectorAll("#replays input")) box.checked = G.replayNames().includes(box.value);
    G.updateButtons();
  }

  G.updateButtons = function () {
    $("play").disabled = now.playing;
    $("pause").disabled = !now.playing;
  };

  function slider(ev) {
    const key = ev.target.id;
    const [, , log, digits] = SLIDERS[key];
    let v = Number(ev.target.value);
    if (log) v = Number(Math.pow(10, v).toPrecision(digits));
    state[key] = G.clampValue(key, v);
    $(`${key}-value`).textContent = P.format(state[key]);
    settingsChanged();
  }

  /* A changed setting recomputes the live run up to the current step at once (as Distill's
   * momentum article does), so a slider shows its effect on the whole path. */
  function settingsChanged() {
    if (now.live) G.rebuildLive();
    G.draw();
    G.writeHash();
  }

  function targetEntered() {
    const text = $("target").value;
    const msg = $("target-msg");
    try {
      G.setTarget(text);
    } catch (err) {
      msg.textContent = err.message;
      msg.className = "error";
      $("target").setAttribute("aria-invalid", "true");
      return;
    }
    msg.textContent = now.land.fromTrace ? "landscape from the trace (recorded with torch)"
      : "landscape recomputed for this target (recorded runs hidden: they were recorded on the trace's target)";
    msg.className = "ok";
    $("target").removeAttribute("aria-invalid");
    settingsChanged();
  }

  /* Apply a whole state (from a link): target, settings, replays, then the live run to step t. */
  function applyState(next) {
    G.pause();
    const target = next.target;
    Object.assign(state, next);
    try {
      G.setTarget(target);
      $("target-msg").textContent = "";
    } catch (err) {
      G.setTarget(D.data.target);
      $("target-msg").textContent = err.message;
      $("target-msg").className = "error";
    }
    now.live = null;
    if (state.t > 0) G.rebuildLive();
    applyTheme();
    syncControls();
    G.draw();
    G.drawSweeps();
  }

  // ------------------------------------------------------------------ start

  function wire() {
    const canvas = $("landscape");
    canvas.addEventListener("pointerdown", pointerDown);
    canvas.addEventListener("pointermove", pointerMove);
    canvas.addEventListener("pointerup", pointerUp);
    canvas.addEventListener("pointercancel", () => { drag = null; });
    for (const name of OPTIMIZERS) {
      $(`opt-${name}`).addEventListener("change", () => { state.opt = name; syncControls(); settingsChanged(); });
    }
    for (const key of Object.keys(SLIDERS)) $(key).addEventListener("input", slider);
    $("nesterov").addEventListener("change", () => { state.nesterov = $("nesterov").checked ? 1 : 0; settingsChanged(); });
    $("seed").addEventListener("change", () => {
      const v = Number($("seed").value);
      if (Number.isFinite(v)) state.seed = G.clampValue("seed", v);
      $("seed").value = state.seed;
      settingsChanged();
    });
    $("target").addEventListener("change", targetEntered);
    $("target-form").addEventListener("submit", (ev) => { ev.preventDefault(); targetEntered(); });
    $("play").addEventListener("click", () => { if (!now.live && state.t === 0) now.live = G.newLive(); G.play(); });
    $("pause").addEventListener("click", G.pause);
    $("step").addEventListener("click", () => { G.pause(); if (!now.live) now.live = G.newLive(); G.stepOnce(); G.draw(); G.writeHash(); });
    $("reset").addEventListener("click", () => { G.pause(); state.t = 0; now.live = null; G.draw(); G.writeHash(); });
    $("theme").addEventListener("click", () => {
      state.theme = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
      applyTheme(); G.draw(); G.drawSweeps(); G.writeHash();
    });
    window.addEventListener("hashchange", () => {
      if (location.hash !== G.lastWrittenHash() && location.hash !== G.currentHash()) applyState(G.readHash(location.hash));
    });
    document.addEventListener("keydown", (ev) => {   // for presenting: space plays/pauses, → steps, r resets
      if (ev.target.closest && ev.target.closest("input, select, textarea, button")) return;
      if (ev.key === " ") { ev.preventDefault(); if (now.playing) G.pause(); else $("play").click(); }
      else if (ev.key === "ArrowRight") { ev.preventDefault(); $("step").click(); }
      else if (ev.key === "r") $("reset").click();
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(G.draw, 100); });
    if (window.matchMedia) {
      const mq = window.matchMedia("(prefers-color-scheme: dark)");
      const follow = () => { if (!state.theme) { applyTheme(); G.draw(); G.drawSweeps(); } };
      if (mq.addEventListener) mq.addEventListener("change", follow);
    }
  }

  function init() {
    $("subtitle").textContent = `f(x) = ${D.model} fitted by MSE to ${N} points of ${D.data.target} — ` +
      `landscape and recorded runs from the ${D.name} trace (torch ${D.versions.torch}).`;
    $("model").textContent = D.model;
    if (D.project && D.project.title) $("project").textContent = D.project.title;
    window.GdevoExplorer = { state, readHash: G.readHash, currentHash: G.currentHash, applyState,
      checkRecorded: G.checkRecorded, play: G.play, pause: G.pause, stepOnce: G.stepOnce,
      get live() { return now.live; }, get landscape() { return now.land; }, get axes() { return now.landAxes; },
      toPixel: (a, b) => [now.landAxes.px(a), now.landAxes.py(b)], checks: null, ready: false };
    wire();
    const checks = G.checkRecorded();
    window.GdevoExplorer.checks = checks;
    G.buildReplayList(checks);
    G.buildSweeps();
    applyState(G.readHash(location.hash));
    window.GdevoExplorer.ready = true;
    document.body.dataset.ready = "true";
  }

  init();
})();
