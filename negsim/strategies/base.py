"""The strategy contract: a small named class with metadata and validated parameters.

A strategy decides a party's target utility over time. Offer generation (which offer meets the
target) and the acceptance rule are shared by every strategy (`offers.py`, `acceptance.py`), so a
strategy class stays a few lines: its name, its metadata, its parameters and `target`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np


@dataclass(frozen=True)
class Param:
    """One parameter of a strategy: its default and a check returning a problem or None."""

    default: float
    check: Callable[[float], str | None]
    doc: str


class Strategy:
    """Base of every strategy: parameters are validated once, at construction.

    Subclasses set the class variables and implement `target`, vectorised over replications.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    stochastic: ClassVar[bool] = False
    time_dependent: ClassVar[bool] = False
    uses_opponent_model: ClassVar[bool] = True
    params: ClassVar[Mapping[str, Param]] = {}

    def __init__(self, **values: Any) -> None:
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            known = ", ".join(sorted(self.params)) or "none"
            raise ValueError(
                f"unknown parameter {unknown[0]!r} for strategy {self.name!r} (known: {known})"
            )
        self.values: dict[str, float] = {}
        for key, spec in self.params.items():
            raw = values.get(key, spec.default)
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ValueError(
                    f"parameter {key!r} of {self.name!r} must be a number, got {raw!r}"
                )
            problem = spec.check(float(raw))
            if problem:
                raise ValueError(f"parameter {key!r} of {self.name!r} {problem}, got {raw!r}")
            self.values[key] = float(raw)

    def target(self, t: np.ndarray, reservation: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Target utility at normalised time `t` in [0, 1], for each replication.

        Args:
            t: time for each replication, shape (n,).
            reservation: the party's reservation value per replication, shape (n,).
            best: the best utility the party can reach per replication, shape (n,).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"
