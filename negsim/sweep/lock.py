"""One sweep at a time in a sweep directory, and a resumed sweep only with its own settings.

The launching process of `negsim -m` holds an exclusive `flock` on `.negsim-sweep.lock` in the
sweep directory from the sweep's start until its table is written (the operating system drops
it when the process ends, however it ends). A second sweep into the directory stops with one
line naming the directory and the holder's process id.

`negsim_sweep.json`, written at a sweep's start, records its non-swept config and its grid (each
job's overrides, in job order). A sweep into a directory that has a record must have the same
record when it holds jobs: otherwise it stops with one line saying what differs (a directory
with no jobs yet, where an earlier sweep stopped before its first job, takes the new record).
Adding points is refused too: it renumbers the jobs, so finished jobs would be overwritten by
other points. The sweep table reads
the grid back to give every point that never ran a `not_run` row. Nothing here imports Hydra.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from pathlib import Path
from typing import Any

import orjson

from negsim.errors import NegsimError
from negsim.files import write_json

LOCK_FILE = ".negsim-sweep.lock"
RECORD_FILE = "negsim_sweep.json"
NEW_DIR = "choose a new hydra.sweep.dir"

_held: dict[Path, int] = {}  # sweep directory -> the lock file's descriptor


class SweepLocked(NegsimError):
    """Another process is running a sweep in this directory."""


class SweepSettingsDiffer(NegsimError):
    """The directory holds a sweep with other settings (or an unreadable record of them)."""


def acquire(sweep_dir: Path) -> None:
    """Lock `sweep_dir` for this process (again: no-op). Raises SweepLocked if another holds it."""
    sweep_dir = sweep_dir.resolve()
    if sweep_dir in _held:
        return
    sweep_dir.mkdir(parents=True, exist_ok=True)
    path = sweep_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise SweepLocked(
            f"{sweep_dir}: another sweep is running in this directory (pid {holder}); "
            f"wait for it to end or {NEW_DIR}"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    _held[sweep_dir] = fd
    remove_stale_temporaries(sweep_dir)


_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # `negsim.files.atomic_path`'s names


def remove_stale_temporaries(sweep_dir: Path) -> list[Path]:
    """Remove the half-written files a killed sweep left in `sweep_dir` (its lock held, so no
    process of a sweep writes them now); returns them."""
    stale = [
        path
        for path in sweep_dir.rglob(".*.tmp")
        if _TEMPORARY.match(path.name) and path.is_file() and not path.is_symlink()
    ]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def release(sweep_dir: Path) -> None:
    """Unlock `sweep_dir` if this process holds it."""
    fd = _held.pop(sweep_dir.resolve(), None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor drops the flock


def non_swept(config: dict[str, Any], swept: list[str]) -> dict[str, Any]:
    """`config` without the swept keys (the master config holds their defaults, not the job's)."""
    out = json.loads(orjson.dumps(config, option=orjson.OPT_NON_STR_KEYS, default=str))
    for key in swept:
        parts = key.lstrip("+~").split(".")
        node = out
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return out


def make_record(config: dict[str, Any], grid: list[list[str]], swept: dict[str, str]) -> dict:
    """The record of a sweep: its non-swept config, its swept keys (key: values) and its grid."""
    return {
        "config": non_swept(config, list(swept)),
        "swept": dict(swept),
        "grid": [list(job) for job in grid],
    }


def read_record(sweep_dir: Path) -> dict[str, Any] | None:
    """The sweep's record (None: it has none). Raises SweepSettingsDiffer if unreadable."""
    path = sweep_dir / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SweepSettingsDiffer(
            f"{path}: unreadable ({' '.join(str(exc).split())}): the sweep's settings cannot be "
            f"checked; {NEW_DIR}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("grid"), list):
        raise SweepSettingsDiffer(
            f"{path}: not a sweep record (no grid): the sweep's settings cannot be checked; "
            f"{NEW_DIR}"
        )
    return data


def write_record(sweep_dir: Path, record: dict[str, Any]) -> None:
    """Write the sweep's record (a directory with no jobs yet: a record there is replaced)."""
    write_json(record, sweep_dir / RECORD_FILE)


def check_and_record(sweep_dir: Path, record: dict[str, Any]) -> bool:
    """Check `record` against the one in `sweep_dir`, or write it there; True when resuming.

    Raises:
        SweepSettingsDiffer: the directory's sweep has other settings (one line saying which).
    """
    old = read_record(sweep_dir)
    if old is None:
        write_record(sweep_dir, record)
        return False
    problem = difference(old, record)
    if problem is not None:
        raise SweepSettingsDiffer(
            f"{sweep_dir}: holds a sweep with other settings ({problem}); to resume it, repeat its "
            f"command; for a new sweep, {NEW_DIR}"
        )
    return True


def difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """What differs between two records, in a few words (None: nothing)."""
    old_swept, new_swept = old.get("swept") or {}, new.get("swept") or {}
    if list(old_swept) != list(new_swept):
        return f"swept keys: {_keys(old_swept)} there, {_keys(new_swept)} here"
    for key, values in new_swept.items():
        if old_swept[key] != values:
            return f"{key}: swept over {old_swept[key]} there, {values} here"
    changes = _changes(old.get("config"), new.get("config"), "")
    if changes:
        shown = "; ".join(f"{path}: {a} there, {b} here" for path, a, b in changes[:3])
        more = f"; and {len(changes) - 3} more" if len(changes) > 3 else ""
        return shown + more
    if old.get("grid") != new.get("grid"):
        return "the jobs' overrides differ"
    return None


def _keys(swept: dict[str, Any]) -> str:
    return ", ".join(swept) or "none"


def _changes(a: Any, b: Any, path: str) -> list[tuple[str, str, str]]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in [*a, *(k for k in b if k not in a)]:
            where = f"{path}.{key}" if path else str(key)
            if key not in a:
                found.append((where, "absent", _show(b[key])))
            elif key not in b:
                found.append((where, _show(a[key]), "absent"))
            else:
                found += _changes(a[key], b[key], where)
        return found
    return [] if a == b else [(path or "config", _show(a), _show(b))]


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
