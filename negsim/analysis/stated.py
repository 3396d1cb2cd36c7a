"""The stated-numbers analysis of a scenario, and of many sweep points at once.

`stated_analysis(scenario)` is `analyse(scenario)` reduced to plain numbers for a summary: the
method, the ZOPA (exists, count, share, exact) and the four bargaining points of the required
parties. A sweep asks it of many points that differ only in reservation values, and the costly
part of `analyse` does not depend on them: the admissible outcomes, their utilities and the
Pareto frontier (exact method), or the supported outcomes and the ZOPA sample (approximate
method). `stated_analyses` groups points by what that part does depend on (the required
parties, their utility tables w_i·v_i(k), the option mask and their red lines), computes it once
per group, and derives each point's ZOPA count and solutions from it. Every result equals
`stated_analysis` of its point, bit for bit:

- ZOPA count: an outcome failing the group's elementwise lowest threshold (reservation less
  `TOLERANCE`) fails every point, so the outcomes are filtered by it once; the rest are binned by
  the distinct thresholds of each party whose reservation varies, and a suffix sum over the bins
  counts, for every point at once, the outcomes at or above all its thresholds. The comparisons
  are the very `>=` of `zopa` / `estimate_zopa` on the same floats, so counts are exact.
- Exact method: the solutions are `solve` over the group's frontier (less the rows below the
  group's lowest thresholds, which are never individually rational): `solve` keeps the
  individually rational rows in the same order as `analyse`'s bargaining set, so scores and
  tie-breaks are the same.
- Approximate method: the sample of `estimate_zopa` (seed 0, the same for every point) is drawn
  and valued once, and the supported outcomes are found once; the bargaining set issue by issue
  with the point's reservations as floor and the polishing by `local_search` depend on the
  reservations and run per point, as in `analyse`. The frontier of all admissible outcomes is not
  needed for these numbers and is skipped. Points with equal reservations are computed once.

Flagship `ukraine_2025` (`experiments/benchmark/stated_speed.py`, 2 cores, compiled engine):
one `stated_analysis` 0.30 s (1.17 s with the numpy engine); `stated_analyses` of a 20 x 20 grid
over Ukraine's and Russia's reservations 0.48 s in all, of a 100 x 100 grid 4.8 s (0.5 ms a
point, mostly the four calls of `solve`), against an estimated 105 s and 44 min one call a
point. Building the 10,000 scenarios with `Scenario.override` takes longer than analysing them
(about 18 s).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm.auto import tqdm

from negsim.analysis.bargaining import _frontier_of, analyse, utility_tables
from negsim.analysis.frontier import issue_wise_frontier, pareto_frontier, supported_outcomes
from negsim.analysis.outcomes import (
    DEFAULT_LIMIT,
    admissible_outcomes,
    allowed_options,
    is_admissible,
    outcome_count,
    outcome_utilities,
    sample_outcomes,
)
from negsim.analysis.solutions import (
    SOLUTIONS,
    Solution,
    egalitarian_score,
    kalai_smorodinsky_score,
    local_search,
    nash_score,
    party_score,
    solve,
    welfare_score,
)
from negsim.utility import TOLERANCE

if TYPE_CHECKING:
    from negsim.scenario import Scenario

# What `analyse(scenario)` uses by default: `stated_analysis` passes no options.
_SAMPLES = 100_000
_SAMPLE_CHUNK = 1 << 16  # `estimate_zopa` draws in chunks of this many: the same stream
_CAP = 5000
_BINS = 1 << 21  # the most cells of a ZOPA-count histogram before counting point by point
_CELLS = 1 << 22  # elements per temporary comparison array when counting point by point


def stated_analysis(scenario: Scenario) -> dict[str, Any]:
    """ZOPA and bargaining points of the required parties under the scenario's stated numbers."""
    result = analyse(scenario)
    zopa = result.zopa
    point = {
        name: None
        if solution is None
        else dict(zip(result.parties, solution.utilities.tolist(), strict=True))
        for name, solution in (
            ("nash", result.nash),
            ("kalai_smorodinsky", result.kalai_smorodinsky),
            ("egalitarian", result.egalitarian),
            ("max_welfare", result.max_welfare),
        )
    }
    return {
        "method": result.method,
        "zopa_exists": bool(zopa.exists),
        "zopa_outcomes": int(zopa.count),
        "zopa_share": float(zopa.share),
        "zopa_exact": bool(zopa.size_exact),
        "outcomes": int(result.outcome_count),
        **point,
    }


def stated_analyses(
    scenarios: Sequence[Scenario], progress: bool | None = None
) -> list[dict[str, Any]]:
    """`stated_analysis` of every scenario, sharing the work that reservations do not change.

    Args:
        scenarios: sweep points, in any mix of structures; points that share required parties,
            utility tables, options and red lines form one group, whatever their reservations.
        progress: show a progress bar over points; None shows it on a terminal only.

    Returns:
        One dict per scenario, in input order, equal to `stated_analysis` of it.

    >>> from negsim.formats import load_scenario
    >>> base = load_scenario("ukraine_2025")
    >>> points = [base.override({"parties.ukraine.reservation": r}) for r in (0.3, 0.9)]
    >>> [(a["zopa_exists"], a["zopa_outcomes"]) for a in stated_analyses(points, progress=False)]
    [(True, 82032), (False, 0)]
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    keys = [_Key.of(scenario) for scenario in scenarios]
    for position, key in enumerate(keys):
        groups.setdefault(key.identity, []).append(position)
    found: dict[int, dict[str, Any]] = {}
    with tqdm(
        total=len(scenarios),
        desc="stated analyses",
        unit="point",
        disable=None if progress is None else not progress,
        leave=False,
    ) as bar:
        for positions in groups.values():
            key = keys[positions[0]]
            reservations = np.array([keys[p].reservations for p in positions], dtype=float)
            reservations = reservations.reshape(len(positions), len(key.parties))
            for position, result in zip(positions, _analyse_group(key, reservations), strict=True):
                found[position] = result
                bar.update(1)
    return [found[position] for position in range(len(scenarios))]


@dataclass(frozen=True, eq=False)
class _Key:
    """What the analysis of one scenario depends on, and its required parties' reservations."""

    parties: tuple[str, ...]
    tables: np.ndarray  # (P, I, K) of the required parties
    mask: np.ndarray  # (I, K)
    allowed: np.ndarray  # (I, K): options no required party rules out
    reservations: np.ndarray  # (P,)

    @classmethod
    def of(cls, scenario: Scenario) -> _Key:
        """The key `analyse(scenario)` would use: required parties, their red lines excluding."""
        chosen = np.flatnonzero(scenario.required)
        names = scenario.party_names
        return cls(
            parties=tuple(names[p] for p in chosen),
            tables=np.ascontiguousarray(utility_tables(scenario)[chosen]),
            mask=scenario.option_mask,
            allowed=allowed_options(scenario.option_mask, scenario.red_lines[chosen]),
            reservations=np.asarray(scenario.reservations[chosen], dtype=float),
        )

    @property
    def identity(self) -> tuple[Any, ...]:
        """Hashable: equal for scenarios whose analyses differ only by reservations."""
        return (
            self.parties,
            self.tables.shape,
            self.tables.tobytes(),
            self.mask.tobytes(),
            self.allowed.tobytes(),
        )


def _analyse_group(key: _Key, reservations: np.ndarray) -> Iterator[dict[str, Any]]:
    """Results for one group's points (reservations (Q, P)), in order, as `analyse` finds them."""
    total = outcome_count(key.mask.sum(axis=1))
    admissible = outcome_count(key.allowed.sum(axis=1))
    thresholds = reservations - TOLERANCE  # the very floats `zopa` and `estimate_zopa` compare
    if admissible <= DEFAULT_LIMIT:
        outcomes = admissible_outcomes(key.allowed, DEFAULT_LIMIT)
        utilities = outcome_utilities(key.tables, outcomes)
        counts = count_at_least(utilities, thresholds)
        del outcomes
        front = pareto_frontier(utilities)
        front_utilities = utilities[front]
        del utilities
        # Frontier rows below the group's lowest thresholds are rational at no point.
        somewhere = (front_utilities >= thresholds.min(axis=0)).all(axis=1)
        front_utilities = front_utilities[somewhere]
        for d, count in zip(reservations, counts, strict=True):
            count = int(count)
            # The bargaining set as `analyse` has it, then its very calls of `solve`.
            chosen = front_utilities[(front_utilities >= d - TOLERANCE).all(axis=1)]
            rows = np.arange(len(chosen))
            solutions = {
                name: solve(rows, chosen, d, name, rows) if len(rows) else None
                for name in SOLUTIONS
            }
            share = count / total if total else 0.0
            yield _summary("exact", count > 0, count, share, True, total, key.parties, solutions)
        return
    approximate = _Approximate(key.tables, key.mask, key.allowed)
    hits = count_at_least(approximate.sample_utilities, thresholds)
    done: dict[bytes, dict[str, Solution | None]] = {}
    for d, found in zip(reservations, hits, strict=True):
        found = int(found)
        if d.tobytes() not in done:
            done[d.tobytes()] = approximate.solutions(d)
        solutions = done[d.tobytes()]
        exists = found > 0 or solutions["nash"] is not None  # `analyse`: or a bargaining set
        count = (found * total + _SAMPLES // 2) // _SAMPLES
        share = found / _SAMPLES
        yield _summary("approximate", exists, count, share, False, total, key.parties, solutions)


def _summary(
    method: str,
    exists: bool,
    count: int,
    share: float,
    exact: bool,
    total: int,
    parties: tuple[str, ...],
    solutions: dict[str, Solution | None],
) -> dict[str, Any]:
    """The dict `stated_analysis` returns, built from a point's numbers."""
    return {
        "method": method,
        "zopa_exists": bool(exists),
        "zopa_outcomes": int(count),
        "zopa_share": float(share),
        "zopa_exact": exact,
        "outcomes": int(total),
        **{
            name: None
            if solution is None
            else dict(zip(parties, solution.utilities.tolist(), strict=True))
            for name, solution in solutions.items()
        },
    }


class _Approximate:
    """The reservation-free part of `analyse`'s approximate method, and per-point solutions.

    Mirrors `negsim.analysis.bargaining._approximate`; `tests/analysis/test_stated.py` checks
    that the two agree.
    """

    def __init__(self, tables: np.ndarray, mask: np.ndarray, allowed: np.ndarray) -> None:
        self.tables = tables
        self.allowed = allowed
        self.supported = supported_outcomes(tables, allowed)
        # The sample `estimate_zopa` draws with rng None (seed 0) from the whole outcome space,
        # chunk by chunk from one stream; only its admissible outcomes can count.
        rng = np.random.default_rng(0)
        kept = [np.zeros((0, tables.shape[0]))]
        for start in range(0, _SAMPLES, _SAMPLE_CHUNK):
            drawn = sample_outcomes(mask, min(_SAMPLE_CHUNK, _SAMPLES - start), rng)
            drawn = drawn[is_admissible(allowed, drawn)]
            kept.append(outcome_utilities(tables, drawn))
        self.sample_utilities = np.vstack(kept)

    def solutions(self, d: np.ndarray) -> dict[str, Solution | None]:
        """The four solutions at reservations `d`, found as `analyse` finds them."""
        tables, allowed = self.tables, self.allowed
        rational, _, _ = issue_wise_frontier(tables, allowed, _CAP, floor=d)
        pool = _frontier_of(tables, np.vstack([rational, self.supported]), d)
        ideals = [party_score(p) for p in range(len(d))]
        for stage in (ideals, None):
            if stage is None:  # the Kalai-Smorodinsky score needs the polished ideal
                ideal = pool[1].max(axis=0) if len(pool[1]) else d
                ks = kalai_smorodinsky_score(ideal, d)
                stage = [nash_score, ks, egalitarian_score, welfare_score]
            for score in stage:
                start = solve(*pool, d, score, np.arange(len(pool[0])))
                if start is not None:
                    polished = local_search(tables, allowed, start.outcome, d, score)
                    pool = _frontier_of(tables, np.vstack([pool[0], polished[None]]), d)
        rows = np.arange(len(pool[0]))
        return {name: solve(pool[0], pool[1], d, name, rows) for name in SOLUTIONS}


def count_at_least(points: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """For each row of `thresholds` (Q, P), how many rows of `points` (N, P) are >= it throughout.

    Exactly `[(points >= t).all(axis=1).sum() for t in thresholds]`, at a fraction of the cost:
    points below the elementwise minimum threshold are dropped once; the rest are binned by the
    distinct thresholds of each party whose threshold varies, and a suffix sum of the histogram
    gives every count (point by point, in chunks, when the histogram would be too large).

    >>> count_at_least(np.array([[0.5, 0.5], [0.9, 0.1], [0.3, 0.6]]), np.array([[0.3, 0.3],
    ...     [0.3, 0.1], [0.95, 0.0]])).tolist()
    [2, 3, 0]
    """
    points = np.asarray(points, dtype=float)
    thresholds = np.asarray(thresholds, dtype=float).reshape(-1, points.shape[1])
    if len(thresholds) == 0:
        return np.zeros(0, dtype=np.int64)
    points = points[(points >= thresholds.min(axis=0)).all(axis=1)]
    varying = [p for p in range(points.shape[1]) if (thresholds[:, p] != thresholds[0, p]).any()]
    if not varying or len(points) == 0:
        return np.full(len(thresholds), len(points), dtype=np.int64)
    levels = [np.unique(thresholds[:, p]) for p in varying]
    shape = tuple(len(level) + 1 for level in levels)
    if np.prod(shape, dtype=float) > max(_BINS, 4 * len(points)):
        return _count_directly(points[:, varying], thresholds[:, varying])
    # Bin b of a party holds the points at or above exactly its b lowest thresholds.
    bins = [
        np.searchsorted(level, points[:, p], side="right")
        for level, p in zip(levels, varying, strict=True)
    ]
    histogram = np.bincount(np.ravel_multi_index(bins, shape), minlength=int(np.prod(shape)))
    above = histogram.reshape(shape)
    for axis in range(len(shape)):  # above[b] = points in bins >= b on every axis
        above = np.flip(np.cumsum(np.flip(above, axis), axis=axis), axis)
    # A point meets threshold level j of a party when its bin is above j.
    index = tuple(
        np.searchsorted(level, thresholds[:, p]) + 1
        for level, p in zip(levels, varying, strict=True)
    )
    return above[index].astype(np.int64)


def _count_directly(points: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """`count_at_least` by comparing every point with every threshold row, in chunks."""
    counts = np.empty(len(thresholds), dtype=np.int64)
    step = max(1, _CELLS // max(len(points), 1))
    columns = np.ascontiguousarray(points.T)
    for start in range(0, len(thresholds), step):
        chunk = thresholds[start : start + step]
        inside = columns[0][None, :] >= chunk[:, 0, None]
        for p in range(1, points.shape[1]):
            inside &= columns[p][None, :] >= chunk[:, p, None]
        counts[start : start + len(chunk)] = inside.sum(axis=1)
    return counts
