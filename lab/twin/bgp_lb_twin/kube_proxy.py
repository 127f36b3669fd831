"""kube-proxy's part that the data plane needs: every node answers on the LoadBalancer IPs of every Service.

kube-proxy in IPVS mode binds each LoadBalancer ingress IP to the ``kube-ipvs0`` device on every node; so does the
twin, in each node's namespace, where the HTTP responder answers. It runs as kube-proxy's own service account
(bound to the built-in ``system:node-proxier`` role) and follows the API with a list + watch, as kube-proxy does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.kube import ApiError, KubeClient

LOG = logging.getLogger("bgp_lb_twin.kube_proxy")
SERVICES = "/api/v1/services"
RETRY_SECONDS = 1.0


def load_balancer_ips(service: dict[str, Any]) -> set[str]:
    if (service.get("spec") or {}).get("type") != "LoadBalancer":
        return set()
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return {entry["ip"] for entry in ingress if entry.get("ip")}


class LoadBalancerIps:
    """Follows Services; calls ``on_change(ips)`` with the whole set whenever it changes."""

    def __init__(self, client: KubeClient, on_change: Callable[[set[str]], None]) -> None:
        self.client = client
        self.on_change = on_change
        self._by_service: dict[str, set[str]] = {}
        self._applied: set[str] | None = None
        self._stop = threading.Event()

    def _publish(self) -> None:
        wanted = set().union(*self._by_service.values()) if self._by_service else set()
        if wanted != self._applied:
            try:
                self.on_change(wanted)
            except (TwinError, OSError) as error:
                LOG.error("binding LB IPs %s failed: %s", sorted(wanted), error)
                return
            LOG.info("LB IPs on every node: %s", sorted(wanted) or "none")
            self._applied = wanted

    @staticmethod
    def _key(service: dict[str, Any]) -> str:
        return f"{service['metadata'].get('namespace', '')}/{service['metadata']['name']}"

    def _list(self) -> str:
        listing = self.client.call("GET", SERVICES)
        self._by_service = {self._key(item): load_balancer_ips(item) for item in listing.get("items", [])}
        self._publish()
        return listing["metadata"]["resourceVersion"]

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                version = self._list()
                while not self._stop.is_set():
                    for event in self.client.watch(SERVICES, version, timeout_seconds=30):
                        service = event["object"]
                        version = service["metadata"].get("resourceVersion", version)
                        if event["type"] == "BOOKMARK":
                            continue
                        if event["type"] == "DELETED":
                            self._by_service.pop(self._key(service), None)
                        else:
                            self._by_service[self._key(service)] = load_balancer_ips(service)
                        self._publish()
            except (ApiError, OSError, ValueError) as error:  # 410 Gone, a restarted API server, a cut connection
                if not self._stop.is_set():
                    LOG.warning("service watch ended (%s); listing again", error)
                    time.sleep(RETRY_SECONDS)

    def stop(self) -> None:
        self._stop.set()
