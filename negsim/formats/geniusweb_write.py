"""Writing a scenario as a GeniusWeb domain (`<name>.json`, or `<name>_domain.json` when a
party has the scenario's name) and one profile per party.

Each profile is a `LinearAdditiveUtilitySpace` with `DiscreteValueSetUtilities` (negsim's option
values as they are) and embeds the domain. GeniusWeb wants weights whose decimal sum is exactly
1, so they are written rounded to 15 decimals with the largest taking the rest. It has no
discount factor, and holds the reservation as a bid, not a value: a reservation r becomes the
outcome worth the least among those worth at least r (`closest_outcome`), none when r is 0.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from negsim.errors import ScenarioWarning
from negsim.formats.closest_outcome import closest_at_or_above
from negsim.formats.export import Written, check_clash, warn_dropped, write_text, written_strings

if TYPE_CHECKING:
    from negsim.scenario import Party, Scenario

RESERVATION_GAP = 1e-9
"""A reservation bid worth more than the reservation value by more than this gets a warning."""


def write_geniusweb(scenario: Scenario, folder: str | os.PathLike[str]) -> list[Path]:
    """Write `scenario` into `folder` in the GeniusWeb JSON format.

    Returns:
        The files written: the domain first, then one profile per party, in scenario order.
    """
    folder = Path(folder)
    strings = written_strings(scenario)
    party_files = [f"{stem}.json" for stem in strings.parties]
    domain_file = f"{strings.domain}.json"
    if domain_file.lower() in {f.lower() for f in party_files}:  # a party named as the domain
        domain_file = f"{strings.domain}_domain.json"
    check_clash(scenario, domain_file, party_files)
    warn_dropped(scenario, "GeniusWeb", discount=False)
    domain = {
        "name": strings.domain,
        "issuesValues": {
            issue: {"values": list(options)}
            for issue, options in zip(strings.issues, strings.options, strict=True)
        },
    }
    written = [write_text(folder / domain_file, _dumps(domain))]
    for party, file in zip(scenario.parties, party_files, strict=True):
        profile = _profile(scenario, party, strings, domain)
        written.append(write_text(folder / file, _dumps(profile)))
    return written


def profile_name(party: Party) -> str:
    """The profile's `name`: GeniusWeb allows letters and digits only."""
    if re.fullmatch(r"[A-Za-z0-9]+", party.label):
        return party.label
    return re.sub(r"[^A-Za-z0-9]", "", party.name) or "party"


def _profile(
    scenario: Scenario, party: Party, strings: Written, domain: dict[str, Any]
) -> dict[str, Any]:
    weights = exact_weights([party.weights[issue.name] for issue in scenario.issues])
    utilities = {}
    for i, issue in enumerate(scenario.issues):
        utilities[strings.issues[i]] = {
            "DiscreteValueSetUtilities": {
                "valueUtilities": {
                    value: float(party.values[issue.name][option])
                    for value, option in zip(strings.options[i], issue.options, strict=True)
                }
            }
        }
    body = {
        "issueUtilities": utilities,
        "issueWeights": dict(zip(strings.issues, weights, strict=True)),
        "domain": domain,
        "name": profile_name(party),
        "reservationBid": _reservation_bid(scenario, party, strings, weights),
    }
    return {"LinearAdditiveUtilitySpace": body}


def exact_weights(weights: list[float]) -> list[float]:
    """Weights whose decimal texts (as `json` writes them) sum to exactly 1.

    >>> sum(Decimal(repr(w)) for w in exact_weights([0.1, 0.2, 0.7000000000000001]))
    Decimal('1.0')
    """
    step = Decimal("1e-15")
    rounded = [Decimal(repr(float(w))).quantize(step) for w in weights]
    big = max(range(len(rounded)), key=lambda i: rounded[i])
    rounded[big] = Decimal(1) - (sum(rounded) - rounded[big])
    return [float(d) for d in rounded]


def _reservation_bid(
    scenario: Scenario, party: Party, strings: Written, weights: list[float]
) -> dict[str, Any] | None:
    """The reservation as a bid: none for 0, else the least outcome at or above it."""
    if party.reservation <= 0:
        return None
    tables = [
        w * np.array([party.values[issue.name][o] for o in issue.options])
        for w, issue in zip(weights, scenario.issues, strict=True)
    ]
    choice, utility = closest_at_or_above(tables, party.reservation)
    if utility - party.reservation > RESERVATION_GAP:
        warnings.warn(
            f"{scenario.source}: GeniusWeb holds a reservation bid, not a value: party "
            f"{party.name}'s reservation {party.reservation:g} written as the outcome worth "
            f"{utility:.6g}, the least at or above it",
            ScenarioWarning,
            stacklevel=4,
        )
    return {"issuevalues": {strings.issues[i]: strings.options[i][k] for i, k in enumerate(choice)}}


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
