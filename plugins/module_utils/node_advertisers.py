"""Which Kubernetes nodes announce the LoadBalancer CIDR, read from Node objects as the API returns them.

Calico advertises serviceLoadBalancerIPs from every node except those labelled
``node.kubernetes.io/exclude-from-external-load-balancers`` (any value: the label's presence counts, as in
Calico and kube-proxy). kubeadm puts that label on control-plane nodes, so a cluster can legitimately show one
ECMP path fewer than it has nodes; verification must expect exactly the advertisers.
Pure Python, no Ansible imports.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"


def _internal_ip(node: Mapping[str, Any]) -> str | None:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == "InternalIP" and address.get("address"):
            return str(address["address"])
    return None


def advertising_nodes(nodes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Split nodes into advertisers and excluded ones, keyed by InternalIP.

    Returns ``{"next_hops": [ip, ...], "node_names": {ip: name}, "excluded": {ip: name}, "without_address": [name]}``,
    next hops sorted by address so reports and comparisons are stable.
    """
    node_names: dict[str, str] = {}
    excluded: dict[str, str] = {}
    without_address: list[str] = []
    for node in nodes:
        metadata = node.get("metadata") or {}
        name = str(metadata.get("name", "?"))
        address = _internal_ip(node)
        if address is None:
            without_address.append(name)
            continue
        node_names[address] = name
        if EXCLUDE_LABEL in (metadata.get("labels") or {}):
            excluded[address] = name
    next_hops = sorted((ip for ip in node_names if ip not in excluded), key=_address_key)
    return {"next_hops": next_hops, "node_names": node_names, "excluded": excluded, "without_address": without_address}


def _address_key(address: str) -> tuple[int, ...]:
    parsed = ipaddress.ip_address(address)
    return (parsed.version, int(parsed))
