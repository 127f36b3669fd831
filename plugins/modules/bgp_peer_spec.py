#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: bgp_peer_spec
short_description: Validate BGP peers and build Calico BGPPeer manifests
description:
  - Turns a list of upstream routers into C(projectcalico.org/v3) BGPPeer objects ready for M(kubernetes.core.k8s).
  - Validates B(every) peer before returning anything and reports every broken rule at once, in RV(msg) and
    RV(violations) - names (RFC 1123), addresses (no prefix length, no leading zeros), AS numbers (1-4294967295,
    different from the nodes' AS), selectors and timers.
  - Never reports a change; it only reads its options.
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  peers:
    description:
      - The peers. Each has C(name), C(peer_ip), C(as_number) and optionally C(node_selector) (default V(all())).
      - C(keepalive_time) and C(hold_time) are refused (rule C(not-a-calico-peer-field)) - Calico's BGPPeer has no such
        fields (Calico 3.30) and its API server would refuse the peer; the message says to set the timers on the
        router's peer group instead.
    type: list
    elements: dict
    required: true
  local_as_number:
    description: The nodes' AS number (BGPConfiguration C(asNumber)); a peer in the same AS is rejected.
    type: int
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
seealso:
  - module: calicolab.bgp_lb.lb_advert_spec
"""

EXAMPLES = r"""
- name: The lab's peer from every node to the Arista router
  calicolab.bgp_lb.bgp_peer_spec:
    local_as_number: 65010
    peers:
      - name: bgppeer-arista
        peer_ip: 10.10.10.1
        as_number: 65001
  register: peers

- name: Apply them
  kubernetes.core.k8s:
    definition: "{{ item }}"
    apply: true
    server_side_apply:
      field_manager: calicolab.bgp_lb
  loop: "{{ peers.manifests }}"
"""

RETURN = r"""
manifests:
  description: One BGPPeer object per peer, in input order.
  returned: success
  type: list
  elements: dict
  sample:
    - apiVersion: projectcalico.org/v3
      kind: BGPPeer
      metadata:
        name: bgppeer-arista
      spec:
        peerIP: 10.10.10.1
        asNumber: 65001
        nodeSelector: all()
msg:
  description: On failure, every broken rule.
  returned: failure
  type: str
  sample: "1 rule broken: [same-as-number] peers[0].as_number 65010 equals the nodes' AS number 65010: ..."
violations:
  description: On failure, the broken rules as C(rule) id and C(detail) sentence.
  returned: failure
  type: list
  elements: dict
  sample:
    - rule: same-as-number
      detail: >-
        peers[0].as_number 65010 equals the nodes' AS number 65010: the upstream router must be an
        eBGP peer in another AS
"""
