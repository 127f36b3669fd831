"""Every role default that claims to be the lab's value is the lab's value, compared with the lab's own manifests.

The manifests are tests/fixtures/seedlab, as the lab ships them. What each role would declare is built from its
defaults by the same module_utils the roles call, so a default that drifts from the lab fails here, before a user
who did the lab by hand meets it as a server-side apply conflict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    AdvertRequest,
    bgp_configuration_manifest,
    ippool_manifest,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.service_spec import service_manifest

REPO = Path(__file__).resolve().parents[2]
SEEDLAB = REPO / "tests" / "fixtures" / "seedlab"


def defaults(role: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text(encoding="utf-8"))


def seed(name: str) -> dict[str, Any]:
    return yaml.safe_load((SEEDLAB / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lab_service() -> dict[str, Any]:
    return seed("lb-nginx-service.yaml")


@pytest.fixture(scope="module")
def our_service() -> dict[str, Any]:
    values = defaults("lb_service")
    return service_manifest(
        name=values["lb_service_name"],
        namespace=values["lb_service_namespace"],
        selector=values["lb_service_selector"],
        ports=values["lb_service_ports"],
        external_traffic_policy=values["lb_service_external_traffic_policy"],
    )


def test_the_service_is_the_labs_by_name_type_and_selector(our_service: dict, lab_service: dict) -> None:
    assert our_service["metadata"] == {key: lab_service["metadata"][key] for key in ("name", "namespace")}
    assert our_service["spec"]["type"] == lab_service["spec"]["type"] == "LoadBalancer"
    assert our_service["spec"]["selector"] == lab_service["spec"]["selector"]


def test_the_service_port_is_the_labs_port_with_the_api_servers_default_protocol(
    our_service: dict, lab_service: dict
) -> None:
    # The lab leaves the protocol to kube-apiserver, which sets TCP (pkg/apis/core/v1/defaults.go in Kubernetes).
    assert our_service["spec"]["ports"] == [{"protocol": "TCP", **port} for port in lab_service["spec"]["ports"]]
    assert [port["name"] for port in our_service["spec"]["ports"]] == ["default"]


def test_the_external_traffic_policy_is_what_the_api_server_gives_the_labs_service(
    our_service: dict, lab_service: dict
) -> None:
    # Unset in the lab's manifest; kube-apiserver defaults it to Cluster for a LoadBalancer Service (same file).
    assert "externalTrafficPolicy" not in lab_service["spec"]
    assert our_service["spec"]["externalTrafficPolicy"] == "Cluster"


def test_the_pool_is_the_labs_pool() -> None:
    values = defaults("lb_pool")
    ours = ippool_manifest(
        cidr=values["lb_pool_cidr"],
        name=values["lb_pool_name"],
        block_size=values["lb_pool_block_size"],
        nat_outgoing=values["lb_pool_nat_outgoing"],
        assignment_mode=values["lb_pool_assignment_mode"],
        disabled=values["lb_pool_disabled"],
    ).manifest
    lab = seed("lb-ippool.yaml")

    assert ours["metadata"]["name"] == lab["metadata"]["name"]
    # Calico's API server stores a false boolean as absent: the lab's `disabled: false` reads back as no field.
    lab_spec = {key: value for key, value in lab["spec"].items() if value is not False}
    assert {key: ours["spec"].get(key) for key in lab_spec} == lab_spec
    assert values["lb_pool_disabled"] is lab["spec"]["disabled"] is False


def test_the_advertisement_is_the_labs_bgp_configuration() -> None:
    values = defaults("bgp_advertisement")
    lab = seed("bgpconfiguration-lb.yaml")
    lab_cidrs = [item["cidr"] for item in lab["spec"]["serviceLoadBalancerIPs"]]
    # bgp_advertisement_cidrs defaults to the lb_pool role's CIDR: the lab's.
    assert values["bgp_advertisement_cidrs"] == "{{ [lb_pool_cidr | default('172.16.0.240/28')] }}"
    assert [defaults("lb_pool")["lb_pool_cidr"]] == lab_cidrs == ["172.16.0.240/28"]

    ours = bgp_configuration_manifest(
        AdvertRequest(
            current=None,
            cidrs=lab_cidrs,
            as_number=values["bgp_advertisement_as_number"],
            node_to_node_mesh=values["bgp_advertisement_node_to_node_mesh"],
            log_severity=values["bgp_advertisement_log_severity"],
        )
    ).manifest

    assert ours["metadata"]["name"] == lab["metadata"]["name"] == "default"
    for key in ("asNumber", "nodeToNodeMeshEnabled", "serviceLoadBalancerIPs"):
        assert ours["spec"][key] == lab["spec"][key], key
    # logSeverityScreen is not declared by default: the lab's Info (or anyone's value) is left as it is.
    assert values["bgp_advertisement_log_severity"] is None
    assert "logSeverityScreen" not in ours["spec"]
