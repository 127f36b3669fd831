#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_pool_spec
short_description: Build the Calico IPPool manifest for LoadBalancer IPs
description:
  - Returns a complete C(projectcalico.org/v3) C(IPPool) object reserved for Services of type C(LoadBalancer),
    ready to hand to M(kubernetes.core.k8s).
  - Fields Calico requires of LoadBalancer pools are fixed - C(allowedUses) is V(LoadBalancer) only,
    C(nodeSelector) is V(all(\)), C(ipipMode) and C(vxlanMode) are V(Never).
  - Validates its own inputs first and reports every broken rule at once (name, CIDR, C(blockSize));
    overlaps with other pools and cluster networks are the job of M(calicolab.bgp_lb.lb_cidr_validate).
  - Never reports a change; it only builds data.
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  name:
    description: Name of the IPPool, an RFC 1123 subdomain.
    type: str
    default: loadbalancer-ip-pool
  cidr:
    description:
      - The pool CIDR, for example V(172.16.0.240/28). It is written in canonical form.
    type: str
    required: true
  block_size:
    description:
      - Calico C(blockSize), V(20) to V(32) for IPv4, V(116) to V(128) for IPv6.
      - When omitted, V(26) or V(122) if the pool holds at least one such block, else the pool's own prefix
        length (a V(/28) gets V(28)).
    type: int
  nat_outgoing:
    description: V(true) sets C(spec.natOutgoing); V(false) leaves it out (Calico omits false booleans).
    type: bool
    default: true
  assignment_mode:
    description:
      - V(Automatic) lets Calico hand out addresses to any LoadBalancer Service; V(Manual) only to Services that
        ask for the pool or an address in it.
    type: str
    choices: [Automatic, Manual]
    default: Automatic
  disabled:
    description:
      - V(true) sets C(spec.disabled); a disabled pool may be smaller than one block.
      - V(false) leaves C(spec.disabled) out of the manifest, as Calico's API server stores it (it omits false
        booleans); sending V(false) would make every server-side apply of an unchanged pool a write.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
seealso:
  - module: calicolab.bgp_lb.lb_cidr_validate
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Build the lab's LoadBalancer pool
  calicolab.bgp_lb.lb_pool_spec:
    name: loadbalancer-ip-pool
    cidr: 172.16.0.240/28
  register: bgp_lb_pool

- name: Apply it
  kubernetes.core.k8s:
    state: present
    definition: "{{ bgp_lb_pool.manifest }}"
"""

RETURN = r"""
manifest:
  description: The complete IPPool object.
  returned: success
  type: dict
  sample:
    apiVersion: projectcalico.org/v3
    kind: IPPool
    metadata:
      name: loadbalancer-ip-pool
    spec:
      cidr: 172.16.0.240/28
      blockSize: 28
      natOutgoing: true
      allowedUses: [LoadBalancer]
      assignmentMode: Automatic
      nodeSelector: all()
      ipipMode: Never
      vxlanMode: Never
warnings:
  description: Legal but surprising findings about the CIDR; also shown by Ansible as warnings.
  returned: when there are warnings
  type: list
  elements: str
  sample: ["cidr 8.8.8.0/28 is a public (globally routable) range: make sure it is yours to advertise"]
msg:
  description: Every broken rule, one clause each.
  returned: failure
  type: str
  sample: "1 rule broken: [invalid-name] name 'LB_Pool' is not an RFC 1123 subdomain (...)"
violations:
  description: The broken rules, each with a stable C(rule) id and a C(detail) naming field, value and rule.
  returned: failure
  type: list
  elements: dict
  contains:
    rule:
      description: Stable kebab-case id, for example V(invalid-name) or V(block-size-too-large-for-pool).
      type: str
      returned: always
      sample: invalid-name
    detail:
      description: The problem in plain words.
      type: str
      returned: always
      sample: "name 'LB_Pool' is not an RFC 1123 subdomain (...)"
"""
