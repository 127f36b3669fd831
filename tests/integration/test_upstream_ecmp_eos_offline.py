"""The upstream_ecmp role's EOS behaviour without a device: arista.eos rendered/parsed states.

`rendered` shows exactly which lines the role would send (golden files); `parsed` reads the lab's cEOS startup
config the way the role's gathered state will see it on the real router.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, run_playbook, write_playbook

GOLDEN = Path(__file__).parent / "golden"
EOS_VARS = {"ansible_network_os": "arista.eos.eos", "ansible_connection": "ansible.netcommon.network_cli"}


def render(tmp_path: Path, role_vars: dict) -> list[str]:
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {**EOS_VARS, **role_vars},
        "tasks": [
            {
                "name": "Render the role's EOS commands",
                "ansible.builtin.include_role": {
                    "name": "calicolab.bgp_lb.upstream_ecmp",
                    "tasks_from": "eos_rendered",
                },
            },
            {"name": "Show them", "ansible.builtin.debug": {"var": "upstream_ecmp_rendered"}},
        ],
    }
    run = run_playbook(write_playbook(tmp_path, [play]), inventory="localhost,")
    assert run.returncode == 0, run.stdout + run.stderr
    return run.result_of("localhost", "Show them")["upstream_ecmp_rendered"]


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
        pytest.param({"upstream_ecmp_state": "absent"}, "eos_absent.txt", id="absent-returns-to-one-path"),
    ],
)
def test_rendered_commands_match_golden_file(tmp_path, role_vars, golden):
    expected = (GOLDEN / golden).read_text().splitlines()
    assert render(tmp_path, role_vars) == expected


def test_lab_startup_config_parses_as_as65001_without_maximum_paths(tmp_path):
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "vars": EOS_VARS,
        "tasks": [
            {
                "name": "Parse the lab's cEOS startup config",
                "arista.eos.eos_bgp_global": {
                    "state": "parsed",
                    "running_config": (REPO / "lab/containerlab/ceos01.cfg").read_text(),
                },
            }
        ],
    }
    run = run_playbook(write_playbook(tmp_path, [play]), inventory="localhost,")
    assert run.returncode == 0, run.stdout + run.stderr
    parsed = run.result_of("localhost", "Parse the lab's cEOS")["parsed"]
    assert parsed["as_number"] == "65001"
    assert parsed["router_id"] == "10.10.10.1"
    assert "maximum_paths" not in parsed  # EOS default: one path, the lab's starting point
