"""Summaries folded in piece by piece, and results streamed to one Parquet file.

The property that matters: however a results table is cut into pieces (in row order), the
accumulated summary is the summary of the whole table, bit for bit, and the deal table too.
"""

from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.errors import NegsimError
from negsim.files import write_parquet
from negsim.model import NegotiationModel
from negsim.plots.run import DEAL_COLUMNS, deal_table
from negsim.protocols.split_track import SplitTrack
from negsim.results.accumulator import CHUNK_ROWS, SummaryAccumulator
from negsim.results.sink import ResultSink
from negsim.results.summary import summarize
from negsim.scenario import Scenario, parse_scenario
from tests.builders import small_scenario_data

PROPERTY = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _side_party_scenario() -> Scenario:
    """Three parties, p2 not required; red lines and wide uncertainty give every outcome."""
    data = small_scenario_data(3, 3, 4, reservation=0.4, name="side_party")
    data["parties"]["p2"]["required"] = False
    for party in data["parties"].values():
        party["uncertainty"] = {"reservation": 0.2, "weights": 30, "values": 0.05}
    data["parties"]["p0"]["red_lines"] = {"i0": ["o0"], "i1": ["o0"]}
    data["parties"]["p1"]["red_lines"] = {"i0": ["o3"], "i2": ["o3"]}
    return parse_scenario(data)


@functools.cache
def table(name: str) -> tuple[pd.DataFrame, Scenario]:
    """A real results table and its scenario, built once per test session."""
    if name == "side_party":
        model = NegotiationModel(_side_party_scenario(), replications=3000, seed=5, max_rounds=20)
    elif name == "ukraine":
        model = NegotiationModel("ukraine_2025", replications=2500, seed=1)
    elif name == "split_track":  # deal columns filled outside agreements, track columns
        model = NegotiationModel(
            "ukraine_2025", replications=1000, seed=2, protocol=SplitTrack(linkage=False)
        )
    elif name == "no_agreement":  # every deal column all None
        model = NegotiationModel("ukraine_2025", replications=40, seed=1, max_rounds=1)
    elif name == "ukraine_x5":  # 12,500 rows: crosses the default chunk boundary
        results, scenario = table("ukraine")
        return pd.concat([results] * 5, ignore_index=True), scenario
    else:
        raise KeyError(name)
    model.run(progress=False)
    return model.results(), model.scenario


TABLES = ["side_party", "ukraine", "split_track", "no_agreement", "ukraine_x5"]


def test_the_tables_cover_every_outcome() -> None:
    side, _ = table("side_party")
    counts = side["outcome"].value_counts()
    assert counts["agreement"] > 0 and counts["walkaway"] > 0 and counts["timeout"] > 0
    assert set(side["walked_away"].dropna()) == {"p0", "p1"}
    assert side.loc[side["outcome"] == "agreement", "distance_to_nash"].isna().any()
    split, _ = table("split_track")
    assert split.loc[split["outcome"] != "agreement", "deal_normalization"].notna().any()
    assert (table("no_agreement")[0]["outcome"] == "timeout").all()


def bits(value: Any) -> Any:
    """A summary with every float as its exact bits, so == means bit-identical (NaN included)."""
    if isinstance(value, dict):
        return {key: bits(v) for key, v in value.items()}
    if isinstance(value, list):
        return [bits(v) for v in value]
    assert value is None or type(value) in (bool, int, float, str), type(value)  # JSON-ready
    return ("float", value.hex()) if type(value) is float else value


def cut(frame: pd.DataFrame, points: list[int]) -> list[pd.DataFrame]:
    """The pieces of `frame` between sorted cut points (repeated points give empty pieces)."""
    edges = [0, *sorted(points), len(frame)]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(edges)]


def accumulate(
    pieces: list[pd.DataFrame], scenario: Scenario, top: int = 5, chunk_rows: int = CHUNK_ROWS
) -> SummaryAccumulator:
    accumulator = SummaryAccumulator(scenario, top=top, chunk_rows=chunk_rows)
    for piece in pieces:
        accumulator.add(piece)
    return accumulator


@functools.cache
def whole_summary(name: str, top: int, chunk_rows: int) -> Any:
    results, scenario = table(name)
    if chunk_rows == CHUNK_ROWS:
        return bits(summarize(results, scenario, top=top))
    return bits(accumulate([results], scenario, top, chunk_rows).summary())


@pytest.mark.slow
@pytest.mark.parametrize("name", TABLES)
@PROPERTY
@given(data=st.data())
def test_summary_does_not_depend_on_the_split(name: str, data: st.DataObject) -> None:
    results, scenario = table(name)
    points = data.draw(st.lists(st.integers(0, len(results)), max_size=12), label="cuts")
    chunk_rows = data.draw(st.sampled_from([1, 64, 1024, CHUNK_ROWS]), label="chunk_rows")
    top = data.draw(st.sampled_from([0, 5, 40]), label="top")
    accumulator = accumulate(cut(results, points), scenario, top, chunk_rows)
    assert bits(accumulator.summary()) == whole_summary(name, top, chunk_rows)


def test_sweep_point_pieces_and_batches_agree_bit_for_bit() -> None:
    """[0:37] + [37:200] == [0:200]; 10,000-row batches == the whole 12,500 rows."""
    results, scenario = table("ukraine")
    point = results.iloc[:200]
    assert bits(accumulate([point.iloc[:37], point.iloc[37:]], scenario).summary()) == bits(
        summarize(point, scenario)
    )
    big, _ = table("ukraine_x5")
    batches = [big.iloc[i : i + 10_000] for i in range(0, len(big), 10_000)]
    assert bits(accumulate(batches, scenario).summary()) == whole_summary(
        "ukraine_x5", 5, CHUNK_ROWS
    )


def test_a_running_summary_is_the_summary_so_far() -> None:
    results, scenario = table("ukraine_x5")
    accumulator = SummaryAccumulator(scenario)
    for end in (3000, 9000, len(results)):
        accumulator.add(results.iloc[accumulator.rows : end])
        assert bits(accumulator.summary()) == bits(summarize(results.iloc[:end], scenario))


def test_bad_arguments() -> None:
    _, scenario = table("side_party")
    with pytest.raises(NegsimError, match="top"):
        SummaryAccumulator(scenario, top=-1)
    with pytest.raises(NegsimError, match="power of two"):
        SummaryAccumulator(scenario, chunk_rows=1000)


def reference_summary(results: pd.DataFrame, scenario: Scenario, top: int) -> dict[str, Any]:
    """The summary computed directly with pandas, to check the accumulator's meaning."""
    agreed = results["outcome"] == "agreement"
    n_agreed = int(agreed.sum())
    walked = results.loc[results["outcome"] == "walkaway", "walked_away"].value_counts()
    deals = results.loc[agreed, [f"deal_{issue}" for issue in scenario.issue_names]]
    counts = deals.groupby(list(deals.columns), sort=False).size()  # first-seen order
    counts = counts.sort_values(ascending=False, kind="stable").head(top)
    return {
        "agreements": n_agreed,
        "walkaways": {p: int(walked.get(p, 0)) for p in scenario.party_names},
        "timeouts": int((results["outcome"] == "timeout").sum()),
        "mean_rounds": results["round"].mean(),
        "mean_rounds_to_agreement": results.loc[agreed, "round"].mean(),
        "mean_utility": {p: results[f"utility_{p}"].mean() for p in scenario.party_names},
        "in_agreements": {
            p: results.loc[agreed, f"utility_{p}"].mean() for p in scenario.party_names
        },
        "to_pareto": results.loc[agreed, "distance_to_pareto"].mean(),
        "to_nash": results.loc[agreed, "distance_to_nash"].mean(),
        "top": [
            (int(c), dict(zip(scenario.issue_names, d, strict=True))) for d, c in counts.items()
        ],
    }


@pytest.mark.parametrize("name", ["side_party", "ukraine", "split_track"])
def test_summary_means_what_it_says(name: str) -> None:
    results, scenario = table(name)
    summary, expected = summarize(results, scenario, top=8), reference_summary(results, scenario, 8)
    n = len(results)
    assert summary["replications"] == n and summary["agreements"] == expected["agreements"]
    shares = summary["outcome_shares"]
    assert shares["agreement"] == expected["agreements"] / n
    assert shares["timeout"] == expected["timeouts"] / n
    for party, count in expected["walkaways"].items():
        assert shares[f"walkaway_{party}"] == count / n
    assert math.fsum(shares.values()) == pytest.approx(1.0)
    assert summary["mean_rounds"] == expected["mean_rounds"]  # sums of whole numbers: exact
    assert summary["mean_rounds_to_agreement"] == expected["mean_rounds_to_agreement"]
    approx = functools.partial(pytest.approx, rel=1e-13)
    assert summary["mean_utility"] == approx(expected["mean_utility"])
    assert summary["mean_utility_in_agreements"] == approx(expected["in_agreements"])
    assert summary["mean_distance_to_pareto"] == approx(expected["to_pareto"])
    assert summary["mean_distance_to_nash"] == approx(expected["to_nash"])  # NaN skipped
    top = [(entry["count"], entry["deal"]) for entry in summary["top_deals"]]
    assert top == expected["top"]
    for entry in summary["top_deals"]:
        assert entry["share_of_agreements"] == entry["count"] / expected["agreements"]
    assert summary["distance_to_pareto_exact"] is (name == "side_party")
    assert summary["distance_to_nash_exact"] is summary["distance_to_pareto_exact"]


def test_ties_go_to_the_deal_seen_first() -> None:
    results, scenario = table("side_party")
    agreed = results.index[results["outcome"] == "agreement"]
    a, b = (
        agreed[0],
        next(i for i in agreed if results.loc[i, "deal_i0"] != results.loc[agreed[0], "deal_i0"]),
    )
    pair = results.loc[[b, a, a, b]]  # equal counts: b comes first
    summary = summarize(pair, scenario, top=2)
    assert [entry["count"] for entry in summary["top_deals"]] == [2, 2]
    assert summary["top_deals"][0]["deal"]["i0"] == results.loc[b, "deal_i0"]
    flipped = summarize(results.loc[[a, b, b, a]], scenario, top=2)
    assert flipped["top_deals"][0]["deal"]["i0"] == results.loc[a, "deal_i0"]


def test_empty_pieces_and_tables() -> None:
    results, scenario = table("side_party")
    accumulator = SummaryAccumulator(scenario)
    accumulator.add(pd.DataFrame())  # no columns, no rows: ignored
    for piece in (results.iloc[:0], results.iloc[:10], results.iloc[:0], results.iloc[10:]):
        accumulator.add(piece)
    assert bits(accumulator.summary()) == bits(summarize(results, scenario))
    empty = summarize(results.iloc[:0], scenario)
    assert empty["replications"] == 0 and math.isnan(empty["agreement_probability"])
    assert empty["mean_rounds"] is None
    assert empty["mean_utility"] == dict.fromkeys(scenario.party_names)
    assert empty["top_deals"] == [] and empty["distance_to_pareto_exact"] is True


def test_tables_without_deal_quality_columns() -> None:
    results, scenario = table("side_party")
    bare = results.drop(
        columns=["distance_to_pareto", "distance_to_pareto_exact", "distance_to_nash"]
    )
    summary = summarize(bare, scenario)
    assert summary["mean_distance_to_pareto"] is None and summary["mean_distance_to_nash"] is None
    assert summary["distance_to_pareto_exact"] is None and summary["distance_to_nash_exact"] is None
    accumulator = SummaryAccumulator(scenario)
    accumulator.add(bare.iloc[:5])
    with pytest.raises(NegsimError, match="optional columns"):
        accumulator.add(results.iloc[5:10])
    with pytest.raises(NegsimError, match="missing columns"):
        accumulator.add(bare.drop(columns=["round"]))


def test_all_nan_distances_among_agreements_mean_nan() -> None:
    results, scenario = table("side_party")
    blank = results.assign(distance_to_nash=np.nan)
    assert math.isnan(summarize(blank, scenario)["mean_distance_to_nash"])


@pytest.mark.parametrize("name", ["side_party", "ukraine", "split_track", "no_agreement"])
@settings(PROPERTY, max_examples=10)
@given(data=st.data())
def test_deal_table_does_not_depend_on_the_split(name: str, data: st.DataObject) -> None:
    results, scenario = table(name)
    points = data.draw(st.lists(st.integers(0, len(results)), max_size=8), label="cuts")
    streamed = accumulate(cut(results, points), scenario).deal_table()
    pd.testing.assert_frame_equal(streamed, deal_table(results, scenario), check_exact=True)
    assert list(streamed.columns) == DEAL_COLUMNS


def test_deal_table_rejects_options_not_in_the_scenario() -> None:
    results, scenario = table("side_party")
    odd = results.copy()
    first = odd.index[odd["outcome"] == "agreement"][0]
    odd.loc[first, "deal_i1"] = "o9"
    with pytest.raises(NegsimError) as plotted:
        deal_table(odd, scenario)
    accumulator = accumulate(cut(odd, [first, first + 1]), scenario)
    with pytest.raises(NegsimError) as streamed:
        accumulator.deal_table()
    assert str(streamed.value) == str(plotted.value)
    top = {entry["deal"]["i1"] for entry in summarize(odd, scenario, top=100)["top_deals"]}
    assert "o9" in top  # summaries still name the deal, as they always did


def read_back(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """`frame` written by `write_parquet` and read back."""
    write_parquet(frame, path)
    back = pd.read_parquet(path)
    path.unlink()
    return back


def assert_same_file_table(streamed: pd.DataFrame, pieces: list[pd.DataFrame], tmp: Path) -> None:
    """The sink's file reads as `write_parquet` of the pieces together; the one allowed
    difference: a text column None in every piece comes back as missing strings."""
    expected = read_back(pd.concat(pieces, ignore_index=True), tmp / "expected.parquet")
    for column in expected:
        if expected[column].dtype == object and expected[column].isna().all():
            expected[column] = expected[column].astype("str")
    pd.testing.assert_frame_equal(streamed, expected, check_exact=True)


@pytest.mark.parametrize("name", ["side_party", "split_track", "ukraine"])
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_sink_round_trip(name: str, data: st.DataObject, tmp_path: Path) -> None:
    results, _ = table(name)
    pieces = cut(results, data.draw(st.lists(st.integers(0, len(results)), max_size=6)))
    path = tmp_path / name / "results.parquet"
    with ResultSink(path) as sink:
        for piece in pieces:
            sink.write(piece)
    assert sink.rows == len(results)
    streamed = pd.read_parquet(path)
    assert streamed["replication"].tolist() == results["replication"].tolist()  # row order
    assert_same_file_table(streamed, pieces, tmp_path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.parquet"]


def test_sink_types_columns_that_start_all_none(tmp_path: Path) -> None:
    """Deal columns all None (object) in the first piece, strings later; booleans all missing."""
    none, _ = table("no_agreement")
    some, _ = table("ukraine")
    assert none["deal_crimea"].dtype == object and none["cleared_us"].isna().all()
    pieces = [none, some.iloc[:300], none.iloc[:5], some.iloc[300:]]
    with ResultSink(tmp_path / "mixed.parquet") as sink:
        for piece in pieces:
            sink.write(piece)
    streamed = pd.read_parquet(tmp_path / "mixed.parquet")
    assert_same_file_table(streamed, pieces, tmp_path)
    assert streamed["outcome"].dtype == some["outcome"].dtype  # categories kept
    assert streamed["cleared_us"].dtype == "boolean"
    assert streamed["deal_crimea"].iloc[: len(none)].isna().all()


def test_sink_failure_leaves_no_file(tmp_path: Path) -> None:
    results, _ = table("side_party")
    path = tmp_path / "results.parquet"
    with pytest.raises(RuntimeError, match="midway"), ResultSink(path) as sink:
        sink.write(results.iloc[:100])
        raise RuntimeError("midway")
    assert list(tmp_path.iterdir()) == []
    write_parquet(results.iloc[:3], path)
    before = path.read_bytes()
    with pytest.raises(NegsimError, match="columns"), ResultSink(path) as sink:
        sink.write(results.iloc[:100])
        sink.write(results.iloc[100:].drop(columns=["round"]))
    with pytest.raises(NegsimError, match="schema"), ResultSink(path) as sink:
        sink.write(results.iloc[:100])
        sink.write(results.iloc[100:200].assign(round="late"))
    assert path.read_bytes() == before  # the old file stays, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet"]


def test_sink_with_empty_pieces(tmp_path: Path) -> None:
    results, _ = table("side_party")
    with ResultSink(tmp_path / "none.parquet"):
        pass
    assert pd.read_parquet(tmp_path / "none.parquet").empty
    with ResultSink(tmp_path / "empty.parquet") as sink:
        sink.write(results.iloc[:0])
    empty = pd.read_parquet(tmp_path / "empty.parquet")
    assert empty.empty and list(empty.columns) == list(results.columns)
    pieces = [results.iloc[:0], results.iloc[:50], results.iloc[50:50], results.iloc[50:]]
    with ResultSink(tmp_path / "some.parquet") as sink:
        for piece in pieces:
            sink.write(piece)
    assert_same_file_table(pd.read_parquet(tmp_path / "some.parquet"), pieces, tmp_path)


def test_sink_write_outside_its_block(tmp_path: Path) -> None:
    with pytest.raises(NegsimError, match="with block"):
        ResultSink(tmp_path / "x.parquet").write(table("side_party")[0])
    assert list(tmp_path.iterdir()) == []
