"""Kubernetes REST semantics the collection and its tools depend on (DESIGN.md §4), over real HTTPS."""

from __future__ import annotations

import pytest
from conftest import POOLS, SERVICES, Client, audit_entries, lb_pool

NODES = "/api/v1/nodes"
CONFIGMAP_LIKE = "/apis/projectcalico.org/v3/bgppeers"


def peer(name: str, **spec: object) -> dict:
    return {
        "apiVersion": "projectcalico.org/v3",
        "kind": "BGPPeer",
        "metadata": {"name": name},
        "spec": {"peerIP": "10.10.10.254", "asNumber": 65099, "nodeSelector": "has(peer-test)", **spec},
    }


@pytest.mark.parametrize(
    "token",
    [pytest.param(None, id="no-token"), pytest.param("wrong-token", id="wrong-token")],
)
def test_requests_without_the_token_get_401_status(client: Client, token: str | None):
    reply = client.get(NODES, token=token)
    assert reply.code == 401
    assert reply.json["kind"] == "Status"
    assert reply.json["reason"] == "Unauthorized"


@pytest.mark.parametrize(
    ("path", "kind", "expected"),
    [
        pytest.param("/api", "APIVersions", {"versions": ["v1"]}, id="core-versions"),
        pytest.param("/api/v1", "APIResourceList", {"groupVersion": "v1"}, id="core-v1"),
        pytest.param("/apis/apps/v1", "APIResourceList", {"groupVersion": "apps/v1"}, id="apps-v1"),
        pytest.param(
            "/apis/projectcalico.org/v3", "APIResourceList", {"groupVersion": "projectcalico.org/v3"}, id="calico-v3"
        ),
        pytest.param("/apis/projectcalico.org", "APIGroup", {"name": "projectcalico.org"}, id="calico-group"),
    ],
)
def test_discovery_documents_name_their_group_version(client: Client, path: str, kind: str, expected: dict):
    document = client.get(path).json
    assert document["kind"] == kind
    assert expected.items() <= document.items()


def test_group_list_serves_apps_and_calico(client: Client):
    groups = {group["name"]: group["preferredVersion"]["groupVersion"] for group in client.get("/apis").json["groups"]}
    assert groups == {"apps": "apps/v1", "projectcalico.org": "projectcalico.org/v3"}


def test_calico_kinds_are_cluster_scoped_and_services_have_status(client: Client):
    calico = {item["name"]: item for item in client.get("/apis/projectcalico.org/v3").json["resources"]}
    core = {item["name"] for item in client.get("/api/v1").json["resources"]}
    assert {name: item["namespaced"] for name, item in calico.items()} == {
        "ippools": False,
        "bgpconfigurations": False,
        "bgppeers": False,
    }
    assert "services/status" in core


def test_list_carries_list_kind_api_version_and_resource_version(client: Client):
    listing = client.get(POOLS).json
    assert (listing["kind"], listing["apiVersion"]) == ("IPPoolList", "projectcalico.org/v3")
    assert int(listing["metadata"]["resourceVersion"]) > 0
    assert [item["metadata"]["name"] for item in listing["items"]] == ["default-ipv4-ippool"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param("node-role.kubernetes.io/control-plane", ["k01-control-plane"], id="exists"),
        pytest.param("!node-role.kubernetes.io/control-plane", ["k01-worker", "k01-worker2"], id="not-exists"),
        pytest.param("kubernetes.io/hostname=k01-worker", ["k01-worker"], id="equals"),
        pytest.param("kubernetes.io/hostname==k01-worker2", ["k01-worker2"], id="double-equals"),
        pytest.param("kubernetes.io/hostname!=k01-worker", ["k01-control-plane", "k01-worker2"], id="not-equals"),
        pytest.param("kubernetes.io/hostname in (k01-worker,k01-worker2)", ["k01-worker", "k01-worker2"], id="in"),
        pytest.param(
            "kubernetes.io/hostname notin (k01-worker),kubernetes.io/os=linux",
            ["k01-control-plane", "k01-worker2"],
            id="notin-and-equals",
        ),
    ],
)
def test_label_selectors_filter_lists(client: Client, selector: str, expected: list[str]):
    items = client.get(NODES, query={"labelSelector": selector}).json["items"]
    assert [item["metadata"]["name"] for item in items] == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param("metadata.name=k01-worker", ["k01-worker"], id="name-equals"),
        pytest.param("metadata.name!=k01-worker", ["k01-control-plane", "k01-worker2"], id="name-not-equals"),
    ],
)
def test_field_selectors_filter_lists(client: Client, selector: str, expected: list[str]):
    items = client.get(NODES, query={"fieldSelector": selector}).json["items"]
    assert [item["metadata"]["name"] for item in items] == expected


def test_unsupported_field_selector_is_a_bad_request(client: Client):
    assert client.get(NODES, query={"fieldSelector": "spec.unschedulable=true"}).code == 400


def test_create_answers_201_with_server_fields(client: Client):
    reply = client.post(CONFIGMAP_LIKE, peer("created"))
    metadata = reply.json["metadata"]
    assert reply.code == 201
    assert {"uid", "resourceVersion", "creationTimestamp"} <= metadata.keys()
    assert metadata["generation"] == 1


def test_create_of_an_existing_name_is_409_already_exists(client: Client):
    client.post(CONFIGMAP_LIKE, peer("twice"))
    reply = client.post(CONFIGMAP_LIKE, peer("twice"))
    assert reply.code == 409
    assert (reply.json["reason"], reply.json["details"]["name"]) == ("AlreadyExists", "twice")


def test_get_of_a_missing_object_is_a_404_status(client: Client):
    status = client.get(f"{CONFIGMAP_LIKE}/absent").json
    assert {key: status[key] for key in ("kind", "apiVersion", "status", "reason", "code")} == {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": "NotFound",
        "code": 404,
    }
    assert status["message"] == 'bgppeers.projectcalico.org "absent" not found'


def test_create_in_a_missing_namespace_is_404(client: Client):
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}}
    assert client.post("/api/v1/namespaces/nowhere/services", service).code == 404


@pytest.mark.parametrize(
    ("method", "content_type"),
    [
        pytest.param("PUT", "application/json", id="put"),
        pytest.param("PATCH", "application/merge-patch+json", id="merge-patch"),
        pytest.param("PATCH", "application/apply-patch+yaml", id="server-side-apply"),
    ],
)
def test_write_with_a_stale_resource_version_is_409_conflict(client: Client, method: str, content_type: str):
    name = f"stale-{method.lower()}-{content_type.split('/')[1].split('-')[0]}"
    created = client.post(CONFIGMAP_LIKE, peer(name)).json
    stale_version = created["metadata"]["resourceVersion"]
    client.patch(f"{CONFIGMAP_LIKE}/{name}", {"spec": {"asNumber": 65100}})
    body = peer(name, asNumber=65101)
    body["metadata"]["resourceVersion"] = stale_version
    reply = client.call(
        method, f"{CONFIGMAP_LIKE}/{name}", body, content_type=content_type, query={"fieldManager": "test"}
    )
    assert reply.code == 409
    assert reply.json["reason"] == "Conflict"
    assert client.get(f"{CONFIGMAP_LIKE}/{name}").json["spec"]["asNumber"] == 65100


def test_put_with_the_current_resource_version_succeeds_and_bumps_generation(client: Client):
    created = client.post(CONFIGMAP_LIKE, peer("put-ok")).json
    created["spec"]["asNumber"] = 65111
    updated = client.put(f"{CONFIGMAP_LIKE}/put-ok", created).json
    assert updated["metadata"]["generation"] == 2
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


@pytest.mark.parametrize(
    ("content_type", "patch"),
    [
        pytest.param("application/merge-patch+json", {"spec": {"asNumber": 65099}}, id="merge"),
        pytest.param(
            "application/json-patch+json",
            [{"op": "replace", "path": "/spec/asNumber", "value": 65099}],
            id="json-patch",
        ),
        pytest.param(
            "application/apply-patch+yaml",
            {
                "apiVersion": "projectcalico.org/v3",
                "kind": "BGPPeer",
                "metadata": {"name": "noop"},
                "spec": {"asNumber": 65099},
            },
            id="server-side-apply",
        ),
    ],
)
def test_a_no_op_write_returns_the_identical_bytes_and_resource_version(
    client: Client, content_type: str, patch: object
):
    if client.get(f"{CONFIGMAP_LIKE}/noop").code == 404:
        client.post(CONFIGMAP_LIKE, peer("noop"))
    before = client.get(f"{CONFIGMAP_LIKE}/noop")
    after = client.patch(f"{CONFIGMAP_LIKE}/noop", patch, content_type=content_type, query={"fieldManager": "t"})
    assert after.code == 200
    assert after.raw == before.raw


def test_metadata_only_change_keeps_generation(client: Client):
    created = client.post(CONFIGMAP_LIKE, peer("labels-only")).json
    patched = client.patch(f"{CONFIGMAP_LIKE}/labels-only", {"metadata": {"labels": {"team": "net"}}}).json
    assert patched["metadata"]["generation"] == created["metadata"]["generation"]
    assert patched["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]


def test_strategic_merge_patch_is_415_for_calico_kinds(client: Client):
    reply = client.patch(
        f"{POOLS}/default-ipv4-ippool",
        {"spec": {"natOutgoing": False}},
        content_type="application/strategic-merge-patch+json",
    )
    assert reply.code == 415
    assert reply.json["reason"] == "UnsupportedMediaType"


def test_strategic_merge_patch_merges_service_ports_by_port(client: Client):
    patch = {"spec": {"ports": [{"port": 8080, "targetPort": 80, "name": "alt"}]}}
    client.patch(f"{SERVICES}/nginx-service", {"spec": {"ports": [{"port": 80, "targetPort": 80, "name": "http"}]}})
    merged = client.patch(
        f"{SERVICES}/nginx-service", patch, content_type="application/strategic-merge-patch+json"
    ).json
    assert [port["port"] for port in merged["spec"]["ports"]] == [80, 8080]
    restored = client.patch(
        f"{SERVICES}/nginx-service", {"spec": {"ports": [{"port": 80, "targetPort": 80, "protocol": "TCP"}]}}
    ).json
    assert [port["port"] for port in restored["spec"]["ports"]] == [80]


def test_server_side_apply_creates_when_absent_and_requires_a_field_manager(client: Client):
    body = peer("applied")
    without_manager = client.patch(f"{CONFIGMAP_LIKE}/applied", body, content_type="application/apply-patch+yaml")
    created = client.patch(
        f"{CONFIGMAP_LIKE}/applied",
        body,
        content_type="application/apply-patch+yaml",
        query={"fieldManager": "ansible", "force": "true"},
    )
    assert without_manager.code == 400
    assert created.code == 201
    assert client.get(f"{CONFIGMAP_LIKE}/applied").json["spec"]["peerIP"] == "10.10.10.254"


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        pytest.param("POST", CONFIGMAP_LIKE, peer("dry-created"), "application/json", id="create"),
        pytest.param(
            "PATCH",
            f"{POOLS}/default-ipv4-ippool",
            {"spec": {"natOutgoing": False}},
            "application/merge-patch+json",
            id="patch",
        ),
        pytest.param(
            "PATCH",
            f"{CONFIGMAP_LIKE}/dry-applied",
            peer("dry-applied"),
            "application/apply-patch+yaml",
            id="apply-create",
        ),
        pytest.param("DELETE", f"{POOLS}/default-ipv4-ippool", None, "application/json", id="delete"),
    ],
)
def test_dry_run_persists_nothing_and_keeps_the_resource_version(
    client: Client, method: str, path: str, body: object, content_type: str
):
    version_before = client.get(POOLS).json["metadata"]["resourceVersion"]
    pools_before = client.get(POOLS).raw
    reply = client.call(method, path, body, content_type=content_type, query={"dryRun": "All", "fieldManager": "test"})
    assert reply.code in (200, 201)
    assert client.get(POOLS).json["metadata"]["resourceVersion"] == version_before
    assert client.get(POOLS).raw == pools_before
    assert client.get(f"{CONFIGMAP_LIKE}/dry-created").code == 404
    assert client.get(f"{CONFIGMAP_LIKE}/dry-applied").code == 404


def test_dry_run_patch_returns_what_would_be(client: Client):
    reply = client.patch(f"{POOLS}/default-ipv4-ippool", {"spec": {"natOutgoing": False}}, query={"dryRun": "All"})
    assert reply.json["spec"]["natOutgoing"] is False
    assert client.get(f"{POOLS}/default-ipv4-ippool").json["spec"]["natOutgoing"] is True


def test_delete_returns_the_object_and_removes_it(client: Client):
    client.post(POOLS, lb_pool("to-delete", "172.31.255.0/28"))
    reply = client.delete(f"{POOLS}/to-delete")
    assert (reply.code, reply.json["metadata"]["name"]) == (200, "to-delete")
    assert client.get(f"{POOLS}/to-delete").code == 404


def test_status_subresource_changes_only_status(client: Client):
    current = client.get(f"{SERVICES}/nginx-service").json
    changed = {
        **current,
        "spec": {**current["spec"], "sessionAffinity": "ClientIP"},
        "status": {
            "loadBalancer": {},
            "conditions": [
                {
                    "type": "Probe",
                    "status": "True",
                    "reason": "Test",
                    "message": "",
                    "lastTransitionTime": "2025-01-01T00:00:00Z",
                }
            ],
        },
    }
    updated = client.put(f"{SERVICES}/nginx-service/status", changed).json
    assert updated["spec"]["sessionAffinity"] == "None"
    assert updated["status"]["conditions"][0]["type"] == "Probe"
    main_write = client.patch(
        f"{SERVICES}/nginx-service", {"status": {"loadBalancer": {"ingress": [{"ip": "1.1.1.1"}]}}}
    )
    assert main_write.json["status"] == updated["status"]


def test_audit_log_records_user_verb_query_code_and_dry_run(client: Client, plane):
    client.patch(
        f"{POOLS}/default-ipv4-ippool",
        {"spec": {"natOutgoing": True}},
        query={"dryRun": "All", "fieldManager": "audit-test"},
    )
    entry = next(
        entry for entry in reversed(audit_entries(plane)) if entry["query"].get("fieldManager") == "audit-test"
    )
    assert {key: entry[key] for key in ("user", "verb", "path", "code", "dryRun")} == {
        "user": "twin-admin",
        "verb": "patch",
        "path": f"{POOLS}/default-ipv4-ippool",
        "code": 200,
        "dryRun": True,
    }
    assert entry["query"]["dryRun"] == "All"
    assert "time" in entry
