#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_dry_run
short_description: Submit the Kubernetes writes a run will make as server-side dry runs, and name every refusal
description:
  - Sends each write in O(apply) and O(replace) to kube-apiserver with C(dryRun=All) - a server-side apply under the
    field manager C(calicolab.bgp_lb) without forcing conflicts, or a replace (a create when the object does not
    exist) - so the
    API server runs its checks (the namespace exists, RBAC allows the verb, no field another manager owns holds
    another value, admission) and stores nothing.
  - A write whose object already holds the manifest is not sent, since the run will not make it.
  - Fails when any write is refused, naming each object and the reason in words - the missing namespace, the
    permission (kube-apiserver's message names the user, the verb and the resource), or for each conflicting field
    its path, the field manager that owns it, its value and ours - and saying that nothing was written.
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
refusals:
  description: One sentence per refused write.
  returned: failure
  type: list
  elements: str
"""

import json
from collections.abc import Mapping
from typing import Any

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.manifest_drift import manifest_drift
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import (
    describe,
    refusal,
    refusals_message,
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
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
}


def identity(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    metadata = obj.get("metadata") or {}
    return obj.get("kind", ""), metadata.get("namespace") or "", metadata.get("name", "")


def dry_run(client: Any, method: str, manifest: Mapping[str, Any], live: Any) -> None:
    """Send one write with dryRun=All; raises the client's DynamicApiError when kube-apiserver refuses it."""
    resource = client.resource(manifest["kind"], manifest["apiVersion"])
    metadata = manifest["metadata"]
    target = {"name": metadata["name"], "namespace": metadata.get("namespace"), "dry_run": "All"}
    if method == "replace" and live:
        client.client.replace(resource, body=manifest, **target)
    elif method == "replace":
        client.client.create(resource, body=manifest, namespace=target["namespace"], dry_run="All")
    else:
        client.client.server_side_apply(resource, body=manifest, field_manager=FIELD_MANAGER, **target)


def status_of(error: Exception) -> tuple[int, Any]:
    try:
        body = json.loads(getattr(error, "body", "") or "{}")
    except ValueError:
        body = {"message": str(getattr(error, "body", error))}
    return int(getattr(error, "status", 0) or 0), body


def main() -> None:
    module = AnsibleK8SModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    live = {identity(obj): obj for obj in module.params["live"] if obj}
    planned = [(method, manifest) for method in ("apply", "replace") for manifest in module.params[method]]
    # A write whose object already holds the manifest will not be made: nothing to prove.
    writes = [
        (method, manifest, live.get(identity(manifest)))
        for method, manifest in planned
        if manifest_drift(live.get(identity(manifest)), manifest)
    ]
    checked, refusals = [], []
    try:
        client = get_api_client(module=module)
        for method, manifest, read in writes:
            try:
                dry_run(client, method, manifest, read)
                checked.append(describe(manifest))
            except DynamicApiError as error:
                refusals.append(refusal(manifest, read, *status_of(error)))
    except CoreException as error:
        module.fail_json(msg=f"The Kubernetes API could not be reached for the dry runs: {error}. Nothing was written.")
    if refusals:
        module.fail_json(msg=refusals_message(refusals, len(writes)), refusals=refusals, checked=checked)
    module.exit_json(changed=False, checked=checked)


if __name__ == "__main__":
    main()
