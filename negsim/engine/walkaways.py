"""Walking away: a party leaves when its deadline has passed or nothing still open can beat its
reservation value. A required party leaving ends the replication; another just leaves the table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from negsim.status import Outcome


class Walkers(Protocol):
    """What the walk-away checks read and change of a model."""

    parties: Sequence[Any]  # each with index, deadline, first_deadline, cannot_gain
    required: np.ndarray  # (P,)
    round: int
    status: np.ndarray  # (R,)
    at_table: np.ndarray  # (R, P)
    recheck: np.ndarray  # (R,): rows where options closed since the last check
    transcript: Any

    def forbidden_for(self, agent: Any, rows: np.ndarray) -> np.ndarray:
        """Options `agent` must not offer in `rows`."""
        ...

    def end(self, rows: np.ndarray, outcome: Outcome, walked: np.ndarray | None = None) -> None:
        """End `rows` with `outcome`."""
        ...


def walk_aways(model: Walkers) -> None:
    """Every party whose deadline has passed leaves, then every party with nothing left to gain;
    each check in party order, so a party's leaving is seen by the parties after it."""
    round_ = model.round
    for agent in model.parties:
        if round_ <= agent.first_deadline:  # no row's deadline has passed yet
            continue
        candidates = (model.status == Outcome.RUNNING) & model.at_table[:, agent.index]
        _leave(model, agent, (candidates & (round_ > agent.deadline)).nonzero()[0], "deadline")
    recheck = model.recheck
    if not recheck.any():  # only newly closed options can take the last good outcome away
        return
    checked = recheck & (model.status == Outcome.RUNNING)
    for agent in model.parties:
        rows = (checked & model.at_table[:, agent.index]).nonzero()[0]
        if rows.size:
            leaving = rows[agent.cannot_gain(rows, model.forbidden_for(agent, rows))]
            if _leave(model, agent, leaving, "nothing_left"):
                checked &= model.status == Outcome.RUNNING  # the rows it ended
    recheck[:] = False


def _leave(model: Walkers, agent: Any, leaving: np.ndarray, why: str) -> bool:
    """`agent` leaves the table in rows `leaving`, for reason `why`; a required party's leaving
    ends them. Returns whether rows ended."""
    if leaving.size == 0:
        return False
    if model.transcript is not None:
        model.transcript.walk_aways(agent, leaving, why)
    model.at_table[leaving, agent.index] = False
    if not model.required[agent.index]:
        return False
    model.end(leaving, Outcome.WALKAWAY, np.full(leaving.size, agent.index))
    return True
