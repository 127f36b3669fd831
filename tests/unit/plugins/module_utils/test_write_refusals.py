"""Refusals of a dry-run write in words: kube-apiserver's Status bodies as the twin's real API server sends them."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import (
    describe,
    field_value,
    refusal,
    refusals_message,
)

SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "lb-nginx-service", "namespace": "default"},
    "spec": {"type": "LoadBalancer", "ports": [{"name": "default", "port": 80, "targetPort": 80, "protocol": "TCP"}]},
}
THEIRS = {**SERVICE, "spec": {**SERVICE["spec"], "ports": [{**SERVICE["spec"]["ports"][0], "name": "web"}]}}
PORT_NAME = '.spec.ports[port=80,protocol="TCP"].name'


@pytest.mark.parametrize(
    ("obj", "path", "value"),
    [
        pytest.param(SERVICE, ".spec.type", "LoadBalancer", id="plain-field"),
        pytest.param(THEIRS, PORT_NAME, "web", id="associative-list-item"),
        pytest.param(SERVICE, '.spec.ports[port=81,protocol="TCP"].name', None, id="no-such-item"),
        pytest.param(SERVICE, ".metadata.labels.team", None, id="no-such-field"),
    ],
)
def test_field_value_follows_server_side_apply_paths(obj, path, value):
    found = field_value(obj, path)
    assert (found if isinstance(found, str) else None) == value


def test_a_missing_namespace_is_named():
    status = {
        "kind": "Status",
        "message": 'namespaces "no-such-namespace" not found',
        "reason": "NotFound",
        "details": {"name": "no-such-namespace", "kind": "namespaces"},
        "code": 404,
    }
    assert refusal(SERVICE, None, 404, status) == (
        "Service default/lb-nginx-service: the namespace 'no-such-namespace' does not exist"
    )


def test_an_rbac_refusal_carries_the_user_verb_and_resource():
    message = (
        'services "lb-nginx-service" is forbidden: User "system:serviceaccount:calicolab:bgp-lb" cannot patch '
        'resource "services" in API group "" in the namespace "default"'
    )
    status = {"kind": "Status", "message": message, "reason": "Forbidden", "code": 403}
    assert refusal(SERVICE, None, 403, status) == f"Service default/lb-nginx-service: not permitted by RBAC: {message}"


def test_a_field_conflict_names_the_field_the_manager_and_both_values():
    status = {
        "kind": "Status",
        "message": 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: ' + PORT_NAME,
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    # StatusCause's type is serialised as "reason" (k8s.io/apimachinery metav1.StatusCause).
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-client-side-apply" using v1',
                    "field": PORT_NAME,
                }
            ]
        },
        "code": 409,
    }
    assert refusal(SERVICE, THEIRS, 409, status) == (
        "Service default/lb-nginx-service: 1 field we declare already holds a different value that another tool "
        f'manages: {PORT_NAME} is "web" (set by kubectl-client-side-apply), we declare "default"'
    )


def test_any_other_refusal_keeps_the_servers_reason_and_message():
    status = {"kind": "Status", "message": "admission webhook said no", "reason": "Invalid", "code": 422}
    assert refusal(SERVICE, None, 422, status) == (
        "Service default/lb-nginx-service: refused (Invalid): admission webhook said no"
    )


def test_the_run_message_lists_every_refusal_and_says_nothing_was_written():
    message = refusals_message(["IPPool p: a", "Service default/s: b"], 4)
    assert message.startswith("Nothing was written: kube-apiserver refused 2 of the 4 writes")
    assert "IPPool p: a; Service default/s: b" in message
    assert describe({"kind": "IPPool", "metadata": {"name": "p"}}) == "IPPool p"
