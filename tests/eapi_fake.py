"""A stand-in for an Arista eAPI endpoint, so the EOS task files run offline through the real httpapi stack.

The playbook under test uses the real ``ansible.netcommon.httpapi`` connection, the real ``arista.eos`` httpapi
plugin and modules, TLS and basic authentication; only the device is replaced: an HTTPS server on 127.0.0.1 that
answers eAPI's JSON-RPC ``runCmds`` with the output a test gives for each command, and records every request. It
runs as its own process (``python tests/eapi_fake.py DIRECTORY``), so a test can freeze it (SIGSTOP) like a router that
stops answering; the test and the device share the answers, the requests and the port through files in DIRECTORY.
Commands nobody gave an answer for get the error EOS returns for an invalid command, so a task file that sends
something else fails loudly instead of passing on a guess.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
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


class _Answers(dict):
    """The answers a test gives, written through to the device process's answers file on every change."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path

    def __setitem__(self, command: str, output: Any) -> None:
        super().__setitem__(command, output)
        staged = self._path.with_suffix(".tmp")
        staged.write_text(json.dumps(self), encoding="utf-8")
        staged.replace(self._path)  # the device never reads a half-written file


@dataclass
class FakeEapi:
    """An eAPI endpoint on 127.0.0.1 with its own CA, served by its own process (``pid``: a test can freeze it);
    use as a context manager."""

    directory: Path
    username: str = "admin"
    password: str = "admin"

    def __post_init__(self) -> None:
        self.ca_path = self.directory / "ca.pem"
        self.answers = _Answers(self.directory / "answers.json")
        self._port_file = self.directory / "port"
        self._requests_file = self.directory / "requests.jsonl"

    def __enter__(self) -> FakeEapi:
        env = {**os.environ, "EAPI_FAKE_USERNAME": self.username, "EAPI_FAKE_PASSWORD": self.password}
        self._process = subprocess.Popen([sys.executable, __file__, str(self.directory)], env=env)
        deadline = time.monotonic() + 15
        while not self._port_file.exists():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the eAPI stand-in did not start (exit code {self._process.returncode})")
            time.sleep(0.02)
        self.port = int(self._port_file.read_text())
        self.pid = self._process.pid
        return self

    def __exit__(self, *_exc: object) -> None:
        self._process.send_signal(signal.SIGCONT)  # a test may have left it frozen
        self._process.terminate()
        self._process.wait(timeout=10)

    @property
    def requests(self) -> list[EapiRequest]:
        if not self._requests_file.exists():
            return []
        lines = self._requests_file.read_text(encoding="utf-8").splitlines()
        return [EapiRequest(**json.loads(line)) for line in lines]

    def sent(self) -> list[str]:
        """The CLI commands the device received, in order: no ``enable``, none of the plugin's device queries."""
        commands = (command for request in self.requests for command in request.commands)
        return [command for command in commands if isinstance(command, str) and command not in DEVICE_COMMANDS]


def serve(directory: Path, username: str, password: str) -> None:
    """The device: answer runCmds from ``answers.json`` (re-read for each request), log each request to
    ``requests.jsonl``, and write the port it listens on to ``port`` once it accepts connections."""
    _ca_path, cert_path, key_path = _write_certificates(directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(directory, username, password))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    (directory / "port").write_text(str(server.server_address[1]))
    server.serve_forever()
    server.server_close()


def _answer(directory: Path, command: str) -> Any:
    answers_file = directory / "answers.json"
    answers = json.loads(answers_file.read_text(encoding="utf-8")) if answers_file.exists() else {}
    if command in answers:
        return answers[command]
    if command in DEVICE_COMMANDS:
        return DEVICE_COMMANDS[command]
    raise KeyError(command)


def _handler_for(directory: Path, username: str, password: str) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # keep pytest output clean
            pass

        def do_POST(self) -> None:
            if self.headers.get("Authorization") != expected:
                self._send(401, {"error": "Unauthorized"})
                return
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            params = request["params"]
            with log_lock, (directory / "requests.jsonl").open("a", encoding="utf-8") as log:
                log.write(json.dumps({"commands": params["cmds"], "output": params["format"]}) + "\n")
            results = []
            for index, command in enumerate(params["cmds"]):
                if isinstance(command, dict):  # {"cmd": "enable", "input": password}
                    results.append({})
                    continue
                try:
                    output = _answer(directory, command)
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


if __name__ == "__main__":
    serve(Path(sys.argv[1]), os.environ["EAPI_FAKE_USERNAME"], os.environ["EAPI_FAKE_PASSWORD"])
