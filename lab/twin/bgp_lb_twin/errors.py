"""Errors the twin reports to a human as one line, with what to do about them."""

from __future__ import annotations

# Exit status for "the twin cannot do this here; the message says what to change" (usage-like errors).
EXIT_USER_ERROR = 2


class TwinError(Exception):
    """A failure with a message fit for one line on the terminal (no traceback)."""

    exit_code = EXIT_USER_ERROR


class CommandFailed(TwinError):
    """An external command (ip, bird, vtysh, ...) failed; the message carries its stderr."""

    def __init__(self, argv: list[str], returncode: int, stderr: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"`{' '.join(argv)}` failed (exit {returncode}): {self.stderr or 'no error output'}")
