"""Where a probability crosses a level: a local logistic fit to binomial counts, and its interval.

Each design point x ran n replications of which k ended in the event (an agreement). The counts
are independent binomials, k ~ Bin(n, p(x)), and near the crossing logit p(x) = a + b·x, fitted
by maximum likelihood. The threshold is x* = (logit(level) - a)/b.

The 95% interval is the profile-likelihood interval for x*: the values θ for which the best fit
that crosses the level at θ (logit p = logit(level) + b·(x - θ), b free) is within χ²₁(0.95)/2
of the best fit overall. It is invariant to how x is scaled, asymmetric where the curve is, and
it widens to the searched range when the slope is not clear; the delta method's symmetric
interval is too narrow with few points, and Fieller's interval is the same set under a normal
approximation of (a, b) that fails where p is near 0 or 1. A bootstrap costs thousands of fits
per stage for the same answer.

The curve is logistic only near the crossing, so the fit is local: once there are enough points,
only those within a few interval half-widths of the estimate enter it (`Search`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from negsim.errors import NegsimError

CHI2_95 = 3.841458820694124
"""χ²₁'s 95% quantile: the profile deviance at the interval's ends."""

MIN_REPLICATIONS = 10
"""Replications a point needs for its count to say anything about the curve."""

NON_MONOTONE_Z = 5.0
"""Two points out of order by more than this many standard errors: the curve is not monotone
(high enough that a monotone curve with a hundred points never trips it by chance)."""


SPREAD = 1.5
"""The next stage spans the interval widened by this factor about the estimate: points just
outside it pin the slope, points inside it the crossing."""


class ThresholdError(NegsimError):
    """The level cannot be located: never crossed, a curve that is not monotone, too few data.

    `missed`: the level is never crossed in the range (a level curve notes it and goes on).
    """

    def __init__(self, message: str, missed: bool = False) -> None:
        super().__init__(message)
        self.missed = missed


@dataclass(frozen=True)
class Fit:
    """A logistic fit near the crossing and the threshold's interval.

    Attributes:
        threshold: x*, where the fitted curve crosses the level.
        low, high: the 95% profile-likelihood interval of x*, within the searched range.
        intercept, slope: the fit logit p = intercept + slope·x (nan when the counts separate).
        window: the range of x whose points entered the fit.
        used: how many points entered the fit.
        separated: every point below the crossing is on one side of the level and every point
            above on the other, with no count in between: the interval is the gap between them.
    """

    threshold: float
    low: float
    high: float
    intercept: float
    slope: float
    window: tuple[float, float]
    used: int
    separated: bool = False

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.high - self.low) / 2


def expit(eta: Any) -> Any:
    """The logistic function 1 / (1 + e^-eta), without overflow."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(eta, dtype=float)))


def logit(p: float) -> float:
    """log(p / (1 - p))."""
    return math.log(p / (1 - p))


def _root(f: Any, a: float, b: float, tol: float = 1e-7) -> float:
    """A root of `f` between a and b, where f changes sign (bisection)."""
    fa = f(a)
    while abs(b - a) > tol:
        mid = (a + b) / 2
        fm = f(mid)
        if (fm > 0) == (fa > 0):
            a, fa = mid, fm
        else:
            b = mid
    return (a + b) / 2


def _loglik(eta: np.ndarray, k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Binomial log-likelihood (without the constant) summed over the last axis."""
    return np.sum(k * eta - n * np.logaddexp(0.0, eta), axis=-1)


def logistic_fit(
    x: np.ndarray, k: np.ndarray, n: np.ndarray
) -> tuple[float, float, np.ndarray] | None:
    """Maximum-likelihood (a, b) of logit p = a + b·x and their covariance; None if the counts
    separate (the slope runs off to infinity).

    >>> a, b, _ = logistic_fit(np.array([0.0, 1.0]), np.array([25, 75]), np.array([100, 100]))
    >>> round(a, 4), round(b, 4)
    (-1.0986, 2.1972)
    """
    x, k, n = (np.asarray(v, dtype=float) for v in (x, k, n))
    centre, spread = float(np.mean(x)), float(np.ptp(x)) or 1.0
    u = (x - centre) / spread
    pooled = min(max(k.sum() / n.sum(), 1e-6), 1 - 1e-6)
    beta = np.array([logit(pooled), 0.0])
    design = np.column_stack([np.ones_like(u), u])
    best = float(_loglik(design @ beta, k, n))
    for _ in range(100):
        p = expit(design @ beta)
        weights = n * p * (1 - p)
        info = design.T @ (design * weights[:, None])
        try:
            step = np.linalg.solve(info, design.T @ (k - n * p))
        except np.linalg.LinAlgError:
            return None
        scale = 1.0
        while scale > 1e-6:
            trial = beta + scale * step
            value = float(_loglik(design @ trial, k, n))
            if value >= best - 1e-12:
                break
            scale /= 2
        beta, gain, best = trial, value - best, value
        if abs(beta[1]) > 60:  # a logit step of 60 across the points: the counts separate
            return None
        if gain < 1e-12 and float(np.max(np.abs(scale * step))) < 1e-9:
            break
    p = expit(design @ beta)
    info = design.T @ (design * (n * p * (1 - p))[:, None])
    try:
        cov_u = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return None
    # back to x: a = a_u - b_u·centre/spread, b = b_u/spread
    jac = np.array([[1.0, -centre / spread], [0.0, 1.0 / spread]])
    a, b = jac @ beta
    return float(a), float(b), jac @ cov_u @ jac.T


def profile_deviance(
    theta: np.ndarray, x: np.ndarray, k: np.ndarray, n: np.ndarray, level: float, sign: float
) -> np.ndarray:
    """-2 times the best log-likelihood of a curve crossing `level` at each θ, with its slope of
    sign `sign` or zero (one Newton solve per θ, vectorised)."""
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    d = np.asarray(x, dtype=float)[None, :] - theta[:, None]
    target = logit(level)
    reach = float(np.ptp(x)) or 1.0
    b = np.zeros(len(theta))
    for _ in range(200):
        p = expit(target + b[:, None] * d)
        grad = np.sum((k - n * p) * d, axis=1)
        curve = np.sum(n * p * (1 - p) * d * d, axis=1) + 1e-12
        step = np.clip(grad / curve, -5 / reach, 5 / reach)
        moved = np.maximum((b + step) * sign, 0.0) * sign
        if float(np.max(np.abs(moved - b))) < 1e-10 * (1 + float(np.max(np.abs(b)))):
            break
        b = moved
    return -2 * _loglik(target + b[:, None] * d, k, n)


def estimate(
    x: np.ndarray,
    k: np.ndarray,
    n: np.ndarray,
    level: float,
    bounds: tuple[float, float],
    sign: float | None = None,
) -> Fit:
    """Fit every given point; x* and its 95% interval, within `bounds` (the searched range).

    `sign` is the curve's direction (+1 rising, -1 falling; None: the fit's own).
    """
    x, k, n = (np.asarray(v, dtype=float) for v in (x, k, n))
    window = (float(x.min()), float(x.max()))
    fitted = logistic_fit(x, k, n)
    if fitted is None or fitted[1] == 0 or (sign is not None and fitted[1] * sign <= 0):
        return _gap(x, k, n, level, bounds, window, sign)
    a, b, cov = fitted
    sign = float(np.sign(b))
    lo, hi = bounds
    theta = float(np.clip((logit(level) - a) / b, lo, hi))
    grad = np.array([-1 / b, -(logit(level) - a) / b**2])
    se = math.sqrt(max(float(grad @ cov @ grad), 0.0)) or (hi - lo)
    grid = np.unique(
        np.concatenate(
            [
                np.linspace(lo, hi, 201),
                np.clip(theta + se * np.linspace(-8, 8, 161), lo, hi),
                [theta],
            ]
        )
    )
    full = -2 * float(_loglik(a + b * x, k, n))
    excess = profile_deviance(grid, x, k, n, level, sign) - full - CHI2_95
    at = int(np.searchsorted(grid, theta))

    def edge(step: int) -> float:
        j = at
        while 0 <= j + step < len(grid) and excess[j + step] <= 0:
            j += step
        if not 0 <= j + step < len(grid):
            return float(grid[j])
        return float(_root(beyond, grid[j], grid[j + step]))

    def beyond(t: float) -> float:
        return float(profile_deviance(np.array([t]), x, k, n, level, sign)[0]) - full - CHI2_95

    return Fit(theta, min(edge(-1), theta), max(edge(1), theta), a, b, window, len(x))


def _gap(
    x: np.ndarray,
    k: np.ndarray,
    n: np.ndarray,
    level: float,
    bounds: tuple[float, float],
    window: tuple[float, float],
    sign: float | None,
) -> Fit:
    """No finite fit: the crossing lies between the last point on one side of the level and the
    first on the other."""
    share = k / n
    if sign is None:
        sign = 1.0 if share[np.argmax(x)] >= share[np.argmin(x)] else -1.0
    before = x[sign * (share - level) < 0]
    after = x[sign * (share - level) >= 0]
    low = float(before.max()) if len(before) else bounds[0]
    high = float(after.min()) if len(after) else bounds[1]
    if high < low:  # out of order: no gap, the whole range the points span
        low, high = float(x.min()), float(x.max())
    return Fit((low + high) / 2, low, high, math.nan, math.nan, window, len(x), separated=True)


def direction(x: np.ndarray, k: np.ndarray, n: np.ndarray) -> float:
    """+1 if the curve rises over the points, -1 if it falls (from a fit of them all)."""
    fitted = logistic_fit(x, k, n)
    if fitted is not None and fitted[1] != 0:
        return float(np.sign(fitted[1]))
    share = np.asarray(k, dtype=float) / np.asarray(n, dtype=float)
    return 1.0 if share[np.argmax(x)] >= share[np.argmin(x)] else -1.0


def out_of_order(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, sign: float, z: float = NON_MONOTONE_Z
) -> tuple[int, int] | None:
    """Two points (indices, lower x first) whose shares run against `sign` by more than `z`
    standard errors; None if the points fit a monotone curve."""
    x, k, n = (np.asarray(v, dtype=float) for v in (x, k, n))
    share = k / n
    i, j = np.triu_indices(len(x), 1)
    swap = x[i] > x[j]
    first, second = np.where(swap, j, i), np.where(swap, i, j)
    pooled = (k[first] + k[second]) / (n[first] + n[second])
    se = np.sqrt(pooled * (1 - pooled) * (1 / n[first] + 1 / n[second])) + 1e-12
    against = sign * (share[first] - share[second]) / se
    against[x[first] == x[second]] = 0.0
    worst = int(np.argmax(against)) if len(against) else 0
    if len(against) and against[worst] > z:
        return int(first[worst]), int(second[worst])
    return None


@dataclass
class Search:
    """An adaptive search for one threshold: points over the range, then around the estimate.

    `first()` gives the first stage, spread evenly over [low, high]; after each stage's counts
    are added (`add`), `step()` fits, checks, and gives the next stage's points (evenly across the
    current 95% interval, where the estimate is least sure) or [] when it stops: the interval's
    half-width is within `tolerance`, the next stage would spend more than `budget`
    negotiations or `max_points` points, or (whole numbers) the level falls between two
    neighbouring values. Only points within `window` half-widths of the estimate enter the fit,
    once at least three distinct values lie there.
    """

    low: float
    high: float
    level: float = 0.5
    tolerance: float = 0.01
    points: int = 5
    replications: int = 200
    budget: int = 50_000
    max_points: int = 100
    whole: bool = False
    name: str = "x"
    output: str = "P(agree)"
    window: float = 4.0
    x: list[float] = field(default_factory=list)
    k: list[int] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    fit: Fit | None = None
    stop: str | None = None
    sign: float = 0.0
    may_miss: bool = False
    note: str | None = None

    def first(self) -> list[float]:
        """The first stage: `points` values spread evenly over the range, its ends included."""
        return self._values(self.low, self.high)

    def add(self, x: float, k: int, n: int) -> None:
        """A point's count: k events in n replications at x."""
        if n < MIN_REPLICATIONS:
            raise ThresholdError(
                f"replications: {n} a point are too few to locate a threshold (at least "
                f"{MIN_REPLICATIONS}; a few hundred make the search cheaper)"
            )
        self.x.append(float(x))
        self.k.append(int(k))
        self.n.append(int(n))

    @property
    def spent(self) -> int:
        """Negotiations run so far."""
        return int(sum(self.n))

    def step(self) -> list[float]:
        """Fit the points so far; the next stage's values, or [] when the search stops."""
        if self.stop is not None:
            return []
        x, k, n = np.array(self.x), np.array(self.k, dtype=float), np.array(self.n, dtype=float)
        self.sign = direction(x, k, n)
        try:
            self._check(x, k, n)
        except ThresholdError as exc:
            if not (self.may_miss and exc.missed):
                raise
            self.stop, self.note = "not crossed", str(exc)
            return []
        self.fit, local = self._local_fit(x, k, n)
        if self.fit.half_width <= self.tolerance and local:
            self.stop = "tolerance"
        elif self.whole and self.fit.separated and self.fit.high - self.fit.low <= 1:
            self.stop = "resolution"
        elif (
            self.spent + self.points * self.replications > self.budget
            or len(self.x) + self.points > self.max_points
        ):
            self.stop = "budget"
        if self.stop:
            return []
        low = self.fit.threshold - SPREAD * (self.fit.threshold - self.fit.low)
        high = self.fit.threshold + SPREAD * (self.fit.high - self.fit.threshold)
        return self._values(max(low, self.low), min(high, self.high))

    def _values(self, low: float, high: float) -> list[float]:
        values = np.linspace(low, high, self.points)
        if self.whole:
            values = np.clip(np.round(values), math.ceil(self.low), math.floor(self.high))
        return [float(v) for v in values]

    def _check(self, x: np.ndarray, k: np.ndarray, n: np.ndarray) -> None:
        pair = out_of_order(x, k, n, self.sign)
        if pair is not None:
            i, j = pair
            raise ThresholdError(
                f"{self.output} is not monotone in {self.name}: {_share(k[i], n[i])} at "
                f"{x[i]:.4g} but {_share(k[j], n[j])} at {x[j]:.4g}; a threshold needs a curve "
                "that only rises or only falls (narrow the interval to one side)"
            )
        share = k / n
        if np.all(share > self.level) or np.all(share < self.level):
            ends = [int(np.argmin(x)), int(np.argmax(x))]
            side = "above" if share[0] > self.level else "below"
            at = " and ".join(f"{_share(k[i], n[i])} at {x[i]:.4g}" for i in ends)
            raise ThresholdError(
                f"{self.output} never crosses {self.level:g} for {self.name} in "
                f"[{self.low:.4g}, {self.high:.4g}]: it stays {side} it ({at}); widen the interval",
                missed=True,
            )

    def _local_fit(self, x: np.ndarray, k: np.ndarray, n: np.ndarray) -> tuple[Fit, bool]:
        """The fit of the points near the estimate, and whether they all lie within `window`
        half-widths of it (else three values were taken from farther away)."""
        bounds = (self.low, self.high)
        fit = estimate(x, k, n, self.level, bounds, self.sign)
        distinct = np.unique(x)
        taken = np.ones(len(x), dtype=bool)
        for _ in range(4):  # the window follows the estimate until the points it takes settle
            if len(distinct) <= 3:
                break
            reach = self.window * max(fit.half_width, self.tolerance)
            third = float(np.sort(np.abs(distinct - fit.threshold))[2])  # three values at least
            inside = np.abs(x - fit.threshold) <= max(reach, third) + 1e-12
            if (inside == taken).all():
                break
            taken = inside
            fit = estimate(x[inside], k[inside], n[inside], self.level, bounds, self.sign)
        reach = self.window * max(fit.half_width, self.tolerance)
        return fit, bool(np.all(np.abs(x[taken] - fit.threshold) <= reach + 1e-12))

    def result(self) -> dict[str, Any]:
        """The threshold, its interval, the fit, the points and why the search stopped."""
        fit = self.fit
        return {
            "threshold": None if fit is None else fit.threshold,
            "low": None if fit is None else fit.low,
            "high": None if fit is None else fit.high,
            "half_width": None if fit is None else fit.half_width,
            "stopped": self.stop,
            "note": self.note,
            "negotiations": self.spent,
            "fit": None
            if fit is None
            else {
                "intercept": _finite(fit.intercept),
                "slope": _finite(fit.slope),
                "window": list(fit.window),
                "points_used": fit.used,
                "separated": fit.separated,
            },
        }


def _share(k: float, n: float) -> str:
    return f"{k / n:.3f} ({int(k)} of {int(n)})"


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
