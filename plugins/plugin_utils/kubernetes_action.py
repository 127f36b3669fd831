"""The veneer of the actions that talk to kube-apiserver: connection options, and an unusable kubeconfig in words.

They run in the controller like the pure computations (no module process, no API discovery) and send every request
through module_utils/k8s_requests.py, bounded by ``request_timeout`` seconds. Writers report ``changed`` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import KubernetesApi, NoAnswer
from ansible_collections.calicolab.bgp_lb.plugins.module_utils.write_refusals import describe, refusal
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

CONNECTION_SPEC = {
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "request_timeout": {"type": "float", "default": 10.0},
}


def shown(obj: Any) -> dict[str, Any]:
    """The object for a diff: without metadata.managedFields, the server's bookkeeping of who set what."""
    obj = dict(obj or {})
    if isinstance(obj.get("metadata"), Mapping):
        obj["metadata"] = {key: value for key, value in obj["metadata"].items() if key != "managedFields"}
    return obj


class WriteFailed(Exception):
    """A write that was refused or got no answer; ``str()`` names the object and why."""


class KubeconfigUnusable(Exception):
    """The kubeconfig, context or bound cannot be used; ``str()`` says why."""


class KubernetesAction(ControllerAction):
    """Base of the actions that read or write Kubernetes: their argument specs include ``CONNECTION_SPEC``."""

    @property
    def check_mode(self) -> bool:
        return bool(self._play_context.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._play_context.diff)

    def connect(self, params: dict[str, Any]) -> KubernetesApi:
        from kubernetes.config.config_exception import ConfigException

        try:
            return KubernetesApi(params["kubeconfig"], params["context"], params["request_timeout"])
        except (ValueError, ConfigException) as error:
            raise KubeconfigUnusable(f"the kubeconfig, context or request_timeout cannot be used: {error}") from None

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return super().run(tmp, task_vars)
        except KubeconfigUnusable as error:
            return {"failed": True, "changed": False, "msg": str(error)}

    def write(self, api: KubernetesApi, verb: str, obj: Mapping[str, Any], live: Any, force: bool = False) -> Any:
        """The object as kube-apiserver answered the write (a dry run in check mode); None for a delete of an
        object already gone. WriteFailed names the object and why."""
        try:
            if verb == "delete":
                answer = api.delete(obj, dry_run=self.check_mode)
            else:
                answer = api.apply(obj, force=force, dry_run=self.check_mode)
        except NoAnswer as error:
            raise WriteFailed(f"{describe(obj)}: no answer to the {verb} (it may still take effect): {error}") from None
        if answer.status == 404 and verb == "delete":
            return None
        if not answer.ok:
            raise WriteFailed(refusal(obj, live, answer.status, answer.body))
        return answer.body
