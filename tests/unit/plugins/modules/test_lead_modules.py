"""bgp_peer_spec, lb_service_spec and lb_http_probe through Ansible's module interface (a subprocess per run).

Argument-spec conversion, check mode, exit_json/fail_json and the msg/violations shape are exercised for real;
lb_http_probe talks to a real HTTP server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.calicolab.bgp_lb.tests.unit.module_runner import run_module

LAB = "172.16.0.240/28"
LAB_PEER = {"name": "bgppeer-arista", "peer_ip": "10.10.10.1", "as_number": 65001}
HTTP = {"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}


@pytest.mark.parametrize("check_mode", [pytest.param(True, id="check-mode"), pytest.param(False, id="normal")])
def test_bgp_peer_spec_returns_the_labs_peer_and_never_changes(tmp_path, check_mode):
    code, result = run_module(
        tmp_path, "bgp_peer_spec", {"peers": [LAB_PEER], "local_as_number": "65010"}, check_mode=check_mode
    )
    assert code == 0
    assert result == {
        "changed": False,
        "manifests": [
            {
                "apiVersion": "projectcalico.org/v3",
                "kind": "BGPPeer",
                "metadata": {"name": "bgppeer-arista"},
                "spec": {"peerIP": "10.10.10.1", "asNumber": 65001, "nodeSelector": "all()"},
            }
        ],
    }


def test_bgp_peer_spec_failure_holds_msg_and_every_violation(tmp_path):
    peers = [{**LAB_PEER, "as_number": 65010}, {**LAB_PEER, "peer_ip": "10.10.10.1/32"}]
    code, result = run_module(tmp_path, "bgp_peer_spec", {"peers": peers, "local_as_number": 65010})
    assert (code, result["failed"], result.get("changed", False)) == (1, True, False)
    assert [v["rule"] for v in result["violations"]] == ["same-as-number", "malformed", "duplicate-name"]
    assert result["msg"].startswith("3 rules broken")
    for violation in result["violations"]:
        assert violation["detail"] in result["msg"]


def test_bgp_peer_spec_without_local_as_is_refused_by_the_argument_spec(tmp_path):
    code, result = run_module(tmp_path, "bgp_peer_spec", {"peers": [LAB_PEER]})
    assert (code, result["failed"]) == (1, True)
    assert "local_as_number" in result["msg"]
    assert "violations" not in result


def test_lb_service_spec_builds_the_labs_service_with_the_requested_ip(tmp_path):
    args = {
        "name": "lb-nginx-service",
        "selector": {"app": "nginx"},
        "ports": [HTTP],
        "load_balancer_ip": "172.16.0.241",
        "lb_pool_cidrs": [LAB],
    }
    code, result = run_module(tmp_path, "lb_service_spec", args)
    assert code == 0
    assert result == {
        "changed": False,
        "manifest": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "lb-nginx-service",
                "namespace": "default",
                "annotations": {"projectcalico.org/loadBalancerIPs": '["172.16.0.241"]'},
            },
            "spec": {
                "type": "LoadBalancer",
                "selector": {"app": "nginx"},
                "ports": [HTTP],
                "externalTrafficPolicy": "Cluster",
            },
        },
    }


def test_lb_service_spec_failure_holds_msg_and_violations(tmp_path):
    args = {"name": "LB", "selector": {}, "ports": [HTTP], "load_balancer_ip": "10.0.0.5", "lb_pool_cidrs": [LAB]}
    code, result = run_module(tmp_path, "lb_service_spec", args)
    assert (code, result["failed"]) == (1, True)
    assert [v["rule"] for v in result["violations"]] == ["invalid-name", "empty-selector", "ip-outside-pools"]
    assert "10.0.0.5 is not inside any LoadBalancer pool (172.16.0.240/28)" in result["msg"]


# --------------------------------------------------------------------------------------------- lb_http_probe


@pytest.fixture
def backend_server() -> Iterator[int]:
    """An HTTP server on 127.0.0.1 naming one of three nodes per request in X-Served-By, in turn."""
    names = ["k01-control-plane", "k01-worker", "k01-worker2"]
    counter = {"next": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with lock:
                name = names[counter["next"] % len(names)]
                counter["next"] += 1
            payload = f"{name}\n".encode()
            self.send_response(200)
            self.send_header("X-Served-By", name)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("check_mode", [pytest.param(True, id="check-mode"), pytest.param(False, id="normal")])
def test_lb_http_probe_counts_flows_per_node_and_never_changes(tmp_path, backend_server, check_mode):
    args = {"address": "127.0.0.1", "port": str(backend_server), "flows": "9", "min_backends": 3}
    code, result = run_module(tmp_path, "lb_http_probe", args, check_mode=check_mode)
    assert code == 0
    assert (result["changed"], result["healthy"], result["tcp_ok"], result["http_ok"]) == (False, True, 9, 9)
    assert result["backends"] == {"k01-control-plane": 3, "k01-worker": 3, "k01-worker2": 3}
    assert result["spread"] == 3
    assert result["summary"] == result["msg"]
    assert result["summary"].startswith(f"127.0.0.1:{backend_server}: 9 of 9 flows answered by 3 backend(s)")


def test_lb_http_probe_fails_when_too_few_nodes_answer_and_still_returns_the_counts(tmp_path, backend_server):
    code, result = run_module(
        tmp_path, "lb_http_probe", {"address": "127.0.0.1", "port": backend_server, "flows": 2, "min_backends": 3}
    )
    assert (code, result["failed"], result["healthy"], result["spread"]) == (1, True, False, 2)
    assert "expected at least 3 backends" in result["msg"]


def test_lb_http_probe_fails_on_a_refused_port(tmp_path):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    try:
        code, result = run_module(
            tmp_path, "lb_http_probe", {"address": "127.0.0.1", "port": holder.getsockname()[1], "timeout": 1}
        )
    finally:
        holder.close()
    assert (code, result["failed"], result["tcp_ok"], result["healthy"]) == (1, True, 0, False)
    assert "no TCP connection at all" in result["msg"]


def test_lb_http_probe_bad_options_fail_with_violations_before_connecting(tmp_path):
    code, result = run_module(tmp_path, "lb_http_probe", {"address": "lb.example", "flows": 0})
    assert (code, result["failed"]) == (1, True)
    assert [v["rule"] for v in result["violations"]] == ["malformed", "flows-range"]
    assert "tcp_ok" not in result
