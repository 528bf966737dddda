/* The explorer page, part 6 of 7: the recorded sweeps panel (the hyperparameter grids and the
 * race at equal evaluations), from the sweeps' traces when `gdevo explore` found them. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { D, $, LUT, VIEW, b64floats, nullToNaN, state } = G;
  const P = window.GdevoPlot;

  G.buildSweeps = function () {
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
        b.addEventListener("click", () => { state.race = state.race === g.name ? "" : g.name; G.drawSweeps(); G.writeHash(); });
        $("race-buttons").append(b);
      }
    } else {
      $("race").classList.add("missing");
      $("race-note").textContent = D.sweeps.missing.race || "";
    }
  };

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
        b.addEventListener("click", () => { state.hp = b.dataset.cell; G.drawSweeps(); G.writeHash(); });
        td.append(b);
        tr.append(td);
      });
      table.append(tr);
    });
  }
  function cell(tag, text) { const c = document.createElement(tag); c.textContent = text; return c; }

  G.drawSweeps = function () {
    document.querySelectorAll("[data-cell]").forEach((b) => b.classList.toggle("picked", b.dataset.cell === state.hp));
    document.querySelectorAll("[data-group]").forEach((b) => b.classList.toggle("picked", b.dataset.group === state.race));
    const hp = D.sweeps.hyperparameters;
    if (hp) drawHpChart(hp);
    if (D.sweeps.race) drawRaceChart(D.sweeps.race);
  };

  function drawHpChart(hp) {
    const theme = G.themeColors();
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
    const [, C, S, T] = sweep.shape;
    const curves = [];
    for (let s = 0; s < S; s++) {
      const off = ((i * C + j) * S + s) * T;
      curves.push(Array.from(sweep.curves.subarray(off, off + T)));
    }
    const evals = [];
    for (let t = 0; t < T; t++) evals.push(m[1] === "evo" ? 1 + t * sweep.rows[i] : (t * Math.min(sweep.cols[j], hp.task.points)) / hp.task.points);
    const color = m[1] === "evo" ? G.colorOf("evolution") : G.colorOf("sgd");   // this sweep is local search vs SGD
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
    const theme = G.themeColors();
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
      P.polyline(ctx, ax, r.evals, r.loss.map(nullToNaN), { strokeStyle: G.colorOf(r.group), lineWidth: r.seed === 0 ? 2.4 : 1.2,
        globalAlpha: picked ? 1 : 0.18 });
    }
    ctx.restore();
    ax.draw(ctx, theme, "evaluations (log)", "loss");
    const g = race.groups.find((x) => x.name === state.race);
    $("race-title").textContent = g ? `${g.label}: ${g.summary}` : "Pick an optimizer to follow its loss curve (all seeds).";
  }
})();
