"""Role lb_verify on the twin: healthy after site.yml, a stopped node named in the verdict, the exclusion label
honoured, and the JSON and Markdown reports.

One twin for the module (converging takes most of the time): site.yml runs once, then playbooks/verify.yml runs
after each change to the lab, and every change is undone before the next case. The faults are made around the
collection (the twin CLI, a plain HTTPS merge-patch), and the router's kernel route is read with `ip route`.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import TWIN_CLI, Twin, patch, run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin, pytest.mark.slow]

LB_CIDR = "172.16.0.240/28"
NODES = {"10.10.10.10": "k01-control-plane", "10.10.10.11": "k01-worker", "10.10.10.12": "k01-worker2"}
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
CONTROL_PLANE = "/api/v1/nodes/k01-control-plane"


def verify(report_dir: Path, timeout: int):
    """playbooks/verify.yml on its own; a failing case spends ``timeout`` seconds polling, a passing one less."""
    return run_playbook(
        "playbooks/verify.yml", extra_vars={"lb_verify_timeout": timeout, "lb_verify_report_dir": str(report_dir)}
    )


def wait_for_next_hops(twin: Twin, count: int, seconds: float = 20) -> list[str]:
    """The kernel route is the ground truth; wait for it so a case starts from a settled lab."""
    deadline = time.monotonic() + seconds
    hops = twin.route_next_hops(LB_CIDR)
    while len(hops) != count and time.monotonic() < deadline:
        time.sleep(0.1)
        hops = twin.route_next_hops(LB_CIDR)
    return hops


def reports(report_dir: Path) -> tuple[dict, str]:
    """The JSON and Markdown report of the one run that wrote into ``report_dir``."""
    json_files, markdown_files = sorted(report_dir.glob("*-tor.json")), sorted(report_dir.glob("*-tor.md"))
    assert (len(json_files), len(markdown_files)) == (1, 1), list(report_dir.iterdir())
    return json.loads(json_files[0].read_text()), markdown_files[0].read_text()


def test_lb_verify_follows_the_lab_through_a_node_failure_and_the_exclusion_label(fresh_twin, tmp_path):
    twin = fresh_twin
    converge = run_playbook("site.yml", extra_vars={"lb_verify_report_dir": str(tmp_path / "site")})
    assert converge.returncode == 0, converge.stdout[-3000:] + converge.stderr[-3000:]

    # --- healthy: the role agrees with the kernel route, and the reports show peers and next hops
    healthy = verify(tmp_path / "healthy", timeout=15)
    assert healthy.returncode == 0, healthy.stdout[-3000:]
    verdict = healthy.result_of("tor", "Judge the route and the sessions")
    assert verdict["healthy"] is True
    assert [hop["address"] for hop in verdict["next_hops"]] == twin.route_next_hops(LB_CIDR) == list(NODES)
    report, markdown = reports(tmp_path / "healthy")
    assert report["healthy"] is True
    assert report["route"]["next_hops"] == [
        {"address": address, "interface": "br10", "node": name} for address, name in NODES.items()
    ]
    assert [(peer["address"], peer["state"], peer["node"]) for peer in report["peers"]] == [
        (address, "Established", name) for address, name in NODES.items()
    ]
    assert report["reachability"]["address"] == twin.api.lb_ip()
    assert len(report["reachability"]["backends"]) >= 2
    assert "```mermaid\nflowchart LR" in markdown
    for address, name in NODES.items():
        assert f"| {name} | {address} | yes | yes |" in markdown  # next-hop table: expected and installed
        assert f"| {address} | {name} | Established |" in markdown  # BGP session table
    assert markdown.count("==>|ECMP path|") == 3

    # --- k01-worker2's BGP speaker stopped: 2 of 3 paths, the missing node named, the play fails
    subprocess.run([TWIN_CLI, "node-down", "k01-worker2"], check=True, capture_output=True, timeout=60)
    try:
        assert wait_for_next_hops(twin, 2) == ["10.10.10.10", "10.10.10.11"]
        degraded = verify(tmp_path / "node-down", timeout=3)
        assert degraded.returncode != 0, degraded.stdout[-3000:]
        verdict = degraded.result_of("tor", "Judge the route and the sessions")
        assert verdict["healthy"] is False
        assert verdict["missing"] == ["10.10.10.12"]
        assert verdict["summary"].startswith("2 of 3 next hops; 10.10.10.12 (k01-worker2) missing")
        assert any(
            "2 of 3 next hops" in message and "k01-worker2" in message for message in degraded.failure_messages("tor")
        )
        report, markdown = reports(tmp_path / "node-down")
        assert (report["healthy"], report["route"]["missing"]) == (False, ["10.10.10.12"])
        markdown_path = next((tmp_path / "node-down").glob("*-tor.md"))
        assert any(f"(report: {markdown_path})" in message for message in degraded.failure_messages("tor"))
        assert "router -.-x|missing| n3" in markdown
    finally:
        subprocess.run([TWIN_CLI, "node-up", "k01-worker2"], check=True, capture_output=True, timeout=60)

    # --- back up: the role polls until the third path returns and passes again
    recovered = verify(tmp_path / "node-up", timeout=15)
    assert recovered.returncode == 0, recovered.stdout[-3000:]
    assert recovered.result_of("tor", "Judge the route and the sessions")["missing"] == []

    # --- exclusion label on the control plane: Calico withdraws it there, the role expects 2 paths and passes
    patch(twin.api, CONTROL_PLANE, {"metadata": {"labels": {EXCLUDE_LABEL: "true"}}})
    try:
        assert wait_for_next_hops(twin, 2) == ["10.10.10.11", "10.10.10.12"]
        excluded = verify(tmp_path / "excluded", timeout=15)
        assert excluded.returncode == 0, excluded.stdout[-3000:]
        verdict = excluded.result_of("tor", "Judge the route and the sessions")
        assert [hop["address"] for hop in verdict["next_hops"]] == ["10.10.10.11", "10.10.10.12"]
        report, markdown = reports(tmp_path / "excluded")
        assert report["route"]["expected_next_hops"] == ["10.10.10.11", "10.10.10.12"]
        assert report["nodes"]["excluded"] == {"10.10.10.10": "k01-control-plane"}
        assert "| k01-control-plane | 10.10.10.10 | no (excluded) | no |" in markdown
        assert "router -.-x|excluded by label| n1" in markdown
    finally:
        patch(twin.api, CONTROL_PLANE, {"metadata": {"labels": {EXCLUDE_LABEL: None}}})
    assert wait_for_next_hops(twin, 3) == list(NODES)
