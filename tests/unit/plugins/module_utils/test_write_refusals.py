"""Refusals of a dry-run write in words: kube-apiserver's Status bodies as the twin's real API server sends them."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import (
    describe,
    field_value,
    refusal,
    refusals_message,
    taken_over,
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


CONFLICT = {
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


def test_a_field_conflict_names_the_field_the_manager_and_both_values():
    assert refusal(SERVICE, THEIRS, 409, CONFLICT) == (
        "Service default/lb-nginx-service: 1 field we declare already holds a different value that another tool "
        f'manages: {PORT_NAME} is "web" (set by kubectl-client-side-apply), we declare "default"'
    )


def test_a_forced_apply_names_each_field_it_takes_over_with_both_values():
    assert taken_over(SERVICE, THEIRS, CONFLICT) == (
        f'Service default/lb-nginx-service: taking over {PORT_NAME} is "web" (set by kubectl-client-side-apply), '
        'we declare "default"'
    )


# As the twin's kube-apiserver (v1.32) answers a dry-run apply denied by a ValidatingAdmissionPolicy.
POLICY_WORDS = "a LoadBalancer Service must carry a team label (the owners' rule 7)"
POLICY_DENIAL = (
    "ValidatingAdmissionPolicy 'loadbalancers-carry-a-team' with binding 'loadbalancers-carry-a-team' denied request: "
    + POLICY_WORDS
)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(422, "Invalid", id="default-reason-invalid"),
        pytest.param(403, "Forbidden", id="policy-reason-forbidden-is-not-rbac"),
    ],
)
def test_an_admission_policy_refusal_names_the_policy_and_carries_its_own_words(code, reason):
    status = {
        "kind": "Status",
        "message": f'services "lb-nginx-service" is forbidden: {POLICY_DENIAL}',
        "reason": reason,
        "details": {"name": "lb-nginx-service", "kind": "services", "causes": [{"message": POLICY_DENIAL}]},
        "code": code,
    }
    assert refusal(SERVICE, None, code, status) == (
        "Service default/lb-nginx-service: refused by the admission policy 'loadbalancers-carry-a-team' "
        f"(binding 'loadbalancers-carry-a-team'): {POLICY_WORDS}"
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
