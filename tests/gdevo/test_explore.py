"""gdevo explore: the offline explorer page, driven in headless Chromium with the network blocked.

One build (the real sine-2d config, small hyperparameters / function-fit sweeps) and one
Chromium load of the page plus a probe script: the probe runs the page's own code (its torch
replays, its parser, its hash, a click on the landscape) and reports; the checks are here, in
Python, against the trace and sim/expr.py.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

from gdevo.cli import main
from gdevo.web.page import SIZE_BUDGET, build_explorer
from sim.cache import ensure_trace
from sim.errors import ConfigError
from sim.expr import parse_expression
from sim.problems import ExprCurve

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (scripts/setup.sh --test)")

SWEEPS = {  # small versions of the recorded sweeps: the panel's code, not the science, is tested here
    "hyperparameters": ["seeds=1", "task.points=8", "net.sizes=[1, 4, 1]", "evolution.populations=[2, 4]",
                        "evolution.sigmas=[0.03, 0.3]", "evolution.rounds=10", "sgd.lrs=[0.1, 30.0]",
                        "sgd.batch_sizes=[1, 8]", "sgd.steps=10"],
    "function-fit": ["seeds=2", "data.n=16", "model.sizes=[1, 4, 1]", "frames=5", "runs.0.population=8",
                     "runs.0.steps=5", "runs.1.steps=20", "runs.2.steps=20"],
}

GOOD = ["sin(x)", "sin(3*x)", "abs(x) - 0.5", "x**2", "-x**2", "2**-x", "x**2**0.5", "sigmoid(4*x) - 0.5",
        "relu(x) - 0.3", "floor(2*x)/2", "sign(x)*sqrt(abs(x))", "exp(-x**2)", "log(1 + x**2)", "tan(x)/4",
        "tanh(2*x)", "cos(pi*x)", "e**x", "x % 0.3", "-x % 0.3", "(x+1) % -0.4", "0x10 * x / 16", "1_000 * x / 1e3",
        ".5*x", "5.*x", "1E-1*x", "+x", "--x", "sin(x,)", "(sin)(x)", "x # a comment", "(x\n+1)", "2", "pi",
        "1/x", "x%0", "1e400*x", "sqrt(x)", "2 ** 3 ** 0.5 * x", "  x  ", "x/0.5/2"]
BAD = ["", "   ", "x+" * 100 + "x", "__import__('os')", "__import__('os').system('ls')", "eval('1')", "os.system",
       "x.real", "x[0]", "[x]", "(x, x)", "()", "lambda: 1", "x if x else 1", "x // 2", "x @ x", "x < 1", "not x",
       "~x", "sin(x, x)", "sin()", "sin(x=1)", "max(x, 1)", "y", "a*x", "True*x", "None", "'x'", "2x", "x y", "01",
       "1j*x", "1/0", "0**-1", "10.0**400", "5 % 0", "sin", "x =1", "x; 1", "x\n1", "sin(x", "x)", "x & 1",
       "x ** ", "constructor", "constructor(x)", "__proto__", "toString(x)", "hasOwnProperty(x)",
       "x.constructor('alert(1)')"]
PROBE_X = [-1.0, -0.5, 0.0, 0.5, 1.0]
CLICK = (-1.0, 1.5)   # where the probe clicks the landscape
DRAG = ((2.0, 2.0), (1.0, -0.5))   # and where it drags the point from and to
ERROR_HOOKS = """window.__probeErrors = [];
window.addEventListener("error", (e) => window.__probeErrors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.__probeErrors.push(String(e.reason)));
document.addEventListener("securitypolicyviolation", (e) => window.__probeErrors.push("CSP " + e.violatedDirective));
for (const level of ["error", "warn"]) {
  const original = console[level].bind(console);
  console[level] = (...args) => { window.__probeErrors.push(level + ": " + args.join(" ")); original(...args); };
}
"""

# A run made by a project's own optimizer, added to the payload as `gdevo explore` writes one (meta with a
# `source`; an optimizer name the page does not know; its colour in the payload's tables).
OWN_COLOR = (18, 171, 52)
OWN_RUN = """(function () {
  const D = window.GDEVO_EXPLORER, base = D.runs.find((r) => r.kind === "gradient");
  D.runs.push(Object.assign({}, base, { name: "own", label: "Lion (your own)", optimizer: "lion",
    source: { file: "lion.py", class: "Lion", sha256: "0", options: {} } }));
  D.colors.dark.own = D.colors.light.own = "#12ab34";
})();
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from gdevo.settings import Settings

    root = tmp_path_factory.mktemp("explore")
    settings = Settings(voice="off", renders=root / "renders", cache=root / "cache")
    page = build_explorer(settings, "sine-2d", simulate_sweeps=True, sweep_overrides=SWEEPS)
    return page, ensure_trace("sine-2d", quiet=True, cache=settings.cache)


def chromium_probe(folder: Path, hash_: str, data: dict) -> tuple[dict, str]:
    """Load the page with a probe script appended; return the probe's report and Chromium's log."""
    index = folder / "index.html"
    (folder / "probe-data.js").write_text(f"window.PROBE = {json.dumps(data)};\n{ERROR_HOOKS}")
    shutil.copyfile(Path(__file__).with_name("explorer_probe.js"), folder / "probe.js")
    (folder / "probe-own.js").write_text(OWN_RUN)
    page = index.read_text().replace('<script src="data.js"></script>',
                                     '<script src="probe-data.js"></script>\n<script src="data.js"></script>\n'
                                     '<script src="probe-own.js"></script>')
    page = page.replace("</body>", '<script src="probe.js"></script>\n</body>')
    probe = folder / "probe.html"
    probe.write_text(page)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--enable-logging=stderr", "--v=0",
             "--window-size=1200,1400", "--virtual-time-budget=20000", "--dump-dom", probe.as_uri() + hash_],
            capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="probe-result">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"the probe did not report; chromium said:\n{proc.stderr[-3000:]}\n{proc.stdout[-2000:]}"
    return json.loads(html.unescape(m.group(1))), proc.stderr


@pytest.fixture(scope="module")
def report(built):
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    page, _ = built
    hash_ = "#opt=adam&lr=0.07&steps=25&t=9&a=1.5&b=-2&seed=4&replay=sgd,evolution&theme=dark&hp=evo.1.1&race=adam"
    return chromium_probe(page.index.parent, hash_, {"exprs": GOOD + BAD, "x": PROBE_X, "click": CLICK, "drag": DRAG,
                                                           "own": OWN_COLOR})


def test_size_budget_and_only_local_files(built):
    page, _ = built
    folder = page.index.parent
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.name.startswith("probe"))
    assert page.size == total < SIZE_BUDGET
    html_text = page.index.read_text()
    refs = re.findall(r'(?:src|href)="([^"]+)"', html_text)
    assert refs and all((folder / r).is_file() for r in refs), refs
    everything = "\n".join(p.read_text() for p in folder.glob("*.*") if not p.name.startswith("probe"))
    assert not re.search(r"https?://", everything) and "cdn" not in everything.lower()
    for code in (r"\beval\s*\(", r"new\s+Function\s*\(", r"\bon[a-z]+=", r"setTimeout\(\s*['\"`]"):
        assert not re.search(code, everything), code
    assert "Content-Security-Policy" in html_text and "unsafe" not in html_text
    assert page.sweeps == ("hyperparameters", "race") and page.missing == ()


@needs_chromium
def test_page_loads_without_console_errors(report):
    rep, log = report
    assert rep["errors"] == [], rep["errors"]
    assert not re.search(r"Uncaught|Refused to|ERR_|SyntaxError|TypeError", log), log[-3000:]
    assert rep["ready"] is True


@needs_chromium
def test_page_maths_matches_the_recorded_torch_runs(report, built):
    """Every recorded gradient run, recomputed by the page from the same start, settings and batches,
    follows torch's path to 1e-5 (a chaotic run: as long as torch itself, started 1e-12 away, stays
    within 1e-7 of its own path); one step from each recorded point matches to 1e-12."""
    rep, _ = report
    _, trace = built
    gradient = [r for r in trace.runs() if r.kind == "gradient"]
    assert {r.name for r in gradient} <= set(rep["checks"]) and len(gradient) >= 9
    assert any("batch" in r for r in gradient)   # mini-batch runs replay the recorded batches
    for run in gradient:
        got = rep["checks"][run.name]
        params = run["params"]
        path = np.array(got["path"], dtype=np.float64)
        assert path.shape == params.shape
        one_step = np.array(got["oneStep"], dtype=np.float64)
        assert np.abs(one_step - params[1:]).max() < 1e-12, run.name
        horizon = torch_horizon(trace, run)
        diff = np.abs(path - params).max(axis=1)
        assert diff[: horizon + 1].max() < 1e-5, (run.name, horizon, diff)
        if run.meta["status"] != "diverged":
            assert horizon == len(params) - 1, run.name
    for run in trace.runs():
        if run.kind == "evolution":
            got = rep["checks"][run.name]
            assert got["agree"] == got["rounds"] == len(run["winner"]) and got["maxFree"] < 1e-12


def torch_horizon(trace, run, nudge: float = 1e-12, tol: float = 1e-7) -> int:
    """How many steps torch's own path stays within `tol` of itself started `nudge` away: beyond
    that, a chaotic run (lr 10) amplifies any rounding, so no other implementation can follow it."""
    cfg = trace.meta["config"]
    model = parse_expression(cfg["model"], variables=("a", "b", "x"), field="model")
    x = torch.tensor(trace["data/x"], dtype=torch.float64)
    problem = ExprCurve(model, x, torch.tensor(trace["data/y"], dtype=torch.float64))
    paths = []
    for start in (run["params"][0], run["params"][0] + nudge):
        p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        opt = (torch.optim.Adam([p], lr=run.meta["lr"]) if run.meta["optimizer"] == "adam"
               else torch.optim.SGD([p], lr=run.meta["lr"], momentum=run.meta["momentum"]))
        path = [p.detach().clone()]
        for t in range(len(run["params"]) - 1):
            idx = torch.as_tensor(run["batch"][t]) if "batch" in run else None
            opt.zero_grad()
            problem.loss(p, idx).backward()
            opt.step()
            path.append(p.detach().clone())
        paths.append(torch.stack(path).numpy())
    apart = np.abs(paths[0] - paths[1]).max(axis=1) > tol
    return int(np.argmax(apart)) - 1 if apart.any() else len(run["params"]) - 1


@needs_chromium
def test_js_parser_agrees_with_sim_expr(report):
    rep, _ = report
    results = rep["exprs"]
    assert len(results) == len(GOOD) + len(BAD)
    probe = torch.tensor(PROBE_X, dtype=torch.float64)
    for text, js in zip(GOOD + BAD, results, strict=True):
        try:
            py = parse_expression(text)(probe).tolist()
        except ConfigError:
            py = None
        assert (py is None) == (not js["ok"]), (text, py, js)
        if py is None:
            assert js["error"].startswith("target: ") and "\n" not in js["error"], (text, js)
            continue
        for a, b in zip(py, js["values"], strict=True):
            b = math.nan if b is None else {"inf": math.inf, "-inf": -math.inf}.get(b, b)
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-15), (text, py, js)
    assert GOOD[0] in [t for t, r in zip(GOOD + BAD, results, strict=True) if r["ok"]]


@needs_chromium
def test_link_reopens_the_same_view(report):
    rep, _ = report
    first = rep["initial"]   # the state the page read from the URL it was opened with
    assert first["opt"] == "adam" and first["lr"] == 0.07 and first["steps"] == 25 and first["seed"] == 4
    assert first["a"] == 1.5 and first["b"] == -2 and first["replay"] == "sgd,evolution" and first["theme"] == "dark"
    assert rep["initialLive"] == 9 and rep["initialTheme"] == "dark"
    hashes = rep["hash"]
    assert hashes["again"] == hashes["written"]          # read -> write -> read -> write is stable
    assert hashes["sameLive"] is True                    # and recomputes the same path, step for step
    written = dict(p.split("=", 1) for p in hashes["written"].lstrip("#").split("&"))
    assert written["opt"] == "adam" and float(written["lr"]) == 0.07 and written["hp"] == "evo.1.1"
    assert rep["afterClick"]["hashT"] == rep["afterClick"]["steps"] > 0   # the address bar follows the run


@needs_chromium
def test_bad_expression_is_refused_and_changes_nothing(report):
    bad = report[0]["badTarget"]
    assert bad["refused"]["class"] == "error" and "not allowed" in bad["refused"]["message"]
    assert bad["refused"]["checksum"] == bad["before"]["checksum"] and bad["refused"]["target"] == "sin(x)"
    assert bad["good"]["class"] == "ok" and bad["good"]["checksum"] != bad["before"]["checksum"]
    assert bad["good"]["target"] == "sin(2*x)" and bad["restored"]["checksum"] == bad["before"]["checksum"]


@needs_chromium
def test_click_on_the_landscape_starts_a_run_whose_trail_appears(report):
    from PIL import Image

    click = report[0]["afterClick"]
    path = np.array(click["path"])
    assert np.abs(path[0] - CLICK).max() < 0.02          # the run starts where the click landed
    assert click["steps"] >= 20                          # and it played

    def image(url: str) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"), dtype=int)

    before, after = image(click["before"]), image(click["after"])
    changed = np.abs(before - after).sum(axis=2) > 40
    ratio = click["ratio"]
    hits = [bool(changed[round(y * ratio), round(x * ratio)]) for x, y in click["pixels"]]
    assert len(hits) >= 5 and np.mean(hits) > 0.9, hits  # pixels change where the path goes
    assert changed.mean() < 0.1                          # and the rest of the landscape stays


def test_bad_requests_are_one_line(capsys, isolated_outputs):
    for argv, needle in ((["explore", "nope"], "unknown experiment 'nope'"),
                         (["explore", "hyperparameters"], "needs a 2-parameter landscape"),
                         (["explore", "--set", "landscape.resolution=3"], "resolution")):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err, err
    assert not (isolated_outputs / "renders" / "explorer").exists()


def test_project_writes_its_own_explorer_from_its_overrides(tmp_path, capsys):
    """`gdevo explore --project DIR`: the project's overrides (another target) and its renders folder."""
    project = tmp_path / "talk"
    assert main(["init", str(project), "--title", "My talk", "--theme", "light"]) == 0
    (project / "overrides" / "sine-2d.toml").write_text('[data]\ntarget = "cos(x)"\n[landscape]\nresolution = 41\n')
    assert main(["explore", "--project", str(project), "--no-sweeps"]) == 0, capsys.readouterr().err
    data = (project / "renders" / "explorer" / "data.js").read_text()
    payload = json.loads(data.split("=", 1)[1].strip().rstrip(";"))
    assert payload["data"]["target"] == "cos(x)" and len(payload["landscape"]["a"]) == 41
    assert payload["project"] == {"title": "My talk", "theme": "light"}
    assert "renders/explorer/index.html" in capsys.readouterr().out


def test_deck_gets_a_slide_that_opens_the_local_explorer(built, tmp_path):
    from gdevo.settings import Settings
    from gdevo.web.page import add_deck_slide

    page, _ = built
    deck = page.index.parent.parent / "slides" / "gdevo-deck.html"
    deck.parent.mkdir(exist_ok=True)
    deck.write_text('<div class="slides"><section data-background-video="a.mp4"></section>\n</div><script></script>')
    staged = tmp_path / "stage.html"   # written in a staging folder, then moved beside the explorer
    staged.write_text(deck.read_text())
    assert add_deck_slide(staged, Settings(renders=page.index.parent.parent), deck.parent)
    deck.write_text(staged.read_text())
    assert not add_deck_slide(staged, Settings(renders=tmp_path / "none"))   # no explorer: no slide pointing nowhere
    text = deck.read_text()
    assert len(re.findall(r"<section\b", text)) == 2 and text.index('data-gdevo="explorer"') < text.index("</div>")
    href = re.search(r'<a href="([^"]+)"', text).group(1)
    assert href == "../explorer/index.html" and (deck.parent / href).resolve() == page.index.resolve()


@pytest.mark.skipif(shutil.which("firefox-esr") is None and shutil.which("firefox") is None,
                    reason="Firefox not installed (optional: apt-get install firefox-esr)")
def test_firefox_draws_the_landscape_and_a_run(built, tmp_path):
    """Firefox (headless screenshot, offline): the scripts run under the page's CSP and draw the
    heatmap and the live run's trail in the link's theme."""
    from PIL import Image

    page, _ = built
    firefox = shutil.which("firefox-esr") or shutil.which("firefox")
    shot, profile = tmp_path / "ff.png", tmp_path / "profile"
    profile.mkdir()
    url = page.index.as_uri() + "#opt=momentum&lr=0.2&mom=0.9&t=20&a=-1&b=2&theme=dark"
    subprocess.run([firefox, "--headless", "--no-remote", "--profile", str(profile), "--window-size=1200,900",
                    "--screenshot", str(shot), url], capture_output=True, timeout=120,
                   env={**os.environ, "MOZ_DISABLE_CONTENT_SANDBOX": "1", "no_proxy": "*", "http_proxy": "http://127.0.0.1:9"})
    rgb = np.asarray(Image.open(shot).convert("RGB"), dtype=int)

    def share(hex_color: str, tol: int = 30) -> float:
        target = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(rgb - target).max(axis=2) <= tol).mean())

    from scenes.kit.palette import DARK

    assert share("#fde725", 40) > 0.01                       # viridis' top colour: the heatmap was drawn
    assert share(DARK.optimizers["momentum"], 40) > 0.0005   # the momentum run's trail and curve
    assert share(DARK.background, 6) + share("#1c1e24", 6) > 0.3   # the dark theme


@needs_chromium
def test_dragging_the_point_moves_the_start_and_the_curve_follows(report, built):
    drag = report[0]["drag"]
    assert abs(drag["a"] - DRAG[1][0]) < 0.02 and abs(drag["b"] - DRAG[1][1]) < 0.02
    assert drag["t"] == 0 and drag["steps"] == 0          # a drag does not start a run
    assert drag["curveChanged"]                           # the network's curve followed
    _, trace = built
    cfg = trace.meta["config"]
    model = parse_expression(cfg["model"], variables=("a", "b", "x"), field="model")
    x = torch.tensor(trace["data/x"], dtype=torch.float64)
    loss = ExprCurve(model, x, torch.tensor(trace["data/y"], dtype=torch.float64)).loss(
        torch.tensor([drag["a"], drag["b"]], dtype=torch.float64))
    shown = float(re.search(r"loss ([0-9.e+-]+)", drag["readout"]).group(1))
    assert shown == pytest.approx(float(loss), rel=1e-3)   # and the loss shown is the loss there


@needs_chromium
def test_a_run_of_your_own_optimizer_is_drawn_but_not_replayed(report):
    """A run with a `source` has no twin in the page: no replay with a built-in optimizer, a note saying so,
    and its recorded path drawn in the payload's colour under the payload's label."""
    rep, _ = report
    note = "Lion (lion.py): your own code, not replayed in the page"
    assert rep["checks"]["own"] == {"kind": "gradient", "replayed": False, "note": note}
    own = rep["own"]
    assert own["label"] == "Lion (your own)" and own["note"] == note
    assert own["swatch"] == "rgb({}, {}, {})".format(*OWN_COLOR)
    assert own["pixels"] > 20 and own["pixelsWithout"] == 0   # its recorded path, in its colour
