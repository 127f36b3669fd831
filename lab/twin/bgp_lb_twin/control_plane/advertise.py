"""What every node's BGP speaker should announce, derived like calico-node would from the API objects.

Model of "ready local endpoints" (the twin has no kubelet): each Deployment's replicas are placed round-robin,
in replica order, on the schedulable nodes sorted by name (a node is schedulable unless ``spec.unschedulable``
or it carries a NoSchedule/NoExecute taint); a node has a ready endpoint of a Service when it hosts a replica
of a Deployment whose pod-template labels match the Service's selector.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from bgp_lb_twin.advertisement import BgpPeer, NodeAdvertisement

from .calico import parse_as_number, parse_cidr, parse_peer_ip
from .ipam import current_ip, is_load_balancer
from .selectors import CalicoSelectorError, matches_label_map, parse_calico_selector

EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
NODE_AS_ANNOTATION = "projectcalico.org/ASNumber"
DEFAULT_AS_NUMBER = 64512
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration_seconds(text: object) -> int | None:
    """A Go duration such as ``1m0s`` or ``3s`` in whole seconds; None if absent or malformed."""
    if not isinstance(text, str) or not text:
        return None
    parts = _DURATION_PART.findall(text)
    if "".join(number + unit for number, unit in parts) != text:
        return None
    return int(sum(float(number) * _SECONDS[unit] for number, unit in parts))


def internal_ip(node: dict[str, Any]) -> str | None:
    for address in node.get("status", {}).get("addresses", []):
        if address.get("type") == "InternalIP":
            return address.get("address")
    return None


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def _schedulable(node: dict[str, Any]) -> bool:
    spec = node.get("spec", {})
    blocking = [taint for taint in spec.get("taints", []) if taint.get("effect") in ("NoSchedule", "NoExecute")]
    return not spec.get("unschedulable", False) and not blocking


def pod_placement(nodes: list[dict[str, Any]], deployments: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Node name → pod-template label maps of the replicas running there."""
    schedulable = sorted(node["metadata"]["name"] for node in nodes if _schedulable(node))
    placement: dict[str, list[dict[str, str]]] = {name: [] for name in schedulable}
    if not schedulable:
        return placement
    for deployment in sorted(
        deployments, key=lambda item: (item["metadata"].get("namespace", ""), item["metadata"]["name"])
    ):
        template_labels = deployment.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {}
        for replica in range(deployment.get("spec", {}).get("replicas", 1) or 0):
            placement[schedulable[replica % len(schedulable)]].append(template_labels)
    return placement


def _peer_applies(peer: dict[str, Any], node_name: str, labels: dict[str, str]) -> bool:
    spec = peer.get("spec", {})
    if spec.get("peerSelector"):
        return False  # selector-based peering between Calico nodes is not modelled
    if spec.get("node"):
        return spec["node"] == node_name
    try:
        return parse_calico_selector(spec.get("nodeSelector"))(labels)
    except CalicoSelectorError:
        return False


def _explicit_peers(peers: list[dict[str, Any]], node_name: str, labels: dict[str, str]) -> list[BgpPeer]:
    result = []
    for peer in peers:
        spec = peer.get("spec", {})
        address = parse_peer_ip(spec.get("peerIP"))
        as_number = parse_as_number(spec.get("asNumber"))
        if address is None or as_number is None or not _peer_applies(peer, node_name, labels):
            continue
        keepalive = parse_duration_seconds(spec.get("keepaliveTime"))
        hold = parse_duration_seconds(spec.get("holdTime"))
        result.append(BgpPeer(peer["metadata"]["name"], address, as_number, keepalive, hold))
    return result


def _node_as(node: dict[str, Any], default_as: int) -> int:
    annotations = node.get("metadata", {}).get("annotations") or {}
    candidates = (annotations.get(NODE_AS_ANNOTATION), node.get("spec", {}).get("bgp", {}).get("asNumber"))
    for candidate in candidates:
        number = parse_as_number(candidate) if candidate is not None else None
        if number is not None:
            return number
    return default_as


def _network_sort_key(text: str) -> tuple[int, int, int]:
    network = ipaddress.ip_network(text, strict=False)
    return network.version, int(network.network_address), network.prefixlen


def _cluster_cidrs(config: dict[str, Any] | None) -> list[str]:
    entries = (config or {}).get("spec", {}).get("serviceLoadBalancerIPs") or []
    networks = [parse_cidr(entry.get("cidr")) for entry in entries if isinstance(entry, dict)]
    return sorted({str(network) for network in networks if network is not None}, key=_network_sort_key)


def _local_service_routes(services: list[dict[str, Any]], cidrs: list[str], hosted: list[dict[str, str]]) -> list[str]:
    """/32 (or /128) routes of Local-policy Services with a replica on this node, inside an advertised CIDR."""
    networks = [ipaddress.ip_network(cidr) for cidr in cidrs]
    routes = []
    for service in services:
        spec = service.get("spec", {})
        address = current_ip(service)
        if not is_load_balancer(service) or spec.get("externalTrafficPolicy") != "Local" or address is None:
            continue
        ip = ipaddress.ip_address(address)
        if not any(ip in network for network in networks):
            continue
        if any(matches_label_map(spec.get("selector"), labels) for labels in hosted):
            routes.append(f"{ip}/{ip.max_prefixlen}")
    return routes


def compute_advertisements(
    nodes: list[dict[str, Any]],
    bgp_configurations: list[dict[str, Any]],
    bgp_peers: list[dict[str, Any]],
    services: list[dict[str, Any]],
    deployments: list[dict[str, Any]],
) -> dict[str, NodeAdvertisement]:
    """One NodeAdvertisement per Node that has an InternalIP."""
    config = next((item for item in bgp_configurations if item["metadata"]["name"] == "default"), None)
    config_spec = (config or {}).get("spec", {})
    default_as = parse_as_number(config_spec.get("asNumber")) or DEFAULT_AS_NUMBER
    mesh = config_spec.get("nodeToNodeMeshEnabled", True) is not False
    cidrs = _cluster_cidrs(config)
    lb_ips = tuple(
        sorted(
            {ip for ip in map(current_ip, filter(is_load_balancer, services)) if ip},
            key=lambda text: (ipaddress.ip_address(text).version, ipaddress.ip_address(text)),
        )
    )
    placement = pod_placement(nodes, deployments)
    addressed = sorted(
        ((node, internal_ip(node)) for node in nodes if internal_ip(node)), key=lambda pair: pair[0]["metadata"]["name"]
    )
    result: dict[str, NodeAdvertisement] = {}
    for node, address in addressed:
        name, labels = node["metadata"]["name"], _labels(node)
        peers = _explicit_peers(bgp_peers, name, labels)
        if mesh:
            peers += [
                BgpPeer(
                    f"Mesh_{other_address.replace('.', '_').replace(':', '_')}",
                    other_address,
                    _node_as(other, default_as),
                )
                for other, other_address in addressed
                if other_address != address
            ]
        excluded = EXCLUDE_LABEL in labels
        advertised: list[str] = []
        if not excluded:
            advertised = cidrs + _local_service_routes(services, cidrs, placement.get(name, []))
        result[name] = NodeAdvertisement(
            node=name,
            address=address,
            as_number=_node_as(node, default_as),
            peers=tuple(sorted((peer for peer in peers if peer.address != address), key=lambda peer: peer.name)),
            advertised_cidrs=tuple(sorted(set(advertised), key=_network_sort_key)),
            lb_ips=lb_ips,
            excluded=excluded,
        )
    return result
