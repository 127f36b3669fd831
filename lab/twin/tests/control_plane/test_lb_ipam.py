"""LoadBalancer IPAM (DESIGN.md §4): the lab pool hands out 172.16.0.241 first, requests are honoured,
Services stay pending without a pool and get an address as soon as one appears."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import POOLS, SERVICES, Client, ingress_ip, lb_pool, lb_service

from bgp_lb_twin.control_plane.ipam import CONDITION_TYPE


@pytest.fixture
def lab_pool(client: Client) -> Iterator[dict]:
    yield client.post(POOLS, lb_pool()).json
    client.delete(f"{POOLS}/loadbalancer-ip-pool")


@pytest.fixture
def services(client: Client) -> Iterator[list[str]]:
    """Names created by the test; deleted afterwards so every test starts with all addresses free."""
    names: list[str] = []
    yield names
    for name in names:
        client.delete(f"{SERVICES}/{name}")


def create(client: Client, services: list[str], body: dict) -> dict:
    services.append(body["metadata"]["name"])
    assert client.post(SERVICES, body).code == 201
    return client.get(f"{SERVICES}/{body['metadata']['name']}").json


def condition(service: dict) -> dict | None:
    return next((item for item in service["status"].get("conditions", []) if item["type"] == CONDITION_TYPE), None)


def test_first_service_gets_the_first_host_address(client: Client, lab_pool: dict, services: list[str]):
    service = create(client, services, lb_service("first"))
    assert service["status"]["loadBalancer"]["ingress"] == [{"ip": "172.16.0.241", "ipMode": "VIP"}]
    assert service["spec"]["clusterIP"].startswith("10.96.")


def test_addresses_are_handed_out_lowest_first_and_never_the_broadcast(client: Client, services: list[str]):
    client.post(POOLS, lb_pool("tiny", "172.16.1.0/30", blockSize=30))
    try:
        addresses = [ingress_ip(create(client, services, lb_service(f"tiny-{index}"))) for index in range(3)]
    finally:
        client.delete(f"{POOLS}/tiny")
    assert addresses == ["172.16.1.1", "172.16.1.2", None]


def test_requested_address_is_honoured(client: Client, lab_pool: dict, services: list[str]):
    annotations = {"projectcalico.org/loadBalancerIPs": json.dumps(["172.16.0.250"])}
    assert ingress_ip(create(client, services, lb_service("requested", annotations))) == "172.16.0.250"


@pytest.mark.parametrize(
    ("annotations", "reason"),
    [
        pytest.param({"projectcalico.org/loadBalancerIPs": '["10.0.0.1"]'}, "NotInPool", id="outside-every-pool"),
        pytest.param({"projectcalico.org/loadBalancerIPs": "not json"}, "InvalidAnnotation", id="malformed-json"),
        pytest.param({"projectcalico.org/ipv4pools": '["no-such-pool"]'}, "NoPool", id="unknown-pool-named"),
    ],
)
def test_unsatisfiable_request_stays_pending_with_a_condition(
    client: Client, lab_pool: dict, services: list[str], annotations: dict, reason: str
):
    service = create(client, services, lb_service("unsatisfiable", annotations))
    assert ingress_ip(service) is None
    assert condition(service)["reason"] == reason


def test_requested_address_in_use_stays_pending(client: Client, lab_pool: dict, services: list[str]):
    annotations = {"projectcalico.org/loadBalancerIPs": '["172.16.0.241"]'}
    create(client, services, lb_service("holder"))
    assert condition(create(client, services, lb_service("wants-same", annotations)))["reason"] == "AddressInUse"


def test_without_a_pool_the_service_stays_pending(client: Client, services: list[str]):
    service = create(client, services, lb_service("pending"))
    assert service["status"]["loadBalancer"] == {}
    assert condition(service)["reason"] == "NoPool"


def test_pending_service_gets_an_address_when_a_pool_appears(client: Client, services: list[str]):
    create(client, services, lb_service("early"))
    client.post(POOLS, lb_pool())
    try:
        service = client.get(f"{SERVICES}/early").json
    finally:
        client.delete(f"{POOLS}/loadbalancer-ip-pool")
    assert ingress_ip(service) == "172.16.0.241"
    assert condition(service) is None


def test_address_is_released_on_delete(client: Client, lab_pool: dict, services: list[str]):
    create(client, services, lb_service("released"))
    client.delete(f"{SERVICES}/released")
    assert ingress_ip(create(client, services, lb_service("successor"))) == "172.16.0.241"


def test_address_is_released_when_the_type_changes(client: Client, lab_pool: dict, services: list[str]):
    create(client, services, lb_service("switching"))
    switched = client.patch(f"{SERVICES}/switching", {"spec": {"type": "ClusterIP"}})
    assert switched.code == 200
    assert client.get(f"{SERVICES}/switching").json["status"]["loadBalancer"] == {}
    assert ingress_ip(create(client, services, lb_service("after-switch"))) == "172.16.0.241"


def test_manual_pool_serves_only_explicit_requests(client: Client, services: list[str]):
    client.post(POOLS, lb_pool("manual", "172.16.2.0/28", assignmentMode="Manual"))
    try:
        automatic = create(client, services, lb_service("automatic"))
        by_ip = create(client, services, lb_service("by-ip", {"projectcalico.org/loadBalancerIPs": '["172.16.2.5"]'}))
        by_pool = create(client, services, lb_service("by-pool", {"projectcalico.org/ipv4pools": '["manual"]'}))
    finally:
        client.delete(f"{POOLS}/manual")
    assert (ingress_ip(automatic), ingress_ip(by_ip), ingress_ip(by_pool)) == (None, "172.16.2.5", "172.16.2.1")


def test_ipv4pools_annotation_restricts_the_choice(client: Client, lab_pool: dict, services: list[str]):
    client.post(POOLS, lb_pool("second", "172.16.3.0/28"))
    try:
        service = create(client, services, lb_service("restricted", {"projectcalico.org/ipv4pools": '["second"]'}))
    finally:
        client.delete(f"{POOLS}/second")
    assert ingress_ip(service) == "172.16.3.1"
