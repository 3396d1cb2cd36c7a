"""Writing a scenario as a GENIUS domain (`<name>_domain.xml`) and one utility space per party.

Weights, evaluations (negsim's option values), `<reservation>` and `<discount_factor>` are
written as GENIUS reads them. GENIUS divides each issue's evaluations by their largest, so it
cannot hold a party whose best option on some issue is worth less than 1: such a party is
written with every utility, and its reservation, divided by the utility of its best outcome (a
rescaling that keeps all its choices), with a warning.
"""

from __future__ import annotations

import math
import os
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.formats.export import (
    Written,
    check_clash,
    warn_dropped,
    write_text,
    written_strings,
    xml_text_ok,
)

if TYPE_CHECKING:
    from negsim.scenario import Party, Scenario

_ISSUE = {"vtype": "discrete", "type": "discrete", "etype": "discrete"}
_OBJECTIVE = {"type": "objective", "etype": "objective"}


def write_genius(scenario: Scenario, folder: str | os.PathLike[str]) -> list[Path]:
    """Write `scenario` into `folder` in the GENIUS XML format.

    Returns:
        The files written: the domain first, then one utility space per party, in scenario order.
    """
    folder = Path(folder)
    strings = written_strings(scenario, xml_text_ok)
    domain_file = f"{strings.domain}_domain.xml"
    party_files = [f"{stem}.xml" for stem in strings.parties]
    check_clash(scenario, domain_file, party_files)
    warn_dropped(scenario, "GENIUS", discount=True)
    written = [write_text(folder / domain_file, _domain_xml(scenario, strings))]
    for party, file in zip(scenario.parties, party_files, strict=True):
        written.append(write_text(folder / file, _profile_xml(scenario, party, strings)))
    return written


def _objective(strings: Written) -> ET.Element:
    return ET.Element(
        "objective", {"index": "0", "description": "", "name": strings.domain, **_OBJECTIVE}
    )


def _domain_xml(scenario: Scenario, strings: Written) -> str:
    root = ET.Element("negotiation_template")
    space = ET.SubElement(root, "utility_space", {"number_of_issues": str(len(scenario.issues))})
    objective = _objective(strings)
    space.append(objective)
    for i, issue in enumerate(scenario.issues):
        element = ET.SubElement(
            objective, "issue", {"index": str(i + 1), "name": strings.issues[i], **_ISSUE}
        )
        if issue.label != strings.issues[i] and xml_text_ok(issue.label):
            element.set("description", issue.label)
        for k, (value, label) in enumerate(
            zip(strings.options[i], issue.option_labels, strict=True)
        ):
            item = ET.SubElement(element, "item", {"index": str(k + 1), "value": value})
            if label != value and xml_text_ok(label):
                item.set("description", label)
    return _text(root)


def _profile_xml(scenario: Scenario, party: Party, strings: Written) -> str:
    weights, values, scale = _genius_numbers(scenario, party)
    root = ET.Element("utility_space")
    objective = _objective(strings)
    root.append(objective)
    for i in range(len(scenario.issues)):
        element = ET.SubElement(
            objective, "issue", {"index": str(i + 1), "name": strings.issues[i], **_ISSUE}
        )
        for k, value in enumerate(strings.options[i]):
            ET.SubElement(
                element,
                "item",
                {"index": str(k + 1), "value": value, "evaluation": repr(values[i][k])},
            )
    for i in range(len(scenario.issues)):
        ET.SubElement(objective, "weight", {"index": str(i + 1), "value": repr(weights[i])})
    ET.SubElement(root, "discount_factor", {"value": repr(float(party.discount))})
    ET.SubElement(root, "reservation", {"value": repr(min(1.0, party.reservation / scale))})
    return _text(root)


def _genius_numbers(
    scenario: Scenario, party: Party
) -> tuple[list[float], list[list[float]], float]:
    """Weights, evaluations and the scale GENIUS's max-normalisation forces on `party`."""
    raw = [[party.values[issue.name][o] for o in issue.options] for issue in scenario.issues]
    tops = [max(v) for v in raw]
    weights = [party.weights[issue.name] for issue in scenario.issues]
    scale = math.fsum(w * t for w, t in zip(weights, tops, strict=True))
    if all(t == 1.0 or w == 0.0 for w, t in zip(weights, tops, strict=True)):
        return weights, raw, 1.0
    if scale <= 0:
        raise ScenarioError(
            scenario.source,
            f"parties.{party.name}",
            "values every outcome at 0, which a GENIUS utility space cannot hold",
        )
    warnings.warn(
        f"{scenario.source}: GENIUS scales each issue's best option to 1: party {party.name}'s "
        f"utilities and reservation written divided by {scale:.6g} (its best outcome's "
        "utility), which keeps its choices",
        ScenarioWarning,
        stacklevel=4,
    )
    weights = [w * t / scale for w, t in zip(weights, tops, strict=True)]
    values = [[x / t if t > 0 else 0.0 for x in v] for v, t in zip(raw, tops, strict=True)]
    return weights, values, scale


def _text(root: ET.Element) -> str:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
