"""Compiled swap repair for the offer kernel, and numpy's summation order over issues.

`repair` is `negsim.strategies.swaps.swap_pass`, all its passes, for a chunk of rows side by side
(`negsim.kernels.offers` lays them out as numpy does, option-major `(K, R, I)`, a row's issues
contiguous), so every float32 operation numpy does on the chunk's entries is done in one
vectorised loop, and a row's result is what numpy computes for it alone, bit for bit. After each
pass the rows still moving are gathered at the front, so that the next pass works on them only.
Ties go as numpy sends them: of
swaps within `NEAR` of the best, the issue whose best tied option is worth most to the proposer,
then the one with the highest issue key, then the last written (numpy's stable `lexsort`); of
options within `NEAR` of the best for the proposer, the one with the highest option key, then
the first written.

Sums over a row's issues follow numpy's pairwise order (`issue_sums`), over parties in turn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negsim.kernels import inner
from negsim.kernels.sums import pairwise

_MINUS_INF = np.float32(-np.inf)
_ZERO = np.float32(0.0)
_NO_KEY = np.float32(-1.0)


@inner
def issue_sums(values: Any, count: int, zero: Any, scratch: Any, out: Any) -> None:
    """numpy's sum over the issues (`np.add.reduce(values, axis=-1)`) of each of the first
    `count` rows of `values` (R, I), into `out`, in the type of `zero`. The rows' terms are laid
    side by side (`scratch`, (I + 8, R) of that type) and numpy's pairwise order
    (`negsim.kernels.sums`) runs on all rows at once: a row's sum is a chain of dependent
    additions, which rows side by side keep busy."""
    n_issues = values.shape[1]
    if n_issues > 128:  # a row at a time
        for r in range(count):
            out[r] = zero + pairwise(values[r], 0, n_issues, zero)
        return
    terms, sums = scratch[:n_issues], scratch[n_issues:]
    for i in range(n_issues):
        for r in range(count):
            terms[i, r] = values[r, i]
    if n_issues < 8:
        for r in range(count):
            out[r] = zero
        for i in range(n_issues):
            for r in range(count):
                out[r] += terms[i, r]
    else:
        for j in range(8):
            for r in range(count):
                sums[j, r] = zero + terms[j, r]
        done = n_issues - n_issues % 8
        for start in range(8, done, 8):
            for j in range(8):
                for r in range(count):
                    sums[j, r] += terms[start + j, r]
        for r in range(count):
            left = (sums[0, r] + sums[1, r]) + (sums[2, r] + sums[3, r])
            out[r] = left + ((sums[4, r] + sums[5, r]) + (sums[6, r] + sums[7, r]))
        for i in range(done, n_issues):
            for r in range(count):
                out[r] += terms[i, r]
    for r in range(count):
        out[r] = zero + out[r]


@inner
def margins_at(held: Any, thresholds: Any, count: int, scratch: Any, margin: Any) -> None:
    """Each other party's margin at the held entries (Q, R, I) of the first `count` rows: its
    float32 sum over the row's issues minus its threshold (Q, R), into `margin` (Q, R)."""
    for q in range(held.shape[0]):
        issue_sums(held[q], count, _ZERO, scratch, margin[q])
        for r in range(count):
            margin[q, r] = margin[q, r] - thresholds[q, r]


@inner
def spread(values: Any, out: Any, count: int) -> None:
    """Per-row numbers (R,) over each row's issues, as float32 (R, I), for the first `count`
    rows: numpy's `spread`."""
    for r in range(count):
        for i in range(out.shape[1]):
            out[r, i] = np.float32(values[r])


@inner
def _scores(
    flat: Any,
    held: Any,
    own_now: Any,
    margin: Any,
    scale: Any,
    slack: Any,
    count: int,
    out: Any,
    work: Any,
    score: Any,
) -> None:
    """Every swap's score `score[k]` and each issue's best `score[K]` for the first `count`
    rows, as `swap_pass` scores them, from the chunk's tables `flat` (R * I); `work` is
    (Q + 4, R * I) float32 scratch."""
    tables, own, summed = flat
    n_others, n_options = tables.shape[:2]
    lanes, n_issues = held.shape[1:]
    size = count * n_issues
    best = score[n_options].reshape(lanes * n_issues)
    scores = score.reshape((n_options + 1, lanes * n_issues))
    shift = work[:n_others]
    moved, floor, short, value = work[n_others], work[n_others + 1], work[n_others + 2], work[-1]
    held_flat = held.reshape((n_others, lanes * n_issues))
    now = own_now.reshape(lanes * n_issues)
    for q in range(n_others):  # a swap moves party q's margin to table + shift
        spread(margin[q], shift[q].reshape((lanes, n_issues)), count)
        for e in range(size):
            shift[q, e] = shift[q, e] - held_flat[q, e]
    for e in range(size):
        moved[e] = shift[0, e]
    for q in range(1, n_others):
        for e in range(size):
            moved[e] = moved[e] + shift[q, e]
    spread(scale, floor.reshape((lanes, n_issues)), count)
    for e in range(size):
        moved[e] = floor[e] * moved[e]  # `spread_scale * shift.sum(axis=0)`
    spread(slack, floor.reshape((lanes, n_issues)), count)
    for e in range(size):
        short[e] = np.float32(floor[e] < _ZERO)
        floor[e] = now[e] - floor[e]
    for k in range(n_options):
        for e in range(size):
            value[e] = tables[0, k, e] + shift[0, e]
        for q in range(1, n_others):
            for e in range(size):
                other = tables[q, k, e] + shift[q, e]
                value[e] = other if other < value[e] else value[e]
        for e in range(size):
            result = value[e] + summed[k, e]
            result = result + moved[e]
            result = result - (out if own[k, e] < floor[e] else _ZERO)
            # below its floor, the proposer takes what raises its own utility most
            result = own[k, e] - now[e] if short[e] != _ZERO else result
            scores[k, e] = result
            best[e] = result if k == 0 or result > best[e] else best[e]


@inner
def _settle(
    chunk: Any, state: Any, lane: Any, keys: Any, active: int, rules: Any, work: Any, out: Any
) -> int:
    """After a pass's scores: each of the first `active` rows either stops (no swap gains more
    than `_GAIN`: its offer and margins go to `out`, `(best, margin_out)`) or makes its best
    swap; returns how many moved, the moving rows first (`_move`).

    Ties as `swap_pass` settles them: of the issues whose best swap is within `NEAR` of the
    best, the one whose best tied option leaves the proposer most, then the one with the highest
    key, then the last written (numpy's stable `lexsort`); on it, of the options tied for the
    best score, the one within `NEAR` of the best for the proposer with the highest key, then
    the first written. Written out here, without views or calls: this runs for every row.
    """
    tables, own, _ = chunk
    offers, held, own_now = state
    scale, rows = lane[1], lane[3]
    score, margin, slack, moving = work[1], work[2], work[3], work[5]
    best, margin_out = out
    n_others, n_options, _, n_issues = tables.shape
    near, gain = rules[0], rules[3]
    each_keys = keys.shape[0] > 1
    still = 0
    for r in range(active):
        top = score[n_options, r, 0]
        for i in range(1, n_issues):
            top = score[n_options, r, i] if score[n_options, r, i] > top else top
        low = margin[0, r]
        summed = margin[0, r]
        for q in range(1, n_others):
            low = margin[q, r] if margin[q, r] < low else low
            summed = summed + margin[q, r]
        now = _ZERO if slack[r] < _ZERO else (low + scale[r] * summed) + gain
        moving[r] = top > now
        if not moving[r]:  # done: its offer, and its margins there
            for i in range(n_issues):
                best[rows[r], i] = offers[r, i]
            for q in range(n_others):
                margin_out[q, rows[r]] = margin[q, r]
            continue
        still += 1
        level = top - near
        key_row = rows[r] if each_keys else 0
        first, last = -1, -1
        for i in range(n_issues):
            if score[n_options, r, i] >= level:
                first = i if first < 0 else first
                last = i
        issue = first
        if first != last:  # several issues tied
            best_worth, best_key = _MINUS_INF, keys[key_row, first, n_options]
            for i in range(first, last + 1):
                if score[n_options, r, i] < level:
                    continue
                worth = _MINUS_INF
                for k in range(n_options):
                    if score[k, r, i] >= level:
                        value = own[k, r, i] - own_now[r, i]
                        worth = value if value > worth else worth
                key = keys[key_row, i, n_options]
                if i == first or worth > best_worth or (worth == best_worth and key >= best_key):
                    issue, best_worth, best_key = i, worth, key
        now_own = own_now[r, issue]
        most = _MINUS_INF
        for k in range(n_options):
            if score[k, r, issue] >= level:
                value = own[k, r, issue] - now_own
                most = value if value > most else most
        limit = most - near
        option, ranked, first, last = 0, _NO_KEY, -1, -1
        for k in range(n_options):
            if score[k, r, issue] >= level and own[k, r, issue] - now_own >= limit:
                first = k if first < 0 else first
                last = k
                key = keys[key_row, issue, k]
                if key > ranked:
                    option, ranked = k, key
        option = first if first == last else option  # one option: the keys do not decide
        offers[r, issue] = option
        for q in range(n_others):
            held[q, r, issue] = tables[q, option, r, issue]
        own_now[r, issue] = own[option, r, issue]
    last = active - 1  # each done row's place among the first `still` takes a moving row
    for r in range(still):
        if moving[r]:
            continue
        while not moving[last]:
            last -= 1
        _move(chunk, state, lane, last, r)
        last -= 1
    return still


@inner
def _move(chunk: Any, state: Any, lane: Any, source: int, target: int) -> None:
    """A row's data from place `source` to place `target` (element by element: no views)."""
    tables, own, summed = chunk
    offers, held, own_now = state
    thresholds, scale, need, rows = lane
    n_others, n_options, _, n_issues = tables.shape
    for q in range(n_others):
        for k in range(n_options):
            for i in range(n_issues):
                tables[q, k, target, i] = tables[q, k, source, i]
        for i in range(n_issues):
            held[q, target, i] = held[q, source, i]
        thresholds[q, target] = thresholds[q, source]
    for k in range(n_options):
        for i in range(n_issues):
            own[k, target, i] = own[k, source, i]
            summed[k, target, i] = summed[k, source, i]
    for i in range(n_issues):
        own_now[target, i] = own_now[source, i]
        offers[target, i] = offers[source, i]
    scale[target], need[target], rows[target] = scale[source], need[source], rows[source]


@inner
def repair(
    chunk: Any,
    state: Any,
    lane: Any,
    keys: Any,
    count: int,
    passes: int,
    rules: Any,
    work: Any,
    out: Any,
) -> None:
    """Up to `passes` swap passes on the offers of a chunk's first `count` places; each row's
    final offer goes to `best[row]` and its margins there to `margin_out[:, row]`. Rows still
    moving are moved to the front, so that a pass works on them only (the chunk is reordered).

    Args:
        chunk: the others' tables (Q, K, R, I), zero for absent parties; the proposer's
            (K, R, I) with forbidden options far below; the others' summed times the row's
            `scale` (K, R, I).
        state: each place's offer (R, I) and the tables there, `held` (Q, R, I) and `own_now`
            (R, I), kept up to date.
        lane: per place, the float32 thresholds (Q, R) and `scale` (R,), the proposer's float64
            utility floor `need` (R,), and its row (R,).
        keys: every row's tie-break keys (n, I, K + 1) or one row's for all.
        rules: `NEAR`, `OUT`, the forbidden level and `_GAIN`, float32.
        work: scratch, float32 (Q + 4, R * I), (K + 1, R, I), (Q, R), (R,), float64 (R,),
            bool (R,), and `issue_sums`' float32 and float64 scratch.
        out: `best` (n, I) and `margin_out` (Q, n).
    """
    tables, own, summed = chunk
    offers, held, own_now = state
    thresholds, scale, need, _ = lane
    buffer, score, margin, slack, total, _, scratch, scratch64 = work
    n_others, n_options, lanes, n_issues = tables.shape
    size = lanes * n_issues
    active = count
    for _ in range(passes):
        issue_sums(own_now, active, 0.0, scratch64, total)
        for r in range(active):
            slack[r] = np.float32(total[r] - need[r])
        margins_at(held, thresholds, active, scratch, margin)
        flat = (
            tables.reshape((n_others, n_options, size)),
            own.reshape((n_options, size)),
            summed.reshape((n_options, size)),
        )
        _scores(flat, held, own_now, margin, scale, slack, active, rules[1], buffer, score)
        active = _settle(chunk, state, lane, keys, active, rules, work, out)
        if active == 0:
            return
    margins_at(held, thresholds, active, scratch, margin)
    best, margin_out = out
    for r in range(active):
        for i in range(n_issues):
            best[lane[3][r], i] = offers[r, i]
        for q in range(n_others):
            margin_out[q, lane[3][r]] = margin[q, r]
