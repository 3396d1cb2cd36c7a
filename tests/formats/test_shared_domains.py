"""Every shared GENIUS and GeniusWeb domain imports, with the formats' own utilities on every
outcome (or a random 10,000 of them), reservation values and discounts."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.formats.load import load_scenario
from tests.formats.reference import (
    GENIUS,
    GENIUSWEB,
    genius_domain,
    genius_profile,
    geniusweb_domain,
    geniusweb_profile,
    negsim_utilities,
    outcomes,
    reference_utilities,
)

# folder -> (domain file, profile files); england_zimbabwe_2012 holds three domains, read apart
GENIUS_CASES = {
    "party": ("party_domain.xml", [f"party{k}_utility.xml" for k in range(1, 10)]),
    "itex_cypress": (
        "ItexvsCypress_domain.xml",
        [f"ItexvsCypress_{p}.xml" for p in ("Cypress", "Cypress100", "Itex", "Itex50")],
    ),
    "england_zimbabwe_2010": ("EnglandZimbabwe_domain.xml", ["England.xml", "Zimbabwe.xml"]),
    "politics_2015": (
        "Politics.xml",
        [f"Politics_util{k}.xml" for k in (1, 2, 3)]
        + [f"Politics{p}.xml" for p in ("A100", "B20", "C100")],
    ),
    "ampo_city": (
        "ampo_vs_city_template.xml",
        ["ampo_vs_city_ampo_space.xml", "ampo_vs_city_city_space.xml"],
    ),
}
for _v in "ABC":
    GENIUS_CASES[f"england_zimbabwe_2012/{_v}"] = (
        f"EnglandvsZimbabwe-{_v}-domain.xml",
        [f"EnglandvsZimbabwe-{_v}-prof1.xml", f"EnglandvsZimbabwe-{_v}-prof2.xml"],
    )


VARIANTS = {"itex_cypress", "politics_2015"}  # folders holding variants of their profiles


def _quiet_load(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        return load_scenario(*args, **kwargs)


@pytest.mark.parametrize("case", sorted(GENIUS_CASES))
def test_genius_domain_utilities_match_the_genius_formula(case: str) -> None:
    folder = GENIUS / case.split("/")[0]
    domain_file, profile_files = GENIUS_CASES[case]
    if "/" in case or case in VARIANTS:  # a folder of variants is read with its files named
        scenario = _quiet_load(folder / domain_file, [folder / f for f in profile_files])
    else:
        scenario = _quiet_load(folder)
    assert scenario.source == str(folder / domain_file)
    domain = genius_domain(folder / domain_file)
    picks = outcomes(domain)
    assert sorted(p.label for p in scenario.parties) == sorted(Path(f).stem for f in profile_files)
    assert [i.label for i in scenario.issues] == [name for name, _ in domain]
    assert not scenario.ordered.any(), "discrete GENIUS values are nominal"
    assert [list(i.option_labels) for i in scenario.issues] == [values for _, values in domain]
    for party in scenario.parties:
        ref = genius_profile(folder / f"{party.label}.xml")
        expected = reference_utilities(ref, domain, picks)
        got = negsim_utilities(scenario, party.name, domain, picks)
        total = sum(ref.weights.values())
        np.testing.assert_allclose(got, expected / total, rtol=0, atol=1e-12)
        assert np.abs(got - expected).max() <= abs(total - 1) + 1e-12
        assert party.reservation == pytest.approx(ref.reservation, abs=0)
        assert party.discount == ref.discount


def test_the_2012_domains_read_their_reservations_and_discounts() -> None:
    folder = GENIUS / "england_zimbabwe_2012"
    expected = {"A": ((0.5, 1.0), (0.5, 1.0)), "B": ((0.25, 0.5), (0.25, 0.5))}
    expected["C"] = ((0.0, 0.75), (0.0, 0.75))
    for v, parties in expected.items():
        files = [folder / f"EnglandvsZimbabwe-{v}-prof{k}.xml" for k in (1, 2)]
        scenario = load_scenario(folder / f"EnglandvsZimbabwe-{v}-domain.xml", files)
        got = tuple((p.reservation, p.discount) for p in scenario.parties)
        assert got == parties
        assert ("discount" in scenario.data["parties"][scenario.party_names[0]]) == (v != "A")


def test_a_genius_discount_of_zero_or_out_of_range_means_none(tmp_path: Path) -> None:
    folder = GENIUS / "england_zimbabwe_2012"
    domain = folder / "EnglandvsZimbabwe-B-domain.xml"
    text = (folder / "EnglandvsZimbabwe-B-prof1.xml").read_text()
    zero = tmp_path / "zero.xml"
    zero.write_text(text.replace('discount_factor value="0.50"', 'discount_factor value="0"'))
    above = tmp_path / "above.xml"
    above.write_text(text.replace('discount_factor value="0.50"', 'discount_factor value="1.5"'))
    with pytest.warns(ScenarioWarning, match=r"above\.xml: discount_factor 1\.5 lies outside"):
        scenario = load_scenario(domain, [zero, above])
    assert [p.discount for p in scenario.parties] == [1.0, 1.0]


def test_uncertain_profiles_and_repeated_items_are_named_in_warnings() -> None:
    itex = GENIUS / "itex_cypress"
    files = [itex / f for f in GENIUS_CASES["itex_cypress"][1]]
    with pytest.warns(ScenarioWarning) as caught:
        load_scenario(itex / "ItexvsCypress_domain.xml", files)
    messages = [str(w.message) for w in caught]
    assert sum("an uncertain preference profile" in m for m in messages) == 2
    with pytest.warns(ScenarioWarning, match=r"ampo_space\.xml: issue 'Increase in starting"):
        load_scenario(GENIUS / "ampo_city")


def test_geniusweb_domain_utilities_match_the_geniusweb_formula() -> None:
    folder = GENIUSWEB / "anl2023_domain00"
    scenario = load_scenario(folder)
    assert scenario.source == str(folder / "domain00.json")
    domain = geniusweb_domain(folder / "domain00.json")
    picks = outcomes(domain)
    assert len(picks) == 3 * 8 * 2 * 9 * 15
    assert not scenario.ordered.any(), "discrete GeniusWeb values are nominal"
    assert [p.name for p in scenario.parties] == ["profileA", "profileB"]
    for party in scenario.parties:
        ref = geniusweb_profile(folder / f"{party.name}.json")
        expected = reference_utilities(ref, domain, picks)
        np.testing.assert_allclose(
            negsim_utilities(scenario, party.name, domain, picks), expected, rtol=0, atol=1e-12
        )
        assert party.reservation == 0.0
        assert party.discount == 1.0


@pytest.mark.parametrize("profile", ["party1.json", "jobs1.json"])
def test_geniusweb_profiles_that_embed_their_domain(profile: str, tmp_path: Path) -> None:
    """party_jobs holds one profile per domain; each is read with a second profile made here
    (utilities reversed, a reservation bid), its embedded domain standing for the domain."""
    path = GENIUSWEB / "party_jobs" / profile
    data = json.loads(path.read_text())
    body = data["LinearAdditiveUtilitySpace"]
    for spec in body["issueUtilities"].values():
        utilities = spec["DiscreteValueSetUtilities"]["valueUtilities"]
        for value in utilities:
            utilities[value] = 1 - utilities[value]
    domain = geniusweb_domain(path)
    body["reservationBid"] = {"issuevalues": {issue: values[0] for issue, values in domain}}
    body["name"] = "other"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    scenario = load_scenario(path, [other])
    assert scenario.source == str(path)
    picks = outcomes(domain)
    for party, file in zip(scenario.parties, [path, other], strict=True):
        ref = geniusweb_profile(file)
        np.testing.assert_allclose(
            negsim_utilities(scenario, party.name, domain, picks),
            reference_utilities(ref, domain, picks),
            rtol=0,
            atol=1e-12,
        )
        assert party.reservation == pytest.approx(ref.reservation, abs=1e-12)
    assert scenario.parties[1].reservation > 0


def test_the_party_jobs_folder_lists_its_two_domains() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(GENIUSWEB / "party_jobs")
    message = str(caught.value)
    assert "holds profiles of 2 GeniusWeb domains" in message
    assert "jobs (jobs1.json)" in message and "party (party1.json)" in message


def test_names_are_identifiers_and_labels_keep_the_original_strings() -> None:
    scenario = load_scenario(GENIUS / "england_zimbabwe_2010")
    assert scenario.name == "EnglandZimbabwe"
    fund = scenario.issues[0]
    assert (fund.name, fund.label) == ("size_of_fund", "Size of Fund")
    assert fund.options == ("usd_100_billion", "usd_50_billion", "usd_10_billion", "no_agreement")
    assert fund.option_labels[0] == "$100 Billion"
    forum = scenario.issues[-1]
    assert forum.options[-1] == "no_" and forum.option_labels[-1] == "No"
    assert scenario.party_names == ["England", "Zimbabwe"]
    data = scenario.data
    assert data["description"] == (
        "GENIUS domain EnglandZimbabwe_domain.xml with profiles England, Zimbabwe"
    )
    assert data["source"] == "EnglandZimbabwe_domain.xml"
    assert "strategy" not in data["parties"]["England"]
    assert "discount" not in data["parties"]["England"]


@pytest.mark.parametrize(
    ("case", "variants"),
    [
        ("itex_cypress", "ItexvsCypress_Cypress100, ItexvsCypress_Itex50"),
        ("politics_2015", "PoliticsA100, PoliticsB20, PoliticsC100"),
    ],
)
def test_a_folder_of_profile_variants_asks_which_to_negotiate(case: str, variants: str) -> None:
    """Not one party per file: Itex50 is Itex at another price, PoliticsA100 an uncertain
    profile; the message lists the profiles and how to name the ones to negotiate."""
    folder = GENIUS / case
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert message.startswith(f"{folder}: holds ") and f"variants of others ({variants})" in message
    assert f"scenario_path=[{folder / GENIUS_CASES[case][0]}," in message
