"""The one list of strategies: scenarios name a strategy here, tests run every entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

REGISTRY: dict[str, type[Strategy]] = {cls.name: cls for cls in STRATEGIES}


def build_strategy(name: str, params: Mapping[str, Any] | None = None) -> Strategy:
    """Build the registered strategy `name` with `params`.

    Raises:
        ValueError: for an unknown name or a bad parameter, with a one-line message.
    """
    cls = REGISTRY.get(name)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ValueError(f"unknown strategy {name!r} (known: {known})")
    return cls(**dict(params or {}))
