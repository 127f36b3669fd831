"""Calico's write-time rules for IPPool, BGPConfiguration and BGPPeer (DESIGN.md §5), plus IPPool defaulting.

Implemented from Calico's documented behaviour, independently of the collection. Every validator returns the
full list of violations as (field path, message) pairs so one 422 names everything that is wrong.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from .selectors import CalicoSelectorError, is_all_selector, parse_calico_selector

Violation = tuple[str, str]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_USES = ("Workload", "Tunnel", "LoadBalancer")
ENCAPSULATION_MODES = ("Never", "Always", "CrossSubnet")
ASSIGNMENT_MODES = ("Automatic", "Manual")
LOG_SEVERITIES = ("Trace", "Debug", "Info", "Warning", "Error", "Fatal")
BLOCK_SIZE_RANGE = {4: (20, 32), 6: (116, 128)}
DEFAULT_BLOCK_SIZE = {4: 26, 6: 122}
LINK_LOCAL = {4: ipaddress.ip_network("169.254.0.0/16"), 6: ipaddress.ip_network("fe80::/10")}
MAX_AS_NUMBER = 4294967295


def _violation(field: str, value: object, reason: str) -> Violation:
    return field, f"{field}: Invalid value: {json.dumps(value)}: {reason}"


def parse_cidr(text: object) -> Network | None:
    """A CIDR that parses, strictly masked or not; None when it does not parse at all."""
    if not isinstance(text, str):
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


# ---- IPPool ---------------------------------------------------------------------------------------------


def default_ippool(pool: dict[str, Any]) -> dict[str, Any]:
    """What Calico's API server fills in on write; blockSize defaulting is why a /28 needs blockSize 28."""
    spec = pool.setdefault("spec", {})
    network = parse_cidr(spec.get("cidr"))
    if network is not None:
        spec.setdefault("blockSize", DEFAULT_BLOCK_SIZE[network.version])
    spec.setdefault("ipipMode", "Never")
    spec.setdefault("vxlanMode", "Never")
    spec.setdefault("natOutgoing", False)
    spec.setdefault("nodeSelector", "all()")
    spec.setdefault("allowedUses", ["Workload", "Tunnel"])
    spec.setdefault("assignmentMode", "Automatic")
    return pool


def _strictly_masked(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        return False
    return True


def _cidr_violations(spec: dict[str, Any]) -> tuple[list[Violation], Network | None]:
    raw = spec.get("cidr")
    if raw in (None, ""):
        return [("spec.cidr", "spec.cidr: Required value: IP pool CIDR must be specified")], None
    network = parse_cidr(raw)
    if network is None:
        return [_violation("spec.cidr", raw, "IP pool CIDR is not a valid CIDR")], None
    violations: list[Violation] = []
    if not _strictly_masked(raw):
        violations.append(_violation("spec.cidr", raw, "IP pool CIDR is not strictly masked"))
    if network.overlaps(LINK_LOCAL[network.version]):
        violations.append(
            _violation("spec.cidr", raw, f"IP pool range overlaps with link local range {LINK_LOCAL[network.version]}")
        )
    return violations, network


def _block_size_violations(spec: dict[str, Any], network: Network) -> list[Violation]:
    block_size = spec.get("blockSize")
    low, high = BLOCK_SIZE_RANGE[network.version]
    if not isinstance(block_size, int) or isinstance(block_size, bool) or not low <= block_size <= high:
        return [
            _violation(
                "spec.blockSize", block_size, f"IPv{network.version} block size must be between {low} and {high}"
            )
        ]
    if not spec.get("disabled", False) and network.prefixlen > block_size:
        return [
            _violation(
                "spec.cidr",
                spec.get("cidr"),
                f"IP pool size is too small (min /{block_size}) for use with Calico IPAM; "
                f"blockSize {block_size} does not fit in a /{network.prefixlen}",
            )
        ]
    return []


def _mode_violations(spec: dict[str, Any], network: Network | None) -> list[Violation]:
    violations: list[Violation] = []
    for field in ("ipipMode", "vxlanMode"):
        if spec.get(field) not in ENCAPSULATION_MODES:
            violations.append(
                _violation(f"spec.{field}", spec.get(field), f"must be one of {', '.join(ENCAPSULATION_MODES)}")
            )
    ipip, vxlan = spec.get("ipipMode", "Never"), spec.get("vxlanMode", "Never")
    if ipip != "Never" and vxlan != "Never":
        violations.append(_violation("spec.vxlanMode", vxlan, "IPIP and VXLAN cannot both be enabled on a pool"))
    if network is not None and network.version == 6 and ipip != "Never":
        violations.append(_violation("spec.ipipMode", ipip, "IPIP is not supported on an IPv6 IP pool"))
    if spec.get("assignmentMode") not in ASSIGNMENT_MODES:
        violations.append(
            _violation(
                "spec.assignmentMode", spec.get("assignmentMode"), f"must be one of {', '.join(ASSIGNMENT_MODES)}"
            )
        )
    try:
        parse_calico_selector(spec.get("nodeSelector"))
    except CalicoSelectorError as error:
        violations.append(_violation("spec.nodeSelector", spec.get("nodeSelector"), f"invalid selector: {error}"))
    return violations


def _allowed_uses_violations(spec: dict[str, Any]) -> list[Violation]:
    uses = spec.get("allowedUses")
    if not isinstance(uses, list):
        return [_violation("spec.allowedUses", uses, "must be a list")]
    violations = [
        _violation("spec.allowedUses", use, f"allowed use must be one of {', '.join(ALLOWED_USES)}")
        for use in uses
        if use not in ALLOWED_USES
    ]
    if "LoadBalancer" in uses and ({"Workload", "Tunnel"} & set(uses)):
        violations.append(
            _violation("spec.allowedUses", uses, "LoadBalancer cannot be combined with Workload or Tunnel")
        )
    return violations


def _load_balancer_violations(spec: dict[str, Any]) -> list[Violation]:
    if "LoadBalancer" not in (spec.get("allowedUses") or []):
        return []
    violations: list[Violation] = []
    for field in ("ipipMode", "vxlanMode"):
        if spec.get(field, "Never") != "Never":
            violations.append(
                _violation(f"spec.{field}", spec.get(field), "LoadBalancer IP pool cannot have IPIP or VXLAN enabled")
            )
    if not is_all_selector(spec.get("nodeSelector")):
        violations.append(
            _violation("spec.nodeSelector", spec.get("nodeSelector"), "LoadBalancer IP pool nodeSelector must be all()")
        )
    if spec.get("disableBGPExport"):
        violations.append(
            _violation("spec.disableBGPExport", True, "disableBGPExport cannot be set on a LoadBalancer IP pool")
        )
    return violations


def _update_violations(spec: dict[str, Any], old_spec: dict[str, Any]) -> list[Violation]:
    violations: list[Violation] = []
    for field, label in (("cidr", "CIDR"), ("blockSize", "block size")):
        if spec.get(field) != old_spec.get(field):
            violations.append(
                _violation(
                    f"spec.{field}",
                    spec.get(field),
                    f"IP pool {label} cannot be modified (was {old_spec.get(field)!r})",
                )
            )
    was_lb = "LoadBalancer" in (old_spec.get("allowedUses") or [])
    if was_lb and "LoadBalancer" not in (spec.get("allowedUses") or []):
        violations.append(
            _violation(
                "spec.allowedUses", spec.get("allowedUses"), "allowedUses cannot be changed away from LoadBalancer"
            )
        )
    return violations


def _overlap_violations(name: str, network: Network, others: list[dict[str, Any]]) -> list[Violation]:
    violations: list[Violation] = []
    for other in others:
        other_name = other["metadata"]["name"]
        other_network = parse_cidr(other.get("spec", {}).get("cidr"))
        if other_name == name or other_network is None or other_network.version != network.version:
            continue
        if network.overlaps(other_network):
            violations.append(
                _violation(
                    "spec.cidr",
                    str(network),
                    f"IPPool({name}) CIDR overlaps with IPPool({other_name}) CIDR {other_network}",
                )
            )
    return violations


def validate_ippool(pool: dict[str, Any], old: dict[str, Any] | None, others: list[dict[str, Any]]) -> list[Violation]:
    """All IPPool rules; ``pool`` is already defaulted, ``others`` are the other stored pools."""
    spec = pool.get("spec") or {}
    violations, network = _cidr_violations(spec)
    if network is not None:
        violations += _block_size_violations(spec, network)
    violations += _mode_violations(spec, network)
    violations += _allowed_uses_violations(spec)
    violations += _load_balancer_violations(spec)
    if old is not None:
        violations += _update_violations(spec, old.get("spec") or {})
    elif network is not None:
        violations += _overlap_violations(pool["metadata"]["name"], network, others)
    return violations


# ---- BGPConfiguration -----------------------------------------------------------------------------------


def parse_as_number(value: object) -> int | None:
    """Calico accepts a plain number or asdot notation "high.low"; None when out of range or malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        high, _, low = value.strip().partition(".")
        if low and (int(high) > 65535 or int(low) > 65535):
            return None
        number = int(high) * 65536 + int(low) if low else int(high)
    else:
        return None
    return number if 0 < number <= MAX_AS_NUMBER else None


def _as_number_violations(spec: dict[str, Any], required: bool) -> list[Violation]:
    if "asNumber" not in spec:
        return [("spec.asNumber", "spec.asNumber: Required value")] if required else []
    if parse_as_number(spec["asNumber"]) is None:
        return [_violation("spec.asNumber", spec["asNumber"], f"AS number must be between 1 and {MAX_AS_NUMBER}")]
    return []


def _cidr_list_violations(spec: dict[str, Any], field: str) -> list[Violation]:
    entries = spec.get(field)
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [_violation(f"spec.{field}", entries, "must be a list of {cidr: ...}")]
    violations: list[Violation] = []
    for index, entry in enumerate(entries):
        cidr = entry.get("cidr") if isinstance(entry, dict) else None
        if parse_cidr(cidr) is None:
            violations.append(_violation(f"spec.{field}[{index}].cidr", cidr, "must be a valid CIDR"))
    return violations


def validate_bgp_configuration(config: dict[str, Any]) -> list[Violation]:
    spec = config.get("spec") or {}
    violations = _as_number_violations(spec, required=False)
    if spec.get("nodeToNodeMeshEnabled", True) is False:
        for field in ("nodeMeshPassword", "nodeMeshMaxRestartTime"):
            if spec.get(field) is not None:
                violations.append(
                    _violation(
                        f"spec.{field}", spec[field], f"{field} cannot be set when nodeToNodeMeshEnabled is false"
                    )
                )
    severity = spec.get("logSeverityScreen")
    if severity is not None and severity not in LOG_SEVERITIES:
        violations.append(_violation("spec.logSeverityScreen", severity, f"must be one of {', '.join(LOG_SEVERITIES)}"))
    for field in ("serviceLoadBalancerIPs", "serviceExternalIPs", "serviceClusterIPs"):
        violations += _cidr_list_violations(spec, field)
    return violations


# ---- BGPPeer --------------------------------------------------------------------------------------------


def parse_peer_ip(text: object) -> str | None:
    """``10.10.10.1``, ``10.10.10.1:179``, ``fd00::1`` or ``[fd00::1]:179`` → the address; None if malformed."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if match := re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d+)", candidate):
        candidate = match.group(1)
    elif re.fullmatch(r"[0-9.]+:\d+", candidate):
        candidate = candidate.rsplit(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def validate_bgp_peer(peer: dict[str, Any]) -> list[Violation]:
    spec = peer.get("spec") or {}
    violations = _as_number_violations(spec, required="peerSelector" not in spec)
    if "peerSelector" in spec and "peerIP" in spec:
        violations.append(_violation("spec.peerIP", spec["peerIP"], "peerIP and peerSelector cannot both be set"))
    elif "peerSelector" not in spec and parse_peer_ip(spec.get("peerIP")) is None:
        violations.append(_violation("spec.peerIP", spec.get("peerIP"), "peerIP must be a valid IP address[:port]"))
    if spec.get("node") and spec.get("nodeSelector"):
        violations.append(
            _violation("spec.nodeSelector", spec["nodeSelector"], "node and nodeSelector cannot both be set")
        )
    for field in ("nodeSelector", "peerSelector"):
        try:
            parse_calico_selector(spec.get(field))
        except CalicoSelectorError as error:
            violations.append(_violation(f"spec.{field}", spec.get(field), f"invalid selector: {error}"))
    return violations
