"""A sweep's command written back out: overrides as Hydra parses them, and the command that
reproduces the sweep (for the report)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

from negsim.plots.sweep import label
from negsim.sweep.table import SweepInfo

_BARE = re.compile(r"[\w./:+-]+")


def override(key: str, value: Any) -> str:
    """`key=value` as Hydra parses it back: strings quoted when needed, lists in brackets."""
    return f"{key}={hydra_value(value)}"


def hydra_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "[" + ",".join(hydra_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{hydra_value(v)}" for k, v in value.items()) + "}"
    text = label(value)
    if _BARE.fullmatch(text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def original_overrides(sweep_dir: Path) -> list[str] | None:
    """The sweep's own command-line overrides from `multirun.yaml`; None if it has none."""
    try:
        config = yaml.safe_load((sweep_dir / "multirun.yaml").read_text(encoding="utf-8"))
        overrides = config["hydra"]["overrides"]
        skip = ("hydra.sweep.dir=", "hydra.mode=")
        hydra_args = [o for o in overrides.get("hydra") or [] if not o.startswith(skip)]
        return [*hydra_args, *(overrides.get("task") or [])]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return None


def reproduce_command(info: SweepInfo, sweep_dir: Path, explicit: bool = False) -> str:
    """The `negsim -m ...` command of the sweep, into `sweep_dir`.

    By default the sweep's own overrides: run into its directory, it resumes (finished jobs are
    skipped). `explicit` spells out every fixed setting instead, so config defaults changed
    since do not matter (its jobs' overrides differ, so it should go to a new directory).
    """
    args = None if explicit else original_overrides(sweep_dir)
    if args is None:
        args = [override(key, value) for key, value in info.fixed.items()]
        for key, values in info.swept.items():
            args.append(f"{key}={','.join(hydra_value(v) for v in values)}")
    args.append(override("hydra.sweep.dir", str(sweep_dir)))
    return shlex.join(["negsim", "-m", *args])
