"""kubectl and the kubernetes Python dynamic client accept the emulator with the generated kubeconfig."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Client

from bgp_lb_twin.control_plane import ControlPlane

KUBECTL = shutil.which("kubectl")
POOL_MANIFEST = """apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: kubectl-pool
spec:
  cidr: 172.16.0.240/28
  blockSize: 28
  natOutgoing: {nat}
  allowedUses: [LoadBalancer]
"""


def kubectl(plane: ControlPlane, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KUBECTL or "kubectl", "--kubeconfig", str(plane.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return tmp_path / "pool.yaml"


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_apply_diff_get_delete(plane: ControlPlane, manifest: Path, client: Client):
    manifest.write_text(POOL_MANIFEST.format(nat="true"))
    created = kubectl(plane, "apply", "-f", str(manifest))
    unchanged = kubectl(plane, "apply", "-f", str(manifest))
    manifest.write_text(POOL_MANIFEST.format(nat="false"))
    diff = kubectl(plane, "diff", "-f", str(manifest))
    listed = kubectl(plane, "get", "ippools", "-o", "name")
    deleted = kubectl(plane, "delete", "-f", str(manifest))
    assert (created.returncode, created.stdout.strip()) == (0, "ippool.projectcalico.org/kubectl-pool created")
    assert unchanged.stdout.strip() == "ippool.projectcalico.org/kubectl-pool unchanged"
    assert diff.returncode == 1  # kubectl diff: 1 means "differences found"
    assert "-  natOutgoing: true" in diff.stdout
    assert "+  natOutgoing: false" in diff.stdout
    assert "ippool.projectcalico.org/kubectl-pool" in listed.stdout.split()
    assert deleted.returncode == 0
    assert client.get("/apis/projectcalico.org/v3/ippools/kubectl-pool").code == 404


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_reports_calico_validation_errors(plane: ControlPlane, manifest: Path):
    manifest.write_text(POOL_MANIFEST.format(nat="true").replace("172.16.0.240/28", "172.16.0.241/28"))
    result = kubectl(plane, "apply", "-f", str(manifest))
    assert result.returncode == 1
    assert "not strictly masked" in result.stderr


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
def test_kubectl_strategic_merge_apply_on_a_built_in_kind(plane: ControlPlane, manifest: Path, client: Client):
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: kubectl-svc, namespace: default}\n"
        "spec:\n  selector: {app: nginx}\n  ports: [{port: %d, targetPort: 80}]\n"
    )
    manifest.write_text(service % 80)
    kubectl(plane, "apply", "-f", str(manifest))
    manifest.write_text(service % 8080)
    changed = kubectl(plane, "apply", "-f", str(manifest))
    ports = client.get("/api/v1/namespaces/default/services/kubectl-svc").json["spec"]["ports"]
    kubectl(plane, "delete", "-f", str(manifest))
    assert changed.stdout.strip() == "service/kubectl-svc configured"
    assert [port["port"] for port in ports] == [8080]


def test_python_dynamic_client_reads_and_writes(plane: ControlPlane):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes.dynamic import DynamicClient

    api_client = kubernetes.config.new_client_from_config(config_file=str(plane.kubeconfig_path))
    dynamic = DynamicClient(api_client)
    pools = dynamic.resources.get(api_version="projectcalico.org/v3", kind="IPPool")
    nodes = dynamic.resources.get(api_version="v1", kind="Node")
    body = {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": "dynamic-pool"},
        "spec": {"cidr": "172.16.5.0/28", "blockSize": 28, "allowedUses": ["LoadBalancer"]},
    }
    created = pools.create(body=body)
    patched = pools.patch(
        name="dynamic-pool", body={"spec": {"disabled": True}}, content_type="application/merge-patch+json"
    )
    workers = nodes.get(label_selector="!node-role.kubernetes.io/control-plane")
    pools.delete(name="dynamic-pool")
    assert created.spec.cidr == "172.16.5.0/28"
    assert patched.spec.disabled is True
    assert [item.metadata.name for item in workers.items] == ["k01-worker", "k01-worker2"]
    with pytest.raises(kubernetes.dynamic.exceptions.NotFoundError):
        pools.get(name="dynamic-pool")
