"""A seat at the table for a person: one party's moves come from a student, the others' from
their strategies.

`Seat(scenario, setup, party)` plays replication 0 of `setup` with the stated numbers (no
uncertainty: the student sees their own party's numbers as the scenario states them). The
model runs as it always does; only the seated party's offers and answers are the person's
(`SeatedModel`). The other parties learn from them through the table, as from any party's.

Each call that moves (`propose`, `answer`, `leave`) replays the negotiation from round 0 with the
person's moves so far, up to the person's next move: a round costs about a millisecond, and a
replay from a fixed seed gives the same agents' moves, so nothing has to pause mid-round.
Nothing here imports Solara.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from negsim.agents import PartyAgent
from negsim.engine.transcript import transcript_table
from negsim.errors import NegsimError
from negsim.model import NegotiationModel, Outcome
from negsim.plots.space import UtilitySpace
from negsim.scenario import Scenario
from negsim.utility import TOLERANCE
from negsim.view.story import Setup, Story, apply, stated_only, tell

PROPOSE, ANSWER, DONE = "propose", "answer", "done"
SEATED_PROTOCOLS = ("alternating",)
"""Protocols with a seat for a person: under stacked alternating offers, whose turn is plain."""

Move = tuple[Literal["offer", "answer", "leave"], Any]


@dataclass(frozen=True)
class Turn:
    """What the person does next: propose, answer `offer` by `proposer`, or nothing (done)."""

    kind: str
    round: int
    proposer: str | None = None
    offer: dict[str, str] | None = None  # issue -> option name


@dataclass(frozen=True)
class Worth:
    """What an offer is worth to the seated party: in total and issue by issue."""

    total: float
    by_issue: dict[str, float]


class _Pause(Exception):
    """The negotiation reached a move the person has not made yet."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(turn.kind)
        self.turn = turn


class _WalkOut(Exception):
    """The person leaves instead of proposing."""


class PersonAgent(PartyAgent):
    """The seated party: its own numbers, and the person's answers."""

    def respond(
        self, rows: np.ndarray, offers: np.ndarray, round_: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The person's answer; named red lines and the offer's worth as any party's."""
        model = cast(SeatedModel, self.model)
        n_issues = self.red_lines.shape[0]
        objections = self.red_lines[np.arange(n_issues)[None, :], offers]
        utility = self.utility(rows, offers)
        said = model.person_answers(offers[0])
        floor = np.maximum(self.reservation[rows], 0.0) - TOLERANCE
        accepted = said & ~objections.any(axis=1) & (utility >= floor)
        self.last_floor = np.full(rows.size, np.nan)
        return accepted, objections, utility


class SeatedModel(NegotiationModel):
    """A one-replication model whose seated party moves as `moves` say, in order; where they run
    out, stepping stops with the person's turn (`_Pause`)."""

    def __init__(self, scenario: Scenario, person: int, moves: list[Move], **settings: Any):
        super().__init__(scenario, replications=1, **settings)
        self.person = person
        self.moves = moves
        self.taken = 0
        self.leaving = False
        self.parties[person].__class__ = PersonAgent  # same numbers, the person's answers

    def _next_move(self, turn: Turn) -> Move:
        if self.taken == len(self.moves):
            raise _Pause(turn)
        self.taken += 1
        return self.moves[self.taken - 1]

    def _offer_names(self, offer: np.ndarray) -> dict[str, str]:
        issues = self.scenario.issues
        return {issue.name: issue.options[int(k)] for issue, k in zip(issues, offer, strict=True)}

    def propose(self, rows: np.ndarray, proposer: np.ndarray) -> np.ndarray:
        """The person's offer on their turn; the agents' offers otherwise."""
        if int(proposer[0]) != self.person:
            return super().propose(rows, proposer)
        kind, offer = self._next_move(Turn(PROPOSE, self.round))
        if kind == "leave":
            raise _WalkOut
        return np.asarray(offer, dtype=np.int64)[None, :]

    def person_answers(self, offer: np.ndarray) -> bool:
        """The person's answer to `offer` (leaving: a rejection, then the walk-out)."""
        proposer = self.scenario.party_names[int(self.proposer[0])]
        turn = Turn(ANSWER, self.round, proposer, self._offer_names(offer))
        kind, accept = self._next_move(turn)
        if kind == "leave":
            self.leaving = True
            return False
        return bool(accept)

    def step(self) -> None:
        """One round; the person leaves where their move says so."""
        try:
            super().step()
        except _WalkOut:
            self._walk_out()
            self.datacollector.collect(self)
            return
        if self.leaving and self.status[0] == Outcome.RUNNING:
            self._walk_out()

    def _walk_out(self) -> None:
        agent, row = self.parties[self.person], np.array([0])
        if self.transcript is not None:
            self.transcript._event(
                0, "walk_away", agent.name, reason="chose to leave",
                reservation=float(agent.reservation[0]), required=bool(self.required[agent.index]),
            )  # fmt: skip
        self.at_table[0, self.person] = False
        if self.required[self.person]:
            self.end(row, Outcome.WALKAWAY, np.array([self.person]))
        self.leaving = False
        self.running = bool(self.status[0] == Outcome.RUNNING)


@dataclass(frozen=True)
class SeatResult:
    """How a seated negotiation ended, against what the agents reached alone."""

    party: str
    other: str  # the party the utility space sets the seated party against
    story: Story  # the seated negotiation, read as a story
    space: UtilitySpace  # the two parties' frontier, Nash point, offers and deal
    agents: Story  # the same setup and seed, every party an agent

    @property
    def deal(self) -> dict[str, str] | None:
        """The deal, issue -> option name (None: no deal)."""
        if not self.story.agreed:
            return None
        issues = self.story.scenario.issues
        deal = self.story.model.deal[0]
        return {i.name: i.options[int(k)] for i, k in zip(issues, deal, strict=True)}

    @property
    def utilities(self) -> dict[str, float]:
        """Every party's utility: of the deal, or its reservation value without one."""
        return _utilities(self.story)

    @property
    def agents_utilities(self) -> dict[str, float]:
        """Every party's utility where the agents alone ended."""
        return _utilities(self.agents)

    def agents_point(self) -> np.ndarray | None:
        """The agents' deal in the space of (party, other), or None without a deal."""
        if not self.agents.agreed:
            return None
        worth = self.agents_utilities
        return np.array([worth[self.party], worth[self.other]])

    def agents_sentence(self) -> str:
        """One sentence on what the agents alone reached with the same seed."""
        label = self.story.scenario.party(self.party).label
        if not self.agents.agreed:
            return f"With an agent in your seat: {self.agents.ending()}"
        return (
            f"With an agent in your seat: {self.agents.ending()} "
            f"It was worth {self.agents_utilities[self.party]:.2f} to {label}."
        )

    def nash_sentence(self) -> str:
        """One sentence on where the Nash point of the two parties' space lies."""
        nash, (mine, other) = self.space.nash, self.space.labels
        if nash is None:
            return "There is no Nash point: no outcome is worth more than no deal to both."
        return f"The Nash point gives {mine} {nash[0]:.2f} and {other} {nash[1]:.2f}."


def _utilities(story: Story) -> dict[str, float]:
    model = story.model
    if story.agreed:
        return {a.name: float(model.deal_utility[0, a.index]) for a in model.parties}
    return {a.name: float(a.reservation[0]) for a in model.parties}


class Seat:
    """Replication 0 of `setup` with a person in `party`'s seat (stated numbers, same seed)."""

    def __init__(self, scenario: Scenario, setup: Setup, party: str) -> None:
        if setup.protocol not in SEATED_PROTOCOLS:
            raise NegsimError(
                f"Play as: only the alternating protocol has a seat for you, not {setup.protocol}"
            )
        if party not in scenario.party_names:
            names = ", ".join(scenario.party_names)
            raise NegsimError(f"Play as: no party {party!r} (parties: {names})")
        self.id = uuid.uuid4().hex  # tells one played negotiation from another, nothing more
        self.source = scenario
        self.setup = replace(setup, drawn=False)
        self.scenario = stated_only(apply(scenario, self.setup))
        self.party = party
        self.index = scenario.party_names.index(party)
        self._moves: list[Move] = []
        self._result: SeatResult | None = None
        self._play()

    # ------------------------------------------------------------------ the person's numbers

    @property
    def label(self) -> str:
        """The seated party's label."""
        return self.scenario.party(self.party).label

    @property
    def reservation(self) -> float:
        """The seated party's walk-away value: what no deal is worth to it."""
        return float(self.scenario.party(self.party).reservation)

    @cached_property
    def _table(self) -> np.ndarray:
        return cast(np.ndarray, self._model.parties[self.index].table[0])  # (I, K): w_i v_i(k)

    def option_values(self) -> dict[str, dict[str, float]]:
        """Each option's worth to the seated party, issue by issue (they add up to an offer's)."""
        return {
            issue.name: {o: float(self._table[i, k]) for k, o in enumerate(issue.options)}
            for i, issue in enumerate(self.scenario.issues)
        }

    def red_lines(self) -> dict[str, tuple[str, ...]]:
        """The seated party's red lines: options it never accepts, by issue."""
        return dict(self.scenario.party(self.party).red_lines)

    def offer_value(self, options: Mapping[str, str]) -> Worth:
        """What the offer `options` (issue -> option name) is worth to the seated party."""
        offer = self._indices(options)
        by_issue = {
            issue.name: float(self._table[i, offer[i]])
            for i, issue in enumerate(self.scenario.issues)
        }
        return Worth(sum(by_issue.values()), by_issue)

    def _indices(self, options: Mapping[str, str]) -> np.ndarray:
        issues = self.scenario.issues
        unknown = sorted(set(options) - {i.name for i in issues})
        if unknown:
            raise NegsimError(f"No issue {unknown[0]!r} on the table")
        missing = [i.label for i in issues if not options.get(i.name)]
        if missing:
            raise NegsimError(f"Choose an option for every issue: {', '.join(missing)} missing")
        offer = []
        for issue in issues:
            if options[issue.name] not in issue.options:
                raise NegsimError(f"{issue.label}: no option {options[issue.name]!r}")
            offer.append(issue.index(options[issue.name]))
        return np.array(offer, dtype=np.int64)

    def _acceptable(self, offer: np.ndarray) -> None:
        """A party never agrees across its red lines or below its walk-away value."""
        issues = self.scenario.issues
        lines = self._model.parties[self.index].red_lines
        crossed = [issues[i].label for i in range(len(issues)) if lines[i, offer[i]]]
        if crossed:
            raise NegsimError(f"That crosses your red line on {', '.join(crossed)}")
        worth = float(self._table[np.arange(len(issues)), offer].sum())
        if worth < self.reservation - TOLERANCE:
            raise NegsimError(
                f"That is worth {worth:.2f} to you, below your walk-away value "
                f"{self.reservation:.2f}: no deal is better"
            )

    # ------------------------------------------------------------------ playing

    def turn(self) -> Turn:
        """Whose move it is: the person's proposal or answer, or done."""
        return self._turn

    @property
    def finished(self) -> bool:
        """Whether the negotiation has ended."""
        return self._turn.kind == DONE

    def propose(self, options: Mapping[str, str]) -> None:
        """Put `options` (issue -> option name) on the table; the agents move until your turn."""
        if self._turn.kind != PROPOSE:
            raise NegsimError("It is not your turn to propose")
        offer = self._indices(options)
        self._acceptable(offer)
        self._move(("offer", tuple(int(k) for k in offer)))

    def answer(self, accept: bool) -> None:
        """Accept or reject the offer on the table; the agents move until your turn."""
        if self._turn.kind != ANSWER or self._turn.offer is None:
            raise NegsimError("There is no offer for you to answer")
        if accept:
            self._acceptable(self._indices(self._turn.offer))
        self._move(("answer", bool(accept)))

    def leave(self) -> None:
        """Walk away from the table: the negotiation ends without a deal."""
        if self.finished:
            raise NegsimError("The negotiation is over")
        self._move(("leave", None))

    def _move(self, move: Move) -> None:
        self._moves.append(move)
        self._play()

    def _play(self) -> None:
        """Replay from round 0 with the person's moves so far, up to their next move."""
        setup = self.setup
        model = SeatedModel(
            self.scenario, self.index, list(self._moves), seed=int(setup.seed),
            max_rounds=int(setup.max_rounds), protocol=setup.protocol, transcript=1,
        )  # fmt: skip
        try:
            while model.running:
                model.step()
            turn = Turn(DONE, int(model.end_round[0]))
        except _Pause as pause:
            turn = pause.turn
        self._model: SeatedModel = model
        self._turn: Turn = turn
        self._events = transcript_table(model)

    # ------------------------------------------------------------------ reading

    def transcript(self) -> pd.DataFrame:
        """The events so far as the person may know them: offers with their worth to you
        (`worth`), answers (with the red lines a party named), walk-aways and the ending.
        Others' utilities, targets and reservations stay private; answers to the offer you
        are answering come in after yours."""
        frame = self._events
        if self._turn.kind == ANSWER:
            pending = (frame["round"] == self._turn.round) & frame["event"].isin(
                ["accept", "reject", "walk_away"]
            )
            frame = frame[~pending]
        frame = frame.copy()
        answers = frame["event"].isin(["accept", "reject"])
        mine = frame["party"] == self.party
        worth = frame[f"utility_{self.party}"].where(~answers, frame["utility"])
        frame["worth"] = worth.where(~answers | mine)
        named = frame["red_lines"].fillna("")
        red_reason = "crosses its red line on " + named.str.replace(",", ", ")
        frame["reason"] = frame["reason"].where(~answers, red_reason.where(named != ""))
        frame.loc[answers & mine, "reason"] = "your answer"
        frame.loc[(frame["event"] == "walk_away") & ~mine, "detail"] = pd.NA
        private = [c for c in frame.columns if c.startswith("utility")]
        return frame.drop(columns=[*private, "target", "reservation"])

    def counterpart(self) -> str:
        """The other party that values the seated party's best offer least: the one to set it
        against in the utility space."""
        lines = self._model.parties[self.index].red_lines
        best = np.where(lines, -np.inf, self._table).argmax(axis=1)
        others = [a for a in self._model.parties if a.index != self.index]
        worth = [float(a.utility(np.array([0]), best[None, :])[0]) for a in others]
        return others[int(np.argmin(worth))].name

    def result(self, other: str | None = None) -> SeatResult:
        """The ending: the deal (or none), every party's utility, the utility space of the seated
        party against `other` (default: `counterpart()`), and what the agents alone reached."""
        if not self.finished:
            raise NegsimError("The negotiation is not over yet")
        if other is None and self._result is not None:
            return self._result
        other = other or self.counterpart()
        story = Story(self.scenario, self.setup, self._model, self._events)
        result = SeatResult(
            self.party, other, story, story.space(self.party, other), tell(self.source, self.setup)
        )
        if self._result is None:
            self._result = result
        return result
