"""Simultaneous offers: every party at the table puts an offer on the table each round.

All parties propose before any offer is made public (nobody sees this round's offers while
making its own); then every offer is published and every party at the table answers every offer
(a proposer accepts its own offer when it clears its reservation value and red lines). An offer
is agreeable when every required party at the table accepts it.

Turn order: the replication's seating (drawn per replication unless `seating` fixes it, see
`negsim.protocols.seating`); in round t the rotation starts t - 1 seats after the replication's
`first_proposer`, skipping parties no longer at the table; the first party in it is the party whose
turn it is. Where several offers are agreeable, the deal is the first agreeable offer in that
rotation, so ties are settled reproducibly and no party is always favoured. The round's record
(`record_offer`, the received utilities of the concession figure) holds the chosen offer where
agreed, else the offer of the party whose turn it is.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from negsim.protocols.base import Protocol
from negsim.protocols.seating import turn_order
from negsim.protocols.table import Table


class SimultaneousOffers(Protocol):
    """Everyone offers at once; the first agreeable offer in the rotating turn order wins."""

    name: ClassVar[str] = "simultaneous"
    description: ClassVar[str] = (
        "simultaneous offers: every party offers each round; first agreeable offer in turn wins"
    )
    params: ClassVar[dict[str, Any]] = {"seating": "drawn"}

    def play(self, model: Table, rows: np.ndarray) -> None:
        """Propose, publish and answer every offer, then settle on the first agreeable one."""
        offers = propose_all(model, rows)
        present = model.at_table[rows]
        order = rotation(model, rows)
        line = np.arange(rows.size)
        turn = order[line, present[line[:, None], order].argmax(axis=1)]
        agreeable = np.zeros_like(present)
        # Answer the turn party's offer last, so that the risks parties announce (read by
        # Zeuthen) and the received utilities recorded are those of the offer on turn.
        for on_turn in (False, True):
            for agent in model.parties:
                slot = present[:, agent.index] & ((turn == agent.index) == on_turn)
                if not slot.any():
                    continue
                who = rows[slot]
                proposer = np.full(who.size, agent.index)
                accepted = model.answer(who, offers[slot, agent.index], proposer, on_turn)
                agreeable[slot, agent.index] = model.agreed(who, accepted)
        ranked = agreeable[line[:, None], order]
        agreed = ranked.any(axis=1)
        chosen = np.where(agreed, order[line, ranked.argmax(axis=1)], turn)
        deals = offers[line, chosen]
        model.standing[rows] = deals
        model.proposer[rows] = turn
        model.record_offer(rows, deals, chosen)
        moved = agreed & (chosen != turn)
        if model.record and moved.any():
            record_received(model, rows[moved], deals[moved], chosen[moved])
        model.conclude(rows[agreed], deals[agreed])


def propose_all(model: Table, rows: np.ndarray) -> np.ndarray:
    """Every present party's offer, made before any is public, shape (n, P, I); -1 if absent."""
    n_issues = model.scenario.option_mask.shape[0]
    offers = np.full((rows.size, len(model.parties), n_issues), -1, dtype=np.int64)
    present = model.at_table[rows]
    line, party = np.nonzero(present)
    offers[line, party] = model.propose(rows[line], party)
    for agent in model.parties:
        mine = present[:, agent.index]
        if mine.any():
            proposer = np.full(int(mine.sum()), agent.index)
            model.publish(rows[mine], proposer, offers[mine, agent.index])
    return offers


def record_received(model: Table, rows: np.ndarray, deals: np.ndarray, chosen: np.ndarray) -> None:
    """Record what the deal is worth to each party at the table other than its proposer, where
    the deal is not the offer on turn (whose answers were recorded), so the record matches."""
    for agent in model.parties:
        receives = model.at_table[rows, agent.index] & (chosen != agent.index)
        utility = np.where(receives, agent.utility(rows, deals), np.nan)
        model.received_history[model.round - 1, agent.index, rows] = utility


def rotation(model: Table, rows: np.ndarray) -> np.ndarray:
    """This round's turn order per replication: the seating from `round - 1` seats after the
    first proposer onwards, (n, P)."""
    first = model.first_proposer[rows]
    return turn_order(model.seating[rows], model.place[rows], first, model.round - 1)
