"""HTTPS front end: TLS, bearer-token authentication, the audit log, and the hand-off to ``Api``."""

from __future__ import annotations

import hmac
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .api import Api, ApiRequest, ApiResponse
from .errors import ApiError
from .pki import Pki

ADMIN_USER = "twin-admin"
ANONYMOUS_USER = "system:anonymous"
ANONYMOUS_PATHS = {"/healthz", "/livez", "/readyz"}
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


class AuditLog:
    """One JSON document per line, appended under a lock so concurrent requests never interleave."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.touch()  # present from start-up, so readers can tail it before the first request

    def record(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)


class TwinHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], api: Api, token: str, audit: AuditLog, pki: Pki) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.token = token
        self.audit = audit
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.cert_path, pki.key_path)
        context.set_alpn_protocols(["http/1.1"])  # Go clients offer h2 first; we only speak HTTP/1.1
        # Handshakes happen in the per-connection thread, so one slow client cannot stall accept().
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up mid-connection are normal (kubectl, probes); keep stderr quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: TwinHttpServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(30)
        # Headers and body go out as separate writes; without NODELAY, Nagle + delayed ACK add ~40 ms each.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """The audit log is the record; per-request stderr lines would only be noise."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _user(self, path: str) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(credential.strip().encode(), self.server.token.encode()):
            return ADMIN_USER
        return ANONYMOUS_USER if path in ANONYMOUS_PATHS else None

    def _serve(self) -> None:
        started = time.time()
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body = self._read_body()
        user = self._user(url.path)
        request = ApiRequest(self.command, url.path, query, self.headers.get("Content-Type", ""), body)
        if user is None:
            error = ApiError(401, "Unauthorized", "Unauthorized")
            response = ApiResponse(401, error.to_status(), verb=self.server.api.verb_of(request))
        else:
            response = self.server.api.handle(request)
        # Audit before answering: a client that reads the log right after its request must find the entry.
        self._audit(started, user or ANONYMOUS_USER, request, response)
        self._send(response)

    def _send(self, response: ApiResponse) -> None:
        payload = response.body if isinstance(response.body, bytes) else json.dumps(response.body).encode()
        self.send_response(response.code)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(payload)

    def _audit(self, started: float, user: str, request: ApiRequest, response: ApiResponse) -> None:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started)) + f".{int(started * 1000) % 1000:03d}Z",
            "user": user,
            "verb": response.verb,
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "code": response.code,
        }
        if response.verb in WRITE_VERBS:
            entry["dryRun"] = response.dry_run
            if request.content_type:
                entry["contentType"] = request.content_type.split(";")[0]
        self.server.audit.record(entry)


def wait_until_listening(host: str, port: int, timeout: float = 5.0) -> None:
    """A TCP connect proves the accept loop is up; TLS and routing need no warm-up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
