"""Agreement odds for the teaching view: the "Run 1000" button and its mini-sweep curve.

Pure Python (no Solara): `run_odds` runs one batch of replications and condenses it into an
`Odds` (probability, 95% Wilson interval, outcome shares, mean round of agreement);
`mini_sweep` varies one number of one party (its reservation value, its deadline or a strategy
parameter such as `strategy.exponent`) over a few values, all points packed into one model so
the curve costs one batch; `default_values` suggests a grid around the party's current value.
Every point of a sweep uses the same seed, so its rows equal a run of that point alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negsim.analysis.intervals import wilson_interval
from negsim.errors import NegsimError, ScenarioError
from negsim.model import NegotiationModel
from negsim.scenario import Scenario
from negsim.scenario.points import Point, structure_key

STRATEGY_PREFIX = "strategy."
"""Keys naming a strategy parameter start with this (`strategy.exponent`)."""

PARTY_KEYS = ("reservation", "deadline")
"""The party fields a mini-sweep can vary besides strategy parameters."""

RESERVATION_MAX = 0.95
"""The highest reservation value `default_values` suggests (1 would leave no deal to make)."""

DEADLINE_GRID = (10, 20, 30, 45, 60, 80, 100)
"""The deadlines `default_values` suggests (the party's own is added when missing)."""


@dataclass(frozen=True)
class Odds:
    """How a batch of replications ended, in the few numbers the view shows.

    Attributes:
        replications: how many replications ran.
        agreements: how many of them ended in an agreement.
        probability: the share of agreements.
        low, high: the 95% Wilson interval of the probability.
        shares: outcome shares in a fixed order: "agreement", "walk-away by <party>" for every
            party in scenario order, "timeout" (they sum to 1).
        mean_round: the mean round of the agreements (nan when there are none, so two
            such Odds compare unequal: nan is never equal to itself).
    """

    replications: int
    agreements: int
    probability: float
    low: float
    high: float
    shares: dict[str, float]
    mean_round: float

    def text(self) -> str:
        """One line for the view, e.g. "agreement probability 0.809 (95% interval 0.783 to
        0.832) over 1,000 replications"."""
        return (
            f"agreement probability {self.probability:.3f} (95% interval {self.low:.3f} to "
            f"{self.high:.3f}) over {self.replications:,} replications"
        )


def odds_from_results(results: pd.DataFrame, scenario: Scenario) -> Odds:
    """Condense a results table (one row per replication, `NegotiationModel.results()`)."""
    n = len(results)
    if n == 0:
        raise NegsimError("odds: the results hold no replications")
    outcome = results["outcome"].astype(str).to_numpy()
    agreed = outcome == "agreement"
    walked = outcome == "walkaway"
    agreements = int(agreed.sum())
    low, high = wilson_interval(agreements, n)
    shares = {"agreement": agreements / n}
    who = results["walked_away"].to_numpy()[walked]
    for name in scenario.party_names:
        shares[f"walk-away by {name}"] = int((who == name).sum()) / n
    shares["timeout"] = int((outcome == "timeout").sum()) / n
    rounds = results["round"].to_numpy()[agreed]
    return Odds(
        replications=n,
        agreements=agreements,
        probability=agreements / n,
        low=low,
        high=high,
        shares=shares,
        mean_round=float(rounds.mean()) if agreements else math.nan,
    )


def run_odds(
    scenario: Scenario,
    seed: int,
    replications: int = 1000,
    max_rounds: int = 100,
    protocol: str = "alternating",
    first_proposer: str | None = None,
) -> Odds:
    """Run `replications` replications of `scenario` (no history kept, no progress bar).

    The same seed gives the same Odds: with a replication's index it fixes every random number.
    """
    model = NegotiationModel(
        scenario,
        replications=replications,
        seed=seed,
        max_rounds=max_rounds,
        first_proposer=first_proposer,
        record=False,
        protocol=protocol,
    )
    return odds_from_results(model.run(progress=False).results(), scenario)


@dataclass(frozen=True)
class SweepSpec:
    """One number of one party to vary: `key` is "reservation", "deadline" or "strategy.<p>".

    `check(scenario)` says in one line what is wrong with the party or key; `scenario_at`
    gives the scenario with the number set to a value (a value the scenario rejects raises a
    one-line `NegsimError`).
    """

    party: str
    key: str

    def check(self, scenario: Scenario) -> None:
        """Raise `NegsimError` when the party or the key does not exist in `scenario`."""
        if self.party not in scenario.party_names:
            known = ", ".join(scenario.party_names)
            raise NegsimError(
                f"mini-sweep: no party {self.party!r} in scenario {scenario.name!r} "
                f"(known: {known})"
            )
        keys = sweepable_keys(scenario, self.party)
        if self.key not in keys:
            raise NegsimError(
                f"mini-sweep: party {self.party!r} has no sweepable key {self.key!r} "
                f"(known: {', '.join(keys)})"
            )

    def current(self, scenario: Scenario) -> float | None:
        """The party's current value of the key (None: a deadline the party does not have)."""
        self.check(scenario)
        party = scenario.party(self.party)
        if self.key == "reservation":
            return party.reservation
        if self.key == "deadline":
            return party.deadline
        return party.strategy.settings()[self.key.removeprefix(STRATEGY_PREFIX)]

    def scenario_at(self, scenario: Scenario, value: float) -> Scenario:
        """`scenario` with the party's key set to `value`, validated like a scenario file."""
        self.check(scenario)
        where = f"mini-sweep: {self.party}.{self.key} = {value!r}"
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise NegsimError(f"{where}: must be a number")
        if self.key == "deadline":
            if not float(value).is_integer():
                raise NegsimError(f"{where}: a deadline is a whole number of rounds")
            change: object = int(value)
        elif self.key == "reservation":
            change = float(value)
        else:
            change = strategy_node(scenario, self.party) | {
                self.key.removeprefix(STRATEGY_PREFIX): float(value)
            }
        field = self.key.split(".")[0]
        try:
            return scenario.with_party(self.party, **{field: change})
        except ScenarioError as exc:
            raise NegsimError(f"{where}: {exc.problem}") from None


def sweepable_keys(scenario: Scenario, party: str) -> list[str]:
    """The keys `mini_sweep` can vary for `party`: its reservation, deadline and strategy's."""
    strategy = scenario.party(party).strategy
    return [*PARTY_KEYS, *(STRATEGY_PREFIX + name for name in strategy.params)]


def key_words(key: str) -> str:
    """A sweepable key as the view names it: "reservation", "exponent (strategy)"."""
    if key.startswith(STRATEGY_PREFIX):
        return f"{key.removeprefix(STRATEGY_PREFIX)} (strategy)"
    return key


def labelled_shares(odds: Odds, labels: Mapping[str, str]) -> dict[str, float]:
    """The outcome shares with parties named by `labels` (party -> label), not their ids
    ("walk-away by United States", not "walk-away by us")."""
    names = {f"walk-away by {name}": f"walk-away by {label}" for name, label in labels.items()}
    return {names.get(key, key): share for key, share in odds.shares.items()}


def strategy_node(scenario: Scenario, party: str) -> dict[str, object]:
    """The party's strategy as a scenario mapping (`{name: ..., <param>: ...}`).

    A scenario file may leave the strategy out (boulware) or give only its name; the mapping
    written back keeps the parameters the file stated and the strategy it names.
    """
    node = scenario.data["parties"][party].get("strategy")
    if node is None:
        return {"name": scenario.party(party).strategy_name}
    if isinstance(node, str):
        return {"name": node}
    return dict(node)


def mini_sweep(
    scenario: Scenario,
    seed: int,
    party: str,
    key: str,
    values: Sequence[float],
    replications: int = 200,
    max_rounds: int = 100,
    protocol: str = "alternating",
    first_proposer: str | None = None,
) -> pd.DataFrame:
    """Agreement probability against one party's number: one point per value, one model.

    All points share a structure, so they are packed into one `NegotiationModel` and run as one
    batch; each uses `seed`, so point k's rows equal a run of that point alone. Returns columns
    value, probability, low, high (95% Wilson) and replications, one row per value in order.
    """
    spec = SweepSpec(party, key)
    spec.check(scenario)
    if len(values) == 0:
        raise NegsimError(f"mini-sweep: no values to sweep {party}.{key} over")
    scenarios = [spec.scenario_at(scenario, v) for v in values]
    key_of = structure_key(scenario)
    if any(structure_key(s) != key_of for s in scenarios):  # never for these keys
        raise NegsimError(f"mini-sweep: {party}.{key} changes the scenario's structure")
    points = [Point(s, seed, replications, first_proposer=first_proposer) for s in scenarios]
    model = NegotiationModel.from_points(
        points, max_rounds=max_rounds, record=False, protocol=protocol
    )
    results = model.run(progress=False).results()
    rows = []
    for k, (value, point_scenario) in enumerate(zip(values, scenarios, strict=True)):
        part = results.iloc[k * replications : (k + 1) * replications]
        odds = odds_from_results(part, point_scenario)
        rows.append(
            {
                "value": value,
                "probability": odds.probability,
                "low": odds.low,
                "high": odds.high,
                "replications": odds.replications,
            }
        )
    return pd.DataFrame(rows, columns=["value", "probability", "low", "high", "replications"])


def default_values(scenario: Scenario, party: str, key: str) -> list[float]:
    """About 7 values around the party's current one, to pre-fill the view's sweep.

    Reservation: steps of 0.05 within [0, 0.95], shifted to stay inside; deadline: 10 to 100
    rounds with the party's own; a strategy parameter: steps of a factor sqrt(2) around the
    current value, keeping only values the strategy accepts.
    """
    spec = SweepSpec(party, key)
    current = spec.current(scenario)
    if key == "reservation":
        start = min(max(float(current or 0.0) - 0.15, 0.0), RESERVATION_MAX - 0.30)
        return [round(start + 0.05 * k, 4) for k in range(7)]
    if key == "deadline":
        grid = set(DEADLINE_GRID)
        if current is not None:
            grid.add(int(current))
        return [float(d) for d in sorted(grid)]
    param = scenario.party(party).strategy.params[key.removeprefix(STRATEGY_PREFIX)]
    current = float(current or 0.0)
    if current > 0:
        candidates = [current * 2 ** (k / 2) for k in range(-12, 13)]
    else:
        candidates = [0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
    valid = sorted(
        {float(f"{v:.3g}") for v in candidates if param.check(float(f"{v:.3g}")) is None}
    )
    if current > 0:
        valid.sort(key=lambda v: abs(math.log(v / current)) if v > 0 else math.inf)
    else:
        valid.sort(key=lambda v: abs(v - current))
    return sorted(valid[:7])
