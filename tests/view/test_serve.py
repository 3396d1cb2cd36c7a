"""`negsim-view`'s command line: a bad scenario or port is one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NEGSIM_VIEW = Path(sys.executable).with_name("negsim-view")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEGSIM_VIEW), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_an_unknown_scenario_is_one_line_naming_it() -> None:
    done = run("--scenario", "no_such_thing")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no_such_thing" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("port", ["0", "65536", "abc"])
def test_a_bad_port_is_a_one_line_usage_error(port: str) -> None:
    done = run("--port", port)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--port" in done.stderr


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_view_loads_offline(view_server: str, browser_page) -> None:
    browser_page.goto(view_server)
    browser_page.get_by_text("Round 0 of").first.wait_for(timeout=60_000)
