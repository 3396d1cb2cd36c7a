"""The odds measure the parties, not how a scenario is written.

Random panels (2–4 parties, 3–8 issues of 2–5 options; `tests.builders.panel_scenario_data`)
with a scenario and a relabelled copy of it run on independent seeds; two-sample z-tests compare
P(agree) and each party's mean utility. Every family of tests is Bonferroni-corrected to a
family-wise level of 1%, so a test fails only on a real effect. Mirror symmetry is exact.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from negsim.model import NegotiationModel
from negsim.protocols import build_protocol
from negsim.scenario import parse_scenario
from tests.builders import panel_scenario_data, zone_share

pytestmark = pytest.mark.slow

FAMILY_LEVEL = 0.01
R = 3000


def _critical(tests: int) -> float:
    """Two-sided z critical value at `FAMILY_LEVEL` shared among `tests` tests (Bonferroni)."""
    return float(norm.isf(FAMILY_LEVEL / (2 * tests)))


def _results(data: dict[str, Any], seed: int, replications: int = R, **kw: Any) -> pd.DataFrame:
    model = NegotiationModel(
        parse_scenario(data), replications=replications, seed=seed, record=False, **kw
    )
    return model.run(progress=False).results()


def _z(a: np.ndarray, b: np.ndarray) -> float:
    """Welch's two-sample z of the means of `a` and `b` (0 when both are constant and equal)."""
    spread = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    if spread == 0.0:
        return 0.0 if a.mean() == b.mean() else math.inf
    return float((a.mean() - b.mean()) / spread)


def _statistics(results: pd.DataFrame, parties: list[str]) -> dict[str, np.ndarray]:
    agreed = (results["outcome"] == "agreement").to_numpy(dtype=float)
    out = {"P(agree)": agreed}
    for party in parties:
        out[f"utility of {party}"] = np.nan_to_num(results[f"utility_{party}"].to_numpy())
    return out


def reorder_parties(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    names = list(data["parties"])
    order = rng.permutation(len(names))
    return {**data, "parties": {names[i]: data["parties"][names[i]] for i in order}}


def reorder_issues(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    names = list(data["issues"])
    order = rng.permutation(len(names))
    return {**data, "issues": {names[i]: data["issues"][names[i]] for i in order}}


def reorder_options(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Options of every issue shuffled (nominal) or reversed (ordered); values move with them."""
    issues = {}
    for name, issue in data["issues"].items():
        options = list(issue["options"])
        shuffled = options[::-1] if issue.get("ordered", True) else list(rng.permutation(options))
        issues[name] = {**issue, "options": [str(o) for o in shuffled]}
    return {**data, "issues": issues}


RELABELLINGS = {"parties": reorder_parties, "issues": reorder_issues, "options": reorder_options}
DOMAINS = {"nominal": [11, 12, 13, 14], "ordered": [21, 22]}


def test_relabelling_moves_neither_the_odds_nor_any_partys_utility() -> None:
    cases = [
        (kind, seed, how)
        for kind, seeds in DOMAINS.items()
        for seed in seeds
        for how in RELABELLINGS
    ]
    base = {}
    checks = []
    for kind, seed, how in cases:
        data = panel_scenario_data(seed, ordered=kind == "ordered")
        parties = list(data["parties"])
        if (kind, seed) not in base:
            base[kind, seed] = _statistics(_results(data, seed=seed), parties)
        other = RELABELLINGS[how](data, np.random.default_rng(seed))
        relabelled = _statistics(_results(other, seed=seed + 10_000), parties)
        for statistic, values in base[kind, seed].items():
            checks.append((f"{kind} {seed} {how}: {statistic}", _z(values, relabelled[statistic])))
    critical = _critical(len(checks))
    worst = max(checks, key=lambda check: abs(check[1]))
    assert abs(worst[1]) < critical, f"{worst[0]} moved, z = {worst[1]:+.2f} (limit {critical:.2f})"


COMPARED = ["outcome", "round", "walked_away", "first_proposer"]


@pytest.mark.parametrize("opener", ["p0", "p1"])
def test_two_parties_written_in_either_order_tell_the_same_story(opener: str) -> None:
    """Exact: which of two parties is written first changes nothing, opener for opener."""
    for seed in range(60):
        data = panel_scenario_data(seed, n_parties=(2, 2), ordered=seed % 2 == 0)
        swapped = {**data, "parties": dict(reversed(list(data["parties"].items())))}
        first = _results(data, seed=seed, replications=20, first_proposer=opener)
        second = _results(swapped, seed=seed, replications=20, first_proposer=opener)
        columns = COMPARED + [c for c in first if c.startswith(("deal_", "utility_"))]
        pd.testing.assert_frame_equal(first[columns], second[columns], obj=f"panel {seed}")


MONOTONE_DOMAINS = {"nominal": range(40, 52), "ordered": range(60, 66)}
RAISE = 0.1


def test_raising_a_reservation_never_raises_the_odds() -> None:
    """Paired (common random numbers): McNemar's one-sided z on the replications whose outcome
    changed, Bonferroni over every (domain, party) pair at a family-wise 1%."""
    pairs = []
    for kind, seeds in MONOTONE_DOMAINS.items():
        for seed in seeds:
            data = panel_scenario_data(seed, ordered=kind == "ordered", reservation=0.2)
            base = _results(data, seed=seed, replications=1500)["outcome"] == "agreement"
            for party in data["parties"]:
                tougher = {**data, "parties": {**data["parties"]}}
                tougher["parties"][party] = {
                    **data["parties"][party],
                    "reservation": 0.2 + RAISE,
                }
                raised = _results(tougher, seed=seed, replications=1500)["outcome"] == "agreement"
                gained = int((raised & ~base).sum())
                lost = int((base & ~raised).sum())
                z = (gained - lost) / math.sqrt(gained + lost) if gained + lost else 0.0
                pairs.append((f"{kind} {seed} {party}", z, base.mean(), raised.mean()))
    critical = float(norm.isf(FAMILY_LEVEL / len(pairs)))
    worst = max(pairs, key=lambda pair: pair[1])
    assert worst[1] < critical, (
        f"{worst[0]}: P(agree) {worst[2]:.3f} -> {worst[3]:.3f} after a raise of {RAISE}, "
        f"z = {worst[1]:+.2f} (limit {critical:.2f})"
    )


def _wide_domains(count: int) -> list[dict[str, Any]]:
    """Panels of 3 and 4 parties whose zone of agreement holds at least 30% of the outcomes."""
    found: list[dict[str, Any]] = []
    seed = 0
    while len(found) < count:
        data = panel_scenario_data(
            seed, n_parties=(3, 4), reservation=0.3, max_outcomes=20_000, strategies=["linear"]
        )
        seed += 1
        if zone_share(data) >= 0.3:
            found.append(data)
    return found


WIDE_PROTOCOLS: list[tuple[str, dict[str, Any]]] = [
    ("alternating", {}),
    ("alternating", {"turns": "rejecter"}),
    ("simultaneous", {}),
    ("mediated", {}),
    ("mediated", {"mediator": "p0"}),
]
PAIRINGS = {
    "boulware": [{"name": "boulware", "exponent": 0.2}],
    "linear": ["linear"],
    "conceder": [{"name": "conceder", "exponent": 2.0}],
    "mixed": [
        {"name": "boulware", "exponent": 0.2},
        "linear",
        {"name": "conceder", "exponent": 2.0},
    ],
}


@pytest.mark.parametrize(("protocol", "params"), WIDE_PROTOCOLS)
def test_a_wide_zone_of_agreement_is_found(protocol: str, params: dict[str, Any]) -> None:
    """Reservations 0.3, no deadlines, 200 rounds: at least 99% agree, for every pairing of
    strategies (3,000 replications: a true rate of 99.5% falls below 99% with p < 1e-4)."""
    agreed = total = 0
    for number, data in enumerate(_wide_domains(10)):
        for pairing, strategies in PAIRINGS.items():
            rng = np.random.default_rng(number)
            for party in data["parties"].values():
                party["strategy"] = strategies[int(rng.integers(len(strategies)))]
            results = _results(
                data,
                seed=number,
                replications=75,
                max_rounds=200,
                protocol=build_protocol(protocol, params),
            )
            hits = int((results["outcome"] == "agreement").sum())
            agreed, total = agreed + hits, total + len(results)
            assert hits >= 0.9 * len(results), f"domain {number}, {pairing}: {hits} of 75"
    assert agreed / total >= 0.99, f"{agreed} of {total}"
