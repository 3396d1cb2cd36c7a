"""Each deal's distances to the Pareto frontier and the Nash point, estimated, one loop per deal.

The compiled form of the estimate of `negsim.analysis.replication_quality.deal_distances` (the
supported outcomes of a grid of weight vectors, the deal's single-issue neighbours, and the best
change of one or two issues), equal to it bit for bit: every sum is taken in numpy's order, and
each option's weighted sums, which numpy leaves to BLAS, are accumulated as OpenBLAS's matrix
product accumulates them on x86-64 (`fma`, one party after another).

A deal's work stays in a few small buffers, none over all the deals. The inner loops run along
the longest axis at hand (weight vectors, references, later issues' options), padded to whole
vector iterations where they are short, so that they compile to vector instructions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from negsim.kernels import inner, kernel
from negsim.kernels.sums import pairwise

# Lanes a vectorised loop takes per iteration at most (four registers of eight float64 with
# AVX-512): loops of a multiple of these run whole iterations, none left to a scalar remainder.
DOUBLES = 32
SINGLES = 64  # float32


def _fma(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """Typing and code of `fma`."""
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        double = ir.DoubleType()
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(double, [double, double, double]), "llvm.fma.f64"
        )
        return builder.call(function, args)

    return signature, codegen


fma: Any = intrinsic(_fma)
"""`fma(a, b, c)`: `a * b + c` rounded once (LLVM's `fma`), for float64 arguments.

OpenBLAS's dgemm kernels accumulate each entry of a product so, over the inner dimension in turn
from 0: a plain loop differs from numpy's `@` in the last bit of one sum in ten."""


@inner
def pairwise_sum(values: Any, count: int) -> float:
    """`values[:count].sum()` in float64 as numpy takes it (`negsim.kernels.sums.pairwise`)."""
    return 0.0 + pairwise(values, 0, count, 0.0)  # numpy adds the sum to 0: -0.0 becomes 0.0


@inner
def distance(u: Any, point: Any, squares: Any) -> float:
    """Euclidean distance from `point` to `u` (P,), its squares summed as numpy sums a row."""
    for p in range(len(point)):
        squares[p] = (u[p] - point[p]) ** 2
    return math.sqrt(pairwise_sum(squares, len(point)))


@inner
def deal_point(table: Any, deal: Any, out: Any) -> None:
    """Every party's utility of `deal` under `table` (P, I, K), summed in issue order from 0."""
    n_parties, n_issues, _ = table.shape
    for p in range(n_parties):
        total = 0.0
        for i in range(n_issues):
            total += table[p, i, deal[i]]
        out[p] = total


@kernel
def estimate_distances(
    tables: Any,
    allowed: Any,
    deals: Any,
    reservations: Any,
    weights_t: Any,
    moves: int,
    tolerance: float,
    parties: Any,
) -> Any:
    """Each deal's lower bound on its distance to the Pareto frontier and its estimated
    distance to the Nash point, as `deal_distances` has them above its exact limit.

    Args:
        tables: (R, P, I, K) float64; allowed: (1, I, K) shared or (R, I, K) per row;
        deals: (R, I) int64; reservations: (R, P); weights_t: the weight grid transposed,
        (P, L); moves: `improvement_bound`'s; tolerance: `negsim.utility.TOLERANCE`;
        parties: a tuple of P items, whose length compiles in: loops over the parties unroll.
    """
    n_parties = len(parties)
    n_rows, _, n_issues, n_options = tables.shape
    n_weights = weights_t.shape[1]
    wide = -(-n_weights // DOUBLES) * DOUBLES
    weights = np.zeros((n_parties, wide))  # padded: the extra lanes score 0 and are not read
    weights[:, :n_weights] = weights_t
    n_refs = n_weights + n_issues * n_options + 1  # supported outcomes, neighbours, the deal
    refs = np.empty((n_parties, n_refs))
    score = np.empty(n_refs)
    best = np.empty(wide)
    choice = np.empty((n_issues, wide), dtype=np.int64)
    point = np.empty(n_parties)
    squares = np.empty(n_parties)
    values = np.empty(n_parties)
    slack = np.empty(n_parties)
    current = np.empty(n_issues, dtype=np.int64)
    step = np.empty(n_issues, dtype=np.int64)
    width = n_issues * n_options
    change = np.full((n_parties, width + SINGLES), -np.inf, dtype=np.float32)
    bound = np.empty((n_parties, n_issues), dtype=np.float32)
    ahead = np.empty((n_parties, n_issues), dtype=np.float32)
    alive = np.empty(n_options, dtype=np.int64)
    block = np.empty((n_options, width + SINGLES), dtype=np.float32)
    to_pareto = np.empty(n_rows)
    to_nash = np.empty(n_rows)
    for r in range(n_rows):
        table, deal, floor = tables[r], deals[r], reservations[r]
        open_ = allowed[r if allowed.shape[0] > 1 else 0]
        deal_point(table, deal, point)
        supported_points(table, open_, weights, best, choice, values, refs, n_weights, parties)
        for p in range(n_parties):  # the neighbours (-inf where closed), then the deal
            for i in range(n_issues):
                held = table[p, i, deal[i]]
                for k in range(n_options):
                    moved = point[p] + (table[p, i, k] - held) if open_[i, k] else -np.inf
                    refs[p, n_weights + i * n_options + k] = moved
            refs[p, n_refs - 1] = point[p]
        top_gain, top = judge(refs, point, floor, tolerance, score, parties)
        buffers = (current, step, slack, values, change, bound, ahead, alive, block)
        reached = improvement(table, open_, deal, point, moves, buffers, parties)
        gain = top_gain if top_gain >= reached else reached
        to_pareto[r] = gain if gain > tolerance else 0.0
        to_nash[r] = distance(refs[:, top], point, squares) if score[top] > 0 else np.nan
    return to_pareto, to_nash


@inner
def supported_points(
    table: Any,
    open_: Any,
    weights: Any,
    best: Any,
    choice: Any,
    values: Any,
    out: Any,
    n_weights: int,
    parties: Any,
) -> None:
    """`supported_utilities` of one row into `out[:, :L]` (P, L): per issue and weight vector,
    the first open option of largest weighted sum (option 0 when none is open), then each
    party's sum over the issues in turn from the first."""
    n_parties, wide = len(parties), weights.shape[1]
    _, n_issues, n_options = table.shape
    for i in range(n_issues):
        for k in range(n_options):
            if not open_[i, k]:
                if k == 0:
                    for w in range(wide):
                        best[w] = -np.inf
                        choice[i, w] = 0
                continue  # -inf: never above the best
            for p in range(n_parties):
                values[p] = table[p, i, k]
            for w in range(wide):
                total = 0.0
                for p in range(n_parties):
                    total = fma(values[p], weights[p, w], total)
                better = k == 0 or total > best[w]
                best[w] = total if better else best[w]
                choice[i, w] = k if better else choice[i, w]
    for p in range(n_parties):  # along the weight vectors, each sum in issue order
        plane, sums = table[p], out[p]
        for w in range(n_weights):
            sums[w] = plane[0, choice[0, w]]
        for i in range(1, n_issues):
            chosen = choice[i]
            for w in range(n_weights):
                sums[w] += plane[i, chosen[w]]


@inner
def judge(
    refs: Any, point: Any, floor: Any, tolerance: float, score: Any, parties: Any
) -> tuple[float, int]:
    """The largest smallest gain over the deal that a reference (column of `refs`, (P, C))
    gives, and the first reference of largest Nash product (-1 where one party falls below its
    reservation: a closed neighbour, -inf for all, is neither); `score` holds the products."""
    n_parties, n_refs = len(parties), refs.shape[1]
    top_gain = -np.inf
    for c in range(n_refs):
        smallest = refs[0, c] - point[0]
        rational = refs[0, c] >= floor[0] - tolerance
        excess = refs[0, c] - floor[0]
        product = excess if not excess < 0.0 else 0.0
        for p in range(1, n_parties):
            gain = refs[p, c] - point[p]
            smallest = gain if gain < smallest else smallest
            rational &= refs[p, c] >= floor[p] - tolerance
            excess = refs[p, c] - floor[p]
            product *= excess if not excess < 0.0 else 0.0
        score[c] = product if rational else -1.0
        top_gain = smallest if smallest > top_gain else top_gain
    top = 0
    for c in range(1, n_refs):
        top = c if score[c] > score[top] else top
    return top_gain, top


@inner
def improvement(
    table: Any,
    open_: Any,
    deal: Any,
    point: Any,
    moves: int,
    buffers: Any,
    parties: Any,
) -> float:
    """`improvement_bound` of one row: up to `moves` times the change of one issue, or of two
    issues (scored in float32) when that scores higher, kept while it raises the smallest gain."""
    current, step, slack, now, change, bound, ahead, alive, block = buffers
    n_parties = len(parties)
    _, n_issues, n_options = table.shape
    current[:] = deal
    reached = 0.0
    for _ in range(moves):
        for p in range(n_parties):
            total = 0.0
            for i in range(n_issues):
                total += table[p, i, current[i]]
            slack[p] = total - point[p]
        top, top_score = 0, -np.inf
        for i in range(n_issues):
            for p in range(n_parties):
                now[p] = table[p, i, current[i]]
                bound[p, i] = -np.inf
            for k in range(n_options):
                single = -np.inf
                for p in range(n_parties):
                    moved = table[p, i, k] - now[p] if open_[i, k] else -np.inf
                    scored = np.float32(moved + slack[p] / 2)
                    change[p, i * n_options + k] = scored
                    bound[p, i] = scored if scored > bound[p, i] else bound[p, i]
                    moved += slack[p]
                    single = moved if p == 0 or moved < single else single
                if (i == 0 and k == 0) or single > top_score:
                    top, top_score = i * n_options + k, single
        step[:] = current
        step[top // n_options] = top % n_options
        found, first, second, a, b = best_pair(
            change, bound, ahead, alive, block, top_score, parties
        )
        if found:
            step[:] = current
            step[first] = a
            step[second] = b
        gain = 0.0
        for p in range(n_parties):
            total = 0.0
            for i in range(n_issues):
                total += table[p, i, step[i]]
            gain = total - point[p] if p == 0 or total - point[p] < gain else gain
        if not (np.isfinite(gain) and gain > reached):
            break
        current[:] = step
        reached = gain
    return reached


@inner
def best_pair(
    change: Any,
    bound: Any,
    ahead: Any,
    alive: Any,
    block: Any,
    floor: float,
    parties: Any,
) -> tuple[bool, int, int, int, int]:
    """The first change of two issues, in (first issue, second issue, its option, the other's)
    order, of largest smallest gain (float32, `change` (P, I*K + pad)), if that exceeds `floor`:
    (found, first, second, a, b).

    A float32 sum grows with its terms, so an option's best sum with any later issue's options
    (`bound`: each party's best per issue, `ahead`: over the later issues) bounds its pairs:
    options bounded by the best found (or by `floor`) are skipped. For the rest, issue i against
    all later issues is one padded loop per party; it is scanned in order only on a new best.
    """
    n_parties, n_issues = len(parties), bound.shape[1]
    if n_issues < 2:
        return False, 0, 1, 0, 0
    n_options = (change.shape[1] - SINGLES) // n_issues
    for p in range(n_parties):
        ahead[p, n_issues - 1] = -np.inf
        for i in range(n_issues - 2, -1, -1):
            later = bound[p, i + 1]
            ahead[p, i] = later if later > ahead[p, i + 1] else ahead[p, i + 1]
    # float32 x > limit exactly when float64(x) > floor
    limit = np.float32(floor)
    if limit > floor:
        limit = np.nextafter(limit, np.float32(-np.inf))
    found, first, second, a, b = False, 0, 1, 0, 0
    for i in range(n_issues - 1):
        base, start = i * n_options, (i + 1) * n_options
        span = -(-(n_issues * n_options - start) // SINGLES) * SINGLES
        count = 0
        for o in range(n_options):
            top = change[0, base + o] + ahead[0, i]
            for p in range(1, n_parties):
                term = change[p, base + o] + ahead[p, i]
                top = term if term < top else top
            if top > limit:
                alive[count] = o
                count += 1
        hits = 0
        for q in range(count):  # the parties' running minimum, and how many beat the limit
            row, option = block[q], base + alive[q]
            left, later = change[0, option], change[0, start:]  # slices: plain indices vectorise
            right, after = change[1, option], change[1, start:]
            for x in range(span):
                first_sum, second_sum = left + later[x], right + after[x]
                least = second_sum if second_sum < first_sum else first_sum
                row[x] = least
                if n_parties == 2:
                    hits += least > limit
            for p in range(2, n_parties):
                left, later = change[p, option], change[p, start:]
                for x in range(span):
                    term = left + later[x]
                    least = term if term < row[x] else row[x]
                    row[x] = least
                    if p == n_parties - 1:
                        hits += least > limit
        if hits == 0:
            continue
        for j in range(n_issues - 1 - i):
            for q in range(count):
                for k in range(n_options):
                    value = block[q, j * n_options + k]
                    if value > limit:
                        limit = value
                        found, first, second, a, b = True, i, i + 1 + j, alive[q], k
    return found, first, second, a, b
