"""site.yml and teardown.yml on the twin: converge, idempotency, check mode, diff, teardown.

Every observation goes around the collection: the API is read over plain HTTPS, the router with vtysh, the
kernel route with `ip route`, and what was written with the API server's audit log.
"""

from __future__ import annotations

import ipaddress
import re

import pytest

from tests.conftest import run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

LB_CIDR = "172.16.0.240/28"
NODE_IPS = ["10.10.10.10", "10.10.10.11", "10.10.10.12"]


def total_changed(run) -> int:
    return sum(stats.get("changed", 0) for stats in run.report["stats"].values())


def test_site_converges_and_a_second_run_changes_nothing(fresh_twin):
    first = run_playbook("site.yml")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    # IPPool, Service, BGPConfiguration. The seeded BGPPeer already holds the lab's spec, so it is read, found equal
    # and not applied (an apply would only make calicolab.bgp_lb a co-owner of its fields).
    assert first.changed("k8s-controller") == 3
    assert first.changed("tor") == 1  # maximum-paths
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS
    assert "maximum-paths 4" in fresh_twin.running_config()
    # Calico's IPAM picks the address (the seed lab saw .241; Calico 3.30.1 hands out the block's first, .240).
    lb_ip = fresh_twin.api.lb_ip()
    assert ipaddress.ip_address(lb_ip) in ipaddress.ip_network(LB_CIDR)
    assert (
        first.result_of("k8s-controller", "Expose the external IP")["ansible_facts"]["lb_service_external_ip"] == lb_ip
    )
    verdict = first.result_of("tor", "Judge the route and the sessions")
    assert verdict["healthy"] is True
    assert sorted(hop["address"] for hop in verdict["next_hops"]) == NODE_IPS

    mark = fresh_twin.audit_mark()
    second = run_playbook("site.yml")
    assert second.returncode == 0, second.stdout[-3000:]
    assert total_changed(second) == 0, second.report["stats"]
    written = [entry["path"] for entry in fresh_twin.real_writes(fresh_twin.audit_since(mark))]
    assert written == [], "an idempotent run sends no write at all: what the reads show equal is not applied again"


def test_a_peer_whose_declared_field_another_manager_set_differently_is_refused_before_any_write(fresh_twin):
    """BGPPeers follow the rule of every object: the twin seeded bgppeer-arista (as the lab's deploy script does with
    kubectl), so another selector for it is a field conflict the dry run names; nothing is written."""
    mark = fresh_twin.audit_mark()
    selector = "!has(calicolab.example/not-a-label)"
    peer = {"name": "bgppeer-arista", "peer_ip": "10.10.10.1", "as_number": 65001, "node_selector": selector}

    run = run_playbook("site.yml", extra_vars={"bgp_advertisement_peers": [peer]}, json_output=False)

    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert re.search(
        r"BGPPeer bgppeer-arista: 1 field we declare already holds a different value that another tool manages: "
        r'\.spec\.nodeSelector is \\"all\(\)\\" \(set by [^)]+\), we declare \\"' + re.escape(selector),
        output,
    ), output[-3000:]
    assert fresh_twin.real_writes(fresh_twin.audit_since(mark)) == []
    assert fresh_twin.api.get("/apis/projectcalico.org/v3/bgppeers/bgppeer-arista")["spec"]["nodeSelector"] == "all()"


def test_check_mode_on_a_fresh_twin_reports_changes_and_writes_nothing(fresh_twin):
    api_before, router_before = fresh_twin.api.snapshot(), fresh_twin.running_config()
    mark = fresh_twin.audit_mark()

    run = run_playbook("site.yml", "--check")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.changed("k8s-controller") >= 3
    assert run.changed("tor") == 1
    entries = fresh_twin.audit_since(mark)
    assert any(entry.get("dryRun") for entry in entries), "check mode must still ask the server (dryRun=All)"
    assert fresh_twin.real_writes(entries) == []
    assert fresh_twin.api.snapshot() == api_before
    assert fresh_twin.running_config() == router_before
    assert fresh_twin.route_next_hops(LB_CIDR) == []


def test_diff_shows_the_bgp_configuration_and_router_changes(fresh_twin):
    run = run_playbook("site.yml", "--diff", json_output=False)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"+    - {LB_CIDR}" in run.stdout or f"+  - {LB_CIDR}" in run.stdout or f'"{LB_CIDR}"' in run.stdout
    assert "serviceLoadBalancerIPs" in run.stdout
    assert "-  maximum-paths 1" in run.stdout
    assert "+  maximum-paths 4" in run.stdout


def test_teardown_returns_the_twin_to_its_starting_state(fresh_twin):
    api_before, router_before = fresh_twin.api.snapshot(), fresh_twin.running_config()
    converge = run_playbook("site.yml")
    assert converge.returncode == 0, converge.stdout[-3000:]
    assert fresh_twin.api.snapshot() != api_before

    teardown = run_playbook("playbooks/teardown.yml")

    assert teardown.returncode == 0, teardown.stdout[-3000:] + teardown.stderr[-3000:]
    assert fresh_twin.api.snapshot() == api_before
    assert fresh_twin.running_config() == router_before
    again = run_playbook("playbooks/teardown.yml")
    assert total_changed(again) == 0, again.report["stats"]
