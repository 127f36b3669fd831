# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the collection's own Kubernetes reads go, and why one failed, in words.

Pure Python (no Ansible imports). kubernetes.core's ``k8s`` lookup takes no request timeout, so a kube-apiserver that
accepts the connection and then says nothing holds a run forever; the collection's reads (action ``k8s_read``) bound
every request and turn each way a request can fail into one sentence that names the API server's URL.
"""

from __future__ import annotations

from typing import Optional

# (apiVersion, kind) -> the resource's plural, for the objects the collection reads.
RESOURCES = {
    ("v1", "Node"): "nodes",
    ("v1", "Service"): "services",
    ("projectcalico.org/v3", "IPPool"): "ippools",
    ("projectcalico.org/v3", "BGPPeer"): "bgppeers",
    ("projectcalico.org/v3", "BGPConfiguration"): "bgpconfigurations",
}


def resource_path(api_version: str, kind: str, namespace: Optional[str] = None, name: Optional[str] = None) -> str:
    """The REST path of a list (no name) or of one object; raises ValueError for a kind the collection does not read."""
    plural = RESOURCES.get((api_version, kind))
    if plural is None:
        known = ", ".join(f"{kind} ({version})" for version, kind in RESOURCES)
        raise ValueError(f"{kind} ({api_version}) is not a kind the collection reads: {known}")
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    scope = f"/namespaces/{namespace}" if namespace else ""
    return f"{base}{scope}/{plural}" + (f"/{name}" if name else "")


def no_answer(server: str, seconds: float) -> str:
    return f"the Kubernetes API at {server} did not answer within {seconds:g} s"


def refused_connection(server: str) -> str:
    return f"the API server does not answer at {server} (no connection)"


def http_refusal(server: str, status: int, path: str) -> str:
    if status == 401:
        return (
            "the API server rejected the credentials (401 Unauthorized); check the user's token or client certificate"
        )
    if status == 403:
        return f"the user may not read {path} (403 Forbidden); grant the ClusterRole in docs/rbac.yaml"
    return f"the Kubernetes API at {server} answered HTTP {status} for {path}"


def untrusted_certificate(server: str) -> str:
    return (
        f"the API server's TLS certificate at {server} does not verify against the kubeconfig's certificate-authority "
        "(verification stays on: fix the CA, do not skip it)"
    )
