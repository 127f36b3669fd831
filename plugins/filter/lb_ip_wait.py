# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``lb_ip_pending_causes`` and ``load_balancer_pools``: Calico's LoadBalancer IPAM (docs: *.yml beside)."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_ip_wait import load_balancer_pools, pending_ip_causes


class FilterModule:
    """LoadBalancer IPAM diagnosis for the calicolab.bgp_lb lb_service role."""

    def filters(self) -> dict[str, object]:
        return {"lb_ip_pending_causes": pending_ip_causes, "load_balancer_pools": load_balancer_pools}
