# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate an LB pool CIDR against the cluster before anything is written.

Runs in the controller; documented in plugins/modules/lb_cidr_validate.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import PoolRequest, validate_pool
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "cidr": {"type": "str", "required": True},
    "block_size": {"type": "int"},
    "existing_pools": {"type": "list", "elements": "raw"},
    "pool_name": {"type": "str"},
    "pod_cidrs": {"type": "list", "elements": "str"},
    "service_cidrs": {"type": "list", "elements": "str"},
    "node_addresses": {"type": "list", "elements": "str"},
    "reserved_cidrs": {"type": "list", "elements": "str"},
    "min_addresses": {"type": "int", "default": 1},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        facts = validate_pool(PoolRequest(**params))
        return {**facts.as_dict(), "warnings": facts.warnings}
