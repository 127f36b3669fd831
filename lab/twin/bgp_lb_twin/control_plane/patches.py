"""The three PATCH flavours and server-side apply, as pure functions over JSON-like data.

Inputs are never mutated: every function returns a new document.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError, bad_request

# Strategic merge: lists of objects that merge element-wise by a key instead of being replaced (the subset of
# patchMergeKey annotations from the Kubernetes API types that our kinds carry).
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "addresses": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
}
# Lists of scalars that strategic merge unions instead of replacing.
_PRIMITIVE_MERGE_LISTS = {"finalizers"}
_DIRECTIVE = "$patch"
_DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/"
_IGNORED_DIRECTIVE_PREFIXES = ("$setElementOrder/", "$retainKeys")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---- RFC 6902 JSON patch --------------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f'json patch path "{path}" must start with "/"')
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _container(document: Any, parts: list[str], path: str) -> Any:
    node = document
    for part in parts:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError) as error:
            raise ApiError(422, f'json patch: path "{path}" does not exist', "Invalid") from error
    return node


def _list_index(container: list[Any], part: str, path: str, for_insert: bool) -> int:
    if part == "-" and for_insert:
        return len(container)
    try:
        index = int(part)
    except ValueError as error:
        raise ApiError(422, f'json patch: "{part}" is not a list index in "{path}"', "Invalid") from error
    limit = len(container) if for_insert else len(container) - 1
    if not 0 <= index <= limit:
        raise ApiError(422, f'json patch: index {index} out of range in "{path}"', "Invalid")
    return index


def _add(document: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return copy.deepcopy(value)
    parent = _container(document, parts[:-1], path)
    if isinstance(parent, list):
        parent.insert(_list_index(parent, parts[-1], path, for_insert=True), copy.deepcopy(value))
    elif isinstance(parent, dict):
        parent[parts[-1]] = copy.deepcopy(value)
    else:
        raise ApiError(422, f'json patch: parent of "{path}" is not an object or list', "Invalid")
    return document


def _remove(document: Any, path: str) -> tuple[Any, Any]:
    parts = _pointer(path)
    if not parts:
        raise ApiError(422, "json patch: cannot remove the whole document", "Invalid")
    parent = _container(document, parts[:-1], path)
    if isinstance(parent, list):
        return document, parent.pop(_list_index(parent, parts[-1], path, for_insert=False))
    if isinstance(parent, dict) and parts[-1] in parent:
        return document, parent.pop(parts[-1])
    raise ApiError(422, f'json patch: path "{path}" does not exist', "Invalid")


def json_patch(target: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise bad_request("json patch body must be a list of operations")
    document = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise bad_request(f"json patch operation {operation!r} needs 'op' and 'path'")
        op, path = operation["op"], operation["path"]
        if op == "add":
            document = _add(document, path, operation.get("value"))
        elif op == "remove":
            document, _ = _remove(document, path)
        elif op == "replace":
            document, _ = _remove(document, path)
            document = _add(document, path, operation.get("value"))
        elif op in ("move", "copy"):
            source = operation.get("from", "")
            if op == "move":
                document, value = _remove(document, source)
            else:
                value = copy.deepcopy(_container(document, _pointer(source), source))
            document = _add(document, path, value)
        elif op == "test":
            if _container(document, _pointer(path), path) != operation.get("value"):
                raise ApiError(422, f'json patch: test failed at "{path}"', "Invalid")
        else:
            raise bad_request(f'json patch: unknown op "{op}"')
    return document


# ---- strategic merge patch -------------------------------------------------------------------------------


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        # container ports merge on containerPort, Service ports on port (same field name, different types)
        sample = next((item for item in items if isinstance(item, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return _MERGE_KEYS.get(field)


def _merge_keyed_list(field: str, target: list[Any], patch: list[Any], key: str) -> list[Any]:
    result = copy.deepcopy(target)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise bad_request(f"strategic merge patch: element of {field} lacks merge key {key!r}")
        position = next(
            (i for i, old in enumerate(result) if isinstance(old, dict) and old.get(key) == item[key]), None
        )
        directive = item.get(_DIRECTIVE)
        if directive == "delete":
            if position is not None:
                result.pop(position)
            continue
        if position is None:
            result.append(strategic_merge_patch({}, item))
        else:
            result[position] = strategic_merge_patch(result[position], item)
    return result


def _merge_list(field: str, target: Any, patch: list[Any]) -> list[Any]:
    if not isinstance(target, list):
        target = []
    if field in _PRIMITIVE_MERGE_LISTS:
        return list(target) + [item for item in patch if item not in target]
    key = _merge_key(field, patch or target)
    if key is None:
        return [strategic_merge_patch({}, item) if isinstance(item, dict) else copy.deepcopy(item) for item in patch]
    return _merge_keyed_list(field, target, patch, key)


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Merge patch plus keyed list merging and the ``$patch``/``$deleteFromPrimitiveList`` directives.

    ``$setElementOrder`` and ``$retainKeys`` (sent by kubectl) are accepted and ignored: ordering of merged
    lists follows the stored order with new elements appended.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get(_DIRECTIVE)
    body = {key: value for key, value in patch.items() if key != _DIRECTIVE}
    if directive == "replace":
        return strategic_merge_patch({}, body)
    if directive == "delete":
        return {}
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in body.items():
        if key.startswith(_IGNORED_DIRECTIVE_PREFIXES):
            continue
        if key.startswith(_DELETE_FROM_PRIMITIVE):
            field = key[len(_DELETE_FROM_PRIMITIVE) :]
            result[field] = [item for item in result.get(field, []) if item not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(key, result.get(key), value)
        elif isinstance(value, dict):
            result[key] = strategic_merge_patch(result.get(key), value)
        else:
            result[key] = value
    return result


def apply_configuration(existing: dict[str, Any], applied: dict[str, Any], builtin: bool) -> dict[str, Any]:
    """Server-side apply without field ownership: the applied configuration wins for every field it sets.

    Built-in kinds merge keyed lists like strategic merge; custom resources replace lists atomically (the
    default list type of a CRD schema).
    """
    if builtin:
        return strategic_merge_patch(existing, applied)
    return merge_patch(existing, applied)
