"""Filters in_network and lb_holders: addresses and Services inside a CIDR, and clear errors for bad input."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.calicolab.bgp_lb.plugins.filter.in_network import FilterModule, in_network, lb_holders

LAB = "172.16.0.240/28"


def service(name: str, *ips: str, namespace: str | None = "default", hostname: str | None = None) -> dict:
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    ingress = [{"ip": ip} for ip in ips] + ([{"hostname": hostname}] if hostname else [])
    return {"metadata": metadata, "status": {"loadBalancer": {"ingress": ingress}}}


def test_the_collection_exposes_both_filters_by_name():
    assert FilterModule().filters() == {"in_network": in_network, "lb_holders": lb_holders}


@pytest.mark.parametrize(
    ("addresses", "cidrs", "inside"),
    [
        pytest.param(["172.16.0.241", "10.96.0.10"], LAB, ["172.16.0.241"], id="one-of-two"),
        pytest.param(["172.16.0.255", "172.16.0.240"], LAB, ["172.16.0.255", "172.16.0.240"], id="edges-order-kept"),
        pytest.param(["172.16.1.0", "172.16.0.239"], LAB, [], id="just-outside"),
        pytest.param("172.16.0.241", LAB, ["172.16.0.241"], id="single-address-input"),
        pytest.param(["10.0.0.1", "172.16.0.242"], [LAB, "10.0.0.0/8"], ["10.0.0.1", "172.16.0.242"], id="cidr-list"),
        pytest.param(["2001:db8::5", "172.16.0.241"], "2001:db8::/64", ["2001:db8::5"], id="ipv6"),
        pytest.param(["::ffff:172.16.0.241"], LAB, [], id="other-ip-version-never-matches"),
        pytest.param([" 172.16.0.241 "], LAB, [" 172.16.0.241 "], id="surrounding-space-tolerated"),
        pytest.param([], LAB, [], id="no-addresses"),
        pytest.param(["172.16.0.241"], [], [], id="no-cidrs"),
        pytest.param(["172.16.0.241"], "172.16.0.241", ["172.16.0.241"], id="bare-address-as-cidr"),
    ],
)
def test_in_network_keeps_the_addresses_inside_any_cidr(addresses, cidrs, inside):
    assert in_network(addresses, cidrs) == inside


@pytest.mark.parametrize(
    ("addresses", "cidrs", "message"),
    [
        pytest.param(
            ["172.16.0.241"],
            "172.16.0.241/28",
            "'172.16.0.241/28' is not a valid, strictly masked CIDR",
            id="host-bits-set",
        ),
        pytest.param(["172.16.0.241"], "pool", "'pool' is not a valid, strictly masked CIDR", id="not-a-cidr"),
        pytest.param(["lb.example"], LAB, "'lb.example' is not an IP address", id="not-an-address"),
        pytest.param([None], LAB, "None is not an IP address", id="null-address"),
    ],
)
def test_in_network_names_the_bad_value(addresses, cidrs, message):
    with pytest.raises(AnsibleFilterError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        in_network(addresses, cidrs)


def test_lb_holders_names_services_holding_addresses_of_the_pool():
    services = [
        service("lb-nginx-service", "172.16.0.241"),
        service("other", "10.0.0.5"),
        service("dual", "172.16.0.242", "2001:db8::1", namespace="web"),
        service("pending"),
        {"metadata": {"name": "clusterip"}, "spec": {"type": "ClusterIP"}},
        service("by-name", hostname="lb.example"),
    ]
    assert lb_holders(services, LAB) == ["default/lb-nginx-service (172.16.0.241)", "web/dual (172.16.0.242)"]


def test_lb_holders_without_a_namespace_says_default():
    assert lb_holders([service("x", "172.16.0.241", namespace=None)], LAB) == ["default/x (172.16.0.241)"]


@pytest.mark.parametrize("services", [pytest.param([], id="empty"), pytest.param(None, id="null")])
def test_lb_holders_of_nothing_is_nobody(services):
    assert lb_holders(services, LAB) == []
