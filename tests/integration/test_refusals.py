"""Never half-written: site.yml proves every Kubernetes write acceptable with a dry run before making the first one.

Each case is one kube-apiserver would refuse - a namespace that does not exist, RBAC without writes on Services, a
field we declare that another field manager set to another value. site.yml must stop in its preflight, name the
object and the reason in words, and leave kube-apiserver's audit log without a single real write (dry runs do not
count) and the cluster as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import Twin, rbac_limited_identity, run_playbook
from tests.integration.test_adoption import SEEDLAB

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


def test_a_port_name_another_manager_set_differently_is_named_with_both_values(fresh_twin: Twin):
    service = yaml.safe_load((SEEDLAB / "lb-nginx-service.yaml").read_text(encoding="utf-8"))
    service["spec"]["ports"][0]["name"] = "web"
    fresh_twin.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(service))

    output = refused(fresh_twin)

    assert (
        "Service default/lb-nginx-service: 1 field we declare already holds a different value that another tool "
        'manages: .spec.ports[port=80,protocol=\\"TCP\\"].name is \\"web\\" (set by kubectl-client-side-apply), '
        'we declare \\"default\\"'
    ) in output
