"""`down` cleans up what a crashed `up` left behind, even with the state files gone."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from twinlib import eventually, missing_prerequisite, twin_cli

pytestmark = [pytest.mark.root, pytest.mark.twin]


@pytest.fixture
def half_made_twin(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """What a crash between creating the wires and writing any state would leave: namespaces, a link, a process."""
    reason = missing_prerequisite()
    if reason:
        pytest.skip(reason)
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
    result = twin_cli(tmp_path, "down")
    assert (result.returncode, result.stdout.strip()) == (0, "twin was not up; nothing to do")
