"""From a domain and its profiles, as the formats hold them, to a negsim scenario mapping.

Both readers (GENIUS, GeniusWeb) produce a `DomainSpec` and `ProfileSpec`s in the formats' own
free-text names; `scenario_mapping` gives them negsim names (`negsim.formats.names`), rescales
weights that are nearly normalised, and builds exactly the mapping a scenario YAML file holds.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.formats.names import identifier, identifiers

WEIGHT_NOISE = 1e-9
"""Weights summing to within this of 1 are rescaled without a word (decimal rounding)."""

WEIGHT_TOLERANCE = 1e-3
"""Weights summing to within this of 1 are rescaled with a `ScenarioWarning`; farther off, an
error."""


MAX_OPTIONS = 10_000
"""Most options (values) one issue of an imported domain may have."""

MAX_ISSUES = 1_000
"""Most issues an imported domain may have."""

MAX_TOTAL_OPTIONS = 100_000
"""Most options an imported domain may have in all its issues together."""


class DomainSize:
    """Counts a domain's issues and options as a reader meets them, refusing one too large.

    The readers call it before they look at an issue's values, so a file of millions of values
    is refused in linear time, naming the file, the issue and the limit.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.names: set[str] = set()
        self.issues = 0
        self.options = 0

    def add(self, name: str, where: str, count: int) -> None:
        """Count issue `name` of `count` options, at key path `where` of the file."""
        self.names.add(name)
        self.issues += 1
        self.options += count
        if count > MAX_OPTIONS:
            raise ScenarioError(
                self.file,
                where,
                f"{count:,} values: negsim reads at most {MAX_OPTIONS:,} values per issue",
            )
        if self.issues > MAX_ISSUES:
            raise ScenarioError(
                self.file, where, f"more than {MAX_ISSUES:,} issues: negsim reads at most that"
            )
        if self.options > MAX_TOTAL_OPTIONS:
            raise ScenarioError(
                self.file,
                where,
                f"more than {MAX_TOTAL_OPTIONS:,} values in all issues so far: negsim reads at "
                "most that many",
            )


@dataclass
class DomainSpec:
    """A discrete outcome space in a format's own names: issues with their values, in order.

    `indices` are GENIUS's issue indices (by issue name), which its profiles refer to.
    """

    fmt: str
    file: Path
    name: str
    issues: list[tuple[str, list[str]]]
    indices: dict[str, int] = field(default_factory=dict)

    def values_of(self, issue: str) -> list[str]:
        """The values of `issue`."""
        for name, values in self.issues:
            if name == issue:
                return values
        raise KeyError(issue)


@dataclass
class ProfileSpec:
    """One party's linear-additive preferences in a format's own names.

    `values[issue][value]` is already in [0, 1] (GENIUS evaluations divided by the issue's
    largest); `reservation_bid` (GeniusWeb) stands for the reservation when `reservation` is None.
    """

    file: Path
    name: str
    label: str
    weights: dict[str, float]
    values: dict[str, dict[str, float]]
    reservation: float | None = 0.0
    reservation_bid: dict[str, str] | None = None
    discount: float = 1.0


def normalised_weights(profile: ProfileSpec) -> dict[str, float]:
    """The profile's weights rescaled to sum to 1.

    Within `WEIGHT_NOISE` of 1 silently, within `WEIGHT_TOLERANCE` with a `ScenarioWarning`
    naming the file; farther off, a `ScenarioError`.
    """
    total = math.fsum(profile.weights.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE or total <= 0:
        raise ScenarioError(
            str(profile.file),
            "weights",
            f"issue weights sum to {total:.12g}; they must sum to 1 (within {WEIGHT_TOLERANCE:g})",
        )
    if abs(total - 1.0) > WEIGHT_NOISE:
        warnings.warn(
            f"{profile.file}: issue weights sum to {total:.12g}; rescaled to sum to 1",
            ScenarioWarning,
            stacklevel=2,
        )
    out = {issue: w / total for issue, w in profile.weights.items()}
    biggest = max(out, key=lambda issue: out[issue])
    out[biggest] += 1.0 - math.fsum(out.values())
    return out


def scenario_mapping(domain: DomainSpec, profiles: list[ProfileSpec]) -> dict[str, Any]:
    """The negsim scenario mapping (as in a YAML file) for `domain` and its `profiles`."""
    issue_names = identifiers([issue for issue, _ in domain.issues], "issue")
    option_names = {issue: identifiers(values, "option") for issue, values in domain.issues}
    party_names = identifiers([p.name for p in profiles], "party")
    issues: dict[str, Any] = {}
    for name, (issue, values) in zip(issue_names, domain.issues, strict=True):
        issues[name] = {
            "label": issue,
            "options": dict(zip(option_names[issue], values, strict=True)),
            "ordered": False,  # discrete values: their written order means nothing
        }
    parties: dict[str, Any] = {}
    for party, profile in zip(party_names, profiles, strict=True):
        weights = normalised_weights(profile)
        reservation = profile.reservation
        if reservation is None:
            bid = profile.reservation_bid or {}
            reservation = math.fsum(weights[i] * profile.values[i][v] for i, v in bid.items())
            reservation = min(max(reservation, 0.0), 1.0)
        node: dict[str, Any] = {
            "label": profile.label,
            "source": profile.file.name,
            "reservation": reservation,
        }
        if profile.discount != 1.0:
            node["discount"] = profile.discount
        node["positions"] = {
            name: {
                "weight": weights[issue],
                "values": {
                    option: profile.values[issue][value]
                    for option, value in zip(option_names[issue], values, strict=True)
                },
            }
            for name, (issue, values) in zip(issue_names, domain.issues, strict=True)
        }
        parties[party] = node
    profile_list = ", ".join(p.label for p in profiles)
    return {
        "name": identifier(domain.name, "domain"),
        "label": domain.name,
        "description": f"{domain.fmt} domain {domain.file.name} with profiles {profile_list}",
        "source": domain.file.name,
        "issues": issues,
        "parties": parties,
    }
