"""What the GENIUS and GeniusWeb writers share: the strings to write, and what cannot be written.

The strings: each issue, option and party is written as its label where importing that label
gives back the same name (`names.written_names`), so an imported domain goes out with its
original strings; otherwise as its name. What the formats cannot hold (red lines, strategies,
deadlines, optional parties, uncertainty, tracks) is named in one `ScenarioWarning`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from negsim.errors import ScenarioError, ScenarioWarning
from negsim.files import atomic_path
from negsim.formats.names import identifier, safe_stem, written_names

if TYPE_CHECKING:
    from negsim.scenario import Scenario

_XML_TEXT = re.compile(r"^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")


@dataclass
class Written:
    """The strings a scenario is written with: domain, issues, options per issue, parties."""

    domain: str
    issues: list[str]
    options: list[list[str]]
    parties: list[str]


def written_strings(scenario: Scenario, text_ok: Callable[[str], bool] = bool) -> Written:
    """The strings to write; a label that fails `text_ok` is never written."""

    def labels(items: list[tuple[str, str]], fallback: str) -> list[str]:
        return written_names(
            [name for name, _ in items],
            [lab if text_ok(lab) else "" for _, lab in items],
            fallback,
        )

    stems = labels(
        [(p.name, p.label if safe_stem(p.label) else "") for p in scenario.parties], "party"
    )
    if len({s.lower() for s in stems}) < len(stems):  # folders that ignore case
        stems = [p.name for p in scenario.parties]
    name = identifier(scenario.name, "domain")
    (domain,) = labels([(name, scenario.label if safe_stem(scenario.label) else "")], "domain")
    return Written(
        domain=domain,
        issues=labels([(i.name, i.label) for i in scenario.issues], "issue"),
        options=[
            labels(list(zip(i.options, i.option_labels, strict=True)), "option")
            for i in scenario.issues
        ],
        parties=stems,
    )


def xml_text_ok(text: str) -> bool:
    """True when `text` is non-empty and every character may stand in an XML 1.0 document."""
    return bool(text) and bool(_XML_TEXT.match(text))


def warn_dropped(scenario: Scenario, fmt: str, discount: bool) -> None:
    """One `ScenarioWarning` naming what `fmt` cannot hold of this scenario (if anything)."""
    parties = scenario.data.get("parties") or {}
    dropped = []

    def note(what: str, who: list[str]) -> None:
        if who:
            dropped.append(f"{what} ({', '.join(who)})")

    note("red lines", [p.name for p in scenario.parties if p.red_lines])
    note(
        "strategies",
        [p.name for p in scenario.parties if (parties.get(p.name) or {}).get("strategy")],
    )
    note("deadlines", [p.name for p in scenario.parties if p.deadline is not None])
    note("optional parties", [p.name for p in scenario.parties if not p.required])
    note(
        "uncertainty",
        [
            p.name
            for p in scenario.parties
            if p.uncertainty.weights or p.uncertainty.reservation or p.uncertainty.values
        ],
    )
    if not discount:
        note("discounts", [p.name for p in scenario.parties if p.discount != 1.0])
    if scenario.tracks:
        dropped.append(f"tracks ({', '.join(t.name for t in scenario.tracks)})")
    if dropped:
        warnings.warn(
            f"{scenario.source}: {fmt} cannot hold {', '.join(dropped)}; not written",
            ScenarioWarning,
            stacklevel=3,
        )


def check_clash(scenario: Scenario, domain_file: str, party_files: list[str]) -> None:
    """A `ScenarioError` when a party's file would overwrite the domain file."""
    for party, file in zip(scenario.parties, party_files, strict=True):
        if file.lower() == domain_file.lower():
            raise ScenarioError(
                scenario.source,
                f"parties.{party.name}",
                f"its file {file} would overwrite the domain file: rename the party or scenario",
            )


def write_text(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically: a reader never sees half a file."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
