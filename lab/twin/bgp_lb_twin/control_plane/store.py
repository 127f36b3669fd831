"""In-memory object store with a global resourceVersion counter and an optional JSON snapshot.

The store knows nothing about HTTP or kinds' semantics: it keeps objects, hands out resourceVersions and
persists itself. Callers hold ``store.lock`` across read-modify-write sequences.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from .resources import ResourceKind

ObjectKey = tuple[str, str]  # (namespace or "", name)
SNAPSHOT_VERSION = 1


def _kind_key(kind: ResourceKind) -> str:
    return f"{kind.group}/{kind.plural}"


class Store:
    def __init__(self, snapshot_path: Path | None = None) -> None:
        self.lock = threading.RLock()
        self._objects: dict[str, dict[ObjectKey, dict[str, Any]]] = {}
        self._resource_version = 0
        self._snapshot_path = snapshot_path

    # -- reads ------------------------------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        return str(self._resource_version)

    def get(self, kind: ResourceKind, namespace: str, name: str) -> dict[str, Any] | None:
        """The stored object itself: callers must copy before changing it."""
        return self._objects.get(_kind_key(kind), {}).get((namespace, name))

    def list(self, kind: ResourceKind, namespace: str | None = None) -> list[dict[str, Any]]:
        objects = self._objects.get(_kind_key(kind), {})
        return [objects[key] for key in sorted(objects) if namespace is None or key[0] == namespace]

    # -- writes -----------------------------------------------------------------------------------------------

    def next_resource_version(self) -> str:
        self._resource_version += 1
        return str(self._resource_version)

    def put(self, kind: ResourceKind, obj: dict[str, Any]) -> dict[str, Any]:
        metadata = obj["metadata"]
        self._objects.setdefault(_kind_key(kind), {})[(metadata.get("namespace", ""), metadata["name"])] = obj
        self._save()
        return obj

    def remove(self, kind: ResourceKind, namespace: str, name: str) -> None:
        self._objects.get(_kind_key(kind), {}).pop((namespace, name), None)
        self._save()

    # -- persistence ------------------------------------------------------------------------------------------

    def _save(self) -> None:
        """Atomic snapshot so a restarted control plane keeps objects and a monotonic resourceVersion."""
        if self._snapshot_path is None:
            return
        document = {
            "version": SNAPSHOT_VERSION,
            "resourceVersion": self._resource_version,
            "objects": {key: list(objects.values()) for key, objects in self._objects.items()},
        }
        temporary = self._snapshot_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document), encoding="utf-8")
        os.replace(temporary, self._snapshot_path)

    def load(self) -> bool:
        """Restore the snapshot if there is one; returns whether anything was loaded."""
        if self._snapshot_path is None or not self._snapshot_path.is_file():
            return False
        document = json.loads(self._snapshot_path.read_text(encoding="utf-8"))
        if document.get("version") != SNAPSHOT_VERSION:
            return False
        self._resource_version = int(document["resourceVersion"])
        self._objects = {
            key: {(obj["metadata"].get("namespace", ""), obj["metadata"]["name"]): obj for obj in objects}
            for key, objects in document["objects"].items()
        }
        return True

    def snapshot_copy(self, kind: ResourceKind) -> list[dict[str, Any]]:
        return copy.deepcopy(self.list(kind))


def timestamp() -> str:
    """RFC 3339 in UTC at second precision, the way Kubernetes writes metadata times."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
