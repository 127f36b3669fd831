"""Inputs the way Ansible users pass them: `-e name=value` gives every value as a string.

Every numeric and boolean role variable given as text works exactly as its typed value (the same end state, and a
typed re-run changes nothing); text that is not a number or a boolean, and a list given as text, are refused before
the first write with a message naming the variable, the value and the rule.
"""

from __future__ import annotations

import pytest

from tests.conftest import Twin, problem_messages, run_playbook

pytestmark = [pytest.mark.root, pytest.mark.twin]

# Every int, float and bool variable of every role, as `-e` gives them: text.
AS_TEXT = {
    "lb_pool_block_size": "28",
    "lb_pool_nat_outgoing": "true",
    "lb_pool_disabled": "false",
    "lb_pool_min_addresses": "1",
    "lb_pool_force": "false",
    "lb_service_wait_timeout": "30",
    "lb_service_poll_interval": "0.25",
    "bgp_advertisement_as_number": "65010",
    "bgp_advertisement_node_to_node_mesh": "false",
    "bgp_advertisement_remove_peers": "false",
    "bgp_advertisement_conflict_retries": "5",
    "upstream_ecmp_as_number": "65001",
    "upstream_ecmp_maximum_paths": "8",
    "lb_verify_min_paths": "3",
    "lb_verify_port": "80",
    "lb_verify_timeout": "30",
    "lb_verify_poll_interval": "0.2",
    "lb_verify_flows": "30",
    "lb_verify_min_backends": "2",
    "lb_verify_fail_on_unhealthy": "true",
}
TYPED = {
    name: (value == "true") if value in ("true", "false") else (float(value) if "." in value else int(value))
    for name, value in AS_TEXT.items()
}


def as_e_arguments(variables: dict[str, str]) -> list[str]:
    """`-e name=value` per variable, exactly as a user types them."""
    return [argument for name, value in variables.items() for argument in ("-e", f"{name}={value}")]


def test_numbers_and_booleans_given_as_text_work_as_their_typed_values(module_twin: Twin):
    run = run_playbook("site.yml", *as_e_arguments(AS_TEXT))
    assert run.returncode == 0, "\n".join(problem_messages(run)) or run.stdout[-3000:]
    assert " maximum-paths 8\n" in module_twin.running_config() + "\n"
    pool = module_twin.api.get("/apis/projectcalico.org/v3/ippools/loadbalancer-ip-pool")
    assert pool["spec"]["blockSize"] == 28
    assert "disabled" not in pool["spec"] or pool["spec"]["disabled"] is False
    assert module_twin.route_next_hops("172.16.0.240/28") == ["10.10.10.10", "10.10.10.11", "10.10.10.12"]

    typed = run_playbook("site.yml", extra_vars=TYPED)
    assert typed.returncode == 0, "\n".join(problem_messages(typed))
    assert (typed.changed("k8s-controller"), typed.changed("tor")) == (0, 0)


@pytest.mark.parametrize(
    ("variables", "expect"),
    [
        pytest.param(
            {"upstream_ecmp_maximum_paths": "eight"},
            ["upstream_ecmp_maximum_paths", "eight", "int"],
            id="not-a-number",
        ),
        pytest.param(
            {"upstream_ecmp_maximum_paths": "0"}, ["upstream_ecmp_maximum_paths", '"0"', "at least 1"], id="zero"
        ),
        pytest.param({"lb_pool_block_size": "twenty"}, ["lb_pool_block_size", "twenty", "int"], id="block-size-word"),
        pytest.param({"lb_pool_disabled": "maybe"}, ["lb_pool_disabled", "maybe", "boolean"], id="not-a-boolean"),
        pytest.param(
            {"lb_service_wait_timeout": "soon"}, ["lb_service_wait_timeout", "soon", "int"], id="timeout-word"
        ),
        pytest.param(
            {"bgp_advertisement_cidrs": "[172.16.0.240/28,10.20.0.0/28]"},
            ["bgp_advertisement_cidrs", "[172.16.0.240/28,10.20.0.0/28]", "json", '{"bgp_advertisement_cidrs": [...]}'],
            id="list-as-text",
        ),
    ],
)
def test_text_that_is_not_the_type_is_refused_before_any_write(
    module_twin: Twin, variables: dict[str, str], expect: list[str]
):
    router_before, mark = module_twin.running_config(), module_twin.audit_mark()

    run = run_playbook("site.yml", *as_e_arguments(variables))

    messages = "\n".join(problem_messages(run))
    assert run.returncode != 0
    assert [text for text in expect if text.lower() not in messages.lower()] == [], messages
    assert "malformed" not in messages, "a list given as text must not be reported fragment by fragment"
    assert module_twin.real_writes(module_twin.audit_since(mark)) == []
    assert module_twin.running_config() == router_before
