"""kube-proxy's LB IP binding: which addresses every node must answer on, followed through list + watch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bgp_lb_twin.kube import ApiError
from bgp_lb_twin.kube_proxy import LoadBalancerIps, load_balancer_ips


def service(name: str, kind: str = "LoadBalancer", ips: tuple[str, ...] = (), version: str = "1") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": "default", "resourceVersion": version},
        "spec": {"type": kind},
        "status": {"loadBalancer": {"ingress": [{"ip": ip} for ip in ips]}} if ips else {},
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(service("web", ips=("172.16.0.240",)), {"172.16.0.240"}, id="assigned"),
        pytest.param(service("web"), set(), id="pending"),
        pytest.param(service("web", kind="ClusterIP", ips=("172.16.0.240",)), set(), id="not-a-load-balancer"),
        pytest.param(
            {
                "metadata": {"name": "x"},
                "spec": {"type": "LoadBalancer"},
                "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example"}]}},
            },
            set(),
            id="hostname-only",
        ),
    ],
)
def test_load_balancer_ips(obj: dict[str, Any], expected: set[str]) -> None:
    assert load_balancer_ips(obj) == expected


class ScriptedApi:
    """Answers one list, then plays each watch script in turn; an ApiError in a script ends that watch."""

    def __init__(
        self, listings: list[list[dict[str, Any]]], watches: list[list[Any]], follower: list[LoadBalancerIps]
    ) -> None:
        self.listings = listings
        self.watches = watches
        self.follower = follower

    def call(self, method: str, path: str) -> dict[str, Any]:
        return {"metadata": {"resourceVersion": "10"}, "items": self.listings.pop(0)}

    def watch(self, path: str, version: str, timeout_seconds: int) -> Iterator[dict[str, Any]]:
        if not self.watches:
            self.follower[0].stop()
            return
        for step in self.watches.pop(0):
            if isinstance(step, Exception):
                raise step
            yield step


def test_follows_assignments_and_deletions_then_lists_again_after_410(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bgp_lb_twin.kube_proxy.RETRY_SECONDS", 0)
    published: list[set[str]] = []
    holder: list[LoadBalancerIps] = []
    api = ScriptedApi(
        listings=[
            [service("a", ips=("172.16.0.240",)), service("plain", kind="ClusterIP")],
            # after the 410 the list shows what happened meanwhile: b lost its IP
            [service("b", version="14")],
        ],
        watches=[
            [
                {"type": "ADDED", "object": service("b", version="11")},
                {"type": "MODIFIED", "object": service("b", ips=("172.16.0.241",), version="12")},
                {"type": "DELETED", "object": service("a", version="13")},
                ApiError("WATCH", "/api/v1/services", 410, {"message": "too old"}),
            ],
        ],
        follower=holder,
    )
    follower = LoadBalancerIps(api, published.append)  # type: ignore[arg-type]
    holder.append(follower)
    follower.run()
    assert published == [{"172.16.0.240"}, {"172.16.0.240", "172.16.0.241"}, {"172.16.0.241"}, set()]
    assert api.listings == []
