"""Faults: a broken API connection, an unreachable router, a silent node and killed runs.

Each fault must give a clear error (no Python traceback) within a bound (the subprocess timeout), leave nothing
half-written that a re-run cannot fix, and a re-run after the repair must converge to the state a clean run
reaches.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import (
    REPO,
    STATE_DIR,
    TWIN_CLI,
    PlaybookRun,
    Twin,
    problem_messages,
    run_playbook,
    start_playbook,
    wait_for_audit,
)
from tests.eapi_fake import FakeEapi
from tests.integration.callbacks.freeze_after import process_tree

pytestmark = [pytest.mark.root, pytest.mark.twin]

LB_CIDR = "172.16.0.240/28"
NODE_IPS = ["10.10.10.10", "10.10.10.11", "10.10.10.12"]
BAD_TOKEN = "not-the-twin-token-0123456789abcdef"


def other_ca_pem() -> bytes:
    """A CA that did not sign the twin's API certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not-the-twin-ca")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def wrong_port(config: dict) -> None:
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"  # nothing listens: the API server is down


def other_ca(config: dict) -> None:
    import base64

    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(other_ca_pem()).decode()


def bad_token(config: dict) -> None:
    config["users"][0]["user"]["token"] = BAD_TOKEN


@pytest.mark.parametrize(
    ("mutate", "explanation"),
    [
        pytest.param(wrong_port, "does not answer", id="api-server-down"),
        pytest.param(other_ca, "does not verify against", id="tls-ca-mismatch"),
        pytest.param(bad_token, "401 Unauthorized", id="token-rejected"),
    ],
)
def test_a_broken_api_connection_fails_clearly_before_any_write(
    fresh_twin: Twin, tmp_path: Path, mutate, explanation: str
):
    config = yaml.safe_load(Path(fresh_twin.status["api"]["kubeconfig"]).read_text())
    mutate(config)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    router_before = fresh_twin.running_config()
    mark = fresh_twin.audit_mark()

    # The timeout is the bound: a hanging client fails the test instead of blocking it.
    run = run_playbook("site.yml", extra_vars={"bgp_lb_kubeconfig": str(kubeconfig)}, json_output=False, timeout=120)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "Traceback" not in output
    assert "Original traceback" not in output
    assert explanation in output
    assert f"bgp_lb_kubeconfig={kubeconfig}" in output
    assert BAD_TOKEN not in output
    assert fresh_twin.status["api"]["token"] not in output
    assert fresh_twin.real_writes(fresh_twin.audit_since(mark)) == []
    assert fresh_twin.running_config() == router_before


def site_run_then_thaw(api_server: int, env: dict | None = None) -> tuple[PlaybookRun, float]:
    """site.yml and its seconds; the subprocess timeout is the hard limit (a run that hangs fails the test), and
    kube-apiserver is thawed afterwards whatever happened."""
    try:
        started = time.monotonic()
        run = run_playbook("site.yml", json_output=False, env=env, timeout=90)
        return run, time.monotonic() - started
    finally:
        os.kill(api_server, signal.SIGCONT)


def test_a_frozen_api_server_ends_the_run_within_its_bound_naming_it_and_a_rerun_converges(fresh_twin: Twin):
    """kube-apiserver accepts the connection and says nothing (SIGSTOP: overloaded, or a firewall dropping packets)."""
    api_server = int((STATE_DIR / "pids" / "kube-apiserver.pid").read_text())
    router_before = fresh_twin.running_config()
    os.kill(api_server, signal.SIGSTOP)
    run, elapsed = site_run_then_thaw(api_server)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert elapsed < 60, f"the run took {elapsed:.0f} s with the default bound"
    assert f"the Kubernetes API at {fresh_twin.status['api']['url']} did not answer within 10 s" in output
    assert "bgp_lb_kubernetes_timeout" in output
    assert "Traceback" not in output
    assert fresh_twin.running_config() == router_before
    rerun = run_playbook("site.yml", timeout=300)
    assert rerun.returncode == 0, problem_messages(rerun)
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS


def test_an_api_server_frozen_after_the_pool_was_written_names_the_step_and_the_change(fresh_twin: Twin):
    """Frozen right after the IPPool's apply (a test callback sends SIGSTOP at that exact step): the Service's apply
    gets no answer, and the one message names the step, the API server, the bound and the pool already written."""
    api_server = int((STATE_DIR / "pids" / "kube-apiserver.pid").read_text())
    freeze = {
        "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callbacks"),
        "ANSIBLE_CALLBACKS_ENABLED": "freeze_after",
        "FREEZE_AFTER_TASK": "Apply IPPool",
        "FREEZE_PID": str(api_server),
    }
    run, elapsed = site_run_then_thaw(api_server, env=freeze)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert elapsed < 60, f"the run took {elapsed:.0f} s with the default bound"
    assert (
        "Apply the Service default/lb-nginx-service: Service default/lb-nginx-service: no answer to the apply (it may "
        f"still take effect): the Kubernetes API at {fresh_twin.status['api']['url']} did not answer within 10 s"
        in output
    ), output[-3000:]
    assert "Kubernetes changes this run already made, which stay in place: IPPool loadbalancer-ip-pool." in output
    assert "Traceback" not in output
    rerun = run_playbook("site.yml", timeout=300)
    assert rerun.returncode == 0, problem_messages(rerun)
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS


def test_a_frozen_load_balancer_controller_is_named_with_what_was_written_and_a_rerun_converges(fresh_twin: Twin):
    """calico-kube-controllers frozen (SIGSTOP) before the run: no address is ever assigned, so the wait ends after
    lb_service_wait_timeout with a message that names the controller and what the run already wrote."""
    controller = int((STATE_DIR / "pids" / "calico-kube-controllers.pid").read_text())
    os.kill(controller, signal.SIGSTOP)
    try:
        started = time.monotonic()
        run = run_playbook("site.yml", extra_vars={"lb_service_wait_timeout": 5}, json_output=False, timeout=90)
        elapsed = time.monotonic() - started
    finally:
        os.kill(controller, signal.SIGCONT)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert elapsed < 60, f"the run took {elapsed:.0f} s with lb_service_wait_timeout=5"
    assert (
        "Service default/lb-nginx-service got no external IP within 5 s (lb_service_wait_timeout): "
        "calico-kube-controllers (Calico's LoadBalancer controller) assigned no address" in output
    ), output[-3000:]
    assert (
        "Kubernetes changes this run already made, which stay in place: IPPool loadbalancer-ip-pool; "
        "Service default/lb-nginx-service." in output
    )
    assert "Traceback" not in output
    rerun = run_playbook("site.yml", timeout=300)
    assert rerun.returncode == 0, problem_messages(rerun)
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS


# --- routers that stop answering ------------------------------------------------------------------------------


def signal_tree(pid: int, sig: signal.Signals) -> None:
    """Signal ``pid`` and every process it started (an sshd's listener and its sessions)."""
    for process in process_tree(pid):
        os.kill(process, sig)


def test_a_router_whose_sshd_goes_silent_is_named_with_the_step_and_the_kubernetes_changes(fresh_twin: Twin):
    """tor's sshd freezes (SIGSTOP on the listener and its sessions) right after the run's last Kubernetes write:
    the SSH connection the preflight opened is still up and says nothing, and a new one gets no banner. The run
    ends within the router bound naming the router, its address, the step and what Kubernetes already holds."""
    sshd = fresh_twin.status["ssh"]["pid"]
    freeze = {
        "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callbacks"),
        "ANSIBLE_CALLBACKS_ENABLED": "freeze_after",
        "FREEZE_AFTER_TASK": "Merge serviceLoadBalancerIPs",
        "FREEZE_PID": str(sshd),
    }
    try:
        started = time.monotonic()
        run = run_playbook("site.yml", json_output=False, env=freeze, timeout=120)
        elapsed = time.monotonic() - started
    finally:
        signal_tree(sshd, signal.SIGCONT)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    # Keepalives end the silent session within the bound (10 s), then a new connection waits at most as long.
    assert elapsed < 60, f"the run took {elapsed:.0f} s with the default bound"
    address = fresh_twin.status["ssh"]["host"]
    assert (
        "The upstream router(s) tor were not configured: Set maximum-paths with vtysh under router bgp, AS 65001 on "
        f"tor: the router tor at {address} port 22 did not answer over ssh within 10 s" in output
    ), output[-3000:]
    assert (
        "Kubernetes changes this run already made, which stay in place: IPPool loadbalancer-ip-pool; Service "
        f"default/lb-nginx-service; BGPConfiguration default serviceLoadBalancerIPs +{LB_CIDR}." in output
    )
    assert "Traceback" not in output
    assert "maximum-paths 1" in fresh_twin.running_config()
    rerun = run_playbook("site.yml", timeout=300)
    assert rerun.returncode == 0, problem_messages(rerun)
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS


# The EOS router's `router bgp` as arista.eos.eos_bgp_global reads it (the command its facts send), already at
# maximum-paths 4: the preflight can read it, and a run that reaches it has nothing to send.
EOS_READ_BGP = "show running-config | section router\\sbgp "
EOS_FIXTURES = REPO / "tests" / "unit" / "fixtures"


def eos_twin_inventory(directory: Path, device: FakeEapi) -> Path:
    """The twin's Kubernetes with one EOS router, ceos01, reached over eAPI at the stand-in (inventory/containerlab's
    router variables, the twin's Kubernetes variables)."""
    inventory = directory / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    hosts = {
        "all": {
            "children": {
                "k8s_api": {
                    "hosts": {
                        "k8s-controller": {
                            "ansible_connection": "local",
                            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                        }
                    }
                },
                "upstream_routers": {
                    "hosts": {"ceos01": {"ansible_host": "127.0.0.1", "ansible_httpapi_port": device.port}}
                },
            }
        }
    }
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    shutil.copy(REPO / "inventory" / "twin" / "group_vars" / "all.yml", inventory / "group_vars" / "all.yml")
    shutil.copy(
        REPO / "inventory" / "containerlab" / "group_vars" / "upstream_routers.yml",
        inventory / "group_vars" / "upstream_routers.yml",
    )
    return inventory


@pytest.fixture
def eos_router(eapi_router: FakeEapi) -> FakeEapi:
    eapi_router.answers[EOS_READ_BGP] = (EOS_FIXTURES / "eos_config" / "router-bgp-maximum-paths-4.cfg").read_text()
    return eapi_router


def eos_site_run(inventory: Path, device: FakeEapi, env: dict | None = None) -> tuple[PlaybookRun, float]:
    """site.yml against the twin's Kubernetes and the eAPI stand-in; the stand-in is thawed whatever happened."""
    environment = {
        "BGP_LB_TWIN_STATE_DIR": str(STATE_DIR),
        "EOS_PASSWORD": device.password,
        "EOS_CA_PATH": str(device.ca_path),
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
        **(env or {}),
    }
    try:
        started = time.monotonic()
        run = run_playbook("site.yml", inventory=inventory, json_output=False, env=environment, timeout=120)
        return run, time.monotonic() - started
    finally:
        os.kill(device.pid, signal.SIGCONT)


def test_an_eapi_router_frozen_before_the_run_is_named_and_nothing_is_written(
    fresh_twin: Twin, tmp_path: Path, eos_router: FakeEapi
):
    inventory = eos_twin_inventory(tmp_path, eos_router)
    mark = fresh_twin.audit_mark()
    os.kill(eos_router.pid, signal.SIGSTOP)
    run, elapsed = eos_site_run(inventory, eos_router)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert elapsed < 60, f"the run took {elapsed:.0f} s with the default bound"
    assert f"Read the router's BGP instance (EOS) on ceos01 at 127.0.0.1:{eos_router.port}: " in output, output[-3000:]
    assert "A silent router is given bgp_lb_router_timeout, 10 s, to connect and per command." in output
    assert "Nothing was written." in output
    assert "Traceback" not in output
    assert fresh_twin.real_writes(fresh_twin.audit_since(mark)) == []


def test_an_eapi_router_frozen_after_the_kubernetes_writes_is_named_with_the_changes(
    fresh_twin: Twin, tmp_path: Path, eos_router: FakeEapi
):
    inventory = eos_twin_inventory(tmp_path, eos_router)
    freeze = {
        "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callbacks"),
        "ANSIBLE_CALLBACKS_ENABLED": "freeze_after",
        "FREEZE_AFTER_TASK": "Merge serviceLoadBalancerIPs",
        "FREEZE_PID": str(eos_router.pid),
    }
    run, elapsed = eos_site_run(inventory, eos_router, env=freeze)

    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert elapsed < 60, f"the run took {elapsed:.0f} s with the default bound"
    summary = output[output.index("The upstream router(s) ceos01 were not configured: ") :]
    assert f" on ceos01 at 127.0.0.1:{eos_router.port}: " in summary, summary
    assert "A silent router is given bgp_lb_router_timeout, 10 s, to connect and per command." in summary
    assert (
        "Kubernetes changes this run already made, which stay in place: IPPool loadbalancer-ip-pool; Service "
        f"default/lb-nginx-service; BGPConfiguration default serviceLoadBalancerIPs +{LB_CIDR}." in summary
    )
    assert "Traceback" not in output
    assert [command for command in eos_router.sent() if command != EOS_READ_BGP] == []


def is_write_to(path_part: str):
    def matches(entry: dict) -> bool:
        return path_part in entry["path"] and entry in Twin.real_writes([entry])

    return matches


def test_router_unreachable_after_kubernetes_lists_the_changes_and_a_rerun_converges(fresh_twin: Twin, tmp_path: Path):
    link = fresh_twin.status["mgmt"]["tor_interface"]
    mark = fresh_twin.audit_mark()
    # No SSH connection sharing, short connect timeout: the router really is gone for the router play.
    no_mux = {"ANSIBLE_SSH_ARGS": "-o ControlMaster=no -o ConnectTimeout=3"}
    log = tmp_path / "site.log"
    process = start_playbook("site.yml", log, env=no_mux)
    try:
        wait_for_audit(fresh_twin, mark, is_write_to("/ippools/loadbalancer-ip-pool"), process=process)
        subprocess.run(["ip", "-n", "tor", "link", "set", link, "down"], check=True)
        returncode = process.wait(timeout=300)
    finally:
        subprocess.run(["ip", "-n", "tor", "link", "set", link, "up"], check=True)

    output = log.read_text()
    assert returncode != 0
    assert "Traceback" not in output
    assert "fatal: [tor]" in output
    assert f"the router tor at {fresh_twin.status['ssh']['host']} port 22 did not answer over ssh" in output
    summary = output[output.index("were not configured") - 200 :]
    assert "The upstream router(s) tor were not configured" in summary
    for change in [
        "IPPool loadbalancer-ip-pool",
        "Service default/lb-nginx-service",
        f"serviceLoadBalancerIPs +{LB_CIDR}",
    ]:
        assert change in summary
    assert "maximum-paths 1" in fresh_twin.running_config()

    rerun = run_playbook("site.yml")

    assert rerun.returncode == 0, "\n".join(problem_messages(rerun)) + rerun.stderr[-2000:]
    assert "maximum-paths 4" in fresh_twin.running_config()
    assert fresh_twin.route_next_hops(LB_CIDR) == NODE_IPS


def test_a_silent_node_is_named_by_verification_and_verify_passes_once_it_is_back(fresh_twin: Twin):
    subprocess.run([TWIN_CLI, "node-down", "k01-worker2"], check=True, capture_output=True)

    run = run_playbook("site.yml", extra_vars={"lb_verify_timeout": 3})

    messages = "\n".join(problem_messages(run))
    assert run.returncode != 0
    assert "2 of 3 next hops" in messages
    assert "10.10.10.12 (k01-worker2) missing" in messages

    subprocess.run([TWIN_CLI, "node-up", "k01-worker2"], check=True, capture_output=True)
    verify = run_playbook("playbooks/verify.yml")
    assert verify.returncode == 0, "\n".join(problem_messages(verify))


# --- killed runs ---------------------------------------------------------------------------------------------

CLEAN_END_STATE: dict[str, object] = {}


def end_state(twin: Twin) -> dict[str, object]:
    return {"api": twin.api.snapshot(), "router": twin.running_config(), "next_hops": twin.route_next_hops(LB_CIDR)}


def clean_end_state(twin: Twin) -> dict[str, object]:
    """What an uninterrupted site.yml leaves, measured once per session from the lab's starting state."""
    if not CLEAN_END_STATE:
        teardown = run_playbook("playbooks/teardown.yml")
        assert teardown.returncode == 0, "\n".join(problem_messages(teardown))
        clean = run_playbook("site.yml")
        assert clean.returncode == 0, "\n".join(problem_messages(clean))
        CLEAN_END_STATE.update(end_state(twin))
    return CLEAN_END_STATE


def wait_for_router_line(twin: Twin, line: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while line not in twin.running_config():
        if process.poll() is not None:
            pytest.fail(f"the run ended (rc {process.returncode}) before the router showed {line!r}")
        if time.monotonic() > deadline:
            pytest.fail(f"the router did not show {line!r} within {timeout} s")
        time.sleep(0.02)


def is_read_of_nodes(entry: dict) -> bool:
    return entry["path"] == "/api/v1/nodes"


# Each step: kill the run right after it (the first preflight read, each Kubernetes write, the router write).
KILL_POINTS = [
    pytest.param(is_read_of_nodes, id="during-preflight"),
    pytest.param(is_write_to("/ippools/loadbalancer-ip-pool"), id="after-pool-write"),
    pytest.param(is_write_to("/services/lb-nginx-service"), id="after-service-write"),
    pytest.param(is_write_to("/bgpconfigurations/default"), id="after-bgp-configuration-write"),
    pytest.param("  maximum-paths 4", id="after-router-write"),
]


@pytest.mark.parametrize("kill_point", KILL_POINTS)
def test_a_run_killed_mid_way_converges_on_rerun(fresh_twin: Twin, tmp_path: Path, kill_point):
    mark = fresh_twin.audit_mark()
    process = start_playbook("site.yml", tmp_path / "killed.log")
    try:
        if isinstance(kill_point, str):
            wait_for_router_line(fresh_twin, kill_point, process)
        else:
            wait_for_audit(fresh_twin, mark, kill_point, process=process)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the run's own process group: ansible-playbook and its workers
        process.wait(timeout=60)

    rerun = run_playbook("site.yml")

    assert rerun.returncode == 0, "\n".join(problem_messages(rerun)) + rerun.stderr[-2000:]
    converged = end_state(fresh_twin)
    assert converged == clean_end_state(fresh_twin)
