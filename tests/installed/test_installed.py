"""The collection as users get it: the built tarball, installed outside this checkout, used from a project of one's own.

A user installs the tarball into their project's collections path (`ansible-galaxy collection install --offline
--no-deps`) and either calls the roles by FQCN from their own playbook (docs/examples/bgp_lb.yml) with their own
inventory, host and group names, or runs the packaged `calicolab.bgp_lb.site` with their groups mapped onto `k8s_api`
and `upstream_routers` (docs/examples/bgp_lb_groups.yml). Both run here from a directory outside the checkout with
that directory's own ansible.cfg, on the newest and on the floor tool chain: converge, then a re-run that changes
nothing. ansible-builder's introspect reads the installed collection's requirements as an execution-environment build
would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import (
    BIN,
    FLOOR,
    NEWEST,
    REPO,
    STATE_DIR,
    PlaybookRun,
    Toolchain,
    Twin,
    build_collection,
    problem_messages,
    run_playbook,
)

EXAMPLES = REPO / "docs" / "examples"
LB_CIDR = "172.16.0.240/28"
NODE_IPS = ["10.10.10.10", "10.10.10.11", "10.10.10.12"]
# The user's own names: nothing in them is the lab's (k8s-controller, tor, k8s_api, upstream_routers).
CLUSTER_HOST, ROUTER_HOST = "kube-automation", "edge-router-1"
TOOLCHAINS = [pytest.param(NEWEST, id="newest"), pytest.param(FLOOR, id="floor")]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    return build_collection(REPO, tmp_path_factory.mktemp("build"))


@dataclass
class UserProject:
    """A directory of the user's: ansible.cfg, inventory.yml, the collection installed under collections/."""

    path: Path
    toolchain: Toolchain

    def run(self, playbook: str, *args: str) -> PlaybookRun:
        # No collections path from the test's side: the project's ansible.cfg decides where collections come from.
        return run_playbook(playbook, *args, toolchain=Toolchain(self.toolchain.bin), project=self.path)

    def collection_paths(self, name: str) -> list[str]:
        """Where this project's ansible-galaxy finds collection ``name``."""
        listed = subprocess.run(
            [self.toolchain.bin / "ansible-galaxy", "collection", "list", name, "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            cwd=self.path,
            env={**os.environ, "ANSIBLE_CONFIG": str(self.path / "ansible.cfg")},
        )
        return sorted(path for path, found in json.loads(listed.stdout).items() if name in found)


def user_inventory() -> dict:
    """The twin, as a user's inventory would name it: their group, host and variable choices."""
    lab = yaml.safe_load((REPO / "inventory" / "twin" / "group_vars" / "all.yml").read_text())
    lab_values = {key: value for key, value in lab.items() if not key.startswith("bgp_lb_")}
    return {
        "all": {
            "vars": lab_values,
            "children": {
                "k8s_automation": {
                    "hosts": {
                        CLUSTER_HOST: {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                            "bgp_lb_kubeconfig": str(STATE_DIR / "kubeconfig"),
                        }
                    }
                },
                "dc_edge_routers": {
                    "hosts": {
                        ROUTER_HOST: {
                            "ansible_host": "tor",  # the twin's ssh config resolves it
                            "ansible_user": "root",
                            "ansible_ssh_common_args": f"-F {STATE_DIR / 'ssh' / 'config'}",
                            "ansible_python_interpreter": "/usr/bin/python3",
                        }
                    }
                },
            },
        }
    }


def install(tarball: Path, base: Path, toolchain: Toolchain) -> UserProject:
    """A user project in ``base`` (outside the checkout), the tarball installed by the tool chain's ansible-galaxy."""
    project = base / "project"
    project.mkdir()
    (project / "ansible.cfg").write_text("[defaults]\ncollections_path = collections\ninventory = inventory.yml\n")
    (project / "inventory.yml").write_text(yaml.safe_dump(user_inventory(), sort_keys=False))
    for example in EXAMPLES.glob("*.yml"):
        (project / example.name).write_text(example.read_text())
    galaxy = toolchain.bin / "ansible-galaxy"
    subprocess.run(
        [galaxy, "collection", "install", "--offline", "--no-deps", "--collections-path", "collections", tarball],
        check=True,
        capture_output=True,
        cwd=project,
        env={**os.environ, "ANSIBLE_CONFIG": str(project / "ansible.cfg")},
    )
    installed = project / "collections" / "ansible_collections"
    if toolchain.collections is not None:
        # The floor's dependencies (there is no Galaxy here), beside the installed collection: every namespace but
        # calicolab, which in .floor is a link to this checkout.
        for namespace in (toolchain.collections / "ansible_collections").iterdir():
            if namespace.name != "calicolab":
                (installed / namespace.name).symlink_to(namespace.resolve())
    user = UserProject(project, toolchain)
    assert user.collection_paths("calicolab.bgp_lb") == [str(installed)]
    assert not str(project).startswith(str(REPO))
    return user


def converges_then_holds(user: UserProject, twin: Twin, *playbook_args: str) -> None:
    first = user.run(*playbook_args)
    assert first.returncode == 0, problem_messages(first) or first.stderr[-3000:]
    assert first.changed(CLUSTER_HOST) > 0
    assert first.changed(ROUTER_HOST) > 0
    assert "maximum-paths 4" in twin.running_config()
    assert twin.route_next_hops(LB_CIDR) == NODE_IPS
    assert twin.api.lb_ip() is not None
    # lb_verify writes its report where the user runs ansible-playbook, not into the collection
    assert list((user.path / "reports" / "lb_verify").glob(f"lb_verify-*-{ROUTER_HOST}.json"))

    again = user.run(*playbook_args)
    assert again.returncode == 0, problem_messages(again)
    assert sorted(again.report["stats"]) == [ROUTER_HOST, CLUSTER_HOST]
    assert (again.changed(CLUSTER_HOST), again.changed(ROUTER_HOST)) == (0, 0)


@pytest.mark.root
@pytest.mark.twin
@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_roles_by_fqcn_from_a_playbook_of_ones_own(fresh_twin: Twin, tarball, tmp_path, toolchain):
    user = install(tarball, tmp_path, toolchain)
    converges_then_holds(user, fresh_twin, "bgp_lb.yml")


@pytest.mark.root
@pytest.mark.twin
@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_packaged_site_playbook_on_groups_mapped_onto_its_own(fresh_twin: Twin, tarball, tmp_path, toolchain):
    user = install(tarball, tmp_path, toolchain)
    converges_then_holds(user, fresh_twin, "calicolab.bgp_lb.site", "-i", "inventory.yml", "-i", "bgp_lb_groups.yml")


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


# ansible-builder leaves out requirements every execution environment already has, PyYAML among them
# (EXCLUDE_REQUIREMENTS in ansible-builder 3.2.0, src/ansible_builder/_target_scripts/introspect.py).
IN_EVERY_EXECUTION_ENVIRONMENT = {"pyyaml"}


def test_ansible_builder_reads_the_installed_collections_requirements(tarball, tmp_path):
    user = install(tarball, tmp_path, NEWEST)
    done = subprocess.run(
        [BIN / "ansible-builder", "introspect", user.path / "collections"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = yaml.safe_load(done.stdout)

    python = [
        line
        for line in requirement_lines(REPO / "requirements.txt")
        if re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower() not in IN_EVERY_EXECUTION_ENVIRONMENT
    ]
    assert python, "requirements.txt lists nothing an execution environment would install"
    assert found["python"] == [f"{line}  # from collection calicolab.bgp_lb" for line in python]
    system = requirement_lines(REPO / "bindep.txt")
    assert found["system"] == [f"{line}  # from collection calicolab.bgp_lb" for line in system]


def test_lb_verify_refuses_a_cluster_group_the_users_inventory_lacks(tarball, tmp_path):
    # The user's groups are k8s_automation and dc_edge_routers: lb_verify's default, k8s_api, is not one of them, and
    # reading with the client's default kubeconfig instead could verify the routers against another cluster.
    user = install(tarball, tmp_path, NEWEST)
    playbook = [
        {"name": "Verify", "hosts": "dc_edge_routers", "gather_facts": False, "roles": ["calicolab.bgp_lb.lb_verify"]}
    ]
    (user.path / "verify_only.yml").write_text(yaml.safe_dump(playbook, sort_keys=False))

    run = user.run("verify_only.yml")

    assert run.returncode == 2
    assert run.failure_messages(ROUTER_HOST) == [
        'lb_verify_kubernetes_group "k8s_api" is not a group with hosts in this inventory (its groups: dc_edge_routers,'
        " k8s_automation): set it to the group of the host whose bgp_lb_kubeconfig reaches the cluster."
    ]
    assert not (user.path / "reports").exists()
