"""inventory/containerlab and lb_verify's EOS task files through the real eAPI stack, against a fake device.

Each test runs ansible-playbook with the repository's containerlab inventory (pointed at 127.0.0.1): the real
``ansible.netcommon.httpapi`` connection, the real ``arista.eos`` httpapi plugin and ``eos_command``, TLS and basic
authentication. Only the router is replaced by ``tests/eapi_fake.py``, which answers each command with output in
EOS's shape (the route_check and eos_config fixtures) and records what it was sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import NEWEST, REPO, PlaybookRun, Toolchain, run_playbook, write_playbook
from tests.eapi_fake import FakeEapi

INVENTORY = REPO / "inventory" / "containerlab"
ROUTE_FIXTURES = REPO / "tests" / "unit" / "fixtures" / "route_check" / "eos"
CONFIG_FIXTURES = REPO / "tests" / "unit" / "fixtures" / "eos_config"
PREFIX = "172.16.0.240/28"
NODES = ["10.10.10.10", "10.10.10.11", "10.10.10.12"]
LB_IP = "172.16.0.241"
TCP_PROBE = f'bash timeout 5 bash -c "echo > /dev/tcp/{LB_IP}/80 && echo open"'


@pytest.fixture
def router(eapi_router: FakeEapi) -> FakeEapi:
    return eapi_router


def run_against(
    router: FakeEapi, tmp_path: Path, tasks: list[dict], toolchain: Toolchain = NEWEST, **env: str
) -> PlaybookRun:
    """Run ``tasks`` on ceos01 of inventory/containerlab, reached at the fake router (its CA in EOS_CA_PATH)."""
    play = {"name": "On the lab router", "hosts": "upstream_routers", "gather_facts": False, "tasks": tasks}
    environment = {"EOS_PASSWORD": router.password, "EOS_CA_PATH": str(router.ca_path), "NO_PROXY": "127.0.0.1"}
    return run_playbook(
        write_playbook(tmp_path, [play]),
        inventory=INVENTORY,
        extra_vars={"ansible_host": "127.0.0.1", "ansible_httpapi_port": router.port},
        env={**environment, "no_proxy": "127.0.0.1", **env},
        toolchain=toolchain,
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


# ---------------------------------------------------------------------------------------------------------------
# lb_verify: reach_eos.yml


def reach(router: FakeEapi, tmp_path: Path) -> tuple[PlaybookRun, dict]:
    tasks = [
        {
            "name": "Test TCP to the LB IP the way lb_verify does",
            "ansible.builtin.include_role": {"name": "calicolab.bgp_lb.lb_verify", "tasks_from": "reach_eos"},
            "vars": {"lb_verify_ip": LB_IP},
        },
        {"name": "Show the TCP verdict", "ansible.builtin.debug": {"var": "lb_verify_reach"}},
    ]
    run = run_against(router, tmp_path, tasks)
    assert run.returncode == 0, run.stdout[-3000:]
    return run, run.result_of("ceos01", "Show the TCP verdict")["lb_verify_reach"]


@pytest.mark.parametrize(
    ("output", "healthy"),
    [
        pytest.param("open\n", True, id="handshake-done"),
        pytest.param(
            "bash: connect: Connection refused\nbash: line 1: /dev/tcp/172.16.0.241/80: Connection refused\n",
            False,
            id="refused",
        ),
        pytest.param("", False, id="timed-out-silently"),
        pytest.param("bash: line 1: /dev/tcp/172.16.0.241/80: cannot open\n", False, id="open-inside-an-error-line"),
    ],
)
def test_tcp_probe_is_open_only_when_bash_printed_open(router: FakeEapi, tmp_path: Path, output: str, healthy: bool):
    router.answers[TCP_PROBE] = output

    _run, verdict = reach(router, tmp_path)

    assert verdict["healthy"] is healthy
    said = "accepts TCP from the router" if healthy else "does not accept TCP from the router"
    assert verdict["summary"] == f"{LB_IP}:80 {said}"


def test_tcp_probe_sends_one_command_without_a_pipe(router: FakeEapi, tmp_path: Path):
    router.answers[TCP_PROBE] = "open\n"

    reach(router, tmp_path)

    assert router.sent() == [TCP_PROBE]
    assert [command for command in router.sent() if "|" in command] == []  # EOS would read it as its output pipe


def test_a_failed_eapi_call_is_a_closed_verdict_not_a_crash(router: FakeEapi, tmp_path: Path):
    # No answer configured: the fake router rejects the command the way EOS rejects an invalid one.
    _run, verdict = reach(router, tmp_path)

    assert verdict == {"healthy": False, "summary": f"{LB_IP}:80 does not accept TCP from the router"}


# ---------------------------------------------------------------------------------------------------------------
# lb_verify: route_eos.yml, then the role's judgement over what it read


def route_tasks(timeout: float) -> list[dict]:
    return [
        {
            "name": "Read the route and sessions the way lb_verify does",
            "ansible.builtin.include_role": {"name": "calicolab.bgp_lb.lb_verify", "tasks_from": "route_eos"},
            "vars": {
                "lb_verify_prefix": PREFIX,
                "lb_verify_expect": NODES,
                "lb_verify_timeout": timeout,
                "lb_verify_poll_interval": 0.5,
            },
        },
        {
            "name": "Judge them",
            "calicolab.bgp_lb.ecmp_route_check": {
                "platform": "eos",
                "route": "{{ lb_verify_route_output }}",
                "bgp_summary": "{{ lb_verify_summary_output }}",
                "prefix": PREFIX,
                "expected_next_hops": NODES,
                "maximum_paths": "{{ lb_verify_maximum_paths }}",
                "fail_on_unhealthy": False,
            },
        },
    ]


def serve_eos(router: FakeEapi, scenario: str, summary: str, running_config: str) -> None:
    router.answers[f"show ip route {PREFIX}"] = json.loads((ROUTE_FIXTURES / f"{scenario}.route.json").read_text())
    router.answers["show ip bgp summary"] = json.loads((ROUTE_FIXTURES / summary).read_text())
    router.answers["show running-config section router bgp"] = (CONFIG_FIXTURES / running_config).read_text()


@pytest.mark.parametrize(
    ("scenario", "summary", "running_config", "healthy", "message"),
    [
        pytest.param(
            "healthy-3-path",
            "healthy-3-path.bgp_summary.json",
            "router-bgp-maximum-paths-4-ecmp-4.cfg",
            True,
            "healthy: 172.16.0.240/28 via 3 of 3 expected next hops: 10.10.10.10, 10.10.10.11, 10.10.10.12; "
            "3 peers Established",
            id="after-site-ecmp-shown",
        ),
        pytest.param(
            "one-path-maximum-paths-1",
            "one-path-maximum-paths-1.bgp_summary.json",
            "router-bgp-default-paths.cfg",
            False,
            "1 of 3 next hops: maximum-paths is 1 on the router",
            id="before-site-default-hidden",
        ),
        pytest.param(
            "peer-down-idle",
            "peer-down-idle.bgp_summary.json",
            "router-bgp-maximum-paths-4.cfg",
            False,
            "2 of 3 next hops; 10.10.10.12 missing: peer Idle",
            id="peer-idle",
        ),
    ],
)
def test_route_eos_reads_what_the_verdict_needs(
    router: FakeEapi, tmp_path: Path, scenario, summary, running_config, healthy, message
):
    serve_eos(router, scenario, summary, running_config)

    run = run_against(router, tmp_path, route_tasks(timeout=0.5 if healthy else 1))

    assert run.returncode == 0, run.stdout[-3000:]
    verdict = run.result_of("ceos01", "Judge them")
    assert (verdict["healthy"], verdict["summary"]) == (healthy, message)
