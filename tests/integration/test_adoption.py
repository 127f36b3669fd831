"""Objects other tools created: site.yml adopts them, converges, and leaves every field it does not declare alone.

The lab done by hand first - its own three manifests (tests/fixtures/seedlab, as the lab ships them),
the IPPool and Service made by kubectl (client-side apply, server-side apply, create, create then patch) or by
another server-side apply field manager (as Helm or an operator does), each carrying fields of the other tool's own
(a label, an annotation, sessionAffinity), and `maximum-paths 4` typed on the router - then site.yml on the twin's
real API server. managedFields say who owns what; the audit log says what the collection wrote.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import Twin, problem_messages, run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

SEEDLAB = Path(__file__).parents[1] / "fixtures" / "seedlab"
SERVICE_PATH = "/api/v1/namespaces/default/services/lb-nginx-service"
POOLS_PATH = "/apis/projectcalico.org/v3/ippools"
POOL_PATH = f"{POOLS_PATH}/loadbalancer-ip-pool"
BGP_CONFIGURATION_PATH = "/apis/projectcalico.org/v3/bgpconfigurations/default"
# What the other tool sets that the collection does not declare; it must stay exactly as it is.
THEIR_LABELS = {"team": "web"}
THEIR_ANNOTATIONS = {"example.com/owner": "web-team"}
THEIR_AFFINITY = "ClientIP"


def seed(name: str) -> dict:
    return yaml.safe_load((SEEDLAB / name).read_text(encoding="utf-8"))


def lab_objects() -> list[dict]:
    """The lab's IPPool and Service as its manifests write them, the Service with the other tool's own fields."""
    service = seed("lb-nginx-service.yaml")
    service["metadata"] |= {"labels": THEIR_LABELS, "annotations": THEIR_ANNOTATIONS}
    service["spec"]["sessionAffinity"] = THEIR_AFFINITY
    return [seed("lb-ippool.yaml"), service]


def kubectl_with(*args: str) -> Callable[[Twin, list[dict]], None]:
    def create(twin: Twin, objects: list[dict]) -> None:
        twin.kubectl(*args, "-f", "-", stdin=yaml.safe_dump_all(objects))

    return create


def created_then_patched(twin: Twin, objects: list[dict]) -> None:
    """kubectl create of a ClusterIP Service, then kubectl patch makes it a LoadBalancer (two managers)."""
    pool, service = objects
    twin.kubectl("create", "-f", "-", stdin=yaml.safe_dump(pool))
    cluster_ip = json.loads(json.dumps(service))
    cluster_ip["spec"]["type"] = "ClusterIP"
    twin.kubectl("create", "-f", "-", stdin=yaml.safe_dump(cluster_ip))
    twin.kubectl("patch", "service", "lb-nginx-service", "-p", '{"spec":{"type":"LoadBalancer"}}')


def applied_by_another_manager(twin: Twin, objects: list[dict]) -> None:
    """Server-side apply under a field manager of another tool (as Helm 4 and operators do), over plain HTTPS."""
    api = twin.api
    for item, path in zip(objects, [POOL_PATH, SERVICE_PATH]):
        request = urllib.request.Request(
            f"{api.url}{path}?fieldManager=helm",
            data=json.dumps(item).encode(),
            method="PATCH",
            headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/apply-patch+yaml"},
        )
        with urllib.request.urlopen(request, context=api.context, timeout=10):
            pass


# (how the objects were made, the field managers that then own the Service's fields)
CREATORS = [
    pytest.param(kubectl_with("apply"), {"kubectl-client-side-apply"}, id="kubectl-apply"),
    pytest.param(kubectl_with("apply", "--server-side"), {"kubectl"}, id="kubectl-apply-server-side"),
    pytest.param(kubectl_with("create"), {"kubectl-create"}, id="kubectl-create"),
    pytest.param(created_then_patched, {"kubectl-create", "kubectl-patch"}, id="kubectl-create-then-patch"),
    pytest.param(applied_by_another_manager, {"helm"}, id="another-field-manager"),
]


def do_the_lab_by_hand(twin: Twin, create: Callable[[Twin, list[dict]], None]) -> str:
    """The lab's steps by hand; returns the address Calico gave the Service."""
    create(twin, lab_objects())
    twin.kubectl("apply", "-f", str(SEEDLAB / "bgpconfiguration-lb.yaml"))
    twin.vtysh("configure terminal", "router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4")
    address = wait_for_address(twin)
    assert address, "Calico gave the hand-made Service no address"
    return address


def wait_for_address(twin: Twin, seconds: float = 30) -> str | None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if address := twin.api.lb_ip():
            return address
        time.sleep(0.2)
    return None


def managers(obj: dict) -> set[str]:
    return {entry["manager"] for entry in obj["metadata"].get("managedFields", [])}


def lb_pools(twin: Twin) -> list[str]:
    return [
        pool["metadata"]["name"]
        for pool in twin.api.get(POOLS_PATH)["items"]
        if "LoadBalancer" in pool["spec"].get("allowedUses", [])
    ]


@pytest.mark.parametrize(("create", "their_managers"), CREATORS)
def test_the_lab_done_by_hand_is_adopted_as_it_is(fresh_twin: Twin, create, their_managers: set[str]):
    address = do_the_lab_by_hand(fresh_twin, create)
    before = fresh_twin.api.snapshot()
    router_before = fresh_twin.running_config()
    mark = fresh_twin.audit_mark()

    first = run_playbook("site.yml", timeout=300)
    second = run_playbook("site.yml", timeout=300)

    assert first.returncode == 0, problem_messages(first) or first.stderr[-2000:]
    assert second.returncode == 0, problem_messages(second) or second.stderr[-2000:]
    # Everything already held what the collection declares: no write, no change, on either run.
    assert fresh_twin.real_writes(fresh_twin.audit_since(mark)) == []
    assert [first.changed("k8s-controller"), first.changed("tor")] == [0, 0]
    assert [second.changed("k8s-controller"), second.changed("tor")] == [0, 0]
    assert fresh_twin.api.snapshot() == before
    assert fresh_twin.running_config() == router_before
    service = fresh_twin.api.get(SERVICE_PATH)
    assert fresh_twin.api.lb_ip() == address
    assert service["metadata"]["labels"] == THEIR_LABELS
    assert service["metadata"]["annotations"].items() >= THEIR_ANNOTATIONS.items()
    assert service["spec"]["sessionAffinity"] == THEIR_AFFINITY
    assert their_managers <= managers(service)
    assert lb_pools(fresh_twin) == ["loadbalancer-ip-pool"]


def test_a_declared_change_leaves_the_other_tools_fields_alone_and_reruns_clean(fresh_twin: Twin):
    """Fields nobody else holds (the requested address, another CIDR) are added by server-side apply or merge;
    the other tool's label, annotation and sessionAffinity, and the BGPConfiguration fields we do not declare, stay."""
    do_the_lab_by_hand(fresh_twin, kubectl_with("apply"))
    mark = fresh_twin.audit_mark()
    wanted = {"lb_service_ip": "172.16.0.245", "bgp_advertisement_cidrs": ["172.16.0.240/28", "172.16.1.0/28"]}

    first = run_playbook("site.yml", extra_vars=wanted, timeout=300)
    second = run_playbook("site.yml", extra_vars=wanted, timeout=300)

    assert first.returncode == 0, problem_messages(first)
    service = fresh_twin.api.get(SERVICE_PATH)
    assert service["metadata"]["labels"] == THEIR_LABELS
    assert service["metadata"]["annotations"].items() >= THEIR_ANNOTATIONS.items()
    assert service["metadata"]["annotations"]["projectcalico.org/loadBalancerIPs"] == '["172.16.0.245"]'
    assert service["spec"]["sessionAffinity"] == THEIR_AFFINITY
    assert wait_for_address(fresh_twin) == "172.16.0.245"
    assert {"kubectl-client-side-apply", "calicolab.bgp_lb"} <= managers(service)
    bgp = fresh_twin.api.get(BGP_CONFIGURATION_PATH)["spec"]
    assert bgp["logSeverityScreen"] == "Info"  # the lab's, which the collection does not declare
    assert [item["cidr"] for item in bgp["serviceLoadBalancerIPs"]] == ["172.16.0.240/28", "172.16.1.0/28"]
    writes = fresh_twin.real_writes(fresh_twin.audit_since(mark))
    assert sorted(entry["path"] for entry in writes) == sorted([BGP_CONFIGURATION_PATH, SERVICE_PATH])
    assert lb_pools(fresh_twin) == ["loadbalancer-ip-pool"]
    assert second.returncode == 0, problem_messages(second)
    assert [second.changed("k8s-controller"), second.changed("tor")] == [0, 0]
