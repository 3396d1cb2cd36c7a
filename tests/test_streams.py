"""A random stream per replication: results do not depend on batching or on model neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.runs.batch import run_batches
from negsim.scenario.draws import draw_scenario
from negsim.scenario.points import Point
from negsim.streams import BLOCK, NOISE, OPENER, Streams

FLAGSHIP = load_scenario("ukraine_2025")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table with missing values spelled one way (concatenation mixes None and NaN)."""
    frame = frame.reset_index(drop=True).astype(object)
    return frame.where(frame.notna(), None)


def _streams(start: int, size: int, seed: int = 3) -> Streams:
    return Streams(np.full(size, seed), np.arange(start, start + size), np.zeros(size, int))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 300), st.integers(1, 200), st.integers(1, 70))
def test_a_replication_draws_the_same_numbers_wherever_its_batch_starts(start, size, round_):
    whole = _streams(0, start + size)
    part = _streams(start, size)
    np.testing.assert_array_equal(whole.integers(OPENER, 4)[start:], part.integers(OPENER, 4))
    np.testing.assert_array_equal(whole.normal((7,), (2, 3))[start:], part.normal((7,), (2, 3)))
    np.testing.assert_array_equal(
        whole.normal_at((NOISE, 1), round_)[start:], part.normal_at((NOISE, 1), round_)
    )


def test_purposes_seeds_and_tags_give_independent_numbers() -> None:
    streams = _streams(0, 4 * BLOCK)
    a, b = streams.normal((1,)), streams.normal((2,))
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.2
    assert not np.array_equal(a, _streams(0, 4 * BLOCK, seed=4).normal((1,)))
    assert not np.array_equal(a, streams.derived(9).normal((1,)))
    # Rounds of a purpose follow each other in the stream; a round asked twice is the same.
    assert not np.array_equal(streams.normal_at((1,), 1), streams.normal_at((1,), 2))
    np.testing.assert_array_equal(streams.normal_at((1,), 40), streams.normal_at((1,), 40))


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["alternating", "simultaneous", "mediated", "split_track"])
def test_batch_size_changes_memory_never_results(protocol: str) -> None:
    runs = [
        run_batches(FLAGSHIP, 600, seed=5, batch_size=size, protocol=protocol).results
        for size in (600, 250, 64)
    ]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(_plain(runs[0]), _plain(other))


@pytest.mark.slow
def test_the_flagship_agrees_as_often_in_any_batch_size() -> None:
    """The issue's case: 3000 replications, seed 5, in batches of 700, 1000, 3000 and 10000."""
    tables = [
        run_batches(FLAGSHIP, 3000, seed=5, batch_size=size).results
        for size in (700, 1000, 3000, 10_000)
    ]
    for table in tables[1:]:
        pd.testing.assert_frame_equal(_plain(tables[0]), _plain(table))
    assert tables[0]["replication"].tolist() == list(range(3000))


def _noisy(reservation: float, exponent: float, noise: float) -> Point:
    scenario = FLAGSHIP.override(
        {
            "parties.ukraine.reservation": reservation,
            "parties.russia.strategy": {
                "name": "noisy_boulware",
                "exponent": exponent,
                "noise": noise,
            },
        }
    )
    return scenario


def test_points_side_by_side_tell_the_stories_they_tell_alone() -> None:
    """Sweep points differing in reservation, strategy parameters, deadline, spreads and opening
    party share one model and each gets exactly the rows it gets alone."""
    scenarios = [
        _noisy(0.30, 0.2, 0.05),
        _noisy(0.45, 0.5, 0.10).with_party("us", deadline=60),
        _noisy(0.30, 0.2, 0.05).with_party("europe", uncertainty={"weights": 5, "values": 0.1}),
    ]
    points = [
        Point(scenarios[0], seed=1, replications=70),
        Point(scenarios[1], seed=1, replications=130, start=20, first_proposer="ukraine"),
        Point(scenarios[2], seed=9, replications=90),
    ]
    packed = NegotiationModel.from_points(points, max_rounds=80).run().results()
    offset = 0
    for point in points:
        alone = (
            NegotiationModel(
                point.scenario,
                replications=point.replications,
                seed=point.seed,
                start=point.start,
                first_proposer=point.first_proposer,
                max_rounds=80,
            )
            .run()
            .results()
        )
        rows = packed.iloc[offset : offset + point.replications]
        pd.testing.assert_frame_equal(_plain(alone), _plain(rows))
        offset += point.replications


def test_a_changed_number_leaves_every_other_random_number_alone() -> None:
    """Common random numbers: raising Ukraine's reservation changes Ukraine's reservation only."""
    base = draw_scenario(FLAGSHIP, 500, seed=2)
    moved = draw_scenario(FLAGSHIP.with_party("ukraine", reservation=0.5), 500, seed=2)
    np.testing.assert_array_equal(base.weights, moved.weights)
    np.testing.assert_array_equal(base.values, moved.values)
    ukraine = FLAGSHIP.party_names.index("ukraine")
    others = [p for p in range(len(FLAGSHIP.parties)) if p != ukraine]
    np.testing.assert_array_equal(base.reservations[others], moved.reservations[others])
    assert (moved.reservations[ukraine] > base.reservations[ukraine]).mean() > 0.9


def test_points_of_another_structure_cannot_share_a_model() -> None:
    other = FLAGSHIP.with_party("russia", strategy={"name": "linear"})
    points = [Point(FLAGSHIP, 0, 10), Point(other, 0, 10)]
    with pytest.raises(NegsimError, match="differs in structure"):
        NegotiationModel.from_points(points)


@pytest.mark.parametrize("seed", ["abc", -1, 1.5, True])
def test_a_bad_seed_is_negsims_error(seed: object) -> None:
    with pytest.raises(NegsimError, match="seed: must be a whole number >= 0"):
        NegotiationModel(FLAGSHIP, replications=2, seed=seed)  # type: ignore[arg-type]
