"""The GENIUS time-dependent concession family: Boulware, linear, Conceder, hard-liner, noisy.

target(t) = r + (best - r) * (1 - t^(1/e)), with r the reservation value and best the party's best
reachable utility (1 for a party whose every issue has an option worth 1). e < 1 concedes late
(Boulware), e = 1 linearly, e > 1 early (Conceder), and e = 0 never (hard-liner). The noisy
variants add Gaussian noise to the target, drawn once per round from each replication's own
random stream.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from negsim.strategies.base import Param, Strategy, at_least_zero
from negsim.strategies.seat import Seat
from negsim.streams import NOISE


def concession_target(
    t: np.ndarray, exponent: float | np.ndarray, reservation: np.ndarray, best: np.ndarray
) -> np.ndarray:
    """The time-dependent target: `reservation + (best - reservation) * (1 - t**(1/exponent))`.

    `exponent` is one number or one per element of `t`; an exponent of 0 never concedes before
    `t = 1`.

    >>> float(concession_target(np.array([0.5]), 0.2, np.array([0.0]), np.array([1.0]))[0])
    0.96875
    """
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    e = np.asarray(exponent, dtype=float)
    with np.errstate(divide="ignore", over="ignore"):
        conceded = np.where(e == 0.0, np.where(t >= 1.0, 1.0, 0.0), t ** (1.0 / e))
    return reservation + (best - reservation) * (1.0 - conceded)


def _boulware_range(x: float) -> str | None:
    return None if 0 < x < 1 else "must lie in (0, 1) for boulware (use conceder above 1)"


def _conceder_range(x: float) -> str | None:
    return None if x > 1 else "must be above 1 for conceder (use boulware below 1)"


class TimeDependent(Strategy):
    """Concede along `t^(1/exponent)`: any exponent at least 0."""

    name: ClassVar[str] = "time_dependent"
    description: ClassVar[str] = "GENIUS time-dependent concession with a free exponent"
    time_dependent: ClassVar[bool] = True
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(1.0, at_least_zero, "concession exponent e (0 never concedes)")
    }

    @property
    def exponent(self) -> float:
        """The concession exponent e."""
        return self.values.get("exponent", 1.0)

    def settings(self) -> dict[str, float]:
        """The exponent (fixed for linear and hard-liner) and the other parameters."""
        return {**self.values, "exponent": self.exponent}

    def curve(self, t: np.ndarray, reservation: np.ndarray, best: np.ndarray) -> np.ndarray:
        """The target at normalised time `t` (see the module docstring)."""
        return concession_target(t, self.exponent, reservation, best)

    @classmethod
    def steady_target(cls) -> bool:
        """The target depends on the row, the round and (noisy) the round's noise only."""
        return cls.target in (TimeDependent.target, NoisyTimeDependent.target)

    @classmethod
    def clock_target(cls) -> bool:
        """Without noise, the target is the curve at the party's clock."""
        return cls.target is TimeDependent.target and not (cls.keeps_rounds() or cls.observes())

    def target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The curve at the party's time for `round_`, with each row's exponent."""
        return self.target_at(agent, rows, agent.time(round_, rows))

    def target_at(self, agent: Seat, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The curve at clock values `t[j]` in `rows[j]`, with each row's exponent."""
        exponent = agent.params["exponent"][rows]
        return concession_target(t, exponent, agent.reservation[rows], agent.best[rows])


class Boulware(TimeDependent):
    """Hold out, then concede near the deadline (e < 1)."""

    name: ClassVar[str] = "boulware"
    description: ClassVar[str] = "concedes little until close to its deadline"
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(0.2, _boulware_range, "concession exponent e in (0, 1)")
    }


class Conceder(TimeDependent):
    """Concede early, then hold (e > 1)."""

    name: ClassVar[str] = "conceder"
    description: ClassVar[str] = "concedes quickly, early in the negotiation"
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(2.0, _conceder_range, "concession exponent e above 1")
    }


class Linear(TimeDependent):
    """Concede at a constant rate (e = 1)."""

    name: ClassVar[str] = "linear"
    description: ClassVar[str] = "concedes at a constant rate"
    params: ClassVar[dict[str, Param]] = {}

    @property
    def exponent(self) -> float:
        """Always 1."""
        return 1.0


class Hardliner(TimeDependent):
    """Never concede (e = 0): always demands its best outcome."""

    name: ClassVar[str] = "hardliner"
    description: ClassVar[str] = "never concedes"
    params: ClassVar[dict[str, Param]] = {}

    @property
    def exponent(self) -> float:
        """Always 0."""
        return 0.0


class NoisyTimeDependent(TimeDependent):
    """The time-dependent curve plus Gaussian noise of standard deviation `noise` each round.

    The noisy target stays within [reservation, best]; the noise of a round is drawn once, so the
    party's offer and its acceptance floor in that round agree.
    """

    name: ClassVar[str] = "noisy_time_dependent"
    description: ClassVar[str] = "time-dependent concession with a noisy target"
    stochastic: ClassVar[bool] = True
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(1.0, at_least_zero, "concession exponent e"),
        "noise": Param(0.05, at_least_zero, "standard deviation of the target's noise"),
    }

    def init_memory(self, agent: Seat) -> None:
        """One noise value per replication, redrawn every round."""
        agent.memory["noise"] = np.zeros(agent.reservation.shape)

    def begin_round(self, agent: Seat, rows: np.ndarray, round_: int) -> None:
        """Take this round's noise from each replication's stream."""
        normal = agent.model.streams.normal_at((NOISE, agent.index), round_)
        agent.memory["noise"][rows] = normal[rows] * agent.params["noise"][rows]

    def target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The curve plus this round's noise, kept within [reservation, best]."""
        plain = super().target(agent, rows, round_)
        noisy = plain + agent.memory["noise"][rows]
        return np.clip(noisy, agent.reservation[rows], np.maximum(agent.best[rows], plain))


class NoisyBoulware(NoisyTimeDependent):
    """Boulware with a noisy target."""

    name: ClassVar[str] = "noisy_boulware"
    description: ClassVar[str] = "Boulware concession with a noisy target"
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(0.2, _boulware_range, "concession exponent e in (0, 1)"),
        "noise": Param(0.05, at_least_zero, "standard deviation of the target's noise"),
    }


class NoisyConceder(NoisyTimeDependent):
    """Conceder with a noisy target."""

    name: ClassVar[str] = "noisy_conceder"
    description: ClassVar[str] = "Conceder concession with a noisy target"
    params: ClassVar[dict[str, Param]] = {
        "exponent": Param(2.0, _conceder_range, "concession exponent e above 1"),
        "noise": Param(0.05, at_least_zero, "standard deviation of the target's noise"),
    }
