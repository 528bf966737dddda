/* The explorer page, part 3 of 7: the views beside the landscape (function space, loss against
 * evaluations, the numbers under them) and `draw`, which redraws all of them. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { D, $, XS, RUN_BY_NAME, OPT_LABEL, VIEW, state, now } = G;
  const P = window.GdevoPlot;

  G.draw = function () {
    G.drawLandscape();
    drawFunction();
    drawLossChart();
    drawReadout();
  };

  function drawFunction() {
    const theme = G.themeColors();
    const { problem, live } = now;
    const ctx = P.setup($("function"), VIEW + 60, VIEW + 50);
    ctx.clearRect(0, 0, VIEW + 60, VIEW + 50);
    const cx = D.data.curve_x;
    const xs = [];
    for (let k = 0; k <= 160; k++) xs.push(cx[0] + ((cx[1] - cx[0]) * k) / 160);
    const target = xs.map((x) => now.targetFn.value({ x }));
    const finite = target.concat(problem.ys).filter(Number.isFinite);
    let y0 = Math.min(-1.2, ...finite), y1 = Math.max(1.2, ...finite);
    const pad = 0.08 * (y1 - y0);
    y0 -= pad; y1 += pad;
    const ax = new P.Axes({ left: 52, top: 6, width: VIEW, height: VIEW - 12 }, [cx[0], cx[1]], [y0, y1]);
    ctx.save();
    ctx.beginPath(); ctx.rect(ax.left, ax.top, ax.width, ax.height); ctx.clip();
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(ax.left, ax.py(0)); ctx.lineTo(ax.left + ax.width, ax.py(0)); ctx.stroke();
    P.polyline(ctx, ax, xs, target, { strokeStyle: theme.muted, lineWidth: 2, dash: [6, 4] });
    for (const name of G.replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const p = r.params[Math.min(state.t, r.params.length - 1)];
      P.polyline(ctx, ax, xs, xs.map((x) => problem.predict(p, x)), { strokeStyle: G.colorOf(name), lineWidth: 1.6, dash: [5, 3] });
    }
    const p = live ? live.path[live.path.length - 1] : [state.a, state.b];
    const color = G.colorOf(live ? live.opt : state.opt);
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
    const theme = G.themeColors();
    const { land, live } = now;
    const W = Math.max(320, Math.min(2 * VIEW + 120, $("explore").clientWidth - 36)), H = 230;   // fits narrow windows
    const ctx = P.setup($("losschart"), W, H);
    ctx.clearRect(0, 0, W, H);
    const series = [];
    for (const name of G.replayNames()) {
      const r = RUN_BY_NAME.get(name);
      const upto = Math.min(state.t, r.params.length - 1);
      series.push({ name, color: G.colorOf(name), evals: r.evals.slice(0, upto + 1), loss: r.loss.slice(0, upto + 1), dash: [5, 3], width: 1.8 });
    }
    if (live) series.push({ name: "live", color: G.colorOf(live.opt), evals: live.evals, loss: live.loss, width: 2.6 });
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
    const { live, problem } = now;
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
      parts.push([span(OPT_LABEL[live.opt], "name", G.colorOf(live.opt)), span(` ${what} ${k}/${state.steps}`)],
        [span(`evaluations ${P.format(live.evals[k])}`)], [span(`loss ${fmtLoss(live.loss[k])}`)],
        [span(`(a, b) = (${fmtNum(p[0])}, ${fmtNum(p[1])})`)]);
      if (live.error) parts.push([span(live.error, "error")]);
      else if (!G.canAdvance(live)) parts.push([span("diverged: left the |θ| ≤ 1e6 box", "error")]);
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
})();
