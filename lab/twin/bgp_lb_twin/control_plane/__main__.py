"""``python -m bgp_lb_twin.control_plane``: run the control plane in the foreground until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .plane import ControlPlane
from .seed import default_nodes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bgp_lb_twin.control_plane", description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True, help="where kubeconfig, CA, token, audit live")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=16443, help="0 picks a free port")
    parser.add_argument("--nodes", type=int, default=3, help="number of nodes (k01-control-plane, k01-worker...)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        nodes = default_nodes(args.nodes)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    plane = ControlPlane(args.state_dir, nodes=nodes, host=args.host, port=args.port)
    plane.start()
    print(f"serving {plane.url}; kubeconfig {plane.kubeconfig_path}", flush=True)
    stop.wait()
    plane.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
