"""What the CLI verbs do: bring the twin up, tear it down, report on it, take a node's BGP speaker down and up."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import sys
import time
from dataclasses import dataclass

from bgp_lb_twin import bird, daemons, frr, network, sshd
from bgp_lb_twin.cluster import bootstrap, processes, seed
from bgp_lb_twin.cluster.layout import API_HOST, ClusterLayout, Ports
from bgp_lb_twin.components import CALICO_VERSION, ETCD_VERSION, KUBERNETES_VERSION, Installed, locate
from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.kube import ApiError, KubeClient
from bgp_lb_twin.network import NetworkPlan
from bgp_lb_twin.paths import PACKAGE_PARENT, TwinPaths
from bgp_lb_twin.proc import pid_alive, read_pid, remove_quietly, stop_pids, wait_for

DEFAULT_API_PORT = 16443
API_PORT_ENV = "BGP_LB_TWIN_API_PORT"
# Namespaces this twin may have made even when its state file is gone (crash before it was written, or deleted).
OUR_NAMESPACE = re.compile(r"^(tor|k01-control-plane|k01-worker\d*)$")
REQUIRED_BINARIES = {
    "ip": "iproute2",
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


def check_ports_free(ports: Ports) -> None:
    busy = []
    for what, port in ports.all().items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((API_HOST, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                busy.append(f"{port} ({what})")
    if busy:
        raise TwinError(
            f"ports {', '.join(busy)} on {API_HOST} are in use: stop what listens there or move the twin's ports "
            f"(API port and the three after it) with --api-port / {API_PORT_ENV}"
        )


def check_namespaces_free(plan: NetworkPlan) -> None:
    taken = sorted(set(plan.namespaces) & network.existing_namespaces())
    if taken:
        raise TwinError(
            f"network namespaces {', '.join(taken)} already exist but this twin's state does not know them: "
            f"run `bgp-lb-twin down` (or `ip netns del NAME`) first"
        )


def _check_host() -> Installed:
    """Every host problem at once: root, the Debian packages, the built control plane."""
    problems = []
    for check in (check_root, check_binaries):
        try:
            check()
        except TwinError as error:
            problems.append(str(error))
    try:
        installed = locate()
    except TwinError as error:
        problems.append(str(error))
    if problems:
        raise TwinError("; ".join(problems))
    return installed


# ---------------------------------------------------------------- state


def load_plan(paths: TwinPaths) -> NetworkPlan | None:
    try:
        return NetworkPlan.from_json(paths.network_state.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def supervisor_pid(paths: TwinPaths) -> int | None:
    pid = read_pid(paths.supervisor_pid)
    return pid if pid is not None and pid_alive(pid) else None


def cluster_info(paths: TwinPaths) -> dict[str, object]:
    try:
        return json.loads(ClusterLayout(paths).info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_up(paths: TwinPaths) -> bool:
    plan = load_plan(paths)
    return (
        plan is not None
        and set(plan.namespaces) <= network.existing_namespaces()
        and supervisor_pid(paths) is not None
        and all(daemons.running_pid(paths, name) for name in processes.CONTROL_PLANE_DAEMONS)
        and bool(cluster_info(paths))
    )


# ---------------------------------------------------------------- up


def up(paths: TwinPaths, options: UpOptions) -> tuple[bool, dict[str, object]]:
    """Bring the twin up; returns (started, status). Already up: nothing is touched."""
    installed = _check_host()
    if is_up(paths):
        return False, collect_status(paths)
    if load_plan(paths) is not None or daemons.processes_mentioning(str(paths.state_dir)):
        down(paths)  # leftovers of a crashed or interrupted run that we know we made
    plan = _plan_or_every_problem(options)
    paths.ensure()
    # Recorded before the first change so `down` can undo a half-made twin.
    paths.network_state.write_text(plan.to_json(), encoding="utf-8")
    try:
        _build(paths, plan, options, installed)
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
        check_ports_free(Ports(options.api_port))
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


def _start_responders(paths: TwinPaths, plan: NetworkPlan) -> None:
    for node in plan.nodes:
        remove_quietly(paths.responder_pid(node.name))
        argv = ["ip", "netns", "exec", node.name, sys.executable, "-m", "bgp_lb_twin.responder"]
        argv += ["--node", node.name, "--pid-file", str(paths.responder_pid(node.name))]
        daemons.spawn(paths, f"responder-{node.name}", argv, env=_child_env(), writes_own_pid_file=True)


def _start_supervisor(paths: TwinPaths, plan: NetworkPlan, url: str) -> None:
    argv = [sys.executable, "-m", "bgp_lb_twin.supervisor", "--state-dir", str(paths.state_dir)]
    argv += ["--nodes", ",".join(node.name for node in plan.nodes), "--api-url", url]
    daemons.spawn(paths, "supervisor", argv, env=_child_env())


class Stopwatch:
    """Bring-up phases and their durations, kept in cluster.json: the numbers behind the 15 s budget."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.phases: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        self.phases[phase] = round(time.monotonic() - self.started, 2)


def _wait_until(probe: object, timeout: float, what: str, watched: tuple[str, ...], paths: TwinPaths) -> None:
    """Poll ``probe``; fail at once, with its last log lines, if one of the ``watched`` daemons exits."""

    def check() -> bool:
        for name in watched:
            daemons.require_running(paths, name)
        return bool(probe())  # type: ignore[operator]

    wait_for(check, timeout=timeout, what=what, interval=0.05)


def _calico_crds_established(client: KubeClient) -> bool:
    """Every crd.projectcalico.org CRD has condition Established (what `kubectl wait --for=condition=Established`
    waits for): kube-apiserver serves its resources."""
    listed = client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions") or {}
    calico = [crd for crd in listed.get("items", []) if crd["spec"]["group"] == "crd.projectcalico.org"]
    return bool(calico) and all(
        any(
            c["type"] == "Established" and c["status"] == "True"
            for c in (crd.get("status") or {}).get("conditions") or []
        )
        for crd in calico
    )


def _calico_api_served(client: KubeClient) -> bool:
    try:
        return client.get("/apis/projectcalico.org/v3/ippools") is not None
    except ApiError as error:
        if error.code in (503, 404, 403):  # the aggregator has not reached the Calico API server yet
            return False
        raise
    except OSError:
        return False


def _build(paths: TwinPaths, plan: NetworkPlan, options: UpOptions, installed: Installed) -> None:
    clock = Stopwatch()
    for marker in paths.nodes_down.glob("*"):
        marker.unlink()
    layout = ClusterLayout(paths)
    ports = Ports(options.api_port)
    url = f"https://{API_HOST}:{ports.api}"
    node_names = [node.name for node in plan.nodes]
    layout.pki.ensure(layout.certificate_specs(node_names))
    token = bootstrap.write_token_file(layout)
    processes.write_audit_policy(layout)
    remove_quietly(layout.audit_log)
    # The API server takes seconds to start: the network, FRR and sshd come up meanwhile.
    processes.start_etcd(layout, installed, ports)
    processes.start_kube_apiserver(layout, installed, ports)
    clock.mark("etcd and kube-apiserver started")
    network.create_network(plan)
    _start_responders(paths, plan)
    frr.start(paths)  # BIRD must find bgpd listening, or it backs off
    sshd.start(paths, plan.mgmt)
    for name in node_names:
        bird.prepare(paths, installed, name)
    clock.mark("network, FRR and sshd up")
    admin = bootstrap.bootstrap_client(layout, url)
    budget = 30 + 0.5 * len(plan.nodes)
    _wait_until(
        admin.ready, budget, "kube-apiserver to become ready", (processes.ETCD, processes.KUBE_APISERVER), paths
    )
    clock.mark("kube-apiserver ready")
    tokens = bootstrap.bootstrap(layout, installed.calico_data, url, ports)
    bootstrap.write_kubeconfig(layout.admin_kubeconfig, url, layout.pki.ca, {"token": token}, "twin-admin")
    # Calico's API server creates ClusterInformation at start and exits when its CRD is not served yet.
    _wait_until(
        lambda: _calico_crds_established(admin),
        budget,
        "Calico's CRDs to be established",
        (processes.KUBE_APISERVER,),
        paths,
    )
    clock.mark("CRDs, RBAC and identities")
    processes.start_calico_apiserver(layout, installed, ports)
    processes.start_kube_controllers(layout, installed)
    for name in node_names:
        processes.start_confd(layout, installed, name)
    nodes = seed.default_nodes(len(plan.nodes))
    seed.register_nodes(layout, url, nodes, admin, tokens["calico-node"])
    clock.mark("Calico started, nodes registered")
    _wait_until(
        lambda: _calico_api_served(admin),
        budget,
        "the Calico API server (projectcalico.org/v3)",
        (processes.KUBE_APISERVER, processes.CALICO_APISERVER),
        paths,
    )
    clock.mark("projectcalico.org/v3 served")
    seed.create_all(admin, seed.calico_objects() + seed.nginx_objects())
    clock.mark("lab objects created")
    _start_supervisor(paths, plan, url)
    _write_cluster_info(layout, url, clock)
    wait_for(
        lambda: all(paths.responder_pid(name).exists() for name in node_names),
        timeout=budget,
        what="the HTTP responders",
    )
    expected = {node.address for node in plan.nodes}
    watched = (processes.KUBE_APISERVER, "supervisor", *(processes.confd_name(name) for name in node_names))
    _wait_until(
        lambda: established_peers(paths) >= expected, budget, "BGP sessions to reach Established", watched, paths
    )
    clock.mark("BGP sessions Established")
    _write_cluster_info(layout, url, clock)


def _write_cluster_info(layout: ClusterLayout, url: str, clock: Stopwatch) -> None:
    info = {
        "url": url,
        "kubeconfig": str(layout.admin_kubeconfig),
        "ca": str(layout.pki.ca),
        "token": bootstrap.admin_token(layout),
        "versions": {"kubernetes": KUBERNETES_VERSION, "etcd": ETCD_VERSION, "calico": CALICO_VERSION},
        "bring_up_seconds": clock.phases,
    }
    temporary = layout.info.with_suffix(".tmp")
    temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, layout.info)


def established_peers(paths: TwinPaths) -> set[str]:
    return {address for address, peer in frr.bgp_peers(paths).items() if peer.get("state") == "Established"}


# ---------------------------------------------------------------- down


def _our_namespaces(paths: TwinPaths) -> set[str]:
    plan = load_plan(paths)
    known = set(plan.namespaces) if plan else set()
    return known | {name for name in network.existing_namespaces() if OUR_NAMESPACE.match(name)}


def _daemon_names(paths: TwinPaths) -> list[str]:
    return sorted(path.stem for path in paths.pids.glob("*.pid")) if paths.pids.is_dir() else []


def down(paths: TwinPaths) -> bool:
    """Remove everything `up` made; tolerant of half-made and already-removed parts. True if anything was there."""
    check_root()
    namespaces = _our_namespaces(paths)
    names = _daemon_names(paths)
    strays = daemons.processes_mentioning(str(paths.state_dir))
    found = bool(
        namespaces or strays or network.host_link_exists() or any(daemons.running_pid(paths, n) for n in names)
    )
    daemons.stop(paths, ["supervisor"])  # first: it would restart BIRD
    daemons.stop(paths, [name for name in names if name not in processes.CONTROL_PLANE_DAEMONS])
    daemons.stop(paths, processes.CONTROL_PLANE_DAEMONS)
    frr.stop(paths)
    network.kill_namespace_processes(namespaces)
    stop_pids(daemons.processes_mentioning(str(paths.state_dir)), grace=2.0)  # whatever lost its pid file
    network.delete_network(namespaces)
    _forget_runtime_files(paths)
    return found


def _forget_runtime_files(paths: TwinPaths) -> None:
    """Pid files, sockets, readiness markers and the cluster's data go (the next `up` is a fresh lab, as after
    `containerlab destroy`); keys, certificates, configs and logs stay for the post-mortem."""
    layout = ClusterLayout(paths)
    for path in [paths.network_state, paths.status_file, layout.info, layout.audit_log]:
        remove_quietly(path)
    shutil.rmtree(layout.etcd_data, ignore_errors=True)
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
    bird.mark_down(paths, name)  # first, so the supervisor does not bring it back
    bird.stop(paths, name)
    _write_status(paths, collect_status(paths))


def node_up(paths: TwinPaths, name: str) -> None:
    """Start the node's BIRD again with the configuration confd keeps rendering while it is down."""
    _require_node(paths, name)
    bird.clear_down(paths, name)
    bird.start(paths, locate(), name)
    _write_status(paths, collect_status(paths))


# ---------------------------------------------------------------- status


def collect_status(paths: TwinPaths) -> dict[str, object]:
    plan = load_plan(paths)
    info = cluster_info(paths)
    peers = frr.bgp_peers(paths) if plan else {}
    status: dict[str, object] = {"up": is_up(paths), "state_dir": str(paths.state_dir)}
    if plan is None:
        return status
    status["api"] = {
        "url": info.get("url"),
        "kubeconfig": info.get("kubeconfig"),
        "ca": info.get("ca"),
        "token": info.get("token"),
        "versions": info.get("versions"),
        "bring_up_seconds": info.get("bring_up_seconds"),
    }
    status["control_plane"] = {
        name: daemons.running_pid(paths, name) for name in (*processes.CONTROL_PLANE_DAEMONS, "supervisor")
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
        "bird_config": str(bird.config_file(paths, node.name)),
        "confd_pid": daemons.running_pid(paths, processes.confd_name(node.name)),
        "responder_pid": responder if responder is not None and pid_alive(responder) else None,
        "marked_down": bird.is_marked_down(paths, node.name),
        "bgp_state": peers.get(node.address, {}).get("state", "Idle"),
    }


def _write_status(paths: TwinPaths, status: dict[str, object]) -> None:
    temporary = paths.status_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(status, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, paths.status_file)
