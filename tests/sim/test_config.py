"""Configs share one header, one name for repeats, one activation check, one landscape model,
and a description that quotes numbers derived from the config instead of typing them again."""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path

import pytest

from sim.cache import config_names, resolve
from sim.config import ExperimentConfig, Landscape, RepeatedConfig, validate_config
from sim.errors import ConfigError
from sim.experiments import registry

ROOT = Path(__file__).resolve().parents[2]


def mlp_params(sizes: list[int]) -> int:
    """Weights and biases of a dense MLP, counted by hand."""
    return sum(i * o + o for i, o in itertools.pairwise(sizes))


def test_every_kind_shares_the_header_and_repeats_are_called_seeds():
    for exp in registry().values():
        model = exp.config_model
        assert issubclass(model, ExperimentConfig), exp.kind
        assert "repeats" not in model.model_fields, exp.kind
    for name in config_names():
        assert "repeats" not in tomllib.loads((ROOT / "configs" / f"{name}.toml").read_text()), name


def test_dimensions_description_says_the_configs_own_parameter_range():
    data = tomllib.loads((ROOT / "configs/dimensions.toml").read_text())
    sizes = [mlp_params(list(n["sizes"])) for n in data["nets"]]
    summary = resolve("dimensions", device="cpu").config.summary
    assert f"{min(sizes):,} to {max(sizes):,} parameters" in summary
    assert "{" not in summary
    # another network list gives another sentence, with nothing typed twice
    other = resolve("dimensions", ["nets.7.sizes=[1, 8, 8, 1]"], device="cpu").config.summary
    assert f"to {max([*sizes[:7], mlp_params([1, 8, 8, 1])]):,} parameters" in other


def test_every_shipped_description_fills_in():
    for name in config_names():
        try:
            cfg = resolve(name, device="cpu").config
        except ConfigError:   # e.g. an image file missing on this machine is not this test's concern
            continue
        assert "{" not in cfg.summary and "}" not in cfg.summary, name


@pytest.mark.parametrize("description, why", [
    ("{nope} parameters", r"description: \{nope\} is not a known field"),
    ("{seed!r}", r"description: \{seed\}"),
    ("unbalanced } brace", "description: Single '}'"),
])
def test_a_bad_description_field_is_one_clear_line(description, why):
    with pytest.raises(ConfigError, match=why) as exc:
        resolve("hyperparameters", [f"description={description!r}".replace("'", '"')], device="cpu")
    assert "\n" not in str(exc.value)


def test_one_activation_check_for_every_kind():
    cases = [("step-activation", "net.activation"), ("function-fit", "model.activation"),
             ("hyperparameters", "net.activation"), ("strong-es", "large.activation")]
    for name, key in cases:
        with pytest.raises(ConfigError) as exc:
            resolve(name, [f"{key}=swish"], device="cpu")
        assert re.search(r"unknown activation 'swish' \(allowed: tanh, relu", str(exc.value)), (name, str(exc.value))


def test_one_landscape_model():
    from sim.experiments.sine2d import Sine2DConfig
    from sim.experiments.strong_es import Small

    assert Sine2DConfig.model_fields["landscape"].annotation is Landscape
    assert Small.model_fields["landscape"].annotation is Landscape
    with pytest.raises(ConfigError, match="a_range must be"):
        validate_config(Landscape, {"a_range": [1, -1]}, "x.toml")


def test_seeds_is_bounded_the_same_everywhere():
    assert RepeatedConfig.model_fields["seeds"].default == 3
    for name in ("function-fit", "hyperparameters", "step-activation", "strong-es", "dimensions"):
        with pytest.raises(ConfigError, match="seeds"):
            resolve(name, ["seeds=0"], device="cpu")
