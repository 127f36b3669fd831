"""merge_with_retry: BGPConfiguration's read-merge-write under concurrent writers, without a cluster.

A tiny in-memory store plays the API server's part that matters here: a replace must carry the resourceVersion
it read, else 409; a create of an object that exists is a conflict too.
"""

from __future__ import annotations

import copy
from typing import Any, Optional

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    AdvertRequest,
    WriteConflict,
    merge_with_retry,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

LB = "172.16.0.240/28"
THEIRS = "10.200.0.0/24"


def bgp_configuration(*cidrs: str, version: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPConfiguration",
        "metadata": {"name": "default", "resourceVersion": str(version)},
        "spec": {"asNumber": 65010, "serviceLoadBalancerIPs": [{"cidr": cidr} for cidr in cidrs]},
    }


class Store:
    """The object and every write request, with optimistic concurrency; ``meddle`` runs before chosen writes."""

    def __init__(self, stored: Optional[dict[str, Any]], meddle_on: tuple[int, ...] = ()) -> None:
        self.stored = stored
        self.meddle_on = meddle_on
        self.writes = 0
        self.reads = 0

    def read(self) -> Optional[dict[str, Any]]:
        self.reads += 1
        return copy.deepcopy(self.stored)

    def write(self, manifest: dict[str, Any], create: bool) -> dict[str, Any]:
        self.writes += 1
        if self.writes in self.meddle_on:  # another client writes first: our request is now stale
            self.stored = bgp_configuration(
                THEIRS, *self.cidrs(), version=int(self.stored["metadata"]["resourceVersion"]) + 1
            )
        if create and self.stored is not None:
            raise WriteConflict("already exists")
        if not create and manifest["metadata"].get("resourceVersion") != self.stored["metadata"]["resourceVersion"]:
            raise WriteConflict("409")
        version = 1 if self.stored is None else int(self.stored["metadata"]["resourceVersion"]) + 1
        self.stored = {**copy.deepcopy(manifest), "metadata": {**manifest["metadata"], "resourceVersion": str(version)}}
        return copy.deepcopy(self.stored)

    def cidrs(self) -> list[str]:
        return [entry["cidr"] for entry in (self.stored or {}).get("spec", {}).get("serviceLoadBalancerIPs", [])]


def merge(store: Store, current: Optional[dict[str, Any]], retries: int = 5, state: str = "present"):
    request = AdvertRequest(current=current, cidrs=[LB], state=state)
    return merge_with_retry(request, store.read, store.write, retries)


def test_a_first_write_based_on_the_callers_read_lands_without_another_read():
    store = Store(bgp_configuration())
    outcome = merge(store, store.read())
    assert (outcome.attempts, store.writes, store.reads, store.cidrs()) == (1, 1, 1, [LB])
    assert outcome.result.added == [LB]


def test_a_conflict_is_retried_and_both_changes_are_kept():
    store = Store(bgp_configuration(), meddle_on=(1,))
    outcome = merge(store, store.read())
    assert (outcome.attempts, store.writes) == (2, 2)
    assert sorted(store.cidrs()) == sorted([THEIRS, LB])


def test_an_object_created_meanwhile_is_read_and_merged_not_overwritten():
    store = Store(None)
    store.stored = bgp_configuration(THEIRS)  # created after our read saw nothing
    outcome = merge(store, None)
    assert outcome.attempts == 2
    assert sorted(store.cidrs()) == sorted([THEIRS, LB])


def test_nothing_is_written_when_the_object_already_holds_the_cidr():
    store = Store(bgp_configuration(LB))
    outcome = merge(store, store.read())
    assert (outcome.attempts, store.writes, outcome.written) == (0, 0, None)


@pytest.mark.parametrize("retries", [pytest.param(0, id="no-retry"), pytest.param(2, id="two-retries")])
def test_after_the_allowed_retries_the_conflict_is_raised(retries):
    store = Store(bgp_configuration(), meddle_on=tuple(range(1, 10)))
    with pytest.raises(WriteConflict):
        merge(store, store.read(), retries=retries)
    assert store.writes == retries + 1
    assert LB not in store.cidrs()


def test_invalid_input_raises_before_any_write():
    store = Store(bgp_configuration())
    with pytest.raises(ValidationError):
        merge_with_retry(AdvertRequest(current=store.read(), cidrs=["172.16.0.241/28"]), store.read, store.write, 5)
    assert store.writes == 0
