"""Writing result files safely: a reader never sees half a file, and nothing but a file is replaced.

Every file negsim writes goes through `atomic_path` (a temporary file beside the target, renamed
onto it when whole), so an interrupted run leaves the old file or the new one, never a torn one.
A target that is a symbolic link, a device, a FIFO, a socket or a folder is refused before
anything is written (renaming onto it would replace the link or the device node itself), and
every error names the target the user asked for, never the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from negsim.errors import NegsimError


class OutputError(NegsimError):
    """A file negsim was asked to write cannot safely be written; the message names it."""


def check_target(
    path: str | os.PathLike[str], overwrite: bool = True, how: str = "unless asked"
) -> Path:
    """`path` as a `Path` if negsim may write a regular file there, else an `OutputError`.

    Refused: a symbolic link (even to a regular file), anything but a regular file, and with
    `overwrite=False` an existing file (the message says `how` the user may ask for it).
    """
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        raise OutputError(f"{path}: is a symbolic link; negsim writes only regular files")
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = "FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        raise OutputError(f"{path}: is a {kind}, not a regular file; negsim writes only files")
    if not overwrite:
        raise OutputError(f"{path}: exists; negsim does not replace it {how}")
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path` to write to, renamed onto `path` when the block succeeds.

    A reader never sees half a file: if the block raises, the temporary file is removed and
    `path` is left as it was. The parent directory is created, and the file gets the usual
    permissions (a temporary file starts private). `path` must be a regular file or nothing
    (`check_target`); an OSError names `path`, not the temporary file.
    """
    path = check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(exc.errno or errno.EIO, exc.strerror or str(exc), str(path)) from None
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        check_target(path)  # still a file or nothing: never rename over a link or a device
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename in (tmp, None) or exc.filename2 == str(path):
            raise OSError(exc.errno or errno.EIO, exc.strerror or str(exc), str(path)) from None
        raise
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
    try:
        text = orjson.dumps(data, option=options, default=str)
    except TypeError:  # an integer beyond 64 bits (outcomes of a huge scenario): written exactly
        text = orjson.dumps(_wide_ints_as_text(data), option=options, default=str)
    atomic_write(path, lambda tmp: tmp.write_bytes(text + b"\n"))


_INT64 = range(-(2**63), 2**64)  # what JSON numbers orjson writes hold


def _wide_ints_as_text(data: Any) -> Any:
    """`data` with every integer beyond 64 bits as its decimal text (exact, unlike a float)."""
    if isinstance(data, int) and not isinstance(data, bool) and data not in _INT64:
        return str(data)
    if isinstance(data, dict):
        return {key: _wide_ints_as_text(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_wide_ints_as_text(value) for value in data]
    return data
