"""The naming rule, the strings written back, and the closest-outcome search."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim.formats.closest_outcome as closest_outcome
import negsim.formats.geniusweb_write as geniusweb_write
import negsim.formats.names as names
import negsim.formats.yaml_out as yaml_out
from negsim.formats.closest_outcome import closest_at_or_above
from negsim.formats.names import NAME, YAML_WORDS, identifier, identifiers, written_names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Price", "Price"),
        ("valueA", "valueA"),
        ("$10 billion", "usd_10_billion"),
        ("$4.37", "usd_4_37"),
        ("5% spoilage allowed", "_5_pct_spoilage_allowed"),
        ("Custom, Handmade", "custom_handmade"),
        ("800+", "_800_plus"),
        ("-5 degrees", "minus_5_degrees"),
        ("501-600", "_501_600"),
        ("No", "no_"),
        ("Yes", "yes_"),
        ("OFF", "off_"),
        ("null", "null_"),
        ("no!", "no_"),
        ("none", "none"),
        ("Crème brûlée", "creme_brulee"),
        ("???", "x"),
        ("", "x"),
    ],
)
def test_identifier(text: str, name: str) -> None:
    assert identifier(text) == name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=10), min_size=1, max_size=6))
def test_identifiers_are_distinct_names_yaml_reads_as_text(texts: list[str]) -> None:
    out = identifiers(texts, "option")
    assert len(set(out)) == len(out)
    for i, (text, name) in enumerate(zip(texts, out, strict=True)):
        assert NAME.match(name) and name.lower() not in YAML_WORDS
        if names.is_name(text) and texts.index(text) == i:  # a name keeps itself
            assert name == text
    assert identifiers(texts, "option") == out  # deterministic


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=10), min_size=1, max_size=6))
def test_written_strings_read_back_as_the_same_names(labels: list[str]) -> None:
    imported = identifiers(labels, "option")
    written = written_names(imported, labels, "option")
    assert identifiers(written, "option") == imported
    assert len(set(written)) == len(written)
    if all(labels) and len(set(labels)) == len(labels):
        assert written == labels  # an imported domain goes out with its original strings


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.floats(0, 1), min_size=1, max_size=4), min_size=1, max_size=4),
    st.floats(0, 1),
)
def test_closest_outcome_at_or_above_is_the_least_such_outcome(
    tables: list[list[float]], fraction: float
) -> None:
    arrays = [np.array(t) for t in tables]
    best = sum(t.max() for t in arrays)
    target = fraction * best
    choice, utility = closest_at_or_above(arrays, target)
    every = [sum(c) for c in itertools.product(*tables)]
    assert utility == pytest.approx(min(u for u in every if u >= target - 1e-12), abs=1e-12)
    assert utility == pytest.approx(sum(t[k] for t, k in zip(tables, choice, strict=True)))


def test_closest_outcome_above_the_exact_limit_still_reaches_the_target() -> None:
    rng = np.random.default_rng(1)
    tables = [rng.random(10) for _ in range(14)]  # 10**14 outcomes: the greedy descent
    target = 0.7 * sum(t.max() for t in tables)
    choice, utility = closest_at_or_above(tables, target)
    assert target <= utility <= target + 0.05
    assert utility == pytest.approx(sum(t[k] for t, k in zip(tables, choice, strict=True)))


@pytest.mark.parametrize("module", [names, closest_outcome, geniusweb_write, yaml_out])
def test_docstring_examples(module) -> None:
    failures, tried = doctest.testmod(module)
    assert tried and not failures
