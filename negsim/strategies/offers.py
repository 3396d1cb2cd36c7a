"""Offer generation: an offer meeting the proposer's target that every other party may accept.

Under unanimity an offer succeeds only if every required party accepts it, so the proposer looks
for the offer whose smallest estimated margin is largest: for each other party q, the margin is
q's estimated utility of the offer minus q's estimated acceptance threshold (both learned from
the table, see `opponent.py` and `thresholds.py`), subject to the proposer's own utility meeting
its target. A sum of estimated utilities would let one party's gain hide another's loss.

Utilities are sums over issues, so the search is built issue by issue and never enumerates
outcomes, in two vectorised stages:

1. Weighted Lagrangian sweeps: for weights `lam` over the other parties, combine their estimated
   tables into one, and bisect on the angle `a` in [0, pi/2] of the offer maximising
   `cos(a) * combined + sin(a) * own` issue by issue, for the smallest angle still meeting the
   target. The weights then move towards the parties whose margins are smallest (multiplicative
   weights on the max-min problem). A proposer in a model carries its weights from offer to
   offer and sweeps once a proposal; without them, `_SWEEPS` sweeps start from equal weights and
   the best offer found is kept.
2. Swap repair (`negsim.strategies.swaps`): single-issue swaps that raise the smallest margin
   (plus a fifth of the mean margin, so that a party gains where nobody loses) while the
   proposer's utility stays at its target spend the slack the discrete hull offer leaves.

Cost per proposal is O((sweeps * bisection steps + swap passes * parties) * I * K), whatever the
size of the outcome space.

Speed: rows are independent, so they are searched in blocks small enough to stay in cache (the
last swap passes, on the few rows still moving, merge the blocks), on option-major float32
arrays (`(K, n, I)`: option k of every row and issue is one contiguous slab), with per-row
numbers spread over a row's issues before they meet a slab. Masks are applied by arithmetic
(`x * allowed + penalty`), not `np.where`, and maxima are located by running comparisons, not
`argmax` over a short axis: both are many times faster in numpy, and the results are the same
bit for bit.

Compiled: when `negsim.kernels.compiled()` (the default engine), `generate_offers` runs the same
search as a numba kernel (`negsim.kernels.offers`), rows side by side in chunks that stay in cache
and each chunk's whole search, sweep and swap passes, in one pass over its data, the others'
tables read where they lie when they come as `Estimates` (never gathered); the code below is the
reference it is tested against, bit for bit. The per-row numbers `_search` derives
(thresholds, scales, starting weights) and the weights' update between and after sweeps
(`np.exp`) stay in numpy, as do the bisection's tangents (a table: the angles are the same in
every row).

Exact ties (two options, or two swaps on different issues, worth exactly the same to the others:
common, as the opponent model gives alike issues alike estimates) go to the one worth more to the
proposer, then by the replication's tie-break keys (`negsim.strategies.ties`), never by the order
the scenario writes issues and options in.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from negsim import kernels
from negsim.kernels.offers import search_offers, slope_tables
from negsim.strategies.swaps import _GAIN, OUT, Swaps, Ties, merged, repair, score_of, spread
from negsim.strategies.ties import NEAR, ranked_max, written_keys
from negsim.utility import gather, row_blocks, row_sum

_BISECTION_STEPS = 6
_SWEEPS = 3  # weighted Lagrangian sweeps; the first uses equal weights
_SWAP_PASSES = 6
_EARLY_PASSES = 2  # swap passes run block by block, before the blocks' moving rows merge
_STEP_SIZE = 8.0  # multiplicative-weights step, per unit of margin
_SECONDARY = 0.2  # weight of the mean margin beside the smallest one
_FORBIDDEN = np.float32(-1e9)
_ABSENT = 10.0  # the margin of a party away from the table: never the smallest
_TOLERANCE = 1e-6  # float32 sums are exact to about 1e-7 for utilities in [0, 1]
_BLOCK = 1 << 17  # table entries (rows * I * K) searched at a time, to stay in cache


class Estimates(NamedTuple):
    """The other parties' estimated tables where they lie: party `parties[q, j]`'s in
    replication `rows[j]` is `tables[parties[q, j], rows[j]]`. The compiled search reads them in
    place; the numpy search gathers them (`gathered`).

    Attributes:
        tables: every party's estimated weighted tables in every replication, (P, R, I, K).
        parties: the other parties of each row, shape (Q, n).
        rows: each row's replication, shape (n,).
    """

    tables: np.ndarray
    parties: np.ndarray
    rows: np.ndarray

    def gathered(self) -> np.ndarray:
        """The tables of the other parties of each row, shape (Q, n, I, K) (a copy)."""
        return row_blocks(self.tables, self.parties, self.rows[None, :])


class Aim(NamedTuple):
    """Whom a proposer's offer must win over, as the table shows them (party-major arrays).

    Attributes:
        others: the other parties' estimated weighted tables, shape (Q, n, I, K), or where they
            lie (`Estimates`).
        thresholds: their estimated acceptance thresholds, in the same scale, shape (Q, n).
        present: which of them are at the table, shape (Q, n).
    """

    others: np.ndarray | Estimates
    thresholds: np.ndarray
    present: np.ndarray


def _option_major(tables: np.ndarray) -> np.ndarray:
    """`(..., n, I, K)` tables as contiguous `(..., K, n, I)` ones."""
    return np.ascontiguousarray(np.moveaxis(tables, -1, -3))


def _slab_index(offers: np.ndarray) -> np.ndarray:
    """Flat indices of each row's offered options in an option-major `(K, n, I)` array."""
    n, n_issues = offers.shape
    index = offers * (n * n_issues)
    index += np.arange(n * n_issues, dtype=np.int64).reshape(n, n_issues)
    return index


def _take_each(tables: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Entries of option-major `(Q, K, n, I)` tables at `_slab_index` positions: (Q, n, I)."""
    n_parties, stride = tables.shape[0], tables[0].size
    offsets = np.arange(0, n_parties * stride, stride, dtype=np.int64)[:, None, None]
    return tables.take(index[None] + offsets)


def _best_scores(a: np.ndarray, b: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """For option-major (K, n, I) arrays: `a` where `b + slope * a` is largest, and `OUT`
    below it elsewhere, so that the maximum over options is the best option's `a` with ties
    going to the option worth more to the proposer."""
    score = a * spread(slope, a.shape[-1])
    score += b
    out = np.less(score, np.maximum.reduce(score) - NEAR)
    tied = np.multiply(out, OUT, out=score)
    np.subtract(a, tied, out=tied)
    return tied


def _own_value(a: np.ndarray, b: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Proposer's utility of the offer maximising `b + slope * a` on every issue, shape (n,).

    Arrays are option-major, shape (K, n, I). Ties go to the option worth more to the proposer.
    """
    return row_sum(np.maximum.reduce(_best_scores(a, b, slope)), np.float64)


def _choice(a: np.ndarray, b: np.ndarray, slope: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Option index maximising `b + slope * a` on every issue, shape (n, I); ties as above,
    then by the option-major `keys` (K, n, I)."""
    tied = _best_scores(a, b, slope)
    return ranked_max(tied, np.maximum.reduce(tied), keys)


def _hull_offer(
    a_major: np.ndarray, b_major: np.ndarray, need: np.ndarray, keys: np.ndarray
) -> np.ndarray:
    """The offer on the (own, combined) hull with the smallest own weight meeting `need`."""
    n = need.shape[0]
    lo = np.zeros(n)
    hi = np.full(n, np.pi / 2 - 1e-4)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        feasible = _own_value(a_major, b_major, np.tan(mid)) >= need
        hi = np.where(feasible, mid, hi)
        lo = np.where(feasible, lo, mid)
    return _choice(a_major, b_major, np.tan(hi), keys)


def margins(
    others: np.ndarray, offers: np.ndarray, thresholds: np.ndarray, present: np.ndarray
) -> np.ndarray:
    """Each other party's estimated utility of `offers` minus its threshold, shape (Q, n).

    Parties not at the table get +inf: they never decide the smallest margin.
    """
    value = np.stack([gather(table, offers).sum(axis=-1, dtype=np.float64) for table in others])
    return np.where(present, value - thresholds, np.inf)


def generate_offers(
    own: np.ndarray,
    others: np.ndarray | Estimates,
    forbidden: np.ndarray,
    target: np.ndarray,
    thresholds: np.ndarray | None = None,
    present: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """Offers meeting `target` for the proposer with the largest smallest margin of the others.

    Args:
        own: the proposer's weighted tables, shape (n, I, K).
        others: the other parties' estimated weighted tables, shape (Q, n, I, K); a single
            combined estimate of shape (n, I, K) is one party; or where they lie (`Estimates`,
            read in place by the compiled search).
        forbidden: options never to offer (own red lines, known red lines of others, options
            an issue does not have), shape (n, I, K) or (I, K).
        target: the utility the proposer needs in each row, shape (n,).
        thresholds: each other party's estimated acceptance threshold, in the scale of its
            estimated table, shape (Q, n); zeros when omitted.
        present: which other parties are at the table, shape (Q, n); all when omitted.
        weights: the proposer's weights over the others from its previous offers, shape
            (Q, n): one sweep starts from them and they are updated in place, so that the
            search goes on from round to round. Omitted: `_SWEEPS` sweeps from equal weights.
        keys: tie-break keys (`negsim.strategies.ties`), shape (n, I, K + 1): of options worth
            exactly the same the one ranked highest is offered, of swaps gaining exactly the
            same the one on the issue ranked highest is made. Omitted: the first written.

    Returns:
        Option index per issue, shape (n, I). Where the target is out of reach the proposer's
        best offer is returned.
    """
    n = own.shape[0]
    if n == 0:
        return np.zeros((0, own.shape[1]), dtype=np.int64)
    if isinstance(others, np.ndarray) and others.ndim == 3:
        others = others[None]
    n_others = len(others.parties if isinstance(others, Estimates) else others)
    if n_others == 0:  # nobody else to win over: a stand-in that never decides
        others = np.zeros((1, *own.shape), dtype=np.float32)
        thresholds, present, weights = np.zeros((1, n)), np.zeros((1, n), dtype=bool), None
        n_others = 1
    thresholds = np.zeros((n_others, n)) if thresholds is None else thresholds
    present = np.ones((n_others, n), dtype=bool) if present is None else present
    if kernels.compiled():
        tables, blocks = _blocks(others)
        return _compiled(own, tables, blocks, forbidden, target, thresholds, present, weights, keys)
    if isinstance(others, Estimates):  # the numpy search reads them gathered
        others = others.gathered()
    forbidden = np.broadcast_to(forbidden, own.shape)
    if keys is None:
        keys = written_keys(n, *own.shape[1:])
    ties = Ties(_option_major(keys[..., :-1]), np.ascontiguousarray(keys[..., -1]))
    block = max(1, _BLOCK // max(1, own.shape[1] * own.shape[2]))
    offers = np.empty((n, own.shape[1]), dtype=np.int64)
    margin = np.empty((n_others, n), dtype=np.float32)  # at the final offers
    lam = np.empty((n_others, n))
    moving = []
    for lo in range(0, n, block):
        rows = slice(lo, lo + block)
        swaps: Swaps | None
        offers[rows], lam[:, rows], swaps = _search(
            own[rows],
            others[:, rows],
            forbidden[rows],
            target[rows],
            thresholds[:, rows],
            present[:, rows],
            None if weights is None else weights[:, rows],
            ties.options[:, rows],
            lo,
        )
        moving.append(repair(swaps, offers, margin, _EARLY_PASSES, ties))  # while in cache
    # The rest of the passes for every block's moving rows at once: fewer, larger calls.
    swaps = repair(merged(moving), offers, margin, _SWAP_PASSES - _EARLY_PASSES, ties)
    if swaps is not None:  # rows that moved in the last pass: margins at their final offers
        margin[:, swaps.rows] = row_sum(swaps.held[:n_others]) - swaps.thresholds
    if weights is not None:
        weights[:] = _reweighted(lam, margin, present)
    return offers


def _blocks(others: np.ndarray | Estimates) -> tuple[np.ndarray, np.ndarray]:
    """The others' tables as the kernel reads them: float32 table blocks (B, I, K), and the
    block of each other party in each row, int64 (Q, n). `Estimates` are read in place (the
    frequency model's float32 tables are not copied)."""
    if isinstance(others, Estimates):
        tables = np.ascontiguousarray(others.tables, dtype=np.float32)
        blocks = others.parties * tables.shape[1] + others.rows[None, :]
    else:
        tables = np.ascontiguousarray(others, dtype=np.float32)
        blocks = np.arange(others.shape[0] * others.shape[1]).reshape(others.shape[:2])
    blocks = np.ascontiguousarray(blocks, dtype=np.int64)
    return tables.reshape(-1, *tables.shape[2:]), blocks


def _compiled(
    own: np.ndarray,
    tables: np.ndarray,
    blocks: np.ndarray,
    forbidden: np.ndarray,
    target: np.ndarray,
    thresholds: np.ndarray,
    present: np.ndarray,
    weights: np.ndarray | None,
    keys: np.ndarray | None,
) -> np.ndarray:
    """`generate_offers` by the compiled kernel (`negsim.kernels.offers`), its arguments
    complete but `keys`, the others' tables as `_blocks` gives them: the per-row numbers
    `_search` derives, worked out here as it does, then one kernel call per sweep; the weights'
    update (`np.exp`) between sweeps and after them."""
    n, n_issues, n_options = own.shape
    n_others = blocks.shape[0]
    closed = np.broadcast_to(forbidden, own.shape)
    if closed.strides[0] == 0:  # the same for every row: pass one
        closed = closed[:1]
    if keys is None:
        keys = written_keys(1, n_issues, n_options)
    if keys.dtype not in (np.float32, np.float64):
        keys = keys.astype(np.float64)  # order and ties kept
    lam = _normalised(present if weights is None else weights * present, present)
    sweeps = 1 if weights is not None or n_others == 1 else _SWEEPS
    best = np.zeros((n, n_issues), dtype=np.int64)
    best_score = np.full(n, -np.inf)
    margin = np.empty((n_others, n), dtype=np.float32)
    arguments = (
        np.ascontiguousarray(own, dtype=np.float64),  # float32 tables convert exactly
        tables,
        blocks,
        np.ascontiguousarray(present, dtype=bool),
        np.ascontiguousarray(closed, dtype=bool),
        np.ascontiguousarray(keys),
        np.ascontiguousarray(target + _TOLERANCE, dtype=np.float64),
        np.where(present, thresholds, -_ABSENT).astype(np.float32),
        (_SECONDARY / np.maximum(present.sum(axis=0), 1)).astype(np.float32),
    )
    rules = (NEAR, OUT, _FORBIDDEN, np.float32(_GAIN))
    for sweep in range(sweeps):
        last = sweep + 1 == sweeps
        search_offers(
            *arguments,
            np.ascontiguousarray(lam),
            *_SLOPES,
            rules,
            sweeps > 1,
            _SWAP_PASSES if last else 0,
            best,
            best_score,
            margin,
        )
        if not last:
            lam = _reweighted(lam, margin, present)
    if weights is not None:
        weights[:] = _reweighted(lam, margin, present)
    return best


_SLOPES = slope_tables(_BISECTION_STEPS, np.pi / 2 - 1e-4)


def _search(
    own: np.ndarray,
    others_in: np.ndarray,
    forbidden: np.ndarray,
    target: np.ndarray,
    thresholds: np.ndarray,
    present: np.ndarray,
    weights: np.ndarray | None,
    option_keys: np.ndarray,
    first_row: int,
) -> tuple[np.ndarray, np.ndarray, Swaps]:
    """The sweeps of `generate_offers` for one block of rows, its arguments complete (the
    options' tie-break keys option-major, (K, n, I)): the best offers, the weights over the
    others they came from, and the swap repair to run on them."""
    n_others, n = present.shape
    n_issues, n_options = own.shape[1:]
    # One option-major float32 array for the others' tables, the proposer's and (later) their
    # scaled sum, so that the swap repair moves them together.
    tables = np.empty((n_others + 2, n_options, n, n_issues), dtype=np.float32)
    others, a = tables[:n_others], tables[n_others]
    np.copyto(others, np.moveaxis(others_in, -1, -3), casting="same_kind")
    if not present.all():  # a party away from the table: a zero table, a margin of `_ABSENT`
        others *= present[:, None, :, None]
    thresholds = np.where(present, thresholds, -_ABSENT).astype(np.float32)
    scale = (_SECONDARY / np.maximum(present.sum(axis=0), 1)).astype(np.float32)
    closed = _option_major(forbidden)
    allowed = (~closed).astype(np.float32)
    penalty = np.multiply(closed, _FORBIDDEN)  # forbidden options at `_FORBIDDEN`, others 0
    np.copyto(a, np.moveaxis(own, -1, -3), casting="same_kind")
    a *= allowed
    a += penalty
    need = target + _TOLERANCE
    lam = _normalised(present if weights is None else weights * present, present)
    sweeps = 1 if weights is not None or n_others == 1 else _SWEEPS
    if sweeps == 1:  # the one sweep's offer is the best: no need to score it
        best = _hull_offer(a, _combined(others, lam, allowed, penalty), need, option_keys)
    else:
        best = np.zeros((n, own.shape[1]), dtype=np.int64)
        best_score = np.full(n, -np.inf)
        for sweep in range(sweeps):
            offers = _hull_offer(a, _combined(others, lam, allowed, penalty), need, option_keys)
            margin = _margins(others, offers, thresholds)
            reached = utilities_of(own, offers) >= need
            score = score_of(margin, scale) + np.where(reached, 0.0, -1e6)
            better = score > best_score
            best[better] = offers[better]
            best_score = np.maximum(score, best_score)
            if sweep + 1 < sweeps:
                lam = _reweighted(lam, margin, present)
    summed = tables[n_others + 1]  # the mean-margin term after a swap: scale * (sum + shifts)
    np.sum(others, axis=0, out=summed)
    spread_scale = spread(scale, n_issues)
    summed *= spread_scale
    rows = np.arange(first_row, first_row + n)
    held = _take_each(tables[: n_others + 1], _slab_index(best))
    return best, lam, Swaps(rows, tables, held, thresholds, scale, spread_scale, need)


def utilities_of(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each row's utility of its offer, summed in float64, shape (n,)."""
    return row_sum(gather(tables, offers), np.float64)


def _margins(others: np.ndarray, offers: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """`margins` in float32 from option-major tables (absent parties: zero, `-_ABSENT`)."""
    return row_sum(_take_each(others, _slab_index(offers))) - thresholds


def _combined(
    others: np.ndarray, lam: np.ndarray, allowed: np.ndarray, penalty: np.ndarray
) -> np.ndarray:
    """The others' option-major tables weighted by `lam`, scaled to a best offer worth 1, with
    forbidden options (`allowed` 0) at `penalty`."""
    n_issues = others.shape[-1]
    combined = others[0] * spread(lam[0], n_issues)
    for q in range(1, others.shape[0]):
        combined += others[q] * spread(lam[q], n_issues)
    # Scale the combination to the proposer's range so one angle grid suits every row.
    top = row_sum(np.maximum.reduce(combined))
    combined /= spread(np.maximum(top, 1e-12), n_issues)
    combined *= allowed
    combined += penalty
    return combined


def _normalised(lam: np.ndarray, present: np.ndarray) -> np.ndarray:
    """`lam` summing to 1 over the present parties of each row (equal where it has no mass)."""
    total = lam.sum(axis=0)
    even = present / np.maximum(present.sum(axis=0), 1)
    return np.where(total > 1e-12, lam / np.maximum(total, 1e-300), even)


def _reweighted(lam: np.ndarray, margin: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Multiplicative weights: more weight on the parties whose margins are smallest."""
    smallest = np.where(present, margin, np.inf).min(axis=0)
    smallest = np.where(present.any(axis=0), smallest, 0.0)
    shift = np.where(present, margin - smallest, 0.0)
    return _normalised(lam * np.exp(-_STEP_SIZE * shift) * present, present)
