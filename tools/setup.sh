#!/usr/bin/env bash
# One-command setup: .venv with pinned tools, collections without Galaxy, Debian packages for the twin.
# Idempotent: a second run only checks stamps and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
DEBIAN_PACKAGES=(frr frr-pythontools openssh-server openssh-client iproute2 curl procps rsync shellcheck)

say() { printf '==> %s\n' "$*"; }
# pip (install or download) with a venv's Python: `pip_in PYTHON ARGS...`. pip warns about every missing local mirror
# directory configured on some machines: keep only useful lines.
pip_in() {
  local python=$1
  shift
  "$python" -m pip -q --disable-pip-version-check "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
}
pip_install() { pip_in "$VENV/bin/python" install "$@"; }

# The first Python that runs (a pyenv shim answers `command -v` without working) and whose version passes TEST, a
# Python expression over sys.version_info: `find_python TEST CANDIDATE...`.
find_python() {
  local test=$1 candidate
  shift
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c "import sys, venv; sys.exit(not ($test))" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

install_debian_packages() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "not root (or no apt): skipping Debian packages; the twin needs: ${DEBIAN_PACKAGES[*]}"
    return 0
  fi
  local missing=() package
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

make_venv() {
  local python stamp wanted
  python=$(find_python 'sys.version_info >= (3, 12)' python3.13 python3.12 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3 "$HOME"/.pyenv/versions/3.12*/bin/python3 python3) || {
    echo "setup: no Python >= 3.12 found. Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12'), then re-run 'make setup'." >&2
    exit 2
  }
  if [ ! -x "$VENV/bin/python" ] ||
     ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    say "creating .venv with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
  fi
  wanted=$(cat requirements.txt requirements-dev.txt lab/twin/pyproject.toml | sha256sum | cut -d' ' -f1)
  stamp=$VENV/.setup-stamp
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "installing pinned Python packages into .venv"
    pip_install -r requirements-dev.txt
    pip_install --no-deps -e lab/twin
    echo "$wanted" >"$stamp"
  fi
}

make_floor_venv() {
  # .venv-floor: the oldest ansible-core and Python libraries the collection claims (requirements-floor.txt), and in
  # .floor/ansible_collections the oldest collections, taken from the `ansible` wheel that file names (no Galaxy).
  local python stamp wanted source wheel_dir
  python=$(find_python 'sys.version_info[:2] == (3, 12)' python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3) || {
    echo "setup: no Python 3.12 for the floor toolchain (ansible-core 2.16 runs on Python <= 3.12); install one, then re-run 'make setup'." >&2
    exit 2
  }
  wanted=$(sha256sum <requirements-floor.txt | cut -d' ' -f1)
  stamp=$ROOT/.venv-floor/.setup-stamp
  [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ] && return 0
  say "building the floor toolchain (.venv-floor, .floor) from requirements-floor.txt"
  rm -rf "$ROOT/.venv-floor" "$ROOT/.floor"
  "$python" -m venv "$ROOT/.venv-floor"
  pip_in "$ROOT/.venv-floor/bin/python" install -r requirements-floor.txt
  source=$(sed -n 's/^# FLOOR_COLLECTIONS_FROM //p' requirements-floor.txt)
  wheel_dir=$(mktemp -d)
  pip_in "$ROOT/.venv-floor/bin/python" download --no-deps -d "$wheel_dir" "$source"
  mkdir -p "$ROOT/.floor/ansible_collections/calicolab"
  "$ROOT/.venv-floor/bin/python" - "$wheel_dir"/*.whl "$ROOT/.floor" <<'PY'
import sys, zipfile
wanted = ("arista/eos/", "ansible/netcommon/", "ansible/utils/", "ansible/posix/")
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extractall(sys.argv[2], [n for n in wheel.namelist() if n.startswith(tuple("ansible_collections/" + w for w in wanted))])
PY
  rm -rf "$wheel_dir"
  ln -sfn ../../.. "$ROOT/.floor/ansible_collections/calicolab/bgp_lb"
  echo "$wanted" >"$stamp"
}

link_collection() {
  # Resolve this checkout as calicolab.bgp_lb (ansible.cfg: collections_path = .collections).
  mkdir -p .collections/ansible_collections/calicolab
  ln -sfn ../../.. .collections/ansible_collections/calicolab/bgp_lb
}

prime_ansible_test() {
  # ansible-test downloads pip's bootstrap script on first use; offline, a stand-in that uses ensurepip works.
  local version cache=$HOME/.ansible/test/cache
  version=$("$VENV/bin/python" - <<'PY'
import pathlib, re, ansible_test
source = (pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py").read_text()
print(re.search(r"pip='([^']+)'", source).group(1))
PY
)
  mkdir -p "$cache"
  [ -f "$cache/get_pip_${version//./_}.py" ] && return 0
  cat >"$cache/get_pip_${version//./_}.py" <<'PY'
"""Offline stand-in for pip's get-pip.py, used by ansible-test to bootstrap pip in its virtual environments."""
import ensurepip
import subprocess
import sys

ensurepip.bootstrap()
wanted = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", *wanted]))
PY
}

build_control_plane() {
  # etcd, kube-apiserver + kubectl, Calico's components (Go module proxy) and BIRD 1.6 (Debian), once per machine:
  # cached outside the checkout, so a warm run only checks build keys.
  if ! command -v go >/dev/null; then
    say "no Go toolchain: skipping the twin's control plane build (the twin needs it; install Go >= 1.24)"
    return 0
  fi
  "$VENV/bin/bgp-lb-twin" build
  # The kubectl of the twin's Kubernetes release, first on the Makefile's PATH.
  ln -sfn "$("$VENV/bin/python" -c 'from bgp_lb_twin.components import locate; print(locate()["kubectl"])')" "$VENV/bin/kubectl"
}

build_lab_loader() {
  # tools/lab_loader: containerlab v0.79.0's topology loader and kind's config types, for the real lab's file tests
  # (tests/unit/test_lab_files_load.py). Pinned by its go.mod/go.sum; a warm run is a build-cache check.
  if ! command -v go >/dev/null; then
    say "no Go toolchain: skipping tools/lab_loader (the lab file tests need it; install Go >= 1.26)"
    return 0
  fi
  [ -x "$VENV/bin/lab-loader" ] || say "building tools/lab_loader against containerlab v0.79.0 (cold: about 1 min, 0.8 GB of Go caches)"
  (cd tools/lab_loader && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" go build -o "$VENV/bin/lab-loader" .)
}

install_debian_packages
make_venv
make_floor_venv
link_collection
prime_ansible_test
build_control_plane
build_lab_loader
say "setup done: $("$VENV/bin/ansible" --version | sed -n 1p), $("$VENV/bin/python" --version)"
