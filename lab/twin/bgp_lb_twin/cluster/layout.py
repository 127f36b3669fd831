"""Where the control plane keeps its state under ``.twin/``, which ports it uses, and the identities in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bgp_lb_twin.paths import TwinPaths
from bgp_lb_twin.pki import CLIENT, SERVER, CertificateSpec, Pki

API_HOST = "127.0.0.1"
SERVICE_CIDR = "10.96.0.0/16"  # the seed's (kind's default)
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"

ADMIN_USER = "twin-admin"  # the person and the collection: .twin/kubeconfig
BOOTSTRAP_USER = "kubernetes-admin"  # the twin's own seeding, as kubeadm's admin.conf (never the person's token)
FRONT_PROXY_CLIENT = "front-proxy-client"
CALICO_API_NAMESPACE = "calico-apiserver"
CALICO_API_SERVICE = "calico-api"


@dataclass(frozen=True)
class ServiceAccountIdentity:
    """A twin component that authenticates as a service account, as it would in a real cluster."""

    component: str
    namespace: str
    name: str

    @property
    def username(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


# Calico's own manifests (manifests/calico.yaml, manifests/apiserver.yaml of the release) bind their ClusterRoles
# to these accounts; kubeadm binds system:node-proxier to kube-system/kube-proxy.
CALICO_APISERVER = ServiceAccountIdentity("calico-apiserver", CALICO_API_NAMESPACE, "calico-apiserver")
CALICO_KUBE_CONTROLLERS = ServiceAccountIdentity("calico-kube-controllers", "kube-system", "calico-kube-controllers")
CALICO_NODE = ServiceAccountIdentity("calico-node", "kube-system", "calico-node")
KUBE_PROXY = ServiceAccountIdentity("kube-proxy", "kube-system", "kube-proxy")
SERVICE_ACCOUNTS = (CALICO_APISERVER, CALICO_KUBE_CONTROLLERS, CALICO_NODE, KUBE_PROXY)


@dataclass(frozen=True)
class Ports:
    """One block of loopback ports, moved together by ``--api-port``."""

    api: int

    @property
    def calico_api(self) -> int:
        return self.api + 1

    @property
    def etcd_client(self) -> int:
        return self.api + 2

    @property
    def etcd_peer(self) -> int:
        return self.api + 3

    def all(self) -> dict[str, int]:
        return {
            "kube-apiserver": self.api,
            "calico-apiserver": self.calico_api,
            "etcd (clients)": self.etcd_client,
            "etcd (peers)": self.etcd_peer,
        }


class ClusterLayout:
    def __init__(self, paths: TwinPaths) -> None:
        self.paths = paths
        self.root = paths.state_dir / "cluster"
        self.pki = Pki(paths.state_dir / "pki")

    @property
    def etcd_data(self) -> Path:
        return self.root / "etcd"

    @property
    def token_file(self) -> Path:
        return self.root / "tokens.csv"

    @property
    def admin_token(self) -> Path:
        return self.paths.state_dir / "token"

    @property
    def audit_policy(self) -> Path:
        return self.root / "audit-policy.yaml"

    @property
    def audit_log(self) -> Path:
        return self.paths.state_dir / "audit.jsonl"

    @property
    def admin_kubeconfig(self) -> Path:
        return self.paths.state_dir / "kubeconfig"

    def kubeconfig(self, component: str) -> Path:
        return self.root / "kubeconfigs" / f"{component}.kubeconfig"

    @property
    def info(self) -> Path:
        """What clients need (URL, CA, admin token, versions), written once the control plane answers."""
        return self.paths.state_dir / "cluster.json"

    def certificate_specs(self, node_names: list[str]) -> list[CertificateSpec]:
        specs = [
            CertificateSpec(
                "apiserver",
                "kube-apiserver",
                hosts=(
                    "localhost",
                    "kubernetes",
                    "kubernetes.default",
                    "kubernetes.default.svc",
                    "kubernetes.default.svc.cluster.local",
                    API_HOST,
                    "10.96.0.1",
                ),
            ),
            CertificateSpec("etcd-server", "etcd", hosts=("localhost", API_HOST), usages=SERVER + CLIENT),
            CertificateSpec("apiserver-etcd-client", "kube-apiserver-etcd-client", usages=CLIENT),
            CertificateSpec(FRONT_PROXY_CLIENT, FRONT_PROXY_CLIENT, usages=CLIENT, issuer="front-proxy-ca"),
            # The aggregator verifies the Service's DNS name, whatever address the Service resolves to.
            CertificateSpec(
                "calico-apiserver",
                f"{CALICO_API_SERVICE}.{CALICO_API_NAMESPACE}.svc",
                hosts=(
                    f"{CALICO_API_SERVICE}.{CALICO_API_NAMESPACE}.svc",
                    f"{CALICO_API_SERVICE}.{CALICO_API_NAMESPACE}",
                    "localhost",
                    API_HOST,
                ),
            ),
            CertificateSpec("bootstrap-admin", BOOTSTRAP_USER, organizations=("system:masters",), usages=CLIENT),
        ]
        specs += [
            CertificateSpec(f"kubelet-{name}", f"system:node:{name}", organizations=("system:nodes",), usages=CLIENT)
            for name in node_names
        ]
        return specs
