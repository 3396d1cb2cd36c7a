"""The per-round history a recording model keeps for figures and teaching.

Rounds are kept as they come: most talks end long before `max_rounds`, and a huge `max_rounds`
must not reserve its whole history up front, so the arrays start at `HISTORY_BLOCK` rounds and
double as needed. The first axis of every array is the round (round r at index r - 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from negsim.status import Outcome

HISTORY_BLOCK = 128
"""Rounds of per-round history a recording model holds at first; it doubles as needed."""


class RoundHistory:
    """Targets, utilities received, offers on the table and their proposers, round by round.

    Attributes:
        targets: each party's target, (rounds, P, R), NaN where it was not at the table.
        received: what the offer on the table was worth to each party, (rounds, P, R).
        offers: the offer on the table, (rounds, R, I) option indices, -1 for none.
        proposers: who made it, (rounds, R), -1 for none or a mediator.
    """

    def __init__(self, n_parties: int, replications: int, n_issues: int, max_rounds: int) -> None:
        self.max_rounds = max_rounds
        rounds = min(max_rounds, HISTORY_BLOCK)
        self.targets = np.full((rounds, n_parties, replications), np.nan, np.float32)
        self.received = np.full((rounds, n_parties, replications), np.nan, np.float32)
        self.offers = np.full((rounds, replications, n_issues), -1, dtype=np.int8)
        self.proposers = np.full((rounds, replications), -1, dtype=np.int8)

    def make_room(self, round_: int) -> None:
        """Make sure round `round_` has a place, doubling the rounds held (up to max_rounds)."""
        held = self.targets.shape[0]
        if round_ <= held:
            return
        more = min(held, self.max_rounds - held)
        for name, fill in (
            ("targets", np.nan),
            ("received", np.nan),
            ("offers", -1),
            ("proposers", -1),
        ):
            old = getattr(self, name)
            tail = np.full((more, *old.shape[1:]), fill, dtype=old.dtype)
            setattr(self, name, np.concatenate([old, tail]))


def _mean(values: np.ndarray) -> float:
    """`values.mean()` (NaN when empty, without the warning): numpy's sum, from 0.0, over the
    count; one value is 0.0 plus itself."""
    if values.size == 1:
        return 0.0 + float(values[0])
    return float(np.add.reduce(values) / values.size) if values.size else np.nan


def series_reporters(party_names: list[str]) -> dict[str, Any]:
    """The DataCollector's per-round series: outcome shares and each party's mean target."""
    reporters: dict[str, Any] = {
        "running": lambda m: m.share(Outcome.RUNNING),
        "agreed": lambda m: m.share(Outcome.AGREEMENT),
        "walked_away": lambda m: m.share(Outcome.WALKAWAY),
        "timed_out": lambda m: m.share(Outcome.TIMEOUT),
    }
    for p, name in enumerate(party_names):
        reporters[f"target_{name}"] = lambda m, p=p: float(m.mean_targets[p])
    return reporters


def record_targets(
    parties: Sequence[Any],
    at_table: np.ndarray,
    rows: np.ndarray,
    round_: int,
    mean_targets: np.ndarray,
    history: RoundHistory | None,
) -> None:
    """Each party's target this round where it is at the table: its mean over `rows` into
    `mean_targets` (the DataCollector's series) and every row's into the history, if kept."""
    present = at_table.take(rows, axis=0)
    everyone = bool(present.all())  # then every party's rows are `rows`
    kept = None if history is None else history.targets[round_ - 1]
    for agent in parties:
        mine = rows if everyone else rows[present[:, agent.index]]
        targets = agent.target(mine, round_)
        mean_targets[agent.index] = _mean(targets)
        if kept is not None:
            kept[agent.index][mine] = targets
