# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Judge a router's route and BGP sessions for the LB prefix. Runs in the controller (the router's output is data);
documented in plugins/modules/ecmp_route_check.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.route_check import PLATFORMS, verify_route
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "platform": {"type": "str", "required": True, "choices": list(PLATFORMS)},
    "route": {"type": "raw", "required": True},
    "bgp_summary": {"type": "raw"},
    "prefix": {"type": "str", "required": True},
    "expected_next_hops": {"type": "list", "elements": "str", "default": []},
    "min_paths": {"type": "int"},
    "node_names": {"type": "dict"},
    "excluded_nodes": {"type": "dict"},
    "maximum_paths": {"type": "int"},
    "fail_on_unhealthy": {"type": "bool", "default": True},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        fail_on_unhealthy = params.pop("fail_on_unhealthy")
        verdict = verify_route(**params)
        result = {**verdict.as_dict(), "msg": verdict.summary, "warnings": verdict.warnings}
        if fail_on_unhealthy and not verdict.healthy:
            result["failed"] = True
        return result
