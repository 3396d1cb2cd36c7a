"""Global sensitivity of an output (the agreement probability) to many numbers at once, by SALib.

A *factor* is one number of the config (`scenario.parties.ukraine.reservation`) with a range: an
interval of reals or of whole numbers, or a choice among values. `design` samples the factors'
space for a method, `factor_values` turns each design row into the values a job runs with, and
`indices` analyses the jobs' outputs:

- **Morris** (elementary effects; `SALib.sample.morris`, `SALib.analyze.morris`): r trajectories
  of D + 1 points, each moving one factor at a time by a step on a grid of `levels` levels. μ* is
  the mean absolute change of the output when a factor moves across its whole range (effects are
  per unit of the range scaled to [0, 1], so factors with other units compare), sigma the spread of
  those changes (interactions, non-linearity). A screening method: few points, a ranking.
- **Sobol** (variance shares; `SALib.sample.sobol`, `SALib.analyze.sobol`): N·(D + 2) points of
  a scrambled Sobol sequence (N a power of two). S1 is the share of the output's variance a
  factor explains alone, ST the share it takes part in, interactions included.

Intervals are SALib's bootstrap intervals (`confidence`, 95% by default) over the design's rows,
seeded, so the same design and outputs give the same numbers. They cover the design's sampling,
not the noise of each point's agreement probability; the *dummy* factor measures that: it
changes nothing but the random seed of a point, so its index is what noise alone produces.

Whole numbers and choices are sampled as reals and rounded (a choice among n values takes the
n equal parts of [0, n)): the indices treat them as the reals they were drawn as.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

METHODS = ("morris", "sobol")
DUMMY = "dummy"
"""The name of the dummy factor (the seed): its index is the noise floor."""

COLUMNS = ["number", "index", "value", "low", "high"]
"""Columns of an index table (`sensitivity.csv`): one row per number and kind of index."""

INDEX_NAMES = {
    "mu_star": "μ*",
    "sigma": "\u03c3",
    "mu": "μ",
    "S1": "S1",
    "ST": "ST",
}


@dataclass(frozen=True)
class Factor:
    """A number to vary and its range.

    Attributes:
        key: its config key (`scenario.parties.ukraine.reservation`), or `dummy` for the seed.
        low: the range's lower end (a choice: 0).
        high: the range's upper end (a choice: the number of choices).
        kind: `float`, `int` (rounded to whole numbers) or `choice`.
        choices: the values of a choice, in order; empty otherwise.
    """

    key: str
    low: float
    high: float
    kind: str = "float"
    choices: tuple[Any, ...] = ()

    def value(self, x: float) -> Any:
        """The value a job runs with for the design's coordinate `x`."""
        if self.kind == "choice":
            return self.choices[min(math.floor(x), len(self.choices) - 1)]
        if self.kind == "int":
            return int(min(max(round(x), math.ceil(self.low)), math.floor(self.high)))
        return float(f"{x:.10g}")


def problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """SALib's problem description of the factors."""
    return {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def check_factors(factors: Sequence[Factor], method: str, where: str = "sensitivity") -> None:
    """Raise ValueError (one line, naming the factor) if the design cannot be made."""
    if method not in METHODS:
        raise ValueError(f"{where}: method must be one of {', '.join(METHODS)}, got {method!r}")
    if len(factors) < 1 + any(f.key == DUMMY for f in factors):
        raise ValueError(f"{where}: no numbers to vary: give hydra.sweeper.params or around")
    keys = [f.key for f in factors]
    for factor in factors:
        if keys.count(factor.key) > 1:
            raise ValueError(f"{where}: {factor.key}: given twice")
        if not factor.low < factor.high:
            raise ValueError(
                f"{where}: {factor.key}: the range [{factor.low:g}, {factor.high:g}] is empty"
            )


def design(
    factors: Sequence[Factor],
    method: str,
    trajectories: int = 20,
    levels: int = 4,
    samples: int = 256,
    seed: int = 0,
) -> np.ndarray:
    """The design's points, one row per point, one column per factor, shape (N, D).

    Morris: `trajectories` * (D + 1) rows on a grid of `levels` levels. Sobol: `samples` * (D + 2)
    rows (first-order and total indices; `samples` must be a power of two).
    """
    check_factors(factors, method)
    spec = problem(factors)
    if method == "morris":
        from SALib.sample import morris

        if trajectories < 2 or levels < 2 or levels % 2:
            raise ValueError(
                "sensitivity: morris needs trajectories >= 2 and an even number of levels >= 2, "
                f"got {trajectories} and {levels}"
            )
        return np.asarray(morris.sample(spec, trajectories, num_levels=levels, seed=seed))
    from SALib.sample import sobol

    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"sensitivity: sobol needs samples a power of two, got {samples}")
    return np.asarray(sobol.sample(spec, samples, calc_second_order=False, seed=seed))


def factor_values(factors: Sequence[Factor], x: np.ndarray) -> list[list[Any]]:
    """Each design row's values, as the jobs run with them."""
    return [[f.value(v) for f, v in zip(factors, row, strict=True)] for row in np.asarray(x)]


def indices(
    factors: Sequence[Factor],
    x: np.ndarray,
    y: np.ndarray,
    method: str,
    levels: int = 4,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """The index table of the design `x` with outputs `y`: one row per number and index.

    Morris gives μ* (with its bootstrap interval), sigma and mu; Sobol gives S1 and ST with theirs.
    Rows are ordered by the ranking index (μ* or ST), largest first.
    """
    check_factors(factors, method)
    y = np.asarray(y, dtype=float)
    if y.shape != (len(x),) or not np.isfinite(y).all():
        raise ValueError(f"sensitivity: need one finite output per design point ({len(x)})")
    spec = problem(factors)
    rows: list[tuple[str, str, float, float, float]] = []
    if method == "morris":
        from SALib.analyze import morris

        result = morris.analyze(spec, np.asarray(x), y, num_resamples=resamples,
                                conf_level=confidence, num_levels=levels, seed=seed)  # fmt: skip
        for i, factor in enumerate(factors):
            star, half = float(result["mu_star"][i]), float(result["mu_star_conf"][i])
            rows.append((factor.key, "mu_star", star, max(star - half, 0.0), star + half))
            sigma, mu = float(result["sigma"][i]), float(result["mu"][i])
            rows.append((factor.key, "sigma", sigma, math.nan, math.nan))
            rows.append((factor.key, "mu", mu, math.nan, math.nan))
        rank = "mu_star"
    else:
        from SALib.analyze import sobol

        result = sobol.analyze(spec, y, calc_second_order=False, num_resamples=resamples,
                               conf_level=confidence, seed=seed)  # fmt: skip
        for i, factor in enumerate(factors):
            for kind in ("S1", "ST"):
                value, half = float(result[kind][i]), float(result[f"{kind}_conf"][i])
                if not math.isfinite(value):  # a constant output: nothing to share out
                    value, half = 0.0, 0.0
                rows.append((factor.key, kind, value, value - half, value + half))
        rank = "ST"
    table = pd.DataFrame(rows, columns=COLUMNS)
    return order_by(table, rank)


def ranking_index(table: pd.DataFrame) -> str:
    """The index a table ranks by: μ* for Morris, ST for Sobol."""
    return "mu_star" if (table["index"] == "mu_star").any() else "ST"


def order_by(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The table with its numbers in decreasing order of index `kind`, kinds kept together."""
    score = table[table["index"] == kind].set_index("number")["value"]
    ranked = score.sort_values(ascending=False, kind="stable").index
    position = table["number"].map({name: i for i, name in enumerate(ranked)})
    ordered = table.assign(_order=position).sort_values("_order", kind="stable")
    return ordered.drop(columns="_order").reset_index(drop=True)


def around_factor(key: str, value: float, half_width: float) -> Factor:
    """A factor within `half_width` of a stated `value`, clipped to what the number allows.

    The rules of the "around" shorthand, read from the key's last part: a reservation stays in
    [0, 1]; a deadline is a whole number of rounds, at least 1; any other number stated
    positive stays at or above a tenth of its value (a whole number with a whole half-width
    stays whole).

    >>> around_factor("ukraine.reservation", 0.95, 0.1)
    Factor(key='ukraine.reservation', low=0.85, high=1.0, kind='float', choices=())
    >>> around_factor("us.deadline", 3, 5)
    Factor(key='us.deadline', low=1.0, high=8.0, kind='int', choices=())
    """
    low, high = value - half_width, value + half_width
    field = key.rsplit(".", 1)[-1]
    if field == "reservation":
        low, high = max(low, 0.0), min(high, 1.0)
    elif field == "deadline":
        return Factor(key, float(max(low, 1.0)), float(high), "int")
    elif value > 0:
        low = max(low, value / 10)
    whole = isinstance(value, int) and float(half_width).is_integer()
    low, high = round(float(low), 12), round(float(high), 12)  # 0.55 - 0.1 reads 0.45
    return Factor(key, low, high, "int" if whole else "float")
