"""Calico BGPPeer manifests for the upstream router(s), validated as a whole before anything is written.

Pure Python, no Ansible imports. Addresses are parsed with :func:`lb_cidr.check_address`, so the same
rules (no leading zeros, no prefix length) apply here as to every other address the collection reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import name_violations
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import check_address
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import Violation, raise_if_any

MAX_AS_NUMBER = 4294967295
# Calico takes Go durations for keepaliveTime/holdTime; we accept the common whole-second spellings.
_DURATION = re.compile(r"^(\d+)s$")
_KNOWN_KEYS = {"name", "peer_ip", "as_number", "node_selector", "keepalive_time", "hold_time"}


def as_number_violations(value: object, field: str) -> list[Violation]:
    """An AS number is an integer 1..4294967295 (4-byte ASNs; 0 is reserved)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return [Violation("wrong-type", f"{field} {value!r} is not an integer")]
    if not 1 <= value <= MAX_AS_NUMBER:
        return [Violation("as-number-range", f"{field} {value} is outside 1-{MAX_AS_NUMBER}")]
    return []


def _duration_violations(value: object, field: str) -> list[Violation]:
    if value is None:
        return []
    if not isinstance(value, str) or not _DURATION.fullmatch(value):  # match() lets "3s\n" through
        return [Violation("invalid-duration", f"{field} {value!r} must be whole seconds such as '3s'")]
    return []


def _timer_violations(peer: Mapping[str, Any], field: str) -> list[Violation]:
    violations = _duration_violations(peer.get("keepalive_time"), f"{field}.keepalive_time")
    violations += _duration_violations(peer.get("hold_time"), f"{field}.hold_time")
    if violations or peer.get("hold_time") is None:
        return violations
    hold = int(str(peer["hold_time"])[:-1])
    if hold != 0 and hold < 3:
        violations.append(
            Violation("hold-time-range", f"{field}.hold_time {peer['hold_time']} must be 0s or at least 3s (RFC 4271)")
        )
    if peer.get("keepalive_time") is not None and hold and int(str(peer["keepalive_time"])[:-1]) * 3 > hold:
        violations.append(
            Violation(
                "keepalive-too-long",
                f"{field}.keepalive_time {peer['keepalive_time']} is more than a third of "
                f"hold_time {peer['hold_time']}",
            )
        )
    return violations


def _peer_violations(peer: object, field: str, local_as_number: object) -> list[Violation]:
    if not isinstance(peer, Mapping):
        return [Violation("wrong-type", f"{field} {peer!r} is not a mapping")]
    violations = [
        Violation("unknown-key", f"{field}.{key} is not a peer setting (known: {', '.join(sorted(_KNOWN_KEYS))})")
        for key in sorted(set(peer) - _KNOWN_KEYS)
    ]
    violations += name_violations(peer.get("name"), f"{field}.name")
    violations += check_address(peer.get("peer_ip"), f"{field}.peer_ip")[1]
    as_violations = as_number_violations(peer.get("as_number"), f"{field}.as_number")
    violations += as_violations
    # Only a valid AS number is compared; other broken rules of this peer must not hide this one.
    if not as_violations and peer.get("as_number") == local_as_number:
        violations.append(
            Violation(
                "same-as-number",
                f"{field}.as_number {peer['as_number']} equals the nodes' AS number {local_as_number}: the upstream "
                "router must be an eBGP peer in another AS",
            )
        )
    selector = peer.get("node_selector")
    if selector is None:  # null means the default, as in the manifest (e.g. an empty `node_selector:` in YAML)
        selector = "all()"
    if not isinstance(selector, str) or not selector.strip():
        violations.append(Violation("empty-selector", f"{field}.node_selector {selector!r} must be a Calico selector"))
    return violations + _timer_violations(peer, field)


def _manifest(peer: Mapping[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "peerIP": check_address(peer["peer_ip"], "peer_ip")[0].text.split("/")[0],  # canonical spelling
        "asNumber": peer["as_number"],
        "nodeSelector": peer.get("node_selector") or "all()",
    }
    if peer.get("keepalive_time"):
        spec["keepaliveTime"] = peer["keepalive_time"]
    if peer.get("hold_time"):
        spec["holdTime"] = peer["hold_time"]
    return {"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer", "metadata": {"name": peer["name"]}, "spec": spec}


def bgp_peer_manifests(peers: Sequence[object], local_as_number: object) -> list[dict[str, Any]]:
    """Validate every peer (all violations at once) and return one BGPPeer manifest per peer."""
    violations = as_number_violations(local_as_number, "local_as_number")
    if not isinstance(peers, Sequence) or isinstance(peers, (str, bytes)):
        violations.append(Violation("wrong-type", f"peers {peers!r} is not a list"))
        peers = []
    for index, peer in enumerate(peers):
        violations += _peer_violations(peer, f"peers[{index}]", local_as_number)
    names = [peer.get("name") for peer in peers if isinstance(peer, Mapping)]
    violations += [
        Violation("duplicate-name", f"peers: name {name!r} is used more than once")
        for name in sorted({name for name in names if isinstance(name, str) and names.count(name) > 1})
    ]
    raise_if_any(violations)
    return [_manifest(peer) for peer in peers]  # type: ignore[arg-type]
