#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_cidr_validate
short_description: Check a LoadBalancer IP pool CIDR against Calico's rules and the cluster's networks
description:
  - Validates the CIDR of a Calico IPPool meant for Services of type C(LoadBalancer) before anything is written.
  - Mirrors Calico's own IPPool validation (strict mask, no overlap with link-local ranges, C(blockSize) range and
    fit, no overlap with any other pool, C(cidr) and C(blockSize) cannot change) and adds rules Calico does not
    check - no node or peer address inside the pool, no overlap with pod, service or reserved CIDRs, a minimum
    number of addresses, and no loopback, multicast, unspecified or 240.0.0.0/4 range.
  - Reports B(every) broken rule at once, in RV(msg) and as a list in RV(violations).
  - Ambiguous input is rejected, not guessed - for example leading zeros such as V(172.016.0.240/28).
  - Never reports a change; it only reads its options.
  - Pure Python with the standard library, so it runs on any host (typically the controller).
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  cidr:
    description:
      - The pool CIDR, IPv4 or IPv6, for example V(172.16.0.240/28).
      - A bare address means a single-address pool (V(/32) or V(/128)).
    type: str
    required: true
  block_size:
    description:
      - Calico C(blockSize) of the pool, V(20) to V(32) for IPv4, V(116) to V(128) for IPv6.
      - When omitted, the C(blockSize) of the existing pool named O(pool_name) is kept; otherwise Calico's default
        (V(26) or V(122)) when the pool holds at least one such block, else the pool's own prefix length
        (a V(/28) gets V(28)).
    type: int
  existing_pools:
    description:
      - The IPPools that already exist, as M(kubernetes.core.k8s_info) returns them (C(metadata.name),
        C(spec.cidr), C(spec.blockSize)) or as plain CIDR strings.
      - The new CIDR must not overlap any of them, except the pool named O(pool_name) itself.
    type: list
    elements: raw
  pool_name:
    description:
      - Name of the pool being managed. An existing pool with this name and the same CIDR is not an overlap;
        with a different CIDR or C(blockSize) it is a violation, because Calico cannot change either.
    type: str
  pod_cidrs:
    description: Pod network CIDRs the pool must not overlap.
    type: list
    elements: str
  service_cidrs:
    description: Service (ClusterIP) CIDRs the pool must not overlap.
    type: list
    elements: str
  node_addresses:
    description: Node and BGP peer addresses (no prefix length) that must not fall inside the pool.
    type: list
    elements: str
  reserved_cidrs:
    description: Any other ranges the pool must not overlap (gateways, management networks, ...).
    type: list
    elements: str
  min_addresses:
    description: Fail when the pool holds fewer addresses than this.
    type: int
    default: 1
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
notes:
  - Legal but surprising input (a public range, a single-address pool, a small pool split into several blocks)
    produces warnings, not failures.
seealso:
  - module: calicolab.bgp_lb.lb_pool_spec
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Read the existing IP pools
  kubernetes.core.k8s_info:
    api_version: projectcalico.org/v3
    kind: IPPool
  register: bgp_lb_pools

- name: Validate the lab's LoadBalancer pool before writing it
  calicolab.bgp_lb.lb_cidr_validate:
    cidr: 172.16.0.240/28
    pool_name: loadbalancer-ip-pool
    existing_pools: "{{ bgp_lb_pools.resources }}"
    pod_cidrs: [192.168.0.0/16]
    service_cidrs: [10.96.0.0/12]
    node_addresses: [10.10.10.10, 10.10.10.11, 10.10.10.12, 10.10.10.1]
    min_addresses: 4
  register: bgp_lb_cidr

- name: Use the chosen block size
  ansible.builtin.debug:
    msg: "{{ bgp_lb_cidr.cidr }} with blockSize {{ bgp_lb_cidr.block_size }}"
"""

RETURN = r"""
cidr:
  description: The CIDR in canonical form (IPv6 compressed and lower case, always with a prefix length).
  returned: success
  type: str
  sample: 172.16.0.240/28
ip_version:
  description: V(4) or V(6).
  returned: success
  type: int
  sample: 4
prefix_length:
  description: Prefix length of RV(cidr).
  returned: success
  type: int
  sample: 28
block_size:
  description: The C(blockSize) to use - O(block_size) when given, else the one chosen as described there.
  returned: success
  type: int
  sample: 28
num_addresses:
  description: Number of addresses in the pool, network and broadcast addresses included.
  returned: success
  type: int
  sample: 16
first_address:
  description: Lowest address of the pool.
  returned: success
  type: str
  sample: 172.16.0.240
last_address:
  description: Highest address of the pool.
  returned: success
  type: str
  sample: 172.16.0.255
warnings:
  description:
    - Legal but surprising findings (public range, single-address pool, small pool split into several blocks).
    - Also shown by Ansible as warnings. Absent when there is nothing to warn about.
  returned: when there are warnings
  type: list
  elements: str
  sample: ["cidr 8.8.8.8/32 holds a single address: only one LoadBalancer Service can get an IP from it"]
msg:
  description: Every broken rule, one clause each.
  returned: failure
  type: str
  sample: >-
    1 rule broken: [not-strictly-masked] cidr 172.16.0.241/28 is not strictly masked:
    host bits set (did you mean 172.16.0.240/28?)
violations:
  description: The broken rules, each with a stable C(rule) id and a C(detail) naming field, value and rule.
  returned: failure
  type: list
  elements: dict
  contains:
    rule:
      description: Stable kebab-case id, for example V(not-strictly-masked) or V(overlaps-existing-pool).
      type: str
      returned: always
      sample: not-strictly-masked
    detail:
      description: The problem in plain words.
      type: str
      returned: always
      sample: "cidr 172.16.0.241/28 is not strictly masked: host bits set (did you mean 172.16.0.240/28?)"
"""
