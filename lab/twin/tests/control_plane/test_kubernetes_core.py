"""kubernetes.core.k8s / k8s_info through real ``ansible-playbook`` runs against the emulator.

One scenario per module, run once: create → re-run (idempotent) → check mode with --diff → apply → delete.
Each test asserts one property of that scenario.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import POOLS, SERVICES, Client, audit_entries

from bgp_lb_twin.control_plane import ControlPlane

pytestmark = pytest.mark.skipif(
    shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) is None,
    reason="ansible-playbook is not installed next to this Python",
)

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ kubeconfig }}"
  tasks:
    - name: IPPool (plain k8s state)
      kubernetes.core.k8s:
        state: "{{ object_state }}"
        definition:
          apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata: {name: ansible-pool}
          spec:
            cidr: 172.16.0.240/28
            blockSize: 28
            natOutgoing: "{{ nat_outgoing }}"
            allowedUses: [LoadBalancer]
            assignmentMode: Automatic
    - name: Service (client-side apply)
      kubernetes.core.k8s:
        state: "{{ object_state }}"
        apply: true
        definition:
          apiVersion: v1
          kind: Service
          metadata: {name: ansible-lb, namespace: default}
          spec:
            type: LoadBalancer
            selector: {app: nginx}
            ports: [{port: 80, targetPort: 80}]
    - name: BGPPeer (server-side apply)
      kubernetes.core.k8s:
        state: "{{ object_state }}"
        apply: true
        server_side_apply: {field_manager: calicolab, force_conflicts: true}
        definition:
          apiVersion: projectcalico.org/v3
          kind: BGPPeer
          metadata: {name: ansible-peer}
          spec: {peerIP: 10.10.10.2, asNumber: "{{ peer_as }}", nodeSelector: all()}
    - name: Read the pool back
      kubernetes.core.k8s_info:
        api_version: projectcalico.org/v3
        kind: IPPool
        name: ansible-pool
      register: pool_info
    - name: Report
      ansible.builtin.debug:
        msg: "POOL_INFO={{ pool_info.resources | to_json }}"
"""


@dataclass
class Run:
    name: str
    returncode: int
    stdout: str
    audit: list[dict[str, Any]]

    @property
    def recap_changed(self) -> int:
        return int(re.search(r"localhost\s*:.*changed=(\d+)", self.stdout).group(1))

    @property
    def pool_info(self) -> list[dict[str, Any]]:
        line = next(line for line in self.stdout.splitlines() if "POOL_INFO=" in line)
        return json.loads(line.split("POOL_INFO=", 1)[1].rstrip('"').replace('\\"', '"'))


def run_playbook(plane: ControlPlane, workdir: Path, name: str, extra: dict[str, Any], *flags: str) -> Run:
    playbook = workdir / "playbook.yml"
    playbook.write_text(PLAYBOOK)
    tmpdir = workdir / "tmp"  # kubernetes.core caches discovery in $TMPDIR/k8srcp-*.json: keep it private
    tmpdir.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "TMPDIR": str(tmpdir),
        "ANSIBLE_LOCAL_TEMP": str(tmpdir),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOME": str(workdir / "ansible-home"),
        "ANSIBLE_STDOUT_CALLBACK": "default",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
    }
    variables = {
        "kubeconfig": str(plane.kubeconfig_path),
        "object_state": "present",
        "nat_outgoing": True,
        "peer_as": 65002,
        **extra,
    }
    audit_before = len(audit_entries(plane))
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            "localhost,",
            str(playbook),
            "-e",
            json.dumps(variables),
            *flags,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return Run(name, result.returncode, result.stdout + result.stderr, audit_entries(plane)[audit_before:])


@pytest.fixture(scope="module")
def scenario(plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    workdir = tmp_path_factory.mktemp("ansible")
    runs = {}
    for name, extra, flags in [
        ("create", {}, ()),
        ("rerun", {}, ()),
        ("check", {"nat_outgoing": False, "peer_as": 65003}, ("--check", "--diff")),
        ("update", {"nat_outgoing": False, "peer_as": 65003}, ()),
        ("delete", {"object_state": "absent"}, ()),
    ]:
        runs[name] = run_playbook(plane, workdir, name, extra, *flags)
        assert runs[name].returncode == 0, runs[name].stdout
        if name == "update":
            runs["objects_after_update"] = Client(plane).get(f"{POOLS}/ansible-pool").json  # type: ignore[assignment]
            runs["service_after_update"] = Client(plane).get(f"{SERVICES}/ansible-lb").json  # type: ignore[assignment]
    return runs


def test_first_run_creates_every_object(scenario: dict[str, Run]):
    created = {(entry["path"], entry["code"]) for entry in scenario["create"].audit if entry["verb"] == "create"}
    assert scenario["create"].recap_changed == 3
    assert {path for path, code in created if code == 201} >= {POOLS, SERVICES}
    assert scenario["create"].pool_info[0]["spec"]["cidr"] == "172.16.0.240/28"


def test_server_side_apply_uses_apply_patch_with_field_manager(scenario: dict[str, Run]):
    applies = [
        entry for entry in scenario["create"].audit if entry.get("contentType") == "application/apply-patch+yaml"
    ]
    assert [
        (entry["path"].rsplit("/", 1)[1], entry["query"].get("fieldManager"), entry["code"]) for entry in applies
    ] == [("ansible-peer", "calicolab", 201)]


def test_second_run_changes_nothing(scenario: dict[str, Run]):
    assert scenario["rerun"].recap_changed == 0


def test_check_mode_sends_only_dry_run_writes(scenario: dict[str, Run]):
    writes = [entry for entry in scenario["check"].audit if "dryRun" in entry]
    assert writes
    assert all(entry["dryRun"] and entry["query"].get("dryRun") == "All" for entry in writes)
    assert scenario["check"].recap_changed == 2


def test_check_mode_persists_nothing(scenario: dict[str, Run]):
    assert scenario["check"].pool_info[0]["spec"]["natOutgoing"] is True


def test_diff_shows_the_change(scenario: dict[str, Run]):
    assert re.search(r'^-\s+"?natOutgoing"?: true', scenario["check"].stdout, re.MULTILINE)
    assert re.search(r'^\+\s+"?natOutgoing"?: false', scenario["check"].stdout, re.MULTILINE)


def test_update_changes_the_pool_and_keeps_the_service_address(scenario: dict[str, Run]):
    pool = scenario["objects_after_update"]
    service = scenario["service_after_update"]
    assert (pool["spec"]["natOutgoing"], pool["metadata"]["generation"]) == (False, 2)
    assert service["status"]["loadBalancer"]["ingress"][0]["ip"] == "172.16.0.241"


def test_delete_removes_every_object(scenario: dict[str, Run], client: Client):
    deletes = [entry for entry in scenario["delete"].audit if entry["verb"] == "delete"]
    assert scenario["delete"].recap_changed == 3
    assert all(entry["code"] == 200 for entry in deletes)
    assert client.get(f"{POOLS}/ansible-pool").code == 404
    assert client.get(f"{SERVICES}/ansible-lb").code == 404
