"""`negsim-view` in a child process and headless Debian chromium: for the browser tests and the
docs' screenshots, which both drive the real view."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from negsim.view.serve import HOST, answers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]  # no traffic of chromium's own: every request a page makes goes to the view


class ViewNotStarted(RuntimeError):
    """`negsim-view` exited or did not answer in time; the message holds its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def running_view(
    port: int | None = None, scenario: str | None = None, timeout: float = 60.0
) -> Iterator[str]:
    """Start `negsim-view` (this interpreter's), yield its URL once it answers, stop it after.

    The server runs in its own process group, so stopping it also stops its children.
    """
    port = port or free_port()
    url = f"http://{HOST}:{port}"
    command = [str(Path(sys.executable).with_name("negsim-view")), "--port", str(port)]
    if scenario:
        command += ["--scenario", scenario]
    with tempfile.TemporaryFile(mode="w+") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            while not answers(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise ViewNotStarted(f"negsim-view did not answer on {url}:\n{log.read()}")
                time.sleep(0.3)
            yield url
        finally:
            _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def launch_chromium(playwright: object) -> object:
    """Headless Debian chromium under Playwright (never a browser Playwright downloads)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"no {CHROMIUM}: run `make browser`")
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
