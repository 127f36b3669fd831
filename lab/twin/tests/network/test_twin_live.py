"""The twin through its real daemons: BIRD on each node, FRR on tor, kernel ECMP, HTTP, sshd — one bring-up.

Tests run in file order on one twin; the last one tears it down and checks nothing is left behind.
Kubernetes objects are created through the API directly (kubernetes client), never through the collection.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twinlib import (
    eventually,
    free_port,
    in_node,
    in_tor,
    machine_twin_lock,
    missing_prerequisite,
    tor_next_hops,
    twin_cli,
    vtysh,
)

pytestmark = [pytest.mark.root, pytest.mark.twin]

LB_CIDR = "172.16.0.240/28"
NODES = {"k01-control-plane": "10.10.10.10", "k01-worker": "10.10.10.11", "k01-worker2": "10.10.10.12"}
ALL_HOPS = set(NODES.values())
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
CALICO = {"group": "projectcalico.org", "version": "v3"}


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    # One twin per machine (fixed namespace names): wait for whoever holds it, as the collection's tests do.
    with machine_twin_lock():
        reason = missing_prerequisite()
        if reason:
            pytest.skip(reason)
        state_dir = tmp_path_factory.mktemp("twin")
        try:
            twin_cli(state_dir, "up", "--api-port", str(free_port()))
            status = json.loads(twin_cli(state_dir, "status", "--json").stdout)
            yield {"state_dir": state_dir, "status": status}
        finally:
            twin_cli(state_dir, "down", check=False)


@pytest.fixture(scope="module")
def kube(twin: dict[str, Any]) -> Any:
    from kubernetes import client, config

    api_client = config.new_client_from_config(config_file=twin["status"]["api"]["kubeconfig"])
    return {"core": client.CoreV1Api(api_client), "custom": client.CustomObjectsApi(api_client)}


def create_lb_pool(custom: Any) -> None:
    pool = {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": "loadbalancer-ip-pool"},
        "spec": {
            "cidr": LB_CIDR,
            "blockSize": 28,
            "natOutgoing": True,
            "allowedUses": ["LoadBalancer"],
            "assignmentMode": "Automatic",
        },
    }
    custom.create_cluster_custom_object(plural="ippools", body=pool, **CALICO)


def advertise_lb_cidr(custom: Any) -> None:
    """Read-modify-write with the resourceVersion the server gave us, as the house rules ask."""
    config = custom.get_cluster_custom_object(plural="bgpconfigurations", name="default", **CALICO)
    config["spec"]["serviceLoadBalancerIPs"] = [{"cidr": LB_CIDR}]
    custom.replace_cluster_custom_object(plural="bgpconfigurations", name="default", body=config, **CALICO)


def create_lb_service(core: Any) -> str:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb-nginx-service", "namespace": "default"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "nginx"}, "ports": [{"port": 80, "targetPort": 80}]},
    }
    core.create_namespaced_service(namespace="default", body=service)

    def ingress_ip() -> str | None:
        status = core.read_namespaced_service(name="lb-nginx-service", namespace="default").status
        ingress = (status.load_balancer and status.load_balancer.ingress) or []
        return ingress[0].ip if ingress else None

    ip = eventually(ingress_ip, bool)
    assert ip, "the Service never got a LoadBalancer IP"
    return ip


@pytest.fixture(scope="module")
def lb_ip(twin: dict[str, Any], kube: dict[str, Any]) -> str:
    create_lb_pool(kube["custom"])
    advertise_lb_cidr(kube["custom"])
    return create_lb_service(kube["core"])


@pytest.fixture(scope="module")
def ecmp(twin: dict[str, Any], lb_ip: str) -> str:
    """tor with `maximum-paths 4`, set through vtysh as an operator would; yields the LB IP."""
    vtysh(twin["state_dir"], "configure terminal", "router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4")
    assert eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops == ALL_HOPS) == ALL_HOPS
    return lb_ip


def established(state_dir: Path) -> dict[str, str]:
    summary = json.loads(vtysh(state_dir, "show bgp ipv4 unicast summary json"))
    return {address: peer["state"] for address, peer in summary["peers"].items()}


def test_every_node_peers_with_tor(twin: dict[str, Any]) -> None:
    assert established(twin["state_dir"]) == dict.fromkeys(ALL_HOPS, "Established")


def test_tor_installs_one_path_while_maximum_paths_is_1(twin: dict[str, Any], lb_ip: str) -> None:
    hops = eventually(lambda: tor_next_hops(LB_CIDR), lambda found: len(found) == 1)
    assert len(hops) == 1
    assert hops <= ALL_HOPS


def test_tor_installs_three_paths_after_maximum_paths_4(ecmp: str) -> None:
    assert tor_next_hops(LB_CIDR) == ALL_HOPS


def test_http_from_tor_is_answered_by_a_node_naming_itself(ecmp: str) -> None:
    response = in_tor("curl", "-sS", "--max-time", "5", "-i", f"http://{ecmp}/")
    head, _, body = response.partition("\n\n")  # text mode already turned CRLF into LF
    served_by = [line.split(":", 1)[1].strip() for line in head.splitlines() if line.lower().startswith("x-served-by")]
    assert served_by == [body.strip()]
    assert body.strip() in NODES


def test_thirty_fresh_flows_reach_every_node(ecmp: str) -> None:
    # `Connection: close` makes curl open a new connection (new source port) for each of the 30 URLs.
    bodies = in_tor("curl", "-sS", "--max-time", "10", "-H", "Connection: close", f"http://{ecmp}/?flow=[1-30]")
    spread = Counter(bodies.split())
    assert sum(spread.values()) == 30
    assert set(spread) == set(NODES)


def label_node(core: Any, node: str, value: str | None) -> None:
    core.patch_node(name=node, body={"metadata": {"labels": {EXCLUDE_LABEL: value}}}, _preload_content=False)


def test_exclusion_label_removes_that_node_path(twin: dict[str, Any], kube: dict[str, Any], ecmp: str) -> None:
    label_node(kube["core"], "k01-worker2", "true")
    try:
        without = eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops == ALL_HOPS - {"10.10.10.12"})
    finally:
        label_node(kube["core"], "k01-worker2", None)
    restored = eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops == ALL_HOPS)
    assert (without, restored) == (ALL_HOPS - {"10.10.10.12"}, ALL_HOPS)


def test_exclusion_label_without_the_value_true_keeps_the_path(
    twin: dict[str, Any], kube: dict[str, Any], ecmp: str
) -> None:
    """kubeadm sets the label with an empty value; Calico's confd excludes a node only for the value "true"."""
    label_node(kube["core"], "k01-worker2", "")
    try:
        # Give confd the time it needs to withdraw (the test above shows it takes well under this).
        hops = eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops != ALL_HOPS, timeout=5)
    finally:
        label_node(kube["core"], "k01-worker2", None)
    assert hops == ALL_HOPS


def test_every_node_answers_on_the_lb_ip(ecmp: str) -> None:
    bound = {node: in_node(node, "ip", "-4", "-o", "addr", "show", "dev", "kube-ipvs0") for node in NODES}
    assert {node for node, text in bound.items() if f"{ecmp}/32" in text} == set(NODES)


def test_each_node_announces_only_the_lb_cidr(twin: dict[str, Any], ecmp: str) -> None:
    """As in the seed lab: one prefix per session. Calico's template keeps kube-ipvs0 (where kube-proxy binds the
    LB IPs) out of BIRD's direct routes, and the pod pool has disableBGPExport."""
    summary = json.loads(vtysh(twin["state_dir"], "show bgp ipv4 unicast summary json"))
    assert {address: peer["pfxRcd"] for address, peer in summary["peers"].items()} == dict.fromkeys(ALL_HOPS, 1)


def test_calico_validates_a_create_but_not_its_dry_run(kube: dict[str, Any]) -> None:
    """Calico's API server validates in libcalico-go's client on create; a dryRun=All create never gets there. So in
    check mode only the collection's own preflight stops a pool like this one."""
    from kubernetes.client.exceptions import ApiException

    bad = {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": "not-strictly-masked"},
        "spec": {"cidr": "172.16.1.241/28", "blockSize": 28, "allowedUses": ["LoadBalancer"]},
    }
    custom = kube["custom"]
    dry_run = custom.create_cluster_custom_object(plural="ippools", body=bad, dry_run="All", **CALICO)
    with pytest.raises(ApiException) as refused:
        custom.create_cluster_custom_object(plural="ippools", body=bad, **CALICO)
    assert dry_run["metadata"]["name"] == "not-strictly-masked"
    assert (refused.value.status, "not strictly masked" in refused.value.body) == (422, True)


def test_kube_apiserver_reports_the_lab_release(twin: dict[str, Any], kube: dict[str, Any]) -> None:
    from kubernetes import client

    version = client.VersionApi(kube["core"].api_client).get_code()
    assert (version.git_version, twin["status"]["api"]["versions"]["kubernetes"]) == ("v1.32.2", "v1.32.2")


def test_components_authenticate_as_themselves_never_as_the_admin(twin: dict[str, Any], ecmp: str) -> None:
    users = audit_users(twin["state_dir"])
    assert {
        "system:serviceaccount:kube-system:calico-kube-controllers",
        "system:serviceaccount:kube-system:calico-node",
        "system:serviceaccount:calico-apiserver:calico-apiserver",
        "system:serviceaccount:kube-system:kube-proxy",
        "system:node:k01-worker",
    } <= set(users)
    # The person's user appears only for what this module did through the kubeconfig (the kubernetes client).
    assert all(agent.startswith("OpenAPI-Generator/") for agent in users["twin-admin"]), users["twin-admin"]


def audit_users(state_dir: Path) -> dict[str, set[str]]:
    users: dict[str, set[str]] = {}
    for line in (state_dir / "audit.jsonl").read_text().splitlines():
        event = json.loads(line)
        users.setdefault(event["user"]["username"], set()).add(event.get("userAgent", ""))
    return users


def test_node_down_withdraws_its_path_and_node_up_restores_it(twin: dict[str, Any], ecmp: str) -> None:
    state_dir = twin["state_dir"]
    twin_cli(state_dir, "node-down", "k01-worker")
    try:
        without = eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops == ALL_HOPS - {"10.10.10.11"})
        marked = json.loads(twin_cli(state_dir, "status", "--json").stdout)["nodes"][1]["marked_down"]
    finally:
        twin_cli(state_dir, "node-up", "k01-worker")
    restored = eventually(lambda: tor_next_hops(LB_CIDR), lambda hops: hops == ALL_HOPS)
    assert (without, marked, restored) == (ALL_HOPS - {"10.10.10.11"}, True, ALL_HOPS)


def test_supervisor_restarts_a_speaker_that_crashed(twin: dict[str, Any], ecmp: str) -> None:
    state_dir = twin["state_dir"]

    def worker2_pid() -> int | None:
        return json.loads(twin_cli(state_dir, "status", "--json").stdout)["nodes"][2]["bird_pid"]

    crashed = worker2_pid()
    os.kill(crashed, signal.SIGKILL)  # not node-down: nothing tells the supervisor to keep it down
    replacement = eventually(worker2_pid, lambda pid: pid not in (None, crashed))
    sessions = eventually(lambda: established(state_dir), lambda found: found.get("10.10.10.12") == "Established")
    assert replacement not in (None, crashed)
    assert sessions["10.10.10.12"] == "Established"


def test_ssh_to_tor_runs_plain_vtysh(twin: dict[str, Any]) -> None:
    ssh = twin["status"]["ssh"]
    command = ["ssh", "-F", ssh["config"], "-o", "BatchMode=yes", "tor", "vtysh", "-c", "'show bgp summary json'"]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=20).stdout
    peers = json.loads(output)["ipv4Unicast"]["peers"]
    assert set(peers) == ALL_HOPS


def test_status_json_tells_a_tool_how_to_reach_everything(twin: dict[str, Any]) -> None:
    status = json.loads(twin_cli(twin["state_dir"], "status", "--json").stdout)
    assert status["up"] is True
    assert status["api"]["url"].startswith("https://127.0.0.1:")
    assert Path(status["api"]["kubeconfig"]).is_file()
    assert status["ssh"]["host"] == status["mgmt"]["tor_address"]
    assert Path(status["ssh"]["private_key"]).is_file()
    assert [(node["name"], node["address"], node["bgp_state"]) for node in status["nodes"]] == [
        (name, address, "Established") for name, address in NODES.items()
    ]
    assert all(node["bird_pid"] and node["responder_pid"] for node in status["nodes"])


def test_up_when_already_up_changes_nothing(twin: dict[str, Any]) -> None:
    before = json.loads(twin_cli(twin["state_dir"], "status", "--json").stdout)
    result = twin_cli(twin["state_dir"], "up")
    after = json.loads(twin_cli(twin["state_dir"], "status", "--json").stdout)
    assert "already up" in result.stdout
    assert [node["bird_pid"] for node in after["nodes"]] == [node["bird_pid"] for node in before["nodes"]]


def live_pids(status: dict[str, Any]) -> list[int]:
    pids = [*status["control_plane"].values(), status["ssh"]["pid"], *status["router"]["pids"].values()]
    pids += [node[key] for node in status["nodes"] for key in ("bird_pid", "confd_pid", "responder_pid")]
    return [pid for pid in pids if pid and Path(f"/proc/{pid}").exists() and "Z" not in proc_state(pid)]


def proc_state(pid: int) -> str:
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State"))
    except (OSError, StopIteration):
        return "Z (gone)"


def test_down_leaves_nothing_behind(twin: dict[str, Any]) -> None:
    """Last test of the module: it tears the shared twin down."""
    status = json.loads(twin_cli(twin["state_dir"], "status", "--json").stdout)
    twin_cli(twin["state_dir"], "down")
    namespaces = {
        line.split()[0]
        for line in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.splitlines()
        if line
    }
    host_routes = json.loads(subprocess.run(["ip", "-j", "route"], capture_output=True, text=True).stdout)
    assert namespaces & {"tor", *NODES} == set()
    assert not Path("/sys/class/net/twin-mgmt").exists()
    assert [route for route in host_routes if route.get("dst") == status["mgmt"]["network"]] == []
    assert live_pids(status) == []
    api_port = int(status["api"]["url"].rsplit(":", 1)[1])
    assert [port for port in range(api_port, api_port + 4) if port_listening(port)] == []


def port_listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
