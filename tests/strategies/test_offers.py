"""Offer generation: meets the target, avoids forbidden options, favours the others."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.strategies.offers import generate_offers
from negsim.utility import utilities


def _tables(rng: np.random.Generator, n: int, issues: int, options: int) -> np.ndarray:
    weights = rng.dirichlet(np.ones(issues), size=n)
    values = rng.random((n, issues, options))
    values /= values.max(axis=-1, keepdims=True)
    return weights[..., None] * values


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 8), st.integers(2, 5), st.floats(0.0, 1.0))
def test_offers_meet_the_target_and_avoid_forbidden(
    seed: int, issues: int, options: int, share: float
) -> None:
    rng = np.random.default_rng(seed)
    n = 32
    own = _tables(rng, n, issues, options)
    others = _tables(rng, n, issues, options) * 3
    forbidden = rng.random((n, issues, options)) < 0.2
    forbidden[..., 0] &= False  # keep at least one option open per issue
    best = np.where(forbidden, -np.inf, own).max(axis=-1).sum(axis=-1)
    target = share * best
    offers = generate_offers(own, others, forbidden, target)
    assert offers.shape == (n, issues)
    assert not np.take_along_axis(forbidden, offers[..., None], axis=-1).any()
    assert (utilities(own, offers) >= target - 1e-6).all()


def test_offer_is_near_best_for_the_others_among_feasible_outcomes() -> None:
    rng = np.random.default_rng(3)
    n, issues, options = 20, 5, 4
    own = _tables(rng, n, issues, options)
    others = _tables(rng, n, issues, options)
    target = np.full(n, 0.6)
    offers = generate_offers(own, others, np.zeros((issues, options), bool), target)
    gaps = []
    for r in range(n):
        best_other = -1.0
        for outcome in itertools.product(range(options), repeat=issues):
            o = np.array(outcome)
            if own[r, np.arange(issues), o].sum() >= 0.6:
                best_other = max(best_other, others[r, np.arange(issues), o].sum())
        got = others[r, np.arange(issues), offers[r]].sum()
        gaps.append(best_other - got)
    assert np.mean(gaps) < 0.03
    assert min(gaps) >= -1e-9


def test_out_of_reach_target_returns_the_proposers_best_offer() -> None:
    own = np.array([[[0.1, 0.5], [0.5, 0.0]]])
    others = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    offers = generate_offers(own, others, np.zeros((2, 2), bool), np.array([2.0]))
    assert offers.tolist() == [[1, 0]]
