"""``bgp-lb-twin build``: build the real control plane once per machine, from the registries only.

Each Go component is built with ``go build`` from its wrapper module (dependencies from the Go module proxy, checked
against the committed ``go.sum``), into a temporary directory that is renamed into the cache only when every binary
built and answered ``--version`` with the pinned release: a half-built component is never used. BIRD 1.6 is
Debian's package, downloaded with apt and unpacked privately. A warm run only checks build keys.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bgp_lb_twin.components import (
    BIRD_DEB_VERSION,
    BIRD_PACKAGE,
    COMPLETE_MARKER,
    GO_COMPONENTS,
    GoComponent,
    bird_dir,
    cache_dir,
)
from bgp_lb_twin.errors import TwinError

Say = Callable[[str], None]
HEARTBEAT_SECONDS = 30


def _say(text: str) -> None:
    print(f"==> {text}", flush=True)


def go_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["CGO_ENABLED"] = "0"
    # Never fetch another Go toolchain behind the user's back, and never let a build rewrite the pinned go.mod/go.sum.
    env["GOTOOLCHAIN"] = "local"
    env["GOFLAGS"] = " ".join(filter(None, [env.get("GOFLAGS", ""), "-mod=readonly"]))
    return env


def _run(argv: list[str], cwd: Path, env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise TwinError(f"{what}: `{argv[0]}` is not installed (the twin's build needs Go >= 1.24 on PATH)") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise TwinError(f"{what} failed; retry with `cd {cwd} && {' '.join(argv)}`:\n{tail}")
    return done.stdout


class _Heartbeat:
    """A line every HEARTBEAT_SECONDS while a long step runs, so a cold build never looks hung."""

    def __init__(self, say: Say, what: str, expected_minutes: int) -> None:
        self.say, self.what, self.expected = say, what, expected_minutes
        self.started = time.monotonic()
        self.ended: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            elapsed = int(time.monotonic() - self.started)
            self.say(
                f"   still {self.what}: {elapsed // 60}m{elapsed % 60:02d}s (a cold build takes about "
                f"{self.expected} min on 2 cores)"
            )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.ended = time.monotonic()
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


def go_binary_name(package: str) -> str:
    """The file name ``go build -o DIR/`` gives a main package: its last element, or the one before a /vN suffix."""
    parts = package.split("/")
    return parts[-2] if len(parts) > 1 and re.fullmatch(r"v[2-9]\d*", parts[-1]) else parts[-1]


def _module_dir(component: GoComponent, module: str, env: dict[str, str]) -> Path:
    out = _run(["go", "list", "-m", "-f", "{{.Dir}}", module], component.source_dir, env, f"locating {module}")
    return Path(out.strip())


def _copy_data(component: GoComponent, target: Path, env: dict[str, str]) -> None:
    """Copy the release's own manifests and templates next to its binaries (read-only in the module cache)."""
    share = target / "share"
    share.mkdir(parents=True)
    sources: dict[str, Path] = {}
    for name, spec in component.data.items():
        module, _, relative = spec.partition(":")
        if module not in sources:
            sources[module] = _module_dir(component, module, env)
        source = sources[module] / relative
        if source.is_dir():
            shutil.copytree(source, share / name)
        else:
            shutil.copyfile(source, share / name)
    for path in share.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _check_versions(component: GoComponent, bin_dir: Path) -> None:
    for name, (arguments, expected) in component.version_check.items():
        done = subprocess.run([str(bin_dir / name), *arguments], capture_output=True, text=True, check=False)
        output = done.stdout + done.stderr
        if expected not in output:
            raise TwinError(f"{name} built but reports {output.strip()[:200]!r}, not {expected!r}")


def _publish(staging: Path, target: Path, record: dict[str, object]) -> None:
    """Mark the finished build complete, then move it into place in one rename: readers see all of it or none."""
    (staging / COMPLETE_MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    staging.chmod(0o755)
    if target.exists():  # a half-made directory from an interrupted older recipe: never reused
        shutil.rmtree(target)
    staging.rename(target)


def build_go_component(component: GoComponent, cache: Path, say: Say = _say) -> Path:
    target = component.install_dir(cache)
    if (target / COMPLETE_MARKER).is_file():
        say(f"{component.module} {component.version}: built ({target})")
        return target
    env = go_environment()
    cache.mkdir(parents=True, exist_ok=True)
    with _Heartbeat(say, f"downloading modules for {component.module}", 2) as download:
        say(f"{component.module} {component.version}: downloading its Go modules from the proxy")
        _run(["go", "mod", "download"], component.source_dir, env, f"downloading the Go modules of {component.module}")
    names = ", ".join(component.binaries)
    say(
        f"{component.module} {component.version}: building {names} "
        f"(cold: about {component.cold_minutes} min on 2 cores; warm: seconds)"
    )
    staging = Path(tempfile.mkdtemp(prefix=f".{component.module}-", dir=cache))
    try:
        argv = ["go", "build", "-trimpath", "-pgo=off", "-o", str(staging / "bin") + "/"]
        argv += ["-ldflags", " ".join(("-s", "-w", *component.ldflags)), *component.binaries.values()]
        with _Heartbeat(say, f"building {component.module}", component.cold_minutes) as build:
            _run(argv, component.source_dir, env, f"building {names}")
        for name, package in component.binaries.items():
            built = staging / "bin" / go_binary_name(package)
            if built.name != name:
                built.rename(staging / "bin" / name)
        _check_versions(component, staging / "bin")
        _copy_data(component, staging, env)
        record = {
            "module": component.module,
            "version": component.version,
            "key": component.key(),
            "binaries": component.binaries,
            "download_seconds": round(download.seconds, 1),
            "build_seconds": round(build.seconds, 1),
            "go": _run(["go", "env", "GOVERSION"], component.source_dir, env, "go env").strip(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        _publish(staging, target, record)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"{component.module} {component.version}: built in {build.seconds:.0f} s ({target})")
    return target


def fetch_bird(cache: Path, say: Say = _say) -> Path:
    """Debian's BIRD 1.6 (the syntax Calico's confd renders), unpacked privately: it conflicts with bird2."""
    target = bird_dir(cache)
    if (target / COMPLETE_MARKER).is_file():
        say(f"BIRD {BIRD_DEB_VERSION}: unpacked ({target})")
        return target
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bird-", dir=cache))
    try:
        say(f"BIRD {BIRD_DEB_VERSION}: downloading Debian's {BIRD_PACKAGE} package")
        download = ["apt-get", "download", f"{BIRD_PACKAGE}={BIRD_DEB_VERSION}"]
        done = subprocess.run(download, cwd=staging, capture_output=True, text=True, check=False)
        if done.returncode != 0 and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, check=False)
            done = subprocess.run(download, cwd=staging, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise TwinError(
                f"`{' '.join(download)}` failed: {(done.stderr or done.stdout).strip()[-300:]}; "
                "run `apt-get update` as root and retry `bgp-lb-twin build`"
            )
        (deb,) = staging.glob("*.deb")
        subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], check=True, capture_output=True)
        deb.unlink()
        version = subprocess.run(
            [str(staging / "usr/sbin/bird"), "--version"], capture_output=True, text=True, check=False
        )
        if "1.6." not in version.stdout + version.stderr:
            raise TwinError(f"unpacked BIRD reports {(version.stdout + version.stderr).strip()!r}, not 1.6.x")
        _publish(staging, target, {"package": BIRD_PACKAGE, "version": BIRD_DEB_VERSION})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"BIRD {BIRD_DEB_VERSION}: unpacked ({target})")
    return target


def build_all(cache: Path | None = None, say: Say = _say) -> dict[str, Path]:
    cache = cache or cache_dir()
    started = time.monotonic()
    built = {component.module: build_go_component(component, cache, say) for component in GO_COMPONENTS}
    built["bird"] = fetch_bird(cache, say)
    say(f"control plane ready in {cache} ({time.monotonic() - started:.1f} s)")
    return built


def main() -> int:
    try:
        build_all()
    except TwinError as error:
        print(f"bgp-lb-twin build: {error}", file=sys.stderr)
        return error.exit_code
    return 0
