"""The Calico stand-in's reactive half: LoadBalancer IPAM and the per-node advertisement state.

``reconcile`` runs inside every committed write (store lock held), so Service statuses and advertisements are
up to date before the API answers. ``deliver`` runs after the lock is released and hands a changed
advertisement to the network part; a sequence number keeps concurrent deliveries in order and drops stale ones.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from bgp_lb_twin.advertisement import NodeAdvertisement, advertisement_dir, write_advertisements

from . import ipam
from .advertise import compute_advertisements
from .resources import kind_by_name
from .store import Store, timestamp

AdvertisementCallback = Callable[[dict[str, NodeAdvertisement]], None]
LOG = logging.getLogger(__name__)


class CalicoController:
    def __init__(self, store: Store, state_dir: Path, on_advertisement: AdvertisementCallback | None) -> None:
        self._store = store
        self._state_dir = state_dir
        self._callback = on_advertisement
        self._current: dict[str, NodeAdvertisement] | None = None
        self._sequence = 0
        self._delivered = 0
        self._deliver_lock = threading.Lock()

    def advertisements(self) -> dict[str, NodeAdvertisement]:
        with self._store.lock:
            return dict(self._current or {})

    def reconcile(self) -> None:
        """Bring Service statuses and advertisements in line with the store; caller holds the store lock."""
        self._reconcile_load_balancer_ips()
        kinds = {
            name: self._store.list(kind_by_name(name))
            for name in ("Node", "BGPConfiguration", "BGPPeer", "Service", "Deployment")
        }
        advertisements = compute_advertisements(
            kinds["Node"], kinds["BGPConfiguration"], kinds["BGPPeer"], kinds["Service"], kinds["Deployment"]
        )
        if advertisements != self._current:
            self._current = advertisements
            self._sequence += 1

    def _reconcile_load_balancer_ips(self) -> None:
        service_kind = kind_by_name("Service")
        services = self._store.list(service_kind)
        decisions = ipam.plan(services, self._store.list(kind_by_name("IPPool")))
        now = timestamp()
        for service in services:
            key = (service["metadata"].get("namespace", ""), service["metadata"]["name"])
            status = ipam.desired_status(service, decisions.get(key), now)
            if status == service.get("status"):
                continue
            updated = copy.deepcopy(service)
            updated["status"] = status
            updated["metadata"]["resourceVersion"] = self._store.next_resource_version()
            self._store.put(service_kind, updated)

    def deliver(self) -> None:
        """Hand the latest advertisement to the files and the callback, once per change, in order."""
        with self._deliver_lock:
            with self._store.lock:
                sequence, current = self._sequence, dict(self._current or {})
            if sequence == self._delivered:
                return
            self._delivered = sequence
            self._write_files(current)
            if self._callback is not None:
                try:
                    self._callback(current)
                except Exception:  # the network part's failure must not take the API down
                    LOG.exception("on_advertisement callback failed")

    def _write_files(self, current: dict[str, NodeAdvertisement]) -> None:
        write_advertisements(self._state_dir, current)
        for stale in advertisement_dir(self._state_dir).glob("*.json"):
            if stale.stem not in current:
                stale.unlink()
