#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: lb_http_probe
short_description: Probe a LoadBalancer IP over TCP and HTTP and see how flows spread over the nodes
description:
  - Opens O(flows) new TCP connections to O(address):O(port) from the host it runs on (run it on a Linux router,
    for example the FRR host, to test from where the traffic enters), sends one C(GET) on each and records which
    backend answered, from the O(backend_header) response header or else the first line of the body.
  - Each flow uses a fresh source port, so a router that hashes on L4 ports spreads the flows over its ECMP next hops;
    RV(backends) shows the spread.
  - Fails when no flow connects, when a flow gets no valid HTTP answer, or when fewer than O(min_backends) backends
    answered. Never reports a change.
version_added: 0.1.0
author: calicolab.bgp_lb contributors (!UNKNOWN)
options:
  address:
    description: The LoadBalancer IP.
    type: str
    required: true
  port:
    description: TCP port.
    type: int
    default: 80
  flows:
    description: Number of connections to open, 1-1000.
    type: int
    default: 1
  path:
    description: HTTP path to request.
    type: str
    default: /
  timeout:
    description: Seconds to wait for each connection and answer.
    type: float
    default: 3
  backend_header:
    description: Response header that names the answering backend.
    type: str
    default: X-Served-By
  min_backends:
    description: Fail when fewer distinct backends answered.
    type: int
    default: 1
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The probe only reads, so it also runs in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: calicolab.bgp_lb.ecmp_route_check
"""

EXAMPLES = r"""
- name: 30 flows from the router to the LB IP must reach more than one node
  calicolab.bgp_lb.lb_http_probe:
    address: 172.16.0.241
    flows: 30
    min_backends: 2
"""

RETURN = r"""
healthy:
  description: Whether every flow was answered by at least O(min_backends) backends in all.
  returned: always
  type: bool
  sample: true
summary:
  description: One line for humans.
  returned: always
  type: str
  sample: >-
    172.16.0.241:80: 30 of 30 flows answered by 3 backend(s) (k01-control-plane: 12, k01-worker: 8, k01-worker2: 10)
tcp_ok:
  description: Flows whose TCP connection was established.
  returned: always
  type: int
  sample: 30
http_ok:
  description: Flows that got an HTTP answer with a 2xx or 3xx status.
  returned: always
  type: int
  sample: 30
backends:
  description: Answers per backend.
  returned: always
  type: dict
  sample: {"k01-control-plane": 12, "k01-worker": 8, "k01-worker2": 10}
spread:
  description: Number of distinct backends that answered.
  returned: always
  type: int
  sample: 3
seconds:
  description: Time the probe took.
  returned: always
  type: float
  sample: 0.081
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.http_probe import probe, verdict
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

ARGUMENT_SPEC = {
    "address": {"type": "str", "required": True},
    "port": {"type": "int", "default": 80},
    "flows": {"type": "int", "default": 1},
    "path": {"type": "str", "default": "/"},
    "timeout": {"type": "float", "default": 3},
    "backend_header": {"type": "str", "default": "X-Served-By"},
    "min_backends": {"type": "int", "default": 1},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = dict(module.params)
    min_backends = params.pop("min_backends")
    try:
        report = probe(**params)
    except ValidationError as error:
        module.fail_json(msg=error.message, violations=error.as_dicts())
    healthy, summary = verdict(report, min_backends)
    result = dict(report.as_dict(), healthy=healthy, summary=summary, changed=False)
    if not healthy:
        module.fail_json(msg=summary, **result)
    module.exit_json(msg=summary, **result)


if __name__ == "__main__":
    main()
