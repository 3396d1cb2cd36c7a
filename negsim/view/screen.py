"""What moves the odds: a quick Morris screen of the current settings, for the teaching view.

Pure Python (no Solara). `quick_screen` varies every party's reservation (within 0.1, in
[0, 1]), its deadline when it has one (within 10 rounds, at least 1) and its strategy's numeric
parameters (within 40% of the value, kept to values the strategy accepts), the rules of the
sweepers' "around" shorthand (`negsim.analysis.sensitivity.around_factor`). A dummy number
changes only the seed of a point's replications: its index is what noise alone moves, the
noise floor. Every point of the Morris design shares the scenario's structure, so all of them
are packed into one `NegotiationModel` and run as one batch; each point's output is its share
of agreements. The other points use the seed itself, so two points that differ in one number
differ in that number alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from negsim.analysis.sensitivity import (
    DUMMY,
    Factor,
    around_factor,
    design,
    factor_values,
    indices,
)
from negsim.errors import NegsimError
from negsim.model import NegotiationModel
from negsim.scenario import Scenario
from negsim.scenario.points import Point, structure_key
from negsim.view.odds import STRATEGY_PREFIX, SweepSpec, sweepable_keys

RESERVATION_WIDTH = 0.1
"""A reservation varies within this of its value (clipped to [0, 1])."""

DEADLINE_WIDTH = 10
"""A deadline varies within this many rounds of its value (at least 1 round)."""

STRATEGY_SHARE = 0.4
"""A strategy parameter varies within this share of its value."""

LEVELS = 4
"""The Morris grid's levels."""

DUMMY_SEEDS = 10**6
"""The dummy's coordinate in [0, 1] picks one of this many seeds from the run's own."""


@dataclass(frozen=True)
class Screen:
    """A quick screen's result.

    Attributes:
        table: the index table (`negsim.analysis.sensitivity.indices`: number, index, value,
            low, high), numbers ordered by mu*, the dummy among them.
        factors: the numbers varied, with their ranges, the dummy last.
        labels: each number's label for a reader ("Ukraine: reservation").
        points: how many settings the design ran.
        replications: how many negotiations each setting ran.
    """

    table: pd.DataFrame
    factors: tuple[Factor, ...]
    labels: dict[str, str]
    points: int
    replications: int

    @property
    def negotiations(self) -> int:
        """How many negotiations the screen ran in all."""
        return self.points * self.replications

    def what_it_did(self) -> str:
        """One line saying what the screen ran and how to read its noise floor."""
        return (
            f"A quick Morris screen: {self.points} settings \u00d7 {self.replications} "
            "negotiations, same seed; numbers within the grey band move the odds no more than a "
            "fresh random draw"
        )

    def top_sentence(self) -> str:
        """The number that moves the odds most, in plain words (or that none stands out)."""
        rows = self.table[self.table["index"] == "mu_star"]
        value, low, high = (
            dict(zip(rows["number"], rows[c], strict=True)) for c in ("value", "low", "high")
        )
        mu = self.table[self.table["index"] == "mu"]
        signed = dict(zip(mu["number"], mu["value"], strict=True))
        ranked = [str(n) for n in rows["number"] if n != DUMMY]
        if not ranked:
            return "No number was varied."
        floor = float(high.get(DUMMY, 0.0))
        key = ranked[0]
        factor = next(f for f in self.factors if f.key == key)
        size = float(value[key])
        if float(low[key]) <= floor:
            return (
                "No number stands out: across their ranges none moves the odds measurably more "
                f"than a fresh random draw (noise floor {floor:.2f})."
            )
        direction = float(signed[key])
        if direction >= size / 2:
            way = "raising it raises the odds"
        elif direction <= -size / 2:
            way = "raising it lowers the odds"
        else:
            way = "it raises the odds in some settings and lowers them in others"
        party, field = self.labels[key].rsplit(": ", 1)
        return (
            f"{party}'s {field} moves the odds most: moved across its range "
            f"({_number(factor.low)} to {_number(factor.high)}) it changes the chance of a deal "
            f"by {size:.2f} on average, against {floor:.2f} for a fresh random draw; {way}."
        )


def quick_screen(
    scenario: Scenario,
    seed: int,
    replications: int = 100,
    trajectories: int = 4,
    max_rounds: int = 100,
    protocol: str = "alternating",
    first_proposer: str | None = None,
) -> Screen:
    """Screen which of `scenario`'s numbers move its agreement probability most.

    Morris with `trajectories` trajectories over the numbers `screen_factors` gives, plus the
    dummy: (numbers + 2) * trajectories points of `replications` negotiations each, in one
    model. The same arguments give the same table (the design and its bootstrap use `seed`).
    """
    factors = screen_factors(scenario)
    x = design(factors, "morris", trajectories, LEVELS, seed=seed)
    specs = {f.key: spec_of(f.key) for f in factors if f.key != DUMMY}
    points = []
    changed, before = scenario, [None] * len(factors)
    for row in factor_values(factors, x):
        point_seed = seed
        # a Morris step moves one number: set only what differs from the point before
        for factor, value, old in zip(factors, row, before, strict=True):
            if factor.key == DUMMY:
                point_seed = seed + round(float(value) * (DUMMY_SEEDS - 1))
            elif value != old:
                changed = specs[factor.key].scenario_at(changed, value)
        before = row
        points.append(Point(changed, point_seed, replications, first_proposer=first_proposer))
    key = structure_key(scenario)
    if any(structure_key(p.scenario) != key for p in points):  # never for these numbers
        raise NegsimError("quick screen: a number changed the scenario's structure")
    model = NegotiationModel.from_points(
        points, max_rounds=max_rounds, record=False, protocol=protocol
    )
    outcome = model.run(progress=False).results()["outcome"].astype(str).to_numpy()
    agreed = (outcome == "agreement").reshape(len(points), replications)
    table = indices(factors, x, agreed.mean(axis=1), "morris", LEVELS, seed=seed)
    return Screen(table, tuple(factors), labels(scenario, factors), len(points), replications)


def screen_factors(scenario: Scenario) -> list[Factor]:
    """Every party's reservation, deadline (if any) and strategy parameters, then the dummy.

    Keys are `<party>.<key>` with a `SweepSpec` key (`us.strategy.exponent`). A strategy
    parameter stated 0 has no width to vary within (40% of nothing) and is left out.
    """
    factors: list[Factor] = []
    for name in scenario.party_names:
        for key in sweepable_keys(scenario, name):
            value = SweepSpec(name, key).current(scenario)
            if value is None:
                continue
            if key == "reservation":
                factors.append(around_factor(f"{name}.{key}", value, RESERVATION_WIDTH))
            elif key == "deadline":
                factors.append(around_factor(f"{name}.{key}", value, DEADLINE_WIDTH))
            elif value != 0:
                param = scenario.party(name).strategy.params[key.removeprefix(STRATEGY_PREFIX)]
                wide = around_factor(f"{name}.{key}", value, abs(value) * STRATEGY_SHARE)
                factors.append(accepted_range(wide, float(value), param.check))
    return [*factors, Factor(DUMMY, 0.0, 1.0)]


def accepted_range(factor: Factor, value: float, check: Callable[[float], str | None]) -> Factor:
    """`factor` with each end pulled towards `value` until the strategy accepts the values.

    `check(x)` returns a problem or None (`Param.check`); the values a strategy accepts form
    an interval, so ends it accepts hold everything between them. An end is pulled in steps of
    1% of its distance from `value`, so a refused boundary (an exponent of exactly 1) is missed
    by a margin a design's rounding cannot cross.
    """
    ends = []
    for end in (factor.low, factor.high):
        for k in range(100):
            candidate = value + (end - value) * (1 - k / 100)
            if check(factor.value(candidate)) is None:
                break
        else:
            candidate = value
        ends.append(candidate)
    return Factor(factor.key, float(ends[0]), float(ends[1]), factor.kind)


def spec_of(key: str) -> SweepSpec:
    """The `SweepSpec` of a factor key (`us.strategy.exponent` -> us, strategy.exponent)."""
    party, _, field = key.partition(".")
    return SweepSpec(party, field)


def labels(scenario: Scenario, factors: Sequence[Factor]) -> dict[str, str]:
    """Each factor's label: the party's short label and the field ("Ukraine: deadline"); a
    strategy parameter is named with its strategy ("boulware exponent")."""
    names = short_labels(scenario)
    out = {DUMMY: "dummy (a fresh random seed)"}
    for factor in factors:
        if factor.key == DUMMY:
            continue
        spec = spec_of(factor.key)
        field = spec.key
        if field.startswith(STRATEGY_PREFIX):
            strategy = scenario.party(spec.party).strategy_name
            field = f"{strategy} {field.removeprefix(STRATEGY_PREFIX)}"
        out[factor.key] = f"{names[spec.party]}: {field}"
    return out


def short_labels(scenario: Scenario) -> dict[str, str]:
    """Each party's label without its parenthesis ("Ukraine (Zelenskyy)" -> "Ukraine"), so a
    chart's names stay short; the full labels when the short ones would not tell parties apart."""
    short = {p.name: p.label.split(" (", 1)[0].strip() or p.label for p in scenario.parties}
    if len(set(short.values())) < len(short):
        return {p.name: p.label for p in scenario.parties}
    return short


def _number(x: float) -> str:
    """A range's end for a sentence: 0.35, 15, 1.2."""
    return f"{x:.0f}" if math.isclose(x, round(x)) else f"{x:.3g}"
