"""ecmp_route_check through Ansible's module interface: the module file runs in a subprocess with an args file,
as Ansible runs it, so argument_spec, fail_json/exit_json and check mode are exercised for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.calicolab.bgp_lb.tests.unit.module_runner import run_module as run_module_file

REPO = Path(__file__).resolve().parents[4]
FIXTURES = REPO / "tests" / "unit" / "fixtures" / "route_check"
PREFIX = "172.16.0.240/28"
NODES = {"10.10.10.10": "k01-control-plane", "10.10.10.11": "k01-worker", "10.10.10.12": "k01-worker2"}


def fixture(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text()


def run_module(tmp_path: Path, check_mode: bool = False, **args) -> tuple[int, dict]:
    """Run the module like Ansible does; return its exit code and its JSON result."""
    return run_module_file(tmp_path, "ecmp_route_check", args, check_mode=check_mode)


def lab_args(platform: str, scenario: str, summary: str | None = None, **extra) -> dict:
    args = {
        "platform": platform,
        "route": fixture(platform, f"{scenario}.route.json"),
        "bgp_summary": fixture(platform, summary or f"{scenario}.bgp_summary.json"),
        "prefix": PREFIX,
        "expected_next_hops": list(NODES),
        "node_names": NODES,
    }
    return {**args, **extra}


RETURN_KEYS = {
    "healthy",
    "prefix",
    "summary",
    "route_type",
    "next_hops",
    "peers",
    "missing",
    "unexpected",
    "problems",
    "checks",
}


def test_healthy_route_exits_unchanged_with_named_next_hops(tmp_path):
    rc, result = run_module(tmp_path, **lab_args("frr", "healthy-3-path"))

    assert rc == 0
    assert (result["changed"], result["healthy"], result["route_type"]) == (False, True, "bgp")
    assert result["next_hops"] == [
        {"address": "10.10.10.10", "interface": "br10", "node": "k01-control-plane"},
        {"address": "10.10.10.11", "interface": "br10", "node": "k01-worker"},
        {"address": "10.10.10.12", "interface": "br10", "node": "k01-worker2"},
    ]
    assert {c["result"] for c in result["checks"]} == {"pass"}


def test_unhealthy_route_fails_with_cause_and_every_return_value(tmp_path):
    rc, result = run_module(tmp_path, **lab_args("frr", "peer-down-static"))

    assert rc == 1
    assert result["failed"] is True
    assert result["msg"] == "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Active"
    assert set(result) >= RETURN_KEYS
    assert (result["missing"], result["unexpected"]) == (["10.10.10.12"], [])
    assert result["peers"][2] == {
        "address": "10.10.10.12",
        "state": "Active",
        "received": 0,
        "accepted": 0,
        "node": "k01-worker2",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            lab_args("eos", "one-path-maximum-paths-1", maximum_paths=1),
            "1 of 3 next hops: maximum-paths is 1 on the router",
            id="eos-maximum-paths-1",
        ),
        pytest.param(
            lab_args("frr", "excluded-node", excluded_nodes={"10.10.10.10": "k01-control-plane"}),
            "2 of 3 next hops; 10.10.10.10 missing: node k01-control-plane is labelled "
            "exclude-from-external-load-balancers",
            id="frr-excluded-node",
        ),
        pytest.param(
            lab_args("frr", "prefix-missing", summary="no-bgp-instance.bgp_summary.json"),
            "prefix 172.16.0.240/28 not in routing table; no BGP peers in the summary",
            id="frr-prefix-missing",
        ),
    ],
)
def test_failure_message_names_the_likely_cause(tmp_path, args, message):
    rc, result = run_module(tmp_path, **args)

    assert (rc, result["msg"]) == (1, message)


def test_fail_on_unhealthy_false_returns_the_verdict_for_a_retry_loop(tmp_path):
    rc, result = run_module(tmp_path, **lab_args("eos", "peer-down-idle"), fail_on_unhealthy=False)

    assert rc == 0
    assert "failed" not in result
    assert (result["healthy"], result["msg"]) == (
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Idle",
    )


def test_check_mode_gives_the_same_verdict(tmp_path):
    args = lab_args("eos", "unexpected-next-hop")
    normal_rc, normal = run_module(tmp_path, **args)
    checked_rc, checked = run_module(tmp_path, check_mode=True, **args)

    assert (checked_rc, normal_rc) == (1, 1)
    assert {k: checked[k] for k in RETURN_KEYS} == {k: normal[k] for k in RETURN_KEYS}


def test_decoded_dict_output_is_accepted(tmp_path):
    # arista.eos.eos_command returns '| json' output already decoded.
    args = lab_args("eos", "healthy-3-path", summary="healthy-3-path.bgp_summary_per_afi.json")
    args["route"] = json.loads(args["route"])
    args["bgp_summary"] = json.loads(args["bgp_summary"])
    rc, result = run_module(tmp_path, **args)

    assert (rc, result["healthy"]) == (0, True)


def warning_texts(result: dict) -> list[str]:
    """ansible-core >= 2.19 returns warnings as structured events, older releases as strings."""
    return [w if isinstance(w, str) else w["event"]["msg"] for w in result.get("warnings", [])]


def test_min_paths_tolerance_surfaces_ansible_warnings(tmp_path):
    rc, result = run_module(tmp_path, **lab_args("eos", "peer-down-idle"), min_paths=2)

    assert (rc, result["healthy"]) == (0, True)
    assert warning_texts(result) == ["10.10.10.12 (k01-worker2) missing: peer Idle"]


def test_bad_input_lists_every_violation_whatever_fail_on_unhealthy(tmp_path):
    rc, result = run_module(
        tmp_path,
        platform="frr",
        route=fixture("frr", "unknown-vrf.route.txt"),
        prefix="172.16.0.241/28",
        expected_next_hops=["10.10.10.11", "k01-worker2"],
        fail_on_unhealthy=False,
    )

    assert rc == 1
    assert [v["rule"] for v in result["violations"]] == [
        "prefix-host-bits",
        "expected-next-hops-invalid",
        "route-invalid-json",
    ]
    assert result["msg"].startswith("3 rules broken: [prefix-host-bits] prefix: '172.16.0.241/28' has host bits set")


def test_unknown_platform_is_rejected_by_the_argument_spec(tmp_path):
    rc, result = run_module(tmp_path, platform="junos", route="{}", prefix=PREFIX)

    assert rc == 1
    assert result["msg"] == "value of platform must be one of: eos, frr, got: junos"
