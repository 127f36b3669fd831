# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the BGPPeers to the upstream routers and build their manifests.

Runs in the controller; documented in plugins/modules/bgp_peer_spec.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.bgp_peers import bgp_peer_manifests
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "peers": {"type": "list", "elements": "dict", "required": True},
    "local_as_number": {"type": "int", "required": True},
}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"manifests": bgp_peer_manifests(params["peers"], params["local_as_number"])}
