"""The one error type a user's mistake raises: it prints as a single line, never a traceback."""

from __future__ import annotations


class NegsimError(ValueError):
    """A user's mistake in a scenario, a config or an argument.

    The message is one line naming where the mistake is (file, key path) and what is wrong; the
    command-line entry points print it and exit with status 2.
    """


class ScenarioError(NegsimError):
    """A scenario file or scenario override that does not validate."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        self.source = source
        self.path = path
        self.problem = problem
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {problem}")


class ScenarioWarning(UserWarning):
    """Something in a scenario or domain file that negsim read or wrote in its own way.

    The message is one line naming the file and what was done (a rescaled weight, a value a
    format cannot hold); the command-line entry points print it as one line.
    """
