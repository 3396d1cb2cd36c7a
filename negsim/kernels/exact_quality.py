"""Each deal's exact distances to the Pareto frontier and the Nash point, one loop per deal.

The compiled form of `negsim.analysis.exact_quality.exact_deal_distances`, equal to it bit for
bit. A deal's admissible outcomes are summed party by party, issue by issue (each sum in issue
order from 0, as numpy builds them), the first issue changing fastest so that every step is one
long loop; the last issue is added in the one pass that scores every outcome (Nash product, near
enough to beat the deal), so the full list is never stored. Positions are turned into numpy's
lexicographic order wherever order counts (ties of the Nash product, the frontier). The frontier
of the outcomes near the deal is kept as they come in lexicographic order (a point stays unless
an earlier one is at least as good for every party or a later one dominates it: the set
`grouped_frontier` peels), then settled under the tolerance as
`negsim.analysis.frontier.settle` settles it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from negsim.kernels import inner, kernel
from negsim.kernels.quality import deal_point, distance, pairwise_sum


@kernel
def exact_distances(
    tables: Any,
    allowed: Any,
    per_row: bool,
    choices: Any,
    counts: Any,
    deals: Any,
    reservations: Any,
    tolerance: float,
    same: float,
    tie: float,
    lanes: int,
    parties: Any,
) -> Any:
    """Each deal's exact distance to the Pareto frontier and to the Nash point.

    Args:
        tables: (R, P, I, K) float64; allowed: (1, I, K) or, with `per_row`, (R, I, K) (or
        (1, I, K));
        choices: per issue the options listed (those some row allows), (I, K) int64, padded;
        counts: how many of them, (I,) (none zero); deals: (R, I) int64; reservations: (R, P);
        tolerance: `negsim.utility.TOLERANCE`; same: `negsim.analysis.frontier.SAME`;
        tie: the relative gap within which Nash products tie (the first outcome wins);
        lanes: `DOUBLES`, passed in so that the loops over it stay loops, which vectorise;
        parties: a tuple of P items, whose length compiles in: loops over the parties unroll.
    """
    n_rows, n_parties, n_issues, _ = tables.shape
    n_listed = 1
    for i in range(n_issues):
        n_listed *= counts[i]
    n_last = counts[n_issues - 1]
    n_head = n_listed // n_last  # outcomes of the issues before the last
    head_lex = lexicographic_heads(counts[:-1])
    head_order = np.argsort(head_lex)  # the heads' positions in lexicographic order
    padded = -(-n_listed // lanes) * lanes
    head = np.empty((n_parties, n_head))
    tail = np.empty((n_parties, n_last))
    ok = np.ones(n_listed, dtype=np.bool_)
    score = np.full(padded, -np.inf)  # the Nash products, -inf where not rational (and beyond)
    flags = np.zeros(-(-n_listed // 8) * 8, dtype=np.bool_)  # read 8 at a time
    top_lanes = np.empty(lanes)
    near = np.empty(n_listed, dtype=np.int64)
    points = np.empty((n_listed, n_parties))  # the outcomes near the deal, in order
    point = np.empty(n_parties)
    row = np.empty(n_parties)
    squares = np.empty(n_parties)
    to_pareto = np.empty(n_rows)
    to_nash = np.empty(n_rows)
    for r in range(n_rows):
        table, floor = tables[r], reservations[r]
        deal_point(table, deals[r], point)
        list_outcomes(table, choices, counts, head)
        for p in range(n_parties):
            for k in range(n_last):
                tail[p, k] = table[p, n_issues - 1, choices[n_issues - 1, k]]
        if per_row:
            list_allowed(allowed[r if len(allowed) > 1 else 0], choices, counts, ok)
        judge(head, tail, floor, point, ok, tolerance, score, flags, row, parties)
        n_near = gather(flags, n_listed, near)
        lexicographic_order(flags, near, n_near, head_lex, head_order, n_last)
        for n in range(n_near):
            for p in range(n_parties):  # the utilities `judge` took, summed again
                points[n, p] = head[p, near[n] % n_head] + tail[p, near[n] // n_head]
        to_nash[r] = np.nan
        top = largest(score, top_lanes)
        if top > 0:
            bar = top - tie * max(abs(top), 1e-300)
            for n in range(n_listed):
                flags[n] = score[n] >= bar
            first = first_lexicographic(flags, n_listed, head_lex, n_last)
            for p in range(n_parties):
                row[p] = head[p, first % n_head] + tail[p, first // n_head]
            to_nash[r] = distance(row, point, squares)
        front = frontier(points, n_near, parties)
        n_front = settle(points, front, tolerance, same, parties)
        to_pareto[r] = nearest(points, front[:n_front], point, tolerance, squares)
    return to_pareto, to_nash


@inner
def judge(
    head: Any,
    tail: Any,
    floor: Any,
    point: Any,
    ok: Any,
    tolerance: float,
    score: Any,
    near: Any,
    lowest: Any,
    parties: Any,
) -> None:
    """Every listed outcome's Nash product (-inf where one party falls below its reservation or
    `ok` is false) into `score`, and whether it is near enough to beat the deal into `near`.

    An outcome's utility is its sum over the issues before the last (`head`, (P, N / K_last))
    plus its option of the last (`tail`, (P, K_last)), added here: the last step of the listing,
    never stored. One pass along the outcomes, every party at each.
    """
    n_parties, n_head = len(parties), head.shape[1]
    for p in range(n_parties):
        lowest[p] = point[p] - 2 * tolerance
    for k in range(tail.shape[1]):
        start, stop = k * n_head, (k + 1) * n_head
        product, close, allowed = score[start:stop], near[start:stop], ok[start:stop]
        for a in range(n_head):  # slices: plain indices vectorise
            utility = head[0, a] + tail[0, k]
            gain = utility - floor[0]
            rate = gain if not gain < 0.0 else 0.0
            fair = allowed[a] & (gain >= -tolerance)
            beside = allowed[a] & (utility >= lowest[0])
            for p in range(1, n_parties):
                utility = head[p, a] + tail[p, k]
                gain = utility - floor[p]
                rate *= gain if not gain < 0.0 else 0.0
                fair &= gain >= -tolerance
                beside &= utility >= lowest[p]
            product[a] = rate if fair else -np.inf
            close[a] = beside


@inner
def list_outcomes(table: Any, choices: Any, counts: Any, listed: Any) -> None:
    """The sums over the issues before the last of every listed outcome, (P, N / K_last): for
    each issue in turn, the sums so far copied once per further option of the issue, plus its
    value (the first issue changes fastest)."""
    n_parties, n_issues, _ = table.shape
    for p in range(n_parties):
        out = listed[p]
        out[0] = 0.0
        size = 1
        for i in range(n_issues - 1):
            for k in range(counts[i] - 1, -1, -1):  # option 0 last: its copy is the original
                value = table[p, i, choices[i, k]]
                copy = out[k * size : (k + 1) * size]  # a slice: plain indices vectorise
                for a in range(size):
                    copy[a] = out[a] + value
            size *= counts[i]


@inner
def list_allowed(open_: Any, choices: Any, counts: Any, ok: Any) -> None:
    """Which listed outcomes `open_` (I, K) allows, in the order of `list_outcomes`."""
    ok[0] = True
    size = 1
    for i in range(len(counts)):
        for k in range(counts[i] - 1, -1, -1):
            allowed = open_[i, choices[i, k]]
            copy = ok[k * size : (k + 1) * size]
            for a in range(size):
                copy[a] = ok[a] & allowed
        size *= counts[i]


@inner
def lexicographic_heads(counts: Any) -> Any:
    """Each position's lexicographic index (the last issue changing fastest) among the outcomes
    of issues with `counts` options, listed with the first issue changing fastest."""
    size = 1
    for count in counts:
        size *= count
    index = np.zeros(size, dtype=np.int64)
    block, stride = 1, size
    for count in counts:  # issue i's option at position a is a // block % count
        stride //= count
        for a in range(size):
            index[a] += a // block % count * stride
        block *= count
    return index


@inner
def lexicographic_order(
    flags: Any, near: Any, n_near: int, head_lex: Any, head_order: Any, n_last: int
) -> None:
    """`near[:n_near]`, the positions of the set flags in increasing order, put in increasing
    lexicographic order: a few are sorted by their indices, many gathered again in that order."""
    n_head = len(head_lex)
    if n_near <= 64:
        keys = np.empty(n_near, dtype=np.int64)
        for n in range(n_near):
            keys[n] = head_lex[near[n] % n_head] * n_last + near[n] // n_head
        order = np.argsort(keys)
        sorted_near = near[:n_near][order]
        near[:n_near] = sorted_near
        return
    found = 0
    for j in range(n_head):
        for k in range(n_last):
            at = head_order[j] + k * n_head
            if flags[at]:
                near[found] = at
                found += 1


@inner
def gather(flags: Any, count: int, out: Any) -> int:
    """The positions of the set flags among the first `count`, in increasing order, into `out`;
    returns how many. Reads eight flags at a time: few are set."""
    words = flags.view(np.uint64)
    found = 0
    for w in range(len(words)):
        if words[w] == 0:
            continue
        for n in range(8 * w, min(8 * w + 8, count)):
            if flags[n]:
                out[found] = n
                found += 1
    return found


@inner
def first_lexicographic(flags: Any, count: int, head_lex: Any, n_last: int) -> int:
    """The position of the lexicographically first set flag (0 when none is)."""
    words = flags.view(np.uint64)
    n_head = len(head_lex)
    first, best = 0, -1
    for w in range(len(words)):
        if words[w] == 0:
            continue
        for n in range(8 * w, min(8 * w + 8, count)):
            if flags[n]:
                index = head_lex[n % n_head] * n_last + n // n_head
                if best < 0 or index < best:
                    first, best = n, index
    return first


@inner
def largest(values: Any, lanes: Any) -> float:
    """`values.max()` (length a multiple of `len(lanes)`), lane by lane, then across lanes."""
    width = len(lanes)
    for x in range(width):
        lanes[x] = -np.inf
    for start in range(0, len(values), width):
        chunk = values[start : start + width]
        for x in range(width):
            lanes[x] = chunk[x] if chunk[x] > lanes[x] else lanes[x]
    top = lanes[0]
    for x in range(1, width):
        top = lanes[x] if lanes[x] > top else top
    return top


@inner
def frontier(points: Any, n_near: int, parties: Any) -> Any:
    """The first `n_near` of `points` (M, P), in lexicographic order of their outcomes, that no
    other is at least as good as for every party (of equal ones the first), in that order.

    Taken by decreasing sum (equal sums in order), so that a point at least as good as another
    comes first or has the same sum, and most are covered by one of the first few kept: a point
    is kept unless a kept one is at least as good, and drops the kept ones of its sum it
    dominates.
    """
    n_parties = len(parties)
    totals = np.empty(n_near)
    for n in range(n_near):
        total = 0.0
        for p in range(n_parties):
            total -= points[n, p]
        totals[n] = total
    front = np.empty(n_near, dtype=np.int64)
    size, last = 0, 0  # kept points; the one that last covered a point, tried first
    for x in np.argsort(totals, kind="mergesort"):  # stable: equal points keep their order
        covered = False
        for g in range(size):
            f = (last + g) % size
            covers = True
            for p in range(n_parties):
                covers &= points[front[f], p] >= points[x, p]
            if covers:
                covered, last = True, f
                break
        if covered:
            continue
        # x dominates only kept points of its own sum (one it dominates has no larger sum):
        # the last kept ones.
        kept = size
        while kept > 0 and totals[front[kept - 1]] == totals[x]:
            kept -= 1
        tied = kept
        for f in range(tied, size):
            below = True
            for p in range(n_parties):
                below &= points[x, p] >= points[front[f], p]
            if not below:
                front[kept] = front[f]
                kept += 1
        front[kept] = x
        size = kept + 1
    front[:size].sort()
    return front[:size]


@inner
def settle(points: Any, front: Any, tolerance: float, same: float, parties: Any) -> int:
    """`negsim.analysis.frontier.settle` on the exact frontier `front` (indices into `points`,
    (M, P)), in place: drops the points another one dominates within the tolerance (it is
    within the tolerance below on an axis where it is lower, and has the larger sum), then those
    with an earlier one within `same` for every party. Returns how many are left at the start."""
    n_parties, size = len(parties), len(front)
    if size < 2:
        return size
    total = np.empty(size)
    for f in range(size):
        total[f] = pairwise_sum(points[front[f]], n_parties)
    dominated = np.zeros(size, dtype=np.bool_)
    for f in range(size):
        upper = front[f]
        for g in range(size):
            lower = front[g]
            if g == f or not total[g] > total[f]:
                continue
            close, covers, above = False, True, False
            for p in range(n_parties):
                v, w = points[lower, p], points[upper, p]
                close |= (w - tolerance <= v) & (v < w)
                covers &= v >= w - tolerance
                above |= v > w + tolerance
            if close and covers and above:
                dominated[f] = True
                break
    kept = _compact(front, dominated, size)
    repeated = np.zeros(kept, dtype=np.bool_)
    for f in range(kept):
        later = front[f]
        for g in range(f):  # every earlier one, repeated or not
            other = front[g]
            v, w = points[other, 0], points[later, 0]
            if not (w - same <= v <= w + same):
                continue
            equal = True
            for p in range(n_parties):
                equal &= abs(points[later, p] - points[other, p]) <= same
            if equal:
                repeated[f] = True
                break
    return _compact(front, repeated, kept)


@inner
def _compact(front: Any, dropped: Any, size: int) -> int:
    """Move the first `size` entries of `front` not `dropped` to its start; how many there are."""
    kept = 0
    for f in range(size):
        if not dropped[f]:
            front[kept] = front[f]
            kept += 1
    return kept


@inner
def nearest(points: Any, front: Any, point: Any, tolerance: float, squares: Any) -> float:
    """Distance from the deal to the nearest of `front` (indices into `points`, (M, P)) at least
    as good for every party (up to the tolerance), else to the nearest of them; 0 without any."""
    n_parties = points.shape[1]
    best, spare = np.inf, np.inf
    for f in range(len(front)):
        u = points[front[f]]
        length = distance(u, point, squares)
        spare = min(spare, length)
        beats = True
        for p in range(n_parties):
            beats &= u[p] >= point[p] - tolerance
        if beats:
            best = min(best, length)
    if math.isfinite(best):
        return best
    return spare if math.isfinite(spare) else 0.0
