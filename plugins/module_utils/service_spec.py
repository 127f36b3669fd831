"""The LoadBalancer Service manifest, validated as a whole before anything is written.

Pure Python, no Ansible imports. A requested address must lie inside one of the LoadBalancer pools the caller
names (the pools that exist plus the one being created), because Calico would otherwise leave the Service
pending with only an Event to say why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import check_address, check_cidr
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import Violation, raise_if_any

LOAD_BALANCER_IPS_ANNOTATION = "projectcalico.org/loadBalancerIPs"
_RFC1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# Kubernetes label syntax (selectors are validated as labels): name part and value are at most 63 characters.
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_TRAFFIC_POLICIES = ("Cluster", "Local")
_PROTOCOLS = ("TCP", "UDP", "SCTP")


def _label_violations(value: object, field: str, pattern: re.Pattern[str], standard: str) -> list[Violation]:
    if not isinstance(value, str) or not pattern.match(value):
        return [
            Violation(
                "invalid-name",
                f"{field} {value!r} is not an {standard} label "
                "(lower case letters, digits and '-', at most 63 characters)",
            )
        ]
    return []


def _selector_violations(selector: object) -> list[Violation]:
    if not isinstance(selector, Mapping) or not selector:
        return [
            Violation(
                "empty-selector",
                f"selector {selector!r} must be a non-empty mapping: an empty selector matches no pods, "
                "so the LoadBalancer IP would answer nothing",
            )
        ]
    return _label_map_violations(selector, "selector")


def _labels_violations(labels: object) -> list[Violation]:
    if labels is None:
        return []
    if not isinstance(labels, Mapping):
        return [Violation("wrong-type", f"labels {labels!r} must be a mapping of label keys to values")]
    return _label_map_violations(labels, "labels")


def _label_map_violations(mapping: Mapping[Any, Any], field: str) -> list[Violation]:
    """Every key and value of a selector or of metadata.labels against Kubernetes' label syntax."""
    violations = []
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str):
            violations.append(Violation("wrong-type", f"{field} {key!r}: {value!r} must map a string to a string"))
            continue
        prefix, _slash, name = key.rpartition("/")
        if not _LABEL_NAME.match(name) or (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))):
            violations.append(
                Violation(
                    "invalid-label",
                    f"{field} key {key!r} is not a Kubernetes label key ([prefix/]name: name up to 63 letters, "
                    "digits, '-', '_' or '.', starting and ending with a letter or digit)",
                )
            )
        if value and not _LABEL_NAME.match(value):
            violations.append(
                Violation(
                    "invalid-label",
                    f"{field} {key!r}: value {value!r} is not a Kubernetes label value (up to 63 letters, digits, "
                    "'-', '_' or '.', starting and ending with a letter or digit)",
                )
            )
    return violations


def _port_violations(ports: object) -> list[Violation]:
    if not isinstance(ports, Sequence) or isinstance(ports, (str, bytes)) or not ports:
        return [Violation("no-ports", f"ports {ports!r} must be a non-empty list of ServicePorts")]
    violations = []
    for index, port in enumerate(ports):
        field = f"ports[{index}]"
        if not isinstance(port, Mapping):
            violations.append(Violation("wrong-type", f"{field} {port!r} is not a mapping"))
            continue
        number = port.get("port")
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 65535:
            violations.append(Violation("port-range", f"{field}.port {number!r} must be an integer 1-65535"))
        if port.get("protocol", "TCP") not in _PROTOCOLS:
            violations.append(
                Violation(
                    "protocol", f"{field}.protocol {port.get('protocol')!r} is not one of {', '.join(_PROTOCOLS)}"
                )
            )
    return violations


def _requested_ip_violations(address: object, pool_cidrs: Sequence[str]) -> tuple[Optional[str], list[Violation]]:
    if address in (None, ""):
        return None, []
    parsed, violations = check_address(address, "load_balancer_ip")
    if parsed is None:
        return None, violations
    pools = []
    for index, text in enumerate(pool_cidrs):
        pool, pool_violations = check_cidr(text, f"lb_pool_cidrs[{index}]")
        violations += pool_violations
        if pool is not None:
            pools.append(pool)
    # A broken pool CIDR is reported as such: dropping it silently made a valid request look "outside any pool".
    if len(pools) == len(pool_cidrs) and not any(pool.overlaps(parsed) for pool in pools):
        listed = ", ".join(pool.text for pool in pools) or "none exists"
        violations.append(
            Violation("ip-outside-pools", f"load_balancer_ip {address} is not inside any LoadBalancer pool ({listed})")
        )
    return parsed.text.split("/")[0], violations


def service_manifest(
    name: object,
    namespace: object,
    selector: object,
    ports: object,
    external_traffic_policy: object = "Cluster",
    load_balancer_ip: object = None,
    lb_pool_cidrs: Sequence[str] = (),
    labels: object = None,
) -> dict[str, Any]:
    """Validate every input (all violations at once) and return the Service of type LoadBalancer."""
    violations = _label_violations(name, "name", _RFC1035_LABEL, "RFC 1035")
    violations += _label_violations(namespace, "namespace", _RFC1123_LABEL, "RFC 1123")
    violations += _selector_violations(selector)
    violations += _labels_violations(labels)
    violations += _port_violations(ports)
    if external_traffic_policy not in _TRAFFIC_POLICIES:
        violations.append(
            Violation("traffic-policy", f"external_traffic_policy {external_traffic_policy!r} must be Cluster or Local")
        )
    requested, ip_violations = _requested_ip_violations(load_balancer_ip, lb_pool_cidrs)
    violations += ip_violations
    raise_if_any(violations)
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:  # none declared: the Service's labels stay whoever's they are
        metadata["labels"] = dict(labels)  # type: ignore[call-overload]
    if requested:
        metadata["annotations"] = {LOAD_BALANCER_IPS_ANNOTATION: json.dumps([requested])}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "type": "LoadBalancer",
            "selector": dict(selector),  # type: ignore[call-overload]
            "ports": [dict(port) for port in ports],  # type: ignore[union-attr]
            "externalTrafficPolicy": external_traffic_policy,
        },
    }
