"""The long-lived process behind ``bgp-lb-twin up``: hosts the control plane and makes the network follow it.

``python -m bgp_lb_twin.supervisor --state-dir DIR --nodes N`` runs detached (own session, log in DIR/logs/).
On every advertisement callback it binds each node's LB IPs on ``lo`` and re-renders that node's BIRD config,
reconfiguring BIRD only for nodes whose advertisement changed. Every second it restarts a BIRD that died,
unless ``node-down`` marked the node down.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from bgp_lb_twin import bird, network
from bgp_lb_twin.advertisement import NodeAdvertisement
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths

LOG = logging.getLogger("bgp_lb_twin.supervisor")
WATCH_INTERVAL = 1.0


class Reconciler:
    """The control plane's ``on_advertisement`` callback: make namespaces and BIRD match the advertisements."""

    def __init__(self, paths: TwinPaths, namespaces: set[str]) -> None:
        self.paths = paths
        self.namespaces = namespaces
        self.applied: dict[str, NodeAdvertisement] = {}
        self.lock = threading.Lock()

    def __call__(self, advertisements: dict[str, NodeAdvertisement]) -> None:
        with self.lock:
            for name, advert in sorted(advertisements.items()):
                if self.applied.get(name) == advert or name not in self.namespaces:
                    continue
                try:
                    self._apply(advert)
                except (TwinError, OSError) as error:  # one broken node must not stop the others
                    LOG.error("node %s: %s", name, error)
                    continue
                self.applied[name] = advert

    def _apply(self, advert: NodeAdvertisement) -> None:
        network.set_lo_addresses(advert.node, advert.lb_ips)
        changed = bird.write_config(self.paths, advert)
        started = bird.start(self.paths, advert.node)
        if changed and not started and bird.bird_pid(self.paths, advert.node) is not None:
            bird.reconfigure(self.paths, advert.node)
        LOG.info("node %s: lb_ips=%s cidrs=%s changed=%s", advert.node, advert.lb_ips, advert.advertised_cidrs, changed)

    def restart_dead_speakers(self) -> None:
        """A BIRD that died without ``node-down`` comes back, as calico-node's would under its supervisor."""
        with self.lock:
            for name in self.applied:
                try:
                    if bird.start(self.paths, name):
                        LOG.warning("node %s: BIRD was not running; restarted", name)
                except TwinError as error:
                    LOG.error("node %s: restart failed: %s", name, error)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bgp_lb_twin.supervisor")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    return parser.parse_args(argv)


def write_ready(paths: TwinPaths, info: dict[str, object]) -> None:
    temporary = paths.supervisor_ready.with_suffix(".tmp")
    temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, paths.supervisor_ready)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    paths = TwinPaths(args.state_dir.resolve())
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    paths.supervisor_pid.write_text(f"{os.getpid()}\n", encoding="utf-8")

    from bgp_lb_twin.control_plane import ControlPlane, default_nodes  # heavy import: after the pid is visible

    reconciler = Reconciler(paths, set(network.existing_namespaces()))
    control_plane = ControlPlane(
        state_dir=paths.state_dir,
        nodes=default_nodes(args.nodes),
        host=args.host,
        port=args.port,
        on_advertisement=reconciler,
    )
    control_plane.start()
    try:
        write_ready(
            paths,
            {
                "pid": os.getpid(),
                "url": control_plane.url,
                "kubeconfig": str(control_plane.kubeconfig_path),
                "ca": str(control_plane.ca_path),
                "token": control_plane.token,
            },
        )
        LOG.info("control plane serving on %s", control_plane.url)
        while not stopping.wait(WATCH_INTERVAL):
            reconciler.restart_dead_speakers()
    finally:
        control_plane.stop()
        paths.supervisor_ready.unlink(missing_ok=True)
        LOG.info("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
