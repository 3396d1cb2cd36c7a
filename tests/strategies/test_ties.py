"""Tie-break keys: drawn per replication, independent of position, and used only on exact ties."""

from __future__ import annotations

import numpy as np

from negsim.strategies.offers import generate_offers
from negsim.strategies.ties import draw_tie_keys, ranked_argmax, ranked_max
from negsim.streams import Streams


def _streams(n: int, seed: int = 0) -> Streams:
    return Streams(np.full(n, seed), np.arange(n), np.zeros(n, dtype=int))


def test_keys_order_the_options_of_every_issue_and_the_issues() -> None:
    keys = draw_tie_keys(_streams(200), n_issues=3, n_options=4)
    assert keys.shape == (200, 3, 5) and keys.dtype == np.float32
    assert ((keys >= 0) & (keys < 1)).all()
    assert (np.diff(np.sort(keys, axis=-1), axis=-1) > 0).all(), "distinct within a row"
    firsts = keys[:, 0, :4].argmax(axis=-1)
    assert set(firsts.tolist()) == {0, 1, 2, 3}, "every option comes first in some row"
    assert set(keys[:, :, 4].argmax(axis=-1).tolist()) == {0, 1, 2}, "and every issue"


def test_keys_are_the_replications_own_however_batched() -> None:
    whole = draw_tie_keys(_streams(130), 2, 3)
    part = draw_tie_keys(Streams(np.zeros(30, int), np.arange(100, 130), np.zeros(30, int)), 2, 3)
    assert (whole[100:] == part).all()


def test_ties_go_to_the_largest_key_and_nothing_else_does() -> None:
    values = np.array([[1.0, 3.0, 3.0, 2.0]])
    assert ranked_argmax(values, np.array([[3, 0, 1, 2]])).tolist() == [2]
    assert ranked_argmax(values, np.array([[3, 1, 0, 2]])).tolist() == [1]
    assert ranked_max(values.T, np.array([3.0]), np.array([[3], [0], [1], [2]])).tolist() == [2]


def test_an_offer_between_identical_options_follows_the_keys() -> None:
    """Two options worth exactly the same to everyone: the key decides, row by row."""
    n = 64
    own = np.tile(np.array([[[1.0, 0.5, 0.5]]]), (n, 1, 1))
    other = np.tile(np.array([[[0.0, 1.0, 1.0]]]), (n, 1, 1))
    keys = draw_tie_keys(_streams(n, seed=3), 1, 3)
    offers = generate_offers(own, other, np.zeros((1, 3), bool), np.full(n, 0.4), keys=keys)
    assert set(offers[:, 0].tolist()) == {1, 2}
    expected = np.where(keys[:, 0, 1] > keys[:, 0, 2], 1, 2)
    assert (offers[:, 0] == expected).all()
