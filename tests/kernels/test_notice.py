"""The line a first, compiling call prints: once, on a terminal, only when the call is slow."""

from __future__ import annotations

import io
import time

import pytest

import negsim.kernels as kernels


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kernels._state, "told", False)
    monkeypatch.setattr(kernels, "_NOTICE_AFTER", 0.05)


@pytest.mark.usefixtures("fresh")
def test_a_slow_first_call_says_once_on_a_terminal_that_it_compiles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    assert kernels.Kernel(slow)(0.3) == 0.3
    assert kernels.Kernel(slow)(0.3) == 0.3  # another kernel's first call: not said again
    assert err.getvalue().count("compiling the engine") == 1
    assert err.getvalue().startswith("negsim: ") and err.getvalue().count("\n") == 1


@pytest.mark.usefixtures("fresh")
def test_a_quick_first_call_and_a_log_get_no_line(monkeypatch: pytest.MonkeyPatch) -> None:
    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    kernels.Kernel(slow)(0.0)
    assert err.getvalue() == ""
    log = io.StringIO()  # not a terminal
    monkeypatch.setattr("sys.stderr", log)
    kernels.Kernel(slow)(0.3)
    assert log.getvalue() == ""
