/* Test probe for the explorer page (tests/gdevo/test_explore.py): runs after the page's own
 * scripts, drives the page like a reader would (its parser, its hash, a click on the landscape)
 * and writes what it saw into <pre id="probe-result"> for the test to check in Python. */
(function () {
  "use strict";
  const X = window.GdevoExplorer, E = window.GdevoExpr, PR = window.PROBE;
  const out = { errors: window.__probeErrors, ready: !!(X && X.ready) };
  const finish = () => {
    const pre = document.createElement("pre");
    pre.id = "probe-result";
    pre.textContent = JSON.stringify(out);
    document.body.append(pre);
  };
  if (!out.ready) { finish(); return; }
  const enc = (v) => (Number.isNaN(v) ? null : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v);

  out.initial = JSON.parse(JSON.stringify(X.state));
  out.initialLive = X.live ? X.live.path.length - 1 : null;
  out.initialTheme = document.documentElement.dataset.theme;
  out.checks = X.checks;

  out.exprs = PR.exprs.map((t) => {
    try {
      const f = E.parse(t, ["x"], "target");
      return { ok: true, values: PR.x.map((x) => enc(f.value({ x }))) };
    } catch (err) {
      return { ok: false, error: String(err.message) };
    }
  });

  const written = X.currentHash();
  const liveBefore = X.live ? JSON.stringify(X.live.path) : null;
  X.applyState(X.readHash(""));
  X.applyState(X.readHash(written));
  out.hash = { written, again: X.currentHash(), sameLive: (X.live ? JSON.stringify(X.live.path) : null) === liveBefore };

  const input = document.getElementById("target"), msg = document.getElementById("target-msg");
  const look = () => ({ checksum: X.landscape.checksum, target: X.state.target, message: msg.textContent, class: msg.className });
  const setTarget = (t) => { input.value = t; input.dispatchEvent(new Event("change")); return look(); };
  out.badTarget = { before: look() };
  out.badTarget.refused = setTarget("__import__('os')");
  out.badTarget.good = setTarget("sin(2*x)");
  out.badTarget.restored = setTarget("sin(x)");

  X.applyState(X.readHash("#opt=momentum&lr=0.2&mom=0.9&steps=30&a=0&b=0&t=0"));
  const canvas = document.getElementById("landscape");
  const ratio = canvas.width / parseFloat(canvas.style.width);
  const before = canvas.toDataURL("image/png");
  const [px, py] = X.toPixel(PR.click[0], PR.click[1]);
  const rect = canvas.getBoundingClientRect();
  const opts = { bubbles: true, clientX: rect.left + px, clientY: rect.top + py, pointerId: 1, isPrimary: true, button: 0 };
  canvas.dispatchEvent(new PointerEvent("pointerdown", opts));
  canvas.dispatchEvent(new PointerEvent("pointerup", opts));
  setTimeout(() => {
    X.pause();
    const after = canvas.toDataURL("image/png");
    const path = X.live.path;
    const pixels = [];   // midpoints of the trail's longer segments, away from the point markers
    const pts = path.map((p) => X.toPixel(p[0], p[1]));
    const far = (q, r) => Math.hypot(q[0] - r[0], q[1] - r[1]) > 12;
    for (let k = 0; k + 1 < pts.length; k++) {
      const m = [(pts[k][0] + pts[k + 1][0]) / 2, (pts[k][1] + pts[k + 1][1]) / 2];
      const inside = X.axes.contains(m[0] - 3, m[1] - 3) && X.axes.contains(m[0] + 3, m[1] + 3);
      if (inside && Math.hypot(pts[k + 1][0] - pts[k][0], pts[k + 1][1] - pts[k][1]) > 8 && far(m, pts[pts.length - 1]) && far(m, pts[0])) pixels.push(m);
    }
    setTimeout(() => {
      out.afterClick = { path, steps: path.length - 1, before, after, pixels, ratio,
        hashT: Number(new URLSearchParams(location.hash.slice(1)).get("t")) };
      // drag the point: press, move, release; the start follows, nothing plays
      const fn = document.getElementById("function");
      const curveBefore = fn.toDataURL("image/png");
      const at = (a, b) => { const q = X.toPixel(a, b); return { bubbles: true, clientX: rect.left + q[0], clientY: rect.top + q[1], pointerId: 1, isPrimary: true, button: 0 }; };
      canvas.dispatchEvent(new PointerEvent("pointerdown", at(PR.drag[0][0], PR.drag[0][1])));
      canvas.dispatchEvent(new PointerEvent("pointermove", at((PR.drag[0][0] + PR.drag[1][0]) / 2, (PR.drag[0][1] + PR.drag[1][1]) / 2)));
      canvas.dispatchEvent(new PointerEvent("pointermove", at(PR.drag[1][0], PR.drag[1][1])));
      const loss = document.getElementById("readout").textContent;
      canvas.dispatchEvent(new PointerEvent("pointerup", at(PR.drag[1][0], PR.drag[1][1])));
      setTimeout(() => {
        out.drag = { a: X.state.a, b: X.state.b, t: X.state.t, steps: X.live ? X.live.path.length - 1 : null,
          readout: loss, curveChanged: fn.toDataURL("image/png") !== curveBefore };
        // a run of the project's own optimizer (tests/gdevo/test_explore.py adds it): drawn as recorded
        const colored = () => {
          const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let k = 0; k < px.length; k += 4) {
            if (Math.abs(px[k] - PR.own[0]) <= 12 && Math.abs(px[k + 1] - PR.own[1]) <= 12 && Math.abs(px[k + 2] - PR.own[2]) <= 12) n++;
          }
          return n;
        };
        X.applyState(X.readHash("#t=40&theme=dark"));
        const pixelsWithout = colored();
        X.applyState(X.readHash("#t=40&theme=dark&replay=own"));
        const row = document.querySelector('#replays input[value="own"]').closest("label");
        out.own = { pixels: colored(), pixelsWithout, label: row.querySelector("span:not(.swatch)").textContent,
          note: row.querySelector("small").textContent, swatch: getComputedStyle(row.querySelector(".swatch")).backgroundColor };
        finish();
      }, 1000);
    }, 500);
  }, 6000);
})();
