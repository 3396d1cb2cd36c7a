"""PartyAgent: one negotiating party across every replication of a batch.

An agent's state is numpy arrays whose first axis is the replication. It proposes and responds
through its strategy; it sees offers, answers and announced red lines, never another party's
true utility.
"""

from __future__ import annotations

from typing import Protocol

import mesa
import numpy as np

from negsim.scenario import Party, Scenario
from negsim.scenario.draws import Draws
from negsim.scenario.points import RowParameters
from negsim.strategies.acceptance import accepts, accepts_late
from negsim.strategies.base import TargetMemo
from negsim.strategies.seat import Table
from negsim.utility import (
    TOLERANCE,
    best_utility,
    issue_offsets,
    row_any,
    row_sum,
    utilities_at,
)

AHEAD = 32
"""Rounds of targets a clock-only strategy works out at once, for at most `AHEAD_ROWS` rows."""
AHEAD_ROWS = 8


class Room(Table, Protocol):
    """What an agent reads of its model, besides the public table: the talks' clock, the
    acceptance setting, and the shared offer move."""

    horizon: np.ndarray  # (R,): rounds every party concedes over
    accept_best_after: float | None

    def propose(self, rows: np.ndarray, proposer: np.ndarray) -> np.ndarray:
        """Offers by `proposer[j]` in `rows[j]`."""
        ...


class PartyAgent(mesa.Agent):
    """A party's numbers and behaviour in R replications at once.

    Attributes:
        index: the party's position in the scenario.
        party: the party as the scenario states it.
        table: weighted option values `w_i * v_i(k)` per replication, shape (R, I, K).
        reservation: reservation value per replication, shape (R,).
        red_lines: options the party never accepts, shape (I, K).
        best: the best utility the party can reach without crossing its red lines, shape (R,).
        deadline: the round after which the party walks away (`NO_DEADLINE`: none), shape (R,).
        horizon: rounds over which the party concedes (see `NegotiationModel.horizon`), (R,).
        discount: the discount factor `d` of its utility `U(o) * d**t` (1: none), shape (R,).
        params: the strategy's numbers per replication (`Strategy.settings`), each (R,).
    """

    def __init__(
        self,
        model: Room,
        index: int,
        party: Party,
        table: np.ndarray,
        reservation: np.ndarray,
        red_lines: np.ndarray,
        deadline: np.ndarray,
        horizon: np.ndarray,
        params: dict[str, np.ndarray],
        discount: np.ndarray | None = None,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.party = party
        self.strategy = party.strategy
        self.table = table
        self.reservation = reservation
        self.red_lines = red_lines
        self.best = best_utility(table, red_lines)
        self.deadline = deadline
        self.first_deadline = int(deadline.min())  # no row walks away for its deadline before
        self.horizon = horizon
        self.discount = np.ones(horizon.shape) if discount is None else discount
        self.discounted = bool((self.discount < 1.0).any())  # else the plain clock, no work
        self.params = params
        self.memory: dict[str, np.ndarray] = {}
        self.last_floor = np.empty(0)  # the floor of its latest answers (`respond`)
        self.best_received = np.full(reservation.shape, -np.inf)  # for `accept_best_after`
        self.strategy.init_memory(self)
        # Targets worked out once per round and row (`TargetMemo`); with few rows, a clock-only
        # strategy's are worked out `AHEAD` rounds at a time.
        steady = self.strategy.steady_target()
        self._ahead = self.strategy.clock_target()
        window = AHEAD if self._ahead and reservation.size <= AHEAD_ROWS else 2
        self._memo = TargetMemo(reservation.size, window) if steady else None
        self._plain_next = self.strategy.default_next_target()
        self._starts = np.arange(table.shape[0]) * red_lines.size  # each row's table in `table`

    @property
    def name(self) -> str:
        """The party's name in the scenario."""
        return self.party.name

    def time(self, round_: int | np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The party's clock in round `round_`, in `rows`: from 0 to 1 over its horizon (or in
        round `round_[j]` in `rows[j]`, rounds given as an array of the rows' shape).

        Without a discount, `round / horizon`. A discounting party measures time by the share of
        what delay can cost it that it has already lost, `(1 - d**s) / (1 - d**(horizon / H))`
        with `s = round / H` the talks' time (`discount_time`): it concedes sooner the more it
        discounts, and as `d` nears 1 the clock nears `round / horizon`.
        """
        plain = np.minimum(round_ / self.horizon[rows], 1.0)
        if not self.discounted:
            return plain
        d = self.discount[rows]
        session = self.model.horizon[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            spent = -np.expm1(np.log(d) * (round_ / session))
            whole = -np.expm1(np.log(d) * (self.horizon[rows] / session))
            clock = np.where(d < 1.0, spent / whole, plain)
        return np.minimum(clock, 1.0)

    def discount_factor(self, round_: int | np.ndarray, rows: np.ndarray) -> np.ndarray:
        """What a deal in round `round_` is worth against the same deal at the start: `d**s`."""
        if not self.discounted:
            return np.ones(rows.shape)
        return self.discount[rows] ** discount_time(round_, self.model.horizon[rows])

    def target(self, rows: np.ndarray, round_: int) -> np.ndarray:
        """The utility this party asks for in round `round_`, in each of `rows`: kept once
        worked out, where the strategy allows (`Strategy.steady_target`)."""
        memo = self._memo
        if memo is None or rows.dtype == bool:
            return self.strategy.target(self, rows, round_)
        kept, known = memo.find(rows, round_)
        if kept is not None:
            return kept
        if self._ahead and rows.size <= AHEAD_ROWS:  # few rows: rounds to come at once
            # One flat (round, row) array each, as contiguous as the rows alone: numpy's `**`
            # takes another path (other last bits) for an exponent broadcast along an axis.
            rounds = np.repeat(np.arange(round_, round_ + memo.window), rows.size)
            every = np.tile(rows, memo.window)
            ahead = self.strategy.target_at(self, every, self.time(rounds, every))
            ahead = ahead.reshape(memo.window, rows.size)
            memo.put(rows, round_, ahead)
            return ahead[0]
        if not known.any():
            targets = self.strategy.target(self, rows, round_)
            memo.put(rows, round_, targets[None, :])
            return targets
        # Work out only the rows not kept (targets are worked out row by row).
        fresh = rows[~known]
        memo.put(fresh, round_, self.strategy.target(self, fresh, round_)[None, :])
        return memo.read(rows, round_)

    def next_target(self, rows: np.ndarray, round_: int) -> np.ndarray:
        """What this party would ask for after round `round_` (its acceptance floor)."""
        if self._plain_next:
            return self.target(rows, round_ + 1)
        return self.strategy.next_target(self, rows, round_)

    def begin_round(self, rows: np.ndarray, round_: int) -> None:
        """The strategy's start of round `round_` in `rows` (targets kept there are forgotten)."""
        if self._memo is not None:
            self._memo.forget(rows)
        self.strategy.begin_round(self, rows, round_)

    def observe(self, rows: np.ndarray, proposer: np.ndarray, utility: np.ndarray) -> None:
        """Another party's offer, worth `utility` here, was put on the table in `rows`."""
        if self._memo is not None:
            self._memo.forget(rows)
        self.strategy.observe(self, rows, proposer, utility)

    def utility(self, rows: np.ndarray, offers: np.ndarray) -> np.ndarray:
        """This party's utility of `offers[j]` in replication `rows[j]`."""
        return utilities_at(self.table, rows, offers)

    def propose(self, rows: np.ndarray) -> np.ndarray:
        """Offers for `rows` in the model's current round: meeting this round's target, aimed at
        every party whose acceptance it needs (`NegotiationModel.propose` batches proposers)."""
        return self.model.propose(rows, np.full(rows.size, self.index))

    def respond(
        self, rows: np.ndarray, offers: np.ndarray, round_: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Accept or reject `offers` in `rows`; also say on which options a red line was crossed.

        Returns:
            (accepted, objections, utility): shapes (n,), (n, I) and (n,); objections is True
            where the offer's option on an issue is one of this party's red lines, utility what
            each offer is worth to this party.
        """
        n_issues, n_options = self.red_lines.shape
        local = offers + issue_offsets(rows.size, n_issues, n_options)  # into one (I, K) table
        objections = self.red_lines.take(local)  # `crosses`
        local += self._starts.take(rows)[:, None]  # into each row's table
        utility = row_sum(self.table.take(local))  # `utilities_at`
        crossed = row_any(objections)
        floor = self.next_target(rows, round_)
        if self.discounted:
            # What it would offer next comes a round later, worth that much less by then.
            floor = floor * self.discount[rows] ** (1.0 / self.model.horizon[rows])
        self.last_floor = floor  # what the answer was measured against (the transcript's)
        accepted = accepts(utility, floor, self.reservation[rows], crossed)
        late = self.model.accept_best_after
        if late is not None:
            late_rows = self.time(round_, rows) >= late
            if late_rows.any():
                best = self.best_received[rows]
                accepted |= late_rows & accepts_late(utility, best, self.reservation[rows], crossed)
            self.best_received[rows] = np.maximum(self.best_received[rows], utility)
        return accepted, objections, utility

    def cannot_gain(self, rows: np.ndarray, forbidden: np.ndarray) -> np.ndarray:
        """Whether nothing still open beats this party's reservation value, in each of `rows`.

        `forbidden` marks options closed by this party's red lines and those others announced.
        """
        tables = self.table.take(rows, axis=0)
        return best_utility(tables, forbidden) < self.reservation[rows] - TOLERANCE


def discount_time(round_: int | np.ndarray, session: np.ndarray) -> np.ndarray:
    """The talks' normalised time `s = round / H` (H: `NegotiationModel.horizon`), capped at 1,
    at which a deal's utility is discounted (`U(o) * d**s`, as GENIUS discounts)."""
    return np.minimum(np.asarray(round_) / session, 1.0)


def seat_parties(
    model: Room, scenario: Scenario, draws: Draws, rows: RowParameters, max_rounds: int
) -> list[PartyAgent]:
    """Every party's agent with its drawn numbers; each concedes over the rounds to its own
    deadline or the model's horizon (`model.horizon`, set before), whichever comes first."""
    invalid = ~scenario.option_mask
    deadlines = np.minimum(rows.deadline, max_rounds)
    return [
        PartyAgent(
            model,
            p,
            party,
            draws.tables[p],
            draws.reservations[p],
            scenario.red_lines[p] | invalid,
            rows.deadline[p],
            np.minimum(deadlines[p], model.horizon),
            rows.strategy[p],
            rows.discount[p],
        )
        for p, party in enumerate(scenario.parties)
    ]
