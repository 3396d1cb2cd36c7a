"""One negotiation to tell round by round: the view's settings, applied to a scenario, played out.

A `Setup` is what the teaching view lets a class change: per party its reservation value,
deadline, strategy and the strategy's parameter, and whether its red lines hold; the seed, the
protocol and the rounds. `tell(scenario, setup)` plays replication 0 of that setup to its end,
keeping the history and the transcript, so stepping forwards and back is reading, not
simulating, and a change of setting replays with the same seed: what differs is the change.
Nothing here imports Solara.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from negsim.engine.transcript import transcript_table
from negsim.errors import NegsimError, ScenarioError
from negsim.model import NegotiationModel, Outcome
from negsim.protocols import PROTOCOL_REGISTRY
from negsim.scenario import Scenario
from negsim.strategies import REGISTRY

PROTOCOL_NAMES = tuple(name for name in PROTOCOL_REGISTRY if name != "split_track")
"""Protocols the view offers (split tracks need a scenario with tracks; added when it has)."""


@dataclass(frozen=True)
class PartySetting:
    """What the view lets a class change about one party."""

    reservation: float
    deadline: int | None
    strategy: str
    parameter: float | None  # the strategy's first parameter (None: it has none)
    red_lines: bool = True


@dataclass(frozen=True)
class Setup:
    """Every setting of one negotiation in the view."""

    parties: dict[str, PartySetting]
    seed: int = 0
    protocol: str = "alternating"
    max_rounds: int = 100
    drawn: bool = False  # False: the stated numbers (a lesson's default); True: one draw

    def with_party(self, name: str, **changes: Any) -> Setup:
        """This setup with party `name`'s settings changed."""
        parties = dict(self.parties)
        parties[name] = replace(parties[name], **changes)
        return replace(self, parties=parties)


def strategy_parameter(strategy: str) -> str | None:
    """The parameter of `strategy` the view shows (its first), or None."""
    params = list(REGISTRY[strategy].params)
    return params[0] if params else None


def protocols_for(scenario: Scenario) -> tuple[str, ...]:
    """The protocols the view offers for `scenario`."""
    return (*PROTOCOL_NAMES, "split_track") if scenario.tracks else PROTOCOL_NAMES


def default_setup(scenario: Scenario) -> Setup:
    """The scenario's own settings."""
    parties = {}
    for party in scenario.parties:
        key = strategy_parameter(party.strategy_name)
        parties[party.name] = PartySetting(
            reservation=party.reservation,
            deadline=party.deadline,
            strategy=party.strategy_name,
            parameter=None if key is None else party.strategy.values[key],
        )
    return Setup(parties)


def apply(scenario: Scenario, setup: Setup) -> Scenario:
    """`scenario` with the setup's party settings (a scenario mistake: one-line `NegsimError`)."""
    changes: dict[str, Any] = {}
    for party in scenario.parties:
        mine = setup.parties[party.name]
        base = f"parties.{party.name}"
        changes[f"{base}.reservation"] = float(mine.reservation)
        changes[f"{base}.deadline"] = None if mine.deadline is None else int(mine.deadline)
        strategy: dict[str, Any] = {"name": mine.strategy}
        key = strategy_parameter(mine.strategy)
        if key is not None and mine.parameter is not None:
            strategy[key] = float(mine.parameter)
        changes[f"{base}.strategy"] = strategy
        if not mine.red_lines:
            changes[f"{base}.red_lines"] = {}
    try:
        return scenario.override(changes)
    except ScenarioError as exc:
        raise NegsimError(plain_problem(scenario, exc)) from None


FIELD_WORDS = {"reservation": "walk-away value (reservation)", "deadline": "deadline"}


def plain_problem(scenario: Scenario, exc: ScenarioError) -> str:
    """A refused setting in the class's words: the party, the field and what is allowed, with
    no file path or config key ("Ukraine: the walk-away value (reservation) must lie in [0, 1],
    not 1.5")."""
    parts = exc.path.split(".")
    if len(parts) < 3 or parts[0] != "parties" or parts[1] not in scenario.party_names:
        return exc.problem
    party = scenario.party(parts[1]).label.split(" (")[0]
    field = FIELD_WORDS.get(parts[2], parts[-1] if parts[2] == "strategy" else parts[2])
    problem = exc.problem
    if "parameter '" in problem and "' of '" in problem:  # the strategy's own wording
        problem = problem.split("' must ", 1)[-1].join(("must ", ""))
    problem = problem.replace(", got ", ", not ")
    return f"{party}: the {field} {problem}; the setting was not changed"


@dataclass
class Story:
    """Replication 0 of a setup, played to its end, with its history and transcript."""

    scenario: Scenario
    setup: Setup
    model: NegotiationModel
    transcript: pd.DataFrame
    _spaces: dict[tuple[str, str], Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # what the view derives, kept with it

    @property
    def rounds(self) -> int:
        """The round the negotiation ended in: the story's last round."""
        return int(self.model.end_round[0])

    @property
    def outcome(self) -> str:
        """How it ended: agreement, walkaway or timeout."""
        return str(self.model.results()["outcome"].iloc[0])

    @property
    def agreed(self) -> bool:
        """Whether it ended in a deal."""
        return int(self.model.status[0]) == Outcome.AGREEMENT

    def space(self, a: str, b: str) -> Any:
        """The utility space of parties `a` and `b` (`negsim.plots.space`), computed once."""
        from negsim.plots.space import utility_space

        if (a, b) not in self._spaces:
            self._spaces[(a, b)] = utility_space(self.model, a, b, 0)
        return self._spaces[(a, b)]

    def reservations(self) -> dict[str, float]:
        """Every party's reservation value in the story (drawn, or as stated)."""
        return {a.party.name: float(a.reservation[0]) for a in self.model.parties}

    def numbers_note(self) -> str:
        """One sentence on which numbers the story uses, with the drawn reservations."""
        if not self.setup.drawn:
            return "This story uses the stated numbers: no uncertainty."
        drawn = self.reservations()
        varied = [
            f"{p.label} {drawn[p.name]:.2f} (stated {p.reservation:.2f})"
            for p in self.scenario.parties
            if abs(drawn[p.name] - p.reservation) > 5e-3
        ]
        if not varied:
            return "This story is one draw of the uncertain numbers; reservations as stated."
        return (
            "This story is one draw of the uncertain numbers (the odds count many): reservation "
            "values in it " + ", ".join(varied) + ". Weights and values are drawn too."
        )

    def ending(self) -> str:
        """One sentence on how it ended."""
        results = self.model.results().iloc[0]
        if self.agreed:
            return f"Agreement in round {self.rounds}."
        if results["outcome"] == "walkaway":
            who = self.scenario.party(results["walked_away"]).label
            return f"No deal: {who} walked away in round {self.rounds}."
        return f"No deal: time ran out after {self.rounds} rounds."

    def deal_table(self) -> pd.DataFrame:
        """The deal issue by issue against each party's best option (empty without a deal)."""
        if not self.agreed:
            return pd.DataFrame()
        rows = []
        deal = self.model.deal[0]
        for i, issue in enumerate(self.scenario.issues):
            row = {"issue": issue.label, "deal": issue.option_labels[int(deal[i])]}
            for agent in self.model.parties:
                values = agent.table[0, i]
                best = int(np.nanargmax(np.where(agent.red_lines[i], -np.inf, values)))
                mark = "✓ " if best == int(deal[i]) else ""
                row[agent.party.label] = f"{mark}{issue.option_labels[best]}"
            rows.append(row)
        return pd.DataFrame(rows)


def stated_only(scenario: Scenario) -> Scenario:
    """`scenario` with no uncertainty: every replication has the stated numbers."""
    return scenario.override({f"parties.{name}.uncertainty": {} for name in scenario.party_names})


def tell(scenario: Scenario, setup: Setup) -> Story:
    """Play replication 0 of `setup` to its end (a bad setting: one-line `NegsimError`).

    With `setup.drawn` the story is replication 0's draw of the uncertain numbers (the odds
    count many such draws); without it, every party has its stated numbers.
    """
    if setup.protocol not in protocols_for(scenario):
        raise NegsimError(f"protocol: {setup.protocol!r} is not offered for {scenario.name}")
    changed = apply(scenario, setup)
    if not setup.drawn:
        changed = stated_only(changed)
    model = NegotiationModel(
        changed,
        replications=1,
        seed=int(setup.seed),
        max_rounds=int(setup.max_rounds),
        protocol=setup.protocol,
        transcript=1,
    ).run(progress=False)
    return Story(changed, setup, model, transcript_table(model))
