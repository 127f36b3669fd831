"""Helpers for the live twin tests: run the CLI, read tor's kernel routes, poll with a deadline."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from bgp_lb_twin.components import locate
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import PACKAGE_PARENT

T = TypeVar("T")
NEEDED = ("ip", "vtysh", "sshd", "ssh", "ssh-keygen", "curl", "unshare")


def missing_prerequisite() -> str | None:
    """Why the live tests cannot run here (a skip), or None. As root, `make setup` installs and builds everything
    the twin needs, so a missing part there is a failure, not a skip: CI must never pass by skipping."""
    if os.geteuid() != 0:
        return "needs root (network namespaces); CI runs as root"
    missing = [binary for binary in NEEDED if shutil.which(binary) is None]
    if missing or not Path("/usr/lib/frr/bgpd").exists():
        pytest.fail(f"needs frr, openssh-server, curl (missing: {', '.join(missing) or 'bgpd'}): run `make setup`")
    try:
        locate()
    except TwinError as error:
        pytest.fail(str(error))
    if Path("/run/netns/tor").exists():
        return "a namespace named tor exists already (a twin is up?): run `bgp-lb-twin down` first"
    return None


TWIN_LOCK = Path("/tmp/bgp-lb-twin.lock")  # shared with tests/conftest.py: one twin per machine


@contextmanager
def machine_twin_lock() -> Iterator[None]:
    """Namespace names are fixed (tor, k01-*): whoever brings a twin up or down holds this machine-wide lock."""
    with TWIN_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def twin_cli(state_dir: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    pythonpath = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=pythonpath)
    command = [sys.executable, "-m", "bgp_lb_twin.cli", "--state-dir", str(state_dir), *argv]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"bgp-lb-twin {' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def eventually(probe: Callable[[], T], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    """Poll ``probe`` every 50 ms until ``accept`` likes its value; return the last value either way."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not accept(value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = probe()
    return value


def tor_next_hops(prefix: str) -> set[str]:
    """Gateways of tor's kernel route to ``prefix`` (one ``gateway`` or a ``nexthops`` list)."""
    output = subprocess.run(
        ["ip", "-n", "tor", "-j", "route", "show", prefix], capture_output=True, text=True, check=True
    ).stdout
    hops: set[str] = set()
    for route in json.loads(output or "[]"):
        if "gateway" in route:
            hops.add(route["gateway"])
        hops.update(hop["gateway"] for hop in route.get("nexthops", []) if "gateway" in hop)
    return hops


def in_tor(*argv: str, timeout: float = 20) -> str:
    return subprocess.run(
        ["ip", "netns", "exec", "tor", *argv], capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def in_node(node: str, *argv: str, timeout: float = 20) -> str:
    return subprocess.run(
        ["ip", "netns", "exec", node, *argv], capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def vtysh(state_dir: Path, *commands: str) -> str:
    argv = ["vtysh", "-H", "/dev/null", "--vty_socket", str(state_dir / "frr" / "run")]
    for command in commands:
        argv += ["-c", command]
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=10).stdout
