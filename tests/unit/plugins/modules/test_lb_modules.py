"""The three modules through Ansible's module interface: a JSON args file in, one JSON document out.

Each module runs in its own Python process the way Ansible runs it (``python module.py args.json`` with the
options wrapped in ``ANSIBLE_MODULE_ARGS``), so argument_spec type handling, check mode, ``exit_json`` and
``fail_json`` are all exercised for real.
"""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.tests.unit.module_runner import run_module

LAB = "172.16.0.240/28"


def warning_texts(result):
    """Module-side warnings are structured in ansible-core >= 2.19; the controller turns them into strings."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


@pytest.mark.parametrize("check_mode", [pytest.param(True, id="check-mode"), pytest.param(False, id="normal")])
def test_validate_returns_lab_facts_and_never_changes(tmp_path, check_mode):
    code, result = run_module(tmp_path, "lb_cidr_validate", {"cidr": LAB}, check_mode=check_mode)
    assert code == 0
    assert result == {
        "changed": False,
        "cidr": LAB,
        "ip_version": 4,
        "prefix_length": 28,
        "block_size": 28,
        "num_addresses": 16,
        "first_address": "172.16.0.240",
        "last_address": "172.16.0.255",
    }


def test_validate_accepts_k8s_info_objects_and_converts_option_types(tmp_path):
    existing = [
        {"metadata": {"name": "default-ipv4-ippool"}, "spec": {"cidr": "192.168.0.0/16", "blockSize": 26}},
        {"metadata": {"name": "loadbalancer-ip-pool"}, "spec": {"cidr": LAB, "blockSize": 28}},
        "10.244.0.0/16",
    ]
    args = {
        "cidr": LAB,
        "block_size": "28",  # Ansible converts, as it would for a templated value
        "pool_name": "loadbalancer-ip-pool",
        "existing_pools": existing,
        "node_addresses": ["10.10.10.10", "10.10.10.1"],
        "min_addresses": 16,
    }
    code, result = run_module(tmp_path, "lb_cidr_validate", args)
    assert (code, result["changed"], result["block_size"]) == (0, False, 28)


def test_validate_failure_lists_every_violation_in_msg_and_violations(tmp_path):
    args = {
        "cidr": "172.16.0.0/24",
        "block_size": 30,
        "existing_pools": ["172.16.0.240/28"],
        "node_addresses": ["172.16.0.1"],
    }
    code, result = run_module(tmp_path, "lb_cidr_validate", args)
    assert code == 1
    assert result["failed"] is True
    assert result.get("changed", False) is False
    assert [v["rule"] for v in result["violations"]] == ["overlaps-existing-pool", "contains-node-address"]
    for violation in result["violations"]:
        assert violation["detail"] in result["msg"]


def test_validate_warns_about_a_single_address_pool(tmp_path):
    code, result = run_module(tmp_path, "lb_cidr_validate", {"cidr": "172.16.0.241"})
    assert code == 0
    assert any("single address" in text for text in warning_texts(result))


def test_validate_without_cidr_is_refused_by_the_argument_spec(tmp_path):
    code, result = run_module(tmp_path, "lb_cidr_validate", {})
    assert (code, result["failed"]) == (1, True)
    assert "cidr" in result["msg"]
    assert "violations" not in result


def test_pool_spec_returns_the_lab_manifest(tmp_path):
    code, result = run_module(tmp_path, "lb_pool_spec", {"cidr": LAB})
    assert code == 0
    assert result == {
        "changed": False,
        "manifest": {
            "apiVersion": "projectcalico.org/v3",
            "kind": "IPPool",
            "metadata": {"name": "loadbalancer-ip-pool"},
            "spec": {
                "cidr": LAB,
                "blockSize": 28,
                "natOutgoing": True,
                "allowedUses": ["LoadBalancer"],
                "assignmentMode": "Automatic",
                "nodeSelector": "all()",
                "ipipMode": "Never",
                "vxlanMode": "Never",
            },
        },
    }


def test_pool_spec_failure_holds_msg_and_violations(tmp_path):
    code, result = run_module(tmp_path, "lb_pool_spec", {"cidr": "172.16.0.241/28", "name": "LB_Pool"})
    assert code == 1
    assert [v["rule"] for v in result["violations"]] == ["invalid-name", "not-strictly-masked"]
    assert "LB_Pool" in result["msg"]
    assert "172.16.0.241/28" in result["msg"]


def test_pool_spec_choices_are_enforced_by_ansible(tmp_path):
    code, result = run_module(tmp_path, "lb_pool_spec", {"cidr": LAB, "assignment_mode": "Sometimes"})
    assert (code, result["failed"]) == (1, True)
    assert "assignment_mode" in result["msg"]


def test_advert_spec_merges_into_current_in_check_mode(tmp_path):
    current = {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPConfiguration",
        "metadata": {"name": "default", "resourceVersion": "77", "managedFields": [{"manager": "x"}]},
        "spec": {"asNumber": 65010, "nodeToNodeMeshEnabled": False, "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}]},
    }
    code, result = run_module(tmp_path, "lb_advert_spec", {"current": current, "cidrs": [LAB]})
    assert code == 0
    assert result["changed"] is False
    assert (result["needs_update"], result["added"], result["removed"]) == (True, [LAB], [])
    assert result["manifest"]["metadata"] == {"name": "default", "resourceVersion": "77"}
    assert result["manifest"]["spec"] == {**current["spec"], "serviceLoadBalancerIPs": [{"cidr": LAB}]}


def test_advert_spec_with_null_current_builds_the_object(tmp_path):
    args = {"current": None, "cidrs": [LAB], "as_number": 65010, "node_to_node_mesh": False}
    code, result = run_module(tmp_path, "lb_advert_spec", args)
    assert code == 0
    assert result["manifest"]["spec"] == {
        "asNumber": 65010,
        "nodeToNodeMeshEnabled": False,
        "serviceLoadBalancerIPs": [{"cidr": LAB}],
    }


def test_advert_spec_failure_holds_msg_and_violations(tmp_path):
    code, result = run_module(tmp_path, "lb_advert_spec", {"cidrs": ["172.016.0.240/28", "10.0.0.1/8"]})
    assert code == 1
    assert [v["rule"] for v in result["violations"]] == ["leading-zeros", "not-strictly-masked"]
    assert result["msg"].startswith("2 rules broken")
