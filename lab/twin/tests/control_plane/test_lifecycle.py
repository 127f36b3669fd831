"""Start-up, restart and the ``python -m`` entry point."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POOLS, Client, lb_pool

from bgp_lb_twin.control_plane import ControlPlane, NodeSpec, default_nodes


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        pytest.param(1, [("k01-control-plane", "10.10.10.10")], id="single"),
        pytest.param(
            4,
            [
                ("k01-control-plane", "10.10.10.10"),
                ("k01-worker", "10.10.10.11"),
                ("k01-worker2", "10.10.10.12"),
                ("k01-worker3", "10.10.10.13"),
            ],
            id="four",
        ),
    ],
)
def test_default_nodes_follow_kind_naming(count: int, expected: list[tuple[str, str]]):
    nodes = default_nodes(count)
    assert [(node.name, node.address) for node in nodes] == expected
    assert [node.control_plane for node in nodes] == [True] + [False] * (count - 1)


def test_default_nodes_rejects_zero():
    with pytest.raises(ValueError, match="nodes: 0 is out of range"):
        default_nodes(0)


def test_seed_mirrors_the_lab(client: Client):
    node = client.get("/api/v1/nodes/k01-control-plane").json
    bgp = client.get("/apis/projectcalico.org/v3/bgpconfigurations/default").json["spec"]
    peer = client.get("/apis/projectcalico.org/v3/bgppeers/bgppeer-arista").json["spec"]
    deployment = client.get("/apis/apps/v1/namespaces/default/deployments/nginx-deployment").json
    assert node["status"]["addresses"][0] == {"type": "InternalIP", "address": "10.10.10.10"}
    assert "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]
    assert bgp == {"asNumber": 65010, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Info"}
    assert peer == {"peerIP": "10.10.10.1", "asNumber": 65001, "nodeSelector": "all()"}
    assert deployment["status"]["readyReplicas"] == 3
    assert client.get("/api/v1/namespaces/calico-system").code == 200


def test_restart_keeps_objects_and_resource_versions_grow(tmp_path: Path):
    first = ControlPlane(tmp_path, default_nodes(2), port=0)
    with first:
        created = Client(first).post(POOLS, lb_pool()).json
    second = ControlPlane(tmp_path, [NodeSpec("k01-control-plane", "10.10.10.10", control_plane=True)], port=0)
    with second:
        restored = Client(second).get(f"{POOLS}/loadbalancer-ip-pool")
        later = Client(second).post(POOLS, lb_pool("later", "172.16.9.0/28")).json
        nodes = [item["metadata"]["name"] for item in Client(second).get("/api/v1/nodes").json["items"]]
    assert restored.json == created
    assert int(later["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert nodes == ["k01-control-plane"]
    assert second.token == first.token


def test_module_entry_point_serves_until_sigterm(tmp_path: Path):
    command = [
        sys.executable,
        "-m",
        "bgp_lb_twin.control_plane",
        "--state-dir",
        str(tmp_path),
        "--port",
        "0",
        "--nodes",
        "2",
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        banner = process.stdout.readline()
        advertised = sorted(path.stem for path in (tmp_path / "advertisement").glob("*.json"))
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert banner.startswith("serving https://127.0.0.1:")
    assert advertised == ["k01-control-plane", "k01-worker"]
    assert returncode == 0
    assert json.loads((tmp_path / "advertisement" / "k01-worker.json").read_text())["address"] == "10.10.10.11"
