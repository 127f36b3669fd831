"""The cluster's PKI, made once per state directory the way kubeadm lays it out, and reused afterwards.

- the cluster CA signs the API server's and etcd's serving certificates, etcd's client certificate for the API
  server, the Calico API server's serving certificate, and client certificates for identities that are users,
  not service accounts (the nodes' kubelets, the bootstrap admin);
- a separate front-proxy CA signs the client certificate kube-apiserver shows the aggregated Calico API server;
- an EC key pair signs and verifies service-account tokens.

Reuse matters: kubeconfigs embed the CA, so a twin that comes up again must keep presenting certificates that
existing kubeconfigs (and kubernetes.core's cached clients) still trust. Keys are 0600 from their first byte.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=3650)
SERVER = (ExtendedKeyUsageOID.SERVER_AUTH,)
CLIENT = (ExtendedKeyUsageOID.CLIENT_AUTH,)


@dataclass(frozen=True)
class CertificateSpec:
    name: str  # file stem: <name>.crt / <name>.key
    common_name: str
    organizations: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # DNS names and IP addresses for the SAN
    usages: tuple[x509.ObjectIdentifier, ...] = SERVER
    issuer: str = "ca"


def _name(common_name: str, organizations: tuple[str, ...] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in organizations]
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def write_private(path: Path, data: bytes) -> None:
    """Created 0600 from the first byte, never world-readable even briefly; replaced atomically."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        key_cert_sign=ca,
        crl_sign=ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )


def _subject_alternative_names(hosts: tuple[str, ...]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


class Pki:
    """Certificates under ``directory``; ``ensure`` creates what is missing or no longer matches its spec."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def cert(self, name: str) -> Path:
        return self.directory / f"{name}.crt"

    def key(self, name: str) -> Path:
        return self.directory / f"{name}.key"

    @property
    def ca(self) -> Path:
        return self.cert("ca")

    @property
    def front_proxy_ca(self) -> Path:
        return self.cert("front-proxy-ca")

    @property
    def service_account_key(self) -> Path:
        return self.key("sa")

    @property
    def service_account_public_key(self) -> Path:
        return self.directory / "sa.pub"

    def ensure(self, specs: list[CertificateSpec]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        fresh_cas = {name for name in ("ca", "front-proxy-ca") if self._ensure_ca(name)}
        self._ensure_service_account_key()
        for spec in specs:
            if spec.issuer in fresh_cas or not self._matches(spec):
                self._issue(spec)

    def _ensure_ca(self, name: str) -> bool:
        if self.cert(name).is_file() and self.key(name).is_file():
            return False
        now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(f"bgp-lb-twin-{name}")
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(_key_usage(ca=True), critical=True)
            .sign(key, hashes.SHA256())
        )
        write_private(self.key(name), _pem_key(key))
        self.cert(name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return True

    def _ensure_service_account_key(self) -> None:
        if self.service_account_key.is_file() and self.service_account_public_key.is_file():
            return
        key = ec.generate_private_key(ec.SECP256R1())
        write_private(self.service_account_key, _pem_key(key))
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.service_account_public_key.write_bytes(public)

    def _matches(self, spec: CertificateSpec) -> bool:
        if not (self.cert(spec.name).is_file() and self.key(spec.name).is_file()):
            return False
        cert = x509.load_pem_x509_certificate(self.cert(spec.name).read_bytes())
        if cert.subject != _name(spec.common_name, spec.organizations):
            return False
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return not spec.hosts
        present = {str(value) for value in names.get_values_for_type(x509.IPAddress)}
        present |= set(names.get_values_for_type(x509.DNSName))
        return present == set(spec.hosts)

    def _issue(self, spec: CertificateSpec) -> None:
        ca_key = serialization.load_pem_private_key(self.key(spec.issuer).read_bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(self.cert(spec.issuer).read_bytes())
        now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(spec.common_name, spec.organizations))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + VALIDITY)
            # Python 3.13's default verification is X.509-strict: it insists on both key identifiers.
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(spec.usages)), critical=False)
        )
        if spec.hosts:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(_subject_alternative_names(spec.hosts)), critical=False
            )
        cert = builder.sign(ca_key, hashes.SHA256())
        write_private(self.key(spec.name), _pem_key(key))
        self.cert(spec.name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
