"""The upstream_ecmp role's EOS behaviour without a device: arista.eos rendered/parsed states.

`rendered` shows exactly which lines the role would send (golden files); `parsed` reads router configs the way the
role's gathered state sees them on the real router: the lab's cEOS startup config, and `router bgp` as EOS prints it
after site.yml and after a teardown (tests/unit/fixtures/eos_config), which drives what teardown sends.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import NEWEST, REPO, Toolchain, run_playbook, write_playbook

GOLDEN = Path(__file__).parent / "golden"
EOS_CONFIGS = REPO / "tests" / "unit" / "fixtures" / "eos_config"
EOS_VARS = {"ansible_network_os": "arista.eos.eos", "ansible_connection": "ansible.netcommon.network_cli"}
PARSE = "Parse the router's running-config"


def parse_task(running_config: str) -> dict:
    return {
        "name": PARSE,
        "arista.eos.eos_bgp_global": {"state": "parsed", "running_config": running_config},
        "register": "router_bgp",
    }


def render(
    tmp_path: Path, role_vars: dict, running_config: str | None = None, toolchain: Toolchain = NEWEST
) -> list[str]:
    """The role's EOS commands, for a router whose `router bgp` section is ``running_config`` when given."""
    tasks = [parse_task(running_config)] if running_config is not None else []
    gathered = {"upstream_ecmp_eos_gathered": {"gathered": "{{ router_bgp.parsed }}"}} if tasks else {}
    tasks += [
        {
            "name": "Render the role's EOS commands",
            "ansible.builtin.include_role": {"name": "calicolab.bgp_lb.upstream_ecmp", "tasks_from": "eos_rendered"},
            "vars": gathered,
        },
        {"name": "Show them", "ansible.builtin.debug": {"var": "upstream_ecmp_rendered"}},
    ]
    play = {"hosts": "localhost", "gather_facts": False, "vars": {**EOS_VARS, **role_vars}, "tasks": tasks}
    run = run_playbook(write_playbook(tmp_path, [play]), inventory="localhost,", toolchain=toolchain)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.result_of("localhost", "Show them")["upstream_ecmp_rendered"]


def parse(tmp_path: Path, running_config: str) -> dict:
    play = {"hosts": "localhost", "gather_facts": False, "vars": EOS_VARS, "tasks": [parse_task(running_config)]}
    run = run_playbook(write_playbook(tmp_path, [play]), inventory="localhost,")
    assert run.returncode == 0, run.stdout + run.stderr
    return run.result_of("localhost", PARSE)["parsed"]


def teardown_role_vars() -> dict:
    """The variables playbooks/teardown.yml gives the upstream_ecmp role."""
    plays = yaml.safe_load((REPO / "playbooks" / "teardown.yml").read_text())
    roles = [role for play in plays for role in play.get("roles", []) if role["role"].endswith(".upstream_ecmp")]
    assert len(roles) == 1, roles
    return roles[0].get("vars", {})


@pytest.mark.parametrize(
    ("role_vars", "golden"),
    [
        pytest.param({}, "eos_maximum_paths_4.txt", id="lab-default-maximum-paths-4"),
        pytest.param({"upstream_ecmp_ecmp_paths": 8}, "eos_maximum_paths_4_ecmp_8.txt", id="with-ecmp"),
        pytest.param(
            {"upstream_ecmp_maximum_paths": 1, "upstream_ecmp_ecmp_paths": 8},
            "eos_maximum_paths_1_ecmp_8.txt",
            id="teardown-value-keeps-ecmp-when-present",
        ),
    ],
)
def test_rendered_commands_match_golden_file(tmp_path, role_vars, golden):
    expected = (GOLDEN / golden).read_text().splitlines()
    assert render(tmp_path, role_vars) == expected


def parse_with(tmp_path: Path, modules: list[str], running_config: str) -> dict[str, object]:
    """What each arista.eos resource module's `parsed` state makes of ``running_config``, by module name."""
    tasks = [
        {"name": f"Parse with {module}", module: {"state": "parsed", "running_config": running_config}}
        for module in modules
    ]
    play = {"hosts": "localhost", "gather_facts": False, "vars": EOS_VARS, "tasks": tasks}
    run = run_playbook(write_playbook(tmp_path, [play]), inventory="localhost,")
    assert run.returncode == 0, run.stdout + run.stderr
    return {module: run.result_of("localhost", f"Parse with {module}")["parsed"] for module in modules}


def test_lab_startup_config_holds_what_the_lab_needs_as_arista_eos_parses_it(tmp_path):
    parsed = parse_with(
        tmp_path,
        ["arista.eos.eos_bgp_global", "arista.eos.eos_l3_interfaces"],
        (REPO / "lab/containerlab/ceos01.cfg").read_text(),
    )
    bgp, interfaces = parsed["arista.eos.eos_bgp_global"], parsed["arista.eos.eos_l3_interfaces"]

    assert (bgp["as_number"], bgp["router_id"]) == ("65001", "10.10.10.1")
    assert "maximum_paths" not in bgp  # EOS default: one path, the lab's starting point
    # The nodes' dynamic sessions land in this peer group (its listen range: see the next test).
    assert {"neighbor_address": "CALICO-K8S", "peer_group": "CALICO-K8S", "send_community": {"set": True}} in bgp[
        "neighbor"
    ]
    addresses = {item["name"]: [a["address"] for a in item.get("ipv4", [])] for item in interfaces}
    assert addresses["Vlan10"] == ["10.10.10.1/24"]  # the nodes' gateway and the Calico BGPPeer's peerIP
    assert addresses["Management0"] == ["172.20.20.2/24"]  # inventory/containerlab's eAPI address


@pytest.mark.parametrize(
    ("listen_line", "understood"),
    [
        pytest.param(
            "bgp listen range 10.10.10.0/24 peer-group CALICO-K8S remote-as 65010", False, id="eos-syntax-ceos01-uses"
        ),
        pytest.param("bgp listen range 10.10.10.0/24 peer group CALICO-K8S", True, id="the-only-form-it-parses"),
    ],
)
def test_arista_eos_does_not_parse_the_listen_range_as_eos_writes_it(tmp_path, listen_line, understood):
    # arista.eos 12.3's eos_bgp_global matches `peer group` (rm_templates/bgp_global.py, bgp_params.listen_range) and,
    # with `remote-as` after it, returns nothing; EOS's command, and ceos01.cfg, say `peer-group ... remote-as`
    # (arista.eos issue #477 reports the rendering side). So tests/unit/test_lab_files.py checks the listen range
    # against the cluster's AS from the text; when this test fails, arista.eos has fixed its parser and can do it.
    config = (REPO / "lab/containerlab/ceos01.cfg").read_text()
    assert "bgp listen range 10.10.10.0/24 peer-group CALICO-K8S remote-as 65010" in config
    bgp = parse_with(tmp_path, ["arista.eos.eos_bgp_global"], f"router bgp 65001\n   {listen_line}\n")

    listen = bgp["arista.eos.eos_bgp_global"].get("bgp_params", {}).get("listen", {}).get("range", {})
    assert listen == ({"address": "10.10.10.0/24", "peer_group": {"name": "CALICO-K8S"}} if understood else {})


@pytest.mark.parametrize(
    ("running_config", "maximum_paths"),
    [
        pytest.param("router-bgp-maximum-paths-4.cfg", {"max_equal_cost_paths": 4}, id="after-site"),
        pytest.param(
            "router-bgp-maximum-paths-4-ecmp-4.cfg",
            {"max_equal_cost_paths": 4, "max_installed_ecmp_paths": 4},
            id="after-site-ecmp-shown",
        ),
        pytest.param("router-bgp-default-paths.cfg", None, id="after-teardown-default-hidden"),
    ],
)
def test_router_bgp_as_eos_prints_it_parses_to_the_paths_it_shows(tmp_path, running_config, maximum_paths):
    parsed = parse(tmp_path, (EOS_CONFIGS / running_config).read_text())

    assert (parsed["as_number"], parsed["router_id"]) == ("65001", "10.10.10.1")
    assert parsed.get("maximum_paths") == maximum_paths


@pytest.mark.parametrize(
    ("running_config", "role_vars", "commands"),
    [
        pytest.param(
            "router-bgp-maximum-paths-4.cfg",
            teardown_role_vars(),
            ["router bgp 65001", "no maximum-paths"],
            id="teardown-after-site-removes-the-line",
        ),
        pytest.param(
            "router-bgp-maximum-paths-4-ecmp-4.cfg",
            teardown_role_vars(),
            ["router bgp 65001", "no maximum-paths"],
            id="teardown-removes-the-ecmp-form-too",
        ),
        pytest.param("router-bgp-default-paths.cfg", teardown_role_vars(), [], id="teardown-again-sends-nothing"),
        pytest.param(
            "router-bgp-maximum-paths-4.cfg",
            {"upstream_ecmp_state": "absent"},
            ["router bgp 65001", "no maximum-paths"],
            id="absent-removes-the-line",
        ),
        pytest.param("router-bgp-default-paths.cfg", {"upstream_ecmp_state": "absent"}, [], id="absent-when-default"),
    ],
)
def test_returning_to_one_path_sends_no_maximum_paths_only_when_eos_shows_one(
    tmp_path, running_config, role_vars, commands
):
    assert render(tmp_path, role_vars, (EOS_CONFIGS / running_config).read_text()) == commands
