"""Calico's write-time rules (DESIGN.md §5): each violation is a 422 Invalid naming field, value and rule."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import POOLS, Client, lb_pool

BGP_CONFIGURATIONS = "/apis/projectcalico.org/v3/bgpconfigurations"
BGP_PEERS = "/apis/projectcalico.org/v3/bgppeers"


def pool(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": name}, "spec": spec}


def configuration(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "projectcalico.org/v3", "kind": "BGPConfiguration", "metadata": {"name": name}, "spec": spec}


def bgp_peer(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer", "metadata": {"name": name}, "spec": spec}


def lb_spec(**overrides: Any) -> dict[str, Any]:
    return {"cidr": "172.20.0.0/28", "blockSize": 28, "allowedUses": ["LoadBalancer"], **overrides}


@pytest.mark.parametrize(
    ("path", "body", "field", "fragment"),
    [
        pytest.param(
            POOLS,
            pool("p", cidr="172.16.0.241/28", blockSize=28),
            "spec.cidr",
            "not strictly masked",
            id="pool-cidr-not-strictly-masked",
        ),
        pytest.param(POOLS, pool("p", cidr="172.16.0.300/28"), "spec.cidr", "not a valid CIDR", id="pool-cidr-garbage"),
        pytest.param(POOLS, pool("p"), "spec.cidr", "Required value", id="pool-cidr-missing"),
        pytest.param(
            POOLS,
            pool("p", cidr="169.254.0.0/24", blockSize=26),
            "spec.cidr",
            "link local",
            id="pool-overlaps-ipv4-link-local",
        ),
        pytest.param(POOLS, pool("p", cidr="fe80::/64"), "spec.cidr", "link local", id="pool-overlaps-ipv6-link-local"),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/16", blockSize=19),
            "spec.blockSize",
            "between 20 and 32",
            id="pool-ipv4-block-size-too-small",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="fd00:20::/64", blockSize=115),
            "spec.blockSize",
            "between 116 and 128",
            id="pool-ipv6-block-size-out-of-range",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/28"),
            "spec.cidr",
            "too small (min /26)",
            id="pool-slash-28-with-default-block-size",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/24", allowedUses=["Workload", "Bogus"]),
            "spec.allowedUses",
            "must be one of",
            id="pool-unknown-allowed-use",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/24", allowedUses=["LoadBalancer", "Workload"]),
            "spec.allowedUses",
            "cannot be combined",
            id="pool-load-balancer-with-workload",
        ),
        pytest.param(
            POOLS,
            pool("p", **lb_spec(ipipMode="Always")),
            "spec.ipipMode",
            "IPIP or VXLAN",
            id="pool-load-balancer-with-ipip",
        ),
        pytest.param(
            POOLS,
            pool("p", **lb_spec(vxlanMode="CrossSubnet")),
            "spec.vxlanMode",
            "IPIP or VXLAN",
            id="pool-load-balancer-with-vxlan",
        ),
        pytest.param(
            POOLS,
            pool("p", **lb_spec(nodeSelector="has(edge)")),
            "spec.nodeSelector",
            "must be all()",
            id="pool-load-balancer-node-selector",
        ),
        pytest.param(
            POOLS,
            pool("p", **lb_spec(disableBGPExport=True)),
            "spec.disableBGPExport",
            "cannot be set",
            id="pool-load-balancer-disable-bgp-export",
        ),
        pytest.param(
            POOLS,
            pool("p", **lb_spec(assignmentMode="Sometimes")),
            "spec.assignmentMode",
            "Automatic, Manual",
            id="pool-assignment-mode",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/24", ipipMode="Always", vxlanMode="Always"),
            "spec.vxlanMode",
            "cannot both be enabled",
            id="pool-ipip-and-vxlan",
        ),
        pytest.param(
            POOLS, pool("p", cidr="fd00:20::/120", ipipMode="Always"), "spec.ipipMode", "IPv6", id="pool-ipip-on-ipv6"
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="172.20.0.0/24", ipipMode="Sometimes"),
            "spec.ipipMode",
            "must be one of",
            id="pool-unknown-ipip-mode",
        ),
        pytest.param(
            POOLS,
            pool("p", cidr="192.168.10.0/24"),
            "spec.cidr",
            "overlaps with IPPool(default-ipv4-ippool)",
            id="pool-overlaps-existing-pool",
        ),
        pytest.param(
            BGP_CONFIGURATIONS,
            configuration(
                "c", nodeToNodeMeshEnabled=False, nodeMeshPassword={"secretKeyRef": {"name": "s", "key": "k"}}
            ),
            "spec.nodeMeshPassword",
            "nodeToNodeMeshEnabled is false",
            id="config-mesh-password-without-mesh",
        ),
        pytest.param(
            BGP_CONFIGURATIONS,
            configuration("c", nodeToNodeMeshEnabled=False, nodeMeshMaxRestartTime="120s"),
            "spec.nodeMeshMaxRestartTime",
            "nodeToNodeMeshEnabled is false",
            id="config-mesh-restart-time-without-mesh",
        ),
        pytest.param(
            BGP_CONFIGURATIONS,
            configuration("c", asNumber=4294967296),
            "spec.asNumber",
            "between 1 and",
            id="config-as-number-out-of-range",
        ),
        pytest.param(
            BGP_CONFIGURATIONS,
            configuration("c", logSeverityScreen="Chatty"),
            "spec.logSeverityScreen",
            "must be one of",
            id="config-log-severity",
        ),
        pytest.param(
            BGP_CONFIGURATIONS,
            configuration("c", serviceLoadBalancerIPs=[{"cidr": "172.16.0.999/28"}]),
            "spec.serviceLoadBalancerIPs[0].cidr",
            "valid CIDR",
            id="config-bad-service-cidr",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.1", asNumber=0),
            "spec.asNumber",
            "between 1 and",
            id="peer-as-number-zero",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.1", asNumber="65536.1"),
            "spec.asNumber",
            "between 1 and",
            id="peer-asdot-out-of-range",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.1"),
            "spec.asNumber",
            "Required value",
            id="peer-as-number-missing",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.256", asNumber=65001),
            "spec.peerIP",
            "valid IP address",
            id="peer-ip-unparseable",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.1", asNumber=65001, node="k01-worker", nodeSelector="all()"),
            "spec.nodeSelector",
            "cannot both be set",
            id="peer-node-and-node-selector",
        ),
        pytest.param(
            BGP_PEERS,
            bgp_peer("b", peerIP="10.10.10.1", asNumber=65001, nodeSelector="has(("),
            "spec.nodeSelector",
            "invalid selector",
            id="peer-node-selector-unparseable",
        ),
    ],
)
def test_calico_rule_violation_is_422_naming_the_field(
    client: Client, path: str, body: dict, field: str, fragment: str
):
    reply = client.post(path, body)
    causes = reply.json.get("details", {}).get("causes", [])
    assert reply.code == 422, reply.json
    assert reply.json["reason"] == "Invalid"
    assert any(cause["field"] == field and fragment in cause["message"] for cause in causes), causes
    assert client.get(f"{path}/{body['metadata']['name']}").code == 404


def test_every_violation_is_listed_at_once(client: Client):
    body = pool("many", cidr="172.16.0.241/28", allowedUses=["LoadBalancer", "Tunnel"], ipipMode="Always")
    status = client.post(POOLS, body).json
    fields = sorted(cause["field"] for cause in status["details"]["causes"])
    assert fields == ["spec.allowedUses", "spec.cidr", "spec.cidr", "spec.ipipMode"]
    assert status["message"].startswith('IPPool.projectcalico.org "many" is invalid: [')


@pytest.mark.parametrize(
    ("body", "path"),
    [
        pytest.param(pool("ok-lb", **lb_spec()), POOLS, id="lab-load-balancer-pool"),
        pytest.param(pool("ok-v6", cidr="fd00:30::/120"), POOLS, id="ipv6-pool-default-block-size"),
        pytest.param(
            pool("ok-disabled", cidr="172.21.0.0/28", disabled=True), POOLS, id="disabled-pool-smaller-than-block"
        ),
        pytest.param(bgp_peer("ok-asdot", peerIP="[fd00::1]:179", asNumber="1.10"), BGP_PEERS, id="peer-asdot-v6-port"),
        pytest.param(
            configuration("ok-mesh", nodeToNodeMeshEnabled=True, nodeMeshMaxRestartTime="120s"),
            BGP_CONFIGURATIONS,
            id="mesh-options-with-mesh",
        ),
    ],
)
def test_valid_calico_objects_are_accepted(client: Client, body: dict, path: str):
    reply = client.post(path, body)
    assert reply.code == 201, reply.json
    client.delete(f"{path}/{body['metadata']['name']}")


def test_pool_defaults_are_filled_in(client: Client):
    created = client.post(POOLS, pool("defaults", cidr="172.22.0.0/24")).json
    client.delete(f"{POOLS}/defaults")
    assert created["spec"] == {
        "cidr": "172.22.0.0/24",
        "blockSize": 26,
        "ipipMode": "Never",
        "vxlanMode": "Never",
        "natOutgoing": False,
        "nodeSelector": "all()",
        "allowedUses": ["Workload", "Tunnel"],
        "assignmentMode": "Automatic",
    }


@pytest.mark.parametrize(
    ("patch", "field", "fragment"),
    [
        pytest.param({"spec": {"cidr": "172.23.0.0/27"}}, "spec.cidr", "cannot be modified", id="cidr-immutable"),
        pytest.param({"spec": {"blockSize": 29}}, "spec.blockSize", "cannot be modified", id="block-size-immutable"),
        pytest.param(
            {"spec": {"allowedUses": ["Workload"]}},
            "spec.allowedUses",
            "away from LoadBalancer",
            id="allowed-uses-away-from-load-balancer",
        ),
    ],
)
def test_pool_update_rules(client: Client, patch: dict, field: str, fragment: str):
    if client.get(f"{POOLS}/immutable").code == 404:
        client.post(POOLS, lb_pool("immutable", "172.23.0.0/28"))
    reply = client.patch(f"{POOLS}/immutable", patch)
    assert reply.code == 422
    assert any(cause["field"] == field and fragment in cause["message"] for cause in reply.json["details"]["causes"])


def test_overlap_is_checked_on_create_only(client: Client):
    client.post(POOLS, lb_pool("overlap-a", "172.24.0.0/28"))
    updated = client.patch(f"{POOLS}/overlap-a", {"spec": {"natOutgoing": False}})
    assert updated.code == 200
    assert client.post(POOLS, lb_pool("overlap-b", "172.24.0.0/28")).code == 422
