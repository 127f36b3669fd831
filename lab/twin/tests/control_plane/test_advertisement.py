"""Per-node advertisement state: follows BGPConfiguration, BGPPeers, the exclusion label and LB Services,
and reaches the network part (callback + files) exactly when it changes."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import POOLS, SERVICES, Client, Recorder, lb_pool, lb_service

from bgp_lb_twin.advertisement import read_advertisements
from bgp_lb_twin.control_plane import ControlPlane
from bgp_lb_twin.control_plane.advertise import compute_advertisements, parse_duration_seconds

BGP_DEFAULT = "/apis/projectcalico.org/v3/bgpconfigurations/default"
EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"


def node(name: str, address: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
        "status": {"addresses": [{"type": "InternalIP", "address": address}]},
    }


def peer(name: str, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": name}, "spec": {"peerIP": "10.10.10.1", "asNumber": 65001, **spec}}


CONFIG = {
    "metadata": {"name": "default"},
    "spec": {
        "asNumber": 65010,
        "nodeToNodeMeshEnabled": False,
        "serviceLoadBalancerIPs": [{"cidr": "172.16.0.240/28"}],
    },
}
NODES = [node("a", "10.10.10.10", {"role": "cp"}), node("b", "10.10.10.11", {"role": "worker"})]


@pytest.mark.parametrize(
    ("selector_spec", "expected_nodes"),
    [
        pytest.param({"nodeSelector": "all()"}, ["a", "b"], id="all"),
        pytest.param({}, ["a", "b"], id="empty-means-all"),
        pytest.param({"nodeSelector": "has(role)"}, ["a", "b"], id="has"),
        pytest.param({"nodeSelector": "role == 'worker'"}, ["b"], id="equals"),
        pytest.param({"nodeSelector": "role != 'worker' && has(role)"}, ["a"], id="not-equals-and"),
        pytest.param({"node": "a"}, ["a"], id="node-field"),
    ],
)
def test_peers_follow_node_selector_and_node_field(selector_spec: dict, expected_nodes: list[str]):
    adverts = compute_advertisements(NODES, [CONFIG], [peer("tor", **selector_spec)], [], [])
    assert [name for name, advert in adverts.items() if advert.peers] == expected_nodes


@pytest.mark.parametrize(
    ("config", "nodes", "expected"),
    [
        pytest.param(CONFIG, NODES, {"a": ("172.16.0.240/28",), "b": ("172.16.0.240/28",)}, id="every-node"),
        pytest.param(
            CONFIG,
            [node("a", "10.10.10.10", {EXCLUDE: ""}), NODES[1]],
            {"a": (), "b": ("172.16.0.240/28",)},
            id="excluded-node-silent",
        ),
        pytest.param({"metadata": {"name": "default"}, "spec": {}}, NODES, {"a": (), "b": ()}, id="no-cidrs"),
        pytest.param({**CONFIG, "metadata": {"name": "node.a"}}, NODES, {"a": (), "b": ()}, id="only-default-counts"),
    ],
)
def test_advertised_cidrs_follow_configuration_and_exclusion(config: dict, nodes: list, expected: dict):
    adverts = compute_advertisements(nodes, [config], [peer("tor")], [], [])
    assert {name: advert.advertised_cidrs for name, advert in adverts.items()} == expected


def test_local_policy_services_add_a_host_route_where_replicas_run():
    service = {
        "metadata": {"name": "s", "namespace": "default"},
        "spec": {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "selector": {"app": "web"}},
        "status": {"loadBalancer": {"ingress": [{"ip": "172.16.0.241"}]}},
    }
    deployment = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}}},
    }
    nodes = [
        node("a", "10.10.10.10", taints=[{"key": "cp", "effect": "NoSchedule"}]),
        node("b", "10.10.10.11"),
        node("c", "10.10.10.12"),
    ]
    adverts = compute_advertisements(nodes, [CONFIG], [], [service], [deployment])
    assert {name: advert.advertised_cidrs for name, advert in adverts.items()} == {
        "a": ("172.16.0.240/28",),
        "b": ("172.16.0.240/28", "172.16.0.241/32"),
        "c": ("172.16.0.240/28",),
    }
    assert all(advert.lb_ips == ("172.16.0.241",) for advert in adverts.values())


@pytest.mark.parametrize(
    ("node_spec", "config_spec", "expected"),
    [
        pytest.param({}, {"asNumber": 65010}, 65010, id="cluster-as"),
        pytest.param({}, {}, 64512, id="calico-default"),
        pytest.param({"bgp": {"asNumber": 65123}}, {"asNumber": 65010}, 65123, id="node-override"),
    ],
)
def test_local_as_number(node_spec: dict, config_spec: dict, expected: int):
    config = {"metadata": {"name": "default"}, "spec": config_spec}
    advert = compute_advertisements([node("a", "10.10.10.10", **node_spec)], [config], [], [], [])["a"]
    assert advert.as_number == expected


def test_mesh_enabled_peers_every_other_node():
    config = {"metadata": {"name": "default"}, "spec": {"nodeToNodeMeshEnabled": True}}
    adverts = compute_advertisements(NODES, [config], [], [], [])
    assert [peer.address for peer in adverts["a"].peers] == ["10.10.10.11"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        pytest.param("3s", 3, id="seconds"),
        pytest.param("1m30s", 90, id="minutes"),
        pytest.param("bogus", None, id="malformed"),
    ],
)
def test_peer_timer_durations(text: str, seconds: int | None):
    assert parse_duration_seconds(text) == seconds


# ---- live: the callback and the files -------------------------------------------------------------------


def test_start_delivers_the_seed_state_once(plane: ControlPlane, recorder: Recorder):
    first = recorder.calls[0]
    assert sorted(first) == ["k01-control-plane", "k01-worker", "k01-worker2"]
    assert first["k01-worker"].peers[0].address == "10.10.10.1"
    assert read_advertisements(plane.state_dir) == plane.advertisements()


def test_unrelated_write_does_not_call_back(client: Client, recorder: Recorder):
    calls_before = len(recorder.calls)
    client.patch("/api/v1/namespaces/default", {"metadata": {"labels": {"touched": "yes"}}})
    assert len(recorder.calls) == calls_before


def test_configuration_change_is_delivered_to_every_node(client: Client, plane: ControlPlane, recorder: Recorder):
    calls_before = len(recorder.calls)
    client.patch(BGP_DEFAULT, {"spec": {"serviceLoadBalancerIPs": [{"cidr": "172.16.0.240/28"}]}})
    latest = recorder.calls[-1]
    assert len(recorder.calls) == calls_before + 1
    assert {advert.advertised_cidrs for advert in latest.values()} == {("172.16.0.240/28",)}
    assert read_advertisements(plane.state_dir) == latest


def test_exclusion_label_silences_the_node(client: Client, recorder: Recorder):
    client.patch(BGP_DEFAULT, {"spec": {"serviceLoadBalancerIPs": [{"cidr": "172.16.0.240/28"}]}})
    client.patch("/api/v1/nodes/k01-worker2", {"metadata": {"labels": {EXCLUDE: ""}}})
    excluded = recorder.calls[-1]["k01-worker2"]
    client.patch("/api/v1/nodes/k01-worker2", {"metadata": {"labels": {EXCLUDE: None}}})
    assert (excluded.excluded, excluded.advertised_cidrs) == (True, ())
    assert recorder.calls[-1]["k01-worker2"].advertised_cidrs == ("172.16.0.240/28",)


def test_assigned_ip_is_bound_on_every_node(client: Client, recorder: Recorder):
    client.post(POOLS, lb_pool())
    client.post(SERVICES, lb_service("advertised"))
    bound = {name: advert.lb_ips for name, advert in recorder.calls[-1].items()}
    client.delete(f"{SERVICES}/advertised")
    client.delete(f"{POOLS}/loadbalancer-ip-pool")
    assert set(bound.values()) == {("172.16.0.241",)}
    assert set(recorder.calls[-1]["k01-worker"].lb_ips) == set()


def test_removing_the_cidr_withdraws_it(client: Client, recorder: Recorder):
    client.patch(BGP_DEFAULT, {"spec": {"serviceLoadBalancerIPs": [{"cidr": "172.16.0.240/28"}]}})
    client.patch(BGP_DEFAULT, {"spec": {"serviceLoadBalancerIPs": None}})
    assert {advert.advertised_cidrs for advert in recorder.calls[-1].values()} == {()}
