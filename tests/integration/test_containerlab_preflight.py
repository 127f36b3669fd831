"""The containerlab scenario's preflight, run for real with stand-ins for the tools it asks.

`molecule/containerlab/create.yml --tags preflight` runs only the preflight tasks. Each test puts shell scripts named
docker, containerlab, kind, kubectl and id first on PATH (a "missing" tool is one that exits 127, so a tool
installed on this machine cannot hide the case) and an inotify directory of its own, then reads what the preflight
says: one hint per problem, every problem at once, each with what fixes it, and nothing else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_playbook

CREATE = REPO / "molecule" / "containerlab" / "create.yml"
MINIMUM = yaml.safe_load((REPO / "molecule/containerlab/vars/containerlab.yml").read_text())["lab_containerlab_minimum"]
ROOT = "uid=0(root) gid=0(root) groups=0(root)"
USER = "uid=1000(ops) gid=1000(ops) groups=1000(ops),999(docker)"
CLAB_ADMIN = "uid=1000(ops) gid=1000(ops) groups=1000(ops),999(docker),998(clab_admins)"
GOOD_INOTIFY = {"max_user_instances": 8192, "max_user_watches": 1048576}
MISSING = None
# How each of the preflight's hints begins.
HINTS = {
    "docker": "The Docker engine is not reachable",
    "ceos-image": "The cEOS image ceos:4.34.0F is not in Docker",
    "containerlab": "containerlab is not installed",
    "containerlab-old": "containerlab {} cannot read lab/containerlab/topology.clab.yaml, which needs "
    + f"{MINIMUM} or later",
    "kind": "The kind CLI is not installed",
    "kubectl": "kubectl is not installed",
    "privileges": "containerlab needs root",
    "inotify": "fs.inotify.{} below what a three-node kind cluster needs",
}


def lab(**overrides) -> dict:
    """A machine with everything the lab needs, but for ``overrides``."""
    machine = {
        "docker": "Server: Docker Engine - Community\n Version: 27.3.1",
        "ceos_image": "[{}]",
        # As containerlab's cmd/version.go prints it; 0.79.0 is the newest release.
        "containerlab": "    version: 0.79.0\n     commit: fake",
        "kind": "kind v0.30.0 go1.24 linux/amd64",
        "kubectl": "Client Version: v1.33.1",
        "id": ROOT,
        "inotify": GOOD_INOTIFY,
    }
    machine.update(overrides)
    return machine


def tool(path: Path, script: str) -> None:
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def preflight(tmp_path: Path, machine: dict) -> list[str] | None:
    """Run the preflight on ``machine``: None when it passes, else the list of problems it names."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("containerlab", "kind", "kubectl", "id"):
        output = machine[name]
        tool(bin_dir / name, "exit 127\n" if output is MISSING else f"cat <<'OUT'\n{output}\nOUT\n")
    docker, image = machine["docker"], machine["ceos_image"]
    tool(
        bin_dir / "docker",
        "exit 127\n"
        if docker is MISSING
        else f'if [ "$1" = image ]; then {"exit 1" if image is MISSING else f"echo {image!r}"}; fi\necho {docker!r}\n',
    )
    inotify = tmp_path / "inotify"
    inotify.mkdir()
    for name, value in machine["inotify"].items():
        (inotify / name).write_text(f"{value}\n")

    run = run_playbook(
        CREATE,
        "--tags",
        "preflight",
        inventory=REPO / "inventory" / "containerlab",  # as molecule.yml passes it; localhost stays implicit
        extra_vars={"lab_inotify_dir": str(inotify)},
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "MOLECULE_PROJECT_DIRECTORY": str(REPO), "CEOS_IMAGE": ""},
    )
    verdict = run.result_of("localhost", "Preflight - stop with what to fix")
    assert (run.returncode == 0) is not verdict.get("failed", False), run.stdout[-3000:]
    return None if run.returncode == 0 else verdict["msg"]


def hint_names(problems: list[str], version: str = "", inotify: str = "") -> list[str]:
    """Which hint each problem is (its name in HINTS), or the problem itself when it is none of them."""
    starts = {name: start.format(version if name == "containerlab-old" else inotify) for name, start in HINTS.items()}
    return [
        next((name for name, start in starts.items() if problem.startswith(start)), problem) for problem in problems
    ]


def test_a_ready_machine_passes(tmp_path: Path):
    assert preflight(tmp_path, lab()) is None


@pytest.mark.parametrize(
    ("machine", "hint", "version", "inotify", "fix"),
    [
        pytest.param(
            lab(docker=MISSING), "docker", "", "", "https://docs.docker.com/engine/install/", id="docker-no-ceos-hint"
        ),
        pytest.param(lab(ceos_image=MISSING), "ceos-image", "", "", "`docker import ", id="ceos-image-missing"),
        pytest.param(
            lab(containerlab=MISSING), "containerlab", "", "", "https://get.containerlab.dev", id="containerlab-missing"
        ),
        pytest.param(
            lab(containerlab="    version: 0.51.3"),
            "containerlab-old",
            "0.51.3",
            "",
            "`sudo containerlab version upgrade`",
            id="containerlab-0.51-before-k8s-kind-extras",
        ),
        pytest.param(
            lab(kind=MISSING), "kind", "", "", "needed only for `kind get kubeconfig --name k01`", id="kind-cli-missing"
        ),
        pytest.param(lab(kubectl=MISSING), "kubectl", "", "", "https://kubernetes.io/docs/tasks/tools/", id="kubectl"),
        pytest.param(
            lab(id=USER), "privileges", "", "", "`sudo usermod -aG clab_admins $USER`", id="neither-root-nor-clab-admin"
        ),
        pytest.param(
            lab(inotify={"max_user_instances": 128, "max_user_watches": 1048576}),
            "inotify",
            "",
            "max_user_instances is",
            "`sudo sysctl -w fs.inotify.max_user_instances=512`",
            id="inotify-raise-only-the-low-limit",
        ),
    ],
)
def test_each_problem_gets_one_hint_with_what_fixes_it(tmp_path: Path, machine, hint, version, inotify, fix):
    problems = preflight(tmp_path, machine)

    assert hint_names(problems, version, inotify) == [hint]
    assert fix in problems[0]


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("0.52.0", id="0.52-first-with-k8s-kind-extras"),
        pytest.param("0.79.0", id="0.79-newest"),
    ],
)
def test_every_containerlab_from_the_minimum_on_passes(tmp_path: Path, version: str):
    assert MINIMUM == "0.52.0"
    assert preflight(tmp_path, lab(containerlab=f"    version: {version}\n     commit: fake")) is None


def test_a_clab_admins_member_needs_no_root(tmp_path: Path):
    assert preflight(tmp_path, lab(id=CLAB_ADMIN)) is None


def test_every_problem_is_listed_at_once(tmp_path: Path):
    low_inotify = {"max_user_instances": 128, "max_user_watches": 8192}
    machine = lab(docker=MISSING, containerlab="    version: 0.50.0", kind=MISSING, id=USER, inotify=low_inotify)

    problems = preflight(tmp_path, machine)

    inotify = "max_user_instances and fs.inotify.max_user_watches are"
    assert hint_names(problems, "0.50.0", inotify) == ["docker", "containerlab-old", "kind", "privileges", "inotify"]
    assert "`sudo sysctl -w fs.inotify.max_user_instances=512 fs.inotify.max_user_watches=524288`" in problems[-1]
