"""The outcome space: count it, enumerate it below a size limit, sample it, and value outcomes.

An outcome is one option index per issue, a row of shape (I,). Utilities come from a utility
table `tables[p, i, k] = w_i · v_i(k)` of shape (P, I, K), exactly
`scenario.weights[:, :, None] * scenario.values`, so U_p(o) = Σ_i tables[p, i, o_i]. Options that
exist are marked by an option mask (I, K); forbidden options (P, I, K) are red lines: an outcome
that uses one, for any party given, is not admissible. Admissible outcomes form a product space
(each issue keeps its allowed options), so they are counted exactly and enumerated directly.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from negsim import kernels

DEFAULT_LIMIT = 10**6


def outcome_count(n_options: ArrayLike) -> int:
    """Number of outcomes: the product of the numbers of options, as an exact integer.

    >>> outcome_count([4, 4, 3])
    48
    >>> outcome_count([5] * 30)
    931322574615478515625
    """
    return math.prod(int(n) for n in np.asarray(n_options).reshape(-1))


def enumerate_outcomes(n_options: ArrayLike, limit: int = DEFAULT_LIMIT) -> np.ndarray:
    """Every outcome, in lexicographic order (the last issue changes fastest).

    Args:
        n_options: number of options of each issue, shape (I,).
        limit: the most outcomes to produce.

    Returns:
        Option indices, shape (N, I).

    Raises:
        ValueError: when there are more than `limit` outcomes.

    >>> enumerate_outcomes([2, 3]).tolist()
    [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]
    """
    sizes = [int(n) for n in np.asarray(n_options).reshape(-1)]
    count = outcome_count(sizes)
    if count > limit:
        raise ValueError(f"{count} outcomes exceed the enumeration limit of {limit}")
    if kernels.compiled():
        from negsim.kernels.outcomes import odometer

        counts = np.array(sizes, dtype=np.int64)
        choices = np.tile(np.arange(max(sizes, default=0), dtype=np.int64), (len(sizes), 1))
        return odometer(choices, counts, count)
    out = np.empty((count, len(sizes)), dtype=np.int64)
    index = np.arange(count, dtype=np.int64)
    stride = 1
    for issue in reversed(range(len(sizes))):  # column by column: no (I, N) temporary
        np.floor_divide(index, stride, out=out[:, issue])
        out[:, issue] %= sizes[issue]
        stride *= sizes[issue]
    return out


def allowed_options(option_mask: ArrayLike, forbidden: ArrayLike | None = None) -> np.ndarray:
    """Options an admissible outcome may use: existing and forbidden to no party, shape (I, K).

    >>> mask = np.array([[True, True, False], [True, True, True]])
    >>> red = np.zeros((2, 2, 3), dtype=bool); red[1, 1, 0] = True
    >>> allowed_options(mask, red).astype(int).tolist()
    [[1, 1, 0], [0, 1, 1]]
    """
    allowed = np.asarray(option_mask, dtype=bool).copy()
    if forbidden is not None:
        forbidden = np.asarray(forbidden, dtype=bool)
        allowed &= ~(forbidden.any(axis=0) if forbidden.ndim == 3 else forbidden)
    return allowed


def admissible_outcomes(allowed: ArrayLike, limit: int = DEFAULT_LIMIT) -> np.ndarray:
    """Every outcome using only allowed options, in lexicographic order, shape (N, I).

    Raises:
        ValueError: when there are more than `limit` of them.

    >>> admissible_outcomes([[True, False, True], [True, True, False]]).tolist()
    [[0, 0], [0, 1], [2, 0], [2, 1]]
    """
    allowed = np.asarray(allowed, dtype=bool)
    choices = [np.flatnonzero(row) for row in allowed]
    if kernels.compiled():
        from negsim.kernels.outcomes import odometer

        counts = np.array([len(c) for c in choices], dtype=np.int64)
        count = outcome_count(counts)
        if count > limit:
            raise ValueError(f"{count} outcomes exceed the enumeration limit of {limit}")
        table = np.zeros((len(choices), allowed.shape[1] if allowed.ndim == 2 else 0), np.int64)
        for issue, options in enumerate(choices):
            table[issue, : len(options)] = options
        return odometer(table, counts, count)
    out = enumerate_outcomes([len(c) for c in choices], limit)
    for issue, options in enumerate(choices):
        out[:, issue] = options[out[:, issue]]  # position among the allowed -> option index
    return out


def is_admissible(allowed: ArrayLike, outcomes: ArrayLike) -> np.ndarray:
    """Whether each outcome uses only allowed options, shape (N,).

    >>> is_admissible([[True, False], [True, True]], [[0, 1], [1, 0]]).tolist()
    [True, False]
    """
    allowed = np.asarray(allowed, dtype=bool)
    outcomes = np.asarray(outcomes, dtype=np.int64)
    ok = np.ones(len(outcomes), dtype=bool)
    for issue in range(allowed.shape[0]):
        ok &= allowed[issue, outcomes[:, issue]]
    return ok


def outcome_utilities(tables: ArrayLike, outcomes: ArrayLike) -> np.ndarray:
    """Every party's utility of every outcome, shape (N, P).

    Summed issue by issue in issue order, so the same outcome always gets the same bits.

    Args:
        tables: w_i·v_i(k) per party, shape (P, I, K).
        outcomes: option indices, shape (N, I).

    >>> t = np.array([[[0.5, 0.0], [0.0, 0.5]], [[0.0, 0.5], [0.5, 0.0]]])
    >>> outcome_utilities(t, [[0, 1], [1, 0]]).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    tables = np.asarray(tables, dtype=float)
    outcomes = np.asarray(outcomes, dtype=np.int64)
    if tables.ndim != 3 or outcomes.ndim != 2 or outcomes.shape[1] != tables.shape[1]:
        raise ValueError(
            f"need tables (P, I, K) and outcomes (N, I), got {tables.shape} and {outcomes.shape}"
        )
    in_range = outcomes.size == 0 or (outcomes.min() >= 0 and outcomes.max() < tables.shape[2])
    if kernels.compiled() and in_range:
        from negsim.kernels.outcomes import utilities

        return utilities(np.ascontiguousarray(tables), np.ascontiguousarray(outcomes))
    out = np.zeros((len(outcomes), tables.shape[0]))
    for issue in range(tables.shape[1]):
        out += tables[:, issue, outcomes[:, issue]].T
    return out


def sample_outcomes(allowed: ArrayLike, size: int, rng: np.random.Generator) -> np.ndarray:
    """Outcomes drawn uniformly from those using allowed options, shape (size, I).

    Pass the option mask to sample the whole outcome space.

    >>> out = sample_outcomes([[True, True, False]], 5, np.random.default_rng(0))
    >>> out.shape, bool(out.max() <= 1)
    ((5, 1), True)
    """
    allowed = np.asarray(allowed, dtype=bool)
    out = np.empty((size, allowed.shape[0]), dtype=np.int64)
    for issue, row in enumerate(allowed):
        options = np.flatnonzero(row)
        out[:, issue] = options[rng.integers(len(options), size=size)]
    return out
