"""The lab as its deploy script leaves it (lab/twin/README.md, steps 5 and 6), written by the identities that write
it in a real cluster.

- each Node is registered by its own kubelet identity (``system:node:<name>``, through the Node authorizer and
  NodeRestriction), then kubeadm (the bootstrap admin) adds the control-plane role label and taint;
- calico-node's start-up, as the calico-node service account, records the node's BGP address in the annotations
  Calico reads (``projectcalico.org/IPv4Address``);
- the deploy script (the bootstrap admin) creates the default pod pool, BGPConfiguration ``default``, the BGPPeer to
  the router (through the aggregated ``projectcalico.org/v3`` API, so Calico validates them) and nginx.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from bgp_lb_twin.cluster.layout import ClusterLayout
from bgp_lb_twin.components import KUBERNETES_VERSION
from bgp_lb_twin.kube import Identity, KubeClient

CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"
EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
LAN_PREFIX_LENGTH = 24


@dataclass(frozen=True)
class NodeSpec:
    name: str
    address: str
    control_plane: bool = False


def kubelet_registration(spec: NodeSpec) -> dict[str, Any]:
    """The Node a kubelet POSTs when it registers: its own labels and status (kind's node image, amd64)."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": spec.name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": spec.name,
                "kubernetes.io/os": "linux",
            },
        },
        "spec": {"providerID": f"kind://docker/k01/{spec.name}"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": spec.address}, {"type": "Hostname", "address": spec.name}],
            "capacity": {"cpu": "2", "memory": "8Gi", "pods": "110", "ephemeral-storage": "50Gi"},
            "allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110", "ephemeral-storage": "50Gi"},
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                }
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "operatingSystem": "linux",
                "kubeletVersion": KUBERNETES_VERSION,
                "kubeProxyVersion": KUBERNETES_VERSION,
                "containerRuntimeVersion": "bgp-lb-twin://0",
                "osImage": "bgp-lb-twin (network namespace)",
                "kernelVersion": "",
                "machineID": "",
                "systemUUID": "",
                "bootID": "",
            },
        },
    }


def kubeadm_node_patch(spec: NodeSpec, cluster_size: int) -> dict[str, Any] | None:
    """kubeadm's role label on the control plane and, with workers, its taint; the exclude-from-LB label is left off
    (docs/containerlab.md: the real lab's create step removes it)."""
    if not spec.control_plane:
        return None
    patch: dict[str, Any] = {"metadata": {"labels": {CONTROL_PLANE_ROLE: ""}}}
    if cluster_size > 1:
        patch["spec"] = {"taints": [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]}
    return patch


def calico_node_annotations(spec: NodeSpec) -> dict[str, Any]:
    return {"metadata": {"annotations": {"projectcalico.org/IPv4Address": f"{spec.address}/{LAN_PREFIX_LENGTH}"}}}


def calico_objects() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "projectcalico.org/v3",
            "kind": "IPPool",
            "metadata": {"name": "default-ipv4-ippool"},
            "spec": {
                "cidr": "192.168.0.0/16",
                "blockSize": 26,
                "ipipMode": "Never",
                "vxlanMode": "CrossSubnet",
                "natOutgoing": True,
                "nodeSelector": "all()",
                "allowedUses": ["Workload", "Tunnel"],
                "disableBGPExport": True,  # as the seed lab's Installation sets it: pod routes stay off the router
            },
        },
        {
            "apiVersion": "projectcalico.org/v3",
            "kind": "BGPConfiguration",
            "metadata": {"name": "default"},
            "spec": {"asNumber": 65010, "nodeToNodeMeshEnabled": False, "logSeverityScreen": "Info"},
        },
        {
            "apiVersion": "projectcalico.org/v3",
            "kind": "BGPPeer",
            "metadata": {"name": "bgppeer-arista"},
            "spec": {"peerIP": "10.10.10.1", "asNumber": 65001, "nodeSelector": "all()"},
        },
    ]


def nginx_objects() -> list[dict[str, Any]]:
    labels = {"app": "nginx"}
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "nginx-deployment", "namespace": "default", "labels": labels},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "containers": [{"name": "nginx", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "nginx-service", "namespace": "default"},
            "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}]},
        },
    ]


def register_nodes(
    layout: ClusterLayout, url: str, nodes: list[NodeSpec], admin: KubeClient, calico_node_token: str
) -> None:
    pki = layout.pki
    calico_node = KubeClient(url, pki.ca, Identity(token=calico_node_token))

    def one(spec: NodeSpec) -> None:
        kubelet = KubeClient(
            url, pki.ca, Identity(cert=pki.cert(f"kubelet-{spec.name}"), key=pki.key(f"kubelet-{spec.name}"))
        )
        kubelet.create(kubelet_registration(spec))
        patch = kubeadm_node_patch(spec, len(nodes))
        if patch is not None:
            admin.merge_patch(f"/api/v1/nodes/{spec.name}", patch)
        calico_node.merge_patch(f"/api/v1/nodes/{spec.name}/status", calico_node_annotations(spec))

    with ThreadPoolExecutor(max_workers=min(8, len(nodes))) as pool:
        list(pool.map(one, nodes))


def create_all(client: KubeClient, documents: list[dict[str, Any]]) -> None:
    """Create (never overwrite): the deploy script runs once on an empty cluster."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(client.create, documents))


def default_nodes(count: int) -> list[NodeSpec]:
    """k01-control-plane, k01-worker, k01-worker2, ... on 10.10.10.10, .11, .12, ... (the kind lab's names)."""
    names = ["k01-control-plane", "k01-worker"] + [f"k01-worker{index}" for index in range(2, count)]
    return [NodeSpec(names[index], f"10.10.10.{10 + index}", control_plane=index == 0) for index in range(count)]
