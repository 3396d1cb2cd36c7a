"""The frequency opponent model learns from offers only."""

from __future__ import annotations

import numpy as np

from negsim.strategies.opponent import FrequencyModel


def test_repeated_options_and_kept_issues_get_high_estimates() -> None:
    mask = np.ones((2, 3), dtype=bool)
    model = FrequencyModel(n_parties=2, replications=1, option_mask=mask)
    rows = np.array([0])
    # Party 0 always offers option 2 on issue 0 and wanders on issue 1.
    for k in (0, 1, 2, 0):
        model.observe_offers(np.array([0]), rows, np.array([[2, k]]))
    table = model.tables(np.array([0]), rows)[0, 0]
    assert table[0].argmax() == 2
    assert table[0].max() > table[1].max()  # issue 0 looks heavier
    np.testing.assert_array_equal(table, model.estimates[0, 0])


def test_acceptances_count_as_weaker_evidence() -> None:
    mask = np.ones((1, 2), dtype=bool)
    model = FrequencyModel(n_parties=1, replications=2, option_mask=mask)
    model.observe_offers(np.array([0]), np.array([0]), np.array([[1]]))
    model.observe_accepts(0, np.array([1]), np.array([[1]]))
    assert model.counts[0, 0, 0, 1] == 1.0
    assert model.counts[0, 1, 0, 1] == 0.5
    assert model.estimates[0, 1, 0, 1] > model.estimates[0, 1, 0, 0]
