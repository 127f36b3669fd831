# Copyright: calicolab.bgp_lb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BGP ECMP settings of an FRR router, read from and planned against ``show running-config``.

Pure Python (no Ansible imports) so it can be unit-tested against captured router output.
Only the ``maximum-paths`` / ``maximum-paths ibgp`` lines of one address family of the
default-VRF ``router bgp`` instance are ever planned; everything else is parsed just enough
to leave it alone.

FRR facts this relies on (measured on FRR 8.4.4, Debian 12):

* ``show running-config`` omits ``maximum-paths N`` when N equals bgpd's multipath limit
  (MULTIPATH_NUM, fixed at build time by ``--enable-multipath``; 256 in Debian's build), so an
  absent line means "the limit", not "1".
* Values above the limit are rejected by vtysh with ``% Unknown command``.
* A ``router bgp`` block ends with ``exit`` at column 0 (older FRR ended it with ``!``);
  address-family sub-blocks end with `` exit-address-family``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

AS_NUMBER_MIN = 1
AS_NUMBER_MAX = 4294967295
# FRR's configure treats --enable-multipath=0 as 64 and the brief's agreed fallback is 64 when the
# build flags cannot be read (an FRR built without the flag uses 16: then vtysh rejects 17..64 and
# the module fails quoting vtysh, which is still a clear error).
FALLBACK_MULTIPATH_LIMIT = 64
ADDRESS_FAMILIES = ("ipv4", "ipv6")
STATES = ("present", "absent")

_ROUTER_BGP = re.compile(r"^router bgp (?P<asn>\d+)(?: (?P<kind>vrf|view) (?P<name>\S+))?\s*$")
_AF_HEADER = re.compile(r"^ address-family (?P<afi>\S+) (?P<safi>\S+)\s*$")
_EBGP_PATHS = re.compile(r"^  maximum-paths (?P<n>\d+)\s*$")
_IBGP_PATHS = re.compile(r"^  maximum-paths ibgp (?P<n>\d+)(?P<suffix>(?: \S+)*)\s*$")
_MULTIPATH_FLAG = re.compile(r"--enable-multipath=(?P<n>\d+)")
# Lines FRR prints before maximum-paths inside an address family (its own write order).
_BEFORE_MAXPATHS = ("network ", "aggregate-address ", "redistribute ", "neighbor ")


class FrrConfigError(ValueError):
    """Bad input or a router state this module refuses to change; carries every violation."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__("; ".join(violations))
        self.violations = violations


@dataclass(frozen=True)
class AddressFamilyBlock:
    """One `` address-family <afi> <safi>`` sub-block of a ``router bgp`` block."""

    name: str  # e.g. "ipv4 unicast"
    start: int  # index of the header line within the router block's lines
    end: int  # index of the `` exit-address-family`` line
    maximum_paths: Optional[int] = None
    maximum_paths_ibgp: Optional[int] = None
    ibgp_suffix: str = ""  # e.g. " equal-cluster-length", kept when we rewrite the ibgp line


@dataclass(frozen=True)
class BgpInstance:
    """One ``router bgp`` block, kept as its exact running-config lines."""

    as_number: int
    vrf: Optional[str]  # None for the default instance; "view X" instances carry "view X"
    lines: tuple[str, ...]
    address_families: dict[str, AddressFamilyBlock] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(frozen=True)
class RunningConfig:
    instances: tuple[BgpInstance, ...]

    def default_instance(self) -> Optional[BgpInstance]:
        return next((i for i in self.instances if i.vrf is None), None)


@dataclass(frozen=True)
class EcmpRequest:
    """What the caller wants for one address family of the default BGP instance."""

    as_number: int
    maximum_paths: Optional[int] = None
    maximum_paths_ibgp: Optional[int] = None
    address_family: str = "ipv4"
    state: str = "present"

    @property
    def af_name(self) -> str:
        return f"{self.address_family} unicast"


@dataclass(frozen=True)
class EcmpPlan:
    """The minimal change: ``config_lines`` go between ``configure terminal`` and ``end``."""

    config_lines: list[str]
    before: str
    after: str  # predicted router bgp block (FRR's print order); the real one is re-read after applying
    maximum_paths: int  # effective eBGP value once the plan is applied
    maximum_paths_ibgp: int

    @property
    def changed(self) -> bool:
        return bool(self.config_lines)


# --- parsing -----------------------------------------------------------------------------------


def parse_running_config(text: str) -> RunningConfig:
    """Split ``show running-config`` into its ``router bgp`` blocks; other lines are not needed."""
    lines = text.splitlines()
    instances = []
    index = 0
    while index < len(lines):
        match = _ROUTER_BGP.match(lines[index])
        if match is None:
            index += 1
            continue
        end = _block_end(lines, index)
        instances.append(_parse_instance(match, lines[index:end]))
        index = end
    return RunningConfig(instances=tuple(instances))


def _block_end(lines: list[str], start: int) -> int:
    """Index after a top-level block: its indented lines plus a closing ``exit`` (FRR >= 8)."""
    index = start + 1
    while index < len(lines) and lines[index].startswith(" "):
        index += 1
    if index < len(lines) and lines[index].rstrip() == "exit":
        index += 1
    return index


def _parse_instance(header: re.Match, block: list[str]) -> BgpInstance:
    vrf = None if header.group("kind") is None else header.group("name")
    if header.group("kind") == "view":
        vrf = f"view {header.group('name')}"
    families = {}
    index = 0
    while index < len(block):
        af = _AF_HEADER.match(block[index])
        if af is None:
            index += 1
            continue
        end = next((j for j in range(index + 1, len(block)) if block[j].strip() == "exit-address-family"), len(block))
        name = f"{af.group('afi')} {af.group('safi')}"
        families[name] = _parse_address_family(name, block, index, end)
        index = end + 1
    return BgpInstance(int(header.group("asn")), vrf, tuple(block), families)


def _parse_address_family(name: str, block: list[str], start: int, end: int) -> AddressFamilyBlock:
    ebgp = ibgp = None
    suffix = ""
    for line in block[start + 1 : end]:
        ebgp_match = _EBGP_PATHS.match(line)
        ibgp_match = _IBGP_PATHS.match(line)
        if ebgp_match:
            ebgp = int(ebgp_match.group("n"))
        elif ibgp_match:
            ibgp = int(ibgp_match.group("n"))
            suffix = ibgp_match.group("suffix")
    return AddressFamilyBlock(name, start, end, ebgp, ibgp, suffix)


def parse_multipath_limit(build_info: str) -> int:
    """bgpd's multipath limit from ``vtysh -h`` / ``show version`` build flags (fallback when absent)."""
    match = _MULTIPATH_FLAG.search(build_info)
    if match is None:
        return FALLBACK_MULTIPATH_LIMIT
    value = int(match.group("n"))
    # FRR's configure maps --enable-multipath=0 to 64 for backwards compatibility.
    return value if value > 0 else 64


# --- validation --------------------------------------------------------------------------------


def validate_request(request: EcmpRequest, multipath_limit: int) -> list[str]:
    """Every violation of the input rules, so the user can fix them all in one go."""
    violations = []
    if not AS_NUMBER_MIN <= request.as_number <= AS_NUMBER_MAX:
        violations.append(
            f"as_number {request.as_number} is out of range: must be {AS_NUMBER_MIN}..{AS_NUMBER_MAX} (4-byte ASN)"
        )
    for name in ("maximum_paths", "maximum_paths_ibgp"):
        value = getattr(request, name)
        if value is not None and not 1 <= value <= multipath_limit:
            violations.append(
                f"{name} {value} is out of range: must be 1..{multipath_limit} (this FRR build's multipath limit)"
            )
    if request.address_family not in ADDRESS_FAMILIES:
        violations.append(f"address_family {request.address_family!r} is not one of {', '.join(ADDRESS_FAMILIES)}")
    if request.state not in STATES:
        violations.append(f"state {request.state!r} is not one of {', '.join(STATES)}")
    if request.state == "present" and request.maximum_paths is None and request.maximum_paths_ibgp is None:
        violations.append("state present needs maximum_paths or maximum_paths_ibgp: there is nothing to set")
    return violations


def target_instance(config: RunningConfig, as_number: int, field_name: str = "as_number") -> BgpInstance:
    """The default-VRF instance, which must already run ``as_number``: we never create or renumber one."""
    instance = config.default_instance()
    if instance is None:
        raise FrrConfigError(
            [
                f"no router bgp is configured in the default VRF, expected router bgp {as_number} ({field_name}); "
                "this module never creates a BGP instance"
            ]
        )
    if instance.as_number != as_number:
        raise FrrConfigError(
            [f"router bgp {instance.as_number} is configured on the router, not {as_number} ({field_name})"]
        )
    return instance


# --- planning ----------------------------------------------------------------------------------


def plan_ecmp(
    config: RunningConfig, request: EcmpRequest, multipath_limit: int, field_name: str = "as_number"
) -> EcmpPlan:
    """Minimal vtysh config lines taking the running config to ``request`` (empty when already there)."""
    violations = validate_request(request, multipath_limit)
    if violations:
        raise FrrConfigError(violations)
    instance = target_instance(config, request.as_number, field_name)
    family = instance.address_families.get(request.af_name)
    current_ebgp = _effective(family.maximum_paths if family else None, multipath_limit)
    current_ibgp = _effective(family.maximum_paths_ibgp if family else None, multipath_limit)
    wanted_ebgp, wanted_ibgp = _wanted(request, current_ebgp, current_ibgp, multipath_limit)
    suffix = family.ibgp_suffix if family else ""
    af_lines = []
    if wanted_ebgp != current_ebgp:
        af_lines.append(_ebgp_command(wanted_ebgp, multipath_limit))
    if wanted_ibgp != current_ibgp:
        af_lines.append(_ibgp_command(wanted_ibgp, multipath_limit, suffix))
    context = [f"router bgp {request.as_number}", f"address-family {request.af_name}"]
    config_lines = [*context, *af_lines] if af_lines else []
    after_lines = _predict_block(instance, request.af_name, wanted_ebgp, wanted_ibgp, multipath_limit, suffix)
    return EcmpPlan(
        config_lines=config_lines,
        before=instance.text,
        after="\n".join(after_lines) + "\n",
        maximum_paths=wanted_ebgp,
        maximum_paths_ibgp=wanted_ibgp,
    )


def _effective(shown: Optional[int], multipath_limit: int) -> int:
    # FRR hides the line when the value equals the limit, so "no line" means the limit.
    return multipath_limit if shown is None else shown


def _wanted(request: EcmpRequest, current_ebgp: int, current_ibgp: int, multipath_limit: int) -> tuple[int, int]:
    if request.state == "absent":
        return multipath_limit, multipath_limit
    ebgp = current_ebgp if request.maximum_paths is None else request.maximum_paths
    ibgp = current_ibgp if request.maximum_paths_ibgp is None else request.maximum_paths_ibgp
    return ebgp, ibgp


def _ebgp_command(value: int, multipath_limit: int) -> str:
    return "no maximum-paths" if value == multipath_limit else f"maximum-paths {value}"


def _ibgp_command(value: int, multipath_limit: int, suffix: str) -> str:
    return "no maximum-paths ibgp" if value == multipath_limit else f"maximum-paths ibgp {value}{suffix}"


def _predict_block(
    instance: BgpInstance, af_name: str, ebgp: int, ibgp: int, multipath_limit: int, suffix: str
) -> list[str]:
    """The router bgp block as FRR should print it after the plan: same lines, ECMP lines swapped."""
    lines = list(instance.lines)
    wanted = []
    if ebgp != multipath_limit:
        wanted.append(f"  maximum-paths {ebgp}")
    if ibgp != multipath_limit:
        wanted.append(f"  maximum-paths ibgp {ibgp}{suffix}")
    family = instance.address_families.get(af_name)
    if family is None:
        if not wanted:
            return lines
        position = _new_family_position(instance, af_name)
        new_family = [" !", f" address-family {af_name}", *wanted, " exit-address-family"]
        return [*lines[:position], *new_family, *lines[position:]]
    body = [line for line in lines[family.start + 1 : family.end] if not _is_ecmp_line(line)]
    if not body and not wanted:
        # FRR drops an address family with nothing left in it, together with the " !" before it.
        start = family.start - 1 if family.start > 0 and lines[family.start - 1] == " !" else family.start
        return [*lines[:start], *lines[family.end + 1 :]]
    insert_at = _maxpaths_position(body)
    body[insert_at:insert_at] = wanted
    return [*lines[: family.start + 1], *body, *lines[family.end :]]


def _is_ecmp_line(line: str) -> bool:
    return bool(_EBGP_PATHS.match(line) or _IBGP_PATHS.match(line))


def _maxpaths_position(body: list[str]) -> int:
    """FRR prints maximum-paths after networks, redistributes and per-neighbor lines of the family."""
    position = 0
    for index, line in enumerate(body):
        if line.strip().startswith(_BEFORE_MAXPATHS):
            position = index + 1
    return position


def _new_family_position(instance: BgpInstance, af_name: str) -> int:
    """Where FRR prints a new address family: ipv4 families first, then ipv6, then the rest."""
    rank = _family_rank(af_name)
    later = [f.start for f in instance.address_families.values() if _family_rank(f.name) > rank]
    if later:
        start = min(later)
        return start - 1 if instance.lines[start - 1] == " !" else start
    last = len(instance.lines)
    return last - 1 if instance.lines[-1].rstrip() == "exit" else last


def _family_rank(af_name: str) -> int:
    afi, _space, safi = af_name.partition(" ")
    return {"ipv4": 0, "ipv6": 2}.get(afi, 4) + (0 if safi == "unicast" else 1)


# --- helpers for callers -----------------------------------------------------------------------


def vtysh_argv(vtysh: str, vty_socket: Optional[str], commands: list[str]) -> list[str]:
    """One vtysh invocation; ``-H /dev/null`` keeps vtysh from writing a history file."""
    argv = [vtysh, "-H", "/dev/null"]
    if vty_socket:
        argv += ["--vty_socket", vty_socket]
    for command in commands:
        argv += ["-c", command]
    return argv


def apply_commands(config_lines: list[str]) -> list[str]:
    """The full vtysh ``-c`` sequence that applies ``config_lines``."""
    return ["configure terminal", *config_lines, "end"]


def bgp_block_text(config: RunningConfig, as_number: int) -> str:
    """The default-VRF ``router bgp`` block as printed by FRR (for before/after and diff)."""
    return target_instance(config, as_number).text


def convergence_problems(config: RunningConfig, request: EcmpRequest, multipath_limit: int) -> list[str]:
    """Why the re-read running config is not in the requested state (empty when it is)."""
    leftover = plan_ecmp(config, request, multipath_limit).config_lines
    return [f"still needed after apply: {line}" for line in leftover[2:]]
