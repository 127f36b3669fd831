"""Per-kind server behaviour: what the API server fills in (defaulting) and what it refuses (validation).

Only the fields the lab and the collection touch are modelled; everything else is stored as sent.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import calico
from .resources import ResourceKind, kind_by_name
from .store import Store

Violation = tuple[str, str]
Defaulter = Callable[[dict[str, Any], "dict[str, Any] | None", Store], None]
Validator = Callable[[dict[str, Any], "dict[str, Any] | None", Store], list[Violation]]

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/16")
FIRST_SERVICE_IP = 10  # .1 is the apiserver's own "kubernetes" Service in a real cluster; leave a small gap
NODE_PORT_RANGE = range(30000, 32768)
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
TRAFFIC_POLICIES = ("Cluster", "Local")


def _invalid(field: str, value: object, reason: str) -> Violation:
    return field, f"{field}: Invalid value: {json.dumps(value)}: {reason}"


def _no_defaults(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> None:
    return None


def _no_rules(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    return []


# ---- Namespace ------------------------------------------------------------------------------------------


def default_namespace(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> None:
    name = obj["metadata"]["name"]
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj["status"] = {"phase": "Active"}


# ---- Service --------------------------------------------------------------------------------------------


def _used_cluster_ips(store: Store, own: tuple[str, str]) -> set[str]:
    used = set()
    for service in store.list(kind_by_name("Service")):
        metadata = service["metadata"]
        if (metadata.get("namespace", ""), metadata["name"]) != own:
            used.add(service.get("spec", {}).get("clusterIP"))
    return used


def _allocate_cluster_ip(store: Store, own: tuple[str, str]) -> str:
    used = _used_cluster_ips(store, own)
    for offset in range(FIRST_SERVICE_IP, SERVICE_CIDR.num_addresses - 1):
        candidate = str(SERVICE_CIDR.network_address + offset)
        if candidate not in used:
            return candidate
    raise RuntimeError("service CIDR 10.96.0.0/16 exhausted")


def _used_node_ports(store: Store, own: tuple[str, str]) -> set[int]:
    used: set[int] = set()
    for service in store.list(kind_by_name("Service")):
        metadata = service["metadata"]
        if (metadata.get("namespace", ""), metadata["name"]) != own:
            used.update(port.get("nodePort") for port in service.get("spec", {}).get("ports", []))
    return used


def _default_ports(spec: dict[str, Any], old_spec: dict[str, Any], store: Store, own: tuple[str, str]) -> None:
    needs_node_port = spec["type"] in ("NodePort", "LoadBalancer") and spec.get("allocateLoadBalancerNodePorts", True)
    old_node_ports = {
        (port.get("port"), port.get("protocol", "TCP")): port.get("nodePort") for port in old_spec.get("ports", [])
    }
    used = _used_node_ports(store, own)
    for port in spec.get("ports", []):
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
        if not needs_node_port:
            port.pop("nodePort", None)
            continue
        if "nodePort" not in port:
            kept = old_node_ports.get((port.get("port"), port["protocol"]))
            port["nodePort"] = kept or next(number for number in NODE_PORT_RANGE if number not in used)
        used.add(port["nodePort"])


def default_service(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> None:
    """Fill in what kube-apiserver does, so a re-sent manifest compares equal to the stored object."""
    spec = obj.setdefault("spec", {})
    old_spec = (old or {}).get("spec", {})
    own = (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if not spec.get("clusterIP") and old_spec.get("clusterIP"):
        spec["clusterIP"] = old_spec["clusterIP"]
        spec["clusterIPs"] = old_spec.get("clusterIPs", [old_spec["clusterIP"]])
    if spec["type"] != "ExternalName":
        if not spec.get("clusterIP"):
            spec["clusterIP"] = _allocate_cluster_ip(store, own)
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    else:
        spec.pop("externalTrafficPolicy", None)
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    _default_ports(spec, old_spec, store, own)
    obj.setdefault("status", {"loadBalancer": {}})


def validate_service(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    spec = obj.get("spec", {})
    violations: list[Violation] = []
    if spec.get("type") not in SERVICE_TYPES:
        violations.append(_invalid("spec.type", spec.get("type"), f"supported values: {', '.join(SERVICE_TYPES)}"))
    ports = spec.get("ports")
    if spec.get("type") != "ExternalName" and not ports:
        violations.append(("spec.ports", "spec.ports: Required value"))
    for index, port in enumerate(ports or []):
        number = port.get("port")
        if not isinstance(number, int) or not 1 <= number <= 65535:
            violations.append(_invalid(f"spec.ports[{index}].port", number, "must be between 1 and 65535, inclusive"))
    policy = spec.get("externalTrafficPolicy")
    if policy is not None and policy not in TRAFFIC_POLICIES:
        violations.append(_invalid("spec.externalTrafficPolicy", policy, "supported values: Cluster, Local"))
    old_ip = (old or {}).get("spec", {}).get("clusterIP")
    if old_ip and spec.get("clusterIP") != old_ip:
        violations.append(_invalid("spec.clusterIP", spec.get("clusterIP"), "field is immutable"))
    return violations


# ---- Deployment -----------------------------------------------------------------------------------------


def _default_pod_spec(pod_spec: dict[str, Any]) -> None:
    pod_spec.setdefault("restartPolicy", "Always")
    pod_spec.setdefault("terminationGracePeriodSeconds", 30)
    pod_spec.setdefault("dnsPolicy", "ClusterFirst")
    pod_spec.setdefault("securityContext", {})
    pod_spec.setdefault("schedulerName", "default-scheduler")
    for container in pod_spec.get("containers", []):
        image = str(container.get("image", ""))
        untagged_or_latest = ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")
        container.setdefault("imagePullPolicy", "Always" if untagged_or_latest else "IfNotPresent")
        container.setdefault("resources", {})
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        for port in container.get("ports", []):
            port.setdefault("protocol", "TCP")


def default_deployment(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec.setdefault(
        "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    )
    _default_pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))


def deployment_status(obj: dict[str, Any]) -> dict[str, Any]:
    """The twin has no kubelet: every replica is immediately ready (see ``advertise`` for where pods 'run')."""
    replicas = obj.get("spec", {}).get("replicas", 1)
    status: dict[str, Any] = {"observedGeneration": obj["metadata"].get("generation", 1)}
    if replicas:
        status.update(replicas=replicas, updatedReplicas=replicas, readyReplicas=replicas, availableReplicas=replicas)
    status["conditions"] = [
        {
            "type": "Available",
            "status": "True",
            "reason": "MinimumReplicasAvailable",
            "message": "Deployment has minimum availability.",
        },
        {
            "type": "Progressing",
            "status": "True",
            "reason": "NewReplicaSetAvailable",
            "message": f'ReplicaSet "{obj["metadata"]["name"]}" has successfully progressed.',
        },
    ]
    return status


def validate_deployment(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    spec = obj.get("spec", {})
    match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    template_labels = spec.get("template", {}).get("metadata", {}).get("labels") or {}
    violations: list[Violation] = []
    if not match_labels:
        violations.append(("spec.selector", "spec.selector: Required value"))
    elif any(template_labels.get(key) != value for key, value in match_labels.items()):
        violations.append(
            _invalid("spec.template.metadata.labels", template_labels, "`selector` does not match template `labels`")
        )
    if old is not None and (old.get("spec", {}).get("selector") != spec.get("selector")):
        violations.append(_invalid("spec.selector", spec.get("selector"), "field is immutable"))
    if not spec.get("template", {}).get("spec", {}).get("containers"):
        violations.append(("spec.template.spec.containers", "spec.template.spec.containers: Required value"))
    return violations


# ---- Calico ---------------------------------------------------------------------------------------------


def default_ippool(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> None:
    calico.default_ippool(obj)


def validate_ippool(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    return calico.validate_ippool(obj, old, store.list(kind_by_name("IPPool")))


def validate_bgp_configuration(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    return calico.validate_bgp_configuration(obj)


def validate_bgp_peer(obj: dict[str, Any], old: dict[str, Any] | None, store: Store) -> list[Violation]:
    return calico.validate_bgp_peer(obj)


@dataclass(frozen=True)
class KindRules:
    default: Defaulter = _no_defaults
    validate: Validator = _no_rules


RULES: dict[str, KindRules] = {
    "Namespace": KindRules(default_namespace),
    "Service": KindRules(default_service, validate_service),
    "Deployment": KindRules(default_deployment, validate_deployment),
    "IPPool": KindRules(default_ippool, validate_ippool),
    "BGPConfiguration": KindRules(validate=validate_bgp_configuration),
    "BGPPeer": KindRules(validate=validate_bgp_peer),
}


def rules_for(kind: ResourceKind) -> KindRules:
    return RULES.get(kind.kind, KindRules())
