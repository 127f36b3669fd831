"""The twin's wires: namespaces, veths, the tor bridge, sysctls, the management link — and their teardown.

Everything here is plain iproute2, batched so bring-up costs a handful of processes, not a few per node.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.proc import in_netns, run, stop_pids

TOR = "tor"
BRIDGE = "br10"
LAN = ipaddress.IPv4Network("10.10.10.0/24")
ROUTER_ADDRESS = "10.10.10.1"
FIRST_NODE_HOST = 10
MAX_NODES = 200
CLUSTER_PREFIX = "k01"
MGMT_HOST_IF = "twin-mgmt"
MGMT_TOR_IF = "mgmt0"
MGMT_ENV = "BGP_LB_TWIN_MGMT_CIDR"
# Documentation and shared-address ranges: unlikely to be a user's real network. 192.0.2.0/24 is absent on purpose:
# it is this VM's own eth0. 172.20.20.0/24 must never appear: containerlab/Docker may own it on a user's machine.
MGMT_CANDIDATES = ("198.51.100.0/30", "203.0.113.0/30", "100.64.255.252/30", "198.18.255.252/30")
NETNS_DIR = Path("/run/netns")
# kube-proxy in IPVS mode binds every Service address to this device on every node, and Calico's BIRD template
# leaves it out of `protocol direct`. On lo the addresses would be announced to the router as extra /32s. kube-proxy
# makes it a dummy device; this kernel has no dummy driver, so it is a bridge without ports (always up, no carrier).
SERVICE_DEVICE = "kube-ipvs0"


@dataclass(frozen=True)
class NodeWiring:
    name: str
    address: str
    index: int

    @property
    def tor_side(self) -> str:
        """The veth end in ``tor``; node names are too long for the 15-character interface limit."""
        return f"to-node{self.index}"


@dataclass(frozen=True)
class ManagementLink:
    network: str  # a /30: .1 on the host, .2 in tor

    @property
    def host_address(self) -> str:
        return str(ipaddress.IPv4Network(self.network)[1])

    @property
    def tor_address(self) -> str:
        return str(ipaddress.IPv4Network(self.network)[2])

    @property
    def prefix_length(self) -> int:
        return ipaddress.IPv4Network(self.network).prefixlen


@dataclass(frozen=True)
class NetworkPlan:
    nodes: tuple[NodeWiring, ...]
    mgmt: ManagementLink

    @property
    def namespaces(self) -> tuple[str, ...]:
        return (TOR, *(node.name for node in self.nodes))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> NetworkPlan:
        raw = json.loads(text)
        return cls(nodes=tuple(NodeWiring(**node) for node in raw["nodes"]), mgmt=ManagementLink(**raw["mgmt"]))


def node_name(index: int) -> str:
    """kind's naming: k01-control-plane, k01-worker, k01-worker2, k01-worker3, ..."""
    if index == 0:
        return f"{CLUSTER_PREFIX}-control-plane"
    return f"{CLUSTER_PREFIX}-worker" if index == 1 else f"{CLUSTER_PREFIX}-worker{index}"


def node_wirings(count: int) -> tuple[NodeWiring, ...]:
    if not 1 <= count <= MAX_NODES:
        raise TwinError(f"--nodes {count}: must be between 1 and {MAX_NODES} (node i gets 10.10.10.(10+i))")
    return tuple(NodeWiring(node_name(i), str(LAN[FIRST_NODE_HOST + i]), i) for i in range(count))


def _parse_network(text: str) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return None


def choose_management_network(
    host_networks: Iterable[ipaddress.IPv4Network],
    candidates: Iterable[str] = MGMT_CANDIDATES,
    override: str | None = None,
) -> ManagementLink:
    """Pick the first /30 that overlaps none of the host's routes; an override is checked the same way."""
    taken = [net for net in host_networks if net.prefixlen > 0]  # a default route overlaps everything: not a clash
    wanted = [override] if override else list(candidates)
    clashes: list[str] = []
    for text in wanted:
        network = _parse_network(text)
        if network is None or network.prefixlen != 30:
            raise TwinError(f"{MGMT_ENV}={text!r}: must be an IPv4 /30 such as 198.51.100.0/30")
        hits = [str(net) for net in taken if net.overlaps(network)]
        if not hits:
            return ManagementLink(str(network))
        clashes.append(f"{network} (clashes with {', '.join(hits)})")
    raise TwinError(
        f"no free management /30: {'; '.join(clashes)}; set {MGMT_ENV} (or --mgmt-cidr) to an unused IPv4 /30"
    )


def host_ipv4_networks() -> list[ipaddress.IPv4Network]:
    """Destinations of every IPv4 route in every table of the root namespace, our own management link excluded."""
    routes = json.loads(run(["ip", "-j", "-4", "route", "show", "table", "all"]) or "[]")
    networks = []
    for route in routes:
        if route.get("dev") == MGMT_HOST_IF or route.get("dst") in (None, "default"):
            continue
        network = _parse_network(route["dst"])
        if network is not None:
            networks.append(network)
    return networks


def existing_namespaces() -> set[str]:
    try:
        return set(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return set()


def _batch(argv_prefix: list[str], lines: list[str]) -> None:
    if lines:
        run([*argv_prefix, "-batch", "-"], input_text="\n".join(lines) + "\n")


def create_network(plan: NetworkPlan) -> None:
    """Build tor, its bridge and management link, and every node namespace wired into the bridge."""
    mgmt = plan.mgmt
    root_lines = [f"netns add {TOR}"]
    root_lines += [f"netns add {node.name}" for node in plan.nodes]
    root_lines += [
        f"link add {MGMT_HOST_IF} type veth peer name {MGMT_TOR_IF} netns {TOR}",
        f"addr add {mgmt.host_address}/{mgmt.prefix_length} dev {MGMT_HOST_IF}",
        f"link set {MGMT_HOST_IF} up",
    ]
    root_lines += [
        f"link add eth0 netns {node.name} type veth peer name {node.tor_side} netns {TOR}" for node in plan.nodes
    ]
    _batch(["ip"], root_lines)
    tor_lines = [
        "link set lo up",
        f"link add {BRIDGE} type bridge",
        f"addr add {ROUTER_ADDRESS}/{LAN.prefixlen} dev {BRIDGE}",
        f"link set {BRIDGE} up",
        f"addr add {mgmt.tor_address}/{mgmt.prefix_length} dev {MGMT_TOR_IF}",
        f"link set {MGMT_TOR_IF} up",
    ]
    tor_lines += [f"link set {node.tor_side} master {BRIDGE} up" for node in plan.nodes]
    _batch(["ip", "-n", TOR], tor_lines)
    # Namespaces start with forwarding off; L4 hashing is what spreads flows over the ECMP next hops.
    run(in_netns(TOR, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1"]))
    for node in plan.nodes:
        _batch(
            ["ip", "-n", node.name],
            [
                "link set lo up",
                f"link add {SERVICE_DEVICE} type bridge",
                f"link set {SERVICE_DEVICE} up",
                f"addr add {node.address}/{LAN.prefixlen} dev eth0",
                "link set eth0 up",
                f"route add default via {ROUTER_ADDRESS}",
            ],
        )


def namespace_pids(namespace: str) -> list[int]:
    output = run(["ip", "netns", "pids", namespace], check=False)
    return [int(word) for word in output.split() if word.isdigit()]


def kill_namespace_processes(namespaces: Iterable[str]) -> None:
    """Whatever still runs in our namespaces is ours (daemons, ssh sessions, responders): stop it."""
    present = existing_namespaces()
    pids = [pid for namespace in namespaces if namespace in present for pid in namespace_pids(namespace)]
    stop_pids(pids, grace=1.0)


def delete_network(namespaces: Iterable[str]) -> None:
    """Remove the host-side management veth and every namespace; tolerant of anything already gone."""
    run(["ip", "link", "del", MGMT_HOST_IF], check=False)  # namespace deletion is asynchronous: do it explicitly
    present = existing_namespaces()
    lines = [f"netns del {namespace}" for namespace in namespaces if namespace in present]
    if lines:
        run(["ip", "-force", "-batch", "-"], input_text="\n".join(lines) + "\n", check=False)


def service_addresses(namespace: str) -> set[str]:
    """The LoadBalancer IPs bound on the node's ``kube-ipvs0``."""
    links = json.loads(run(["ip", "-n", namespace, "-j", "-4", "addr", "show", "dev", SERVICE_DEVICE]) or "[]")
    return {info["local"] for link in links for info in link.get("addr_info", []) if info.get("prefixlen") == 32}


def set_service_addresses(namespace: str, wanted: Iterable[str]) -> None:
    """Bind exactly ``wanted`` as /32s on the node's ``kube-ipvs0``, as kube-proxy in IPVS mode does."""
    wanted_set = set(wanted)
    current = service_addresses(namespace)
    lines = [f"addr add {ip}/32 dev {SERVICE_DEVICE}" for ip in sorted(wanted_set - current)]
    lines += [f"addr del {ip}/32 dev {SERVICE_DEVICE}" for ip in sorted(current - wanted_set)]
    _batch(["ip", "-n", namespace], lines)


def host_link_exists(name: str = MGMT_HOST_IF) -> bool:
    return Path(f"/sys/class/net/{name}").exists()
