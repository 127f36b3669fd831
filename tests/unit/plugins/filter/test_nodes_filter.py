"""Filter advertising_nodes: the module_utils function under its FQCN filter name, for k8s_info results."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.filter.nodes import FilterModule
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.node_advertisers import EXCLUDE_LABEL


def k8s_node(name: str, address: str, label: str | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {EXCLUDE_LABEL: label} if label is not None else {}},
        "status": {"addresses": [{"type": "InternalIP", "address": address}, {"type": "Hostname", "address": name}]},
    }


def test_the_filter_splits_the_labs_nodes_by_the_exclusion_label():
    advertising_nodes = FilterModule().filters()["advertising_nodes"]
    nodes = [
        k8s_node("k01-worker2", "10.10.10.12"),
        k8s_node("k01-control-plane", "10.10.10.10", label="true"),
        k8s_node("k01-worker", "10.10.10.11"),
    ]
    result = advertising_nodes(nodes)
    assert result["next_hops"] == ["10.10.10.11", "10.10.10.12"]
    assert result["excluded"] == {"10.10.10.10": "k01-control-plane"}


def test_the_filter_module_offers_only_advertising_nodes():
    assert list(FilterModule().filters()) == ["advertising_nodes"]
