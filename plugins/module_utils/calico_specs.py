"""Calico objects this collection writes: the LoadBalancer IPPool and the BGPConfiguration ``default``.

Both builders validate their whole input first and raise one :class:`ValidationError` listing every broken
rule, so nothing half-valid ever reaches the API server.

The BGPConfiguration is shared with whoever else configures BGP on the cluster, so the merge is a careful
read-modify-write: every field we do not own is kept, ``metadata.resourceVersion`` is kept so the API server
rejects the write (409) if someone changed the object in between, and CIDRs are compared in canonical form so
that a different spelling of the same network (``2001:DB8::/64``, ``10.0.0.1`` for ``10.0.0.1/32``) never
causes a change.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import (
    PoolRequest,
    check_cidr,
    is_int,
    validate_pool,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import (
    ValidationError,
    Violation,
    raise_if_any,
)

API_VERSION = "projectcalico.org/v3"
# The CRDs Calico stores its objects in; writing them directly bypasses Calico's validation and defaulting.
STORAGE_API_VERSION = "crd.projectcalico.org/v1"
DEFAULT_POOL_NAME = "loadbalancer-ip-pool"
ASSIGNMENT_MODES = ("Automatic", "Manual")
LOG_SEVERITIES = ("Debug", "Info", "Warning", "Error", "Fatal")
STATES = ("present", "absent")
MAX_AS_NUMBER = 4294967295  # 4-byte AS numbers (RFC 6793); 0 is reserved
# Calico rejects these when the node-to-node mesh is off (they only configure the mesh).
MESH_ONLY_FIELDS = ("nodeMeshPassword", "nodeMeshMaxRestartTime")
# Written by the API server for its own bookkeeping; sending it back is noise at best.
SERVER_MANAGED_METADATA = ("managedFields",)

_RFC1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_RFC1123_SUBDOMAIN = re.compile(rf"{_RFC1123_LABEL}(\.{_RFC1123_LABEL})*")
_MAX_NAME_LENGTH = 253


# ---------------------------------------------------------------------------------------------------------------
# IPPool


@dataclass(frozen=True)
class PoolSpec:
    """An IPPool manifest plus the warnings raised while checking its CIDR."""

    manifest: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def ippool_manifest(
    cidr: object,
    name: object = DEFAULT_POOL_NAME,
    block_size: object = None,
    nat_outgoing: object = True,
    assignment_mode: object = "Automatic",
    disabled: object = False,
) -> PoolSpec:
    """A complete ``projectcalico.org/v3`` IPPool for LoadBalancer IPs, ready for ``kubernetes.core.k8s``.

    LoadBalancer pools must not use IPIP or VXLAN and must select all nodes, so those fields are fixed.
    """
    violations = name_violations(name, "name")
    violations += _bool_violations({"nat_outgoing": nat_outgoing, "disabled": disabled})
    if assignment_mode not in ASSIGNMENT_MODES:
        violations.append(
            Violation(
                "assignment-mode",
                f"assignment_mode {assignment_mode!r} is not one of {', '.join(ASSIGNMENT_MODES)}",
            )
        )
    try:
        # A disabled pool is never allocated from, so Calico lets it be smaller than one block.
        facts = validate_pool(PoolRequest(cidr=cidr, block_size=block_size, enabled=disabled is not True))
    except ValidationError as error:
        raise ValidationError([*violations, *error.violations]) from None
    raise_if_any(violations)
    # Calico's API server drops false booleans (omitempty). Sent anyway, a server-side apply of an unchanged pool
    # is never a no-op there: each one rewrites the object (new resourceVersion), so the run is never changed=0.
    # Left out, an apply that no longer carries a field we set before removes it, which is the same as false.
    flags = {"natOutgoing": nat_outgoing, "disabled": disabled}
    manifest = {
        "apiVersion": API_VERSION,
        "kind": "IPPool",
        "metadata": {"name": name},
        "spec": {
            "cidr": facts.cidr,
            "blockSize": facts.block_size,
            **{key: True for key, value in flags.items() if value is True},
            "allowedUses": ["LoadBalancer"],
            "assignmentMode": assignment_mode,
            "nodeSelector": "all()",
            "ipipMode": "Never",
            "vxlanMode": "Never",
        },
    }
    return PoolSpec(manifest=manifest, warnings=facts.warnings)


def name_violations(name: object, field_name: str) -> list[Violation]:
    if not isinstance(name, str):
        return [Violation("wrong-type", f"{field_name} {name!r} is not a string")]
    if len(name) > _MAX_NAME_LENGTH or not _RFC1123_SUBDOMAIN.fullmatch(name):
        return [
            Violation(
                "invalid-name",
                f"{field_name} {name!r} is not an RFC 1123 subdomain (lower case letters, digits, '-' and '.', "
                f"starting and ending with a letter or digit, at most {_MAX_NAME_LENGTH} characters)",
            )
        ]
    return []


def _bool_violations(values: Mapping[str, object]) -> list[Violation]:
    return [
        Violation("wrong-type", f"{name} {value!r} is not a boolean")
        for name, value in values.items()
        if not isinstance(value, bool)
    ]


# ---------------------------------------------------------------------------------------------------------------
# BGPConfiguration


# The options lb_advert_spec (the merge) and lb_advert_apply (the merge written) share, in Ansible's argument-spec
# form (plain data); doc fragment calicolab.bgp_lb.bgp_advertisement documents them.
ADVERT_OPTIONS_SPEC: dict[str, dict[str, Any]] = {
    "cidrs": {"type": "list", "elements": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "as_number": {"type": "int"},
    "node_to_node_mesh": {"type": "bool"},
    "log_severity": {"type": "str", "choices": ["Debug", "Info", "Warning", "Error", "Fatal"]},
}


@dataclass(frozen=True)
class AdvertRequest:
    """Desired advertisement settings; ``None`` for a setting means "leave what ``current`` has"."""

    current: Optional[Mapping[str, Any]]
    cidrs: Sequence[object]
    state: str = "present"
    as_number: object = None
    node_to_node_mesh: object = None
    log_severity: object = None


@dataclass(frozen=True)
class AdvertResult:
    manifest: dict[str, Any]
    needs_update: bool
    added: list[str]
    removed: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "manifest": self.manifest,
            "needs_update": self.needs_update,
            "added": self.added,
            "removed": self.removed,
        }


def bgp_configuration_manifest(request: AdvertRequest) -> AdvertResult:
    """Merge (``present``) or remove (``absent``) our CIDRs in ``serviceLoadBalancerIPs`` of ``default``."""
    violations = _current_violations(request.current)
    wanted = _wanted_cidrs(request.cidrs, violations)
    violations += _setting_violations(request)
    raise_if_any(violations)

    desired = _start_from(request.current)
    spec = desired.setdefault("spec", {})
    _apply_settings(spec, request)
    if request.state == "present":
        added, removed = _merge(spec, wanted), []
    else:
        added, removed = [], _remove(spec, wanted)
    raise_if_any(_mesh_violations(spec))
    return AdvertResult(
        manifest=desired,
        needs_update=_needs_update(request, desired),
        added=added,
        removed=removed,
    )


def _current_violations(current: object) -> list[Violation]:
    if current is None:
        return []
    if not isinstance(current, Mapping):
        return [Violation("wrong-type", f"current {current!r} is not a BGPConfiguration object (mapping) or null")]
    found = []
    api_version = current.get("apiVersion", API_VERSION)
    if api_version != API_VERSION:
        found.append(
            Violation(
                "wrong-api-version",
                f"current.apiVersion {api_version!r} is not {API_VERSION}: read the BGPConfiguration through "
                f"the Calico API server, never the {STORAGE_API_VERSION} storage CRD",
            )
        )
    kind = current.get("kind", "BGPConfiguration")
    if kind != "BGPConfiguration":
        found.append(Violation("wrong-kind", f"current.kind {kind!r} is not BGPConfiguration"))
    metadata = current.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if name != "default":
        found.append(
            Violation(
                "not-default-configuration",
                f"current.metadata.name {name!r} is not 'default': only BGPConfiguration default "
                f"carries serviceLoadBalancerIPs",
            )
        )
    spec = current.get("spec", {})
    if not isinstance(spec, Mapping):
        found.append(Violation("malformed", f"current.spec {spec!r} is not a mapping"))
    else:
        entries = spec.get("serviceLoadBalancerIPs", [])
        if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
            found.append(
                Violation(
                    "malformed",
                    f"current.spec.serviceLoadBalancerIPs {entries!r} is not a list of {{cidr: ...}} mappings",
                )
            )
    return found


def _wanted_cidrs(cidrs: object, violations: list[Violation]) -> list[str]:
    """Canonical, de-duplicated CIDRs in input order."""
    if isinstance(cidrs, (str, bytes)) or not isinstance(cidrs, Sequence):
        violations.append(Violation("wrong-type", f"cidrs {cidrs!r} is not a list"))
        return []
    wanted: list[str] = []
    for index, value in enumerate(cidrs):
        cidr, problems = check_cidr(value, f"cidrs[{index}]")
        violations.extend(problems)
        if cidr is not None and cidr.text not in wanted:
            wanted.append(cidr.text)
    return wanted


def _setting_violations(request: AdvertRequest) -> list[Violation]:
    found = []
    if request.state not in STATES:
        found.append(Violation("invalid-state", f"state {request.state!r} is not one of {', '.join(STATES)}"))
    as_number = request.as_number
    if as_number is not None:
        if not is_int(as_number):
            found.append(Violation("wrong-type", f"as_number {as_number!r} is not an integer"))
        elif not 1 <= as_number <= MAX_AS_NUMBER:
            found.append(Violation("as-number-range", f"as_number {as_number} is outside 1-{MAX_AS_NUMBER}"))
    if request.node_to_node_mesh is not None and not isinstance(request.node_to_node_mesh, bool):
        found.append(Violation("wrong-type", f"node_to_node_mesh {request.node_to_node_mesh!r} is not a boolean"))
    if request.log_severity is not None and request.log_severity not in LOG_SEVERITIES:
        found.append(
            Violation(
                "log-severity",
                f"log_severity {request.log_severity!r} is not one of {', '.join(LOG_SEVERITIES)}",
            )
        )
    return found


def _start_from(current: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    if current is None:
        return {"apiVersion": API_VERSION, "kind": "BGPConfiguration", "metadata": {"name": "default"}, "spec": {}}
    desired = copy.deepcopy(dict(current))
    metadata = desired.get("metadata", {})
    for key in SERVER_MANAGED_METADATA:
        metadata.pop(key, None)
    return desired


def _apply_settings(spec: dict[str, Any], request: AdvertRequest) -> None:
    settings = {
        "asNumber": request.as_number,
        "nodeToNodeMeshEnabled": request.node_to_node_mesh,
        "logSeverityScreen": request.log_severity,
    }
    for key, value in settings.items():
        if value is not None:
            spec[key] = value


def _canonical(entry: Mapping[str, Any]) -> Optional[str]:
    """Canonical CIDR of an existing entry, or None when it does not parse (such entries are left alone)."""
    cidr, _problems = check_cidr(entry.get("cidr"), "serviceLoadBalancerIPs")
    return cidr.text if cidr is not None else None


def _merge(spec: dict[str, Any], wanted: Sequence[str]) -> list[str]:
    entries = spec.get("serviceLoadBalancerIPs", [])
    present = {_canonical(entry) for entry in entries}
    added = [cidr for cidr in wanted if cidr not in present]
    if added:
        spec["serviceLoadBalancerIPs"] = [*entries, *({"cidr": cidr} for cidr in added)]
    return added


def _remove(spec: dict[str, Any], unwanted: Sequence[str]) -> list[str]:
    entries = spec.get("serviceLoadBalancerIPs")
    if not entries:
        return []
    removed: list[str] = []
    kept = []
    for entry in entries:
        canonical = _canonical(entry)
        if canonical in unwanted:
            if canonical not in removed:
                removed.append(canonical)
        else:
            kept.append(entry)
    if kept:
        spec["serviceLoadBalancerIPs"] = kept
    elif removed:
        # Calico treats an empty list and no list alike; dropping the key restores the object as it was
        # before we first added our CIDRs.
        del spec["serviceLoadBalancerIPs"]
    return removed


def _mesh_violations(spec: Mapping[str, Any]) -> list[Violation]:
    if spec.get("nodeToNodeMeshEnabled") is not False:
        return []
    return [
        Violation(
            "node-mesh-options-without-mesh",
            f"spec.{key} is set while nodeToNodeMeshEnabled is false: Calico rejects mesh options without the mesh; "
            f"remove {key} or enable the mesh",
        )
        for key in MESH_ONLY_FIELDS
        if key in spec
    ]


def _needs_update(request: AdvertRequest, desired: Mapping[str, Any]) -> bool:
    if request.current is None:
        # Creating an empty default only to remove nothing from it would be a pointless write.
        return request.state == "present" or bool(desired["spec"])
    return desired.get("spec", {}) != request.current.get("spec", {})


class WriteConflict(Exception):
    """The write lost a race: the object changed since it was read (HTTP 409), or was created meanwhile."""


@dataclass(frozen=True)
class MergeOutcome:
    """What a read-merge-write of BGPConfiguration default did."""

    before: Optional[Mapping[str, Any]]
    result: AdvertResult
    written: Optional[Mapping[str, Any]]
    attempts: int


def merge_with_retry(
    request: AdvertRequest,
    read: Callable[[], Optional[Mapping[str, Any]]],
    write: Callable[[Mapping[str, Any], bool], Mapping[str, Any]],
    conflict_retries: int,
) -> MergeOutcome:
    """Merge into BGPConfiguration default and write it, re-reading and re-merging after each conflict.

    The first merge is of ``request.current``, the object as the caller read (and validated) it, None when it did
    not exist. ``write(manifest, create)`` creates or replaces it, the replacement carrying the resourceVersion that
    was read, and raises :class:`WriteConflict` when another writer got there first; then ``read()`` fetches the
    object again and the merge is redone on it, so their change is kept and ours added on top. After
    ``conflict_retries`` such retries the last WriteConflict is raised. Nothing is written when the object already
    holds what is wanted. Invalid input raises ValidationError before any write.
    """
    attempts = 0
    current = request.current
    while True:
        result = bgp_configuration_manifest(replace(request, current=current))
        if not result.needs_update:
            return MergeOutcome(current, result, None, attempts)
        attempts += 1
        try:
            written = write(result.manifest, current is None)
        except WriteConflict:
            if attempts > conflict_retries:
                raise
            current = read()
            continue
        return MergeOutcome(current, result, written, attempts)
