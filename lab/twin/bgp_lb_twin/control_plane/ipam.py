"""Calico's LoadBalancer IPAM, as a pure decision over the current Services and IPPools.

Model (DESIGN.md §4):
- eligible pools: enabled, allowedUses contains LoadBalancer; tried in name order;
- automatic assignment uses only assignmentMode Automatic pools; a pool named in ``projectcalico.org/ipv4pools``
  (by name or CIDR) restricts the choice to those pools and may be Manual;
- ``projectcalico.org/loadBalancerIPs`` (JSON list) or ``spec.loadBalancerIP`` requests exact addresses, which
  must lie in a LoadBalancer pool (Manual pools included) and be free;
- inside a pool the lowest free address wins, skipping the network address and, for IPv4 pools of 4 or more
  addresses, the broadcast address (so 172.16.0.240/28 hands out 172.16.0.241 first);
- an address stays with its Service while it remains valid, so allocation is stable across reconciliations.
When no address can be given, the Service keeps an empty ``status.loadBalancer`` and carries a condition of type
``LoadBalancerIPAllocated`` (status False) whose reason and message say why — the twin's stand-in for the
Warning Event calico-kube-controllers records.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .calico import parse_cidr

LOAD_BALANCER_IPS_ANNOTATION = "projectcalico.org/loadBalancerIPs"
IPV4_POOLS_ANNOTATION = "projectcalico.org/ipv4pools"
CONDITION_TYPE = "LoadBalancerIPAllocated"


@dataclass(frozen=True)
class Pool:
    name: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    automatic: bool
    enabled: bool

    def usable_addresses(self) -> Iterator[str]:
        skip_broadcast = self.network.version == 4 and self.network.num_addresses >= 4
        first = 1 if self.network.num_addresses >= 4 else 0
        last = self.network.num_addresses - (1 if skip_broadcast else 0)
        for offset in range(first, last):
            yield str(self.network.network_address + offset)


@dataclass(frozen=True)
class Decision:
    """The outcome for one Service: an address, or the reason there is none."""

    ip: str | None
    reason: str = ""
    message: str = ""


def load_balancer_pools(pools: list[dict[str, Any]]) -> list[Pool]:
    result = []
    for pool in sorted(pools, key=lambda item: item["metadata"]["name"]):
        spec = pool.get("spec", {})
        network = parse_cidr(spec.get("cidr"))
        if network is None or "LoadBalancer" not in (spec.get("allowedUses") or []):
            continue
        result.append(
            Pool(
                pool["metadata"]["name"],
                network,
                spec.get("assignmentMode", "Automatic") == "Automatic",
                not spec.get("disabled", False),
            )
        )
    return result


def is_load_balancer(service: dict[str, Any]) -> bool:
    return service.get("spec", {}).get("type") == "LoadBalancer"


def current_ip(service: dict[str, Any]) -> str | None:
    ingress = service.get("status", {}).get("loadBalancer", {}).get("ingress") or []
    return ingress[0].get("ip") if ingress else None


def _json_list_annotation(service: dict[str, Any], key: str) -> list[str] | None:
    """None when absent; raises ValueError when present but not a JSON list of strings."""
    raw = service.get("metadata", {}).get("annotations", {}).get(key)
    if raw is None:
        return None
    value = json.loads(raw)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a JSON list of strings, got {raw!r}")
    return value


def requested_ips(service: dict[str, Any]) -> list[str] | None:
    requested = _json_list_annotation(service, LOAD_BALANCER_IPS_ANNOTATION)
    if requested is None and service.get("spec", {}).get("loadBalancerIP"):
        requested = [service["spec"]["loadBalancerIP"]]
    return requested


def _pool_named(pool: Pool, names: list[str]) -> bool:
    return pool.name in names or str(pool.network) in names


def _decide_requested(requested: list[str], pools: list[Pool], taken: set[str]) -> Decision:
    ipv4 = [text for text in requested if ":" not in text]
    if len(ipv4) > 1:
        return Decision(None, "TooManyAddresses", f"at most one IPv4 address may be requested, got {ipv4}")
    for text in ipv4:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return Decision(None, "InvalidAddress", f"requested address {text!r} is not an IP address")
        if not any(pool.enabled and address in pool.network for pool in pools):
            return Decision(None, "NotInPool", f"requested address {text} is not in any enabled LoadBalancer IPPool")
        if text in taken:
            return Decision(None, "AddressInUse", f"requested address {text} is already assigned to another Service")
        return Decision(text)
    return Decision(None, "NoIPv4Requested", "no IPv4 address requested in projectcalico.org/loadBalancerIPs")


def _decide_automatic(service: dict[str, Any], pools: list[Pool], taken: set[str]) -> Decision:
    restricted = _json_list_annotation(service, IPV4_POOLS_ANNOTATION)
    if restricted is not None:
        candidates = [pool for pool in pools if pool.enabled and _pool_named(pool, restricted)]
    else:
        candidates = [pool for pool in pools if pool.enabled and pool.automatic]
    candidates = [pool for pool in candidates if pool.network.version == 4]
    if not candidates:
        where = f"among {restricted}" if restricted is not None else "with assignmentMode Automatic"
        return Decision(None, "NoPool", f"no enabled LoadBalancer IPPool {where}")
    for pool in candidates:
        for address in pool.usable_addresses():
            if address not in taken:
                return Decision(address)
    return Decision(None, "PoolExhausted", f"no free address in {[pool.name for pool in candidates]}")


def decide(service: dict[str, Any], pools: list[Pool], taken: set[str]) -> Decision:
    """The address this Service should have, given addresses ``taken`` by Services decided before it."""
    try:
        requested = requested_ips(service)
        if requested is not None:
            return _decide_requested(requested, pools, taken)
        return _decide_automatic(service, pools, taken)
    except ValueError as error:
        return Decision(None, "InvalidAnnotation", str(error))


def keeps_current(service: dict[str, Any], pools: list[Pool], taken: set[str]) -> bool:
    """Whether the address a Service already holds is still valid (so IPs do not move around)."""
    address = current_ip(service)
    if address is None or address in taken or not is_load_balancer(service):
        return False
    try:
        requested = requested_ips(service)
        restricted = _json_list_annotation(service, IPV4_POOLS_ANNOTATION)
    except ValueError:
        return False
    if requested is not None:
        return address in requested and any(ipaddress.ip_address(address) in pool.network for pool in pools)
    holding = [pool for pool in pools if ipaddress.ip_address(address) in pool.network]
    if restricted is not None:
        holding = [pool for pool in holding if _pool_named(pool, restricted)]
    return bool(holding)


def plan(services: list[dict[str, Any]], pools: list[dict[str, Any]]) -> dict[tuple[str, str], Decision]:
    """Decisions for every Service of type LoadBalancer, keyed by (namespace, name).

    Existing valid assignments are honoured first; the rest are served oldest first, so a pool created later
    hands addresses to pending Services in the order they were created.
    """
    lb_pools = load_balancer_pools(pools)
    ordered = sorted(
        (service for service in services if is_load_balancer(service)),
        key=lambda item: (
            item["metadata"].get("creationTimestamp", ""),
            item["metadata"].get("namespace", ""),
            item["metadata"]["name"],
        ),
    )
    taken: set[str] = set()
    decisions: dict[tuple[str, str], Decision] = {}
    for service in ordered:
        if keeps_current(service, lb_pools, taken):
            address = current_ip(service)
            taken.add(address)
            decisions[_key(service)] = Decision(address)
    for service in ordered:
        if _key(service) in decisions:
            continue
        decision = decide(service, lb_pools, taken)
        if decision.ip:
            taken.add(decision.ip)
        decisions[_key(service)] = decision
    return decisions


def _key(service: dict[str, Any]) -> tuple[str, str]:
    return service["metadata"].get("namespace", ""), service["metadata"]["name"]


def desired_status(service: dict[str, Any], decision: Decision | None, now: str) -> dict[str, Any]:
    """The Service status after applying ``decision`` (None: not a LoadBalancer Service)."""
    status = {key: value for key, value in (service.get("status") or {}).items() if key != "loadBalancer"}
    conditions = [item for item in status.get("conditions", []) if item.get("type") != CONDITION_TYPE]
    if decision is not None and decision.ip:
        status["loadBalancer"] = {"ingress": [{"ip": decision.ip, "ipMode": "VIP"}]}
    else:
        status["loadBalancer"] = {}
    if decision is not None and not decision.ip:
        previous = next(
            (item for item in service.get("status", {}).get("conditions", []) if item.get("type") == CONDITION_TYPE),
            None,
        )
        unchanged = previous is not None and (previous.get("reason"), previous.get("message")) == (
            decision.reason,
            decision.message,
        )
        conditions.append(
            {
                "type": CONDITION_TYPE,
                "status": "False",
                "reason": decision.reason,
                "message": decision.message,
                "lastTransitionTime": previous["lastTransitionTime"] if unchanged else now,
            }
        )
    if conditions:
        status["conditions"] = conditions
    else:
        status.pop("conditions", None)
    return status
