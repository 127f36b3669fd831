"""The built collection is what users get: it must build, install into an empty path and document its plugins."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import BIN, REPO, build_collection

MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py"))
FILTERS = sorted(path.stem for path in (REPO / "plugins" / "filter").glob("*.yml"))


PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("build")
    tarball = build_collection(REPO, workdir)
    empty_config = workdir / "ansible.cfg"
    target = workdir / "collections"
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", target, tarball],
        check=True,
        capture_output=True,
        env={**os.environ, "ANSIBLE_CONFIG": str(empty_config)},
    )
    return {"tarball": str(tarball), "path": str(target), "config": str(empty_config)}


def test_tarball_leaves_out_the_lab_and_local_state(installed):
    with tarfile.open(installed["tarball"]) as archive:
        names = archive.getnames()
    assert "galaxy.yml" not in names  # built collections carry MANIFEST.json instead
    assert "MANIFEST.json" in names
    for excluded in ("lab/twin", ".twin", ".venv", ".collections", "tests/output"):
        assert not [name for name in names if name.startswith(excluded)], excluded
    assert "roles/lb_pool/meta/argument_specs.yml" in names


# What a deployed lab and a used checkout leave in the working tree, none of it tracked by git: containerlab's lab
# directory (kind's admin kubeconfig, cEOS flash with its keys, containerlab's CA), the twin's state, reports and a
# virtualenv. Each file carries a marker that must not reach the tarball.
LOCAL_STATE = {
    "lab/containerlab/clab-calico-bgp-lb/k01.kubeconfig": "users:\n- user:\n    client-key-data: {marker}\n",
    "lab/containerlab/clab-calico-bgp-lb/ceos01/flash/startup-config": "username admin secret {marker}\n",
    "lab/containerlab/clab-calico-bgp-lb/ceos01/flash/ssh_host_ed25519_key": "{pem}{marker}\n",
    "lab/containerlab/clab-calico-bgp-lb/.tls/ca/ca.key": "{pem}{marker}\n",
    "lab/containerlab/clab-calico-bgp-lb/ansible-inventory.yml": "ceos01: {{ansible_password: {marker}}}\n",
    ".twin/kubeconfig": "token: {marker}\n",
    ".twin/ssh/id_ed25519": "{pem}{marker}\n",
    "reports/lb_verify/lb_verify-20261202T000000Z-ceos01.json": '{{"marker": "{marker}"}}\n',
    ".venv/pyvenv.cfg": "home = /usr/bin  # {marker}\n",
}


def test_a_build_beside_a_deployed_lab_carries_none_of_its_files(tmp_path):
    source = tmp_path / "checkout"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    marker = f"local-secret-{uuid.uuid4()}"
    pem = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n"
    for name, content in LOCAL_STATE.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(content.format(marker=marker, pem=pem))
    workdir = tmp_path / "out"
    workdir.mkdir()

    tarball = build_collection(source, workdir)

    with tarfile.open(tarball) as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        contents = {member.name: archive.extractfile(member).read() for member in members}
    local_state = (".twin/", ".venv/", "reports/", "lab/containerlab/clab-")
    assert sorted(name for name in contents if name.startswith(local_state)) == []
    assert sorted(name for name, data in contents.items() if marker.encode() in data) == []
    assert sorted(name for name, data in contents.items() if PRIVATE_KEY.search(data)) == []
    assert "lab/containerlab/topology.clab.yaml" in contents  # the lab's own files do ship


@pytest.mark.parametrize(
    ("plugin_type", "name"), [*(("module", m) for m in MODULES), *(("filter", f) for f in FILTERS)]
)
def test_installed_collection_documents_every_plugin(installed, plugin_type, name):
    environment = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": installed["path"], "ANSIBLE_CONFIG": installed["config"]}
    done = subprocess.run(
        [BIN / "ansible-doc", "-t", plugin_type, f"calicolab.bgp_lb.{name}"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(installed["path"]),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"calicolab.bgp_lb.{name}" in done.stdout
