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
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.kubernetes_connection
attributes:
  check_mode:
    support: full
    details: It only ever sends dry runs.
  diff_mode:
    support: none
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
