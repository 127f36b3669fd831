"""k8s_requests: where the collection's bounded requests go, what they send, and their failures in words."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import (
    KubernetesApi,
    NoAnswer,
    http_refusal,
    no_answer,
    object_path,
    positive_seconds,
    resource_path,
)

SERVER = "https://127.0.0.1:16443"


@pytest.mark.parametrize(
    ("read", "path"),
    [
        pytest.param(("v1", "Node"), "/api/v1/nodes", id="core-list"),
        pytest.param(("v1", "Service", "default", "web"), "/api/v1/namespaces/default/services/web", id="core-object"),
        pytest.param(("projectcalico.org/v3", "IPPool"), "/apis/projectcalico.org/v3/ippools", id="calico-list"),
        pytest.param(
            ("projectcalico.org/v3", "BGPConfiguration", None, "default"),
            "/apis/projectcalico.org/v3/bgpconfigurations/default",
            id="calico-object",
        ),
    ],
)
def test_resource_path(read, path):
    assert resource_path(*read) == path


def test_a_kind_the_collection_does_not_read_is_named():
    with pytest.raises(ValueError, match=r"Pod \(v1\) is not a kind the collection reads"):
        resource_path("v1", "Pod")


@pytest.mark.parametrize(
    ("status", "words"),
    [
        pytest.param(401, "rejected the credentials (401 Unauthorized)", id="unauthorized"),
        pytest.param(403, "may not read /api/v1/nodes (403 Forbidden)", id="forbidden"),
        pytest.param(500, f"{SERVER} answered HTTP 500 for /api/v1/nodes", id="other"),
    ],
)
def test_http_refusals_in_words(status, words):
    assert words in http_refusal(SERVER, status, "/api/v1/nodes")


def test_no_answer_names_the_server_and_the_bound():
    assert no_answer(SERVER, 10.0) == f"the Kubernetes API at {SERVER} did not answer within 10 s"


@pytest.mark.parametrize(
    ("obj", "path"),
    [
        pytest.param(
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}},
            "/api/v1/namespaces/default/services/web",
            id="namespace-defaults",
        ),
        pytest.param(
            {
                "apiVersion": "projectcalico.org/v3",
                "kind": "KubeControllersConfiguration",
                "metadata": {"name": "default"},
            },
            "/apis/projectcalico.org/v3/kubecontrollersconfigurations/default",
            id="cluster-scoped",
        ),
    ],
)
def test_object_path(obj, path):
    assert object_path(obj) == path


@pytest.mark.parametrize(
    ("value", "seconds"),
    [pytest.param("2.5", 2.5, id="text"), pytest.param(10, 10.0, id="int")],
)
def test_positive_seconds_accepts_numbers_and_text(value, seconds):
    assert positive_seconds(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param("soon", id="text"),
        pytest.param(None, id="none"),
        pytest.param(float("inf"), id="infinite"),
    ],
)
def test_positive_seconds_names_what_is_wrong(value):
    with pytest.raises(ValueError, match=rf"request_timeout {value!r} must be a positive number of seconds"):
        positive_seconds(value)


# ---------------------------------------------------------------------------------------------------------------
# KubernetesApi against local sockets: one that never answers, one nobody listens on, and a small HTTP server.


def kubeconfig(server: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t0ken"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }


@pytest.fixture
def silent_server():
    """Accepts connections and never answers (a frozen API server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def answering_server():
    """Answers GET with the (status, body) the test puts in ``answers`` by path, and records what it was sent."""
    answers: dict[str, tuple[int, bytes]] = {}
    seen: list[tuple[str, str, dict, bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.command, self.path, dict(self.headers), body))
            status, payload = answers.get(self.path.split("?")[0], (404, b"404 page not found"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PATCH = do_PUT = do_POST = do_DELETE = do_any

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers, seen
    server.shutdown()
    server.server_close()


def test_a_silent_server_ends_the_request_within_the_bound(silent_server):
    api = KubernetesApi(kubeconfig(silent_server), None, 0.3)
    started = time.monotonic()
    with pytest.raises(NoAnswer) as failure:
        api.read("v1", "Node")
    assert time.monotonic() - started < 5
    assert str(failure.value) == f"the Kubernetes API at {silent_server} did not answer within 0.3 s"


def test_a_port_nobody_listens_on_is_no_connection():
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = KubernetesApi(kubeconfig(f"http://127.0.0.1:{port}"), None, 2)
    with pytest.raises(NoAnswer, match=rf"does not answer at http://127.0.0.1:{port} \(no connection\)"):
        api.read("v1", "Node")


def test_a_missing_object_is_an_empty_read_but_an_unserved_path_is_named(answering_server):
    server, answers, _seen = answering_server
    missing = json.dumps({"kind": "Status", "reason": "NotFound", "code": 404}).encode()
    answers["/api/v1/namespaces/default/services/web"] = (404, missing)
    api = KubernetesApi(kubeconfig(server), None, 2)

    assert api.read("v1", "Service", "default", "web") == []
    with pytest.raises(NoAnswer, match=r"answered HTTP 404 for /apis/projectcalico.org/v3/ippools/pool"):
        api.read("projectcalico.org/v3", "IPPool", name="pool")


def test_an_apply_is_a_server_side_apply_patch_with_the_token(answering_server):
    server, answers, seen = answering_server
    path = "/apis/projectcalico.org/v3/ippools/pool"
    answers[path] = (200, b'{"kind": "IPPool"}')
    manifest = {"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": "pool"}}
    api = KubernetesApi(kubeconfig(server), None, 2)

    answer = api.apply(manifest, force=True, dry_run=True)

    assert answer.ok
    assert answer.body == {"kind": "IPPool"}
    method, sent_path, headers, body = seen[-1]
    assert (method, sent_path) == ("PATCH", f"{path}?fieldManager=calicolab.bgp_lb&force=true&dryRun=All")
    assert headers["Content-Type"] == "application/apply-patch+yaml"
    assert headers["Authorization"] == "Bearer t0ken"
    assert json.loads(body) == manifest
