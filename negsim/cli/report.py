"""`negsim-report SWEEP_DIR`: rebuild a sweep's table and figure and write `report.html`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from negsim.cli import callback  # noqa: F401  (hands the sweep table Hydra's override parser)
from negsim.errors import NegsimError
from negsim.sweep.report import build_report


def main(argv: Sequence[str] | None = None) -> None:
    """The `negsim-report` command: a bad path prints one error line and exits with status 2."""
    parser = argparse.ArgumentParser(
        prog="negsim-report",
        description="Rebuild a sweep's table and figure and write a self-contained HTML report.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep directory (hydra.sweep.dir)")
    parser.add_argument("--out", type=Path, help="the report file (default SWEEP_DIR/report.html)")
    args = parser.parse_args(argv)
    try:
        paths = build_report(args.sweep_dir, args.out)
    except NegsimError as exc:
        print(f"negsim-report: error: {exc}", file=sys.stderr)
        sys.exit(2)
    for path in paths:
        print(path)


if __name__ == "__main__":
    main()
