# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which addresses lie inside which CIDRs. Pure Python (no Ansible imports): the ``in_network`` filter and the
lb_service role's check of Calico's address share it."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def addresses_inside(addresses: Iterable[str] | str, cidrs: Iterable[str] | str) -> list[str]:
    """The addresses (in their order) inside any of ``cidrs``; other IP versions never match.

    Raises ValueError naming the value for a CIDR that is not strictly masked or an address that is not one.
    """
    networks = []
    for cidr in [cidrs] if isinstance(cidrs, str) else cidrs:
        try:
            networks.append(ipaddress.ip_network(str(cidr).strip(), strict=True))
        except ValueError as error:
            raise ValueError(f"{cidr!r} is not a valid, strictly masked CIDR: {error}") from error
    inside = []
    for text in [addresses] if isinstance(addresses, str) else addresses:
        try:
            address = ipaddress.ip_address(str(text).strip())
        except ValueError as error:
            raise ValueError(f"{text!r} is not an IP address: {error}") from error
        if any(address.version == network.version and address in network for network in networks):
            inside.append(text)
    return inside
