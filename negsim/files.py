"""Writing result files safely: a reader never sees half a file.

Every file negsim writes goes through `atomic_path` (a temporary file beside the target, renamed
onto it when whole), so an interrupted run leaves the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path` to write to, renamed onto `path` when the block succeeds.

    A reader never sees half a file: if the block raises, the temporary file is removed and
    `path` is left as it was. The parent directory is created, and the file gets the usual
    permissions (a temporary file starts private).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Write a file through `write(temporary path)`, then rename it into place (`atomic_path`)."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame to Parquet atomically (a reader never sees half a file)."""
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_json(data: Any, path: str | Path) -> None:
    """Write JSON atomically; NaN and infinities become null so the file is standard JSON.

    orjson writes a sweep job's summary (its whole config included) in a fraction of a
    millisecond, where the standard library's indenting encoder takes about ten.
    """
    options = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    text = orjson.dumps(data, option=options, default=str)
    atomic_write(path, lambda tmp: tmp.write_bytes(text + b"\n"))
