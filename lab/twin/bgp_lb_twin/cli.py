"""``bgp-lb-twin``: the lab's routers and nodes as namespaces, behind one command.

Every failure the user can fix is one line on stderr and exit status 2; no tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bgp_lb_twin import build, lifecycle
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import TwinPaths, default_state_dir


def _env_port() -> int:
    text = os.environ.get(lifecycle.API_PORT_ENV)
    if not text:
        return lifecycle.DEFAULT_API_PORT
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise TwinError(f"{lifecycle.API_PORT_ENV}={text!r}: must be a TCP port number (1-65535)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bgp-lb-twin", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="state directory (default: $BGP_LB_TWIN_STATE_DIR or <repo>/.twin)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="bring the twin up (no-op when already up)")
    up.add_argument("--nodes", type=int, default=3, help="number of Kubernetes nodes (default 3)")
    up.add_argument("--api-port", type=int, default=None, help=f"API port (default ${lifecycle.API_PORT_ENV} or 16443)")
    up.add_argument("--mgmt-cidr", default=None, help="management /30 between host and tor (default: first free)")
    commands.add_parser("down", help="remove everything the twin made")
    commands.add_parser(
        "build", help="build the control plane (etcd, kube-apiserver, Calico, BIRD 1.6) once per machine"
    )
    status = commands.add_parser("status", help="show what runs and how to reach it")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    for verb, text in (("node-down", "stop a node's BGP speaker"), ("node-up", "start a node's BGP speaker again")):
        commands.add_parser(verb, help=text).add_argument("name", help="node name, e.g. k01-worker")
    return parser


def _relative(path: object) -> str:
    """Shorter paths in the human summary when run from the repository."""
    text = str(path)
    cwd = os.getcwd() + os.sep
    return text[len(cwd) :] if text.startswith(cwd) else text


def describe(status: dict[str, object]) -> str:
    if "api" not in status:
        return f"twin is down (state in {status['state_dir']})"
    api, ssh, router = status["api"], status["ssh"], status["router"]
    nodes = status["nodes"]
    established = sum(1 for node in nodes if node["bgp_state"] == "Established")
    lines = [
        f"twin {'up' if status['up'] else 'NOT fully up'}: {len(nodes)} nodes, "
        f"{established}/{len(nodes)} BGP sessions Established on tor",
        f"  API         {api['url']}",
        f"  kubeconfig  export KUBECONFIG={_relative(api['kubeconfig'])}",
        f"  router ssh  {_relative(ssh['command'])} vtysh -c 'show bgp summary'",
        f"  vtysh       vtysh --vty_socket {_relative(router['vty_socket_dir'])} -c 'show ip route'",
        "  a node      ip netns exec k01-worker bash",
        "  nodes",
    ]
    for node in nodes:
        flag = "  (node-down)" if node["marked_down"] else ""
        lines.append(f"    {node['name']:<20} {node['address']:<14} BGP {node['bgp_state']}{flag}")
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    paths = TwinPaths((args.state_dir or default_state_dir()).resolve())
    if args.command == "up":
        started_at = time.monotonic()
        port = args.api_port if args.api_port is not None else _env_port()
        options = lifecycle.UpOptions(nodes=args.nodes, api_port=port, mgmt_cidr=args.mgmt_cidr)
        started, status = lifecycle.up(paths, options)
        if not started:
            running = len(status.get("nodes", []))
            hint = "" if running == args.nodes else f" (with {running} nodes: run `bgp-lb-twin down` to change that)"
            print(f"twin is already up{hint}; nothing to do")
        else:
            print(f"twin up in {time.monotonic() - started_at:.1f} s")
        print(describe(status))
    elif args.command == "build":
        build.build_all()
    elif args.command == "down":
        started_at = time.monotonic()
        removed = lifecycle.down(paths)
        print(f"twin down in {time.monotonic() - started_at:.1f} s" if removed else "twin was not up; nothing to do")
    elif args.command == "status":
        status = lifecycle.collect_status(paths)
        print(json.dumps(status, indent=2) if args.json else describe(status))
    elif args.command == "node-down":
        lifecycle.node_down(paths, args.name)
        print(f"{args.name}: BGP speaker stopped (stays down until `bgp-lb-twin node-up {args.name}`)")
    elif args.command == "node-up":
        lifecycle.node_up(paths, args.name)
        print(f"{args.name}: BGP speaker started")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except TwinError as error:
        print(f"bgp-lb-twin {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        # `bgp-lb-twin status | head`: the reader left; the work is done, so are we.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"bgp-lb-twin {args.command}: interrupted; run `bgp-lb-twin down` to clean up", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
