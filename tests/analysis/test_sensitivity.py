"""Sensitivity designs and indices: SALib's published values, known rankings, words, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from negsim.analysis.sensitivity import DUMMY, Factor, design, factor_values, indices
from negsim.sweep.sensitivity import describe

# Ishigami (a = 7, b = 0.1): the analytic indices SALib's documentation quotes.
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_indices_of_the_ishigami_function_match_the_published_values() -> None:
    factors = [Factor(name, -math.pi, math.pi) for name in ISHIGAMI_S1]
    x = design(factors, "sobol", samples=1024, seed=1)
    assert x.shape == (1024 * (3 + 2), 3)
    table = indices(factors, x, Ishigami.evaluate(x), "sobol", seed=1)
    assert table[table["index"] == "ST"]["number"].tolist() == ["x1", "x2", "x3"]  # ranked
    for kind, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        rows = table[table["index"] == kind].set_index("number")
        for name, value in truth.items():
            assert rows.loc[name, "low"] <= value <= rows.loc[name, "high"], (kind, name)
            assert abs(rows.loc[name, "value"] - value) < 0.02, (kind, name)


def test_morris_ranks_a_deciding_number_first_and_an_inert_one_at_zero() -> None:
    factors = [Factor("inert", 0.0, 1.0), Factor("strong", 0.0, 1.0), Factor("weak", 0.0, 1.0)]
    x = design(factors, "morris", trajectories=10, seed=3)
    assert x.shape == (10 * 4, 3)
    y = 0.8 * x[:, 1] + 0.1 * x[:, 2] ** 2
    table = indices(factors, x, y, "morris", seed=3)
    star = table[table["index"] == "mu_star"].set_index("number")
    assert star.index.tolist() == ["strong", "weak", "inert"]
    assert star.loc["strong", "value"] == pytest.approx(0.8)  # a linear effect across the range
    assert star.loc["inert", "value"] == 0.0 and star.loc["inert", "low"] == 0.0


def test_the_same_seed_gives_the_same_design_and_indices() -> None:
    factors = [Factor("a", 0.0, 2.0), Factor("b", 1.0, 5.0, "int")]
    first, second = design(factors, "morris", seed=7), design(factors, "morris", seed=7)
    assert first.tobytes() == second.tobytes()
    y = np.sin(first[:, 0]) + first[:, 1]
    a = indices(factors, first, y, "morris", seed=7)
    b = indices(factors, second, y, "morris", seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_whole_numbers_and_choices_take_their_values() -> None:
    whole = Factor("deadline", 10.0, 20.0, "int")
    assert [whole.value(v) for v in (9.7, 10.4, 14.5, 20.0)] == [10, 10, 14, 20]
    choice = Factor("strategy", 0.0, 3.0, "choice", ("boulware", "linear", "conceder"))
    assert [choice.value(v) for v in (0.0, 0.99, 1.0, 2.5, 3.0)] == [
        "boulware", "boulware", "linear", "conceder", "conceder"
    ]  # fmt: skip
    real = Factor("reservation", 0.2, 0.6)
    assert factor_values([real, whole], np.array([[0.30000000000000004, 12.2]])) == [[0.3, 12]]


@pytest.mark.parametrize(
    ("factors", "method", "options", "message"),
    [
        ([Factor("a", 0.5, 0.5)], "morris", {}, "a: the range"),
        ([Factor("a", 0.0, 1.0)], "fast", {}, "method must be one of"),
        ([Factor("a", 0.0, 1.0)], "sobol", {"samples": 100}, "power of two"),
        ([Factor("a", 0.0, 1.0)], "morris", {"levels": 3}, "even number of levels"),
        ([Factor(DUMMY, 0.0, 1.0)], "morris", {}, "no numbers to vary"),
        ([Factor("a", 0.0, 1.0), Factor("a", 0.0, 2.0)], "morris", {}, "given twice"),
    ],
)
def test_bad_designs_say_what_is_wrong_in_one_line(
    factors: list[Factor], method: str, options: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        design(factors, method, **options)
    assert "\n" not in str(caught.value)


def _table(rows: list[tuple[str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(name, "mu_star", v, lo, hi) for name, v, lo, hi in rows],
        columns=["number", "index", "value", "low", "high"],
    )


def test_words_say_which_order_is_sure_and_what_is_noise() -> None:
    table = _table([
        ("scenario.parties.ukraine.reservation", 0.40, 0.35, 0.45),
        ("scenario.parties.russia.reservation", 0.20, 0.15, 0.25),
        ("scenario.parties.us.deadline", 0.18, 0.12, 0.24),
        ("scenario.parties.europe.reservation", 0.01, 0.0, 0.03),
        (DUMMY, 0.02, 0.0, 0.04),
    ])  # fmt: skip
    text = " ".join(describe(table))
    assert text.startswith("The numbers that move the odds of a deal most, by μ*: ")
    assert "ukraine.reservation (μ* 0.400, 0.350-0.450)" in text
    assert "Not sure of the order of russia.reservation and us.deadline" in text
    assert "Sure: ukraine.reservation above russia.reservation" in text
    assert "Within it, so not measurably moving the odds of a deal: europe.reservation." in text


def test_words_when_every_order_is_sure_and_no_dummy() -> None:
    table = _table([("a", 0.5, 0.4, 0.6), ("b", 0.1, 0.05, 0.15)])
    assert describe(table) == [
        "The numbers that move the odds of a deal most, by μ*: a (μ* 0.500, 0.400-0.600); "
        "b (μ* 0.100, 0.050-0.150).",
        "The order of these 2 is sure: no two neighbours' intervals overlap.",
    ]
