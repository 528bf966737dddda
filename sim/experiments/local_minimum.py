"""local-minimum: a bumpier 2-parameter landscape where evolution's local search gets stuck.

The same simulation as sine-2d (sim/experiments/sine2d.py) with a different model and target
(e.g. f(x) = sin(a·x + b) fitted to sin(2.5·x + 0.5)), whose landscape has shallow and deep
local minima; the trace marks them (`landscape/minima`) and says per run where it ended.
"""

from __future__ import annotations

from typing import Literal

from sim.experiments import Experiment
from sim.experiments.sine2d import Sine2DConfig, report, simulate


class LocalMinimumConfig(Sine2DConfig):
    experiment: Literal["local-minimum"] = "local-minimum"  # type: ignore[assignment]


EXPERIMENT = Experiment("local-minimum", "a 2-parameter landscape with local minima: evolution stalls in one, "
                        "momentum and Adam roll through it (and a deeper one that holds them all)",
                        LocalMinimumConfig, simulate, report)
