"""Experiment configs: TOML files in configs/, validated by pydantic into typed models.

Every invalid value becomes one ConfigError line naming the file, the field and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


LayerSize = Annotated[int, Field(ge=1, le=4096, description="units in one hidden layer")]
Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]


def _known_activation(name: str) -> str:
    from sim.nets import check_activation  # torch is imported only when a config is validated

    return check_activation(name)


Activation = Annotated[str, AfterValidator(_known_activation)]
"""The activation of a config field: checked by sim.nets.check_activation, like network specs."""


def check_ordered(pair: tuple[float, float], name: str) -> None:
    """A [low, high] range with low < high, else a ValueError naming the field."""
    if not pair[0] < pair[1]:
        raise ValueError(f"{name} must be [low, high] with low < high, got {list(pair)}")


class Strict(BaseModel):
    """Base for config models: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentConfig(Strict):
    """The header every experiment config shares: kind, description, seed, device, torch threads.

    A description may quote numbers derived from the config as `{name}` (see `facts`), so the
    text never repeats a number by hand that the config could contradict.
    """

    experiment: str
    description: str = ""
    seed: Seed = 0
    device: Literal["cpu", "cuda"] = "cpu"
    threads: int = Field(default=1, ge=0, le=1024,
                         description="CPU threads for torch while simulating (0 = torch's default)")

    def facts(self) -> dict[str, str]:
        """Numbers a description may quote, derived from this config (subclasses add theirs)."""
        out = {"seed": str(self.seed)}
        if isinstance(getattr(self, "seeds", None), int):
            out["seeds"] = str(self.seeds)
        return out

    @property
    def summary(self) -> str:
        """The description with its `{name}` fields filled from `facts()`."""
        facts = self.facts()
        parts = []
        for text, field, spec, conv in string.Formatter().parse(self.description):
            parts.append(text)
            if field is None:
                continue
            if field not in facts or spec or conv:
                raise ValueError(f"description: {{{field}}} is not a known field "
                                 f"(known: {', '.join('{' + k + '}' for k in facts)})")
            parts.append(facts[field])
        return "".join(parts)

    @model_validator(mode="after")
    def _description_fields(self):
        try:
            _ = self.summary
        except ValueError as exc:   # an unknown field, or a brace string.Formatter cannot parse
            msg = str(exc)
            raise ValueError(msg if msg.startswith("description:")
                             else f"description: {msg} (write a literal brace as {{{{ or }}}})") from None
        return self


class RepeatedConfig(ExperimentConfig):
    """An experiment repeated over seeds seed, seed+1, …; summaries are mean ± sd over them."""

    seeds: int = Field(default=3, ge=1, le=100, description="repeats over seeds seed, seed+1, ...")


class Landscape(Strict):
    """A grid over the (a, b) plane of a 2-parameter problem (sim.landscape.landscape_grid)."""

    a_range: tuple[float, float] = (-4.0, 4.0)
    b_range: tuple[float, float] = (-4.0, 4.0)
    resolution: int = Field(default=201, ge=8, le=2001)

    @model_validator(mode="after")
    def _ordered(self) -> Landscape:
        check_ordered(self.a_range, "a_range")
        check_ordered(self.b_range, "b_range")
        return self


def _known_optimizer(name: str) -> str:
    """A registry name (sim.optimizers.OPTIMIZERS) or a project's own FILE.py:CLASS (checked with the run)."""
    from sim.optimizers import optimizer_entry
    from sim.user_optimizer import is_spec

    if not is_spec(name):
        optimizer_entry(name)
    return name


def _gradient_optimizer(name: str) -> str:
    from sim.optimizers import optimizer_entry

    optimizer_entry(name, "gradient")
    return name


OptimizerName = Annotated[str, AfterValidator(_known_optimizer)]
GradientOptimizerName = Annotated[str, AfterValidator(_gradient_optimizer)]
"""A torch.optim optimizer of the registry (descent runs inside an experiment, not raced runs)."""


class OptimizerSettings(BaseModel):
    """What every recorded run names: the optimizer and its hyperparameters (shared by run kinds).

    Unknown keys are errors, except for a project's own optimizer (`optimizer = "lion.py:Lion"`):
    its run's other keys (betas, weight_decay, ...) go to its constructor."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    optimizer: OptimizerName
    lr: float = Field(default=0.1, gt=0, le=1e4)
    momentum: float = Field(default=0.0, ge=0, lt=1)
    population: int = Field(default=10, ge=1, le=100_000)
    sigma: float = Field(default=0.3, gt=0, le=100)
    sigma_decay: float = Field(default=1.0, gt=0, le=1)
    label: str | None = None

    @model_validator(mode="after")
    def _settings_the_optimizer_takes(self):
        from sim.optimizers import optimizer_entry
        from sim.user_optimizer import is_spec, load

        if is_spec(self.optimizer):
            load(self.optimizer, self.name)   # one line naming the file and the run if it cannot be used
            return self
        if self.model_extra:
            raise ValueError(f"unknown key {next(iter(self.model_extra))!r} (extra keys are for your own "
                             "optimizer file only)")
        if self.momentum and "momentum" not in optimizer_entry(self.optimizer).options:
            raise ValueError(f"momentum applies to optimizer 'sgd' only, not {self.optimizer!r}")
        return self

    @property
    def display(self) -> str:
        return self.label or self.name


class RunConfig(OptimizerSettings):
    """One optimizer run on a task: a torch.optim optimizer or the evolutionary local search."""

    steps: int = Field(default=60, ge=1, le=100_000, description="gradient steps or evolution rounds")
    batch_size: int | None = Field(default=None, ge=1, description="None = full batch")


def format_validation_error(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "config"
    got = err.get("input")
    got_s = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
    msg = err["msg"].removeprefix("Value error, ")
    return f"{source}: {loc}: {msg}{got_s}"


def validate_config(model: type[M], data: dict[str, Any], source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `key.sub=value` overrides (values parsed as TOML literals, else kept as strings)."""
    data = json.loads(json.dumps(data))
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. seed=3")
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        node: Any = data
        parts = key.split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(f"--set {item!r}: {part!r} is not an index of a list of {len(node)}")
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                raise ConfigError(f"--set {item!r}: {'.'.join(parts[:i])!r} is not a table or list")
    return data


def config_hash(config: BaseModel | dict[str, Any], *salt: str) -> str:
    """A stable key for a validated config plus salts (sim code version, device)."""
    data = config.model_dump(mode="json") if isinstance(config, BaseModel) else config
    blob = json.dumps(data, sort_keys=True, separators=(",", ":")) + "|" + "|".join(salt)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
