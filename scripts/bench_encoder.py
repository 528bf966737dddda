"""Usage: scripts/bench_encoder.py MOVIE WIDTH HEIGHT FPS MAX_FRAMES (a benchmark, not a test).

Encoder-only A/B on a real chapter: its frames, consecutive identical ones grouped as manim's holds,
encoded as manim 0.21 does (per-frame conversion, preset medium) vs gdevo's encode_held (medium, veryfast)."""

import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction

import av
import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from gdevo.rendering.encoding import encode_held

src, W, H, fps, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
runs = []
with av.open(src) as c:
    for i, f in enumerate(c.decode(video=0)):
        if i >= limit:
            break
        a = f.reformat(W, H, "rgba").to_ndarray() if (f.width, f.height) != (W, H) else f.to_ndarray(format="rgba")
        if runs and np.abs(runs[-1][0].astype(np.int16) - a).mean() < 0.05:
            runs[-1][1] += 1
        else:
            runs.append([a, 1])
n = sum(k for _, k in runs)
print(f"{src} {W}x{H}: {n} frames, {len(runs)} distinct runs, {sum(k for _, k in runs if k > 1)} frames in holds")


def enc(variant, out):
    mode, preset = variant
    c = av.open(out, "w")
    opts = {"an": "1", "crf": "23"}
    if preset:
        opts["preset"] = preset
    s = c.add_stream("libx264", rate=Fraction(fps), options=opts)
    s.pix_fmt = "yuv420p"
    s.width = W
    s.height = H
    t = time.perf_counter()
    for a, k in runs:
        if mode == "held":
            encode_held(s, c, a, k)
        else:
            for _ in range(k):
                for p in s.encode(av.VideoFrame.from_ndarray(a, format="rgba")):
                    c.mux(p)
    for p in s.encode():
        c.mux(p)
    c.close()
    return time.perf_counter() - t


variants = [("manim", None), ("held", None), ("held", "veryfast")]
times = {v: [] for v in variants}
for _ in range(3):
    for v in variants:
        times[v].append(enc(v, os.path.join(tempfile.gettempdir(), f"bench_encoder_{v[0]}_{v[1]}_{W}.mp4")))
for v, ts in times.items():
    m = statistics.median(ts)
    print(
        f"{v[0]:6s} preset {v[1] or 'medium':9s} median {m:6.2f} s  {m / n * 1e3:6.2f} ms/frame  "
        f"runs {[round(t, 2) for t in ts]}"
    )
