"""The one list of strategies: scenarios name a strategy here, tests run every entry."""

from __future__ import annotations

from negsim.registry import Registry
from negsim.strategies.base import Strategy
from negsim.strategies.time_dependent import (
    Boulware,
    Conceder,
    Hardliner,
    Linear,
    NoisyBoulware,
    NoisyConceder,
    NoisyTimeDependent,
    TimeDependent,
)
from negsim.strategies.tit_for_tat import TitForTat
from negsim.strategies.zeuthen import Zeuthen

STRATEGIES: tuple[type[Strategy], ...] = (
    Boulware,
    Linear,
    Conceder,
    Hardliner,
    TimeDependent,
    NoisyBoulware,
    NoisyConceder,
    NoisyTimeDependent,
    TitForTat,
    Zeuthen,
)

REGISTRY: Registry[Strategy] = Registry("strategy", STRATEGIES)
"""Every strategy by name, in the order of `STRATEGIES`."""

build_strategy = REGISTRY.build
"""Build the registered strategy `name` with `params` (`Registry.build`: one-line errors)."""
