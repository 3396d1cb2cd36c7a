"""`negsim-view`: serve the teaching view on 127.0.0.1 with Solara, offline.

Checks the scenario and the front-end assets (`negsim.view.assets`) first, then runs Solara's
server (`solara.server.starlette:app`, production mode, the app in SOLARA_APP) under uvicorn in
a child process bound to 127.0.0.1. Solara's CDN proxy serves only its local cache: a cache miss
is pointed at a closed loopback port, and Solara's telemetry is off, so the server sends nothing
beyond loopback. uvicorn is run directly, not through `solara run`, for its websocket keepalive:
a class clicking `Step` fast queues renders (about 0.3 s a figure), and behind that queue the
browser's answer to uvicorn's keepalive ping waits; after the default 20 s uvicorn would drop
the tab. On loopback a closed tab closes its socket, so a long keepalive timeout loses nothing.

For tests, the environment variable NEGSIM_VIEW_APP names another Solara app file to serve.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, NoReturn

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
UNREACHABLE_CDN = "http://127.0.0.1:9/"  # the discard port: a proxy cache miss fails at once
START_TIMEOUT = 120.0
WS_PING_TIMEOUT = 600.0  # seconds; see the module docstring


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 1 to 65535, not {port}")
    return port


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (negsim-view --help shows the usage)\n")


def parser() -> argparse.ArgumentParser:
    """The command line of `negsim-view`."""
    p = _Parser(
        prog="negsim-view",
        description="Serve negsim's interactive teaching view on http://127.0.0.1:PORT.",
    )
    p.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"the port on 127.0.0.1 to serve on (default {DEFAULT_PORT})",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME_OR_PATH",
        help="the scenario shown first: a library name, a YAML file or a GENIUS domain folder "
        "(default: the scenario of configs/config.yaml)",
    )
    return p


def check_scenario(scenario: str | None) -> str | None:
    """None when the scenario loads, else its one-line error."""
    from negsim.errors import NegsimError
    from negsim.formats.load import load_scenario
    from negsim.runs.settings import default_scenario

    try:
        load_scenario(scenario or default_scenario())
    except (NegsimError, OSError) as error:
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    return None


def check_assets() -> str | None:
    """None when Solara's proxy cache holds every front-end package (fetched if missing)."""
    import importlib.util

    if importlib.util.find_spec("solara") is None:
        return "the view needs solara: pip install -e '.[view]' (make view installs it)"
    from negsim.view import assets

    try:
        if assets.missing():
            assets.ensure()
    except assets.AssetError as error:
        return f"front-end assets: {error}"
    return None


def port_in_use(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:port."""
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return True
    return False


def server_env(scenario: str | None) -> dict[str, str]:
    """The child's environment: offline Solara settings and the scenario to show."""
    from negsim.view import assets

    env = dict(os.environ)
    app = os.environ.get("NEGSIM_VIEW_APP") or str(Path(__file__).with_name("app.py"))
    env.update(
        SOLARA_APP=app,
        SOLARA_MODE="production",
        SOLARA_TELEMETRY_MIXPANEL_ENABLE="False",
        SOLARA_ASSETS_PROXY="True",
        SOLARA_ASSETS_PROXY_CACHE_DIR=str(assets.cache_dir()),
        SOLARA_ASSETS_CDN=UNREACHABLE_CDN,
        PYTHONWARNINGS="ignore:Cookies with samesite=none require https:UserWarning",
    )
    env.pop("NEGSIM_VIEW_SCENARIO", None)
    if scenario is not None:
        env["NEGSIM_VIEW_SCENARIO"] = scenario
    return env


def server_command(port: int) -> list[str]:
    """uvicorn serving Solara's app on HOST:port (the app file is in `server_env`)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "solara.server.starlette:app",
        f"--host={HOST}",
        f"--port={port}",
        "--log-level=warning",
        f"--ws-ping-timeout={WS_PING_TIMEOUT:g}",
    ]


def _die_with_parent() -> None:
    """In the child: receive SIGTERM when the parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


_WARNING = re.compile(r"^(?P<where>.+?):\d+: (?P<kind>\w*Warning): (?P<message>.*)$")


def _forward(stream: IO[str]) -> None:
    """Copy the child's output (uvicorn's and Solara's messages) to stderr; a Python warning
    becomes one line, as the command line prints it, once, without its source line."""
    seen: set[str] = set()
    skip_source = False
    for line in stream:
        if skip_source and line.startswith((" ", "\t")):
            skip_source = False
            continue
        skip_source = False
        if "address already in use" in line:  # the view says it in its own words
            continue
        found = _WARNING.match(line.rstrip("\n"))
        if found:
            skip_source = True
            text = f"negsim-view: warning: {found['message']}\n"
            if text in seen:
                continue
            seen.add(text)
            line = text
        sys.stderr.write(line)
        sys.stderr.flush()


def _owns_port(pid: int, port: int) -> bool | None:
    """Whether process `pid` holds the listening socket on HOST:port (None: cannot tell here).

    Read from /proc: the socket's inode in /proc/net/tcp, then the process's open files.
    """
    try:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return None
    local = f"{socket.htonl(0x7F000001):08X}:{port:04X}"  # 127.0.0.1 as the kernel writes it
    rows = (row.split() for row in table)
    inodes = {fields[9] for fields in rows if fields[1] == local and fields[3] == "0A"}
    if not inodes:
        return False
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None
    links = set()
    for fd in fds:
        with contextlib.suppress(OSError):  # closed meanwhile
            links.add(os.readlink(fd))
    return any(f"socket:[{inode}]" in links for inode in inodes)


def answers(url: str) -> bool:
    """Whether an HTTP server answers on `url` now."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False


def _stop(child: subprocess.Popen[str]) -> None:
    """Terminate the child and wait for it (kill it after 10 s)."""
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve(port: int, scenario: str | None) -> int:
    """Run the server until it stops or the user presses Ctrl-C; the exit status."""
    url = f"http://{HOST}:{port}"
    child = subprocess.Popen(
        server_command(port),
        env=server_env(scenario),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C reaches this process only; it stops the child
        preexec_fn=_die_with_parent,
    )
    assert child.stdout is not None
    threading.Thread(target=_forward, args=(child.stdout,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not answers(url) or _owns_port(child.pid, port) is False:
            if child.poll() is not None:
                if port_in_use(port):  # another server won the race for the port
                    print(f"negsim-view: port {port} on {HOST} is in use", file=sys.stderr)
                    return 2
                print(f"negsim-view: the server stopped (exit {child.returncode})", file=sys.stderr)
                return 1
            if time.monotonic() > deadline:
                print(f"negsim-view: the server did not answer on {url}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        print(f"negsim-view: open {url} (Ctrl-C stops it)", flush=True)
        status = child.wait()
        return 0 if status == 0 else 1
    except KeyboardInterrupt:
        return 130
    finally:
        _stop(child)


def main(argv: list[str] | None = None) -> int:
    """`negsim-view [--port 8765] [--scenario NAME_OR_PATH]`."""
    args = parser().parse_args(argv)
    try:
        for problem, status in ((check_scenario(args.scenario), 2), (check_assets(), 1)):
            if problem:
                print(f"negsim-view: {problem}", file=sys.stderr)
                return status
        if port_in_use(args.port):
            print(f"negsim-view: port {args.port} on {HOST} is in use", file=sys.stderr)
            return 2
        return serve(args.port, args.scenario)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
