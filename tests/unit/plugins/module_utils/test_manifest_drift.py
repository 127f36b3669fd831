"""manifest_drift: what server-side apply of a manifest would change in a live object."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import (
    drifted_manifests,
    live_object,
    manifest_drift,
)

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "lb-nginx-service", "namespace": "default"},
    "spec": {
        "type": "LoadBalancer",
        "selector": {"app": "nginx"},
        "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}],
    },
}
LIVE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {
        "name": "lb-nginx-service",
        "namespace": "default",
        "resourceVersion": "812",
        "annotations": {"owner": "someone else"},
        "managedFields": [{"manager": "calicolab.bgp_lb"}],
    },
    "spec": {
        "type": "LoadBalancer",
        "clusterIP": "10.96.14.2",
        "selector": {"app": "nginx"},
        "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP", "nodePort": 31234}],
    },
    "status": {"loadBalancer": {"ingress": [{"ip": "172.16.0.240"}]}},
}


def changed(path: str, value):
    """LIVE with one field (dotted path, [i] for list items) set to ``value``."""
    live = copy.deepcopy(LIVE)
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = live
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return live


@pytest.mark.parametrize(
    ("live", "drift"),
    [
        pytest.param(LIVE, [], id="server-and-other-managers-fields-are-not-drift"),
        pytest.param(None, ["."], id="absent-object"),
        pytest.param({}, ["."], id="empty-lookup-result"),
        pytest.param(changed("spec.selector.app", "web"), ["spec.selector.app"], id="changed-scalar"),
        pytest.param(changed("spec.ports[0].port", 8080), ["spec.ports[0].port"], id="changed-list-item-field"),
        pytest.param(changed("spec.ports", []), ["spec.ports"], id="list-of-another-length"),
        pytest.param(changed("spec.type", "ClusterIP"), ["spec.type"], id="changed-type"),
        pytest.param(changed("spec.selector", "app=nginx"), ["spec.selector"], id="mapping-replaced-by-scalar"),
    ],
)
def test_drift_names_exactly_the_fields_apply_would_change(live, drift):
    assert manifest_drift(live, SERVICE) == drift


def test_a_missing_field_is_drift():
    live = changed("spec", {"type": "LoadBalancer", "ports": LIVE["spec"]["ports"]})
    assert manifest_drift(live, SERVICE) == ["spec.selector"]


def test_the_number_80_is_not_the_string_80():
    assert manifest_drift(changed("spec.ports[0].targetPort", "80"), SERVICE) == ["spec.ports[0].targetPort"]


POOL = {"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": "lb"}, "spec": {"cidr": "a"}}
OTHER_NAMESPACE = {**LIVE, "metadata": {**LIVE["metadata"], "namespace": "web"}}


@pytest.mark.parametrize(
    ("objects", "drifted"),
    [
        pytest.param([LIVE, POOL], [], id="every-object-holds-its-manifest"),
        pytest.param([LIVE], [POOL], id="missing-object"),
        pytest.param([changed("spec.type", "ClusterIP"), POOL], [SERVICE], id="one-field-drifts"),
        pytest.param([OTHER_NAMESPACE, POOL, None, {}], [SERVICE], id="same-name-other-namespace-is-not-it"),
    ],
)
def test_drifted_manifests_keeps_the_writes_that_would_change_something(objects, drifted):
    assert drifted_manifests([SERVICE, POOL], objects) == drifted


def test_live_object_matches_kind_namespace_and_name():
    assert live_object(SERVICE, [POOL, OTHER_NAMESPACE, LIVE]) is LIVE
    assert live_object(POOL, [LIVE]) is None
