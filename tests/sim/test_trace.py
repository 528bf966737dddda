"""The trace contract: deterministic bytes, round trip, and clear refusals of bad files."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from sim.errors import TraceError
from sim.experiments.sine2d import simulate
from sim.trace import SCHEMA_VERSION, load_trace, save_trace
from tests.conftest import small_sine_config


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    paths = []
    for i, seed in enumerate((5, 5, 6)):
        paths.append(save_trace(simulate(small_sine_config(seed=seed), "sine-2d"), tmp_path / f"t{i}.npz"))
    first, again, other = (p.read_bytes() for p in paths)
    assert first == again
    assert first != other


def test_round_trip_keeps_every_array_and_the_metadata(sine_trace, tmp_path):
    path = save_trace(sine_trace, tmp_path / "t.npz")
    loaded = load_trace(path)
    assert set(loaded.arrays) == set(sine_trace.arrays)
    for key, arr in sine_trace.arrays.items():
        np.testing.assert_array_equal(loaded[key], arr)
        assert loaded[key].dtype == arr.dtype
    assert loaded.meta["schema_version"] == SCHEMA_VERSION
    assert loaded.meta["config"]["seed"] == 0
    assert {"torch", "numpy", "gdevo"} <= set(loaded.meta["versions"])
    assert loaded.run("evolution").wall is not None  # timing sidecar merged back
    assert np.load(path)["runs/sgd/loss"].shape == sine_trace["runs/sgd/loss"].shape  # plain numpy opens it


@pytest.fixture
def saved(sine_trace, tmp_path):
    return save_trace(sine_trace, tmp_path / "trace.npz")


def _rewrite_meta(path, edit):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(members["meta.json"])
    edit(meta)
    members["meta.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_truncated_file_is_refused_clearly(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(TraceError, match=r"trace\.npz: corrupt or truncated"):
        load_trace(saved)


def test_corrupt_file_is_refused_clearly(saved):
    saved.write_bytes(b"this is not a trace at all" * 10)
    with pytest.raises(TraceError, match=r"trace\.npz: corrupt or truncated"):
        load_trace(saved)


def test_wrong_schema_version_is_refused_clearly(saved):
    _rewrite_meta(saved, lambda m: m.update(schema_version=SCHEMA_VERSION + 98))
    with pytest.raises(TraceError, match=rf"trace\.npz: trace schema version {SCHEMA_VERSION + 98}.*re-run"):
        load_trace(saved)


def test_missing_field_is_refused_clearly(saved):
    _rewrite_meta(saved, lambda m: m.pop("seed"))
    with pytest.raises(TraceError, match=r"trace\.npz: missing field 'seed'"):
        load_trace(saved)


def test_missing_run_array_is_refused_clearly(saved):
    def drop(meta):
        meta["arrays"].pop("runs/sgd/loss")
    _rewrite_meta(saved, drop)
    with pytest.raises(TraceError, match=r"run 'sgd' \(gradient\) lacks required array 'loss'"):
        load_trace(saved)


def test_save_is_atomic_and_a_failed_save_keeps_the_old_file(sine_trace, tmp_path):
    path = save_trace(sine_trace, tmp_path / "t.npz")
    before = path.read_bytes()
    broken = type(sine_trace)(dict(sine_trace.meta), {**sine_trace.arrays, "runs/sgd/loss": np.zeros(3)})
    with pytest.raises(TraceError):
        save_trace(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_written_files_get_normal_permissions_not_mkstemps_0600(sine_trace, tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        path = save_trace(sine_trace, tmp_path / "perm.npz")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("bad, why", [
    ({"x": {"mean": 1.0, "sd": None, "n": 2, "of": 2}}, "sd"),            # two values need a sample sd
    ({"x": {"mean": 1.0, "sd": 0.5, "n": 3, "of": 2}}, "n = 3"),
    ({"x": {"mean": None, "sd": None, "n": 1, "of": 1}}, "mean"),
    ({"deep": [{"mean": 1.0, "sd": -1.0, "n": 2, "of": 2}]}, "sd must be >= 0"),
    ("not an object", "stats must be an object"),
])
def test_stats_that_break_the_spread_rule_are_refused(saved, bad, why):
    _rewrite_meta(saved, lambda m: m.update(stats=bad))
    with pytest.raises(TraceError, match=why) as exc:
        load_trace(saved)
    assert "trace.npz" in str(exc.value) and "\n" not in str(exc.value)


def test_missing_stats_is_refused(saved):
    _rewrite_meta(saved, lambda m: m.pop("stats"))
    with pytest.raises(TraceError, match="missing field 'stats'"):
        load_trace(saved)


def test_wall_stats_round_trip_and_a_damaged_sidecar_only_drops_timing(sine_trace, tmp_path):
    from sim.stats import spread
    from sim.trace import timing_path

    sine_trace.wall_stats = {"t_star": 1.5, "groups": {"sgd": {"wall": spread([1.0, 2.0, 3.0])}}}
    path = save_trace(sine_trace, tmp_path / "w.npz")
    assert load_trace(path).wall_stats == sine_trace.wall_stats
    side = json.loads(timing_path(path).read_text())
    side["stats"]["groups"]["sgd"]["wall"]["sd"] = None   # breaks the spread rule
    timing_path(path).write_text(json.dumps(side))
    again = load_trace(path)
    assert again.wall_stats == {} and again.timing == {}
    np.testing.assert_array_equal(again["runs/sgd/loss"], sine_trace["runs/sgd/loss"])


def test_bad_wall_stats_are_refused_before_anything_is_written(sine_trace, tmp_path):
    from sim.trace import Trace

    bad = Trace(sine_trace.meta, sine_trace.arrays, sine_trace.timing,
                wall_stats={"x": {"mean": 1.0, "sd": None, "n": 3, "of": 3}})
    with pytest.raises(TraceError, match="sample"):
        save_trace(bad, tmp_path / "x.npz")
    assert not list(tmp_path.iterdir())
