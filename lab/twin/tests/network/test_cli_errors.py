"""Problems a user can fix end in one line on stderr and exit status 2, before anything is changed."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from bgp_lb_twin import cli, lifecycle
from bgp_lb_twin.errors import EXIT_USER_ERROR


@pytest.fixture
def as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend to be root so the check under test is reached; every case fails before the first change."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)


@pytest.fixture
def host_ready(monkeypatch: pytest.MonkeyPatch, as_root: None) -> None:
    """Packages installed and the control plane built, so the request's own problems are what is left."""
    monkeypatch.setattr(lifecycle, "check_binaries", lambda: None)
    monkeypatch.setattr(lifecycle, "locate", lambda: None)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().err


def test_not_root_says_to_use_sudo(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, err = run_cli(capsys, "--state-dir", str(tmp_path), "up")
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert "needs root" in err


def test_every_host_problem_is_reported_at_once(monkeypatch, capsys, tmp_path: Path) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, err = run_cli(capsys, "--state-dir", str(tmp_path), "up")
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert "needs root" in err
    assert "frr" in err


@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2 to read the host's routes")
def test_every_request_problem_is_reported_at_once(capsys, host_ready, tmp_path: Path) -> None:
    code, err = run_cli(capsys, "--state-dir", str(tmp_path), "up", "--nodes", "0", "--mgmt-cidr", "10.0.0.0/29")
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert "--nodes 0" in err
    assert "must be an IPv4 /30" in err


def test_missing_binary_names_the_debian_package(monkeypatch, capsys, as_root, tmp_path: Path) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "vtysh" else real_which(name))
    code, err = run_cli(capsys, "--state-dir", str(tmp_path), "up")
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert "missing Debian packages frr" in err
    assert "make setup" in err


def test_unbuilt_control_plane_says_how_to_build_it(monkeypatch, capsys, as_root, tmp_path: Path) -> None:
    monkeypatch.setattr(lifecycle, "check_binaries", lambda: None)
    monkeypatch.setenv("BGP_LB_TWIN_CACHE", str(tmp_path / "empty-cache"))
    code, err = run_cli(capsys, "--state-dir", str(tmp_path / "state"), "up")
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert "etcd v3.5.16, kubernetes v1.32.2, calico v3.30.1, BIRD 1.6.8-2.1+b1 is not built yet" in err
    assert "make setup" in err
    assert not (tmp_path / "state" / "network.json").exists()


@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2 to read the host's routes")
def test_port_in_use_names_the_port_and_the_option(capsys, host_ready, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, err = run_cli(capsys, "--state-dir", str(tmp_path), "up", "--api-port", str(port))
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert f"ports {port} (kube-apiserver)" in err
    assert "--api-port" in err
    assert not (tmp_path / "network.json").exists()


@pytest.mark.parametrize(
    ("argv", "env", "fragment"),
    [
        pytest.param(["up", "--mgmt-cidr", "10.0.0.0/29"], {}, "must be an IPv4 /30", id="bad-mgmt-flag"),
        pytest.param(["up"], {"BGP_LB_TWIN_MGMT_CIDR": "nonsense"}, "BGP_LB_TWIN_MGMT_CIDR", id="bad-mgmt-env"),
        pytest.param(["up"], {"BGP_LB_TWIN_API_PORT": "http"}, "BGP_LB_TWIN_API_PORT", id="bad-port-env"),
        pytest.param(["up", "--nodes", "0"], {}, "--nodes 0", id="no-nodes"),
        pytest.param(["node-down", "k01-worker"], {}, "not up", id="node-down-without-twin"),
    ],
)
@pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2 to read the host's routes")
def test_bad_request_is_one_line_and_exit_2(
    monkeypatch, capsys, host_ready, tmp_path: Path, argv, env, fragment
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, err = run_cli(capsys, "--state-dir", str(tmp_path), *argv)
    assert (code, err.count("\n")) == (EXIT_USER_ERROR, 1)
    assert fragment in err
