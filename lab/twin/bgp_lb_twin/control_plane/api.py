"""Kubernetes REST semantics over the store, independent of HTTP: routing, verbs, patches, dry runs.

The HTTP layer turns a request into an ``ApiRequest`` and writes back the ``ApiResponse``; everything a client
can observe (status codes, Status bodies, resourceVersions, no-op writes) is decided here.
"""

from __future__ import annotations

import copy
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import errors, openapi, resources
from .controller import CalicoController
from .errors import ApiError, bad_request
from .kinds import deployment_status, rules_for
from .patches import apply_configuration, json_patch, merge_patch, strategic_merge_patch
from .resources import ResourceKind
from .selectors import parse_field_selector, parse_label_selector
from .store import Store, timestamp

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)
HEALTH_PATHS = {"/healthz", "/livez", "/readyz"}


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    body: bytes = b""


@dataclass
class ApiResponse:
    code: int
    body: Any  # a JSON-able document, or bytes sent as they are
    content_type: str = "application/json"
    verb: str = "get"
    dry_run: bool = False


@dataclass(frozen=True)
class Target:
    """What a resource URL names."""

    kind: ResourceKind
    namespace: str | None
    name: str | None
    subresource: str | None


def _not_found_path() -> ApiError:
    return ApiError(404, "the server could not find the requested resource", "NotFound", {})


def _route(segments: list[str]) -> Target | None:
    """Resource URLs: /api/v1/... and /apis/GROUP/VERSION/..., namespaced or cluster-scoped."""
    if segments[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", segments[2:]
    elif len(segments) >= 3 and segments[0] == "apis":
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    if not rest:
        return None
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = resources.find_kind(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    kind = resources.find_kind(group, version, rest[0])
    if kind is None or len(rest) > 3 or (kind.namespaced is False and namespace is not None):
        return None
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    if subresource is not None and (subresource != "status" or not kind.has_status):
        return None
    return Target(kind, namespace, name, subresource)


def _strip_server_fields(metadata: dict[str, Any]) -> None:
    for key in ("managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"):
        metadata.pop(key, None)


def _ordered(obj: dict[str, Any]) -> dict[str, Any]:
    """apiVersion, kind, metadata, spec, status first, like the real server prints objects."""
    head = ("apiVersion", "kind", "metadata", "spec", "status")
    result = {key: obj[key] for key in head if key in obj}
    result.update({key: value for key, value in obj.items() if key not in head})
    return result


def _without_volatile(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in ("metadata", "status")}


class Api:
    def __init__(self, store: Store, controller: CalicoController, server_address: str) -> None:
        self.store = store
        self.controller = controller
        self.server_address = server_address

    # -- entry point -----------------------------------------------------------------------------------------

    def handle(self, request: ApiRequest) -> ApiResponse:
        try:
            response = self._dispatch(request)
        except ApiError as error:
            response = ApiResponse(
                error.code, error.to_status(), verb=self.verb_of(request), dry_run=self._is_dry_run(request)
            )
        if response.code < 300 and response.verb in ("create", "update", "patch", "delete", "deletecollection"):
            self.controller.deliver()
        return response

    def verb_of(self, request: ApiRequest) -> str:
        segments = [part for part in request.path.split("/") if part]
        target = _route(segments)
        has_name = target is not None and target.name is not None
        if request.method == "GET":
            if request.query.get("watch") in ("1", "true"):
                return "watch"
            return "get" if has_name or target is None else "list"
        return {
            "POST": "create",
            "PUT": "update",
            "PATCH": "patch",
            "DELETE": "delete" if has_name else "deletecollection",
        }.get(request.method, request.method.lower())

    @staticmethod
    def _is_dry_run(request: ApiRequest) -> bool:
        return request.query.get("dryRun") == "All"

    def _dispatch(self, request: ApiRequest) -> ApiResponse:
        path = request.path.rstrip("/") or "/"
        if path in HEALTH_PATHS:
            return ApiResponse(200, b"ok", "text/plain")
        discovery = self._discovery(path)
        if discovery is not None:
            if request.method != "GET":
                raise ApiError(405, f"{request.method} is not supported on {path}", "MethodNotAllowed")
            return ApiResponse(200, discovery)
        target = _route([part for part in path.split("/") if part])
        if target is None:
            raise _not_found_path()
        dry_run = self._dry_run_flag(request)
        verb = self.verb_of(request)
        with self.store.lock:
            code, body = self._resource_call(request, target, verb, dry_run)
        return ApiResponse(code, body, verb=verb, dry_run=dry_run)

    def _discovery(self, path: str) -> dict[str, Any] | None:
        if path == "/version":
            return resources.version_document()
        if path == "/api":
            return resources.core_versions(self.server_address)
        if path == "/apis":
            return resources.group_list()
        if path.startswith("/openapi/"):
            document = openapi.document(path)
            if document is None:
                raise _not_found_path()
            return document
        segments = [part for part in path.split("/") if part]
        if segments == ["api", "v1"]:
            return resources.resource_list("", "v1")
        if len(segments) == 2 and segments[0] == "apis":
            return resources.group_document(segments[1]) or self._raise_not_found()
        if len(segments) == 3 and segments[0] == "apis":
            return resources.resource_list(segments[1], segments[2]) or self._raise_not_found()
        return None

    @staticmethod
    def _raise_not_found() -> dict[str, Any]:
        raise _not_found_path()

    @staticmethod
    def _dry_run_flag(request: ApiRequest) -> bool:
        value = request.query.get("dryRun")
        if value not in (None, "", "All"):
            raise bad_request(f'dryRun: Unsupported value: "{value}": supported values: "All"')
        return value == "All"

    def _resource_call(self, request: ApiRequest, target: Target, verb: str, dry_run: bool) -> tuple[int, Any]:
        if target.name is None:
            if verb in ("list", "watch"):
                return 200, self._list(target, request.query, watch=verb == "watch")
            if verb == "create" and (target.namespace is not None or not target.kind.namespaced):
                return 201, self._create(target, self._decode_json(request.body), dry_run)
            if verb == "deletecollection" and (target.namespace is not None or not target.kind.namespaced):
                return 200, self._delete_collection(target, request.query, dry_run)
            raise _not_found_path()
        if target.kind.namespaced and target.namespace is None:
            raise _not_found_path()
        if verb == "get":
            return 200, self._existing(target)
        if verb == "update":
            return 200, self._update(target, self._decode_json(request.body), dry_run)
        if verb == "patch":
            return self._patch(target, request, dry_run)
        if verb == "delete":
            return 200, self._delete(target, request.body, dry_run)
        raise ApiError(405, f"{request.method} is not supported on {request.path}", "MethodNotAllowed")

    # -- decoding --------------------------------------------------------------------------------------------

    @staticmethod
    def _decode_json(body: bytes) -> dict[str, Any]:
        try:
            document = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise bad_request(f"the request body is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise bad_request("the request body must be a JSON object")
        return document

    @staticmethod
    def _decode_yaml(body: bytes) -> dict[str, Any]:
        try:
            document = yaml.safe_load(body or b"")
        except yaml.YAMLError as error:
            raise bad_request(f"the apply configuration is not valid YAML: {error}") from error
        if not isinstance(document, dict):
            raise bad_request("the apply configuration must be an object")
        return document

    # -- reads -----------------------------------------------------------------------------------------------

    def _existing(self, target: Target) -> dict[str, Any]:
        obj = self.store.get(target.kind, target.namespace or "", target.name or "")
        if obj is None:
            raise errors.not_found(target.kind.plural, target.kind.group, target.name or "")
        return obj

    def _matching(self, target: Target, query: dict[str, str]) -> list[dict[str, Any]]:
        labels = parse_label_selector(query.get("labelSelector"))
        fields = parse_field_selector(query.get("fieldSelector"))
        return [
            obj
            for obj in self.store.list(target.kind, target.namespace)
            if labels(obj["metadata"].get("labels") or {}) and fields(obj)
        ]

    def _list(self, target: Target, query: dict[str, str], watch: bool) -> Any:
        items = self._matching(target, query)
        if watch:
            # A watch that replays the current state and ends: clients re-list/re-watch, which is enough here.
            lines = [json.dumps({"type": "ADDED", "object": item}) for item in items]
            return ("\n".join(lines) + ("\n" if lines else "")).encode()
        return {
            "kind": target.kind.list_kind,
            "apiVersion": target.kind.group_version,
            "metadata": {"resourceVersion": self.store.resource_version},
            "items": items,
        }

    # -- writes ----------------------------------------------------------------------------------------------

    def _check_identity(self, target: Target, obj: dict[str, Any]) -> None:
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if kind not in (None, target.kind.kind) or api_version not in (None, target.kind.group_version):
            raise bad_request(
                f"the object kind/apiVersion {api_version}/{kind} does not match the URL's "
                f"{target.kind.group_version}/{target.kind.kind}"
            )
        obj["kind"], obj["apiVersion"] = target.kind.kind, target.kind.group_version
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise bad_request("metadata must be an object")
        if target.kind.namespaced:
            if metadata.get("namespace") not in (None, "", target.namespace):
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            metadata["namespace"] = target.namespace
        else:
            metadata.pop("namespace", None)
        if target.name is not None and metadata.get("name") not in (None, target.name):
            raise bad_request(
                f"the name of the object ({metadata.get('name')}) does not match the name on the URL ({target.name})"
            )

    def _require_namespace(self, target: Target) -> None:
        if (
            target.kind.namespaced
            and self.store.get(resources.kind_by_name("Namespace"), "", target.namespace or "") is None
        ):
            raise errors.not_found("namespaces", "", target.namespace or "")

    def _finish(self, target: Target, obj: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
        """Defaulting, derived status, generation and validation shared by create and update."""
        rules = rules_for(target.kind)
        rules.default(obj, old, self.store)
        metadata = obj["metadata"]
        if old is None:
            metadata["generation"] = 1
        else:
            changed = _without_volatile(obj) != _without_volatile(old)
            metadata["generation"] = old["metadata"].get("generation", 1) + (1 if changed else 0)
        if target.kind.kind == "Deployment":
            obj["status"] = deployment_status(obj)
        violations = rules.validate(obj, old, self.store)
        if violations:
            raise errors.invalid(target.kind.kind, target.kind.group, metadata["name"], violations)
        return _ordered(obj)

    def _commit(self, target: Target, obj: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        if dry_run:
            return obj
        obj["metadata"]["resourceVersion"] = self.store.next_resource_version()
        self.store.put(target.kind, obj)
        self.controller.reconcile()
        return self.store.get(target.kind, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]) or obj

    def _create(self, target: Target, body: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        obj = copy.deepcopy(body)
        self._check_identity(target, obj)
        metadata = obj["metadata"]
        _strip_server_fields(metadata)
        if not metadata.get("name"):
            if not metadata.get("generateName"):
                raise errors.invalid(
                    target.kind.kind,
                    target.kind.group,
                    "",
                    [("metadata.name", "metadata.name: Required value: name or generateName is required")],
                )
            metadata["name"] = metadata["generateName"] + secrets.token_hex(3)[:5]
        if metadata.get("resourceVersion"):
            raise bad_request("resourceVersion should not be set on objects to be created")
        self._require_namespace(target)
        named = Target(target.kind, target.namespace, metadata["name"], None)
        if self.store.get(target.kind, target.namespace or "", metadata["name"]) is not None:
            raise errors.already_exists(target.kind.plural, target.kind.group, metadata["name"])
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = timestamp()
        if target.kind.has_status:
            obj.pop("status", None)
        return self._commit(named, self._finish(named, obj, None), dry_run)

    def _write_over(self, target: Target, old: dict[str, Any], new: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        """Shared tail of PUT, PATCH and apply on an existing object."""
        self._check_identity(target, new)
        metadata = new["metadata"]
        _strip_server_fields(metadata)
        sent_version = metadata.get("resourceVersion")
        if sent_version and sent_version != old["metadata"].get("resourceVersion"):
            raise errors.conflict(target.kind.plural, target.kind.group, target.name or "")
        if target.subresource == "status":
            status = new.get("status")
            new = copy.deepcopy(old)
            new["status"] = status
            if status is None:
                new.pop("status")
        elif target.kind.has_status:
            new.pop("status", None)
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
        for key in ("uid", "creationTimestamp", "resourceVersion"):
            if key in old["metadata"]:
                new["metadata"][key] = old["metadata"][key]
        new = self._finish(target, new, old)
        if new == old:
            return old  # a no-op write: the stored object, byte for byte, same resourceVersion
        return self._commit(target, new, dry_run)

    def _update(self, target: Target, body: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        old = self._existing(target)
        return self._write_over(target, old, copy.deepcopy(body), dry_run)

    def _patch(self, target: Target, request: ApiRequest, dry_run: bool) -> tuple[int, dict[str, Any]]:
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type not in PATCH_TYPES or (content_type == STRATEGIC_PATCH and not target.kind.builtin):
            accepted = [kind for kind in PATCH_TYPES if target.kind.builtin or kind != STRATEGIC_PATCH]
            raise ApiError(
                415,
                "the body of the request was in an unknown format - accepted media types include: "
                + ", ".join(accepted),
                "UnsupportedMediaType",
            )
        if content_type == APPLY_PATCH:
            return self._server_side_apply(target, request, dry_run)
        old = self._existing(target)
        if content_type == JSON_PATCH:
            try:
                operations = json.loads(request.body or b"null")
            except ValueError as error:
                raise bad_request(f"the json patch is not valid JSON: {error}") from error
            patched = json_patch(old, operations)
        else:
            patch = self._decode_json(request.body)
            patched = (strategic_merge_patch if content_type == STRATEGIC_PATCH else merge_patch)(old, patch)
        if not isinstance(patched, dict):
            raise bad_request("the patched object is not a JSON object")
        return 200, self._write_over(target, old, patched, dry_run)

    def _server_side_apply(self, target: Target, request: ApiRequest, dry_run: bool) -> tuple[int, dict[str, Any]]:
        if not request.query.get("fieldManager"):
            raise bad_request("PATCH " + request.path + ": fieldManager is required for apply requests")
        applied = self._decode_yaml(request.body)
        old = self.store.get(target.kind, target.namespace or "", target.name or "")
        if old is None:
            return 201, self._create(
                Target(target.kind, target.namespace, None, None),
                {**applied, "metadata": {**(applied.get("metadata") or {}), "name": target.name}},
                dry_run,
            )
        self._check_identity(target, applied)
        merged = apply_configuration(old, applied, target.kind.builtin)
        return 200, self._write_over(target, old, merged, dry_run)

    def _remove(self, target: Target, obj: dict[str, Any]) -> dict[str, Any]:
        metadata = obj["metadata"]
        self.store.remove(target.kind, metadata.get("namespace", ""), metadata["name"])
        if target.kind.kind == "Namespace":
            for kind in resources.KINDS:
                if kind.namespaced:
                    for child in self.store.list(kind, metadata["name"]):
                        self.store.remove(kind, metadata["name"], child["metadata"]["name"])
        deleted = copy.deepcopy(obj)
        deleted["metadata"]["resourceVersion"] = self.store.next_resource_version()
        return deleted

    def _delete(self, target: Target, body: bytes, dry_run: bool) -> dict[str, Any]:
        obj = self._existing(target)
        options = self._decode_json(body) if body.strip() else {}
        if dry_run or options.get("dryRun") == ["All"]:
            return obj
        deleted = self._remove(target, obj)
        self.controller.reconcile()
        return deleted

    def _delete_collection(self, target: Target, query: dict[str, str], dry_run: bool) -> dict[str, Any]:
        items = self._matching(target, query)
        if not dry_run:
            items = [self._remove(target, obj) for obj in items]
            self.controller.reconcile()
        return {
            "kind": target.kind.list_kind,
            "apiVersion": target.kind.group_version,
            "metadata": {"resourceVersion": self.store.resource_version},
            "items": items,
        }

    # -- start-up --------------------------------------------------------------------------------------------

    def ensure_object(self, obj: dict[str, Any]) -> bool:
        """Create ``obj`` through the normal write path unless it exists; Nodes keep the status they come with
        (there is no kubelet to post it). Returns whether it was created."""
        kind = resources.kind_by_name(obj["kind"])
        namespace = obj["metadata"].get("namespace")
        name = obj["metadata"]["name"]
        with self.store.lock:
            if self.store.get(kind, namespace or "", name) is not None:
                return False
            created = self._create(Target(kind, namespace, None, None), obj, dry_run=False)
            if kind.kind == "Node" and "status" in obj:
                self._write_over(
                    Target(kind, None, name, "status"),
                    created,
                    {**copy.deepcopy(created), "status": copy.deepcopy(obj["status"])},
                    dry_run=False,
                )
        return True

    def remove_object(self, kind_name: str, namespace: str, name: str) -> None:
        kind = resources.kind_by_name(kind_name)
        with self.store.lock:
            obj = self.store.get(kind, namespace, name)
            if obj is not None:
                self._remove(Target(kind, namespace or None, name, None), obj)
                self.controller.reconcile()
