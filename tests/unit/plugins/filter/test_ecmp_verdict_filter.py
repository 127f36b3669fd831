"""Filter ecmp_verdict: the route verdict for `until` loops, from real router output (the route_check fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.calicolab.bgp_lb.plugins.filter.ecmp_verdict import FilterModule, ecmp_verdict
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.route_check import split_command_outputs

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "route_check"
PREFIX = "172.16.0.240/28"
NODES = {"10.10.10.10": "k01-control-plane", "10.10.10.11": "k01-worker", "10.10.10.12": "k01-worker2"}


def output(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text()


def test_the_filter_is_exposed_by_name():
    assert FilterModule().filters() == {"ecmp_verdict": ecmp_verdict, "vtysh_outputs": split_command_outputs}


@pytest.mark.parametrize(
    ("platform", "route", "as_dict"),
    [
        pytest.param("frr", "healthy-3-path.route.json", False, id="frr-text"),
        pytest.param("eos", "healthy-3-path.route.json", False, id="eos-text"),
        pytest.param("eos", "healthy-3-path.route.json", True, id="eos-dict-as-eos_command-returns-it"),
    ],
)
def test_a_healthy_route_is_healthy_with_the_nodes_named(platform, route, as_dict):
    data = output(platform, route)
    verdict = ecmp_verdict(
        json.loads(data) if as_dict else data, platform, PREFIX, expected_next_hops=list(NODES), node_names=NODES
    )
    assert verdict["healthy"] is True
    assert [(hop["address"], hop["node"]) for hop in verdict["next_hops"]] == list(NODES.items())
    assert (verdict["missing"], verdict["unexpected"], verdict["problems"]) == ([], [], [])


@pytest.mark.parametrize(
    ("platform", "scenario", "extra", "summary"),
    [
        pytest.param(
            "frr",
            "one-path-maximum-paths-1",
            {"maximum_paths": 1},
            "1 of 3 next hops: maximum-paths is 1 on the router",
            id="frr-maximum-paths-1",
        ),
        pytest.param(
            "frr",
            "excluded-node",
            {"excluded_nodes": {"10.10.10.10": "k01-control-plane"}},
            "2 of 3 next hops; 10.10.10.10 missing: node k01-control-plane is labelled "
            "exclude-from-external-load-balancers",
            id="frr-excluded-node-still-expected",
        ),
    ],
)
def test_an_unhealthy_route_is_a_verdict_not_an_error(platform, scenario, extra, summary):
    verdict = ecmp_verdict(
        output(platform, f"{scenario}.route.json"),
        platform,
        PREFIX,
        expected_next_hops=list(NODES),
        node_names=NODES,
        **extra,
    )
    assert verdict["healthy"] is False
    assert verdict["summary"] == summary


def test_excluded_node_passes_when_only_the_advertisers_are_expected():
    verdict = ecmp_verdict(
        output("frr", "excluded-node.route.json"),
        "frr",
        PREFIX,
        expected_next_hops=["10.10.10.11", "10.10.10.12"],
        node_names=NODES,
    )
    assert verdict["healthy"] is True


def test_min_paths_accepts_fewer_than_expected_and_null_means_all():
    route = output("frr", "excluded-node.route.json")
    assert ecmp_verdict(route, "frr", PREFIX, expected_next_hops=list(NODES), min_paths=2)["healthy"] is True
    assert ecmp_verdict(route, "frr", PREFIX, expected_next_hops=list(NODES), min_paths=None)["healthy"] is False


def test_an_empty_answer_while_converging_is_unhealthy_not_an_error():
    verdict = ecmp_verdict("{}", "frr", PREFIX, expected_next_hops=list(NODES))
    assert (verdict["healthy"], verdict["next_hops"]) == (False, [])


@pytest.mark.parametrize(
    ("route", "platform", "prefix", "expectations", "text"),
    [
        pytest.param(output("frr", "malformed.route.json"), "frr", PREFIX, {}, "route", id="malformed-json"),
        pytest.param("{}", "junos", PREFIX, {}, "platform: 'junos' is not one of eos, frr", id="unknown-platform"),
        pytest.param("{}", "frr", "172.16.0.241/28", {}, "host bits", id="prefix-with-host-bits"),
        pytest.param(
            "{}",
            "frr",
            PREFIX,
            {"expected_next_hops": ["k01-worker"]},
            "'k01-worker' is not an IP address",
            id="next-hop-not-an-address",
        ),
    ],
)
def test_bad_input_is_a_filter_error_naming_it(route, platform, prefix, expectations, text):
    with pytest.raises(AnsibleFilterError) as caught:
        ecmp_verdict(route, platform, prefix, **expectations)
    assert str(caught.value).startswith("ecmp_verdict: ")
    assert text in str(caught.value)


# One `vtysh -c 'show ip route 172.16.0.240/28 json' -c 'show bgp ipv4 unicast summary json' -c 'show running-config'`
# as FRR 8.4 printed it on the converged twin.
VTYSH_THREE = (FIXTURES / "frr" / "vtysh-route-summary-config.txt").read_text()


def test_vtysh_outputs_cuts_one_call_into_route_summary_and_config():
    route, summary, config = split_command_outputs(VTYSH_THREE, 2)
    assert [hop["ip"] for hop in route["172.16.0.240/28"][0]["nexthops"]] == [
        "10.10.10.10",
        "10.10.10.11",
        "10.10.10.12",
    ]
    assert summary["as"] == 65001
    assert len(summary["peers"]) == 3
    assert config.startswith("Building configuration...")
    assert " maximum-paths 4\n" in config
    assert ecmp_verdict(route, platform="frr", prefix="172.16.0.240/28", bgp_summary=summary)["healthy"]


@pytest.mark.parametrize(
    ("text", "outputs"),
    [
        pytest.param('{}\n{"peers":{}}\nhostname tor\n', [{}, {"peers": {}}, "hostname tor\n"], id="absent-route"),
        pytest.param("", ["", "", ""], id="no-output"),
        pytest.param("% Unknown command: show ip route\n", ["% Unknown command: show ip route\n", "", ""], id="error"),
        pytest.param('{"a":1}\n% Unknown command\n', [{"a": 1}, "% Unknown command\n", ""], id="second-not-json"),
        pytest.param(
            '{"a":1}\r\n{}\r\n maximum-paths 4\r\n', [{"a": 1}, {}, " maximum-paths 4\n"], id="terminal-line-ends"
        ),
    ],
)
def test_vtysh_outputs_hands_on_what_is_not_json_as_text(text, outputs):
    assert split_command_outputs(text, 2) == outputs
