"""Multilateral stacked alternating offers.

The proposer puts its offer on the table; every other party at the table accepts or rejects it;
agreement when every required party accepts (the proposer accepts its own offer). Otherwise the
next proposer is chosen by `turns`:

- `round_robin` (the default): the next party in the seating at the table, as in the stacked
  alternating offers protocol of GENIUS, so every party puts texts on the table, including
  parties that accept what they are offered and could bridge the others;
- `rejecter`: the first party after the proposer, in the seating, that rejected.

The seating is drawn per replication unless `seating` fixes it (`negsim.protocols.seating`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negsim.protocols.base import Protocol
from negsim.protocols.seating import next_seated, turn_order
from negsim.protocols.table import Table


class AlternatingOffers(Protocol):
    """Stacked alternating offers: one proposal per round, answered by everyone else."""

    name: ClassVar[str] = "alternating"
    description: ClassVar[str] = "stacked alternating offers: parties propose in turn"
    params: ClassVar[dict[str, Any]] = {"turns": "round_robin", "seating": "drawn"}
    turn_rules: ClassVar[tuple[str, ...]] = ("round_robin", "rejecter")

    def setup(self, model: Table) -> None:
        """Check the turn rule."""
        turns = self.values["turns"]
        if turns not in self.turn_rules:
            known = ", ".join(self.turn_rules)
            raise ValueError(f"turns: must be one of {known}, got {turns!r}")

    def play(self, model: Table, rows: np.ndarray) -> None:
        """Propose, answer, and settle or pass the turn as `turns` says."""
        skip_absent_proposers(model, rows)
        proposer = model.proposer[rows]
        model.standing[rows] = model.propose(rows, proposer)
        offers = model.standing.take(rows, axis=0)
        model.publish(rows, proposer, offers)
        model.record_offer(rows, offers, proposer)
        accepted = model.answer(rows, offers, proposer, record_received=True)
        agreed = model.agreed(rows, accepted)
        if agreed.any():
            model.conclude(rows[agreed], offers[agreed])
            rest = ~agreed
            if not rest.any():
                return
            rows, proposer, accepted = rows[rest], proposer[rest], accepted[rest]
        if self.values["turns"] == "rejecter":
            pass_turn(model, rows, accepted)
        else:
            model.proposer[rows] = next_seated(
                model.seating.take(rows, axis=0), model.place.take(rows, axis=0), proposer
            )


def skip_absent_proposers(model: Table, rows: np.ndarray) -> None:
    """Hand the turn on, in the seating, where the proposer has left the table."""
    for _ in range(len(model.parties)):
        absent = ~model.at_table[rows, model.proposer[rows]]
        if not absent.any():
            return
        away = rows[absent]
        model.proposer[away] = next_seated(
            model.seating[away], model.place[away], model.proposer[away]
        )


def pass_turn(model: Table, rows: np.ndarray, accepted: np.ndarray) -> None:
    """The next proposer is the first party after the proposer that rejected."""
    proposer = model.proposer[rows]
    order = turn_order(model.seating[rows], model.place[rows], proposer, 1)[:, :-1]
    line = np.arange(rows.size)[:, None]
    rejecting = ~accepted[line, order] & model.at_table[rows[:, None], order]
    model.proposer[rows] = order[np.arange(rows.size), rejecting.argmax(axis=1)]
