"""Which nodes announce the LoadBalancer CIDR, from Node objects as k8s_info returns them."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.node_advertisers import EXCLUDE_LABEL, advertising_nodes

LAB_NODES = {"k01-control-plane": "10.10.10.10", "k01-worker": "10.10.10.11", "k01-worker2": "10.10.10.12"}


def node(name: str, address: str | None, labels: dict | None = None, extra_addresses: tuple = ()) -> dict:
    addresses = [{"type": "Hostname", "address": name}, *extra_addresses]
    if address is not None:
        addresses.append({"type": "InternalIP", "address": address})
    return {"metadata": {"name": name, "labels": labels or {}}, "status": {"addresses": addresses}}


def lab(excluded: tuple[str, ...] = (), label_value: str = "") -> list[dict]:
    return [
        node(name, address, {EXCLUDE_LABEL: label_value} if name in excluded else {"kubernetes.io/os": "linux"})
        for name, address in LAB_NODES.items()
    ]


def test_every_lab_node_advertises_without_the_label():
    assert advertising_nodes(lab()) == {
        "next_hops": ["10.10.10.10", "10.10.10.11", "10.10.10.12"],
        "node_names": {address: name for name, address in LAB_NODES.items()},
        "excluded": {},
        "without_address": [],
    }


def test_the_label_set_to_true_excludes_a_node():
    result = advertising_nodes(lab(excluded=("k01-control-plane",), label_value="true"))
    assert result["next_hops"] == ["10.10.10.11", "10.10.10.12"]
    assert result["excluded"] == {"10.10.10.10": "k01-control-plane"}
    assert result["node_names"]["10.10.10.10"] == "k01-control-plane"  # still named, so reports can say why


@pytest.mark.parametrize(
    "label_value",
    [
        # Calico's confd compares the value with "true" (measured on the twin: the path stays with "").
        pytest.param("", id="empty-value-as-kubeadm-sets-it"),
        pytest.param("false", id="false"),
        pytest.param("True", id="capitalised"),
    ],
)
def test_any_other_value_keeps_the_node_advertising(label_value):
    result = advertising_nodes(lab(excluded=("k01-control-plane",), label_value=label_value))
    assert result["next_hops"] == ["10.10.10.10", "10.10.10.11", "10.10.10.12"]
    assert result["excluded"] == {}


def test_next_hops_are_sorted_numerically_not_as_text():
    nodes = [
        node("n-100", "10.0.0.100"),
        node("n-9", "10.0.0.9"),
        node("n-v6", "2001:db8::1"),
        node("n-20", "10.0.0.20"),
    ]
    assert advertising_nodes(nodes)["next_hops"] == ["10.0.0.9", "10.0.0.20", "10.0.0.100", "2001:db8::1"]


def test_only_the_internal_ip_counts():
    external = ({"type": "ExternalIP", "address": "203.0.113.7"},)
    assert advertising_nodes([node("k01-worker", "10.10.10.11", extra_addresses=external)])["next_hops"] == [
        "10.10.10.11"
    ]


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(node("k01-worker3", None), id="no-internal-ip"),
        pytest.param({"metadata": {"name": "k01-worker3"}}, id="no-status"),
        pytest.param({"metadata": {"name": "k01-worker3"}, "status": {"addresses": None}}, id="null-addresses"),
        pytest.param(node("k01-worker3", ""), id="empty-internal-ip"),
    ],
)
def test_a_node_without_an_internal_ip_is_listed_not_guessed(broken):
    result = advertising_nodes([*lab(), broken])
    assert result["without_address"] == ["k01-worker3"]
    assert len(result["next_hops"]) == 3


def test_nodes_without_metadata_or_labels_are_handled():
    result = advertising_nodes([{"status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]}}])
    assert result == {"next_hops": ["10.0.0.1"], "node_names": {"10.0.0.1": "?"}, "excluded": {}, "without_address": []}


def test_no_nodes_means_no_next_hops():
    assert advertising_nodes([]) == {"next_hops": [], "node_names": {}, "excluded": {}, "without_address": []}
