"""Slow, obviously correct references for the bargaining analysis, and random test tables."""

from __future__ import annotations

import itertools

import numpy as np

from negsim.analysis.bargaining import utility_tables
from negsim.analysis.outcomes import enumerate_outcomes, outcome_utilities
from negsim.scenario import Scenario, parse_scenario
from negsim.utility import TOLERANCE
from tests.builders import random_scenario_data


def brute_frontier(utilities: np.ndarray) -> np.ndarray:
    """Rows no other row dominates, exactly or within the tolerance, by all pairs; then of rows
    equal within 1e-12, the first.

    Exactly: at least as good on every axis and better on one (identical rows: the first).
    Within the tolerance: no worse than TOLERANCE on any axis, better by more than TOLERANCE on
    one, and a larger sum.
    """
    u = np.asarray(utilities, dtype=float)
    before = np.arange(len(u))
    keep = []
    for i in range(len(u)):
        covers = (u >= u[i]).all(axis=1)
        better = covers & (u > u[i]).any(axis=1)
        same_before = covers & (u == u[i]).all(axis=1) & (before < i)
        near = (u >= u[i] - TOLERANCE).all(axis=1) & (u > u[i] + TOLERANCE).any(axis=1)
        near &= u.sum(axis=1) > u[i].sum()
        if not (better | same_before | near).any():
            keep.append(i)
    kept = np.array(keep, dtype=np.int64)
    same = [any((np.abs(u[j] - u[i]) <= 1e-12).all() for j in kept if j < i) for i in kept]
    return kept[~np.array(same, dtype=bool)] if len(kept) else kept


def brute_outcomes(n_options: list[int]) -> np.ndarray:
    """Every outcome by itertools.product, shape (N, I)."""
    return np.array(list(itertools.product(*(range(n) for n in n_options))), dtype=np.int64)


def brute_utilities(tables: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
    """Utilities by explicit loops, shape (N, P)."""
    out = np.zeros((len(outcomes), tables.shape[0]))
    for n, outcome in enumerate(outcomes):
        for p in range(tables.shape[0]):
            out[n, p] = sum(tables[p, i, k] for i, k in enumerate(outcome))
    return out


def random_scenario(
    seed: int, n_parties: int = 3, n_issues: int = 3, options: tuple[int, int] = (2, 4)
) -> Scenario:
    """A random valid scenario with some red lines (never a party's best option)."""
    data = random_scenario_data(
        seed,
        n_parties=n_parties,
        n_issues=n_issues,
        min_options=options[0],
        max_options=options[1],
        reservation_range=(0.2, 0.6),
    )
    rng = np.random.default_rng(seed)
    for party in data["parties"].values():
        if rng.random() < 0.5:
            issue = f"i{rng.integers(n_issues)}"
            worst = min(party["positions"][issue]["values"].items(), key=lambda kv: kv[1])[0]
            party["red_lines"] = {issue: [worst]}
    return parse_scenario(data)


def random_tables(
    seed: int, n_parties: int, n_issues: int, n_options: int, quantile: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables, option mask and reservations at each party's `quantile` utility over all outcomes."""
    scenario = random_scenario(seed, n_parties, n_issues, (n_options, n_options))
    tables = utility_tables(scenario)
    utilities = outcome_utilities(tables, enumerate_outcomes(scenario.n_options, 2**21))
    return tables, scenario.option_mask, np.quantile(utilities, quantile, axis=0)
