"""frr_config over running-config texts captured from FRR 8.4.4 (tests/unit/fixtures/frr_config)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.frr_config import (
    EcmpRequest,
    FrrConfigError,
    apply_commands,
    bgp_block_text,
    convergence_problems,
    parse_multipath_limit,
    parse_running_config,
    plan_ecmp,
    vtysh_argv,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "frr_config"
APPLY_ARGS = ["-c", "configure terminal", "-c", "router bgp 65001", "-c", "end"]
DEBIAN_LIMIT = 256  # --enable-multipath=256 in Debian 12's FRR build (see vtysh-help.txt)


def captured(name: str) -> str:
    return (FIXTURES / name).read_text()


def config(name: str):
    return parse_running_config(captured(f"{name}.conf"))


def block(name: str) -> str:
    return bgp_block_text(config(name), 65001)


def plan(name: str, **request):
    request.setdefault("as_number", 65001)
    return plan_ecmp(config(name), EcmpRequest(**request), DEBIAN_LIMIT)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line for line in diff if line[:1] in "+-"]


@pytest.mark.parametrize(
    ("fixture", "instances"),
    [
        pytest.param("lab-start", [(65001, None)], id="lab-single-default-instance"),
        pytest.param(
            "ipv6-and-vrf", [(65001, None), (65001, "red"), (65003, "blue")], id="default-plus-two-vrf-instances"
        ),
        pytest.param("vrf-only", [(65001, "red")], id="only-a-vrf-instance"),
        pytest.param("no-bgp", [], id="no-router-bgp-at-all"),
        pytest.param("bare", [(65001, None)], id="router-bgp-without-address-family"),
    ],
)
def test_parse_finds_every_router_bgp_block(fixture, instances):
    parsed = config(fixture)

    assert [(i.as_number, i.vrf) for i in parsed.instances] == instances


@pytest.mark.parametrize(
    ("fixture", "family", "ebgp", "ibgp", "suffix"),
    [
        pytest.param("lab-start", "ipv4 unicast", 1, None, "", id="lab-maximum-paths-1"),
        pytest.param("lab-ecmp4", "ipv4 unicast", 4, None, "", id="lab-maximum-paths-4"),
        pytest.param("lab-default-paths", "ipv4 unicast", None, None, "", id="default-shows-no-line"),
        pytest.param("ibgp-cluster-length", "ipv4 unicast", 4, 8, " equal-cluster-length", id="ibgp-with-flag"),
        pytest.param("ipv6-and-vrf", "ipv6 unicast", 2, None, "", id="ipv6-family"),
    ],
)
def test_parse_reads_maximum_paths_of_the_default_instance(fixture, family, ebgp, ibgp, suffix):
    parsed = config(fixture).default_instance().address_families[family]

    assert (parsed.maximum_paths, parsed.maximum_paths_ibgp, parsed.ibgp_suffix) == (ebgp, ibgp, suffix)


def test_parse_keeps_vrf_instances_apart_from_the_default_one():
    vrf_red = config("ipv6-and-vrf").instances[1]

    assert vrf_red.address_families["ipv4 unicast"].maximum_paths == 3
    assert vrf_red.text.startswith("router bgp 65001 vrf red\n")


def test_block_text_is_the_exact_running_config_block():
    text = captured("lab-start.conf")

    assert block("lab-start") in text
    assert block("lab-start").endswith("exit-address-family\nexit\n")


@pytest.mark.parametrize(
    ("fixture", "request_", "lines"),
    [
        pytest.param(
            "lab-start",
            {"maximum_paths": 4},
            ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4"],
            id="lab-1-to-4",
        ),
        pytest.param(
            "lab-default-paths",
            {"maximum_paths": 1},
            ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 1"],
            id="default-to-1",
        ),
        pytest.param(
            "lab-ecmp4",
            {"maximum_paths": DEBIAN_LIMIT},
            ["router bgp 65001", "address-family ipv4 unicast", "no maximum-paths"],
            id="setting-the-limit-removes-the-line",
        ),
        pytest.param(
            "lab-start",
            {"maximum_paths_ibgp": 2},
            ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths ibgp 2"],
            id="ibgp-only-leaves-ebgp-alone",
        ),
        pytest.param(
            "ibgp-cluster-length",
            {"maximum_paths": 4, "maximum_paths_ibgp": 2},
            ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths ibgp 2 equal-cluster-length"],
            id="ibgp-rewrite-keeps-equal-cluster-length",
        ),
        pytest.param(
            "ipv6-and-vrf",
            {"maximum_paths": 4, "address_family": "ipv6"},
            ["router bgp 65001", "address-family ipv6 unicast", "maximum-paths 4"],
            id="ipv6-2-to-4",
        ),
        pytest.param(
            "bare",
            {"maximum_paths": 4},
            ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4"],
            id="family-block-not-yet-shown",
        ),
        pytest.param(
            "lab-start",
            {"state": "absent"},
            ["router bgp 65001", "address-family ipv4 unicast", "no maximum-paths"],
            id="absent-removes-ebgp-line",
        ),
        pytest.param(
            "ibgp-cluster-length",
            {"state": "absent", "maximum_paths": 9},
            ["router bgp 65001", "address-family ipv4 unicast", "no maximum-paths", "no maximum-paths ibgp"],
            id="absent-removes-both-lines-and-ignores-values",
        ),
    ],
)
def test_plan_sends_only_the_missing_ecmp_lines(fixture, request_, lines):
    result = plan(fixture, **request_)

    assert result.changed
    assert result.config_lines == lines


@pytest.mark.parametrize(
    ("fixture", "request_", "effective"),
    [
        pytest.param("lab-ecmp4", {"maximum_paths": 4}, 4, id="already-4"),
        pytest.param("lab-start", {"maximum_paths": 1}, 1, id="already-1"),
        pytest.param("lab-default-paths", {"maximum_paths": DEBIAN_LIMIT}, DEBIAN_LIMIT, id="limit-with-no-line"),
        pytest.param("lab-default-paths", {"state": "absent"}, DEBIAN_LIMIT, id="absent-when-already-default"),
        pytest.param(
            "ibgp-cluster-length", {"maximum_paths_ibgp": 8}, 4, id="ibgp-already-8-ebgp-unmanaged-reports-current"
        ),
        pytest.param(
            "ipv6-and-vrf", {"maximum_paths": 2, "address_family": "ipv6"}, 2, id="ipv6-already-2-vrf-red-has-3"
        ),
    ],
)
def test_plan_is_empty_when_router_already_matches(fixture, request_, effective):
    result = plan(fixture, **request_)

    assert not result.changed
    assert result.config_lines == []
    assert result.after == result.before
    assert result.maximum_paths == effective


@pytest.mark.parametrize(
    ("start", "request_", "captured_result"),
    [
        pytest.param("lab-start", {"maximum_paths": 4}, "lab-ecmp4", id="1-to-4"),
        pytest.param("lab-ecmp4", {"maximum_paths": 1}, "lab-start", id="4-to-1"),
        pytest.param("lab-default-paths", {"maximum_paths": 1}, "lab-start", id="default-to-1-inserts-after-neighbor"),
        pytest.param("lab-start", {"state": "absent"}, "lab-default-paths", id="absent-matches-default"),
    ],
)
def test_predicted_after_matches_what_frr_printed(start, request_, captured_result):
    assert plan(start, **request_).after == block(captured_result)


@pytest.mark.parametrize(
    ("fixture", "request_", "expected_changes"),
    [
        pytest.param("lab-start", {"maximum_paths": 4}, ["-   maximum-paths 1", "+   maximum-paths 4"], id="swap"),
        pytest.param(
            "bare",
            {"maximum_paths": 4},
            ["+  !", "+  address-family ipv4 unicast", "+   maximum-paths 4", "+  exit-address-family"],
            id="new-family-block",
        ),
        pytest.param(
            "lab-start",
            {"maximum_paths": 8, "address_family": "ipv6"},
            ["+  !", "+  address-family ipv6 unicast", "+   maximum-paths 8", "+  exit-address-family"],
            id="new-ipv6-block-after-ipv4",
        ),
        pytest.param(
            "ipv6-and-vrf",
            {"state": "absent", "address_family": "ipv6"},
            ["-  !", "-  address-family ipv6 unicast", "-   maximum-paths 2", "-  exit-address-family"],
            id="emptied-family-disappears",
        ),
    ],
)
def test_predicted_after_changes_nothing_but_ecmp_lines(fixture, request_, expected_changes):
    result = plan(fixture, **request_)

    assert changed_lines(result.before, result.after) == expected_changes


def test_new_ipv6_block_goes_after_the_ipv4_block():
    after = plan("lab-start", maximum_paths=8, address_family="ipv6").after

    assert after.index("address-family ipv4 unicast") < after.index("address-family ipv6 unicast")
    assert after.endswith(" exit-address-family\nexit\n")


@pytest.mark.parametrize(
    ("fixture", "as_number", "message"),
    [
        pytest.param(
            "wrong-asn",
            65001,
            "router bgp 65002 is configured on the router, not 65001 (as_number)",
            id="different-asn",
        ),
        pytest.param(
            "lab-start",
            65003,
            "router bgp 65001 is configured on the router, not 65003 (as_number)",
            id="asn-of-a-vrf-instance-elsewhere",
        ),
        pytest.param(
            "no-bgp",
            65001,
            "no router bgp is configured in the default VRF, expected router bgp 65001 (as_number); "
            "this module never creates a BGP instance",
            id="no-bgp",
        ),
        pytest.param(
            "vrf-only",
            65001,
            "no router bgp is configured in the default VRF, expected router bgp 65001 (as_number); "
            "this module never creates a BGP instance",
            id="vrf-instance-is-not-the-default",
        ),
    ],
)
def test_plan_refuses_to_create_or_renumber_bgp(fixture, as_number, message):
    with pytest.raises(FrrConfigError) as caught:
        plan(fixture, as_number=as_number, maximum_paths=4)

    assert caught.value.violations == [message]


@pytest.mark.parametrize(
    ("request_", "violations"),
    [
        pytest.param(
            {"as_number": 0, "maximum_paths": 0, "maximum_paths_ibgp": 257},
            [
                "as_number 0 is out of range: must be 1..4294967295 (4-byte ASN)",
                "maximum_paths 0 is out of range: must be 1..256 (this FRR build's multipath limit)",
                "maximum_paths_ibgp 257 is out of range: must be 1..256 (this FRR build's multipath limit)",
            ],
            id="every-range-violation-at-once",
        ),
        pytest.param(
            {"as_number": 4294967296, "maximum_paths": 4},
            ["as_number 4294967296 is out of range: must be 1..4294967295 (4-byte ASN)"],
            id="asn-above-4-bytes",
        ),
        pytest.param(
            {"as_number": 65001},
            ["state present needs maximum_paths or maximum_paths_ibgp: there is nothing to set"],
            id="present-without-values",
        ),
        pytest.param(
            {"as_number": 65001, "maximum_paths": 4, "address_family": "l2vpn", "state": "merged"},
            ["address_family 'l2vpn' is not one of ipv4, ipv6", "state 'merged' is not one of present, absent"],
            id="unknown-family-and-state",
        ),
    ],
)
def test_plan_lists_every_input_violation(request_, violations):
    with pytest.raises(FrrConfigError) as caught:
        plan_ecmp(config("lab-start"), EcmpRequest(**request_), DEBIAN_LIMIT)

    assert caught.value.violations == violations


def test_limit_bounds_are_inclusive():
    assert plan("lab-start", maximum_paths=DEBIAN_LIMIT, maximum_paths_ibgp=1).maximum_paths == DEBIAN_LIMIT


@pytest.mark.parametrize(
    ("build_info", "limit"),
    [
        pytest.param(captured("vtysh-help.txt"), 256, id="debian-12-vtysh-help"),
        pytest.param("'--enable-multipath=64' '--enable-user=frr'", 64, id="explicit-64"),
        pytest.param("'--enable-multipath=0'", 64, id="zero-means-64"),
        pytest.param("Usage : vtysh [OPTION...]", 64, id="no-build-flags-fallback"),
    ],
)
def test_multipath_limit_from_build_flags(build_info, limit):
    assert parse_multipath_limit(build_info) == limit


@pytest.mark.parametrize(
    ("socket", "expected"),
    [
        pytest.param(
            None,
            ["vtysh", "-H", "/dev/null", *APPLY_ARGS],
            id="default-run-dir",
        ),
        pytest.param(
            "/tmp/lab/run",
            ["vtysh", "-H", "/dev/null", "--vty_socket", "/tmp/lab/run", *APPLY_ARGS],
            id="own-vty-socket-dir",
        ),
    ],
)
def test_vtysh_argv_is_one_invocation_without_history(socket, expected):
    assert vtysh_argv("vtysh", socket, apply_commands(["router bgp 65001"])) == expected


@pytest.mark.parametrize(
    ("reread", "request_", "problems"),
    [
        pytest.param("lab-ecmp4", {"maximum_paths": 4}, [], id="converged"),
        pytest.param(
            "lab-start", {"maximum_paths": 4}, ["still needed after apply: maximum-paths 4"], id="not-applied"
        ),
    ],
)
def test_convergence_problems_after_apply(reread, request_, problems):
    assert convergence_problems(config(reread), EcmpRequest(as_number=65001, **request_), DEBIAN_LIMIT) == problems
