#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_dry_run
short_description: Submit the Kubernetes writes a run will make as server-side dry runs, and name every refusal
description:
  - Sends each write in O(apply) and O(replace) to kube-apiserver with C(dryRun=All) - a server-side apply under the
    field manager C(calicolab.bgp_lb), or a replace (a create when the object does not exist) - so the API server runs
    its checks (the namespace exists, RBAC allows the verb, no field another manager owns holds another value,
    admission, ValidatingAdmissionPolicies included) and stores nothing.
  - A write whose object already holds the manifest is not sent, since the run will not make it.
  - Fails when any write is refused, naming each object and the reason in words - the missing namespace, the
    permission (kube-apiserver's message names the user, the verb and the resource), the admission policy and its
    own message, or for each conflicting field its path, the field manager that owns it, its value and ours - and
    saying that nothing was written.
  - With O(force_conflicts=true), an apply whose only refusal is a field conflict is submitted again with force
    (the apply the run will then make); when that is accepted, the fields it takes over are returned in RV(taken_over)
    and given as a warning, and the run goes on.
  - Calico's API server does not validate C(projectcalico.org/v3) objects in a dry run, so the collection's own
    checks of the Calico resources stay.
version_added: 0.2.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  apply:
    description: Objects the run writes by server-side apply (field manager C(calicolab.bgp_lb)), in order.
    type: list
    elements: dict
    default: []
  replace:
    description:
      - Objects the run writes by replace, carrying the C(metadata.resourceVersion) they were read at (a create when
        the object does not exist), in order.
    type: list
    elements: dict
    default: []
  force_conflicts:
    description:
      - Take over fields another field manager owns with another value (server-side apply with force), as the run's
        applies will. Off, such a conflict is a refusal.
    type: bool
    default: false
  live:
    description:
      - The objects as the run read them, matched to the writes by kind, namespace and name; a write without one
        creates its object.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - calicolab.bgp_lb.kubernetes_connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: It only ever sends dry runs.
  diff_mode:
    support: none
  platform:
    platforms: all
requirements:
  - kubernetes >= 24.2.0 (the Python client kubernetes.core uses)
seealso:
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Prove the Service's write acceptable before writing anything
  calicolab.bgp_lb.k8s_dry_run:
    apply: ["{{ lb_service_spec.manifest }}"]
    live: ["{{ lb_service_live }}"]
"""

RETURN = r"""
checked:
  description: The objects whose write was submitted as a dry run and accepted.
  returned: success
  type: list
  elements: str
  sample: [IPPool loadbalancer-ip-pool, Service default/lb-nginx-service]
taken_over:
  description: One sentence per object whose forced apply takes fields over, naming each field, its manager, its
    value and ours. Empty unless O(force_conflicts=true).
  returned: always
  type: list
  elements: str
  sample:
    - 'Service default/lb-nginx-service: taking over .spec.ports[port=80,protocol="TCP"].name is "web" (set by
      kubectl-client-side-apply), we declare "default"'
refusals:
  description: One sentence per refused write.
  returned: failure
  type: list
  elements: str
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import drifted_manifests, live_object
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import (
    conflicts,
    describe,
    refusal,
    refusals_message,
    taken_over,
)

try:
    from kubernetes.dynamic.exceptions import DynamicApiError
except ImportError:  # AnsibleK8SModule reports the missing client before this is needed
    DynamicApiError = Exception

FIELD_MANAGER = "calicolab.bgp_lb"
ARGUMENT_SPEC = {
    "apply": {"type": "list", "elements": "dict", "default": []},
    "replace": {"type": "list", "elements": "dict", "default": []},
    "live": {"type": "list", "elements": "dict", "default": []},
    "force_conflicts": {"type": "bool", "default": False},
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
}


def dry_run(client: Any, method: str, manifest: Mapping[str, Any], live: Any, force: bool = False) -> None:
    """Send one write with dryRun=All; raises the client's DynamicApiError when kube-apiserver refuses it."""
    resource = client.resource(manifest["kind"], manifest["apiVersion"])
    metadata = manifest["metadata"]
    target = {"name": metadata["name"], "namespace": metadata.get("namespace"), "dry_run": "All"}
    if method == "replace" and live:
        client.client.replace(resource, body=manifest, **target)
    elif method == "replace":
        client.client.create(resource, body=manifest, namespace=target["namespace"], dry_run="All")
    else:
        client.client.server_side_apply(
            resource, body=manifest, field_manager=FIELD_MANAGER, force_conflicts=force or None, **target
        )


def status_of(error: Exception) -> tuple[int, Any]:
    try:
        body = json.loads(getattr(error, "body", "") or "{}")
    except ValueError:
        body = {"message": str(getattr(error, "body", error))}
    return int(getattr(error, "status", 0) or 0), body


def refused(client: Any, method: str, manifest: Mapping[str, Any], live: Any, force: bool = False) -> Any:
    """None when kube-apiserver accepts the dry run, else its (HTTP code, Status body)."""
    try:
        dry_run(client, method, manifest, live, force)
    except DynamicApiError as error:
        return status_of(error)
    return None


@dataclass
class Proof:
    checked: list[str] = field(default_factory=list)
    taken_over: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    conflicted: bool = False

    def message(self, writes: int) -> str:
        hint = (
            " For a field another tool manages, declare its value (the object is then adopted as it is), or take it"
            " over with force (force_conflicts; bgp_lb_force_conflicts=true in site.yml)."
        )
        return refusals_message(self.refusals, writes) + (hint if self.conflicted else "")


def planned_writes(params: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any], Any]]:
    """The writes the run will make, each with the object as read: one already holding its manifest is left out."""
    return [
        (method, manifest, live_object(manifest, params["live"]))
        for method in ("apply", "replace")
        for manifest in drifted_manifests(params[method], params["live"])
    ]


def prove(client: Any, writes: list[tuple[str, Mapping[str, Any], Any]], force: bool) -> Proof:
    proof = Proof()
    for method, manifest, read in writes:
        answer = refused(client, method, manifest, read)
        if answer and answer[0] == 409 and conflicts(manifest, read, answer[1]):
            # Proven again as the apply the run will make with force: it must pass every other check.
            if force and method == "apply" and not refused(client, method, manifest, read, force=True):
                proof.taken_over.append(taken_over(manifest, read, answer[1]))
                answer = None
            proof.conflicted = proof.conflicted or answer is not None
        if answer:
            proof.refusals.append(refusal(manifest, read, *answer))
        else:
            proof.checked.append(describe(manifest))
    return proof


def main() -> None:
    module = AnsibleK8SModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    writes = planned_writes(module.params)
    if not writes:  # every object already holds its manifest: nothing to prove, no connection
        module.exit_json(changed=False, checked=[], taken_over=[])
    try:
        proof = prove(get_api_client(module=module), writes, module.params["force_conflicts"])
    except CoreException as error:
        module.fail_json(msg=f"The Kubernetes API could not be reached for the dry runs: {error}. Nothing was written.")
    for sentence in proof.taken_over:
        module.warn(f"Fields another tool manages are taken over (force_conflicts): {sentence}")
    result = {"checked": proof.checked, "taken_over": proof.taken_over}
    if proof.refusals:
        module.fail_json(msg=proof.message(len(writes)), refusals=proof.refusals, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
