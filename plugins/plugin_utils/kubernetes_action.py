"""The veneer of the actions that talk to kube-apiserver: connection options, and an unusable kubeconfig in words.

They run in the controller like the pure computations (no module process, no API discovery) and send every request
through module_utils/k8s_requests.py, bounded by ``request_timeout`` seconds. Writers report ``changed`` themselves.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import KubernetesApi
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.controller_action import ControllerAction

CONNECTION_SPEC = {
    "kubeconfig": {"type": "raw"},
    "context": {"type": "str"},
    "request_timeout": {"type": "float", "default": 10.0},
}


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
