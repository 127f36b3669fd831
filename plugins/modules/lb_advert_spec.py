#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_advert_spec
short_description: Merge LoadBalancer CIDRs into Calico's default BGPConfiguration
description:
  - Computes the desired C(projectcalico.org/v3) C(BGPConfiguration) named V(default) so that Calico advertises
    the given CIDRs over BGP (C(spec.serviceLoadBalancerIPs)), ready to hand to M(kubernetes.core.k8s).
  - A read-modify-write - every field of O(current) this module does not manage is kept (C(serviceClusterIPs),
    C(serviceExternalIPs), C(communities), C(prefixAdvertisements), C(listenPort), labels, ...), and so is
    C(metadata.resourceVersion), so the API server refuses the write if someone changed the object meanwhile.
    C(metadata.managedFields) is dropped.
  - CIDRs are compared in canonical form, so other spellings of the same network (IPv6 upper case or without
    zero compression, a bare address for V(/32) or V(/128)) and duplicates never cause a change. Existing entries
    keep their order and spelling; new ones are appended. Ambiguous input such as leading zeros
    (V(172.016.0.240)) is rejected.
  - Reports every broken rule at once. Never reports a change; RV(needs_update) says whether a write is due.
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  current:
    description:
      - The existing BGPConfiguration V(default) as M(kubernetes.core.k8s_info) returns it, or V(null) when
        there is none (a new object is then built).
    type: dict
extends_documentation_fragment:
  - calicolab.bgp_lb.bgp_advertisement
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
seealso:
  - module: calicolab.bgp_lb.lb_pool_spec
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Read the default BGPConfiguration
  kubernetes.core.k8s_info:
    api_version: projectcalico.org/v3
    kind: BGPConfiguration
    name: default
  register: bgp_lb_bgpconfig

- name: Advertise the LoadBalancer pool
  calicolab.bgp_lb.lb_advert_spec:
    current: "{{ bgp_lb_bgpconfig.resources | first | default(omit) }}"
    cidrs: [172.16.0.240/28]
    as_number: 65010
    node_to_node_mesh: false
  register: bgp_lb_advert

- name: Write it only when something changes
  kubernetes.core.k8s:
    state: present
    definition: "{{ bgp_lb_advert.manifest }}"
  when: bgp_lb_advert.needs_update

- name: Stop advertising it
  calicolab.bgp_lb.lb_advert_spec:
    current: "{{ bgp_lb_bgpconfig.resources | first | default(omit) }}"
    cidrs: [172.16.0.240/28]
    state: absent
"""

RETURN = r"""
manifest:
  description: The full desired BGPConfiguration V(default).
  returned: success
  type: dict
  sample:
    apiVersion: projectcalico.org/v3
    kind: BGPConfiguration
    metadata:
      name: default
      resourceVersion: "1234"
    spec:
      asNumber: 65010
      logSeverityScreen: Info
      nodeToNodeMeshEnabled: false
      serviceLoadBalancerIPs:
        - cidr: 172.16.0.240/28
needs_update:
  description: Whether RV(manifest) differs from O(current) (or O(current) is null and there is something to create).
  returned: success
  type: bool
  sample: true
added:
  description: CIDRs (canonical form) that RV(manifest) advertises and O(current) did not.
  returned: success
  type: list
  elements: str
  sample: [172.16.0.240/28]
removed:
  description: CIDRs (canonical form) that O(current) advertised and RV(manifest) no longer does.
  returned: success
  type: list
  elements: str
  sample: []
msg:
  description: Every broken rule, one clause each.
  returned: failure
  type: str
  sample: "1 rule broken: [leading-zeros] cidrs[0] 172.016.0.240/28 has leading zeros in '016': ..."
violations:
  description: The broken rules, each with a stable C(rule) id and a C(detail) naming field, value and rule.
  returned: failure
  type: list
  elements: dict
  contains:
    rule:
      description: Stable kebab-case id, for example V(leading-zeros) or V(node-mesh-options-without-mesh).
      type: str
      returned: always
      sample: leading-zeros
    detail:
      description: The problem in plain words.
      type: str
      returned: always
      sample: "cidrs[0] 172.016.0.240/28 has leading zeros in '016': ..."
"""
