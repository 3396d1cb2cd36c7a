"""Scenario discovery: conditions, inputs, PRIM on a planted box, the box chosen, the errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from negsim.analysis.discovery import (
    MIN_POINTS,
    Condition,
    Step,
    choose_box,
    default_inputs,
    describe,
    discover,
    parse_condition,
    prepare,
)
from negsim.errors import NegsimError

KEYS = ["x0", "x1", "x2"]


def sweep_like(x: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """A table shaped as a sweep table: swept keys first, then job, status and the figures."""
    frame = pd.DataFrame(x, columns=KEYS[: x.shape[1]])
    return frame.assign(
        job=np.arange(len(frame)),
        status="ok",
        agreement_probability=outcome,
        mean_rounds=30 * outcome,
    )


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """400 points uniform on [0, 1]^3; talks fail where x0 > 0.6 and x1 < 0.3, with 3% of the
    labels flipped; x2 is inert."""
    rng = np.random.default_rng(20250)
    x = rng.uniform(size=(400, 3))
    fail = (x[:, 0] > 0.6) & (x[:, 1] < 0.3)
    fail ^= rng.uniform(size=400) < 0.03
    return sweep_like(x, np.where(fail, 0.1, 0.9))


@pytest.mark.slow  # importing the EMA Workbench takes seconds
def test_prim_finds_the_planted_box_and_leaves_the_inert_number_alone(
    planted: pd.DataFrame,
) -> None:
    result = discover(planted, "agreement<0.3", density=0.8)
    limits = {limit.name: limit for limit in result.limits}
    assert set(limits) == {"x0", "x1"}  # x2 does not matter, and is not restricted
    assert limits["x0"].lower == pytest.approx(0.6, abs=0.05) and limits["x0"].upper is None
    assert limits["x1"].upper == pytest.approx(0.3, abs=0.05) and limits["x1"].lower is None
    # flipped labels outside the planted box are points of interest no box can hold
    fail = planted["agreement_probability"] < 0.3
    inside = (planted["x0"] > 0.6) & (planted["x1"] < 0.3)
    assert result.density >= 0.8
    assert result.coverage >= 0.9 * (fail & inside).sum() / fail.sum()
    assert result.points == 400
    assert result.of_interest == int((planted["agreement_probability"] < 0.3).sum())
    assert result.inputs == ("x0", "x1", "x2")
    assert set(result.ranges) == {"x0", "x1", "x2"}
    # the trajectory starts from the box of all points and ends denser
    first, last = result.trajectory[0], result.trajectory[-1]
    assert (first.coverage, first.restricted, first.points) == (1.0, 0, 400)
    assert first.density == pytest.approx(result.of_interest / 400)
    assert last.density > first.density
    for step in result.trajectory:
        assert step.of_interest == pytest.approx(step.density * step.points)
        assert step.of_interest == pytest.approx(step.coverage * result.of_interest)
    # another step is there for the asking, with its own limits
    other = discover(planted, "agreement<0.3", box=1)
    assert other.box == 1 and other.rule == "chosen with --box"
    assert other.coverage == result.trajectory[1].coverage
    assert len(other.limits) == result.trajectory[1].restricted
    # the JSON form holds the condition, the box, and every step with its limits
    data = json.loads(json.dumps(result.to_dict()))
    assert data["condition"]["column"] == "agreement_probability"
    assert data["box"] == result.box and data["density"] == result.density
    assert len(data["trajectory"]) == len(result.trajectory)
    assert data["trajectory"][result.box]["limits"] == data["limits"]
    words = describe(result)
    x0, x1 = limits["x0"].lower, limits["x1"].upper
    assert words == (
        f"Talks fail (agreement < 0.3) in {result.density:.0%} of the points where "
        f"x0 >= {x0:.3g} and x1 <= {x1:.3g} (density); this box holds {result.coverage:.0%} "
        "of all such points (coverage)."
    )


@pytest.mark.slow
def test_the_default_box_keeps_only_significant_restrictions(planted: pd.DataFrame) -> None:
    """PRIM also peeled a sliver off the inert x2 here; the default box drops it again."""
    result = discover(planted, "agreement<0.3")
    assert all(limit.quasi_p is not None and limit.quasi_p < 0.05 for limit in result.limits)
    assert "then without the restriction on x2" in result.rule
    assert result.box == len(result.trajectory) - 1  # the box without it, added as a step
    before = int(result.rule.split("(step ")[1].split(";")[0])
    assert "x2" in {limit.name for limit in result.all_limits[before]}
    assert result.trajectory[result.box].restricted == 2


@pytest.mark.slow
def test_a_categorical_swept_key_can_be_restricted() -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(size=(300, 1))
    strategy = rng.choice(["boulware", "conceder", "linear"], size=300)
    fail = (strategy == "boulware") & (x[:, 0] > 0.5)
    table = sweep_like(x, np.where(fail, 0.0, 1.0)).assign(strategy=strategy)
    result = discover(table, "agreement<0.5", inputs=["x0", "strategy"], density=0.95)
    limits = {limit.name: limit for limit in result.limits}
    assert limits["strategy"].categories == ("boulware",)
    assert limits["strategy"].all_categories == ("boulware", "conceder", "linear")
    assert limits["x0"].lower == pytest.approx(0.5, abs=0.05)
    assert "strategy in {boulware}" in describe(result)


@pytest.mark.parametrize(
    ("text", "column", "op", "threshold"),
    [
        ("agreement<0.3", "agreement_probability", "<", 0.3),
        ("agreement <= 0.3", "agreement_probability", "<=", 0.3),
        (" agreement>0.8 ", "agreement_probability", ">", 0.8),
        ("mean_rounds>=30", "mean_rounds", ">=", 30.0),
        ("share_walkaway_russia>.25", "share_walkaway_russia", ">", 0.25),
        ("scenario.parties.us.deadline<1e2", "scenario.parties.us.deadline", "<", 100.0),
    ],
)
def test_conditions_are_read(text: str, column: str, op: str, threshold: float) -> None:
    condition = parse_condition(text)
    assert (condition.column, condition.op, condition.threshold) == (column, op, threshold)


def test_a_condition_holds_as_written() -> None:
    values = np.array([0.2, 0.3, 0.4])
    assert parse_condition("agreement<0.3").holds(values).tolist() == [True, False, False]
    assert parse_condition("agreement<=0.3").holds(values).tolist() == [True, True, False]
    assert parse_condition("agreement>0.3").holds(values).tolist() == [False, False, True]
    assert parse_condition("agreement >= 0.3").words() == "agreement >= 0.3"
    assert parse_condition("mean_rounds>30").words() == "mean_rounds > 30"


@pytest.mark.parametrize("text", ["agreement=0.3", "agreement", "<0.3", "agreement<low", ""])
def test_a_malformed_condition_is_one_line(text: str) -> None:
    with pytest.raises(NegsimError, match=r"not COLUMN OP NUMBER") as info:
        parse_condition(text)
    assert "\n" not in str(info.value)


def test_the_swept_keys_are_the_columns_before_job() -> None:
    table = sweep_like(np.zeros((2, 2)), np.zeros(2))
    assert default_inputs(table) == ["x0", "x1"]
    assert default_inputs(pd.DataFrame({"a": [1]})) == []


def test_inputs_numbers_stay_numbers_text_becomes_categories_constants_are_left_out() -> None:
    n = 12
    table = sweep_like(np.linspace(0, 1, 2 * n).reshape(n, 2), np.linspace(0, 1, n))
    table.insert(2, "strategy", ["a", "b"] * (n // 2))
    table.insert(3, "seed_key", 5)
    x, y, notes = prepare(table, parse_condition("agreement<0.5"), default_inputs(table))
    assert list(x.columns) == ["x0", "x1", "strategy"]
    assert x["x0"].dtype == np.float64 and x["strategy"].dtype == object
    assert y.tolist() == (table["agreement_probability"] < 0.5).tolist()
    assert notes == ["seed_key left out: one value only"]


def test_unfinished_jobs_are_left_out_with_a_note() -> None:
    n = MIN_POINTS + 2
    table = sweep_like(np.linspace(0, 1, n).reshape(n, 1), np.linspace(0, 1, n))
    table.loc[0, "status"] = "failed"
    table.loc[1, "agreement_probability"] = np.nan
    x, y, notes = prepare(table, parse_condition("agreement<0.5"), ["x0"])
    assert len(x) == len(y) == n - 2
    assert notes == ["2 jobs left out: not finished or no value"]


def _table(n: int = 20) -> pd.DataFrame:
    x = np.linspace(0, 1, n).reshape(n, 1)
    return sweep_like(x, np.linspace(0, 1, n)).assign(top_deal="crimea=a")


@pytest.mark.parametrize(
    ("table", "condition", "inputs", "message"),
    [
        (_table(), "agreemnt<0.3", None, r"no column 'agreemnt' \(columns: agreement, "),
        (_table(), "top_deal<0.3", None, r"column 'top_deal' holds no numbers"),
        (_table(), "agreement<0", None, r"no point meets it \(of 20 finished points\)"),
        (_table(), "agreement<=1", None, r"every point meets it \(all 20 finished points\)"),
        (_table(MIN_POINTS - 1), "agreement<0.3", None, r"only 9 finished points; PRIM needs"),
        (_table().assign(x0=0.5), "agreement<0.3", None, r"no numeric swept input varies"),
        (_table(), "agreement<0.3", ["top_deal"], r"no numeric swept input varies"),
        (_table(), "agreement=0.3", None, r"not COLUMN OP NUMBER"),
    ],
)
def test_every_error_is_one_line_naming_the_source_and_condition(
    table: pd.DataFrame, condition: str, inputs: list[str] | None, message: str
) -> None:
    with pytest.raises(NegsimError, match=message) as info:
        discover(table, condition, inputs, source="runs/sweep")
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"runs/sweep: condition {condition!r}: ")


@pytest.mark.parametrize("density", [0.0, -0.2, 1.5])
def test_a_density_outside_zero_to_one_is_refused(density: float) -> None:
    with pytest.raises(NegsimError, match=r"runs/sweep: --density .*: must be in \(0, 1\]"):
        discover(_table(), "agreement<0.3", density=density, source="runs/sweep")


def test_the_default_box_has_the_most_coverage_among_the_dense_enough() -> None:
    steps = [
        Step(1.0, 0.3, 0, 36, 11),
        Step(0.9, 0.8, 1, 12, 10),
        Step(0.9, 0.8, 2, 12, 10),  # as good, but restricts more
        Step(0.7, 1.0, 2, 8, 8),
    ]
    assert choose_box(steps, 0.8) == (1, "the most coverage with density >= 0.8")
    assert choose_box(steps, 0.95)[0] == 3
    best, rule = choose_box(steps[:2], 0.9)  # none reaches it: the densest
    assert best == 1 and rule == "the densest box (no box reaches density 0.9)"


def test_a_condition_that_holds_everywhere_in_the_box_of_all_points_needs_no_restriction() -> None:
    condition = Condition("agreement<0.3", "agreement_probability", "<", 0.3)
    from negsim.analysis.discovery import Discovery

    result = Discovery(condition, ("x0",), 10, 9, 0, "rule", (), {}, (Step(1.0, 0.9, 0, 10, 9),))
    assert describe(result) == (
        "Talks fail (agreement < 0.3) in 90% of all points (no restriction) (density); "
        "this box holds 100% of all such points (coverage)."
    )
