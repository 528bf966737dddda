/* Canvas drawing for the explorer: crisp canvases at the device's pixel ratio, axes with
 * nice ticks (linear or log), line charts, a colour-mapped heatmap image and contour lines
 * (marching squares over the loss grid). Plain canvas 2D, no library: the page must open
 * offline from disk and stay small.
 */
(function (root) {
  "use strict";

  /* Size a canvas for its CSS box at the device pixel ratio; returns a context in CSS px. */
  function setup(canvas, width, height) {
    const ratio = Math.max(1, Math.min(3, root.devicePixelRatio || 1));
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return ctx;
  }

  function niceStep(span, count) {
    const raw = span / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  }

  function ticks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    const step = niceStep(hi - lo, count);
    const out = [];
    for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
      out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    }
    return out;
  }

  function format(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
    return String(Number(v.toPrecision(3)));
  }

  /* A rectangle mapping data (x, y) to pixels; y up; optional log10 axes. */
  class Axes {
    constructor(box, x, y, opts) {
      Object.assign(this, box);   // left, top, width, height
      this.logX = !!(opts && opts.logX);
      this.logY = !!(opts && opts.logY);
      this.x = this.logX ? x.map(Math.log10) : x;
      this.y = this.logY ? y.map(Math.log10) : y;
    }
    px(x) { const v = this.logX ? Math.log10(x) : x; return this.left + ((v - this.x[0]) / (this.x[1] - this.x[0])) * this.width; }
    py(y) { const v = this.logY ? Math.log10(y) : y; return this.top + this.height - ((v - this.y[0]) / (this.y[1] - this.y[0])) * this.height; }
    dx(px) { const v = this.x[0] + ((px - this.left) / this.width) * (this.x[1] - this.x[0]); return this.logX ? Math.pow(10, v) : v; }
    dy(py) { const v = this.y[0] + ((this.top + this.height - py) / this.height) * (this.y[1] - this.y[0]); return this.logY ? Math.pow(10, v) : v; }
    contains(px, py) { return px >= this.left && px <= this.left + this.width && py >= this.top && py <= this.top + this.height; }

    /* Frame, ticks, tick labels and axis titles, in the theme's colours. */
    draw(ctx, theme, xLabel, yLabel) {
      ctx.save();
      ctx.strokeStyle = theme.axis;
      ctx.fillStyle = theme.text;
      ctx.lineWidth = 1;
      ctx.strokeRect(this.left + 0.5, this.top + 0.5, this.width, this.height);
      ctx.font = theme.font;
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      for (const v of this.tickValues(this.x, this.logX, Math.max(2, Math.floor(this.width / 70)))) {
        const p = this.left + ((v.pos - this.x[0]) / (this.x[1] - this.x[0])) * this.width;
        ctx.beginPath(); ctx.moveTo(p, this.top + this.height); ctx.lineTo(p, this.top + this.height + 4); ctx.stroke();
        ctx.fillText(v.label, p, this.top + this.height + 6);
      }
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      for (const v of this.tickValues(this.y, this.logY, Math.max(2, Math.floor(this.height / 45)))) {
        const p = this.top + this.height - ((v.pos - this.y[0]) / (this.y[1] - this.y[0])) * this.height;
        ctx.beginPath(); ctx.moveTo(this.left - 4, p); ctx.lineTo(this.left, p); ctx.stroke();
        ctx.fillText(v.label, this.left - 6, p);
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      if (xLabel) ctx.fillText(xLabel, this.left + this.width / 2, this.top + this.height + 36);
      if (yLabel) {
        ctx.translate(this.left - 44, this.top + this.height / 2);
        ctx.rotate(-Math.PI / 2);
        ctx.textBaseline = "top";
        ctx.fillText(yLabel, 0, 0);
      }
      ctx.restore();
    }

    tickValues(range, log, count) {
      if (!log) return ticks(range[0], range[1], count).map((v) => ({ pos: v, label: format(v) }));
      const out = [];
      for (let k = Math.ceil(range[0] - 1e-9); k <= Math.floor(range[1] + 1e-9); k++) out.push({ pos: k, label: k === 0 ? "1" : `1e${k}` });
      if (out.length > count + 1) return out.filter((_, i) => i % Math.ceil(out.length / count) === 0);
      return out;
    }
  }

  /* Stroke a polyline of data points, skipping non-finite ones (a gap). */
  function polyline(ctx, axes, xs, ys, style) {
    ctx.save();
    Object.assign(ctx, style);
    if (style.dash) ctx.setLineDash(style.dash);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i], y = ys[i];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (axes.logY && y <= 0) || (axes.logX && x <= 0)) { pen = false; continue; }
      const px = axes.px(x), py = Math.max(axes.top - 2000, Math.min(axes.top + axes.height + 2000, axes.py(y)));
      if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
    ctx.restore();
  }

  /* An offscreen canvas of na x nb pixels: grid values (rows = y ascending) through a colour
   * table, normalised by `norm(v) -> [0, 1]`; drawn scaled into the axes by the caller. */
  function heatmap(values, na, nb, lut, norm) {
    const canvas = document.createElement("canvas");
    canvas.width = na;
    canvas.height = nb;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(na, nb);
    for (let i = 0; i < nb; i++) {
      for (let j = 0; j < na; j++) {
        const v = values[i * na + j];
        const k = ((nb - 1 - i) * na + j) * 4;   // image rows go down, b goes up
        const c = Number.isFinite(v) ? lut[Math.max(0, Math.min(lut.length - 1, Math.round(norm(v) * (lut.length - 1))))] : [128, 128, 128];
        img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  /* Contour segments of `values` (nb rows x na cols) at `level`, by marching squares, in
   * fractional grid coordinates [[j0, i0, j1, i1], ...]. */
  function contour(values, na, nb, level) {
    const segs = [];
    const at = (i, j) => values[i * na + j];
    const cross = (v0, v1) => (level - v0) / (v1 - v0);
    for (let i = 0; i < nb - 1; i++) {
      for (let j = 0; j < na - 1; j++) {
        const v00 = at(i, j), v01 = at(i, j + 1), v10 = at(i + 1, j), v11 = at(i + 1, j + 1);
        if (!(Number.isFinite(v00) && Number.isFinite(v01) && Number.isFinite(v10) && Number.isFinite(v11))) continue;
        const pts = [];
        if ((v00 < level) !== (v01 < level)) pts.push([j + cross(v00, v01), i]);
        if ((v01 < level) !== (v11 < level)) pts.push([j + 1, i + cross(v01, v11)]);
        if ((v10 < level) !== (v11 < level)) pts.push([j + cross(v10, v11), i + 1]);
        if ((v00 < level) !== (v10 < level)) pts.push([j, i + cross(v00, v10)]);
        if (pts.length === 2) segs.push([pts[0][0], pts[0][1], pts[1][0], pts[1][1]]);
        else if (pts.length === 4) {   // saddle: pair by the centre value
          const centre = (v00 + v01 + v10 + v11) / 4;
          if ((centre < level) === (v00 < level)) {
            segs.push([...pts[0], ...pts[1]], [...pts[2], ...pts[3]]);
          } else {
            segs.push([...pts[0], ...pts[3]], [...pts[1], ...pts[2]]);
          }
        }
      }
    }
    return segs;
  }

  function arrow(ctx, x0, y0, x1, y1, head) {
    const ang = Math.atan2(y1 - y0, x1 - x0);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(ang - 0.45), y1 - head * Math.sin(ang - 0.45));
    ctx.lineTo(x1 - head * Math.cos(ang + 0.45), y1 - head * Math.sin(ang + 0.45));
    ctx.closePath();
    ctx.fill();
  }

  /* Colour table entry for t in [0, 1]. */
  function lutColor(lut, t) {
    const c = lut[Math.max(0, Math.min(lut.length - 1, Math.round(t * (lut.length - 1))))];
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  root.GdevoPlot = { setup, Axes, ticks, format, polyline, heatmap, contour, arrow, lutColor };
})(typeof window !== "undefined" ? window : globalThis);
