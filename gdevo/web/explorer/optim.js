/* The page's optimizers: torch.optim's maths step for step, and the video's local search.
 *
 * - SGD is torch.optim.SGD's `_single_tensor_sgd` (momentum buffer cloned from the first
 *   gradient, then buf = momentum*buf + (1-dampening)*grad; nesterov adds momentum*buf).
 * - Adam is torch.optim.Adam's `_single_tensor_adam` (exp_avg.lerp_(grad, 1-beta1) with
 *   torch's lerp formula, bias corrections 1-beta^step, eps added after dividing
 *   sqrt(exp_avg_sq) by sqrt(bias_correction2)).
 * - LocalSearch is sim/optimizers.py's elitist search: children = parent + sigma*N(0, I), the
 *   best child replaces the parent only if strictly better, sigma *= decay every round.
 * The sine-2d trace runs in float64, so plain JS doubles are the same arithmetic; the tests
 * replay every recorded gradient run here (same start, settings, batches) and compare paths.
 */
(function (root) {
  "use strict";

  /* torch.lerp(self, end, w) for a scalar weight, as ATen computes it. */
  function lerp(self, end, w) {
    return Math.abs(w) < 0.5 ? self + w * (end - self) : end - (end - self) * (1 - w);
  }

  class SGD {
    constructor({ lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 }) {
      if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
      if (!(momentum >= 0)) throw new RangeError(`Invalid momentum value: ${momentum}`);
      if (nesterov && (momentum <= 0 || dampening !== 0)) {
        throw new RangeError("Nesterov momentum requires a momentum and zero dampening");
      }
      Object.assign(this, { lr, momentum, dampening, nesterov, weightDecay });
      this.buf = null;
    }

    step(params, grad) {
      let g = grad.slice();
      if (this.weightDecay !== 0) g = g.map((v, i) => v + this.weightDecay * params[i]);
      if (this.momentum !== 0) {
        if (this.buf === null) {
          this.buf = g.slice();
        } else {
          this.buf = this.buf.map((b, i) => b * this.momentum + g[i] * (1 - this.dampening));
        }
        g = this.nesterov ? g.map((v, i) => v + this.buf[i] * this.momentum) : this.buf.slice();
      }
      return params.map((p, i) => p + g[i] * -this.lr);
    }
  }

  class Adam {
    constructor({ lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }) {
      if (!(lr >= 0)) throw new RangeError(`Invalid learning rate: ${lr}`);
      Object.assign(this, { lr, beta1, beta2, eps });
      this.t = 0;
      this.m = null;
      this.v = null;
    }

    step(params, grad) {
      if (this.m === null) {
        this.m = params.map(() => 0);
        this.v = params.map(() => 0);
      }
      this.t += 1;
      const w = 1 - this.beta1;
      this.m = this.m.map((m, i) => lerp(m, grad[i], w));
      // addcmul_(grad, grad, value): self + value * t1 * t2, left to right as ATen's kernel
      this.v = this.v.map((v, i) => v * this.beta2 + ((1 - this.beta2) * grad[i]) * grad[i]);
      const bc1 = 1 - Math.pow(this.beta1, this.t);
      const bc2 = 1 - Math.pow(this.beta2, this.t);
      const stepSize = this.lr / bc1;
      const bc2Sqrt = Math.pow(bc2, 0.5);
      return params.map((p, i) => {
        const denom = Math.sqrt(this.v[i]) / bc2Sqrt + this.eps;
        return p + (-stepSize * this.m[i]) / denom;   // addcdiv_: self + value * t1 / t2
      });
    }
  }

  /* A small seeded generator (mulberry32) with normal draws (Box-Muller) and randperm:
   * live runs are reproducible from the URL, not torch's random stream. */
  class Rng {
    constructor(seed) { this.s = (seed >>> 0) || 0x9e3779b9; this.spare = null; }
    uniform() {
      this.s = (this.s + 0x6d2b79f5) >>> 0;
      let t = this.s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    normal() {
      if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
      let u = 0;
      while (u === 0) u = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u)), th = 2 * Math.PI * this.uniform();
      this.spare = r * Math.sin(th);
      return r * Math.cos(th);
    }
    randperm(n) {
      const p = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.uniform() * (i + 1));
        [p[i], p[j]] = [p[j], p[i]];
      }
      return p;
    }
  }

  class LocalSearch {
    constructor({ population, sigma, decay = 1 }, parent, parentLoss, rng) {
      if (!(population >= 1)) throw new RangeError(`population must be >= 1, got ${population}`);
      if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
      if (!(decay > 0 && decay <= 1)) throw new RangeError(`sigma decay must be in (0, 1], got ${decay}`);
      Object.assign(this, { population, sigma, decay, rng });
      this.parent = parent.slice();
      this.parentLoss = parentLoss;
    }

    ask() {
      const children = [];
      for (let k = 0; k < this.population; k++) {
        children.push(this.parent.map((p) => p + this.sigma * this.rng.normal()));
      }
      return children;
    }

    /* Take the children and their losses; returns {winner, accepted, sigma used}. */
    tell(children, losses) {
      let best = 0;
      for (let k = 1; k < losses.length; k++) if (losses[k] < losses[best]) best = k;
      const accepted = losses[best] < this.parentLoss;
      if (accepted) {
        this.parent = children[best].slice();
        this.parentLoss = losses[best];
      }
      const sigma = this.sigma;
      this.sigma *= this.decay;
      return { winner: best, accepted, sigma };
    }
  }

  /* The MSE curve fit of sim/problems.py: a 2-parameter model f(a, b, x) (a parsed
   * expression) on points (x, y); loss and gradient over all points or a batch of indices. */
  class CurveFit {
    constructor(model, xs, ys) {
      this.f = model.value;
      this.df = model.dual(["a", "b"]);
      this.xs = xs;
      this.ys = ys;
    }
    get n() { return this.xs.length; }

    loss(params, idx) {
      const [a, b] = params;
      const use = idx || this.xs.map((_, i) => i);
      let s = 0;
      for (const i of use) {
        const r = this.f({ a, b, x: this.xs[i] }) - this.ys[i];
        s += r * r;
      }
      return s / use.length;
    }

    /* d loss / d (a, b), in the order torch's backward multiplies: (1/n) * 2r, then the
     * model's derivative, summed over the points. */
    grad(params, idx) {
      const [a, b] = params;
      const use = idx || this.xs.map((_, i) => i);
      const scale = 1 / use.length;
      let ga = 0, gb = 0;
      for (const i of use) {
        const [p, da, db] = this.df({ a, b, x: this.xs[i] });
        const c = scale * (2 * (p - this.ys[i]));
        ga += c * da;
        gb += c * db;
      }
      return [ga, gb];
    }

    predict(params, x) { return this.f({ a: params[0], b: params[1], x }); }
  }

  function makeGradientOptimizer(settings) {
    if (settings.optimizer === "adam") return new Adam({ lr: settings.lr });
    return new SGD({ lr: settings.lr, momentum: settings.momentum || 0, nesterov: !!settings.nesterov,
      dampening: settings.dampening || 0 });
  }

  /* Replay a recorded gradient run with the page's maths: the recorded start, settings and
   * batches (`batch`, one row of point indices per step; null = full batch). */
  function replayGradient(problem, run) {
    const opt = makeGradientOptimizer(run);
    let p = run.params[0].slice();
    const path = [p];
    const steps = run.params.length - 1;
    for (let t = 0; t < steps; t++) {
      const idx = run.batch ? run.batch[t] : null;
      p = opt.step(p, problem.grad(p, idx));
      path.push(p);
    }
    return path;
  }

  root.GdevoOptim = { SGD, Adam, LocalSearch, Rng, CurveFit, makeGradientOptimizer, replayGradient, lerp };
})(typeof window !== "undefined" ? window : globalThis);
