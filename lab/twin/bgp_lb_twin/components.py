"""The real software the twin runs, pinned: what is built, from which registry, and where the builds are kept.

Go components come from the Go module proxy through the wrapper modules in ``lab/twin/go/<module>/`` (their
``go.mod``/``go.sum`` pin every dependency); BIRD 1.6 comes from Debian's ``bird`` package, unpacked privately
because it conflicts with ``bird2``. Builds live in a cache outside the checkout (``$BGP_LB_TWIN_CACHE``, default
``$XDG_CACHE_HOME/bgp-lb-twin`` or ``~/.cache/bgp-lb-twin``), one directory per build key, so a fresh clone on a
machine that built once starts in seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from bgp_lb_twin.errors import TwinError
from bgp_lb_twin.paths import PACKAGE_PARENT

GO_MODULES_DIR = PACKAGE_PARENT / "go"
CACHE_ENV = "BGP_LB_TWIN_CACHE"
COMPLETE_MARKER = "build.json"

KUBERNETES_VERSION = "v1.32.2"  # the seed lab's nodes (kind v1.32.2)
ETCD_VERSION = "v3.5.16"  # what kubeadm 1.32 (and so kind v1.32.2) runs
# Calico 3.30, the seed lab's line. The proxy serves the v3.30.1 commit; it refuses v3.30.2 to v3.30.7 (403).
CALICO_VERSION = "v3.30.1"
CALICO_COMMIT = "393b14e729a67f9bc9a96eba65ff0be5f2f7b94a"
CALICO_MODULE = "github.com/projectcalico/calico"
BIRD_PACKAGE = "bird"
BIRD_DEB_VERSION = "1.6.8-2.1+b1"  # Debian 12; Calico's BIRD fork is "v0.3.3+birdv1.6.8"

_K8S_VERSION_VARS = ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")


def _kubernetes_ldflags() -> tuple[str, ...]:
    major, minor = KUBERNETES_VERSION.lstrip("v").split(".")[:2]
    flags = []
    for package in _K8S_VERSION_VARS:
        flags += [
            f"-X {package}.gitVersion={KUBERNETES_VERSION}",
            f"-X {package}.gitMajor={major}",
            f"-X {package}.gitMinor={minor}",
            f"-X {package}.gitTreeState=clean",
        ]
    return tuple(flags)


@dataclass(frozen=True)
class GoComponent:
    """One wrapper module under ``lab/twin/go`` and the commands built from it in one ``go build``."""

    module: str
    version: str
    binaries: dict[str, str]  # command name -> Go package
    version_check: dict[str, tuple[list[str], str]]  # command -> (argv after the binary, text its output must hold)
    ldflags: tuple[str, ...] = ()
    cold_minutes: int = 5  # measured on 2 cores with an empty Go build cache (docs/benchmarks.md)
    data: dict[str, str] = field(default_factory=dict)  # bundle path -> path inside a dependency module's source

    @property
    def source_dir(self) -> Path:
        return GO_MODULES_DIR / self.module

    def key(self) -> str:
        """Changes whenever what would be built changes: the pinned module files and the build recipe."""
        digest = hashlib.sha256()
        for name in ("go.mod", "go.sum", "tools.go"):
            digest.update(name.encode() + b"\0" + (self.source_dir / name).read_bytes() + b"\0")
        recipe = {"binaries": self.binaries, "ldflags": self.ldflags, "data": self.data, "version": self.version}
        digest.update(json.dumps(recipe, sort_keys=True).encode())
        digest.update(BUILD_RECIPE_VERSION.encode())
        return digest.hexdigest()[:16]

    def install_dir(self, cache: Path) -> Path:
        return cache / f"{self.module}-{self.version}-{self.key()}"


# Bump when the way builds are made changes (flags, layout) so old cache entries are not reused.
BUILD_RECIPE_VERSION = "1"

ETCD = GoComponent(
    module="etcd",
    version=ETCD_VERSION,
    binaries={"etcd": "go.etcd.io/etcd/server/v3"},
    version_check={"etcd": (["--version"], f"etcd Version: {ETCD_VERSION.lstrip('v')}")},
    cold_minutes=1,
)
KUBERNETES = GoComponent(
    module="kubernetes",
    version=KUBERNETES_VERSION,
    binaries={"kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver", "kubectl": "k8s.io/kubernetes/cmd/kubectl"},
    version_check={
        "kube-apiserver": (["--version"], f"Kubernetes {KUBERNETES_VERSION}"),
        "kubectl": (["version", "--client"], f"Client Version: {KUBERNETES_VERSION}"),
    },
    ldflags=_kubernetes_ldflags(),
    cold_minutes=6,
)
CALICO = GoComponent(
    module="calico",
    version=CALICO_VERSION,
    binaries={
        "calico-apiserver": f"{CALICO_MODULE}/apiserver/cmd/apiserver",
        "calico-kube-controllers": f"{CALICO_MODULE}/kube-controllers/cmd/kube-controllers",
        "confd": f"{CALICO_MODULE}/confd",
    },
    version_check={
        "confd": (["-version"], f"confd {CALICO_VERSION}"),
        "calico-kube-controllers": (["-version"], CALICO_VERSION),
    },
    ldflags=(
        f"-X {CALICO_MODULE}/apiserver/cmd/apiserver/server.VERSION={CALICO_VERSION}",
        f"-X {CALICO_MODULE}/apiserver/cmd/apiserver/server.GIT_REVISION={CALICO_COMMIT[:12]}",
        f"-X main.VERSION={CALICO_VERSION}",
        f"-X {CALICO_MODULE}/confd/pkg/buildinfo.GitVersion={CALICO_VERSION}",
        f"-X {CALICO_MODULE}/confd/pkg/buildinfo.GitRevision={CALICO_COMMIT[:12]}",
    ),
    cold_minutes=6,
    # Calico's own manifests and confd templates, taken from the same release's module source.
    data={
        "crds.yaml": f"{CALICO_MODULE}:manifests/crds.yaml",
        "calico.yaml": f"{CALICO_MODULE}:manifests/calico.yaml",
        "apiserver.yaml": f"{CALICO_MODULE}:manifests/apiserver.yaml",
        "confd": f"{CALICO_MODULE}:confd/etc/calico/confd",
    },
)
GO_COMPONENTS = (ETCD, KUBERNETES, CALICO)


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bgp-lb-twin"


def bird_dir(cache: Path) -> Path:
    return cache / f"bird-{BIRD_DEB_VERSION}"


@dataclass(frozen=True)
class Installed:
    """Where the built components are; every path exists (``locate`` checked)."""

    binaries: dict[str, Path]
    calico_data: Path
    bird: Path
    birdc: Path

    def __getitem__(self, name: str) -> Path:
        return self.binaries[name]


def not_built_message(what: str) -> str:
    return f"{what} is not built yet: run `make setup` (or `bgp-lb-twin build`), which builds it once per machine"


def locate(cache: Path | None = None) -> Installed:
    """The current builds, or one TwinError naming everything that is missing."""
    cache = cache or cache_dir()
    binaries: dict[str, Path] = {}
    missing: list[str] = []
    for component in GO_COMPONENTS:
        directory = component.install_dir(cache)
        if not (directory / COMPLETE_MARKER).is_file():
            missing.append(f"{component.module} {component.version}")
            continue
        binaries.update({name: directory / "bin" / name for name in component.binaries})
    bird = bird_dir(cache)
    if not (bird / COMPLETE_MARKER).is_file():
        missing.append(f"BIRD {BIRD_DEB_VERSION}")
    if missing:
        raise TwinError(not_built_message(", ".join(missing)))
    return Installed(
        binaries=binaries,
        calico_data=CALICO.install_dir(cache) / "share",
        bird=bird / "usr" / "sbin" / "bird",
        birdc=bird / "usr" / "sbin" / "birdc",
    )
