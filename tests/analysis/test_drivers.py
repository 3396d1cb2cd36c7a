"""What moved the odds: drawn numbers ranked against inert ones (`negsim.analysis.drivers`)."""

from __future__ import annotations

import numpy as np
import pytest
from SALib.analyze import rbd_fast

from negsim.analysis.drawn import drawn_numbers
from negsim.analysis.drivers import (
    MIN_EACH,
    MIN_ROWS,
    first_order,
    odds_summary,
    rank_drivers,
    why_no_ranking,
)
from negsim.model import NegotiationModel
from negsim.scenario import Scenario, parse_scenario
from tests.builders import small_scenario_data


def _known_scenario() -> Scenario:
    """p0's reservation is uncertain and decides agreement; p1's option values vary too, and on
    issue i2, which p1 gives no weight, they cannot matter."""
    data = small_scenario_data(2, 3, 3, reservation=0.3)
    p0, p1 = data["parties"]["p0"], data["parties"]["p1"]
    p0["reservation"] = 0.5
    p0["uncertainty"] = {"reservation": 0.15}
    for issue, weight in (("i0", 0.5), ("i1", 0.5), ("i2", 0.0)):
        p1["positions"][issue]["weight"] = weight
    p1["uncertainty"] = {"values": 0.1}
    return parse_scenario(data)


@pytest.fixture(scope="module")
def known() -> tuple[Scenario, np.ndarray, np.ndarray]:
    scenario = _known_scenario()
    # 2,000 replications: an inert number's index varies by about 0.003 and the deciding one
    # scores about 0.5, some 60 of its interval's half-widths above the floor; no seed's noise
    # comes near that.
    results = NegotiationModel(scenario, replications=2000, seed=3).run(progress=False).results()
    columns = [n.column for n in drawn_numbers([scenario])]
    agreed = (results["outcome"] == "agreement").to_numpy()
    return scenario, results[columns].to_numpy(float), agreed


@pytest.mark.slow
def test_the_deciding_number_ranks_first_far_above_noise_and_a_number_of_no_effect_does_not(
    known: tuple[Scenario, np.ndarray, np.ndarray],
) -> None:
    scenario, drawn, agreed = known
    numbers = drawn_numbers([scenario])
    ranking = rank_drivers(drawn, agreed, [n.column for n in numbers], seed=0, shown=len(numbers))
    assert ranking.names[0] == "reservation_p0"
    assert ranking.low[0] > 10 * ranking.floor > 0
    inert_low, floor = ranking.inert[1], ranking.inert[2]
    assert inert_low <= floor == ranking.floor  # the inert numbers' range reaches the floor
    for option in ("o0", "o1", "o2"):  # p1's values on i2, which it gives no weight
        k = ranking.names.index(f"value_p1_i2_{option}")
        assert not ranking.above_noise[k]
        assert ranking.low[k] <= floor and ranking.high[k] >= inert_low  # overlaps the inert
    assert ranking.above_noise.sum() == 1


@pytest.mark.slow
def test_same_seed_same_ranking(known: tuple[Scenario, np.ndarray, np.ndarray]) -> None:
    scenario, drawn, agreed = known
    numbers = drawn_numbers([scenario])
    first, again = (odds_summary(drawn, agreed, numbers, scenario, seed=5) for _ in range(2))
    assert first == again
    other = odds_summary(drawn, agreed, numbers, scenario, seed=6)
    assert [e["index"] for e in other["top"]] == [e["index"] for e in first["top"]]
    assert other["noise_floor"] != first["noise_floor"]  # the inert numbers are the seed's


def test_indices_are_salibs_rbd_fast_on_data_without_ties() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((600, 5))
    y = (x[:, 0] + 0.4 * x[:, 1] + 0.3 * rng.standard_normal(600) > 0.9).astype(float)
    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0.0, 1.0]] * 5}
    salib = rbd_fast.analyze(problem, x, y, M=10, num_resamples=2, seed=0)["S1"]
    ours = first_order(y[np.argsort(x, axis=0).T])
    np.testing.assert_allclose(ours, salib, rtol=0, atol=1e-12)


def test_a_pure_step_reads_close_to_one() -> None:
    step = np.r_[np.zeros(500), np.ones(500)]
    assert 0.9 < first_order(step[None, :])[0] <= 1.0


def test_intervals_only_where_they_can_matter() -> None:
    rng = np.random.default_rng(2)
    x = rng.random((1000, 30))
    ranking = rank_drivers(x, x[:, 3] > 0.5, [f"x{k}" for k in range(30)], seed=0, shown=4)
    assert ranking.names[0] == "x3" and ranking.above_noise[0]
    assert np.isfinite(ranking.low[:4]).all()
    unshown = ~np.isfinite(ranking.low)
    assert (ranking.index[unshown] <= ranking.floor).all()
    assert not ranking.above_noise[unshown].any()


@pytest.mark.parametrize(
    ("rows", "agreements", "numbers", "says"),
    [
        (1000, 500, 0, "nothing varies"),
        (MIN_ROWS - 1, 50, 3, "too few replications"),
        (1000, 0, 3, "no replication agreed"),
        (1000, 1000, 3, "every replication agreed"),
        (1000, MIN_EACH - 1, 3, "too few agreements"),
        (1000, 1000 - MIN_EACH + 1, 3, "too few failures"),
    ],
)
def test_no_ranking_is_one_line_saying_why(
    rows: int, agreements: int, numbers: int, says: str
) -> None:
    note = why_no_ranking(rows, agreements, numbers)
    assert note is not None and says in note and "\n" not in note


def test_the_summary_gives_the_note_instead_of_a_ranking() -> None:
    scenario = _known_scenario()
    numbers = drawn_numbers([scenario])
    drawn = np.random.default_rng(0).random((500, len(numbers)))
    odds = odds_summary(drawn, np.ones(500, dtype=bool), numbers, scenario)
    assert odds["note"] == "every replication agreed: nothing to explain"
    assert "top" not in odds and odds["replications"] == 500
    assert why_no_ranking(1000, 500, 3) is None
