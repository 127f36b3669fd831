#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_advert_apply
short_description: Merge LoadBalancer CIDRs into Calico's BGPConfiguration default, retrying on conflict
description:
  - Writes the merge that M(calicolab.bgp_lb.lb_advert_spec) computes - C(spec.serviceLoadBalancerIPs) with the
    given CIDRs added (or removed), every field it does not manage kept - to C(BGPConfiguration) V(default) through
    kubernetes.core's client.
  - The first write is based on O(current), the object as the caller read and validated it, and carries its
    C(metadata.resourceVersion) (a replace, or a create when it did not exist). When another writer changed or
    created the object meanwhile, the API server answers 409 Conflict; the module then reads the object again,
    merges again (their change is kept, ours added on top) and writes again, up to O(conflict_retries) times. The
    whole loop is one module run.
  - Writes nothing when the object already holds what is wanted. In check mode the write is sent with
    C(dryRun=All), so the API server checks it and stores nothing. With C(--diff) it shows the object before and
    after.
version_added: 0.2.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  current:
    description:
      - BGPConfiguration V(default) as last read (with C(metadata.resourceVersion)), for example by the
        P(kubernetes.core.k8s#lookup) lookup or M(kubernetes.core.k8s_info); V(null) when there was none.
    type: dict
    required: true
  conflict_retries:
    description: How many times a write that met 409 Conflict is read, merged and sent again before the module fails.
    type: int
    default: 5
extends_documentation_fragment:
  - calicolab.bgp_lb.bgp_advertisement
  - calicolab.bgp_lb.kubernetes_connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The write is sent with C(dryRun=All); the API server validates it and stores nothing.
  diff_mode:
    support: full
  platform:
    platforms: all
requirements:
  - kubernetes >= 24.2.0 (the Python client kubernetes.core uses)
seealso:
  - module: calicolab.bgp_lb.lb_advert_spec
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Read BGPConfiguration default
  ansible.builtin.set_fact:
    bgp_default: >-
      {{ query('kubernetes.core.k8s', api_version='projectcalico.org/v3', kind='BGPConfiguration',
               resource_name='default') | first | default(none) }}

- name: Advertise the LoadBalancer pool from every node
  calicolab.bgp_lb.lb_advert_apply:
    current: "{{ bgp_default }}"
    cidrs: [172.16.0.240/28]
    as_number: 65010
    node_to_node_mesh: false
"""

RETURN = r"""
manifest:
  description: The object as written (or as it already was when nothing was written).
  returned: success
  type: dict
added:
  description: The CIDRs this run added to C(serviceLoadBalancerIPs).
  returned: success
  type: list
  elements: str
  sample: [172.16.0.240/28]
removed:
  description: The CIDRs this run removed from it.
  returned: success
  type: list
  elements: str
attempts:
  description: Writes sent, V(0) when nothing was due; more than V(1) means writes met 409 Conflict and were retried.
  returned: always
  type: int
  sample: 1
violations:
  description: The broken rules of bad input (nothing was written), each with C(rule) and C(detail).
  returned: failure
  type: list
  elements: dict
"""

from collections.abc import Mapping
from typing import Any, Optional

from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    ADVERT_OPTIONS_SPEC,
    AdvertRequest,
    WriteConflict,
    merge_with_retry,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

try:
    from kubernetes.dynamic.exceptions import ConflictError, DynamicApiError, NotFoundError
except ImportError:  # AnsibleK8SModule reports the missing client before any of these is needed
    ConflictError = DynamicApiError = NotFoundError = Exception

ARGUMENT_SPEC = {
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "current": {"type": "dict", "required": True},
    **ADVERT_OPTIONS_SPEC,
    "conflict_retries": {"type": "int", "default": 5},
}


class BgpConfigurationStore:
    """BGPConfiguration default through kubernetes.core's client: read, create or replace (409 -> WriteConflict)."""

    def __init__(self, module: AnsibleK8SModule) -> None:
        self.client = get_api_client(module=module)
        self.resource = self.client.resource("BGPConfiguration", "projectcalico.org/v3")

    def read(self) -> Optional[dict[str, Any]]:
        try:
            return self.client.get(self.resource, name="default").to_dict()
        except NotFoundError:
            return None

    def write(self, manifest: Mapping[str, Any], create: bool) -> dict[str, Any]:
        try:
            if create:
                return self.client.create(self.resource, manifest).to_dict()
            return self.client.replace(self.resource, manifest, name="default").to_dict()
        except ConflictError as error:
            raise WriteConflict(str(error)) from error


def main() -> None:
    module = AnsibleK8SModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    retries = module.params["conflict_retries"]
    try:
        store = BgpConfigurationStore(module)
        request = AdvertRequest(
            current=module.params["current"], **{option: module.params[option] for option in ADVERT_OPTIONS_SPEC}
        )
        outcome = merge_with_retry(request, store.read, store.write, retries)
    except ValidationError as error:
        module.fail_json(msg=error.message, violations=error.as_dicts(), attempts=0)
    except WriteConflict:
        module.fail_json(
            msg=f"BGPConfiguration default kept changing under us: {retries + 1} writes in a row got 409 Conflict "
            f"(conflict_retries={retries}). Nothing of ours was written.",
            attempts=retries + 1,
        )
    except (CoreException, DynamicApiError) as error:
        module.fail_json(msg=f"BGPConfiguration default could not be read or written: {error}", attempts=0)
    written = outcome.written is not None
    result = {
        "changed": written,
        "manifest": outcome.written if written else outcome.result.manifest,
        "added": outcome.result.added if written else [],
        "removed": outcome.result.removed if written else [],
        "attempts": outcome.attempts,
    }
    if written and module._diff:
        result["diff"] = {"before": outcome.before or {}, "after": outcome.result.manifest}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
