"""The strategy contract: a small named class with metadata and validated parameters.

A strategy decides a party's target utility, round by round. Offer generation (which offer meets
the target) and the acceptance rule are shared by every strategy (`offers.py`, `acceptance.py`), so
a strategy class stays short: its name, its metadata, its parameters and `target`.

A strategy object is shared by the replications of one party; what it remembers per replication
lives in `agent.memory`, arrays whose first axis is the replication, created by `init_memory`.
Its numbers (`settings()`) may differ between replications: the hooks read them per row from
`agent.params`, never from `self.values`.
Hooks, all vectorised over the rows (replications) they are given:

- `begin_round(agent, rows, round_)`: once per round, before anyone moves (draw noise here).
- `observe(agent, rows, proposer, utility)`: an offer by another party became public; `utility`
  is what it is worth to this party (its own utility, never the proposer's).
- `target(agent, rows, round_)`: the utility this party asks for in `round_`.
- `next_target(agent, rows, round_)`: what it would ask for next (the acceptance rule's floor).

A party's target is read several times a round (to propose, to answer, for the record). A
strategy whose `target` depends only on the row, the round and the memory its hooks write says so
(`steady_target`): its party keeps the targets it worked out (`TargetMemo`) until a hook runs for
the row. One whose target is `target_at` the party's clock (`clock_target`) is worked out rounds
ahead when the rows are few.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from negsim.registry import check_parameters
from negsim.strategies.seat import Seat


@dataclass(frozen=True)
class Param:
    """One parameter of a strategy: its default and a check returning a problem or None."""

    default: float
    check: Callable[[float], str | None]
    doc: str


class Strategy:
    """Base of every strategy: parameters are validated once, at construction.

    Subclasses set the class variables and implement `target`.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    stochastic: ClassVar[bool] = False
    time_dependent: ClassVar[bool] = False
    uses_opponent_model: ClassVar[bool] = True  # the shared offer generator uses one
    reads_risks: ClassVar[bool] = False  # reads the risks parties announce (Zeuthen)
    params: ClassVar[Mapping[str, Param]] = {}

    def __init__(self, **values: Any) -> None:
        check_parameters("strategy", self.name, values, self.params)
        self.values: dict[str, float] = {}
        for key, spec in self.params.items():
            raw = values.get(key, spec.default)
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
                raise ValueError(
                    f"parameter {key!r} of {self.name!r} must be a finite number, got {raw!r}"
                )
            problem = spec.check(float(raw))
            if problem:
                raise ValueError(f"parameter {key!r} of {self.name!r} {problem}, got {raw!r}")
            self.values[key] = float(raw)

    def settings(self) -> dict[str, float]:
        """Every number the strategy uses: its parameters (and fixed ones a subclass adds).

        A model holds each as an array over its rows (`agent.params`), so sweep points that
        differ only in these numbers share a model; the hooks read `agent.params[key][rows]`.
        """
        return dict(self.values)

    def init_memory(self, agent: Seat) -> None:
        """Create this strategy's per-replication arrays in `agent.memory` (none by default)."""

    def begin_round(self, agent: Seat, rows: np.ndarray, round_: int) -> None:
        """Called once per round for the replications where the party is at the table."""

    def observe(
        self, agent: Seat, rows: np.ndarray, proposer: np.ndarray, utility: np.ndarray
    ) -> None:
        """Another party's offer, worth `utility` to this party, was put on the table."""

    @classmethod
    def observes(cls) -> bool:
        """Whether this strategy overrides `observe` (the model skips the work otherwise)."""
        return cls.observe is not Strategy.observe

    @classmethod
    def keeps_rounds(cls) -> bool:
        """Whether this strategy overrides `begin_round` (the model skips the call otherwise)."""
        return cls.begin_round is not Strategy.begin_round

    @classmethod
    def steady_target(cls) -> bool:
        """Whether `target` depends only on the row, the round and the memory the hooks write,
        so that a party may keep a target it worked out until a hook runs for the row."""
        return False

    @classmethod
    def clock_target(cls) -> bool:
        """Whether `target` is `target_at` the party's clock (`agent.time`) with no hooks, so
        that targets of rounds to come can be worked out at once."""
        return False

    @classmethod
    def default_next_target(cls) -> bool:
        """Whether `next_target` is the target of the next round (the party may read it kept)."""
        return cls.next_target is Strategy.next_target

    def target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """The utility this party asks for in `round_`, in each of `rows`."""
        raise NotImplementedError

    def target_at(self, agent: Seat, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The target at clock values `t[j]` in `rows[j]`, for `clock_target`."""
        raise NotImplementedError

    def next_target(self, agent: Seat, rows: np.ndarray, round_: int) -> np.ndarray:
        """What the party would ask for after `round_`: the floor of its acceptance rule."""
        return self.target(agent, rows, round_ + 1)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.values.items())
        return f"{type(self).__name__}({args})"


def at_least_zero(x: float) -> str | None:
    """Parameter check: x >= 0."""
    return None if x >= 0 else "must be at least 0"


def unit_interval(x: float) -> str | None:
    """Parameter check: 0 <= x <= 1."""
    return None if 0 <= x <= 1 else "must lie in [0, 1]"


class TargetMemo:
    """The targets a party worked out, per round and row, kept in a ring of `window` rounds.

    The target of round r in row j is known while `stamp[r % window, j] == r`; a hook that may
    change it forgets the row (`forget`).
    """

    NONE = np.iinfo(np.int64).min  # the stamp of a slot holding no round

    def __init__(self, replications: int, window: int) -> None:
        self.window = window
        self.values = np.zeros((window, replications))
        self.stamp = np.full((window, replications), self.NONE, dtype=np.int64)

    def find(self, rows: np.ndarray, round_: int) -> tuple[np.ndarray | None, np.ndarray]:
        """The kept targets of `round_` in `rows` (None unless every one is kept), and whether
        each is kept."""
        slot = round_ % self.window
        stamp = self.stamp[slot]
        if rows.size == 1:  # one row: no array compare
            if stamp[rows[0]] == round_:
                return self.values[slot][rows], _ONE_KEPT
            return None, _ONE_MISSING
        known = stamp[rows] == round_
        return (self.values[slot][rows] if known.all() else None), known

    def read(self, rows: np.ndarray, round_: int) -> np.ndarray:
        """The kept targets of `round_` in `rows` (each must be kept)."""
        return self.values[round_ % self.window][rows]

    def put(self, rows: np.ndarray, first: int, values: np.ndarray) -> None:
        """Keep `values[k, j]`, the target of round `first + k` in `rows[j]` (k < window)."""
        if values.shape[0] == 1:  # one round: one slot's rows
            slot = first % self.window
            self.values[slot][rows] = values[0]
            self.stamp[slot][rows] = first
            return
        rounds = np.arange(first, first + values.shape[0])
        slots = (rounds % self.window)[:, None]
        self.values[slots, rows] = values
        self.stamp[slots, rows] = rounds[:, None]

    def forget(self, rows: np.ndarray) -> None:
        """Forget every kept target in `rows`."""
        self.stamp[:, rows] = self.NONE


_ONE_KEPT = np.ones(1, dtype=bool)
_ONE_KEPT.flags.writeable = False
_ONE_MISSING = np.zeros(1, dtype=bool)
_ONE_MISSING.flags.writeable = False
