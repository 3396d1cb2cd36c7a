"""Seating: the order in which the parties take turns, per replication.

The order a scenario lists its parties in is how its author wrote it, not a seating anyone chose,
so by default each replication draws its own seating (a random order of the parties from the
replication's own stream, like the opening party). `protocol.seating` fixes it instead:

- `drawn` (the default): a random order per replication;
- `written`: the order the scenario lists its parties in;
- a list of party names: that order, every party named once.

Turns pass to the next party in the seating (round robin), to the first rejecting party after
the proposer in it (`turns: rejecter`), and the simultaneous protocol's rotation follows it; where
parties tie (two agreeable offers, two parties equally far below their floors) the one seated
first after the party on turn goes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from negsim.streams import BLOCK, SEATING, Streams

DRAWN, WRITTEN = "drawn", "written"


def check_seating(value: Any, names: Sequence[str]) -> list[str] | None:
    """The fixed order `value` names (None: drawn); ValueError says what is wrong."""
    if value == DRAWN:
        return None
    if value == WRITTEN:
        return list(names)
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(
            f"seating: must be {DRAWN!r}, {WRITTEN!r} or a list of the parties, got {value!r}"
        )
    order = [str(name) for name in value]
    unknown = [name for name in order if name not in names]
    if unknown:
        raise ValueError(f"seating: no party {unknown[0]!r} (parties: {', '.join(names)})")
    if sorted(order) != sorted(names):
        raise ValueError(f"seating: must name every party once ({', '.join(names)}), got {order}")
    return order


def stated_seating(protocol: Any, names: Sequence[str]) -> str | list[str]:
    """What a run's summary says of its seating: "drawn per replication" (also for protocols
    without turns), or the fixed order of the parties.

    >>> stated_seating(type("P", (), {"values": {"seating": "written"}})(), ["us", "eu"])
    ['us', 'eu']
    """
    fixed = check_seating(getattr(protocol, "values", {}).get("seating", DRAWN), names)
    return "drawn per replication" if fixed is None else fixed


def seating_order(value: Any, names: Sequence[str], streams: Streams) -> np.ndarray:
    """Each replication's parties in seat order, shape (R, P)."""
    n_parties = len(names)
    fixed = check_seating(value, names)
    if fixed is not None:
        order = np.array([list(names).index(name) for name in fixed], dtype=np.int64)
        return np.broadcast_to(order, (streams.size, n_parties)).copy()
    keys = streams.draw((SEATING,), (n_parties,), lambda g, _: g.random((BLOCK, n_parties)))
    return keys.argsort(axis=1, kind="stable").astype(np.int64)


def places(seating: np.ndarray) -> np.ndarray:
    """Each party's place in its replication's seating, shape (R, P): the inverse order."""
    place = np.empty_like(seating)
    np.put_along_axis(place, seating, np.arange(seating.shape[1])[None, :], axis=1)
    return place


def turn_order(
    seating: np.ndarray, place: np.ndarray, party: np.ndarray, steps: int = 0
) -> np.ndarray:
    """The parties in seat order starting `steps` places after `party[j]`, shape (n, P).

    `seating` and `place` are the rows' (n, P) arrays.
    """
    n_parties = seating.shape[1]
    line = np.arange(party.size)
    start = place[line, party] + steps
    at = (start[:, None] + np.arange(n_parties)[None, :]) % n_parties
    return seating[line[:, None], at]


def next_seated(seating: np.ndarray, place: np.ndarray, party: np.ndarray) -> np.ndarray:
    """The party seated after `party[j]`, shape (n,); `seating` and `place` the rows' (n, P)."""
    line = np.arange(party.size)
    return seating[line, (place[line, party] + 1) % seating.shape[1]]


def restricted(seating: np.ndarray, parties: np.ndarray) -> np.ndarray:
    """The seating of a table of `parties` only (their parent indices), in local indices."""
    local = np.full(seating.shape[1], -1, dtype=np.int64)
    local[parties] = np.arange(parties.size)
    mapped = local[seating]
    return mapped[mapped >= 0].reshape(seating.shape[0], parties.size)
