"""The objects the lab has after its deploy script (DESIGN.md §4), for N nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"
SEED_NAMESPACES = ("default", "kube-system", "calico-system")


@dataclass(frozen=True)
class NodeSpec:
    name: str
    address: str
    control_plane: bool = False


def default_nodes(count: int = 3) -> list[NodeSpec]:
    """k01-control-plane, k01-worker, k01-worker2, ... on 10.10.10.10, .11, .12, ... (the kind lab's names)."""
    if not 1 <= count <= 200:
        raise ValueError(f"nodes: {count} is out of range: the twin supports 1 to 200 nodes")
    names = ["k01-control-plane", "k01-worker"] + [f"k01-worker{index}" for index in range(2, count)]
    return [NodeSpec(names[index], f"10.10.10.{10 + index}", control_plane=index == 0) for index in range(count)]


def node_object(spec: NodeSpec, index: int, cluster_size: int) -> dict[str, Any]:
    """A Node as kind registers it; with workers present the control plane keeps its NoSchedule taint
    (so nginx replicas land on workers), and kind removes the exclude-from-LB label, so none is set."""
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
    }
    spec_section: dict[str, Any] = {
        "podCIDR": f"10.244.{index}.0/24",
        "podCIDRs": [f"10.244.{index}.0/24"],
        "providerID": f"kind://docker/k01/{spec.name}",
    }
    if spec.control_plane:
        labels[CONTROL_PLANE_ROLE] = ""
        if cluster_size > 1:
            spec_section["taints"] = [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": spec.name, "labels": labels},
        "spec": spec_section,
        "status": {
            "addresses": [{"type": "InternalIP", "address": spec.address}, {"type": "Hostname", "address": spec.name}],
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
                "kubeletVersion": "v1.32.0",
                "containerRuntimeVersion": "bgp-lb-twin://0",
            },
        },
    }


def namespace_object(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


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


def seed_objects(nodes: list[NodeSpec]) -> list[dict[str, Any]]:
    """In creation order: namespaces before what lives in them."""
    objects = [namespace_object(name) for name in SEED_NAMESPACES]
    objects += [node_object(spec, index, len(nodes)) for index, spec in enumerate(nodes)]
    return objects + calico_objects() + nginx_objects()
