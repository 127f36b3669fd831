"""CIDR parsing, normalisation and the rules a Calico LoadBalancer IPPool CIDR must pass.

Library choice: the standard library's :mod:`ipaddress`, not netaddr. It has everything these rules need
(IPv6 parsing and compression, masks, the special-purpose ranges, ``is_global``), and modules run on the
managed host, where netaddr would be one more package to install before the first task can run.

Leading zeros (``172.016.0.240``) are rejected here, explicitly, with our own rule id ``leading-zeros``:
``inet_aton`` reads ``016`` as octal 14, humans read decimal 16, and Python's ipaddress only started
rejecting them in 3.9.5 (CVE-2021-29921). Checking ourselves makes the outcome independent of the managed
host's Python patch level and gives a message that says what is wrong.

Speed: roles pass every existing IPPool (as ``kubernetes.core.k8s_info`` returns them). ``ipaddress.ip_network``
costs about 5 µs a call, so IPv4 text takes a compiled-regex fast path straight to integers, and overlaps are
found with sorted intervals + bisect instead of comparing all pairs (see :class:`PoolIndex`).

Rules mirrored from Calico's IPPool validation: strict mask, no overlap with link-local, blockSize range and
fit, no overlap with another pool, cidr and blockSize immutable. Rules of our own (Calico does not check them,
users get hurt by them): no node/peer address inside the pool, no overlap with pod, service or reserved
CIDRs, a minimum number of addresses, and no range that can never carry a LoadBalancer IP.
"""

from __future__ import annotations

import bisect
import ipaddress
import operator
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Union

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import (
    ValidationError,
    Violation,
    raise_if_any,
)

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

BITS = {4: 32, 6: 128}
# Calico's defaults and limits for IPPool.spec.blockSize.
DEFAULT_BLOCK_SIZE = {4: 26, 6: 122}
BLOCK_SIZE_RANGE = {4: (20, 32), 6: (116, 128)}
# Too many overlaps with a huge supernet would drown the message; the count still tells the whole story.
MAX_OVERLAPS_LISTED = 10

_IPV4_TEXT = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)(?:/([0-9]+))?")
_PREFIX = re.compile(r"0|[1-9][0-9]?")
# Bound once: the fast path runs once per existing pool, 10,000 times in the benchmark.
_inet_pton = socket.inet_pton
_inet_ntop = socket.inet_ntop
_AF_INET = socket.AF_INET
_new_tuple = tuple.__new__  # skips NamedTuple's Python-level __new__
_DIGITS = re.compile(r"[0-9]+")
_WHITESPACE = re.compile(r"\s")


class Cidr(NamedTuple):
    """A strictly masked network as integers: cheap to build and compare (a NamedTuple, no dict per object)."""

    version: int
    value: int
    prefix: int

    @property
    def num_addresses(self) -> int:
        return 1 << (BITS[self.version] - self.prefix)

    @property
    def last(self) -> int:
        return self.value + self.num_addresses - 1

    @property
    def network(self) -> IPNetwork:
        if self.version == 4:
            return ipaddress.IPv4Network((self.value, self.prefix))
        return ipaddress.IPv6Network((self.value, self.prefix))

    @property
    def text(self) -> str:
        """Canonical spelling: IPv4 dotted decimal, IPv6 compressed lower case, always with a prefix length."""
        if self.version == 4:
            return f"{ipaddress.IPv4Address(self.value)}/{self.prefix}"
        return f"{ipaddress.IPv6Address(self.value)}/{self.prefix}"

    def overlaps(self, other: Cidr) -> bool:
        return self.version == other.version and self.value <= other.last and other.value <= self.last

    def contains_address(self, version: int, address: int) -> bool:
        return self.version == version and self.value <= address <= self.last

    def supernet(self, prefix: int) -> Cidr:
        host_bits = BITS[self.version] - prefix
        return Cidr(self.version, (self.value >> host_bits) << host_bits, prefix)


# ---------------------------------------------------------------------------------------------------------------
# Parsing


def check_cidr(value: object, field: str, *, bare_address: bool = True) -> tuple[Optional[Cidr], list[Violation]]:
    """Parse ``value`` as a network; return it (or None) and every violation found.

    ``bare_address`` lets ``10.0.0.1`` mean ``10.0.0.1/32`` (``::1`` means ``/128``), the way Calico's
    serviceLoadBalancerIPs and kubectl users write single addresses.
    """
    if isinstance(value, str):
        fast = _canonical_ipv4(value)
        if fast is not None:
            return fast, []
    text, violations = _clean_text(value, field)
    if text is None:
        return None, violations
    match = _IPV4_TEXT.fullmatch(text)
    if match:
        cidr, more = _parse_ipv4(match, text, field)
    else:
        cidr, more = _parse_other(text, field)
    violations.extend(more)
    if cidr is not None and not bare_address and "/" not in text:
        violations.append(
            Violation("missing-prefix-length", f"{field} {text} has no prefix length (write {cidr.text})")
        )
    return (cidr if not violations else None), violations


def parse_cidr(value: object, field: str = "cidr") -> Cidr:
    """Parse a network or raise :class:`ValidationError` listing every problem."""
    cidr, violations = check_cidr(value, field)
    if cidr is None:
        raise ValidationError(violations)
    return cidr


def normalise_cidr(value: object, field: str = "cidr") -> str:
    """Canonical text of a network: ``2001:DB8:0::/64`` -> ``2001:db8::/64``, ``10.0.0.1`` -> ``10.0.0.1/32``."""
    return parse_cidr(value, field).text


def check_address(value: object, field: str) -> tuple[Optional[Cidr], list[Violation]]:
    """Parse a single host address (no prefix length) as a one-address :class:`Cidr`."""
    if isinstance(value, str) and "/" in value:
        return None, [Violation("malformed", f"{field} {value} must be a single address without a prefix length")]
    return check_cidr(value, field)


def _canonical_ipv4(text: str) -> Optional[Cidr]:
    """The fast path: a strictly masked IPv4 CIDR in canonical form, else None (the full parser then explains).

    ``inet_pton`` does the parsing in C; the round trip through ``inet_ntop`` accepts only the one canonical
    spelling, so no libc's leniency (leading zeros, octal) can ever slip through here.
    """
    address, _slash, prefix_text = text.partition("/")
    try:
        packed = _inet_pton(_AF_INET, address)
    except OSError:
        return None
    if _inet_ntop(_AF_INET, packed) != address or not _PREFIX.fullmatch(prefix_text):
        return None
    prefix = int(prefix_text)
    value = int.from_bytes(packed, "big")
    if prefix > 32 or value & ((1 << (32 - prefix)) - 1):
        return None
    return _new_tuple(Cidr, (4, value, prefix))


def _clean_text(value: object, field: str) -> tuple[Optional[str], list[Violation]]:
    if value is None:
        return None, [Violation("missing", f"{field} is missing (null); give a CIDR such as 172.16.0.240/28")]
    if not isinstance(value, str):
        kind = type(value).__name__
        return None, [Violation("wrong-type", f"{field} {value!r} is a {kind}, not a string")]
    stripped = value.strip()
    if not stripped:
        return None, [Violation("empty", f"{field} is empty; give a CIDR such as 172.16.0.240/28")]
    if _WHITESPACE.search(stripped):
        return None, [Violation("whitespace", f"{field} {value!r} contains whitespace inside the address")]
    if stripped != value:
        # Surrounding whitespace is reported, not silently dropped, but the rest is still checked so that
        # every problem shows up in one run.
        return stripped, [Violation("whitespace", f"{field} {value!r} has surrounding whitespace (write {stripped!r})")]
    return value, []


def _has_leading_zero(number: str) -> bool:
    return len(number) > 1 and number.startswith("0")


def _leading_zeros(field: str, text: str, parts: Iterable[str]) -> Violation:
    bad = ", ".join(repr(part) for part in parts)
    return Violation(
        "leading-zeros",
        f"{field} {text} has leading zeros in {bad}: ambiguous (octal or decimal?); write each number without them",
    )


def _parse_ipv4(match: re.Match[str], text: str, field: str) -> tuple[Optional[Cidr], list[Violation]]:
    octets = match.group(1, 2, 3, 4)
    prefix_text = match.group(5)
    zero_padded = [part for part in (*octets, prefix_text) if part is not None and _has_leading_zero(part)]
    if zero_padded:
        return None, [_leading_zeros(field, text, zero_padded)]
    numbers = [int(octet) for octet in octets]
    too_big = [str(number) for number in numbers if number > 255]
    if too_big:
        return None, [Violation("malformed", f"{field} {text} is not an IPv4 address: {', '.join(too_big)} > 255")]
    address = (numbers[0] << 24) | (numbers[1] << 16) | (numbers[2] << 8) | numbers[3]
    prefix = 32 if prefix_text is None else int(prefix_text)
    return _masked(field, text, 4, address, prefix)


def _parse_other(text: str, field: str) -> tuple[Optional[Cidr], list[Violation]]:
    """Everything that is not plain dotted-quad IPv4: IPv6 (maybe with an IPv4 tail) or garbage."""
    address_text, slash, prefix_text = text.partition("/")
    malformed = Violation("malformed", f"{field} {text} is not an IPv4 or IPv6 network (like 172.16.0.240/28)")
    if "/" in prefix_text or (slash and not _DIGITS.fullmatch(prefix_text)) or ":" not in address_text:
        return None, [malformed]
    if "%" in address_text:
        return None, [Violation("malformed", f"{field} {text} has a zone index (%...), which a pool cannot use")]
    tail = address_text.rsplit(":", 1)[-1]
    zero_padded = [part for part in tail.split(".") if "." in tail and _has_leading_zero(part)]
    if slash and _has_leading_zero(prefix_text):
        zero_padded.append(prefix_text)
    if zero_padded:
        return None, [_leading_zeros(field, text, zero_padded)]
    try:
        address = ipaddress.IPv6Address(address_text)
    except ValueError:
        return None, [malformed]
    prefix = 128 if not slash else int(prefix_text)
    if address.ipv4_mapped is not None:
        return None, [_ipv4_mapped(field, text, address.ipv4_mapped, prefix)]
    return _masked(field, text, 6, int(address), prefix)


def _ipv4_mapped(field: str, text: str, ipv4: ipaddress.IPv4Address, prefix: int) -> Violation:
    hint = f" (write {ipv4}/{prefix - 96})" if 96 <= prefix <= 128 else ""
    return Violation(
        "ipv4-mapped",
        f"{field} {text} is an IPv4-mapped IPv6 range; Calico pools are either IPv4 or IPv6{hint}",
    )


def _masked(field: str, text: str, version: int, address: int, prefix: int) -> tuple[Optional[Cidr], list[Violation]]:
    bits = BITS[version]
    if prefix > bits:
        return None, [
            Violation(
                "prefix-length-range", f"{field} {text} has prefix length /{prefix}; IPv{version} allows 0-{bits}"
            )
        ]
    cidr = Cidr(version, address, prefix).supernet(prefix)
    if cidr.value != address:
        return None, [
            Violation(
                "not-strictly-masked",
                f"{field} {text} is not strictly masked: host bits set (did you mean {cidr.text}?)",
            )
        ]
    return cidr, []


# ---------------------------------------------------------------------------------------------------------------
# Existing pools and the overlap index


class ExistingPool(NamedTuple):
    """An IPPool that already exists: from a k8s_info object (name, blockSize known) or a bare CIDR string."""

    cidr: Cidr
    name: Optional[str] = None
    block_size: Optional[int] = None

    @property
    def label(self) -> str:
        return f"existing pool {self.name} ({self.cidr.text})" if self.name else f"existing pool {self.cidr.text}"


def check_existing_pools(
    values: Optional[Sequence[object]], field: str = "existing_pools"
) -> tuple[list[ExistingPool], list[Violation]]:
    """Read IPPool objects (as k8s_info returns them) or CIDR strings; malformed entries become violations."""
    pools: list[ExistingPool] = []
    violations: list[Violation] = []
    for index, value in enumerate(values or ()):
        pool = _well_formed_existing_pool(value)
        if pool is None:
            pool, problems = _check_existing_pool(value, f"{field}[{index}]")
            violations.extend(problems)
        if pool is not None:
            pools.append(pool)
    return pools, violations


def is_int(value: object) -> bool:
    """An int that is not a bool (bool is an int subclass, and True is no block size)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _well_formed_existing_pool(value: object) -> Optional[ExistingPool]:
    """The common case without building any diagnostics: a CIDR string or a plain k8s_info dict, IPv4.

    It allocates as little as it can: with 10,000 pools, every extra container per pool costs more in
    garbage-collector passes over the caller's objects than in the allocation itself.
    """
    if isinstance(value, str):
        cidr = _canonical_ipv4(value)
        return None if cidr is None else _new_tuple(ExistingPool, (cidr, None, None))
    if not isinstance(value, dict):
        return None
    metadata = value.get("metadata")
    spec = value.get("spec")
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        return None
    text = spec.get("cidr")
    name = metadata.get("name")
    block_size = spec.get("blockSize")
    if not isinstance(text, str) or not (block_size is None or is_int(block_size)):
        return None
    cidr = _canonical_ipv4(text)
    if cidr is None:
        return None
    return _new_tuple(ExistingPool, (cidr, name if isinstance(name, str) else None, block_size))


def _check_existing_pool(value: object, field: str) -> tuple[Optional[ExistingPool], list[Violation]]:
    if isinstance(value, str):
        cidr, violations = check_cidr(value, field, bare_address=False)
        return (ExistingPool(cidr) if cidr else None), violations
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        return None, [Violation("wrong-type", f"{field} {value!r} is a {kind}, not an IPPool object or CIDR string")]
    # Only a missing (None) section means "empty"; any other non-mapping is a broken object.
    metadata = {} if value.get("metadata") is None else value["metadata"]
    spec = {} if value.get("spec") is None else value["spec"]
    if not isinstance(metadata, Mapping) or not isinstance(spec, Mapping):
        return None, [Violation("malformed", f"{field} is not an IPPool object: metadata and spec must be mappings")]
    name = metadata.get("name")
    cidr, violations = check_cidr(spec.get("cidr"), f"{field}.spec.cidr", bare_address=False)
    block_size = spec.get("blockSize")
    if block_size is not None and not is_int(block_size):
        violations.append(Violation("wrong-type", f"{field}.spec.blockSize {block_size!r} is not an integer"))
        block_size = None
    if cidr is None or violations:
        return None, violations
    return ExistingPool(cidr, name if isinstance(name, str) else None, block_size), []


_pool_cidr = operator.attrgetter("cidr")


class PoolIndex:
    """Existing pools sorted by start address, answering "which pools overlap this CIDR?" in O(log n + k).

    Two CIDRs either nest or are disjoint, so a pool overlapping ``cidr`` either starts inside it (one bisect
    over the sorted starts) or contains it, and the pools containing it can only be its supernets: at most
    32 (IPv4) or 128 (IPv6) more bisects, whatever the number of pools. Starts are kept as plain ints per IP
    version (no key tuples, nothing for the garbage collector to walk).
    """

    def __init__(self, pools: Iterable[ExistingPool]) -> None:
        # Sort on the Cidr alone, (version, value, prefix): names may be None or str and do not compare.
        ordered = sorted(pools, key=_pool_cidr)
        self._pools: dict[int, list[ExistingPool]] = {4: [], 6: []}
        for pool in ordered:
            self._pools[pool.cidr.version].append(pool)
        self._starts = {version: [pool.cidr.value for pool in pools] for version, pools in self._pools.items()}

    def __len__(self) -> int:
        return len(self._pools[4]) + len(self._pools[6])

    def overlapping(self, cidr: Cidr) -> list[ExistingPool]:
        pools, starts = self._pools[cidr.version], self._starts[cidr.version]
        found = pools[bisect.bisect_left(starts, cidr.value) : bisect.bisect_right(starts, cidr.last)]
        for prefix in range(cidr.prefix - 1, -1, -1):
            supernet = cidr.supernet(prefix)
            if supernet.value == cidr.value:
                continue  # same start: already in the slice above
            index = bisect.bisect_left(starts, supernet.value)
            while index < len(starts) and starts[index] == supernet.value:
                if pools[index].cidr.prefix == prefix:
                    found.append(pools[index])
                index += 1
        return found


# ---------------------------------------------------------------------------------------------------------------
# The rules


def _special(ranges: Sequence[tuple[str, str]]) -> list[tuple[Cidr, str]]:
    return [(parse_cidr(text), why) for text, why in ranges]


LINK_LOCAL = _special([("169.254.0.0/16", "IPv4 link-local"), ("fe80::/10", "IPv6 link-local")])
# Ranges that can never carry a LoadBalancer IP: hosts drop, never route or never answer on them.
UNUSABLE = _special(
    [
        ("0.0.0.0/8", "'this network' (0.0.0.0/8, unspecified)"),
        ("127.0.0.0/8", "loopback (127.0.0.0/8)"),
        ("224.0.0.0/4", "multicast (224.0.0.0/4)"),
        ("240.0.0.0/4", "reserved (240.0.0.0/4, with the broadcast address)"),
        ("::/128", "the unspecified address (::)"),
        ("::1/128", "loopback (::1)"),
        ("ff00::/8", "multicast (ff00::/8)"),
    ]
)


@dataclass(frozen=True)
class PoolRequest:
    """Everything :func:`validate_pool` looks at; field names match the module options."""

    cidr: object
    block_size: object = None
    existing_pools: Optional[Sequence[object]] = None
    pool_name: Optional[str] = None
    pod_cidrs: Optional[Sequence[object]] = None
    service_cidrs: Optional[Sequence[object]] = None
    node_addresses: Optional[Sequence[object]] = None
    reserved_cidrs: Optional[Sequence[object]] = None
    min_addresses: object = 1
    enabled: bool = True


@dataclass(frozen=True)
class PoolFacts:
    """What a valid pool CIDR looks like, returned by the module as facts."""

    cidr: str
    ip_version: int
    prefix_length: int
    block_size: int
    num_addresses: int
    first_address: str
    last_address: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "cidr": self.cidr,
            "ip_version": self.ip_version,
            "prefix_length": self.prefix_length,
            "block_size": self.block_size,
            "num_addresses": self.num_addresses,
            "first_address": self.first_address,
            "last_address": self.last_address,
        }


def validate_pool(request: PoolRequest) -> PoolFacts:
    """Check every rule for an LB pool CIDR; return its facts or raise one :class:`ValidationError` with all."""
    cidr, violations = check_cidr(request.cidr, "cidr")
    existing, more = check_existing_pools(request.existing_pools)
    violations.extend(more)
    min_addresses = _check_min_addresses(request.min_addresses, violations)
    same_name = [pool for pool in existing if request.pool_name and pool.name == request.pool_name]
    if cidr is None:
        _check_lists_only(request, violations)
        raise ValidationError(violations)
    block_size = _choose_block_size(cidr, request.block_size, same_name, violations)
    violations.extend(_special_range_violations(cidr))
    violations.extend(_block_violations(cidr, block_size, request.enabled))
    violations.extend(_same_name_violations(cidr, block_size, same_name, request.block_size is None))
    others = [pool for pool in existing if pool not in same_name]
    violations.extend(_overlap_violations(cidr, PoolIndex(others)))
    violations.extend(_context_violations(cidr, request))
    if min_addresses is not None and cidr.num_addresses < min_addresses:
        violations.append(
            Violation(
                "too-few-addresses",
                f"cidr {cidr.text} holds {cidr.num_addresses} addresses, fewer than min_addresses {min_addresses}",
            )
        )
    raise_if_any(violations)
    return _facts(cidr, block_size if block_size is not None else DEFAULT_BLOCK_SIZE[cidr.version])


def default_block_size(cidr: Cidr) -> int:
    """Calico's default (26 / 122) when the pool holds at least one such block, else the pool's own prefix."""
    default = DEFAULT_BLOCK_SIZE[cidr.version]
    return default if cidr.prefix <= default else cidr.prefix


def _choose_block_size(
    cidr: Cidr, given: object, same_name: Sequence[ExistingPool], violations: list[Violation]
) -> Optional[int]:
    if given is not None:
        if not is_int(given):
            violations.append(Violation("wrong-type", f"block_size {given!r} is not an integer"))
            return None
        return given
    # Not given: keep what the existing pool of the same name has (blockSize cannot change), else the default.
    for pool in same_name:
        if pool.block_size is not None and pool.cidr.version == cidr.version:
            return pool.block_size
    return default_block_size(cidr)


def _check_min_addresses(value: object, violations: list[Violation]) -> Optional[int]:
    if value is None:
        return None
    if not is_int(value):
        violations.append(Violation("wrong-type", f"min_addresses {value!r} is not an integer"))
        return None
    if value < 1:
        violations.append(Violation("min-addresses-range", f"min_addresses {value} must be at least 1"))
        return None
    return value


def _check_lists_only(request: PoolRequest, violations: list[Violation]) -> None:
    """When the CIDR itself is broken, still report broken list entries (every violation at once)."""
    for name in ("pod_cidrs", "service_cidrs", "reserved_cidrs"):
        _parse_list(getattr(request, name), name, violations)
    _parse_list(request.node_addresses, "node_addresses", violations, addresses=True)


def _special_range_violations(cidr: Cidr) -> list[Violation]:
    found = []
    for special, why in LINK_LOCAL:
        if cidr.overlaps(special):
            found.append(Violation("link-local-overlap", f"cidr {cidr.text} overlaps the {why} range {special.text}"))
    for special, why in UNUSABLE:
        if cidr.overlaps(special):
            found.append(
                Violation("unusable-range", f"cidr {cidr.text} overlaps {why}, which can never carry a LoadBalancer IP")
            )
    return found


def _block_violations(cidr: Cidr, block_size: Optional[int], enabled: bool) -> list[Violation]:
    if block_size is None:
        return []
    low, high = BLOCK_SIZE_RANGE[cidr.version]
    if not low <= block_size <= high:
        return [
            Violation(
                "block-size-range",
                f"block_size {block_size} is outside the IPv{cidr.version} range {low}-{high} Calico accepts",
            )
        ]
    if enabled and cidr.prefix > block_size:
        return [
            Violation(
                "block-size-too-large-for-pool",
                f"block_size {block_size} ({1 << (BITS[cidr.version] - block_size)} addresses) is larger than cidr "
                f"{cidr.text}: an enabled pool must hold at least one block; use block_size {cidr.prefix}",
            )
        ]
    return []


def _same_name_violations(
    cidr: Cidr, block_size: Optional[int], same_name: Sequence[ExistingPool], block_size_defaulted: bool
) -> list[Violation]:
    found = []
    for pool in same_name:
        if pool.cidr != cidr:
            found.append(
                Violation(
                    "cidr-immutable",
                    f"cidr {cidr.text} differs from {pool.label}: an IPPool's cidr cannot change; "
                    f"create a new pool instead",
                )
            )
        if not block_size_defaulted and pool.block_size is not None and block_size != pool.block_size:
            found.append(
                Violation(
                    "block-size-immutable",
                    f"block_size {block_size} differs from blockSize {pool.block_size} of {pool.label}: "
                    f"an IPPool's blockSize cannot change",
                )
            )
    return found


def _overlap_violations(cidr: Cidr, index: PoolIndex) -> list[Violation]:
    overlapping = index.overlapping(cidr)
    found = [
        Violation("overlaps-existing-pool", f"cidr {cidr.text} {_relation(cidr, pool.cidr)} {pool.label}")
        for pool in overlapping[:MAX_OVERLAPS_LISTED]
    ]
    if len(overlapping) > MAX_OVERLAPS_LISTED:
        extra = len(overlapping) - MAX_OVERLAPS_LISTED
        found.append(Violation("overlaps-existing-pool", f"cidr {cidr.text} overlaps {extra} more existing pools"))
    return found


def _relation(cidr: Cidr, other: Cidr) -> str:
    if cidr == other:
        return "is the same range as"
    if cidr.prefix > other.prefix:
        return "lies inside"
    return "contains"


def _context_violations(cidr: Cidr, request: PoolRequest) -> list[Violation]:
    found: list[Violation] = []
    checks = (
        ("pod_cidrs", "overlaps-pod-cidr", "pod CIDR"),
        ("service_cidrs", "overlaps-service-cidr", "service CIDR"),
        ("reserved_cidrs", "overlaps-reserved", "reserved range"),
    )
    for name, rule, what in checks:
        for item_field, other in _parse_list(getattr(request, name), name, found):
            if cidr.overlaps(other):
                detail = f"cidr {cidr.text} {_relation(cidr, other)} {what} {other.text} ({item_field})"
                found.append(Violation(rule, detail))
    for item_field, address in _parse_list(request.node_addresses, "node_addresses", found, addresses=True):
        if cidr.contains_address(address.version, address.value):
            detail = f"cidr {cidr.text} contains node/peer address {address.network.network_address} ({item_field})"
            found.append(Violation("contains-node-address", detail))
    return found


def _parse_list(
    values: Optional[Sequence[object]], name: str, violations: list[Violation], *, addresses: bool = False
) -> list[tuple[str, Cidr]]:
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        violations.append(Violation("wrong-type", f"{name} {values!r} is not a list"))
        return []
    parsed = []
    for index, value in enumerate(values):
        item_field = f"{name}[{index}]"
        if addresses:
            item, problems = check_address(value, item_field)
        else:
            item, problems = check_cidr(value, item_field, bare_address=False)
        violations.extend(problems)
        if item is not None:
            parsed.append((item_field, item))
    return parsed


def _facts(cidr: Cidr, block_size: int) -> PoolFacts:
    network = cidr.network
    return PoolFacts(
        cidr=cidr.text,
        ip_version=cidr.version,
        prefix_length=cidr.prefix,
        block_size=block_size,
        num_addresses=cidr.num_addresses,
        first_address=str(network.network_address),
        last_address=str(network.broadcast_address),
        warnings=_warnings(cidr, network, block_size),
    )


def _warnings(cidr: Cidr, network: IPNetwork, block_size: int) -> list[str]:
    """Legal but surprising: worth a word, not a failure."""
    found = []
    if network.is_global:
        found.append(f"cidr {cidr.text} is a public (globally routable) range: make sure it is yours to advertise")
    if cidr.num_addresses == 1:
        found.append(f"cidr {cidr.text} holds a single address: only one LoadBalancer Service can get an IP from it")
    default = DEFAULT_BLOCK_SIZE[cidr.version]
    if cidr.prefix < block_size and cidr.prefix >= default:
        blocks = 1 << (block_size - cidr.prefix)
        found.append(
            f"block_size {block_size} splits cidr {cidr.text} into {blocks} blocks; "
            f"block_size {cidr.prefix} would keep this small pool in one block"
        )
    return found
