"""Bargaining analysis of a scenario: Pareto frontier, Nash and friends, ZOPA, deal quality.

`analyse(scenario)` (or `analyse_tables` on utility tables) gathers everything for the required
parties, with their reservations as the disagreement point and the red lines of every required
party excluding outcomes. Red lines act option by option, so the admissible outcomes form a
product space whose size is known exactly. Utilities are compared as the engine compares them:
"at least the reservation" and Pareto dominance allow `negsim.utility.TOLERANCE` (1e-9).

Exact method (admissible outcomes <= `limit`, 10^6 by default): list every admissible outcome,
take the Pareto frontier (`pareto_frontier`), count the ZOPA, and choose the solutions on the
individually rational part of the frontier (the bargaining set).

Approximate method (above the limit; 30 issues x 5 options is ~10^21 outcomes), never listing the
space:

1. Frontier, issue by issue (`issue_wise_frontier`): the frontier of a sum of per-issue choices
   lies in the sum of the per-issue frontiers, so adding one issue at a time and keeping the
   frontier is exact. It is run twice: on all admissible outcomes (the `frontier`), and with the
   reservations as a floor, pruning partial deals that cannot become individually rational (the
   `bargaining` set, usually far smaller). Only when a partial frontier outgrows `cap` (5000) is it
   thinned to one point per ε-box; `frontier_error` / `bargaining_error` then bound the loss:
   every exact point u has a found point v with v >= u - error for every party (0.0: exact).
2. Supported points: for a grid of weights λ on the simplex, the outcome maximising Σ_p λ_p u_p,
   found issue by issue in O(I·K); equal weights give the maximum-welfare outcome exactly, so
   the max-welfare solution is exact whenever that outcome is individually rational.
3. Solutions are chosen among these candidates, then polished by `local_search` (best one-issue
   changes while the score rises), as are each party's ideal points for Kalai-Smorodinsky.
4. ZOPA: share estimated from `samples` (10^5) outcomes drawn uniformly, with a 95% Wilson
   interval (`size_exact=False`); it exists if a sample or the bargaining set shows it.

Measured error of the approximate method, forced on enumerable random scenarios (4 parties,
8 issues x 4 options = 65,536 outcomes, reservations at each party's median utility, seeds 0-9;
`tests/analysis/test_bargaining.py` asserts the bounds in brackets):

- default `cap` (5000): frontier, bargaining set and all four solutions identical to the exact
  ones (also on 10 x 4 = 1,048,576 outcomes, where frontiers reach 3,833 points) [identical].
- stressed, `cap=30`, so nearly every partial frontier is thinned: Nash product 1.000 of the
  exact one in all ten (0.806 at worst without the polishing step) [>= 0.98]; egalitarian
  minimum gain also exact (0.83 without polishing); exact frontier points lie at Euclidean
  distance <= 0.232 from the found frontier (mean 0.059) [<= 0.3]; the additive error is at most
  0.071 while the reported bound `frontier_error` is 0.42-0.94 [bound holds]: the bound is safe
  but loose, as it adds up every thinning step's worst case.

Speed (`experiments/benchmark/analysis_speed.py`, one core, a shared machine): exact, 4 parties
x 10^6 outcomes, 0.4-0.5 s in all (`pareto_frontier` 0.2-0.3 s), 150 MiB of arrays at the peak;
approximate, 4 parties x 30 issues x 5 options (9.3e20 outcomes), 4.5 s at cap 5000, with a
frontier of 7,709 points and bound 0.42 (time grows as cap squared).

Flagship `ukraine_2025` (12 issues, 12,582,912 outcomes): the red lines leave 663,552
admissible ones, under the limit, so `analyse` is exact by default (0.9-1.8 s): frontier 1,824
points, bargaining set 620, ZOPA 58,005 outcomes (0.461%). Forced, the approximate method
(0.15-0.2 s) finds the same frontier and solutions with error bound 0, and a ZOPA share of 0.468%
[0.428%, 0.512%]. Its weights and values have two or three decimals, so sums tie often: without
the tolerance, rounding (0.229 against 0.229 - 2.8e-17) put 44 more points on the frontier and
left 439 outcomes worth exactly a reservation out of the ZOPA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from negsim.analysis.frontier import (
    distance_to_frontier,
    issue_wise_frontier,
    pareto_frontier,
    supported_outcomes,
)
from negsim.analysis.outcomes import (
    DEFAULT_LIMIT,
    admissible_outcomes,
    allowed_options,
    outcome_count,
    outcome_utilities,
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
from negsim.analysis.zopa import Zopa, estimate_zopa, zopa
from negsim.utility import TOLERANCE

if TYPE_CHECKING:
    from negsim.scenario import Scenario

METHODS = ("auto", "exact", "approximate")


@dataclass(frozen=True, eq=False)
class BargainingAnalysis:
    """Frontier, bargaining solutions and ZOPA of one scenario for a set of parties.

    Attributes:
        parties: names of the parties analysed (columns of every utility array).
        reservations: the disagreement point, shape (P,).
        outcome_count: size of the whole outcome space.
        admissible_count: outcomes crossing no red line.
        method: "exact" (every admissible outcome listed) or "approximate".
        frontier_outcomes: Pareto-optimal admissible outcomes, shape (F, I).
        frontier_utilities: their utilities, shape (F, P).
        frontier_error: additive bound on what the frontier misses (0.0 when exact).
        bargaining_outcomes: the individually rational frontier outcomes, shape (B, I).
        bargaining_utilities: their utilities, shape (B, P).
        bargaining_error: as `frontier_error`, for the bargaining set.
        ideal: each party's best utility over individually rational outcomes (NaN without any).
        nash, kalai_smorodinsky, egalitarian, max_welfare: the solutions (None without a ZOPA);
            `index` is a row of the bargaining arrays.
        zopa: size of the zone of possible agreement.
    """

    parties: tuple[str, ...]
    reservations: np.ndarray
    outcome_count: int
    admissible_count: int
    method: str
    frontier_outcomes: np.ndarray
    frontier_utilities: np.ndarray
    frontier_error: float
    bargaining_outcomes: np.ndarray
    bargaining_utilities: np.ndarray
    bargaining_error: float
    ideal: np.ndarray
    nash: Solution | None
    kalai_smorodinsky: Solution | None
    egalitarian: Solution | None
    max_welfare: Solution | None
    zopa: Zopa

    @property
    def solutions(self) -> dict[str, Solution | None]:
        """The four solutions by name."""
        return {name: getattr(self, name) for name in SOLUTIONS}

    def quality(self, tables: ArrayLike, deals: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """`deal_quality` of `deals` against this analysis's frontier and Nash point."""
        nash = None if self.nash is None else self.nash.utilities
        return deal_quality(tables, deals, self.reservations, self.frontier_utilities, nash)

    def summary(self) -> dict[str, Any]:
        """Plain numbers for reports: sizes, ZOPA, and each solution's utilities by party."""
        out: dict[str, Any] = {
            "method": self.method,
            "outcomes": self.outcome_count,
            "admissible": self.admissible_count,
            "frontier_size": len(self.frontier_outcomes),
            "frontier_error": self.frontier_error,
            "bargaining_size": len(self.bargaining_outcomes),
            "bargaining_error": self.bargaining_error,
            "zopa_exists": self.zopa.exists,
            "zopa_share": self.zopa.share,
            "zopa_interval": self.zopa.interval,
            "zopa_exact": self.zopa.size_exact,
        }
        for name, solution in self.solutions.items():
            out[name] = (
                None
                if solution is None
                else dict(zip(self.parties, solution.utilities.round(4).tolist(), strict=True))
            )
        return out


def utility_tables(scenario: Scenario) -> np.ndarray:
    """The scenario's stated utility table w_i·v_i(k) per party, shape (P, I, K)."""
    return scenario.weights[:, :, None] * scenario.values


def analyse(
    scenario: Scenario,
    parties: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    rng: np.random.Generator | int | None = None,
    **options: Any,
) -> BargainingAnalysis:
    """Bargaining analysis of a scenario's stated numbers.

    Args:
        scenario: the scenario.
        parties: names of the parties to analyse; the required parties when omitted. Red lines
            of these and of every required party make outcomes inadmissible.
        limit: the most admissible outcomes to list for the exact method.
        rng: for the ZOPA sample of the approximate method (None: seed 0, results repeat).
        **options: passed to `analyse_tables` (method, samples, cap).

    >>> from negsim.formats import load_scenario
    >>> result = analyse(load_scenario("ukraine_2025"), method="approximate")
    >>> result.parties, len(result.frontier_outcomes), result.frontier_error
    (('us', 'russia', 'ukraine', 'europe'), 1824, 0.0)
    >>> result.nash.utilities.round(4).tolist()
    [0.765, 0.6235, 0.549, 0.5565]
    """
    names = scenario.party_names
    if parties is None:
        chosen = [p for p, required in enumerate(scenario.required) if required]
    else:
        unknown = [p for p in parties if p not in names]
        if unknown:
            raise KeyError(f"no party {unknown[0]!r} in scenario {scenario.name!r}")
        chosen = [names.index(p) for p in parties]
    excluding = scenario.required.copy()
    excluding[chosen] = True
    return analyse_tables(
        utility_tables(scenario)[chosen],
        scenario.option_mask,
        scenario.reservations[chosen],
        scenario.red_lines[excluding],
        parties=tuple(names[p] for p in chosen),
        limit=limit,
        rng=rng,
        **options,
    )


def analyse_tables(
    tables: ArrayLike,
    option_mask: ArrayLike,
    reservations: ArrayLike,
    forbidden: ArrayLike | None = None,
    *,
    parties: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    method: str = "auto",
    rng: np.random.Generator | int | None = None,
    samples: int = 100_000,
    cap: int = 5000,
) -> BargainingAnalysis:
    """Bargaining analysis of utility tables: exact below `limit`, approximate above it.

    Args:
        tables: w_i·v_i(k) per party, shape (P, I, K).
        option_mask: options that exist, shape (I, K).
        reservations: the disagreement point, shape (P,).
        forbidden: red lines, shape (P', I, K) or (I, K); outcomes using one are not admissible.
        parties: names for the table's parties (default p0, p1, ...).
        limit: the most admissible outcomes the exact method may list.
        method: "auto" (exact when the admissible outcomes fit the limit), "exact" or
            "approximate" (see the module docstring).
        rng: for the ZOPA sample of the approximate method (None: seed 0).
        samples: outcomes sampled to estimate the ZOPA share (approximate method).
        cap: the most points a partial frontier keeps (approximate method).

    >>> t = np.array([[np.linspace(0, 1, 101)], [1 - np.linspace(0, 1, 101)]])
    >>> pie = analyse_tables(t, np.ones((1, 101), bool), [0.2, 0.0])
    >>> len(pie.frontier_outcomes), pie.nash.outcome.tolist()
    (101, [60])
    """
    tables = np.asarray(tables, dtype=float)
    mask = np.asarray(option_mask, dtype=bool)
    d = np.asarray(reservations, dtype=float)
    if tables.ndim != 3 or tables.shape[1:] != mask.shape or d.shape != tables.shape[:1]:
        raise ValueError(
            f"need tables (P, I, K), option_mask (I, K) and reservations (P,), got "
            f"{tables.shape}, {mask.shape} and {d.shape}"
        )
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    allowed = allowed_options(mask, forbidden)
    admissible = outcome_count(allowed.sum(axis=1))
    total = outcome_count(mask.sum(axis=1))
    if method == "exact" or (method == "auto" and admissible <= limit):
        outcomes = admissible_outcomes(allowed, limit)
        utilities = outcome_utilities(tables, outcomes)
        counted = zopa(utilities, d, total=total)
        front = pareto_frontier(utilities)
        outcomes, utilities = outcomes[front], utilities[front]
        rational = (utilities >= d - TOLERANCE).all(axis=1)
        bargaining = (outcomes[rational], utilities[rational], 0.0)
        found = _Found("exact", outcomes, utilities, 0.0, *bargaining, counted)
    else:
        found = _approximate(tables, mask, allowed, d, rng, samples, cap)
    outcomes, utilities = found.bargaining_outcomes, found.bargaining_utilities
    rows = np.arange(len(outcomes))

    def pick(name: str) -> Solution | None:
        return solve(outcomes, utilities, d, name, rows)

    return BargainingAnalysis(
        parties=tuple(parties) if parties is not None else tuple(f"p{p}" for p in range(len(d))),
        reservations=d,
        outcome_count=total,
        admissible_count=admissible,
        ideal=utilities.max(axis=0) if len(utilities) else np.full(len(d), np.nan),
        **found._asdict(),
        nash=pick("nash"),
        kalai_smorodinsky=pick("kalai_smorodinsky"),
        egalitarian=pick("egalitarian"),
        max_welfare=pick("max_welfare"),
    )


class _Found(NamedTuple):
    """What either method finds, before the solutions are chosen on the bargaining set."""

    method: str
    frontier_outcomes: np.ndarray
    frontier_utilities: np.ndarray
    frontier_error: float
    bargaining_outcomes: np.ndarray
    bargaining_utilities: np.ndarray
    bargaining_error: float
    zopa: Zopa


def _approximate(
    tables: np.ndarray,
    mask: np.ndarray,
    allowed: np.ndarray,
    d: np.ndarray,
    rng: np.random.Generator | int | None,
    samples: int,
    cap: int,
) -> _Found:
    """The approximate method of the module docstring."""
    full, _, full_error = issue_wise_frontier(tables, allowed, cap)
    rational, _, rational_error = issue_wise_frontier(tables, allowed, cap, floor=d)
    supported = supported_outcomes(tables, allowed) if len(full) else full
    pool = _frontier_of(tables, np.vstack([rational, supported]), d)
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
    outcomes, utilities = _frontier_of(tables, np.vstack([full, supported, pool[0]]))
    estimate = estimate_zopa(tables, mask, d, ~allowed & mask, samples, rng)
    if not estimate.exists and len(pool[0]):  # the bargaining set shows a ZOPA the sample missed
        estimate = replace(estimate, exists=True)
    return _Found("approximate", outcomes, utilities, full_error, *pool, rational_error, estimate)


def _frontier_of(
    tables: np.ndarray, outcomes: np.ndarray, floor: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct outcomes in lexicographic order, those at or above `floor`, on their frontier."""
    outcomes = np.unique(outcomes.reshape(-1, tables.shape[1]), axis=0)
    utilities = outcome_utilities(tables, outcomes)
    if floor is not None:
        keep = (utilities >= floor - TOLERANCE).all(axis=1)
        outcomes, utilities = outcomes[keep], utilities[keep]
    front = pareto_frontier(utilities)
    return outcomes[front], utilities[front]


def deal_quality(
    tables: ArrayLike,
    deals: ArrayLike,
    reservations: ArrayLike | None,
    frontier_points: ArrayLike,
    nash_utilities: ArrayLike | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance of many deals to the Pareto frontier and to the Nash point, in utility space.

    Args:
        tables: w_i·v_i(k), shape (P, I, K), or one table per deal, shape (M, P, I, K).
        deals: option indices, shape (M, I); a row with a negative entry is no deal.
        reservations: shape (P,). When given, distances to the frontier are to its
            individually rational part (the bargaining set, where an agreed deal belongs), or to
            the whole frontier when none of it is individually rational; None: the whole frontier.
        frontier_points: frontier utilities, shape (F, P).
        nash_utilities: the Nash point's utilities, shape (P,), or None when there is none.

    Returns:
        distance_to_pareto (M,) and distance_to_nash (M,): NaN for no deal, and distance to Nash
        all NaN without a Nash point.

    >>> t = np.array([[[0.0, 0.5, 1.0]], [[1.0, 0.5, 0.0]]])
    >>> front = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    >>> to_front, to_nash = deal_quality(t, [[0], [2], [-1]], None, front, [0.5, 0.5])
    >>> to_front.tolist(), to_nash.round(3).tolist()
    ([0.0, 0.0, nan], [0.707, 0.707, nan])
    """
    tables = np.asarray(tables, dtype=float)
    deals = np.asarray(deals, dtype=np.int64)
    agreed = (deals >= 0).all(axis=1)
    n_parties = tables.shape[-3]
    utilities = np.full((len(deals), n_parties), np.nan)
    if tables.ndim == 3:
        utilities[agreed] = outcome_utilities(tables, deals[agreed])
    else:  # one table per deal: sum issue by issue, in the order `outcome_utilities` uses
        rows = np.flatnonzero(agreed)
        utilities[rows] = 0.0
        for issue in range(deals.shape[1]):
            utilities[rows] += tables[rows, :, issue, deals[rows, issue]]
    reference = np.asarray(frontier_points, dtype=float).reshape(-1, n_parties)
    if reservations is not None:
        rational = (reference >= np.asarray(reservations, dtype=float) - TOLERANCE).all(axis=1)
        if rational.any():
            reference = reference[rational]
    to_pareto = np.full(len(deals), np.nan)
    to_pareto[agreed] = distance_to_frontier(utilities[agreed], reference)
    to_nash = np.full(len(deals), np.nan)
    if nash_utilities is not None:
        gap = utilities[agreed] - np.asarray(nash_utilities, dtype=float)
        to_nash[agreed] = np.sqrt((gap**2).sum(axis=1))
    return to_pareto, to_nash
