/* The explorer page: parameter space (the loss landscape of a 2-parameter network) linked to
 * function space (its curve over the data), live runs of SGD / momentum / Adam / local search
 * started by a click, the trace's recorded runs as replays, and the recorded sweeps.
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
  const O = window.GdevoOptim;
  const P = window.GdevoPlot;
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ data from the trace

  function b64floats(text) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }
  const nullToNaN = (v) => (v === null ? NaN : v);

  const MODEL = parse(D.model, ["a", "b", "x"], "model");
  const XS = D.data.x;
  const N = XS.length;
  const A_AXIS = D.landscape.a, B_AXIS = D.landscape.b;
  const NA = A_AXIS.length, NB = B_AXIS.length;
  const TRACE_GRID = b64floats(D.landscape.loss);
  const LUT = D.colormap;
  const RUNS = D.runs.map((r) => Object.assign({}, r, { loss: r.loss.map(nullToNaN) }));
  const RUN_BY_NAME = new Map(RUNS.map((r) => [r.name, r]));
  const OPTIMIZERS = ["sgd", "momentum", "adam", "evolution"];
  const OPT_LABEL = { sgd: "SGD", momentum: "SGD + momentum", adam: "Adam", evolution: "Local search" };

  const DEFAULTS = {
    opt: "momentum", lr: 0.2, mom: 0.9, nesterov: 0, batch: N, pop: 8, sigma: 0.3, decay: 1, steps: 40, seed: 1,
    a: D.start[0], b: D.start[1], t: 0, target: D.data.target, replay: "", theme: "", hp: "", race: "",
  };
  const LIMITS = {
    lr: [1e-4, 100], mom: [0, 0.999], batch: [1, N], pop: [1, 256], sigma: [1e-4, 10], decay: [0.5, 1], steps: [1, 2000],
    seed: [0, 2 ** 31 - 1], a: [-1e3, 1e3], b: [-1e3, 1e3], t: [0, 2000], nesterov: [0, 1],
  };
  const INTEGER = new Set(["batch", "pop", "steps", "seed", "t", "nesterov"]);

  const state = Object.assign({}, DEFAULTS);
  let problem = null;        // CurveFit for the current target
  let targetFn = null;       // parsed target
  let land = null;           // {grid, min:[a,b,loss], norm, image, contours}
  let live = null;           // the live run
  let playing = false;
  let timer = null;

  // ------------------------------------------------------------------ theme

  function themeColors() {
    const css = getComputedStyle(document.documentElement);
    const v = (name) => css.getPropertyValue(name).trim();
    return { text: v("--text"), muted: v("--muted"), axis: v("--axis"), bg: v("--panel"), grid: v("--grid"),
      font: "12px system-ui, -apple-system, 'Segoe UI', sans-serif", point: v("--point"), data: v("--data") };
  }
  function applyTheme() {
    const chosen = state.theme || (D.project && D.project.theme) || "";   // the link's, else the project's
    const dark = chosen ? chosen === "dark" : !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    $("theme").textContent = dark ? "Light theme" : "Dark theme";
    document.querySelectorAll("[data-run]").forEach((el) => { el.style.background = colorOf(el.dataset.run); });
    document.querySelectorAll("[data-group]").forEach((el) => { el.style.borderColor = colorOf(el.dataset.group); });
  }
  /* The video's colour for a run or optimizer, in the page's theme (scenes/kit/palette.py). */
  const halo = () => (document.documentElement.dataset.theme === "light" ? "rgba(255,255,255,0.8)" : "rgba(0,0,0,0.55)");
  const colorOf = (name) => {
    const table = D.colors[document.documentElement.dataset.theme === "light" ? "light" : "dark"];
    return table[name] || table.sgd;
  };

  // ------------------------------------------------------------------ the problem and its landscape

  /* Use `text` as the target: parse it (a bad expression throws and changes nothing), then
   * recompute the data's y and the landscape (the trace's grid when it is the trace's target). */
  function setTarget(text) {
    const fn = parse(text, ["x"], "target");
    const ys = XS.map((x) => fn.value({ x }));
    if (!ys.every(Number.isFinite)) throw new window.GdevoExpr.ExprError(`target: ${text} is not finite at every data point`);
    targetFn = fn;
    state.target = fn.text;
    const same = fn.text === D.data.target.trim();
    problem = new O.CurveFit(MODEL, XS, same ? D.data.y : ys);
    let grid = TRACE_GRID;
    if (!same) {
      grid = new Float64Array(NA * NB);
      for (let i = 0; i < NB; i++) for (let j = 0; j < NA; j++) grid[i * NA + j] = problem.loss([A_AXIS[j], B_AXIS[i]]);
    }
    buildLandscape(grid, same);
  }

  function buildLandscape(grid, fromTrace) {
    let lo = Infinity, hi = -Infinity, at = 0;
    for (let k = 0; k < grid.length; k++) {
      const v = grid[k];
      if (!Number.isFinite(v)) continue;
      if (v < lo) { lo = v; at = k; }
      if (v > hi) hi = v;
    }
    const min = fromTrace ? [D.landscape.min[0], D.landscape.min[1], D.landscape.min_loss]
      : [A_AXIS[at % NA], B_AXIS[Math.floor(at / NA)], lo];
    const floor = Math.max(lo, hi * 1e-4, 1e-12);
    const l0 = Math.log10(floor), l1 = Math.log10(Math.max(hi, floor * 10));
    const norm = (v) => (Math.log10(Math.max(v, floor)) - l0) / (l1 - l0);
    // contour levels at quantiles of the grid, so lines spread over plateaus and valleys alike
    const sorted = Array.from(grid).filter(Number.isFinite).sort((x, y) => x - y);
    const levels = [];
    for (let k = 1; k <= 14; k++) {
      const v = sorted[Math.floor((sorted.length - 1) * Math.pow(k / 15, 1.6))];
      if (v > lo && !levels.includes(v)) levels.push(v);
    }
    land = { grid, min, norm, lo, hi, fromTrace, levels, image: P.heatmap(grid, NA, NB, LUT, norm),
      contours: levels.map((lev) => P.contour(grid, NA, NB, lev)), checksum: checksum(grid) };
  }

  function checksum(grid) {
    let s = 0;
    for (let k = 0; k < grid.length; k += 97) s += Number.isFinite(grid[k]) ? grid[k] * ((k % 13) + 1) : 0;
    return s;
  }

  // ------------------------------------------------------------------ the live run

  function settings() {
    const opt = state.opt;
    return { optimizer: opt === "adam" ? "adam" : opt === "evolution" ? "evolution" : "sgd", lr: state.lr,
      momentum: opt === "momentum" ? state.mom : 0, nesterov: opt === "momentum" && !!state.nesterov };
  }

  function newLive() {
    const s = settings();
    const start = [state.a, state.b];
    const loss0 = problem.loss(start);
    const run = { kind: s.optimizer === "evolution" ? "evolution" : "gradient", opt: state.opt, path: [start],
      loss: [loss0], evals: [s.optimizer === "evolution" ? 1 : 0], rounds: [], rng: new O.Rng(state.seed), error: null };
    try {
      if (run.kind === "evolution") {
        run.search = new O.LocalSearch({ population: state.pop, sigma: state.sigma, decay: state.decay }, start, loss0, run.rng);
      } else {
        run.optimizer = O.makeGradientOptimizer(s);
      }
    } catch (err) {
      run.error = err.message;
    }
    return run;
  }

  /* One step (gradient) or one round (local search) of the live run. */
  function advance(run) {
    if (run.error || run.path.length - 1 >= state.steps) return false;
    const p = run.path[run.path.length - 1];
    if (!p.every(Number.isFinite) || Math.max(Math.abs(p[0]), Math.abs(p[1])) > 1e6) return false;
    let next;
    if (run.kind === "evolution") {
      const children = run.search.ask();
      const losses = children.map((c) => problem.loss(c));
      const told = run.search.tell(children, losses);
      run.rounds.push({ children, losses, winner: told.winner, accepted: told.accepted });
      next = run.search.parent.slice();
      run.loss.push(run.search.parentLoss);
      run.evals.push(run.evals[run.evals.length - 1] + state.pop);
    } else {
      const b = Math.min(state.batch, N);
      const idx = b < N ? run.rng.randperm(N).slice(0, b) : null;   // a fresh mini-batch every step
      next = run.optimizer.step(p, problem.grad(p, idx));
      run.loss.push(problem.loss(next));
      run.evals.push(run.evals[run.evals.length - 1] + b / N);
    }
    run.path.push(next);
    return true;
  }

  /* The live run recomputed from its start to step t (settings changed, or a link opened). */
  function rebuildLive() {
    live = newLive();
    while (live.path.length - 1 < state.t && advance(live)) { /* replay the steps */ }
  }

  function finished() {
    const replaysLeft = replayNames().some((n) => state.t < RUN_BY_NAME.get(n).params.length - 1);
    const liveLeft = live && !live.error && live.path.length - 1 < state.steps && canAdvance(live);
    return !replaysLeft && !liveLeft;
  }
  function canAdvance(run) {
    const p = run.path[run.path.length - 1];
    return p.every(Number.isFinite) && Math.max(Math.abs(p[0]), Math.abs(p[1])) <= 1e6;
  }

  function stepOnce() {
    if (finished()) return false;
    if (live) advance(live);
    state.t += 1;
    if (live) state.t = Math.max(live.path.length - 1, state.t);
    return true;
  }

  function play() {
    if (playing) return;
    if (finished()) { state.t = 0; rebuildLive(); }
    playing = true;
    tick();
    updateButtons();
  }
  function pause() {
    playing = false;
    if (timer) clearTimeout(timer);
    timer = null;
    updateButtons();
    writeHash();
  }
  function tick() {
    if (!playing) return;
    if (!stepOnce()) { pause(); draw(); return; }
    draw();
    timer = setTimeout(tick, Number($("speed").value) || 80);
  }

  // ------------------------------------------------------------------ replays of recorded runs

  /* The ticked recorded runs; none while the target is not the trace's (they were recorded on its landscape). */
  function replayNames() {
    if (!state.replay || (land && !land.fromTrace)) return [];
    return state.replay.split(",").filter((n) => RUN_BY_NAME.has(n));
  }

  /* The page's maths against the recorded torch runs: gradient runs are recomputed here from
   * their recorded start, settings and batches; evolution rounds are re-judged from the
   * recorded children. Shown beside each replay and read by the tests. */
  function checkRecorded() {
    const traceProblem = new O.CurveFit(MODEL, XS, D.data.y);
    const out = {};
    for (const r of RUNS) {
      if (r.kind === "gradient") {
        const free = O.replayGradient(traceProblem, r);
        const steps = [];   // one step from each recorded point, with the page's own optimizer state
        const opt = O.makeGradientOptimizer(r);
        for (let t = 0; t + 1 < r.params.length; t++) {
          steps.push(opt.step(r.params[t], traceProblem.grad(r.params[t], r.batch ? r.batch[t] : null)));
        }
        const diff = (path, from) => path.reduce((m, p, t) => Math.max(m, Math.abs(p[0] - r.params[t + from][0]), Math.abs(p[1] - r.params[t + from][1])), 0);
        out[r.name] = { kind: "gradient", path: free, oneStep: steps, maxFree: diff(free, 0), maxOneStep: diff(steps, 1) };
      } else if (r.population) {
        const search = new O.LocalSearch({ population: r.population[0].length, sigma: r.sigma_init, decay: r.sigma_decay },
          r.params[0], traceProblem.loss(r.params[0]), null);
        let agree = 0;
        r.population.forEach((children, k) => {
          const told = search.tell(children, children.map((c) => traceProblem.loss(c)));
          if (told.winner === r.winner[k] && told.accepted === r.accepted[k]) agree++;
        });
        out[r.name] = { kind: "evolution", rounds: r.population.length, agree, maxFree: r.population.length ? Math.max(
          Math.abs(search.parent[0] - r.params[r.params.length - 1][0]), Math.abs(search.parent[1] - r.params[r.params.length - 1][1])) : 0 };
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ drawing

  const VIEW = 440;
  let landAxes = null, funcAxes = null;

  function draw() {
    drawLandscape();
    drawFunction();
    drawLossChart();
    drawReadout();
  }

  function drawLandscape() {
    const theme = themeColors();
    const ctx = P.setup($("landscape"), VIEW + 60, VIEW + 50);
    ctx.clearRect(0, 0, VIEW + 60, VIEW + 50);
    landAxes = new P.Axes({ left: 52, top: 6, width: VIEW, height: VIEW - 12 },
      [A_AXIS[0], A_AXIS[NA - 1]], [B_AXIS[0], B_AXIS[NB - 1]]);
    const ax = landAxes;
    ctx.save();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(land.image, ax.left, ax.top, ax.width, ax.height);
    ctx.beginPath();
    ctx.rect(ax.left, ax.top, ax.width, ax.height);
    ctx.clip();
    // contours (grid coordinates -> pixels)
    const gx = (j) => ax.left + (j / (NA - 1)) * ax.width, gy = (i) => ax.top + ax.height - (i / (NB - 1)) * ax.height;
    ctx.strokeStyle = "rgba(255,255,255,0.38)";
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (const segs of land.contours) for (const s of segs) { ctx.moveTo(gx(s[0]), gy(s[1])); ctx.lineTo(gx(s[2]), gy(s[3])); }
    ctx.stroke();
    // the trace's local minima (hollow) and the grid's global minimum (×)
    if (land.fromTrace) {
      ctx.strokeStyle = "rgba(255,255,255,0.85)";
      ctx.lineWidth = 1.5;
      for (const m of (D.landscape.minima || []).slice(1)) {
        ctx.beginPath(); ctx.arc(ax.px(m[0]), ax.py(m[1]), 5, 0, 2 * Math.PI); ctx.stroke();
      }
    }
    const mx = ax.px(land.min[0]), my = ax.py(land.min[1]);
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(mx - 6, my - 6); ctx.lineTo(mx + 6, my + 6); ctx.moveTo(mx - 6, my + 6); ctx.lineTo(mx + 6, my - 6); ctx.stroke();
    // replays
    for (const name of replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const upto = Math.min(state.t, r.params.length - 1);
      if (r.population && upto > 0) drawCloud(ctx, ax, r.population[upto - 1], r.winner[upto - 1], r.accepted[upto - 1], colorOf(name), 0.55);
      drawPath(ctx, ax, r.params.slice(0, upto + 1), colorOf(name), 1.8, [5, 3]);
    }
    // the start point (before a run), or the live run
    if (!live) {
      ctx.fillStyle = colorOf(state.opt);
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(ax.px(state.a), ax.py(state.b), 7, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    } else {
      const color = colorOf(live.opt);
      if (live.kind === "evolution" && live.rounds.length) {
        const last = live.rounds[live.rounds.length - 1];
        drawCloud(ctx, ax, last.children, last.winner, last.accepted, color, 1);
      }
      drawPath(ctx, ax, live.path, color, 2.6, null);
      const p = live.path[live.path.length - 1];
      if (p.every(Number.isFinite)) {
        if (live.kind === "gradient") drawGradient(ctx, ax, p);
        ctx.fillStyle = color;
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(ax.px(p[0]), ax.py(p[1]), 7, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      }
    }
    ctx.restore();
    ax.draw(ctx, theme, "a (weight)", "b (bias)");
  }

  function drawPath(ctx, ax, path, color, width, dash) {
    if (path.length < 2) return;
    ctx.save();
    ctx.strokeStyle = halo();   // a halo in the opposite lightness keeps the path visible on any colour
    ctx.lineWidth = width + 2;
    ctx.lineJoin = "round";
    if (dash) ctx.setLineDash(dash);
    const line = () => {
      ctx.beginPath();
      path.forEach((p, k) => (k ? ctx.lineTo(ax.px(p[0]), ax.py(p[1])) : ctx.moveTo(ax.px(p[0]), ax.py(p[1]))));
      ctx.stroke();
    };
    line();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    line();
    ctx.fillStyle = color;
    for (const p of path) { ctx.beginPath(); ctx.arc(ax.px(p[0]), ax.py(p[1]), width * 0.9, 0, 2 * Math.PI); ctx.fill(); }
    ctx.restore();
  }

  /* A round's children: rejected ones faint, the best one ringed (filled when accepted). */
  function drawCloud(ctx, ax, children, winner, accepted, color, alpha) {
    ctx.save();
    ctx.strokeStyle = "rgba(255,255,255,0.9)";   // a thin ring keeps every child visible on any colour
    ctx.lineWidth = 1;
    children.forEach((c, k) => {
      if (k === winner) return;
      ctx.globalAlpha = 0.7 * alpha;
      ctx.fillStyle = color;
      ctx.beginPath(); ctx.arc(ax.px(c[0]), ax.py(c[1]), 3.4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    });
    const w = children[winner];
    if (w) {
      ctx.globalAlpha = alpha;
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = accepted ? color : "rgba(0,0,0,0)";
      ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(ax.px(w[0]), ax.py(w[1]), 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
    ctx.restore();
  }

  /* −∇L at the current point (full data), scaled to stay readable. */
  function drawGradient(ctx, ax, p) {
    const g = problem.grad(p, null);
    const norm = Math.hypot(g[0], g[1]);
    if (!(norm > 0) || !Number.isFinite(norm)) return;
    const len = Math.min(70, 18 + 140 * norm);
    const px = ax.px(p[0]), py = ax.py(p[1]);
    const ux = -g[0] / norm, uy = -g[1] / norm;   // data direction; screen y is flipped
    ctx.save();
    ctx.strokeStyle = "#ffffff";
    ctx.fillStyle = "#ffffff";
    ctx.lineWidth = 2;
    P.arrow(ctx, px, py, px + ux * len, py - uy * len, 9);
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.fillText("−∇L", px + ux * len + 6, py - uy * len - 4);
    ctx.restore();
  }

  function drawFunction() {
    const theme = themeColors();
    const ctx = P.setup($("function"), VIEW + 60, VIEW + 50);
    ctx.clearRect(0, 0, VIEW + 60, VIEW + 50);
    const cx = D.data.curve_x;
    const xs = [];
    for (let k = 0; k <= 160; k++) xs.push(cx[0] + ((cx[1] - cx[0]) * k) / 160);
    const target = xs.map((x) => targetFn.value({ x }));
    const finite = target.concat(problem.ys).filter(Number.isFinite);
    let y0 = Math.min(-1.2, ...finite), y1 = Math.max(1.2, ...finite);
    const pad = 0.08 * (y1 - y0);
    y0 -= pad; y1 += pad;
    funcAxes = new P.Axes({ left: 52, top: 6, width: VIEW, height: VIEW - 12 }, [cx[0], cx[1]], [y0, y1]);
    const ax = funcAxes;
    ctx.save();
    ctx.beginPath(); ctx.rect(ax.left, ax.top, ax.width, ax.height); ctx.clip();
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(ax.left, ax.py(0)); ctx.lineTo(ax.left + ax.width, ax.py(0)); ctx.stroke();
    P.polyline(ctx, ax, xs, target, { strokeStyle: theme.muted, lineWidth: 2, dash: [6, 4] });
    for (const name of replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const p = r.params[Math.min(state.t, r.params.length - 1)];
      P.polyline(ctx, ax, xs, xs.map((x) => problem.predict(p, x)), { strokeStyle: colorOf(name), lineWidth: 1.6, dash: [5, 3] });
    }
    const p = live ? live.path[live.path.length - 1] : [state.a, state.b];
    const color = colorOf(live ? live.opt : state.opt);
    P.polyline(ctx, ax, xs, xs.map((x) => problem.predict(p, x)), { strokeStyle: color, lineWidth: 3 });
    ctx.fillStyle = theme.data;
    ctx.strokeStyle = theme.bg;
    XS.forEach((x, i) => {
      const y = problem.ys[i];
      // the residual the loss squares
      ctx.save(); ctx.strokeStyle = color; ctx.globalAlpha = 0.7; ctx.setLineDash([2, 2]); ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(ax.px(x), ax.py(y)); ctx.lineTo(ax.px(x), ax.py(problem.predict(p, x))); ctx.stroke(); ctx.restore();
      ctx.beginPath(); ctx.arc(ax.px(x), ax.py(y), 6, 0, 2 * Math.PI); ctx.fill(); ctx.lineWidth = 2; ctx.stroke();
    });
    ctx.restore();
    ax.draw(ctx, theme, "x", "f(x)");
    ctx.save();
    ctx.font = theme.font;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "right";
    ctx.fillText(`target ${state.target} (dashed)`, ax.left + ax.width - 8, ax.top + 16);
    ctx.restore();
  }

  function drawLossChart() {
    const theme = themeColors();
    const W = Math.max(320, Math.min(2 * VIEW + 120, $("explore").clientWidth - 36)), H = 230;   // fits narrow windows
    const ctx = P.setup($("losschart"), W, H);
    ctx.clearRect(0, 0, W, H);
    const series = [];
    for (const name of replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const upto = Math.min(state.t, r.params.length - 1);
      series.push({ name, color: colorOf(name), evals: r.evals.slice(0, upto + 1), loss: r.loss.slice(0, upto + 1), dash: [5, 3], width: 1.8 });
    }
    if (live) series.push({ name: "live", color: colorOf(live.opt), evals: live.evals, loss: live.loss, width: 2.6 });
    let xMax = 1, yMin = Infinity, yMax = -Infinity;
    for (const s of series) {
      xMax = Math.max(xMax, ...s.evals);
      for (const v of s.loss) if (Number.isFinite(v) && v > 0) { yMin = Math.min(yMin, v); yMax = Math.max(yMax, v); }
    }
    if (!Number.isFinite(yMin)) { yMin = Math.max(land.lo, 1e-6); yMax = Math.max(land.hi, yMin * 10); }
    yMin = Math.pow(10, Math.floor(Math.log10(yMin)));
    yMax = Math.pow(10, Math.ceil(Math.log10(yMax) + 1e-9));
    if (yMax <= yMin) yMax = yMin * 10;
    const ax = new P.Axes({ left: 60, top: 8, width: W - 90, height: H - 56 }, [0, xMax], [yMin, yMax], { logY: true });
    ctx.save();
    ctx.beginPath(); ctx.rect(ax.left, ax.top, ax.width, ax.height); ctx.clip();
    for (const s of series) {
      P.polyline(ctx, ax, s.evals, s.loss, { strokeStyle: s.color, lineWidth: s.width, dash: s.dash });
      const k = s.evals.length - 1;
      if (k >= 0 && Number.isFinite(s.loss[k]) && s.loss[k] > 0) {
        ctx.fillStyle = s.color;
        ctx.beginPath(); ctx.arc(ax.px(s.evals[k]), ax.py(s.loss[k]), 4, 0, 2 * Math.PI); ctx.fill();
      }
    }
    ctx.restore();
    ax.draw(ctx, theme, "evaluations (full-data loss passes)", "loss");
  }

  /* The numbers under the views, built as DOM nodes (no HTML strings: the CSP forbids inline styles). */
  function drawReadout() {
    const box = $("readout");
    const parts = [];
    const span = (text, cls, color) => {
      const el = document.createElement(cls === "name" ? "b" : "span");
      el.textContent = text;
      if (cls && cls !== "name") el.className = cls;
      if (color) el.style.color = color;
      return el;
    };
    if (live) {
      const k = live.path.length - 1, p = live.path[k];
      const what = live.kind === "evolution" ? "round" : "step";
      parts.push([span(OPT_LABEL[live.opt], "name", colorOf(live.opt)), span(` ${what} ${k}/${state.steps}`)],
        [span(`evaluations ${P.format(live.evals[k])}`)], [span(`loss ${fmtLoss(live.loss[k])}`)],
        [span(`(a, b) = (${fmtNum(p[0])}, ${fmtNum(p[1])})`)]);
      if (live.error) parts.push([span(live.error, "error")]);
      else if (!canAdvance(live)) parts.push([span("diverged: left the |θ| ≤ 1e6 box", "error")]);
    } else {
      parts.push([span(`start (a, b) = (${fmtNum(state.a)}, ${fmtNum(state.b)})`)],
        [span(`loss ${fmtLoss(problem.loss([state.a, state.b]))}`)],
        [span("click the landscape to start a run there, or drag the point")]);
    }
    box.replaceChildren();
    parts.forEach((nodes, k) => { if (k) box.append(" · "); box.append(...nodes); });
  }
  const fmtNum = (v) => (Number.isFinite(v) ? (Math.abs(v) < 5e-4 ? 0 : v).toFixed(3) : String(v));
  const fmtLoss = (v) => (Number.isFinite(v) ? v.toPrecision(4) : "non-finite");

  // ------------------------------------------------------------------ pointer: click to start, drag the point

  let drag = null;
  function eventPoint(ev) {
    const rect = $("landscape").getBoundingClientRect();
    return [ev.clientX - rect.left, ev.clientY - rect.top];
  }
  function onPointerDown(ev) {
    const [x, y] = eventPoint(ev);
    if (!landAxes || !landAxes.contains(x, y)) return;
    drag = { x, y, moved: false };
    try { $("landscape").setPointerCapture(ev.pointerId); } catch (err) { /* synthetic events have no capture */ }
    ev.preventDefault();
  }
  function onPointerMove(ev) {
    if (!drag) return;
    const [x, y] = eventPoint(ev);
    if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < 4) return;
    drag.moved = true;
    pause();
    moveStart(x, y);
  }
  function onPointerUp(ev) {
    if (!drag) return;
    const [x, y] = eventPoint(ev);
    const click = !drag.moved;
    drag = null;
    if (click) {           // a click starts a run where it lands
      moveStart(x, y);
      play();
    } else {
      writeHash();
    }
  }
  function moveStart(x, y) {
    const ax = landAxes;
    const cx = Math.max(ax.left, Math.min(ax.left + ax.width, x)), cy = Math.max(ax.top, Math.min(ax.top + ax.height, y));
    state.a = round(ax.dx(cx), 4);
    state.b = round(ax.dy(cy), 4);
    state.t = 0;
    live = newLive();
    draw();
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
    for (const box of document.querySelectorAll("#replays input")) box.checked = replayNames().includes(box.value);
    updateButtons();
  }

  function updateButtons() {
    $("play").disabled = playing;
    $("pause").disabled = !playing;
  }

  function onSlider(ev) {
    const key = ev.target.id;
    const [, , log, digits] = SLIDERS[key];
    let v = Number(ev.target.value);
    if (log) v = Number(Math.pow(10, v).toPrecision(digits));
    state[key] = clampValue(key, v);
    $(`${key}-value`).textContent = P.format(state[key]);
    settingsChanged();
  }

  /* A changed setting recomputes the live run up to the current step at once (as Distill's
   * momentum article does), so a slider shows its effect on the whole path. */
  function settingsChanged() {
    if (live) rebuildLive();
    draw();
    writeHash();
  }

  function onTarget() {
    const text = $("target").value;
    const msg = $("target-msg");
    try {
      setTarget(text);
    } catch (err) {
      msg.textContent = err.message;
      msg.className = "error";
      $("target").setAttribute("aria-invalid", "true");
      return;
    }
    msg.textContent = land.fromTrace ? "landscape from the trace (recorded with torch)"
      : "landscape recomputed for this target (recorded runs hidden: they were recorded on the trace's target)";
    msg.className = "ok";
    $("target").removeAttribute("aria-invalid");
    settingsChanged();
  }

  function buildReplayList() {
    const checks = checkRecorded();
    window.GdevoExplorer.checks = checks;
    const list = $("replays");
    for (const r of RUNS) {
      const row = document.createElement("label");
      row.className = "replay";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = r.name;
      box.addEventListener("change", () => {
        const set = new Set(replayNames());
        if (box.checked) set.add(r.name); else set.delete(r.name);
        state.replay = RUNS.map((x) => x.name).filter((n) => set.has(n)).join(",");
        draw();
        writeHash();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.dataset.run = r.name;
      const text = document.createElement("span");
      text.textContent = `${r.label}`;
      const note = document.createElement("small");
      const c = checks[r.name];
      if (c && c.kind === "gradient") {
        note.textContent = `page vs torch: max |Δθ| ${c.maxFree.toExponential(1)} over ${r.params.length - 1} steps` +
          ` (one step from each recorded point: ${c.maxOneStep.toExponential(1)})` +
          (c.maxFree > 1e3 * Math.max(c.maxOneStep, 1e-16) ? "; chaotic: rounding grows step after step" : "");
      } else if (c) {
        note.textContent = `recorded children; page picks the same winner in ${c.agree}/${c.rounds} rounds`;
      }
      note.title = "the page's own maths, replayed from the recorded start, settings and batches";
      row.append(box, swatch, text, note);
      list.append(row);
    }
  }

  // ------------------------------------------------------------------ sweeps panel

  function buildSweeps() {
    const hp = D.sweeps.hyperparameters;
    if (hp) {
      $("hp-note").textContent = `${hp.task.net} (${hp.task.n_params} parameters) fitting ${hp.task.target} on ${hp.task.points} points; ` +
        `mean final loss over ${hp.seeds} seeds (* = some seeds diverged, mean of the others). Pick a cell.`;
      hp.evolution.curves = b64floats(hp.evolution.loss);
      hp.sgd.curves = b64floats(hp.sgd.loss);
      grid($("hp-evo"), hp.evolution, "evo", "population", "σ");
      grid($("hp-sgd"), hp.sgd, "sgd", "learning rate", "batch size");
    } else {
      $("hp").classList.add("missing");
      $("hp-note").textContent = D.sweeps.missing.hyperparameters || "";
    }
    const race = D.sweeps.race;
    if (race) {
      $("race-note").textContent = race.note;
      for (const g of race.groups) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = g.label;
        b.dataset.group = g.name;
        b.addEventListener("click", () => { state.race = state.race === g.name ? "" : g.name; drawSweeps(); writeHash(); });
        $("race-buttons").append(b);
      }
    } else {
      $("race").classList.add("missing");
      $("race-note").textContent = D.sweeps.missing.race || "";
    }
  }

  function grid(table, sweep, key, rowName, colName) {
    const finals = sweep.final.map((row) => row.map(nullToNaN));
    const all = finals.flat().filter((v) => Number.isFinite(v) && v > 0);
    const l0 = Math.log10(Math.min(...all)), l1 = Math.log10(Math.max(...all));
    const head = document.createElement("tr");
    head.append(cell("th", `${rowName} \\ ${colName}`));
    sweep.cols.forEach((c) => head.append(cell("th", P.format(c))));
    table.append(head);
    sweep.rows.forEach((rv, i) => {
      const tr = document.createElement("tr");
      tr.append(cell("th", P.format(rv)));
      sweep.cols.forEach((cv, j) => {
        const td = document.createElement("td");
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.cell = `${key}.${i}.${j}`;
        const v = finals[i][j];
        const diverged = sweep.diverged && sweep.diverged[i][j];
        if (Number.isFinite(v) && v > 0) {
          const t = l1 > l0 ? (Math.log10(v) - l0) / (l1 - l0) : 0.5;
          b.style.background = P.lutColor(LUT, t);
          b.style.color = t > 0.6 ? "#111" : "#fff";
          b.textContent = v.toPrecision(2) + (diverged ? "*" : "");
        } else {
          b.className = "diverged";
          b.textContent = "diverged";
        }
        b.title = `${rowName} ${P.format(rv)}, ${colName} ${P.format(cv)}`;
        b.addEventListener("click", () => { state.hp = b.dataset.cell; drawSweeps(); writeHash(); });
        td.append(b);
        tr.append(td);
      });
      table.append(tr);
    });
  }
  function cell(tag, text) { const c = document.createElement(tag); c.textContent = text; return c; }

  function drawSweeps() {
    document.querySelectorAll("[data-cell]").forEach((b) => b.classList.toggle("picked", b.dataset.cell === state.hp));
    document.querySelectorAll("[data-group]").forEach((b) => b.classList.toggle("picked", b.dataset.group === state.race));
    const hp = D.sweeps.hyperparameters;
    if (hp) drawHpChart(hp);
    if (D.sweeps.race) drawRaceChart(D.sweeps.race);
  }

  function drawHpChart(hp) {
    const theme = themeColors();
    const W = VIEW + 60, H = 260;
    const ctx = P.setup($("hp-chart"), W, H);
    ctx.clearRect(0, 0, W, H);
    const m = /^(evo|sgd)\.(\d+)\.(\d+)$/.exec(state.hp);
    const sweep = m ? (m[1] === "evo" ? hp.evolution : hp.sgd) : null;
    if (!sweep || Number(m[2]) >= sweep.rows.length || Number(m[3]) >= sweep.cols.length) {
      $("hp-title").textContent = "Pick a cell to see its loss curves.";
      return;
    }
    const i = Number(m[2]), j = Number(m[3]);
    const [R, C, S, T] = sweep.shape;
    const curves = [];
    for (let s = 0; s < S; s++) {
      const off = ((i * C + j) * S + s) * T;
      curves.push(Array.from(sweep.curves.subarray(off, off + T)));
    }
    const evals = [];
    for (let t = 0; t < T; t++) evals.push(m[1] === "evo" ? 1 + t * sweep.rows[i] : (t * Math.min(sweep.cols[j], hp.task.points)) / hp.task.points);
    const color = m[1] === "evo" ? colorOf("evolution") : colorOf("sgd");
    const vals = curves.flat().filter((v) => Number.isFinite(v) && v > 0);
    const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(...vals)))), yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals)) + 1e-9));
    const ax = new P.Axes({ left: 60, top: 8, width: W - 80, height: H - 56 }, [0, evals[T - 1]], [yMin, Math.max(yMax, yMin * 10)], { logY: true });
    ctx.save();
    ctx.beginPath(); ctx.rect(ax.left, ax.top, ax.width, ax.height); ctx.clip();
    curves.forEach((c) => P.polyline(ctx, ax, evals, c, { strokeStyle: color, lineWidth: 2, globalAlpha: 0.85 }));
    ctx.restore();
    ax.draw(ctx, theme, "evaluations", "loss");
    const label = m[1] === "evo" ? `Local search, population ${sweep.rows[i]}, σ ${sweep.cols[j]}` : `SGD, lr ${sweep.rows[i]}, batch ${sweep.cols[j]}`;
    const finals = curves.map((c) => c[c.length - 1]);
    $("hp-title").textContent = `${label}: final loss ${finals.map((v) => (Number.isFinite(v) ? v.toPrecision(3) : "diverged")).join(", ")} (one line per seed)`;
  }

  function drawRaceChart(race) {
    const theme = themeColors();
    const W = VIEW + 60, H = 260;
    const ctx = P.setup($("race-chart"), W, H);
    ctx.clearRect(0, 0, W, H);
    let xMax = 1;
    const vals = [];
    for (const r of race.runs) { xMax = Math.max(xMax, r.evals[r.evals.length - 1]); for (const v of r.loss) if (v > 0) vals.push(v); }
    const yMin = Math.pow(10, Math.floor(Math.log10(Math.min(...vals)))), yMax = Math.pow(10, Math.ceil(Math.log10(Math.max(...vals)) + 1e-9));
    const ax = new P.Axes({ left: 60, top: 8, width: W - 80, height: H - 56 }, [1, xMax], [yMin, Math.max(yMax, yMin * 10)], { logY: true, logX: true });
    ctx.save();
    ctx.beginPath(); ctx.rect(ax.left, ax.top, ax.width, ax.height); ctx.clip();
    for (const r of race.runs) {
      const picked = !state.race || r.group === state.race;
      P.polyline(ctx, ax, r.evals, r.loss.map(nullToNaN), { strokeStyle: colorOf(r.group), lineWidth: r.seed === 0 ? 2.4 : 1.2,
        globalAlpha: picked ? 1 : 0.18 });
    }
    ctx.restore();
    ax.draw(ctx, theme, "evaluations (log)", "loss");
    const g = race.groups.find((x) => x.name === state.race);
    $("race-title").textContent = g ? `${g.label}: ${g.summary}` : "Pick an optimizer to follow its loss curve (all seeds).";
  }

  // ------------------------------------------------------------------ the URL hash

  function clampValue(key, v) {
    const [lo, hi] = LIMITS[key];
    v = Math.max(lo, Math.min(hi, v));
    return INTEGER.has(key) ? Math.round(v) : v;
  }

  /* Read the hash into the state; unknown or bad values keep their defaults. */
  function readHash(hash) {
    const params = new URLSearchParams((hash || "").replace(/^#/, ""));
    const next = Object.assign({}, DEFAULTS);
    for (const [key, raw] of params) {
      if (!Object.prototype.hasOwnProperty.call(DEFAULTS, key)) continue;
      if (typeof DEFAULTS[key] === "number") {
        const v = Number(raw);
        if (raw !== "" && Number.isFinite(v)) next[key] = clampValue(key, v);
      } else {
        next[key] = raw;
      }
    }
    if (!OPTIMIZERS.includes(next.opt)) next.opt = DEFAULTS.opt;
    if (!["", "light", "dark"].includes(next.theme)) next.theme = "";
    return next;
  }

  function currentHash() {
    const params = new URLSearchParams();
    for (const key of Object.keys(DEFAULTS)) {
      const v = state[key];
      if (key === "theme" && !v) continue;
      if ((key === "replay" || key === "hp" || key === "race") && !v) continue;
      params.set(key, String(v));
    }
    return "#" + params.toString();
  }

  let hashTimer = null;
  let lastWritten = "";
  function writeHash() {
    if (hashTimer) clearTimeout(hashTimer);
    hashTimer = setTimeout(() => {
      hashTimer = null;
      const h = currentHash();
      if (h === location.hash) return;
      lastWritten = h;
      try { history.replaceState(null, "", h); } catch (err) { location.hash = h; }
    }, 150);
  }

  /* Apply a whole state (from a link): target, settings, replays, then the live run to step t. */
  function applyState(next) {
    pause();
    const target = next.target;
    Object.assign(state, next);
    try {
      setTarget(target);
      $("target-msg").textContent = "";
    } catch (err) {
      setTarget(D.data.target);
      $("target-msg").textContent = err.message;
      $("target-msg").className = "error";
    }
    live = null;
    if (state.t > 0) rebuildLive();
    applyTheme();
    syncControls();
    draw();
    drawSweeps();
  }

  // ------------------------------------------------------------------ start

  function wire() {
    const canvas = $("landscape");
    canvas.addEventListener("pointerdown", onPointerDown);
    canvas.addEventListener("pointermove", onPointerMove);
    canvas.addEventListener("pointerup", onPointerUp);
    canvas.addEventListener("pointercancel", () => { drag = null; });
    for (const name of OPTIMIZERS) {
      $(`opt-${name}`).addEventListener("change", () => { state.opt = name; syncControls(); settingsChanged(); });
    }
    for (const key of Object.keys(SLIDERS)) $(key).addEventListener("input", onSlider);
    $("nesterov").addEventListener("change", () => { state.nesterov = $("nesterov").checked ? 1 : 0; settingsChanged(); });
    $("seed").addEventListener("change", () => {
      const v = Number($("seed").value);
      if (Number.isFinite(v)) state.seed = clampValue("seed", v);
      $("seed").value = state.seed;
      settingsChanged();
    });
    $("target").addEventListener("change", onTarget);
    $("target-form").addEventListener("submit", (ev) => { ev.preventDefault(); onTarget(); });
    $("play").addEventListener("click", () => { if (!live && state.t === 0) live = newLive(); play(); });
    $("pause").addEventListener("click", pause);
    $("step").addEventListener("click", () => { pause(); if (!live) live = newLive(); stepOnce(); draw(); writeHash(); });
    $("reset").addEventListener("click", () => { pause(); state.t = 0; live = null; draw(); writeHash(); });
    $("theme").addEventListener("click", () => {
      state.theme = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
      applyTheme(); draw(); drawSweeps(); writeHash();
    });
    window.addEventListener("hashchange", () => {
      if (location.hash !== lastWritten && location.hash !== currentHash()) applyState(readHash(location.hash));
    });
    document.addEventListener("keydown", (ev) => {   // for presenting: space plays/pauses, → steps, r resets
      if (ev.target.closest && ev.target.closest("input, select, textarea, button")) return;
      if (ev.key === " ") { ev.preventDefault(); if (playing) pause(); else $("play").click(); }
      else if (ev.key === "ArrowRight") { ev.preventDefault(); $("step").click(); }
      else if (ev.key === "r") $("reset").click();
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(draw, 100); });
    if (window.matchMedia) {
      const mq = window.matchMedia("(prefers-color-scheme: dark)");
      const follow = () => { if (!state.theme) { applyTheme(); draw(); drawSweeps(); } };
      if (mq.addEventListener) mq.addEventListener("change", follow);
    }
  }

  function init() {
    $("subtitle").textContent = `f(x) = ${D.model} fitted by MSE to ${N} points of ${D.data.target} — ` +
      `landscape and recorded runs from the ${D.name} trace (torch ${D.versions.torch}).`;
    $("model").textContent = D.model;
    if (D.project && D.project.title) $("project").textContent = D.project.title;
    window.GdevoExplorer = { state, readHash, currentHash, applyState, checkRecorded, play, pause, stepOnce,
      get live() { return live; }, get landscape() { return land; }, get axes() { return landAxes; }, toPixel: (a, b) => [landAxes.px(a), landAxes.py(b)],
      checks: null, ready: false };
    wire();
    buildReplayList();
    buildSweeps();
    applyState(readHash(location.hash));
    window.GdevoExplorer.ready = true;
    document.body.dataset.ready = "true";
  }

  init();
})();
