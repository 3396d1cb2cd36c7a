"""Compiled kernels of the round's hot path, and the switch between them and numpy.

A round's work is many short loops over parties, issues and options for every replication still
running. In numpy each loop is a whole-array pass with its temporaries; compiled with numba, a
replication's whole offer search or model update is one fused loop that skips the work of rows
already settled. Every kernel has a numpy reference beside it (the code it replaces, kept in the
module that calls it), and the two agree bit for bit: the tests compare them on seeded panels.

Kernels are compiled once per machine, on first use, and cached (`cache=True`): next to the
package when that folder is writable, else in the user's cache folder (numba's own fallback,
`NUMBA_CACHE_DIR` overrides both). While a first call compiles, one line says so on a terminal's
stderr.
numba stamps a cache entry with the source of the file defining the kernel alone, so a change in
a helper of another module would leave a stale entry; every entry here is stamped with a digest
of all the kernel modules instead, and any change recompiles.

The engine is `compiled` unless the environment sets `NEGSIM_ENGINE=reference`; tests switch
with `engine("reference")`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numba

ENGINES = ("compiled", "reference")
_NOTICE_AFTER = 1.5  # seconds a first call may take before the compiling line is printed
# (loading a kernel from the cache takes about 0.25 s, longer on a busy machine)
_state = {"engine": os.environ.get("NEGSIM_ENGINE", "compiled"), "told": False}
if _state["engine"] not in ENGINES:
    _state["engine"] = "compiled"


def compiled() -> bool:
    """Whether the round runs its compiled kernels (else the numpy reference)."""
    return _state["engine"] == "compiled"


@contextmanager
def engine(name: str) -> Iterator[None]:
    """Run the enclosed code with the `compiled` or the `reference` engine."""
    if name not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {name!r}")
    before = _state["engine"]
    _state["engine"] = name
    try:
        yield
    finally:
        _state["engine"] = before


class Kernel:
    """A numba function whose first call in a process says on stderr when it compiles."""

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self._warm = False
        self.__doc__ = dispatcher.__doc__
        self.__name__ = dispatcher.__name__

    def __call__(self, *args: Any) -> Any:
        if self._warm:
            return self.dispatcher(*args)
        timer = threading.Timer(_NOTICE_AFTER, _tell)
        timer.daemon = True
        timer.start()
        try:
            return self.dispatcher(*args)
        finally:
            timer.cancel()
            self._warm = True


def _tell() -> None:
    """The one line a process prints while its first kernels compile, for someone watching a
    terminal (a log or a test reading stderr gets nothing that changes with the cache's state)."""
    if not _state["told"] and sys.stderr.isatty():
        _state["told"] = True
        print(
            "negsim: compiling the engine for this machine (once after installing; "
            "about a minute)...",
            file=sys.stderr,
            flush=True,
        )


def sources_digest() -> bytes:
    """sha256 of every kernel module's name and source, in name order."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


_DIGEST = sources_digest()


def _stamped(dispatcher: Any) -> Any:
    """`dispatcher` with its cache entries stamped by `sources_digest` (numba's own stamp is
    the defining file's hash; where its internals differ, that stamp stays)."""
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        cache_file._source_stamp = _DIGEST
    return dispatcher


def _jit(function: Callable[..., Any], **options: Any) -> Any:
    """`numba.njit` with a disk cache, or without one where no cache folder is writable (the
    package's folder, the user's cache folder and `NUMBA_CACHE_DIR` all read-only): the kernels
    then compile in every process, which is slower to start but gives the same results."""
    try:
        return _stamped(numba.njit(cache=True, error_model="numpy", **options)(function))
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return numba.njit(cache=False, error_model="numpy", **options)(function)


def kernel(function: Callable[..., Any]) -> Kernel:
    """`function` compiled in nopython mode, cached on disk, announced when it compiles."""
    return Kernel(_jit(function, nogil=True))


def inner(function: Callable[..., Any]) -> Any:
    """A helper that kernels call (compiled into them; not called from Python)."""
    return _jit(function, inline="never")
