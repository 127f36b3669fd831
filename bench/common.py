"""What every benchmark needs: the twin lock, the twin CLI, ansible-playbook runs, and a watch on the router's route.

Observations go around the collection (``ip -n tor``, vtysh on the twin's socket), like the integration tests do,
so a benchmark cannot be fooled by the code it measures.
"""

from __future__ import annotations

import fcntl
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.twin_probe import kernel_next_hops

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TWIN_CLI = str(BIN / "bgp-lb-twin")
TWIN_LOCK = Path("/tmp/bgp-lb-twin.lock")
PREFIX = "172.16.0.240/28"
STATE_DIR = REPO / ".twin"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def twin_lock() -> Iterator[None]:
    """Hold the machine-wide twin lock for the whole run.

    ``flock /tmp/bgp-lb-twin.lock python -m bench`` hands us the locked file as an open descriptor; locking that
    same open file again succeeds at once, whereas opening the file anew would wait for ourselves forever.
    """
    inherited = None
    for entry in Path("/proc/self/fd").iterdir():
        try:
            if Path(os.readlink(entry)) == TWIN_LOCK:
                inherited = int(entry.name)
                break
        except OSError:
            continue
    if inherited is not None:
        fcntl.flock(inherited, fcntl.LOCK_EX)
        yield
        return
    with TWIN_LOCK.open("a") as handle:
        log(f"waiting for {TWIN_LOCK} (other twin users)")
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def timed(argv: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> tuple[float, str]:
    """Run a command to completion; (wall seconds, stdout). Any failure stops the benchmark: a number from a
    failed run would be meaningless."""
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=REPO, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return elapsed, done.stdout


def twin(*args: str) -> float:
    return timed([TWIN_CLI, *args], timeout=300)[0]


def twin_fresh(nodes: int = 3) -> float:
    """Down then up: the lab's starting state. Returns the seconds ``up`` took (bring-up from nothing)."""
    twin("down")
    return twin("up", "--nodes", str(nodes))


def twin_status() -> dict[str, Any]:
    return json.loads(timed([TWIN_CLI, "status", "--json"])[1])


PLAYBOOK_ENV = {
    "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
    "ANSIBLE_NOCOLOR": "1",
    "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
    "PYTHONUNBUFFERED": "1",
}


def playbook_argv(playbook: str, extra_vars: dict[str, Any] | None = None) -> list[str]:
    argv = [str(BIN / "ansible-playbook"), playbook]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    return argv


def playbook(
    playbook: str, extra_vars: dict[str, Any] | None = None, env: dict[str, str] | None = None
) -> tuple[float, str]:
    return timed(
        playbook_argv(playbook, extra_vars), env={**PLAYBOOK_ENV, "PATH": f"{BIN}:{os.environ['PATH']}", **(env or {})}
    )


def next_hops(prefix: str = PREFIX) -> list[str]:
    """The kernel route's gateways in ``tor`` (what forwarding uses), sorted."""
    return kernel_next_hops(prefix)


def wait_hops(count: int, timeout: float = 60) -> float:
    """Block until the route has exactly ``count`` next hops; seconds waited."""
    start = time.perf_counter()
    while len(next_hops()) != count:
        if time.perf_counter() - start > timeout:
            raise RuntimeError(f"route {PREFIX} did not reach {count} next hops in {timeout} s: {next_hops()}")
        time.sleep(0.02)
    return time.perf_counter() - start


def vtysh(*commands: str) -> str:
    argv = ["vtysh", "-H", "/dev/null", "--vty_socket", str(STATE_DIR / "frr" / "run")]
    for command in commands:
        argv += ["-c", command]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def set_maximum_paths(paths: int) -> None:
    vtysh("configure terminal", "router bgp 65001", "address-family ipv4 unicast", f"maximum-paths {paths}")


@dataclass
class RouteWatch:
    """A thread that reads ``ip -n tor -j route`` in a tight loop and stamps each change of the next-hop count."""

    prefix: str = PREFIX
    changes: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RouteWatch:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        while not self.changes:  # the first reading, so callers compare against a known state
            time.sleep(0.001)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        last = None
        while not self._stop.is_set():
            count = len(next_hops(self.prefix))
            if count != last:
                self.changes.append((time.perf_counter(), count))
                last = count

    def first_time(self, count: int, after: float = 0.0, timeout: float = 60) -> float:
        """perf_counter stamp of the first reading with ``count`` next hops taken after ``after``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for stamp, seen in list(self.changes):
                if seen == count and stamp >= after:
                    return stamp
            time.sleep(0.005)
        raise RuntimeError(f"route {self.prefix} never showed {count} next hops: {self.changes[-5:]}")


def summary(samples: list[float], digits: int = 3) -> dict[str, Any]:
    """Median and spread of repeated measurements."""
    return {
        "n": len(samples),
        "median": round(statistics.median(samples), digits),
        "min": round(min(samples), digits),
        "max": round(max(samples), digits),
        "stdev": round(statistics.stdev(samples), digits) if len(samples) > 1 else 0.0,
        "samples": [round(sample, digits) for sample in samples],
    }
