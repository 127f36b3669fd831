"""A stand-in for an Arista eAPI endpoint, so the EOS task files run offline through the real httpapi stack.

The playbook under test uses the real ``ansible.netcommon.httpapi`` connection, the real ``arista.eos`` httpapi
plugin and modules, TLS and basic authentication; only the device is replaced: an HTTPS server on 127.0.0.1 that
answers eAPI's JSON-RPC ``runCmds`` with the output a test gives for each command, and records every request.
Commands nobody gave an answer for get the error EOS returns for an invalid command, so a task file that sends
something else fails loudly instead of passing on a guess.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# What the httpapi plugin asks every device for before the first task (device facts, JSON) and whether it has
# configuration sessions (text: any answer without "error" means yes).
DEVICE_COMMANDS: dict[str, Any] = {
    "show version": {"modelName": "cEOSLab", "version": "4.34.0F", "serialNumber": "fake", "architecture": "x86_64"},
    "show hostname": {"hostname": "ceos01", "fqdn": "ceos01"},
    "show configuration sessions": "Maximum number of completed sessions: 1\nMaximum number of pending sessions: 5\n",
}


@dataclass
class EapiRequest:
    """One runCmds call as the device saw it."""

    commands: list[Any]
    output: str


@dataclass
class FakeEapi:
    """An eAPI endpoint on 127.0.0.1 with its own CA; use as a context manager."""

    directory: Path
    username: str = "admin"
    password: str = "admin"
    answers: dict[str, Any] = field(default_factory=dict)
    requests: list[EapiRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ca_path, cert_path, key_path = _write_certificates(self.directory)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeEapi:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sent(self) -> list[str]:
        """The CLI commands the device received, in order: no ``enable``, none of the plugin's device queries."""
        commands = (command for request in self.requests for command in request.commands)
        return [command for command in commands if isinstance(command, str) and command not in DEVICE_COMMANDS]

    def answer(self, command: str) -> Any:
        if command in self.answers:
            return self.answers[command]
        if command in DEVICE_COMMANDS:
            return DEVICE_COMMANDS[command]
        raise KeyError(command)


def _handler_for(device: FakeEapi) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{device.username}:{device.password}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep pytest output clean
            pass

        def do_POST(self) -> None:
            if self.headers.get("Authorization") != expected:
                self._send(401, {"error": "Unauthorized"})
                return
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            params = request["params"]
            device.requests.append(EapiRequest(params["cmds"], params["format"]))
            results = []
            for index, command in enumerate(params["cmds"]):
                if isinstance(command, dict):  # {"cmd": "enable", "input": password}
                    results.append({})
                    continue
                try:
                    output = device.answer(command)
                except KeyError:
                    self._send(200, _invalid_command(request["id"], index, command, results))
                    return
                results.append(output if params["format"] == "json" else {"output": output})
            self._send(200, {"jsonrpc": "2.0", "id": request["id"], "result": results})

        def _send(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _invalid_command(request_id: str, index: int, command: str, done: list[Any]) -> dict:
    """EOS's answer when one command of a batch is not valid: the results so far, then an error for it."""
    message = f"CLI command {index + 1} of {index + 1} '{command}' failed: invalid command"
    data = [*done, {"errors": ["Invalid input (at token 0: 'fake device has no answer for this')"]}]
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": 1002, "message": message, "data": data}}


def _write_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake eAPI test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ceos01")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = (directory / "ca.pem", directory / "server.pem", directory / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths
