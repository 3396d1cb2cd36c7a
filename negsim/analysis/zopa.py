"""Zone of possible agreement: the admissible outcomes every party values at least its reservation.

"At least" as the engine's acceptance rule has it: up to `negsim.utility.TOLERANCE` (1e-9), so an
outcome worth 0.49999999999999994 (0.7 - 0.2 in floating point) against a reservation of 0.5 is in
the ZOPA, as a party with that reservation would accept it. Counted exactly over a listed outcome
space (`zopa`), or estimated by uniform Monte-Carlo sampling of the whole outcome space with a 95%
Wilson interval on its share (`estimate_zopa`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from negsim.analysis.frontier import as_points
from negsim.analysis.intervals import wilson_interval
from negsim.analysis.outcomes import (
    allowed_options,
    is_admissible,
    outcome_count,
    outcome_utilities,
    sample_outcomes,
)
from negsim.utility import TOLERANCE

_CHUNK = 1 << 16


@dataclass(frozen=True)
class Zopa:
    """Size of the zone of possible agreement.

    Attributes:
        exists: whether some admissible outcome is individually rational for every party.
        count: how many outcomes are in it (an estimate, rounded, when not `size_exact`).
        share: its share of the whole outcome space, red-line crossings included.
        size_exact: True when counted over every outcome, False when estimated by sampling.
        interval: 95% Wilson interval on the share (the share twice when exact).
        samples: outcomes sampled for the estimate (0 when exact).
    """

    exists: bool
    count: int
    share: float
    size_exact: bool
    interval: tuple[float, float]
    samples: int = 0


def zopa(
    utilities: ArrayLike,
    reservations: ArrayLike,
    admissible: ArrayLike | None = None,
    total: int | None = None,
) -> Zopa:
    """Exact ZOPA over listed outcomes.

    Args:
        utilities: utilities of the listed outcomes, shape (N, P).
        reservations: shape (P,).
        admissible: which listed outcomes are admissible, shape (N,); all when omitted.
        total: size of the whole outcome space the share is of; N when omitted (pass it when
            only admissible outcomes were listed).

    >>> z = zopa([[0.5, 0.5], [0.9, 0.1], [0.3, 0.6]], [0.3, 0.3])
    >>> z.exists, z.count, round(z.share, 3)
    (True, 2, 0.667)
    >>> zopa([[0.7 - 0.2]], [0.5]).exists  # 0.49999999999999994: a tie, as for acceptance
    True
    """
    points = as_points(utilities)
    inside = (points >= np.asarray(reservations, dtype=float) - TOLERANCE).all(axis=1)
    if admissible is not None:
        inside &= np.asarray(admissible, dtype=bool)
    count = int(inside.sum())
    total = len(points) if total is None else int(total)
    share = count / total if total else 0.0
    return Zopa(count > 0, count, share, True, (share, share))


def estimate_zopa(
    tables: ArrayLike,
    option_mask: ArrayLike,
    reservations: ArrayLike,
    forbidden: ArrayLike | None = None,
    samples: int = 100_000,
    rng: np.random.Generator | int | None = None,
) -> Zopa:
    """ZOPA share estimated from outcomes drawn uniformly from the whole outcome space.

    The share counts sampled outcomes that are admissible and individually rational; its 95%
    Wilson interval is reported, and `count` is the share times the number of outcomes. A very
    small ZOPA can be missed (`exists` False with a share of 0 and an interval [0, ~3.8/samples]).

    Args:
        tables: shape (P, I, K).
        option_mask: options that exist, shape (I, K).
        reservations: shape (P,).
        forbidden: red lines, shape (P, I, K) or (I, K).
        samples: outcomes to draw.
        rng: a Generator, or a seed for one (None: seed 0, so results repeat).

    >>> t = np.array([[[0.0, 0.5, 1.0]], [[1.0, 0.5, 0.0]]])
    >>> z = estimate_zopa(t, np.ones((1, 3), bool), [0.4, 0.4], samples=3000, rng=1)
    >>> z.size_exact, z.interval[0] < 1 / 3 < z.interval[1]
    (False, True)
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng or 0)
    mask = np.asarray(option_mask, dtype=bool)
    allowed = allowed_options(mask, forbidden)
    d = np.asarray(reservations, dtype=float) - TOLERANCE
    hits = 0
    for start in range(0, samples, _CHUNK):
        drawn = sample_outcomes(mask, min(_CHUNK, samples - start), rng)
        inside = (outcome_utilities(tables, drawn) >= d).all(axis=1)
        hits += int((inside & is_admissible(allowed, drawn)).sum())
    share = hits / samples if samples else float("nan")
    total = outcome_count(mask.sum(axis=1))
    return Zopa(
        exists=hits > 0,
        count=(hits * total + samples // 2) // samples if samples else 0,
        share=share,
        size_exact=False,
        interval=wilson_interval(hits, samples),
        samples=samples,
    )
