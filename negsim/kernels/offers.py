"""Compiled offer search: `negsim.strategies.offers.generate_offers`, chunk by chunk of rows.

The numpy search makes a pass over a block's option-major arrays for every step. Here rows go
`_LANES` at a time and a chunk's whole search is one fused pass over its data, in cache:
the others' tables combined by each row's weights, the bisection on the hull angle, the hull
offer, and its swap passes (`negsim.kernels.swaps`). The chunk is laid out as numpy lays out its
arrays, option-major `(K, R, I)`, and each float32 or float64 operation numpy does on the entries
is done in one vectorised loop over the chunk, in numpy's order (sums over a row's issues in its
pairwise order, over parties in turn), so every row's offer and margins are numpy's bit for bit:
a row's result never depends on the other rows of its chunk. (numpy itself sums over 8 or more
parties pairwise where an array holds a single row, a block's last or the only row still moving;
with 9 or more parties a result could then differ by a rounding, in numpy's engine.)

The others' tables are read where they lie, through a (party, row) index of table blocks: the
frequency model's estimates of every party in every replication, or a caller's gathered tables;
only the chunk's rows are ever copied, into its option-major layout.

A chunk rather than one row at a time: a row's loops run over a few options and a dozen issues,
too short for the compiler to vectorise, and their branches follow the data.

What numpy computes with its own SIMD transcendentals stays in numpy. The bisection's angles are
the same in every row (at most 2^steps of them), so their tangents come in as a table; the
multiplicative-weights update between sweeps and after the search (`np.exp`) is the caller's,
from the weights and margins a call leaves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negsim.kernels import inner, kernel
from negsim.kernels.swaps import issue_sums, margins_at, repair, spread

_LANES = 64  # rows searched side by side
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_LEAST_TOP = np.float32(1e-12)  # the combined table's best offer is scaled by at least this
_NO_KEY = np.float32(-1.0)


def slope_tables(steps: int, top: float) -> tuple[np.ndarray, np.ndarray]:
    """The float32 slopes `tan(angle)` of the bisection on [0, `top`], as numpy computes them.

    Returns `(mids, finals)`: `mids[s, path]` is the slope tried at step `s` when the steps
    before went as the low bits of `path` say (bit `t` set: step `t` met the target, so the
    angle was lowered), shape (steps, 2^steps); `finals[path]` the slope of the offer made
    after all the steps, shape (2^steps,). Same arithmetic as `_hull_offer` (float64 midpoints,
    `np.tan` on float64 arrays, then float32), on one array holding every path.
    """
    paths = np.arange(1 << steps)
    lo = np.zeros(paths.size)
    hi = np.full(paths.size, top)
    mids = np.empty((steps, paths.size), dtype=np.float32)
    for step in range(steps):
        mid = 0.5 * (lo + hi)
        mids[step] = np.tan(mid).astype(np.float32)
        feasible = (paths >> step) & 1 == 1
        hi = np.where(feasible, mid, hi)
        lo = np.where(feasible, lo, mid)
    return mids, np.tan(hi).astype(np.float32)


@inner
def _load(
    inputs: Any, first_row: int, count: int, forbid: Any, chunk: Any, shut: Any, option_keys: Any
) -> None:
    """The chunk's rows (`first_row` on, `count` of them; the last repeated to fill it) laid
    out as `_search` lays them out, option-major, from `inputs` (own, others, blocks, present,
    forbidden, keys; party q's table in row j is `others[blocks[q, j]]`): the others' tables
    (Q, K, R, I) times whether they are at the table and the proposer's float32 table
    (K, R, I) with forbidden options at `forbid` into `chunk`, `shut` (1 where forbidden,
    else 0) and the options' tie-break keys (K, R, I)."""
    own, others, blocks, present, forbidden, keys = inputs
    tables, a, _ = chunk
    n_others, n_options, lanes, n_issues = tables.shape
    each_forbidden = forbidden.shape[0] > 1
    each_keys = keys.shape[0] > 1
    for r in range(lanes):
        row = first_row + min(r, count - 1)
        closed = row if each_forbidden else 0
        keyed = row if each_keys else 0
        for k in range(n_options):
            for i in range(n_issues):
                closing = np.float32(forbidden[closed, i, k])
                shut[k, r, i] = closing
                value = np.float32(own[row, i, k]) * (_ONE - closing)  # times `allowed`
                a[k, r, i] = value + closing * forbid  # plus `penalty`
                option_keys[k, r, i] = keys[keyed, i, k]
        for q in range(n_others):
            there = np.float32(present[q, row])
            block = blocks[q, row]
            for k in range(n_options):
                for i in range(n_issues):
                    tables[q, k, r, i] = others[block, i, k] * there


@inner
def _gather(per_row: Any, first_row: int, count: int, lane: Any, weights: Any) -> None:
    """The chunk's per-row numbers, place by place (the last row repeated to fill it): from
    `per_row`, `(need, scale, lam, thresholds)`, into `lane` (thresholds, scale, need, rows)
    and `weights` (Q, R)."""
    need, scale, lam, thresholds = per_row
    thresholds_lane, scale_lane, need_lane, rows = lane
    for r in range(need_lane.shape[0]):
        row = first_row + min(r, count - 1)
        rows[r] = row
        need_lane[r] = need[row]
        scale_lane[r] = scale[row]
        for q in range(lam.shape[0]):
            weights[q, r] = lam[q, row]
            thresholds_lane[q, r] = thresholds[q, row]


@inner
def _combine(
    tables: Any, weights: Any, shut: Any, forbid: Any, combined: Any, work: Any, scratch: Any
) -> None:
    """The others' tables (Q, K, R * I) weighted by each row's `weights` (Q, R), scaled so that
    the best offer is worth 1, forbidden options (`shut`) at `forbid` (`_combined`): into
    `combined` (K, R * I). `work` (2, R * I) and `scratch` (for `issue_sums`) are scratch."""
    n_others, n_options, size = tables.shape
    lanes = weights.shape[1]
    spread_buffer, best = work[0], work[1]
    spread_2d = spread_buffer.reshape((lanes, size // lanes))
    for q in range(n_others):
        spread(weights[q], spread_2d, lanes)
        for k in range(n_options):
            for e in range(size):
                weighted = tables[q, k, e] * spread_buffer[e]
                combined[k, e] = weighted if q == 0 else combined[k, e] + weighted
    for e in range(size):
        best[e] = combined[0, e]
    for k in range(1, n_options):
        for e in range(size):
            best[e] = combined[k, e] if combined[k, e] > best[e] else best[e]
    top = work[2, :lanes]
    issue_sums(best.reshape((lanes, size // lanes)), lanes, _ZERO, scratch, top)
    for r in range(lanes):
        top[r] = _LEAST_TOP if top[r] < _LEAST_TOP else top[r]  # np.maximum(top, 1e-12)
    spread(top, spread_2d, lanes)
    for k in range(n_options):
        for e in range(size):
            value = combined[k, e] / spread_buffer[e]
            value = value * (_ONE - shut[k, e])
            combined[k, e] = value + shut[k, e] * forbid


@inner
def _tied(a: Any, combined: Any, slope: Any, near: Any, out: Any, limit: Any, value: Any) -> None:
    """`_best_scores` at each row's `slope` (spread, R * I): `limit` gets the best score of
    `combined + slope * a` less `near`, `value` the largest over the options of the proposer's
    value where the score is within `near` of the best, `out` below it elsewhere."""
    n_options, size = a.shape
    for e in range(size):
        limit[e] = a[0, e] * slope[e] + combined[0, e]
    for k in range(1, n_options):
        for e in range(size):
            score = a[k, e] * slope[e] + combined[k, e]
            limit[e] = score if score > limit[e] else limit[e]
    for e in range(size):
        limit[e] = limit[e] - near
    for k in range(n_options):
        for e in range(size):
            score = a[k, e] * slope[e] + combined[k, e]
            tied = a[k, e] - (out if score < limit[e] else _ZERO)
            value[e] = tied if k == 0 or tied > value[e] else value[e]


@inner
def _hull_offer(
    a: Any,
    combined: Any,
    option_keys: Any,
    need: Any,
    steps: Any,
    work: Any,
    ranked: Any,
    lane_work: Any,
    scratch64: Any,
    offer: Any,
) -> None:
    """`_hull_offer` for every row: bisect on the angle (slopes from `slope_tables`, in `steps`
    with `NEAR` and `OUT`) for the smallest own weight whose offer meets `need` (R,), then the
    offer at it, into `offer` (R, I): on each issue, of the options within `NEAR` of the
    proposer's value of the issue, the one with the highest key, then the first written
    (`ranked_max`). Arrays (K, R * I); `work` (3, R * I), `ranked` (K + 1, R * I) of the keys'
    type, `lane_work` (path int64, slope float32, total float64, each (R,)) and `scratch64` (for
    `issue_sums`) are scratch."""
    mids, finals, near, out = steps
    n_options, size = a.shape
    lanes, n_issues = offer.shape
    slopes, limit, value = work[0], work[1], work[2]
    slopes_2d, value_2d = slopes.reshape((lanes, n_issues)), value.reshape((lanes, n_issues))
    path, slope, total = lane_work
    for r in range(lanes):
        path[r] = 0
    for step in range(mids.shape[0]):
        for r in range(lanes):
            slope[r] = mids[step, path[r]]
        spread(slope, slopes_2d, lanes)
        _tied(a, combined, slopes, near, out, limit, value)
        issue_sums(value_2d, lanes, 0.0, scratch64, total)  # `_own_value`: summed in float64
        for r in range(lanes):
            path[r] = path[r] | (1 << step) if total[r] >= need[r] else path[r]
    for r in range(lanes):
        slope[r] = finals[path[r]]
    spread(slope, slopes_2d, lanes)
    _tied(a, combined, slopes, near, out, limit, value)
    for e in range(size):
        value[e] = value[e] - near  # the level of the options tied for the issue
    for k in range(n_options):  # `ranked_max`: the highest key of the tied options
        for e in range(size):
            score = a[k, e] * slopes[e] + combined[k, e]
            tied = a[k, e] - (out if score < limit[e] else _ZERO)
            key = option_keys[k, e] if tied >= value[e] else _NO_KEY
            ranked[k, e] = key
            best = ranked[n_options, e]
            ranked[n_options, e] = key if k == 0 or key > best else best
    offer_flat = offer.reshape(size)
    for e in range(size):
        offer_flat[e] = n_options - 1
    for k in range(n_options - 2, -1, -1):  # the first option holding it
        for e in range(size):
            offer_flat[e] = k if ranked[k, e] == ranked[n_options, e] else offer_flat[e]


@inner
def _score(chunk: Any, own: Any, state: Any, lane: Any, margin: Any, work: Any, score: Any) -> None:
    """Each place's offer as `_search` scores a sweep's offers, into `score` (R,): the smallest
    margin plus `scale` times their sum, 1e6 lower where the proposer's utility (of its tables
    as given, float64 `own`) misses `need`; the margins go to `margin` (Q, R). `work`: float64
    (R, I) and (R,), and `issue_sums`' float32 and float64 scratch."""
    tables = chunk[0]
    offer, held, _ = state
    thresholds, scale, need, rows = lane
    values64, total, scratch, scratch64 = work
    n_others, _, lanes, n_issues = tables.shape
    for r in range(lanes):
        for i in range(n_issues):
            option = offer[r, i]
            for q in range(n_others):
                held[q, r, i] = tables[q, option, r, i]
            values64[r, i] = own[rows[r], i, option]
    margins_at(held, thresholds, lanes, scratch, margin)
    issue_sums(values64, lanes, 0.0, scratch64, total)
    for r in range(lanes):
        low = margin[0, r]
        summed = margin[0, r]
        for q in range(1, n_others):
            low = margin[q, r] if margin[q, r] < low else low
            summed = summed + margin[q, r]
        reached = total[r] >= need[r]
        score[r] = np.float64(low + scale[r] * summed) + (0.0 if reached else -1e6)


@kernel
def search_offers(
    own: Any,
    others: Any,
    blocks: Any,
    present: Any,
    forbidden: Any,
    keys: Any,
    need: Any,
    thresholds: Any,
    scale: Any,
    lam: Any,
    mids: Any,
    finals: Any,
    rules: Any,
    scored: bool,
    passes: int,
    best: Any,
    best_score: Any,
    margin_out: Any,
) -> None:
    """One sweep of `generate_offers` for every row, then (`passes` > 0) the swap repair.

    Args:
        own: the proposer's tables as given, float64 (n, I, K).
        others: float32 tables (B, I, K), read in place: party q's in row j is
            `others[blocks[q, j]]` (`blocks` int64, (Q, n)); `present` (Q, n) whether it is at
            the table.
        forbidden, keys: (n, I, K) bool and (n, I, K + 1) tie-break keys, or one row for all.
        need: the proposer's utility floor, float64 (n,).
        thresholds: the others' float32 thresholds, absent parties far below (Q, n); `scale`
            the float32 weight of the sum of margins (n,); `lam` the weights (Q, n).
        mids, finals: the bisection's slopes (`slope_tables`).
        rules: `NEAR`, `OUT`, the forbidden level and `_GAIN`, float32.
        scored: score the sweep's offers and keep them in `best` (n, I) where better than
            `best_score` (n,) (else they are `best`); `margin_out` (Q, n) gets their margins.
        passes: swap passes to run on `best`; `margin_out` then gets the final margins.
    """
    n_others, n_rows = blocks.shape
    n_issues, n_options = others.shape[1:]
    lanes = _LANES
    size = lanes * n_issues
    near, out, forbid = rules[0], rules[1], rules[2]
    tables = np.empty((n_others, n_options, lanes, n_issues), np.float32)
    a = np.empty((n_options, lanes, n_issues), np.float32)
    summed = np.empty((n_options, lanes, n_issues), np.float32)
    shut = np.empty((n_options, lanes, n_issues), np.float32)
    option_keys = np.empty((n_options, lanes, n_issues), keys.dtype)
    combined = np.empty((n_options, size), np.float32)
    ranked = np.empty((n_options + 1, size), keys.dtype)
    state = (
        np.empty((lanes, n_issues), np.int64),  # the offers
        np.empty((n_others, lanes, n_issues), np.float32),  # the others' tables there
        np.empty((lanes, n_issues), np.float32),  # the proposer's
    )
    offer, held, own_now = state
    lane = (
        np.empty((n_others, lanes), np.float32),  # thresholds
        np.empty(lanes, np.float32),  # scale
        np.empty(lanes, np.float64),  # need
        np.empty(lanes, np.int64),  # rows
    )
    weights = np.empty((n_others, lanes), np.float64)
    work = (
        np.empty((n_others + 4, size), np.float32),
        np.empty((n_options + 1, lanes, n_issues), np.float32),
        np.empty((n_others, lanes), np.float32),  # margins
        np.empty(lanes, np.float32),
        np.empty(lanes, np.float64),
        np.empty(lanes, np.bool_),
        np.empty((n_issues + 8, lanes), np.float32),  # for `issue_sums`
        np.empty((n_issues + 8, lanes), np.float64),
    )
    buffer, margin, scratch, scratch64 = work[0], work[2], work[6], work[7]
    lane_work = (np.empty(lanes, np.int64), work[3], work[4])  # path, slope, total
    scoring = (np.empty((lanes, n_issues), np.float64), work[4], scratch, scratch64)
    lane_score = np.empty(lanes, np.float64)
    chunk = (tables, a, summed)
    flat = (tables.reshape((n_others, n_options, size)), a.reshape((n_options, size)))
    summed_flat = summed.reshape((n_options, size))
    shut_flat = shut.reshape((n_options, size))
    keys_flat = option_keys.reshape((n_options, size))
    for first in range(0, n_rows, lanes):
        count = min(lanes, n_rows - first)
        _gather((need, scale, lam, thresholds), first, count, lane, weights)
        inputs = (own, others, blocks, present, forbidden, keys)
        _load(inputs, first, count, forbid, chunk, shut, option_keys)
        _combine(flat[0], weights, shut_flat, forbid, combined, buffer, scratch)
        steps = (mids, finals, near, out)
        _hull_offer(
            flat[1],
            combined,
            keys_flat,
            lane[2],
            steps,
            buffer,
            ranked,
            lane_work,
            scratch64,
            offer,
        )
        if scored:
            _score(chunk, own, state, lane, margin, scoring, lane_score)
            for r in range(count):
                row = first + r
                if lane_score[r] > best_score[row]:
                    for i in range(n_issues):
                        best[row, i] = offer[r, i]
                if not lane_score[r] <= best_score[row]:  # np.maximum
                    best_score[row] = lane_score[r]
                for q in range(n_others):
                    margin_out[q, row] = margin[q, r]
        else:
            for r in range(count):
                for i in range(n_issues):
                    best[first + r, i] = offer[r, i]
        if passes == 0:
            continue
        for k in range(n_options):  # the others' tables summed, times the row's scale
            for e in range(size):
                summed_flat[k, e] = flat[0][0, k, e]
            for q in range(1, n_others):
                for e in range(size):
                    summed_flat[k, e] = summed_flat[k, e] + flat[0][q, k, e]
        spread(lane[1], buffer[0].reshape((lanes, n_issues)), lanes)
        for k in range(n_options):
            for e in range(size):
                summed_flat[k, e] = summed_flat[k, e] * buffer[0, e]
        for r in range(count):
            lane[3][r] = first + r
            for i in range(n_issues):
                option = best[first + r, i]
                offer[r, i] = option
                for q in range(n_others):
                    held[q, r, i] = tables[q, option, r, i]
                own_now[r, i] = a[option, r, i]
        repair(chunk, state, lane, keys, count, passes, rules, work, (best, margin_out))
