"""Small process helpers: run a command with a readable failure, poll with a deadline, stop pids for good."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from bgp_lb_twin.errors import CommandFailed, TwinError

T = TypeVar("T")

POLL_INTERVAL = 0.02


def run(argv: list[str], *, input_text: str | None = None, check: bool = True, timeout: float = 30) -> str:
    """Run ``argv`` and return its stdout; raise CommandFailed with stderr when it fails and ``check`` is set."""
    completed = subprocess.run(argv, input=input_text, capture_output=True, text=True, timeout=timeout, check=False)
    if check and completed.returncode != 0:
        raise CommandFailed(argv, completed.returncode, completed.stderr or completed.stdout)
    return completed.stdout


def in_netns(namespace: str, argv: list[str]) -> list[str]:
    return ["ip", "netns", "exec", namespace, *argv]


def wait_for(probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = POLL_INTERVAL) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TwinError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (this VM's init reaps orphans slowly)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    state = next((line for line in status.splitlines() if line.startswith("State:")), "")
    return "Z" not in state.split()[1:2]


def signal_pid(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def stop_pids(pids: Iterable[int], *, first_signal: int = signal.SIGTERM, grace: float = 1.0) -> None:
    """Ask politely, then SIGKILL whatever is still alive after ``grace`` seconds."""
    remaining = [pid for pid in pids if pid_alive(pid)]
    for pid in remaining:
        signal_pid(pid, first_signal)
    deadline = time.monotonic() + grace
    while remaining and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL)
        remaining = [pid for pid in remaining if pid_alive(pid)]
    for pid in remaining:
        signal_pid(pid, signal.SIGKILL)


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)
