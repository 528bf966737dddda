/* The explorer page, part 5 of 7: the trace's recorded runs, replayed beside the live run, and
 * the page's maths checked against them. A run made by a project's own optimizer (its meta has
 * a `source`: file, class) has no twin in the page: it is drawn as recorded, never replayed. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { D, $, XS, MODEL, RUNS, RUN_BY_NAME, state, now } = G;
  const O = window.GdevoOptim;

  /* The ticked recorded runs; none while the target is not the trace's (they were recorded on its landscape). */
  G.replayNames = function () {
    if (!state.replay || (now.land && !now.land.fromTrace)) return [];
    return state.replay.split(",").filter((n) => RUN_BY_NAME.has(n));
  };

  /* The page's maths against the recorded torch runs: gradient runs are recomputed here from
   * their recorded start, settings and batches; evolution rounds are re-judged from the
   * recorded children. Shown beside each replay and read by the tests. */
  G.checkRecorded = function () {
    const traceProblem = new O.CurveFit(MODEL, XS, D.data.y);
    const out = {};
    for (const r of RUNS) {
      if (r.source) {   // a project's own optimizer: the page has no twin of it to replay
        out[r.name] = { kind: r.kind, replayed: false,
          note: `${r.source.class} (${r.source.file}): your own code, not replayed in the page` };
        continue;
      }
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
  };

  /* The legend of recorded runs: each run's label and colour as the payload gives them, a box to
   * replay it, and how the page's maths compares (or why it does not replay it). */
  G.buildReplayList = function (checks) {
    const list = $("replays");
    for (const r of RUNS) {
      const row = document.createElement("label");
      row.className = "replay";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = r.name;
      box.addEventListener("change", () => {
        const set = new Set(G.replayNames());
        if (box.checked) set.add(r.name); else set.delete(r.name);
        state.replay = RUNS.map((x) => x.name).filter((n) => set.has(n)).join(",");
        G.draw();
        G.writeHash();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.dataset.run = r.name;
      const text = document.createElement("span");
      text.textContent = `${r.label}`;
      const note = document.createElement("small");
      const c = checks[r.name];
      if (c && c.replayed === false) {
        note.textContent = c.note;
        note.title = "recorded by your optimizer file; the page draws its recorded path";
      } else {
        if (c && c.kind === "gradient") {
          note.textContent = `page vs torch: max |Δθ| ${c.maxFree.toExponential(1)} over ${r.params.length - 1} steps` +
            ` (one step from each recorded point: ${c.maxOneStep.toExponential(1)})` +
            (c.maxFree > 1e3 * Math.max(c.maxOneStep, 1e-16) ? "; chaotic: rounding grows step after step" : "");
        } else if (c) {
          note.textContent = `recorded children; page picks the same winner in ${c.agree}/${c.rounds} rounds`;
        }
        note.title = "the page's own maths, replayed from the recorded start, settings and batches";
      }
      row.append(box, swatch, text, note);
      list.append(row);
    }
  };
})();
