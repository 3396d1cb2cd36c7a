"""The view's quick Morris screen: which numbers move the odds (negsim.view.screen)."""

from __future__ import annotations

import pandas as pd
import pytest

from negsim.analysis.sensitivity import DUMMY, Factor
from negsim.formats.load import load_scenario
from negsim.scenario import Scenario
from negsim.view.odds import SweepSpec, run_odds
from negsim.view.screen import Screen, accepted_range, quick_screen, screen_factors
from negsim.view.story import apply, default_setup

SEED = 3


@pytest.fixture(scope="module")
def flagship() -> Scenario:
    """The flagship as the view runs it, with the US deadline far beyond the 100 rounds."""
    scenario = load_scenario("ukraine_2025")
    return apply(scenario, default_setup(scenario)).with_party("us", deadline=500)


@pytest.fixture(scope="module")
def screen(flagship: Scenario) -> Screen:
    return quick_screen(flagship, SEED)


def mu_star(screen: Screen) -> pd.DataFrame:
    return screen.table[screen.table["index"] == "mu_star"].set_index("number")


def test_every_party_number_is_a_factor_with_the_around_ranges(flagship: Scenario) -> None:
    factors = {f.key: f for f in screen_factors(flagship)}
    # parties without a deadline have none to vary
    assert list(factors) == [
        "us.reservation",
        "us.deadline",
        "us.strategy.exponent",
        "russia.reservation",
        "russia.strategy.exponent",
        "ukraine.reservation",
        "ukraine.strategy.exponent",
        "europe.reservation",
        "europe.strategy.exponent",
        DUMMY,
    ]
    ukraine = factors["ukraine.reservation"]
    assert (ukraine.low, ukraine.high) == pytest.approx((0.35, 0.55)) and ukraine.kind == "float"
    deadline = factors["us.deadline"]
    assert (deadline.low, deadline.high, deadline.kind) == (490.0, 510.0, "int")
    exponent = factors["us.strategy.exponent"]  # a conceder's 2.0, within 40%
    assert (exponent.low, exponent.high) == pytest.approx((1.2, 2.8))
    assert (factors[DUMMY].low, factors[DUMMY].high) == (0.0, 1.0)


def test_a_range_keeps_to_the_values_the_strategy_accepts(flagship: Scenario) -> None:
    near_one = flagship.with_party("us", strategy={"name": "conceder", "exponent": 1.2})
    near_one = near_one.with_party("europe", strategy={"name": "boulware", "exponent": 0.9})
    near_one = near_one.with_party("russia", reservation=0.97)
    factors = {f.key: f for f in screen_factors(near_one)}
    conceder = factors["us.strategy.exponent"]
    boulware = factors["europe.strategy.exponent"]
    assert 1.0 < conceder.low < 1.02 and conceder.high == pytest.approx(1.68)
    assert boulware.low == pytest.approx(0.54) and 0.99 < boulware.high < 1.0
    assert factors["russia.reservation"].high == 1.0
    for key, factor in factors.items():
        if key == DUMMY:
            continue
        spec = SweepSpec(*key.split(".", 1))
        for end in (factor.low, factor.high):
            spec.scenario_at(near_one, factor.value(end))  # accepted: no error


def test_accepted_range_pulls_a_refused_end_in() -> None:
    def above_one(x: float) -> str | None:
        return None if x > 1 else "must be above 1"

    factor = accepted_range(Factor("p", 0.5, 1.5), 1.0 + 1e-3, above_one)
    assert factor.low > 1 and factor.high == 1.5


@pytest.mark.slow
def test_the_flagship_screen_has_44_points_and_its_line(screen: Screen) -> None:
    assert (screen.points, screen.replications, screen.negotiations) == (44, 100, 4400)
    assert screen.what_it_did() == (
        "A quick Morris screen: 44 settings \u00d7 100 negotiations, same seed; numbers within "
        "the grey band move the odds no more than a fresh random draw"
    )
    assert screen.labels["ukraine.reservation"] == "Ukraine: reservation"
    assert screen.labels["us.strategy.exponent"] == "United States: conceder exponent"
    assert screen.labels["europe.reservation"] == "European powers: reservation"
    assert set(screen.table["index"]) == {"mu_star", "sigma", "mu"}


@pytest.mark.slow
def test_the_deciding_reservation_ranks_first_above_the_noise_floor(
    flagship: Scenario, screen: Screen
) -> None:
    # Russia's reservation decides the talks: across its range a sure deal becomes a coin flip
    low = run_odds(SweepSpec("russia", "reservation").scenario_at(flagship, 0.45), SEED, 200)
    high = run_odds(SweepSpec("russia", "reservation").scenario_at(flagship, 0.65), SEED, 200)
    assert low.probability == 1.0 and high.probability < 0.7
    star = mu_star(screen)
    assert star.index[0] == "russia.reservation"
    assert star.loc["russia.reservation", "low"] > star.loc[DUMMY, "high"]
    sentence = screen.top_sentence()
    assert sentence.startswith("Russia's reservation moves the odds most")
    assert "(0.45 to 0.65)" in sentence and "raising it lowers the odds" in sentence


@pytest.mark.slow
def test_a_deadline_beyond_the_last_round_moves_nothing(screen: Screen) -> None:
    star = mu_star(screen)
    assert star.loc["us.deadline", "value"] == 0.0
    assert star.loc["us.deadline", "low"] == 0.0
    assert star.index[-1] == "us.deadline"
    assert star.loc[DUMMY, "value"] > 0  # the seed alone moves the odds a little


@pytest.mark.slow
def test_the_same_seed_gives_the_same_table(flagship: Scenario, screen: Screen) -> None:
    again = quick_screen(flagship, SEED)
    pd.testing.assert_frame_equal(again.table, screen.table)
    assert again.factors == screen.factors


def test_no_number_standing_out_is_said_so() -> None:
    table = pd.DataFrame(
        [
            ("a.reservation", "mu_star", 0.05, 0.01, 0.09),
            ("a.reservation", "sigma", 0.05, float("nan"), float("nan")),
            ("a.reservation", "mu", 0.0, float("nan"), float("nan")),
            (DUMMY, "mu_star", 0.04, 0.02, 0.06),
            (DUMMY, "sigma", 0.04, float("nan"), float("nan")),
            (DUMMY, "mu", 0.0, float("nan"), float("nan")),
        ],
        columns=["number", "index", "value", "low", "high"],
    )
    factors = (Factor("a.reservation", 0.3, 0.5), Factor(DUMMY, 0.0, 1.0))
    screen = Screen(table, factors, {"a.reservation": "A: reservation"}, 12, 100)
    assert screen.top_sentence().startswith("No number stands out")


@pytest.mark.slow
def test_the_tornado_names_numbers_by_party_and_field(screen: Screen) -> None:
    from negsim.plots.sensitivity import plot_tornado

    figure = plot_tornado(screen.table, labels=screen.labels)
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert ticks[0] == "Russia: reservation"
    assert "United States: deadline" in ticks
    assert DUMMY not in ticks  # the dummy is the grey band, not a bar
