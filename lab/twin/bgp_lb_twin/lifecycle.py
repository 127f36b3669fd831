"""What the CLI verbs do: bring the twin up, tear it down, report on it, take a node's BGP speaker down and up."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bgp_lb_twin import bird, frr, network, sshd
from bgp_lb_twin.control_plane.plane import AUDIT_FILE, SNAPSHOT_FILE
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.network import NetworkPlan
from bgp_lb_twin.paths import PACKAGE_PARENT, TwinPaths
from bgp_lb_twin.proc import pid_alive, read_pid, remove_quietly, stop_pids, wait_for

DEFAULT_API_HOST = "127.0.0.1"
DEFAULT_API_PORT = 16443
API_PORT_ENV = "BGP_LB_TWIN_API_PORT"
# Namespaces this twin may have made even when its state file is gone (crash before it was written, or deleted).
OUR_NAMESPACE = re.compile(r"^(tor|k01-control-plane|k01-worker\d*)$")
REQUIRED_BINARIES = {
    "ip": "iproute2",
    "bird": "bird2",
    "birdc": "bird2",
    "vtysh": "frr",
    "/usr/lib/frr/zebra": "frr",
    "/usr/lib/frr/bgpd": "frr",
    "/usr/sbin/sshd": "openssh-server",
    "ssh-keygen": "openssh-client",
    "unshare": "util-linux",
}


@dataclass(frozen=True)
class UpOptions:
    nodes: int = 3
    api_host: str = DEFAULT_API_HOST
    api_port: int = DEFAULT_API_PORT
    mgmt_cidr: str | None = None


# ---------------------------------------------------------------- preflight


def check_root() -> None:
    if os.geteuid() != 0:
        raise TwinError("bgp-lb-twin needs root (namespaces, veths, daemons): run it with sudo")


def check_binaries() -> None:
    missing = sorted({package for binary, package in REQUIRED_BINARIES.items() if shutil.which(binary) is None})
    if missing:
        raise TwinError(
            f"missing Debian packages {', '.join(missing)}: run `make setup` as root or apt-get install them"
        )


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise TwinError(
                f"port {port} on {host} is in use: stop what listens there or choose another with "
                f"--api-port / {API_PORT_ENV}"
            ) from None


def check_namespaces_free(plan: NetworkPlan) -> None:
    taken = sorted(set(plan.namespaces) & network.existing_namespaces())
    if taken:
        raise TwinError(
            f"network namespaces {', '.join(taken)} already exist but this twin's state does not know them: "
            f"run `bgp-lb-twin down` (or `ip netns del NAME`) first"
        )


def _check_host() -> None:
    problems = []
    for check in (check_root, check_binaries):
        try:
            check()
        except TwinError as error:
            problems.append(str(error))
    if problems:
        raise TwinError("; ".join(problems))


# ---------------------------------------------------------------- state


def load_plan(paths: TwinPaths) -> NetworkPlan | None:
    try:
        return NetworkPlan.from_json(paths.network_state.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def supervisor_pid(paths: TwinPaths) -> int | None:
    pid = read_pid(paths.supervisor_pid)
    return pid if pid is not None and pid_alive(pid) else None


def supervisor_info(paths: TwinPaths) -> dict[str, object]:
    try:
        return json.loads(paths.supervisor_ready.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_up(paths: TwinPaths) -> bool:
    plan = load_plan(paths)
    return (
        plan is not None
        and set(plan.namespaces) <= network.existing_namespaces()
        and supervisor_pid(paths) is not None
        and bool(supervisor_info(paths))
    )


# ---------------------------------------------------------------- up


def up(paths: TwinPaths, options: UpOptions) -> tuple[bool, dict[str, object]]:
    """Bring the twin up; returns (started, status). Already up: nothing is touched."""
    _check_host()
    if is_up(paths):
        return False, collect_status(paths)
    if load_plan(paths) is not None:
        down(paths)  # leftovers of a crashed or interrupted run that we know we made
    plan = _plan_or_every_problem(options)
    paths.ensure()
    # Recorded before the first change so `down` can undo a half-made twin.
    paths.network_state.write_text(plan.to_json(), encoding="utf-8")
    try:
        _build(paths, plan, options)
    except BaseException:
        down(paths)
        raise
    status = collect_status(paths)
    _write_status(paths, status)
    return True, status


def _plan_or_every_problem(options: UpOptions) -> NetworkPlan:
    """Check everything a fresh `up` needs before changing anything, and report every problem in one line."""
    problems: list[str] = []
    nodes: tuple[network.NodeWiring, ...] | None = None
    mgmt: network.ManagementLink | None = None
    try:
        nodes = network.node_wirings(options.nodes)
    except TwinError as error:
        problems.append(str(error))
    try:
        mgmt = _choose_mgmt(options.mgmt_cidr)
    except TwinError as error:
        problems.append(str(error))
    try:
        check_port_free(options.api_host, options.api_port)
    except TwinError as error:
        problems.append(str(error))
    plan = NetworkPlan(nodes=nodes, mgmt=mgmt) if nodes is not None and mgmt is not None else None
    try:
        if plan is not None:
            check_namespaces_free(plan)
    except TwinError as error:
        problems.append(str(error))
    if problems or plan is None:
        raise TwinError("; ".join(problems))
    return plan


def _choose_mgmt(override: str | None) -> network.ManagementLink:
    return network.choose_management_network(
        network.host_ipv4_networks(), override=override or os.environ.get(network.MGMT_ENV) or None
    )


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    return env


def _spawn_detached(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as handle:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=_child_env(),
            start_new_session=True,  # survives the CLI's terminal; `down` stops it by pid
        )


def _start_responders(paths: TwinPaths, plan: NetworkPlan) -> None:
    for node in plan.nodes:
        remove_quietly(paths.responder_pid(node.name))
        argv = ["ip", "netns", "exec", node.name, sys.executable, "-m", "bgp_lb_twin.responder"]
        argv += ["--node", node.name, "--pid-file", str(paths.responder_pid(node.name))]
        _spawn_detached(argv, paths.logs / f"responder-{node.name}.log")


def _start_supervisor(paths: TwinPaths, plan: NetworkPlan, options: UpOptions) -> subprocess.Popen[bytes]:
    remove_quietly(paths.supervisor_ready)
    argv = [sys.executable, "-m", "bgp_lb_twin.supervisor", "--state-dir", str(paths.state_dir)]
    argv += ["--nodes", str(len(plan.nodes)), "--host", options.api_host, "--port", str(options.api_port)]
    return _spawn_detached(argv, paths.logs / "supervisor.log")


def _last_log_line(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1] if lines else "empty log"


def _supervisor_ready(paths: TwinPaths, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise TwinError(f"the supervisor exited ({_last_log_line(paths.logs / 'supervisor.log')}); see {paths.logs}")
    return paths.supervisor_ready.exists()


def _build(paths: TwinPaths, plan: NetworkPlan, options: UpOptions) -> None:
    for marker in paths.nodes_down.glob("*"):
        marker.unlink()
    network.create_network(plan)
    _start_responders(paths, plan)  # python start-up overlaps with FRR's
    frr.start(paths)  # BIRD must find bgpd listening, or it backs off
    sshd.start(paths, plan.mgmt)
    supervisor = _start_supervisor(paths, plan, options)
    budget = 10 + 0.5 * len(plan.nodes)
    wait_for(lambda: _supervisor_ready(paths, supervisor), timeout=budget, what="the control plane to start")
    probe = ApiProbe(paths)
    try:
        wait_for(probe, timeout=budget, what="the Kubernetes API to answer")
    except TwinError as error:
        raise TwinError(f"{error} (last error: {probe.last_error}); see {paths.logs / 'supervisor.log'}") from None
    wait_for(
        lambda: all(paths.responder_pid(node.name).exists() for node in plan.nodes),
        timeout=budget,
        what="the HTTP responders",
    )
    expected = {node.address for node in plan.nodes}
    wait_for(lambda: established_peers(paths) >= expected, timeout=budget, what="BGP sessions to reach Established")


class ApiProbe:
    """``GET /version`` with the CA and token, as a client would; remembers why the last try failed."""

    def __init__(self, paths: TwinPaths) -> None:
        self.paths = paths
        self.last_error = "no answer yet"

    def __call__(self) -> bool:
        info = supervisor_info(self.paths)
        if not info:
            return False
        context = ssl.create_default_context(cafile=str(info["ca"]))
        headers = {"Authorization": f"Bearer {info['token']}"}
        request = urllib.request.Request(f"{info['url']}/version", headers=headers)
        try:
            with urllib.request.urlopen(request, context=context, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError) as error:
            self.last_error = str(getattr(error, "reason", error))
            return False


def established_peers(paths: TwinPaths) -> set[str]:
    return {address for address, peer in frr.bgp_peers(paths).items() if peer.get("state") == "Established"}


# ---------------------------------------------------------------- down


def _our_namespaces(paths: TwinPaths) -> set[str]:
    plan = load_plan(paths)
    known = set(plan.namespaces) if plan else set()
    return known | {name for name in network.existing_namespaces() if OUR_NAMESPACE.match(name)}


def _supervisor_pids(paths: TwinPaths) -> list[int]:
    """The pid file's process, plus any supervisor for this state dir whose pid file was lost."""
    pids = {pid for pid in [supervisor_pid(paths)] if pid is not None}
    marker = str(paths.state_dir).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"bgp_lb_twin.supervisor" in cmdline and marker in cmdline:
            pids.add(int(entry.name))
    return sorted(pids)


def down(paths: TwinPaths) -> bool:
    """Remove everything `up` made; tolerant of half-made and already-removed parts. True if anything was there."""
    check_root()
    namespaces = _our_namespaces(paths)
    supervisors = _supervisor_pids(paths)
    found = bool(namespaces or supervisors or network.host_link_exists())
    stop_pids(supervisors, grace=2.0)
    frr.stop(paths)
    network.kill_namespace_processes(namespaces)
    network.delete_network(namespaces)
    _forget_runtime_files(paths)
    return found


def _forget_runtime_files(paths: TwinPaths) -> None:
    """Pid files, sockets, readiness markers and the cluster's objects go (the next `up` is a fresh lab, as after
    `containerlab destroy`); keys, configs and logs stay for the post-mortem."""
    cluster_state = [paths.state_dir / SNAPSHOT_FILE, paths.state_dir / AUDIT_FILE]
    for path in [paths.supervisor_pid, paths.supervisor_ready, paths.network_state, paths.status_file, *cluster_state]:
        remove_quietly(path)
    for pattern_dir, pattern in [(paths.pids, "*.pid"), (paths.bird, "*.pid"), (paths.bird, "*.ctl")]:
        if pattern_dir.is_dir():
            for path in pattern_dir.glob(pattern):
                remove_quietly(path)
    if paths.nodes_down.is_dir():
        for marker in paths.nodes_down.iterdir():
            remove_quietly(marker)
    remove_quietly(sshd.pid_file(paths))


# ---------------------------------------------------------------- node-down / node-up


def _require_node(paths: TwinPaths, name: str) -> NetworkPlan:
    check_root()
    plan = load_plan(paths)
    if plan is None or not is_up(paths):
        raise TwinError("the twin is not up: run `bgp-lb-twin up` first")
    names = [node.name for node in plan.nodes]
    if name not in names:
        raise TwinError(f"node {name!r} is not in the twin; nodes are {', '.join(names)}")
    return plan


def node_down(paths: TwinPaths, name: str) -> None:
    """Kill the node's BIRD (TCP close: the router withdraws its paths at once) and keep it down."""
    _require_node(paths, name)
    bird.mark_down(paths, name)  # first, so the supervisor's watch loop does not bring it back
    bird.stop(paths, name)
    _write_status(paths, collect_status(paths))


def node_up(paths: TwinPaths, name: str) -> None:
    """Start the node's BIRD again with its current config (the supervisor keeps it rendered while down)."""
    _require_node(paths, name)
    bird.clear_down(paths, name)
    bird.start(paths, name)
    _write_status(paths, collect_status(paths))


# ---------------------------------------------------------------- status


def collect_status(paths: TwinPaths) -> dict[str, object]:
    plan = load_plan(paths)
    info = supervisor_info(paths)
    peers = frr.bgp_peers(paths) if plan else {}
    status: dict[str, object] = {"up": is_up(paths), "state_dir": str(paths.state_dir)}
    if plan is None:
        return status
    status["api"] = {
        "url": info.get("url"),
        "kubeconfig": info.get("kubeconfig"),
        "ca": info.get("ca"),
        "token": info.get("token"),
        "supervisor_pid": supervisor_pid(paths),
    }
    status["mgmt"] = {
        "network": plan.mgmt.network,
        "host_interface": network.MGMT_HOST_IF,
        "host_address": plan.mgmt.host_address,
        "tor_interface": network.MGMT_TOR_IF,
        "tor_address": plan.mgmt.tor_address,
    }
    status["ssh"] = {
        "host": plan.mgmt.tor_address,
        "port": sshd.SSH_PORT,
        "user": sshd.SSH_USER,
        "private_key": str(sshd.client_key(paths)),
        "known_hosts": str(sshd.known_hosts(paths)),
        "config": str(sshd.client_config(paths)),
        "command": sshd.ssh_command(paths),
        "pid": sshd.sshd_pid(paths),
    }
    status["router"] = {
        "namespace": network.TOR,
        "address": network.ROUTER_ADDRESS,
        "as_number": frr.ROUTER_AS,
        "frr_config_dir": str(paths.frr),
        "vty_socket_dir": str(paths.frr_run),
        "vtysh": f"vtysh --vty_socket {paths.frr_run}",
        "pids": frr.daemon_pids(paths),
    }
    status["nodes"] = [_node_status(paths, node, peers) for node in plan.nodes]
    status["bgp_sessions"] = {address: peer.get("state") for address, peer in sorted(peers.items())}
    return status


def _node_status(paths: TwinPaths, node: network.NodeWiring, peers: dict[str, dict[str, object]]) -> dict[str, object]:
    responder = read_pid(paths.responder_pid(node.name))
    return {
        "name": node.name,
        "namespace": node.name,
        "address": node.address,
        "bird_pid": bird.bird_pid(paths, node.name),
        "bird_socket": str(paths.bird_socket(node.name)),
        "responder_pid": responder if responder is not None and pid_alive(responder) else None,
        "marked_down": bird.is_marked_down(paths, node.name),
        "bgp_state": peers.get(node.address, {}).get("state", "Idle"),
    }


def _write_status(paths: TwinPaths, status: dict[str, object]) -> None:
    temporary = paths.status_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(status, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, paths.status_file)
