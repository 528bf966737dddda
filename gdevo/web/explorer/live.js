/* The explorer page, part 4 of 7: the live run (the page's own SGD / momentum / Adam / local
 * search, started by a click) and playing it: step, play, pause. */
(function () {
  "use strict";

  const G = window.GdevoPage;
  const { $, N, RUN_BY_NAME, state, now } = G;
  const O = window.GdevoOptim;

  function settings() {
    const opt = state.opt;
    return { optimizer: opt === "adam" ? "adam" : opt === "evolution" ? "evolution" : "sgd", lr: state.lr,
      momentum: opt === "momentum" ? state.mom : 0, nesterov: opt === "momentum" && !!state.nesterov };
  }

  G.newLive = function () {
    const s = settings();
    const start = [state.a, state.b];
    const loss0 = now.problem.loss(start);
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
  };

  /* One step (gradient) or one round (local search) of the live run. */
  function advance(run) {
    if (run.error || run.path.length - 1 >= state.steps) return false;
    const p = run.path[run.path.length - 1];
    if (!p.every(Number.isFinite) || Math.max(Math.abs(p[0]), Math.abs(p[1])) > 1e6) return false;
    const problem = now.problem;
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
  G.rebuildLive = function () {
    const live = now.live = G.newLive();
    while (live.path.length - 1 < state.t && advance(live)) { /* replay the steps */ }
  };

  function finished() {
    const live = now.live;
    const replaysLeft = G.replayNames().some((n) => state.t < RUN_BY_NAME.get(n).params.length - 1);
    const liveLeft = live && !live.error && live.path.length - 1 < state.steps && G.canAdvance(live);
    return !replaysLeft && !liveLeft;
  }
  G.canAdvance = function (run) {
    const p = run.path[run.path.length - 1];
    return p.every(Number.isFinite) && Math.max(Math.abs(p[0]), Math.abs(p[1])) <= 1e6;
  };

  G.stepOnce = function () {
    if (finished()) return false;
    if (now.live) advance(now.live);
    state.t += 1;
    if (now.live) state.t = Math.max(now.live.path.length - 1, state.t);
    return true;
  };

  G.play = function () {
    if (now.playing) return;
    if (finished()) { state.t = 0; G.rebuildLive(); }
    now.playing = true;
    tick();
    G.updateButtons();
  };
  G.pause = function () {
    now.playing = false;
    if (now.timer) clearTimeout(now.timer);
    now.timer = null;
    G.updateButtons();
    G.writeHash();
  };
  function tick() {
    if (!now.playing) return;
    if (!G.stepOnce()) { G.pause(); G.draw(); return; }
    G.draw();
    now.timer = setTimeout(tick, Number($("speed").value) || 80);
  }
})();
