#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_advert_apply
short_description: Merge LoadBalancer CIDRs into Calico's BGPConfiguration default, retrying on conflict
description:
  - Writes the merge that M(calicolab.bgp_lb.lb_advert_spec) computes - C(spec.serviceLoadBalancerIPs) with the
    given CIDRs added (or removed), every field it does not manage kept - to C(BGPConfiguration) V(default), every
    request bounded by O(request_timeout).
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
      - BGPConfiguration V(default) as last read (with C(metadata.resourceVersion)), for example by
        M(calicolab.bgp_lb.k8s_read); V(null) when there was none.
    type: dict
    required: true
  conflict_retries:
    description: How many times a write that met 409 Conflict is read, merged and sent again before the module fails.
    type: int
    default: 5
extends_documentation_fragment:
  - calicolab.bgp_lb.bgp_advertisement
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.kubernetes_connection
attributes:
  check_mode:
    support: full
    details: The write is sent with C(dryRun=All); the API server validates it and stores nothing.
  diff_mode:
    support: full
seealso:
  - module: calicolab.bgp_lb.lb_advert_spec
  - module: calicolab.bgp_lb.k8s_read
"""

EXAMPLES = r"""
- name: Read BGPConfiguration default
  calicolab.bgp_lb.k8s_read:
    reads: [{api_version: projectcalico.org/v3, kind: BGPConfiguration, name: default}]
  register: bgp_default

- name: Advertise the LoadBalancer pool from every node
  calicolab.bgp_lb.lb_advert_apply:
    current: "{{ bgp_default.resources[0] | first | default(none) }}"
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
