"""Long-running processes the twin starts detached: one pid file and one log each, found again by ``down``.

A daemon's command line always contains the state directory (a flag or a file under it), so ``down`` also finds
daemons whose pid files were lost in a crash by scanning ``/proc`` for that directory.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from bgp_lb_twin.components import cache_dir
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.proc import pid_alive, read_pid, remove_quietly, stop_pids


def pid_file(paths: TwinPaths, name: str) -> Path:
    return paths.pids / f"{name}.pid"


def log_file(paths: TwinPaths, name: str) -> Path:
    return paths.logs / f"{name}.log"


def spawn(
    paths: TwinPaths,
    name: str,
    argv: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    *,
    writes_own_pid_file: bool = False,
) -> int:
    """Start ``argv`` in its own session (it outlives the CLI), output appended to ``logs/<name>.log``.

    ``writes_own_pid_file``: the program writes ``pids/<name>.pid`` itself once it is ready (the file then means
    "ready", so it must not appear before)."""
    with open(log_file(paths, name), "ab") as log:
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as error:
            raise TwinError(f"cannot start {name} ({argv[0]}): {error}") from None
    if not writes_own_pid_file:
        pid_file(paths, name).write_text(f"{process.pid}\n", encoding="utf-8")
    return process.pid


def running_pid(paths: TwinPaths, name: str) -> int | None:
    pid = read_pid(pid_file(paths, name))
    return pid if pid is not None and pid_alive(pid) else None


def last_log_lines(paths: TwinPaths, name: str, count: int = 3) -> str:
    try:
        text = log_file(paths, name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no log"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[-count:]) if lines else "empty log"


def require_running(paths: TwinPaths, name: str) -> None:
    if running_pid(paths, name) is None:
        raise TwinError(f"{name} exited: {last_log_lines(paths, name)} (see {log_file(paths, name)})")


def _is_ours(argv: list[bytes], cache: bytes) -> bool:
    """A daemon the twin starts: one of the built components (or BIRD) from the cache, or one of our modules."""
    return argv[0].startswith(cache) or any(word in argv for word in OWN_MODULES)


OWN_MODULES = (b"bgp_lb_twin.supervisor", b"bgp_lb_twin.responder")


def processes_mentioning(marker: str) -> list[int]:
    """Pids of the twin's daemons whose command line mentions ``marker`` (the state directory).

    Only daemons: a CLI run or a test that names the state directory is never one of them."""
    found = []
    needle = marker.encode()
    cache = str(cache_dir()).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        argv = cmdline.split(b"\0")
        if needle in cmdline and _is_ours(argv, cache) and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def stop(paths: TwinPaths, names: Iterable[str], grace: float = 3.0) -> None:
    """SIGTERM the named daemons together (then SIGKILL after ``grace``) and forget their pid files."""
    names = list(names)
    stop_pids([pid for name in names if (pid := running_pid(paths, name)) is not None], grace=grace)
    for name in names:
        remove_quietly(pid_file(paths, name))
