"""Raising one party's reservation value never raises the agreement probability beyond noise."""

from __future__ import annotations

import itertools
import math

import pytest

from negsim.analysis.intervals import wilson_interval
from negsim.formats.load import load_scenario
from negsim.model import NegotiationModel

pytestmark = pytest.mark.slow

R = 2000


@pytest.mark.parametrize("party", ["ukraine", "russia"])
def test_agreement_probability_falls_as_a_reservation_rises(party: str) -> None:
    base = load_scenario("ukraine_2025")
    stated = base.party(party).reservation
    levels = [stated - 0.1, stated, stated + 0.1]
    probabilities = []
    for level in levels:
        scenario = base.override({f"parties.{party}.reservation": round(level, 3)})
        results = NegotiationModel(scenario, replications=R, seed=21).run().results()
        probabilities.append(float((results["outcome"] == "agreement").mean()))
    noise = 3 * math.sqrt(0.25 / R)  # three standard errors at the widest
    for lower, higher in itertools.pairwise(probabilities):
        assert higher <= lower + noise, probabilities
    low, high = wilson_interval(round(probabilities[0] * R), R)
    assert probabilities[-1] < low, "a 0.2 rise should lower the probability for real"
    assert high <= 1.0
