# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the LoadBalancer Service and build its manifest.

Runs in the controller; documented in plugins/modules/lb_service_spec.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.service_spec import service_manifest
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str", "default": "default"},
    "selector": {"type": "dict", "required": True},
    "ports": {"type": "list", "elements": "dict", "required": True},
    "external_traffic_policy": {"type": "str", "default": "Cluster"},
    "load_balancer_ip": {"type": "str"},
    "lb_pool_cidrs": {"type": "list", "elements": "str", "default": []},
    "labels": {"type": "dict", "default": {}},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"manifest": service_manifest(**params)}
