"""TCP/HTTP probes against real HTTP servers on 127.0.0.1: answers, backends, spread, refusals and bad statuses.

Each test server is a stdlib ThreadingHTTPServer in a thread. A "farm" of servers behind one address is imitated by
one server that names a different backend per connection (round robin over the client's source ports), which is
what the router's L4 hash does with fresh source ports.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.http_probe import ProbeReport, probe, verdict
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.violations import ValidationError

LOCAL = "127.0.0.1"


@contextmanager
def http_server(
    status: int = 200, backends: tuple[str, ...] = ("k01-worker",), header: str = "X-Served-By", body: str | None = None
) -> Iterator[int]:
    """Serve on a free port of 127.0.0.1; each request is answered by the next backend name in turn."""
    names = itertools.cycle(backends)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with lock:
                name = next(names)
            payload = (body if body is not None else f"{name}\nhello from nginx\n").encode()
            self.send_response(status)
            if header:
                self.send_header(header, name)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):  # keep pytest output clean
            pass

    server = ThreadingHTTPServer((LOCAL, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def refused_port() -> int:
    """A port nothing listens on: bound (so no one else takes it during the test) but never listening."""
    holder = socket.socket()
    holder.bind((LOCAL, 0))
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


def test_one_flow_is_answered_by_the_backend_named_in_the_header():
    with http_server(backends=("k01-worker2",)) as port:
        report = probe(LOCAL, port)
    assert (report.tcp_ok, report.http_ok, dict(report.backends), report.errors) == (1, 1, {"k01-worker2": 1}, [])


def test_thirty_flows_spread_over_three_backends_and_are_counted_per_backend():
    names = ("k01-control-plane", "k01-worker", "k01-worker2")
    with http_server(backends=names) as port:
        report = probe(LOCAL, port, flows=30)
    assert report.as_dict()["backends"] == dict.fromkeys(names, 10)
    assert (report.spread, report.tcp_ok, report.http_ok) == (3, 30, 30)
    healthy, summary = verdict(report, min_backends=2)
    assert healthy is True
    assert summary == (
        f"{LOCAL}:{port}: 30 of 30 flows answered by 3 backend(s) "
        "(k01-control-plane: 10, k01-worker: 10, k01-worker2: 10)"
    )


def test_one_backend_is_not_enough_when_two_are_required():
    with http_server(backends=("k01-worker",)) as port:
        healthy, summary = verdict(probe(LOCAL, port, flows=5), min_backends=2)
    assert healthy is False
    assert summary.endswith(
        "expected at least 2 backends: the router may use a single path "
        "(maximum-paths 1?) or nodes may not advertise the LB CIDR"
    )


@pytest.mark.parametrize(
    ("header", "body", "backend"),
    [
        pytest.param("", "k01-worker\nmore\n", "k01-worker", id="first-body-line-without-header"),
        pytest.param("X-Other", "  k01-worker  \n", "k01-worker", id="body-line-stripped-when-header-missing"),
        pytest.param("", "", "(empty body)", id="empty-body"),
    ],
)
def test_without_the_header_the_first_body_line_names_the_backend(header, body, backend):
    with http_server(header=header, body=body) as port:
        report = probe(LOCAL, port)
    assert dict(report.backends) == {backend: 1}


def test_a_custom_backend_header_is_read():
    with http_server(header="X-Node", backends=("k01-worker",), body="ignored\n") as port:
        report = probe(LOCAL, port, backend_header="X-Node")
    assert dict(report.backends) == {"k01-worker": 1}


@pytest.mark.parametrize(
    ("status", "answered"),
    [
        pytest.param(200, True, id="200"),
        pytest.param(204, True, id="204-no-content"),
        pytest.param(302, True, id="302-redirect"),
        pytest.param(404, False, id="404"),
        pytest.param(503, False, id="503"),
    ],
)
def test_only_2xx_and_3xx_statuses_count_as_answers(status, answered):
    with http_server(status=status) as port:
        report = probe(LOCAL, port, flows=2)
    assert (report.tcp_ok, report.http_ok) == (2, 2 if answered else 0)
    assert verdict(report, min_backends=1)[0] is answered


def test_a_non_2xx_status_is_a_failed_flow_with_tcp_up():
    with http_server(status=503) as port:
        report = probe(LOCAL, port, flows=3)
        healthy, summary = verdict(report, min_backends=1)
    assert healthy is False
    assert summary == (f"{LOCAL}:{port}: 0 of 3 flows answered by 0 backend(s) (none); 3 flow(s) failed (HTTP 503)")


def test_a_refused_port_means_no_tcp_and_says_so(refused_port):
    report = probe(LOCAL, refused_port, flows=3, timeout=1)
    assert (report.tcp_ok, report.http_ok, report.spread) == (0, 0, 0)
    assert report.errors == ["no TCP connection"] * 3
    healthy, summary = verdict(report, min_backends=1)
    assert healthy is False
    assert summary.endswith("no TCP connection at all: the LB IP is not routed or nothing listens on the port")


def test_a_server_that_closes_without_answering_is_tcp_up_but_no_http():
    listener = socket.socket()
    listener.bind((LOCAL, 0))
    listener.listen(8)

    def close_everything():
        for _count in range(2):
            connection, _peer = listener.accept()
            connection.close()

    thread = threading.Thread(target=close_everything, daemon=True)
    thread.start()
    try:
        report = probe(LOCAL, listener.getsockname()[1], flows=2, timeout=2)
    finally:
        thread.join(timeout=5)
        listener.close()
    assert (report.tcp_ok, report.http_ok, report.errors) == (2, 0, ["no valid HTTP answer"] * 2)


def test_the_report_dict_keeps_at_most_ten_errors(refused_port):
    report = probe(LOCAL, refused_port, flows=12, timeout=1)
    result = report.as_dict()
    assert (result["flows"], result["tcp_ok"], len(result["errors"])) == (12, 0, 10)


@pytest.mark.parametrize(
    ("args", "rules"),
    [
        pytest.param({"address": "lb.example"}, ["malformed"], id="hostname-not-an-address"),
        pytest.param({"address": "172.16.0.241/32"}, ["malformed"], id="address-with-length"),
        pytest.param({"port": 0}, ["port-range"], id="port-zero"),
        pytest.param({"port": 70000}, ["port-range"], id="port-too-big"),
        pytest.param({"port": True}, ["port-range"], id="port-bool"),
        pytest.param({"flows": 0}, ["flows-range"], id="no-flows"),
        pytest.param({"flows": 1001}, ["flows-range"], id="too-many-flows"),
        pytest.param({"timeout": 0}, ["timeout-range"], id="timeout-zero"),
        pytest.param({"timeout": 61}, ["timeout-range"], id="timeout-too-long"),
        pytest.param(
            {"address": "x", "port": -1, "flows": 0, "timeout": -1},
            ["malformed", "port-range", "flows-range", "timeout-range"],
            id="all-at-once",
        ),
    ],
)
def test_bad_options_are_refused_before_any_connection(args, rules):
    with pytest.raises(ValidationError) as caught:
        probe(**{"address": LOCAL, "port": 80, **args})
    assert caught.value.rules == rules


@pytest.mark.parametrize(
    ("backends", "min_backends", "healthy"),
    [
        pytest.param({"a": 2, "b": 1}, 2, True, id="two-of-two"),
        pytest.param({"a": 3}, 2, False, id="one-of-two"),
        pytest.param({"a": 3}, 1, True, id="one-of-one"),
        pytest.param({"a": 1, "b": 1, "c": 1}, 3, True, id="three-of-three"),
    ],
)
def test_verdict_compares_the_spread_with_min_backends(backends, min_backends, healthy):
    report = ProbeReport(address=LOCAL, port=80, flows=3, tcp_ok=3, http_ok=3)
    report.backends.update(backends)
    assert verdict(report, min_backends)[0] is healthy
