# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge serviceLoadBalancerIPs into BGPConfiguration default.

Runs in the controller; documented in plugins/modules/lb_advert_spec.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import (
    ADVERT_OPTIONS_SPEC,
    AdvertRequest,
    bgp_configuration_manifest,
)
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {"current": {"type": "dict"}, **ADVERT_OPTIONS_SPEC}


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        return bgp_configuration_manifest(AdvertRequest(**params)).as_dict()
