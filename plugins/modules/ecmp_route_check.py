#!/usr/bin/python
# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecmp_route_check
short_description: Check that a router reaches a LoadBalancer prefix over the expected BGP ECMP next hops
description:
  - Reads what an upstream router says about one prefix (its route, and optionally its BGP summary) and checks it
    the way a network engineer would, in the spirit of Arista ANTA's C(VerifyBGPPeersHealth),
    C(VerifyBGPRouteECMP) and C(VerifyIPv4RouteNextHops).
  - "Checks, in order: the prefix is in the routing table; the route type is BGP; the next hops equal
    O(expected_next_hops); there are at least O(min_paths) of them; every expected peer is C(Established);
    every expected peer sent prefixes and had them accepted. Each check is returned in RV(checks) with
    V(pass), V(fail) or V(skip), ready for a report table."
  - >-
    When something is wrong, RV(msg) and RV(summary) say what and the likely cause in one line, for example
    C(2 of 3 next hops; 10.10.10.12 missing: peer Idle) or
    C(1 of 3 next hops: maximum-paths is 1 on the router).
  - Understands Arista EOS C(show ip route <prefix> | json), C(show ip bgp summary | json) and the newer per
    address family C(show bgp summary | json), and FRR C(show ip route <prefix> json) and
    C(show bgp ipv4 unicast summary json).
  - Runs no command itself; pass it the output of M(arista.eos.eos_command) or of C(vtysh -c ...). Never reports
    a change.
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  platform:
    description: The router's operating system, which decides how O(route) and O(bgp_summary) are read.
    type: str
    required: true
    choices: [eos, frr]
  route:
    description:
      - Output of C(show ip route <prefix> | json) (EOS) or C(show ip route <prefix> json) (FRR), as JSON text or
        as an already decoded dictionary.
      - Pass one command's output, for example C(result.stdout[0]) of M(arista.eos.eos_command).
    type: raw
    required: true
  bgp_summary:
    description:
      - Output of C(show ip bgp summary | json) or C(show bgp summary | json) (EOS), or
        C(show bgp ipv4 unicast summary json) (FRR), as JSON text or a dictionary.
      - Optional, but without it the peer checks are skipped and a missing next hop cannot be explained.
      - The summary counts all of a peer's prefixes, so V(0) received proves a node advertises nothing while
        V(1) does not prove it is this prefix.
    type: raw
  prefix:
    description:
      - The prefix to look up, with its length, for example V(172.16.0.240/28). Host bits must be zero.
    type: str
    required: true
  expected_next_hops:
    description:
      - Addresses the route must use as next hops, typically the InternalIPs of the nodes that advertise the
        prefix. The route must use exactly these, unless O(min_paths) relaxes it.
      - When empty, only O(min_paths) is checked and every peer in O(bgp_summary) must be C(Established).
    type: list
    elements: str
    default: []
  min_paths:
    description:
      - Least number of next hops that is still healthy. Missing expected next hops are then tolerated (returned
        in RV(missing) and shown as warnings) as long as this many remain; unexpected ones still fail.
      - Defaults to the number of O(expected_next_hops), or V(1) when none are given.
    type: int
  node_names:
    description:
      - Node name per address, only used to make messages and RV(next_hops[].node) readable, for example
        V(10.10.10.12) mapped to V(k01-worker2).
    type: dict
  excluded_nodes:
    description:
      - Nodes known to carry the label C(node.kubernetes.io/exclude-from-external-load-balancers=true), as address to
        node name. Calico does not advertise LoadBalancer addresses from them, so a missing next hop of such a
        node is explained as that.
    type: dict
  maximum_paths:
    description:
      - The router's configured C(maximum-paths), when the caller knows it. When the route has that many next
        hops and fewer than expected, the message names it as the cause.
    type: int
  fail_on_unhealthy:
    description:
      - >-
        Fail the task when a check fails. Set V(false) to get the verdict as data, for example inside a retry
        loop that waits for BGP to converge (C(until: result.healthy)).
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - calicolab.bgp_lb.controller_action
notes:
  - FRR removes a dynamic peer (C(bgp listen range)) from its summary when the session goes down, so such a peer
    is reported as C(no BGP session) rather than C(Idle) or C(Active).
  - FRR gives one prefix count per peer (C(pfxRcd), after inbound policy); it is returned as both RV(peers[].received)
    and RV(peers[].accepted).
  - Bad input (not JSON, the other platform's JSON, an invalid prefix or address) fails with every problem listed
    in RV(violations), whatever O(fail_on_unhealthy) says.
seealso:
  - module: arista.eos.eos_command
  - name: Arista ANTA BGP and routing tests
    description: The checks this module mirrors.
    link: https://anta.arista.com/stable/api/tests/routing.bgp/
"""

EXAMPLES = r"""
- name: Ask cEOS about the LoadBalancer prefix
  arista.eos.eos_command:
    commands:
      - show ip route 172.16.0.240/28 | json
      - show ip bgp summary | json
  register: bgp_lb_eos_show

- name: Check 3 ECMP paths on EOS, naming the nodes in messages
  calicolab.bgp_lb.ecmp_route_check:
    platform: eos
    route: "{{ bgp_lb_eos_show.stdout[0] }}"
    bgp_summary: "{{ bgp_lb_eos_show.stdout[1] }}"
    prefix: 172.16.0.240/28
    expected_next_hops: [10.10.10.10, 10.10.10.11, 10.10.10.12]
    node_names:
      10.10.10.10: k01-control-plane
      10.10.10.11: k01-worker
      10.10.10.12: k01-worker2
    maximum_paths: 4

- name: Read an FRR router's route (run on the FRR host; one command per call keeps each output valid JSON)
  ansible.builtin.command:
    argv: [vtysh, -c, show ip route 172.16.0.240/28 json]
  register: bgp_lb_frr_route
  changed_when: false

- name: Read the FRR router's BGP sessions
  ansible.builtin.command:
    argv: [vtysh, -c, show bgp ipv4 unicast summary json]
  register: bgp_lb_frr_summary
  changed_when: false

- name: Wait until FRR converges, without failing inside the loop
  calicolab.bgp_lb.ecmp_route_check:
    platform: frr
    route: "{{ bgp_lb_frr_route.stdout }}"
    bgp_summary: "{{ bgp_lb_frr_summary.stdout }}"
    prefix: 172.16.0.240/28
    expected_next_hops: [10.10.10.11, 10.10.10.12]
    excluded_nodes:
      10.10.10.10: k01-control-plane
    fail_on_unhealthy: false
  register: bgp_lb_verdict
  until: bgp_lb_verdict.healthy
  retries: 20
  delay: 1

- name: Show each check's result, as a report table would
  ansible.builtin.debug:
    msg: "{{ item.check }}: {{ item.result }} - {{ item.detail }}"
  loop: "{{ bgp_lb_verdict.checks }}"
"""

RETURN = r"""
healthy:
  description: V(true) when no check in RV(checks) failed.
  returned: always
  type: bool
  sample: false
prefix:
  description: O(prefix) as the router spells it.
  returned: always
  type: str
  sample: 172.16.0.240/28
summary:
  description: One line for humans - what is wrong and the likely cause, or what was found healthy.
  returned: always
  type: str
  sample: "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Active"
msg:
  description: Same as RV(summary); on bad input, every broken rule.
  returned: always
  type: str
  sample: "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Active"
route_type:
  description: The route's type as the router names it (EOS V(eBGP), FRR V(bgp)); V(null) when the route is absent.
  returned: always
  type: str
  sample: bgp
next_hops:
  description: The route's active next hops.
  returned: always
  type: list
  elements: dict
  sample: [{"address": "10.10.10.10", "interface": "br10", "node": "k01-control-plane"}]
  contains:
    address:
      description: Next-hop address; V(null) for a directly connected route.
      type: str
      returned: always
    interface:
      description: Outgoing interface.
      type: str
      returned: always
    node:
      description: Node name from O(node_names) or O(excluded_nodes), else V(null).
      type: str
      returned: always
peers:
  description: BGP sessions from O(bgp_summary); empty when it was not given.
  returned: always
  type: list
  elements: dict
  sample:
    - {"address": "10.10.10.12", "state": "Active", "received": 0, "accepted": 0, "node": "k01-worker2"}
  contains:
    address:
      description: Peer address.
      type: str
      returned: always
    state:
      description:
        - Session state as the router prints it, for example V(Established), V(Active) or V(Idle).
        - FRR adds the reason for an administrative shutdown in brackets after V(Idle).
      type: str
      returned: always
    received:
      description: Prefixes received from the peer (all prefixes, not only O(prefix)).
      type: int
      returned: always
    accepted:
      description: Prefixes accepted by inbound policy.
      type: int
      returned: always
    node:
      description: Node name from O(node_names) or O(excluded_nodes), else V(null).
      type: str
      returned: always
missing:
  description: Expected next hops the route does not use.
  returned: always
  type: list
  elements: str
  sample: [10.10.10.12]
unexpected:
  description: Next hops the route uses that were not expected.
  returned: always
  type: list
  elements: str
  sample: []
problems:
  description: The failed checks only.
  returned: always
  type: list
  elements: dict
  sample: [{"check": "next_hops_match", "detail": "10.10.10.12 (k01-worker2) missing: peer Active"}]
  contains:
    check:
      description: Name of the check, as in RV(checks).
      type: str
      returned: always
    detail:
      description: What failed, in plain words.
      type: str
      returned: always
checks:
  description:
    - Every check performed, in order - V(route_present), V(route_type_bgp), V(next_hops_match),
      V(ecmp_path_count), V(peers_established), V(prefixes_received).
  returned: always
  type: list
  elements: dict
  sample:
    - {"check": "route_present", "result": "pass", "detail": "172.16.0.240/28 in routing table"}
    - {"check": "ecmp_path_count", "result": "fail", "detail": "2 next hops, at least 3 required"}
    - {"check": "peers_established", "result": "fail", "detail": "10.10.10.12 (k01-worker2) Active"}
  contains:
    check:
      description: Name of the check.
      type: str
      returned: always
    result:
      description: V(pass), V(fail) or V(skip) (when a check does not apply or its input was not given).
      type: str
      returned: always
    detail:
      description: What was found.
      type: str
      returned: always
violations:
  description: On bad input only - every broken rule, with a stable C(rule) id and a C(detail).
  returned: failure
  type: list
  elements: dict
  sample: [{"rule": "route-invalid-json", "detail": "route: not valid JSON (Expecting value: line 1 column 1)"}]
"""
