"""BIRD 2 per node, configured the way calico-node renders it for this lab, driven by a NodeAdvertisement."""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from bgp_lb_twin.advertisement import BgpPeer, NodeAdvertisement
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.proc import in_netns, pid_alive, read_pid, remove_quietly, run, stop_pids

STATIC_PROTOCOL = "lb_cidrs"


def peer_protocol_name(peer: BgpPeer) -> str:
    """calico-node names global peers ``Global_<ip with underscores>``; BIRD symbols allow no dots or dashes."""
    return "Global_" + re.sub(r"[^0-9A-Za-z]", "_", peer.address)


def _peer_block(advert: NodeAdvertisement, peer: BgpPeer) -> str:
    timers = []
    if peer.hold_seconds is not None:
        timers.append(f"  hold time {peer.hold_seconds};")
    if peer.keepalive_seconds is not None:
        timers.append(f"  keepalive time {peer.keepalive_seconds};")
    lines = [
        f"# BGPPeer {peer.name}",
        f"protocol bgp {peer_protocol_name(peer)} {{",
        f"  local {advert.address} as {advert.as_number};",
        f"  neighbor {peer.address} as {peer.as_number};",
        # BIRD waits 5 s before its first connect by default, which dominated bring-up; retry soon after a refusal.
        "  connect delay time 1;",
        "  connect retry time 2;",
        "  error wait time 1, 10;",
        *timers,
        f'  ipv4 {{ import all; export where proto = "{STATIC_PROTOCOL}"; }};',
        "}",
    ]
    return "\n".join(lines)


def _static_routes(advert: NodeAdvertisement) -> list[str]:
    """Advertised IPv4 CIDRs as BIRD-only blackholes; an excluded node announces nothing (as calico-node does)."""
    if advert.excluded:
        return []
    cidrs = [ipaddress.ip_network(cidr, strict=False) for cidr in advert.advertised_cidrs]
    return [f"  route {cidr} blackhole;" for cidr in cidrs if cidr.version == 4]


def render_config(advert: NodeAdvertisement) -> str:
    """The whole bird.conf for one node; deterministic so unchanged advertisements render byte-identical files."""
    parts = [
        f"# Rendered by bgp-lb-twin for node {advert.node}; do not edit (the supervisor rewrites it).",
        f"router id {advert.address};",
        "protocol device { }",
        # The LB CIDR is only announced: it must never reach the node's own kernel table.
        "protocol kernel { ipv4 { import none; export none; }; }",
        "\n".join([f"protocol static {STATIC_PROTOCOL} {{", "  ipv4;", *_static_routes(advert), "}"]),
        *(_peer_block(advert, peer) for peer in sorted(advert.peers, key=lambda p: p.address)),
    ]
    return "\n".join(parts) + "\n"


def write_config(paths: TwinPaths, advert: NodeAdvertisement) -> bool:
    """Atomically replace the node's config; return True when its content changed."""
    target = paths.bird_config(advert.node)
    text = render_config(advert)
    try:
        if target.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    temporary = target.with_suffix(".conf.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
    return True


def bird_pid(paths: TwinPaths, node: str) -> int | None:
    pid = read_pid(paths.bird_pid(node))
    return pid if pid is not None and pid_alive(pid) else None


@contextmanager
def node_lock(paths: TwinPaths, node: str) -> Iterator[None]:
    """Serialise start/stop of one node's BIRD between the supervisor and ``node-down``/``node-up``."""
    with open(paths.bird / f"{node}.lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_marked_down(paths: TwinPaths, node: str) -> bool:
    return paths.node_down_marker(node).exists()


def start(paths: TwinPaths, node: str) -> bool:
    """Start BIRD in the node's namespace unless it runs or the node is marked down; True when started.

    BIRD daemonises once its config parsed, so config errors surface here as CommandFailed.
    """
    with node_lock(paths, node):
        if bird_pid(paths, node) is not None or is_marked_down(paths, node):
            return False
        _launch(paths, node)
        return True


def _launch(paths: TwinPaths, node: str) -> None:
    remove_quietly(paths.bird_socket(node))
    conf, sock, pidfile = paths.bird_config(node), paths.bird_socket(node), paths.bird_pid(node)
    run(in_netns(node, ["bird", "-c", str(conf), "-s", str(sock), "-P", str(pidfile)]))


def reconfigure(paths: TwinPaths, node: str) -> None:
    output = run(["birdc", "-s", str(paths.bird_socket(node)), "configure"])
    if "Reconfigur" not in output:  # "Reconfigured" / "Reconfiguration in progress" / "...already in progress"
        raise TwinError(f"BIRD on {node} rejected {paths.bird_config(node)}: {output.strip()}")


def stop(paths: TwinPaths, node: str) -> None:
    """SIGTERM: BIRD sends a Cease and closes TCP, so the router withdraws the node's paths at once."""
    with node_lock(paths, node):
        pid = bird_pid(paths, node)
        if pid is not None:
            stop_pids([pid], grace=1.0)
        remove_quietly(paths.bird_pid(node))
        remove_quietly(paths.bird_socket(node))


def mark_down(paths: TwinPaths, node: str) -> None:
    paths.node_down_marker(node).parent.mkdir(parents=True, exist_ok=True)
    paths.node_down_marker(node).touch()


def clear_down(paths: TwinPaths, node: str) -> None:
    remove_quietly(paths.node_down_marker(node))
