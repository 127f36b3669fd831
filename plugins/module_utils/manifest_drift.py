# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which fields of a manifest a live Kubernetes object does not hold yet.

Pure Python (no Ansible imports). Server-side apply of a manifest whose every field the live object already holds
with the same value changes nothing; the roles read the objects anyway (to validate), so they skip such an apply
and save a module run. Fields the server or other managers add (status, nodePort, clusterIP, managedFields, other
annotations) are not drift: only what the manifest states is compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional


def manifest_drift(live: Any, wanted: Mapping[str, Any]) -> list[str]:
    """Dotted paths of the fields of ``wanted`` that ``live`` lacks or holds with another value; [] when applied.

    ``live`` None or empty (the object does not exist) drifts as a whole: ``["."]``. Lists must have the same length
    and drift item by item (a list item that is a mapping may hold more fields than wanted, as a port with nodePort).
    """
    if not live:
        return ["."]
    return _drift(live, wanted, "")


def identity(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """(kind, namespace, name): what matches a manifest to the live object it would write."""
    metadata = obj.get("metadata") or {}
    return obj.get("kind", ""), metadata.get("namespace") or "", metadata.get("name", "")


def live_object(wanted: Mapping[str, Any], objects: Iterable[Any]) -> Optional[Mapping[str, Any]]:
    """The object among ``objects`` (as read from the cluster) that ``wanted`` would write; None when none is."""
    return next((obj for obj in objects if obj and identity(obj) == identity(wanted)), None)


def drifted_manifests(manifests: Iterable[Mapping[str, Any]], objects: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The manifests whose write would change something: the object is missing or lacks a field's value."""
    objects = list(objects)
    return [wanted for wanted in manifests if manifest_drift(live_object(wanted, objects), wanted)]


def _drift(live: Any, wanted: Any, path: str) -> list[str]:
    if isinstance(wanted, Mapping):
        if not isinstance(live, Mapping):
            return [path or "."]
        drift: list[str] = []
        for key, value in wanted.items():
            where = f"{path}.{key}" if path else str(key)
            drift += [where] if key not in live else _drift(live[key], value, where)
        return drift
    if isinstance(wanted, Sequence) and not isinstance(wanted, str):
        if not isinstance(live, Sequence) or isinstance(live, str) or len(live) != len(wanted):
            return [path]
        return [where for index, item in enumerate(wanted) for where in _drift(live[index], item, f"{path}[{index}]")]
    return [] if live == wanted else [path]
