"""Make a fresh API server into what a Calico operator install leaves behind, before any component starts.

Calico's CRDs and RBAC come from the release that was built (its ``manifests/``), not from us; so do the
aggregated API's ClusterRoles. Every component then gets its own credentials: a service-account token from the
TokenRequest API (the way pods get theirs), or a client certificate for users that are not service accounts.
"""

from __future__ import annotations

import base64
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from bgp_lb_twin.cluster.layout import (
    ADMIN_USER,
    CALICO_API_NAMESPACE,
    CALICO_API_SERVICE,
    KUBE_PROXY,
    SERVICE_ACCOUNTS,
    ClusterLayout,
    Ports,
    ServiceAccountIdentity,
)
from bgp_lb_twin.kube import Identity, KubeClient
from bgp_lb_twin.pki import write_private

TOKEN_SECONDS = 7 * 24 * 3600
RBAC_KINDS = {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}
APPLY_WORKERS = 8


def admin_token(layout: ClusterLayout) -> str:
    """The person's token: kept across `down`/`up` so kubeconfigs already handed out stay valid."""
    try:
        token = layout.admin_token.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    if not token:
        token = secrets.token_urlsafe(32)
        write_private(layout.admin_token, (token + "\n").encode())
    return token


def write_token_file(layout: ClusterLayout) -> str:
    """kube-apiserver's static tokens: only the person's cluster-admin; components never use it."""
    token = admin_token(layout)
    layout.token_file.parent.mkdir(parents=True, exist_ok=True)
    write_private(layout.token_file, f'{token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n'.encode())
    return token


def render_kubeconfig(url: str, ca: Path, user: dict[str, str], name: str) -> str:
    ca_data = base64.b64encode(ca.read_bytes()).decode("ascii")
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "twin-k01", "cluster": {"server": url, "certificate-authority-data": ca_data}}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": "twin-k01", "context": {"cluster": "twin-k01", "user": name, "namespace": "default"}}],
        "current-context": "twin-k01",
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_kubeconfig(path: Path, url: str, ca: Path, user: dict[str, str], name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, render_kubeconfig(url, ca, user, name).encode())


def bootstrap_client(layout: ClusterLayout, url: str) -> KubeClient:
    pki = layout.pki
    return KubeClient(url, pki.ca, Identity(cert=pki.cert("bootstrap-admin"), key=pki.key("bootstrap-admin")))


def _documents(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [document for document in yaml.safe_load_all(handle) if document]


def calico_crds(calico_data: Path) -> list[dict[str, Any]]:
    return [doc for doc in _documents(calico_data / "crds.yaml") if doc["kind"] == "CustomResourceDefinition"]


def calico_rbac(calico_data: Path) -> list[dict[str, Any]]:
    """The ServiceAccounts, ClusterRoles and bindings of Calico's manifests, for the components the twin runs."""
    wanted = {"calico-node", "calico-kube-controllers", "calico-apiserver"}
    documents = []
    for manifest in ("calico.yaml", "apiserver.yaml"):
        for doc in _documents(calico_data / manifest):
            if doc["kind"] not in RBAC_KINDS:
                continue
            subjects = {subject.get("name") for subject in doc.get("subjects", [])}
            name = doc["metadata"]["name"]
            if doc["kind"] == "ServiceAccount" and name not in wanted:
                continue
            if doc["kind"].endswith("Binding") and not subjects & wanted:
                continue
            documents.append(doc)
    roles_needed = {doc["roleRef"]["name"] for doc in documents if doc["kind"].endswith("Binding")}
    return [doc for doc in documents if doc["kind"] != "ClusterRole" or doc["metadata"]["name"] in roles_needed]


def kube_proxy_rbac() -> list[dict[str, Any]]:
    """kubeadm's binding of the built-in system:node-proxier role to kube-proxy's service account."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": KUBE_PROXY.name, "namespace": "kube-system"},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "kubeadm:node-proxier"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:node-proxier"},
            "subjects": [{"kind": "ServiceAccount", "name": KUBE_PROXY.name, "namespace": "kube-system"}],
        },
    ]


def aggregated_api(layout: ClusterLayout, calico_data: Path, ports: Ports) -> list[dict[str, Any]]:
    """Calico's APIService, pointed at the process on loopback through an ExternalName Service."""
    (service,) = [doc for doc in _documents(calico_data / "apiserver.yaml") if doc["kind"] == "APIService"]
    service["spec"]["service"]["port"] = ports.calico_api
    service["spec"]["caBundle"] = base64.b64encode(layout.pki.ca.read_bytes()).decode("ascii")
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": CALICO_API_SERVICE, "namespace": CALICO_API_NAMESPACE},
            "spec": {
                "type": "ExternalName",
                "externalName": "localhost",
                "ports": [{"name": "apiserver", "port": ports.calico_api, "protocol": "TCP"}],
            },
        },
        service,
    ]


def namespaces() -> list[dict[str, Any]]:
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        for name in ("calico-system", CALICO_API_NAMESPACE)
    ]


def apply_all(client: KubeClient, documents: list[dict[str, Any]]) -> None:
    """Independent objects in parallel: a few dozen round trips cost about one."""
    with ThreadPoolExecutor(max_workers=APPLY_WORKERS) as pool:
        list(pool.map(client.apply, documents))


def request_token(client: KubeClient, account: ServiceAccountIdentity) -> str:
    path = f"/api/v1/namespaces/{account.namespace}/serviceaccounts/{account.name}/token"
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": TOKEN_SECONDS},
    }
    return client.call("POST", path, request)["status"]["token"]


def write_component_kubeconfigs(layout: ClusterLayout, client: KubeClient, url: str) -> dict[str, str]:
    """One kubeconfig per component with its own service-account token; returns component -> token."""

    def one(account: ServiceAccountIdentity) -> str:
        token = request_token(client, account)
        write_kubeconfig(layout.kubeconfig(account.component), url, layout.pki.ca, {"token": token}, account.username)
        return token

    with ThreadPoolExecutor(max_workers=len(SERVICE_ACCOUNTS)) as pool:
        tokens = list(pool.map(one, SERVICE_ACCOUNTS))
    return {account.component: token for account, token in zip(SERVICE_ACCOUNTS, tokens)}


def bootstrap(layout: ClusterLayout, calico_data: Path, url: str, ports: Ports) -> dict[str, str]:
    """CRDs, RBAC, identities and the APIService; returns each component's service-account token."""
    client = bootstrap_client(layout, url)
    apply_all(client, namespaces())
    apply_all(client, calico_crds(calico_data) + calico_rbac(calico_data) + kube_proxy_rbac())
    tokens = write_component_kubeconfigs(layout, client, url)
    apply_all(client, aggregated_api(layout, calico_data, ports))
    return tokens
