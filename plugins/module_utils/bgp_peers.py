"""Calico BGPPeer manifests for the upstream router(s), validated as a whole before anything is written.

Pure Python, no Ansible imports. Addresses are parsed with :func:`lb_cidr.check_address`, so the same
rules (no leading zeros, no prefix length) apply here as to every other address the collection reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.calico_specs import name_violations
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.lb_cidr import check_address
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import Violation, raise_if_any

MAX_AS_NUMBER = 4294967295
_KNOWN_KEYS = {"name", "peer_ip", "as_number", "node_selector"}
# Asked for by users, but not fields of Calico's BGPPeer: Calico 3.30's projectcalico.org/v3 BGPPeer has neither
# keepaliveTime nor holdTime (3.32 adds keepaliveTime only), and its API server rejects a write that carries them
# ("field not declared in schema", HTTP 500) after the preflight would have passed.
_ROUTER_SIDE_TIMERS = ("keepalive_time", "hold_time")


def as_number_violations(value: object, field: str) -> list[Violation]:
    """An AS number is an integer 1..4294967295 (4-byte ASNs; 0 is reserved)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return [Violation("wrong-type", f"{field} {value!r} is not an integer")]
    if not 1 <= value <= MAX_AS_NUMBER:
        return [Violation("as-number-range", f"{field} {value} is outside 1-{MAX_AS_NUMBER}")]
    return []


def _timer_violations(peer: Mapping[str, Any], field: str) -> list[Violation]:
    return [
        Violation(
            "not-a-calico-peer-field",
            f"{field}.{key} {peer[key]!r}: Calico's BGPPeer has no keepalive or hold time (projectcalico.org/v3, "
            "Calico 3.30), so the API server would refuse the peer. BGP uses the smaller hold time the two sides "
            "offer: set the timers on the router's peer group instead (EOS and FRR: "
            "'neighbor CALICO-K8S timers 1 3' under router bgp)",
        )
        for key in _ROUTER_SIDE_TIMERS
        if key in peer
    ]


def _peer_violations(peer: object, field: str, local_as_number: object) -> list[Violation]:
    if not isinstance(peer, Mapping):
        return [Violation("wrong-type", f"{field} {peer!r} is not a mapping")]
    violations = [
        Violation("unknown-key", f"{field}.{key} is not a peer setting (known: {', '.join(sorted(_KNOWN_KEYS))})")
        for key in sorted(set(peer) - _KNOWN_KEYS - set(_ROUTER_SIDE_TIMERS))
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
