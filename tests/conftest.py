"""Shared test tooling: run real ansible-playbook against this checkout and read its JSON results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.twin_probe import kernel_next_hops

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Toolchain:
    """Which ansible-playbook runs, and where its collections come from (None: ansible.cfg's collections_path and the
    venv's `ansible` package)."""

    bin: Path
    collections: Path | None = None


NEWEST = Toolchain(BIN)
# The oldest versions the collection claims (requirements-floor.txt), built by tools/setup.sh.
FLOOR = Toolchain(REPO / ".venv-floor" / "bin", REPO / ".floor")


@dataclass
class PlaybookRun:
    """One finished ansible-playbook run, with the JSON callback's view of it."""

    returncode: int
    stdout: str
    stderr: str
    report: dict

    def stats(self, host: str) -> dict:
        return self.report.get("stats", {}).get(host, {})

    def changed(self, host: str) -> int:
        return self.stats(host).get("changed", 0)

    def failed(self, host: str) -> int:
        return self.stats(host).get("failures", 0)

    def task_results(self, host: str) -> list[tuple[str, dict]]:
        """(task name, result) for every task that ran on ``host``, in order."""
        results = []
        for play in self.report.get("plays", []):
            for task in play.get("tasks", []):
                result = task.get("hosts", {}).get(host)
                if result is not None:
                    results.append((task["task"]["name"], result))
        return results

    def result_of(self, host: str, name_part: str) -> dict:
        matches = [result for name, result in self.task_results(host) if name_part in name]
        names = [name for name, _result in self.task_results(host)]
        assert matches, f"no task containing {name_part!r} ran on {host}: {names}"
        return matches[-1]

    def failure_messages(self, host: str) -> list[str]:
        return [str(result.get("msg", "")) for _name, result in self.task_results(host) if result.get("failed")]


def run_playbook(
    playbook: Path | str,
    *args: str,
    inventory: Path | str | None = None,
    extra_vars: dict | None = None,
    env: dict | None = None,
    json_output: bool = True,
    timeout: float = 600,
    toolchain: Toolchain = NEWEST,
    project: Path = REPO,
) -> PlaybookRun:
    """Run ansible-playbook in ``project`` (by default the repository root) with that directory's ansible.cfg, as a
    shell there would (PWD included)."""
    argv = [str(toolchain.bin / "ansible-playbook"), str(playbook), *args]
    if inventory is not None:
        argv += ["-i", str(inventory)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    environment = {
        **os.environ,
        "ANSIBLE_CONFIG": str(project / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "PWD": str(project),
    }
    if toolchain.collections is not None:
        environment["ANSIBLE_COLLECTIONS_PATH"] = str(toolchain.collections)
    if json_output:
        environment["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    environment.update(env or {})
    done = subprocess.run(
        argv, cwd=project, capture_output=True, text=True, env=environment, timeout=timeout, check=False
    )
    report = {}
    if json_output and done.stdout.strip().startswith("{"):
        report = json.loads(done.stdout)
    return PlaybookRun(done.returncode, done.stdout, done.stderr, report)


def build_collection(source: Path, workdir: Path) -> Path:
    """``ansible-galaxy collection build`` of ``source`` into ``workdir``, as a release would: the tarball's path."""
    # An empty config, so this checkout's collections_path (where calicolab.bgp_lb is linked) cannot leak in.
    empty_config = workdir / "ansible.cfg"
    empty_config.write_text("[defaults]\n")
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", workdir, source],
        check=True,
        capture_output=True,
        env={**os.environ, "ANSIBLE_CONFIG": str(empty_config)},
    )
    return next(workdir.glob("calicolab-bgp_lb-*.tar.gz"))


def write_playbook(directory: Path, plays: list[dict], name: str = "playbook.yml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(plays, sort_keys=False))
    return path


@pytest.fixture
def playbook_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def eapi_router(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The eAPI stand-in (tests/eapi_fake.py, its own process) as an EOS router with password ``eapi-test-5e1d``.

    inventory/containerlab reads its EOS_* variables from the environment: the tests decide them (from the device's
    ``password`` and ``ca_path``), not the developer's shell.
    """
    from tests.eapi_fake import FakeEapi

    for name in ("EOS_USERNAME", "EOS_PASSWORD", "EOS_VALIDATE_CERTS", "EOS_CA_PATH"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "eapi").mkdir()
    with FakeEapi(tmp_path / "eapi", password="eapi-test-5e1d") as device:
        yield device


# ---------------------------------------------------------------------------------------------------------------
# The twin, as the integration tests see it: the CLI to start and stop it, and plain HTTPS/vtysh to look at it
# directly (never through the collection, so the observation cannot share the code under test).

TWIN_CLI = BIN / "bgp-lb-twin"
STATE_DIR = REPO / ".twin"
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}
COLLECTION_USER = "twin-admin"  # .twin/kubeconfig's user; the twin's own components have identities of their own
HTTP_METHODS = {"create": "POST", "update": "PUT", "patch": "PATCH", "delete": "DELETE", "deletecollection": "DELETE"}


def audit_entry(event: dict) -> dict:
    """One kube-apiserver audit event (audit.k8s.io/v1) with flat keys: path, query, method, verb, code, dryRun,
    user and userAgent; the whole event stays under ``event``."""
    from urllib.parse import parse_qs, urlsplit

    uri = urlsplit(event.get("requestURI", ""))
    query = {key: values[-1] for key, values in parse_qs(uri.query).items()}
    return {
        "path": uri.path,
        "query": query,
        "method": HTTP_METHODS.get(event.get("verb"), "GET"),
        "verb": event.get("verb"),
        "code": (event.get("responseStatus") or {}).get("code", 0),
        "dryRun": query.get("dryRun") == "All",
        "user": (event.get("user") or {}).get("username"),
        "userAgent": event.get("userAgent", ""),
        "event": event,
    }


class TwinApi:
    """Minimal Kubernetes API reader with the twin's CA and token."""

    def __init__(self, status: dict) -> None:
        import ssl

        self.url = status["api"]["url"]
        self.token = status["api"]["token"]
        self.kubeconfig = status["api"]["kubeconfig"]
        self.context = ssl.create_default_context(cafile=status["api"]["ca"])

    def get(self, path: str) -> dict | None:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def lb_ip(self, name: str = "lb-nginx-service", namespace: str = "default") -> str | None:
        """The address Calico's LoadBalancer IPAM gave the Service (never assumed: the real one picks it)."""
        service = self.get(f"/api/v1/namespaces/{namespace}/services/{name}") or {}
        ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or [{}]
        return ingress[0].get("ip")

    def snapshot(self) -> dict[str, object]:
        """The objects the collection may touch, without server bookkeeping that changes on every write, and
        without what kube-apiserver allocates at random when a Service is created (ClusterIPs, NodePorts)."""
        paths = {
            "ippools": "/apis/projectcalico.org/v3/ippools",
            "bgpconfigurations": "/apis/projectcalico.org/v3/bgpconfigurations",
            "bgppeers": "/apis/projectcalico.org/v3/bgppeers",
            "services": "/api/v1/services",
        }
        snapshot = {}
        for name, path in paths.items():
            items = self.get(path)["items"]
            for item in items:
                for key in ("resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"):
                    item["metadata"].pop(key, None)
                if name == "services":
                    spec = item["spec"]
                    for key in ("clusterIP", "clusterIPs"):
                        spec.pop(key, None)
                    for port in spec.get("ports", []):
                        port.pop("nodePort", None)
            snapshot[name] = sorted(
                items, key=lambda item: (item["metadata"].get("namespace", ""), item["metadata"]["name"])
            )
        return snapshot


class Twin:
    def __init__(self) -> None:
        self.status = json.loads(
            subprocess.run([TWIN_CLI, "status", "--json"], capture_output=True, text=True, check=True).stdout
        )
        self.api = TwinApi(self.status)

    def vtysh(self, *commands: str) -> str:
        argv = ["vtysh", "-H", "/dev/null", "--vty_socket", self.status["router"]["vty_socket_dir"]]
        for command in commands:
            argv += ["-c", command]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        """The twin's own kubectl (make setup links it into .venv/bin) as the collection's user, as a person types."""
        done = subprocess.run(
            [str(BIN / "kubectl"), "--kubeconfig", self.api.kubeconfig, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
        return done.stdout

    def running_config(self) -> str:
        # The first lines name the FRR version and the (host's) hostname, which differ by where vtysh runs.
        return "\n".join(
            line for line in self.vtysh("show running-config").splitlines() if not line.startswith(("frr ", "hostname"))
        )

    def audit_mark(self) -> int:
        path = STATE_DIR / "audit.jsonl"
        return path.stat().st_size if path.exists() else 0

    def audit_since(self, mark: int) -> list[dict]:
        """kube-apiserver's audit events after ``mark``, each with a few flat keys for the tests (see audit_entry)."""
        with (STATE_DIR / "audit.jsonl").open("rb") as handle:
            handle.seek(mark)
            return [audit_entry(json.loads(line)) for line in handle.read().splitlines() if line.strip()]

    @staticmethod
    def real_writes(entries: list[dict]) -> list[dict]:
        """Writes by the collection's user that persisted something: a write verb, no dry run, accepted."""
        return [
            entry
            for entry in entries
            if entry["user"] == COLLECTION_USER
            and entry["verb"] in WRITE_VERBS
            and not entry["dryRun"]
            and entry["code"] < 400
        ]

    @staticmethod
    def route_next_hops(prefix: str) -> list[str]:
        return kernel_next_hops(prefix)


def _twin_cli(*args: str) -> None:
    subprocess.run([TWIN_CLI, *args], check=True, capture_output=True, text=True, timeout=120)


def needs_twin() -> None:
    if os.geteuid() != 0:
        pytest.skip("the twin needs root (network namespaces)")
    if not TWIN_CLI.exists():
        pytest.skip("bgp-lb-twin is not installed: run make setup")


TWIN_LOCK = Path("/tmp/bgp-lb-twin.lock")  # one twin per machine: namespace names are fixed


@pytest.fixture
def fresh_twin():
    """A twin in the lab's starting state (down, then up), taken down again afterwards."""
    import fcntl

    needs_twin()
    with TWIN_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _twin_cli("down")
        _twin_cli("up")
        try:
            yield Twin()
        finally:
            _twin_cli("down")


# ---------------------------------------------------------------------------------------------------------------
# Writing to the twin directly (seeding state the collection must respect), a twin shared by a whole module, and
# Ansible failure messages including unreachable hosts. Used by the reliability suite (tests/integration).


def api_write(api: TwinApi, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """One plain HTTPS write to the twin's API, around the collection: (status code, decoded answer)."""
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"}
    request = urllib.request.Request(api.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=api.context, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def api_put(api: TwinApi, path: str, body: dict) -> dict:
    """Replace (or create, for a POST-less seed) an object and insist that the server accepted it."""
    code, answer = api_write(api, "PUT", path, body)
    assert code < 300, f"PUT {path} -> {code}: {answer}"
    return answer


def api_post(api: TwinApi, path: str, body: dict) -> dict:
    code, answer = api_write(api, "POST", path, body)
    assert code < 300, f"POST {path} -> {code}: {answer}"
    return answer


@pytest.fixture(scope="module")
def module_twin():
    """One twin for a whole test module, for suites whose cases leave it as they found it (and check that).

    Never mix it with ``fresh_twin`` in one module: both take the lock, and the second would wait forever."""
    import fcntl

    needs_twin()
    with TWIN_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _twin_cli("down")
        _twin_cli("up")
        try:
            yield Twin()
        finally:
            _twin_cli("down")


RBAC_MANIFEST = REPO / "docs" / "rbac.yaml"


@dataclass
class LimitedIdentity:
    kubeconfig: Path
    username: str
    token: str


def rbac_limited_identity(
    api: TwinApi, directory: Path, without: tuple[str, set[str]] | None = None
) -> LimitedIdentity:
    """The service account of docs/rbac.yaml, bound only to its ClusterRole, with a kubeconfig for it: real RBAC
    on the twin's kube-apiserver then refuses whatever the role lacks. ``without=(resource, verbs)`` removes those
    verbs on that resource from the ClusterRole first."""
    manifest = yaml.safe_load(RBAC_MANIFEST.read_text())
    if without is not None:
        resource, verbs = without
        for item in manifest["items"]:
            for rule in item.get("rules", []):
                if resource in rule.get("resources", []):
                    rule["verbs"] = [verb for verb in rule["verbs"] if verb not in verbs]
    plural = {"ClusterRole": "clusterroles", "ClusterRoleBinding": "clusterrolebindings"}
    account = None
    for item in manifest["items"]:
        if item["kind"] == "ServiceAccount":
            account = item["metadata"]
            path = f"/api/v1/namespaces/{account['namespace']}/serviceaccounts"
        else:
            path = f"/apis/rbac.authorization.k8s.io/v1/{plural[item['kind']]}"
        code, answer = api_write(api, "POST", path, item)
        assert code in (201, 409), f"POST {path} -> {code}: {answer}"
    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 3600}}
    token_path = f"/api/v1/namespaces/{account['namespace']}/serviceaccounts/{account['name']}/token"
    token = api_post(api, token_path, request)["status"]["token"]
    config = yaml.safe_load(Path(api.kubeconfig).read_text())
    config["users"] = [{"name": account["name"], "user": {"token": token}}]
    for context in config["contexts"]:
        context["context"]["user"] = account["name"]
    kubeconfig = directory / "rbac-limited.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump(config))
    kubeconfig.chmod(0o600)
    return LimitedIdentity(kubeconfig, f"system:serviceaccount:{account['namespace']}:{account['name']}", token)


def problem_messages(run: PlaybookRun) -> list[str]:
    """Every failed or unreachable result as 'host: msg', in order (failure_messages skips unreachable hosts)."""
    found = []
    for play in run.report.get("plays", []):
        for task in play.get("tasks", []):
            for host, result in task.get("hosts", {}).items():
                if result.get("failed") or result.get("unreachable"):
                    found.append(f"{host}: {result.get('msg', '')}")
                    # a loop's own msg is only "One or more items failed": the reasons are in the items
                    items = [item for item in result.get("results", []) if item.get("failed")]
                    found += [f"{host}: {item.get('msg', '')}" for item in items]
    return found


def patch(api: TwinApi, path: str, body: dict) -> dict:
    """JSON merge-patch (RFC 7386) one object over plain HTTPS, around the collection; ``None`` values delete keys."""
    import urllib.request

    request = urllib.request.Request(
        api.url + path,
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "application/merge-patch+json"},
    )
    with urllib.request.urlopen(request, context=api.context, timeout=10) as response:
        return json.loads(response.read())


def wait_for_audit(twin: Twin, mark: int, matches, process=None, timeout: float = 120) -> dict:
    """Poll the audit log from ``mark`` until an entry satisfies ``matches``; fail if ``process`` ends first."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in twin.audit_since(mark):
            if matches(entry):
                return entry
        if process is not None and process.poll() is not None:
            pytest.fail(f"the run ended (rc {process.returncode}) before the awaited API request")
        time.sleep(0.02)
    pytest.fail(f"no matching API request within {timeout} s")


def start_playbook(
    playbook: Path | str, log: Path, *args: str, extra_vars: dict | None = None, env: dict | None = None
) -> subprocess.Popen:
    """ansible-playbook in the background, output to ``log`` (a pipe could fill up and stall the run), in its own
    process group so that a test can kill the whole run."""
    argv = [str(BIN / "ansible-playbook"), str(playbook), *args]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    environment = {**os.environ, "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1", **(env or {})}
    with log.open("w") as output:
        return subprocess.Popen(
            argv, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def restart_twin(twin: Twin) -> None:
    """Down and up again, in place: for a shared twin that a failed case may have changed (the lock is held)."""
    _twin_cli("down")
    _twin_cli("up")
    twin.__init__()
