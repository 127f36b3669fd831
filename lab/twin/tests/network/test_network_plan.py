"""Pure parts of the twin's network: node naming and the management /30 choice."""

from __future__ import annotations

import ipaddress

import pytest

from bgp_lb_twin import network
from bgp_lb_twin.errors import TwinError


def nets(*texts: str) -> list[ipaddress.IPv4Network]:
    return [ipaddress.IPv4Network(text) for text in texts]


@pytest.mark.parametrize(
    ("host_routes", "override", "expected"),
    [
        pytest.param(nets("192.0.2.0/24"), None, "198.51.100.0/30", id="first-candidate-when-free"),
        pytest.param(nets("198.51.100.0/24"), None, "203.0.113.0/30", id="skips-clashing-candidate"),
        pytest.param(nets("0.0.0.0/0"), None, "198.51.100.0/30", id="default-route-is-no-clash"),
        pytest.param(nets("198.51.100.0/24", "203.0.113.0/24"), None, "100.64.255.252/30", id="third-candidate"),
        pytest.param(nets("192.0.2.0/24"), "10.99.0.0/30", "10.99.0.0/30", id="override-when-free"),
    ],
)
def test_management_network_choice(host_routes, override, expected) -> None:
    assert network.choose_management_network(host_routes, override=override).network == expected


def test_management_addresses_are_host_first_tor_second() -> None:
    link = network.ManagementLink("198.51.100.0/30")
    assert (link.host_address, link.tor_address) == ("198.51.100.1", "198.51.100.2")


def test_all_candidates_clashing_names_each_clash_and_the_setting() -> None:
    busy = nets("198.51.100.0/24", "203.0.113.0/24", "100.64.0.0/10", "198.18.0.0/15")
    with pytest.raises(TwinError) as caught:
        network.choose_management_network(busy)
    message = str(caught.value)
    assert "BGP_LB_TWIN_MGMT_CIDR" in message
    assert all(clash in message for clash in ("198.51.100.0/24", "203.0.113.0/24", "100.64.0.0/10", "198.18.0.0/15"))


@pytest.mark.parametrize(
    ("override", "host_routes", "fragment"),
    [
        pytest.param("10.0.0.0/29", [], "must be an IPv4 /30", id="wrong-size"),
        pytest.param("not-a-cidr", [], "must be an IPv4 /30", id="garbage"),
        pytest.param("192.0.2.0/30", nets("192.0.2.0/24"), "clashes with 192.0.2.0/24", id="override-clashes"),
    ],
)
def test_bad_management_override_is_rejected(override, host_routes, fragment) -> None:
    with pytest.raises(TwinError, match=fragment):
        network.choose_management_network(host_routes, override=override)


def test_candidates_never_include_the_containerlab_management_range() -> None:
    lab = ipaddress.IPv4Network("172.20.20.0/24")
    assert not any(ipaddress.IPv4Network(text).overlaps(lab) for text in network.MGMT_CANDIDATES)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        pytest.param(1, [("k01-control-plane", "10.10.10.10")], id="one-node"),
        pytest.param(
            4,
            [
                ("k01-control-plane", "10.10.10.10"),
                ("k01-worker", "10.10.10.11"),
                ("k01-worker2", "10.10.10.12"),
                ("k01-worker3", "10.10.10.13"),
            ],
            id="kind-naming",
        ),
    ],
)
def test_node_names_and_addresses_follow_kind(count, expected) -> None:
    assert [(node.name, node.address) for node in network.node_wirings(count)] == expected


@pytest.mark.parametrize("count", [pytest.param(0, id="zero"), pytest.param(201, id="beyond-the-lan")])
def test_node_count_out_of_range_is_rejected(count) -> None:
    with pytest.raises(TwinError, match=f"--nodes {count}"):
        network.node_wirings(count)


def test_tor_side_interface_names_fit_the_kernel_limit() -> None:
    assert max(len(node.tor_side) for node in network.node_wirings(network.MAX_NODES)) <= 15


def test_plan_survives_a_json_round_trip() -> None:
    plan = network.NetworkPlan(network.node_wirings(3), network.ManagementLink("198.51.100.0/30"))
    assert network.NetworkPlan.from_json(plan.to_json()) == plan
