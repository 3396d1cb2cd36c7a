"""The sweep report's headline: what was swept, over what range, and where the odds cross 0.5.

`headline(table, info, config)` writes the sentence `negsim-report` opens with, for example
"Agreement probability against Ukraine's reservation value (0.2 to 0.6, 5 values) and Russia's
(0.4 to 0.7, 4 values): from 0.07 to 1.00; it crosses 0.5 along russia.reservation: ...".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from negsim.plots.sweep import VALUE, curve, is_numeric, key_values, label, short_key
from negsim.sweep.table import SweepInfo


def describe_key(key: str, config: dict[str, Any], previous: str | None = None) -> str:
    """A swept key in words: `scenario.parties.ukraine.reservation` -> `Ukraine's reservation
    value` (the party's label up to any parenthesis). After a key on the same party field
    (`previous`), only `Russia's`."""
    parts = key.split(".")
    if len(parts) < 4 or parts[:2] != ["scenario", "parties"]:
        return short_key(key)
    parties = (config.get("scenario") or {}).get("parties") or {}
    party = parties.get(parts[2]) if isinstance(parties, dict) else None
    name = party.get("label") if isinstance(party, dict) else None
    name = str(name or parts[2]).split(" (")[0]
    field = " ".join(parts[3:]).replace("_", " ")
    field = "reservation value" if field == "reservation" else field
    same = previous is not None and previous.split(".")[3:] == parts[3:]
    return f"{name}'s" if same else f"{name}'s {field}"


def _span(values: Sequence[Any]) -> str:
    """A key's values in brief: `0.2 to 0.6, 5 values`, or the names of a few categories."""
    names = [label(v) for v in values]
    if len(names) == 1:
        return f"only {names[0]}"
    if is_numeric(pd.Series(values, dtype=object)):
        return f"{names[0]} to {names[-1]}, {len(names)} values"
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])}, … ({len(names)})"


def crossings(x: Sequence[Any], p: Sequence[float]) -> list[tuple[Any, Any, str]]:
    """Where `p` (in the order of `x`) passes 0.5: (before, after, "rising" or "falling").

    Missing values are skipped: a crossing is between neighbours that have a value. A value of
    exactly 0.5 counts as a side of its own, so a curve through 0.5 shows two steps.
    """
    known = [(xi, float(pi)) for xi, pi in zip(x, p, strict=True) if not math.isnan(float(pi))]
    found = []
    for (x0, p0), (x1, p1) in itertools.pairwise(known):
        if (p0 - 0.5) * (p1 - 0.5) < 0 or (p0 == 0.5) != (p1 == 0.5):
            found.append((x0, x1, "rising" if p1 > p0 else "falling"))
    return found


def _side(p: np.ndarray) -> str:
    if (p > 0.5).all():
        return "it stays above 0.5"
    if (p < 0.5).all():
        return "it stays below 0.5"
    return "it does not cross 0.5"


def _crossing_text(table: pd.DataFrame, keys: list[str]) -> str:
    """Where the probability crosses 0.5, for one or two swept keys (numeric ones)."""
    done = table[table[VALUE].notna()]
    p = done[VALUE].to_numpy(float)
    if len(keys) == 1:
        key = keys[0]
        data = curve(done, key)
        if not is_numeric(done[key]):
            above = [label(v) for v, q in zip(data[key], data[VALUE], strict=True) if q > 0.5]
            return f"it is above 0.5 for {', '.join(above) or 'none of them'}"
        found = crossings(data[key].tolist(), data[VALUE].tolist())
        if not found:
            return _side(p)
        steps = [f"between {short_key(key)} {label(a)} and {label(b)} ({d})" for a, b, d in found]
        return "it crosses 0.5 " + "; again ".join(steps)
    if len(keys) != 2:
        return f"it is above 0.5 at {int((p > 0.5).sum())} of {len(p)} points"
    along: dict[str, list[str]] = {}
    counts: dict[str, tuple[int, int]] = {}
    for key, other in (keys, keys[::-1]):
        if not is_numeric(done[key]):
            continue
        where: dict[str, list[str]] = {}  # the crossing, and the other key's values it is at
        values = key_values(done, other)
        for value in values:
            rows = done[done[other].map(label) == label(value)]
            found = crossings(*[curve(rows, key)[c].tolist() for c in (key, VALUE)])
            if found:
                crossing = ", then ".join(f"between {label(a)} and {label(b)}" for a, b, _ in found)
                where.setdefault(crossing, []).append(label(value))
        crossed = sum(len(at) for at in where.values())
        along[key] = [
            f"{steps} at every {short_key(other)}"
            if len(at) == len(values) > 1
            else f"{steps} at {short_key(other)} {_and(at)}"
            for steps, at in where.items()
        ]
        counts[key] = (crossed, len(values))
    if not any(crossed for crossed, _ in counts.values()):
        side = _side(p)
        return f"{side} along either key" if side.startswith("it does not") else side
    key = max(counts, key=lambda k: counts[k][0])  # the first key on a tie
    notes = along[key]
    shown = "; ".join(notes[:4]) + ("; …" if len(notes) > 4 else "")
    text = f"it crosses 0.5 along {short_key(key)}: {shown}"
    crossed, total = counts[key]
    if crossed < total:
        other = keys[1] if key == keys[0] else keys[0]
        text += f" (not at the other {total - crossed} values of {short_key(other)})"
    others = [k for k in counts if k != key and counts[k][0]]
    for other in others:
        text += f"; along {short_key(other)} too: {'; '.join(along[other][:2])}"
        text += "; …" if len(along[other]) > 2 else ""
    return text


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def headline(table: pd.DataFrame, info: SweepInfo, config: dict[str, Any]) -> str:
    """One sentence: what was swept over what range, the probability's range, where it is 0.5.

    For example "Agreement probability against Ukraine's reservation value (0.2 to 0.6,
    5 values): from 0.12 to 0.95; it crosses 0.5 between ukraine.reservation 0.4 and 0.5
    (falling)."
    """
    keys = [k for k in info.swept if k in table]
    ok = table[table["status"] == "ok"] if "status" in table else table
    done = ok[ok[VALUE].notna()] if VALUE in ok else ok.iloc[:0]
    if not keys:
        if done.empty:
            return "Agreement probability: no finished job yet."
        row = done.iloc[0]
        return (
            f"Agreement probability {row[VALUE]:.2f} (95% Wilson interval {row['ci_low']:.2f} "
            f"to {row['ci_high']:.2f}), one point."
        )
    described, previous = [], None
    for key in keys:
        values = list(info.swept.get(key) or []) or key_values(table, key)  # as swept
        if is_numeric(pd.Series(values, dtype=object)):
            values = sorted(values)
        described.append(f"{describe_key(key, config, previous)} ({_span(values)})")
        previous = key
    against = _and(described)
    head = f"Agreement probability against {against}"
    if done.empty:
        return f"{head}: no finished job yet."
    low, high = done[VALUE].min(), done[VALUE].max()
    spread = (
        f"{low:.2f} throughout"
        if round(low, 2) == round(high, 2)
        else f"from {low:.2f} to {high:.2f}"
    )
    return f"{head}: {spread}; {_crossing_text(done, keys)}."
