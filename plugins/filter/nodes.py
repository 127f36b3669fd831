# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``advertising_nodes``: which nodes announce the LoadBalancer CIDR (docs: advertising_nodes.yml)."""

from __future__ import annotations

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.node_advertisers import advertising_nodes


class FilterModule:
    """Kubernetes node helpers for the calicolab.bgp_lb roles."""

    def filters(self) -> dict[str, object]:
        return {"advertising_nodes": advertising_nodes}
