"""The transcript: every event at the table, and why, without changing what happens."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.engine.transcript import TRANSCRIPT_LIMIT, describe, transcript_table
from negsim.errors import NegsimError
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from negsim.scenario import parse_scenario
from negsim.utility import TOLERANCE
from tests.builders import small_scenario_data
from tests.cli.test_cli import _ok, run_negsim

PROTOCOLS = ["alternating", "simultaneous", "mediated"]


def run(scenario: object, replications: int, seed: int, **kw: object) -> NegotiationModel:
    return NegotiationModel(scenario, replications=replications, seed=seed, **kw).run(  # type: ignore[arg-type]
        progress=False
    )


@pytest.mark.parametrize("protocol", [*PROTOCOLS, "split_track"])
def test_recording_changes_nothing(protocol: str) -> None:
    plain = run("ukraine_2025", 12, 3, protocol=protocol).results()
    told = run("ukraine_2025", 12, 3, protocol=protocol, transcript=12).results()
    pd.testing.assert_frame_equal(plain, told)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_end_of_every_story_is_its_result(protocol: str) -> None:
    model = run("ukraine_2025", 20, 5, protocol=protocol, transcript=20)
    table = transcript_table(model)
    results = model.results()
    ends = table[table["event"] == "end"].set_index("replication")
    assert sorted(ends.index) == list(range(20))
    for row in results.itertuples():
        end = ends.loc[row.replication]
        assert end["outcome"] == row.outcome
        assert end["round"] == row.round
        if row.outcome == "agreement":
            for issue in model.scenario.issue_names:
                assert end[f"option_{issue}"] == getattr(row, f"deal_{issue}")
            for party in model.scenario.party_names:
                assert end[f"utility_{party}"] == pytest.approx(getattr(row, f"utility_{party}"))
        # Nothing happens in a replication after it ended.
        story = table[table["replication"] == row.replication]
        assert story["round"].max() == row.round
        assert story.iloc[-1]["event"] == "end"


def test_every_offer_is_answered_by_everyone_else_at_the_table() -> None:
    model = run("ukraine_2025", 10, 2, transcript=10)
    table = transcript_table(model)
    names = set(model.scenario.party_names)
    walks = table[table["event"] == "walk_away"]
    for (replication, round_), rnd in table.groupby(["replication", "round"]):
        offers = rnd[rnd["event"] == "offer"]
        if offers.empty:
            continue
        assert len(offers) == 1  # alternating offers: one proposal a round
        answering = set(rnd.loc[rnd["event"].isin(["accept", "reject"]), "party"])
        gone = walks[(walks["replication"] == replication) & (walks["round"] <= round_)]
        assert answering == names - {offers.iloc[0]["party"]} - set(gone["party"])


def test_reasons_agree_with_the_numbers() -> None:
    model = run("ukraine_2025", 30, 11, transcript=30)
    table = transcript_table(model)
    answers = table[table["event"].isin(["accept", "reject"])]
    assert {"accept", "reject"} <= set(answers["event"])
    for event in answers.itertuples():
        bar = max(event.target, event.reservation)
        if event.event == "accept":
            assert event.red_lines == ""
            assert event.reason == "meets its target"  # no late acceptance by default
            assert event.utility >= bar - TOLERANCE
        elif event.reason.startswith("crosses its red line on "):
            named = event.reason.removeprefix("crosses its red line on ").split(", ")
            assert named == event.red_lines.split(",")
        elif event.reason == "below its reservation value":
            assert event.red_lines == ""
            assert event.utility < event.reservation
        else:
            assert event.reason == "below its current target"
            assert event.red_lines == ""
            assert event.reservation - TOLERANCE <= event.utility < event.target


def test_red_lines_are_named_with_the_options_they_cross() -> None:
    model = run("ukraine_2025", 10, 1, transcript=10)
    table = transcript_table(model)
    crossing = table[table["red_lines"].fillna("") != ""]
    assert not crossing.empty
    scenario = model.scenario
    for event in crossing.itertuples():
        offer = table[
            (table["replication"] == event.replication)
            & (table["round"] == event.round)
            & (table["event"] == "offer")
        ].iloc[0]
        lines = scenario.party(event.party).red_lines
        for issue in event.red_lines.split(","):
            assert offer[f"option_{issue}"] in lines[issue]


def test_walk_aways_say_why() -> None:
    model = run("ukraine_2025", 40, 0, transcript=40)
    table = transcript_table(model)
    results = model.results()
    walked = results[results["outcome"] == "walkaway"]
    assert not walked.empty
    events = table[table["event"] == "walk_away"].set_index("replication")
    for row in walked.itertuples():
        event = events.loc[[row.replication]]
        mine = event[event["party"] == row.walked_away].iloc[0]
        assert mine["round"] == row.round
        assert bool(mine["required"])
        if mine["reason"] == "its deadline passed":
            deadline = int(mine["detail"].removeprefix("deadline "))
            assert row.round > deadline
        else:
            assert mine["reason"] == "nothing still open beats its reservation value"


def test_nothing_left_is_explained_with_the_best_still_open() -> None:
    # p1 names its red line on p0's best option of i0; then p0's best still open is 0.75.
    data = small_scenario_data(reservation=0.3)
    data["parties"]["p0"]["reservation"] = 0.8
    data["parties"]["p1"]["red_lines"] = {"i0": ["o2"]}
    model = run(parse_scenario(data), 3, 0, transcript=3, first_proposer="p0")
    events = transcript_table(model)
    walks = events[events["event"] == "walk_away"]
    assert sorted(walks["replication"]) == [0, 1, 2]
    for event in walks.itertuples():
        assert event.party == "p0"
        assert event.reason == "nothing still open beats its reservation value"
        assert event.detail == "best still open 0.750 < reservation 0.800"
    named = events[events["event"] == "reject"].iloc[0]
    assert named["reason"] == "crosses its red line on i0"
    assert named["round"] < walks["round"].min()


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**20), replication=st.integers(0, 5))
def test_a_replication_tells_the_same_story_in_any_batch(seed: int, replication: int) -> None:
    scenario = load_scenario("ukraine_2025")
    alone = run(scenario, 1, seed, start=replication, transcript=1)
    batch = run(scenario, 6, seed, transcript=6)
    one = transcript_table(alone)
    many = transcript_table(batch)
    many = many[many["replication"] == replication].reset_index(drop=True)
    pd.testing.assert_frame_equal(one, many)


def test_only_the_first_rows_are_recorded_and_the_limit_holds() -> None:
    model = run("ukraine_2025", 8, 0, transcript=3)
    assert sorted(transcript_table(model)["replication"].unique()) == [0, 1, 2]
    with pytest.raises(NegsimError, match=f"at most {TRANSCRIPT_LIMIT}"):
        NegotiationModel("ukraine_2025", replications=200, seed=0, transcript=TRANSCRIPT_LIMIT + 1)
    with pytest.raises(ValueError, match="no transcript"):
        transcript_table(run("ukraine_2025", 2, 0))


def test_split_tracks_label_their_events() -> None:
    model = run("ukraine_2025", 4, 0, protocol="split_track", transcript=4)
    table = transcript_table(model)
    tracks = {t.name for t in model.scenario.tracks}
    assert set(table["track"]) == tracks | {""}
    parent = table[table["track"] == ""]
    assert set(parent["event"]) == {"end"}  # the tracks negotiate; the parent settles


def test_described_story_names_parties_and_option_labels() -> None:
    scenario = load_scenario("ukraine_2025")
    model = run(scenario, 1, 0, transcript=1)
    lines = list(describe(transcript_table(model), scenario))
    assert lines[0] == "Round 1"
    ukraine = scenario.party("ukraine").label
    assert any(line.strip().startswith(ukraine) for line in lines)
    crimea = scenario.issues[scenario.issue_names.index("crimea")]
    assert any(label in lines[1] for label in crimea.option_labels)
    assert lines[-1].strip().startswith(("Agreement:", "No deal"))


@pytest.mark.slow
def test_cli_writes_the_transcript(tmp_path: Path) -> None:
    proc = run_negsim(tmp_path, "transcript=true", "replications=130", "batch_size=200")
    _ok(proc)
    assert f"transcript of the first {TRANSCRIPT_LIMIT} replications" in proc.stdout
    table = pd.read_parquet(tmp_path / "transcript.parquet")
    assert sorted(table["replication"].unique()) == list(range(TRANSCRIPT_LIMIT))
    text = (tmp_path / "transcript.txt").read_text()
    assert text.startswith("Replication 0\nRound 1\n")
    assert text.count("Replication ") == TRANSCRIPT_LIMIT
    results = pd.read_parquet(tmp_path / "results.parquet")
    ends = table[table["event"] == "end"].set_index("replication")["outcome"]
    assert np.array_equal(ends.sort_index().to_numpy(), results["outcome"][:100].to_numpy())
