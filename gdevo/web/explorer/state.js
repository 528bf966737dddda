/* The explorer page, part 1 of 7: the trace's data, the page's state and the URL hash.
 *
 * The page is split by concern into classic scripts (no ES modules: it must open from file://),
 * loaded in order by index.html: state.js, landscape.js, charts.js, live.js, replays.js,
 * sweeps.js, page.js. They share one namespace, window.GdevoPage: the data and constants (set
 * here, read-only), the state that the URL hash carries (`state`), what the page computed
 * (`now`: problem, landscape, live run, ...) and each part's functions, called through it.
 *
 * Data comes from data.js (written by `gdevo explore` from the trace). The whole state lives in
 * the URL hash (TensorFlow Playground's habit), so a link reopens the same view, mid-run
 * included: live runs are deterministic (seeded), so `t=15` recomputes the same 15 steps.
 * No eval, no new Function, no inline handlers (the page's CSP forbids them anyway).
 */
(function () {
  "use strict";

  const D = window.GDEVO_EXPLORER;
  const { parse } = window.GdevoExpr;

  function b64floats(text) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  const nullToNaN = (v) => (v === null ? NaN : v);

  const XS = D.data.x;
  const N = XS.length;
  const RUNS = D.runs.map((r) => Object.assign({}, r, { loss: r.loss.map(nullToNaN) }));

  const DEFAULTS = {
    opt: "momentum", lr: 0.2, mom: 0.9, nesterov: 0, batch: N, pop: 8, sigma: 0.3, decay: 1, steps: 40, seed: 1,
    a: D.start[0], b: D.start[1], t: 0, target: D.data.target, replay: "", theme: "", hp: "", race: "",
  };
  const LIMITS = {
    lr: [1e-4, 100], mom: [0, 0.999], batch: [1, N], pop: [1, 256], sigma: [1e-4, 10], decay: [0.5, 1], steps: [1, 2000],
    seed: [0, 2 ** 31 - 1], a: [-1e3, 1e3], b: [-1e3, 1e3], t: [0, 2000], nesterov: [0, 1],
  };
  const INTEGER = new Set(["batch", "pop", "steps", "seed", "t", "nesterov"]);
  // the page's own optimizers (its radio buttons); recorded runs bring their label and colour in the payload
  const OPTIMIZERS = ["sgd", "momentum", "adam", "evolution"];
  const OPT_LABEL = { sgd: "SGD", momentum: "SGD + momentum", adam: "Adam", evolution: "Local search" };

  const G = {
    D, $: (id) => document.getElementById(id), b64floats, nullToNaN,
    MODEL: parse(D.model, ["a", "b", "x"], "model"), XS, N,
    A_AXIS: D.landscape.a, B_AXIS: D.landscape.b, NA: D.landscape.a.length, NB: D.landscape.b.length,
    TRACE_GRID: b64floats(D.landscape.loss), LUT: D.colormap,
    RUNS, RUN_BY_NAME: new Map(RUNS.map((r) => [r.name, r])), OPTIMIZERS, OPT_LABEL, DEFAULTS,
    VIEW: 440,
    state: Object.assign({}, DEFAULTS),
    now: {
      problem: null,     // CurveFit for the current target
      targetFn: null,    // parsed target
      land: null,        // {grid, min:[a,b,loss], norm, image, contours}
      live: null,        // the live run
      playing: false,
      timer: null,
      landAxes: null,    // the landscape's axes as last drawn (pointer -> parameters)
    },
  };
  window.GdevoPage = G;

  // ------------------------------------------------------------------ colours (from the payload)

  G.themeColors = function () {
    const css = getComputedStyle(document.documentElement);
    const v = (name) => css.getPropertyValue(name).trim();
    return { text: v("--text"), muted: v("--muted"), axis: v("--axis"), bg: v("--panel"), grid: v("--grid"),
      font: "12px system-ui, -apple-system, 'Segoe UI', sans-serif", point: v("--point"), data: v("--data") };
  };
  /* A halo in the opposite lightness keeps a path visible on any colour. */
  G.halo = () => (document.documentElement.dataset.theme === "light" ? "rgba(255,255,255,0.8)" : "rgba(0,0,0,0.55)");
  /* The video's colour for a run, race group or the page's optimizer, in the page's theme, as the
   * payload gives it (scenes/kit/palette.py); a name the payload has no colour for gets the theme's text colour. */
  G.colorOf = (name) => {
    const table = D.colors[document.documentElement.dataset.theme === "light" ? "light" : "dark"];
    return table[name] || table.text;
  };

  // ------------------------------------------------------------------ the URL hash

  G.clampValue = function (key, v) {
    const [lo, hi] = LIMITS[key];
    v = Math.max(lo, Math.min(hi, v));
    return INTEGER.has(key) ? Math.round(v) : v;
  };

  /* Read the hash into a state; unknown or bad values keep their defaults. */
  G.readHash = function (hash) {
    const params = new URLSearchParams((hash || "").replace(/^#/, ""));
    const next = Object.assign({}, DEFAULTS);
    for (const [key, raw] of params) {
      if (!Object.prototype.hasOwnProperty.call(DEFAULTS, key)) continue;
      if (typeof DEFAULTS[key] === "number") {
        const v = Number(raw);
        if (raw !== "" && Number.isFinite(v)) next[key] = G.clampValue(key, v);
      } else {
        next[key] = raw;
      }
    }
    if (!OPTIMIZERS.includes(next.opt)) next.opt = DEFAULTS.opt;
    if (!["", "light", "dark"].includes(next.theme)) next.theme = "";
    return next;
  };

  G.currentHash = function () {
    const params = new URLSearchParams();
    for (const key of Object.keys(DEFAULTS)) {
      const v = G.state[key];
      if (key === "theme" && !v) continue;
      if ((key === "replay" || key === "hp" || key === "race") && !v) continue;
      params.set(key, String(v));
    }
    return "#" + params.toString();
  };

  const hash = { timer: null, lastWritten: "" };
  G.lastWrittenHash = () => hash.lastWritten;
  G.writeHash = function () {
    if (hash.timer) clearTimeout(hash.timer);
    hash.timer = setTimeout(() => {
      hash.timer = null;
      const h = G.currentHash();
      if (h === location.hash) return;
      hash.lastWritten = h;
      try { history.replaceState(null, "", h); } catch (err) { location.hash = h; }
    }, 150);
  };
})();
