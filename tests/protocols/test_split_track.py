"""Split tracks: the `tracks:` schema and the split_track protocol (linked and unlinked)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from negsim.errors import NegsimError, ScenarioError
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel, Outcome
from negsim.protocols import build_protocol
from negsim.protocols.split_track import SplitTrack, TrackRun
from negsim.scenario import Scenario, Track, parse_scenario
from tests.builders import random_scenario_data, small_scenario_data


def with_tracks(data: dict[str, Any], t1_parties: tuple[str, ...] = ("p0", "p1", "p2")) -> dict:
    """Track t0: issue i0 between p0 and p1; track t1: issue i1 between `t1_parties`."""
    data["tracks"] = {
        "t0": {"label": "Track 0", "issues": ["i0"], "parties": ["p0", "p1"], "source": "a"},
        "t1": {"label": "Track 1", "issues": ["i1"], "parties": list(t1_parties), "source": "b"},
    }
    return data


def three_parties(**kwargs: Any) -> dict[str, Any]:
    """Three parties, two issues: p0 and p2 want the last option, p1 the first (ZOPA at o1)."""
    return with_tracks(small_scenario_data(n_parties=3, n_issues=2, **kwargs))


def no_zopa_on_t1(p2_deadline: int | None = None, quick_t0: bool = True) -> dict[str, Any]:
    """As `three_parties`, but on i1 p1 values o1 at 0.2: nothing on t1 clears p0 and p1 (0.3).

    With `quick_t0` p1 wants o2 on i0 as p0 does, so t0 agrees on o2 in the first rounds.
    """
    data = three_parties()
    data["parties"]["p1"]["positions"]["i1"]["values"]["o1"] = 0.2
    if quick_t0:
        data["parties"]["p1"]["positions"]["i0"]["values"] = {"o0": 0.0, "o1": 0.5, "o2": 1.0}
    data["parties"]["p2"]["deadline"] = p2_deadline
    return data


def run(
    data: dict[str, Any] | Scenario,
    linkage: bool = True,
    replications: int = 20,
    seed: int = 0,
    max_rounds: int = 30,
    **kwargs: Any,
) -> NegotiationModel:
    scenario = data if isinstance(data, Scenario) else parse_scenario(data)
    protocol = build_protocol("split_track", {"linkage": linkage})
    model = NegotiationModel(
        scenario, replications, seed=seed, max_rounds=max_rounds, protocol=protocol, **kwargs
    )
    return model.run(progress=False)


def runs(model: NegotiationModel) -> list[TrackRun]:
    assert isinstance(model.protocol, SplitTrack)
    return model.protocol.runs(model)


# --- the tracks schema -----------------------------------------------------------------------


def test_tracks_are_parsed_in_scenario_order() -> None:
    data = three_parties()
    data["tracks"]["t1"]["parties"] = ["p2", "p0", "p1"]
    scenario = parse_scenario(data)
    assert scenario.tracks == (
        Track("t0", "Track 0", ("i0",), ("p0", "p1"), "a"),
        Track("t1", "Track 1", ("i1",), ("p0", "p1", "p2"), "b"),
    )
    assert parse_scenario(small_scenario_data()).tracks == ()


def test_flagship_tracks_and_overrides() -> None:
    flagship = load_scenario("ukraine_2025")
    normalization, settlement = flagship.tracks
    assert normalization.issues == ("normalization",)
    assert normalization.parties == ("us", "russia")
    assert set(settlement.issues) == set(flagship.issue_names) - {"normalization"}
    assert settlement.parties == tuple(flagship.party_names)
    changed = flagship.override({"parties.ukraine.reservation": 0.4})
    assert changed.tracks == flagship.tracks
    widened = flagship.override({"tracks.normalization.parties": ["us", "russia", "europe"]})
    assert widened.tracks[0].parties == ("us", "russia", "europe")
    with pytest.raises(ScenarioError, match=r"tracks\.normalization\.parties: unknown party 'uk'"):
        flagship.override({"tracks.normalization.parties": ["us", "uk"]})


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        *keys, last = path.split(".")
        node = data
        for key in keys:
            node = node[key]
        node[last] = value

    return mutate


def _no_weight_on_i0(data: dict[str, Any]) -> None:
    data["parties"]["p0"]["positions"]["i0"]["weight"] = 0.0
    data["parties"]["p0"]["positions"]["i1"]["weight"] = 1.0


def _nothing_acceptable_on_t0(data: dict[str, Any]) -> None:
    data["parties"]["p0"]["positions"]["i0"]["values"] = {"o0": 0.0, "o1": 0.1, "o2": 0.2}


def _no_required_party_on_t1(data: dict[str, Any]) -> None:
    data["parties"]["p2"]["required"] = False
    data["parties"]["p1"]["required"] = False
    data["tracks"]["t1"]["parties"] = ["p1", "p2"]


TRACK_ERRORS = [
    (_set("tracks", ["t0"]), "tracks", "must be a mapping, got list"),
    (_set("tracks", {}), "tracks", "declare at least one track"),
    (_set("tracks.t0.deadline", 3), "tracks.t0.deadline", "unknown key"),
    (_set("tracks.t0.issues", []), "tracks.t0.issues", "must list at least one issue"),
    (_set("tracks.t0.issues", None), "tracks.t0.issues", "must list at least one issue"),
    (_set("tracks.t0.issues", ["i9"]), "tracks.t0.issues", "unknown issue 'i9' (known: i0, i1)"),
    (_set("tracks.t0.issues", ["i0", "i0"]), "tracks.t0.issues", "issue 'i0' is listed twice"),
    (
        _set("tracks.t1.issues", ["i1", "i0"]),
        "tracks.t1.issues",
        "issue 'i0' is already on track 't0'",
    ),
    (_set("tracks.t0.parties", []), "tracks.t0.parties", "must list at least one party"),
    (_set("tracks.t0.parties", ["p0", "p7"]), "tracks.t0.parties", "unknown party 'p7'"),
    (_set("tracks.t0.parties", ["p0"]), "tracks.t0.parties", "needs at least two parties"),
    (_set("tracks.t0.label", 3), "tracks.t0.label", "must be text"),
    (
        _no_required_party_on_t1,
        "tracks.t1.parties",
        "at least one party must be required for agreement",
    ),
    (_no_weight_on_i0, "tracks.t0.parties", "party 'p0' puts no weight on the track's issues"),
    (
        _nothing_acceptable_on_t0,
        "tracks.t0.parties",
        "party 'p0' can never accept anything on this track: its best outcome there is worth 0.2",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "key", "problem"), TRACK_ERRORS, ids=[e[2] for e in TRACK_ERRORS]
)
def test_track_validation_error(
    mutate: Callable[[dict[str, Any]], None], key: str, problem: str
) -> None:
    data = three_parties()
    mutate(data)
    with pytest.raises(ScenarioError, match=rf"^<scenario>: {re.escape(key)}: ") as info:
        parse_scenario(data)
    assert problem in str(info.value)
    assert "\n" not in str(info.value)


# --- setting up --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (small_scenario_data(n_parties=3, n_issues=2), "needs a scenario with `tracks:`"),
        (
            with_tracks(small_scenario_data(n_parties=3, n_issues=3)),
            "needs every issue on a track; on none: ['i2']",
        ),
        (
            with_tracks(small_scenario_data(n_parties=4, n_issues=2)),
            "needs every required party on a track; on none: ['p3']",
        ),
    ],
)
def test_setup_needs_tracks_covering_everything(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(NegsimError, match=r"^protocol: split_track ") as info:
        run(data)
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"linkage": "yes"}, "linkage must be true or false, got 'yes'"),
        ({"inner": "split_track"}, "inner must name a protocol"),
        ({"inner": "nope"}, "inner must name a protocol"),
        ({"link": True}, "unknown parameter 'link'"),
    ],
)
def test_bad_parameters(params: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        build_protocol("split_track", params)


def test_track_models_are_restricted_and_renormalised() -> None:
    data = three_parties()
    data["parties"]["p0"]["positions"]["i0"]["weight"] = 0.25
    data["parties"]["p0"]["positions"]["i1"]["weight"] = 0.75
    data["parties"]["p1"]["red_lines"] = {"i0": ["o0"], "i1": ["o2"]}
    model = NegotiationModel(
        parse_scenario(data), 5, seed=0, protocol=build_protocol("split_track")
    )
    t0, t1 = (run_.model for run_ in runs(model))
    assert t0.scenario.party_names == ["p0", "p1"] and t0.scenario.issue_names == ["i0"]
    assert t1.scenario.party_names == ["p0", "p1", "p2"] and t1.scenario.issue_names == ["i1"]
    np.testing.assert_allclose(t0.scenario.weights, 1.0)
    np.testing.assert_allclose(t0.draws.weights, 1.0)
    assert t0.scenario.party("p1").red_lines == {"i0": ("o0",)}
    assert t1.scenario.party("p1").red_lines == {"i1": ("o2",)}
    np.testing.assert_array_equal(t1.draws.values[2], model.draws.values[2][:, [1]])
    np.testing.assert_array_equal(t1.draws.reservations, model.draws.reservations)


# --- negotiating --------------------------------------------------------------------------------


@pytest.mark.parametrize("linkage", [True, False])
def test_both_tracks_agree(linkage: bool) -> None:
    model = run(three_parties(), linkage)
    results = model.results()
    assert (results["outcome"] == "agreement").all()
    assert results["walked_away"].isna().all()
    for name in ("t0", "t1"):
        assert (results[f"track_{name}_outcome"] == "agreement").all()
        assert results[f"track_{name}_walked_away"].isna().all()
    assert (results["round"] == results[["track_t0_round", "track_t1_round"]].max(axis=1)).all()
    for issue in ("i0", "i1"):
        assert results[f"deal_{issue}"].notna().all()
    # Opposed ramps with reservation 0.3: the middle option is the only deal either track allows.
    assert (results["deal_i0"] == "o1").all() and (results["deal_i1"] == "o1").all()
    assert results["cleared_p1"].all()


def test_linked_failure_leaves_nothing_standing() -> None:
    results = run(no_zopa_on_t1(p2_deadline=12), linkage=True).results()
    assert (results["outcome"] == "walkaway").all()
    assert (results["walked_away"] == "p2").all()
    # p2's deadline passes at round 13: the track and the replication end then.
    assert (results["round"] == 13).all() and (results["track_t1_round"] == 13).all()
    assert (results["track_t1_outcome"] == "walkaway").all()
    assert (results["track_t1_walked_away"] == "p2").all()
    assert (results["track_t0_outcome"] == "agreement").all()
    assert (results["track_t0_round"] < 13).all()
    assert results["deal_i0"].isna().all() and results["deal_i1"].isna().all()
    assert (results["utility_p0"] == results["reservation_p0"]).all()


def test_unlinked_agreement_stands_and_is_visible() -> None:
    model = run(no_zopa_on_t1(p2_deadline=12), linkage=False)
    results = model.results()
    assert (results["outcome"] == "walkaway").all()
    assert (results["walked_away"] == "p2").all()
    assert (results["round"] == 13).all()
    assert (results["track_t0_outcome"] == "agreement").all()
    assert (results["deal_i0"] == "o2").all()
    assert results["deal_i1"].isna().all()
    np.testing.assert_array_equal(model.deal[:, 0], 2)
    np.testing.assert_array_equal(model.deal[:, 1], -1)


@pytest.mark.parametrize("linkage", [True, False])
def test_a_track_that_times_out(linkage: bool) -> None:
    results = run(no_zopa_on_t1(), linkage, max_rounds=20).results()
    assert (results["outcome"] == "timeout").all()
    assert (results["round"] == 20).all()
    assert (results["track_t1_outcome"] == "timeout").all()
    assert results["walked_away"].isna().all()
    assert results["deal_i0"].notna().all() != linkage


def test_linked_failure_stops_the_other_track() -> None:
    # p2 leaves t1 at round 4; on t0 boulwares facing no deadline concede only late.
    data = no_zopa_on_t1(p2_deadline=3, quick_t0=False)
    data["tracks"]["t1"]["parties"] = ["p1", "p2"]
    data["parties"]["p2"]["positions"]["i1"]["values"]["o1"] = 0.2
    linked = run(data, linkage=True).results()
    assert (linked["outcome"] == "walkaway").all() and (linked["round"] == 4).all()
    assert (linked["track_t0_outcome"] == "stopped").all()
    assert (linked["track_t0_round"] == 4).all()
    assert linked["track_t0_walked_away"].isna().all()
    unlinked = run(data, linkage=False).results()
    assert (unlinked["outcome"] == "walkaway").all()
    assert (unlinked["walked_away"] == "p2").all()
    assert (unlinked["track_t0_outcome"] == "agreement").all()
    assert (unlinked["round"] == unlinked["track_t0_round"]).all()
    assert (unlinked["round"] > 4).all()
    assert (unlinked["deal_i0"] == "o1").all()


def test_parent_deadline_walk_away_coincides_with_the_tracks() -> None:
    # p1 sits on both tracks and leaves after round 8; nothing can be agreed on t1 before then.
    data = no_zopa_on_t1()
    data["parties"]["p1"]["deadline"] = 8
    for linkage in (True, False):
        results = run(data, linkage).results()
        assert (results["outcome"] == "walkaway").all()
        assert (results["walked_away"] == "p1").all()
        assert (results["round"] == 9).all()
        assert (results["track_t1_walked_away"] == "p1").all()
        assert (results["track_t1_round"] == 9).all()
        # The parent never checks walk-aways itself: every party is still at its table.
        model = run(data, linkage)
        assert model.at_table.all()


def test_a_party_on_no_track_cannot_walk_away() -> None:
    data = three_parties(deadline=None)
    data["tracks"]["t1"]["parties"] = ["p0", "p1"]
    data["parties"]["p2"]["required"] = False
    data["parties"]["p2"]["deadline"] = 1  # on no track: its deadline stops nothing
    results = run(data).results()
    assert (results["outcome"] == "agreement").all()


def random_with_tracks(seed: int) -> dict[str, Any]:
    """A random 3-party, 4-issue scenario with uncertainty, split into two tracks."""
    data = random_scenario_data(seed, n_parties=3, n_issues=4, reservation_range=(0.2, 0.5))
    for spec in data["parties"].values():
        spec["uncertainty"] = {"weights": 30, "reservation": 0.05, "values": 0.05}
        spec["strategy"] = {"name": "conceder", "exponent": 2.0}
    data["tracks"] = {
        "a": {"issues": ["i0", "i2"], "parties": ["p0", "p1"]},
        "b": {"issues": ["i1", "i3"], "parties": ["p0", "p1", "p2"]},
    }
    return data


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_track_agreements_clear_reservations_on_the_track_scale(seed: int) -> None:
    model = run(random_with_tracks(seed), linkage=False, replications=200, seed=seed)
    agreed_somewhere = False
    for track_run in runs(model):
        sub = track_run.model
        rows = np.flatnonzero(track_run.outcome == Outcome.AGREEMENT)
        agreed_somewhere |= rows.size > 0
        deals = sub.deal[rows]
        for local, p in enumerate(track_run.parties):
            # Track utility = the party's utility over the track's issues / its weight on them.
            weights = model.draws.weights[p][rows][:, track_run.issues]
            values = model.draws.values[p][rows][:, track_run.issues]
            picked = np.take_along_axis(values, deals[:, :, None], axis=2)[..., 0]
            expected = (weights * picked).sum(axis=1) / weights.sum(axis=1)
            np.testing.assert_allclose(sub.deal_utility[rows, local], expected, atol=1e-9)
            reservation = model.draws.reservations[p][rows]
            assert (sub.deal_utility[rows, local] >= reservation - 1e-9).all()
            np.testing.assert_array_equal(model.deal[rows][:, track_run.issues], deals)
    assert agreed_somewhere


@pytest.mark.parametrize("linkage", [True, False])
def test_outcomes_are_consistent_with_the_tracks(linkage: bool) -> None:
    results = run(random_with_tracks(3), linkage, replications=300, seed=3).results()
    outcomes = results[["track_a_outcome", "track_b_outcome"]]
    all_agreed = (outcomes == "agreement").all(axis=1)
    assert ((results["outcome"] == "agreement") == all_agreed).all()
    assert (outcomes != "running").all().all()
    failed = results["outcome"] != "agreement"
    matches = (outcomes[failed].to_numpy() == results.loc[failed, ["outcome"]].to_numpy()).any(1)
    assert matches.all()
    if not linkage:
        assert (results["round"] == results[["track_a_round", "track_b_round"]].max(axis=1)).all()
        assert (outcomes != "stopped").all().all()


def test_same_seed_same_results() -> None:
    first = run(random_with_tracks(4), replications=100, seed=7).results()
    again = run(random_with_tracks(4), replications=100, seed=7).results()
    pd.testing.assert_frame_equal(first, again)
    other = run(random_with_tracks(4), replications=100, seed=8).results()
    assert not first.equals(other)


def test_first_proposer_opens_every_track_it_sits_at() -> None:
    model = NegotiationModel(
        parse_scenario(three_parties()),
        50,
        seed=0,
        first_proposer="p2",
        protocol=build_protocol("split_track"),
    )
    t0, t1 = (track_run.model for track_run in runs(model))
    assert (t1.first_proposer == 2).all()
    assert set(t0.first_proposer) == {0, 1}


def test_offers_of_every_track_are_recorded() -> None:
    model = run(three_parties(), replications=4)
    first_round = model.offer_history[0]
    assert (first_round >= 0).all()


# --- the flagship ------------------------------------------------------------------------------


@pytest.mark.parametrize("linkage", [True, False])
def test_flagship_runs_split(linkage: bool) -> None:
    model = NegotiationModel(
        "ukraine_2025",
        replications=500,
        seed=0,
        protocol=build_protocol("split_track", {"linkage": linkage}),
    ).run(progress=False)
    results = model.results()
    assert (results["outcome"] != "running").all()
    tracks = results[["track_normalization_outcome", "track_settlement_outcome"]]
    every_track = (tracks == "agreement").all(axis=1)
    ratified = results["ratified"].fillna(False).astype(bool)
    assert (results["ratified"].notna() == every_track).all()  # presented when all tracks agreed
    assert ((results["outcome"] == "agreement") == (every_track & ratified)).all()
    assert (results.loc[every_track & ~ratified, "outcome"] == "walkaway").all()
    assert 0 < (results["outcome"] == "agreement").mean() < 1
    partial = (results["outcome"] != "agreement") & (
        results["track_normalization_outcome"] == "agreement"
    )
    assert partial.any()
    assert results.loc[partial, "deal_normalization"].notna().all() != linkage


def _recomputed_utilities(model: NegotiationModel, rows: np.ndarray) -> np.ndarray:
    """The deals of `rows`, valued from the drawn numbers alone: (n, P)."""
    deals = model.deal[rows]
    tables = (model.draws.weights[..., None] * model.draws.values)[:, rows]  # (P, n, I, K)
    picked = np.take_along_axis(tables, deals[None, :, :, None], axis=3)[..., 0]
    return picked.sum(axis=2).T


@pytest.mark.parametrize("linkage", [True, False])
def test_every_split_agreement_clears_every_required_party_in_full_utilities(
    linkage: bool,
) -> None:
    """The flagship split in two tracks: 54 of 663 agreements once left Ukraine or Europe below
    its reservation; every agreement must now clear every required party and its red lines."""
    model = run(load_scenario("ukraine_2025"), linkage=linkage, replications=1000, max_rounds=100)
    results = model.results()
    agreed = (results["outcome"] == "agreement").to_numpy()
    assert agreed.sum() > 300
    utilities = _recomputed_utilities(model, np.flatnonzero(agreed))
    floors = model.draws.reservations.T[agreed]
    required = model.scenario.required
    assert (utilities[:, required] >= floors[:, required] - 1e-9).all()
    deals = model.deal[agreed]
    for party in np.flatnonzero(required):
        lines = model.scenario.red_lines[party]
        assert not lines[np.arange(deals.shape[1]), deals].any(axis=1).any()
    refused = results["ratified"].eq(False).fillna(False).to_numpy()
    assert refused.any()  # the flagship's tracks do agree on deals a seated-out party refuses
    assert results.loc[refused, "walked_away"].isin(["ukraine", "europe"]).all()


def test_tracks_that_agree_on_a_deal_outside_the_zone_are_not_ratified() -> None:
    """p2 sits only at t1 but cares most about i0, where p0 and p1 agree on the option p2 values
    least: each track agrees, the combined deal leaves p2 below its reservation, so no replication
    agrees and p2 refuses every combined deal."""
    data = three_parties()
    data["tracks"]["t1"]["parties"] = ["p1", "p2"]
    data["tracks"]["t0"]["parties"] = ["p0", "p1"]
    p2 = data["parties"]["p2"]["positions"]
    p2["i0"]["weight"], p2["i1"]["weight"] = 0.9, 0.1
    p2["i0"]["values"] = {"o0": 1.0, "o1": 0.0, "o2": 0.0}
    data["parties"]["p0"]["positions"]["i0"]["values"] = {"o0": 0.0, "o1": 1.0, "o2": 0.5}
    data["parties"]["p1"]["positions"]["i0"]["values"] = {"o0": 0.0, "o1": 1.0, "o2": 0.5}
    scenario = parse_scenario(data)
    model = run(scenario, linkage=True, replications=200, max_rounds=40)
    results = model.results()
    every_track = (results[["track_t0_outcome", "track_t1_outcome"]] == "agreement").all(axis=1)
    assert every_track.mean() > 0.9  # the tracks do agree
    assert (results["outcome"] != "agreement").all()
    assert (results.loc[every_track, "walked_away"] == "p2").all()
    assert (results.loc[every_track, "ratified"] == False).all()  # noqa: E712


def test_each_track_seats_its_parties_in_the_parents_seating() -> None:
    scenario = load_scenario("ukraine_2025")
    model = NegotiationModel(scenario, replications=40, seed=5, protocol="split_track")
    assert len({tuple(order) for order in model.seating}) > 1
    for run in model.protocol.runs(model):
        for row in range(model.replications):
            order = [int(p) for p in model.seating[row] if p in run.parties]
            assert [int(run.parties[q]) for q in run.model.seating[row]] == order
