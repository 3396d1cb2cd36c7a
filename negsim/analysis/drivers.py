"""What moved the odds: rank the numbers drawn per replication by how much they explain agreement.

Given-data RBD-FAST (random balance designs, Fourier amplitude sensitivity test; Plischke's
EASI ordering, Tissot and Prieur's bias correction), as `SALib.analyze.rbd_fast` computes it, on
the replications a run already has: for each drawn number, sort the replications by it, read
agreement (1 or 0) in that order and take the share of its variance in the first `harmonics`
Fourier harmonics. That share estimates the first-order index S1 = Var(E[Y | x]) / Var(Y): how
much of the uncertainty about agreement that one number explains on its own.

Why this estimator, and what a binary outcome and hundreds of numbers do to it:

- S1 depends on a number only through its ranks, so one sort and one FFT per number give every
  index at once. SALib's own loop (a periodogram per number and per bootstrap resample) took
  9.7 s on the flagship's 240 numbers at 1,000 replications; this vectorised form takes about
  0.05 s, with SALib's point estimates to 1e-16 where no two replications tie (tests compare
  them; on ties, such as values clipped at 1, the order among equals is the replications').
- A binary Y is no problem for the estimator (Var(Y) = p(1 - p)), but a step in agreement, the
  usual shape, spreads over many harmonics: with 10 harmonics a pure step reads as S1 of about
  0.94 instead of 1, with 4 about 0.88, while noise grows with the square root of the harmonics.
  With few agreements (or few failures) Var(Y) is tiny and the ranking is noise: below
  `MIN_EACH` of either, or below `MIN_ROWS` replications, no ranking is given.
- With N replications a number that cannot matter still scores about 0 +- 2 sqrt(M) / N (0.0064
  at N = 1,000, M = 10), and among 240 numbers a dozen reach twice that by chance. So `INERTS`
  inert numbers (uniform, from a seeded stream of their own, read by nothing) are scored like
  the drawn ones, and the *noise floor* is the top of their middle 95%: 0.016 on the flagship at
  1,000 replications. A number *stands above noise* when the bottom of its own interval clears
  the floor, which a number of no effect does about once in 10^5 in theory (simulated: 0 of
  4,000 numbers of no effect, 20 data sets of 200 at N = 1,000), so a false alarm among 240
  numbers is rare; the price is that only numbers explaining about 4% of the variance or more
  stand out at 1,000 replications (about 1.5% at 5,000).
- Intervals: bootstrap of the replications (with replacement, full size), S1 +- z * sd of the
  resampled indices. On a test problem (N = 1,000, 300 fresh data sets) the bootstrap sd was
  0.026 against a true sd of 0.027 for a strong input, 0.0119 against 0.0117 for a weak one and
  0.0078 against 0.0064 for an inert one (slightly wide: conservative). Percentile intervals are
  not used: a resample's repeated rows sit side by side in the sorted order, which lifts an inert
  number's resampled index by about 0.005. SALib's half-size resamples give intervals about
  three times too wide here (0.028 against the 0.0064 an inert number actually varies by).
  Intervals are worked out only for the numbers shown and those whose index clears the floor.

Deterministic: the inert numbers and the resamples come from `seed` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from negsim.analysis.drawn import DrawnNumber
from negsim.scenario.types import Scenario

METHOD = "RBD-FAST (given data)"
HARMONICS = 10
RESAMPLES = 100
INERTS = 200
SHOWN = 12
LABEL_WIDTH = 40  # characters of an option's label kept in a number's label
MIN_ROWS = 200
MIN_EACH = 20
_INERT_KEY = 0x1DE27  # the inert numbers' stream: (seed, this key), apart from the model's


@dataclass(frozen=True)
class Ranking:
    """First-order indices of drawn numbers for agreement, best first.

    Attributes:
        names: the numbers, in rank order.
        index: their first-order indices (can dip below 0: bias-corrected estimates).
        low, high: their intervals.
        inert: the inert numbers' mean index and the range holding the middle `conf_level` of
            their indices.
        floor: the noise floor, the top of that range.
        rows, agreements: replications analysed and how many agreed.
    """

    names: list[str]
    index: np.ndarray
    low: np.ndarray
    high: np.ndarray
    inert: tuple[float, float, float]
    floor: float
    rows: int
    agreements: int

    @property
    def above_noise(self) -> np.ndarray:
        """Whether each number's interval lies above the noise floor (False without one)."""
        with np.errstate(invalid="ignore"):
            return self.low > self.floor


def first_order(sorted_outcomes: np.ndarray, harmonics: int = HARMONICS) -> np.ndarray:
    """Bias-corrected first-order indices from outcomes sorted by each input.

    Args:
        sorted_outcomes: shape (D, N): row d holds the outcomes in the order of input d.
        harmonics: Fourier harmonics counted as the input's (SALib's `M`).

    >>> step = np.r_[np.zeros(500), np.ones(500)]  # agreement exactly when the input is high
    >>> round(float(first_order(step[None, :])[0]), 2)
    0.96
    """
    n = sorted_outcomes.shape[-1]
    easi = np.r_[np.arange(0, n, 2), np.arange(1, n, 2)[::-1]]  # up the odd ranks, down the even
    ranked = sorted_outcomes[..., easi]
    spectrum = np.fft.rfft(ranked - ranked.mean(axis=-1, keepdims=True))
    power = spectrum.real**2 + spectrum.imag**2
    power[..., 1:] *= 2  # scipy's one-sided periodogram, as SALib reads it
    if n % 2 == 0:
        power[..., -1] /= 2
    with np.errstate(invalid="ignore", divide="ignore"):
        share = power[..., 1 : harmonics + 1].sum(axis=-1) / power[..., 1:].sum(axis=-1)
    bias = 2 * harmonics / n
    return share - bias / (1 - bias) * (1 - share)


def why_no_ranking(rows: int, agreements: int, numbers: int) -> str | None:
    """One line saying why the drawn numbers cannot be ranked, or None when they can."""
    if numbers == 0:
        return "nothing varies across the replications: no drawn number to rank"
    if rows < MIN_ROWS:
        return f"too few replications to rank the drawn numbers ({rows}; {MIN_ROWS} needed)"
    if agreements == 0:
        return "no replication agreed: nothing to explain"
    if agreements == rows:
        return "every replication agreed: nothing to explain"
    if min(agreements, rows - agreements) < MIN_EACH:
        rarer = "agreements" if agreements < rows - agreements else "failures"
        return (
            f"too few {rarer} to rank the drawn numbers "
            f"({min(agreements, rows - agreements)}; {MIN_EACH} needed)"
        )
    return None


def rank_drivers(
    drawn: np.ndarray,
    agreed: np.ndarray,
    names: Sequence[str],
    seed: int = 0,
    *,
    shown: int = SHOWN,
    harmonics: int = HARMONICS,
    resamples: int = RESAMPLES,
    inerts: int = INERTS,
    conf_level: float = 0.95,
) -> Ranking:
    """Rank drawn numbers by their first-order index for agreement, against inert numbers.

    Intervals are worked out for the `shown` best numbers and every number whose index clears
    the noise floor (the only ones that can stand above it); the others' are NaN.

    Args:
        drawn: shape (N, D): each replication's drawn numbers.
        agreed: shape (N,): whether each replication agreed.
        names: the D numbers' names.
        seed: fixes the inert numbers and the bootstrap resamples.
        shown: how many of the best numbers get an interval whatever their index.
        harmonics: Fourier harmonics counted as a number's (SALib's `M`).
        resamples: bootstrap resamples for the intervals.
        inerts: how many inert numbers set the noise floor.
        conf_level: the intervals' level; the floor is the inert indices' matching quantile.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.random((1000, 2))
    >>> ranking = rank_drivers(x, x[:, 1] > 0.3, ["noise", "decides"], seed=1)
    >>> ranking.names, ranking.above_noise.tolist()
    (['decides', 'noise'], [True, False])
    """
    y = np.asarray(agreed, dtype=float)
    rows = y.size
    orders = np.argsort(np.asarray(drawn, dtype=float), axis=0, kind="stable").T  # (D, N)
    ranked = y[orders]
    index = first_order(ranked, harmonics)
    rng = np.random.default_rng([seed, _INERT_KEY])
    inert = first_order(y[np.argsort(rng.random((inerts, rows)), axis=1)], harmonics)
    tail = (1 - conf_level) / 2
    floor = float(np.quantile(inert, 1 - tail))
    best = np.argsort(-index, kind="stable")
    boot = np.union1d(best[:shown], np.flatnonzero(index > floor))
    resampled = np.empty((resamples, boot.size))
    order, kept = orders[boot], ranked[boot].ravel()
    for b in range(resamples):  # a resample keeps each number's order: repeat rows, no sort
        counts = np.bincount(rng.integers(0, rows, rows), minlength=rows)
        taken = np.repeat(kept, counts[order].ravel())
        resampled[b] = first_order(taken.reshape(boot.size, rows), harmonics)
    half = np.full(index.size, np.nan)
    half[boot] = NormalDist().inv_cdf(1 - tail) * resampled.std(axis=0, ddof=1)
    return Ranking(
        names=[names[k] for k in best.tolist()],
        index=index[best],
        low=(index - half)[best],
        high=(index + half)[best],
        inert=(float(inert.mean()), float(np.quantile(inert, tail)), floor),
        floor=floor,
        rows=rows,
        agreements=int(np.count_nonzero(y)),
    )


def odds_summary(
    drawn: np.ndarray,
    agreed: np.ndarray,
    numbers: Sequence[DrawnNumber],
    scenario: Scenario,
    seed: int = 0,
    top: int = 12,
) -> dict[str, Any]:
    """The summary's `what_moved_the_odds`: the `top` numbers by index with intervals, the noise
    floor and the method; or, where no ranking can be given, `note` saying why.

    Each listed number has its results column (`number`), its `label` in words, `index`,
    `low`, `high` and whether it stands `above_noise`.
    """
    rows, agreements = int(np.size(agreed)), int(np.count_nonzero(agreed))
    out: dict[str, Any] = {
        "method": METHOD,
        "replications": rows,
        "agreements": agreements,
        "numbers": len(numbers),
    }
    note = why_no_ranking(rows, agreements, len(numbers))
    if note is not None:
        return {**out, "note": note}
    ranking = rank_drivers(drawn, agreed, [n.column for n in numbers], seed, shown=top)
    by_column = {n.column: n for n in numbers}
    inert, low, high = ranking.inert
    listed = [
        {
            "number": name,
            "label": by_column[name].label(scenario, LABEL_WIDTH),
            "index": float(ranking.index[k]),
            "low": float(ranking.low[k]),
            "high": float(ranking.high[k]),
            "above_noise": bool(ranking.above_noise[k]),
        }
        for k, name in enumerate(ranking.names[:top])
    ]
    return {
        **out,
        "noise_floor": ranking.floor,
        "inert": {"index": inert, "low": low, "high": high},
        "above_noise": int(ranking.above_noise.sum()),
        "top": listed,
    }
