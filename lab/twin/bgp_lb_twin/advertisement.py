"""The contract between the twin's control plane and its network.

The control plane (the Calico stand-in) decides, for every node, what that node's BGP speaker must do:
which peers it talks to, which prefixes it announces and which LoadBalancer IPs it must answer on.
The network part (BIRD per namespace, addresses on ``lo``) only executes that decision.

Two ways to consume it, both always available:
- a callback ``on_advertisement(dict[node_name, NodeAdvertisement])`` called after every change that alters
  any node's desired state (and once at start-up);
- one JSON file per node, ``<state_dir>/advertisement/<node>.json``, replaced atomically on change, for
  humans and for tools outside the process.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class BgpPeer:
    """One BGP neighbour of a node, from a BGPPeer whose nodeSelector matches the node."""

    name: str
    address: str
    as_number: int
    keepalive_seconds: int | None = None
    hold_seconds: int | None = None


@dataclass(frozen=True)
class NodeAdvertisement:
    """Everything a node's BGP speaker and data plane need to behave like calico-node."""

    node: str
    address: str  # the node's InternalIP; also its BGP router id and source address
    as_number: int
    peers: tuple[BgpPeer, ...] = ()
    advertised_cidrs: tuple[str, ...] = ()  # prefixes to announce (serviceLoadBalancerIPs, /32s for Local services)
    lb_ips: tuple[str, ...] = ()  # LoadBalancer IPs to answer on (bound to the node's lo)
    excluded: bool = False  # labelled node.kubernetes.io/exclude-from-external-load-balancers
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> NodeAdvertisement:
        raw = json.loads(text)
        raw["peers"] = tuple(BgpPeer(**peer) for peer in raw.get("peers", ()))
        raw["advertised_cidrs"] = tuple(raw.get("advertised_cidrs", ()))
        raw["lb_ips"] = tuple(raw.get("lb_ips", ()))
        return cls(**raw)


def advertisement_dir(state_dir: Path) -> Path:
    return state_dir / "advertisement"


def write_advertisements(state_dir: Path, advertisements: dict[str, NodeAdvertisement]) -> None:
    """Replace each node's file atomically so a reader never sees half a document."""
    directory = advertisement_dir(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for name, advert in advertisements.items():
        target = directory / f"{name}.json"
        temporary = target.with_suffix(".json.tmp")
        temporary.write_text(advert.to_json(), encoding="utf-8")
        os.replace(temporary, target)


def read_advertisements(state_dir: Path) -> dict[str, NodeAdvertisement]:
    directory = advertisement_dir(state_dir)
    if not directory.is_dir():
        return {}
    return {
        path.stem: NodeAdvertisement.from_json(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }
