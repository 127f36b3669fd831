"""The twin's own way of talking to its API server: HTTPS with the twin's CA, as one identity, stdlib only.

The twin seeds the cluster and plays the parts a real cluster has and the twin does not run (kubelet's node
registration, kube-proxy's watch of Services). It never imports the collection: it is the collection's oracle.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bgp_lb_twin.errors import TwinError

NAMESPACED_KINDS = {"ServiceAccount", "Service", "Deployment", "Role", "RoleBinding", "ConfigMap", "Secret"}
IRREGULAR_PLURALS = {"Endpoints": "endpoints"}
FIELD_MANAGER = "bgp-lb-twin"


class ApiError(TwinError):
    def __init__(self, method: str, path: str, code: int, body: dict[str, Any]) -> None:
        self.code = code
        self.body = body
        message = body.get("message") if isinstance(body, dict) else None
        super().__init__(f"{method} {path}: {code} {message or body}")


def object_path(obj: dict[str, Any]) -> str:
    """The REST path of a manifest's object, e.g. ``/apis/apps/v1/namespaces/default/deployments/nginx``."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    namespace = obj["metadata"].get("namespace") or ("default" if kind in NAMESPACED_KINDS else None)
    resource = IRREGULAR_PLURALS.get(kind, kind.lower() + "s")
    prefix = f"{base}/namespaces/{namespace}" if namespace else base
    return f"{prefix}/{resource}/{obj['metadata']['name']}"


@dataclass(frozen=True)
class Identity:
    """A bearer token, or a client certificate and key."""

    token: str | None = None
    cert: Path | None = None
    key: Path | None = None


class KubeClient:
    def __init__(self, url: str, ca: Path, identity: Identity, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self.identity = identity
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=str(ca))
        if identity.cert is not None:
            self.context.load_cert_chain(str(identity.cert), str(identity.key))

    @staticmethod
    def token_from_kubeconfig(path: Path) -> str:
        import yaml

        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return document["users"][0]["user"]["token"]

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        timeout: float | None = None,
    ) -> urllib.request.Request:
        headers = {"Accept": "application/json"}
        if self.identity.token:
            headers["Authorization"] = f"Bearer {self.identity.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        return urllib.request.Request(self.url + path, data=data, method=method, headers=headers)

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> dict[str, Any]:
        request = self._request(method, path, body, content_type)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                answer = json.loads(raw or b"{}")
            except ValueError:
                answer = {"message": raw.decode(errors="replace")[:300]}
            raise ApiError(method, path, error.code, answer) from None

    def get(self, path: str) -> dict[str, Any] | None:
        try:
            return self.call("GET", path)
        except ApiError as error:
            if error.code == 404:
                return None
            raise

    def create(self, obj: dict[str, Any], *, exist_ok: bool = True) -> dict[str, Any] | None:
        path = object_path(obj).rsplit("/", 1)[0]
        try:
            return self.call("POST", path, obj)
        except ApiError as error:
            if error.code == 409 and exist_ok:
                return None
            raise

    def apply(self, obj: dict[str, Any], *, subresource: str = "") -> dict[str, Any]:
        """Server-side apply as the twin's field manager (JSON is YAML, which apply-patch+yaml takes)."""
        query = urllib.parse.urlencode({"fieldManager": FIELD_MANAGER, "force": "true"})
        path = object_path(obj) + (f"/{subresource}" if subresource else "")
        return self.call("PATCH", f"{path}?{query}", obj, "application/apply-patch+yaml")

    def merge_patch(self, path: str, patch: dict[str, Any]) -> dict[str, Any]:
        return self.call("PATCH", path, patch, "application/merge-patch+json")

    def ready(self) -> bool:
        request = self._request("GET", "/readyz")
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def watch(self, path: str, resource_version: str, timeout_seconds: int = 60) -> Iterator[dict[str, Any]]:
        """Events of one watch request until the server ends it; ``ApiError`` 410 means: list again."""
        separator = "&" if "?" in path else "?"
        query = urllib.parse.urlencode(
            {
                "watch": "1",
                "resourceVersion": resource_version,
                "timeoutSeconds": str(timeout_seconds),
                "allowWatchBookmarks": "true",
            }
        )
        request = self._request("GET", f"{path}{separator}{query}")
        try:
            response = urllib.request.urlopen(request, context=self.context, timeout=timeout_seconds + 10)
        except urllib.error.HTTPError as error:
            raise ApiError("WATCH", path, error.code, json.loads(error.read() or b"{}")) from None
        with response:
            for line in response:
                if not line.strip():
                    continue
                event = json.loads(line)
                if event.get("type") == "ERROR":
                    status = event.get("object", {})
                    raise ApiError("WATCH", path, int(status.get("code", 500)), status)
                yield event
