"""End-to-end fixtures: `negsim-view` on a free loopback port, and a headless chromium page."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def view_server() -> Iterator[str]:
    """The URL of a `negsim-view` started for these tests (stopped, with its children, after)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in the finally below)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("negsim-view")), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"negsim-view did not answer on {url}:\n{log.read()}")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def browser_page() -> Iterator[object]:
    """A Playwright page in headless chromium; after the test: no page errors, no failed
    request, and every request to 127.0.0.1."""
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make browser`")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    urls: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: urls.append(request.url))
        page.on(
            "response",
            lambda response: (
                failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        try:
            yield page
        finally:
            browser.close()
    assert errors == []
    assert failed == []  # every asset was served (from the offline cache)
    outside = [
        u
        for u in urls
        if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert outside == []
