"""`negsim-report SWEEP_DIR`: rebuild a sweep's table and figure and write `report.html`.

With `--discover CONDITION` it first runs PRIM on the sweep table (`negsim.analysis.discovery`),
prints the chosen box in plain words with the peeling trajectory, and writes `discovery.json`
and `discovery.png` beside the table; the report then has a scenario-discovery section.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from negsim import __version__
from negsim.analysis.discovery import DENSITY, Discovery, describe, discover
from negsim.cli import callback  # noqa: F401  (hands the sweep table Hydra's override parser)
from negsim.errors import NegsimError
from negsim.files import OutputError, write_json
from negsim.plots.sweep import short_key
from negsim.sweep.report import build_report, check_sweep_dir
from negsim.sweep.table import sweep_table

DISCOVERY_FILES = ("discovery.json", "discovery.png")
WRITER = "negsim-report --discover"


def check_discovery_files(sweep_dir: Path) -> None:
    """Refuse to replace a `discovery.json` or `discovery.png` that negsim did not write.

    Ours are a pair: a `discovery.json` naming its writer and negsim's version; a file of
    either name without one is the user's, and is never replaced.
    """
    taken = [name for name in DISCOVERY_FILES if (sweep_dir / name).exists()]
    if not taken:
        return
    try:
        found = json.loads((sweep_dir / "discovery.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = None
    if not (isinstance(found, dict) and found.get("written_by") == WRITER):
        raise OutputError(
            f"{sweep_dir / taken[0]}: exists and negsim did not write it; move it, "
            "then run --discover again"
        )


def run_discovery(
    sweep_dir: Path, condition: str, density: float = DENSITY, box: int | None = None
) -> tuple[Discovery, list[Path]]:
    """PRIM on the sweep's table; writes `discovery.json` and `discovery.png` into `sweep_dir`."""
    from negsim.plots.discovery import plot_discovery
    from negsim.plots.run import save_figure

    check_sweep_dir(sweep_dir)
    sweep_dir = sweep_dir.resolve()
    table, info = sweep_table(sweep_dir)
    inputs = list(info.swept) or None
    result = discover(table, condition, inputs, density, box, source=str(sweep_dir))
    check_discovery_files(sweep_dir)
    data: dict[str, Any] = {
        "written_by": WRITER,
        "negsim_version": __version__,
        "sentence": describe(result, short_key),
        "density_asked": density,
        **result.to_dict(),
    }
    paths = [sweep_dir / name for name in DISCOVERY_FILES]
    try:
        write_json(data, paths[0])
        save_figure(plot_discovery(result, density if box is None else None), paths[1])
    except OSError as exc:
        raise NegsimError(f"{exc.filename or sweep_dir}: {exc.strerror or exc}") from exc
    return result, paths


def discovery_text(result: Discovery) -> str:
    """What `--discover` prints: the box in plain words, how it was chosen, the trajectory."""
    lines = [
        describe(result, short_key),
        f"Box {result.box} of the peeling trajectory ({result.rule}); "
        f"{result.of_interest} of {result.points} points meet {result.condition.words()}.",
        *[
            f"  {limit.words(short_key)} (quasi-p {limit.quasi_p:.2g})"
            for limit in result.limits
            if limit.quasi_p is not None
        ],
        *[f"Note: {note}" for note in result.notes],
        "Other boxes (--box STEP):",
        "  step  coverage  density  restricted  points",
    ]
    for i, step in enumerate(result.trajectory):
        mark = "*" if i == result.box else " "
        lines.append(
            f"{mark} {i:>4}  {step.coverage:>8.0%}  {step.density:>7.0%}  "
            f"{step.restricted:>10}  {step.points:>6}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """The `negsim-report` command: a bad path prints one error line and exits with status 2."""
    parser = argparse.ArgumentParser(
        prog="negsim-report",
        description="Rebuild a sweep's table and figure and write a self-contained HTML report.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    parser.add_argument("--out", type=Path, help="the report file (default SWEEP_DIR/report.html)")
    parser.add_argument(
        "--discover",
        metavar="CONDITION",
        help="find PRIM boxes where CONDITION holds, e.g. 'agreement<0.3' or 'mean_rounds>30'",
    )
    parser.add_argument(
        "--density",
        type=float,
        help=f"the density the default box must reach (default {DENSITY}); with --discover",
    )
    parser.add_argument(
        "--box", type=int, metavar="STEP", help="a step of the peeling trajectory; with --discover"
    )
    args = parser.parse_args(argv)
    try:
        found = None
        if args.discover is not None:
            density = DENSITY if args.density is None else args.density
            found = run_discovery(args.sweep_dir, args.discover, density, args.box)
        elif args.density is not None or args.box is not None:
            raise NegsimError("--density and --box choose a box of --discover CONDITION; add it")
        paths = build_report(args.sweep_dir, args.out)
    except NegsimError as exc:
        print(f"negsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)
    if found is not None:
        print(discovery_text(found[0]))
        paths = [*paths[:-1], *found[1], paths[-1]]
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
