"""Which Kubernetes nodes announce the LoadBalancer CIDR, read from Node objects as the API returns them.

Calico advertises serviceLoadBalancerIPs from every node except those labelled
``node.kubernetes.io/exclude-from-external-load-balancers=true``. Only the value ``true`` counts: Calico's confd
(3.30 to 3.32) compares the value, unlike kube-proxy and cloud load balancers, for which the label's presence is
enough. kubeadm sets the label with an empty value on control-plane nodes, so Calico still advertises from those;
set it to ``true`` to exclude a node. Verification must expect exactly the advertisers.
Pure Python, no Ansible imports.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
EXCLUDE_VALUE = "true"


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
        if (metadata.get("labels") or {}).get(EXCLUDE_LABEL) == EXCLUDE_VALUE:
            excluded[address] = name
    next_hops = sorted((ip for ip in node_names if ip not in excluded), key=_address_key)
    return {"next_hops": next_hops, "node_names": node_names, "excluded": excluded, "without_address": without_address}


def _address_key(address: str) -> tuple[int, ...]:
    parsed = ipaddress.ip_address(address)
    return (parsed.version, int(parsed))
