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
2. Swap repair: single-issue swaps that raise the smallest margin (plus a fifth of the mean
   margin, so that a party gains where nobody loses) while the proposer's utility stays at its
   target spend the slack the discrete hull offer leaves.

Cost per proposal is O((sweeps * bisection steps + swap passes * parties) * I * K), whatever the
size of the outcome space.

Speed: rows are independent, so they are searched in blocks small enough to stay in cache (the
last swap passes, on the few rows still moving, merge the blocks), on option-major float32
arrays (`(K, n, I)`: option k of every row and issue is one contiguous slab), with per-row
numbers spread over a row's issues before they meet a slab. Masks are applied by arithmetic
(`x * allowed + penalty`), not `np.where`, and maxima are located by running comparisons, not
`argmax` over a short axis: both are many times faster in numpy, and the results are the same
bit for bit.

Exact ties (two options, or two swaps on different issues, worth exactly the same to the others:
common, as the opponent model gives alike issues alike estimates) go to the one worth more to the
proposer, then by the replication's tie-break keys (`negsim.strategies.ties`), never by the order
the scenario writes issues and options in.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from negsim.strategies.ties import NEAR, ranked_max, written_keys
from negsim.utility import gather, max_over_options, row_sum

_BISECTION_STEPS = 6
_SWEEPS = 3  # weighted Lagrangian sweeps; the first uses equal weights
_SWAP_PASSES = 6
_EARLY_PASSES = 2  # swap passes run block by block, before the blocks' moving rows merge
_STEP_SIZE = 8.0  # multiplicative-weights step, per unit of margin
_SECONDARY = 0.2  # weight of the mean margin beside the smallest one
_FORBIDDEN = np.float32(-1e9)
_ABSENT = 10.0  # the margin of a party away from the table: never the smallest
_TOLERANCE = 1e-6  # float32 sums are exact to about 1e-7 for utilities in [0, 1]
_GAIN = 1e-4  # the least gain in margin a swap must bring
_OUT = np.float32(1e30)  # subtracted from scores that are out: below every score that is not
_BLOCK = 1 << 17  # table entries (rows * I * K) searched at a time, to stay in cache


class Aim(NamedTuple):
    """Whom a proposer's offer must win over, as the table shows them (party-major arrays).

    Attributes:
        others: the other parties' estimated weighted tables, shape (Q, n, I, K).
        thresholds: their estimated acceptance thresholds, in the same scale, shape (Q, n).
        present: which of them are at the table, shape (Q, n).
    """

    others: np.ndarray
    thresholds: np.ndarray
    present: np.ndarray


def _spread(values: np.ndarray, n_issues: int) -> np.ndarray:
    """Per-row numbers `(..., n)` repeated over each row's issues as float32, `(..., n, I)`."""
    return values.astype(np.float32, copy=False).repeat(n_issues).reshape(*values.shape, n_issues)


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
    """For option-major (K, n, I) arrays: `a` where `b + slope * a` is largest, and `_OUT`
    below it elsewhere, so that the maximum over options is the best option's `a` with ties
    going to the option worth more to the proposer."""
    score = a * _spread(slope, a.shape[-1])
    score += b
    out = np.less(score, np.maximum.reduce(score) - NEAR)
    tied = np.multiply(out, _OUT, out=score)
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
    others: np.ndarray,
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
            combined estimate of shape (n, I, K) is one party.
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
    if others.ndim == 3:
        others = others[None]
    if others.shape[0] == 0:  # nobody else to win over: a stand-in that never decides
        others = np.zeros((1, *own.shape), dtype=np.float32)
        thresholds, present, weights = np.zeros((1, n)), np.zeros((1, n), dtype=bool), None
    n_others = others.shape[0]
    thresholds = np.zeros((n_others, n)) if thresholds is None else thresholds
    present = np.ones((n_others, n), dtype=bool) if present is None else present
    forbidden = np.broadcast_to(forbidden, own.shape)
    if keys is None:
        keys = written_keys(n, *own.shape[1:])
    ties = _Ties(_option_major(keys[..., :-1]), np.ascontiguousarray(keys[..., -1]))
    block = max(1, _BLOCK // max(1, own.shape[1] * own.shape[2]))
    offers = np.empty((n, own.shape[1]), dtype=np.int64)
    margin = np.empty((n_others, n), dtype=np.float32)  # at the final offers
    lam = np.empty((n_others, n))
    moving = []
    for lo in range(0, n, block):
        rows = slice(lo, lo + block)
        swaps: _Swaps | None
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
        moving.append(_repair(swaps, offers, margin, _EARLY_PASSES, ties))  # while in cache
    # The rest of the passes for every block's moving rows at once: fewer, larger calls.
    swaps = _repair(_merged(moving), offers, margin, _SWAP_PASSES - _EARLY_PASSES, ties)
    if swaps is not None:  # rows that moved in the last pass: margins at their final offers
        margin[:, swaps.rows] = row_sum(swaps.held[:n_others]) - swaps.thresholds
    if weights is not None:
        weights[:] = _reweighted(lam, margin, present)
    return offers


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
) -> tuple[np.ndarray, np.ndarray, _Swaps]:
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
            score = _score(margin, scale) + np.where(reached, 0.0, -1e6)
            better = score > best_score
            best[better] = offers[better]
            best_score = np.maximum(score, best_score)
            if sweep + 1 < sweeps:
                lam = _reweighted(lam, margin, present)
    summed = tables[n_others + 1]  # the mean-margin term after a swap: scale * (sum + shifts)
    np.sum(others, axis=0, out=summed)
    spread_scale = _spread(scale, n_issues)
    summed *= spread_scale
    rows = np.arange(first_row, first_row + n)
    held = _take_each(tables[: n_others + 1], _slab_index(best))
    return best, lam, _Swaps(rows, tables, held, thresholds, scale, spread_scale, need)


def utilities_of(tables: np.ndarray, offers: np.ndarray) -> np.ndarray:
    """Each row's utility of its offer, summed in float64, shape (n,)."""
    return row_sum(gather(tables, offers), np.float64)


def _margins(others: np.ndarray, offers: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """`margins` in float32 from option-major tables (absent parties: zero, `-_ABSENT`)."""
    return row_sum(_take_each(others, _slab_index(offers))) - thresholds


def _score(margin: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The smallest margin plus `scale` times their sum (a fifth of their mean), shape (n,)."""
    return np.minimum.reduce(margin) + scale * np.add.reduce(margin)


def _combined(
    others: np.ndarray, lam: np.ndarray, allowed: np.ndarray, penalty: np.ndarray
) -> np.ndarray:
    """The others' option-major tables weighted by `lam`, scaled to a best offer worth 1, with
    forbidden options (`allowed` 0) at `penalty`."""
    n_issues = others.shape[-1]
    combined = others[0] * _spread(lam[0], n_issues)
    for q in range(1, others.shape[0]):
        combined += others[q] * _spread(lam[q], n_issues)
    # Scale the combination to the proposer's range so one angle grid suits every row.
    top = row_sum(np.maximum.reduce(combined))
    combined /= _spread(np.maximum(top, 1e-12), n_issues)
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


class _Swaps(NamedTuple):
    """The swap repair's rows still moving and their option-major float32 data.

    Attributes:
        rows: their indices in the offers being repaired, shape (m,).
        tables: the Q others' tables (zero for absent parties), then the proposer's (forbidden
            options at `_FORBIDDEN`), then the others' summed times `scale`: (Q + 2, K, m, I).
        held: the first Q + 1 tables at the current offers, shape (Q + 1, m, I).
        thresholds: the others' thresholds, `-_ABSENT` for absent parties, shape (Q, m).
        scale: weight of the sum of margins beside the smallest, shape (m,); spread over the
            issues in `spread_scale`, (m, I).
        need: the proposer's utility floor, shape (m,).
    """

    rows: np.ndarray
    tables: np.ndarray
    held: np.ndarray
    thresholds: np.ndarray
    scale: np.ndarray
    spread_scale: np.ndarray
    need: np.ndarray


class _Ties(NamedTuple):
    """Every row's tie-break keys: of the options option-major (K, n, I), of the issues (n, I)."""

    options: np.ndarray
    issues: np.ndarray


_ROW_AXIS = (-1, -2, -2, -1, -1, -2, -1)  # each field's axis over the rows, in field order


def _merged(parts: list[_Swaps | None]) -> _Swaps | None:
    """The rows of several `_Swaps` in one (None: no rows)."""
    parts = [part for part in parts if part is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None
    fields = zip(*parts, strict=True)
    return _Swaps(*(np.concatenate(f, axis=ax) for f, ax in zip(fields, _ROW_AXIS, strict=True)))


def _repair(
    swaps: _Swaps | None, offers: np.ndarray, margin_out: np.ndarray, passes: int, ties: _Ties
) -> _Swaps | None:
    """Up to `passes` swap passes; returns the rows still moving (None: none)."""
    for _ in range(passes):
        if swaps is None:
            break
        swaps = _swap_pass(swaps, offers, margin_out, ties)
    return swaps


def _swap_pass(
    swaps: _Swaps, offers: np.ndarray, margin_out: np.ndarray, ties: _Ties
) -> _Swaps | None:
    """Apply each row's best single swap: the one that most raises the smallest margin (plus
    `scale` times their sum) while the proposer's utility stays at least `need`, or where it is
    below `need`, the one that raises it most. Swaps to forbidden options never keep the floor.

    Rows stop when no swap gains more than `_GAIN`; their margins at their final offers go to
    `margin_out`. `offers[swaps.rows]` change in place; returns the rows that moved (None: none).
    """
    s = swaps
    n_others = s.thresholds.shape[0]
    others, own, summed = s.tables[:n_others], s.tables[n_others], s.tables[n_others + 1]
    held, own_now = s.held[:n_others], s.held[n_others]
    n_issues = own_now.shape[1]
    slack = (row_sum(own_now, np.float64) - s.need).astype(np.float32)
    margin = row_sum(held) - s.thresholds  # (Q, n)
    # A swap on issue i to option k moves party q's margin to table_q[k, i] + shift_q[i].
    shift = _spread(margin, n_issues)
    shift -= held  # (Q, n, I)
    score = others[0] + shift[0]
    moved = np.empty_like(score)
    for q in range(1, n_others):
        np.minimum(score, np.add(others[q], shift[q], out=moved), out=score)
    score += summed
    score += s.spread_scale * shift.sum(axis=0)
    # Swaps that take the proposer below its floor are out.
    floor = own_now - _spread(slack, n_issues)
    score -= np.multiply(np.less(own, floor), _OUT, out=moved)
    short = slack < 0
    any_short = short.any()
    if any_short:  # a row below its floor takes the swap that raises its own utility most
        score[:, short] = own[:, short] - own_now[short]
    by_issue = np.maximum.reduce(score)  # (n, I): the best option's score on each issue
    top = max_over_options(by_issue)  # (n,): over the issues, a running maximum is faster
    now = _score(margin, s.scale) + _GAIN
    if any_short:
        now[short] = 0.0
    improve = top > now
    if not improve.all():
        stop = ~improve
        margin_out[:, s.rows[stop]] = margin[:, stop]
        if not improve.any():
            return None
    keep = np.flatnonzero(improve)
    rows = s.rows[keep]
    # Of the swaps tied for the best score, the one that leaves the proposer most, then the
    # one ranked highest by the keys; only rows with tied issues weigh every issue. Flat indices
    # into (K, m * I) views read one option column per row.
    n_options = own.shape[0]
    level = top[keep] - NEAR
    tied = by_issue[keep] >= level[:, None]
    issue = tied.argmax(axis=-1)  # the first tied issue; the last differs where several tie
    several = np.flatnonzero(issue != n_issues - 1 - tied[:, ::-1].argmax(axis=-1))
    own_flat, score_flat = own.reshape(n_options, -1), score.reshape(n_options, -1)
    if several.size:  # weigh each tied (row, issue) pair by its best tied option for the proposer
        pair, tied_issue = np.nonzero(tied[several])
        at = keep[several][pair] * n_issues + tied_issue
        worth = own_flat.take(at, axis=1) - own_now.reshape(-1)[at]  # (K, pairs)
        worth[score_flat.take(at, axis=1) < level[several][pair]] = -np.inf
        # Per row, the pair worth most to the proposer, then the one whose issue ranks highest.
        keys = ties.issues.reshape(-1)[rows[several][pair] * n_issues + tied_issue]
        order = np.lexsort((keys, worth.max(axis=0), pair))
        last = np.flatnonzero(np.diff(pair[order], append=several.size))
        issue[several] = tied_issue[order[last]]
    line = np.arange(keep.size)
    at = keep * n_issues + issue
    worth = own_flat.take(at, axis=1)  # (K, m): the chosen issue's options
    worth -= own_now.reshape(-1)[at]
    worth[score_flat.take(at, axis=1) < level] = -np.inf
    hit = worth >= np.maximum.reduce(worth) - NEAR  # (K, m): the options tied for the best
    option = hit.argmax(axis=0)
    tied_options = np.flatnonzero(option != n_options - 1 - hit[::-1].argmax(axis=0))
    if tied_options.size:  # only there do the keys decide
        at = rows[tied_options] * n_issues + issue[tied_options]
        keys = ties.options.reshape(n_options, -1).take(at, axis=1)
        chosen = np.where(hit[:, tied_options], keys, np.float32(-1))
        option[tied_options] = chosen.argmax(axis=0)
    offers[rows, issue] = option
    tables, held = s.tables.take(keep, -2), s.held.take(keep, -2)
    held[:, line, issue] = tables[: n_others + 1, option, line, issue]
    scale, spread_scale, need = s.scale[keep], s.spread_scale[keep], s.need[keep]
    return _Swaps(rows, tables, held, s.thresholds[:, keep], scale, spread_scale, need)
