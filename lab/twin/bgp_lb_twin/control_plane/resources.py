"""The kinds the emulator serves and the discovery documents built from them.

One table drives routing, discovery and the OpenAPI stub, so a kind added here is reachable everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


@dataclass(frozen=True)
class ResourceKind:
    group: str  # "" for the core group
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    builtin: bool = True  # built-in kinds accept strategic merge patch; custom resources answer 415
    has_status: bool = False  # status is a subresource: main-resource writes keep the stored status

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"


KINDS: tuple[ResourceKind, ...] = (
    ResourceKind("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), has_status=True),
    ResourceKind("", "v1", "Node", "nodes", "node", False, ("no",), has_status=True),
    ResourceKind("", "v1", "Service", "services", "service", True, ("svc",), has_status=True),
    ResourceKind("apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), has_status=True),
    ResourceKind("projectcalico.org", "v3", "IPPool", "ippools", "ippool", False, builtin=False),
    ResourceKind(
        "projectcalico.org",
        "v3",
        "BGPConfiguration",
        "bgpconfigurations",
        "bgpconfiguration",
        False,
        ("bgpconfig", "bgpconfigs"),
        builtin=False,
    ),
    ResourceKind("projectcalico.org", "v3", "BGPPeer", "bgppeers", "bgppeer", False, builtin=False),
)

CALICO_GROUP = "projectcalico.org"


def find_kind(group: str, version: str, plural: str) -> ResourceKind | None:
    for kind in KINDS:
        if (kind.group, kind.version, kind.plural) == (group, version, plural):
            return kind
    return None


def kind_by_name(kind_name: str) -> ResourceKind:
    for kind in KINDS:
        if kind.kind == kind_name:
            return kind
    raise KeyError(kind_name)


def group_versions() -> dict[str, list[str]]:
    """Group name → versions, in table order; the core group is keyed ""."""
    groups: dict[str, list[str]] = {}
    for kind in KINDS:
        versions = groups.setdefault(kind.group, [])
        if kind.version not in versions:
            versions.append(kind.version)
    return groups


def version_document() -> dict[str, Any]:
    return {
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-bgp-lb-twin",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def core_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_entry(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{version}", "version": version} for version in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def group_list() -> dict[str, Any]:
    groups = [_group_entry(name, versions) for name, versions in group_versions().items() if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group_document(group: str) -> dict[str, Any] | None:
    versions = group_versions().get(group)
    if not group or versions is None:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, versions)}


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    kinds = [kind for kind in KINDS if (kind.group, kind.version) == (group, version)]
    if not kinds:
        return None
    resources: list[dict[str, Any]] = []
    for kind in kinds:
        entry: dict[str, Any] = {
            "name": kind.plural,
            "singularName": kind.singular,
            "namespaced": kind.namespaced,
            "kind": kind.kind,
            "verbs": list(ALL_VERBS),
        }
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        resources.append(entry)
        if kind.has_status:
            resources.append(
                {
                    "name": f"{kind.plural}/status",
                    "singularName": "",
                    "namespaced": kind.namespaced,
                    "kind": kind.kind,
                    "verbs": list(STATUS_VERBS),
                }
            )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": kinds[0].group_version,
        "resources": resources,
    }
