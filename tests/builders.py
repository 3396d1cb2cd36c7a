"""Builders of small scenario mappings in the scenario schema, for unit and property tests.

Both builders return plain dicts (as `yaml.safe_load` would) that `negsim.scenario.parse_scenario`
accepts as they are; tests break one key at a time to check validation.

>>> from negsim.scenario import parse_scenario
>>> parse_scenario(small_scenario_data()).party_names
['p0', 'p1']
>>> parse_scenario(random_scenario_data(0, n_parties=3)).party_names
['p0', 'p1', 'p2']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from negsim.scenario import parse_scenario

# Weights of random scenarios are multiples of 2**-20: their sums are exact in binary floating
# point, so fixing the last weight as 1 - (sum of the others) makes the total exactly 1.0.
_WEIGHT_GRID = 2.0**-20


def party_names(n_parties: int) -> list[str]:
    """The names the builders give parties: p0, p1, ..."""
    return [f"p{p}" for p in range(n_parties)]


def issue_names(n_issues: int) -> list[str]:
    """The names the builders give issues: i0, i1, ..."""
    return [f"i{i}" for i in range(n_issues)]


def option_names(n_options: int) -> list[str]:
    """The names the builders give options: o0, o1, ..."""
    return [f"o{k}" for k in range(n_options)]


def exact_weights(raw: Sequence[float]) -> list[float]:
    """Normalise non-negative `raw` (not all zero) to weights whose float sum is exactly 1.0.

    >>> sum(exact_weights([1, 1, 1])) == 1.0
    True
    """
    arr = np.asarray(raw, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or (arr < 0).any() or arr.sum() <= 0:
        raise ValueError(f"need non-negative weights with a positive sum, got {list(raw)!r}")
    norm = arr / arr.sum()
    head = [float(np.round(w / _WEIGHT_GRID) * _WEIGHT_GRID) for w in norm[:-1]]
    last = 1.0 - sum(head)
    if last < 0:  # rounding pushed the others over 1: take the excess off the largest
        big = int(np.argmax(head))
        head[big] += last
        last = 0.0
    weights = [*head, last]
    assert sum(weights) == 1.0, weights
    return weights


def write_scenario_file(path: Path, data: dict[str, Any]) -> Path:
    """Write scenario `data` as YAML to `path` (a file, or a directory to put `<name>.yaml` in)."""
    path = Path(path)
    if path.is_dir():
        path = path / f"{data.get('name', 'scenario')}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def small_scenario_data(
    n_parties: int = 2,
    n_issues: int = 2,
    n_options: int = 3,
    *,
    reservation: float = 0.3,
    strategy: str | dict[str, Any] = "boulware",
    deadline: int | None = None,
    required: bool = True,
    name: str = "small",
) -> dict[str, Any]:
    """A small valid scenario: equal weights, linear values, opposed parties.

    Issues are `i0, i1, ...` with options `o0, o1, ...`; parties are `p0, p1, ...`. Even parties
    value option k at k/(K-1) (the last option is best), odd parties at 1 - k/(K-1) (the first is
    best), so every issue is contested. Every party gets the same reservation, strategy, deadline
    and `required` flag; change single keys of the returned dict for anything else.
    """
    if n_parties < 1 or n_issues < 1 or n_options < 2:
        raise ValueError("need n_parties >= 1, n_issues >= 1 and n_options >= 2")
    issues = issue_names(n_issues)
    options = option_names(n_options)
    weights = exact_weights([1.0] * n_issues)
    ramp = [k / (n_options - 1) for k in range(n_options)]
    parties: dict[str, Any] = {}
    for p, party in enumerate(party_names(n_parties)):
        values = ramp if p % 2 == 0 else [1.0 - v for v in ramp]
        parties[party] = {
            "label": f"Party {p}",
            "required": required,
            "reservation": reservation,
            "deadline": deadline,
            "strategy": dict(strategy) if isinstance(strategy, dict) else strategy,
            "positions": {
                issue: {
                    "weight": weights[i],
                    "values": dict(zip(options, values, strict=True)),
                    "source": f"{party} on {issue}",
                }
                for i, issue in enumerate(issues)
            },
        }
    return {
        "name": name,
        "label": f"Small test scenario ({n_parties} parties, {n_issues} issues)",
        "issues": {
            issue: {
                "label": f"Issue {i}",
                "source": f"about {issue}",
                "options": {o: f"Option {k} of issue {i}" for k, o in enumerate(options)},
            }
            for i, issue in enumerate(issues)
        },
        "parties": parties,
    }


def random_scenario_data(
    rng: np.random.Generator | int | None = None,
    n_parties: int = 3,
    n_issues: int = 3,
    max_options: int = 4,
    reservation_range: tuple[float, float] = (0.0, 0.5),
    *,
    min_options: int = 2,
    strategies: Sequence[str | dict[str, Any]] = ("boulware",),
    name: str = "random",
) -> dict[str, Any]:
    """A random valid linear-additive scenario.

    Args:
        rng: a numpy Generator, or a seed for one.
        n_parties: number of parties `p0, p1, ...` (all required).
        n_issues: number of issues `i0, i1, ...`.
        max_options: each issue gets between `min_options` and `max_options` options.
        reservation_range: each party's reservation is drawn uniformly within this range
            (rounded to 3 decimals, so it stays within it).
        min_options: the fewest options an issue gets (at least 2).
        strategies: each party's strategy is drawn from these.
        name: the scenario's name.

    Each party's weights are positive and sum to exactly 1.0 (normalised, with the last weight
    fixing the rounding); its option values lie in [0, 1], rounded to 3 decimals, with exactly
    1.0 for the best option of every issue.
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    if not 2 <= min_options <= max_options:
        raise ValueError(f"need 2 <= min_options <= max_options, got {min_options}, {max_options}")
    low, high = reservation_range
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"reservation_range must lie within [0, 1], got {reservation_range!r}")
    issues = issue_names(n_issues)
    sizes = rng.integers(min_options, max_options, endpoint=True, size=n_issues)
    options = {issue: option_names(int(k)) for issue, k in zip(issues, sizes, strict=True)}
    parties: dict[str, Any] = {}
    for party in party_names(n_parties):
        weights = exact_weights(rng.uniform(0.05, 1.0, size=n_issues))
        positions = {}
        for i, issue in enumerate(issues):
            raw = rng.random(len(options[issue]))
            values = np.round(raw / raw.max(), 3)
            values[int(np.argmax(raw))] = 1.0
            positions[issue] = {
                "weight": weights[i],
                "values": {o: float(v) for o, v in zip(options[issue], values, strict=True)},
                "source": f"{party} on {issue}",
            }
        strategy = strategies[int(rng.integers(len(strategies)))]
        parties[party] = {
            "required": True,
            "reservation": round(float(rng.uniform(low, high)), 3) if high > low else low,
            "strategy": dict(strategy) if isinstance(strategy, dict) else strategy,
            "positions": positions,
        }
    return {
        "name": name,
        "label": f"Random test scenario ({n_parties} parties, {n_issues} issues)",
        "issues": {
            issue: {"label": f"Issue {issue}", "options": list(options[issue])} for issue in issues
        },
        "parties": parties,
    }


def with_frictions(
    data: dict[str, Any],
    rng: np.random.Generator,
    *,
    discounts: bool = False,
    ordered: bool = False,
) -> dict[str, Any]:
    """`data` (changed in place) with what makes talks hard, each drawn from `rng`: a red line
    on a party's worst option of one issue (half the parties), a deadline (30%), a discount
    (30%, with `discounts`), uncertain numbers (half), the last of three or more parties
    optional (half); with `ordered`, each issue ordered or nominal at random."""
    if ordered:
        for issue in data["issues"].values():
            issue["ordered"] = bool(rng.random() < 0.5)
    for party in data["parties"].values():
        if rng.random() < 0.5:  # a red line on an option that is not the party's best
            issue = f"i{rng.integers(len(data['issues']))}"
            worst = min(party["positions"][issue]["values"].items(), key=lambda kv: kv[1])[0]
            party["red_lines"] = {issue: [worst]}
        if rng.random() < 0.3:
            party["deadline"] = int(rng.integers(1, 30))
        if discounts and rng.random() < 0.3:
            party["discount"] = round(float(rng.uniform(0.9, 1.0)), 3)
        if rng.random() < 0.5:
            party["uncertainty"] = {"weights": 20.0, "reservation": 0.05, "values": 0.05}
    names = list(data["parties"])
    if len(names) > 2 and rng.random() < 0.5:
        data["parties"][names[-1]]["required"] = False
    return data


def panel_scenario_data(
    seed: int,
    *,
    n_parties: tuple[int, int] = (2, 4),
    n_issues: tuple[int, int] = (3, 8),
    n_options: tuple[int, int] = (2, 5),
    reservation: float | None = None,
    strategies: Sequence[str | dict[str, Any]] = ("boulware", "linear", "conceder"),
    ordered: bool = False,
    max_outcomes: int | None = None,
) -> dict[str, Any]:
    """A random scenario of the panels the relabelling and monotonicity properties run on.

    Each issue's option values are an even spread from 0 to 1: shuffled over the options on
    nominal issues, single-peaked (falling with the distance from a random peak) on ordered ones,
    where neighbouring options are alike as `ordered: true` promises. Weights are Dirichlet(1);
    reservations uniform in [0, 0.5] unless given. `max_outcomes` redraws the issue sizes until
    the outcome space is at most that large.
    """
    rng = np.random.default_rng(seed)
    parties_n = int(rng.integers(n_parties[0], n_parties[1], endpoint=True))
    issues_n = int(rng.integers(n_issues[0], n_issues[1], endpoint=True))
    while True:
        sizes = rng.integers(n_options[0], n_options[1], endpoint=True, size=issues_n)
        if max_outcomes is None or int(np.prod(sizes)) <= max_outcomes:
            break
    issues = issue_names(issues_n)
    parties: dict[str, Any] = {}
    for party in party_names(parties_n):
        weights = exact_weights(rng.dirichlet(np.ones(issues_n)) + 1e-3)
        positions = {}
        for i, issue in enumerate(issues):
            k = int(sizes[i])
            spread = np.linspace(0.0, 1.0, k)
            if ordered:  # single-peaked: the value falls with the distance from a peak
                peak = int(rng.integers(k))
                distance = np.abs(np.arange(k) - peak)
                values = 1.0 - distance / max(distance.max(), 1)
            else:
                values = rng.permutation(spread)
            positions[issue] = {
                "weight": weights[i],
                "values": {
                    o: round(float(v), 6) for o, v in zip(option_names(k), values, strict=True)
                },
            }
        strategy = strategies[int(rng.integers(len(strategies)))]
        parties[party] = {
            "reservation": reservation
            if reservation is not None
            else round(float(rng.uniform(0.0, 0.5)), 3),
            "strategy": dict(strategy) if isinstance(strategy, dict) else strategy,
            "positions": positions,
        }
    return {
        "name": "panel",
        "label": f"Panel scenario {seed}",
        "issues": {
            issue: {"options": option_names(int(sizes[i])), "ordered": ordered}
            for i, issue in enumerate(issues)
        },
        "parties": parties,
    }


def zone_share(data: dict[str, Any]) -> float:
    """Share of a scenario's outcomes that every party values at least at its reservation."""
    scenario = parse_scenario(data)
    outcomes = np.array(list(itertools.product(*[range(n) for n in scenario.n_options])))
    issues = np.arange(outcomes.shape[1])
    ok = np.ones(len(outcomes), dtype=bool)
    for p, party in enumerate(scenario.parties):
        worth = (scenario.weights[p] * scenario.values[p][issues, outcomes]).sum(axis=1)
        ok &= worth >= party.reservation - 1e-9
    return float(ok.mean())
