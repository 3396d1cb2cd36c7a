"""numpy's pairwise summation, term for term, for kernels that sum over a short (issue) axis.

`np.add.reduce` over a contiguous axis (and `negsim.utility.row_sum`, its faster copy) does not
add the terms in turn: below 8 terms it does, up to 128 it keeps eight running sums combined as
((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) before adding the rest in turn, and above it
sums the two halves apart. A kernel that must agree with numpy bit for bit sums in that order.

Every sum here starts from `zero` (of the sum's type), as numpy's reduction starts from its
identity: terms are converted to that type one by one (numpy's cast to `dtype=`), and a sum of
-0.0 comes out 0.0, as in numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negsim.kernels import inner


@inner
def row_sums(terms: Any, n_rows: int, count: int, zero: Any, out: Any) -> None:
    """`out[r]` = numpy's sum of `terms[r, :count]` in the type of `zero`, for the first
    `n_rows` rows of `terms` (2-d): `np.add.reduce(terms[:n_rows, :count], axis=-1)`.

    The order of `pairwise`, written out: one call sums a whole block of rows, so the cost of
    calling a compiled helper is paid once per block, not once per row.
    """
    for r in range(n_rows):
        if count < 8:
            total = zero
            for j in range(count):
                total += terms[r, j]
        elif count <= 128:
            s0 = zero + terms[r, 0]
            s1 = zero + terms[r, 1]
            s2 = zero + terms[r, 2]
            s3 = zero + terms[r, 3]
            s4 = zero + terms[r, 4]
            s5 = zero + terms[r, 5]
            s6 = zero + terms[r, 6]
            s7 = zero + terms[r, 7]
            done = count - count % 8
            for j in range(8, done, 8):
                s0 += terms[r, j]
                s1 += terms[r, j + 1]
                s2 += terms[r, j + 2]
                s3 += terms[r, j + 3]
                s4 += terms[r, j + 4]
                s5 += terms[r, j + 5]
                s6 += terms[r, j + 6]
                s7 += terms[r, j + 7]
            total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
            for j in range(done, count):
                total += terms[r, j]
        else:
            total = _halves(terms[r], 0, count, zero)
        out[r] = total


@inner
def pairwise(values: Any, start: int, count: int, zero: Any) -> Any:
    """numpy's sum of `values[start : start + count]` (1-d) in the type of `zero`: what
    `np.add.reduce` gives for that span."""
    if count <= 128:
        return _block(values, start, count, zero)
    return _halves(values, start, count, zero)


@inner
def _block(values: Any, start: int, count: int, zero: Any) -> Any:
    """Up to 128 terms: in turn below 8, else in eight running sums and the rest in turn."""
    if count < 8:
        total = zero
        for j in range(start, start + count):
            total += values[j]
        return total
    s0 = zero + values[start]  # in the type of `zero` (added to 0, a -0.0 becomes 0.0)
    s1 = zero + values[start + 1]
    s2 = zero + values[start + 2]
    s3 = zero + values[start + 3]
    s4 = zero + values[start + 4]
    s5 = zero + values[start + 5]
    s6 = zero + values[start + 6]
    s7 = zero + values[start + 7]
    done = start + count - count % 8
    for j in range(start + 8, done, 8):
        s0 += values[j]
        s1 += values[j + 1]
        s2 += values[j + 2]
        s3 += values[j + 3]
        s4 += values[j + 4]
        s5 += values[j + 5]
        s6 += values[j + 6]
        s7 += values[j + 7]
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for j in range(done, start + count):
        total += values[j]
    return total


@inner
def _halves(values: Any, start: int, count: int, zero: Any) -> Any:
    """Over 128 terms: numpy's recursion (the first half a multiple of 8 terms, the sum of the
    two halves' sums) as a loop over a stack, since numba cannot cache recursive functions."""
    starts = np.empty(128, dtype=np.int64)  # the pending spans, and whether they are split
    counts = np.empty(128, dtype=np.int64)
    split = np.zeros(128, dtype=np.bool_)
    sums = np.full(128, zero)  # the sums of finished spans, left before right
    starts[0], counts[0] = start, count
    pending, done = 1, 0
    while pending:
        pending -= 1
        first, size = starts[pending], counts[pending]
        if size <= 128:
            sums[done] = _block(values, first, size, zero)
            done += 1
        elif split[pending]:  # both halves are summed: add them
            split[pending] = False
            done -= 1
            sums[done - 1] = sums[done - 1] + sums[done]
        else:
            half = size // 2
            half -= half % 8
            split[pending] = True  # come back to add the halves, after both are summed
            starts[pending + 1], counts[pending + 1] = first + half, size - half
            starts[pending + 2], counts[pending + 2] = first, half
            split[pending + 1] = split[pending + 2] = False
            pending += 3
    return sums[0]
