"""The flagship scenario's provenance: quotes come verbatim from the article, numbers are explained.

Every `source` of an issue, of a party's position or of a track must be a verbatim quote of the
seed article (whitespace aside), and every party's `reservation`, `deadline` and `strategy` must
carry a comment saying where the number comes from.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCENARIO_FILE = PROJECT_ROOT / "configs" / "scenario" / "ukraine_2025.yaml"
# The project's own copy of ../shared/seed-article.txt, so a clone checks its quotes anywhere.
ARTICLE_FILE = PROJECT_ROOT / "tests" / "data" / "seed-article.txt"

EXPLAINED_KEYS = ("reservation", "deadline", "strategy")
COMMENT_WINDOW = 3  # a comment on the key's line or on one of the lines this far above it


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _scenario_data() -> dict[str, Any]:
    return yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))


def _sources() -> list[tuple[str, Any]]:
    """(key path, source) of every issue, party position and track, in file order."""
    data = _scenario_data()
    out = [(f"issues.{name}.source", spec.get("source")) for name, spec in data["issues"].items()]
    for party, spec in data["parties"].items():
        for issue, position in spec["positions"].items():
            out.append((f"parties.{party}.positions.{issue}.source", position.get("source")))
        if "source" in spec:
            out.append((f"parties.{party}.source", spec["source"]))
    for track, spec in (data.get("tracks") or {}).items():
        out.append((f"tracks.{track}.source", spec.get("source")))
    return out


SOURCES = _sources()


@pytest.fixture(scope="module")
def article() -> str:
    return _collapse(ARTICLE_FILE.read_text(encoding="utf-8"))


def test_every_issue_and_position_has_a_source() -> None:
    data = _scenario_data()
    missing = [f"issues.{name}" for name, spec in data["issues"].items() if not spec.get("source")]
    for party, spec in data["parties"].items():
        assert set(spec["positions"]) == set(data["issues"]), party
        missing += [
            f"parties.{party}.positions.{issue}"
            for issue, position in spec["positions"].items()
            if not isinstance(position.get("source"), str) or not position["source"].strip()
        ]
    assert not missing, f"no source quote: {', '.join(missing)}"


@pytest.mark.parametrize(("path", "quote"), SOURCES, ids=[path for path, _ in SOURCES])
def test_source_is_verbatim_from_the_article(article: str, path: str, quote: Any) -> None:
    assert isinstance(quote, str) and quote.strip(), f"{path}: empty source"
    assert _collapse(quote) in article, f"{path}: not a verbatim quote of the article: {quote!r}"


def _party_key_lines(lines: list[str]) -> dict[tuple[str, str], int]:
    """Line index of each (party, key) for the explained keys, read from the raw YAML text."""
    start = next(n for n, line in enumerate(lines) if re.match(r"^parties:\s*(#.*)?$", line))
    found: dict[tuple[str, str], int] = {}
    party = None
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if re.match(r"^\S", line):  # the next top-level key ends the parties block
            break
        header = re.match(r"^  ([A-Za-z_]\w*):\s*(#.*)?$", line)
        if header:
            party = header.group(1)
            continue
        key = re.match(rf"^    ({'|'.join(EXPLAINED_KEYS)}):", line)
        if key and party is not None:
            found[(party, key.group(1))] = n
    return found


def _has_comment(line: str) -> bool:
    """True if the line is a comment or ends with one (a `#` after whitespace, outside quotes)."""
    if line.lstrip().startswith("#"):
        return True
    return re.search(r"""\s#[^'"]*$""", line) is not None


def test_party_numbers_are_explained_by_comments() -> None:
    lines = SCENARIO_FILE.read_text(encoding="utf-8").splitlines()
    found = _party_key_lines(lines)
    parties = list(_scenario_data()["parties"])
    assert parties
    problems = []
    for party in parties:
        for key in EXPLAINED_KEYS:
            n = found.get((party, key))
            if n is None:
                problems.append(f"parties.{party}.{key}: not found as a line of its own")
                continue
            window = lines[max(0, n - COMMENT_WINDOW) : n]
            if not _has_comment(lines[n]) and not any(
                line.lstrip().startswith("#") for line in window
            ):
                problems.append(f"parties.{party}.{key} (line {n + 1}): no comment explaining it")
    assert not problems, "; ".join(problems)


def test_comment_check_catches_an_unexplained_key() -> None:
    lines = [
        "parties:",
        "  a:",
        "    # the reservation comes from ...",
        "    reservation: 0.4",
        "    deadline: 10  # the deadline comes from ...",
        "    label: A",
        "    required: true",
        "    uncertainty: {weights: 1}",
        "    strategy: boulware",
        "issues: {}",
    ]
    found = _party_key_lines(lines)
    assert found == {("a", "reservation"): 3, ("a", "deadline"): 4, ("a", "strategy"): 8}
    assert _has_comment(lines[4])
    assert not _has_comment(lines[8])
    assert not any(line.lstrip().startswith("#") for line in lines[5:8])
    assert not _has_comment("    label: 'Q #1'")
