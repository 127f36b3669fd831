"""The oldest versions the collection claims, tested: the lab on ansible-core 2.16.0 and the oldest collections.

`make setup` builds that toolchain from requirements-floor.txt (.venv-floor: ansible-core, the `kubernetes` and PyYAML
floors on Python 3.12; .floor/ansible_collections: the collections of the `ansible` wheel it names). These tests check
that what galaxy.yml and meta/runtime.yml declare is what that toolchain holds, then run the lab's playbooks on it:
site.yml, its re-run (no change), verify.yml and teardown.yml on the twin, and the EOS paths offline (arista.eos's
rendered commands; an eAPI read through ansible.netcommon's httpapi against the stand-in).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import FLOOR, REPO, Twin, problem_messages, run_playbook
from tests.eapi_fake import FakeEapi
from tests.integration import test_eos_eapi_offline as eapi
from tests.integration.test_upstream_ecmp_eos_offline import GOLDEN, render

LB_CIDR = "172.16.0.240/28"
NODE_IPS = ["10.10.10.10", "10.10.10.11", "10.10.10.12"]


def floor_of(requirement: str) -> str:
    """The version a `>=X` requirement names."""
    match = re.fullmatch(r">=\s*([0-9.]+)", requirement.strip())
    assert match, f"{requirement!r} is not a plain floor"
    return match.group(1)


def test_the_declared_floors_are_the_tested_toolchain():
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    runtime = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())
    listed = subprocess.run(
        [str(FLOOR.bin / "ansible-galaxy"), "collection", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        env={"ANSIBLE_COLLECTIONS_PATH": str(FLOOR.collections), "PATH": str(FLOOR.bin)},
    )
    installed = {name: info["version"] for path in json.loads(listed.stdout).values() for name, info in path.items()}
    core = subprocess.run(
        [str(FLOOR.bin / "python"), "-c", "import ansible.release; print(ansible.release.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert core == floor_of(runtime["requires_ansible"])
    assert {name: installed.get(name) for name in galaxy["dependencies"]} == {
        name: floor_of(requirement) for name, requirement in galaxy["dependencies"].items()
    }
    requirements = yaml.safe_load((REPO / "requirements.yml").read_text())["collections"]
    assert {item["name"]: item["version"] for item in requirements} == galaxy["dependencies"]


@pytest.mark.root
@pytest.mark.twin
def test_the_lab_converges_reruns_verifies_and_tears_down_on_the_floor(fresh_twin: Twin):
    site = run_playbook("site.yml", toolchain=FLOOR)
    assert site.returncode == 0, problem_messages(site)
    assert "maximum-paths 4" in fresh_twin.running_config()
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS

    rerun = run_playbook("site.yml", toolchain=FLOOR)
    assert rerun.returncode == 0, problem_messages(rerun)
    assert sorted(rerun.report["stats"]) == ["k8s-controller", "tor"]  # the JSON callback saw both hosts
    assert (rerun.changed("k8s-controller"), rerun.changed("tor")) == (0, 0)

    verify = run_playbook("playbooks/verify.yml", toolchain=FLOOR)
    assert verify.returncode == 0, problem_messages(verify)

    teardown = run_playbook("playbooks/teardown.yml", toolchain=FLOOR)
    assert teardown.returncode == 0, problem_messages(teardown)
    assert "maximum-paths 1" in fresh_twin.running_config()
    assert "loadbalancer-ip-pool" not in fresh_twin.kubectl("get", "ippools.projectcalico.org", "-o", "name")
    again = run_playbook("playbooks/teardown.yml", toolchain=FLOOR)
    assert sorted(again.report["stats"]) == ["k8s-controller", "tor"]
    assert (again.returncode, again.changed("k8s-controller"), again.changed("tor")) == (0, 0, 0)


def test_arista_eos_renders_the_same_commands_on_the_floor(tmp_path: Path):
    expected = (GOLDEN / "eos_maximum_paths_4_ecmp_8.txt").read_text().splitlines()
    assert render(tmp_path, {"upstream_ecmp_ecmp_paths": 8}, toolchain=FLOOR) == expected


def test_lb_verify_reads_an_eos_router_over_eapi_on_the_floor(tmp_path: Path, eapi_router: FakeEapi):
    eapi.serve_eos(eapi_router, "healthy-3-path", "healthy-3-path.bgp_summary.json", "router-bgp-maximum-paths-4.cfg")
    run = eapi.run_against(eapi_router, tmp_path, eapi.route_tasks(timeout=0.5), toolchain=FLOOR)

    assert run.returncode == 0, run.stdout[-3000:]
    verdict = run.result_of("ceos01", "Judge them")
    assert verdict["healthy"], verdict["summary"]
    assert "show ip route 172.16.0.240/28" in eapi_router.sent()
