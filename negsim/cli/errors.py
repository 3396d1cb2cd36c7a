"""Every error of the `negsim` command as one line and exit status 2, Hydra's own included.

Hydra reports a failure through `hydra._internal.utils.run_and_report`: several lines (a config
search path, a hint about `HYDRA_FULL_ERROR`) and exit status 1, or a traceback for an error it
does not know, such as a run directory it cannot create. `install` replaces that reporter with
one that prints `negsim: error: <where>: <problem>` and exits with status 2 for a user's mistake
(a bad override, an unknown config option, a YAML error, a file that cannot be written), and
keeps the traceback for everything else, which is a bug. With `HYDRA_FULL_ERROR=1` Hydra's own
reporting stays, for debugging.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from omegaconf.errors import OmegaConfBaseException

from negsim.errors import NegsimError
from negsim.formats.yaml_read import yaml_problem

USER_ERROR = 2


def one_line(exc: BaseException) -> str | None:
    """`exc` as one line naming where and what, or None when it is not a user's mistake."""
    from hydra.errors import (
        ConfigCompositionException,
        HydraException,
        MissingConfigException,
        OverrideParseException,
    )

    yaml_error = _cause(exc, yaml.MarkedYAMLError)
    if yaml_error is not None:
        return yaml_line(yaml_error)
    negsim_error = _cause(exc, NegsimError)  # also when Hydra wraps it (a launcher's check)
    if negsim_error is not None:
        return str(negsim_error)
    if isinstance(exc, MissingConfigException):
        return _missing_option(str(exc))
    if isinstance(exc, OverrideParseException):
        problem = _first(str(exc))
        return f"command line: {exc.override or 'override'}: not a valid override ({problem})"
    if isinstance(exc, ConfigCompositionException | HydraException | OmegaConfBaseException):
        return _composition(exc)
    if isinstance(exc, OSError):
        where = exc.filename or "file"
        return f"{where}: {exc.strerror or exc}"
    return None


def yaml_line(exc: yaml.MarkedYAMLError) -> str:
    """A YAML parse error: file (relative to here if inside), line, column, found and expected."""
    mark = exc.problem_mark or exc.context_mark
    name = mark.name if mark is not None and mark.name else ""
    if not name or name.startswith("<"):
        name = "YAML"
    with contextlib.suppress(ValueError):
        name = str(Path(name).resolve().relative_to(Path.cwd().resolve()))
    where, problem = yaml_problem(exc)
    return f"{name}: {where}: {problem}" if where else f"{name}: {problem}"


def _cause[E: BaseException](exc: BaseException | None, kind: type[E]) -> E | None:
    while exc is not None:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _first(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _missing_option(text: str) -> str:
    """`protocol=nope`: the group, the option and the options there are."""
    found = re.search(r"Could not find '([^/']+)/([^']+)'", text)
    options = re.findall(r"^\t(\S+)$", text, flags=re.MULTILINE)
    if found is None:
        return f"config: {_first(text)}"
    group, option = found.groups()
    known = f" (options: {', '.join(options)})" if options else ""
    return f"config: {group}: no option {option!r}{known}"


def _composition(exc: BaseException) -> str:
    """A composition error (an unknown key, a bad value) as `key: problem`."""
    text = str(exc)
    key = re.search(r"Could not override '([^']+)'", text) or re.search(r"full_key: (\S+)", text)
    cause = exc.__cause__
    detail = _first(str(cause)) if isinstance(cause, OmegaConfBaseException) else ""
    if "is not in struct" in text + detail:
        unknown = re.search(r"Key '([^']+)' is not in struct", text + detail)
        name = key.group(1) if key else (unknown.group(1) if unknown else "key")
        return f"config: {name}: no such key (to add a new key, write +{name}=...)"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Set the environment", "See https"))]
    lines = [line for line in lines if not line.startswith(("full_key:", "object_type="))]
    message = "; ".join(lines[:2]) or type(exc).__name__
    if detail and detail not in message:
        message = f"{message}: {detail}"
    where = key.group(1) if key else "config"
    return f"{where}: {message}" if where not in message else message


def report(func: Callable[[], Any]) -> Any:
    """Run `func` as Hydra's `run_and_report` does, reporting a user's mistake as one line."""
    try:
        return func()
    except Exception as exc:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        line = one_line(exc)
        if line is None:
            traceback.print_exc()
            sys.exit(1)
        print(f"negsim: error: {line}", file=sys.stderr)
        sys.exit(getattr(exc, "exit_status", USER_ERROR))


def install() -> None:
    """Let Hydra report through `report` (it looks the reporter up by name at each call)."""
    import hydra._internal.utils as hydra_utils

    hydra_utils.run_and_report = report
