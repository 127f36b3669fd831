"""The kubeconfig clients use: the twin's CA embedded, a bearer token, one context."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import yaml

CLUSTER_NAME = "twin-k01"
USER_NAME = "twin-admin"
CONTEXT_NAME = "twin-k01"


def render(server_url: str, ca_pem: bytes, token: str) -> str:
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "cluster": {
                    "server": server_url,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode("ascii"),
                },
            }
        ],
        "users": [{"name": USER_NAME, "user": {"token": token}}],
        "contexts": [
            {"name": CONTEXT_NAME, "context": {"cluster": CLUSTER_NAME, "user": USER_NAME, "namespace": "default"}}
        ],
        "current-context": CONTEXT_NAME,
    }
    return yaml.safe_dump(document, sort_keys=False)


def write(path: Path, server_url: str, ca_pem: bytes, token: str) -> Path:
    """0600 and atomic: the file carries a credential and clients may read it while we rewrite it."""
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(render(server_url, ca_pem, token))
    os.replace(temporary, path)
    return path
