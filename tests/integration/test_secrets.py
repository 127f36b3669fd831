"""Secrets and least privilege: no token, key or password in output up to -vvv; TLS verified; RBAC is minimal.

One site.yml -vvv and one teardown.yml -vvv run on a shared twin feed the output checks and the RBAC checks
(every API request they made, read from the audit log, must be granted by docs/rbac.yaml, and every grant used).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import BIN, REPO, Twin, rbac_limited_identity, run_playbook, write_playbook

RBAC = REPO / "docs" / "rbac.yaml"
# Verbs kube-apiserver authorises that its audit log records under another verb: a server-side apply (patch) that
# creates an object is also authorised as create, and our runs apply (create) Services, IPPools and BGPPeers.
CREATE_BY_APPLY = {("", "services", "create"), ("projectcalico.org", "ippools", "create")}
CREATE_BY_APPLY |= {("projectcalico.org", "bgppeers", "create")}
# Granted for the failure path only (lb_service explains a Service that got no address): a healthy run never reads it.
ONLY_WHEN_EXPLAINING = {("projectcalico.org", "kubecontrollersconfigurations", "get")}
# Sent only for a BGPPeer whose live object differs from its manifest: the twin's seeded bgppeer-arista already holds
# the lab's peer, so bgp_advertisement applies nothing (test_site_twin.py's
# test_a_peer_that_differs_from_its_manifest_is_applied runs that path).
ONLY_WHEN_DIFFERENT = {("projectcalico.org", "bgppeers", "patch")}
DISCOVERY = re.compile(r"^/(version|openapi/.*|api|api/v1|apis|apis/[^/]+|apis/[^/]+/[^/]+)/?$")
SHIPPED = ["roles", "playbooks", "inventory", "plugins", "site.yml", "ansible.cfg"]
TLS_OFF = re.compile(r"insecure-skip-tls-verify|validate_certs:\s*(false|no)\b|verify_ssl:\s*(false|no)\b", re.I)


@pytest.fixture(scope="module")
def verbose_runs(module_twin: Twin, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """site.yml and teardown.yml at -vvv on one twin, as the service account bound only to docs/rbac.yaml's
    ClusterRole (kube-apiserver's RBAC refuses what it lacks), with the API requests that identity made."""
    identity = rbac_limited_identity(module_twin.api, tmp_path_factory.mktemp("rbac"))
    as_limited = {"bgp_lb_kubeconfig": str(identity.kubeconfig)}
    mark = module_twin.audit_mark()
    site = run_playbook("site.yml", "-vvv", extra_vars=as_limited, json_output=False)
    teardown = run_playbook("playbooks/teardown.yml", "-vvv", extra_vars=as_limited, json_output=False)
    requests = [entry for entry in module_twin.audit_since(mark) if entry["user"] == identity.username]
    return {
        "site": site,
        "teardown": teardown,
        "requests": requests,
        "token": identity.token,
        "admin_token": module_twin.status["api"]["token"],
        "private_key": Path(module_twin.status["ssh"]["private_key"]).read_text(),
    }


@pytest.mark.root
@pytest.mark.twin
@pytest.mark.parametrize("playbook", [pytest.param("site", id="site-vvv"), pytest.param("teardown", id="teardown-vvv")])
def test_no_token_or_key_in_verbose_output(verbose_runs: dict, playbook: str):
    run = verbose_runs[playbook]
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "<ESTABLISH" in output or "ESTABLISH" in output, "expected -vvv output"
    assert verbose_runs["token"] not in output
    assert verbose_runs["admin_token"] not in output
    key_lines = [line for line in verbose_runs["private_key"].splitlines() if line and "PRIVATE KEY" not in line]
    assert [line for line in key_lines if line in output] == []


@pytest.mark.root
@pytest.mark.twin
def test_a_rejected_token_is_not_echoed_at_vvv(module_twin: Twin, tmp_path: Path):
    config = yaml.safe_load(Path(module_twin.status["api"]["kubeconfig"]).read_text())
    config["users"][0]["user"]["token"] = "rejected-token-5f2b7c0e9d1a"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))

    run = run_playbook("site.yml", "-vvv", extra_vars={"bgp_lb_kubeconfig": str(kubeconfig)}, json_output=False)

    assert run.returncode != 0
    assert "401" in run.stdout
    assert "rejected-token-5f2b7c0e9d1a" not in run.stdout + run.stderr


def test_router_password_resolves_but_never_prints(tmp_path: Path):
    """The containerlab inventory's EOS password, from the environment, through ansible-inventory and a play."""
    secret = "eos-Pa55-7d41c9"
    environment = {**os.environ, "EOS_PASSWORD": secret, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    environment.pop("EOS_VALIDATE_CERTS", None)
    inventory = REPO / "inventory" / "containerlab"
    listing = subprocess.run(
        [BIN / "ansible-inventory", "-i", inventory, "--list", "-vvv"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        check=False,
    )
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert "ansible_password" in listing.stdout
    assert secret not in listing.stdout + listing.stderr

    # A check-only play on the controller: the password resolves to the secret, TLS checks stay on by default.
    play = {
        "name": "Resolve the router credentials without connecting",
        "hosts": "upstream_routers",
        "gather_facts": False,
        "connection": "local",
        "tasks": [
            {
                "name": "The password comes from EOS_PASSWORD",
                "ansible.builtin.assert": {
                    "that": ["ansible_password == lookup('ansible.builtin.env', 'EOS_PASSWORD')"]
                },
                "no_log": True,
            },
            {
                "name": "A task that needs the password hides it",
                "ansible.builtin.debug": {"msg": "connecting as {{ ansible_user }} with {{ ansible_password }}"},
                "no_log": True,
            },
            {
                "name": "eAPI certificates are verified unless EOS_VALIDATE_CERTS says otherwise",
                "ansible.builtin.assert": {"that": ["ansible_httpapi_validate_certs | bool"]},
            },
        ],
    }
    playbook = write_playbook(tmp_path, [play])
    run = run_playbook(playbook, "-vvv", "--check", inventory=inventory, env=environment, json_output=False)
    assert run.returncode == 0, run.stdout[-3000:]
    assert secret not in run.stdout + run.stderr


def test_tls_verification_is_never_switched_off_in_what_we_ship():
    offenders = []
    for top in SHIPPED:
        path = REPO / top
        files = [path] if path.is_file() else [item for item in path.rglob("*") if item.is_file()]
        for file in files:
            if file.suffix in {".yml", ".yaml", ".py", ".cfg", ".j2"} and TLS_OFF.search(file.read_text()):
                offenders.append(str(file.relative_to(REPO)))
    assert offenders == []


@pytest.mark.root
@pytest.mark.twin
def test_the_twin_kubeconfig_verifies_the_api_certificate(module_twin: Twin):
    config = yaml.safe_load(Path(module_twin.status["api"]["kubeconfig"]).read_text())
    cluster = config["clusters"][0]["cluster"]
    assert cluster["server"].startswith("https://")
    assert cluster.get("certificate-authority-data") or cluster.get("certificate-authority")
    assert "insecure-skip-tls-verify" not in cluster


# --- RBAC ----------------------------------------------------------------------------------------------------


def cluster_role_rules() -> list[dict]:
    manifest = yaml.safe_load(RBAC.read_text())
    roles = [item for item in manifest["items"] if item["kind"] == "ClusterRole"]
    assert len(roles) == 1
    return roles[0]["rules"]


def requested_permission(entry: dict) -> tuple[str, str, str, str | None] | None:
    """(apiGroup, resource[/subresource], verb, name) of one audit entry; None for discovery."""
    path = entry["path"].rstrip("/")
    if DISCOVERY.match(path):
        return None
    parts = path.strip("/").split("/")
    group, rest = ("", parts[2:]) if parts[0] == "api" else (parts[1], parts[3:])
    if rest[:1] == ["namespaces"] and len(rest) > 2:
        rest = rest[2:]
    resource = rest[0] if len(rest) < 3 else f"{rest[0]}/{rest[2]}"
    name = rest[1] if len(rest) > 1 else None
    return group, resource, entry["verb"], name


def grants(rules: list[dict], group: str, resource: str, verb: str, name: str | None) -> bool:
    return any(
        group in rule["apiGroups"]
        and resource in rule["resources"]
        and verb in rule["verbs"]
        and ("resourceNames" not in rule or name in rule["resourceNames"])
        for rule in rules
    )


@pytest.mark.root
@pytest.mark.twin
def test_site_and_teardown_succeed_as_a_user_bound_only_to_the_cluster_role(verbose_runs: dict):
    for playbook in ("site", "teardown"):
        run = verbose_runs[playbook]
        assert run.returncode == 0, f"{playbook}: {(run.stdout + run.stderr)[-3000:]}"
    refused = [entry["path"] for entry in verbose_runs["requests"] if entry["code"] == 403]
    assert refused == []


@pytest.mark.root
@pytest.mark.twin
def test_every_api_request_of_site_and_teardown_is_granted_by_the_cluster_role(verbose_runs: dict):
    rules = cluster_role_rules()
    requests = [permission for entry in verbose_runs["requests"] if (permission := requested_permission(entry))]
    assert len(requests) > 20
    assert sorted({request for request in requests if not grants(rules, *request)}) == []


@pytest.mark.root
@pytest.mark.twin
def test_the_cluster_role_grants_nothing_the_playbooks_do_not_use(verbose_runs: dict):
    used = {permission[:3] for entry in verbose_runs["requests"] if (permission := requested_permission(entry))}
    granted = {
        (group, resource, verb)
        for rule in cluster_role_rules()
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert sorted(granted - used - CREATE_BY_APPLY - ONLY_WHEN_EXPLAINING - ONLY_WHEN_DIFFERENT) == []
