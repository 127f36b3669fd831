#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_service_spec
short_description: Validate and build a Service of type LoadBalancer for Calico's LoadBalancer IPAM
description:
  - Builds the C(v1) Service of type C(LoadBalancer) ready for M(kubernetes.core.k8s).
  - Validates B(every) input before returning anything and reports every broken rule at once, in RV(msg) and
    RV(violations) - the name (RFC 1035) and namespace (RFC 1123), a non-empty selector and the labels (Kubernetes
    label syntax), the ports, the externalTrafficPolicy, and a requested address that must lie inside one of
    O(lb_pool_cidrs).
  - A requested address becomes Calico's C(projectcalico.org/loadBalancerIPs) annotation.
  - Never reports a change; it only reads its options.
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  name:
    description: Service name.
    type: str
    required: true
  namespace:
    description: Service namespace.
    type: str
    default: default
  selector:
    description: Pod selector; must not be empty.
    type: dict
    required: true
  ports:
    description: Kubernetes ServicePort objects (C(name), C(port), C(targetPort), C(protocol)).
    type: list
    elements: dict
    required: true
  external_traffic_policy:
    description: V(Cluster) or V(Local).
    type: str
    default: Cluster
  load_balancer_ip:
    description: Ask Calico for this address; it must lie inside one of O(lb_pool_cidrs).
    type: str
  lb_pool_cidrs:
    description: CIDRs of the LoadBalancer pools a requested address may come from.
    type: list
    elements: str
    default: []
  labels:
    description:
      - Labels the Service carries (C(metadata.labels)), such as one an admission policy of the cluster's owners
        asks for. Only these keys are declared; other labels on the Service stay as they are. Empty declares none.
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
seealso:
  - module: calicolab.bgp_lb.lb_pool_spec
"""

EXAMPLES = r"""
- name: The lab's Service, with a requested address
  calicolab.bgp_lb.lb_service_spec:
    name: lb-nginx-service
    selector: {app: nginx}
    ports:
      - {name: http, port: 80, targetPort: 80, protocol: TCP}
    load_balancer_ip: 172.16.0.241
    lb_pool_cidrs: [172.16.0.240/28]
  register: service
"""

RETURN = r"""
manifest:
  description: The Service object.
  returned: success
  type: dict
  sample:
    apiVersion: v1
    kind: Service
    metadata:
      name: lb-nginx-service
      namespace: default
      annotations:
        projectcalico.org/loadBalancerIPs: '["172.16.0.241"]'
    spec:
      type: LoadBalancer
      selector: {app: nginx}
      ports:
        - {name: http, port: 80, targetPort: 80, protocol: TCP}
      externalTrafficPolicy: Cluster
msg:
  description: On failure, every broken rule.
  returned: failure
  type: str
  sample: "1 rule broken: [empty-selector] selector {} must be a non-empty mapping: ..."
violations:
  description: On failure, the broken rules as C(rule) id and C(detail) sentence.
  returned: failure
  type: list
  elements: dict
  sample:
    - rule: ip-outside-pools
      detail: load_balancer_ip 10.0.0.5 is not inside any LoadBalancer pool (172.16.0.240/28)
"""
