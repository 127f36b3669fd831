# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``in_network`` and ``lb_holders``: which addresses and Services sit inside a CIDR (docs: *.yml beside)."""

from __future__ import annotations

from collections.abc import Iterable

from ansible.errors import AnsibleFilterError

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.addresses import addresses_inside


def in_network(addresses: Iterable[str] | str, cidrs: Iterable[str] | str) -> list[str]:
    """Return the addresses (in their order) inside any of ``cidrs``; other IP versions simply do not match."""
    try:
        return addresses_inside(addresses, cidrs)
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from error


def lb_holders(services: Iterable[dict], cidrs: Iterable[str] | str) -> list[str]:
    """Name the Services whose LoadBalancer ingress IPs fall inside ``cidrs``, as ``namespace/name (ip)``."""
    holders = []
    for service in services or []:
        metadata = service.get("metadata") or {}
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ips = [entry["ip"] for entry in ingress if isinstance(entry, dict) and entry.get("ip")]
        holders.extend(
            f"{metadata.get('namespace', 'default')}/{metadata.get('name', '?')} ({ip})"
            for ip in in_network(ips, cidrs)
        )
    return holders


class FilterModule:
    """Network helpers for the calicolab.bgp_lb roles."""

    def filters(self) -> dict[str, object]:
        return {"in_network": in_network, "lb_holders": lb_holders}
