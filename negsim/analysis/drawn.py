"""Which of a scenario's numbers are drawn afresh per replication, and what to call them.

A party's `uncertainty` makes its weights, option values and reservation value vary across
replications (`negsim.scenario.draws`). Only the numbers that actually vary are named here: a
weight on an issue the party gives no weight, or the weight of a party with a single weighted
issue, is the same in every replication, and so is every number of a kind whose spread is 0.
The results table records each drawn number in a column named here, and the drivers analysis
(`negsim.analysis.drivers`) ranks them by how much they explain agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from negsim.errors import NegsimError
from negsim.scenario.types import Scenario

RESERVATION, WEIGHT, VALUE = "reservation", "weight", "value"


@dataclass(frozen=True)
class DrawnNumber:
    """One number drawn per replication.

    Attributes:
        column: its column in the results table: `reservation_<party>`, `weight_<party>_<issue>`
            or `value_<party>_<issue>_<option>`.
        kind: `reservation`, `weight` or `value`.
        party, issue, option: indices into the scenario's parties, issues and the issue's
            options (-1 where the kind has none).
    """

    column: str
    kind: str
    party: int
    issue: int = -1
    option: int = -1

    def label(self, scenario: Scenario, width: int | None = None) -> str:
        """The number in words, with the scenario's labels; an option's label is cut to `width`.

        >>> from negsim.formats.load import load_scenario
        >>> flagship = load_scenario("ukraine_2025")
        >>> DrawnNumber("reservation_ukraine", RESERVATION, 2).label(flagship)
        'Ukraine (Zelenskyy): reservation value'
        >>> DrawnNumber("weight_us_crimea", WEIGHT, 0, 1).label(flagship)
        'United States (Trump administration): weight of Status of Crimea'
        >>> DrawnNumber("value_russia_nato_deferred", VALUE, 1, 2, 2).label(flagship, 20)
        'Russia (Putin): value of Membership off the… (NATO membership for Ukraine)'
        """
        party = scenario.parties[self.party].label
        if self.kind == RESERVATION:
            return f"{party}: reservation value"
        issue = scenario.issues[self.issue]
        if self.kind == WEIGHT:
            return f"{party}: weight of {issue.label}"
        option = issue.option_labels[self.option]
        if width is not None and len(option) > width:
            option = option[: width - 1].rstrip() + "…"
        return f"{party}: value of {option} ({issue.label})"


def drawn_numbers(scenarios: Sequence[Scenario]) -> list[DrawnNumber]:
    """The numbers that vary across the replications of a model holding `scenarios` (sweep
    points sharing a structure; one scenario for a run), party by party: reservation, weights
    by issue, then option values by issue and option.

    A number is listed when it varies in any of the scenarios.

    >>> from negsim.formats.load import load_scenario
    >>> numbers = drawn_numbers([load_scenario("ukraine_2025")])
    >>> len(numbers), numbers[0].column, numbers[1].column
    (240, 'reservation_us', 'weight_us_ceasefire')
    """
    if not scenarios:
        return []
    first = scenarios[0]
    mask = first.option_mask
    listed: list[DrawnNumber] = []
    for p, party in enumerate(first.parties):
        spreads = [s.parties[p].uncertainty for s in scenarios]
        name = party.name
        if any(u.reservation > 0 for u in spreads):
            listed.append(DrawnNumber(f"reservation_{name}", RESERVATION, p))
        weighted = np.zeros(len(first.issues), dtype=bool)
        for s, u in zip(scenarios, spreads, strict=True):
            stated = s.weights[p] > 0
            if u.weights > 0 and stated.sum() > 1:  # one weighted issue: its weight is always 1
                weighted |= stated
        for i in np.flatnonzero(weighted).tolist():
            listed.append(DrawnNumber(f"weight_{name}_{first.issues[i].name}", WEIGHT, p, i))
        if any(u.values > 0 for u in spreads):
            for i, k in np.argwhere(mask).tolist():
                issue = first.issues[i]
                column = f"value_{name}_{issue.name}_{issue.options[k]}"
                listed.append(DrawnNumber(column, VALUE, p, i, k))
    columns = [n.column for n in listed]
    if len(set(columns)) < len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise NegsimError(
            f"drawn numbers: two numbers would share the results column {twice[0]!r}; "
            "rename a party, issue or option so that no name joined by '_' repeats another"
        )
    return listed
