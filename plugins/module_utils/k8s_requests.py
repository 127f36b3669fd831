# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's one way to talk to kube-apiserver: every request bounded, every failure one sentence.

Pure Python (no Ansible imports). kubernetes.core's ``k8s`` lookup and modules take no request timeout, so a
kube-apiserver that accepts the connection and then says nothing holds a run forever. The collection's reads and
writes (actions ``k8s_read``, ``k8s_apply``, ``k8s_dry_run``, ``lb_advert_apply``) go through :class:`KubernetesApi`:
the Python ``kubernetes`` client loads the kubeconfig (tokens, client certificates, exec and OIDC credentials, the
CA) and owns the connection pool; each request is sent once, bounded by a number of seconds, to a path this module
builds from a table of the kinds the collection touches, so no API discovery request is needed either. A request that
fails in transport raises :class:`NoAnswer` with one sentence that names the API server's URL.
"""

from __future__ import annotations

import json
import math
import os
import ssl
from collections.abc import Mapping
from typing import Any, NamedTuple, Optional
from urllib.parse import quote, urlencode

FIELD_MANAGER = "calicolab.bgp_lb"

# (apiVersion, kind) -> (the resource's plural, namespaced), for the objects the collection reads or writes.
RESOURCES = {
    ("v1", "Node"): ("nodes", False),
    ("v1", "Service"): ("services", True),
    ("projectcalico.org/v3", "IPPool"): ("ippools", False),
    ("projectcalico.org/v3", "BGPPeer"): ("bgppeers", False),
    ("projectcalico.org/v3", "BGPConfiguration"): ("bgpconfigurations", False),
    ("projectcalico.org/v3", "KubeControllersConfiguration"): ("kubecontrollersconfigurations", False),
}


def resource_path(api_version: str, kind: str, namespace: Optional[str] = None, name: Optional[str] = None) -> str:
    """The REST path of a list (no name) or of one object; raises ValueError for a kind the collection does not use."""
    known = RESOURCES.get((api_version, kind))
    if known is None:
        kinds = ", ".join(f"{kind} ({version})" for version, kind in RESOURCES)
        raise ValueError(f"{kind} ({api_version}) is not a kind the collection reads or writes: {kinds}")
    plural, namespaced = known
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    scope = f"/namespaces/{quote(namespace or 'default', safe='')}" if namespaced and (namespace or name) else ""
    return f"{base}{scope}/{plural}" + (f"/{quote(name, safe='')}" if name else "")


def object_path(obj: Mapping[str, Any]) -> str:
    """The REST path of the object a manifest (or an object as read) names."""
    metadata = obj.get("metadata") or {}
    return resource_path(obj.get("apiVersion", ""), obj.get("kind", ""), metadata.get("namespace"), metadata["name"])


def no_answer(server: str, seconds: float) -> str:
    return f"the Kubernetes API at {server} did not answer within {seconds:g} s"


def refused_connection(server: str) -> str:
    return f"the API server does not answer at {server} (no connection)"


def http_refusal(server: str, status: int, path: str) -> str:
    if status == 401:
        return (
            "the API server rejected the credentials (401 Unauthorized); check the user's token or client certificate"
        )
    if status == 403:
        return f"the user may not read {path} (403 Forbidden); grant the ClusterRole in docs/rbac.yaml"
    return f"the Kubernetes API at {server} answered HTTP {status} for {path}"


def untrusted_certificate(server: str) -> str:
    return (
        f"the API server's TLS certificate at {server} does not verify against the kubeconfig's certificate-authority "
        "(verification stays on: fix the CA, do not skip it)"
    )


def positive_seconds(value: Any, name: str = "request_timeout") -> float:
    """``value`` as a positive number of seconds; ValueError naming ``name`` and the value otherwise."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if seconds <= 0 or not math.isfinite(seconds):  # NaN and infinity are not finite
        raise ValueError(f"{name} {value!r} must be a positive number of seconds")
    return seconds


class NoAnswer(Exception):
    """A request that got no HTTP answer, or a read the API server refused; ``str()`` is one sentence naming the
    API server."""


class Answer(NamedTuple):
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 299


class KubernetesApi:
    """kube-apiserver as the kubeconfig describes it, each request sent once and bounded by ``seconds``."""

    def __init__(self, kubeconfig: Any, context: Optional[str], seconds: Any) -> None:
        """Load the kubeconfig (a path or its content; E(K8S_AUTH_KUBECONFIG)/E(KUBECONFIG)/~/.kube/config when
        omitted, as kubernetes.core finds it). Raises ValueError for a bound that is not a positive number, and the
        client's ConfigException for a kubeconfig it cannot use."""
        from kubernetes import client, config

        self.seconds = positive_seconds(seconds)
        kubeconfig = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG")
        context = context or os.environ.get("K8S_AUTH_CONTEXT")
        configuration = client.Configuration()
        if isinstance(kubeconfig, Mapping):
            config.load_kube_config_from_dict(
                dict(kubeconfig), context=context, client_configuration=configuration, persist_config=False
            )
        else:
            path = os.path.expanduser(kubeconfig) if kubeconfig else None
            config.load_kube_config(
                config_file=path, context=context, client_configuration=configuration, persist_config=False
            )
        configuration.retries = False  # urllib3 would send a request that timed out three more times
        self._client = client.ApiClient(configuration)
        self.server = configuration.host

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        content_type: str = "",
    ) -> Answer:
        """One request, bounded; the answer whatever its HTTP status, or NoAnswer.

        Sent through the client's connection pool (its TLS settings, client certificate and proxy) with the
        Authorization header the client would send (a token, or a refreshed exec/OIDC credential), and the body
        serialised here, so the request is the same whichever release of the client is installed.
        """
        import urllib3

        headers = {"Accept": "application/json"}
        configuration = self._client.configuration
        # The key the kubeconfig loader fills: "BearerToken" in newer releases, "authorization" in older ones.
        authorization = configuration.get_api_key_with_prefix("BearerToken") or configuration.get_api_key_with_prefix(
            "authorization"
        )
        if authorization:
            headers["Authorization"] = authorization
        payload = None
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
            payload = json.dumps(body).encode()  # JSON is YAML too, for an apply patch
        url = self.server + path + (f"?{urlencode(query)}" if query else "")
        try:
            response = self._client.rest_client.pool_manager.request(
                method,
                url,
                body=payload,
                headers=headers,
                timeout=urllib3.Timeout(total=self.seconds),
                retries=False,
                preload_content=True,
            )
        except Exception as error:  # every transport failure becomes one sentence that names the server
            raise NoAnswer(self._why(error)) from None
        try:
            parsed = json.loads(response.data or b"null")
        except ValueError:
            parsed = {"message": response.data.decode(errors="replace")[:200]}
        return Answer(int(response.status), parsed)

    def read(self, api_version: str, kind: str, namespace: Optional[str] = None, name: Optional[str] = None) -> list:
        """The list, or ``[object]`` / ``[]`` for a named object; NoAnswer also for a refused read, in words."""
        path = resource_path(api_version, kind, namespace, name)
        answer = self.send("GET", path)
        if (
            answer.status == 404
            and name
            and isinstance(answer.body, Mapping)
            and answer.body.get("reason") == "NotFound"
        ):
            return []  # the object does not exist (a path nobody serves answers 404 without a Status)
        if not answer.ok:
            raise NoAnswer(http_refusal(self.server, answer.status, path))
        return [answer.body] if name else answer.body.get("items", [])

    def apply(self, manifest: Mapping[str, Any], force: bool = False, dry_run: bool = False) -> Answer:
        """Server-side apply under the field manager ``calicolab.bgp_lb``."""
        query = {"fieldManager": FIELD_MANAGER, **({"force": "true"} if force else {}), **_dry(dry_run)}
        return self.send("PATCH", object_path(manifest), manifest, query, "application/apply-patch+yaml")

    def replace(self, manifest: Mapping[str, Any], dry_run: bool = False) -> Answer:
        """PUT, carrying the manifest's resourceVersion (409 Conflict when another writer got there first)."""
        return self.send("PUT", object_path(manifest), manifest, {"fieldManager": FIELD_MANAGER, **_dry(dry_run)})

    def create(self, manifest: Mapping[str, Any], dry_run: bool = False) -> Answer:
        path = object_path(manifest).rsplit("/", 1)[0]
        return self.send("POST", path, manifest, {"fieldManager": FIELD_MANAGER, **_dry(dry_run)})

    def delete(self, obj: Mapping[str, Any], dry_run: bool = False) -> Answer:
        return self.send("DELETE", object_path(obj), None, _dry(dry_run))

    def _why(self, error: Exception) -> str:
        import urllib3.exceptions as failures

        cause = error.reason if isinstance(error, failures.MaxRetryError) else error
        if isinstance(cause, (failures.SSLError, ssl.SSLError)):
            return untrusted_certificate(self.server)
        if isinstance(cause, failures.NewConnectionError):  # before TimeoutError: urllib3 2 derives it from that
            return refused_connection(self.server)
        if isinstance(cause, (failures.TimeoutError, TimeoutError)):
            return no_answer(self.server, self.seconds)
        if isinstance(cause, (failures.ProtocolError, ConnectionError, OSError)):
            return refused_connection(self.server)
        return f"the Kubernetes API at {self.server} could not be reached ({type(cause).__name__})"


def _dry(dry_run: bool) -> dict[str, str]:
    return {"dryRun": "All"} if dry_run else {}
