"""The pinned components: wrapper modules that agree with the versions the twin reports, and build keys."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bgp_lb_twin import build, components
from bgp_lb_twin.components import CALICO, ETCD, GO_COMPONENTS, KUBERNETES, GoComponent
from bgp_lb_twin.errors import TwinError


def requirement(component: GoComponent, module: str) -> str:
    text = (component.source_dir / "go.mod").read_text()
    match = re.search(rf"^\s*(?:require\s+)?{re.escape(module)} (\S+)", text, re.MULTILINE)
    assert match, f"{component.module}/go.mod does not require {module}"
    return match.group(1)


def replacements(component: GoComponent) -> dict[str, str]:
    text = (component.source_dir / "go.mod").read_text()
    return dict(re.findall(r"^\s*(?:replace\s+)?(\S+) => \S+ (\S+)$", text, re.MULTILINE))


def test_etcd_module_pins_the_reported_release() -> None:
    assert requirement(ETCD, "go.etcd.io/etcd/server/v3") == components.ETCD_VERSION


def test_kubernetes_module_pins_the_release_and_its_staging_modules_at_the_same_patch() -> None:
    assert requirement(KUBERNETES, "k8s.io/kubernetes") == components.KUBERNETES_VERSION
    staging = {module: version for module, version in replacements(KUBERNETES).items() if module.startswith("k8s.io/")}
    assert len(staging) > 25
    assert set(staging.values()) == {"v0" + components.KUBERNETES_VERSION[2:]}


def test_calico_module_pins_the_release_commit() -> None:
    version = requirement(CALICO, components.CALICO_MODULE)
    assert version.endswith("-" + components.CALICO_COMMIT[:12])
    assert requirement(CALICO, components.CALICO_MODULE + "/lib/std") == version


@pytest.mark.parametrize("component", [pytest.param(c, id=c.module) for c in GO_COMPONENTS])
def test_tools_file_imports_exactly_what_is_built(component: GoComponent) -> None:
    imports = set(re.findall(r'_ "([^"]+)"', (component.source_dir / "tools.go").read_text()))
    assert imports == set(component.binaries.values())


@pytest.mark.parametrize(
    ("package", "expected"),
    [
        pytest.param("go.etcd.io/etcd/server/v3", "server", id="major-version-suffix"),
        pytest.param("k8s.io/kubernetes/cmd/kube-apiserver", "kube-apiserver", id="plain"),
        pytest.param("github.com/projectcalico/calico/confd", "confd", id="module-subdirectory"),
        pytest.param("example.com/v1", "v1", id="v1-is-not-a-suffix"),
    ],
)
def test_go_binary_name(package: str, expected: str) -> None:
    assert build.go_binary_name(package) == expected


def test_build_key_follows_the_pinned_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shutil.copytree(ETCD.source_dir, tmp_path / "etcd")
    monkeypatch.setattr(components, "GO_MODULES_DIR", tmp_path)
    before = ETCD.key()
    with (tmp_path / "etcd" / "go.sum").open("a") as handle:
        handle.write("example.com/x v1.0.0 h1:AAAA=\n")
    assert ETCD.key() != before


def test_locate_names_everything_missing_at_once(tmp_path: Path) -> None:
    with pytest.raises(TwinError) as error:
        components.locate(tmp_path)
    message = str(error.value)
    for part in ("etcd v3.5.16", "kubernetes v1.32.2", "calico v3.30.1", "BIRD 1.6.8", "make setup"):
        assert part in message


def test_locate_never_uses_a_half_built_component(tmp_path: Path) -> None:
    for component in GO_COMPONENTS:
        (component.install_dir(tmp_path) / "bin").mkdir(parents=True)  # no build.json: interrupted
    with pytest.raises(TwinError, match=r"etcd v3\.5\.16, kubernetes v1\.32\.2, calico v3\.30\.1"):
        components.locate(tmp_path)
