"""How good each replication's deal is, under that replication's own drawn numbers.

Every replication draws its parties' weights and values afresh, so each has its own Pareto
frontier and Nash point, and no single enumeration serves them all. `deal_distances` measures, for
a batch of R deals, each against its own replication's numbers:

- distance to the Pareto frontier: the Euclidean distance, in utility space, from the deal to the
  nearest frontier point that is at least as good for every party (0 when the deal is on the
  frontier): how far the deal is from the nearest efficient outcome no party would object to.
- distance to the Nash point: from the deal to the outcome with the largest product of gains over
  the reservation values.

Exact when the admissible outcomes number at most `exact_limit` (`EXACT_LIMIT`, 2,048, by
default; `quality_is_exact` says so in advance): every deal's outcomes are listed
(`negsim.analysis.exact_quality`). In numpy that costs about 0.2 ms a deal for four parties and
2,048 outcomes (0.1 ms for two), up to half what the negotiation itself costs on such a scenario,
and grows with N·P: hence the limit (compiled, below, 2-40 µs). It depends on the scenario's
options alone, never on how many deals a call holds, so a replication's figures do not depend on
the batch it ran in. Pass `exact_limit=10**6` for exact figures off the hot loop (on the
flagship 0.03-0.06 s a deal in numpy, 1-3 ms compiled).

Above the limit, without listing, from a few reference outcomes per deal: the supported Pareto
outcomes (for a grid of weight vectors over the parties, the outcome maximising the weighted sum
of utilities, issue by issue), the deal's single-issue neighbours, and the outcome a short local
search from the deal reaches (`improvement_bound`: the best change of one or two issues).

- The distance to the Pareto frontier is then a lower bound (printed "at least"): the largest
  gain g that one of these outcomes gives every party at once. Every point within g of the deal
  is beaten by that outcome, so no frontier point is nearer than g. It is 0 when none of them
  beats the deal for everyone, and weaker than the exact distance, never larger.
- The distance to the Nash point is to the supported outcome, neighbour or deal with the largest
  Nash product: an estimate, neither bound (the true Nash point may lie elsewhere). NaN when none
  (exact: no outcome) gives every party more than its reservation.

Measured on the flagship (663,552 admissible outcomes; the 793 agreements of 1000 replications,
seed 0): the estimate costs about 40-50 µs a deal in numpy, as the one before it did (which
reported the distance to the nearest reference beating the deal, 0 when none did: neither
bound); compiled, about 3 µs. The exact
mean distance to the frontier is 0.067 and 81% of the deals are off it; the lower bound averages
0.006 and is positive for 56% of them. The mean distance to the Nash point is 0.244 exactly,
0.231 estimated, and a deal's estimate is off by 0.08 on average.

Compiled: unless the engine is the numpy reference (`negsim.kernels`, `NEGSIM_ENGINE=reference`),
both paths run as numba kernels (`negsim.kernels.quality`, `negsim.kernels.exact_quality`), one
fused loop per deal with no array over all the deals, and give the same figures to the bit; the
numpy code here is their reference. Numpy leaves one step to BLAS, the weighted sums that choose
the supported outcomes; the kernel accumulates them as OpenBLAS's matrix product does on x86-64
(fused multiply-adds, party after party), so with a BLAS that sums otherwise the two may choose
differently between options that tie within an ulp. For one party, or one deal of one issue,
numpy's product is a matrix-vector one, summed otherwise again: the numpy code runs. Measured on
one core (`taskset`, 5,000 deals a call, the first call compiling for the number of parties in
10-20 s, once: the kernels are cached on disk): the flagship's estimate 2.8 µs a deal against 15
µs in numpy (one deal a call: 15-20 µs against 0.5 ms); the exact path, four parties and 1,152
outcomes, 2.2 µs a deal for negotiated deals against 35 µs, and 40 µs against 0.3 ms for random
deals among 2,048 outcomes, of which far more beat the deal.

For deals measured against one set of numbers (a scenario's stated ones), use
`negsim.analysis.deal_quality` with a `BargainingAnalysis`, which knows the whole frontier; it
measures to the nearest point of the bargaining set, in any direction.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from negsim import kernels
from negsim.analysis.exact_quality import deal_utilities, exact_deal_distances, kernel_fits
from negsim.analysis.frontier import regular_simplex
from negsim.analysis.outcomes import outcome_count
from negsim.kernels.quality import estimate_distances
from negsim.utility import TOLERANCE

if TYPE_CHECKING:
    from negsim.scenario import Scenario

EXACT_LIMIT = 2048


def supported_utilities(tables: np.ndarray, allowed: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Utilities of the outcomes maximising each weighted sum, per row: shape (R, L, P).

    Args:
        tables: weighted option values per row and party, shape (R, P, I, K).
        allowed: options an outcome may use, shape (I, K) or (R, I, K).
        weights: weight vectors over the parties, shape (L, P).
    """
    by_option = np.ascontiguousarray(tables.transpose(3, 0, 2, 1))  # (K, R, I, P)
    n_options, n_rows, n_issues, n_parties = by_option.shape
    # A running argmax over the few options (numpy's is slow along a short axis), each option's
    # weighted sums (R, I, L) one BLAS product, used while they are in cache.
    best = _option_scores(by_option, allowed, weights, 0)
    choice = np.zeros(best.shape, dtype=np.int16)  # ties keep the first option
    for k in range(1, n_options):
        score = _option_scores(by_option, allowed, weights, k)
        better = score > best
        np.maximum(best, score, out=best)
        np.maximum(choice, better * np.int16(k), out=choice)  # k exceeds every earlier one
    flat = by_option.reshape(-1, n_parties)
    cell = np.arange(n_rows * n_issues).reshape(n_rows, n_issues)  # (row, issue) of option 0
    stride = np.int64(cell.size)  # an int64 product: choice is int16
    if weights.shape[0] * n_parties == 1:  # numpy sums a lone axis pairwise, not in turn
        picked = np.take(flat, choice * stride + cell[:, :, None], axis=0)
        return picked.sum(axis=1)
    # Issue by issue, in the order numpy sums the middle axis of (R, I, L, P): in turn.
    total = np.take(flat, choice[:, 0] * stride + cell[:, 0, None], axis=0)
    for i in range(1, n_issues):
        total += np.take(flat, choice[:, i] * stride + cell[:, i, None], axis=0)
    return total


def _option_scores(
    by_option: np.ndarray, allowed: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """Option k's weighted sums (R, I, L), -inf where the option is closed."""
    _, n_rows, n_issues, n_parties = by_option.shape
    score = (by_option[k].reshape(-1, n_parties) @ weights.T).reshape(n_rows, n_issues, -1)
    if allowed.ndim == 3:
        score += np.where(allowed[:, :, k], 0.0, -np.inf)[..., None]
    else:
        score[:, ~allowed[:, k]] = -np.inf
    return score


def neighbour_utilities(tables: np.ndarray, deals: np.ndarray) -> np.ndarray:
    """Utilities of every outcome one option away from each row's deal, shape (R, P, I*K).

    Parties come before outcomes, so that what is taken over the parties (a minimum, a product)
    runs over a leading axis: numpy is slow along a short last one.
    """
    n_rows, n_parties, n_issues, _ = tables.shape
    base = deal_utilities(tables, deals)
    rows = np.arange(n_rows)[:, None]
    current = tables[rows, :, np.arange(n_issues)[None, :], deals]  # (R, I, P)
    change = tables - current.transpose(0, 2, 1)[..., None]  # (R, P, I, K)
    return (base[:, :, None, None] + change).reshape(n_rows, n_parties, -1)


def quality_is_exact(allowed: np.ndarray, limit: int = EXACT_LIMIT) -> bool:
    """Whether `deal_distances` is exact for these options: at most `limit` admissible outcomes.

    Args:
        allowed: options an outcome may use, shape (I, K) or (R, I, K).
        limit: the `exact_limit` passed to `deal_distances`.

    >>> quality_is_exact(np.ones((3, 4), dtype=bool)), quality_is_exact(np.ones((7, 4), bool))
    (True, False)
    """
    allowed = np.asarray(allowed, dtype=bool)
    counts = allowed.sum(axis=-1).reshape(-1, allowed.shape[-2])
    if len(counts) > 1:  # rows with the same counts are counted once
        counts = np.unique(counts, axis=0)
    return all(outcome_count(row) <= limit for row in counts)


def deal_options(scenario: Scenario) -> np.ndarray:
    """Options a deal may use, as `NegotiationModel` has them: existing options crossing no
    required party's red line, shape (I, K)."""
    return scenario.option_mask & ~scenario.red_lines[scenario.required].any(axis=0)


def deal_distances(
    tables: np.ndarray,
    allowed: np.ndarray,
    deals: np.ndarray,
    reservations: np.ndarray,
    steps: int | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Each deal's distance to the Pareto frontier and to the Nash point, in utility space.

    Exact when `quality_is_exact(allowed, exact_limit)`; otherwise the distance to the frontier is
    a lower bound and the distance to the Nash point an estimate (see the module docstring).

    Args:
        tables: weighted option values per row and party, shape (R, P, I, K).
        allowed: options an outcome may use (no red line of a required party), (I, K) or (R, I, K).
        deals: the agreed option per issue, shape (R, I).
        reservations: the disagreement point per row and party, shape (R, P).
        steps: resolution of the weight grid of the estimate (default: 20 to 31 weight vectors).
        exact_limit: the most admissible outcomes to list for every deal.

    Returns:
        (distance_to_pareto, distance_to_nash), each shape (R,).

    >>> t = np.array([[[[0.3, 0.65, 0.7]], [[0.6, 0.3, 0.4]]]])  # (0.65, 0.3) is beaten
    >>> to_pareto, _ = deal_distances(t, np.ones((1, 3), bool), [[1]], [[0.2, 0.2]])
    >>> round(float(to_pareto[0]), 4)  # by (0.7, 0.4): exact here
    0.1118
    >>> bound, _ = deal_distances(t, np.ones((1, 3), bool), [[1]], [[0.2, 0.2]], exact_limit=0)
    >>> round(float(bound[0]), 4)  # a lower bound: (0.7, 0.4) gives both at least 0.05 more
    0.05
    """
    tables = np.asarray(tables, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    deals = np.asarray(deals, dtype=np.int64)
    reservations = np.asarray(reservations, dtype=float)
    n_rows, n_parties = tables.shape[:2]
    if n_rows == 0:
        return np.zeros(0), np.zeros(0)
    if quality_is_exact(allowed, exact_limit):
        return exact_deal_distances(tables, allowed, deals, reservations)
    if steps is None:
        steps = {1: 1, 2: 30, 3: 6, 4: 3}.get(n_parties, 2)
    # numpy takes a matrix-vector product (BLAS's other order) for one party or one (row, issue)
    compiled = (
        kernels.compiled()
        and 2 <= n_parties <= 128
        and kernel_fits(tables, allowed, deals, reservations)
    )
    if compiled and n_rows * tables.shape[2] > 1:
        return estimate_distances(
            np.ascontiguousarray(tables),
            np.ascontiguousarray(allowed.reshape(-1, *allowed.shape[-2:])),
            np.ascontiguousarray(deals),
            np.ascontiguousarray(reservations),
            _weights_by_party(n_parties, steps),
            1,
            TOLERANCE,
            (0,) * n_parties,  # the number of parties, compiled in
        )
    deal_point = deal_utilities(tables, deals)
    open_ = np.broadcast_to(allowed, (n_rows, *allowed.shape[-2:]))
    near = np.where(open_.reshape(n_rows, 1, -1), neighbour_utilities(tables, deals), -np.inf)
    supported = supported_utilities(tables, allowed, regular_simplex(n_parties, steps))
    candidates = np.concatenate(  # (R, P, L + I*K + 1): references, then the deal
        [supported.transpose(0, 2, 1), near, deal_point[:, :, None]], axis=2
    )
    smallest = candidates[:, 0] - deal_point[:, 0, None]
    rational = candidates[:, 0] >= reservations[:, 0, None] - TOLERANCE
    product = np.maximum(candidates[:, 0] - reservations[:, 0, None], 0.0)
    for p in range(1, n_parties):
        np.minimum(smallest, candidates[:, p] - deal_point[:, p, None], out=smallest)
        rational &= candidates[:, p] >= reservations[:, p, None] - TOLERANCE
        product *= np.maximum(candidates[:, p] - reservations[:, p, None], 0.0)
    gain = np.maximum(smallest.max(axis=1), improvement_bound(tables, open_, deals, deal_point))
    to_pareto = np.where(gain > TOLERANCE, gain, 0.0)
    score = np.where(rational, product, -1.0)  # -inf utilities (closed options) are not rational
    best = score.argmax(axis=1)
    nash = candidates[np.arange(n_rows), :, best]
    to_nash = np.sqrt(((nash - deal_point) ** 2).sum(axis=1))
    to_nash = np.where(score[np.arange(n_rows), best] > 0, to_nash, np.nan)
    return to_pareto, to_nash


@cache
def _weights_by_party(n_parties: int, steps: int) -> np.ndarray:
    """`regular_simplex(n_parties, steps)` transposed, (P, L): the compiled path's weight grid."""
    weights = np.ascontiguousarray(regular_simplex(n_parties, steps).T)
    weights.flags.writeable = False
    return weights


def improvement_bound(
    tables: np.ndarray,
    allowed: np.ndarray,
    deals: np.ndarray,
    deal_point: np.ndarray,
    moves: int = 1,
) -> np.ndarray:
    """The largest gain over the deal for every party at once found by a short local search.

    From each deal, `moves` times: change the one issue or the two issues that most raise the
    smallest gain over the deal, if any raises it (scored in float32, then valued exactly). What
    it returns, g >= 0, is a lower bound on the deal's distance to the Pareto frontier: an outcome
    giving every party at least g more beats every point within g of the deal.

    Args:
        tables: shape (R, P, I, K).
        allowed: shape (R, I, K).
        deals: shape (R, I).
        deal_point: the deals' utilities, shape (R, P).
        moves: changes to make at most.

    Returns:
        Shape (R,).
    """
    n_rows, _, n_issues, n_options = tables.shape
    values = np.where(allowed[:, None], tables, -np.inf)
    first, second = np.triu_indices(n_issues, k=1)
    rows = np.arange(n_rows)
    current = deals.copy()
    reached = np.zeros(n_rows)
    for _ in range(moves):
        slack = deal_utilities(tables, current) - deal_point  # (R, P), >= 0 after a move
        now = tables[rows[:, None], :, np.arange(n_issues)[None, :], current]  # (R, I, P)
        change = values - now.transpose(0, 2, 1)[..., None]  # (R, P, I, K)
        single = (change + slack[:, :, None, None]).min(axis=1).reshape(n_rows, -1)
        top = single.argmax(axis=1)
        score = single[rows, top]
        step = current.copy()
        step[rows, top // n_options] = top % n_options
        if len(first):
            pair, a, b, value = _best_pairs(change, slack, first, second)
            better = value > score  # then the two-issue change instead of the one-issue one
            step[better] = current[better]
            step[better, first[pair[better]]] = a[better]
            step[better, second[pair[better]]] = b[better]
        gain = (deal_utilities(tables, step) - deal_point).min(axis=1)  # exact, not the score
        improved = np.isfinite(gain) & (gain > reached)
        if not improved.any():
            break
        current[improved] = step[improved]
        reached[improved] = gain[improved]
    return reached


def _best_pairs(
    change: np.ndarray, slack: np.ndarray, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the change of two issues (first[pair] to a, second[pair] to b) with the largest
    smallest gain, and that gain (float32): the pair index, a, b and the gain, each (R,).

    `first, second` are `np.triu_indices(I, k=1)`: the pairs of issue i come together.
    """
    n_rows, n_parties, n_issues, n_options = change.shape
    # Options on one axis, (issue, row) on the last ones: long inner loops, in float32.
    shared = np.ascontiguousarray(
        (change + slack[:, :, None, None] / 2).astype(np.float32).transpose(1, 3, 2, 0)
    )  # (P, K, I, R)
    per_pair = np.empty((len(first), n_rows), dtype=np.float32)
    done = 0
    for i in range(n_issues - 1):  # issue i with each later issue: slices, no copies
        left, right = shared[:, :, i, None, None, :], shared[:, None, :, i + 1 :, :]
        score = left[0] + right[0]  # (K, K, I - i - 1, R)
        term = np.empty_like(score)
        for p in range(1, n_parties):
            np.minimum(score, np.add(left[p], right[p], out=term), out=score)
        count = n_issues - 1 - i
        per_pair[done : done + count] = (
            score.reshape(n_options**2, -1).max(axis=0).reshape(count, -1)
        )
        done += count
    pair = per_pair.argmax(axis=0)
    value = per_pair[pair, np.arange(n_rows)]
    line = np.arange(n_rows)  # the winners' options, worked out again
    left, right = shared[:, :, first[pair], line], shared[:, :, second[pair], line]  # (P, K, R)
    combos = (left[:, :, None] + right[:, None, :]).min(axis=0)  # (K, K, R)
    which = combos.reshape(n_options**2, n_rows).argmax(axis=0)
    return pair, which // n_options, which % n_options, value.astype(float)
