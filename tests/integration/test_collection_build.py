"""The built collection is what users get: it must build, install into an empty path and document its plugins."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import BIN, REPO

MODULES = sorted(path.stem for path in (REPO / "plugins" / "modules").glob("*.py"))
FILTERS = sorted(path.stem for path in (REPO / "plugins" / "filter").glob("*.yml"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("build")
    # An empty config, so this checkout's collections_path (where calicolab.bgp_lb is linked) cannot leak in.
    empty_config = workdir / "ansible.cfg"
    empty_config.write_text("[defaults]\n")
    environment = {**os.environ, "ANSIBLE_CONFIG": str(empty_config)}
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", workdir, REPO],
        check=True,
        capture_output=True,
        env=environment,
    )
    tarball = next(workdir.glob("calicolab-bgp_lb-*.tar.gz"))
    target = workdir / "collections"
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", "--no-deps", "-p", target, tarball],
        check=True,
        capture_output=True,
        env=environment,
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
