"""The control plane's daemons: how each is started, and the flags that make it behave like the lab's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bgp_lb_twin import bird, daemons
from bgp_lb_twin.cluster.layout import (
    API_HOST,
    FRONT_PROXY_CLIENT,
    SERVICE_ACCOUNT_ISSUER,
    SERVICE_CIDR,
    ClusterLayout,
    Ports,
)
from bgp_lb_twin.components import Installed

ETCD = "etcd"
KUBE_APISERVER = "kube-apiserver"
CALICO_APISERVER = "calico-apiserver"
KUBE_CONTROLLERS = "calico-kube-controllers"
CONTROL_PLANE_DAEMONS = (ETCD, KUBE_APISERVER, CALICO_APISERVER, KUBE_CONTROLLERS)

# Level Metadata for everything, RequestResponse for writes to the objects the collection manages: tests read
# what was sent (dryRun, field managers) from kube-apiserver's own audit log, nothing from us.
AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
- level: Request
  verbs: [create, update, patch, delete, deletecollection]
  resources:
  - group: projectcalico.org
  - group: ""
    resources: [services]
- level: Metadata
"""


def confd_name(node: str) -> str:
    return f"confd-{node}"


def write_audit_policy(layout: ClusterLayout) -> None:
    layout.audit_policy.parent.mkdir(parents=True, exist_ok=True)
    layout.audit_policy.write_text(AUDIT_POLICY, encoding="utf-8")


def start_etcd(layout: ClusterLayout, installed: Installed, ports: Ports) -> None:
    """A fresh single-member etcd over mutual TLS on loopback (the lab after its deploy script starts empty)."""
    shutil.rmtree(layout.etcd_data, ignore_errors=True)
    layout.etcd_data.mkdir(parents=True)
    layout.etcd_data.chmod(0o700)
    pki = layout.pki
    client_url = f"https://{API_HOST}:{ports.etcd_client}"
    peer_url = f"http://{API_HOST}:{ports.etcd_peer}"
    argv = [
        str(installed["etcd"]),
        "--name=twin",
        f"--data-dir={layout.etcd_data}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=twin={peer_url}",
        f"--cert-file={pki.cert('etcd-server')}",
        f"--key-file={pki.key('etcd-server')}",
        f"--trusted-ca-file={pki.ca}",
        "--client-cert-auth",
        "--log-level=warn",
        # A lab's etcd: small, and no fsync per write (the twin is rebuilt on every `up` anyway).
        "--unsafe-no-fsync",
        "--quota-backend-bytes=268435456",
    ]
    daemons.spawn(layout.paths, ETCD, argv)


def start_kube_apiserver(layout: ClusterLayout, installed: Installed, ports: Ports) -> None:
    """Flags as kubeadm sets them for the lab's control plane, minus what needs a kubelet or a cloud."""
    pki = layout.pki
    argv = [
        str(installed["kube-apiserver"]),
        f"--etcd-servers=https://{API_HOST}:{ports.etcd_client}",
        f"--etcd-cafile={pki.ca}",
        f"--etcd-certfile={pki.cert('apiserver-etcd-client')}",
        f"--etcd-keyfile={pki.key('apiserver-etcd-client')}",
        f"--bind-address={API_HOST}",
        f"--secure-port={ports.api}",
        f"--advertise-address={API_HOST}",
        # Loopback is refused in Endpoints; without a kubelet nothing else could use the kubernetes Service anyway.
        "--endpoint-reconciler-type=none",
        f"--service-cluster-ip-range={SERVICE_CIDR}",
        f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
        f"--service-account-signing-key-file={pki.service_account_key}",
        f"--service-account-key-file={pki.service_account_public_key}",
        f"--client-ca-file={pki.ca}",
        f"--tls-cert-file={pki.cert('apiserver')}",
        f"--tls-private-key-file={pki.key('apiserver')}",
        f"--token-auth-file={layout.token_file}",
        "--authorization-mode=Node,RBAC",
        # ValidatingAdmissionPolicy is on by default since v1.30 (`kube-apiserver -h` lists the default plugins);
        # named here because the tests load the cluster owners' policies into it.
        "--enable-admission-plugins=NodeRestriction,ValidatingAdmissionPolicy",
        "--allow-privileged=true",
        # The aggregation layer, for the Calico API server (kubeadm's front-proxy settings).
        f"--requestheader-client-ca-file={pki.front_proxy_ca}",
        f"--requestheader-allowed-names={FRONT_PROXY_CLIENT}",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        f"--proxy-client-cert-file={pki.cert(FRONT_PROXY_CLIENT)}",
        f"--proxy-client-key-file={pki.key(FRONT_PROXY_CLIENT)}",
        f"--audit-log-path={layout.audit_log}",
        f"--audit-policy-file={layout.audit_policy}",
        "--audit-log-format=json",
        "--audit-log-mode=blocking",  # a test reads the log right after its request returns
        "--profiling=false",
    ]
    daemons.spawn(layout.paths, KUBE_APISERVER, argv)


def _calico_env(kubeconfig: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TZ")}
    env.update({"DATASTORE_TYPE": "kubernetes", "KUBECONFIG": str(kubeconfig), **extra})
    return env


def start_calico_apiserver(layout: ClusterLayout, installed: Installed, ports: Ports) -> None:
    """Calico's aggregated API server: projectcalico.org/v3 with Calico's validation, stored in the v1 CRDs."""
    kubeconfig = layout.kubeconfig("calico-apiserver")
    pki = layout.pki
    argv = [
        str(installed["calico-apiserver"]),
        f"--secure-port={ports.calico_api}",
        f"--bind-address={API_HOST}",
        f"--tls-cert-file={pki.cert('calico-apiserver')}",
        f"--tls-private-key-file={pki.key('calico-apiserver')}",
        f"--kubeconfig={kubeconfig}",
        f"--authentication-kubeconfig={kubeconfig}",
        f"--authorization-kubeconfig={kubeconfig}",
        f"--cert-dir={layout.root / 'calico-apiserver-certs'}",
    ]
    daemons.spawn(layout.paths, CALICO_APISERVER, argv, env=_calico_env(kubeconfig), cwd=layout.root)


def start_kube_controllers(layout: ClusterLayout, installed: Installed) -> None:
    """calico-kube-controllers with the controllers an operator install enables, LoadBalancer IPAM among them."""
    kubeconfig = layout.kubeconfig("calico-kube-controllers")
    env = _calico_env(kubeconfig, ENABLED_CONTROLLERS="node,loadbalancer", LOG_LEVEL="info")
    status = layout.root / "kube-controllers-status.json"
    argv = [str(installed["calico-kube-controllers"]), f"-status-file={status}"]
    daemons.spawn(layout.paths, KUBE_CONTROLLERS, argv, env=env, cwd=layout.root)


def start_confd(layout: ClusterLayout, installed: Installed, node: str) -> None:
    """calico-node's confd for one node: renders that node's BIRD 1.x configuration from the datastore.

    It runs in the root namespace (it only talks to the API server on loopback); BIRD runs in the node's namespace.
    """
    kubeconfig = layout.kubeconfig("calico-node")
    confdir = bird.confd_dir(layout.paths, node)
    env = _calico_env(
        kubeconfig,
        NODENAME=node,
        CALICO_NETWORKING_BACKEND="bird",
        BGP_LOGSEVERITYSCREEN="info",
        # Felix's endpoint-status directory (for local BGP peers), which the twin does not have: keep it private.
        CALICO_ENDPOINT_STATUS_PATH_PREFIX=str(confdir / "status"),
    )
    argv = [str(installed["confd"]), f"-confdir={confdir}"]
    daemons.spawn(layout.paths, confd_name(node), argv, env=env, cwd=confdir)
