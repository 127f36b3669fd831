# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read Kubernetes objects with a bound on every request; documented in plugins/modules/k8s_read.py."""

from __future__ import annotations

import os
import ssl
from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import (
    http_refusal,
    no_answer,
    refused_connection,
    resource_path,
    untrusted_certificate,
)
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "reads": {"type": "list", "elements": "dict", "required": True},
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "request_timeout": {"type": "float", "default": 10.0},
}


def api_client(kubeconfig: Any, context: str | None) -> Any:
    """A client of the kubeconfig (a path or its content), as kubernetes.core finds it when omitted."""
    from kubernetes import client, config

    kubeconfig = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG")
    context = context or os.environ.get("K8S_AUTH_CONTEXT")
    configuration = client.Configuration()
    if isinstance(kubeconfig, dict):
        config.load_kube_config_from_dict(
            kubeconfig, context=context, client_configuration=configuration, persist_config=False
        )
    else:
        path = os.path.expanduser(kubeconfig) if kubeconfig else None
        config.load_kube_config(
            config_file=path, context=context, client_configuration=configuration, persist_config=False
        )
    configuration.retries = False  # urllib3 would send a request that timed out three more times
    return client.ApiClient(configuration)


def why(error: Exception, server: str, seconds: float, path: str) -> str:
    """One sentence for a failed request; the client's own text never reaches the user (it may carry a traceback)."""
    import urllib3.exceptions as failures
    from kubernetes.client.exceptions import ApiException

    if isinstance(error, ApiException):  # without a status: the client's wrapper of a failed TLS handshake
        return untrusted_certificate(server) if "SSL" in str(error.reason) else refused_connection(server)
    cause = error.reason if isinstance(error, failures.MaxRetryError) else error
    if isinstance(cause, failures.NewConnectionError):  # before TimeoutError: urllib3 2 derives it from that
        return refused_connection(server)
    if isinstance(cause, (failures.TimeoutError, TimeoutError)):
        return no_answer(server, seconds)
    if isinstance(cause, (failures.SSLError, ssl.SSLError)):
        return untrusted_certificate(server)
    if isinstance(cause, (failures.ProtocolError, ConnectionError, OSError)):
        return refused_connection(server)
    return f"the Kubernetes API at {server} could not be read ({type(cause).__name__})"


def get(api: Any, path: str, seconds: float) -> tuple[int, Any]:
    """GET ``path`` once, bounded by ``seconds``: (HTTP status, parsed JSON body).

    Through the client's REST layer, the one part whose call is the same in every kubernetes release kubernetes.core
    supports (the generated ``call_api`` differs between releases); the Authorization header is the one the
    client would send (a token, or a refreshed exec/OIDC credential; client certificates ride on the connection).
    """
    import json

    from kubernetes.client.exceptions import ApiException

    headers = {"Accept": "application/json"}
    # The key the kubeconfig loader fills: "BearerToken" in newer releases, "authorization" in older ones.
    configuration = api.configuration
    authorization = configuration.get_api_key_with_prefix("BearerToken") or configuration.get_api_key_with_prefix(
        "authorization"
    )
    if authorization:
        headers["Authorization"] = authorization
    try:
        response = api.rest_client.request(
            "GET", api.configuration.host + path, headers=headers, _request_timeout=seconds
        )
    except ApiException as error:  # older releases raise for a status outside 2xx
        if not error.status:  # status 0: the client wrapped a failed TLS handshake in it
            raise
        return int(error.status), None
    if getattr(response, "data", None) is None:
        response.read()  # newer releases return the response unread
    return int(response.status), json.loads(response.data or b"null")


class ActionModule(ControllerAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        from kubernetes.config.config_exception import ConfigException

        try:
            paths = [
                (resource_path(read["api_version"], read["kind"], read.get("namespace"), read.get("name")), read)
                for read in params["reads"]
            ]
            client = api_client(params["kubeconfig"], params["context"])
        except (KeyError, ValueError, ConfigException) as error:
            return {"failed": True, "msg": f"the kubeconfig or a read cannot be used: {error}", "reason": "config"}
        server, seconds = client.configuration.host, params["request_timeout"]
        resources = []
        for path, read in paths:
            try:
                status, answer = get(client, path, seconds)
            except Exception as error:  # every transport failure becomes one sentence that names the server
                return {"failed": True, "msg": why(error, server, seconds, path), "server": server}
            if status == 404 and read.get("name"):
                resources.append([])
            elif not 200 <= status <= 299:
                return {"failed": True, "msg": http_refusal(server, status, path), "server": server}
            else:
                resources.append([answer] if read.get("name") else answer.get("items", []))
        return {"resources": resources, "server": server}
