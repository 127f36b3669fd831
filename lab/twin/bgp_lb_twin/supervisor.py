"""The long-lived process behind ``bgp-lb-twin up``: the parts of each node that are not Calico's or etcd's.

``python -m bgp_lb_twin.supervisor --state-dir DIR --nodes a,b,c`` runs detached (own session, log in DIR/logs/):
- kube-proxy's LB IP binding (``kube_proxy``): every LoadBalancer IP on ``kube-ipvs0`` of every node's namespace;
- runit's part in calico-node: start each node's BIRD once confd rendered its config, and restart a BIRD that
  died, unless ``node-down`` marked the node down. confd itself reconfigures a running BIRD (``birdc configure``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bgp_lb_twin import bird, network
from bgp_lb_twin.cluster.layout import ClusterLayout
from bgp_lb_twin.components import Installed, locate
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.kube import Identity, KubeClient
from bgp_lb_twin.kube_proxy import LoadBalancerIps
from bgp_lb_twin.paths import TwinPaths

LOG = logging.getLogger("bgp_lb_twin.supervisor")
WATCH_INTERVAL = 0.25


def bind_everywhere(nodes: list[str]) -> Callable[[set[str]], None]:
    def bind(ips: set[str]) -> None:
        for node in nodes:
            network.set_service_addresses(node, ips)

    return bind


def keep_bird_running(paths: TwinPaths, installed: Installed, nodes: list[str], started: set[str]) -> None:
    for node in nodes:
        try:
            if bird.start(paths, installed, node):
                if node in started:
                    LOG.warning("node %s: BIRD was not running; restarted", node)
                else:
                    LOG.info("node %s: BIRD started with confd's configuration", node)
                started.add(node)
        except TwinError as error:
            LOG.error("node %s: BIRD did not start: %s", node, error)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bgp_lb_twin.supervisor")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--nodes", required=True, help="comma-separated node names")
    parser.add_argument("--api-url", required=True)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    paths = TwinPaths(args.state_dir.resolve())
    nodes = args.nodes.split(",")
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    paths.supervisor_pid.write_text(f"{os.getpid()}\n", encoding="utf-8")
    installed = locate()
    layout = ClusterLayout(paths)
    token = KubeClient.token_from_kubeconfig(layout.kubeconfig("kube-proxy"))
    proxy = LoadBalancerIps(KubeClient(args.api_url, layout.pki.ca, Identity(token=token)), bind_everywhere(nodes))
    threading.Thread(target=proxy.run, name="kube-proxy", daemon=True).start()
    started: set[str] = set()
    LOG.info("supervising nodes %s", ", ".join(nodes))
    while not stopping.wait(WATCH_INTERVAL):
        keep_bird_running(paths, installed, nodes, started)
    proxy.stop()
    LOG.info("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
