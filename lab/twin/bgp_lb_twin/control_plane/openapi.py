"""Just enough OpenAPI v3 for ``kubectl apply`` to validate without ``--validate=false``.

Measured with kubectl 1.32: when /openapi/v3 and /openapi/v2 both answer 404, kubectl refuses to apply
("failed to download openapi"). When the v3 document of a group/version lists a PATCH operation for the kind
that accepts the ``fieldValidation`` query parameter, kubectl leaves validation to the server (it sends
``fieldValidation=Strict``) and never needs schemas. The PATCH operations deliberately declare no request
body: kubectl then computes strategic-merge patches from its compiled-in types (and JSON merge patches for
Calico kinds) instead of from schemas we would have to invent. /openapi/v2 stays 404.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .resources import KINDS, ResourceKind, group_versions

QUERY_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _item_path(kind: ResourceKind) -> str:
    prefix = "/" + _gv_path(kind.group, kind.version)
    scope = "/namespaces/{namespace}" if kind.namespaced else ""
    return f"{prefix}{scope}/{kind.plural}/{{name}}"


def _patch_operation(kind: ResourceKind) -> dict[str, Any]:
    return {
        "operationId": f"patch{kind.kind}",
        "parameters": [{"name": name, "in": "query", "schema": {"type": "string"}} for name in QUERY_PARAMETERS],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
    }


def group_version_document(group: str, version: str) -> dict[str, Any] | None:
    kinds = [kind for kind in KINDS if (kind.group, kind.version) == (group, version)]
    if not kinds:
        return None
    return {
        "openapi": "3.0.0",
        "info": {"title": "bgp-lb-twin", "version": "v1.32.0"},
        "paths": {_item_path(kind): {"patch": _patch_operation(kind)} for kind in kinds},
        "components": {"schemas": {}},
    }


def _hash(group: str, version: str) -> str:
    """kubectl caches per-GV documents by this hash; it changes only when the kind table does."""
    names = ",".join(kind.plural for kind in KINDS if (kind.group, kind.version) == (group, version))
    return hashlib.sha256(f"{group}/{version}:{names}".encode()).hexdigest()[:16].upper()


def root_document() -> dict[str, Any]:
    paths = {}
    for group, versions in group_versions().items():
        for version in versions:
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={_hash(group, version)}"}
    return {"paths": paths}


def document(path: str) -> dict[str, Any] | None:
    """The document for an /openapi/... path, or None (→ 404, which is what /openapi/v2 answers)."""
    if path == "/openapi/v3":
        return root_document()
    segments = [part for part in path.split("/") if part][2:]
    if len(segments) == 2 and segments[0] == "api":
        return group_version_document("", segments[1])
    if len(segments) == 3 and segments[0] == "apis":
        return group_version_document(segments[1], segments[2])
    return None
