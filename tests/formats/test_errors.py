"""Every problem in a domain or profile file is one `ScenarioError` line naming the file, the
element or key and the problem; nearly normalised weights are rescaled with a warning."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.formats import read_domain
from negsim.formats.load import load_scenario
from tests.formats.reference import GENIUS, GENIUSWEB

EZ = GENIUS / "england_zimbabwe_2010"
WEB = GENIUSWEB / "anl2023_domain00"


def _edited(tmp_path: Path, source: Path, old: str, new: str, count: int = 1) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _error(path: Path, profiles: list[Path] | None = None) -> str:
    with pytest.raises(ScenarioError) as caught:
        read_domain(path, profiles)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def _ez(tmp_path: Path, old: str, new: str, count: int = 1) -> str:
    england = _edited(tmp_path, EZ / "England.xml", old, new, count)
    return _error(EZ / "EnglandZimbabwe_domain.xml", [england, EZ / "Zimbabwe.xml"])


def _ez_without(tmp_path: Path, pattern: str) -> str:
    """England's profile with the element matching `pattern` (a regex) taken out."""
    text, count = re.subn(pattern, "", (EZ / "England.xml").read_text(), flags=re.DOTALL)
    assert count == 1
    england = tmp_path / "England.xml"
    england.write_text(text)
    return _error(EZ / "EnglandZimbabwe_domain.xml", [england, EZ / "Zimbabwe.xml"])


def test_broken_xml_names_line_and_column(tmp_path: Path) -> None:
    text = (EZ / "England.xml").read_text().splitlines(keepends=True)
    broken = tmp_path / "England.xml"
    broken.write_text("".join(text[:5]) + '<item value="x" <\n')
    message = _error(EZ / "EnglandZimbabwe_domain.xml", [broken, EZ / "Zimbabwe.xml"])
    assert re.fullmatch(
        rf"{re.escape(str(broken))}: line 6, column \d+: not valid XML: .+", message
    )


def test_broken_json_names_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "profileA.json"
    broken.write_text('{\n  "LinearAdditiveUtilitySpace": {\n    "issueWeights": [1, }\n')
    message = _error(WEB / "domain00.json", [broken, WEB / "profileB.json"])
    assert message.startswith(f"{broken}: line 3, column 25: not valid JSON: ")


def test_a_json_key_given_twice_is_an_error(tmp_path: Path) -> None:
    twice = _edited(
        tmp_path, WEB / "profileA.json", '"valueB": 1.0,', '"valueB": 1.0, "valueB": 0,'
    )
    message = _error(WEB / "domain00.json", [twice, WEB / "profileB.json"])
    assert message == f"{twice}: valueB: key given twice in one object"


def test_missing_weight(tmp_path: Path) -> None:
    message = _ez_without(tmp_path, r'<weight index="3".*?</weight>')
    assert message.endswith(
        "England.xml: issue 'Zimbabwe Trade Policy': missing weight: "
        'no <weight index="3"> element'
    )


def test_unknown_value_in_a_profile(tmp_path: Path) -> None:
    message = _ez(tmp_path, 'value="$50 Billion"', 'value="$60 Billion"')
    assert message.endswith(
        "England.xml: issue 'Size of Fund', item '$60 Billion': unknown value: not one of the "
        "domain's for this issue"
    )


def test_evaluation_missing_for_a_value(tmp_path: Path) -> None:
    message = _ez_without(tmp_path, r'<item index="2" value="\$50 Billion".*?</item>')
    assert "issue 'Size of Fund', item '$50 Billion': evaluation missing for this value" in message


def test_unknown_issue_in_a_profile(tmp_path: Path) -> None:
    message = _ez(tmp_path, 'name="Size of Fund"', 'name="Size of Funds"')
    assert message.endswith(
        "issue 'Size of Funds': unknown issue: EnglandZimbabwe_domain.xml has no such issue"
    )


def test_negative_evaluation(tmp_path: Path) -> None:
    message = _ez(tmp_path, 'evaluation="5"', 'evaluation="-5"')
    assert message.endswith(
        "issue 'Size of Fund', item '$100 Billion': evaluation -5 is negative; "
        "evaluations must be >= 0"
    )


def test_an_issue_with_every_evaluation_zero(tmp_path: Path) -> None:
    england = (EZ / "England.xml").read_text()
    start = england.index('name="England Trade Policy"')
    end = england.index("</issue>", start)
    zeroed = england[:start] + re.sub(r'evaluation="\d+"', 'evaluation="0"', england[start:end])
    path = tmp_path / "England.xml"
    path.write_text(zeroed + england[end:])
    message = _error(EZ / "EnglandZimbabwe_domain.xml", [path, EZ / "Zimbabwe.xml"])
    assert "issue 'England Trade Policy': every evaluation is 0" in message


def test_a_missing_attribute(tmp_path: Path) -> None:
    message = _ez(tmp_path, 'evaluation="9"', 'evaluatio="9"')
    assert message.endswith(
        "issue 'Size of Fund', item '$10 billion': missing attribute evaluation"
    )


def test_a_non_discrete_issue(tmp_path: Path) -> None:
    domain = _edited(
        tmp_path,
        EZ / "EnglandZimbabwe_domain.xml",
        'name="Size of Fund" vtype="discrete" type="discrete"',
        'name="Size of Fund" vtype="real" type="real"',
    )
    message = _error(domain, [EZ / "England.xml", EZ / "Zimbabwe.xml"])
    assert message.startswith(
        f"{domain}: issue 'Size of Fund': a real issue: negsim reads discrete issues only"
    )


def test_nested_objectives_are_refused(tmp_path: Path) -> None:
    domain = _edited(
        tmp_path,
        EZ / "EnglandZimbabwe_domain.xml",
        '<issue index="1"',
        '<objective index="9" name="sub"></objective><issue index="1"',
    )
    message = _error(domain, [EZ / "England.xml", EZ / "Zimbabwe.xml"])
    assert message.startswith(f"{domain}: objective 'sub': nested objectives are not supported")


def test_weights_slightly_off_are_rescaled_with_a_warning(tmp_path: Path) -> None:
    # 0.29543296638688804 + 0.0005: the weights then sum to 1.0005
    england = _edited(tmp_path, EZ / "England.xml", "0.29543296638688804", "0.29593296638688804")
    with pytest.warns(ScenarioWarning) as caught:
        scenario = load_scenario(EZ / "EnglandZimbabwe_domain.xml", [england, EZ / "Zimbabwe.xml"])
    assert [str(w.message) for w in caught] == [
        f"{england}: issue weights sum to 1.0005; rescaled to sum to 1"
    ]
    weights = scenario.party("England").weights
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-15)
    assert weights["forum_on_other_health_issues"] == pytest.approx(0.29593296638688804 / 1.0005)


def test_weights_far_off_are_an_error(tmp_path: Path) -> None:
    message = _ez(tmp_path, "0.29543296638688804", "0.39543296638688804")
    assert message.endswith(
        "England.xml: weights: issue weights sum to 1.1; they must sum to 1 (within 0.001)"
    )


def test_a_profile_for_another_domain(tmp_path: Path) -> None:
    message = _error(
        GENIUS / "itex_cypress" / "ItexvsCypress_domain.xml",
        [EZ / "England.xml", EZ / "Zimbabwe.xml"],
    )
    assert message.startswith(f"{EZ / 'England.xml'}: objective: a profile for another domain")
    other = _edited(tmp_path, WEB / "profileA.json", '"valueO"\n', '"valueP"\n')
    message = _error(WEB / "domain00.json", [other, WEB / "profileB.json"])
    assert "LinearAdditiveUtilitySpace.domain: a profile for another domain" in message


def test_no_profiles_and_a_single_profile() -> None:
    message = _error(EZ / "EnglandZimbabwe_domain.xml")
    assert message.endswith("no profiles: give the domain's profile files after the domain file")
    message = _error(EZ / "EnglandZimbabwe_domain.xml", [EZ / "England.xml"])
    assert "a negotiation needs at least two profiles, got 1 (England.xml)" in message


def test_a_profile_given_as_the_domain(tmp_path: Path) -> None:
    message = _error(EZ / "England.xml", [EZ / "Zimbabwe.xml"])
    assert "a GENIUS utility space, not a domain" in message


def test_a_folder_with_several_domains_lists_them() -> None:
    folder = GENIUS / "england_zimbabwe_2012"
    message = _error(folder)
    assert message == (
        f"{folder}: holds 3 GENIUS domains (EnglandvsZimbabwe-A-domain.xml, "
        "EnglandvsZimbabwe-B-domain.xml, EnglandvsZimbabwe-C-domain.xml): give one domain file "
        "followed by its profile files"
    )


def test_an_empty_folder(tmp_path: Path) -> None:
    assert _error(tmp_path) == (
        f"{tmp_path}: no GENIUS (.xml) or GeniusWeb (.json) domain or profile files here"
    )


def test_a_folder_of_profiles_without_their_genius_domain(tmp_path: Path) -> None:
    for name in ("England.xml", "Zimbabwe.xml"):
        shutil.copy(EZ / name, tmp_path / name)
    assert "no GENIUS domain file (root element negotiation_template)" in _error(tmp_path)


def test_a_missing_path() -> None:
    missing = GENIUS / "nowhere"
    assert _error(missing) == f"{missing}: no such file or folder"


def test_other_geniusweb_profile_kinds_and_number_ranges(tmp_path: Path) -> None:
    other = tmp_path / "groups.json"
    other.write_text(json.dumps({"SumOfGroupsUtilitySpace": {"domain": {}}}))
    message = _error(WEB / "domain00.json", [other, WEB / "profileB.json"])
    assert message == (
        f"{other}: SumOfGroupsUtilitySpace: a SumOfGroupsUtilitySpace profile: negsim reads "
        "LinearAdditiveUtilitySpace profiles only"
    )
    domain = tmp_path / "domain00.json"
    data = json.loads((WEB / "domain00.json").read_text())
    data["issuesValues"]["issueA"] = {"range": {"low": 0, "high": 10, "step": 1}}
    domain.write_text(json.dumps(data))
    message = _error(domain, [WEB / "profileA.json"])
    assert message.startswith(f"{domain}: issuesValues.issueA: a number range: negsim reads")


def test_geniusweb_utilities_outside_the_unit_interval(tmp_path: Path) -> None:
    bad = _edited(tmp_path, WEB / "profileA.json", '"valueB": 1.0,', '"valueB": 1.5,')
    message = _error(WEB / "domain00.json", [bad, WEB / "profileB.json"])
    assert message.endswith(
        "LinearAdditiveUtilitySpace.issueUtilities.issueA.DiscreteValueSetUtilities."
        "valueUtilities.valueB: 1.5 must lie in [0, 1]"
    )
