"""calicolab.bgp_lb.frr_bgp through real ansible-playbook against a real FRR 8.4 (zebra, bgpd, staticd).

FRR runs inside the network namespace ``fxf-tor`` (the ``fxf-`` prefix is ours; ``tor`` and ``k01-*``
belong to the twin and are never touched), started as the twin starts its own (lab/twin/bgp_lb_twin/frr.py): each
daemon inside the namespace under ``unshare --uts --mount``, ``-F traditional``, its sockets in a run directory of
the test's own, the config loaded with ``vtysh -b``; stopped with SIGINT, bgpd before zebra.
"""

from __future__ import annotations

import difflib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FRR_DIR = Path("/usr/lib/frr")
NAMESPACE = "fxf-tor"
DAEMONS = ("zebra", "staticd", "bgpd")  # start order; stop order is bgpd first, zebra last
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create the fxf-tor namespace and start FRR"),
    pytest.mark.skipif(not (FRR_DIR / "bgpd").exists(), reason="FRR is not installed (no /usr/lib/frr/bgpd)"),
]

# Like the lab's cEOS, plus config this module does not own (a second neighbor, a route-map, a static route,
# a VRF instance) which must stay byte-identical whatever the module does.
START_CONFIG = """\
frr defaults traditional
hostname fxf-tor
ip route 192.0.2.128/25 blackhole
route-map NOT-OURS permit 10
 set local-preference 200
exit
router bgp 65001
 bgp router-id 10.10.10.1
 no bgp ebgp-requires-policy
 neighbor CALICO-K8S peer-group
 neighbor CALICO-K8S remote-as 65010
 neighbor 10.20.30.40 remote-as 65099
 neighbor 10.20.30.40 description not-ours
 bgp listen range 10.10.10.0/24 peer-group CALICO-K8S
 address-family ipv4 unicast
  network 10.10.10.0/24
  neighbor 10.20.30.40 route-map NOT-OURS in
  maximum-paths 1
 exit-address-family
exit
router bgp 65001 vrf red
 address-family ipv4 unicast
  maximum-paths 3
 exit-address-family
exit
"""
# Removing these (vrf instance first: FRR refuses to delete the default one while a vrf one exists)
# takes the daemons back to an empty config before START_CONFIG is loaded again.
UNDO_START_CONFIG = (
    "no router bgp 65001 vrf red",
    "no router bgp 65001",
    "no route-map NOT-OURS",
    "no ip route 192.0.2.128/25 blackhole",
)


class FrrRouter:
    """zebra + staticd + bgpd in ``fxf-tor``, every file under one pytest tmp directory."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.run_dir = base / "run"
        self.pids: dict[str, int] = {}

    def vtysh(self, *commands: str, check: bool = True) -> str:
        argv = ["vtysh", "-H", "/dev/null", "--vty_socket", str(self.run_dir)]
        for command in commands:
            argv += ["-c", command]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"vtysh {commands!r} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def running_config(self) -> str:
        return self.vtysh("show running-config")

    def start(self) -> None:
        self.run_dir.mkdir(parents=True)
        (self.base / "frr.conf").write_text(START_CONFIG)
        for daemon in DAEMONS:
            self._start_daemon(daemon)
        self.load_start_config()

    def _start_daemon(self, daemon: str) -> None:
        # Run as root (pytest's tmp root is mode 0700, the frr user could not reach its sockets) with group
        # frrvty, because FRR refuses a user outside its compiled-in vty group.
        common = f"-d -F traditional -P 0 -u root -g frrvty --vty_socket {self.run_dir} -z {self.run_dir}/zserv.api"
        pidfile = self.run_dir / f"{daemon}.pid"
        # Own UTS namespace for the hostname; private /var/tmp because FRR writes its log buffers there.
        inner = f"hostname {NAMESPACE}; mount -t tmpfs tmpfs /var/tmp; exec {FRR_DIR / daemon} {common}"
        isolate = ["ip", "netns", "exec", NAMESPACE, "unshare", "--uts", "--mount", "--propagation", "private"]
        subprocess.run([*isolate, "sh", "-c", f"{inner} -f /dev/null -i {pidfile}"], check=True)
        self.pids[daemon] = int(_wait_for(pidfile.exists, f"{daemon} pid file") and pidfile.read_text().strip())
        _wait_for((self.run_dir / f"{daemon}.vty").exists, f"{daemon} vty socket")

    def load_start_config(self) -> None:
        subprocess.run(
            ["vtysh", "-H", "/dev/null", "--vty_socket", str(self.run_dir), "--config_dir", str(self.base), "-b"],
            capture_output=True,
            check=True,
        )

    def reset(self) -> None:
        for command in UNDO_START_CONFIG:
            self.vtysh("configure terminal", command, "end", check=False)
        self.load_start_config()

    def stop(self) -> list[str]:
        """SIGINT bgpd first, zebra last; returns the daemons that would not die."""
        survivors = []
        for daemon in reversed(DAEMONS):
            pid = self.pids.get(daemon)
            if pid is not None and not _stopped(pid, signal.SIGINT):
                survivors.append(f"{daemon} (pid {pid})")
        return survivors


def _wait_for(condition, what: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return True


def _gone(pid: int) -> bool:
    # This VM's init reaps orphans slowly, so a zombie (state Z) counts as stopped.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    state = next((line for line in status.splitlines() if line.startswith("State:")), "State: Z")
    return state.split()[1] == "Z"


def _stopped(pid: int, sig: signal.Signals) -> bool:
    for attempt_signal in (sig, signal.SIGKILL):
        if _gone(pid):
            return True
        os.kill(pid, attempt_signal)
        try:
            _wait_for(lambda: _gone(pid), f"pid {pid} to exit", timeout=5.0)
            return True
        except AssertionError:
            continue
    return _gone(pid)


def _delete_namespace() -> None:
    subprocess.run(["ip", "netns", "del", NAMESPACE], capture_output=True, check=False)


@pytest.fixture(scope="session")
def frr(tmp_path_factory):
    _delete_namespace()  # a namespace left by a crashed run of this very test (our prefix only)
    subprocess.run(["ip", "netns", "add", NAMESPACE], check=True)
    subprocess.run(["ip", "-n", NAMESPACE, "link", "set", "lo", "up"], check=True)
    router = FrrRouter(tmp_path_factory.mktemp("fxf-frr"))
    try:
        router.start()
        router.baseline = router.running_config()
        yield router
    finally:
        survivors = router.stop()
        _delete_namespace()
    assert not survivors, f"FRR daemons still running after SIGINT and SIGKILL: {survivors}"


@pytest.fixture
def router(frr):
    frr.reset()
    assert frr.running_config() == frr.baseline, "reset did not restore the starting config"
    return frr


def run_module(router: FrrRouter, tmp_path: Path, args: dict, *flags: str, callback: str = "ansible.posix.json"):
    """Run the module through a real ansible-playbook on localhost; returns (rc, stdout, task result)."""
    args = {"vty_socket": str(router.run_dir), **args}
    playbook = tmp_path / "play.yml"
    task = {"name": "ECMP on the FRR router", "calicolab.bgp_lb.frr_bgp": args}
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task]}]
    playbook.write_text(json.dumps(play))  # JSON is YAML
    env = {
        **os.environ,
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / ".collections"),
        "ANSIBLE_STDOUT_CALLBACK": callback,
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
    }
    argv = [str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}"]
    done = subprocess.run([*argv, *flags, str(playbook)], capture_output=True, text=True, env=env, check=False)
    result = None
    if callback == "ansible.posix.json":
        result = json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return done.returncode, done.stdout, result


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_first_run_sets_maximum_paths_and_second_run_changes_nothing(router, tmp_path):
    rc, _out, first = run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4})
    after_first = router.running_config()
    rc2, _out2, second = run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4})

    assert (rc, first["changed"]) == (0, True), first
    assert first["commands"] == ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4"]
    assert first["maximum_paths"] == 4
    assert "diff" not in first, "diff is returned only in diff mode"
    assert (rc2, second["changed"], second["commands"]) == (0, False, [])
    assert changed_lines(router.baseline, after_first) == ["-   maximum-paths 1", "+   maximum-paths 4"]
    assert router.running_config() == after_first


def test_returned_after_is_the_reread_router_block(router, tmp_path):
    _rc, _out, result = run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4})

    assert result["before"] in router.baseline
    assert result["after"] in router.running_config()
    assert "  maximum-paths 4\n" in result["after"]


def test_check_mode_reports_change_writes_nothing_and_predicts_the_real_result(router, tmp_path):
    _rc, _out, checked = run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4}, "--check")
    untouched = router.running_config()
    _rc, _out, applied = run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4})

    assert checked["changed"] is True
    assert checked["commands"] == ["router bgp 65001", "address-family ipv4 unicast", "maximum-paths 4"]
    assert untouched == router.baseline
    assert checked["after"] == applied["after"]


def test_diff_mode_shows_the_router_bgp_change(router, tmp_path):
    rc, out, _result = run_module(
        router, tmp_path, {"as_number": 65001, "maximum_paths": 4}, "--diff", callback="ansible.builtin.default"
    )

    assert rc == 0, out
    assert "-  maximum-paths 1" in out
    assert "+  maximum-paths 4" in out
    assert "neighbor 10.20.30.40 route-map NOT-OURS in" in out  # context from the block, not a bare line


@pytest.mark.parametrize(
    ("args", "expected_changes"),
    [
        pytest.param(
            {"as_number": 65001, "state": "absent"},
            ["-   maximum-paths 1"],
            id="absent-returns-to-frr-default",
        ),
        pytest.param(
            {"as_number": 65001, "maximum_paths_ibgp": 2, "vtysh_path": "/usr/bin/vtysh"},
            ["+   maximum-paths ibgp 2"],
            id="ibgp-only-with-absolute-vtysh-path",
        ),
        pytest.param(
            {"as_number": 65001, "maximum_paths": 8, "address_family": "ipv6"},
            ["+  !", "+  address-family ipv6 unicast", "+   maximum-paths 8", "+  exit-address-family"],
            id="ipv6-family-created",
        ),
    ],
)
def test_only_ecmp_lines_change(router, tmp_path, args, expected_changes):
    rc, _out, result = run_module(router, tmp_path, args)

    assert (rc, result["changed"]) == (0, True), result
    assert changed_lines(router.baseline, router.running_config()) == expected_changes


def test_absent_after_present_restores_default_and_is_then_idempotent(router, tmp_path):
    run_module(router, tmp_path, {"as_number": 65001, "maximum_paths": 4})
    _rc, _out, removed = run_module(router, tmp_path, {"as_number": 65001, "state": "absent"})
    _rc, _out, again = run_module(router, tmp_path, {"as_number": 65001, "state": "absent"})

    assert removed["commands"] == ["router bgp 65001", "address-family ipv4 unicast", "no maximum-paths"]
    assert removed["maximum_paths"] == removed["multipath_limit"]
    assert again["changed"] is False
    assert changed_lines(router.baseline, router.running_config()) == ["-   maximum-paths 1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            {"as_number": 65002, "maximum_paths": 4},
            "router bgp 65001 is configured on the router, not 65002 (as_number)",
            id="wrong-asn",
        ),
        pytest.param(
            {"as_number": 65001, "maximum_paths": 300},
            "maximum_paths 300 is out of range: must be 1..256 (this FRR build's multipath limit)",
            id="above-debian-multipath-limit",  # Debian 12 builds FRR with --enable-multipath=256
        ),
    ],
)
def test_refused_runs_fail_clearly_and_change_nothing(router, tmp_path, args, message):
    rc, _out, result = run_module(router, tmp_path, args)

    assert rc != 0
    assert result["failed"] is True
    assert result["msg"] == message
    assert router.running_config() == router.baseline
