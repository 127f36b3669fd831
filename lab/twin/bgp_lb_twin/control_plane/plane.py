"""``ControlPlane``: the API emulator and the Calico stand-in as one object the twin CLI starts and stops."""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from bgp_lb_twin.advertisement import NodeAdvertisement

from . import kubeconfig
from .api import Api
from .controller import AdvertisementCallback, CalicoController
from .pki import ensure_pki
from .resources import kind_by_name
from .seed import NodeSpec, default_nodes, seed_objects
from .server import AuditLog, TwinHttpServer, wait_until_listening
from .store import Store

SNAPSHOT_FILE = "control-plane.json"
TOKEN_FILE = "token"
AUDIT_FILE = "audit.jsonl"
KUBECONFIG_FILE = "kubeconfig"


def _load_or_create_token(path: Path) -> str:
    """Kept across restarts so kubeconfigs already handed out stay valid."""
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


class ControlPlane:
    """Serve the emulated Kubernetes API on ``host:port`` (0 = any free port) from ``state_dir``.

    Objects persist in ``state_dir/control-plane.json``, so a restarted process keeps them and keeps
    resourceVersions monotonic. ``on_advertisement`` receives every node's desired BGP state once at start and
    after every change; the same state is written to ``state_dir/advertisement/<node>.json``.
    """

    def __init__(
        self,
        state_dir: Path,
        nodes: list[NodeSpec] | None = None,
        host: str = "127.0.0.1",
        port: int = 16443,
        on_advertisement: AdvertisementCallback | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.nodes = list(nodes) if nodes is not None else default_nodes()
        self.host = host
        self.port = port
        self._on_advertisement = on_advertisement
        self._server: TwinHttpServer | None = None
        self._thread: threading.Thread | None = None
        self.kubeconfig_path = self.state_dir / KUBECONFIG_FILE
        self.ca_path = self.state_dir / "ca.crt"
        self.audit_path = self.state_dir / AUDIT_FILE
        self.token = ""
        self._controller: CalicoController | None = None

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> None:
        """Returns once the API accepts connections and the first advertisement has been delivered."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.token = _load_or_create_token(self.state_dir / TOKEN_FILE)
        pki = ensure_pki(self.state_dir, tuple(dict.fromkeys((self.host, "127.0.0.1"))))
        store = Store(self.state_dir / SNAPSHOT_FILE)
        restored = store.load()
        self._controller = CalicoController(store, self.state_dir, self._on_advertisement)
        api = Api(store, self._controller, f"{self.host}:{self.port}")
        self._seed(api, restored)
        self._server = TwinHttpServer((self.host, self.port), api, self.token, AuditLog(self.audit_path), pki)
        self.port = self._server.server_address[1]
        api.server_address = f"{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="twin-apiserver", daemon=True
        )
        self._thread.start()
        wait_until_listening(self.host, self.port)
        kubeconfig.write(self.kubeconfig_path, self.url, pki.ca_path.read_bytes(), self.token)
        self._controller.deliver()

    def _seed(self, api: Api, restored: bool) -> None:
        """Create missing seed objects; after a restore, drop Nodes that are no longer part of the twin."""
        for obj in seed_objects(self.nodes):
            if restored and obj["kind"] not in ("Node",):
                continue  # a restored cluster keeps what users did to it, deletions included
            api.ensure_object(obj)
        wanted = {spec.name for spec in self.nodes}
        with api.store.lock:
            stale = [
                node["metadata"]["name"]
                for node in api.store.list(kind_by_name("Node"))
                if node["metadata"]["name"] not in wanted
            ]
        for name in stale:
            api.remove_object("Node", "", name)
        with api.store.lock:
            self._controller.reconcile()

    def advertisements(self) -> dict[str, NodeAdvertisement]:
        return self._controller.advertisements() if self._controller else {}

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ControlPlane:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
