"""route_check over router output: FRR 8.4.4 captures and EOS JSON hand-written from its documented shape.

See tests/unit/fixtures/route_check/README.md for how each fixture was made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.route_check import (
    BgpPeerState,
    NextHop,
    RouteView,
    check,
    load_json,
    make_expectations,
    parse_eos_bgp_summary,
    parse_eos_route,
    parse_frr_bgp_summary,
    parse_frr_route,
    verify_route,
)
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "route_check"
PREFIX = "172.16.0.240/28"
NODES = {"10.10.10.10": "k01-control-plane", "10.10.10.11": "k01-worker", "10.10.10.12": "k01-worker2"}
ALL_NODES = list(NODES)
CONTROL_PLANE = {"10.10.10.10": "k01-control-plane"}


def fixture(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text()


def run(platform: str, route: str, summary: str | None = None, **options):
    """verify_route over fixture files, with the lab's nodes named and all three expected unless overridden."""
    options.setdefault("expected_next_hops", ALL_NODES)
    options.setdefault("node_names", NODES)
    bgp_summary = None if summary is None else fixture(platform, summary)
    return verify_route(platform, fixture(platform, route), options.pop("prefix", PREFIX), bgp_summary, **options)


HEALTHY_3 = (
    "healthy: 172.16.0.240/28 via 3 of 3 expected next hops: 10.10.10.10 (k01-control-plane), "
    "10.10.10.11 (k01-worker), 10.10.10.12 (k01-worker2); 3 peers Established"
)
NOT_A_PATH = (
    "peer Established and sending prefixes, but not a path for this prefix "
    "(maximum-paths on the router, or the node does not advertise it)"
)
EXCLUDED = "10.10.10.10 missing: node k01-control-plane is labelled exclude-from-external-load-balancers"
DYNAMIC_GONE = "no BGP session (not in the BGP summary; a dynamic peer that goes down is removed from it)"

# (platform, route fixture, summary fixture, options, healthy, summary, missing, unexpected)
SCENARIOS = [
    pytest.param(
        "eos",
        "healthy-3-path.route.json",
        "healthy-3-path.bgp_summary.json",
        {},
        True,
        HEALTHY_3,
        [],
        [],
        id="eos-healthy-3-path",
    ),
    pytest.param(
        "eos",
        "healthy-3-path.route.json",
        "healthy-3-path.bgp_summary_per_afi.json",
        {},
        True,
        HEALTHY_3,
        [],
        [],
        id="eos-healthy-3-path-per-afi-summary",
    ),
    pytest.param(
        "eos",
        "one-path-maximum-paths-1.route.json",
        "one-path-maximum-paths-1.bgp_summary.json",
        {"maximum_paths": 1},
        False,
        "1 of 3 next hops: maximum-paths is 1 on the router",
        ["10.10.10.11", "10.10.10.12"],
        [],
        id="eos-1-path-maximum-paths-1-known",
    ),
    pytest.param(
        "eos",
        "one-path-maximum-paths-1.route.json",
        "one-path-maximum-paths-1.bgp_summary.json",
        {},
        False,
        f"1 of 3 next hops; 10.10.10.11 (k01-worker), 10.10.10.12 (k01-worker2) missing: {NOT_A_PATH}",
        ["10.10.10.11", "10.10.10.12"],
        [],
        id="eos-1-path-maximum-paths-unknown",
    ),
    pytest.param(
        "eos",
        "peer-down-idle.route.json",
        "peer-down-idle.bgp_summary.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Idle",
        ["10.10.10.12"],
        [],
        id="eos-peer-idle",
    ),
    pytest.param(
        "eos",
        "peer-down-idle.route.json",
        "peer-down-active.bgp_summary_per_afi.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Active",
        ["10.10.10.12"],
        [],
        id="eos-peer-active-per-afi-summary",
    ),
    pytest.param(
        "eos",
        "peer-down-idle.route.json",
        None,
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: no bgp_summary given to tell why",
        ["10.10.10.12"],
        [],
        id="eos-peer-down-without-summary",
    ),
    pytest.param(
        "eos",
        "peer-down-idle.route.json",
        "policy-rejects.bgp_summary_per_afi.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: "
        "peer Established, 1 prefix received but none accepted (inbound policy)",
        ["10.10.10.12"],
        [],
        id="eos-inbound-policy-rejects",
    ),
    pytest.param(
        "eos",
        "excluded-node.route.json",
        "excluded-node.bgp_summary.json",
        {"excluded_nodes": CONTROL_PLANE},
        False,
        f"2 of 3 next hops; {EXCLUDED}",
        ["10.10.10.10"],
        [],
        id="eos-excluded-node-still-expected",
    ),
    pytest.param(
        "eos",
        "excluded-node.route.json",
        "excluded-node.bgp_summary.json",
        {"expected_next_hops": ["10.10.10.11", "10.10.10.12"], "excluded_nodes": CONTROL_PLANE},
        True,
        "healthy: 172.16.0.240/28 via 2 of 2 expected next hops: 10.10.10.11 (k01-worker), 10.10.10.12 (k01-worker2); "
        "2 peers Established",
        [],
        [],
        id="eos-excluded-node-not-expected",
    ),
    pytest.param(
        "eos",
        "unexpected-next-hop.route.json",
        "unexpected-next-hop.bgp_summary.json",
        {},
        False,
        "4 next hops, 3 expected; 10.10.10.20 unexpected: not in expected_next_hops",
        [],
        ["10.10.10.20"],
        id="eos-unexpected-next-hop",
    ),
    pytest.param(
        "eos",
        "prefix-missing.route.json",
        "prefix-missing.bgp_summary.json",
        {},
        False,
        "prefix 172.16.0.240/28 not in routing table; 3 peers Established but none advertises any prefix",
        ALL_NODES,
        [],
        id="eos-prefix-missing",
    ),
    pytest.param(
        "eos",
        "empty-vrf.route.json",
        "empty-vrf.bgp_summary.json",
        {},
        False,
        "prefix 172.16.0.240/28 not in routing table (VRF default is not in the router output); "
        "no BGP peers in the summary",
        ALL_NODES,
        [],
        id="eos-empty-vrf",
    ),
    pytest.param(
        "eos",
        "connected-route.route.json",
        None,
        {"prefix": "10.10.10.0/24"},
        False,
        "route type is connected, expected BGP",
        ALL_NODES,
        [],
        id="eos-connected-route",
    ),
    pytest.param(
        "frr",
        "healthy-3-path.route.json",
        "healthy-3-path.bgp_summary.json",
        {},
        True,
        HEALTHY_3,
        [],
        [],
        id="frr-healthy-3-path",
    ),
    pytest.param(
        "frr",
        "one-path-maximum-paths-1.route.json",
        "one-path-maximum-paths-1.bgp_summary.json",
        {"maximum_paths": 1},
        False,
        "1 of 3 next hops: maximum-paths is 1 on the router",
        ["10.10.10.11", "10.10.10.12"],
        [],
        id="frr-1-path-maximum-paths-1",
    ),
    pytest.param(
        "frr",
        "peer-down-dynamic.route.json",
        "peer-down-dynamic.bgp_summary.json",
        {},
        False,
        f"2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: {DYNAMIC_GONE}",
        ["10.10.10.12"],
        [],
        id="frr-dynamic-peer-down-disappears",
    ),
    pytest.param(
        "frr",
        "peer-down-static.route.json",
        "peer-down-static.bgp_summary.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Active",
        ["10.10.10.12"],
        [],
        id="frr-static-peer-active",
    ),
    pytest.param(
        "frr",
        "peer-admin-down.route.json",
        "peer-admin-down.bgp_summary.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Idle (Admin)",
        ["10.10.10.12"],
        [],
        id="frr-peer-admin-shutdown",
    ),
    pytest.param(
        "frr",
        "excluded-node.route.json",
        "excluded-node.bgp_summary.json",
        {"excluded_nodes": CONTROL_PLANE},
        False,
        f"2 of 3 next hops; {EXCLUDED}",
        ["10.10.10.10"],
        [],
        id="frr-excluded-node-still-expected",
    ),
    pytest.param(
        "frr",
        "excluded-node.route.json",
        "excluded-node.bgp_summary.json",
        {},
        False,
        "2 of 3 next hops; 10.10.10.10 (k01-control-plane) missing: peer Established but advertises no prefixes",
        ["10.10.10.10"],
        [],
        id="frr-silent-node-not-known-excluded",
    ),
    pytest.param(
        "frr",
        "unexpected-next-hop.route.json",
        "unexpected-next-hop.bgp_summary.json",
        {},
        False,
        "4 next hops, 3 expected; 10.10.10.20 unexpected: not in expected_next_hops",
        [],
        ["10.10.10.20"],
        id="frr-unexpected-next-hop",
    ),
    pytest.param(
        "frr",
        "prefix-not-advertised.route.json",
        "prefix-not-advertised.bgp_summary.json",
        {},
        False,
        "prefix 172.16.0.240/28 not in routing table; 3 peers Established but none advertises any prefix",
        ALL_NODES,
        [],
        id="frr-prefix-not-advertised",
    ),
    pytest.param(
        "frr",
        "prefix-missing.route.json",
        "no-bgp-instance.bgp_summary.json",
        {},
        False,
        "prefix 172.16.0.240/28 not in routing table; no BGP peers in the summary",
        ALL_NODES,
        [],
        id="frr-empty-vrf-no-bgp",
    ),
    pytest.param(
        "frr",
        "connected-route.route.json",
        None,
        {"prefix": "10.10.10.0/24"},
        False,
        "route type is connected, expected BGP",
        ALL_NODES,
        [],
        id="frr-connected-route",
    ),
]


@pytest.mark.parametrize(
    ("platform", "route", "summary", "options", "healthy", "message", "missing", "unexpected"), SCENARIOS
)
def test_verdict_names_what_is_wrong_and_why(platform, route, summary, options, healthy, message, missing, unexpected):
    verdict = run(platform, route, summary, **options)

    assert (verdict.healthy, verdict.summary) == (healthy, message)
    assert (list(verdict.missing), list(verdict.unexpected)) == (missing, unexpected)


def result_table(verdict) -> list[tuple[str, str]]:
    return [(c.check, c.result) for c in verdict.checks]


@pytest.mark.parametrize(
    ("platform", "route", "summary", "options", "table"),
    [
        pytest.param(
            "frr",
            "healthy-3-path.route.json",
            "healthy-3-path.bgp_summary.json",
            {},
            [
                ("route_present", "pass"),
                ("route_type_bgp", "pass"),
                ("next_hops_match", "pass"),
                ("ecmp_path_count", "pass"),
                ("peers_established", "pass"),
                ("prefixes_received", "pass"),
            ],
            id="healthy-all-pass",
        ),
        pytest.param(
            "frr",
            "peer-down-static.route.json",
            "peer-down-static.bgp_summary.json",
            {},
            [
                ("route_present", "pass"),
                ("route_type_bgp", "pass"),
                ("next_hops_match", "fail"),
                ("ecmp_path_count", "fail"),
                ("peers_established", "fail"),
                ("prefixes_received", "pass"),
            ],
            id="peer-down-fails-hops-count-and-sessions",
        ),
        pytest.param(
            "eos",
            "excluded-node.route.json",
            "excluded-node.bgp_summary.json",
            {"excluded_nodes": CONTROL_PLANE},
            [
                ("route_present", "pass"),
                ("route_type_bgp", "pass"),
                ("next_hops_match", "fail"),
                ("ecmp_path_count", "fail"),
                ("peers_established", "pass"),
                ("prefixes_received", "pass"),
            ],
            id="excluded-node-silence-is-not-a-prefix-failure",
        ),
        pytest.param(
            "eos",
            "prefix-missing.route.json",
            "prefix-missing.bgp_summary.json",
            {},
            [
                ("route_present", "fail"),
                ("route_type_bgp", "skip"),
                ("next_hops_match", "skip"),
                ("ecmp_path_count", "skip"),
                ("peers_established", "pass"),
                ("prefixes_received", "fail"),
            ],
            id="absent-route-skips-path-checks",
        ),
        pytest.param(
            "eos",
            "healthy-3-path.route.json",
            None,
            {"expected_next_hops": []},
            [
                ("route_present", "pass"),
                ("route_type_bgp", "pass"),
                ("next_hops_match", "skip"),
                ("ecmp_path_count", "pass"),
                ("peers_established", "skip"),
                ("prefixes_received", "skip"),
            ],
            id="no-expectations-no-summary-skips",
        ),
    ],
)
def test_checks_table_reports_each_check_like_anta(platform, route, summary, options, table):
    verdict = run(platform, route, summary, **options)

    assert result_table(verdict) == table


def test_problems_list_only_failed_checks_with_details():
    verdict = run("frr", "peer-down-static.route.json", "peer-down-static.bgp_summary.json")

    assert verdict.problems == [
        {"check": "next_hops_match", "detail": "10.10.10.12 (k01-worker2) missing: peer Active"},
        {"check": "ecmp_path_count", "detail": "2 next hops, at least 3 required"},
        {"check": "peers_established", "detail": "10.10.10.12 (k01-worker2) Active"},
    ]


@pytest.mark.parametrize(
    ("options", "healthy", "message", "warnings"),
    [
        pytest.param(
            {"min_paths": 2},
            True,
            "healthy: 172.16.0.240/28 via 2 of 3 expected next hops (min_paths 2): 10.10.10.10 (k01-control-plane), "
            "10.10.10.11 (k01-worker); 2 peers Established",
            ("10.10.10.12 (k01-worker2) missing: peer Idle",),
            id="min-paths-met-tolerates-missing-with-warning",
        ),
        pytest.param(
            {"min_paths": 3},
            False,
            "2 of 3 next hops; 10.10.10.12 (k01-worker2) missing: peer Idle",
            (),
            id="min-paths-not-met-fails",
        ),
        pytest.param(
            {"expected_next_hops": [], "min_paths": 2},
            True,
            "healthy: 172.16.0.240/28 via 2 next hops (at least 2): 10.10.10.10 (k01-control-plane), "
            "10.10.10.11 (k01-worker); 2 peers Established",
            ("peer 10.10.10.12 (k01-worker2) Idle",),
            id="no-expected-hops-down-peer-is-a-warning",
        ),
        pytest.param(
            {"expected_next_hops": []},
            False,
            "peer 10.10.10.12 (k01-worker2) Idle",
            (),
            id="no-expected-hops-every-summary-peer-must-be-up",
        ),
    ],
)
def test_min_paths_relaxes_exact_next_hops(options, healthy, message, warnings):
    verdict = run("eos", "peer-down-idle.route.json", "peer-down-idle.bgp_summary.json", **options)

    assert (verdict.healthy, verdict.summary, verdict.warnings) == (healthy, message, warnings)


def test_session_down_but_path_still_installed_is_reported():
    # A stale path (e.g. graceful restart) keeps the next hop while the session is down.
    summary = json.loads(fixture("frr", "healthy-3-path.bgp_summary.json"))
    summary["peers"]["10.10.10.11"]["state"] = "Connect"
    verdict = verify_route("frr", fixture("frr", "healthy-3-path.route.json"), PREFIX, summary, ALL_NODES)

    assert (verdict.healthy, verdict.summary) == (False, "peer 10.10.10.11 Connect")


def eos_routes(*prefixes: str) -> dict:
    """EOS route output holding these prefixes (each an eBGP route via one node) and not the lab's /28."""
    via = {"nexthopAddr": "10.10.10.10", "interface": "Vlan10"}
    return {"vrfs": {"default": {"routes": {prefix: {"routeType": "eBGP", "vias": [via]} for prefix in prefixes}}}}


def frr_routes(*prefixes: str) -> dict:
    hop = {"ip": "192.0.2.1", "active": True}
    return {prefix: [{"protocol": "kernel", "selected": True, "nexthops": [hop]}] for prefix in prefixes}


@pytest.mark.parametrize(
    ("platform", "route", "closest"),
    [
        pytest.param("frr", frr_routes("0.0.0.0/0"), "0.0.0.0/0", id="frr-default-route-covers"),
        pytest.param(
            "eos", eos_routes("0.0.0.0/0", "172.16.0.0/16", "172.16.0.0/24"), "172.16.0.0/24", id="longest-of-three"
        ),
        pytest.param("eos", eos_routes("10.10.10.0/24", "0.0.0.0/0"), "0.0.0.0/0", id="unrelated-route-skipped"),
        pytest.param("eos", eos_routes("172.16.0.241/32"), None, id="more-specific-service-route-covers-nothing"),
        pytest.param("eos", eos_routes("172.16.0.224/28"), None, id="sibling-covers-nothing"),
        pytest.param("frr", frr_routes("::/0"), None, id="other-address-family"),
        pytest.param("eos", eos_routes("not-a-prefix", "172.16.0.0/12"), "172.16.0.0/12", id="junk-key-ignored"),
    ],
)
def test_absent_prefix_names_the_longest_covering_route_or_none(platform, route, closest):
    verdict = verify_route(platform, route, PREFIX, expected_next_hops=ALL_NODES)

    absent = "prefix 172.16.0.240/28 not in routing table"
    named = f" (the router's longest covering route is {closest})" if closest else ""
    assert verdict.summary == absent + named


def test_eos_answering_with_its_default_route_names_it():
    verdict = run("eos", "prefix-missing-default-route.route.json", "prefix-missing.bgp_summary.json")

    assert verdict.summary == (
        "prefix 172.16.0.240/28 not in routing table (the router's longest covering route is 0.0.0.0/0); "
        "3 peers Established but none advertises any prefix"
    )


# ------------------------------------------------------------------------------------------- parsers


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        pytest.param(
            "peer-down-idle.bgp_summary.json",
            [("10.10.10.10", "Established", 1, 1), ("10.10.10.11", "Established", 1, 1), ("10.10.10.12", "Idle", 0, 0)],
            id="show-ip-bgp-summary",
        ),
        pytest.param(
            "policy-rejects.bgp_summary_per_afi.json",
            [
                ("10.10.10.10", "Established", 1, 1),
                ("10.10.10.11", "Established", 1, 1),
                ("10.10.10.12", "Established", 1, 0),
            ],
            id="show-bgp-summary-per-afi",
        ),
        pytest.param("empty-vrf.bgp_summary.json", [], id="empty-vrf"),
    ],
)
def test_eos_summary_shapes_normalise_to_the_same_peer_model(summary, expected):
    peers = parse_eos_bgp_summary(json.loads(fixture("eos", summary)))

    assert [(p.address, p.state, p.received, p.accepted) for p in peers] == expected


def test_frr_summary_uses_pfxrcd_for_received_and_accepted():
    peers = parse_frr_bgp_summary(json.loads(fixture("frr", "peer-down-static.bgp_summary.json")))

    assert peers == (
        BgpPeerState("10.10.10.10", "Established", 1, 1),
        BgpPeerState("10.10.10.11", "Established", 1, 1),
        BgpPeerState("10.10.10.12", "Active", 0, 0),
    )


def test_frr_show_bgp_summary_wrapper_is_unwrapped():
    inner = json.loads(fixture("frr", "healthy-3-path.bgp_summary.json"))

    assert parse_frr_bgp_summary({"ipv4Unicast": inner}) == parse_frr_bgp_summary(inner)


@pytest.mark.parametrize(
    ("platform", "parse"),
    [pytest.param("eos", parse_eos_route, id="eos"), pytest.param("frr", parse_frr_route, id="frr")],
)
def test_route_parsers_agree_on_next_hop_addresses(platform, parse):
    view = parse(json.loads(fixture(platform, "healthy-3-path.route.json")), PREFIX)

    assert [hop.address for hop in view.next_hops] == ALL_NODES
    assert view.present
    assert view.is_bgp


def test_frr_inactive_next_hops_are_not_paths():
    route = json.loads(fixture("frr", "healthy-3-path.route.json"))
    route[PREFIX][0]["nexthops"][2]["active"] = False
    route[PREFIX][0]["nexthops"][2].pop("fib")

    assert [hop.address for hop in parse_frr_route(route, PREFIX).next_hops] == ALL_NODES[:2]


def test_check_attaches_node_names_to_next_hops_and_peers():
    view = RouteView(PREFIX, True, "eBGP", (NextHop("10.10.10.11", "Vlan10"),))
    expect = make_expectations(PREFIX, ["10.10.10.11"], node_names={"10.10.10.11": "k01-worker"})
    verdict = check(view, [BgpPeerState("10.10.10.11", "Established", 1, 1)], expect)

    assert verdict.as_dict()["next_hops"] == [{"address": "10.10.10.11", "interface": "Vlan10", "node": "k01-worker"}]
    assert verdict.as_dict()["peers"] == [
        {"address": "10.10.10.11", "state": "Established", "received": 1, "accepted": 1, "node": "k01-worker"}
    ]


# ---------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("platform", "route", "rule", "message"),
    [
        pytest.param(
            "frr",
            fixture("frr", "unknown-vrf.route.txt"),
            "route-invalid-json",
            "route: not valid JSON (Expecting value: line 1 column 1 (char 0)); output starts with "
            "'% VRF blue not found' — pass the router's JSON (EOS '| json', FRR '... json')",
            id="frr-error-text-instead-of-json",
        ),
        pytest.param(
            "eos",
            fixture("eos", "malformed.route.json"),
            "route-invalid-json",
            "route: not valid JSON (Expecting ',' delimiter: line 16 column 1 (char 441)); "
            "output starts with '{' — pass the router's JSON (EOS '| json', FRR '... json')",
            id="eos-truncated-json",
        ),
        pytest.param(
            "frr",
            fixture("frr", "malformed.route.json"),
            "route-invalid-json",
            "route: not valid JSON (Unterminated string starting at: line 27 column 11 (char 606)); "
            "output starts with '{' — pass the router's JSON (EOS '| json', FRR '... json')",
            id="frr-truncated-json",
        ),
        pytest.param(
            "frr",
            "  \n",
            "route-empty-output",
            "route: the router output is empty; expected the command's JSON",
            id="empty-output",
        ),
        pytest.param(
            "frr",
            fixture("eos", "healthy-3-path.route.json"),
            "route-not-frr-output",
            "route: has a 'vrfs' key, which is EOS output, not FRR; check platform",
            id="eos-output-with-platform-frr",
        ),
        pytest.param(
            "eos",
            fixture("frr", "healthy-3-path.route.json"),
            "route-not-eos-output",
            "route: no 'vrfs' key, so this is not EOS 'show ip route <prefix> | json' output "
            "(top-level keys: 172.16.0.240/28); check platform",
            id="frr-output-with-platform-eos",
        ),
        pytest.param(
            "eos",
            [{"vrfs": {}}],
            "route-not-an-object",
            "route: expected a JSON object (EOS 'show ip route <prefix> | json'), got list "
            "(a list: pass one command's output, e.g. result.stdout[0])",
            id="whole-stdout-list",
        ),
    ],
)
def test_unreadable_router_output_names_option_and_fix(platform, route, rule, message):
    with pytest.raises(ValidationError) as raised:
        verify_route(platform, route, PREFIX)

    assert raised.value.rules == [rule]
    assert raised.value.violations[0].detail == message


def test_bgp_summary_errors_name_bgp_summary():
    with pytest.raises(ValidationError) as raised:
        verify_route("eos", fixture("eos", "healthy-3-path.route.json"), PREFIX, "{not json")

    assert raised.value.rules == ["bgp-summary-invalid-json"]


def test_every_bad_expectation_is_listed_at_once():
    with pytest.raises(ValidationError) as raised:
        make_expectations(
            "172.16.0.241/28",
            ["10.10.10.300", "10.10.10.11", "10.10.10.11"],
            min_paths=0,
            node_names={"k01-worker": "10.10.10.11"},
            maximum_paths=0,
        )

    assert [(v.rule, v.detail) for v in raised.value.violations] == [
        ("prefix-host-bits", "prefix: '172.16.0.241/28' has host bits set; the route is 172.16.0.240/28"),
        ("expected-next-hops-invalid", "expected_next_hops: '10.10.10.300' is not an IP address"),
        ("expected-next-hops-duplicate", "expected_next_hops: 10.10.10.11 is listed twice"),
        ("node-names-invalid", "node_names: 'k01-worker' is not an IP address"),
        ("min-paths-positive", "min_paths: 0 must be 1 or more"),
        ("maximum-paths-positive", "maximum_paths: 0 must be 1 or more"),
    ]


@pytest.mark.parametrize(
    ("prefix", "rule", "detail"),
    [
        pytest.param(
            "172.16.0.240",
            "prefix-no-length",
            "prefix: '172.16.0.240' has no prefix length; routers key routes as 172.16.0.240/32",
            id="no-length",
        ),
        pytest.param(
            "lb-pool",
            "prefix-invalid",
            "prefix: 'lb-pool' is not an IP network like 172.16.0.240/28",
            id="not-a-network",
        ),
    ],
)
def test_prefix_must_be_a_network_with_length(prefix, rule, detail):
    with pytest.raises(ValidationError) as raised:
        make_expectations(prefix)

    assert [(v.rule, v.detail) for v in raised.value.violations] == [(rule, detail)]


def test_min_paths_above_expected_count_can_never_pass():
    with pytest.raises(ValidationError) as raised:
        make_expectations(PREFIX, ALL_NODES, min_paths=4)

    assert raised.value.rules == ["min-paths-exceeds-expected"]


def test_decoded_output_is_passed_through_untouched():
    data = {"vrfs": {}}

    assert load_json(data, "route") is data


# ------------------------------------------------------------------------------------------ properties

SPEAKERS = ["10.10.10.10", "10.10.10.11", "10.10.10.12", "10.10.10.13", "10.10.10.20"]


@given(
    installed=st.lists(st.sampled_from(SPEAKERS), unique=True),
    expected=st.lists(st.sampled_from(SPEAKERS), unique=True, min_size=1),
)
def test_missing_and_unexpected_are_the_set_differences(installed, expected):
    view = RouteView(PREFIX, True, "bgp", tuple(NextHop(ip, "br10") for ip in installed))
    verdict = check(view, None, make_expectations(PREFIX, expected))

    assert set(verdict.missing) == set(expected) - set(installed)
    assert set(verdict.unexpected) == set(installed) - set(expected)
    assert verdict.healthy == (set(installed) == set(expected))
