"""The cluster PKI: certificates that chain to the right CA, carry the right names, and survive a second `up`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from bgp_lb_twin.cluster.layout import ClusterLayout
from bgp_lb_twin.paths import TwinPaths

NODES = ["k01-control-plane", "k01-worker"]


@pytest.fixture
def layout(tmp_path: Path) -> ClusterLayout:
    layout = ClusterLayout(TwinPaths(tmp_path))
    layout.pki.ensure(layout.certificate_specs(NODES))
    return layout


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def alt_names(cert: x509.Certificate) -> set[str]:
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} | set(names.get_values_for_type(x509.DNSName))


@pytest.mark.parametrize(
    ("name", "issuer"),
    [
        pytest.param("apiserver", "ca", id="apiserver-by-cluster-ca"),
        pytest.param("etcd-server", "ca", id="etcd-by-cluster-ca"),
        pytest.param("calico-apiserver", "ca", id="calico-api-by-cluster-ca"),
        pytest.param("kubelet-k01-worker", "ca", id="kubelet-by-cluster-ca"),
        pytest.param("front-proxy-client", "front-proxy-ca", id="front-proxy-by-its-own-ca"),
    ],
)
def test_certificates_chain_to_their_ca(layout: ClusterLayout, name: str, issuer: str) -> None:
    load(layout.pki.cert(name)).verify_directly_issued_by(load(layout.pki.cert(issuer)))


def test_api_server_certificate_names_every_way_clients_reach_it(layout: ClusterLayout) -> None:
    assert {"127.0.0.1", "localhost", "kubernetes.default.svc", "10.96.0.1"} <= alt_names(
        load(layout.pki.cert("apiserver"))
    )


def test_calico_api_certificate_names_the_service_the_aggregator_verifies(layout: ClusterLayout) -> None:
    assert "calico-api.calico-apiserver.svc" in alt_names(load(layout.pki.cert("calico-apiserver")))


def test_kubelet_identity_is_a_node_user(layout: ClusterLayout) -> None:
    cert = load(layout.pki.cert("kubelet-k01-worker"))
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "system:node:k01-worker"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:nodes"
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_private_keys_are_owner_only(layout: ClusterLayout) -> None:
    keys = sorted(layout.pki.directory.glob("*.key"))
    assert keys
    assert {stat.S_IMODE(key.stat().st_mode) for key in keys} == {0o600}


def test_second_ensure_keeps_everything_and_a_new_node_only_adds_its_certificate(layout: ClusterLayout) -> None:
    before = {path.name: path.read_bytes() for path in layout.pki.directory.iterdir()}
    layout.pki.ensure(layout.certificate_specs([*NODES, "k01-worker2"]))
    after = {path.name: path.read_bytes() for path in layout.pki.directory.iterdir()}
    assert set(after) - set(before) == {"kubelet-k01-worker2.crt", "kubelet-k01-worker2.key"}
    assert {name: after[name] for name in before} == before
