# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an upstream router knows about one prefix, normalised across EOS and FRR, and judged.

Pure Python (no Ansible imports) so it can be unit-tested against captured router output.

Three steps, each usable on its own:

1. *read*: :func:`load_json` accepts the router's JSON as text or as an already-decoded object
   (``eos_command`` hands over dicts, ``vtysh -c`` over ``command`` hands over text);
2. *normalise*: ``parse_<platform>_route`` and ``parse_<platform>_bgp_summary`` turn one command's
   output into a :class:`RouteView` and a tuple of :class:`BgpPeerState`;
3. *judge*: :func:`check` compares the model with :class:`Expectations` and returns a :class:`Verdict`
   with a table of checks (as Arista ANTA's VerifyBGPPeersHealth / VerifyBGPRouteECMP /
   VerifyIPv4RouteNextHops would report them) and one line that says what is wrong and the likely cause.

Router facts this relies on:

* EOS ``show ip route <prefix> | json``: ``vrfs.<vrf>.routes[<prefix>] = {routeType: "eBGP", vias: [{nexthopAddr,
  interface}]}``; an absent prefix gives an empty ``routes``, or other routes of the lookup (a covering one
  such as ``0.0.0.0/0`` is named as the closest match, the longest of them that contains the prefix).
* EOS ``show ip bgp summary | json``: ``vrfs.<vrf>.peers[<ip>] = {peerState, prefixReceived, prefixAccepted}``;
  newer ``show bgp summary | json`` nests counts per AFI: ``ipv4Unicast.{nlrisReceived, nlrisAccepted}``.
* FRR 8.4 ``show ip route <prefix> json``: ``{<prefix>: [{protocol, selected, nexthops: [{ip, interfaceName,
  active, fib}]}]}``; an absent prefix gives ``{}`` (measured).
* FRR 8.4 ``show bgp ipv4 unicast summary json``: ``peers[<ip>] = {state, pfxRcd}``; ``{}`` when there is no
  peer or no BGP instance (measured). ``pfxRcd`` counts prefixes *after* inbound policy, so FRR gives one
  number that serves as both "received" and "accepted". A dynamic peer (``bgp listen range``) that goes down
  disappears from the summary instead of showing Idle/Active (measured).
* The summary counts all of a peer's prefixes, not this prefix: "received 0" proves a node advertises nothing,
  "received 1" does not prove it is this prefix.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import (
    ValidationError,
    Violation,
    raise_if_any,
)

PLATFORMS = ("eos", "frr")
EXCLUSION_LABEL = "exclude-from-external-load-balancers"
ESTABLISHED = "Established"
PASS, FAIL, SKIP = "pass", "fail", "skip"

# ANTA-like check names, in the order they are evaluated and reported.
CHECK_ROUTE_PRESENT = "route_present"
CHECK_ROUTE_TYPE = "route_type_bgp"
CHECK_NEXT_HOPS = "next_hops_match"
CHECK_PATH_COUNT = "ecmp_path_count"
CHECK_PEERS = "peers_established"
CHECK_PREFIXES = "prefixes_received"


# --------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class NextHop:
    """One forwarding path of the route; ``address`` is None for a directly connected route."""

    address: Optional[str]
    interface: Optional[str] = None
    node: Optional[str] = None

    def as_dict(self) -> dict[str, Any]:
        return {"address": self.address, "interface": self.interface, "node": self.node}


@dataclass(frozen=True)
class BgpPeerState:
    """One BGP session as the router's summary shows it (counts are None when the router gives none)."""

    address: str
    state: str
    received: Optional[int] = None
    accepted: Optional[int] = None
    node: Optional[str] = None

    @property
    def established(self) -> bool:
        return self.state == ESTABLISHED

    def as_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "state": self.state,
            "received": self.received,
            "accepted": self.accepted,
            "node": self.node,
        }


@dataclass(frozen=True)
class RouteView:
    """The router's answer for one prefix.

    ``route_type`` is spelled as the router spells it (EOS ``eBGP``, FRR ``bgp``); ``closest_match`` is the longest
    route the router answered with that covers the prefix (what it forwards by instead, e.g. a default route), None
    when no answer covers it; ``note`` explains an empty answer.
    """

    prefix: str
    present: bool
    route_type: Optional[str] = None
    next_hops: tuple[NextHop, ...] = ()
    closest_match: Optional[str] = None
    note: Optional[str] = None

    @property
    def is_bgp(self) -> bool:
        return self.route_type is not None and "bgp" in self.route_type.lower()


@dataclass(frozen=True)
class Expectations:
    """What the caller expects; build it with :func:`make_expectations` to get every input checked."""

    prefix: str
    expected_next_hops: tuple[str, ...] = ()
    min_paths: Optional[int] = None
    node_names: Mapping[str, str] = field(default_factory=dict)
    excluded_nodes: Mapping[str, str] = field(default_factory=dict)
    maximum_paths: Optional[int] = None

    @property
    def required_paths(self) -> int:
        """Paths needed to pass: min_paths if given, else every expected next hop, else one."""
        if self.min_paths is not None:
            return self.min_paths
        return len(self.expected_next_hops) or 1

    def node_of(self, address: Optional[str]) -> Optional[str]:
        if address is None:
            return None
        return self.node_names.get(address) or self.excluded_nodes.get(address)


@dataclass(frozen=True)
class CheckResult:
    """One row of the report table."""

    check: str
    result: str  # pass | fail | skip
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "result": self.result, "detail": self.detail}


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    prefix: str
    summary: str
    route_type: Optional[str]
    next_hops: tuple[NextHop, ...]
    peers: Optional[tuple[BgpPeerState, ...]]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    checks: tuple[CheckResult, ...]
    warnings: tuple[str, ...] = ()

    @property
    def problems(self) -> list[dict[str, str]]:
        return [{"check": c.check, "detail": c.detail} for c in self.checks if c.result == FAIL]

    def as_dict(self) -> dict[str, Any]:
        """The module's return values (``warnings`` excluded: the module reports those through Ansible)."""
        return {
            "healthy": self.healthy,
            "prefix": self.prefix,
            "summary": self.summary,
            "route_type": self.route_type,
            "next_hops": [hop.as_dict() for hop in self.next_hops],
            "peers": [peer.as_dict() for peer in self.peers or ()],
            "missing": list(self.missing),
            "unexpected": list(self.unexpected),
            "problems": self.problems,
            "checks": [c.as_dict() for c in self.checks],
        }


# ---------------------------------------------------------------------------------------------- read


def split_command_outputs(text: str, json_documents: int) -> list[Any]:
    """Cut the output of one ``vtysh -c A -c B -c C`` call into each command's output.

    vtysh prints the commands' outputs one after the other: the first ``json_documents`` are decoded as JSON, and
    whatever follows is returned as text (a ``show running-config``). Output that is not JSON where JSON is due
    is handed on as text in its place, and the outputs after it as empty text, so the judge names what it got.
    Output read through a terminal has CR LF line ends; they become LF.
    """
    decoder = json.JSONDecoder()
    outputs: list[Any] = []
    position = 0
    text = text.replace("\r\n", "\n")  # read through a terminal (Ansible's raw over SSH): lines end in CR LF
    while len(outputs) < json_documents:
        rest = text[position:].lstrip()
        position = len(text) - len(rest)
        try:
            document, position = decoder.raw_decode(text, position)
        except ValueError:
            return outputs + [rest] + [""] * (json_documents - len(outputs))
        outputs.append(document)
    return [*outputs, text[position:].lstrip("\n")]


def load_json(value: Any, option: str) -> Any:
    """Decode router output given as JSON text; pass decoded objects through; raise naming ``option``."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        _fail(option, "empty-output", f"{option}: the router output is empty; expected the command's JSON")
    try:
        return json.loads(value)
    except ValueError as err:
        first_line = value.strip().splitlines()[0][:60]
        _fail(
            option,
            "invalid-json",
            f"{option}: not valid JSON ({err}); output starts with {first_line!r} — "
            "pass the router's JSON (EOS '| json', FRR '... json')",
        )
    raise AssertionError("unreachable")  # _fail always raises; keeps type checkers honest


def _rule(option: str, suffix: str) -> str:
    """Kebab-case rule id from an option name, e.g. ``expected-next-hops-invalid``."""
    return f"{option.replace('_', '-')}-{suffix}"


def _fail(option: str, rule: str, detail: str) -> None:
    raise_if_any([Violation(rule=_rule(option, rule), detail=detail)])


def _require_mapping(data: Any, option: str, what: str) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    hint = " (a list: pass one command's output, e.g. result.stdout[0])" if isinstance(data, list) else ""
    _fail(option, "not-an-object", f"{option}: expected a JSON object ({what}), got {type(data).__name__}{hint}")
    raise AssertionError("unreachable")


def _count(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ------------------------------------------------------------------------------------------ normalise


def _eos_vrf(data: Any, option: str, command: str, vrf: str) -> Optional[Mapping[str, Any]]:
    """The ``vrfs.<vrf>`` object of EOS output, None when the VRF is absent; a wrong shape names the platform."""
    top = _require_mapping(data, option, f"EOS '{command} | json'")
    if "vrfs" not in top:
        _fail(
            option,
            "not-eos-output",
            f"{option}: no 'vrfs' key, so this is not EOS '{command} | json' output "
            f"(top-level keys: {', '.join(sorted(top)) or 'none'}); check platform",
        )
    vrfs = _require_mapping(top["vrfs"], option, "the 'vrfs' object")
    found = vrfs.get(vrf)
    return None if found is None else _require_mapping(found, option, f"vrfs.{vrf}")


def parse_eos_route(data: Any, prefix: str, vrf: str = "default") -> RouteView:
    """Normalise EOS ``show ip route <prefix> | json``."""
    vrf_data = _eos_vrf(data, "route", "show ip route <prefix>", vrf)
    if vrf_data is None:
        return RouteView(prefix=prefix, present=False, note=f"VRF {vrf} is not in the router output")
    routes = _require_mapping(vrf_data.get("routes", {}), "route", f"vrfs.{vrf}.routes")
    entry = routes.get(prefix)
    if entry is None:
        return _absent(prefix, routes)
    entry = _require_mapping(entry, "route", f"vrfs.{vrf}.routes[{prefix}]")
    hops = [NextHop(address=via.get("nexthopAddr"), interface=via.get("interface")) for via in entry.get("vias", [])]
    return RouteView(prefix=prefix, present=True, route_type=entry.get("routeType"), next_hops=_unique(hops))


def parse_frr_route(data: Any, prefix: str) -> RouteView:
    """Normalise FRR ``show ip route <prefix> json`` (the selected entry's active next hops)."""
    routes = _require_mapping(data, "route", "FRR 'show ip route <prefix> json'")
    if "vrfs" in routes:
        _fail("route", "not-frr-output", "route: has a 'vrfs' key, which is EOS output, not FRR; check platform")
    entries = routes.get(prefix)
    if entries is None:
        return _absent(prefix, routes)
    if not isinstance(entries, list) or not entries:
        _fail("route", "not-frr-output", f"route: {prefix} should map to a non-empty list of route entries")
    entry = next((e for e in entries if isinstance(e, Mapping) and e.get("selected")), entries[0])
    entry = _require_mapping(entry, "route", f"{prefix}[0]")
    # FRR lists next hops it could not resolve too; only active ones forward traffic.
    hops = [
        NextHop(address=hop.get("ip"), interface=hop.get("interfaceName"))
        for hop in entry.get("nexthops", [])
        if hop.get("active")
    ]
    return RouteView(prefix=prefix, present=True, route_type=entry.get("protocol"), next_hops=_unique(hops))


def _absent(prefix: str, routes: Mapping[str, Any]) -> RouteView:
    """No exact entry; the router's longest-match answer is kept so the message can name what it would use instead."""
    return RouteView(prefix=prefix, present=False, closest_match=longest_covering_prefix(prefix, routes))


def longest_covering_prefix(prefix: str, candidates: Iterable[str]) -> Optional[str]:
    """The most specific of ``candidates`` that contains all of ``prefix`` (as a router's lookup picks), or None.

    A more specific route (a /32 of one Service), a sibling or another address family covers nothing of the
    prefix, so it is never the "closest match"; keys that are not networks are ignored.
    """
    wanted = ipaddress.ip_network(prefix, strict=False)
    covering = []
    for candidate in candidates:
        try:
            network = ipaddress.ip_network(str(candidate), strict=False)
        except ValueError:
            continue
        if network.version == wanted.version and network.prefixlen < wanted.prefixlen and wanted.subnet_of(network):
            covering.append((network.prefixlen, str(candidate)))
    return max(covering)[1] if covering else None


def _unique(hops: Sequence[NextHop]) -> tuple[NextHop, ...]:
    """Drop repeated addresses (a next hop reachable over two interfaces is still one node)."""
    seen: set[Optional[str]] = set()
    kept = []
    for hop in hops:
        if hop.address is None or hop.address not in seen:
            kept.append(hop)
            seen.add(hop.address)
    return tuple(kept)


def parse_eos_bgp_summary(data: Any, vrf: str = "default") -> tuple[BgpPeerState, ...]:
    """Normalise EOS ``show ip bgp summary | json`` or the per-AFI ``show bgp summary | json``."""
    vrf_data = _eos_vrf(data, "bgp_summary", "show ip bgp summary", vrf)
    if vrf_data is None:
        return ()
    peers = _require_mapping(vrf_data.get("peers", {}), "bgp_summary", f"vrfs.{vrf}.peers")
    return tuple(_eos_peer(address, _require_mapping(p, "bgp_summary", address)) for address, p in peers.items())


def _eos_peer(address: str, peer: Mapping[str, Any]) -> BgpPeerState:
    afi = peer.get("ipv4Unicast")
    if isinstance(afi, Mapping):  # newer 'show bgp summary': counts per address family
        received, accepted = afi.get("nlrisReceived"), afi.get("nlrisAccepted")
    else:
        received, accepted = peer.get("prefixReceived"), peer.get("prefixAccepted")
    return BgpPeerState(
        address=address,
        state=str(peer.get("peerState", "unknown")),
        received=_count(received),
        accepted=_count(accepted),
    )


def parse_frr_bgp_summary(data: Any) -> tuple[BgpPeerState, ...]:
    """Normalise FRR ``show bgp ipv4 unicast summary json`` (or ``show bgp summary json``, ipv4Unicast part)."""
    top = _require_mapping(data, "bgp_summary", "FRR 'show bgp ipv4 unicast summary json'")
    if "vrfs" in top:
        _fail("bgp_summary", "not-frr-output", "bgp_summary: has a 'vrfs' key, which is EOS output; check platform")
    if "ipv4Unicast" in top:  # 'show bgp summary json' wraps each address family
        top = _require_mapping(top["ipv4Unicast"], "bgp_summary", "ipv4Unicast")
    peers = _require_mapping(top.get("peers", {}), "bgp_summary", "peers")
    states = []
    for address, raw in peers.items():
        peer = _require_mapping(raw, "bgp_summary", address)
        count = _count(peer.get("pfxRcd"))
        states.append(BgpPeerState(address, str(peer.get("state", "unknown")), received=count, accepted=count))
    return tuple(states)


# ---------------------------------------------------------------------------------------- expectations


def make_expectations(
    prefix: Any,
    expected_next_hops: Optional[Sequence[Any]] = None,
    min_paths: Optional[int] = None,
    node_names: Optional[Mapping[str, Any]] = None,
    excluded_nodes: Optional[Mapping[str, Any]] = None,
    maximum_paths: Optional[int] = None,
) -> Expectations:
    """Validate every input at once (field, value, rule) and return normalised :class:`Expectations`."""
    violations: list[Violation] = []
    network = _network(prefix, violations)
    hops = _addresses("expected_next_hops", list(expected_next_hops or ()), violations)
    names = _address_map("node_names", node_names or {}, violations)
    excluded = _address_map("excluded_nodes", excluded_nodes or {}, violations)
    for option, value in (("min_paths", min_paths), ("maximum_paths", maximum_paths)):
        if value is not None and value < 1:
            violations.append(Violation(_rule(option, "positive"), f"{option}: {value} must be 1 or more"))
    if min_paths is not None and hops and min_paths > len(hops):
        violations.append(
            Violation(
                "min-paths-exceeds-expected",
                f"min_paths: {min_paths} exceeds the {len(hops)} expected_next_hops, so it could never pass",
            )
        )
    raise_if_any(violations)
    return Expectations(
        prefix=str(network),
        expected_next_hops=tuple(hops),
        min_paths=min_paths,
        node_names=names,
        excluded_nodes=excluded,
        maximum_paths=maximum_paths,
    )


def _network(prefix: Any, violations: list[Violation]) -> Optional[str]:
    """The prefix in the router's spelling; a host address or a missing length is a mistake, not a lookup."""
    text = str(prefix).strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        violations.append(Violation("prefix-invalid", f"prefix: {prefix!r} is not an IP network like 172.16.0.240/28"))
        return None
    if "/" not in text:
        violations.append(
            Violation("prefix-no-length", f"prefix: {prefix!r} has no prefix length; routers key routes as {network}")
        )
    elif ipaddress.ip_address(text.partition("/")[0]) != network.network_address:
        violations.append(
            Violation("prefix-host-bits", f"prefix: {prefix!r} has host bits set; the route is {network}")
        )
    return network.with_prefixlen


def _addresses(option: str, values: list[Any], violations: list[Violation]) -> list[str]:
    result = []
    for value in values:
        try:
            address = str(ipaddress.ip_address(str(value)))
        except ValueError:
            violations.append(
                Violation(f"{option.replace('_', '-')}-invalid", f"{option}: {value!r} is not an IP address")
            )
            continue
        if address in result:
            violations.append(
                Violation(f"{option.replace('_', '-')}-duplicate", f"{option}: {address} is listed twice")
            )
            continue
        result.append(address)
    return result


def _address_map(option: str, mapping: Mapping[str, Any], violations: list[Violation]) -> dict[str, str]:
    result = {}
    for key, name in mapping.items():
        address = _addresses(option, [key], violations)
        if address:
            result[address[0]] = str(name)
    return result


# --------------------------------------------------------------------------------------------- judge


def check(route: RouteView, peers: Optional[Sequence[BgpPeerState]], expect: Expectations) -> Verdict:
    """Judge the router's view against the expectations; never raises for an unhealthy network."""
    hops = tuple(replace(hop, node=expect.node_of(hop.address)) for hop in route.next_hops)
    named_peers = None if peers is None else tuple(replace(p, node=expect.node_of(p.address)) for p in peers)
    judge = _Judge(route, hops, named_peers, expect)
    checks = judge.checks()
    healthy = all(c.result != FAIL for c in checks)
    return Verdict(
        healthy=healthy,
        prefix=expect.prefix,
        summary=judge.healthy_summary() if healthy else judge.unhealthy_summary(),
        route_type=route.route_type,
        next_hops=hops,
        peers=named_peers,
        missing=judge.missing,
        unexpected=judge.unexpected,
        checks=checks,
        warnings=judge.warnings() if healthy else (),
    )


def verify_route(
    platform: str,
    route: Any,
    prefix: Any,
    bgp_summary: Any = None,
    expected_next_hops: Optional[Sequence[Any]] = None,
    min_paths: Optional[int] = None,
    node_names: Optional[Mapping[str, Any]] = None,
    excluded_nodes: Optional[Mapping[str, Any]] = None,
    maximum_paths: Optional[int] = None,
) -> Verdict:
    """The module's one call: validate inputs, read and normalise router output, judge it."""
    # Bad options and unreadable output are reported together, so one run shows every fix to make.
    violations: list[Violation] = []
    expect = _collecting(
        violations, make_expectations, prefix, expected_next_hops, min_paths, node_names, excluded_nodes, maximum_paths
    )
    route_data = _collecting(violations, load_json, route, "route")
    summary_data = None if bgp_summary is None else _collecting(violations, load_json, bgp_summary, "bgp_summary")
    if platform not in PLATFORMS:
        violations.append(Violation("platform-unsupported", f"platform: {platform!r} is not one of eos, frr"))
    raise_if_any(violations)
    if platform == "eos":
        view = parse_eos_route(route_data, expect.prefix)
        peers = None if summary_data is None else parse_eos_bgp_summary(summary_data)
    else:
        view = parse_frr_route(route_data, expect.prefix)
        peers = None if summary_data is None else parse_frr_bgp_summary(summary_data)
    return check(view, peers, expect)


def _collecting(violations: list[Violation], function: Callable[..., Any], *args: Any) -> Any:
    """Call ``function``; on ValidationError keep its violations and return None so checking can go on."""
    try:
        return function(*args)
    except ValidationError as error:
        violations.extend(error.violations)
        return None


def _plural(count: Optional[int], one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _group_by_cause(causes: Mapping[str, str]) -> dict[str, list[str]]:
    """Missing next hops grouped by cause, in first-seen order, so a shared cause is said once."""
    grouped: dict[str, list[str]] = {}
    for address, cause in causes.items():
        grouped.setdefault(cause, []).append(address)
    return grouped


class _Judge:
    """Holds one evaluation's derived facts so each check and message is a small method."""

    def __init__(
        self,
        route: RouteView,
        hops: tuple[NextHop, ...],
        peers: Optional[tuple[BgpPeerState, ...]],
        expect: Expectations,
    ) -> None:
        self.route = route
        self.expect = expect
        self.peers = peers
        self.peer_by_address = {p.address: p for p in peers or ()}
        self.actual = tuple(hop.address for hop in hops if hop.address is not None)
        expected = expect.expected_next_hops
        self.missing = tuple(ip for ip in expected if ip not in self.actual)
        self.unexpected = tuple(ip for ip in self.actual if ip not in expected) if expected else ()
        self.routable = route.present and route.is_bgp
        # min_paths given and met: missing next hops and their sessions become warnings, not failures.
        self.tolerant = (
            self.routable
            and expect.min_paths is not None
            and not self.unexpected
            and len(self.actual) >= expect.min_paths
        )

    # ---- labels and causes

    def label(self, address: str) -> str:
        node = self.expect.node_of(address)
        return f"{address} ({node})" if node else address

    def missing_cause(self, address: str) -> str:
        """The most likely reason one expected next hop is not in the route."""
        excluded = self.expect.excluded_nodes.get(address)
        if excluded:
            return f"node {excluded} is labelled {EXCLUSION_LABEL}"
        peer_cause = self.peer_cause(address)
        if peer_cause:
            return peer_cause
        if self.expect.maximum_paths is not None and len(self.actual) >= self.expect.maximum_paths:
            return self.maximum_paths_clause()
        if self.peers is None:
            return "no bgp_summary given to tell why"
        return (
            "peer Established and sending prefixes, but not a path for this prefix "
            "(maximum-paths on the router, or the node does not advertise it)"
        )

    def peer_cause(self, address: str) -> Optional[str]:
        """What is wrong with the BGP session to ``address``; None when it looks fine or is unknown."""
        if self.peers is None:
            return None
        peer = self.peer_by_address.get(address)
        if peer is None:
            return "no BGP session (not in the BGP summary; a dynamic peer that goes down is removed from it)"
        if not peer.established:
            return f"peer {peer.state}"
        if not peer.received:
            return "peer Established but advertises no prefixes"
        if peer.accepted == 0:
            received = _plural(peer.received, "prefix", "prefixes")
            return f"peer Established, {received} received but none accepted (inbound policy)"
        return None

    def maximum_paths_clause(self) -> str:
        return f"maximum-paths is {self.expect.maximum_paths} on the router"

    def peers_to_check(self) -> list[str]:
        """Expected next hops when given (those are the sessions that matter), else every peer in the summary."""
        if self.expect.expected_next_hops:
            return list(self.expect.expected_next_hops)
        return [p.address for p in self.peers or ()]

    # ---- checks

    def checks(self) -> tuple[CheckResult, ...]:
        return (
            self.check_route_present(),
            self.check_route_type(),
            self.check_next_hops(),
            self.check_path_count(),
            self.check_peers(),
            self.check_prefixes(),
        )

    def check_route_present(self) -> CheckResult:
        if self.route.present:
            return CheckResult(CHECK_ROUTE_PRESENT, PASS, f"{self.expect.prefix} in routing table")
        return CheckResult(CHECK_ROUTE_PRESENT, FAIL, self.absent_clause())

    def check_route_type(self) -> CheckResult:
        if not self.route.present:
            return CheckResult(CHECK_ROUTE_TYPE, SKIP, "route absent")
        if self.route.is_bgp:
            return CheckResult(CHECK_ROUTE_TYPE, PASS, f"route type is {self.route.route_type}")
        return CheckResult(CHECK_ROUTE_TYPE, FAIL, f"route type is {self.route.route_type}, expected BGP")

    def check_next_hops(self) -> CheckResult:
        if not self.routable:
            return CheckResult(CHECK_NEXT_HOPS, SKIP, "no BGP route to compare")
        if not self.expect.expected_next_hops:
            return CheckResult(CHECK_NEXT_HOPS, SKIP, "no expected_next_hops given")
        if not self.missing and not self.unexpected:
            return CheckResult(CHECK_NEXT_HOPS, PASS, "next hops equal the expected set: " + self.hop_list())
        parts = [f"{self.label(ip)} missing: {self.missing_cause(ip)}" for ip in self.missing]
        parts += [f"{self.label(ip)} unexpected: not in expected_next_hops" for ip in self.unexpected]
        return self.tolerated(CHECK_NEXT_HOPS, "; ".join(parts))

    def check_path_count(self) -> CheckResult:
        if not self.routable:
            return CheckResult(CHECK_PATH_COUNT, SKIP, "no BGP route to count")
        have, need = len(self.actual), self.expect.required_paths
        result = PASS if have >= need else FAIL
        return CheckResult(CHECK_PATH_COUNT, result, f"{have} next hops, at least {need} required")

    def check_peers(self) -> CheckResult:
        if self.peers is None:
            return CheckResult(CHECK_PEERS, SKIP, "no bgp_summary given")
        addresses = self.peers_to_check()
        if not addresses:
            return CheckResult(CHECK_PEERS, FAIL, "no BGP peers in the summary")
        down = [ip for ip in addresses if not self.peer_established(ip)]
        if down:
            details = [f"{self.label(ip)} {self.session_state(ip)}" for ip in down]
            return self.tolerated(CHECK_PEERS, "; ".join(details))
        return CheckResult(CHECK_PEERS, PASS, f"{len(addresses)} of {len(addresses)} peers Established")

    def check_prefixes(self) -> CheckResult:
        if self.peers is None:
            return CheckResult(CHECK_PREFIXES, SKIP, "no bgp_summary given")
        # Excluded nodes are meant to stay silent; sessions that are down are already reported above.
        candidates = [
            self.peer_by_address[ip]
            for ip in self.peers_to_check()
            if self.peer_established(ip) and ip not in self.expect.excluded_nodes
        ]
        if not candidates:
            return CheckResult(CHECK_PREFIXES, SKIP, "no Established peer to check")
        silent = [p for p in candidates if not p.received or p.accepted == 0]
        if silent:
            details = [
                f"{self.label(p.address)} received {p.received or 0}, accepted {p.accepted or 0}" for p in silent
            ]
            return self.tolerated(CHECK_PREFIXES, "; ".join(details))
        return CheckResult(CHECK_PREFIXES, PASS, f"{len(candidates)} peers sent and had prefixes accepted")

    def tolerated(self, check: str, detail: str) -> CheckResult:
        """A failure, unless min_paths is met: then a pass that still says what was found."""
        if self.tolerant:
            return CheckResult(check, PASS, f"{detail} (tolerated: min_paths {self.expect.min_paths})")
        return CheckResult(check, FAIL, detail)

    def peer_established(self, address: str) -> bool:
        peer = self.peer_by_address.get(address)
        return peer is not None and peer.established

    def session_state(self, address: str) -> str:
        peer = self.peer_by_address.get(address)
        return "no session (not in the BGP summary)" if peer is None else peer.state

    # ---- one-line summaries

    def hop_list(self) -> str:
        return ", ".join(self.label(ip) for ip in self.actual) or "none"

    def absent_clause(self) -> str:
        text = f"prefix {self.expect.prefix} not in routing table"
        if self.route.note:
            text += f" ({self.route.note})"
        if self.route.closest_match:
            text += f" (the router's longest covering route is {self.route.closest_match})"
        explanation = self.absent_explanation()
        return f"{text}; {explanation}" if explanation else text

    def absent_explanation(self) -> Optional[str]:
        """Why no node's announcement made it: read from the sessions, when we have them."""
        if self.peers is None:
            return None
        if not self.peers:
            return "no BGP peers in the summary"
        up = [p for p in self.peers if p.established]
        if not up:
            states = ", ".join(f"{self.label(p.address)} {p.state}" for p in self.peers)
            return f"no BGP peer is Established ({states})"
        if not any(p.received for p in up):
            return f"{len(up)} peers Established but none advertises any prefix"
        return None

    def unhealthy_summary(self) -> str:
        if not self.route.present:
            return self.absent_clause()
        if not self.route.is_bgp:
            return f"route type is {self.route.route_type}, expected BGP"
        clauses = self.path_clauses()
        clauses += [f"{self.label(ip)} unexpected: not in expected_next_hops" for ip in self.unexpected]
        clauses += self.unexplained_peer_clauses()
        return "; ".join(clauses)

    def path_clauses(self) -> list[str]:
        """ "N of M next hops", then one clause per missing next hop; a shared maximum-paths cause is said once."""
        have = len(self.actual)
        wanted = len(self.expect.expected_next_hops) or self.expect.required_paths
        if not self.missing and have >= self.expect.required_paths:
            return [f"{have} next hops, {wanted} expected"] if self.unexpected else []
        head = f"{have} of {wanted} next hops"
        causes = {ip: self.missing_cause(ip) for ip in self.missing}
        if self.expect.maximum_paths is not None and self.maximum_paths_clause() in causes.values():
            head += f": {self.maximum_paths_clause()}"
        clauses = [head]
        for cause, addresses in _group_by_cause(causes).items():
            if cause == self.maximum_paths_clause():
                continue
            # Don't repeat a node name the cause already says.
            labels = [ip if (self.expect.node_of(ip) or "?") in cause else self.label(ip) for ip in addresses]
            clauses.append(f"{', '.join(labels)} missing: {cause}")
        return clauses

    def unexplained_peer_clauses(self) -> list[str]:
        """Session problems of peers whose next hop is present (e.g. a stale path) or not expected at all."""
        clauses = []
        for ip in self.peers_to_check():
            if ip in self.missing:
                continue
            cause = self.peer_cause(ip)
            if not cause or ip in self.expect.excluded_nodes:
                continue
            if cause.startswith("peer "):  # "peer Idle" -> "peer 10.10.10.12 (k01-worker2) Idle"
                clauses.append(f"peer {self.label(ip)} {cause[len('peer ') :]}")
            else:
                clauses.append(f"peer {self.label(ip)}: {cause}")
        return clauses

    def healthy_summary(self) -> str:
        have = len(self.actual)
        if self.expect.expected_next_hops:
            wanted = len(self.expect.expected_next_hops)
            text = f"healthy: {self.expect.prefix} via {have} of {wanted} expected next hops"
            if self.missing:
                text += f" (min_paths {self.expect.min_paths})"
        else:
            text = f"healthy: {self.expect.prefix} via {have} next hops (at least {self.expect.required_paths})"
        text += f": {self.hop_list()}"
        if self.peers is not None:
            checked = self.peers_to_check()
            text += f"; {sum(self.peer_established(ip) for ip in checked)} peers Established"
        return text

    def warnings(self) -> tuple[str, ...]:
        """Healthy thanks to min_paths, yet next hops are missing or sessions down: worth a warning each."""
        missing = [f"{self.label(ip)} missing: {self.missing_cause(ip)}" for ip in self.missing]
        return tuple(missing + self.unexplained_peer_clauses())
