# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run frr_bgp on the router (documented in plugins/modules/frr_bgp.py); a router that does not answer is a failure
that names it, not an unreachable host."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.router_action import RouterModuleAction


class ActionModule(RouterModuleAction):
    pass
