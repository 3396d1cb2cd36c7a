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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_views_started_on_one_port_at_once_do_not_share_it() -> None:
    """One serves and says where; the other says the port is in use, exit 2, nothing else."""
    import os
    import signal
    import time

    port = str(_free_port())
    procs = [
        subprocess.Popen(
            [str(NEGSIM_VIEW), "--port", port],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 90
        while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.2)
        losers = [p for p in procs if p.poll() is not None]
        assert len(losers) == 1, "exactly one view gave up"
        winner = next(p for p in procs if p is not losers[0])
        out, err = losers[0].communicate(timeout=30)
        assert losers[0].returncode == 2, err
        assert out == "" and err == f"negsim-view: port {port} on 127.0.0.1 is in use\n"
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=30)
    assert winner.stdout is not None
    assert f"negsim-view: open http://127.0.0.1:{port}" in winner.stdout.read()


def test_the_servers_warnings_are_one_line_each_and_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    from negsim.view.serve import _forward

    text = (
        "/x/solara/server.py:12: UserWarning: something is off\n"
        "  warnings.warn('something is off')\n"
        "/x/solara/server.py:12: UserWarning: something is off\n"
        "  warnings.warn('something is off')\n"
        "INFO: plain line\n"
    )
    _forward(io.StringIO(text))
    assert capsys.readouterr().err == ("negsim-view: warning: something is off\nINFO: plain line\n")
