"""`stated_analyses` gives, point by point, exactly what `stated_analysis` gives, group by group."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import negsim.analysis.stated as stated
from negsim.analysis import analyse
from negsim.analysis.outcomes import DEFAULT_LIMIT
from negsim.analysis.stated import count_at_least, stated_analyses, stated_analysis
from negsim.formats.load import load_scenario
from negsim.scenario import Scenario, parse_scenario
from tests.builders import exact_weights, random_scenario_data

KEYS = {
    "method",
    "zopa_exists",
    "zopa_outcomes",
    "zopa_share",
    "zopa_exact",
    "outcomes",
    "nash",
    "kalai_smorodinsky",
    "egalitarian",
    "max_welfare",
}


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """The same keys and, bit for bit, the same values: the same floats from the same operations
    (stronger than the 1e-12 the task allows), so counts, flags and None match too."""
    assert set(got) == set(want) == KEYS
    for key in KEYS:
        assert got[key] == want[key], key


def _count_frontiers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the size of every outcome set `stated_analyses` takes the frontier of."""
    calls: list[int] = []
    frontier = stated.pareto_frontier

    def counted(utilities: np.ndarray) -> np.ndarray:
        calls.append(len(utilities))
        return frontier(utilities)

    monkeypatch.setattr(stated, "pareto_frontier", counted)
    return calls


# ---------------------------------------------------------------- the flagship

FLAGSHIP_PAIRS = [(0.2, 0.4), (0.3, 0.7), (0.9, 0.9), (0.45, 0.55)]  # ukraine, russia


@pytest.fixture(scope="module")
def flagship_points() -> list[Scenario]:
    base = load_scenario("ukraine_2025")
    return [
        base.override({"parties.ukraine.reservation": u, "parties.russia.reservation": r})
        for u, r in FLAGSHIP_PAIRS
    ]


@pytest.fixture(scope="module")
def flagship_expected(flagship_points: list[Scenario]) -> list[dict[str, Any]]:
    return [stated_analysis(point) for point in flagship_points]


@pytest.mark.slow
def test_flagship_points_equal_one_analysis_each(
    flagship_points: list[Scenario],
    flagship_expected: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _count_frontiers(monkeypatch)
    order = [2, 0, 3, 1, 0]  # shuffled, with a repeat: results follow the input order
    got = stated_analyses([flagship_points[i] for i in order], progress=False)
    assert calls == [663_552]  # one frontier of every admissible outcome for all the points
    assert len(got) == len(order)
    for result, i in zip(got, order, strict=True):
        assert_same(result, flagship_expected[i])
    assert got[1] is not got[4] and got[1]["nash"] is not got[4]["nash"]  # fresh dicts
    # The cases the test is meant to cover: a wide ZOPA, a tiny one, none, the stated numbers.
    zopas = [e["zopa_outcomes"] for e in flagship_expected]
    assert zopas[0] > zopas[3] > zopas[1] > 0 == zopas[2]
    assert flagship_expected[2]["nash"] is None and flagship_expected[0]["method"] == "exact"
    assert flagship_expected[3]["zopa_outcomes"] == 58005  # the module docstring of bargaining


# ---------------------------------------------------------------- small random scenarios


def _with_red_lines(data: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Give some parties a red line on an option that is not their best, so stays valid."""
    for party in data["parties"].values():
        if rng.random() < 0.5:
            continue
        issue = str(rng.choice(sorted(party["positions"])))
        values = party["positions"][issue]["values"]
        worse = sorted(o for o, v in values.items() if v < 1.0)
        if worse:
            party["red_lines"] = {issue: [str(rng.choice(worse))]}
    return data


def _variants(data: dict[str, Any], rng: np.random.Generator) -> list[dict[str, Any]]:
    """The base scenario and variants that must form groups of their own: other weights for
    p0, another option value for p1, the last party not required, and (when p0 has an option to
    spare) one more red line for p0, which leaves the utility tables as they are."""
    reweighted = copy.deepcopy(data)
    positions = reweighted["parties"]["p0"]["positions"]
    weights = exact_weights(rng.uniform(0.05, 1.0, size=len(positions)))
    for position, weight in zip(positions.values(), weights, strict=True):
        position["weight"] = weight
    revalued = copy.deepcopy(data)
    values = next(iter(revalued["parties"]["p1"]["positions"].values()))["values"]
    worst = min(values, key=values.get)
    values[worst] = round(min(1.0, values[worst] + 0.25), 3)
    optional = copy.deepcopy(data)
    optional["parties"][sorted(optional["parties"])[-1]]["required"] = False
    variants = [data, reweighted, revalued, optional]
    red = copy.deepcopy(data)
    party = red["parties"]["p0"]
    lines = party.setdefault("red_lines", {})
    for issue, position in party["positions"].items():
        spare = [
            o for o, v in position["values"].items() if v < 1.0 and o not in lines.get(issue, [])
        ]
        if spare:
            lines[issue] = [*lines.get(issue, []), spare[0]]
            variants.append(red)
            break
    return variants


def _point(data: dict[str, Any], reservations: dict[str, float]) -> Scenario:
    point = copy.deepcopy(data)
    for name, value in reservations.items():
        point["parties"][name]["reservation"] = value
    return parse_scenario(point)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_parties=st.integers(2, 4),
    n_issues=st.integers(1, 4),
    max_options=st.integers(2, 5),
    n_points=st.integers(1, 12),
)
def test_random_exact_points_equal_one_analysis_each(
    seed: int, n_parties: int, n_issues: int, max_options: int, n_points: int
) -> None:
    rng = np.random.default_rng(seed)
    base = random_scenario_data(rng, n_parties, n_issues, max_options)
    variants = _variants(_with_red_lines(base, rng), rng)
    names = sorted(base["parties"])
    analyses = [analyse(parse_scenario(v)) for v in variants]
    points = []
    for _ in range(n_points):
        which = int(rng.integers(len(variants)))
        columns = analyses[which].parties  # the required parties
        front = analyses[which].frontier_utilities
        # Each party's reservation on a coarse grid (so points repeat and tie), or at a frontier
        # point's utility give or take less than the tolerance (so the ZOPA and the bargaining
        # set turn on "at least, up to 1e-9"), from no floor at all to one nothing reaches.
        corner = front[int(rng.integers(len(front)))] if len(front) else None
        reservations = {}
        for name in names:
            if corner is None or name not in columns or rng.random() < 0.4:
                reservations[name] = float(rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]))
            else:
                p = columns.index(name)
                offset = float(rng.choice([-5e-10, 0.0, 5e-10, 2e-9]))
                reservations[name] = float(max(0.0, min(corner[p] + offset, front[:, p].max())))
        points.append(_point(variants[which], reservations))
    got = stated_analyses(points, progress=False)
    assert len(got) == len(points)
    for result, point in zip(got, points, strict=True):
        assert result["method"] == "exact"
        assert_same(result, stated_analysis(point))


def test_weight_and_red_line_variants_form_their_own_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(5)
    base, reweighted, *_, red = _variants(random_scenario_data(rng, 3, 3, 4), rng)
    assert "red_lines" in red["parties"]["p0"]
    points = [
        _point(variant, {"p0": r, "p1": 0.3})
        for r in (0.2, 0.4, 0.6)
        for variant in (base, reweighted, red)  # interleaved
    ]
    calls = _count_frontiers(monkeypatch)
    got = stated_analyses(points, progress=False)
    assert len(calls) == 3  # one enumeration per group
    assert calls[2] < calls[0]  # the red line leaves fewer admissible outcomes
    for result, point in zip(got, points, strict=True):
        assert_same(result, stated_analysis(point))
    assert got[0]["nash"] != got[1]["nash"]  # the weights matter, so sharing them would be wrong
    assert got[0]["zopa_outcomes"] != got[2]["zopa_outcomes"]  # and so do red lines


# ---------------------------------------------------------------- the approximate method


@pytest.mark.parametrize("n_parties", [2, 3])
def test_approximate_points_equal_one_analysis_each(n_parties: int) -> None:
    # 10 issues x 4 options: 1,048,576 admissible outcomes, just above the exact limit.
    base = random_scenario_data(1, n_parties, n_issues=10, max_options=4, min_options=4)
    assert DEFAULT_LIMIT < 4**10
    first = _point(base, {"p0": 0.3, "p1": 0.4})
    nash = stated_analysis(first)["nash"]
    reweighted = _variants(base, np.random.default_rng(2))[1]
    points = [
        first,
        _point(base, {"p0": 0.7, "p1": 0.95}),
        _point(reweighted, {"p0": 0.5, "p1": 0.6}),
        _point(base, {"p0": 0.99, "p1": 0.99}),  # nothing is worth that to both
        _point(base, nash),  # every party at the Nash point: a ZOPA too small to sample
        _point(base, {"p0": 0.5, "p1": 0.6}),
        first,
    ]
    got = stated_analyses(points, progress=False)
    expected = [stated_analysis(point) for point in points]
    for result, want in zip(got, expected, strict=True):
        assert result["method"] == "approximate" and not result["zopa_exact"]
        assert_same(result, want)
    assert got[0] == got[-1] and got[0]["nash"] == nash
    assert expected[0]["zopa_exists"] and expected[0]["zopa_outcomes"] > 0
    assert not expected[3]["zopa_exists"] and expected[3]["nash"] is None
    assert expected[4]["nash"] == nash
    if n_parties == 3:  # the sample misses the ZOPA; the bargaining set shows it exists
        assert expected[4]["zopa_exists"] and expected[4]["zopa_outcomes"] == 0


# ---------------------------------------------------------------- counting and plumbing


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    n_parties=st.integers(1, 4),
    n_queries=st.integers(0, 30),
)
def test_count_at_least_is_the_direct_count(
    seed: int, n: int, n_parties: int, n_queries: int
) -> None:
    rng = np.random.default_rng(seed)
    points = np.round(rng.random((n, n_parties)), 1)  # coarse: many ties with the thresholds
    thresholds = np.round(rng.random((n_queries, n_parties)), 1)
    thresholds[:, 0] = thresholds[0, 0] if n_queries else 0.0  # a party that does not vary
    want = [int((points >= t).all(axis=1).sum()) for t in thresholds]
    assert count_at_least(points, thresholds).tolist() == want
    assert stated._count_directly(points, thresholds).tolist() == want


def test_count_at_least_falls_back_past_the_histogram_limit() -> None:
    rng = np.random.default_rng(0)
    points = rng.random((500, 3))
    thresholds = rng.random((200, 3)) * 0.5  # 201^3 cells: far past the histogram limit
    want = [int((points >= t).all(axis=1).sum()) for t in thresholds]
    assert count_at_least(points, thresholds).tolist() == want


def test_no_points_and_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    assert stated_analyses([]) == []
    point = parse_scenario(random_scenario_data(0, 2, 2, 3))
    assert stated_analyses([point, point], progress=True) == [stated_analysis(point)] * 2
    assert "stated analyses" in capsys.readouterr().err
