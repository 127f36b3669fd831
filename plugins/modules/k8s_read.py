#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: k8s_read
short_description: Read Kubernetes objects with a bound on every request, and say in words why a read failed
description:
  - Reads each object or list in O(reads) from kube-apiserver, in the controller, every request bounded by
    O(request_timeout).
  - A failed read fails the task with one sentence that names the API server's URL - did not answer within the
    bound, no connection, the certificate does not verify, the credentials were rejected (401), the read is not
    permitted (403) - and never the client's own exception text.
  - Reads only; it never reports a change.
version_added: 0.3.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  reads:
    description:
      - What to read, in order. Each item has C(api_version) and C(kind) (V(Node), V(Service) in C(v1); V(IPPool),
        V(BGPPeer), V(BGPConfiguration), V(KubeControllersConfiguration) in C(projectcalico.org/v3)), and optionally
        C(namespace) and C(name).
      - Without C(name) the list is read; with it the one object (none when it does not exist).
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.kubernetes_connection
attributes:
  check_mode:
    support: full
    details: It only reads, so check mode and a normal run return the same.
  diff_mode:
    support: none
seealso:
  - plugin: kubernetes.core.k8s
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Read the Nodes and one Service, each request bounded to 5 s
  calicolab.bgp_lb.k8s_read:
    reads:
      - {api_version: v1, kind: Node}
      - {api_version: v1, kind: Service, namespace: default, name: lb-nginx-service}
    request_timeout: 5
  register: cluster
"""

RETURN = r"""
resources:
  description: One list per read, in order; a named object that does not exist gives an empty list.
  returned: success
  type: list
  elements: list
server:
  description: The API server's URL, from the kubeconfig.
  returned: when the kubeconfig could be loaded
  type: str
  sample: https://127.0.0.1:16443
"""
