"""The real lab's files load in the real tools' own code: containerlab's topology loader and kind's config types.

`tools/lab_loader` is a small Go program built against containerlab v0.79.0 (and the kind v0.31.0 it links) from the
Go module proxy by `make setup`. It runs containerlab's `core.NewContainerLab` on the topology and resolves its links
(what `containerlab validate` runs, and what `deploy` runs first), and decodes the kind config strictly into kind's
public v1alpha4 types (unknown fields refused, as kind's own loader does). No container runtime is involved, so this
runs in CI; test_lab_files.py cross-checks the same files' addresses and names with each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB = REPO / "lab" / "containerlab"
LOADER = REPO / ".venv" / "bin" / "lab-loader"


def load(what: str, path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    if not LOADER.is_file():
        pytest.fail(f"{LOADER} is missing: `make setup` builds it from tools/lab_loader (needs Go and its proxy)")
    environment = {key: value for key, value in os.environ.items() if key != "CEOS_IMAGE"} | env
    return subprocess.run(
        [str(LOADER), what, str(path)], capture_output=True, text=True, timeout=60, check=False, env=environment
    )


def loaded(what: str, path: Path, **env: str) -> dict:
    done = load(what, path, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def topology() -> dict:
    return loaded("topology", LAB / "topology.clab.yaml")


@pytest.fixture
def lab_copy(tmp_path: Path) -> Path:
    """The lab's files in a directory of the test's own, to load changed copies of them."""
    copy = tmp_path / "lab"
    shutil.copytree(LAB, copy, ignore=shutil.ignore_patterns("clab-*"))
    return copy


def test_containerlab_loads_the_lab_with_its_nodes_and_kinds(topology: dict) -> None:
    assert topology["name"] == "calico-bgp-lb"
    assert (topology["mgmt_network"], topology["mgmt_ipv4_subnet"]) == ("clab", "172.20.20.0/24")
    assert {name: node["kind"] for name, node in topology["nodes"].items()} == {
        "ceos01": "arista_ceos",
        "k01": "k8s-kind",
        "k01-control-plane": "ext-container",
        "k01-worker": "ext-container",
        "k01-worker2": "ext-container",
    }
    assert topology["nodes"]["ceos01"]["mgmt_ipv4"] == "172.20.20.2"


def test_containerlab_resolves_each_startup_config_to_the_labs_file(topology: dict) -> None:
    startup = {name: node["startup_config"] for name, node in topology["nodes"].items() if node["startup_config"]}
    assert startup == {"ceos01": str(LAB / "ceos01.cfg"), "k01": str(LAB / "k01.kind.yaml")}


def test_containerlab_reads_the_k8s_kind_wait_so_deploy_does_not_wait_for_notready_nodes(topology: dict) -> None:
    # Unset, containerlab waits 15 minutes for the kind nodes, which stay NotReady until Calico is installed.
    assert topology["nodes"]["k01"]["k8s_kind_wait"] == "0s"


def test_containerlab_resolves_a_link_from_each_node_to_its_ceos_port(topology: dict) -> None:
    assert topology["links"] == [
        ["ceos01:eth1", "k01-control-plane:eth1"],
        ["ceos01:eth2", "k01-worker:eth1"],
        ["ceos01:eth3", "k01-worker2:eth1"],
    ]
    execs = {name: node["exec"] for name, node in topology["nodes"].items() if node["kind"] == "ext-container"}
    assert execs == {
        "k01-control-plane": ["ip address add 10.10.10.10/24 dev eth1"],
        "k01-worker": ["ip address add 10.10.10.11/24 dev eth1"],
        "k01-worker2": ["ip address add 10.10.10.12/24 dev eth1"],
    }


@pytest.mark.parametrize(
    ("env", "image"),
    [
        pytest.param({}, "ceos:4.34.0F", id="unset-takes-the-default"),
        pytest.param({"CEOS_IMAGE": "ceos:4.33.1F"}, "ceos:4.33.1F", id="set-takes-the-users-image"),
    ],
)
def test_containerlab_expands_the_ceos_image_variable(env: dict[str, str], image: str) -> None:
    assert loaded("topology", LAB / "topology.clab.yaml", **env)["nodes"]["ceos01"]["image"] == image


def test_containerlab_refuses_the_wait_on_the_node_itself(lab_copy: Path) -> None:
    # The shape this lab had before: `wait` beside `kind`, which no containerlab release reads.
    topology = lab_copy / "topology.clab.yaml"
    text = topology.read_text(encoding="utf-8")
    extras = "      extras:\n        k8s_kind:\n          deploy:\n            wait: 0s"
    assert extras in text
    topology.write_text(text.replace(extras, "      wait: 0s"), encoding="utf-8")

    done = load("topology", topology)

    assert done.returncode == 1
    assert "field wait not found in type types.NodeDefinitionWithDeprecatedFields" in done.stderr


def test_containerlab_refuses_a_link_to_a_node_the_topology_lacks(lab_copy: Path) -> None:
    topology = lab_copy / "topology.clab.yaml"
    text = topology.read_text(encoding="utf-8")
    topology.write_text(text.replace('"k01-worker2:eth1"', '"k01-worker3:eth1"'), encoding="utf-8")

    done = load("topology", topology)

    assert done.returncode == 1
    assert "k01-worker3" in done.stderr


def test_kind_decodes_the_cluster_config_strictly(topology: dict) -> None:
    cluster = loaded("kind-config", Path(topology["nodes"]["k01"]["startup_config"]))

    assert (cluster["apiVersion"], cluster["kind"], cluster["name"]) == ("kind.x-k8s.io/v1alpha4", "Cluster", "k01")
    assert [node["role"] for node in cluster["nodes"]] == ["control-plane", "worker", "worker"]
    assert cluster["networking"] == {
        "podSubnet": "192.168.0.0/16",
        "serviceSubnet": "10.96.0.0/16",
        "disableDefaultCNI": True,
    }
    assert all(len(node["kubeadmConfigPatches"]) >= 1 for node in cluster["nodes"])


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        pytest.param("disableDefaultCNI: true", "disableDefaultCni: true", "disableDefaultCni", id="misspelled"),
        pytest.param("  - role: worker\n", "  - role: worker\n    nodeIP: 10.10.10.11\n", "nodeIP", id="unknown"),
    ],
)
def test_kind_refuses_a_field_its_types_do_not_have(lab_copy: Path, old: str, new: str, field: str) -> None:
    config = lab_copy / "k01.kind.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")

    done = load("kind-config", config)

    assert done.returncode == 1
    assert f"field {field} not found in type v1alpha4." in done.stderr
