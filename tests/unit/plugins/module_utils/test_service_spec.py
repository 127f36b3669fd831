"""The LoadBalancer Service manifest: the lab's exact object, the requested-IP annotation, every rule by id."""

from __future__ import annotations

import json

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.service_spec import (
    LOAD_BALANCER_IPS_ANNOTATION,
    service_manifest,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

LAB = "172.16.0.240/28"
HTTP = {"name": "default", "port": 80, "targetPort": 80, "protocol": "TCP"}
LAB_SERVICE = {"name": "lb-nginx-service", "namespace": "default", "selector": {"app": "nginx"}, "ports": [HTTP]}


def rules_of(**changes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        service_manifest(**{**LAB_SERVICE, **changes})
    return caught.value.rules


def test_the_labs_service_becomes_a_loadbalancer_service_without_annotations():
    assert service_manifest(**LAB_SERVICE) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb-nginx-service", "namespace": "default"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "nginx"},
            "ports": [HTTP],
            "externalTrafficPolicy": "Cluster",
        },
    }


@pytest.mark.parametrize(
    ("requested", "pools", "annotated"),
    [
        pytest.param("172.16.0.241", [LAB], "172.16.0.241", id="inside-the-lab-pool"),
        pytest.param("10.0.0.5", [LAB, "10.0.0.0/24"], "10.0.0.5", id="inside-the-second-pool"),
        pytest.param("2001:DB8::10", ["2001:db8::/120"], "2001:db8::10", id="ipv6-canonical-spelling"),
    ],
)
def test_a_requested_ip_inside_a_pool_becomes_calicos_annotation(requested, pools, annotated):
    manifest = service_manifest(**LAB_SERVICE, load_balancer_ip=requested, lb_pool_cidrs=pools)
    annotation = manifest["metadata"]["annotations"][LOAD_BALANCER_IPS_ANNOTATION]
    assert json.loads(annotation) == [annotated]


@pytest.mark.parametrize("empty", [pytest.param(None, id="null"), pytest.param("", id="empty-string")])
def test_no_requested_ip_means_no_annotation(empty):
    manifest = service_manifest(**LAB_SERVICE, load_balancer_ip=empty, lb_pool_cidrs=[LAB])
    assert "annotations" not in manifest["metadata"]


def test_local_traffic_policy_is_kept():
    assert service_manifest(**LAB_SERVICE, external_traffic_policy="Local")["spec"]["externalTrafficPolicy"] == "Local"


@pytest.mark.parametrize(
    ("labels", "metadata_labels"),
    [
        pytest.param(None, None, id="none-declared"),
        pytest.param({}, None, id="empty-declares-none"),
        pytest.param(
            {"team": "netops", "example.com/tier": "edge"}, {"team": "netops", "example.com/tier": "edge"}, id="two"
        ),
    ],
)
def test_labels_are_declared_only_when_given(labels, metadata_labels):
    manifest = service_manifest(**LAB_SERVICE, labels=labels)
    assert manifest["metadata"].get("labels") == metadata_labels


def test_the_manifest_does_not_share_the_callers_selector_or_ports():
    selector, ports = {"app": "nginx"}, [dict(HTTP)]
    manifest = service_manifest("web", "default", selector, ports)
    manifest["spec"]["selector"]["app"] = "other"
    manifest["spec"]["ports"][0]["port"] = 8080
    assert (selector, ports) == ({"app": "nginx"}, [HTTP])


@pytest.mark.parametrize(
    ("changes", "rules"),
    [
        pytest.param({"name": "1-service"}, ["invalid-name"], id="name-starts-with-digit"),
        pytest.param({"name": "LB"}, ["invalid-name"], id="name-upper-case"),
        pytest.param({"name": "a" * 64}, ["invalid-name"], id="name-too-long"),
        pytest.param({"namespace": "kube_system"}, ["invalid-name"], id="namespace-underscore"),
        pytest.param({"selector": {}}, ["empty-selector"], id="empty-selector"),
        pytest.param({"selector": None}, ["empty-selector"], id="null-selector"),
        pytest.param({"selector": {"app": 1}}, ["wrong-type"], id="selector-value-not-text"),
        pytest.param({"labels": "team"}, ["wrong-type"], id="labels-not-a-mapping"),
        pytest.param({"labels": {"team": 7}}, ["wrong-type"], id="label-value-not-text"),
        pytest.param({"labels": {"team!": "net"}}, ["invalid-label"], id="label-key-not-a-label-key"),
        pytest.param({"labels": {"team": "net ops"}}, ["invalid-label"], id="label-value-with-a-space"),
        pytest.param({"ports": []}, ["no-ports"], id="no-ports"),
        pytest.param({"ports": "80"}, ["no-ports"], id="ports-as-text"),
        pytest.param({"ports": [80]}, ["wrong-type"], id="port-not-a-mapping"),
        pytest.param({"ports": [{"port": 0}]}, ["port-range"], id="port-zero"),
        pytest.param({"ports": [{"port": 65536}]}, ["port-range"], id="port-too-big"),
        pytest.param({"ports": [{"port": "80"}]}, ["port-range"], id="port-as-text"),
        pytest.param({"ports": [{"port": 80, "protocol": "tcp"}]}, ["protocol"], id="protocol-lower-case"),
        pytest.param({"external_traffic_policy": "Global"}, ["traffic-policy"], id="traffic-policy"),
        pytest.param({"load_balancer_ip": "10.0.0.5", "lb_pool_cidrs": [LAB]}, ["ip-outside-pools"], id="ip-outside"),
        pytest.param({"load_balancer_ip": "172.16.0.241"}, ["ip-outside-pools"], id="ip-without-any-pool"),
        pytest.param(
            {"load_balancer_ip": "172.16.0.241/32", "lb_pool_cidrs": [LAB]}, ["malformed"], id="ip-with-length"
        ),
        pytest.param(
            {"load_balancer_ip": "172.16.0.241", "lb_pool_cidrs": ["172.16.0.241/28"]},
            ["not-strictly-masked"],
            id="pool-cidr-invalid",
        ),
    ],
)
def test_each_broken_rule_is_reported_by_its_id(changes, rules):
    assert rules_of(**changes) == rules


def test_every_violation_is_reported_at_once_naming_field_and_value():
    with pytest.raises(ValidationError) as caught:
        service_manifest("LB", "default", {}, [{"port": 0}], "Global", load_balancer_ip="10.0.0.5", lb_pool_cidrs=[LAB])
    assert caught.value.rules == ["invalid-name", "empty-selector", "port-range", "traffic-policy", "ip-outside-pools"]
    for text in ("name 'LB'", "ports[0].port 0", "'Global'", "10.0.0.5 is not inside any LoadBalancer pool (" + LAB):
        assert text in caught.value.message


def test_a_request_without_any_pool_says_that_none_exists():
    with pytest.raises(ValidationError) as caught:
        service_manifest(**LAB_SERVICE, load_balancer_ip="172.16.0.241")
    assert "(none exists)" in caught.value.message
