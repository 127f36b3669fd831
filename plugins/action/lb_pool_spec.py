# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the Calico IPPool manifest for LoadBalancer IPs.

Runs in the controller; documented in plugins/modules/lb_pool_spec.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import ippool_manifest
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "name": {"type": "str", "default": "loadbalancer-ip-pool"},
    "cidr": {"type": "str", "required": True},
    "block_size": {"type": "int"},
    "nat_outgoing": {"type": "bool", "default": True},
    "assignment_mode": {"type": "str", "choices": ["Automatic", "Manual"], "default": "Automatic"},
    "disabled": {"type": "bool", "default": False},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        pool = ippool_manifest(**params)
        return {"manifest": pool.manifest, "warnings": pool.warnings}
