"""Fixtures: one ControlPlane per test module on a free port, and a tiny HTTPS client for it."""

from __future__ import annotations

import json
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPSConnection
from pathlib import Path
from typing import Any

import pytest

from bgp_lb_twin.advertisement import NodeAdvertisement
from bgp_lb_twin.control_plane import ControlPlane, default_nodes


@dataclass
class Reply:
    code: int
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Client:
    """Raw HTTPS access, so tests see exactly the bytes and codes a client library would."""

    plane: ControlPlane
    token: str | None = None
    connection: HTTPSConnection | None = field(default=None, repr=False)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        query: dict[str, str] | None = None,
        token: str | None = "default",
    ) -> Reply:
        context = ssl.create_default_context(cafile=str(self.plane.ca_path))
        connection = HTTPSConnection("127.0.0.1", self.plane.port, context=context, timeout=10)
        headers = {"Accept": "application/json"}
        bearer = self.plane.token if token == "default" else token
        if bearer is not None:
            headers["Authorization"] = f"Bearer {bearer}"
        payload = None
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        try:
            connection.request(method, target, body=payload, headers=headers)
            response = connection.getresponse()
            return Reply(response.status, response.read())
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.call("POST", path, body, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> Reply:
        return self.call("PUT", path, body, **kwargs)

    def patch(self, path: str, body: Any, content_type: str = "application/merge-patch+json", **kwargs: Any) -> Reply:
        return self.call("PATCH", path, body, content_type=content_type, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)


@dataclass
class Recorder:
    calls: list[dict[str, NodeAdvertisement]] = field(default_factory=list)

    def __call__(self, advertisements: dict[str, NodeAdvertisement]) -> None:
        self.calls.append(advertisements)


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def plane(tmp_path_factory: pytest.TempPathFactory, recorder: Recorder) -> Iterator[ControlPlane]:
    state_dir = tmp_path_factory.mktemp("twin-state")
    control_plane = ControlPlane(state_dir, default_nodes(3), port=0, on_advertisement=recorder)
    control_plane.start()
    yield control_plane
    control_plane.stop()


@pytest.fixture(scope="module")
def client(plane: ControlPlane) -> Client:
    return Client(plane)


def audit_entries(plane: ControlPlane) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(plane.audit_path).read_text().splitlines()]


POOLS = "/apis/projectcalico.org/v3/ippools"
SERVICES = "/api/v1/namespaces/default/services"


def lb_pool(name: str = "loadbalancer-ip-pool", cidr: str = "172.16.0.240/28", **spec: Any) -> dict[str, Any]:
    block_size = int(cidr.rsplit("/", 1)[1])
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "IPPool",
        "metadata": {"name": name},
        "spec": {
            "cidr": cidr,
            "blockSize": block_size,
            "natOutgoing": True,
            "allowedUses": ["LoadBalancer"],
            "assignmentMode": "Automatic",
            **spec,
        },
    }


def lb_service(name: str, annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": "default"}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "nginx"},
            "ports": [{"port": 80, "targetPort": 80}],
            **spec,
        },
    }


def ingress_ip(service: dict[str, Any]) -> str | None:
    ingress = service.get("status", {}).get("loadBalancer", {}).get("ingress") or []
    return ingress[0]["ip"] if ingress else None
