"""Errors an operator sees: one line saying what is wrong and what to do, no traceback."""

from __future__ import annotations


class StartupRefused(Exception):
    """A command or the service refuses to start (inconsistent settings, a database behind the
    code, a missing owner URL...). ``str(error)`` is one line for the operator; the command
    line prints it and exits with status 2."""

    def __init__(self, message: str) -> None:
        # One line, whatever the caller passed: the message is printed as is.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)
