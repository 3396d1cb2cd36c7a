"""What a protocol uses of the model: the table's state and its shared moves.

Protocols type against `Table` (and the parties at it, `Negotiator`), not against
`NegotiationModel`, so they sit below the model: a protocol decides who proposes when and who must
accept, and plays its round through the moves every protocol shares (`propose`, `publish`,
`answer`, `conclude`, `end`), which keep walk-aways, objections, the opponent model and the
records the same under every protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, Self

import numpy as np

from negsim.scenario import Scenario
from negsim.scenario.draws import Draws
from negsim.scenario.points import Point
from negsim.status import Outcome
from negsim.strategies import Strategy
from negsim.strategies.seat import Seat
from negsim.streams import Streams


class Negotiator(Seat, Protocol):
    """One party at the table, as a protocol sees it: its strategy's seat, and more."""

    name: str
    strategy: Strategy
    table: np.ndarray  # (R, I, K): its weighted option values (a mediator's objections only)
    red_lines: np.ndarray  # (I, K)

    def target(self, rows: np.ndarray, round_: int) -> np.ndarray:
        """What the party asks for in `round_`."""
        ...


class Table(Protocol):
    """The negotiating table of R replications: its state and the moves protocols share."""

    scenario: Scenario
    parties: Sequence[Negotiator]
    required: np.ndarray  # (P,)
    replications: int
    round: int
    running: bool  # any replication still running
    max_rounds: int
    record: bool
    accept_best_after: float | None
    at_table: np.ndarray  # (R, P)
    closed: np.ndarray  # (R, I, K): options closed by announced red lines
    standing: np.ndarray  # (R, I): the offer on the table
    deal: np.ndarray  # (R, I)
    status: np.ndarray  # (R,): `Outcome` codes
    walked: np.ndarray  # (R,)
    end_round: np.ndarray  # (R,)
    first_proposer: np.ndarray  # (R,)
    proposer: np.ndarray  # (R,)
    seating: np.ndarray  # (R, P): the parties in seat order (`negsim.protocols.seating`)
    place: np.ndarray  # (R, P): each party's place in the seating
    tie_keys: np.ndarray  # (R, I, K + 1): tie-break keys (`negsim.strategies.ties`)
    points: list[Point]
    draws: Draws
    streams: Streams
    transcript: Any  # `negsim.engine.transcript.Transcript` or None
    offer_history: np.ndarray
    received_history: np.ndarray

    @classmethod
    def from_points(cls, points: Sequence[Point], **settings: Any) -> Self:
        """A table of the same kind holding `points` (a split-track negotiation's tracks)."""
        ...

    def step(self) -> None:
        """Play one round in every replication still running."""
        ...

    def forbidden_for(self, agent: Negotiator, rows: np.ndarray) -> np.ndarray:
        """Options `agent` must not offer in `rows`."""
        ...

    def propose(self, rows: np.ndarray, proposer: np.ndarray) -> np.ndarray:
        """Offers by `proposer[j]` in `rows[j]`."""
        ...

    def publish(self, rows: np.ndarray, proposer: np.ndarray, offers: np.ndarray) -> None:
        """Put offers on the table for everyone at it to see."""
        ...

    def record_offer(self, rows: np.ndarray, offers: np.ndarray, proposer: np.ndarray) -> None:
        """Keep this round's offer on the table in the history."""
        ...

    def answer(
        self,
        rows: np.ndarray,
        offers: np.ndarray,
        proposer: np.ndarray | None = None,
        record_received: bool = False,
    ) -> np.ndarray:
        """Every party at the table answers; returns who accepts, (n, P)."""
        ...

    def agreed(self, rows: np.ndarray, accepted: np.ndarray) -> np.ndarray:
        """Where every required party at the table accepted."""
        ...

    def conclude(self, rows: np.ndarray, deals: np.ndarray) -> None:
        """Record agreements on `deals` in `rows`."""
        ...

    def end(self, rows: np.ndarray, outcome: Outcome, walked: np.ndarray | None = None) -> None:
        """End `rows` with `outcome`."""
        ...

    def results(self) -> Any:
        """The results table, one row per replication."""
        ...

    def release(self) -> None:
        """Free the large arrays."""
        ...
