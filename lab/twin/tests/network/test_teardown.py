"""`down` cleans up what a crashed `up` left behind, even with the state files gone."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from twinlib import eventually, machine_twin_lock, missing_prerequisite, twin_cli

from bgp_lb_twin.components import locate

pytestmark = [pytest.mark.root, pytest.mark.twin]


@pytest.fixture
def half_made_twin(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """What a crash between creating the wires and writing any state would leave: namespaces, a link, a process."""
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)
    with machine_twin_lock():
        yield from _half_made_twin()


def _half_made_twin() -> Iterator[subprocess.Popen[bytes]]:
    for command in (
        ["ip", "netns", "add", "tor"],
        ["ip", "netns", "add", "k01-worker"],
        ["ip", "link", "add", "twin-mgmt", "type", "veth", "peer", "name", "mgmt0", "netns", "tor"],
    ):
        subprocess.run(command, check=True)
    sleeper = subprocess.Popen(["ip", "netns", "exec", "tor", "sleep", "60"])
    yield sleeper
    sleeper.kill()
    sleeper.wait()
    for namespace in ("tor", "k01-worker"):
        subprocess.run(["ip", "netns", "del", namespace], check=False, capture_output=True)
    subprocess.run(["ip", "link", "del", "twin-mgmt"], check=False, capture_output=True)


@pytest.fixture
def orphaned_etcd(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The twin's etcd, started for a state directory whose pid files are gone (a crash mid-`up`)."""
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)
    state = tmp_path / "crashed-state"
    etcd = subprocess.Popen(
        [
            str(locate()["etcd"]),
            f"--data-dir={state / 'cluster' / 'etcd'}",
            "--listen-client-urls=http://127.0.0.1:0",
            "--advertise-client-urls=http://127.0.0.1:0",
            "--listen-peer-urls=http://127.0.0.1:0",
            "--log-level=error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with machine_twin_lock():
        yield etcd
    etcd.kill()
    etcd.wait()


def test_down_finds_a_daemon_that_lost_its_pid_file(orphaned_etcd, tmp_path: Path) -> None:
    result = twin_cli(tmp_path / "crashed-state", "down")
    exit_code = eventually(orphaned_etcd.poll, lambda code: code is not None, timeout=5)
    assert (result.returncode, exit_code is not None) == (0, True)


def test_down_without_state_removes_namespaces_links_and_processes(half_made_twin, tmp_path: Path) -> None:
    result = twin_cli(tmp_path / "empty-state", "down")
    exit_code = eventually(half_made_twin.poll, lambda code: code is not None, timeout=5)
    assert result.returncode == 0
    assert not Path("/run/netns/tor").exists()
    assert not Path("/run/netns/k01-worker").exists()
    assert not Path("/sys/class/net/twin-mgmt").exists()
    assert exit_code is not None


def test_down_when_nothing_is_up_says_so(tmp_path: Path) -> None:
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)
    with machine_twin_lock():
        result = twin_cli(tmp_path, "down")
    assert (result.returncode, result.stdout.strip()) == (0, "twin was not up; nothing to do")
