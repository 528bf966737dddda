/* The explorer page, part 2 of 7: the problem (target function, data, model) and its loss
 * landscape, and the landscape canvas: heatmap, contours, minima, replayed paths, the live run. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { D, $, XS, MODEL, A_AXIS, B_AXIS, NA, NB, TRACE_GRID, LUT, RUN_BY_NAME, VIEW, state, now } = G;
  const O = window.GdevoOptim;
  const P = window.GdevoPlot;

  /* Use `text` as the target: parse it (a bad expression throws and changes nothing), then
   * recompute the data's y and the landscape (the trace's grid when it is the trace's target). */
  G.setTarget = function (text) {
    const fn = window.GdevoExpr.parse(text, ["x"], "target");
    const ys = XS.map((x) => fn.value({ x }));
    if (!ys.every(Number.isFinite)) throw new window.GdevoExpr.ExprError(`target: ${text} is not finite at every data point`);
    now.targetFn = fn;
    state.target = fn.text;
    const same = fn.text === D.data.target.trim();
    const problem = new O.CurveFit(MODEL, XS, same ? D.data.y : ys);
    now.problem = problem;
    let grid = TRACE_GRID;
    if (!same) {
      grid = new Float64Array(NA * NB);
      for (let i = 0; i < NB; i++) for (let j = 0; j < NA; j++) grid[i * NA + j] = problem.loss([A_AXIS[j], B_AXIS[i]]);
    }
    buildLandscape(grid, same);
  };

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
    now.land = { grid, min, norm, lo, hi, fromTrace, levels, image: P.heatmap(grid, NA, NB, LUT, norm),
      contours: levels.map((lev) => P.contour(grid, NA, NB, lev)), checksum: checksum(grid) };
  }

  function checksum(grid) {
    let s = 0;
    for (let k = 0; k < grid.length; k += 97) s += Number.isFinite(grid[k]) ? grid[k] * ((k % 13) + 1) : 0;
    return s;
  }

  // ------------------------------------------------------------------ the landscape canvas

  G.drawLandscape = function () {
    const theme = G.themeColors();
    const land = now.land, live = now.live;
    const ctx = P.setup($("landscape"), VIEW + 60, VIEW + 50);
    ctx.clearRect(0, 0, VIEW + 60, VIEW + 50);
    now.landAxes = new P.Axes({ left: 52, top: 6, width: VIEW, height: VIEW - 12 },
      [A_AXIS[0], A_AXIS[NA - 1]], [B_AXIS[0], B_AXIS[NB - 1]]);
    const ax = now.landAxes;
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
    // replays: the recorded paths (every recorded run, a project's own optimizer's too)
    for (const name of G.replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const upto = Math.min(state.t, r.params.length - 1);
      if (r.population && upto > 0) drawCloud(ctx, ax, r.population[upto - 1], r.winner[upto - 1], r.accepted[upto - 1], G.colorOf(name), 0.55);
      drawPath(ctx, ax, r.params.slice(0, upto + 1), G.colorOf(name), 1.8, [5, 3]);
    }
    // the start point (before a run), or the live run
    if (!live) {
      ctx.fillStyle = G.colorOf(state.opt);
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.arc(ax.px(state.a), ax.py(state.b), 7, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    } else {
      const color = G.colorOf(live.opt);
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
  };

  function drawPath(ctx, ax, path, color, width, dash) {
    if (path.length < 2) return;
    ctx.save();
    ctx.strokeStyle = G.halo();
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
    const g = now.problem.grad(p, null);
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
})();
