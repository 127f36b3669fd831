"""inventory/containerlab through the real eAPI stack, against a fake device.

Each test runs ansible-playbook with the repository's containerlab inventory (pointed at 127.0.0.1): the real
``ansible.netcommon.httpapi`` connection, the real ``arista.eos`` httpapi plugin and ``eos_command``, TLS and basic
authentication. Only the router is replaced by ``tests/eapi_fake.py``, which answers each command with output in
EOS's shape and records what it was sent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, PlaybookRun, run_playbook, write_playbook
from tests.eapi_fake import FakeEapi

INVENTORY = REPO / "inventory" / "containerlab"
PASSWORD = "eapi-test-5e1d"


@pytest.fixture
def router(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The inventory reads these from the environment: the tests decide them, not the developer's shell.
    for name in ("EOS_USERNAME", "EOS_PASSWORD", "EOS_VALIDATE_CERTS", "EOS_CA_PATH"):
        monkeypatch.delenv(name, raising=False)
    with FakeEapi(tmp_path, password=PASSWORD) as device:
        yield device


def run_against(router: FakeEapi, tmp_path: Path, tasks: list[dict], **env: str) -> PlaybookRun:
    """Run ``tasks`` on ceos01 of inventory/containerlab, reached at the fake router (its CA in EOS_CA_PATH)."""
    play = {"name": "On the lab router", "hosts": "upstream_routers", "gather_facts": False, "tasks": tasks}
    environment = {"EOS_PASSWORD": PASSWORD, "EOS_CA_PATH": str(router.ca_path), "NO_PROXY": "127.0.0.1"}
    return run_playbook(
        write_playbook(tmp_path, [play]),
        inventory=INVENTORY,
        extra_vars={"ansible_host": "127.0.0.1", "ansible_httpapi_port": router.port},
        env={**environment, "no_proxy": "127.0.0.1", **env},
    )


SHOW_BGP = [{"name": "Ask the router for its BGP summary", "arista.eos.eos_command": {"commands": ["show ip bgp"]}}]


# ---------------------------------------------------------------------------------------------------------------
# inventory/containerlab: privilege and certificates


def test_every_command_runs_after_enable(router: FakeEapi, tmp_path: Path):
    router.answers["show ip bgp"] = "BGP routing table information for VRF default"

    run = run_against(router, tmp_path, SHOW_BGP)

    assert run.returncode == 0, run.stdout[-3000:]
    ours = [request.commands for request in router.requests if "show ip bgp" in request.commands]
    assert ours == [[{"cmd": "enable", "input": ""}, "show ip bgp"]]


@pytest.mark.parametrize(
    ("env", "connects"),
    [
        pytest.param({}, True, id="verified-against-eos-ca-path"),
        pytest.param({"EOS_CA_PATH": ""}, False, id="system-cas-do-not-vouch-for-the-lab-ca"),
        pytest.param({"EOS_CA_PATH": "", "EOS_VALIDATE_CERTS": "false"}, True, id="unverified-only-when-asked"),
    ],
)
def test_eapi_certificate_is_verified_unless_switched_off(router: FakeEapi, tmp_path: Path, env: dict, connects: bool):
    router.answers["show ip bgp"] = "BGP routing table information for VRF default"

    run = run_against(router, tmp_path, SHOW_BGP, **env)

    assert (run.returncode == 0) is connects, run.stdout[-3000:]
    if not connects:
        assert "CERTIFICATE_VERIFY_FAILED" in run.stdout
