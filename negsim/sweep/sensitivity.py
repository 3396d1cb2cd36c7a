"""A sensitivity sweep's results at its root: the index table, its figures, and its words.

`write_sensitivity` writes `sensitivity.csv` (number, index, value, low, high),
`sensitivity.json` (the method, the numbers and their ranges, the output, the design's size and
the sentences of `describe`), `sensitivity_tornado.png` and, for Morris, `sensitivity_morris.png`.
`describe` says in words which numbers move the odds most and how sure that ranking is: the
order of two neighbours is sure when their intervals do not overlap, and a number whose index
stays within the dummy's interval (a fresh random seed, nothing else) does not measurably move
the output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from negsim.analysis.sensitivity import DUMMY, INDEX_NAMES, Factor, ranking_index
from negsim.files import atomic_write, write_json
from negsim.plots.sweep import short_key

FILES = ("sensitivity.csv", "sensitivity.json", "sensitivity_tornado.png", "sensitivity_morris.png")
OUTPUT_WORDS = {"agreement_probability": "the odds of a deal"}


def describe(table: pd.DataFrame, output: str = "agreement_probability", top: int = 5) -> list[str]:
    """Plain sentences: the numbers that move the output most, and how sure the ranking is."""
    kind = ranking_index(table)
    symbol = INDEX_NAMES[kind]
    rows = table[table["index"] == kind]
    real = rows[rows["number"] != DUMMY].reset_index(drop=True)
    dummy = rows[rows["number"] == DUMMY]
    what = OUTPUT_WORDS.get(output, output)
    if real.empty:
        return ["No numbers were varied."]
    floor = float(dummy["high"].iloc[0]) if len(dummy) else None
    shown = real.head(top)
    names = [short_key(str(n)) for n in shown["number"]]
    value, low, high = (shown[c].to_numpy(dtype=float) for c in ("value", "low", "high"))
    parts = [
        f"{name} ({symbol} {v:.3f}, {lo:.3f}-{hi:.3f})"
        for name, v, lo, hi in zip(names, value, low, high, strict=True)
    ]
    lines = [f"The numbers that move {what} most, by {symbol}: " + "; ".join(parts) + "."]
    sure: list[str] = []
    unsure: list[str] = []
    for k in range(len(names) - 1):
        if low[k] > high[k + 1]:
            sure.append(f"{names[k]} above {names[k + 1]}")
        else:
            unsure.append(f"{names[k]} and {names[k + 1]}")
    if not unsure:
        lines.append(
            f"The order of these {len(names)} is sure: no two neighbours' intervals overlap."
        )
    else:
        lines.append(
            f"Not sure of the order of {', '.join(unsure)}: their intervals overlap; more "
            "trajectories or replications a point would separate them."
        )
        if sure:
            lines.append(f"Sure: {', '.join(sure)}.")
    if floor is not None:
        noise = [short_key(str(n)) for n in real[real["low"] <= floor]["number"]]
        head = f"Noise floor (the dummy, a fresh random seed alone): {symbol} up to {floor:.3f}."
        if noise:
            more = f" and {len(noise) - 8} more" if len(noise) > 8 else ""
            listed = ", ".join(noise[:8]) + more
            lines.append(f"{head} Within it, so not measurably moving {what}: {listed}.")
        else:
            lines.append(f"{head} Every number stands above it.")
    return lines


def write_sensitivity(
    sweep_dir: Path,
    table: pd.DataFrame,
    factors: Sequence[Factor],
    info: dict[str, Any],
) -> list[str]:
    """Write the sweep's sensitivity files; returns the sentences of `describe`."""
    from negsim.plots import sensitivity as plots
    from negsim.plots.run import save_figure

    output = str(info.get("output", "agreement_probability"))
    words = describe(table, output)
    atomic_write(sweep_dir / FILES[0], lambda tmp: table.to_csv(tmp, index=False))
    ranges = [
        {"number": f.key, "kind": f.kind, "low": f.low, "high": f.high, "choices": list(f.choices)}
        for f in factors
    ]
    write_json({**info, "numbers": ranges, "findings": words}, sweep_dir / FILES[1])
    title = f"Which numbers move {OUTPUT_WORDS.get(output, output)} ({info.get('method')})"
    save_figure(plots.plot_tornado(table, title), sweep_dir / FILES[2])
    if ranking_index(table) == "mu_star":
        save_figure(plots.plot_morris(table), sweep_dir / FILES[3])
    return words


def read_sensitivity(sweep_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The sweep's index table and its `sensitivity.json`, or None if it has none."""
    csv, meta = sweep_dir / FILES[0], sweep_dir / FILES[1]
    if not (csv.is_file() and meta.is_file()):
        return None
    return pd.read_csv(csv), json.loads(meta.read_text(encoding="utf-8"))


def sensitivity_html(sweep_dir: Path) -> str:
    """The report's section on which numbers move the odds; empty for a sweep without one."""
    import base64
    import html

    found = read_sensitivity(sweep_dir)
    if found is None:
        return ""
    table, meta = found
    e = html.escape
    kind = ranking_index(table)
    method = str(meta.get("method", ""))
    points, reps = meta.get("points"), meta.get("replications_per_point")
    parts = [
        "<h2>Which numbers move the odds</h2>",
        f"<p>A {e(method.capitalize())} design of {e(str(points))} points"
        + (f", {e(str(reps))} replications a point" if reps else "")
        + f"; numbers ranked by {e(INDEX_NAMES[kind])} with 95% bootstrap intervals "
        "(<code>sensitivity.csv</code>).</p>",
        *(f"<p>{e(line)}</p>" for line in meta.get("findings") or describe(table)),
    ]
    for name in FILES[2:]:
        path = sweep_dir / name
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            parts.append(f'<img src="data:image/png;base64,{data}" alt="{e(name)}">')
    ranked = table[table["index"] == kind]
    columns = (ranked[c].tolist() for c in ("number", "value", "low", "high"))
    rows = "".join(
        f"<tr><td>{e(short_key(str(n)))}</td><td>{v:.3f}</td><td>{lo:.3f}-{hi:.3f}</td></tr>"
        for n, v, lo, hi in zip(*columns, strict=True)
    )
    parts.append(
        f"<table><tr><th>number</th><th>{e(INDEX_NAMES[kind])}</th><th>95% interval</th></tr>"
        f"{rows}</table>"
    )
    return "\n".join(parts)
