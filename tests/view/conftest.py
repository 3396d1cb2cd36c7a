"""The view rendered without a browser; and end to end: `negsim-view` on a free loopback port,
and a headless chromium page."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from negsim.formats.load import load_scenario
from negsim.view.launch import CHROMIUM, ViewNotStarted, launch_chromium, running_view
from negsim.view.story import Story, default_setup, tell


@pytest.fixture(scope="module")
def story() -> Story:
    """The flagship's story with its own settings (a deal in round 24)."""
    scenario = load_scenario("ukraine_2025")
    return tell(scenario, default_setup(scenario))


@pytest.fixture
def view() -> Iterator[object]:
    """The whole view rendered by Solara without a browser, from the flagship's own settings."""
    import solara

    from negsim.view import app, state

    state.reset_all("ukraine_2025")
    _box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    state.playing.value = False
    rc.close()


@pytest.fixture(scope="module")
def view_server() -> Iterator[str]:
    """The URL of a `negsim-view` started for these tests (stopped, with its children, after)."""
    try:
        with running_view() as url:
            yield url
    except ViewNotStarted as exc:
        pytest.fail(str(exc))


@pytest.fixture
def browser_page() -> Iterator[object]:
    """A Playwright page in headless chromium; after the test: no page errors, no failed
    request, no websocket dropped, and every request to 127.0.0.1."""
    if not CHROMIUM.exists():
        pytest.fail(f"no {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    urls: list[str] = []
    failed: list[str] = []
    closed: list[str] = []  # websockets the server dropped while the test ran
    done = False
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: urls.append(request.url))
        page.on(
            "websocket",
            lambda ws: ws.on("close", lambda w: closed.append(w.url) if not done else None),
        )
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
            done = True
            browser.close()
    assert errors == []
    assert closed == []  # no tab lost its connection to the server
    assert failed == []  # every asset was served (from the offline cache)
    outside = [
        u
        for u in urls
        if urlsplit(u).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(u).hostname != "127.0.0.1"
    ]
    assert outside == []
