#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_apply
short_description: Server-side apply or delete Kubernetes objects, every request bounded, every failure in words
description:
  - Applies each manifest in O(apply) by server-side apply under the field manager C(calicolab.bgp_lb), then deletes
    each object in O(delete), in the controller, every request bounded by O(request_timeout) and sent once. What
    M(kubernetes.core.k8s) does with C(apply=true) and C(server_side_apply), with a bound it does not have.
  - A manifest whose object in O(live) already holds every field it states is not sent (no request, no change);
    fields the manifest does not state are never touched, so objects other tools created are adopted as they are.
  - A refused write fails the task naming the object and why (the missing namespace, the RBAC permission, the
    admission policy in its own words, each field another manager owns with its value and ours); a write that got no
    answer names the API server's URL and the bound. Either way the message lists what the task had already written.
version_added: 0.3.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  apply:
    description: Manifests to apply, in order (C(apiVersion), C(kind), C(metadata.name), and for a Service
      C(metadata.namespace)).
    type: list
    elements: dict
    default: []
  delete:
    description: Objects to delete (as read, or just C(apiVersion), C(kind) and C(metadata)), in order; one already
      gone is not a change.
    type: list
    elements: dict
    default: []
  live:
    description: The objects as last read, matched to O(apply) by kind, namespace and name; a manifest without one
      creates its object.
    type: list
    elements: dict
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.kubernetes_connection
  - calicolab.bgp_lb.server_side_apply
attributes:
  check_mode:
    support: full
    details: Each write is sent with C(dryRun=All); the API server checks it and stores nothing.
  diff_mode:
    support: full
seealso:
  - module: kubernetes.core.k8s
  - module: calicolab.bgp_lb.k8s_read
  - module: calicolab.bgp_lb.k8s_dry_run
"""

EXAMPLES = r"""
- name: Read the pool as it is
  calicolab.bgp_lb.k8s_read:
    reads: [{api_version: projectcalico.org/v3, kind: IPPool, name: loadbalancer-ip-pool}]
  register: pool

- name: Apply the pool, each request bounded to 5 s
  calicolab.bgp_lb.k8s_apply:
    apply: ["{{ pool_manifest }}"]
    live: "{{ pool.resources[0] }}"
    request_timeout: 5
"""

RETURN = r"""
applied:
  description: The objects this task applied (in check mode, would apply).
  returned: always
  type: list
  elements: str
  sample: [IPPool loadbalancer-ip-pool]
deleted:
  description: The objects this task deleted (in check mode, would delete).
  returned: always
  type: list
  elements: str
objects:
  description: Each applied object as kube-apiserver answered, in the order of RV(applied).
  returned: always
  type: list
  elements: dict
"""
