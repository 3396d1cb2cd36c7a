"""`scenario_yaml` writes a mapping that PyYAML and Hydra's OmegaConf read back unchanged."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from negsim.errors import ScenarioWarning
from negsim.formats import read_domain, scenario_yaml
from negsim.formats.load import load_scenario
from tests.formats.reference import GENIUS, GENIUSWEB

TRICKY = ["Yes", "No", "yes", "OFF", "on", "y", "N", "true", "False", "null", "Null", "~", "1"]
TRICKY += ["0", "1.0", "1e5", "-2", "0x1F", "1_000", ".5", "12:30", "", " padded ", "#hash"]
TRICKY += ["a: b", "- dash", "[list]", "{map}", "quote's", '"double"', "$10 billion", "é ü"]


def _both_readers(text: str) -> tuple[Any, Any]:
    return yaml.safe_load(text), OmegaConf.to_container(OmegaConf.create(text))


def test_strings_yaml_would_take_for_other_types_read_back_as_strings() -> None:
    data = {
        "name": "tricky",
        "issues": {"answer": {"label": "Answer", "options": {t: t for t in TRICKY}}},
        "parties": {"p": {"reservation": 0.5, "deadline": None, "required": True}},
    }
    text = scenario_yaml(data)
    for parsed in _both_readers(text):
        assert parsed == data
    assert "'No': 'No'" in text and "'1e5': '1e5'" in text


def _imported() -> list[dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        out = [read_domain(GENIUS / f)[0] for f in ("party", "ampo_city", "england_zimbabwe_2010")]
        itex = GENIUS / "itex_cypress"  # profile variants: named, as a folder of them must be
        files = [itex / f"ItexvsCypress_{p}.xml" for p in ("Itex", "Itex50", "Cypress")]
        out.append(read_domain(itex / "ItexvsCypress_domain.xml", files)[0])
        politics = GENIUS / "politics_2015"
        files = [politics / f"Politics_util{k}.xml" for k in (1, 2, 3)] + [
            politics / "PoliticsA100.xml"
        ]
        out.append(read_domain(politics / "Politics.xml", files)[0])
    out.append(read_domain(GENIUSWEB / "anl2023_domain00")[0])
    return out


@pytest.mark.parametrize("data", _imported(), ids=lambda d: d["name"])
def test_imported_domains_read_back_unchanged(data: dict[str, Any], tmp_path: Path) -> None:
    text = scenario_yaml(data)
    for parsed in _both_readers(text):
        assert parsed == data
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(text, encoding="utf-8")
    again = load_scenario(path)
    assert again.data == data
    assert list(yaml.safe_load(text)) == list(data)  # key order kept


def test_the_flagship_reads_back_unchanged_and_reads_well() -> None:
    data = load_scenario("ukraine_2025").data
    text = scenario_yaml(data)
    for parsed in _both_readers(text):
        assert parsed == data
    lines = text.splitlines()
    assert any(line.strip().startswith("strategy: {name: ") for line in lines)
    assert any(line.strip().startswith("values: {") for line in lines)
    assert lines[lines.index("issues:") - 1] == ""


_SCALAR = st.one_of(
    st.text(max_size=12), st.sampled_from(TRICKY), st.floats(allow_nan=False), st.booleans()
)
_TREE = st.recursive(
    st.one_of(_SCALAR, st.none(), st.integers()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(TRICKY)), inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "issues", "parties", "values", "x"]), _TREE))
def test_any_mapping_reads_back_unchanged(data: dict[str, Any]) -> None:
    assert yaml.safe_load(scenario_yaml(data)) == data
