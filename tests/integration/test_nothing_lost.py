"""Nothing we do not own is touched: site.yml and teardown.yml keep everything else byte for byte.

The twin is seeded, around the collection, with what another team could have configured: BGPConfiguration fields
(serviceClusterIPs, serviceExternalIPs, communities, prefixAdvertisements, listenPort, someone else's
serviceLoadBalancerIPs entry, metadata annotations), another IPPool and BGPPeer, and on the router another
neighbor, a route-map, a prefix-list, a `network` statement next to maximum-paths and a static route.
"""

from __future__ import annotations

import copy
import json
import subprocess

import pytest

from tests.conftest import Twin, api_post, api_put, run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

BGP_CONFIGURATION = "/apis/projectcalico.org/v3/bgpconfigurations/default"
OUR_CIDR = "172.16.0.240/28"
FOREIGN_FIELDS = {
    "serviceClusterIPs": [{"cidr": "10.96.0.0/12"}],
    "serviceExternalIPs": [{"cidr": "203.0.113.0/24"}],
    "communities": [{"name": "netops-community", "value": "65010:100"}],
    "prefixAdvertisements": [{"cidr": "203.0.113.0/24", "communities": ["netops-community", "65010:200"]}],
    "listenPort": 179,
    "serviceLoadBalancerIPs": [{"cidr": "172.16.9.0/28"}],
}
FOREIGN_POOL = {
    "apiVersion": "projectcalico.org/v3",
    "kind": "IPPool",
    "metadata": {"name": "netops-lb-pool", "labels": {"owner": "netops"}},
    "spec": {
        "cidr": "172.16.9.0/28",
        "blockSize": 28,
        "allowedUses": ["LoadBalancer"],
        "assignmentMode": "Manual",
        "nodeSelector": "all()",
        "natOutgoing": False,
    },
}
FOREIGN_PEER = {
    "apiVersion": "projectcalico.org/v3",
    "kind": "BGPPeer",
    "metadata": {"name": "netops-route-reflector"},
    "spec": {"peerIP": "10.10.10.250", "asNumber": 65099, "nodeSelector": "has(netops)"},
}
ROUTER_EXTRAS = [
    ["configure terminal", "ip prefix-list NETOPS seq 5 permit 198.18.0.0/24"],
    [
        "configure terminal",
        "route-map NETOPS-IN permit 10",
        "match ip address prefix-list NETOPS",
        "set local-preference 200",
    ],
    [
        "configure terminal",
        "router bgp 65001",
        "neighbor 10.20.30.40 remote-as 65099",
        "neighbor 10.20.30.40 description netops-neighbor",
        "address-family ipv4 unicast",
        "network 198.18.0.0/24",
        "neighbor 10.20.30.40 route-map NETOPS-IN in",
    ],
]
STATIC_ROUTE = ["198.18.0.0/24", "via", "10.10.10.10"]


def tor_route(prefix: str) -> str:
    return subprocess.run(
        ["ip", "-n", "tor", "route", "show", prefix], capture_output=True, text=True, check=True
    ).stdout


def seed(twin: Twin) -> None:
    current = twin.api.get(BGP_CONFIGURATION)
    current["metadata"].setdefault("annotations", {})["netops.example/ticket"] = "NET-1234"
    current["spec"].update(copy.deepcopy(FOREIGN_FIELDS))
    api_put(twin.api, BGP_CONFIGURATION, current)
    api_post(twin.api, "/apis/projectcalico.org/v3/ippools", FOREIGN_POOL)
    api_post(twin.api, "/apis/projectcalico.org/v3/bgppeers", FOREIGN_PEER)
    for commands in ROUTER_EXTRAS:
        twin.vtysh(*commands)
    # FRR in the twin runs without staticd, so the static route is a kernel route in the router's namespace.
    subprocess.run(["ip", "-n", "tor", "route", "add", *STATIC_ROUTE], check=True)


def bgp_configuration_text(twin: Twin, drop_cidr: str | None = None) -> str:
    """spec plus labels and annotations as exact JSON text (key order included), optionally without our CIDR."""
    item = twin.api.get(BGP_CONFIGURATION)
    spec = item["spec"]
    if drop_cidr is not None:
        spec["serviceLoadBalancerIPs"] = [
            entry for entry in spec["serviceLoadBalancerIPs"] if entry["cidr"] != drop_cidr
        ]
    metadata = {key: item["metadata"].get(key) for key in ("labels", "annotations")}
    return json.dumps({"metadata": metadata, "spec": spec})


def foreign_objects(twin: Twin) -> str:
    pool = twin.api.get("/apis/projectcalico.org/v3/ippools/netops-lb-pool")
    peer = twin.api.get("/apis/projectcalico.org/v3/bgppeers/netops-route-reflector")
    return json.dumps([pool, peer])


def test_site_and_teardown_keep_what_others_configured(fresh_twin: Twin):
    seed(fresh_twin)
    config_before = bgp_configuration_text(fresh_twin)
    objects_before = foreign_objects(fresh_twin)
    router_before = fresh_twin.running_config()
    api_before = fresh_twin.api.snapshot()
    static_before = tor_route(STATIC_ROUTE[0])
    assert "netops-neighbor" in router_before
    assert static_before

    site = run_playbook("site.yml")

    assert site.returncode == 0, site.stdout[-3000:] + site.stderr[-2000:]
    assert OUR_CIDR in bgp_configuration_text(fresh_twin)
    assert bgp_configuration_text(fresh_twin, drop_cidr=OUR_CIDR) == config_before
    assert foreign_objects(fresh_twin) == objects_before
    # The only router line that may change is the one we own.
    assert fresh_twin.running_config() == router_before.replace("  maximum-paths 1\n", "  maximum-paths 4\n")
    assert tor_route(STATIC_ROUTE[0]) == static_before

    teardown = run_playbook("playbooks/teardown.yml")

    assert teardown.returncode == 0, teardown.stdout[-3000:] + teardown.stderr[-2000:]
    assert bgp_configuration_text(fresh_twin) == config_before
    assert foreign_objects(fresh_twin) == objects_before
    assert fresh_twin.api.snapshot() == api_before
    assert fresh_twin.running_config() == router_before
    assert tor_route(STATIC_ROUTE[0]) == static_before
