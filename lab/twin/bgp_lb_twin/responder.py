"""The data plane's witness: an HTTP server in one node namespace that answers with the node's name.

Run as ``python -m bgp_lb_twin.responder --node NAME --pid-file FILE`` inside the node's namespace. The pid file is
written only after the socket is bound, so its existence means "ready".
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType

SERVED_BY_HEADER = "X-Served-By"


def make_handler(node: str) -> type[BaseHTTPRequestHandler]:
    body = f"{node}\n".encode()

    class NodeNameHandler(BaseHTTPRequestHandler):
        server_version = "bgp-lb-twin-responder"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header(SERVED_BY_HEADER, node)
            self.end_headers()
            self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.send_response(200)
            self.send_header(SERVED_BY_HEADER, node)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Flows are counted by the caller; a line per request would only fill the log."""

    return NodeNameHandler


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bgp_lb_twin.responder")
    parser.add_argument("--node", required=True)
    parser.add_argument("--host", default="0.0.0.0")  # every LB IP bound to kube-ipvs0
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--pid-file", type=Path)
    return parser.parse_args(argv)


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.node))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, _exit_on_term)
    if args.pid_file is not None:
        temporary = args.pid_file.with_suffix(".tmp")
        temporary.write_text(f"{os.getpid()}\n", encoding="utf-8")
        os.replace(temporary, args.pid_file)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
