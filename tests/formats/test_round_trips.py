"""Import, export, import again: the same names, labels and utilities on every outcome."""

from __future__ import annotations

import json
import tempfile
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negsim.errors import ScenarioWarning
from negsim.formats import read_domain, write_genius, write_geniusweb
from negsim.formats.export import written_strings, xml_text_ok
from negsim.formats.load import load_scenario
from negsim.formats.names import YAML_WORDS
from negsim.scenario import Scenario, parse_scenario
from tests.builders import exact_weights
from tests.formats.reference import GENIUS, GENIUSWEB, utility_grid
from tests.formats.test_shared_domains import GENIUS_CASES


def _load(path: Path, profiles: list[Path] | None = None) -> Scenario:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return load_scenario(path, profiles)


def _reimport(paths: list[Path]) -> Scenario:
    """Read written files back, failing on any warning (an export reads back cleanly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data, source = read_domain(paths[0], paths[1:])
    assert source == str(paths[0])
    return parse_scenario(data, source=source)


def _same_outcome_space(a: Scenario, b: Scenario) -> None:
    assert [i.name for i in a.issues] == [i.name for i in b.issues]
    assert [i.options for i in a.issues] == [i.options for i in b.issues]
    assert sorted(a.party_names) == sorted(b.party_names)


def _same_utilities(a: Scenario, b: Scenario, atol: float = 1e-12) -> None:
    """Every party's utility equal on every outcome (enumerated)."""
    _same_outcome_space(a, b)
    for party in a.party_names:
        first = utility_grid(a, party)
        second = utility_grid(b, party)
        assert np.abs(first - second).max() <= atol, party
        del first, second


def _same_labels(a: Scenario, b: Scenario) -> None:
    assert [i.label for i in a.issues] == [i.label for i in b.issues]
    assert [i.option_labels for i in a.issues] == [i.option_labels for i in b.issues]
    assert {p.name: p.label for p in a.parties} == {p.name: p.label for p in b.parties}


def _case(case: str) -> Scenario:
    folder = GENIUS / case.split("/")[0]
    domain, profiles = GENIUS_CASES[case]
    return _load(folder / domain, [folder / p for p in profiles])


@pytest.mark.parametrize("case", sorted(GENIUS_CASES))
def test_genius_import_export_import(case: str, tmp_path: Path) -> None:
    original = _case(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = write_genius(original, tmp_path)
    assert [p.name for p in paths[1:]] == [f"{p.label}.xml" for p in original.parties]
    again = _reimport(paths)
    assert again.party_names == original.party_names
    assert again.name == original.name
    _same_labels(original, again)
    _same_utilities(original, again)
    for party in original.parties:
        assert again.party(party.name).reservation == party.reservation
        assert again.party(party.name).discount == party.discount


def test_geniusweb_import_export_import(tmp_path: Path) -> None:
    original = load_scenario(GENIUSWEB / "anl2023_domain00")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = write_geniusweb(original, tmp_path)
    assert [p.name for p in paths] == ["domain00.json", "profileA.json", "profileB.json"]
    again = _reimport(paths)
    assert (again.name, again.label) == ("domain00", "domain00")
    assert again.party_names == original.party_names
    _same_labels(original, again)
    _same_utilities(original, again, atol=1e-14)
    folder_again = load_scenario(tmp_path)  # the folder reads the same
    _same_utilities(original, folder_again, atol=1e-14)


def test_genius_to_geniusweb_keeps_utilities_and_the_least_reservation_bid(
    tmp_path: Path,
) -> None:
    original = _case("england_zimbabwe_2012/B")
    with pytest.warns(ScenarioWarning) as caught:
        paths = write_geniusweb(original, tmp_path)
    messages = [str(w.message) for w in caught]
    assert any("GeniusWeb cannot hold discounts" in m for m in messages)
    again = _reimport(paths)
    _same_utilities(original, again, atol=1e-14)
    for party in original.parties:
        grid = utility_grid(original, party.name)
        least = grid[grid >= party.reservation - 1e-12].min()
        assert again.party(party.name).reservation == pytest.approx(least, abs=1e-12)
        assert again.party(party.name).discount == 1.0
    gaps = [m for m in messages if "holds a reservation bid, not a value" in m]
    assert len(gaps) == sum(
        again.party(p.name).reservation - p.reservation > 1e-9 for p in original.parties
    )


@pytest.mark.slow
def test_the_flagship_survives_both_formats(tmp_path: Path) -> None:
    """ukraine_2025: 12.6 million outcomes, each party's utility equal on all of them."""
    flagship = load_scenario("ukraine_2025")
    with pytest.warns(ScenarioWarning, match=r"GENIUS cannot hold red lines \(us, russia"):
        genius = _reimport(write_genius(flagship, tmp_path / "genius"))
    with pytest.warns(ScenarioWarning, match=r"GeniusWeb cannot hold red lines .*strategies"):
        web_files = write_geniusweb(flagship, tmp_path / "geniusweb")
    web = _reimport(web_files)
    for file in web_files[1:]:  # GeniusWeb checks that the weights' decimal sum is exactly 1
        body = json.loads(file.read_text(), parse_float=Decimal)["LinearAdditiveUtilitySpace"]
        assert sum(body["issueWeights"].values()) == 1
        assert body["name"] == file.stem and body["reservationBid"]["issuevalues"]
    for again in (genius, web):
        assert again.party_names == flagship.party_names
        assert [i.name for i in again.issues] == flagship.issue_names
        assert all(not p.red_lines for p in again.parties)
    _same_outcome_space(flagship, genius)
    _same_outcome_space(flagship, web)
    for party in flagship.parties:
        grid = utility_grid(flagship, party.name)
        assert np.abs(utility_grid(genius, party.name) - grid).max() <= 1e-12
        assert np.abs(utility_grid(web, party.name) - grid).max() <= 1e-12
        assert genius.party(party.name).reservation == party.reservation
        least = grid[grid >= party.reservation - 1e-12].min()
        assert web.party(party.name).reservation == pytest.approx(least, abs=1e-12)
        assert web.party(party.name).reservation == pytest.approx(party.reservation, abs=1e-9)


def test_genius_export_of_values_below_one_scales_and_keeps_choices(tmp_path: Path) -> None:
    data = load_scenario("ukraine_2025").data
    small = {
        "name": "scaled",
        "issues": {k: data["issues"][k] for k in ("crimea", "nato")},
        "parties": {},
    }
    for name in ("us", "russia"):
        party = data["parties"][name]
        positions = {k: dict(party["positions"][k]) for k in ("crimea", "nato")}
        positions["crimea"]["weight"] = positions["nato"]["weight"] = 0.5
        positions["nato"]["values"] = {k: v * 0.5 for k, v in positions["nato"]["values"].items()}
        small["parties"][name] = {"reservation": 0.3, "positions": positions}
    scenario = parse_scenario(small)
    with pytest.warns(ScenarioWarning, match="divided by 0.75"):
        again = _reimport(write_genius(scenario, tmp_path))
    for name in ("us", "russia"):
        scaled = utility_grid(scenario, name) / 0.75
        assert np.abs(utility_grid(again, name) - scaled).max() <= 1e-12
        assert again.party(name).reservation == pytest.approx(0.3 / 0.75)


_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda s: s not in YAML_WORDS)
_LABEL = st.one_of(st.none(), st.text(max_size=8), _NAME.map(lambda s: s.replace("_", " ").title()))


@st.composite
def small_scenarios(draw: Any, best_is_one: bool = True) -> dict[str, Any]:
    """A random small linear-additive scenario mapping; with `best_is_one` every party's best
    option on every issue is worth 1 (all GENIUS can hold)."""
    issue_names = draw(st.lists(_NAME, min_size=1, max_size=3, unique=True))
    issues = {}
    for name in issue_names:
        options = draw(st.lists(_NAME, min_size=2, max_size=4, unique=True))
        labels = [draw(_LABEL) for _ in options]
        issues[name] = {
            "label": draw(_LABEL),
            "options": {o: lab for o, lab in zip(options, labels, strict=True)},
        }
    parties = {}
    for name in draw(st.lists(_NAME, min_size=2, max_size=3, unique=True)):
        raw = [draw(st.floats(0.05, 1.0)) for _ in issue_names]
        weights = exact_weights(raw)
        positions = {}
        for issue, weight in zip(issue_names, weights, strict=True):
            options = list(issues[issue]["options"])
            values = [draw(st.floats(0.0, 1.0)) for _ in options]
            if best_is_one:
                values[draw(st.integers(0, len(values) - 1))] = 1.0
            positions[issue] = {"weight": weight, "values": dict(zip(options, values, strict=True))}
        best = sum(
            w * max(p["values"].values()) for w, p in zip(weights, positions.values(), strict=True)
        )
        parties[name] = {
            "label": draw(_LABEL),
            "reservation": draw(st.floats(0.0, 1.0)) * best * (1 - 1e-9),
            "discount": draw(st.one_of(st.just(1.0), st.floats(0.01, 1.0))),
            "positions": positions,
        }
    return {"name": draw(_NAME), "label": draw(_LABEL), "issues": issues, "parties": parties}


_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(small_scenarios())
def test_random_scenarios_survive_a_genius_round_trip(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        again = _reimport_quiet(write_genius(scenario, folder))
    assert again.party_names == scenario.party_names
    strings = written_strings(scenario, xml_text_ok)  # labels read back are the strings written
    assert [i.label for i in again.issues] == strings.issues
    assert [list(i.option_labels) for i in again.issues] == strings.options
    for issue, written in zip(scenario.issues, strings.options, strict=True):
        if issue.option_labels == issue.options:
            assert written == list(issue.options)
    _same_utilities(scenario, again)
    for party in scenario.parties:
        assert again.party(party.name).reservation == party.reservation
        assert again.party(party.name).discount == party.discount


@_PROPERTY
@given(small_scenarios(best_is_one=False))
def test_random_scenarios_survive_a_geniusweb_round_trip(data: dict[str, Any]) -> None:
    scenario = parse_scenario(data)
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        again = _reimport_quiet(write_geniusweb(scenario, folder))
    assert again.party_names == scenario.party_names
    _same_utilities(scenario, again, atol=1e-13)
    for party in scenario.parties:
        grid = utility_grid(scenario, party.name)
        least = grid[grid >= party.reservation - 1e-12].min() if party.reservation > 0 else 0.0
        assert again.party(party.name).reservation == pytest.approx(least, abs=1e-12)
        assert again.party(party.name).discount == 1.0


def _reimport_quiet(paths: list[Path]) -> Scenario:
    data, source = read_domain(paths[0], paths[1:])
    return parse_scenario(data, source=source)
