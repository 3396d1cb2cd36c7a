"""GENIUS's and GeniusWeb's utility formulas, computed here straight from the files.

Nothing here uses negsim.formats: the XML is read with `xml.etree`, the JSON with `json`, and the
formulas are those of the formats (GENIUS: `sum_i w_i * eval_i(v) / max_k eval_i(k)`, items
matched by value text, a repeated item's last evaluation counting as in GENIUS's HashMap;
GeniusWeb: `sum_i w_i * valueUtilities_i(v)`), so the tests compare two implementations.
"""

from __future__ import annotations

import itertools
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from negsim.scenario import Scenario

DATA = Path(__file__).resolve().parents[1] / "data"
GENIUS = DATA / "genius"
GENIUSWEB = DATA / "geniusweb"
ENUMERATE_UP_TO = 100_000
SAMPLE = 10_000


@dataclass
class Reference:
    """One party as its file states it: issue -> weight, issue -> value -> utility in [0, 1]."""

    weights: dict[str, float]
    utilities: dict[str, dict[str, float]]
    reservation: float
    discount: float

    def utility(self, outcome: dict[str, str]) -> float:
        """The format's utility of an outcome given as issue -> value text."""
        return sum(self.weights[i] * self.utilities[i][v] for i, v in outcome.items())


def genius_domain(path: Path) -> list[tuple[str, list[str]]]:
    """Issue names and value texts of a GENIUS domain file, in file order."""
    objective = ET.parse(path).getroot().find("utility_space").find("objective")
    return [
        (issue.get("name"), [item.get("value") for item in issue.findall("item")])
        for issue in objective.findall("issue")
    ]


def genius_profile(path: Path) -> Reference:
    """A GENIUS utility space: weights by issue index, evaluations divided by their largest."""
    root = ET.parse(path).getroot()
    objective = root.find("objective")
    weight_by_index = {int(w.get("index")): float(w.get("value")) for w in objective.iter("weight")}
    weights, utilities = {}, {}
    for issue in objective.findall("issue"):
        name = issue.get("name")
        weights[name] = weight_by_index[int(issue.get("index"))]
        evaluations: dict[str, float] = {}
        for item in issue.findall("item"):
            evaluations[item.get("value")] = float(item.get("evaluation"))
        top = max(evaluations.values())
        utilities[name] = {v: e / top for v, e in evaluations.items()}
    reservation = root.find("reservation")
    discount = root.find("discount_factor")
    d = 1.0 if discount is None else float(discount.get("value"))
    return Reference(
        weights=weights,
        utilities=utilities,
        reservation=0.0 if reservation is None else float(reservation.get("value")),
        discount=d if 0 < d <= 1 else 1.0,
    )


def geniusweb_domain(path: Path) -> list[tuple[str, list[str]]]:
    """Issue names and values of a GeniusWeb domain (or of the domain a profile embeds)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "issuesValues" not in data:
        data = data["LinearAdditiveUtilitySpace"]["domain"]
    return [(issue, spec["values"]) for issue, spec in data["issuesValues"].items()]


def geniusweb_profile(path: Path) -> Reference:
    """A GeniusWeb linear-additive profile; the reservation is its reservation bid's utility."""
    body = json.loads(path.read_text(encoding="utf-8"))["LinearAdditiveUtilitySpace"]
    utilities = {
        issue: spec["DiscreteValueSetUtilities"]["valueUtilities"]
        for issue, spec in body["issueUtilities"].items()
    }
    ref = Reference(body["issueWeights"], utilities, 0.0, 1.0)
    bid = body.get("reservationBid")
    if bid:
        ref.reservation = ref.utility(bid["issuevalues"])
    return ref


def outcomes(domain: list[tuple[str, list[str]]], seed: int = 0) -> np.ndarray:
    """Every outcome as value indices, shape (N, I); a random 10,000 above 100,000 outcomes."""
    sizes = [len(values) for _, values in domain]
    if int(np.prod(sizes, dtype=float)) <= ENUMERATE_UP_TO:
        return np.array(list(itertools.product(*(range(n) for n in sizes))), dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, n, SAMPLE) for n in sizes], axis=1)


def reference_utilities(
    ref: Reference, domain: list[tuple[str, list[str]]], picks: np.ndarray
) -> np.ndarray:
    """The format's utility of each outcome in `picks` (value indices in domain order)."""
    total = np.zeros(len(picks))
    for i, (issue, values) in enumerate(domain):
        table = np.array([ref.weights[issue] * ref.utilities[issue][v] for v in values])
        total += table[picks[:, i]]
    return total


def negsim_utilities(
    scenario: Scenario, party: str, domain: list[tuple[str, list[str]]], picks: np.ndarray
) -> np.ndarray:
    """negsim's utility of the same outcomes, issues and options matched by their labels."""
    p = scenario.party_names.index(party)
    by_label = {issue.label: i for i, issue in enumerate(scenario.issues)}
    total = np.zeros(len(picks))
    for j, (issue, values) in enumerate(domain):
        i = by_label[issue]
        labels = scenario.issues[i].option_labels
        table = np.array(
            [scenario.weights[p, i] * scenario.values[p, i, labels.index(v)] for v in values]
        )
        total += table[picks[:, j]]
    return total


def utility_grid(scenario: Scenario, party: str) -> np.ndarray:
    """negsim's utility of every outcome for `party`, flat in C order of the options.

    Only for scenarios small enough to enumerate (the flagship's 12.6 million outcomes take
    100 MB).
    """
    p = scenario.party_names.index(party)
    total = np.zeros(1)
    for i, issue in enumerate(scenario.issues):
        row = scenario.weights[p, i] * scenario.values[p, i, : len(issue.options)]
        total = (total[:, None] + row[None, :]).ravel()
    return total
