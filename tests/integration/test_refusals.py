"""Never half-written: site.yml proves every Kubernetes write acceptable with a dry run before making the first one.

Each case is one kube-apiserver would refuse - a namespace that does not exist, RBAC without writes on Services, a
field we declare that another field manager set to another value, a ValidatingAdmissionPolicy of the cluster's
owners. site.yml must stop in its preflight, name the object and the reason in words, and leave kube-apiserver's
audit log without a single real write (dry runs do not count) and the cluster as it was. With
bgp_lb_force_conflicts=true the conflicting field is taken over instead, and the run says which.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import BIN, Twin, problem_messages, rbac_limited_identity, run_playbook
from tests.integration.test_adoption import SEEDLAB, SERVICE_PATH, managers

pytestmark = [pytest.mark.root, pytest.mark.twin]


def refused(twin: Twin, **extra_vars) -> str:
    """Run site.yml, insist that it failed having written nothing, and return its output."""
    before = twin.api.snapshot()
    router_before = twin.running_config()
    mark = twin.audit_mark()

    run = run_playbook("site.yml", extra_vars=extra_vars, json_output=False, timeout=300)

    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert "Traceback" not in output
    assert twin.real_writes(twin.audit_since(mark)) == []
    assert any(entry["dryRun"] for entry in twin.audit_since(mark)), "the writes were proven with dryRun=All"
    assert twin.api.snapshot() == before
    assert twin.running_config() == router_before
    assert "Nothing was written: kube-apiserver refused 1 of the 3 writes this run would make" in output
    return output


def test_a_namespace_that_does_not_exist_is_named(fresh_twin: Twin):
    output = refused(fresh_twin, lb_service_namespace="no-such-namespace")

    assert "Service no-such-namespace/lb-nginx-service: the namespace 'no-such-namespace' does not exist" in output


def test_rbac_without_writes_on_services_is_named_with_user_verb_and_resource(fresh_twin: Twin, tmp_path: Path):
    identity = rbac_limited_identity(fresh_twin.api, tmp_path, without=("services", {"create", "patch"}))

    output = refused(fresh_twin, bgp_lb_kubeconfig=str(identity.kubeconfig))

    assert "Service default/lb-nginx-service: not permitted by RBAC: " in output
    assert f'User \\"{identity.username}\\" cannot patch resource \\"services\\"' in output


def service_with_port_name(twin: Twin, name: str) -> None:
    """The lab's Service made by kubectl apply, its port named by the other tool."""
    service = yaml.safe_load((SEEDLAB / "lb-nginx-service.yaml").read_text(encoding="utf-8"))
    service["spec"]["ports"][0]["name"] = name
    twin.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(service))


def test_a_port_name_another_manager_set_differently_is_named_with_both_values(fresh_twin: Twin):
    service_with_port_name(fresh_twin, "web")

    output = refused(fresh_twin)

    assert (
        "Service default/lb-nginx-service: 1 field we declare already holds a different value that another tool "
        'manages: .spec.ports[port=80,protocol=\\"TCP\\"].name is \\"web\\" (set by kubectl-client-side-apply), '
        'we declare \\"default\\"'
    ) in output
    assert "or take it over with force (force_conflicts; bgp_lb_force_conflicts=true in site.yml)" in output


def test_force_conflicts_takes_the_field_over_names_it_and_reruns_clean(fresh_twin: Twin):
    service_with_port_name(fresh_twin, "web")
    mark = fresh_twin.audit_mark()

    # As `-e bgp_lb_force_conflicts=true` passes it: text.
    first = run_playbook("site.yml", extra_vars={"bgp_lb_force_conflicts": "true"}, timeout=300)
    second = run_playbook("site.yml", extra_vars={"bgp_lb_force_conflicts": "true"}, timeout=300)

    assert first.returncode == 0, problem_messages(first)
    sentence = (
        'Service default/lb-nginx-service: taking over .spec.ports[port=80,protocol="TCP"].name is "web" '
        '(set by kubectl-client-side-apply), we declare "default"'
    )
    dry_run = first.result_of("k8s-controller", "Dry-run every Kubernetes write")
    assert dry_run["taken_over"] == [sentence]
    assert any(sentence in warning for warning in dry_run["warnings"])
    service = fresh_twin.api.get(SERVICE_PATH)
    assert service["spec"]["ports"][0]["name"] == "default"
    owners_of_the_port_name = [
        entry["manager"]
        for entry in service["metadata"]["managedFields"]
        for key, port in entry.get("fieldsV1", {}).get("f:spec", {}).get("f:ports", {}).items()
        if key.startswith("k:") and "f:name" in port
    ]
    assert owners_of_the_port_name == ["calicolab.bgp_lb"]
    assert "kubectl-client-side-apply" in managers(service)  # it keeps the fields it still owns
    forced = [entry for entry in fresh_twin.real_writes(fresh_twin.audit_since(mark)) if entry["path"] == SERVICE_PATH]
    assert [entry["query"].get("force") for entry in forced] == ["true"]
    assert second.returncode == 0, problem_messages(second)
    assert [second.changed("k8s-controller"), second.changed("tor")] == [0, 0]
    assert second.result_of("k8s-controller", "Dry-run every Kubernetes write").get("skipped"), "nothing to prove"


TEAM_POLICY = """
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: loadbalancers-carry-a-team
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["services"]
  validations:
    - expression: >-
        object.spec.type != 'LoadBalancer'
        || ('labels' in object.metadata && 'team' in object.metadata.labels)
      message: "a LoadBalancer Service must carry a team label (the owners' rule 7)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: loadbalancers-carry-a-team
spec:
  policyName: loadbalancers-carry-a-team
  validationActions: [Deny]
"""


def wait_until_the_policy_denies(twin: Twin, seconds: float = 30) -> None:
    """kube-apiserver starts enforcing a new policy once its informer has it: wait for the first denial."""
    probe = [str(BIN / "kubectl"), "--kubeconfig", twin.api.kubeconfig, "create", "service", "loadbalancer"]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run(
            [*probe, "policy-probe", "--tcp=80:80", "--dry-run=server"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if "denied request" in done.stderr:
            return
        time.sleep(0.5)
    pytest.fail(f"the admission policy was not enforced within {seconds} s")


def test_an_admission_policy_of_the_clusters_owners_is_named_in_its_own_words_and_the_label_gets_past_it(
    fresh_twin: Twin,
):
    fresh_twin.kubectl("apply", "-f", "-", stdin=TEAM_POLICY)
    wait_until_the_policy_denies(fresh_twin)

    output = refused(fresh_twin)

    assert (
        "Service default/lb-nginx-service: refused by the admission policy 'loadbalancers-carry-a-team' "
        "(binding 'loadbalancers-carry-a-team'): a LoadBalancer Service must carry a team label (the owners' rule 7)"
    ) in output

    # The way on: give the Service the label the policy asks for, as `-e lb_service_labels=team=netops` passes it.
    fixed = run_playbook("site.yml", extra_vars={"lb_service_labels": "team=netops"}, timeout=300)

    assert fixed.returncode == 0, problem_messages(fixed)
    assert fresh_twin.api.get(SERVICE_PATH)["metadata"]["labels"] == {"team": "netops"}
    assert fresh_twin.api.lb_ip(), "Calico gave the admitted Service an address"
