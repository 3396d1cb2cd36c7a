"""Shared fixtures: small valid scenario mappings built by `tests.builders`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _pytest.doctest import DoctestItem

from tests.builders import random_scenario_data, small_scenario_data, write_scenario_file

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Doctests (pytest collects them from testpaths with --doctest-modules) that take a second or more
SLOW_DOCTESTS = {
    "negsim.analysis.stated.stated_analyses",  # the flagship's ZOPA, counted exactly, twice
}


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow doctests `slow`, as the slow tests are."""
    for item in items:
        if not isinstance(item, DoctestItem):
            continue
        if item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def small_scenario() -> dict[str, Any]:
    """A fresh, valid two-party, two-issue, three-option scenario mapping (safe to mutate)."""
    return small_scenario_data()


@pytest.fixture
def make_scenario() -> Callable[..., dict[str, Any]]:
    """The `small_scenario_data` builder, for tests that need other sizes or settings."""
    return small_scenario_data


@pytest.fixture
def make_random_scenario() -> Callable[..., dict[str, Any]]:
    """The `random_scenario_data` builder: `make_random_scenario(seed, n_parties, ...)`."""
    return random_scenario_data


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a scenario mapping to a YAML file under `tmp_path`; returns its path."""

    def write(data: dict[str, Any]) -> Path:
        return write_scenario_file(tmp_path / f"{data.get('name', 'scenario')}.yaml", data)

    return write
