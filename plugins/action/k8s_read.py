# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read Kubernetes objects with a bound on every request; documented in plugins/modules/k8s_read.py."""

from __future__ import annotations

from typing import Any

from ansible_collections.calicolab.bgp_lb.plugins.module_utils.k8s_requests import NoAnswer, resource_path
from ansible_collections.calicolab.bgp_lb.plugins.plugin_utils.kubernetes_action import (
    CONNECTION_SPEC,
    KubernetesAction,
)

ARGUMENT_SPEC = {
    "reads": {"type": "list", "elements": "dict", "required": True},
    **CONNECTION_SPEC,
}


class ActionModule(KubernetesAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def compute(self, params: dict[str, Any]) -> dict[str, Any]:
        reads = [
            tuple(read.get(key) for key in ("api_version", "kind", "namespace", "name")) for read in params["reads"]
        ]
        try:
            for read in reads:
                resource_path(*read)
        except (TypeError, ValueError) as error:
            return {"failed": True, "msg": f"reads: {error}"}
        api = self.connect(params)
        try:
            resources = [api.read(*read) for read in reads]
        except NoAnswer as error:
            return {"failed": True, "msg": str(error), "server": api.server}
        return {"resources": resources, "server": api.server}
