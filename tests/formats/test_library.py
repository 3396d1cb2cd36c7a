"""The shipped classic cases (`configs/scenario/`) against the GENIUS files they came from."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from negsim.errors import ScenarioWarning
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel
from tests.formats.reference import (
    GENIUS,
    genius_domain,
    genius_profile,
    negsim_utilities,
    outcomes,
    reference_utilities,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "experiments" / "classic_domains"))
from build_library import CASES, build  # noqa: E402

BY_NAME = {case.name: case for case in CASES}


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_shipped_case_equals_the_genius_formula_on_every_outcome(name: str) -> None:
    case = BY_NAME[name]
    scenario = load_scenario(name)
    folder = GENIUS / case.folder
    domain = genius_domain(folder / case.domain)
    picks = outcomes(domain)
    assert len(picks) == int(scenario.n_options.prod())  # every outcome, none sampled
    assert [party for party, _ in case.parties.values()] == scenario.party_names
    for file, (party, label) in case.parties.items():
        ref = genius_profile(folder / file)
        expected = reference_utilities(ref, domain, picks)
        np.testing.assert_allclose(
            negsim_utilities(scenario, party, domain, picks), expected, atol=1e-6
        )
        assert scenario.party(party).reservation == pytest.approx(ref.reservation)
        assert scenario.party(party).discount == pytest.approx(ref.discount)
        assert scenario.party(party).label == label


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_shipped_case_is_what_the_builder_writes(name: str) -> None:
    """The files in `configs/scenario/` are the builder's output from the tests' own copies."""
    shipped = (ROOT / "configs" / "scenario" / f"{name}.yaml").read_text(encoding="utf-8")
    rescaled = name == "party_domain"  # party4's weights sum to 0.9999991
    with pytest.warns(ScenarioWarning, match="rescaled") if rescaled else warnings.catch_warnings():
        if not rescaled:
            warnings.simplefilter("error")
        built = build(BY_NAME[name], GENIUS)
    assert built.split("\n", 3)[3] == shipped.split("\n", 3)[3]  # after the header comment


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_shipped_case_says_what_it_is(name: str) -> None:
    scenario = load_scenario(name)
    assert "Licence:" in scenario.data["description"]
    assert scenario.data["source"].startswith(("GENIUS", "ANAC"))
    model = NegotiationModel(scenario, replications=8, seed=0).run()
    assert (model.results()["outcome"] == "agreement").all()  # no deadline, reservations low
