#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_service_apply
short_description: Apply a Service of type LoadBalancer, wait for Calico's address and check it
description:
  - Server-side applies O(manifest) (from M(calicolab.bgp_lb.lb_service_spec)) under the field manager
    C(calicolab.bgp_lb), as M(calicolab.bgp_lb.k8s_apply) does; when O(live) already holds every field it states,
    nothing is sent.
  - Then waits up to O(wait_timeout) seconds for Calico's LoadBalancer IPAM to give the Service its address, reading
    the Service and the IPPools every O(poll_interval) seconds - the address the manifest requests
    (C(projectcalico.org/loadBalancerIPs)) when it requests one, else one in an enabled LoadBalancer pool. An
    unchanged Service that already holds it is not read again.
  - Fails when no address came, naming every cause the API shows (no enabled pool with C(allowedUses)
    C([LoadBalancer]), Calico's LoadBalancer controller off or limited to Services that ask, a requested address
    outside the pools, every pool C(Manual)), reading KubeControllersConfiguration V(default) only then; when the
    address lies outside every enabled LoadBalancer pool; and when the requested address never came.
  - Every request is bounded by O(request_timeout) and sent once; a read without an answer ends the wait at once.
    The steps of the P(calicolab.bgp_lb.lb_service#role) role, whose variables its messages name.
version_added: 0.4.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  manifest:
    description: The Service to apply (C(apiVersion), C(kind), C(metadata.name) and C(metadata.namespace)).
    type: dict
    required: true
  live:
    description: The Service as last read, for example by M(calicolab.bgp_lb.k8s_read); V({}) when there is none.
    type: dict
    default: {}
  pools:
    description: The IPPools as read with O(live).
    type: list
    elements: dict
    default: []
  wait_timeout:
    description: Seconds to wait for the address (the role's C(lb_service_wait_timeout)).
    type: float
    default: 30.0
  poll_interval:
    description: Seconds between reads while waiting (the role's C(lb_service_poll_interval)).
    type: float
    default: 0.25
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.kubernetes_connection
  - calicolab.bgp_lb.server_side_apply
attributes:
  check_mode:
    support: full
    details: The apply is sent with C(dryRun=All); the API server checks it and stores nothing; nothing is waited for.
  diff_mode:
    support: full
seealso:
  - module: calicolab.bgp_lb.lb_service_spec
  - module: calicolab.bgp_lb.k8s_apply
"""

EXAMPLES = r"""
- name: Read the IPPools and the Service as it is
  calicolab.bgp_lb.k8s_read:
    reads:
      - {api_version: projectcalico.org/v3, kind: IPPool}
      - {api_version: v1, kind: Service, namespace: default, name: lb-nginx-service}
  register: read

- name: Apply the Service and wait up to 30 s for its address
  calicolab.bgp_lb.lb_service_apply:
    manifest: "{{ service_spec.manifest }}"
    live: "{{ read.resources[1] | first | default({}) }}"
    pools: "{{ read.resources[0] }}"
  register: service
"""

RETURN = r"""
applied:
  description: The Service when this task applied it (in check mode, would apply); V([]) when it already held the
    manifest.
  returned: always
  type: list
  elements: str
  sample: [Service default/lb-nginx-service]
external_ip:
  description: The Service's first LoadBalancer address; V("") in check mode.
  returned: always
  type: str
  sample: 172.16.0.240
service:
  description: The Service as last read (or as O(live) gave it when it was not read again).
  returned: when not in check mode
  type: dict
"""
