"""k8s_requests: where the collection's bounded reads go, and their failures in words."""

from __future__ import annotations

import pytest

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import (
    http_refusal,
    no_answer,
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
