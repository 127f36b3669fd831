"""Each action plugin's argument spec is what its module file documents.

The pure computations run as action plugins and their module files hold only documentation, so ansible-test's
validate-modules no longer compares the two: this test does, option by option (type, required, default, choices,
elements), both ways.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
# Controller-side actions; an action over a module that runs on the router (RouterModuleAction) keeps its module.
ACTIONS = sorted(
    path.stem
    for path in (ROOT / "plugins" / "action").glob("*.py")
    if path.stem != "__init__" and "RouterModuleAction" not in path.read_text()
)
FIELDS = ("type", "required", "default", "choices", "elements")


@pytest.fixture(scope="module")
def documented() -> dict[str, dict]:
    """Every action's module documentation as ansible-doc shows it (doc fragments merged in), by module name."""
    names = [f"calicolab.bgp_lb.{name}" for name in ACTIONS]
    environment = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "--json", "-t", "module", *names],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=True,
    )
    return {name.rsplit(".", 1)[1]: doc["doc"] for name, doc in json.loads(shown.stdout).items()}


def normalised(option: dict) -> dict:
    """The fields both sides state, with Ansible's implied values spelled out."""
    shown = {field: option.get(field) for field in FIELDS}
    shown["type"] = shown["type"] or "str"
    shown["required"] = bool(shown["required"])
    return shown


def test_every_controller_side_plugin_is_an_action():
    assert ACTIONS == [
        "bgp_peer_spec",
        "ecmp_route_check",
        "k8s_apply",
        "k8s_dry_run",
        "k8s_read",
        "lb_advert_apply",
        "lb_advert_spec",
        "lb_cidr_validate",
        "lb_pool_spec",
        "lb_service_apply",
        "lb_service_spec",
        "lb_verify_report",
    ]


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in ACTIONS])
def test_argument_spec_matches_the_module_documentation(name, documented):
    spec = importlib.import_module(f"ansible_collections.calicolab.bgp_lb.plugins.action.{name}").ARGUMENT_SPEC
    docs = documented[name]["options"]
    assert sorted(spec) == sorted(docs)
    for option in spec:
        assert normalised(spec[option]) == normalised(docs[option]), option


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in ACTIONS])
def test_module_file_holds_only_documentation(name):
    """One implementation: the computation lives in the action plugin over module_utils, not in the module too."""
    source = (ROOT / "plugins" / "modules" / f"{name}.py").read_text()
    assert "AnsibleModule" not in source
    assert "def " not in source
